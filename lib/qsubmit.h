/*
 * qsubmit.h -- the client side of quail-queue: how quail-smtpd, quail-deliver
 * (alias forwarding, bounces) and quail-inject put a message into the queue.
 *
 * quail-queue is exec'd as <libexec_dir>/quail-queue -C <confdir> with
 *   fd 0: a pipe carrying the message (LF line ends, caller's headers such as
 *         Received: already prepended), read to EOF;
 *   fd 1: a socketpair: after fd 0's EOF quail-queue reads the envelope from
 *         it ("F<sender>\n", optional "A<auth-user>\n", one "R<rcpt>\n" per
 *         recipient, "E\n"), and when the message is durably in the queue
 *         answers "K<id>\n" on the same socket and exits 0. On failure it
 *         answers "Z<reason>\n" (temporary, exit 111) or "D<reason>\n"
 *         (permanent, exit 100) when it can. A full disk or quota ends
 *         the Z reason with "(#4.3.1)".
 * A message whose envelope never arrives (caller aborted) is not queued.
 * See mail-queue(7).
 *
 * SIGPIPE must be ignored by the caller (quail-queue may die early).
 */
#ifndef QUAIL_QSUBMIT_H
#define QUAIL_QSUBMIT_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

#define QSUBMIT_ID_MAX 64
#define QSUBMIT_OBUF_BYTES 16384

struct qsubmit {
	pid_t pid;
	int msg_fd;     /* write end of the message pipe */
	int env_fd;     /* our end of the envelope socketpair */
	int error;      /* sticky errno of message writes */
	size_t olen;
	unsigned long long bytes;
	unsigned char obuf[QSUBMIT_OBUF_BYTES];
};

/* Starts quail-queue. 0, or -1 (temporary) with *error_r. */
int qsubmit_start(struct qsubmit *q, const struct conf *c, const char **error_r);
/* Message bytes (buffered). 0, or -1 if quail-queue went away. */
int qsubmit_write(struct qsubmit *q, const void *p, size_t n);
/* Ends the message, sends the envelope, waits for quail-queue.
 * sender "" is the null sender; auth may be NULL.
 * Returns 0 queued (*id_r filled), -1 temporary failure, -2 permanent,
 * with the reason in *error_r (static storage). */
int qsubmit_finish(struct qsubmit *q, const char *sender, const char *const *rcpts,
		   size_t n_rcpts, const char *auth, char *id_r, size_t idlen,
		   const char **error_r);
/* Kills and reaps quail-queue: nothing gets queued. Safe to call twice. */
void qsubmit_abort(struct qsubmit *q);

#endif
