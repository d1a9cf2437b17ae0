/*
 * imap_mbox.c -- one Maildir++ folder for quail-imapd (imap_mbox.h):
 * open and sync, and the helpers the other parts share. Per-message
 * operations (read, store, expunge, keywords, the cache API) are
 * imap_mbox_msg.c, the cache file imap_mbox_cache.c, the keyword file
 * imap_mbox_keywords.c, APPEND/COPY/STATUS imap_mbox_write.c.
 *
 * Speed: the listing (lib/maildir_list.h) reads only new/ and cur/;
 * sizes and flags come from the names (a name without W= is read once and
 * its size kept in the cache as field 'W'). A sync first stats new/,
 * cur/ and the uid list and lists nothing when their mtimes (with
 * nanoseconds) did not change, unless the last listing came within
 * IMB_UNSTABLE_NSEC of a change (a change in the same clock tick would
 * not move the mtime). store renames one file, expunge unlinks; both
 * update msgs[] in place, so the next sync finds nothing to report for
 * them. The folder closed last is kept (imb_parked): opening it again in
 * the same mode is one sync.
 *
 * Deliveries: when only new/ changed since the last sync (cur/ has
 * exactly the identity and mtime the last sync left, that mtime was
 * older than the unstable window then, and the uid list only grew), the
 * sync lists new/ alone and takes the messages in cur/ from msgs[]
 * (imb_list_new): a delivery into a folder of 100,000 messages reads
 * new/, not cur/. The uid list verification below applies to the
 * result; anything it cannot settle lists the whole folder.
 *
 * Index snapshot: a read-write session writes "quail-index"
 * (imap_mbox_index_build; tmp + rename, no fsync: a hint) when it closes
 * the folder, and after the listing of its open, if msgs[] is certain
 * then -- listed, not within the unstable window, no own change awaiting
 * confirmation (own_since), every message in cur/, new/, cur/ and the uid
 * list stat exactly as when they were read -- and the state differs from
 * the file's (imb_index_save). A close after a listing within the
 * unstable window lists once more to settle it (imb_index_confirm). An open first reads that file: when new/,
 * cur/ and the uid list (identity, size, mtime with nanoseconds) stat
 * exactly as it records and it was written at least the unstable window
 * after the directories' last change, msgs[] is taken from it (one read,
 * the names stay in the read buffer) and nothing is listed; the uid list
 * is read later, when a sync finds something changed or before an own
 * change that adds to it (imb_ul_ready; a STORE's renames do not read
 * it: imb_own_begin_renames). Anything else (missing, damaged, another
 * version, any stat differing) lists as before (imb_index_load).
 *
 * A message renamed by another process (flags) is found again by one
 * re-listing (imb_relocate) when its file is missing.
 *
 * A listing never misses a message for good: readdir may miss a file
 * renamed while it runs, so each listing is checked against the uid list
 * and repeated (the union kept) while the list names a message the
 * listing lacks that is not known to be expunged (imb_list, priv->gone).
 * A name the list gave out only after the listing began may be a file
 * that came after readdir passed: the sync takes no new message above its
 * UID (priv->hold_above), the next one lists again and reports them.
 * \Recent is claimed through the folder's quail-recent mark
 * (imb_recent_new).
 *
 * Own changes (a sync after only our own STORE, EXPUNGE, APPEND or COPY
 * into the folder lists nothing): each such change stats new/ and cur/
 * right before it (imb_own_begin) and right after it (imb_own_end). The
 * rule: if a directory we change had, just before the change, exactly
 * the mtime (and identity) the last sync left in priv->dirs, its mtime
 * seen just after the change is adopted into priv->dirs ("it moved only
 * because of us"), and the change itself is already in msgs[] (store and
 * expunge edit msgs[] in place; a message we APPEND or COPY into the
 * folder is remembered in priv->own_new and added at the next sync when
 * the uid list's new lines, read alone, name it). Anything else makes the
 * sync list as before: a directory that was not as the last sync left
 * it, a directory we did not change that moved, uid list lines naming
 * messages we did not add, a uid list replaced (compacted, rebuilt) or
 * a change we could not track (priv->must_list).
 * The race: another process changing the same directory between our two
 * stats would be hidden by the adoption (its mtime is taken for ours).
 * The watch closes it: an inotify instance on new/ and cur/ (made at the
 * folder's first own change, kept while it is open) is emptied when a
 * window opens, each of our changes counts the entry events it makes
 * (imb_own_count), and the adoption happens only when the window queued
 * exactly that many (imb_watch_check, after a directory read that waits
 * for a rename in progress to queue its event). Anything else -- one
 * event more, an overflow -- leaves the dirs as they were: the sync
 * lists. The watch also closes the same race after a window: an adopted
 * mtime hides a change made later in the same clock tick, so every sync
 * (and the index snapshot's writer) first reads what the watch queued
 * since (imb_watch_poll, priv->wpend): an entry of cur/ changed, or the
 * watch broke, lists the folder; one of new/ lists new/. Where inotify
 * is not available (the per-user instance limit, a network file system
 * where it sees only this host's changes, imap_mbox_set_watch(false)),
 * the adoption is by stat alone, and a safety net covers the race: while
 * an adopted state has not been confirmed by a listing, a sync lists at
 * least every IMB_OWN_RELIST_NSEC, so such a change is reported late,
 * never lost. An adoption also ends the "unstable" re-listing of a
 * listing made within IMB_UNSTABLE_NSEC of a change (else each sync in a
 * burst of own changes would list again); the same net covers that
 * case, watched or not.
 * Batches (imap_mbox_batch_begin/end, one STORE command): the stats
 * before the batch's first change and after its last bound all of its
 * changes, so they are made once per batch, not per message; the window
 * above is then the whole batch of renames. A change inside the batch
 * that is not ours to adopt (a message someone else renamed,
 * imb_own_lost) makes the batch adopt nothing: the sync lists.
 *
 * SECURITY: the folder belongs to the user, but its content may be
 * hostile or damaged: names that are not Maildir names get no UID and
 * are skipped (uidlist_valid_base), messages are opened with O_NOFOLLOW,
 * the files we create with O_EXCL | O_NOFOLLOW, and no name from the
 * folder is used for anything but a path inside it (names never contain
 * '/': they come from readdir).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dirsync.h"
#include "maildir.h"
#include "imap_mbox_int.h"

/* A listing made less than this after a directory change is not trusted
 * to be the last word (a change in the same clock tick of the file
 * system leaves the mtime as it was): the next sync lists again. Longer
 * when the file system keeps whole seconds only. */
#define IMB_UNSTABLE_NSEC 1000000000LL
#define IMB_UNSTABLE_COARSE_NSEC 2000000000LL
/* Times a listing is repeated when the directories changed while it
 * ran (a rename during readdir can hide a file). */
#define IMB_LIST_TRIES 3
/* Listings made while the uid list names a message the listing lacks
 * and that is not known to be expunged (see imb_list). */
#define IMB_VERIFY_TRIES 3
/* While mtimes adopted after our own changes have not been confirmed
 * by a listing, a sync lists at least this often (see "own changes"). */
#define IMB_OWN_RELIST_NSEC (5 * 1000000000LL)
/* Largest "quail-recent" file read (two numbers). */
#define IMB_RECENT_FILE_MAX_BYTES 64
/* Entries of tmp/ looked at by the cleanup at open. */
#define IMB_TMP_SCAN_MAX 10000
/* Our unique names use Q counters from here, so that they never meet
 * lib/maildir.c's (which count from 1) in the same microsecond. */
#define IMB_COUNTER_BASE 1000000000UL

static unsigned long imb_counter = IMB_COUNTER_BASE;

/* The folder closed last, kept so that selecting it again (a client
 * going back to INBOX) costs one sync instead of a listing. One only:
 * its memory is that of an open folder. */
static struct imap_mbox *imb_parked;
/* The folders open in this process (priv->next_open), for APPEND and
 * COPY into one of them (its own changes). */
static struct imap_mbox *imb_open_list;

static void imb_watch_poll(struct imap_mbox *mb);

/* --- shared helpers --- */

int
imb_path(char *out, size_t outlen, const char *dir, const char *sub,
	 const char *name)
{
	int n = sub != NULL ? snprintf(out, outlen, "%s/%s/%s", dir, sub, name)
			    : snprintf(out, outlen, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
imb_fsync_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	if (imb_path(path, sizeof(path), dir, NULL, sub) < 0)
		return -1;
	return dir_fsync(path);
}

int
imb_unique(char *out, size_t outlen)
{
	char host[256];
	struct timeval tv;

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	gettimeofday(&tv, NULL);
	return maildir_unique_name(out, outlen, tv.tv_sec, (long)tv.tv_usec,
				   getpid(), ++imb_counter, host);
}

int
imb_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Maps the regular file path (at most max bytes, not empty) read-only,
 * its pages populated at once. 0 / -1 (missing, empty, too big, not a
 * regular file). The index snapshot is read this way: no copy of its
 * megabytes, and its names are used where they lie. A mapped file that
 * another process truncates would fault; quail replaces the snapshot by
 * rename only, and the folder is writable by its owner alone. */
static int
imb_map_file(const char *path, size_t max, char **data_r, size_t *len_r)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	*data_r = NULL;
	*len_r = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ,
		   MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	*data_r = map;
	*len_r = (size_t)st.st_size;
	return 0;
}

/* malloc() for the message array of a large folder: from 2 MB on it is
 * aligned to and advised for huge pages, so that filling it at SELECT
 * takes a few page faults instead of one per 4 KB (100,000 messages:
 * 3.2 MB, 800 faults; SELECT from the index 3.7 -> 2.2 ms). Only the
 * whole 2 MB pieces are advised, so the memory used stays the array's.
 * Where the kernel has no free huge page it may compact memory first
 * (Debian's default "defrag = madvise"), or fall back to small pages.
 * Freed and resized with free() and realloc(). */
static void *
imb_big_alloc(size_t len)
{
	const size_t huge = 2 * 1024 * 1024;
	void *p;

	if (len < huge)
		return malloc(len);
	if (posix_memalign(&p, huge, len) != 0)
		return NULL;
	(void)madvise(p, len & ~(huge - 1), MADV_HUGEPAGE);
	return p;
}

/* Frees the names of the last listing (mapped from the index snapshot, or
 * allocated by maildir_list). */
static void
imb_list_release(struct imap_mbox_priv *p)
{
	if (p->names_mapped > 0) {
		munmap(p->list.names, p->names_mapped);
		p->list.names = NULL;
		p->names_mapped = 0;
	}
	maildir_list_free(&p->list);
}

int
imb_read_file(const char *path, size_t max, char **data_r, size_t *len_r,
	      struct stat *st_r)
{
	struct stat st;
	char *data;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), saved;

	*data_r = NULL;
	*len_r = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			free(data);
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break; /* shrank meanwhile: what we have */
		got += (size_t)r;
	}
	data[got] = '\0';
	close(fd);
	*data_r = data;
	*len_r = got;
	if (st_r != NULL)
		*st_r = st;
	return 1;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* --- open, sync --- */

static bool
imb_ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static long long
imb_ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* stat of new/ and cur/ (mtimes and identities). 0 / -1 (ENOENT: the
 * folder is gone). */
static int
imb_stat_dirs(const char *dir, struct imb_dirs *d, const char **error_r)
{
	char path[PATH_MAX];
	struct stat st;

	if (imb_path(path, sizeof(path), dir, NULL, "new") < 0 ||
	    stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		goto fail;
	d->new_mtime = st.st_mtim;
	d->new_ino = st.st_ino;
	d->dev = st.st_dev;
	if (imb_path(path, sizeof(path), dir, NULL, "cur") < 0 ||
	    stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		goto fail;
	d->cur_mtime = st.st_mtim;
	d->cur_ino = st.st_ino;
	return 0;
fail:
	if (errno == 0 || errno == ENOTDIR)
		errno = ENOENT;
	*error_r = "no such folder (cur/ or new/ missing)";
	return -1;
}

static bool
imb_dirs_eq(const struct imb_dirs *a, const struct imb_dirs *b)
{
	return a->dev == b->dev && a->new_ino == b->new_ino &&
	       a->cur_ino == b->cur_ino &&
	       imb_ts_eq(&a->new_mtime, &b->new_mtime) &&
	       imb_ts_eq(&a->cur_mtime, &b->cur_mtime);
}

static int
imb_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool
imb_u32_in(const uint32_t *a, size_t n, uint32_t v)
{
	return n > 0 && bsearch(&v, a, n, sizeof(*a), imb_u32_cmp) != NULL;
}

void
imb_gone_add(struct imap_mbox *mb, uint32_t uid)
{
	struct imap_mbox_priv *p = mb->priv;
	size_t at = 0;

	if (imb_u32_in(p->gone, p->n_gone, uid))
		return;
	if (p->n_gone == p->cap_gone) {
		size_t ncap = p->cap_gone == 0 ? 16 : p->cap_gone * 2;
		uint32_t *ng = realloc(p->gone, ncap * sizeof(*ng));

		if (ng == NULL)
			return; /* costs one more listing, nothing else */
		p->gone = ng;
		p->cap_gone = ncap;
	}
	while (at < p->n_gone && p->gone[at] < uid)
		at++;
	memmove(p->gone + at + 1, p->gone + at,
		(p->n_gone - at) * sizeof(*p->gone));
	p->gone[at] = uid;
	p->n_gone++;
}

static int imb_push(void **arr, size_t *n, size_t *cap, size_t size,
		    const void *e);

void
imb_report_flags(struct imap_mbox *mb, uint32_t uid)
{
	struct imap_mbox_priv *p = mb->priv;

	(void)imb_push((void **)&p->report, &p->n_report, &p->cap_report,
		       sizeof(uid), &uid); /* ENOMEM: not reported */
}

/* Adds the UIDs of imb_report_flags to ch->flags_changed (old messages
 * still there, each once). */
static void
imb_report_pending(struct imap_mbox *mb, struct imap_mbox_changes *ch)
{
	struct imap_mbox_priv *p = mb->priv;
	size_t r, j, cap = ch->n_flags_changed, old = mb->n - ch->n_new;

	for (r = 0; r < p->n_report; r++) {
		ssize_t at = imap_mbox_find_uid(mb, p->report[r]);
		size_t idx;

		if (at < 0 || (size_t)at >= old)
			continue;
		idx = (size_t)at;
		for (j = 0; j < ch->n_flags_changed; j++) {
			if (ch->flags_changed[j] == idx)
				break;
		}
		if (j == ch->n_flags_changed &&
		    imb_push((void **)&ch->flags_changed, &ch->n_flags_changed,
			     &cap, sizeof(idx), &idx) < 0)
			break;
	}
	p->n_report = 0;
}

/* The UIDs the uid list names (below its uidnext) that the listing's
 * uids[0..n) lack, ascending, into *miss_r (malloc'd). 0 / -1. */
static int
imb_missing(const struct uidlist *ul, const uint32_t *uids, size_t n,
	    uint32_t **miss_r, size_t *n_miss_r)
{
	uint32_t *have = malloc((n + 1) * sizeof(*have)), *miss;
	size_t i, j, nh = 0, nm = 0;

	*miss_r = NULL;
	*n_miss_r = 0;
	miss = malloc((ul->n + 1) * sizeof(*miss));
	if (have == NULL || miss == NULL) {
		free(have);
		free(miss);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (uids[i] != 0)
			have[nh++] = uids[i];
	}
	for (i = 1; i < nh && have[i - 1] <= have[i]; i++)
		;
	if (i < nh)
		qsort(have, nh, sizeof(*have), imb_u32_cmp);
	/* both ascending: one walk */
	for (i = 0, j = 0; i < ul->n; i++) {
		uint32_t uid = ul->entries[i].uid;

		while (j < nh && have[j] < uid)
			j++;
		if (j == nh || have[j] != uid)
			miss[nm++] = uid;
	}
	free(have);
	*miss_r = miss;
	*n_miss_r = nm;
	return 0;
}

/* The lowest of the UIDs miss[0..n) (ascending) that are at least before,
 * the uid list's uidnext as read before the listing began; 0 if none. A
 * UID below before was given to a file that existed before the listing
 * (files come first, their UIDs after), so a listing without it shows it
 * expunged; one from before on may be a file that came after readdir
 * passed (see imb_list). */
static uint32_t
imb_late_miss(const uint32_t *miss, size_t n, uint32_t before)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (miss[i] >= before)
			return miss[i];
	}
	return 0;
}

/* Lists the folder once (again while it changes under us) and gives every
 * message a UID. *uids_r is malloc'd (l->n entries). *d_r: the dirs
 * before the listing. 0 / -1. */
static int
imb_list_once(struct imap_mbox *mb, struct maildir_list *l, uint32_t **uids_r,
	      struct imb_dirs *d_r, const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imb_dirs d, d2;
	struct timespec now;
	long long window;
	const char **names;
	uint32_t *uids;
	size_t i;
	int tries;

	for (tries = 0;; tries++) {
		if (imb_stat_dirs(mb->dir, &d, error_r) < 0)
			return -1;
		if (maildir_list_read(l, mb->dir, error_r) < 0) {
			if (errno == ENOENT)
				*error_r = "no such folder";
			return -1;
		}
		if (imb_stat_dirs(mb->dir, &d2, error_r) < 0) {
			maildir_list_free(l);
			return -1;
		}
		if (imb_dirs_eq(&d, &d2) || tries + 1 >= IMB_LIST_TRIES)
			break;
		maildir_list_free(l);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	p->dirs = d;
	*d_r = d;
	window = d.new_mtime.tv_nsec == 0 && d.cur_mtime.tv_nsec == 0
			 ? IMB_UNSTABLE_COARSE_NSEC
			 : IMB_UNSTABLE_NSEC;
	p->cur_unstable = imb_ts_ns(&now) - imb_ts_ns(&d.cur_mtime) < window;
	p->unstable = imb_ts_ns(&now) - imb_ts_ns(&d.new_mtime) < window ||
		      p->cur_unstable;
	names = malloc((l->n + 1) * sizeof(*names));
	uids = calloc(l->n + 1, sizeof(*uids));
	if (names == NULL || uids == NULL) {
		free(names);
		free(uids);
		maildir_list_free(l);
		errno = ENOMEM;
		*error_r = "out of memory";
		return -1;
	}
	for (i = 0; i < l->n; i++)
		names[i] = l->msgs[i].name;
	if (uidlist_sync(&p->ul, names, l->n, uids, error_r) < 0) {
		free(names);
		free(uids);
		maildir_list_free(l);
		return -1;
	}
	free(names);
	*uids_r = uids;
	return 0;
}

/* Adds to listing l (uids *uids) the messages of listing a (uids au)
 * whose UIDs l lacks: l is rebuilt with its own copy of all names. 0 /
 * -1 (ENOMEM; l unchanged). */
static int
imb_list_merge(struct maildir_list *l, uint32_t **uids,
	       const struct maildir_list *a, const uint32_t *au)
{
	uint32_t *have, *nu;
	struct maildir_msg *nm;
	char *names;
	size_t i, nh = 0, add = 0, total = 0, k = 0, off = 0;

	if (a->n == 0)
		return 0;
	have = malloc((l->n + 1) * sizeof(*have));
	if (have == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		if ((*uids)[i] != 0)
			have[nh++] = (*uids)[i];
	}
	qsort(have, nh, sizeof(*have), imb_u32_cmp);
	for (i = 0; i < a->n; i++) {
		if (au[i] != 0 && !imb_u32_in(have, nh, au[i])) {
			add++;
			total += strlen(a->msgs[i].name) + 1;
		}
	}
	if (add == 0) {
		free(have);
		return 0;
	}
	for (i = 0; i < l->n; i++)
		total += strlen(l->msgs[i].name) + 1;
	nm = calloc(l->n + add + 1, sizeof(*nm));
	nu = calloc(l->n + add + 1, sizeof(*nu));
	names = malloc(total + 1);
	if (nm == NULL || nu == NULL || names == NULL) {
		free(have);
		free(nm);
		free(nu);
		free(names);
		return -1;
	}
	for (i = 0; i < l->n + a->n; i++) {
		const struct maildir_msg *src =
			i < l->n ? &l->msgs[i] : &a->msgs[i - l->n];
		uint32_t uid = i < l->n ? (*uids)[i] : au[i - l->n];
		size_t len = strlen(src->name) + 1;

		if (i >= l->n && (uid == 0 || imb_u32_in(have, nh, uid)))
			continue;
		memcpy(names + off, src->name, len);
		maildir_list_parse_name(names + off, &nm[k]);
		nm[k].in_cur = src->in_cur;
		if (src->has_size && !nm[k].has_size) {
			nm[k].has_size = true;
			nm[k].size = src->size;
		}
		if (src->has_vsize && !nm[k].has_vsize) {
			nm[k].has_vsize = true;
			nm[k].vsize = src->vsize;
		}
		nu[k++] = uid;
		off += len;
	}
	free(have);
	maildir_list_free(l);
	free(*uids);
	l->msgs = nm;
	l->n = k;
	l->names = names;
	*uids = nu;
	return 0;
}

/* Lists the folder and gives every message a UID. *uids_r is malloc'd
 * (l->n entries). 0 / -1.
 *
 * A listing must not miss a message: a UID below one this session has
 * reported can never be reported later (RFC 3501 2.3.1.1: new messages
 * get higher UIDs), so a message the listing missed while a higher one
 * was new would stay hidden from the session for good, and one it missed
 * that the session knows would be reported expunged. readdir(3) may miss
 * a file renamed while it runs (another session's STORE or new/ -> cur/
 * move), also when the directory mtime does not show the change (a
 * change in the same clock tick as the one before). So the listing is
 * checked against the uid list, which names every message that had a
 * file when it got its UID: a name there that the listing lacks is
 * either expunged or missed. It is taken as expunged (kept in
 * priv->gone, not checked again) when the listing is certain -- new/ and
 * cur/ were not changed from before the listing until after the uid list
 * was read, and their mtimes were older than the unstable window then --
 * or when IMB_VERIFY_TRIES listings in a row lacked it. Otherwise the
 * folder is listed again, and the result is the union of the listings
 * (by UID, the newest name winning): a message renamed during one
 * listing is seen by another. One expunged between two of them is
 * reported by the next sync.
 *
 * The uid list is read after the listing, so it may name a message whose
 * file came after readdir passed: its APPEND (or another session's
 * listing) gave it a UID meanwhile. If the listing has a message that
 * got a higher UID later (a file without a UID that this listing numbers,
 * or another session's), reporting that one would hide the lower one for
 * good. So when a name the uid list gave out after the last listing began
 * (a UID from the uidnext read before it on) is still missing,
 * priv->hold_above is set to it and imb_apply takes no new message above
 * it: the next sync lists again and reports them in UID order. */
static int
imb_list(struct imap_mbox *mb, struct maildir_list *l, uint32_t **uids_r,
	 const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct maildir_list acc = { NULL, 0, NULL };
	uint32_t *acc_uids = NULL, *acc_sorted = NULL;
	struct imb_dirs d, d3;
	struct timespec t0;
	long long window;
	uint32_t *miss = NULL, before;
	size_t n_miss, n_acc = 0, i, k;
	const char *err;
	bool certain, unresolved;
	int verify;

	p->hold_above = 0;
	/* what the uid list holds before the listing: a compaction by
	 * uidlist_sync() must keep what was added after it began */
	p->ul.keep_from = uidlist_read(&p->ul, &err) == 0 && p->ul.exists
				  ? p->ul.uidnext
				  : 1;
	before = p->ul.keep_from;
	for (verify = 0;; verify++) {
		/* UIDs from here on may be files this listing cannot show */
		if (verify > 0)
			before = uidlist_read(&p->ul, &err) == 0 &&
					 p->ul.exists
					 ? p->ul.uidnext
					 : 1;
		clock_gettime(CLOCK_REALTIME, &t0);
		if (imb_list_once(mb, l, uids_r, &d, error_r) < 0)
			goto fail;
		if (imb_stat_dirs(mb->dir, &d3, error_r) < 0 ||
		    imb_missing(&p->ul, *uids_r, l->n, &miss, &n_miss) < 0)
			goto fail_list;
		window = d.new_mtime.tv_nsec == 0 && d.cur_mtime.tv_nsec == 0
				 ? IMB_UNSTABLE_COARSE_NSEC
				 : IMB_UNSTABLE_NSEC;
		certain = imb_dirs_eq(&d, &d3) &&
			  imb_ts_ns(&t0) - imb_ts_ns(&d.new_mtime) >= window &&
			  imb_ts_ns(&t0) - imb_ts_ns(&d.cur_mtime) >= window;
		unresolved = false;
		for (i = 0, k = 0; i < n_miss; i++) {
			if (imb_u32_in(acc_sorted, n_acc, miss[i]))
				continue; /* an earlier listing has it */
			if (!imb_u32_in(p->gone, p->n_gone, miss[i]))
				unresolved = true;
			miss[k++] = miss[i]; /* none has it */
		}
		n_miss = k;
		if (imb_list_merge(l, uids_r, &acc, acc_uids) < 0)
			goto fail_list;
		maildir_list_free(&acc);
		free(acc_uids);
		free(acc_sorted);
		acc_uids = acc_sorted = NULL;
		if (!unresolved || certain || verify + 1 >= IMB_VERIFY_TRIES) {
			p->hold_above = imb_late_miss(miss, n_miss, before);
			free(p->gone);
			p->gone = miss;
			p->n_gone = p->cap_gone = n_miss;
			return 0;
		}
		free(miss);
		miss = NULL;
		/* the union so far, for the next listing */
		acc = *l;
		memset(l, 0, sizeof(*l));
		acc_uids = *uids_r;
		*uids_r = NULL;
		acc_sorted = malloc((acc.n + 1) * sizeof(*acc_sorted));
		if (acc_sorted == NULL)
			goto fail;
		for (i = 0, n_acc = 0; i < acc.n; i++) {
			if (acc_uids[i] != 0)
				acc_sorted[n_acc++] = acc_uids[i];
		}
		qsort(acc_sorted, n_acc, sizeof(*acc_sorted), imb_u32_cmp);
	}
fail_list:
	if (errno == ENOMEM)
		*error_r = "out of memory";
	free(miss);
	free(*uids_r);
	*uids_r = NULL;
	maildir_list_free(l);
fail:
	if (errno == ENOMEM)
		*error_r = "out of memory";
	maildir_list_free(&acc);
	free(acc_uids);
	free(acc_sorted);
	return -1;
}

/* The listing when only new/ changed (see "Deliveries" above): l gets the
 * messages of msgs[] in cur/ and the names in own_new (cur/ is as the last
 * listing left it, plus our own changes, which msgs[] and own_new hold),
 * then new/ as listed now; *uids_r as imb_list. 1 done, 0 list the whole
 * folder instead (nothing changed in mb; also on errors: the full
 * listing reports them). */
static int
imb_list_new(struct imap_mbox *mb, struct maildir_list *l, uint32_t **uids_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct maildir_list nl = { NULL, 0, NULL };
	struct imb_dirs d, d2;
	struct timespec t0, now;
	const char **names = NULL, *err;
	uint32_t *uids = NULL, *miss = NULL;
	size_t n_cur = 0, n, total = 0, off = 0, i, k, n_miss, n_add = 0;
	size_t *add = NULL;
	long long window;
	bool unresolved = false;
	uint32_t before;

	memset(l, 0, sizeof(*l));
	*uids_r = NULL;
	p->hold_above = 0;
	/* the uid list only grew (entries [0, ul_seen) are in msgs[]) */
	if (uidlist_read(&p->ul, &err) < 0 || !p->ul.exists ||
	    p->ul.generation != p->ul_gen ||
	    p->ul.uidvalidity != mb->uidvalidity || p->ul.n < p->ul_seen)
		return 0;
	before = p->ul.uidnext; /* read before the listing (imb_list) */
	clock_gettime(CLOCK_REALTIME, &t0);
	if (imb_stat_dirs(mb->dir, &d, &err) < 0 || d.dev != p->dirs.dev ||
	    d.new_ino != p->dirs.new_ino || d.cur_ino != p->dirs.cur_ino ||
	    !imb_ts_eq(&d.cur_mtime, &p->dirs.cur_mtime))
		return 0;
	if (maildir_list_read_new(&nl, mb->dir, &err) < 0)
		return 0;
	if (imb_stat_dirs(mb->dir, &d2, &err) < 0 || !imb_dirs_eq(&d, &d2))
		goto fallback; /* changed while listing */
	for (i = 0; i < mb->n; i++) {
		if (mb->msgs[i].in_cur) {
			n_cur++;
			total += strlen(mb->msgs[i].name) + 1;
		}
	}
	for (i = 0; i < p->n_own_new; i++)
		total += strlen(p->own_new[i]) + 1;
	for (i = 0; i < nl.n; i++)
		total += strlen(nl.msgs[i].name) + 1;
	n = n_cur + p->n_own_new + nl.n;
	l->msgs = calloc(n + 1, sizeof(*l->msgs));
	l->names = malloc(total + 1);
	names = malloc((n + 1) * sizeof(*names));
	uids = calloc(n + 1, sizeof(*uids));
	add = malloc((n - n_cur + 1) * sizeof(*add));
	if (l->msgs == NULL || l->names == NULL || names == NULL ||
	    uids == NULL || add == NULL)
		goto fallback;
	for (i = 0, k = 0; i < mb->n + p->n_own_new + nl.n; i++) {
		struct maildir_msg *lm = &l->msgs[k];
		const char *name;
		size_t len;

		if (i < mb->n) {
			if (!mb->msgs[i].in_cur)
				continue;
			name = mb->msgs[i].name;
			uids[k] = mb->msgs[i].uid;
		} else if (i < mb->n + p->n_own_new) {
			name = p->own_new[i - mb->n];
		} else {
			name = nl.msgs[i - mb->n - p->n_own_new].name;
		}
		len = strlen(name) + 1;
		memcpy(l->names + off, name, len);
		maildir_list_parse_name(l->names + off, lm);
		lm->in_cur = k < n_cur + p->n_own_new;
		if (k >= n_cur) {
			/* the UID of a name the uid list has, else added */
			uids[k] = uidlist_lookup(&p->ul, lm->name,
						 lm->base_len);
			if (uids[k] == 0 &&
			    uidlist_valid_base(lm->name, lm->base_len))
				add[n_add++] = k;
		}
		names[k++] = l->names + off;
		off += len;
	}
	l->n = k;
	if (n_add > 0) {
		const char **an = malloc(n_add * sizeof(*an));
		uint32_t *au = calloc(n_add, sizeof(*au));
		uint64_t gen = p->ul.generation;
		int r = an != NULL && au != NULL ? 0 : -1;

		for (i = 0; i < n_add && r == 0; i++)
			an[i] = names[add[i]];
		/* never compacts: the cur/ names not given stay */
		if (r == 0)
			r = uidlist_add_names(&p->ul, an, n_add, au, &err);
		for (i = 0; i < n_add && r == 0; i++)
			uids[add[i]] = au[i];
		free(an);
		free(au);
		if (r < 0 || p->ul.generation != gen ||
		    p->ul.uidvalidity != mb->uidvalidity)
			goto fallback; /* replaced meanwhile: list it all */
	}
	/* a base both in cur/ and in new/ (a hostile copy): cur/ wins, as in
	 * maildir_list_read() */
	for (i = n_cur + p->n_own_new; i < l->n; i++) {
		ssize_t at = uids[i] != 0 ? imap_mbox_find_uid(mb, uids[i])
					  : -1;

		for (k = n_cur; k < n_cur + p->n_own_new && uids[i] != 0; k++) {
			if (uids[k] == uids[i])
				uids[i] = 0;
		}
		if (at >= 0 && mb->msgs[at].in_cur)
			uids[i] = 0;
	}
	/* the listing verification (imb_list): cur/ is certain, new/ must
	 * be too for a uid list name the listing lacks */
	if (imb_missing(&p->ul, uids, l->n, &miss, &n_miss) < 0)
		goto fallback;
	window = d.new_mtime.tv_nsec == 0 && d.cur_mtime.tv_nsec == 0
			 ? IMB_UNSTABLE_COARSE_NSEC
			 : IMB_UNSTABLE_NSEC;
	for (i = 0; i < n_miss; i++) {
		if (!imb_u32_in(p->gone, p->n_gone, miss[i]))
			unresolved = true;
	}
	if (unresolved &&
	    imb_ts_ns(&t0) - imb_ts_ns(&d.new_mtime) < window) {
		free(miss);
		goto fallback;
	}
	p->hold_above = imb_late_miss(miss, n_miss, before);
	free(p->gone);
	p->gone = miss;
	p->n_gone = p->cap_gone = n_miss;
	clock_gettime(CLOCK_REALTIME, &now);
	p->dirs = d;
	p->unstable = imb_ts_ns(&now) - imb_ts_ns(&d.new_mtime) < window;
	free(add);
	free(names);
	maildir_list_free(&nl);
	*uids_r = uids;
	return 1;
fallback:
	free(add);
	free(names);
	free(uids);
	maildir_list_free(&nl);
	maildir_list_free(l);
	return 0;
}

/* The CRLF size of a listed message: W=, the cache, or read once (and
 * cached). */
static uint64_t
imb_vsize(struct imap_mbox *mb, struct maildir_msg *m, uint32_t *crec_r)
{
	struct imap_mbox_cache *c = &mb->priv->cache;
	const char *val, *err;
	char num[32];
	size_t len, j;
	uint32_t b;
	int n;

	*crec_r = IMC_UNRESOLVED;
	if (m->has_vsize)
		return m->vsize;
	if (imc_load(c, mb->dir) == 0) {
		b = imc_find(c, m->name, m->base_len);
		*crec_r = b;
		if (b != IMC_NONE && imc_get(c, b, 'W', &val, &len) == 1 &&
		    len > 0 && len < 16) {
			uint64_t v = 0;

			for (j = 0; j < len && val[j] >= '0' && val[j] <= '9';
			     j++)
				v = v * 10 + (uint64_t)(val[j] - '0');
			if (j == len && v <= MAILDIR_LIST_SIZE_MAX)
				return v;
		}
	}
	if (maildir_list_fill_sizes(mb->dir, m, &err) < 0 || !m->has_vsize)
		return 0; /* gone: the next sync says so */
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)m->vsize);
	if (c->loaded && imc_put(c, m->name, m->base_len, 'W', num, (size_t)n,
				 &b) == 0)
		*crec_r = b;
	return m->vsize;
}

struct imb_new {
	size_t j; /* in the listing */
	uint32_t uid;
};

static int
imb_new_cmp(const void *a, const void *b)
{
	const struct imb_new *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int
imb_push(void **arr, size_t *n, size_t *cap, size_t size, const void *e)
{
	if (*n == *cap) {
		size_t ncap = *cap == 0 ? 16 : *cap * 2;
		void *na = realloc(*arr, ncap * size);

		if (na == NULL)
			return -1;
		*arr = na;
		*cap = ncap;
	}
	memcpy((char *)*arr + *n * size, e, size);
	(*n)++;
	return 0;
}

/* --- \Recent --- */

int
imb_recent_read(const char *dir, uint32_t uidvalidity, uint32_t *mark_r)
{
	char path[PATH_MAX], *data = NULL, *end;
	unsigned long v, mark;
	size_t len;
	int r;

	*mark_r = 0;
	if (imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_RECENT_FILE) < 0)
		return -1;
	r = imb_read_file(path, IMB_RECENT_FILE_MAX_BYTES, &data, &len, NULL);
	if (r <= 0) {
		free(data);
		return r; /* missing: nothing claimed yet */
	}
	errno = 0;
	v = strtoul(data, &end, 10);
	if (errno == 0 && end != data && *end == ' ' && v == uidvalidity) {
		char *p2 = end + 1;

		mark = strtoul(p2, &end, 10);
		if (errno == 0 && end != p2 && *end == '\n' &&
		    mark <= UINT32_MAX)
			*mark_r = (uint32_t)mark;
	}
	free(data); /* damaged or of an old UIDVALIDITY: 0 */
	return 1;
}

/* Writes the mark (tmp + rename; the caller holds the uid list lock, so
 * only it writes the tmp file). No fsync: after a crash some messages
 * are \Recent once more. 0 / -1. */
static int
imb_recent_write(const char *dir, uint32_t uidvalidity, uint32_t mark,
		 const char **error_r)
{
	char path[PATH_MAX], tmp[PATH_MAX], text[48];
	int fd, n, saved;

	n = snprintf(text, sizeof(text), "%u %u\n", (unsigned)uidvalidity,
		     (unsigned)mark);
	if (imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_RECENT_FILE) <
		    0 ||
	    imb_path(tmp, sizeof(tmp), dir, NULL,
		     IMAP_MBOX_RECENT_FILE ".tmp") < 0) {
		*error_r = "folder path too long";
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		*error_r = "cannot create the recent file";
		return -1;
	}
	if (imb_write_all(fd, text, (size_t)n) < 0) {
		saved = errno;
		close(fd);
		(void)unlink(tmp);
		errno = saved;
		*error_r = "cannot write the recent file";
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		(void)unlink(tmp);
		errno = saved;
		*error_r = "cannot write the recent file";
		return -1;
	}
	return 0;
}

void
imb_recent_init(struct uidlist *ul, const char *dir, uint32_t uidvalidity,
		uint32_t mark)
{
	uint32_t old;
	const char *err;

	if (imb_recent_read(dir, uidvalidity, &old) != 0)
		return; /* there (or unreadable): claims decide */
	if (uidlist_lock(ul, &err) < 0)
		return;
	if (imb_recent_read(dir, uidvalidity, &old) == 0)
		(void)imb_recent_write(dir, uidvalidity, mark, &err);
	uidlist_unlock(ul);
}

/* Claims the UIDs up to hi as \Recent for this session: under the uid
 * list lock, reads the mark and raises it to hi. *old_r: the mark before
 * (the UIDs above it, up to hi, are ours). 1 (the file was there), 0 (it
 * was missing: the old rule, see imb_recent_new), -1. */
static int
imb_recent_claim(struct imap_mbox *mb, uint32_t hi, uint32_t *old_r,
		 const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	int had;

	if (uidlist_lock(&p->ul, error_r) < 0)
		return -1;
	had = imb_recent_read(mb->dir, mb->uidvalidity, old_r);
	if (had < 0)
		*error_r = "cannot read the recent file";
	else if ((had == 0 || hi > *old_r) &&
		 imb_recent_write(mb->dir, mb->uidvalidity,
				  hi > *old_r ? hi : *old_r, error_r) < 0)
		had = -1;
	uidlist_unlock(&p->ul);
	return had;
}

/* msgs[first..n) are new to this session; those found in new/ carry a
 * tentative IMAP_MBOX_RECENT (imb_new_msg). Decides \Recent: the UIDs
 * above the folder's mark; a read-write session claims them (raises the
 * mark). A folder without a mark file (never claimed, nothing appended)
 * keeps the old rule: what was in new/. */
static void
imb_recent_new(struct imap_mbox *mb, size_t first)
{
	uint32_t mark = 0, hi;
	const char *err;
	size_t i;
	int have;

	if (first >= mb->n)
		return;
	hi = mb->msgs[mb->n - 1].uid;
	if (mb->readonly) {
		have = imb_recent_read(mb->dir, mb->uidvalidity, &mark);
		if (have < 0)
			have = 0;
	} else {
		have = imb_recent_claim(mb, hi, &mark, &err);
		if (have < 0)
			mark = hi; /* not claimed: not ours */
		have = have != 0;
	}
	for (i = first; i < mb->n; i++) {
		struct imap_mbox_msg *m = &mb->msgs[i];
		bool rec = have ? m->uid > mark : (m->flags & IMAP_MBOX_RECENT);

		m->flags &= ~IMAP_MBOX_RECENT;
		if (rec) {
			m->flags |= IMAP_MBOX_RECENT;
			mb->recent++;
		}
	}
}

/* A new message j of listing l: fills *m (and *mp), moving it from new/
 * to cur/ when read-write. */
static void
imb_new_msg(struct imap_mbox *mb, struct maildir_msg *lm, uint32_t uid,
	    struct imap_mbox_msg *m, struct imap_mbox_mp *mp)
{
	char from[PATH_MAX], to[PATH_MAX], name[MAILDIR_NAME_MAX_BYTES + 1];
	const char *info;
	uint32_t crec;
	int n;

	memset(m, 0, sizeof(*m));
	mp->own = NULL;
	m->uid = uid;
	m->name = lm->name;
	m->in_cur = lm->in_cur;
	imb_name_flags(mb, lm->name, &m->flags, &m->keywords);
	m->vsize = imb_vsize(mb, lm, &crec);
	imb_mp_set_crec(mp, crec);
	if (lm->in_cur)
		return;
	m->flags |= IMAP_MBOX_RECENT; /* tentative: imb_recent_new decides */
	if (mb->readonly)
		return;
	info = strchr(lm->name, ':');
	n = info != NULL ? snprintf(name, sizeof(name), "%s", lm->name)
			 : snprintf(name, sizeof(name), "%s:2,", lm->name);
	if (n < 0 || (size_t)n >= sizeof(name) ||
	    imb_path(from, sizeof(from), mb->dir, "new", lm->name) < 0 ||
	    imb_path(to, sizeof(to), mb->dir, "cur", name) < 0)
		return;
	if (rename(from, to) < 0)
		return; /* another session took it to cur/ first */
	imb_own_count(mb, 2);
	if ((mp->own = strdup(name)) != NULL) {
		m->name = mp->own;
		m->in_cur = true;
	} else {
		m->in_cur = true; /* name is stale: relocated when needed */
	}
}

/* Applies a fresh listing to msgs[]; fills ch when not NULL. 0 / -1. */
static int
imb_apply(struct imap_mbox *mb, struct maildir_list *l, uint32_t *uids,
	  struct imap_mbox_changes *ch, const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imap_mbox_msg *nm = NULL;
	struct imap_mbox_mp *nmp = NULL;
	struct imb_new *nw = NULL;
	size_t *where = NULL, n_nw = 0, cap_nw = 0, cap_ex = 0, cap_fc = 0;
	size_t i, j, k, kept = 0, ncap, hint = 0;

	/* where[i]: listing index of old message i, SIZE_MAX if gone */
	where = malloc((mb->n + 1) * sizeof(*where));
	if (where == NULL)
		goto nomem;
	for (i = 0; i < mb->n; i++)
		where[i] = SIZE_MAX;
	for (j = 0; j < l->n; j++) {
		ssize_t at;
		struct imb_new e;

		if (uids[j] == 0)
			continue; /* not a Maildir name */
		/* listings mostly come in UID order: try the next one first */
		if (hint < mb->n && mb->msgs[hint].uid == uids[j])
			at = (ssize_t)hint;
		else
			at = imap_mbox_find_uid(mb, uids[j]);
		hint = at >= 0 ? (size_t)at + 1 : hint;
		if (at >= 0) {
			where[at] = j;
			continue;
		}
		if (uids[j] <= p->max_uid)
			continue; /* seen and gone already: not again */
		if (p->hold_above != 0 && uids[j] > p->hold_above)
			continue; /* above one the listing lacks: next sync */
		e.j = j;
		e.uid = uids[j];
		if (imb_push((void **)&nw, &n_nw, &cap_nw, sizeof(e), &e) < 0)
			goto nomem;
	}
	for (i = 0; i < mb->n; i++)
		kept += where[i] != SIZE_MAX;
	ncap = kept + n_nw + 1;
	nm = calloc(ncap, sizeof(*nm));
	nmp = calloc(ncap, sizeof(*nmp));
	if (nm == NULL || nmp == NULL)
		goto nomem;
	if (ch != NULL) {
		for (i = mb->n; i-- > 0;) {
			uint32_t seq = (uint32_t)(i + 1);

			if (where[i] == SIZE_MAX &&
			    imb_push((void **)&ch->expunged, &ch->n_expunged,
				     &cap_ex, sizeof(seq), &seq) < 0)
				goto nomem;
		}
	}
	for (i = 0, k = 0; i < mb->n; i++) {
		struct imap_mbox_msg *m = &mb->msgs[i];
		struct maildir_msg *lm;
		uint32_t f, kw;

		if (where[i] == SIZE_MAX) {
			if (m->flags & IMAP_MBOX_RECENT)
				mb->recent--;
			free(p->mp[i].own);
			continue;
		}
		lm = &l->msgs[where[i]];
		nm[k] = *m;
		nmp[k].crec = p->mp[i].crec;
		nmp[k].own = NULL;
		free(p->mp[i].own);
		nm[k].name = lm->name;
		nm[k].in_cur = lm->in_cur;
		imb_name_flags(mb, lm->name, &f, &kw);
		if ((m->flags & IMAP_MBOX_STORED_FLAGS) != f ||
		    m->keywords != kw) {
			nm[k].flags = (m->flags & IMAP_MBOX_RECENT) | f;
			nm[k].keywords = kw;
			if (ch != NULL &&
			    imb_push((void **)&ch->flags_changed,
				     &ch->n_flags_changed, &cap_fc,
				     sizeof(k), &k) < 0) {
				/* msgs are half moved: finish, lose the report */
				ch->n_flags_changed = 0;
			}
		}
		k++;
	}
	free(mb->msgs);
	free(p->mp);
	mb->msgs = nm;
	p->mp = nmp;
	p->cap = ncap;
	mb->n = k;
	/* a list written from sorted listings gives ascending UIDs in name
	 * order: sort only when needed */
	for (i = 1; i < n_nw && nw[i - 1].uid < nw[i].uid; i++)
		;
	if (i < n_nw)
		qsort(nw, n_nw, sizeof(*nw), imb_new_cmp);
	for (i = 0; i < n_nw; i++) {
		imb_new_msg(mb, &l->msgs[nw[i].j], nw[i].uid, &nm[k],
			    &nmp[k]);
		k++;
		if (nw[i].uid > p->max_uid)
			p->max_uid = nw[i].uid;
	}
	mb->n = k;
	imb_recent_new(mb, k - n_nw);
	if (ch != NULL)
		ch->n_new = n_nw;
	imb_list_release(p);
	p->list = *l;
	memset(l, 0, sizeof(*l));
	free(where);
	free(nw);
	return 0;
nomem:
	free(where);
	free(nw);
	free(nm);
	free(nmp);
	errno = ENOMEM;
	*error_r = "out of memory";
	return -1;
}

static long long
imb_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return imb_ts_ns(&t) + 1; /* never 0 */
}

/* After a listing: everything in the uid list is accounted for. */
static void
imb_own_reset(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	size_t i;

	p->ul_seen = p->ul.n;
	p->ul_gen = p->ul.generation;
	p->ul_unread = false;
	p->own_since = 0;
	p->must_list = false;
	for (i = 0; i < p->n_own_new; i++)
		free(p->own_new[i]);
	p->n_own_new = 0;
}

/* msgs[] came from the index snapshot: reads the uid list now; entries
 * [0, snap.ul_n) are those msgs[] accounts for if the file is the one the
 * snapshot recorded, grown by appends only; else the next sync lists. */
static void
imb_ul_ready(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	const char *err;

	if (!p->ul_unread)
		return;
	p->ul_unread = false;
	if (uidlist_read(&p->ul, &err) < 0 || !p->ul.exists ||
	    (uint64_t)p->ul.file_dev != p->snap.ul_dev ||
	    (uint64_t)p->ul.file_ino != p->snap.ul_ino ||
	    p->ul.uidvalidity != mb->uidvalidity || p->ul.n < p->snap.ul_n) {
		p->must_list = true;
		return;
	}
	p->ul_seen = p->snap.ul_n;
	p->ul_gen = p->ul.generation;
}

/* The uid list file still stats as the snapshot recorded. */
static bool
imb_ul_as_snap(const struct imap_mbox *mb)
{
	const struct imap_mbox_priv *p = mb->priv;
	char path[PATH_MAX];
	struct stat st;

	return imb_path(path, sizeof(path), mb->dir, NULL, UIDLIST_FILE) ==
		       0 &&
	       stat(path, &st) == 0 && (uint64_t)st.st_dev == p->snap.ul_dev &&
	       (uint64_t)st.st_ino == p->snap.ul_ino &&
	       (uint64_t)st.st_size == p->snap.ul_size &&
	       imb_ts_eq(&st.st_mtim, &p->snap.ul_mtime);
}

static long long
imb_window(const struct imb_dirs *d)
{
	return d->new_mtime.tv_nsec == 0 && d->cur_mtime.tv_nsec == 0
		       ? IMB_UNSTABLE_COARSE_NSEC
		       : IMB_UNSTABLE_NSEC;
}

/* Writes the index snapshot if msgs[] is certain and differs from the
 * file (see "Index snapshot"). Errors are ignored: it is a hint. */
static void
imb_index_save(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imap_mbox_index_head h;
	char path[PATH_MAX], tmp[PATH_MAX];
	struct imb_dirs d;
	struct timespec now;
	struct stat st;
	struct buf b;
	const char *err;
	size_t i;
	int fd, ok;

	/* a change the watch saw since the last sync: msgs[] is not the
	 * folder's state (this one is for the next sync, not the file) */
	imb_watch_poll(mb);
	if (mb->readonly || !p->listed || p->unstable || p->cur_unstable ||
	    p->must_list || p->own_since != 0 || p->n_own_new != 0 ||
	    p->wpend != 0 ||
	    p->ul_unread || !p->ul.exists || p->ul.generation != p->ul_gen ||
	    p->ul_seen != p->ul.n || p->ul.uidvalidity != mb->uidvalidity ||
	    mb->n > UINT32_MAX || p->ul.n > UINT32_MAX)
		return;
	for (i = 0; i < mb->n; i++) {
		if (!mb->msgs[i].in_cur ||
		    strlen(mb->msgs[i].name) > MAILDIR_NAME_MAX_BYTES)
			return;
	}
	if (imb_stat_dirs(mb->dir, &d, &err) < 0 || !imb_dirs_eq(&d, &p->dirs) ||
	    imb_path(path, sizeof(path), mb->dir, NULL, UIDLIST_FILE) < 0 ||
	    stat(path, &st) < 0 || st.st_dev != p->ul.file_dev ||
	    st.st_ino != p->ul.file_ino || st.st_size != p->ul.file_size ||
	    !imb_ts_eq(&st.st_mtim, &p->ul.file_mtime))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	memset(&h, 0, sizeof(h));
	h.uidvalidity = mb->uidvalidity;
	h.uidnext = mb->uidnext;
	h.n = (uint32_t)mb->n;
	h.ul_n = (uint32_t)p->ul.n;
	h.dev = (uint64_t)d.dev;
	h.new_ino = (uint64_t)d.new_ino;
	h.cur_ino = (uint64_t)d.cur_ino;
	h.new_mtime = d.new_mtime;
	h.cur_mtime = d.cur_mtime;
	h.ul_dev = (uint64_t)st.st_dev;
	h.ul_ino = (uint64_t)st.st_ino;
	h.ul_size = (uint64_t)st.st_size;
	h.ul_mtime = st.st_mtim;
	h.written_ns = imb_ts_ns(&now);
	if (imb_ts_ns(&now) - imb_ts_ns(&d.new_mtime) < imb_window(&d) ||
	    imb_ts_ns(&now) - imb_ts_ns(&d.cur_mtime) < imb_window(&d))
		return; /* not certain yet */
	if (p->snap_valid && p->snap.n == h.n && p->snap.ul_n == h.ul_n &&
	    p->snap.uidnext == h.uidnext && p->snap.dev == h.dev &&
	    p->snap.new_ino == h.new_ino && p->snap.cur_ino == h.cur_ino &&
	    imb_ts_eq(&p->snap.new_mtime, &h.new_mtime) &&
	    imb_ts_eq(&p->snap.cur_mtime, &h.cur_mtime) &&
	    p->snap.ul_ino == h.ul_ino && p->snap.ul_size == h.ul_size &&
	    imb_ts_eq(&p->snap.ul_mtime, &h.ul_mtime))
		return; /* the file has this already */
	if (imb_path(path, sizeof(path), mb->dir, NULL, IMAP_MBOX_INDEX_FILE) <
		    0 ||
	    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >=
		    (int)sizeof(tmp))
		return;
	buf_init(&b, 0);
	if (imap_mbox_index_build(&h, mb->msgs, &b) < 0) {
		buf_free(&b);
		return;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	ok = fd >= 0 && imb_write_all(fd, b.data, b.len) == 0;
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	buf_free(&b);
	if (!ok || rename(tmp, path) < 0) {
		if (fd >= 0)
			(void)unlink(tmp);
		return;
	}
	p->snap = h;
	p->snap_valid = true;
}

/* Before imb_index_save at close: msgs[] came from a listing made within
 * the unstable window of a change (a folder just delivered to or copied),
 * which is never saved. If new/ and cur/ have not moved since and are now
 * older than the window, one more listing settles it: when it finds
 * exactly msgs[] (UIDs and names), msgs[] is certain and can be saved;
 * else the next sync lists (must_list). */
static void
imb_index_confirm(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	struct maildir_list l = { NULL, 0, NULL };
	struct imb_dirs d;
	struct timespec now;
	const char *err;
	uint32_t *uids = NULL;
	bool same;
	size_t i;

	if (mb->readonly || !p->listed || p->must_list || p->own_since != 0 ||
	    p->n_own_new != 0 || p->ul_unread ||
	    (!p->unstable && !p->cur_unstable) ||
	    imb_stat_dirs(mb->dir, &d, &err) < 0 || !imb_dirs_eq(&d, &p->dirs))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	if (imb_ts_ns(&now) - imb_ts_ns(&d.new_mtime) < imb_window(&d) ||
	    imb_ts_ns(&now) - imb_ts_ns(&d.cur_mtime) < imb_window(&d))
		return; /* still unsettled */
	for (i = 0; i < mb->n; i++) {
		if (!mb->msgs[i].in_cur)
			return;
	}
	if (imb_list(mb, &l, &uids, &err) < 0) {
		p->must_list = true;
		return;
	}
	same = l.n == mb->n && p->ul.uidvalidity == mb->uidvalidity &&
	       p->hold_above == 0;
	for (i = 0; i < l.n && same; i++) {
		same = uids[i] == mb->msgs[i].uid && l.msgs[i].in_cur &&
		       strcmp(l.msgs[i].name, mb->msgs[i].name) == 0;
	}
	free(uids);
	maildir_list_free(&l);
	if (same) {
		imb_own_reset(mb); /* the uid list as read now */
		mb->uidnext = p->ul.uidnext;
	}
	else
		p->must_list = true; /* p->dirs is the new listing's */
}

/* Takes msgs[] of a fresh mb from the index snapshot if it matches the
 * folder exactly (see "Index snapshot"). 1 loaded, 0 list instead. */
static int
imb_index_load(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imap_mbox_index_head h;
	struct imap_mbox_msg *msgs = NULL;
	struct imap_mbox_mp *mp = NULL;
	char path[PATH_MAX], *data = NULL;
	struct imb_dirs d;
	const char *err;
	size_t len, i;
	uint32_t kmask;

	if (imb_path(path, sizeof(path), mb->dir, NULL, IMAP_MBOX_INDEX_FILE) <
		    0 ||
	    imb_map_file(path, IMAP_MBOX_INDEX_FILE_MAX_BYTES, &data, &len) <
		    0 ||
	    imap_mbox_index_parse(data, len, &h, NULL) < 0)
		goto no;
	p->snap = h; /* the dirs and uid list stat as recorded? */
	if (imb_stat_dirs(mb->dir, &d, &err) < 0 ||
	    (uint64_t)d.dev != h.dev || (uint64_t)d.new_ino != h.new_ino ||
	    (uint64_t)d.cur_ino != h.cur_ino ||
	    !imb_ts_eq(&d.new_mtime, &h.new_mtime) ||
	    !imb_ts_eq(&d.cur_mtime, &h.cur_mtime) || !imb_ul_as_snap(mb) ||
	    h.written_ns - imb_ts_ns(&d.new_mtime) < imb_window(&d) ||
	    h.written_ns - imb_ts_ns(&d.cur_mtime) < imb_window(&d))
		goto no;
	msgs = imb_big_alloc((h.n + 1) * sizeof(*msgs));
	/* zeroed: no own names, cache records unresolved; its pages are
	 * not touched before they are used */
	mp = calloc(h.n + 1, sizeof(*mp));
	if (msgs == NULL || mp == NULL ||
	    imap_mbox_index_parse(data, len, &h, msgs) < 0)
		goto no;
	kmask = mb->keyword_count >= 32 ? UINT32_MAX
					: (1u << mb->keyword_count) - 1;
	for (i = 0; i < h.n; i++) {
		if (!msgs[i].in_cur) {
			if (!mb->readonly)
				goto no; /* it has to be moved: list */
			msgs[i].flags |= IMAP_MBOX_RECENT; /* tentative */
		}
		msgs[i].keywords &= kmask;
	}
	mb->msgs = msgs;
	p->mp = mp;
	p->cap = h.n + 1;
	mb->n = h.n;
	mb->uidvalidity = h.uidvalidity;
	mb->uidnext = h.uidnext;
	p->max_uid = h.n > 0 ? msgs[h.n - 1].uid : 0;
	p->list.names = data; /* the names, mapped */
	p->names_mapped = len;
	p->dirs = d;
	p->listed = true;
	p->unstable = p->cur_unstable = false;
	p->ul_unread = true;
	p->snap_valid = true;
	imb_recent_new(mb, 0);
	return 1;
no:
	free(msgs);
	free(mp);
	if (data != NULL)
		munmap(data, len);
	p->snap_valid = false;
	return 0;
}

struct imap_mbox *
imb_find_open(const char *dir)
{
	struct imap_mbox *mb, *found = NULL;

	/* the list is newest first: the last match was opened first */
	for (mb = imb_open_list; mb != NULL; mb = mb->priv->next_open) {
		if (strcmp(mb->dir, dir) == 0)
			found = mb;
	}
	return found;
}

/* --- the watch on own-change windows --- */

/* The directory events a watch counts, and those that make it useless
 * (the queue overflowed, a directory went away). */
#define IMB_WATCH_ENTRY_EVENTS \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
#define IMB_WATCH_BROKEN_EVENTS \
	(IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | \
	 IN_UNMOUNT)

static void
imb_watch_close(struct imap_mbox_priv *p)
{
	if (!p->watch_made)
		return;
	close(p->wfd);
	close(p->wdir[0]);
	close(p->wdir[1]);
	p->watch_made = false;
}

static bool imb_watch_on = true;

void
imap_mbox_set_watch(bool on)
{
	imb_watch_on = on;
}

/* Whether inotify sees every change to the directory open as fd: only
 * on local file systems (on NFS, CIFS or FUSE it sees this host's own
 * changes alone, and a watch would hide another host's). */
static bool
imb_watch_local(int fd)
{
	static const unsigned long local[] = {
		0xEF53UL,     /* ext2/3/4 */
		0x58465342UL, /* xfs */
		0x9123683EUL, /* btrfs */
		0x01021994UL, /* tmpfs */
		0xF2F52010UL, /* f2fs */
		0x2FC12FC1UL, /* zfs */
		0x794C7630UL, /* overlayfs */
	};
	struct statfs sf;
	size_t i;

	if (fstatfs(fd, &sf) < 0)
		return false;
	for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		if ((unsigned long)sf.f_type == local[i])
			return true;
	}
	return false;
}

/* Opens the watch (once per open folder; a failure is remembered, and
 * own changes are then adopted by stat alone, as without inotify). */
static void
imb_watch_open(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	static const char *const sub[2] = {"new", "cur"};
	char path[PATH_MAX];
	int k;

	if (p->watch_made || p->watch_failed || !imb_watch_on)
		return;
	p->wfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	p->wdir[0] = p->wdir[1] = -1;
	if (p->wfd < 0)
		goto fail;
	for (k = 0; k < 2; k++) {
		if (imb_path(path, sizeof(path), mb->dir, NULL, sub[k]) < 0 ||
		    (p->wd[k] = inotify_add_watch(
			     p->wfd, path,
			     IMB_WATCH_ENTRY_EVENTS | IN_DELETE_SELF |
				     IN_MOVE_SELF | IN_ONLYDIR)) < 0 ||
		    (p->wdir[k] = open(path, O_RDONLY | O_DIRECTORY |
						     O_CLOEXEC)) < 0)
			goto fail;
	}
	if (!imb_watch_local(p->wdir[1]))
		goto fail;
	p->watch_made = true;
	return;
fail:
	if (p->wfd >= 0)
		close(p->wfd);
	for (k = 0; k < 2; k++) {
		if (p->wdir[k] >= 0)
			close(p->wdir[k]);
	}
	p->watch_failed = true;
}

/* Reads what the watch queued: the number of entry events into *n_r,
 * the directories they were in into *bits_r (IMB_WP_NEW, IMB_WP_CUR).
 * 0 / -1 (broken: the caller must not trust what it saw). */
static int
imb_watch_read(struct imap_mbox_priv *p, unsigned long *n_r, unsigned *bits_r)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t len;
	char *q;
	int broken = 0;

	*n_r = 0;
	*bits_r = 0;
	for (;;) {
		len = read(p->wfd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		for (q = buf; q < buf + len; q += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)q;
			if (ev->mask & IMB_WATCH_BROKEN_EVENTS) {
				broken = -1;
			} else if (ev->mask & IMB_WATCH_ENTRY_EVENTS) {
				(*n_r)++;
				*bits_r |= ev->wd == p->wd[1] ? IMB_WP_CUR
							      : IMB_WP_NEW;
			}
		}
	}
	if (len < 0 && errno != EAGAIN)
		broken = -1;
	return broken;
}

/* Waits until every rename or unlink in new/ or cur/ that a stat may
 * already show has queued its event: reading a directory takes its lock
 * shared, and the file system changes the mtime and queues the event
 * under that lock. 0 / -1. */
static int
imb_watch_barrier(struct imap_mbox_priv *p)
{
	char buf[512];
	int k;

	/* the system call itself: its libc wrapper is glibc's (musl's
	 * getdents takes struct dirent *; quail-imapd-session links musl) */
	for (k = 0; k < 2; k++) {
		if (lseek(p->wdir[k], 0, SEEK_SET) < 0 ||
		    syscall(SYS_getdents64, p->wdir[k], buf, sizeof(buf)) < 0)
			return -1;
	}
	return 0;
}

/* The barrier, then what the watch queued (imb_watch_read). 0 / -1: the
 * watch broke (recorded in wpend; closed, made again at the next
 * window). */
static int
imb_watch_take(struct imap_mbox *mb, unsigned long *n_r, unsigned *bits_r)
{
	struct imap_mbox_priv *p = mb->priv;

	if (imb_watch_barrier(p) < 0 || imb_watch_read(p, n_r, bits_r) < 0) {
		p->wpend |= IMB_WP_BROKEN;
		imb_watch_close(p);
		return -1;
	}
	return 0;
}

/* Collects into priv->wpend what the watch saw since it was last read:
 * changes made outside our windows, by someone else. A sync consumes it
 * (imap_mbox_sync). */
static void
imb_watch_poll(struct imap_mbox *mb)
{
	unsigned long n;
	unsigned bits;

	if (mb->priv->watch_made && imb_watch_take(mb, &n, &bits) == 0)
		mb->priv->wpend |= bits;
}

/* A window opens: what the watch saw since the last sync is kept in
 * priv->wpend (the window is then not adopted: the sync lists). */
static void
imb_watch_begin(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;

	imb_watch_open(mb);
	imb_watch_poll(mb);
	p->own_events = 0;
}

/* Whether the window held only our changes: 1 yes, 0 no (someone else
 * changed new/ or cur/ too, or the watch broke: recorded in wpend), -1
 * no watch. Called after the window's last stat (see the barrier). */
static int
imb_watch_check(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;
	unsigned long n;
	unsigned bits;

	if (!p->watch_made)
		return -1;
	if (imb_watch_take(mb, &n, &bits) < 0)
		return 0;
	if (n == p->own_events)
		return 1;
	p->wpend |= bits; /* someone else's among them */
	return 0;
}

int
imb_rename_in(struct imap_mbox *mb, bool from_cur, const char *name,
	      const char *from_path, const char *to_name, const char *to_path)
{
	struct imap_mbox_priv *p = mb->priv;

	if (p->watch_made)
		return renameat(p->wdir[from_cur ? 1 : 0], name, p->wdir[1],
				to_name);
	return rename(from_path, to_path);
}

void
imb_own_count(struct imap_mbox *mb, unsigned n)
{
	mb->priv->own_events += n;
}

void
imb_own_begin(struct imap_mbox *mb, struct imb_own *o)
{
	imb_ul_ready(mb);
	imb_own_begin_renames(mb, o);
}

void
imb_own_begin_renames(struct imap_mbox *mb, struct imb_own *o)
{
	struct imap_mbox_priv *p = mb->priv;
	const char *err;

	if (p->batch_depth > 0 && p->batch_begun) {
		/* the stats before the batch's first change bound it */
		*o = p->batch_o;
		return;
	}
	if (p->listed && !p->must_list)
		imb_watch_begin(mb);
	/* not when the watch saw a change since the last sync */
	o->ok = p->listed && !p->must_list && p->wpend == 0 &&
		imb_stat_dirs(mb->dir, &o->before, &err) == 0;
	if (p->batch_depth > 0) {
		p->batch_o = *o;
		p->batch_begun = true;
	}
}

/* The adoption of imb_own_end() (after its !tracked case). */
static void
imb_own_adopt(struct imap_mbox *mb, const struct imb_own *o, bool new_dir,
	      bool cur_dir)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imb_dirs after;
	const char *err;
	int watched;

	if (!o->ok || (!new_dir && !cur_dir) ||
	    imb_stat_dirs(mb->dir, &after, &err) < 0)
		return; /* the sync finds the dirs moved and lists */
	if (after.dev != p->dirs.dev || after.new_ino != p->dirs.new_ino ||
	    after.cur_ino != p->dirs.cur_ino ||
	    (new_dir && !imb_ts_eq(&o->before.new_mtime, &p->dirs.new_mtime)) ||
	    (cur_dir && !imb_ts_eq(&o->before.cur_mtime, &p->dirs.cur_mtime)))
		return; /* changed by someone else before us: list */
	watched = imb_watch_check(mb);
	if (watched == 0)
		return; /* changed by someone else meanwhile: list */
	if (new_dir)
		p->dirs.new_mtime = after.new_mtime;
	if (cur_dir)
		p->dirs.cur_mtime = after.cur_mtime;
	/* the net: for an adoption not checked by the watch, and for one
	 * that ends the re-listing of an unstable listing */
	if (p->own_since == 0 &&
	    (watched < 0 || p->unstable || p->cur_unstable))
		p->own_since = imb_mono_ns();
	p->unstable = p->cur_unstable = false;
}

void
imb_own_end(struct imap_mbox *mb, const struct imb_own *o, bool new_dir,
	    bool cur_dir, bool tracked)
{
	struct imap_mbox_priv *p = mb->priv;

	if (!tracked) {
		p->must_list = true;
		return;
	}
	if (p->batch_depth > 0) {
		/* adopted (or not) once, after the batch's last change */
		p->batch_new |= new_dir;
		p->batch_cur |= cur_dir;
		return;
	}
	imb_own_adopt(mb, o, new_dir, cur_dir);
}

void
imb_own_lost(struct imap_mbox *mb)
{
	if (mb->priv->batch_depth > 0)
		mb->priv->batch_lost = true;
}

void
imap_mbox_batch_begin(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;

	if (p->batch_depth++ > 0)
		return;
	p->batch_begun = p->batch_new = p->batch_cur = p->batch_lost = false;
}

void
imap_mbox_batch_end(struct imap_mbox *mb)
{
	struct imap_mbox_priv *p = mb->priv;

	if (p->batch_depth == 0 || --p->batch_depth > 0)
		return;
	if (p->batch_begun && !p->batch_lost)
		imb_own_adopt(mb, &p->batch_o, p->batch_new, p->batch_cur);
	p->batch_begun = p->batch_new = p->batch_cur = p->batch_lost = false;
}

int
imb_own_added(struct imap_mbox *mb, const char *name)
{
	struct imap_mbox_priv *p = mb->priv;
	char *copy = strdup(name);

	if (copy == NULL || imb_push((void **)&p->own_new, &p->n_own_new,
				     &p->cap_own_new, sizeof(copy),
				     &copy) < 0) {
		free(copy);
		p->must_list = true;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The sync after only our own changes (the dirs are as adopted): the
 * uid list's new lines must all be messages we added (own_new), which
 * become new messages. 1 done, 0 list instead. */
static int
imb_sync_own(struct imap_mbox *mb, struct imap_mbox_changes *ch)
{
	struct imap_mbox_priv *p = mb->priv;
	struct uidlist *ul = &p->ul;
	size_t j, x, add, *which = NULL;
	const char *err;

	if (uidlist_read(ul, &err) < 0 || !ul->exists ||
	    ul->generation != p->ul_gen || ul->uidvalidity != mb->uidvalidity ||
	    ul->n < p->ul_seen)
		return 0;
	add = ul->n - p->ul_seen;
	if (add == 0)
		return 1;
	if (add > p->n_own_new)
		return 0; /* names we did not add */
	which = malloc(add * sizeof(*which));
	if (which == NULL)
		return 0;
	for (j = 0; j < add; j++) {
		const struct uidlist_entry *e = &ul->entries[p->ul_seen + j];
		const char *base = ul->names.data + e->name_off;

		for (x = 0; x < p->n_own_new; x++) {
			if (uidlist_base_len(p->own_new[x]) == e->name_len &&
			    memcmp(p->own_new[x], base, e->name_len) == 0)
				break;
		}
		if (x == p->n_own_new || e->uid <= p->max_uid) {
			free(which);
			return 0;
		}
		which[j] = x;
	}
	if (mb->n + add + 1 > p->cap) {
		size_t ncap = mb->n + add + 1;
		struct imap_mbox_msg *nm;
		struct imap_mbox_mp *nmp;

		nm = realloc(mb->msgs, ncap * sizeof(*nm));
		if (nm != NULL)
			mb->msgs = nm;
		nmp = nm != NULL ? realloc(p->mp, ncap * sizeof(*nmp)) : NULL;
		if (nmp == NULL) {
			free(which);
			return 0;
		}
		p->mp = nmp;
		p->cap = ncap;
	}
	for (j = 0; j < add; j++) {
		const struct uidlist_entry *e = &ul->entries[p->ul_seen + j];
		struct imap_mbox_msg *m = &mb->msgs[mb->n];
		struct imap_mbox_mp *mp = &p->mp[mb->n];
		struct maildir_msg lm;
		char *name = p->own_new[which[j]];

		maildir_list_parse_name(name, &lm);
		lm.in_cur = true;
		imb_new_msg(mb, &lm, e->uid, m, mp); /* in cur/: no rename */
		mp->own = name;
		m->name = name;
		p->own_new[which[j]] = NULL;
		mb->n++;
		if (e->uid > p->max_uid)
			p->max_uid = e->uid;
	}
	for (x = 0, j = 0; x < p->n_own_new; x++) {
		if (p->own_new[x] != NULL)
			p->own_new[j++] = p->own_new[x];
	}
	p->n_own_new = j;
	free(which);
	imb_recent_new(mb, mb->n - add);
	ch->n_new = add;
	p->ul_seen = ul->n;
	mb->uidnext = ul->uidnext;
	return 1;
}

/* Lists (new/ alone if new_only and imb_list_new can) and applies.
 * 0 / -1. */
static int
imb_rescan(struct imap_mbox *mb, struct imap_mbox_changes *ch, bool new_only,
	   const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct maildir_list l = { NULL, 0, NULL };
	uint32_t *uids = NULL;
	long long own_since = p->own_since;
	struct imb_own o;
	bool moves;
	size_t i;
	int r;

	if (new_only)
		new_only = imb_list_new(mb, &l, &uids) == 1;
	if (!new_only && imb_list(mb, &l, &uids, error_r) < 0)
		return -1;
	if (p->listed && p->ul.uidvalidity != mb->uidvalidity) {
		free(uids);
		maildir_list_free(&l);
		errno = ESTALE;
		*error_r = "the folder's UIDVALIDITY changed";
		return -1;
	}
	mb->uidvalidity = p->ul.uidvalidity;
	/* moving new messages from new/ to cur/ is an own change (else the
	 * next sync would list the whole folder for it) */
	for (i = 0; i < l.n && l.msgs[i].in_cur; i++)
		;
	moves = p->listed && !mb->readonly && i < l.n;
	if (moves)
		imb_own_begin(mb, &o);
	r = imb_apply(mb, &l, uids, ch, error_r);
	free(uids);
	maildir_list_free(&l);
	if (r == 0) {
		p->listed = true;
		mb->uidnext = p->ul.uidnext;
		imb_own_reset(mb);
		if (new_only)
			p->own_since = own_since; /* cur/ not confirmed */
		if (moves)
			imb_own_end(mb, &o, true, true, true);
		if (p->hold_above != 0) {
			/* messages held back (imb_list): the next sync lists,
			 * and UIDNEXT stays at or below what it may report */
			p->must_list = true;
			if (p->hold_above < mb->uidnext)
				mb->uidnext = p->hold_above;
		}
	}
	return r;
}

void
imap_mbox_clean_tmp(const char *dir, time_t now)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t seen = 0;
	DIR *d;
	int dfd;

	if (imb_path(path, sizeof(path), dir, NULL, "tmp") < 0)
		return;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && seen++ < IMB_TMP_SCAN_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    S_ISDIR(st.st_mode))
			continue;
		/* ctime too: APPEND sets an old mtime on its tmp file just
		 * before the rename */
		if (st.st_mtime < now - IMAP_MBOX_TMP_STALE_SECS &&
		    st.st_ctime < now - IMAP_MBOX_TMP_STALE_SECS)
			(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* Frees mb and everything it owns (no cache flush). */
static void
imb_free(struct imap_mbox *mb)
{
	size_t i;
	unsigned k;

	if (mb == NULL)
		return;
	if (mb->priv != NULL) {
		for (i = 0; i < mb->n; i++)
			free(mb->priv->mp[i].own);
		free(mb->priv->mp);
		for (i = 0; i < mb->priv->n_own_new; i++)
			free(mb->priv->own_new[i]);
		free(mb->priv->own_new);
		free(mb->priv->gone);
		free(mb->priv->report);
		imb_list_release(mb->priv);
		imb_watch_close(mb->priv);
		uidlist_free(&mb->priv->ul);
		imc_free(&mb->priv->cache);
		free(mb->priv);
	}
	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++)
		free(mb->keywords[k]);
	free(mb->msgs);
	free(mb);
}

/* Makes the parked mailbox mb current again as if just opened: \Recent
 * starts over for a read-write selection (only what the sync moves now),
 * is what is in new/ for a read-only one. 0 / -1 (then open it afresh). */
static int
imb_reuse(struct imap_mbox *mb, const char **error_r)
{
	struct imap_mbox_changes ch;
	size_t i;
	int r;

	if (!mb->readonly) {
		for (i = 0; i < mb->n; i++)
			mb->msgs[i].flags &= ~IMAP_MBOX_RECENT;
		mb->recent = 0;
	}
	r = imap_mbox_sync(mb, &ch, error_r);
	imap_mbox_changes_free(&ch);
	if (r < 0 || !mb->readonly)
		return r;
	mb->recent = 0;
	for (i = 0; i < mb->n; i++) {
		mb->msgs[i].flags &= ~IMAP_MBOX_RECENT;
		if (!mb->msgs[i].in_cur)
			mb->msgs[i].flags |= IMAP_MBOX_RECENT; /* tentative */
	}
	imb_recent_new(mb, 0);
	return 0;
}

int
imap_mbox_open(struct imap_mbox **mb_r, const char *dir, bool readonly,
	       const char **error_r)
{
	struct imap_mbox *mb;
	struct imap_kwlist kw;
	struct stat st;
	size_t dlen = strlen(dir);

	*mb_r = NULL;
	if (dlen == 0 || dlen >= sizeof(mb->dir) - MAILDIR_NAME_MAX_BYTES - 8) {
		errno = ENAMETOOLONG;
		*error_r = "folder path too long";
		return -1;
	}
	if (imb_parked != NULL && imb_parked->readonly == readonly &&
	    strcmp(imb_parked->dir, dir) == 0) {
		mb = imb_parked;
		imb_parked = NULL;
		if (imb_reuse(mb, error_r) == 0) {
			mb->priv->next_open = imb_open_list;
			imb_open_list = mb;
			*mb_r = mb;
			return 0;
		}
		imb_free(mb); /* gone, or a new UIDVALIDITY: start over */
	}
	mb = calloc(1, sizeof(*mb));
	if (mb == NULL || (mb->priv = calloc(1, sizeof(*mb->priv))) == NULL) {
		free(mb);
		errno = ENOMEM;
		*error_r = "out of memory";
		return -1;
	}
	memcpy(mb->dir, dir, dlen + 1);
	mb->readonly = readonly;
	if (uidlist_init(&mb->priv->ul, dir, error_r) < 0)
		goto fail;
	if (imk_read(dir, &kw, &st, error_r) < 0)
		goto fail;
	imb_take_keywords(mb, &kw, &st);
	if (imb_index_load(mb) == 0) {
		if (imb_rescan(mb, NULL, false, error_r) < 0)
			goto fail;
		imb_index_save(mb);
	}
	if (!readonly)
		imap_mbox_clean_tmp(dir, time(NULL));
	mb->priv->next_open = imb_open_list;
	imb_open_list = mb;
	*mb_r = mb;
	return 0;
fail: {
	int saved = errno;

	imb_free(mb);
	errno = saved;
	return -1;
}
}

void
imap_mbox_release(void)
{
	imb_free(imb_parked);
	imb_parked = NULL;
	imw_release();
}

void
imap_mbox_close(struct imap_mbox **mbp)
{
	struct imap_mbox *mb = *mbp, *old, **link;
	const char *err;

	if (mb == NULL)
		return;
	*mbp = NULL;
	for (link = &imb_open_list; *link != NULL;
	     link = &(*link)->priv->next_open) {
		if (*link == mb) {
			*link = mb->priv->next_open;
			break;
		}
	}
	mb->priv->next_open = NULL;
	(void)imap_mbox_cache_flush(mb, &err);
	imb_index_confirm(mb);
	imb_index_save(mb);
	if (mb->priv->listed) {
		/* kept for a re-open of the same folder */
		old = imb_parked;
		imb_parked = mb;
		imb_free(old);
	} else {
		imb_free(mb);
	}
}

void
imap_mbox_changes_free(struct imap_mbox_changes *ch)
{
	free(ch->expunged);
	free(ch->flags_changed);
	memset(ch, 0, sizeof(*ch));
}

int
imap_mbox_sync(struct imap_mbox *mb, struct imap_mbox_changes *ch,
	       const char **error_r)
{
	struct imap_mbox_priv *p = mb->priv;
	struct imb_dirs d;
	bool net_ok, new_only, watched_new;
	int r;

	memset(ch, 0, sizeof(*ch));
	/* what the watch saw (someone else's change, perhaps in the same
	 * clock tick as our last one, so that no mtime shows it) */
	imb_watch_poll(mb);
	if (p->wpend & (IMB_WP_CUR | IMB_WP_BROKEN))
		p->must_list = true;
	watched_new = (p->wpend & IMB_WP_NEW) != 0;
	p->wpend = 0;
	if (imb_stat_dirs(mb->dir, &d, error_r) < 0)
		return -1;
	r = imb_keywords_sync(mb, error_r);
	if (r < 0)
		return -1;
	ch->keywords_changed = r == 1 || p->kw_grew;
	p->kw_grew = false;
	net_ok = p->own_since == 0 ||
		 imb_mono_ns() - p->own_since < IMB_OWN_RELIST_NSEC;
	if (p->ul_unread) {
		/* msgs[] from the snapshot: nothing changed at all (but our
		 * own renames, adopted: then only while the net is not
		 * due)? */
		if (!p->unstable && !p->must_list && net_ok && !watched_new &&
		    imb_dirs_eq(&d, &p->dirs) && imb_ul_as_snap(mb)) {
			imb_report_pending(mb, ch);
			return 0;
		}
		imb_ul_ready(mb);
	}
	/* nothing changed but by us (the uid list: only lines we added),
	 * and the safety net is not due */
	if (p->listed && !p->unstable && !p->must_list && !watched_new &&
	    imb_dirs_eq(&d, &p->dirs) && net_ok && imb_sync_own(mb, ch) == 1) {
		imb_report_pending(mb, ch);
		return 0;
	}
	/* cur/ exactly as the last sync left it and certain then: list
	 * new/ alone (a delivery) */
	new_only = p->listed && !p->cur_unstable && !p->must_list && net_ok &&
		   d.dev == p->dirs.dev && d.cur_ino == p->dirs.cur_ino &&
		   d.new_ino == p->dirs.new_ino &&
		   imb_ts_eq(&d.cur_mtime, &p->dirs.cur_mtime);
	if (imb_rescan(mb, ch, new_only, error_r) < 0) {
		int saved = errno;

		imap_mbox_changes_free(ch);
		errno = saved;
		return -1;
	}
	imb_report_pending(mb, ch);
	return 0;
}

