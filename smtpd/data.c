/*
 * data.c -- the DATA phase of quail-smtpd (RFC 5321 4.1.1.4, 4.5.2, 4.4,
 * 6.3): start quail-queue, answer 354, stream the decoded message into it
 * behind our Received: line, then give the one final reply.
 *
 * SECURITY: the message is never buffered whole: each read is decoded
 * (lib/dot.c: un-dot-stuffing, CRLF -> LF) and written on to quail-queue.
 * Data ends only on CRLF.CRLF; a bare LF or bare CR anywhere rejects the
 * message after the real end (SMTP smuggling), so nothing a client hides
 * behind "\n.\n" is ever queued. Messages over message_size_limit are read
 * to the end and refused with 552; more than SMTPD_HOPS_MAX Received:
 * fields is a loop (554 5.4.6). The client only hears 250 after
 * qsubmit_finish() reported the message durably queued.
 * Submission (-s, RFC 6409 8.2, 8.3): the header section is held (at most
 * SMTPD_SUBMIT_HDR_MAX_BYTES, else 552) so that a missing Date: or
 * Message-ID: can be added at its end; the body is still streamed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "dot.h"
#include "hdr.h"
#include "log.h"
#include "qsubmit.h"
#include "session.h"

/* Our Received: line; sized for a 255-byte HELO, rDNS name and host. */
#define DATA_RECEIVED_MAX_BYTES 2048

struct data_ctx {
	struct qsubmit q;
	bool queue_alive;               /* quail-queue running, not aborted */
	bool too_big;                   /* message_size_limit exceeded */
	bool write_failed;              /* quail-queue stopped reading */
	unsigned long long size;        /* message size with CRLF line ends */
	unsigned long long bytes;       /* bytes handed to quail-queue */
	struct dot_decoder dot;
	struct hdr_scan hdr;
	bool hold_header;               /* submission: header not yet passed on */
	bool header_too_big;            /* over SMTPD_SUBMIT_HDR_MAX_BYTES */
	struct buf header;              /* the held header section */
};

/* "with" of the Received: line, RFC 3848: ESMTP, plus S for TLS and A
 * for an authenticated client (ESMTPSA); UTF8SMTP likewise (RFC 6531). */
static void data_protocol(const struct session *s, char *out, size_t outlen)
{
	const char *base = s->smtputf8 ? "UTF8SMTP" : "ESMTP";

	if (!s->smtputf8 && !s->esmtp && s->tls == NULL && !s->authenticated)
		base = "SMTP";
	snprintf(out, outlen, "%s%s%s", base, s->tls != NULL ? "S" : "",
		 s->authenticated ? "A" : "");
}

/* The comment lines on TLS and authentication ("\t(using TLSv1.3 with
 * cipher X)\n\t(authenticated as user)\n"), or "". */
static void data_received_comments(const struct session *s, char *out,
				   size_t outlen)
{
	char info[160];
	const char *sp;
	size_t n = 0;

	out[0] = '\0';
	if (s->tls != NULL) {
		snprintf(info, sizeof(info), "%s", tls_conn_info(s->tls));
		sp = strchr(info, ' ');
		if (sp != NULL)
			snprintf(out, outlen, "\t(using %.*s with cipher %s)\n",
				 (int)(sp - info), info, sp + 1);
		else
			snprintf(out, outlen, "\t(using %s)\n", info);
		n = strlen(out);
	}
	if (s->authenticated && n < outlen)
		snprintf(out + n, outlen - n, "\t(authenticated as %s)\n",
			 s->auth_user);
}

/* Formats the Received: line (RFC 5321 4.4, Postfix's layout). */
static int data_received(const struct session *s, char *out, size_t outlen)
{
	char date[DATE_RFC5322_MAX], proto[16], comments[512];
	int n;

	if (date_rfc5322(time(NULL), date, sizeof(date)) < 0)
		return -1;
	data_protocol(s, proto, sizeof(proto));
	data_received_comments(s, comments, sizeof(comments));
	if (s->n_rcpts == 1)
		n = snprintf(out, outlen,
			     "Received: from %s (%s [%s])\n"
			     "%s"
			     "\tby %s (quail) with %s id %s\n"
			     "\tfor <%s>; %s\n",
			     s->helo, s->env->remote_host, s->env->remote_ip,
			     comments, s->conf->hostname, proto, s->id,
			     s->rcpts[0], date);
	else
		n = snprintf(out, outlen,
			     "Received: from %s (%s [%s])\n"
			     "%s"
			     "\tby %s (quail) with %s id %s;\n"
			     "\t%s\n",
			     s->helo, s->env->remote_host, s->env->remote_ip,
			     comments, s->conf->hostname, proto, s->id, date);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

static void data_stop_queue(struct data_ctx *dc)
{
	if (dc->queue_alive) {
		qsubmit_abort(&dc->q);
		dc->queue_alive = false;
	}
}

/* Hands bytes on to quail-queue unless it is gone or stopped reading. */
static void data_emit(struct data_ctx *dc, const void *p, size_t len)
{
	if (!dc->queue_alive || dc->write_failed || len == 0)
		return;
	if (qsubmit_write(&dc->q, p, len) < 0) {
		/* quail-queue stopped reading (disk full?): keep it, so that
		 * qsubmit_finish() can collect its reason after the end. */
		log_msg(LOG_ERR, "quail-queue went away while writing: %s",
			strerror(dc->q.error != 0 ? dc->q.error : errno));
		dc->write_failed = true;
		return;
	}
	dc->bytes += len;
}

/* Submission: emits the held header section followed by the Date: and
 * Message-ID: fields it lacks (they go at the end of the section, where
 * RFC 5322 allows any order). */
static void data_emit_header(struct session *s, struct data_ctx *dc)
{
	char field[CONF_DOMAIN_MAX + SMTPD_SESSION_ID_MAX + 80];
	char date[DATE_RFC5322_MAX];
	time_t now = time(NULL);
	int n;

	dc->hold_header = false;
	data_emit(dc, dc->header.data, dc->header.len);
	if (dc->header.len > 0 && dc->header.data[dc->header.len - 1] != '\n')
		data_emit(dc, "\n", 1); /* cannot happen: DATA ends in CRLF */
	if (!dc->hdr.has_date && date_rfc5322(now, date, sizeof(date)) == 0) {
		n = snprintf(field, sizeof(field), "Date: %s\n", date);
		if (n > 0 && (size_t)n < sizeof(field))
			data_emit(dc, field, (size_t)n);
	}
	if (!dc->hdr.has_message_id) {
		/* Unique: the session id is unique on this host, the counter
		 * within the session. */
		n = snprintf(field, sizeof(field), "Message-ID: <%s.%u.%lld@%s>\n",
			     s->id, s->messages, (long long)now,
			     s->conf->hostname);
		if (n > 0 && (size_t)n < sizeof(field))
			data_emit(dc, field, (size_t)n);
	}
	buf_free(&dc->header);
}

/* Submission: holds header bytes until the empty line that ends the
 * header section, then emits header, added fields, and the rest. */
static void data_take_header(struct session *s, struct data_ctx *dc,
			     const unsigned char *p, size_t len)
{
	size_t before = dc->hdr.bytes, hlen;

	if (dc->header_too_big)
		return;         /* refused at the end; nothing is queued */
	hdr_scan_feed(&dc->hdr, p, len);
	if (!dc->hdr.in_body) {
		if (!dc->header_too_big && buf_append(&dc->header, p, len) < 0) {
			dc->header_too_big = true;
			data_stop_queue(dc);
		}
		return;
	}
	/* hdr.bytes counts through the LF of the empty line (>= 1 byte of
	 * this chunk, as the header was not complete before it). */
	hlen = dc->hdr.bytes - before;
	if (buf_append(&dc->header, p, hlen - 1) < 0) {
		dc->header_too_big = true;
		data_stop_queue(dc);
		return;
	}
	data_emit_header(s, dc);
	data_emit(dc, p + hlen - 1, len - (hlen - 1));
}

/* Takes decoded bytes: hop counting, size limit, on to quail-queue. */
static void data_take(struct session *s, struct data_ctx *dc,
		      const unsigned char *p, size_t len)
{
	size_t i;

	dc->size += len;
	for (i = 0; i < len; i++)       /* each LF is CRLF on the wire */
		if (p[i] == '\n')
			dc->size++;
	if (!dc->too_big && dc->size > s->conf->message_size_limit) {
		/* Keep reading to the end (the client cannot be stopped
		 * mid-DATA), but stop feeding the queue at once. */
		dc->too_big = true;
		data_stop_queue(dc);
	}
	if (dc->hold_header) {
		data_take_header(s, dc, p, len);
		return;
	}
	if (!dc->hdr.in_body)
		hdr_scan_feed(&dc->hdr, p, len);
	data_emit(dc, p, len);
}

/* Reads and decodes until the end of data. Returns 1 at the end, 0 at
 * EOF, -1 on a read error or timeout (errno). */
static int data_read(struct session *s, struct data_ctx *dc)
{
	unsigned char out[IO_RBUF_BYTES + 1];

	for (;;) {
		size_t avail = io_pending(&s->io);
		size_t outlen = 0, used = 0;
		int end;

		if (avail == 0) {
			ssize_t n;

			/* The 354 must reach the client before we wait. */
			if (io_flush(&s->io) < 0)
				return -1;
			n = io_fill(&s->io);
			if (n <= 0)
				return n == 0 ? 0 : -1;
			avail = io_pending(&s->io);
		}
		if (avail > IO_RBUF_BYTES)
			avail = IO_RBUF_BYTES;
		end = dot_decode(&dc->dot, io_peek(&s->io), avail, out,
				 &outlen, &used);
		io_consume(&s->io, used);
		data_take(s, dc, out, outlen);
		if (end == 1)
			return 1;
	}
}

static void data_log_accepted(const struct session *s, const struct data_ctx *dc,
			      const char *id)
{
	struct buf to = BUF_INIT;
	char safe[ADDR_PATH_MAX_BYTES * 4 + 4];
	size_t i;

	buf_init(&to, 0);
	for (i = 0; i < s->n_rcpts; i++) {
		log_safe(safe, sizeof(safe), s->rcpts[i], strlen(s->rcpts[i]));
		if (buf_printf(&to, "%s<%s>", i > 0 ? "," : "", safe) < 0)
			break;
	}
	log_safe(safe, sizeof(safe), s->sender.str, s->sender.len);
	if (s->authenticated) {
		char user[LOGIN_USER_MAX_BYTES * 4 + 4];
		char mail_auth[SMTPD_MAIL_AUTH_MAX_BYTES * 4 + 4];

		log_safe(user, sizeof(user), s->auth_user, strlen(s->auth_user));
		log_safe(mail_auth, sizeof(mail_auth), s->mail_auth,
			 strlen(s->mail_auth));
		log_msg(LOG_INFO, "id=%s from=<%s> to=%s size=%llu client=%s "
			"auth=%s%s%s", id, safe, buf_cstr(&to), dc->bytes,
			s->env->remote_ip, user,
			s->mail_auth[0] != '\0' ? " mail_auth=" : "", mail_auth);
	} else {
		log_msg(LOG_INFO, "id=%s from=<%s> to=%s size=%llu client=%s",
			id, safe, buf_cstr(&to), dc->bytes, s->env->remote_ip);
	}
	buf_free(&to);
}

/* Whether quail-queue's reason says the disk is full: its code 4.3.1
 * (RFC 3463 "mail system full") or the text of ENOSPC/EDQUOT. */
static bool data_disk_full(const char *reason)
{
	if (reason == NULL)
		return false;
	return strstr(reason, "4.3.1") != NULL ||
	       strstr(reason, strerror(ENOSPC)) != NULL ||
	       strstr(reason, strerror(EDQUOT)) != NULL;
}

/* The final reply once the whole message has been read. */
static void data_finish(struct session *s, struct data_ctx *dc)
{
	char id[QSUBMIT_ID_MAX];
	const char *error = NULL;
	int r;

	if (dc->dot.bare_lf || dc->dot.bare_cr) {
		data_stop_queue(dc);
		log_msg(LOG_NOTICE, "reject: bare %s in DATA from %s[%s]",
			dc->dot.bare_lf ? "LF" : "CR", s->env->remote_host,
			s->env->remote_ip);
		session_error(s, "550 5.5.2 Error: bare <%s> received",
			      dc->dot.bare_lf ? "LF" : "CR");
		return;
	}
	if (dc->too_big) {
		log_msg(LOG_NOTICE, "reject: message too big (%llu bytes) from %s",
			dc->size, s->env->remote_ip);
		session_reply(s, "552 5.3.4 Error: message file too big");
		return;
	}
	if (dc->header_too_big) {
		log_msg(LOG_NOTICE, "reject: header section over %u bytes from %s",
			(unsigned)SMTPD_SUBMIT_HDR_MAX_BYTES, s->env->remote_ip);
		session_reply(s, "552 5.3.4 Error: message header too big");
		return;
	}
	if (dc->hdr.received > SMTPD_HOPS_MAX) {
		data_stop_queue(dc);
		log_msg(LOG_NOTICE, "reject: too many hops (%u) from %s",
			dc->hdr.received, s->env->remote_ip);
		session_reply(s, "554 5.4.6 Error: too many hops");
		return;
	}
	if (dc->hold_header)
		data_emit_header(s, dc); /* a message without a body */
	if (!dc->queue_alive) {
		session_reply(s, "451 4.3.0 Error: queue file write error");
		return;
	}
	dc->queue_alive = false; /* qsubmit_finish reaps quail-queue */
	r = qsubmit_finish(&dc->q, s->sender.str,
			   (const char *const *)s->rcpts, s->n_rcpts,
			   s->authenticated ? s->auth_user : NULL,
			   id, sizeof(id), &error);
	if (r == 0 && dc->write_failed)
		/* Cannot happen with a sane quail-queue (it never commits a
		 * message it stopped reading); the queue has it, so say so. */
		log_msg(LOG_ERR, "id=%s: queued although a write failed", id);
	if (r == 0) {
		snprintf(s->queue_id, sizeof(s->queue_id), "%s", id);
		s->messages++;
		data_log_accepted(s, dc, id);
		s->errors = 0; /* a client that delivers mail is not broken */
		session_reply(s, "250 2.0.0 Ok: queued as %s", id);
		return;
	}
	log_msg(LOG_ERR, "quail-queue failed (%s): %s",
		r == -2 ? "permanent" : "temporary",
		error != NULL ? error : "no reason given");
	if (r == -2 && error != NULL && strstr(error, "5.3.4") != NULL)
		session_reply(s, "552 5.3.4 Error: message file too big");
	else if (r == -2)
		session_reply(s, "554 5.3.0 Error: message refused by the queue");
	else if (data_disk_full(error))
		session_reply(s, "452 4.3.1 Insufficient system storage");
	else
		session_reply(s, "451 4.3.0 Error: queue file write error");
}

void data_run(struct session *s)
{
	struct data_ctx dc;
	char received[DATA_RECEIVED_MAX_BYTES];
	const char *error = NULL;
	int n, r;

	memset(&dc, 0, sizeof(dc));
	dot_init(&dc.dot);
	hdr_scan_init(&dc.hdr);
	dc.hold_header = s->env->submission;
	buf_init(&dc.header, SMTPD_SUBMIT_HDR_MAX_BYTES);
	/* Start quail-queue before 354, so a broken queue is a plain 451
	 * and the client does not send the message in vain. */
	n = data_received(s, received, sizeof(received));
	if (n < 0) {
		log_msg(LOG_ERR, "cannot format the Received: line");
		session_reply(s, "451 4.3.0 Error: local error");
		return;
	}
	if (qsubmit_start(&dc.q, s->conf, &error) < 0) {
		log_msg(LOG_ERR, "cannot start quail-queue: %s",
			error != NULL ? error : "unknown error");
		session_reply(s, "451 4.3.0 Error: queue file write error");
		return;
	}
	dc.queue_alive = true;
	if (qsubmit_write(&dc.q, received, (size_t)n) < 0)
		dc.write_failed = true;
	else
		dc.bytes = (unsigned long long)n;
	session_reply(s, "354 End data with <CR><LF>.<CR><LF>");

	io_set_deadline(&s->io, s->conf->data_timeout);
	r = data_read(s, &dc);
	io_set_deadline(&s->io, 0);
	session_trace(s, '<', "(message data)", 14);
	if (r == 1) {
		data_finish(s, &dc);
		data_stop_queue(&dc);
	} else {
		int saved = errno;

		data_stop_queue(&dc);
		if (r < 0 && saved == ETIMEDOUT) {
			log_msg(LOG_NOTICE, "timeout in DATA from %s[%s]",
				s->env->remote_host, s->env->remote_ip);
			session_close_421(s, "4.4.2", "Error: timeout exceeded");
		} else {
			log_msg(LOG_INFO, "lost connection in DATA from %s[%s]",
				s->env->remote_host, s->env->remote_ip);
			s->done = true;
		}
	}
	buf_free(&dc.header);
	session_reset_transaction(s);
}
