/*
 * imap_mbox_write.c -- adding messages to a folder that need not be
 * open (imap_mbox.h): APPEND, COPY, and the STATUS counts.
 *
 * New files go through tmp/ (lib/maildir.h for APPEND; link(2) or a copy
 * for COPY) into cur/ with their flags, then get their UIDs with
 * uidlist_add_names(): under the lock, only the lines others appended
 * since are read, exactly the new names are appended (in order) and
 * fdatasync'd; the folder is not listed and nothing is compacted. Other
 * messages not yet in the list get their UIDs at the next listing. The
 * uid list used is that of the folder if it is open in this process (the
 * change is then its own: imb_own_begin/end, imb_own_added), else one
 * kept for the last folder written to (imw_ul), so that a series of
 * APPENDs reads the list once.
 *
 * SECURITY: runs as the mailbox owner. Files are created O_EXCL |
 * O_NOFOLLOW, sources opened O_NOFOLLOW; names are our own unique names
 * plus the ",S=..,W=.." fields and flag letters of the source name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "imap_mbox_int.h"

/* errno of APPEND and COPY when the folder has IMAP_MBOX_KEYWORDS_MAX
 * keywords and another is wanted (not ENOSPC: that is a full disk). */
#define IMW_KEYWORDS_FULL EMLINK
/* Copy buffer for COPY without link(2). */
#define IMW_COPY_BUF_BYTES 65536

/* dir must hold cur/ new/ tmp/: 0, or -1 ENOENT. */
static int
imw_check_folder(const char *dir, const char **error_r)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (imb_path(path, sizeof(path), dir, NULL, subs[i]) < 0 ||
		    stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			if (errno != ENAMETOOLONG)
				errno = ENOENT;
			*error_r = "no such folder";
			return -1;
		}
	}
	return 0;
}

/* The uid list of the folder APPEND or COPY wrote to last, when it is not
 * open in this process: kept, so that the next APPEND to it reads only
 * what other processes appended meanwhile (memory: that of the list). */
static struct uidlist imw_ul;
static bool imw_ul_used;

void
imw_release(void)
{
	if (imw_ul_used)
		uidlist_free(&imw_ul);
	imw_ul_used = false;
}

/* Gives the new names[0..n) of dir their UIDs, in order
 * (uidlist_add_names: the lock, the lines appended by others, our
 * lines, one fdatasync). mb: the folder open in this process for dir,
 * or NULL. 0 / -1. */
static int
imw_assign_uids(struct imap_mbox *mb, const char *dir,
		const char *const *names, size_t n, uint32_t *uids_r,
		uint32_t *uidvalidity_r, const char **error_r)
{
	struct uidlist *ul;

	if (mb != NULL) {
		ul = &mb->priv->ul;
	} else {
		if (imw_ul_used && strcmp(imw_ul.dir, dir) != 0)
			imw_release();
		if (!imw_ul_used) {
			if (uidlist_init(&imw_ul, dir, error_r) < 0)
				return -1;
			imw_ul_used = true;
		}
		ul = &imw_ul;
	}
	if (uidlist_add_names(ul, names, n, uids_r, error_r) < 0) {
		if (mb != NULL)
			mb->priv->must_list = true; /* the listing retries */
		return -1;
	}
	*uidvalidity_r = ul->uidvalidity;
	/* the first UID we added, for a folder never claimed \Recent */
	{
		uint32_t first = 0;
		size_t i;

		for (i = 0; i < n; i++) {
			if (uids_r[i] != 0 && (first == 0 || uids_r[i] < first))
				first = uids_r[i];
		}
		if (first != 0)
			imb_recent_init(ul, dir, ul->uidvalidity, first - 1);
	}
	return 0;
}

/* The keyword bits for names[0..n) in dir (created as needed). 0 / -1
 * (IMW_KEYWORDS_FULL: no room for one of them). */
static int
imw_keywords(const char *dir, const char *const *names, size_t n,
	     uint32_t *bits_r, const char **error_r)
{
	struct uidlist ul;
	size_t *lens = NULL, i;
	int *idx = NULL, r = -1;

	*bits_r = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!imap_mbox_keyword_valid(names[i], strlen(names[i]))) {
			errno = EINVAL;
			*error_r = "invalid keyword";
			return -1;
		}
	}
	lens = calloc(n, sizeof(*lens));
	idx = calloc(n, sizeof(*idx));
	if (lens == NULL || idx == NULL) {
		free(lens);
		free(idx);
		errno = ENOMEM;
		*error_r = "out of memory";
		return -1;
	}
	for (i = 0; i < n; i++)
		lens[i] = strlen(names[i]);
	if (uidlist_init(&ul, dir, error_r) < 0)
		goto out;
	r = imk_ensure(dir, &ul, names, lens, n, idx, NULL, NULL, error_r);
	uidlist_free(&ul);
	for (i = 0; r == 0 && i < n; i++) {
		if (idx[i] < 0) {
			errno = IMW_KEYWORDS_FULL;
			*error_r = "too many keywords in this folder";
			r = -1;
		} else {
			*bits_r |= 1u << idx[i];
		}
	}
out:
	free(lens);
	free(idx);
	return r;
}

int
imap_mbox_append(const char *dir, const void *data, size_t len,
		 uint32_t flags, const char *const *keywords, size_t nkw,
		 time_t date, uint32_t *uidvalidity_r, uint32_t *uid_r,
		 const char **error_r)
{
	struct maildir_delivery d;
	char letters[40];
	const char *s = data, *e = s + len, *p, *name;
	struct imap_mbox *mb;
	struct imb_own o;
	uint32_t kwbits;
	int r;

	*uidvalidity_r = 0;
	*uid_r = 0;
	if (imw_check_folder(dir, error_r) < 0 ||
	    imw_keywords(dir, keywords, nkw, &kwbits, error_r) < 0)
		return -1;
	imap_mbox_flag_letters(flags & IMAP_MBOX_STORED_FLAGS, kwbits,
			       letters);
	if (maildir_open(&d, dir, error_r) < 0)
		return -1;
	/* CRLF -> LF: write the runs between the CRs of CRLFs */
	for (p = s; p < e;) {
		const char *cr = memchr(p, '\r', (size_t)(e - p));

		if (cr == NULL || cr + 1 >= e) {
			maildir_write(&d, p, (size_t)(e - p));
			break;
		}
		if (cr[1] == '\n') {
			maildir_write(&d, p, (size_t)(cr - p));
			p = cr + 1; /* the LF starts the next run */
		} else {
			maildir_write(&d, p, (size_t)(cr + 1 - p));
			p = cr + 1;
		}
	}
	/* into a folder open here: our own change (imap_mbox.c) */
	mb = imb_find_open(dir);
	if (mb != NULL)
		imb_own_begin(mb, &o);
	r = maildir_commit(&d, letters, date > 0 ? date : 0, error_r);
	if (mb != NULL && r == 0)
		imb_own_count(mb, 1); /* renamed in from tmp/ */
	name = strrchr(d.final_path, '/');
	name = name != NULL ? name + 1 : d.final_path;
	if (mb != NULL)
		imb_own_end(mb, &o, false, true,
			    r == 0 && imb_own_added(mb, name) == 0);
	if (r < 0)
		return -1;
	return imw_assign_uids(mb, dir, &name, 1, uid_r, uidvalidity_r,
			       error_r);
}

/* Copies the bytes of fd into a new file tmp (mtime of the source kept).
 * 0 / -1. */
static int
imw_copy_bytes(int src, const char *tmp, const char **error_r)
{
	char *b = malloc(IMW_COPY_BUF_BYTES);
	struct stat st;
	int fd, saved;

	if (b == NULL) {
		errno = ENOMEM;
		*error_r = "out of memory";
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		free(b);
		*error_r = "cannot create a file in tmp/";
		return -1;
	}
	for (;;) {
		ssize_t r = read(src, b, IMW_COPY_BUF_BYTES);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		if (imb_write_all(fd, b, (size_t)r) < 0)
			goto fail;
	}
	if (fstat(src, &st) < 0 || fsync(fd) < 0)
		goto fail;
	{
		struct timespec ts[2] = { st.st_atim, st.st_mtim };

		if (futimens(fd, ts) < 0)
			goto fail;
	}
	free(b);
	if (close(fd) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		*error_r = "cannot write the copy";
		return -1;
	}
	return 0;
fail:
	saved = errno;
	free(b);
	close(fd);
	unlink(tmp);
	errno = saved;
	*error_r = "cannot write the copy";
	return -1;
}

/* The destination name of a copy of src_name: uniq + src's ",..." fields
 * + ":2," + letters. 0 / -1. */
static int
imw_copy_name(const char *src_name, const char *uniq, const char *letters,
	      char *out, size_t outlen)
{
	size_t base = uidlist_base_len(src_name);
	const char *info = strchr(src_name, ':');
	size_t fields = (info != NULL ? (size_t)(info - src_name)
				      : strlen(src_name));
	int n;

	fields = fields > base ? fields - base : 0;
	n = snprintf(out, outlen, "%s%.*s:2,%s", uniq, (int)fields,
		     src_name + base, letters);
	if (n < 0 || (size_t)n >= outlen || n > MAILDIR_NAME_MAX_BYTES) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Copies message i into dest (tmp/uniq, then cur/name). 0, 1 the
 * source vanished, -1 error. */
static int
imw_copy_one(struct imap_mbox *mb, size_t i, const char *dest,
	     uint32_t kwbits, char *name, size_t namelen, const char **error_r)
{
	char uniq[MAILDIR_NAME_MAX_BYTES + 1], letters[40], src[PATH_MAX];
	char tmp[PATH_MAX], to[PATH_MAX];
	const struct imap_mbox_msg *m;
	int fd, saved;

	fd = imap_mbox_msg_open(mb, i, error_r); /* finds it if renamed */
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	m = &mb->msgs[i];
	imap_mbox_flag_letters(m->flags & IMAP_MBOX_STORED_FLAGS, kwbits,
			       letters);
	if (imb_unique(uniq, sizeof(uniq)) < 0 ||
	    imw_copy_name(m->name, uniq, letters, name, namelen) < 0 ||
	    imb_path(src, sizeof(src), mb->dir, m->in_cur ? "cur" : "new",
		     m->name) < 0 ||
	    imb_path(tmp, sizeof(tmp), dest, "tmp", uniq) < 0 ||
	    imb_path(to, sizeof(to), dest, "cur", name) < 0) {
		close(fd);
		errno = ENAMETOOLONG;
		*error_r = "message name too long";
		return -1;
	}
	if (link(src, tmp) < 0) {
		/* another file system, no links allowed, too many links, or
		 * renamed since we opened it: copy the bytes of what we
		 * have open */
		if (errno != EXDEV && errno != EPERM && errno != EMLINK &&
		    errno != ENOENT) {
			saved = errno;
			close(fd);
			errno = saved;
			*error_r = "cannot link the message into tmp/";
			return -1;
		}
		if (imw_copy_bytes(fd, tmp, error_r) < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
	}
	close(fd);
	if (rename(tmp, to) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		*error_r = "cannot rename the copy into cur/";
		return -1;
	}
	return 0;
}

int
imap_mbox_copy(struct imap_mbox *mb, const size_t *idx, size_t n,
	       const char *dest_dir, uint32_t *uidvalidity_r,
	       uint32_t *dest_uids_r, const char **error_r)
{
	const char *kwnames[IMAP_MBOX_KEYWORDS_MAX];
	uint32_t used = 0, kwmap[IMAP_MBOX_KEYWORDS_MAX] = { 0 }, got;
	char **names = NULL;
	const char **list = NULL;
	size_t i, nk = 0, nn = 0, *which = NULL;
	uint32_t *uids = NULL;
	struct imap_mbox *dmb = NULL;
	struct imb_own o;
	bool tracked = true, dmb_done = false;
	unsigned k;
	int r = -1;

	*uidvalidity_r = 0;
	for (i = 0; i < n; i++)
		dest_uids_r[i] = 0;
	if (imw_check_folder(dest_dir, error_r) < 0)
		return -1;
	/* keywords used by the messages, by name */
	for (i = 0; i < n; i++) {
		if (idx[i] < mb->n)
			used |= mb->msgs[idx[i]].keywords;
	}
	for (k = 0; k < mb->keyword_count; k++) {
		if (used & (1u << k))
			kwnames[nk++] = mb->keywords[k];
	}
	if (nk > 0) {
		size_t j = 0;

		for (k = 0; k < mb->keyword_count; k++) {
			if (!(used & (1u << k)))
				continue;
			if (imw_keywords(dest_dir, &kwnames[j], 1, &got,
					 error_r) == 0)
				kwmap[k] = got;
			else if (errno != IMW_KEYWORDS_FULL)
				return -1;
			j++; /* no room: that keyword is not copied */
		}
	}
	names = calloc(n + 1, sizeof(*names));
	list = calloc(n + 1, sizeof(*list));
	which = calloc(n + 1, sizeof(*which));
	uids = calloc(n + 1, sizeof(*uids));
	if (names == NULL || list == NULL || which == NULL || uids == NULL) {
		errno = ENOMEM;
		*error_r = "out of memory";
		goto out;
	}
	/* into a folder open here (maybe mb itself): our own change */
	dmb = imb_find_open(dest_dir);
	if (dmb != NULL)
		imb_own_begin(dmb, &o);
	for (i = 0; i < n; i++) {
		char name[MAILDIR_NAME_MAX_BYTES + 1];
		uint32_t bits = 0;
		int c;

		if (idx[i] >= mb->n)
			continue;
		for (k = 0; k < mb->keyword_count; k++) {
			if (mb->msgs[idx[i]].keywords & (1u << k))
				bits |= kwmap[k];
		}
		c = imw_copy_one(mb, idx[i], dest_dir, bits, name,
				 sizeof(name), error_r);
		if (c < 0) {
			tracked = false; /* unlinked below */
			goto out;
		}
		if (c == 1)
			continue; /* vanished: UID 0 */
		if (dmb != NULL)
			imb_own_count(dmb, 1); /* renamed in from tmp/ */
		if ((names[nn] = strdup(name)) == NULL) {
			errno = ENOMEM;
			*error_r = "out of memory";
			goto out;
		}
		list[nn] = names[nn];
		which[nn++] = i;
		if (dmb != NULL && tracked && imb_own_added(dmb, name) < 0)
			tracked = false;
	}
	if (dmb != NULL)
		imb_own_end(dmb, &o, false, nn > 0, tracked);
	dmb_done = true;
	if (nn > 0 && imb_fsync_dir(dest_dir, "cur") < 0) {
		*error_r = "cannot fsync the destination folder";
		goto out;
	}
	if (imw_assign_uids(dmb, dest_dir, list, nn, uids, uidvalidity_r,
			    error_r) < 0)
		goto out;
	for (i = 0; i < nn; i++)
		dest_uids_r[which[i]] = uids[i];
	r = 0;
out:
	if (dmb != NULL && !dmb_done)
		imb_own_end(dmb, &o, false, true, false);
	if (r < 0 && dmb != NULL)
		dmb->priv->must_list = true; /* some were removed again */
	if (r < 0) {
		/* the copies made so far would be unreported: remove them */
		int saved = errno;
		char path[PATH_MAX];

		for (i = 0; i < nn; i++) {
			if (imb_path(path, sizeof(path), dest_dir, "cur",
				     names[i]) == 0)
				unlink(path);
		}
		errno = saved;
	}
	for (i = 0; names != NULL && i < nn; i++)
		free(names[i]);
	free(names);
	free(list);
	free(which);
	free(uids);
	return r;
}

int
imap_mbox_status(const char *dir, struct imap_mbox_status *st,
		 const char **error_r)
{
	struct maildir_list l;
	struct uidlist ul;
	struct imap_mbox_cache c;
	const char **names = NULL;
	uint32_t *uids = NULL, mark;
	bool computed = false;
	size_t i;
	int r = -1, have_mark;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	if (uidlist_init(&ul, dir, error_r) < 0)
		return -1;
	/* read before the listing: a compaction keeps what came after */
	{
		const char *err;

		ul.keep_from = uidlist_read(&ul, &err) == 0 && ul.exists
				       ? ul.uidnext
				       : 1;
	}
	if (maildir_list_read(&l, dir, error_r) < 0) {
		if (errno == ENOTDIR)
			errno = ENOENT;
		if (errno == ENOENT)
			*error_r = "no such folder";
		uidlist_free(&ul);
		return -1;
	}
	names = malloc((l.n + 1) * sizeof(*names));
	uids = calloc(l.n + 1, sizeof(*uids));
	if (names == NULL || uids == NULL) {
		errno = ENOMEM;
		*error_r = "out of memory";
		goto out;
	}
	for (i = 0; i < l.n; i++)
		names[i] = l.msgs[i].name;
	if (uidlist_sync(&ul, names, l.n, uids, error_r) < 0)
		goto out;
	/* \Recent: the UIDs no session has claimed yet (never claimed:
	 * what is in new/) */
	have_mark = imb_recent_read(dir, ul.uidvalidity, &mark);
	for (i = 0; i < l.n; i++) {
		struct maildir_msg *m = &l.msgs[i];
		const char *val, *err;
		size_t len, j;
		uint64_t v = 0;
		uint32_t b;

		if (uids[i] == 0)
			continue;
		st->messages++;
		if (have_mark > 0 ? uids[i] > mark
				  : have_mark == 0 && !m->in_cur)
			st->recent++;
		if (strchr(m->flags, 'S') == NULL)
			st->unseen++;
		if (m->has_vsize) {
			st->size += m->vsize;
			continue;
		}
		/* the CRLF size, from the cache or read once */
		if (imc_load(&c, dir) < 0)
			goto nomem;
		b = imc_find(&c, m->name, m->base_len);
		if (b != IMC_NONE && imc_get(&c, b, 'W', &val, &len) == 1 &&
		    len > 0 && len < 16) {
			for (j = 0; j < len && val[j] >= '0' && val[j] <= '9';
			     j++)
				v = v * 10 + (uint64_t)(val[j] - '0');
			if (j == len && v <= MAILDIR_LIST_SIZE_MAX) {
				st->size += v;
				continue;
			}
		}
		if (maildir_list_fill_sizes(dir, m, &err) == 0 &&
		    m->has_vsize) {
			char num[32];
			int nb = snprintf(num, sizeof(num), "%llu",
					  (unsigned long long)m->vsize);

			st->size += m->vsize;
			if (imc_put(&c, m->name, m->base_len, 'W', num,
				    (size_t)nb, NULL) < 0)
				goto nomem;
			computed = true;
		}
	}
	st->uidnext = ul.uidnext;
	st->uidvalidity = ul.uidvalidity;
	if (computed) {
		const char *err;

		(void)imc_flush(&c, dir, names, l.n, &err);
	}
	r = 0;
	goto out;
nomem:
	errno = ENOMEM;
	*error_r = "out of memory";
out:
	imc_free(&c);
	free(names);
	free(uids);
	uidlist_free(&ul);
	maildir_list_free(&l);
	return r;
}
