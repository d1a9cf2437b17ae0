/*
 * mailbox.c -- the maildrop of one POP3 session (RFC 1939 3, 6, 8): the
 * exclusive lock, the message list numbered in UID order, and the UPDATE
 * state.
 *
 * The lock is flock(2) on "<Maildir>/quail-pop3.lock", held through an
 * open fd for the whole session, so a crashed session can never leave it
 * behind (the kernel drops it with the fd). Messages are listed from the
 * names in new/ and cur/ (lib/maildir_list.h) and numbered by their UID
 * from the folder's UID list (lib/uidlist.h), which quail-imapd shares:
 * UIDLs are stable across sessions and deliveries and agree with IMAP.
 * Nothing is changed before QUIT: then DELE'd messages are unlinked and
 * RETR'd ones get the \Seen flag (moved from new/ to cur/ with ":2,S", or
 * "S" added to their cur/ flags); the base name, and so the UID, stays.
 * Messages not retrieved stay in new/ and look new to IMAP clients.
 *
 * SECURITY: runs as the mailbox owner (never root). Paths are built only
 * from names read from the Maildir's own directories; files are opened
 * O_NOFOLLOW.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "maildir.h"
#include "pop3d.h"

/* Sorts message pointers by UID. */
static int
mailbox_cmp_uid(const void *a, const void *b)
{
	const struct maildir_msg *x = *(const struct maildir_msg *const *)a;
	const struct maildir_msg *y = *(const struct maildir_msg *const *)b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Numbers the listed messages by UID; sizes missing from the names are
 * taken from the files (a message that vanished meanwhile is left out). */
static int
mailbox_number(struct mailbox *mb, const uint32_t *uids, const char **error_r)
{
	size_t i;

	mb->n = 0;
	for (i = 0; i < mb->list.n; i++) {
		struct maildir_msg *m = &mb->list.msgs[i];

		m->uid = uids[i];
		if (m->uid == 0)
			continue; /* a name the UID list cannot hold */
		if (maildir_list_fill_sizes(mb->dir, m, error_r) < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		mb->msgs[mb->n++] = m;
	}
	/* The listing comes in delivery order, which is UID order unless
	 * UIDs were assigned out of it (a rebuilt list): sort only then
	 * (saves ~5 ms per login on 100,000 messages). */
	for (i = 1; i < mb->n && mb->msgs[i - 1]->uid < mb->msgs[i]->uid; i++)
		;
	if (i < mb->n)
		qsort(mb->msgs, mb->n, sizeof(*mb->msgs), mailbox_cmp_uid);
	return 1;
}

int
mailbox_open(struct mailbox *mb, const char *dir, const char **error_r)
{
	char path[PATH_MAX + 32];
	struct uidlist ul;
	const char **names = NULL, *err;
	uint32_t *uids = NULL;
	size_t i, n;
	bool ul_ok = false;
	int r = -1;

	memset(mb, 0, sizeof(*mb));
	mb->lock_fd = -1;
	if (snprintf(mb->dir, sizeof(mb->dir), "%s", dir) >=
		    (int)sizeof(mb->dir) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, POP3D_LOCK_FILE) >=
		    (int)sizeof(path)) {
		*error_r = "Maildir path too long";
		return -1;
	}
	mb->lock_fd =
		open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (mb->lock_fd < 0) {
		*error_r = "cannot open the maildrop lock";
		return -1;
	}
	if (flock(mb->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(mb->lock_fd);
		mb->lock_fd = -1;
		if (e == EWOULDBLOCK)
			return 0;
		*error_r = "cannot lock the maildrop";
		return -1;
	}
	/* the uid list as it is before the listing: a compaction by
	 * uidlist_sync() below must keep what others add meanwhile (a
	 * message delivered or given a UID after our listing began) */
	if (uidlist_init(&ul, dir, error_r) < 0)
		goto out;
	ul_ok = true;
	ul.keep_from = uidlist_read(&ul, &err) == 0 && ul.exists ? ul.uidnext
								 : 1;
	if (maildir_list_read(&mb->list, dir, error_r) < 0)
		goto out;
	n = mb->list.n;
	names = malloc((n + 1) * sizeof(*names));
	uids = malloc((n + 1) * sizeof(*uids));
	mb->msgs = malloc((n + 1) * sizeof(*mb->msgs));
	mb->state = calloc(n + 1, 1);
	if (names == NULL || uids == NULL || mb->msgs == NULL ||
	    mb->state == NULL) {
		*error_r = "out of memory";
		goto out;
	}
	for (i = 0; i < n; i++)
		names[i] = mb->list.msgs[i].name;
	if (uidlist_sync(&ul, names, n, uids, error_r) < 0)
		goto out;
	mb->uidvalidity = ul.uidvalidity;
	mb->uidlist_rebuilt = ul.rebuilt;
	r = mailbox_number(mb, uids, error_r);
out:
	if (ul_ok)
		uidlist_free(&ul);
	free(names);
	free(uids);
	if (r < 0)
		mailbox_close(mb);
	return r;
}

struct maildir_msg *
mailbox_msg(const struct mailbox *mb, uint32_t n)
{
	if (n == 0 || n > mb->n)
		return NULL;
	return mb->msgs[n - 1];
}

int
mailbox_open_msg(const struct mailbox *mb, uint32_t n)
{
	char path[PATH_MAX];
	struct maildir_msg *m = mailbox_msg(mb, n);

	if (m == NULL ||
	    maildir_list_path(mb->dir, m, path, sizeof(path)) < 0) {
		errno = EINVAL;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* The cur/ name of m with the S flag: "<name up to ':'>:2,<flags+S>" with
 * the flags kept in ASCII order (the Maildir spec). 1 made, 0 nothing to
 * do (already \Seen, or an info part we do not understand), -1 too long. */
static int
mailbox_seen_name(const struct maildir_msg *m, char *out, size_t outlen)
{
	const char *colon = strchr(m->name, ':');
	size_t keep = colon != NULL ? (size_t)(colon - m->name)
				    : strlen(m->name);
	char flags[MAILDIR_LIST_FLAGS_MAX + 2];
	size_t i, o = 0;
	bool added = false;
	int r;

	if (colon != NULL && strncmp(colon, ":2,", 3) != 0)
		return 0;
	if (strchr(m->flags, 'S') != NULL)
		return 0;
	for (i = 0; m->flags[i] != '\0' && o < MAILDIR_LIST_FLAGS_MAX; i++) {
		if (!added && m->flags[i] > 'S') {
			flags[o++] = 'S';
			added = true;
		}
		flags[o++] = m->flags[i];
	}
	if (!added)
		flags[o++] = 'S';
	flags[o] = '\0';
	r = snprintf(out, outlen, "%.*s:2,%s", (int)keep, m->name, flags);
	return r < 0 || (size_t)r >= outlen ? -1 : 1;
}

static int
mailbox_fsync_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
	    (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
mailbox_update(struct mailbox *mb, size_t *deleted_r, const char **error_r)
{
	char path[PATH_MAX], name[MAILDIR_NAME_MAX_BYTES + 1], to[PATH_MAX];
	bool failed = false, changed_new = false, changed_cur = false;
	size_t i;

	*deleted_r = 0;
	for (i = 0; i < mb->n; i++) {
		struct maildir_msg *m = mb->msgs[i];

		if (maildir_list_path(mb->dir, m, path, sizeof(path)) < 0)
			continue;
		if (mb->state[i] & MAILBOX_DELETED) {
			if (unlink(path) == 0 || errno == ENOENT) {
				(*deleted_r)++;
				changed_new |= !m->in_cur;
				changed_cur |= m->in_cur;
			} else {
				failed = true;
			}
		} else if (mb->state[i] & MAILBOX_RETRIEVED) {
			/* \Seen is a courtesy: a failure loses no mail */
			if (mailbox_seen_name(m, name, sizeof(name)) == 1 &&
			    snprintf(to, sizeof(to), "%s/cur/%s", mb->dir,
				     name) < (int)sizeof(to) &&
			    rename(path, to) == 0) {
				changed_new |= !m->in_cur;
				changed_cur = true;
			}
		}
	}
	/* The deletions must be durable before we say +OK to QUIT: the
	 * client deletes its knowledge of them after it. */
	if (changed_new && mailbox_fsync_dir(mb->dir, "new") < 0)
		failed = true;
	if (changed_cur && mailbox_fsync_dir(mb->dir, "cur") < 0)
		failed = true;
	if (failed) {
		*error_r = "some deleted messages not removed";
		return -1;
	}
	return 0;
}

void
mailbox_close(struct mailbox *mb)
{
	maildir_list_free(&mb->list);
	free(mb->msgs);
	free(mb->state);
	mb->msgs = NULL;
	mb->state = NULL;
	mb->n = 0;
	if (mb->lock_fd >= 0) {
		close(mb->lock_fd); /* releases the flock */
		mb->lock_fd = -1;
	}
}
