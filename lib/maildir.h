/*
 * maildir.h -- writing one message into a Maildir safely (the Maildir spec
 * by D. J. Bernstein; Dovecot's maildir-save): create tmp/<unique> with
 * O_EXCL, write, fsync, close (checked), rename into new/ (or cur/ with
 * flags, for IMAP APPEND), fsync the directory. Lock-free and NFS-safe.
 *
 * Unique names: "<sec>.M<usec>P<pid>Q<counter>.<host>" with '/' in the host
 * written as "\057" and ':' as "\072"; the final name in new/ gets
 * ",S=<size>,W=<size as CRLF>" appended (W = size + number of LF bytes:
 * the message is stored with LF line ends, IMAP clients see CRLF).
 *
 * Memory: struct maildir_delivery holds an fd and paths; after
 * maildir_open() succeeded, exactly one of maildir_commit() or
 * maildir_abort() must be called (commit failure aborts by itself).
 * Return convention: 0 ok, -1 error with errno kept and a message in
 * *error_r (static text). Every failure is temporary for mail delivery
 * (ENOSPC, EDQUOT, EIO, EACCES...): maildir_error_is_temporary() says so.
 * The caller runs as the mailbox owner: this module never changes ids.
 */
#ifndef QUAIL_MAILDIR_H
#define QUAIL_MAILDIR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define MAILDIR_NAME_MAX_BYTES 255   /* one file name (NAME_MAX) */
#define MAILDIR_HOST_MAX_BYTES 64    /* host part before escaping */
#define MAILDIR_CREATE_TRIES 8       /* O_EXCL collisions before giving up */
#define MAILDIR_MODE 0700            /* Maildir and tmp/new/cur */

struct maildir_delivery {
	int fd;                          /* tmp file, -1 when closed */
	char dir[PATH_MAX];              /* the Maildir */
	char base[MAILDIR_NAME_MAX_BYTES + 1];  /* unique name without S=/W= */
	char tmp_path[PATH_MAX];
	char final_path[PATH_MAX];       /* after commit */
	unsigned long long size;         /* bytes written */
	unsigned long long lf_count;     /* LF bytes written */
	int error;                       /* sticky errno of writes, 0 if none */
};

/* The unique base name for the given time/pid/counter/host into out.
 * Returns 0, or -1 if out is too small. Pure; exported for tests. */
int maildir_unique_name(char *out, size_t outlen, time_t sec, long usec,
			pid_t pid, unsigned long counter, const char *host);
/* Escapes a host name for a Maildir file name ('/' -> "\057", ':' ->
 * "\072", other bytes outside [A-Za-z0-9.-] -> "\ooo"); truncated at
 * MAILDIR_HOST_MAX_BYTES input bytes. 0 / -1 (out too small). */
int maildir_escape_host(const char *host, char *out, size_t outlen);

/* Creates path/{tmp,new,cur} (mode MAILDIR_MODE) if missing. Missing
 * parents are created with parent_mode when parent_mode != 0 (else ENOENT
 * is an error). An existing Maildir is left as is. 0 / -1. */
int maildir_create(const char *path, mode_t parent_mode, const char **error_r);

/* Starts a delivery into Maildir dir (which must exist; see
 * maildir_create): creates tmp/<unique>. 0 / -1. */
int maildir_open(struct maildir_delivery *d, const char *dir, const char **error_r);
/* Appends message bytes. Errors are sticky and reported by commit.
 * Returns 0, or -1 once a write failed. */
int maildir_write(struct maildir_delivery *d, const void *p, size_t n);
/* fsync, close, rename into new/<base>,S=..,W=.. (flags == NULL) or
 * cur/<base>,S=..,W=..:2,<flags> (IMAP APPEND), set the mtime when
 * mtime != 0 (IMAP INTERNALDATE), fsync the target directory. The final
 * path is in d->final_path. On failure the tmp file is removed. 0 / -1. */
int maildir_commit(struct maildir_delivery *d, const char *flags, time_t mtime,
		   const char **error_r);
/* Closes and unlinks the tmp file. Safe to call twice. */
void maildir_abort(struct maildir_delivery *d);

/* True for every errno: a Maildir failure never bounces mail (disk full,
 * quota, I/O, permissions are all "try later"). */
bool maildir_error_is_temporary(int err);

#endif
