/*
 * session.h -- internal state of one quail-smtpd session, shared by
 * session.c (loop, replies, error counting), cmd.c (command table and
 * handlers) and data.c (the DATA phase).
 *
 * Memory: struct session lives on smtpd_run()'s stack; the recipient list
 * and the line buffer are heap-allocated and released by session_free().
 * Return convention of handlers: 0 continue, -1 end the session (QUIT,
 * 421, lost connection).
 */
#ifndef QUAIL_SMTPD_SESSION_H
#define QUAIL_SMTPD_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "buf.h"
#include "io.h"
#include "login.h"
#include "qsubmit.h"
#include "smtpd.h"
#include "tls.h"

/* RFC 5321 4.5.3.1.4 says at least 512; Postfix and STYLE.md use 2048. */
#define SMTPD_CMD_MAX_BYTES 2048
/* Messages with more Received: fields are a loop (RFC 5321 6.3). */
#define SMTPD_HOPS_MAX 100
/* Longest HELO/EHLO argument kept (a domain is at most 255 octets). */
#define SMTPD_HELO_MAX_BYTES 255
/* Session ids: hex time + usec + pid, well under this. */
#define SMTPD_SESSION_ID_MAX 32
/* One reply line, without CRLF (RFC 5321 4.5.3.1.5 says 512). */
#define SMTPD_REPLY_MAX_BYTES 512
/* One line of an AUTH exchange, CRLF included (STYLE.md, Dovecot's
 * limit): enough for any PLAIN response of lib/sasl.h's sizes. */
#define SMTPD_AUTH_LINE_MAX_BYTES 8192
/* Submission (-s) holds the header section until its end to add Date:
 * and Message-ID: there; a longer header section is refused (552). */
#define SMTPD_SUBMIT_HDR_MAX_BYTES (1024 * 1024)
/* MAIL FROM AUTH=<...> value kept (RFC 4954 5: an xtext mailbox). */
#define SMTPD_MAIL_AUTH_MAX_BYTES 512

/* The protocol states; each command lists the ones it is valid in. */
enum smtpd_state {
	SMTPD_STATE_GREETED = 0x1, /* 220 sent, no HELO/EHLO yet */
	SMTPD_STATE_HELO = 0x2,    /* HELO/EHLO done, no transaction */
	SMTPD_STATE_MAIL = 0x4,    /* MAIL accepted, no recipient yet */
	SMTPD_STATE_RCPT = 0x8,    /* at least one recipient accepted */
};
#define SMTPD_STATE_ANY (SMTPD_STATE_GREETED | SMTPD_STATE_HELO | \
			 SMTPD_STATE_MAIL | SMTPD_STATE_RCPT)

enum smtpd_body {
	SMTPD_BODY_NONE = 0,  /* no BODY= parameter */
	SMTPD_BODY_7BIT,
	SMTPD_BODY_8BITMIME,
};

struct session {
	const struct smtpd_env *env;
	const struct conf *conf;
	struct io io;
	enum smtpd_state state;
	char id[SMTPD_SESSION_ID_MAX];          /* session id (logs, Received) */
	char helo[SMTPD_HELO_MAX_BYTES + 1];    /* validated HELO/EHLO argument */
	bool esmtp;                             /* EHLO (not HELO) was used */
	unsigned errors;                        /* protocol errors so far */
	bool done;                              /* end the session after this reply */
	struct tls_conn *tls;                   /* TLS is on (STARTTLS or -t) */
	bool authenticated;                     /* AUTH succeeded */
	char auth_user[LOGIN_USER_MAX_BYTES + 1]; /* canonical login name */
	unsigned messages;                      /* messages queued (Message-ID) */

	/* The current transaction (reset by RSET, HELO/EHLO, after DATA). */
	struct addr sender;
	bool smtputf8;
	enum smtpd_body body;
	unsigned long declared_size;            /* SIZE=, 0 if absent */
	char mail_auth[SMTPD_MAIL_AUTH_MAX_BYTES + 1]; /* AUTH= of an authenticated client */
	char **rcpts;                           /* canonical addresses, owned */
	size_t n_rcpts;
	char queue_id[QSUBMIT_ID_MAX];          /* last queued id, for traces */

	struct buf line;                        /* the current command line */
};

/* Writes one reply line (CRLF appended), traced. The text must not
 * contain CR or LF. Returns 0, or -1 after a write error. */
int session_reply(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, for a reply caused by a client error: counts it; once the count
 * reaches error_limit, adds "421 ... too many errors" and sets s->done. */
int session_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sends 421 with the given enhanced code and text and sets s->done. */
void session_close_421(struct session *s, const char *enhanced, const char *text);
/* Ends the transaction: forgets sender and recipients. */
void session_reset_transaction(struct session *s);
/* Logs a trace line ("< text" or "> text") when tracing is on. */
void session_trace(struct session *s, char dir, const void *p, size_t len);
/* Runs the TLS handshake on the connection (after "220 Ready to start
 * TLS", or before the greeting with -t) and forgets everything learnt
 * before it (RFC 3207 4.2). 0, or -1 with s->done set. */
int session_start_tls(struct session *s);
/* Reads one client line of an AUTH exchange into line (max
 * SMTPD_AUTH_LINE_MAX_BYTES). 1 got it, 0 refused with a reply already
 * sent (too long, bad bytes), -1 the session is over (s->done). */
int session_auth_line(struct session *s, struct buf *line);

/* cmd.c: dispatches one command line (terminator stripped). */
void cmd_dispatch(struct session *s, const char *line, size_t len);

/* data.c: runs the DATA phase after the command was accepted in state
 * SMTPD_STATE_RCPT: 354, read, queue, final reply. */
void data_run(struct session *s);

#endif
