/*
 * imap_mbox_msg.c -- the per-message operations of lib/imap_mbox.h:
 * flag letters, reading (msg_open/read/date, with a message renamed by
 * another process found again by one re-listing), the cache API, store
 * (one rename; +FLAGS/-FLAGS are applied to the flags the file has: a
 * rename from a stale name fails, the file is found again and the change
 * re-applied to its flags), keywords (imap_mbox_keyword and the re-read at sync) and
 * expunge (unlinks, no listing unless a file moved). Open and sync are
 * imap_mbox.c.
 *
 * SECURITY: messages are opened and stat'ed without following symlinks
 * (O_NOFOLLOW, lstat); names come from readdir or are built by us from
 * them (the part before ':' kept, flag letters replaced), so they never
 * contain '/'.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir.h"
#include "imap_mbox_int.h"

/* Renames (or unlinks, for EXPUNGE) tried on one message when other
 * processes keep renaming it; each failed one costs a listing to find it
 * again. Under imaptest's load (20 sessions changing the flags of the
 * same 30 messages) 4 tries were used up about once a minute, each
 * failing an EXPUNGE; a miss has a probability of about 0.1 there. */
#define IMB_STORE_TRIES 10

/* --- flags --- */

static const struct {
	char letter;
	uint32_t flag;
} imb_letters[] = {
	{ 'D', IMAP_MBOX_DRAFT },    { 'F', IMAP_MBOX_FLAGGED },
	{ 'R', IMAP_MBOX_ANSWERED }, { 'S', IMAP_MBOX_SEEN },
	{ 'T', IMAP_MBOX_DELETED },
};

void
imap_mbox_flag_letters(uint32_t flags, uint32_t keywords, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < sizeof(imb_letters) / sizeof(imb_letters[0]); i++) {
		if (flags & imb_letters[i].flag)
			out[o++] = imb_letters[i].letter;
	}
	for (i = 0; i < IMAP_MBOX_KEYWORDS_MAX; i++) {
		if (keywords & (1u << i))
			out[o++] = (char)('a' + i);
	}
	out[o] = '\0';
}

void
imap_mbox_parse_letters(const char *letters, uint32_t *flags_r,
			uint32_t *keywords_r)
{
	uint32_t f = 0, k = 0;
	size_t i, j;

	for (i = 0; letters[i] != '\0'; i++) {
		char c = letters[i];

		if (c >= 'a' && c <= 'z') {
			k |= 1u << (c - 'a');
			continue;
		}
		for (j = 0; j < sizeof(imb_letters) / sizeof(imb_letters[0]);
		     j++) {
			if (imb_letters[j].letter == c)
				f |= imb_letters[j].flag;
		}
	}
	*flags_r = f;
	*keywords_r = k;
}

static uint32_t
imb_kw_mask(unsigned count)
{
	return count >= 32 ? UINT32_MAX : (1u << count) - 1;
}

/* Flags and keywords (known ones only) of a file name. */
void
imb_name_flags(const struct imap_mbox *mb, const char *name, uint32_t *f_r,
	       uint32_t *k_r)
{
	const char *info = strchr(name, ':');

	*f_r = *k_r = 0;
	if (info != NULL && info[1] == '2' && info[2] == ',')
		imap_mbox_parse_letters(info + 3, f_r, k_r);
	*k_r &= imb_kw_mask(mb->keyword_count);
}

/* The name for new flags: name up to ':' + ":2," + our letters + the
 * letters we do not know (kept, e.g. 'P' passed, keywords without a
 * name), in ASCII order. 0 / -1 (too long). */
static int
imb_flagged_name(const struct imap_mbox *mb, const char *name, uint32_t flags,
		 uint32_t keywords, char *out, size_t outlen)
{
	const char *info = strchr(name, ':');
	size_t keep = info != NULL ? (size_t)(info - name) : strlen(name);
	bool have[128] = { false };
	char mine[40], letters[80];
	size_t i, o = 0;
	uint32_t known = imb_kw_mask(mb->keyword_count);
	int n;

	imap_mbox_flag_letters(flags & IMAP_MBOX_STORED_FLAGS,
			       keywords & known, mine);
	for (i = 0; mine[i] != '\0'; i++)
		have[(unsigned char)mine[i]] = true;
	if (info != NULL && info[1] == '2' && info[2] == ',') {
		for (i = 3; info[i] != '\0'; i++) {
			unsigned char c = (unsigned char)info[i];
			bool ours = strchr("DFRST", c) != NULL ||
				    (c >= 'a' && c <= 'z' &&
				     (known & (1u << (c - 'a'))));

			if (((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) &&
			    !ours)
				have[c] = true;
		}
	}
	for (i = 'A'; i <= 'z'; i++) {
		if (have[i])
			letters[o++] = (char)i;
	}
	letters[o] = '\0';
	n = snprintf(out, outlen, "%.*s:2,%s", (int)keep, name, letters);
	if (n < 0 || (size_t)n >= outlen || (size_t)n > MAILDIR_NAME_MAX_BYTES) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* --- messages --- */

static void
imb_set_own(struct imap_mbox *mb, size_t i, char *own)
{
	free(mb->priv->mp[i].own);
	mb->priv->mp[i].own = own;
	if (own != NULL)
		mb->msgs[i].name = own;
}

static int
imb_msg_path(const struct imap_mbox *mb, size_t i, char *out, size_t outlen)
{
	const struct imap_mbox_msg *m = &mb->msgs[i];

	return imb_path(out, outlen, mb->dir, m->in_cur ? "cur" : "new",
			m->name);
}

/* memcmp order, the shorter first (maildir_list's order). */
static int
imb_base_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Finds message i again after its file vanished: lists the folder once
 * (*l, kept for more calls when l->msgs != NULL) and takes the name with
 * the same base name. 0, or -1 (ENOENT: expunged). */
static int
imb_relocate(struct imap_mbox *mb, size_t i, struct maildir_list *l,
	     const char **error_r)
{
	const char *name = mb->msgs[i].name;
	size_t blen = uidlist_base_len(name), lo = 0, hi;
	char *own;

	if (l->msgs == NULL && maildir_list_read(l, mb->dir, error_r) < 0)
		return -1;
	hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct maildir_msg *m = &l->msgs[mid];
		int c = imb_base_cmp(m->name, m->base_len, name, blen);

		if (c == 0) {
			own = strdup(m->name);
			if (own == NULL) {
				errno = ENOMEM;
				*error_r = "out of memory";
				return -1;
			}
			mb->msgs[i].in_cur = m->in_cur;
			imb_set_own(mb, i, own);
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	errno = ENOENT;
	*error_r = "the message was expunged";
	return -1;
}

int
imap_mbox_msg_open(struct imap_mbox *mb, size_t i, const char **error_r)
{
	struct maildir_list l = { NULL, 0, NULL };
	char path[PATH_MAX];
	int fd, tries;

	if (i >= mb->n) {
		errno = EINVAL;
		*error_r = "no such message";
		return -1;
	}
	for (tries = 0; tries < 2; tries++) {
		if (imb_msg_path(mb, i, path, sizeof(path)) < 0) {
			*error_r = "message path too long";
			break;
		}
		/* openat, not open: musl's open() follows O_CLOEXEC with
		 * an fcntl(), one more system call per message of a SEARCH
		 * or FETCH in quail-imapd-session */
		fd = openat(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			maildir_list_free(&l);
			return fd;
		}
		if (errno != ENOENT) {
			*error_r = "cannot open the message";
			break;
		}
		*error_r = "the message was expunged";
		if (tries == 0 && imb_relocate(mb, i, &l, error_r) < 0)
			break;
	}
	maildir_list_free(&l);
	return -1;
}

int
imap_mbox_msg_read(struct imap_mbox *mb, size_t i, size_t max,
		   struct buf *out, const char **error_r)
{
	char tmp[65536];
	size_t got = 0;
	int fd = imap_mbox_msg_open(mb, i, error_r), saved;

	if (fd < 0)
		return -1;
	while (got < max) {
		size_t want = max - got < sizeof(tmp) ? max - got : sizeof(tmp);
		ssize_t r = read(fd, tmp, want);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*error_r = "cannot read the message";
			goto fail;
		}
		if (r == 0)
			break;
		if (buf_append(out, tmp, (size_t)r) < 0) {
			*error_r = "message too large";
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* The cache base record of message i (loads the cache). */
static uint32_t
imb_crec(struct imap_mbox *mb, size_t i)
{
	struct imap_mbox_priv *p = mb->priv;
	const char *name = mb->msgs[i].name;

	if (imb_mp_crec(&p->mp[i]) == IMC_UNRESOLVED) {
		if (imc_load(&p->cache, mb->dir) < 0)
			return IMC_NONE; /* try again later */
		imb_mp_set_crec(&p->mp[i],
				imc_find(&p->cache, name,
					 uidlist_base_len(name)));
	}
	return imb_mp_crec(&p->mp[i]);
}

int
imap_mbox_cache_get(struct imap_mbox *mb, size_t i, char field,
		    const char **val_r, size_t *len_r)
{
	uint32_t b;

	if (i >= mb->n)
		return 0;
	b = imb_crec(mb, i);
	if (b == IMC_NONE)
		return 0;
	return imc_get(&mb->priv->cache, b, field, val_r, len_r);
}

int
imap_mbox_cache_put(struct imap_mbox *mb, size_t i, char field,
		    const char *val, size_t len)
{
	struct imap_mbox_priv *p = mb->priv;
	const char *name;
	uint32_t b = IMC_NONE;

	if (i >= mb->n || len > IMAP_MBOX_CACHE_VALUE_MAX_BYTES)
		return 0;
	if (imc_load(&p->cache, mb->dir) < 0)
		return -1;
	name = mb->msgs[i].name;
	if (imc_put(&p->cache, name, uidlist_base_len(name), field, val, len,
		    &b) < 0)
		return -1;
	if (b != IMC_NONE)
		imb_mp_set_crec(&p->mp[i], b);
	return 0;
}

int
imap_mbox_cache_flush(struct imap_mbox *mb, const char **error_r)
{
	const char **names;
	size_t i;
	int r;

	if (mb->readonly || !mb->priv->cache.loaded ||
	    (mb->priv->cache.n_unsaved == 0 && !mb->priv->cache.rewrite))
		return 0; /* nothing to write: cheap after every command */
	names = malloc((mb->n + 1) * sizeof(*names));
	if (names == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	for (i = 0; i < mb->n; i++)
		names[i] = mb->msgs[i].name;
	r = imc_flush(&mb->priv->cache, mb->dir, names, mb->n, error_r);
	free(names);
	return r;
}

int
imap_mbox_msg_date(struct imap_mbox *mb, size_t i, time_t *t_r,
		   const char **error_r)
{
	struct maildir_list l = { NULL, 0, NULL };
	char path[PATH_MAX], num[32];
	const char *val;
	size_t len, j;
	struct stat st;
	int tries, n;

	if (i >= mb->n) {
		errno = EINVAL;
		*error_r = "no such message";
		return -1;
	}
	if (imap_mbox_cache_get(mb, i, 'D', &val, &len) == 1 && len > 0 &&
	    len < 20) {
		long long v = 0;

		for (j = 0; j < len && val[j] >= '0' && val[j] <= '9'; j++)
			v = v * 10 + (val[j] - '0');
		if (j == len) {
			*t_r = (time_t)v;
			return 0;
		}
	}
	for (tries = 0; tries < 2; tries++) {
		if (imb_msg_path(mb, i, path, sizeof(path)) < 0) {
			*error_r = "message path too long";
			break;
		}
		if (lstat(path, &st) == 0) {
			maildir_list_free(&l);
			*t_r = st.st_mtime;
			n = snprintf(num, sizeof(num), "%lld",
				     (long long)(st.st_mtime < 0 ? 0
								 : st.st_mtime));
			(void)imap_mbox_cache_put(mb, i, 'D', num, (size_t)n);
			return 0;
		}
		*error_r = "the message was expunged";
		if (errno != ENOENT ||
		    (tries == 0 && imb_relocate(mb, i, &l, error_r) < 0))
			break;
	}
	maildir_list_free(&l);
	return -1;
}

ssize_t
imap_mbox_find_uid(const struct imap_mbox *mb, uint32_t uid)
{
	size_t lo = 0, hi = mb->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mb->msgs[mid].uid == uid)
			return (ssize_t)mid;
		if (mb->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* --- store --- */

/* Flags and keywords after applying the delta. */
static void
imb_delta(enum imap_mbox_store_mode mode, uint32_t f, uint32_t k,
	  uint32_t df, uint32_t dk, uint32_t *f_r, uint32_t *k_r)
{
	switch (mode) {
	case IMAP_MBOX_STORE_ADD:
		*f_r = f | df;
		*k_r = k | dk;
		break;
	case IMAP_MBOX_STORE_REMOVE:
		*f_r = f & ~df;
		*k_r = k & ~dk;
		break;
	default:
		*f_r = df;
		*k_r = dk;
		break;
	}
}

int
imap_mbox_store_delta(struct imap_mbox *mb, size_t i,
		      enum imap_mbox_store_mode mode, uint32_t flags,
		      uint32_t keywords, const char **error_r)
{
	struct maildir_list l = { NULL, 0, NULL };
	struct imap_mbox_msg *m;
	char from[PATH_MAX], to[PATH_MAX], name[MAILDIR_NAME_MAX_BYTES + 1];
	char *own;
	struct imb_own o;
	struct stat st;
	uint32_t nf, nk, cf, ck;
	bool was_cur, relocated = false;
	int tries, misses = 0;

	if (i >= mb->n) {
		errno = EINVAL;
		*error_r = "no such message";
		return -1;
	}
	flags &= IMAP_MBOX_STORED_FLAGS;
	keywords &= imb_kw_mask(mb->keyword_count);
	m = &mb->msgs[i];
	imb_delta(mode, m->flags & IMAP_MBOX_STORED_FLAGS, m->keywords, flags,
		  keywords, &nf, &nk);
	if (mb->readonly) {
		if ((m->flags & IMAP_MBOX_STORED_FLAGS) == nf &&
		    m->keywords == nk)
			return 0;
		errno = EROFS;
		*error_r = "the mailbox is read-only";
		return -1;
	}
	imb_own_begin_renames(mb, &o);
	for (tries = 0; tries < IMB_STORE_TRIES; tries++) {
		m = &mb->msgs[i];
		cf = m->flags & IMAP_MBOX_STORED_FLAGS;
		ck = m->keywords;
		imb_delta(mode, cf, ck, flags, keywords, &nf, &nk);
		was_cur = m->in_cur;
		if (imb_flagged_name(mb, m->name, nf, nk, name,
				     sizeof(name)) < 0 ||
		    imb_msg_path(mb, i, from, sizeof(from)) < 0 ||
		    imb_path(to, sizeof(to), mb->dir, "cur", name) < 0) {
			*error_r = "message name too long";
			break;
		}
		if (cf == nf && ck == nk) {
			/* nothing to change if the name we know is still
			 * the file's (its flags are then ours) */
			if (lstat(from, &st) == 0) {
				maildir_list_free(&l);
				return 0;
			}
		} else if (imb_rename_in(mb, was_cur, m->name, from, name, to) ==
			   0) {
			maildir_list_free(&l);
			if (strcmp(from, to) != 0)
				imb_own_count(mb, 2);
			if (strcmp(m->name, name) != 0 || !m->in_cur) {
				if ((own = strdup(name)) == NULL) {
					/* renamed: found again when needed */
					imb_own_lost(mb);
					errno = ENOMEM;
					*error_r = "out of memory";
					return -1;
				}
				m->in_cur = true;
				imb_set_own(mb, i, own);
			}
			m->flags = (m->flags & IMAP_MBOX_RECENT) | nf;
			m->keywords = nk;
			/* after a relocation someone else renamed it: the
			 * dirs moved, the sync lists */
			if (!relocated)
				imb_own_end(mb, &o, !was_cur, true, true);
			else
				imb_own_lost(mb);
			return 0;
		}
		if (errno != ENOENT) {
			*error_r = cf == nf && ck == nk
					   ? "cannot stat the message"
					   : "cannot rename the message";
			break;
		}
		/* renamed by someone else (its flags changed): find its
		 * name now and apply the change to the flags it has */
		*error_r = "the message was expunged";
		maildir_list_free(&l);
		if (imb_relocate(mb, i, &l, error_r) < 0) {
			if (errno == ENOENT && ++misses < 2)
				continue; /* a listing may miss a rename */
			break;
		}
		relocated = true;
		imb_name_flags(mb, mb->msgs[i].name, &cf, &ck);
		if (cf != (mb->msgs[i].flags & IMAP_MBOX_STORED_FLAGS) ||
		    ck != mb->msgs[i].keywords)
			imb_report_flags(mb, mb->msgs[i].uid);
		mb->msgs[i].flags = (mb->msgs[i].flags & IMAP_MBOX_RECENT) | cf;
		mb->msgs[i].keywords = ck;
	}
	if (tries == IMB_STORE_TRIES) {
		errno = EAGAIN;
		*error_r = "the message keeps being renamed";
	}
	maildir_list_free(&l);
	return -1;
}

int
imap_mbox_store(struct imap_mbox *mb, size_t i, uint32_t flags,
		uint32_t keywords, const char **error_r)
{
	return imap_mbox_store_delta(mb, i, IMAP_MBOX_STORE_SET, flags,
				     keywords, error_r);
}

/* --- keywords --- */

/* Replaces mb's keyword list by kw (taken over). */
void
imb_take_keywords(struct imap_mbox *mb, struct imap_kwlist *kw,
		  const struct stat *st)
{
	unsigned k;

	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++) {
		free(mb->keywords[k]);
		mb->keywords[k] = kw->names[k];
		kw->names[k] = NULL;
	}
	mb->keyword_count = kw->count;
	kw->count = 0;
	mb->priv->kw_ino = st->st_ino;
	mb->priv->kw_mtime = st->st_mtim;
	mb->priv->kw_size = st->st_size;
}

int
imap_mbox_keyword(struct imap_mbox *mb, const char *name, size_t len,
		  bool create, const char **error_r)
{
	struct imap_kwlist kw;
	struct stat st;
	unsigned old = mb->keyword_count, k;
	int idx, ours;
	size_t i;

	if (!imap_mbox_keyword_valid(name, len)) {
		errno = EINVAL;
		*error_r = "invalid keyword";
		return -1;
	}
	for (idx = 0; idx < (int)mb->keyword_count; idx++) {
		if (strlen(mb->keywords[idx]) == len &&
		    strncasecmp(mb->keywords[idx], name, len) == 0)
			return idx;
	}
	if (!create) {
		errno = ENOENT;
		*error_r = "no such keyword";
		return -1;
	}
	if (mb->readonly) {
		errno = EROFS;
		*error_r = "the mailbox is read-only";
		return -1;
	}
	if (imk_ensure(mb->dir, &mb->priv->ul, &name, &len, 1, &idx, &kw, &st,
		       error_r) < 0)
		return -1;
	ours = idx;
	if (kw.count < mb->keyword_count) {
		/* the file lost names we use (damaged, replaced): its
		 * indexes no longer match ours */
		imk_free(&kw);
		errno = EIO;
		*error_r = "the keyword file lost keywords";
		return -1;
	}
	imb_take_keywords(mb, &kw, &st);
	/* Our own new keyword is not reported by the next sync (the caller
	 * announces it); names other processes added meanwhile are, and
	 * their letters, hidden until now, are taken. */
	for (k = old; k < mb->keyword_count; k++) {
		if ((int)k != ours)
			mb->priv->kw_grew = true;
	}
	if (mb->priv->kw_grew) {
		for (i = 0; i < mb->n; i++) {
			uint32_t f;

			imb_name_flags(mb, mb->msgs[i].name, &f,
				       &mb->msgs[i].keywords);
		}
	}
	imk_free(&kw);
	if (idx < 0) {
		errno = ENOSPC;
		*error_r = "too many keywords in this folder";
		return -1;
	}
	return idx;
}

/* Re-reads the keyword file if it changed. 1 the list grew, 0 no, -1. */
int
imb_keywords_sync(struct imap_mbox *mb, const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imap_kwlist kw;
	struct stat st;
	char path[PATH_MAX];
	unsigned old = mb->keyword_count;
	size_t i;

	if (imb_path(path, sizeof(path), mb->dir, NULL,
		     IMAP_MBOX_KEYWORDS_FILE) < 0) {
		*error_r = "folder path too long";
		return -1;
	}
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT) {
			*error_r = "cannot stat the keyword file";
			return -1;
		}
		return 0; /* gone: keep what we know (indexes stay) */
	}
	if (st.st_ino == p->kw_ino && st.st_size == p->kw_size &&
	    st.st_mtim.tv_sec == p->kw_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == p->kw_mtime.tv_nsec)
		return 0;
	if (imk_read(mb->dir, &kw, &st, error_r) < 0)
		return -1;
	if (kw.count < old) {
		/* shrank (damaged, or replaced): keep ours, indexes hold */
		imk_free(&kw);
		p->kw_ino = st.st_ino;
		p->kw_mtime = st.st_mtim;
		p->kw_size = st.st_size;
		return 0;
	}
	imb_take_keywords(mb, &kw, &st);
	if (mb->keyword_count == old)
		return 0;
	/* letters of the new keywords were hidden until now */
	for (i = 0; i < mb->n; i++) {
		uint32_t f;

		imb_name_flags(mb, mb->msgs[i].name, &f, &mb->msgs[i].keywords);
	}
	return 1;
}

/* --- expunge --- */

int
imap_mbox_expunge(struct imap_mbox *mb, const struct imap_seqset *uids,
		  bool deleted_only, void (*cb)(void *ctx, uint32_t seq),
		  void *ctx, const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct maildir_list l = { NULL, 0, NULL };
	char path[PATH_MAX];
	bool *gone = NULL, failed = false, any_new = false, any_cur = false;
	bool relocated = false;
	struct imb_own o;
	size_t i, k;
	const char *err = NULL, *why = NULL;
	int tries, misses;

	if (mb->readonly) {
		errno = EROFS;
		*error_r = "the mailbox is read-only";
		return -1;
	}
	gone = calloc(mb->n + 1, sizeof(*gone));
	if (gone == NULL) {
		errno = ENOMEM;
		*error_r = "out of memory";
		return -1;
	}
	imb_own_begin(mb, &o);
	for (i = mb->n; i-- > 0;) {
		struct imap_mbox_msg *m = &mb->msgs[i];

		if (deleted_only && !(m->flags & IMAP_MBOX_DELETED))
			continue;
		if (uids != NULL && !imap_seqset_contains(uids, m->uid))
			continue;
		/* a file that is not where we knew it was renamed by
		 * someone else (a flag change; maybe again while we looked)
		 * or expunged: a fresh listing finds it again; only two
		 * listings without it make it expunged */
		err = NULL;
		for (tries = 0, misses = 0; tries < IMB_STORE_TRIES; tries++) {
			if (imb_msg_path(mb, i, path, sizeof(path)) < 0)
				break;
			if (unlink(path) == 0) {
				imb_own_count(mb, 1);
				gone[i] = true;
				break;
			}
			if (errno != ENOENT)
				break;
			relocated = true;
			maildir_list_free(&l);
			if (imb_relocate(mb, i, &l, &err) == 0)
				continue;
			if (errno != ENOENT)
				break;
			if (++misses == 2) {
				gone[i] = true; /* expunged by someone else */
				break;
			}
		}
		if (!gone[i]) {
			failed = true;
			why = tries == IMB_STORE_TRIES
				      ? "a message keeps being renamed"
				      : err != NULL ? err : strerror(errno);
			continue;
		}
		if (gone[i]) {
			imb_gone_add(mb, m->uid);
			any_new |= !m->in_cur;
			any_cur |= m->in_cur;
		}
	}
	maildir_list_free(&l);
	/* after a relocation the dirs moved by someone else: the sync
	 * lists */
	if (!relocated)
		imb_own_end(mb, &o, any_new, any_cur, true);
	else
		imb_own_lost(mb);
	/* the deletions are durable before we report them */
	if (any_new)
		(void)imb_fsync_dir(mb->dir, "new");
	if (any_cur)
		(void)imb_fsync_dir(mb->dir, "cur");
	for (i = 0, k = 0; i < mb->n; i++) {
		if (gone[i]) {
			if (mb->msgs[i].flags & IMAP_MBOX_RECENT)
				mb->recent--;
			free(p->mp[i].own);
			continue;
		}
		mb->msgs[k] = mb->msgs[i];
		p->mp[k] = p->mp[i];
		k++;
	}
	k = mb->n;
	for (i = 0; i < k; i++)
		mb->n -= gone[i];
	if (cb != NULL) {
		for (i = k; i-- > 0;) {
			if (gone[i])
				cb(ctx, (uint32_t)(i + 1));
		}
	}
	free(gone);
	if (failed) {
		static char msg[160];

		snprintf(msg, sizeof(msg), "some messages could not be "
					   "expunged: %s", why);
		errno = EIO;
		*error_r = msg;
		return -1;
	}
	return 0;
}
