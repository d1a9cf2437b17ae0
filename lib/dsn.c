/*
 * dsn.c -- builds RFC 3464 delivery status notifications (see dsn.h).
 *
 * Layout after Postfix's bounce(8) templates: a Received: trace field, a
 * human-readable part, the machine-readable message/delivery-status part
 * (RFC 3464 sections 2.2 and 2.3), and the original header as
 * text/rfc822-headers (RFC 6522),
 * never the body (no backscatter of content). A failure reported by
 * quail-remote ("mx[ip] said: 550 ...") gets Remote-MTA and an smtp
 * Diagnostic-Code; local ones x-unix, remote ones without a reply X-Quail.
 * A delay warning is the same report with Action: delayed and
 * Will-Retry-Until.
 *
 * SECURITY: reason lines come from delivery agents and may echo remote or
 * user-supplied text: they are cut and reduced to printable ASCII so that
 * they cannot add header fields or MIME boundaries. Addresses were
 * validated by qfile.c (no control characters). The original header is
 * copied as it is but cut at a line boundary and DSN_HEADER_MAX_BYTES.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "dsn.h"

void
dsn_sanitize(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return;
	for (; s != NULL && *s != '\0' && n + 1 < outlen && n < DSN_REASON_MAX_BYTES; s++) {
		unsigned char c = (unsigned char)*s;
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
}

/* Matches "d.ddd.ddd" at s; returns its length or 0. */
static size_t
status_len(const char *s)
{
	size_t i = 0, digits;

	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return 0;
	if (s[1] != '.')
		return 0;
	i = 2;
	for (int part = 0; part < 2; part++) {
		digits = 0;
		while (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			i++;
			digits++;
		}
		if (digits == 0)
			return 0;
		if (part == 0) {
			if (s[i] != '.')
				return 0;
			i++;
		}
	}
	/* A fourth digit or a further ".n" is not a status code. */
	if ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9'))
		return 0;
	return i;
}

void
dsn_status_from_reason(const char *reason, bool permanent, char *out, size_t outlen)
{
	const char *def = permanent ? "5.0.0" : "4.0.0";
	const char *p = NULL;
	size_t len = 0;

	if (reason != NULL) {
		if ((len = status_len(reason)) > 0) {
			p = reason;
		} else {
			for (const char *h = strchr(reason, '#'); h != NULL; h = strchr(h + 1, '#')) {
				if ((len = status_len(h + 1)) > 0) {
					p = h + 1;
					break;
				}
			}
		}
	}
	if (p == NULL || len >= DSN_STATUS_MAX_BYTES || p[0] != def[0]) {
		snprintf(out, outlen, "%s", def);
		return;
	}
	snprintf(out, outlen, "%.*s", (int)len, p);
}

/* The header section, cut at DSN_HEADER_MAX_BYTES on a line boundary. */
static size_t
header_cut(const char *h, size_t len)
{
	/* Stop at the empty line ending the header. */
	for (size_t i = 0; i < len; i++) {
		if (h[i] == '\n' && (i == 0 || h[i - 1] == '\n')) {
			len = i;
			break;
		}
	}
	if (len > DSN_HEADER_MAX_BYTES) {
		len = DSN_HEADER_MAX_BYTES;
		while (len > 0 && h[len - 1] != '\n')
			len--;
	}
	return len;
}

bool
dsn_is_double_bounce(const char *h, size_t len)
{
	static const char field[] = DSN_DOUBLE_BOUNCE_FIELD ":";
	const size_t flen = sizeof(field) - 1;
	size_t i = 0;

	if (h == NULL)
		return false;
	while (i < len) {
		const char *nl = memchr(h + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - h) : len;

		if (end == i || (end == i + 1 && h[i] == '\r'))
			return false;   /* the empty line: the body follows */
		if (end - i >= flen && strncasecmp(h + i, field, flen) == 0)
			return true;
		i = end + 1;
	}
	return false;
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

bool
dsn_remote_reply(const char *reason, char *mta, size_t mtalen, const char **reply_r)
{
	static const char said[] = "] said: ";
	const char *s = reason != NULL ? strstr(reason, said) : NULL;
	const char *reply, *open, *host;

	if (s == NULL || mtalen == 0)
		return false;
	reply = s + sizeof(said) - 1;
	if (!(reply[0] >= '2' && reply[0] <= '5' && reply[1] >= '0' && reply[1] <= '9'
	      && reply[2] >= '0' && reply[2] <= '9'))
		return false;
	for (open = s; open > reason && open[-1] != '[' && open[-1] != ' '; open--)
		;
	if (open == reason || open[-1] != '[')
		return false;
	open--;
	for (host = open; host > reason && host[-1] != ' '; host--)
		;
	const char *name = host, *end = open;
	if (host == open) {             /* no name: the address */
		name = open + 1;
		end = s;
	}
	size_t n = (size_t)(end - name);
	if (n == 0 || n >= mtalen)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		      || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':'
		      || c == '_'))
			return false;
	}
	memcpy(mta, name, n);
	mta[n] = '\0';
	*reply_r = reply;
	return true;
}

static int
build_text(const struct dsn *d, struct buf *out, const char *until)
{
	char reason[DSN_REASON_MAX_BYTES + 1];
	int rc = 0;

	rc |= buf_printf(out, "This is the mail system at host %s.\n\n", d->hostname);
	if (d->delayed)
		rc |= buf_printf(out, "####################################################\n"
				 "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND #\n"
				 "# YOUR MESSAGE.                                      #\n"
				 "####################################################\n\n"
				 "Your message could not be delivered yet to one or more\n"
				 "recipients. It will be retried until %s.\n"
				 "Its header is attached below.\n\n", until);
	else if (d->double_bounce)
		rc |= buf_printf(out, "A message with the null sender (a bounce or other\n"
				 "notification, queue id %s) could not be delivered.\n"
				 "There is no sender to return it to, so this report goes\n"
				 "to the postmaster.\n\n", d->queue_id);
	else
		rc |= buf_append_str(out, "I'm sorry to have to inform you that your message could not\n"
				     "be delivered to one or more recipients. Its header is\n"
				     "attached below.\n\n");
	for (size_t i = 0; i < d->n_rcpts; i++) {
		dsn_sanitize(d->rcpts[i].reason, reason, sizeof(reason));
		rc |= buf_printf(out, "<%s>: %s\n", d->rcpts[i].addr, reason);
	}
	return rc;
}

static int
build_status(const struct dsn *d, struct buf *out, const char *arrival,
	     const char *now, const char *until)
{
	char reason[DSN_REASON_MAX_BYTES + 1];
	char mta[DSN_REASON_MAX_BYTES + 1];
	const char *reply;
	int rc = 0;

	rc |= buf_printf(out, "Reporting-MTA: dns; %s\nX-Quail-Queue-ID: %s\n",
			 d->hostname, d->queue_id);
	if (d->orig_sender[0] != '\0')
		rc |= buf_printf(out, "X-Original-Envelope-From: %s\n", d->orig_sender);
	rc |= buf_printf(out, "Arrival-Date: %s\n", arrival);
	for (size_t i = 0; i < d->n_rcpts; i++) {
		const struct dsn_rcpt *r = &d->rcpts[i];
		dsn_sanitize(r->reason, reason, sizeof(reason));
		/* RFC 6533: utf-8 address type for internationalised ones. */
		rc |= buf_printf(out, "\nFinal-Recipient: %s; %s\nAction: %s\n"
				 "Status: %s\n",
				 is_ascii(r->addr) ? "rfc822" : "utf-8", r->addr,
				 d->delayed ? "delayed" : "failed", r->status);
		if (!r->remote)
			rc |= buf_printf(out, "Diagnostic-Code: x-unix; %s\n", reason);
		else if (dsn_remote_reply(reason, mta, sizeof(mta), &reply))
			rc |= buf_printf(out, "Remote-MTA: dns; %s\n"
					 "Diagnostic-Code: smtp; %s\n", mta, reply);
		else
			rc |= buf_printf(out, "Diagnostic-Code: X-Quail; %s\n", reason);
		rc |= buf_printf(out, "Last-Attempt-Date: %s\n", now);
		if (d->delayed)
			rc |= buf_printf(out, "Will-Retry-Until: %s\n", until);
	}
	return rc;
}

int
dsn_build(const struct dsn *d, struct buf *out, const char **error_r)
{
	char arrival[DATE_RFC5322_MAX], now[DATE_RFC5322_MAX];
	char until[DATE_RFC5322_MAX] = "";
	char boundary[160];
	bool global = false;
	int rc = 0;

	if (date_rfc5322(d->arrival, arrival, sizeof(arrival)) < 0
	    || date_rfc5322(d->now, now, sizeof(now)) < 0
	    || (d->delayed && date_rfc5322(d->retry_until, until, sizeof(until)) < 0)) {
		*error_r = "cannot format date";
		return -1;
	}
	for (size_t i = 0; i < d->n_rcpts; i++)
		if (!is_ascii(d->rcpts[i].addr))
			global = true;
	snprintf(boundary, sizeof(boundary), "%s.%lld/%s", d->queue_id,
		 (long long)d->now, d->hostname);
	/* Trace field (RFC 5321 4.4): the report starts a new message here,
	 * and hop counting sees it as one more hop. */
	rc |= buf_printf(out, "Received: by %s (quail-send, report on queue id "
			 "%s);\n\t%s\n", d->hostname, d->queue_id, now);
	rc |= buf_printf(out, "From: Mail Delivery System <MAILER-DAEMON@%s>\n"
			 "To: <%s>\n"
			 "Subject: %s\n"
			 "Date: %s\n"
			 "Message-ID: <%s.%lld.dsn@%s>\n"
			 "Auto-Submitted: auto-replied\n"
			 "%s"
			 "MIME-Version: 1.0\n"
			 "Content-Type: multipart/report; report-type=delivery-status;\n"
			 "\tboundary=\"%s\"\n\n"
			 "This is a MIME-encapsulated message.\n\n",
			 d->hostname, d->to,
			 d->delayed ? "Delayed Mail (still being retried)"
			 : d->double_bounce ? "Postmaster notify: undeliverable bounce"
			 : "Undelivered Mail Returned to Sender",
			 now, d->queue_id, (long long)d->now, d->hostname,
			 d->double_bounce ? DSN_DOUBLE_BOUNCE_FIELD ": yes\n" : "",
			 boundary);
	rc |= buf_printf(out, "--%s\nContent-Description: Notification\n"
			 "Content-Type: text/plain; charset=%s\n\n", boundary,
			 global ? "utf-8" : "us-ascii");
	rc |= build_text(d, out, until);
	rc |= buf_printf(out, "\n--%s\nContent-Description: Delivery report\n"
			 "Content-Type: message/%sdelivery-status\n\n", boundary,
			 global ? "global-" : "");
	rc |= build_status(d, out, arrival, now, until);
	rc |= buf_printf(out, "\n--%s\nContent-Description: Undelivered Message Headers\n"
			 "Content-Type: text/rfc822-headers\n\n", boundary);
	if (d->header != NULL) {
		size_t hl = header_cut(d->header, d->header_len);
		rc |= buf_append(out, d->header, hl);
		if (hl > 0 && d->header[hl - 1] != '\n')
			rc |= buf_putc(out, '\n');
	}
	rc |= buf_printf(out, "\n--%s--\n", boundary);
	if (rc != 0) {
		*error_r = "out of memory";
		return -1;
	}
	return 0;
}
