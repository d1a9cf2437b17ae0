/*
 * session.c -- the quail-smtpd session: greeting, the command loop, reply
 * writing, protocol tracing and the error and timeout rules
 * (RFC 5321 4.2, 4.5.3.1, 4.5.3.2).
 *
 * SECURITY: every byte from the client is read through io_getline() with
 * the SMTPD_CMD_MAX_BYTES limit (longer lines are answered 500 and skipped
 * to the next LF); commands containing NUL or CR are refused. The session
 * runs unprivileged (main.c drops privileges before smtpd_run()). Client
 * text reaches the log only through log_safe(). After error_limit errors
 * or an smtp_timeout of silence the session ends with 421.
 * Command lines ending in a bare LF are accepted (some telnet clients and
 * "nc" without -C send them); inside DATA they are not (see data.c).
 * TLS (RFC 3207 4.2): the handshake discards every byte the client sent
 * after STARTTLS in plaintext (lib/tls.c), and the session forgets HELO,
 * transaction and authentication. Traces never show AUTH payloads.
 */
#include <errno.h>
#include <signal.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

/* Room for a traced line after escaping (4 bytes per hostile byte at
 * worst; log_safe truncates beyond this with "..."). */
#define SMTPD_TRACE_MAX_BYTES 2304

void session_trace(struct session *s, char dir, const void *p, size_t len)
{
	char safe[SMTPD_TRACE_MAX_BYTES];

	if (!s->env->trace)
		return;
	log_safe(safe, sizeof(safe), p, len);
	if (s->queue_id[0] != '\0')
		log_msg(LOG_INFO, "id=%s %c %s", s->queue_id, dir, safe);
	else
		log_msg(LOG_INFO, "%c %s", dir, safe);
}

/* Traces a command line; an AUTH line shows its mechanism only: the rest
 * may be a password (RFC 4954 initial response). */
static void session_trace_command(struct session *s, const char *p, size_t len)
{
	char masked[64];
	size_t i = 5;

	if (len < 5 || strncasecmp(p, "AUTH", 4) != 0 ||
	    (p[4] != ' ' && p[4] != '\t')) {
		session_trace(s, '<', p, len);
		return;
	}
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < len && p[i] != ' ' && p[i] != '\t' && i < 40)
		i++;
	snprintf(masked, sizeof(masked), "%.*s%s", (int)i, p,
		 i < len ? " ****" : "");
	session_trace(s, '<', masked, strlen(masked));
}

static int session_vreply(struct session *s, const char *fmt, va_list ap)
{
	char line[SMTPD_REPLY_MAX_BYTES + 1];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1; /* truncated: still one valid line */
	session_trace(s, '>', line, (size_t)n);
	if (io_write(&s->io, line, (size_t)n) < 0 ||
	    io_write(&s->io, "\r\n", 2) < 0) {
		s->done = true;
		return -1;
	}
	return 0;
}

int session_reply(struct session *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = session_vreply(s, fmt, ap);
	va_end(ap);
	return r;
}

void session_close_421(struct session *s, const char *enhanced, const char *text)
{
	session_reply(s, "421 %s %s %s", enhanced, s->conf->hostname, text);
	s->done = true;
}

int session_error(struct session *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = session_vreply(s, fmt, ap);
	va_end(ap);
	s->errors++;
	/* Postfix's hard_error_limit idea: a client that keeps making
	 * mistakes is broken or probing; error_limit = 0 means no limit. */
	if (s->conf->error_limit != 0 && s->errors >= s->conf->error_limit) {
		log_msg(LOG_NOTICE, "too many errors (%u) from %s[%s]",
			s->errors, s->env->remote_host, s->env->remote_ip);
		session_close_421(s, "4.7.0", "Error: too many errors");
	}
	return r;
}

void session_reset_transaction(struct session *s)
{
	size_t i;

	for (i = 0; i < s->n_rcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->n_rcpts = 0;
	memset(&s->sender, 0, sizeof(s->sender));
	s->smtputf8 = false;
	s->body = SMTPD_BODY_NONE;
	s->declared_size = 0;
	s->mail_auth[0] = '\0';
	if (s->state & (SMTPD_STATE_MAIL | SMTPD_STATE_RCPT))
		s->state = SMTPD_STATE_HELO;
}

/* A session id unique on this host: seconds, microseconds, pid (hex). */
static void session_make_id(struct session *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(s->id, sizeof(s->id), "%llX%05lX%X",
		 (unsigned long long)ts.tv_sec, (unsigned long)(ts.tv_nsec / 1000),
		 (unsigned)getpid());
}

/* Reads and handles one command line. */
static void session_step(struct session *s)
{
	int flags = 0;
	int r;

	r = io_getline(&s->io, &s->line, SMTPD_CMD_MAX_BYTES, &flags);
	switch (r) {
	case IO_LINE_OK:
		if (flags & IO_LINE_NO_EOL) {
			/* A partial line then EOF: the client is gone. */
			log_msg(LOG_INFO, "lost connection (partial command)");
			s->done = true;
			return;
		}
		session_trace_command(s, s->line.data, s->line.len);
		if ((flags & IO_LINE_HAS_NUL) ||
		    memchr(s->line.data, '\r', s->line.len) != NULL) {
			session_error(s, "500 5.5.2 Error: bad syntax");
			return;
		}
		cmd_dispatch(s, s->line.data, s->line.len);
		/* An AUTH line may have carried a password. */
		if (s->line.len > 0)
			explicit_bzero(s->line.data, s->line.len);
		return;
	case IO_LINE_TOO_LONG:
		session_trace(s, '<', "(line too long)", 15);
		session_error(s, "500 5.5.2 Error: line too long");
		return;
	case IO_LINE_EOF:
		log_msg(LOG_INFO, "lost connection from %s[%s]",
			s->env->remote_host, s->env->remote_ip);
		s->done = true;
		return;
	default:
		if (errno == ETIMEDOUT) {
			log_msg(LOG_NOTICE, "timeout from %s[%s]",
				s->env->remote_host, s->env->remote_ip);
			session_close_421(s, "4.4.2", "Error: timeout exceeded");
		} else {
			log_msg(LOG_INFO, "read error from %s[%s]: %s",
				s->env->remote_host, s->env->remote_ip,
				strerror(errno));
			s->done = true;
		}
		return;
	}
}

int session_start_tls(struct session *s)
{
	const char *error = NULL;

	if (tls_accept(&s->tls, s->env->tls, &s->io, &error) < 0) {
		log_msg(LOG_NOTICE, "TLS error with %s[%s]: %s",
			s->env->remote_host, s->env->remote_ip,
			error != NULL ? error : "unknown error");
		s->done = true;
		return -1;
	}
	log_msg(LOG_INFO, "TLS established with %s[%s]: %s",
		s->env->remote_host, s->env->remote_ip, tls_conn_info(s->tls));
	/* RFC 3207 4.2: discard any knowledge obtained from the client. */
	session_reset_transaction(s);
	s->state = SMTPD_STATE_GREETED;
	s->helo[0] = '\0';
	s->esmtp = false;
	s->authenticated = false;
	s->auth_user[0] = '\0';
	return 0;
}

int session_auth_line(struct session *s, struct buf *line)
{
	int flags = 0;
	int r;

	r = io_getline(&s->io, line, SMTPD_AUTH_LINE_MAX_BYTES, &flags);
	switch (r) {
	case IO_LINE_OK:
		if (flags & IO_LINE_NO_EOL) {
			log_msg(LOG_INFO, "lost connection (partial AUTH line)");
			s->done = true;
			return -1;
		}
		if (line->len == 1 && line->data[0] == '*')
			session_trace(s, '<', "*", 1);
		else
			session_trace(s, '<', "****", 4);
		if ((flags & IO_LINE_HAS_NUL) ||
		    memchr(line->data, '\r', line->len) != NULL) {
			session_error(s, "501 5.5.2 Error: bad syntax in "
				      "authentication data");
			return 0;
		}
		return 1;
	case IO_LINE_TOO_LONG:
		session_trace(s, '<', "(line too long)", 15);
		session_error(s, "500 5.5.6 Authentication exchange line is "
			      "too long");
		return 0;
	case IO_LINE_EOF:
		log_msg(LOG_INFO, "lost connection in AUTH from %s[%s]",
			s->env->remote_host, s->env->remote_ip);
		s->done = true;
		return -1;
	default:
		if (errno == ETIMEDOUT) {
			log_msg(LOG_NOTICE, "timeout in AUTH from %s[%s]",
				s->env->remote_host, s->env->remote_ip);
			session_close_421(s, "4.4.2", "Error: timeout exceeded");
		} else {
			log_msg(LOG_INFO, "read error in AUTH from %s[%s]: %s",
				s->env->remote_host, s->env->remote_ip,
				strerror(errno));
			s->done = true;
		}
		return -1;
	}
}

int smtpd_run(int in_fd, int out_fd, const struct smtpd_env *env)
{
	struct session *s;
	int ret = 0;

	/* quail-queue may die early; a write to it must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* An ignored SIGCHLD is inherited across exec (swaks --pipe does
	 * it): children would be reaped by the kernel and qsubmit could not
	 * learn quail-queue's exit status. */
	signal(SIGCHLD, SIG_DFL);
	/* The io buffers make this too big for the stack of a fuzzer. */
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -1;
	s->env = env;
	s->conf = env->conf;
	s->state = SMTPD_STATE_GREETED;
	io_init(&s->io, in_fd, out_fd);
	io_set_timeout(&s->io, s->conf->smtp_timeout);
	buf_init(&s->line, SMTPD_CMD_MAX_BYTES + 1);
	session_make_id(s);
	log_set_session(s->id);
	log_msg(LOG_INFO, "connect from %s[%s]", env->remote_host, env->remote_ip);

	if (env->implicit_tls) {
		/* -t (ports 465, 2465): TLS from the first byte; nothing is
		 * said in plaintext, not even an error. */
		const char *error = NULL;

		if (env->tls == NULL) {
			log_msg(LOG_ERR, "implicit TLS (-t) needs tls_cert and "
				"tls_key in quail.conf");
			s->done = true;
		} else if (tls_server_prepare(env->tls, &error) < 0) {
			/* the certificate or key is bad: a server problem,
			 * the session could not start (exit 111) */
			log_msg(LOG_ERR, "TLS: %s", error);
			s->done = true;
			ret = -1;
		} else {
			(void)session_start_tls(s);
		}
	}
	if (!s->done)
		session_reply(s, "220 %s %s", s->conf->hostname,
			      s->conf->smtp_banner);
	while (!s->done)
		session_step(s);
	if (io_flush(&s->io) < 0 && s->io.werror != EPIPE &&
	    s->io.werror != ECONNRESET)
		log_msg(LOG_INFO, "write error: %s", strerror(s->io.werror));
	tls_conn_free(&s->tls);
	log_msg(LOG_INFO, "disconnect from %s[%s]", env->remote_host, env->remote_ip);
	log_set_session(NULL);

	session_reset_transaction(s);
	buf_free(&s->line);
	free(s);
	return ret;
}
