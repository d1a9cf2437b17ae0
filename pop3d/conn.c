/*
 * conn.c -- one quail-pop3d client connection: reply lines, reading
 * command lines with a length limit, the error limit, the idle timeout
 * (RFC 1939 3: the autologout timer), protocol tracing with secrets
 * hidden, and switching to TLS (RFC 2595 4).
 *
 * SECURITY: every client byte is read through io_getline() with a limit;
 * a longer line is answered -ERR and skipped to its LF. Lines with NUL are
 * refused here, other control bytes by the parser. Traced lines go
 * through log_safe(), and the arguments of PASS and AUTH and every AUTH
 * continuation line are never traced. tls_accept() discards plaintext
 * received before the handshake (no command injection across STLS).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "pop3d.h"

/* Room for a traced line after escaping (log_safe truncates beyond). */
#define POP3D_TRACE_MAX_BYTES 2304

void
conn_init(struct pop3_conn *c, const struct pop3d_env *env, struct io *io)
{
	memset(c, 0, sizeof(*c));
	c->env = env;
	c->io = io;
	buf_init(&c->line, POP3_AUTH_LINE_MAX_BYTES + 1);
	io_set_timeout(io, env->conf->pop3_timeout);
}

void
conn_free(struct pop3_conn *c)
{
	/* the line may have held a password */
	buf_free_secret(&c->line);
	if (c->tls_conn != NULL)
		tls_conn_free(&c->tls_conn);
}

void
conn_trace(const struct pop3_conn *c, char dir, const void *p, size_t len)
{
	char safe[POP3D_TRACE_MAX_BYTES];

	if (!c->env->trace)
		return;
	log_safe(safe, sizeof(safe), p, len);
	log_msg(LOG_INFO, "%c %s", dir, safe);
}

/* Traces a client line, hiding PASS and AUTH arguments. */
static void
conn_trace_in(struct pop3_conn *c, const char *p, size_t len)
{
	if (!c->env->trace)
		return;
	if (c->hide_next) {
		conn_trace(c, '<', "(hidden)", 8);
		return;
	}
	if (len >= 5 && strncasecmp(p, "PASS ", 5) == 0) {
		conn_trace(c, '<', "PASS ***", 8);
		return;
	}
	if (len >= 5 && strncasecmp(p, "AUTH ", 5) == 0) {
		/* the mechanism is harmless, the initial response is not */
		const char *sp = memchr(p + 5, ' ', len - 5);

		if (sp != NULL) {
			char tmp[64];
			size_t shown = (size_t)(sp - p);

			if (shown > 40)
				shown = 40;
			snprintf(tmp, sizeof(tmp), "%.*s ***", (int)shown, p);
			conn_trace(c, '<', tmp, strlen(tmp));
			return;
		}
	}
	conn_trace(c, '<', p, len);
}

static int
conn_vreply(struct pop3_conn *c, const char *fmt, va_list ap)
{
	char line[POP3D_REPLY_MAX_BYTES + 1];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1; /* truncated: still one line */
	conn_trace(c, '>', line, (size_t)n);
	if (io_write(c->io, line, (size_t)n) < 0 ||
	    io_write(c->io, "\r\n", 2) < 0) {
		c->done = true;
		return -1;
	}
	return 0;
}

int
conn_reply(struct pop3_conn *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = conn_vreply(c, fmt, ap);
	va_end(ap);
	return r;
}

int
conn_error(struct pop3_conn *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = conn_vreply(c, fmt, ap);
	va_end(ap);
	c->errors++;
	/* A client that keeps making mistakes is broken or probing
	 * (error_limit = 0: no limit). */
	if (c->env->conf->error_limit != 0 &&
	    c->errors >= c->env->conf->error_limit) {
		log_msg(LOG_NOTICE, "too many errors (%u) from %s", c->errors,
			c->env->remote_ip);
		conn_reply(c, "-ERR Too many invalid commands, closing "
			      "connection.");
		c->done = true;
	}
	return r;
}

int
conn_read_line(struct pop3_conn *c, size_t max)
{
	int flags = 0, r;

	r = io_getline(c->io, &c->line, max, &flags);
	switch (r) {
	case IO_LINE_OK:
		if (flags & IO_LINE_NO_EOL) {
			log_msg(LOG_INFO,
				"lost connection from %s (partial command)",
				c->env->remote_ip);
			c->done = true;
			return 0;
		}
		conn_trace_in(c, c->line.data, c->line.len);
		c->hide_next = false;
		if (flags & IO_LINE_HAS_NUL) {
			conn_error(c, "-ERR Invalid characters in command.");
			return -1;
		}
		return 1;
	case IO_LINE_TOO_LONG:
		c->hide_next = false;
		conn_trace(c, '<', "(line too long)", 15);
		conn_error(c, "-ERR Line too long.");
		return -1;
	case IO_LINE_EOF:
		log_msg(LOG_INFO, "connection closed by %s", c->env->remote_ip);
		c->done = true;
		return 0;
	default:
		if (errno == ETIMEDOUT) {
			log_msg(LOG_NOTICE, "idle timeout for %s",
				c->env->remote_ip);
			conn_reply(c, "-ERR Disconnected for inactivity.");
		} else {
			log_msg(LOG_INFO, "read error from %s: %s",
				c->env->remote_ip, strerror(errno));
		}
		c->done = true;
		return 0;
	}
}

bool
conn_tls_on(const struct pop3_conn *c)
{
	return c->tls_conn != NULL;
}

bool
conn_plaintext_ok(const struct pop3_conn *c)
{
	return conn_tls_on(c) ||
	       conf_plaintext_auth_ok(c->env->conf, c->env->remote_ip);
}

int
conn_start_tls(struct pop3_conn *c)
{
	const char *error = NULL;

	if (io_flush(c->io) < 0) {
		c->done = true;
		return -1;
	}
	/* OpenSSL is set up only now (lib/tls.h: lazy setup). */
	if (tls_server_prepare(c->env->tls, &error) < 0) {
		log_msg(LOG_ERR, "TLS certificate: %s", error);
		c->done = true;
		return -1;
	}
	if (tls_accept(&c->tls_conn, c->env->tls, c->io, &error) < 0) {
		log_msg(LOG_NOTICE, "TLS handshake with %s failed: %s",
			c->env->remote_ip,
			error != NULL ? error : "unknown error");
		c->tls_conn = NULL;
		c->done = true;
		return -1;
	}
	log_msg(LOG_INFO, "TLS on with %s: %s", c->env->remote_ip,
		tls_conn_info(c->tls_conn));
	return 0;
}
