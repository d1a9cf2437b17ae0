/*
 * remote_smtp.c -- quail-remote: one SMTP client session with one address
 * (RFC 5321 3.3, 4.1, 4.5.3.2 timeouts; RFC 3207 STARTTLS; RFC 2920
 * PIPELINING; RFC 1870 SIZE; RFC 6152 8BITMIME; RFC 2034).
 *
 * Greeting, EHLO (HELO when EHLO gets 5xx), STARTTLS when offered and
 * remote_tls is not "none" (then EHLO again), MAIL with SIZE= and
 * BODY=8BITMIME, the RCPTs (sent together with MAIL when the server
 * pipelines), DATA, the message dot-stuffed with CRLF line ends, QUIT.
 *
 * SECURITY: the server is untrusted. Replies are read by the bounded line
 * reader and validated by lib/smtp_reply (code consistency, line and text
 * limits, sanitised text). Every read has a timeout and the run a
 * deadline. Before STARTTLS the dialogue is strictly lock-step, and
 * tls_connect discards buffered plaintext, so nothing a server sends before
 * the handshake is read as if it came over TLS; input already waiting when
 * a command is sent (a reply to nothing) ends the session rather than
 * shift every later reply onto the wrong command. What we send is built only
 * from validated addresses and conf->hostname, and the message goes through
 * dot_encode, which never emits a bare CR or LF (the message had its CRs
 * removed in remote.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dot.h"
#include "log.h"
#include "remote.h"

/* Bytes of the message encoded at a time (output is at most twice that). */
#define SESSION_CHUNK_BYTES 8192

struct session {
	struct remote *rm;
	const char *host;       /* SNI and texts */
	int fd;
	struct io io;
	struct tls_conn *tls;
	char peer[DNS_NAME_MAX_BYTES + 64];     /* "host[ip]" */
	struct smtp_reply reply;
	struct smtp_ehlo ehlo;
	bool esmtp;
	struct buf line;
	char why[256];          /* why the last read/write failed */
	bool broken;            /* a read or write failed: no QUIT */
	bool unsolicited;       /* input was waiting before a command */
};

/* ---- connecting ------------------------------------------------------- */

/* Seconds left until the run's deadline (at least 1 while any is left). */
static unsigned
session_left(const struct remote *rm)
{
	time_t now = time(NULL);

	return now >= rm->deadline ? 0 : (unsigned)(rm->deadline - now);
}

static unsigned
session_min(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* Non-blocking connect bounded by secs. fd or -1 with *why. */
static int
session_connect(const struct dns_addr *addr, unsigned port, unsigned secs,
		char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct pollfd pfd;
	int fd, r, soerr = 0;
	socklen_t errlen = sizeof(soerr);

	memset(&ss, 0, sizeof(ss));
	if (addr->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		memcpy(&s6->sin6_addr, addr->ip, 16);
		sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		memcpy(&s4->sin_addr, addr->ip, 4);
		sslen = sizeof(*s4);
	}
	fd = socket(addr->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Replies and commands go out through io in whole buffers, so Nagle
	 * only adds delay: a small final DATA segment would otherwise wait
	 * for the peer's delayed ACK (about 40 ms a message). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	r = connect(fd, (struct sockaddr *)&ss, sslen);
	if (r < 0 && errno == EINPROGRESS) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			r = poll(&pfd, 1, (int)secs * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			snprintf(why, whylen, "connection timed out after %us",
			    secs);
			close(fd);
			return -1;
		}
		if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
		    &errlen) == 0 && soerr == 0)
			r = 0;
		else {
			errno = soerr != 0 ? soerr : errno;
			r = -1;
		}
	}
	if (r < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	/* Back to blocking: io polls with its own timeouts. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* ---- the dialogue ----------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
session_cmd(struct session *s, const char *fmt, ...)
{
	char cmd[ADDR_PATH_MAX_BYTES * 2 + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	/* Every reply so far has been read: bytes already waiting are a
	 * reply to nothing, and would be taken as the answer to this
	 * command (a desynchronised dialogue, RFC 2920 3.1). */
	if (io_pending(&s->io) > 0)
		s->unsolicited = true;
	if (s->rm->conf.trace)
		log_msg(LOG_DEBUG, "qid=%s %s > %s", s->rm->qid, s->peer, cmd);
	(void)io_printf(&s->io, "%s\r\n", cmd); /* errors are sticky */
}

/* Bounds what follows: every blocking call by secs and, when whole, all
 * of them together (io's deadline) by secs as well; never past the run's
 * deadline. */
static void
session_limit(struct session *s, unsigned secs, bool whole)
{
	unsigned left = session_left(s->rm) + 1;

	io_set_timeout(&s->io, session_min(secs, left));
	io_set_deadline(&s->io, whole ? session_min(secs, left) : left);
}

/* Reads one complete reply within secs: the whole reply, so a server that
 * trickles continuation lines (or bytes) cannot stretch a stage past its
 * timeout. 0, or -1 with s->why set. */
static int
session_reply(struct session *s, unsigned secs)
{
	const char *err = NULL;
	int flags, r;

	session_limit(s, secs, true);
	smtp_reply_init(&s->reply);
	if (s->unsolicited) {
		snprintf(s->why, sizeof(s->why), "protocol error: the server "
		    "sent data before our command");
		s->broken = true;
		return -1;
	}
	for (;;) {
		r = io_getline(&s->io, &s->line, SMTP_REPLY_LINE_MAX_BYTES, &flags);
		if (r == IO_LINE_TOO_LONG) {
			snprintf(s->why, sizeof(s->why), "reply line too long");
			s->broken = true;
			return -1;
		}
		if (r == IO_LINE_EOF || (r == IO_LINE_OK &&
		    (flags & IO_LINE_NO_EOL))) {
			snprintf(s->why, sizeof(s->why), "connection closed");
			s->broken = true;
			return -1;
		}
		if (r != IO_LINE_OK) {
			snprintf(s->why, sizeof(s->why), "%s", errno == ETIMEDOUT ?
			    "timeout" : strerror(errno));
			s->broken = true;
			return -1;
		}
		if (s->rm->conf.trace) {
			char safe[512];

			log_safe(safe, sizeof(safe), s->line.data, s->line.len);
			log_msg(LOG_DEBUG, "qid=%s %s < %s", s->rm->qid, s->peer,
			    safe);
		}
		r = smtp_reply_feed(&s->reply, s->line.data, s->line.len, &err);
		if (r < 0) {
			snprintf(s->why, sizeof(s->why), "protocol error: %s", err);
			s->broken = true;
			return -1;
		}
		if (r == 1)
			return 0;
	}
}

/* Appends str to out[*pos..outlen), truncating; out stays terminated. */
static void
session_cat(char *out, size_t outlen, size_t *pos, const char *str)
{
	size_t n = strlen(str);

	if (*pos + 1 >= outlen)
		return;
	if (n > outlen - *pos - 1)
		n = outlen - *pos - 1;
	memcpy(out + *pos, str, n);
	*pos += n;
	out[*pos] = '\0';
}

/* "host[ip] said: 550 5.1.1 ... (in reply to X)" into out (truncated to
 * fit, the reply text cut first). */
static void
session_said(const struct session *s, const char *what, char *out, size_t outlen)
{
	char line[REMOTE_TEXT_MAX_BYTES];
	size_t pos = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	smtp_reply_oneline(&s->reply, line, sizeof(line));
	session_cat(out, outlen, &pos, s->peer);
	session_cat(out, outlen, &pos, " said: ");
	session_cat(out, outlen, &pos, line);
	session_cat(out, outlen, &pos, " (in reply to ");
	session_cat(out, outlen, &pos, what);
	session_cat(out, outlen, &pos, ")");
}

/* Every pending recipient gets the reply as its result: permanent for a
 * 5xx when allow_perm, else temporary (a 5xx then keeps its detail with
 * class 4: "5.7.1" -> "4.7.1"; anything unexpected is "4.5.0"). */
static void
session_reply_pending(struct session *s, const char *what, bool allow_perm)
{
	char text[REMOTE_TEXT_MAX_BYTES], enh[SMTP_REPLY_ENHANCED_MAX_BYTES];
	bool perm = allow_perm && s->reply.code >= 500;

	session_said(s, what, text, sizeof(text));
	if (s->reply.code < 400)
		snprintf(enh, sizeof(enh), "4.5.0");
	else
		snprintf(enh, sizeof(enh), "%s", smtp_reply_status(&s->reply));
	if (!perm)
		enh[0] = '4';
	remote_set_pending(s->rm, perm, enh, "%s", text);
}

/* Connection trouble while doing `what`: pending recipients deferred. */
static void
session_lost(struct session *s, const char *what)
{
	if (strcmp(s->why, "timeout") == 0)
		remote_set_pending(s->rm, false, "4.4.2", "conversation with %s "
		    "timed out while %s", s->peer, what);
	else
		remote_set_pending(s->rm, false, "4.4.2", "lost connection with "
		    "%s while %s: %s", s->peer, what, s->why);
}

/* Polite end: QUIT and a short wait for its reply (ignored); nothing on
 * a connection that already failed. */
static void
session_quit(struct session *s)
{
	if (s->broken)
		return;
	session_cmd(s, "QUIT");
	(void)session_reply(s, session_min(REMOTE_QUIT_TIMEOUT_SECS,
	    s->rm->conf.remote_timeout));
}

/* RFC 5321 5.1 "the SMTP client MUST NOT deliver to itself": a server
 * whose EHLO/HELO reply names our own hostname is this host (a route, MX
 * or NAT that leads back here). Like Postfix, the mail fails for good
 * with 5.4.6 instead of circling until the hop count stops it. */
static bool
session_is_self(struct session *s)
{
	const char *name = s->rm->conf.hostname, *t = s->reply.text;
	size_t n = strlen(name);

	if (n == 0 || strncasecmp(t, name, n) != 0 ||
	    (t[n] != '\0' && t[n] != ' ' && t[n] != '\n'))
		return false;
	log_msg(LOG_WARNING, "qid=%s %s replied to EHLO/HELO with my own "
	    "hostname %s", s->rm->qid, s->peer, name);
	remote_set_pending(s->rm, true, "5.4.6", "mail for %s loops back to "
	    "myself (%s greets with my own hostname %s)", s->rm->domain,
	    s->peer, name);
	return true;
}

/* EHLO, or HELO after a 5xx. 0 ok, -1 (results set). */
static int
session_hello(struct session *s)
{
	const char *name = s->rm->conf.hostname;

	session_cmd(s, "EHLO %s", name);
	if (session_reply(s, s->rm->conf.remote_timeout) < 0) {
		session_lost(s, "sending EHLO");
		return -1;
	}
	if (s->reply.code == 250) {
		if (session_is_self(s))
			return -1;
		s->esmtp = true;
		smtp_reply_ehlo(&s->reply, &s->ehlo);
		return 0;
	}
	if (s->reply.code < 500) {
		session_reply_pending(s, "EHLO", false);
		return -1;
	}
	s->esmtp = false;
	memset(&s->ehlo, 0, sizeof(s->ehlo));
	session_cmd(s, "HELO %s", name);
	if (session_reply(s, s->rm->conf.remote_timeout) < 0) {
		session_lost(s, "sending HELO");
		return -1;
	}
	if (s->reply.code == 250)
		return session_is_self(s) ? -1 : 0;
	/* Refusing both greetings is about this host, not the mail. */
	session_reply_pending(s, "HELO", false);
	return -1;
}

/* The client TLS context, made on first use. NULL if it cannot be. */
static struct tls_client *
session_tls_client(struct remote *rm, const char **error_r)
{
	if (rm->tls == NULL && !rm->tls_failed &&
	    tls_client_new(&rm->tls, rm->conf.remote_tls == CONF_REMOTE_TLS_VERIFY,
			   error_r) < 0)
		rm->tls_failed = true;
	if (rm->tls == NULL && *error_r == NULL)
		*error_r = "TLS client setup failed earlier";
	return rm->tls;
}

/* STARTTLS if offered and wanted. Returns REMOTE_NEXT_DONE to go on with
 * the transaction, or where the host loop goes next. */
static enum remote_next
session_starttls(struct session *s, bool allow_tls)
{
	struct remote *rm = s->rm;
	bool verify = rm->conf.remote_tls == CONF_REMOTE_TLS_VERIFY;
	struct tls_client *client;
	const char *err = NULL;

	if (rm->conf.remote_tls == CONF_REMOTE_TLS_NONE || !allow_tls)
		return REMOTE_NEXT_DONE;
	if (!s->ehlo.starttls) {
		if (!verify)
			return REMOTE_NEXT_DONE;
		remote_set_pending(rm, false, "4.7.5", "%s does not offer "
		    "STARTTLS (remote_tls = verify)", s->peer);
		session_quit(s);
		return REMOTE_NEXT_HOST;
	}
	client = session_tls_client(rm, &err);
	if (client == NULL) {
		log_msg(LOG_ERR, "qid=%s TLS client setup: %s", rm->qid, err);
		if (!verify)
			return REMOTE_NEXT_DONE;        /* plain text is allowed */
		remote_set_pending(rm, false, "4.7.5", "TLS client setup "
		    "failed: %s", err);
		session_quit(s);
		return REMOTE_NEXT_HOST;
	}
	session_cmd(s, "STARTTLS");
	if (session_reply(s, rm->conf.remote_timeout) < 0) {
		session_lost(s, "sending STARTTLS");
		return REMOTE_NEXT_HOST;
	}
	if (s->reply.code != 220) {
		if (!verify)
			return REMOTE_NEXT_DONE;        /* same state as before */
		char text[REMOTE_TEXT_MAX_BYTES];

		session_said(s, "STARTTLS", text, sizeof(text));
		remote_set_pending(rm, false, "4.7.5", "%s", text);
		session_quit(s);
		return REMOTE_NEXT_HOST;
	}
	session_limit(s, rm->conf.remote_timeout, true);
	if (tls_connect(&s->tls, client, &s->io, s->host, &err) < 0 ||
	    (verify && !tls_conn_verified(s->tls))) {
		remote_set_pending(rm, false, "4.7.5", "TLS handshake with %s "
		    "failed: %s", s->peer, err != NULL ? err :
		    "certificate not verified");
		log_msg(LOG_WARNING, "qid=%s TLS with %s failed: %s", rm->qid,
		    s->peer, err != NULL ? err : "certificate not verified");
		/* The connection is unusable; "may" tries again in plain text. */
		return verify ? REMOTE_NEXT_HOST : REMOTE_NEXT_PLAIN;
	}
	log_msg(LOG_INFO, "qid=%s TLS with %s: %s%s", rm->qid, s->peer,
	    tls_conn_info(s->tls), tls_conn_verified(s->tls) ? " verified" : "");
	/* RFC 3207 4.2: forget everything learnt before TLS, EHLO again. */
	if (session_hello(s) < 0)
		return REMOTE_NEXT_HOST;
	return REMOTE_NEXT_DONE;
}

/* MAIL FROM with its parameters. */
static void
session_mail(struct session *s)
{
	struct remote *rm = s->rm;
	char params[96] = "";
	size_t n = 0;

	if (s->ehlo.size)
		n += (size_t)snprintf(params + n, sizeof(params) - n, " SIZE=%llu",
		    rm->crlf_size);
	if (rm->eightbit && s->ehlo.eightbitmime)
		snprintf(params + n, sizeof(params) - n, " BODY=8BITMIME");
	session_cmd(s, "MAIL FROM:<%s>%s", rm->sender, params);
}

/* Applies one RCPT reply to r. */
static void
session_rcpt_result(struct session *s, struct remote_rcpt *r)
{
	char text[REMOTE_TEXT_MAX_BYTES];

	session_said(s, "RCPT TO", text, sizeof(text));
	if (s->reply.code >= 200 && s->reply.code < 300) {
		r->accepted = true;
		return;
	}
	remote_set_rcpt(r, s->reply.code >= 500 ? REMOTE_FAILED : REMOTE_PENDING,
	    s->reply.code >= 400 ? smtp_reply_status(&s->reply) : "4.5.0",
	    "%s", text);
	snprintf(r->relay, sizeof(r->relay), "%s", s->peer);
}

/* MAIL and RCPTs. Returns the number of accepted recipients, or -1 when
 * the host loop must go on (results set), or -2 when MAIL got a 5xx. */
static int
session_envelope(struct session *s)
{
	struct remote *rm = s->rm;
	bool pipelining = s->esmtp && s->ehlo.pipelining;
	size_t i;
	int accepted = 0;
	bool mail_ok;

	for (i = 0; i < rm->n_rcpts; i++)
		rm->rcpts[i].accepted = false;
	session_mail(s);
	if (pipelining)
		for (i = 0; i < rm->n_rcpts; i++)
			if (rm->rcpts[i].status == REMOTE_PENDING)
				session_cmd(s, "RCPT TO:<%s>", rm->rcpts[i].addr);
	if (session_reply(s, rm->conf.remote_timeout) < 0) {
		session_lost(s, "sending MAIL FROM");
		return -1;
	}
	mail_ok = s->reply.code >= 200 && s->reply.code < 300;
	if (!mail_ok) {
		session_reply_pending(s, "MAIL FROM", true);
		/* Pipelined RCPT replies are not read: QUIT ends it anyway. */
		session_quit(s);
		return s->reply.code >= 500 ? -2 : -1;
	}
	for (i = 0; i < rm->n_rcpts; i++) {
		struct remote_rcpt *r = &rm->rcpts[i];

		if (r->status != REMOTE_PENDING)
			continue;
		if (!pipelining)
			session_cmd(s, "RCPT TO:<%s>", r->addr);
		if (session_reply(s, rm->conf.remote_timeout) < 0) {
			session_lost(s, "sending RCPT TO");
			return -1;
		}
		session_rcpt_result(s, r);
		if (r->accepted)
			accepted++;
	}
	return accepted;
}

/* Accepted recipients get this reply's result (after DATA or, when
 * final, the dot). Only the reply to the dot can deliver: a 2xx to DATA
 * itself (instead of 354) means nothing was sent, so it defers. */
static void
session_data_result(struct session *s, const char *what, bool final)
{
	struct remote *rm = s->rm;
	char text[REMOTE_TEXT_MAX_BYTES];
	enum remote_status st = REMOTE_PENDING;
	const char *enh = smtp_reply_status(&s->reply);
	size_t i;

	session_said(s, what, text, sizeof(text));
	if (s->reply.code >= 200 && s->reply.code < 300 && final)
		st = REMOTE_SENT;
	else if (s->reply.code >= 500)
		st = REMOTE_FAILED;
	else if (s->reply.code < 400)
		enh = "4.5.0";          /* unexpected 2xx/3xx: protocol trouble */
	for (i = 0; i < rm->n_rcpts; i++) {
		struct remote_rcpt *r = &rm->rcpts[i];

		if (r->status != REMOTE_PENDING || !r->accepted)
			continue;
		remote_set_rcpt(r, st, enh, "%s", text);
		snprintf(r->relay, sizeof(r->relay), "%s", s->peer);
	}
	snprintf(rm->summary, sizeof(rm->summary), "%s", text);
}

/* Accepted recipients deferred: the connection broke during DATA. */
static void
session_data_lost(struct session *s, const char *what)
{
	struct remote *rm = s->rm;
	size_t i;

	for (i = 0; i < rm->n_rcpts; i++) {
		struct remote_rcpt *r = &rm->rcpts[i];

		if (r->status != REMOTE_PENDING || !r->accepted)
			continue;
		remote_set_rcpt(r, REMOTE_PENDING, "4.4.2", "lost connection "
		    "with %s while %s: %s", s->peer, what, s->why);
		snprintf(r->relay, sizeof(r->relay), "%s", s->peer);
	}
	snprintf(rm->summary, sizeof(rm->summary), "lost connection with %s "
	    "while %s: %s", s->peer, what, s->why);
}

/* The message, dot-stuffed, CRLF, then ".". 0 / -1 (s->why). */
static int
session_body(struct session *s)
{
	static unsigned char out[2 * SESSION_CHUNK_BYTES + 8];
	const unsigned char *p = (const unsigned char *)s->rm->msg.data;
	size_t left = s->rm->msg.len, n, o;
	int state = 0;

	/* Per write call (RFC 5321 4.5.3.2.5: a big message on a slow link
	 * may take longer than one timeout in all), within the run. */
	session_limit(s, s->rm->conf.remote_timeout, false);
	while (left > 0) {
		n = left < SESSION_CHUNK_BYTES ? left : SESSION_CHUNK_BYTES;
		o = dot_encode(&state, p, n, out);
		if (io_write(&s->io, out, o) < 0)
			goto fail;
		p += n;
		left -= n;
	}
	o = dot_encode_end(&state, out);
	if (io_write(&s->io, out, o) < 0 || io_flush(&s->io) < 0)
		goto fail;
	return 0;
fail:
	snprintf(s->why, sizeof(s->why), "%s", errno == ETIMEDOUT ? "timeout" :
	    strerror(errno));
	s->broken = true;
	return -1;
}

/* DATA, the message, the final reply. */
static void
session_data(struct session *s)
{
	session_cmd(s, "DATA");
	if (session_reply(s, s->rm->conf.remote_timeout) < 0) {
		session_data_lost(s, "sending DATA");
		return;
	}
	if (s->reply.code != 354) {
		session_data_result(s, "DATA", false);
		session_quit(s);
		return;
	}
	if (session_body(s) < 0) {
		session_data_lost(s, "sending the message");
		return;
	}
	if (session_reply(s, REMOTE_DATA_END_TIMEOUT_SECS) < 0) {
		session_data_lost(s, "waiting for the reply to the message");
		return;
	}
	session_data_result(s, "end of DATA", true);
	session_quit(s);
}

/* The checks that need the EHLO answer and fail the message for good. */
static bool
session_acceptable(struct session *s)
{
	struct remote *rm = s->rm;

	if (rm->eightbit && !s->ehlo.eightbitmime) {
		remote_set_pending(rm, true, "5.6.3", "remote server cannot "
		    "accept 8-bit data: %s does not offer 8BITMIME", s->peer);
		return false;
	}
	if (s->ehlo.size && s->ehlo.size_max > 0 &&
	    rm->crlf_size > s->ehlo.size_max) {
		remote_set_pending(rm, true, "5.3.4", "message size %llu exceeds "
		    "the limit of %s (%lu bytes)", rm->crlf_size, s->peer,
		    s->ehlo.size_max);
		return false;
	}
	return true;
}

static enum remote_next
session_run(struct session *s, bool allow_tls)
{
	struct remote *rm = s->rm;
	enum remote_next next;
	int accepted;

	if (session_reply(s, rm->conf.remote_timeout) < 0) {
		session_lost(s, "receiving the initial greeting");
		return REMOTE_NEXT_HOST;
	}
	if (s->reply.code != 220) {
		/* Like Postfix's smtp_skip_5xx_greeting: try another host. */
		session_reply_pending(s, "the initial greeting", false);
		session_quit(s);
		return REMOTE_NEXT_HOST;
	}
	if (session_hello(s) < 0) {
		session_quit(s);
		return REMOTE_NEXT_HOST;
	}
	next = session_starttls(s, allow_tls);
	if (next != REMOTE_NEXT_DONE)
		return next;
	if (!session_acceptable(s)) {
		session_quit(s);
		return REMOTE_NEXT_DONE;
	}
	accepted = session_envelope(s);
	if (accepted == -2)
		return REMOTE_NEXT_DONE;        /* MAIL FROM refused for good */
	if (accepted < 0)
		return REMOTE_NEXT_HOST;
	if (accepted == 0) {
		session_quit(s);
		/* Only 4xx answers left: another host may take them. */
		return remote_n_pending(rm) > 0 ? REMOTE_NEXT_HOST :
		    REMOTE_NEXT_DONE;
	}
	session_data(s);
	return REMOTE_NEXT_DONE;
}

enum remote_next
remote_smtp_session(struct remote *rm, const char *host,
		    const struct dns_addr *addr, unsigned port, bool allow_tls)
{
	static struct session s;
	char ip[INET6_ADDRSTRLEN], why[256];
	enum remote_next next;
	unsigned secs;

	memset(&s, 0, sizeof(s));
	s.rm = rm;
	s.host = host;
	buf_init(&s.line, SMTP_REPLY_LINE_MAX_BYTES + 1);
	if (inet_ntop(addr->family, addr->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(s.peer, sizeof(s.peer), "%s[%s]", host, ip);
	snprintf(rm->peer, sizeof(rm->peer), "%s", s.peer);
	secs = session_min(rm->conf.remote_connect_timeout, session_left(rm));
	if (secs == 0) {
		remote_set_pending(rm, false, "4.4.7", "delivery time limit "
		    "reached before connecting to %s", s.peer);
		return REMOTE_NEXT_DONE;
	}
	s.fd = session_connect(addr, port, secs, why, sizeof(why));
	if (s.fd < 0) {
		remote_set_pending(rm, false, "4.4.1", "connect to %s:%u: %s",
		    s.peer, port, why);
		return REMOTE_NEXT_HOST;
	}
	io_init(&s.io, s.fd, s.fd);
	io_set_deadline(&s.io, session_left(rm) + 1);
	next = session_run(&s, allow_tls);
	if (s.tls != NULL)
		tls_conn_free(&s.tls);
	close(s.fd);
	buf_free(&s.line);
	return next;
}
