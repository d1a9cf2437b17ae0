/*
 * local.c -- quail-deliver: local delivery of one message to one recipient
 * (quail-deliver(8)). Usage: quail-deliver [-C dir] -f sender [-q qid] rcpt,
 * message with LF line ends on stdin.
 *
 * Resolves the recipient with rcpt_lookup(), checks the header for loops
 * (a Delivered-To: equal to the recipient, or more than LOCAL_MAX_HOPS
 * Received: fields, RFC 5321 6.3) and hands over to local_maildir.c or
 * local_alias.c. Exit 0 delivered, 100 permanent, 111 temporary; the one
 * line on stdout says why ("5.1.1 unknown user", "4.3.0 ...").
 *
 * SECURITY: started by quail-send (as root through its launcher when
 * installed). Nothing here touches a Maildir: privileges are dropped in
 * local_maildir.c / local_alias.c before that. The message is untrusted:
 * only the header section (bounded) is parsed, with lib/hdr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "exitcode.h"
#include "hdr.h"
#include "log.h"
#include "local.h"

void
local_finish(const struct local_delivery *d, int code, const char *fmt, ...)
{
	char msg[1024], rcpt[ADDR_PATH_MAX_BYTES * 4 + 8];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i] != '\0'; i++) {
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	}
	log_safe(rcpt, sizeof(rcpt), d->recipient, strlen(d->recipient));
	log_msg(code == 0 ? LOG_INFO : LOG_WARNING, "qid=%s rcpt=%s status=%s %s",
		d->qid, rcpt, code == 0 ? "delivered" : code == EXIT_PERM ?
		"failed" : "deferred", msg);
	printf("%s\n", msg);
	if (fflush(stdout) != 0 && code == 0)
		code = EXIT_TEMP; /* nobody learnt of the success: let it retry */
	/* A child of quail-send's launcher: none of quail-send's exit-time
	 * work (stdio, atexit, sanitizer reports) belongs to this process. */
	if (d->no_exit_handlers)
		_exit(code);
	exit(code);
}

/* True once head holds the whole header section (the empty line). */
static bool
head_complete(const struct buf *h)
{
	if (h->len == 0)
		return false;
	if (h->data[0] == '\n' || (h->len >= 2 && memcmp(h->data, "\r\n", 2) == 0))
		return true;
	return memmem(h->data, h->len, "\n\n", 2) != NULL ||
	       memmem(h->data, h->len, "\n\r\n", 3) != NULL;
}

/* Reads stdin until the header section is complete, EOF, or the limit. */
static void
read_head(struct local_delivery *d)
{
	char chunk[16384];
	ssize_t r;

	while (!head_complete(&d->head) && d->head.len < LOCAL_HEADER_MAX_BYTES) {
		size_t want = LOCAL_HEADER_MAX_BYTES - d->head.len;

		r = read(d->in_fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			local_finish(d, EXIT_TEMP, "4.3.0 cannot read the message: %s",
				     strerror(errno));
		if (r == 0)
			break;
		if (buf_append(&d->head, chunk, (size_t)r) < 0)
			local_finish(d, EXIT_TEMP, "4.3.0 out of memory");
	}
}

/* Delivered-To value equal to the recipient (trimmed, <> optional). */
static bool
delivered_to_is(const struct hdr_field *f, const char *rcpt)
{
	const char *v = f->value;
	size_t n = f->value_len, rlen = strlen(rcpt);

	while (n > 0 && (v[0] == ' ' || v[0] == '\t' || v[0] == '\r' || v[0] == '\n')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
			 v[n - 1] == '\n'))
		n--;
	if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
		v++;
		n -= 2;
	}
	return n == rlen && strncasecmp(v, rcpt, n) == 0;
}

/* RFC 5321 6.3 loop detection over the header held in d->head. */
static void
check_loops(struct local_delivery *d)
{
	size_t len = hdr_section_len(d->head.data, d->head.len), pos = 0;
	struct hdr_field f;
	unsigned hops = 0;
	int ret;

	while ((ret = hdr_next_field(d->head.data, len, &pos, &f)) != 0) {
		if (ret < 0)
			continue;
		if (hdr_name_is(&f, "Received")) {
			if (++hops > LOCAL_MAX_HOPS)
				local_finish(d, EXIT_PERM, "5.4.6 too many hops (more "
					     "than %d Received: fields)", LOCAL_MAX_HOPS);
		} else if (hdr_name_is(&f, "Delivered-To") &&
			   delivered_to_is(&f, d->recipient)) {
			local_finish(d, EXIT_PERM, "5.4.6 mail forwarding loop for %s",
				     d->recipient);
		}
	}
}

int
local_copy_body(struct local_delivery *d, local_sink_fn *fn, void *ctx,
		bool *read_error_r)
{
	char chunk[65536];
	ssize_t r;

	*read_error_r = false;
	if (d->head.len > 0 && fn(ctx, d->head.data, d->head.len) < 0)
		return -1;
	for (;;) {
		r = read(d->in_fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*read_error_r = true;
			return -1;
		}
		if (r == 0)
			return 0;
		if (fn(ctx, chunk, (size_t)r) < 0)
			return -1;
	}
}

/* The envelope sender: "" or "<>" is the null sender; no control bytes. */
static void
set_sender(struct local_delivery *d, const char *s)
{
	size_t n = strlen(s), i;

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n >= sizeof(d->sender))
		local_finish(d, EXIT_PERM, "5.1.7 sender address too long");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
			local_finish(d, EXIT_PERM, "5.1.7 invalid sender address");
	}
	memcpy(d->sender, s, n);
	d->sender[n] = '\0';
}

static void
set_recipient(struct local_delivery *d, const char *s)
{
	struct addr a;
	const char *err = NULL;

	if (addr_parse_mailbox(s, strlen(s), ADDR_UTF8, &a, &err) < 0 || a.at >= a.len) {
		snprintf(d->recipient, sizeof(d->recipient), "%.*s",
			 (int)(sizeof(d->recipient) - 1), s);
		local_finish(d, EXIT_PERM, "5.1.3 bad recipient address: %s",
			     err != NULL ? err : "no domain");
	}
	memcpy(d->recipient, a.str, a.len + 1);
	d->domain = d->recipient + a.at + 1;
}

/* Queue ids go into every log line: [A-Za-z0-9._-], at most 64 bytes. */
static bool
qid_ok(const char *q)
{
	size_t i;

	for (i = 0; q[i] != '\0'; i++) {
		char c = q[i];

		if (i >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return i > 0;
}

void
local_init(struct local_delivery *d, const char *sender, const char *qid,
	   const char *rcpt)
{
	d->qid = qid != NULL && qid_ok(qid) ? qid : "-";
	d->in_fd = 0;
	buf_init(&d->head, LOCAL_HEADER_MAX_BYTES + 1);
	rcpt_info_init(&d->rcpt);
	set_recipient(d, rcpt);
	set_sender(d, sender);
}

bool
local_qid_ok(const char *qid)
{
	return qid_ok(qid);
}

void
local_run(struct local_delivery *d)
{
	const char *err = NULL;
	int ret;

	if (geteuid() != 0)
		log_msg(LOG_INFO, "qid=%s running unprivileged as uid %lu", d->qid,
			(unsigned long)geteuid());
	ret = rcpt_lookup(&d->conf, d->recipient, &d->rcpt, &err);
	if (ret < 0)
		local_finish(d, EXIT_TEMP, "4.3.0 recipient lookup failed: %s", err);
	if (ret == 0 || d->rcpt.kind == RCPT_UNKNOWN)
		local_finish(d, EXIT_PERM, "5.1.1 unknown user: %s", d->recipient);
	read_head(d);
	check_loops(d);
	if (d->rcpt.kind == RCPT_ALIAS)
		local_forward(d);
	local_deliver_maildir(d);
}
