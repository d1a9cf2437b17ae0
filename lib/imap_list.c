/*
 * imap_list.c -- LIST pattern matching, the folders of a Maildir++ root,
 * the subscriptions file and the selection of LIST entries. See
 * imap_list.h.
 *
 * SECURITY: patterns and names come from the client (and the
 * subscriptions file from the mailbox owner, who may have written
 * anything into it). The matcher is an automaton over at most
 * IMAP_LIST_PATTERN_MAX_BYTES states, so no pattern costs more than
 * pattern x name steps. Folder names found on disk must pass
 * mutf7_maildir_name_check() before they are shown or used in a path;
 * folder directories are not followed through symlinks. The
 * subscriptions file is read with O_NOFOLLOW, up to a size limit, and
 * replaced by rename of a file created with O_EXCL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dirsync.h"
#include "buf.h"
#include "dotlock.h"
#include "imap_list.h"
#include "mutf7.h"

#define IMAP_LIST_INBOX "INBOX"
#define IMAP_LIST_INBOX_LEN 5
/* Read size for the subscriptions file. */
#define IMAP_LIST_READ_CHUNK_BYTES 8192
/* Entries one LIST may gather (folders plus the levels above them). */
#define IMAP_LIST_CANDIDATES_MAX (4 * IMAP_LIST_FOLDERS_MAX)

/* --- matching --- */

static bool
imap_list_is_wildcard(char c)
{
	return c == '*' || c == '%';
}

/* Marks the states reachable through wildcards (which match the empty
 * string). After compile no two wildcards are adjacent, so one ascending
 * pass is complete. */
static void
imap_list_closure(const char *pat, size_t m, unsigned char *st)
{
	size_t i;

	for (i = 0; i < m; i++) {
		if (st[i] && imap_list_is_wildcard(pat[i]))
			st[i + 1] = 1;
	}
}

bool
imap_list_match(const char *pattern, size_t plen, const char *name, size_t nlen)
{
	char pat[IMAP_LIST_PATTERN_MAX_BYTES];
	unsigned char a[IMAP_LIST_PATTERN_MAX_BYTES + 1];
	unsigned char b[IMAP_LIST_PATTERN_MAX_BYTES + 1];
	unsigned char *cur = a, *next = b, *tmp;
	size_t m = 0, i, j;
	bool fold, any;

	if (plen > IMAP_LIST_PATTERN_MAX_BYTES)
		return false;
	/* RFC 3501 5.1: INBOX is case-insensitive */
	fold = plen >= IMAP_LIST_INBOX_LEN &&
	       strncasecmp(pattern, IMAP_LIST_INBOX, IMAP_LIST_INBOX_LEN) ==
		       0 &&
	       (plen == IMAP_LIST_INBOX_LEN ||
		pattern[IMAP_LIST_INBOX_LEN] == IMAP_LIST_SEPARATOR);
	/* compile: "%*", "*%" -> "*", "%%" -> "%" */
	for (i = 0; i < plen; i++) {
		char c = fold && i < IMAP_LIST_INBOX_LEN ? IMAP_LIST_INBOX[i]
							 : pattern[i];

		if (imap_list_is_wildcard(c) && m > 0 &&
		    imap_list_is_wildcard(pat[m - 1])) {
			if (c == '*')
				pat[m - 1] = '*';
			continue;
		}
		pat[m++] = c;
	}
	memset(cur, 0, m + 1);
	cur[0] = 1;
	imap_list_closure(pat, m, cur);
	for (j = 0; j < nlen; j++) {
		char c = name[j];

		memset(next, 0, m + 1);
		any = false;
		for (i = 0; i < m; i++) {
			if (!cur[i])
				continue;
			if (pat[i] == '*' ||
			    (pat[i] == '%' && c != IMAP_LIST_SEPARATOR)) {
				next[i] = 1;
				any = true;
			} else if (pat[i] != '%' && pat[i] == c) {
				next[i + 1] = 1;
				any = true;
			}
		}
		if (!any)
			return false;
		imap_list_closure(pat, m, next);
		tmp = cur;
		cur = next;
		next = tmp;
	}
	return cur[m] != 0;
}

/* --- name sets --- */

void
imap_list_names_free(struct imap_list_names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = l->cap = 0;
}

static int
imap_list_names_grow(struct imap_list_names *l)
{
	char **p;
	size_t cap;

	if (l->n < l->cap)
		return 0;
	cap = l->cap == 0 ? 16 : l->cap * 2;
	if (cap > SIZE_MAX / sizeof(*p)) {
		errno = ENOMEM;
		return -1;
	}
	p = realloc(l->names, cap * sizeof(*p));
	if (p == NULL)
		return -1;
	l->names = p;
	l->cap = cap;
	return 0;
}

static char *
imap_list_strndup(const char *name, size_t len)
{
	char *s;

	if (memchr(name, '\0', len) != NULL) {
		errno = EINVAL;
		return NULL;
	}
	s = malloc(len + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, name, len);
	s[len] = '\0';
	return s;
}

int
imap_list_names_add(struct imap_list_names *l, const char *name, size_t len)
{
	char *s;

	if (imap_list_names_grow(l) < 0)
		return -1;
	s = imap_list_strndup(name, len);
	if (s == NULL)
		return -1;
	l->names[l->n++] = s;
	return 0;
}

static int
imap_list_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
imap_list_names_sort(struct imap_list_names *l)
{
	size_t i, o;

	if (l->n < 2)
		return;
	qsort(l->names, l->n, sizeof(l->names[0]), imap_list_cmp);
	for (i = 1, o = 1; i < l->n; i++) {
		if (strcmp(l->names[i], l->names[o - 1]) == 0)
			free(l->names[i]);
		else
			l->names[o++] = l->names[i];
	}
	l->n = o;
}

/* Compares the stored s with key[0..len) as strcmp would. */
static int
imap_list_keycmp(const char *s, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char x = (unsigned char)s[i];
		unsigned char y = (unsigned char)key[i];

		if (x != y)
			return x < y ? -1 : 1; /* s's NUL sorts first */
	}
	return s[len] == '\0' ? 0 : 1;
}

/* The first index whose name is >= key[0..len). */
static size_t
imap_list_lower_bound(const struct imap_list_names *l, const char *key,
		      size_t len)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (imap_list_keycmp(l->names[mid], key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t
imap_list_names_find(const struct imap_list_names *l, const char *name,
		     size_t len)
{
	size_t i = imap_list_lower_bound(l, name, len);

	if (i < l->n && imap_list_keycmp(l->names[i], name, len) == 0)
		return (ssize_t)i;
	return -1;
}

ssize_t
imap_list_names_first_child(const struct imap_list_names *l, const char *name,
			    size_t len)
{
	size_t lo = 0, hi = l->n, mid;
	const char *s;

	/* first name > name + "." - 1 char, i.e. >= name + "."; compare
	 * the first len bytes, then the separator */
	while (lo < hi) {
		int c;

		mid = lo + (hi - lo) / 2;
		s = l->names[mid];
		c = strncmp(s, name, len);
		if (c == 0) /* then s is at least len bytes long */
			c = (unsigned char)s[len] <
					    (unsigned char)IMAP_LIST_SEPARATOR
				    ? -1
				    : 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n && strncmp(l->names[lo], name, len) == 0 &&
	    l->names[lo][len] == IMAP_LIST_SEPARATOR)
		return (ssize_t)lo;
	return -1;
}

int
imap_list_names_insert(struct imap_list_names *l, const char *name, size_t len)
{
	size_t i = imap_list_lower_bound(l, name, len);
	char *s;

	if (i < l->n && imap_list_keycmp(l->names[i], name, len) == 0)
		return 0;
	if (imap_list_names_grow(l) < 0)
		return -1;
	s = imap_list_strndup(name, len);
	if (s == NULL)
		return -1;
	memmove(l->names + i + 1, l->names + i, (l->n - i) * sizeof(char *));
	l->names[i] = s;
	l->n++;
	return 1;
}

int
imap_list_names_remove(struct imap_list_names *l, const char *name, size_t len)
{
	ssize_t i = imap_list_names_find(l, name, len);

	if (i < 0)
		return 0;
	free(l->names[i]);
	memmove(l->names + i, l->names + i + 1,
		(l->n - (size_t)i - 1) * sizeof(char *));
	l->n--;
	return 1;
}

int
imap_list_names_rename_tree(struct imap_list_names *l, const char *old,
			    size_t oldlen, const char *new_name, size_t newlen)
{
	size_t i, len;
	bool changed = false;
	char *s;

	if (memchr(old, '\0', oldlen) != NULL ||
	    memchr(new_name, '\0', newlen) != NULL)
		return 0;
	for (i = 0; i < l->n; i++) {
		const char *cur = l->names[i];

		if (strncmp(cur, old, oldlen) != 0 ||
		    (cur[oldlen] != '\0' && cur[oldlen] != IMAP_LIST_SEPARATOR))
			continue;
		len = strlen(cur + oldlen);
		if (newlen > SIZE_MAX - len - 1) {
			errno = ENOMEM;
			return -1;
		}
		s = malloc(newlen + len + 1);
		if (s == NULL)
			return -1;
		memcpy(s, new_name, newlen);
		memcpy(s + newlen, cur + oldlen, len + 1);
		free(l->names[i]);
		l->names[i] = s;
		changed = true;
	}
	if (!changed)
		return 0;
	imap_list_names_sort(l);
	return 1;
}

/* --- folders on disk --- */

/* "INBOX" or "INBOX.<anything>" in any case. */
static bool
imap_list_is_inbox_tree(const char *name, size_t len)
{
	return len >= IMAP_LIST_INBOX_LEN &&
	       strncasecmp(name, IMAP_LIST_INBOX, IMAP_LIST_INBOX_LEN) == 0 &&
	       (len == IMAP_LIST_INBOX_LEN ||
		name[IMAP_LIST_INBOX_LEN] == IMAP_LIST_SEPARATOR);
}

int
imap_list_folders_read(const char *root, struct imap_list_names *f,
		       const char **error_r)
{
	char sub[NAME_MAX + 8];
	struct dirent *de;
	struct stat st;
	const char *err;
	DIR *d;
	int dfd, saved;

	memset(f, 0, sizeof(*f));
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		*error_r = "cannot open the Maildir";
		return -1;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
		*error_r = "cannot read the Maildir";
		return -1;
	}
	for (;;) {
		const char *name;
		size_t len;

		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (de->d_name[0] != '.')
			continue;
		name = de->d_name + 1;
		len = strlen(name);
		if (len == 0 || strcmp(name, ".") == 0 ||
		    imap_list_is_inbox_tree(name, len) ||
		    mutf7_maildir_name_check(name, len, &err) < 0)
			continue;
		if (de->d_type != DT_DIR) {
			if (de->d_type != DT_UNKNOWN)
				continue;
			if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
				    0 ||
			    !S_ISDIR(st.st_mode))
				continue;
		}
		if ((size_t)snprintf(sub, sizeof(sub), "%s/cur", de->d_name) >=
		    sizeof(sub))
			continue;
		if (fstatat(dfd, sub, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (f->n >= IMAP_LIST_FOLDERS_MAX) {
			errno = E2BIG;
			*error_r = "too many folders";
			goto fail;
		}
		if (imap_list_names_add(f, name, len) < 0) {
			*error_r = "out of memory";
			goto fail;
		}
	}
	if (errno != 0) {
		*error_r = "cannot read the Maildir";
		goto fail;
	}
	closedir(d);
	imap_list_names_sort(f);
	return 0;
fail:
	saved = errno;
	closedir(d);
	imap_list_names_free(f);
	errno = saved;
	return -1;
}

/* --- subscriptions --- */

int
imap_list_subs_parse(const char *data, size_t len, struct imap_list_names *subs)
{
	char name[IMAP_LIST_NAME_MAX_BYTES + 1];
	const char *err;
	size_t pos = 0, i;
	bool first = true, v2 = false;

	memset(subs, 0, sizeof(*subs));
	while (pos < len && subs->n < IMAP_LIST_SUBS_MAX) {
		const char *line = data + pos;
		const char *eol = memchr(line, '\n', len - pos);
		size_t ll = eol != NULL ? (size_t)(eol - line) : len - pos;

		pos += ll + (eol != NULL ? 1 : 0);
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (first) {
			first = false;
			if (ll == 3 && memcmp(line, "V\t2", 3) == 0) {
				v2 = true;
				continue;
			}
		}
		if (ll == 0 || ll > IMAP_LIST_NAME_MAX_BYTES)
			continue;
		memcpy(name, line, ll);
		name[ll] = '\0';
		if (v2) {
			for (i = 0; i < ll; i++) {
				if (name[i] == '\t')
					name[i] = IMAP_LIST_SEPARATOR;
			}
		}
		if (ll == IMAP_LIST_INBOX_LEN &&
		    strcasecmp(name, IMAP_LIST_INBOX) == 0) {
			memcpy(name, IMAP_LIST_INBOX, IMAP_LIST_INBOX_LEN);
		} else if (imap_list_is_inbox_tree(name, ll) ||
			   mutf7_maildir_name_check(name, ll, &err) < 0) {
			continue;
		}
		if (imap_list_names_add(subs, name, ll) < 0) {
			imap_list_names_free(subs);
			return -1;
		}
	}
	imap_list_names_sort(subs);
	return 0;
}

static int
imap_list_subs_path(char *out, size_t outlen, const char *root,
		    const char *suffix)
{
	int n = snprintf(out, outlen, "%s/%s%s", root, IMAP_LIST_SUBS_FILE,
			 suffix);

	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
imap_list_subs_read(const char *root, struct imap_list_names *subs,
		    bool *exists_r, const char **error_r)
{
	char path[PATH_MAX];
	struct stat st = { 0 };
	struct buf b;
	ssize_t got;
	char *nl;
	int fd, saved;

	memset(subs, 0, sizeof(*subs));
	if (exists_r != NULL)
		*exists_r = false;
	if (imap_list_subs_path(path, sizeof(path), root, "") < 0) {
		*error_r = "path too long";
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*error_r = "cannot open the subscriptions file";
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		saved = errno;
		if (!S_ISREG(st.st_mode))
			saved = EINVAL;
		close(fd);
		errno = saved;
		*error_r = "cannot read the subscriptions file";
		return -1;
	}
	if (exists_r != NULL)
		*exists_r = true;
	buf_init(&b, IMAP_LIST_SUBS_MAX_BYTES);
	for (;;) {
		size_t chunk = IMAP_LIST_SUBS_MAX_BYTES - b.len;

		if (chunk == 0)
			break;
		if (chunk > IMAP_LIST_READ_CHUNK_BYTES)
			chunk = IMAP_LIST_READ_CHUNK_BYTES;
		if (buf_reserve(&b, chunk) < 0) {
			*error_r = "out of memory";
			goto fail;
		}
		got = read(fd, b.data + b.len, chunk);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			*error_r = "cannot read the subscriptions file";
			goto fail;
		}
		if (got == 0)
			break;
		b.len += (size_t)got;
	}
	close(fd);
	fd = -1;
	if (b.len >= IMAP_LIST_SUBS_MAX_BYTES) {
		/* cut at the last whole line */
		nl = memrchr(b.data, '\n', b.len);
		b.len = nl != NULL ? (size_t)(nl - b.data) + 1 : 0;
	}
	if (imap_list_subs_parse(b.data != NULL ? b.data : "", b.len, subs) <
	    0) {
		*error_r = "out of memory";
		goto fail;
	}
	buf_free(&b);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	errno = saved;
	return -1;
}

/* Opens the directory and fsyncs it (the rename we just made). */
static int
imap_list_fsync_dir(const char *dir)
{
	int r = dir_fsync(dir);

	if (r < 0 && (errno == EINVAL || errno == EROFS))
		r = 0;
	return r;
}

int
imap_list_subs_write(const char *root, const struct imap_list_names *subs,
		     const char **error_r)
{
	static unsigned long counter;
	char path[PATH_MAX], tmp[PATH_MAX], suffix[64];
	struct buf b;
	size_t i, off;
	ssize_t w;
	int fd = -1, saved;

	buf_init(&b, 0);
	for (i = 0; i < subs->n; i++) {
		if (buf_append_str(&b, subs->names[i]) < 0 ||
		    buf_putc(&b, '\n') < 0) {
			*error_r = "out of memory";
			goto fail;
		}
	}
	snprintf(suffix, sizeof(suffix), ".%ld.%lu.%lld.tmp", (long)getpid(),
		 ++counter, (long long)time(NULL));
	if (imap_list_subs_path(path, sizeof(path), root, "") < 0 ||
	    imap_list_subs_path(tmp, sizeof(tmp), root, suffix) < 0) {
		*error_r = "path too long";
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		*error_r = "cannot create the subscriptions file";
		goto fail;
	}
	for (off = 0; off < b.len; off += (size_t)w) {
		w = write(fd, b.data + off, b.len - off);
		if (w < 0) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			*error_r = "cannot write the subscriptions file";
			goto fail_unlink;
		}
	}
	if (fsync(fd) < 0) {
		*error_r = "cannot write the subscriptions file";
		goto fail_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		*error_r = "cannot write the subscriptions file";
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		*error_r = "cannot replace the subscriptions file";
		goto fail_unlink;
	}
	buf_free(&b);
	if (imap_list_fsync_dir(root) < 0) {
		*error_r = "cannot sync the Maildir";
		return -1;
	}
	return 0;
fail_unlink:
	saved = errno;
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	errno = saved;
	return -1;
}

int
imap_list_subs_update(const char *root,
		      int (*fn)(struct imap_list_names *subs, void *ctx,
				const char **error_r),
		      void *ctx, const char **error_r)
{
	struct imap_list_names subs;
	struct dotlock_id id;
	char lock[PATH_MAX];
	int r, saved;

	if (imap_list_subs_path(lock, sizeof(lock), root, ".lock") < 0) {
		*error_r = "path too long";
		return -1;
	}
	if (dotlock_take(lock, IMAP_LIST_SUBS_LOCK_WAIT_SECS,
			 IMAP_LIST_SUBS_LOCK_STALE_SECS, &id, error_r) < 0)
		return -1;
	r = imap_list_subs_read(root, &subs, NULL, error_r);
	if (r == 0) {
		*error_r = "cannot update the subscriptions";
		r = fn(&subs, ctx, error_r);
		if (r > 0)
			r = imap_list_subs_write(root, &subs, error_r);
		r = r < 0 ? -1 : 0;
	}
	saved = errno;
	imap_list_names_free(&subs);
	dotlock_release(lock, &id);
	errno = saved;
	return r;
}

/* --- selecting entries --- */

static bool
imap_list_matches(const struct imap_list_query *q, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < q->n_patterns; i++) {
		if (imap_list_match(q->patterns[i], q->pattern_lens[i], name,
				    len))
			return true;
	}
	return false;
}

static bool
imap_list_exists(const struct imap_list_query *q, const char *name)
{
	return strcmp(name, IMAP_LIST_INBOX) == 0 ||
	       imap_list_names_find(q->folders, name, strlen(name)) >= 0;
}

/* The names that meet the selection options themselves (SUBSCRIBED
 * and/or SPECIAL-USE), sorted. */
static int
imap_list_meet(const struct imap_list_query *q, struct imap_list_names *meet)
{
	const struct imap_list_names *base =
		(q->select & IMAP_LIST_SEL_SUBSCRIBED) != 0 ? q->subs
							    : q->folders;
	size_t i;

	memset(meet, 0, sizeof(*meet));
	for (i = 0; i < base->n; i++) {
		const char *name = base->names[i];

		if ((q->select & IMAP_LIST_SEL_SPECIAL_USE) != 0 &&
		    (q->special_use == NULL || !imap_list_exists(q, name) ||
		     q->special_use(name) == NULL))
			continue;
		if (imap_list_names_add(meet, name, strlen(name)) < 0) {
			imap_list_names_free(meet);
			return -1;
		}
	}
	return 0;
}

/* Adds name[0..len) to cand if it matches (and is not INBOX). */
static int
imap_list_candidate(const struct imap_list_query *q,
		    struct imap_list_names *cand, const char *name, size_t len)
{
	if (len == IMAP_LIST_INBOX_LEN &&
	    memcmp(name, IMAP_LIST_INBOX, IMAP_LIST_INBOX_LEN) == 0)
		return 0;
	if (!imap_list_matches(q, name, len))
		return 0;
	if (cand->n >= IMAP_LIST_CANDIDATES_MAX) {
		errno = E2BIG;
		return -1;
	}
	return imap_list_names_add(cand, name, len);
}

int
imap_list_select(const struct imap_list_query *q, struct imap_list_result *r)
{
	struct imap_list_names meet = { 0 }, cand = { 0 };
	const struct imap_list_names *base;
	bool plain = (q->select & (IMAP_LIST_SEL_SUBSCRIBED |
				   IMAP_LIST_SEL_SPECIAL_USE)) == 0;
	bool recursive = (q->select & IMAP_LIST_SEL_RECURSIVEMATCH) != 0;
	bool parents = plain || recursive;
	const char *prev = NULL;
	size_t i, k, lcp, len, out = 0;
	unsigned fl;
	int saved;

	memset(r, 0, sizeof(*r));
	if (!plain && imap_list_meet(q, &meet) < 0)
		return -1;
	base = plain ? q->folders : &meet;
	for (i = 0; i < base->n; i++) {
		const char *name = base->names[i];

		len = strlen(name);
		if (imap_list_candidate(q, &cand, name, len) < 0)
			goto fail;
		if (!parents)
			continue;
		/* the levels above it that the previous name (sorted) did
		 * not already give */
		lcp = 0;
		if (prev != NULL) {
			while (prev[lcp] != '\0' && prev[lcp] == name[lcp])
				lcp++;
		}
		for (k = lcp; k < len; k++) {
			if (name[k] == IMAP_LIST_SEPARATOR &&
			    imap_list_candidate(q, &cand, name, k) < 0)
				goto fail;
		}
		prev = name;
	}
	imap_list_names_sort(&cand);

	r->flags = calloc(cand.n + 1, sizeof(*r->flags));
	r->names.names = calloc(cand.n + 1, sizeof(char *));
	if (r->flags == NULL || r->names.names == NULL)
		goto fail;
	r->names.cap = cand.n + 1;

	/* INBOX first */
	if (imap_list_matches(q, IMAP_LIST_INBOX, IMAP_LIST_INBOX_LEN)) {
		fl = 0;
		if (imap_list_names_find(q->subs, IMAP_LIST_INBOX,
					 IMAP_LIST_INBOX_LEN) >= 0)
			fl |= IMAP_LIST_F_SUBSCRIBED;
		if (plain || imap_list_names_find(&meet, IMAP_LIST_INBOX,
						  IMAP_LIST_INBOX_LEN) >= 0) {
			char *s = imap_list_strndup(IMAP_LIST_INBOX,
						    IMAP_LIST_INBOX_LEN);

			if (s == NULL)
				goto fail;
			r->names.names[out] = s;
			r->flags[out++] = fl | IMAP_LIST_F_SELECTED;
			r->names.n = out;
		}
	}
	for (i = 0; i < cand.n; i++) {
		const char *name = cand.names[i];

		len = strlen(name);
		fl = 0;
		if (imap_list_names_find(q->folders, name, len) < 0)
			fl |= IMAP_LIST_F_NONEXISTENT;
		if (imap_list_names_first_child(q->folders, name, len) >= 0)
			fl |= IMAP_LIST_F_CHILDREN;
		if (imap_list_names_find(q->subs, name, len) >= 0)
			fl |= IMAP_LIST_F_SUBSCRIBED;
		if (plain || imap_list_names_find(&meet, name, len) >= 0)
			fl |= IMAP_LIST_F_SELECTED;
		if (recursive && !plain &&
		    imap_list_names_first_child(&meet, name, len) >= 0)
			fl |= IMAP_LIST_F_CHILD_MATCH;
		if ((fl & (IMAP_LIST_F_SELECTED | IMAP_LIST_F_CHILD_MATCH)) ==
		    0)
			continue;
		r->names.names[out] = cand.names[i];
		cand.names[i] = NULL;
		r->flags[out++] = fl;
		r->names.n = out;
	}
	for (i = 0; i < cand.n; i++)
		free(cand.names[i]);
	free(cand.names);
	imap_list_names_free(&meet);
	return 0;
fail:
	saved = errno;
	imap_list_names_free(&cand);
	imap_list_names_free(&meet);
	imap_list_result_free(r);
	errno = saved;
	return -1;
}

void
imap_list_result_free(struct imap_list_result *r)
{
	imap_list_names_free(&r->names);
	free(r->flags);
	r->flags = NULL;
}
