/*
 * dotlock.h -- an NFS-safe lock file made with link(2): a unique file
 * "<lock>.<host>.<pid>" holding "<pid> <host>\n" is linked to the lock
 * name, and success is judged by its link count (NFS may lose the reply
 * to a link that worked). Used by lib/uidlist.c for the per-folder UID
 * list; any writer of a shared file in a Maildir may use it.
 *
 * A lock is stale, and broken by the next taker, when its holder is a
 * dead process on this host or when it is older than the stale limit
 * given by the caller (a holder elsewhere cannot be checked).
 *
 * Ownership: the caller keeps the struct dotlock_id filled by
 * dotlock_take() and passes it back to dotlock_release(), which removes
 * the lock only if it is still the very file we created (someone may
 * have broken ours as stale meanwhile).
 * Return convention: 0 / -1 with *error_r (static text) and errno
 * (EWOULDBLOCK after waiting in vain).
 *
 * SECURITY: every file is created with O_EXCL | O_NOFOLLOW and mode 0600;
 * only the lock inode we looked at is ever unlinked as stale.
 */
#ifndef QUAIL_DOTLOCK_H
#define QUAIL_DOTLOCK_H

#include <sys/types.h>
#include <time.h>

/* Polling interval while another process holds the lock. */
#define DOTLOCK_POLL_MSECS 20

/* The identity of a lock file we created (inode numbers get reused, so
 * the modification time is part of it). */
struct dotlock_id {
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
};

/* Takes the lock at path, waiting up to wait_secs for another holder and
 * breaking a lock that is stale (see above; stale_secs > 0). */
int dotlock_take(const char *path, unsigned wait_secs, unsigned stale_secs,
		 struct dotlock_id *id_r, const char **error_r);

/* Removes the lock at path if it is still the file described by id. */
void dotlock_release(const char *path, const struct dotlock_id *id);

#endif
