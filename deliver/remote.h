/*
 * remote.h -- internals shared by the files of quail-remote, the outbound
 * SMTP client (quail-remote(8)): remote.c (command line, message input,
 * routing, the result records) and remote_smtp.c (one SMTP session).
 *
 * Memory: one static struct remote per run owns everything.
 */
#ifndef QUAIL_DELIVER_REMOTE_H
#define QUAIL_DELIVER_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "dns.h"
#include "smtp_reply.h"
#include "tls.h"

/* Recipients per run (quail-send sends at most 100). */
#define REMOTE_RCPTS_MAX 1000
/* Text of one result record: quail-send reads lines of about 1100 bytes. */
#define REMOTE_TEXT_MAX_BYTES 900
/* Waiting for the reply to the final dot (RFC 5321 4.5.3.2.6: 10 min). */
#define REMOTE_DATA_END_TIMEOUT_SECS 600
/* Waiting for the reply to QUIT: it changes nothing, so be brief. */
#define REMOTE_QUIT_TIMEOUT_SECS 10
/* The whole run, all hosts included: well below quail-send's limit
 * (SEND_REMOTE_TIMEOUT_SECS, one hour) so results are always reported. */
#define REMOTE_RUN_MAX_SECS 3000
/* Message held in memory (it is sent again to each host tried). */
#define REMOTE_MESSAGE_MAX_BYTES (1024UL * 1024 * 1024)
/* Addresses tried per run, all hosts together. */
#define REMOTE_ATTEMPTS_MAX 20

enum remote_status {
	REMOTE_PENDING = 0,     /* no final answer yet: reported as Z */
	REMOTE_SENT,            /* K */
	REMOTE_FAILED,          /* D */
};

struct remote_rcpt {
	const char *addr;               /* from argv */
	enum remote_status status;
	bool accepted;                  /* RCPT got 2xx in this session */
	char enhanced[SMTP_REPLY_ENHANCED_MAX_BYTES];
	char text[REMOTE_TEXT_MAX_BYTES];       /* last result or error */
	char relay[DNS_NAME_MAX_BYTES + 64];    /* "host[ip]" that answered */
};

struct remote {
	struct conf conf;
	const char *qid;                /* "-" if none */
	char sender[ADDR_PATH_MAX_BYTES + 1];   /* "" = null sender */
	const char *domain;
	struct remote_rcpt *rcpts;
	size_t n_rcpts;
	struct buf msg;                 /* the message, LF line ends, no CR */
	unsigned long long crlf_size;   /* its size with CRLF (SIZE=) */
	bool eightbit;                  /* a byte >= 0x80 occurs */
	struct tls_client *tls;         /* made on first use */
	bool tls_failed;                /* tls_client_new failed once */
	time_t deadline;                /* end of the run (REMOTE_RUN_MAX_SECS) */
	char summary[REMOTE_TEXT_MAX_BYTES];    /* the "s" line text */
	char peer[DNS_NAME_MAX_BYTES + 64];     /* "host[ip]" being tried */
};

/* What a session attempt tells the host loop. */
enum remote_next {
	REMOTE_NEXT_HOST,       /* try the next address/host (temporary trouble) */
	REMOTE_NEXT_PLAIN,      /* TLS failed in "may" mode: same address, no TLS */
	REMOTE_NEXT_DONE,       /* the transaction happened or was refused */
};

/* One SMTP session with addr:port (host names it: SNI, texts). Updates
 * the pending recipients' status and texts. */
enum remote_next remote_smtp_session(struct remote *rm, const char *host,
				     const struct dns_addr *addr, unsigned port,
				     bool allow_tls);

/* Sets the text (and status unless it stays pending) of every pending
 * recipient: "permanent" makes them REMOTE_FAILED. Their relay becomes
 * rm->peer (the host being tried, if any). */
void remote_set_pending(struct remote *rm, bool permanent, const char *enhanced,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets one recipient's result. */
void remote_set_rcpt(struct remote_rcpt *r, enum remote_status status,
		     const char *enhanced, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The number of recipients still pending. */
size_t remote_n_pending(const struct remote *rm);

#endif
