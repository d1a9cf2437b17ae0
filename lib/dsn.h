/*
 * dsn.h -- delivery status notifications (bounces), RFC 3464 / RFC 6522:
 * a multipart/report; report-type=delivery-status message with a text
 * part, a message/delivery-status part (per-recipient Final-Recipient,
 * Action: failed or delayed, Status, Remote-MTA for remote replies,
 * Diagnostic-Code) and the original header as text/rfc822-headers.
 * Written by quail-send, submitted with the null sender from
 * MAILER-DAEMON@<hostname>.
 *
 * Memory: dsn_build appends to a caller-owned struct buf; the struct dsn
 * only borrows its strings. Return convention: 0 / -1 with *error_r.
 */
#ifndef QUAIL_DSN_H
#define QUAIL_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

#define DSN_REASON_MAX_BYTES 512        /* a Diagnostic-Code is cut there */
#define DSN_HEADER_MAX_BYTES 65536      /* original header kept (cut at a line) */
#define DSN_STATUS_MAX_BYTES 16         /* "5.1.1" and the like, NUL included */

struct dsn_rcpt {
	const char *addr;       /* the failed recipient (canonical) */
	const char *status;     /* enhanced status code "5.x.y" / "4.x.y" */
	const char *reason;     /* the delivery agent's reason line */
	bool remote;            /* from quail-remote: a reason of the form
				 * "host[ip] said: 550 ..." becomes Remote-MTA
				 * and "Diagnostic-Code: smtp; 550 ..." */
};

struct dsn {
	const char *hostname;   /* Reporting-MTA and MAILER-DAEMON@hostname */
	const char *queue_id;   /* of the failed message */
	time_t arrival;         /* Arrival-Date */
	time_t now;             /* Date: and Last-Attempt-Date */
	const char *to;         /* who gets the report */
	const char *orig_sender; /* "" for the null sender */
	const struct dsn_rcpt *rcpts;
	size_t n_rcpts;
	const char *header;     /* the original header section (may be NULL) */
	size_t header_len;
	bool double_bounce;     /* a failure of a null-sender message */
	bool delayed;           /* a delay warning: Action: delayed */
	time_t retry_until;     /* delayed: Will-Retry-Until */
};

/* The header field that marks a double bounce (a report about an
 * undeliverable null-sender message, sent to the postmaster). It survives
 * alias forwarding, so when a message with the null sender that carries it
 * fails in turn, quail-send drops it instead of reporting again: without
 * it, a postmaster alias pointing to a failing address makes a loop of
 * double bounces (like Postfix's double-bounce sender, qmail's "#@[]"). */
#define DSN_DOUBLE_BOUNCE_FIELD "X-Quail-Double-Bounce"

/* Appends the complete report message (LF line ends) to out. A double
 * bounce carries DSN_DOUBLE_BOUNCE_FIELD. */
int dsn_build(const struct dsn *d, struct buf *out, const char **error_r);

/* Finds an enhanced status code ("5.1.1") in a reason line: at its start,
 * or as "#5.1.1" anywhere (the qmail convention). Otherwise the default
 * for the class: "5.0.0" (permanent) or "4.0.0". out has
 * DSN_STATUS_MAX_BYTES. A code of the wrong class is replaced by the
 * default (a permanent failure never reports 4.x.y unless expired). */
void dsn_status_from_reason(const char *reason, bool permanent, char *out,
			    size_t outlen);

/* Splits a quail-remote reason "host[ip] said: <reply>" (found anywhere
 * in reason, e.g. after "message expired ...: "): the host name (or the
 * ip when the name is empty) into mta (at most mtalen - 1 bytes), and
 * *reply_r points at the reply ("550 5.1.1 ...", three digits first).
 * false if reason has no such part. */
bool dsn_remote_reply(const char *reason, char *mta, size_t mtalen,
		      const char **reply_r);

/* True if the header section header[0..len) (it may run into the body:
 * scanning stops at the first empty line) has a DSN_DOUBLE_BOUNCE_FIELD
 * field (name matched without regard to case, at the start of a line). */
bool dsn_is_double_bounce(const char *header, size_t len);

/* Copies s into out as printable ASCII (others as '?'), at most
 * DSN_REASON_MAX_BYTES and outlen - 1 bytes. */
void dsn_sanitize(const char *s, char *out, size_t outlen);

#endif
