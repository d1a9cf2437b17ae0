/*
 * qfile.h -- the queue file format (mail-queue(7)) and the submission
 * envelope of quail-queue (qsubmit.h).
 *
 * A queue file mess/<id> is one file: text records, one per line, each a
 * type byte followed by its value and LF, then the message bytes:
 *
 *   V1            format version, always the first record
 *   I<id>         queue id
 *   T<secs>       arrival time (seconds since the epoch, UTC)
 *   F<sender>     envelope sender, empty for the null sender <>
 *   A<user>       optional: the authenticated submitter
 *   R<rcpt>       one per recipient, in order (the index is the order)
 *   S<bytes>      size of the message that follows END
 *   E             END of the envelope; exactly S message bytes follow
 *
 * Readers reject unknown types, duplicates, a missing END and a file whose
 * size disagrees with S (truncation). The submission envelope on
 * quail-queue's fd 1 uses the same record syntax: F, optional A, R..., E.
 *
 * SECURITY: the parsers are pure functions over (ptr, len) with named
 * limits; no NUL termination assumed; every value is checked on write and
 * on read: no control characters, addresses through addr_parse_mailbox,
 * ids uppercase hex only (they become path names).
 *
 * Memory: struct qfile_env owns its recipient array; qfile_env_free.
 * Return convention: 0 / -1 with a static message in *error_r, or the
 * tri-state documented at each parser.
 */
#ifndef QUAIL_QFILE_H
#define QUAIL_QFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "addr.h"
#include "buf.h"

#define QFILE_VERSION 1
#define QFILE_ID_MAX_BYTES 32           /* 8 + 5 + 16 hex digits fit */
#define QFILE_ID_MIN_BYTES 8
#define QFILE_LINE_MAX_BYTES 1024       /* one record, type and LF included */
#define QFILE_AUTH_MAX_BYTES 255        /* A record value */
#define QFILE_RCPTS_MAX 10000           /* recipients per message */
/* Envelope bound: every record at its longest. */
#define QFILE_ENV_MAX_BYTES ((size_t)(QFILE_RCPTS_MAX + 8) * QFILE_LINE_MAX_BYTES)

struct qfile_env {
	char id[QFILE_ID_MAX_BYTES + 1];
	long long arrival;                      /* T: epoch seconds */
	char sender[ADDR_PATH_MAX_BYTES + 1];   /* "" = null sender */
	char auth[QFILE_AUTH_MAX_BYTES + 1];
	bool has_auth;
	char **rcpts;                           /* canonical addresses */
	size_t n_rcpts;
	size_t cap_rcpts;
	unsigned long long msg_bytes;           /* S */
	size_t msg_offset;                      /* set by the parsers: bytes used */
};

void qfile_env_init(struct qfile_env *e);
void qfile_env_free(struct qfile_env *e);

/* Validators. An id is QFILE_ID_MIN..MAX_BYTES of [0-9A-F]. */
bool qfile_valid_id(const char *s, size_t len);
/* Sender: "" or a mailbox with a domain. Canonical form into out
 * (ADDR_PATH_MAX_BYTES + 1). 0 / -1. */
int qfile_check_sender(const char *s, size_t len, char *out, const char **error_r);
/* Recipient: a mailbox with a domain (UTF-8 allowed). Canonical form into
 * out (ADDR_PATH_MAX_BYTES + 1). 0 / -1. */
int qfile_check_rcpt(const char *s, size_t len, char *out, const char **error_r);
/* Auth user: 1..QFILE_AUTH_MAX_BYTES bytes, no control characters. */
bool qfile_valid_auth(const char *s, size_t len);

/* Builds an id: 8 hex digits of sec, 5 of usec, then the inode in hex.
 * Unique while the file with that inode exists (it does: the id is made
 * from the queue file's own inode). 0, or -1 if out is too small. */
int qfile_make_id(time_t sec, long usec, ino_t ino, char *out, size_t outlen);

/* Sets sender (validated, canonicalised). 0 / -1. */
int qfile_env_set_sender(struct qfile_env *e, const char *s, size_t len,
			 const char **error_r);
/* Appends a recipient (validated, canonicalised; at most QFILE_RCPTS_MAX). */
int qfile_env_add_rcpt(struct qfile_env *e, const char *s, size_t len,
		       const char **error_r);

/* Appends the envelope records V..E of e to out, validating every field
 * again (a bad envelope is never written). 0 / -1. */
int qfile_format(const struct qfile_env *e, struct buf *out, const char **error_r);

/* Parses the envelope at the start of a queue file held in p[0..len).
 * Returns 1 complete (e filled, e->msg_offset = bytes up to and including
 * END), 0 END not seen yet and more input could complete it, -1 malformed
 * (also: envelope longer than QFILE_ENV_MAX_BYTES). e must be initialised;
 * it is reset first. */
int qfile_parse(const char *p, size_t len, struct qfile_env *e, const char **error_r);

/* Reads the envelope of an open queue file (pread from offset 0; the file
 * offset is not used) and checks that the file holds exactly msg_bytes
 * after END. 0 / -1 (errno EIO-like failures and format errors alike). */
int qfile_read(int fd, struct qfile_env *e, const char **error_r);

/* Parses the submission envelope ("F<sender>\n" ["A<user>\n"] "R<rcpt>\n"...
 * "E\n") from p[0..len). Same tri-state as qfile_parse; on 1, *used_r is
 * the byte count through "E\n". Sender and recipients are canonicalised. */
int qfile_parse_submission(const char *p, size_t len, struct qfile_env *e,
			   size_t *used_r, const char **error_r);

#endif
