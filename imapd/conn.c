/*
 * conn.c -- one quail-imapd connection on the wire: the session object,
 * writing responses (RFC 3501 7), reading commands through the push
 * parser of lib/imapparse.h (literals: "+ OK" continuations, RFC 7888
 * LITERAL+), raw lines for AUTHENTICATE and IDLE, the error limit, the
 * idle timeout (RFC 3501 5.4: "* BYE"), protocol tracing with secrets
 * hidden, and switching to TLS (RFC 3501 6.2.1, RFC 8314).
 *
 * Input is fed to the parser straight from the io buffer and only what
 * the parser used is consumed, so bytes pipelined after a command stay
 * in the io: AUTHENTICATE responses and IDLE's DONE are then read raw
 * from the same place, and STARTTLS can drop them.
 *
 * SECURITY: every client byte goes through the parser (bounded line,
 * literal, command and list depth: imap_parser_limits_preauth before
 * login; after it the size of a synchronising literal and of the whole
 * command are checked here, before "+", and the total of {n+} literals
 * as they come) or through io_getline() with a limit. Traced lines go through
 * log_safe(); LOGIN's password, AUTHENTICATE data and continuation lines
 * are never traced, APPEND's message only as its size. tls_accept()
 * discards plaintext received before the handshake (no command injection
 * across STARTTLS).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imapd.h"
#include "log.h"

/* Room for a traced line after escaping (log_safe truncates beyond). */
#define IMAPD_TRACE_MAX_BYTES 2304
/* A traced command is summarised in at most this many bytes. */
#define IMAPD_TRACE_CMD_MAX_BYTES 1024
/* Literals up to this size are traced as text (never APPEND's). */
#define IMAPD_TRACE_LITERAL_MAX_BYTES 256
/* Scratch buffer for handlers: bounded like a response line. */
#define IMAPD_SCRATCH_MAX_BYTES (16 * 1024 * 1024)

int
sess_init(struct imapd_session *s, const struct imapd_env *env, struct io *io)
{
	struct imap_parser_limits lim;

	memset(s, 0, sizeof(*s));
	s->env = env;
	s->io = io;
	s->state = IMAPD_STATE_NOAUTH;
	buf_init(&s->scratch, IMAPD_SCRATCH_MAX_BYTES);
	imap_parser_limits_preauth(&lim);
	s->parser = imap_parser_new(&lim);
	if (s->parser == NULL)
		return -1;
	io_set_timeout(io, env->conf->imap_timeout);
	return 0;
}

void
sess_free(struct imapd_session *s)
{
	if (s->mb != NULL)
		imap_mbox_close(&s->mb);
	imap_parser_free(&s->parser);
	buf_free(&s->scratch);
}

void
conn_set_postauth(struct imapd_session *s)
{
	struct imap_parser_limits lim;

	imap_parser_limits_postauth(&lim, s->env->conf->message_size_limit);
	/* A synchronising literal over the limit is refused before "+" by
	 * conn_continuation() (APPEND: NO [TOOBIG], RFC 4469 4, RFC 7889
	 * 3), not by the parser at its "}" (BAD): the parser lets any size
	 * through and the limits are applied here. {n+} literals keep the
	 * parser's bound (nonsync_max_bytes: the client sends them anyway,
	 * so one over the limit is fatal); their total is bounded by
	 * conn_read_command() with command_max_bytes. */
	s->literal_max_bytes = lim.literal_max_bytes;
	s->command_max_bytes = lim.command_max_bytes;
	s->cmd_bytes = 0;
	lim.literal_max_bytes = UINT64_MAX;
	lim.command_max_bytes = UINT64_MAX;
	imap_parser_set_limits(s->parser, &lim);
}

void
conn_trace(const struct imapd_session *s, char dir, const void *p, size_t len)
{
	char safe[IMAPD_TRACE_MAX_BYTES];

	if (!s->env->trace)
		return;
	log_safe(safe, sizeof(safe), p, len);
	log_msg(LOG_INFO, "%c %s", dir, safe);
}

/* --- output --- */

/* Output is traced line by line: pieces written by several calls are
 * collected here until their CRLF (one session per process). */
static struct {
	char line[IMAPD_TRACE_CMD_MAX_BYTES];
	size_t len;
	bool cut; /* longer than the buffer: shown cut */
} conn_tline;

/* Traces output bytes: complete lines as they are (bounded). */
static void
conn_trace_out(const struct imapd_session *s, const char *p, size_t len)
{
	const char *lf;
	size_t take;

	if (!s->env->trace)
		return;
	while (len > 0) {
		lf = memchr(p, '\n', len);
		take = lf != NULL ? (size_t)(lf - p) : len;
		if (take > sizeof(conn_tline.line) - conn_tline.len) {
			memcpy(conn_tline.line + conn_tline.len, p,
			       sizeof(conn_tline.line) - conn_tline.len);
			conn_tline.len = sizeof(conn_tline.line);
			conn_tline.cut = true;
		} else {
			memcpy(conn_tline.line + conn_tline.len, p, take);
			conn_tline.len += take;
		}
		if (lf == NULL)
			return;
		if (conn_tline.len > 0 && !conn_tline.cut &&
		    conn_tline.line[conn_tline.len - 1] == '\r')
			conn_tline.len--;
		if (conn_tline.cut && conn_tline.len >= 3)
			memcpy(conn_tline.line + conn_tline.len - 3, "...", 3);
		conn_trace(s, '>', conn_tline.line, conn_tline.len);
		conn_tline.len = 0;
		conn_tline.cut = false;
		len -= take + 1;
		p = lf + 1;
	}
}

int
sess_write(struct imapd_session *s, const void *p, size_t len)
{
	if (s->io->werror != 0) {
		s->done = true;
		return -1;
	}
	conn_trace_out(s, p, len);
	if (io_write(s->io, p, len) < 0) {
		s->done = true;
		return -1;
	}
	return 0;
}

static int
sess_vprintf(struct imapd_session *s, const char *prefix, const char *suffix,
	     const char *fmt, va_list ap)
{
	char small[512];
	va_list aq;
	int n, r;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small)) {
		/* the common case: one traced piece */
		char line[sizeof(small) + 8];
		size_t pl = strlen(prefix), sl = strlen(suffix);

		memcpy(line, prefix, pl);
		memcpy(line + pl, small, (size_t)n);
		memcpy(line + pl + (size_t)n, suffix, sl);
		return sess_write(s, line, pl + (size_t)n + sl);
	}
	/* long: formatted into the scratch-independent heap */
	{
		struct buf b;

		buf_init(&b, 0);
		r = buf_append_str(&b, prefix);
		if (r == 0)
			r = buf_vprintf(&b, fmt, ap);
		if (r == 0)
			r = buf_append_str(&b, suffix);
		if (r == 0)
			r = sess_write(s, b.data, b.len);
		buf_free(&b);
		return r;
	}
}

int
sess_printf(struct imapd_session *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sess_vprintf(s, "", "", fmt, ap);
	va_end(ap);
	return r;
}

int
sess_untagged(struct imapd_session *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (s->mb != NULL && strncmp(fmt, "FLAGS ", 6) == 0)
		s->told_keywords = s->mb->keyword_count;
	va_start(ap, fmt);
	r = sess_vprintf(s, "* ", "\r\n", fmt, ap);
	va_end(ap);
	return r;
}

int
sess_literal(struct imapd_session *s, const void *p, size_t len)
{
	char tmp[64];

	if (sess_printf(s, "{%zu}\r\n", len) < 0)
		return -1;
	/* the payload is traced as its size only (a message) */
	snprintf(tmp, sizeof(tmp), "(%zu bytes)", len);
	conn_trace(s, '>', tmp, strlen(tmp));
	if (io_write(s->io, p, len) < 0) {
		s->done = true;
		return -1;
	}
	return 0;
}

void
sess_reply(struct imapd_session *s, enum imapd_status st, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->reply, sizeof(s->reply), fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(s->reply, sizeof(s->reply), "Internal error.");
	s->reply_status = st;
	s->replied = true;
}

/* Counts a protocol error; at error_limit says BYE and ends. */
static void
conn_count_error(struct imapd_session *s)
{
	s->errors++;
	/* A client that keeps making mistakes is broken or probing
	 * (error_limit = 0: no limit). */
	if (s->env->conf->error_limit != 0 &&
	    s->errors >= s->env->conf->error_limit && !s->done) {
		log_msg(LOG_NOTICE, "too many errors (%u) from %s", s->errors,
			s->env->remote_ip);
		sess_untagged(s, "BYE Too many invalid IMAP commands.");
		s->done = true;
	}
}

void
conn_tagged(struct imapd_session *s)
{
	static const char *const names[] = { "OK", "NO", "BAD" };
	const char *tag = s->tag != NULL ? s->tag : "*";

	if (!s->replied) /* a handler that forgot its reply: a bug */
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Internal error.");
	sess_printf(s, "%s %s %s\r\n", tag, names[s->reply_status], s->reply);
	s->replied = false;
	if (s->reply_status == IMAPD_BAD)
		conn_count_error(s);
}

/* --- input --- */

/* Appends a summary of args to b for the trace (bounded). */
static void
conn_trace_args(struct buf *b, const struct imap_arg *args, size_t n,
		bool hide_literals)
{
	size_t i;

	for (i = 0; i < n && b->len < IMAPD_TRACE_CMD_MAX_BYTES; i++) {
		const struct imap_arg *a = &args[i];

		if (i > 0)
			buf_putc(b, ' ');
		switch (a->type) {
		case IMAP_ARG_LIST:
			buf_putc(b, '(');
			conn_trace_args(b, a->list, a->n, hide_literals);
			buf_putc(b, ')');
			break;
		case IMAP_ARG_STRING:
			buf_putc(b, '"');
			buf_append(b, a->str, a->len);
			buf_putc(b, '"');
			break;
		case IMAP_ARG_LITERAL:
		case IMAP_ARG_LITERAL8:
			if (hide_literals ||
			    a->len > IMAPD_TRACE_LITERAL_MAX_BYTES)
				buf_printf(b, "{%zu bytes}", a->len);
			else
				buf_printf(b, "{%zu}%.*s", a->len, (int)a->len,
					   a->str);
			break;
		default:
			buf_append(b, a->str, a->len);
			break;
		}
	}
}

/* Traces a parsed command with its secrets hidden. */
static void
conn_trace_command(const struct imapd_session *s,
		   const struct imap_command *cmd)
{
	struct buf b;
	size_t shown = cmd->n;
	bool hide = false, append = false;

	if (!s->env->trace)
		return;
	buf_init(&b, 2 * IMAPD_TRACE_CMD_MAX_BYTES);
	buf_printf(&b, "%s %s", cmd->tag, cmd->name);
	if (strcasecmp(cmd->name, "LOGIN") == 0) {
		shown = cmd->n > 1 ? 1 : cmd->n; /* the user name only */
		hide = cmd->n > 1;
	} else if (strcasecmp(cmd->name, "AUTHENTICATE") == 0) {
		shown = cmd->n > 1 ? 1 : cmd->n; /* the mechanism only */
		hide = cmd->n > 1;
	} else if (strcasecmp(cmd->name, "APPEND") == 0) {
		append = true;
	}
	if (shown > 0) {
		buf_putc(&b, ' ');
		conn_trace_args(&b, cmd->args, shown, append);
	}
	if (hide)
		buf_append_str(&b, " ***");
	if (b.len > IMAPD_TRACE_CMD_MAX_BYTES)
		b.len = IMAPD_TRACE_CMD_MAX_BYTES;
	conn_trace(s, '<', b.data != NULL ? b.data : "", b.len);
	buf_free_secret(&b);
}

/* The client went away or timed out while we waited for input. */
static void
conn_input_ended(struct imapd_session *s, ssize_t n, bool partial)
{
	if (n == 0) {
		log_msg(LOG_INFO, "%s from %s",
			partial ? "lost connection (partial command)"
				: "connection closed by client",
			s->env->remote_ip);
	} else if (errno == ETIMEDOUT) {
		log_msg(LOG_NOTICE, "idle timeout for %s", s->env->remote_ip);
		sess_untagged(s, "BYE Disconnected for inactivity.");
	} else {
		log_msg(LOG_INFO, "read error from %s: %s", s->env->remote_ip,
			strerror(errno));
	}
	s->done = true;
}

/* Answers a parse error. 0 go on, -1 the session ends. */
static int
conn_parse_error(struct imapd_session *s)
{
	const char *tag = imap_parser_tag(s->parser);
	const char *why = imap_parser_error(s->parser);
	bool toobig = imap_parser_error_toobig(s->parser);
	bool fatal = imap_parser_error_fatal(s->parser);

	if (why == NULL)
		why = "Invalid command";
	conn_trace(s, '<', "(bad command)", 13);
	sess_printf(s, "%s BAD %s%s\r\n", tag != NULL ? tag : "*",
		    toobig ? "[TOOBIG] " : "", why);
	/* Before login an oversized command is not worth resynchronising
	 * (STYLE.md 5: BAD, then disconnect). */
	if (fatal || (toobig && s->state == IMAPD_STATE_NOAUTH)) {
		log_msg(LOG_NOTICE, "%s from %s: %s",
			fatal ? "unrecoverable input" : "command too long",
			s->env->remote_ip, why);
		sess_untagged(s, "BYE %s",
			      toobig ? "Too long command." : "Invalid input.");
		s->done = true;
		return -1;
	}
	imap_parser_reset(s->parser);
	s->cmd_bytes = 0;
	conn_count_error(s);
	return s->done ? -1 : 0;
}

/* A command of more than command_max_bytes (non-synchronising literals
 * the client sends without asking): BAD, BYE, the session ends. */
static void
conn_command_too_large(struct imapd_session *s)
{
	const char *tag = imap_parser_tag(s->parser);

	log_msg(LOG_NOTICE, "command too large from %s", s->env->remote_ip);
	conn_trace(s, '<', "(command too large)", 19);
	sess_printf(s, "%s BAD [TOOBIG] Command too large\r\n",
		    tag != NULL ? tag : "*");
	sess_untagged(s, "BYE Too long command.");
	s->done = true;
}

/* Refuses the synchronising literal just announced: the tagged reply in
 * s->reply, then the parser is reset (the client sends no literal). */
static void
conn_refuse_literal(struct imapd_session *s, const char *tag)
{
	conn_trace(s, '<', "(command refused before its literal)", 36);
	s->tag = tag;
	conn_tagged(s);
	s->tag = NULL;
	imap_parser_reset(s->parser);
	s->cmd_bytes = 0;
}

/* A synchronising literal was announced: ask for it, or refuse it before
 * "+" (APPEND first: NO [TRYCREATE], NO [TOOBIG]; then the size limits,
 * BAD [TOOBIG] as the parser would). 0 go on feeding, -1 the command was
 * answered. */
static int
conn_continuation(struct imapd_session *s)
{
	const struct imap_command *partial = imap_parser_partial(s->parser);
	uint64_t size = imap_parser_literal_size(s->parser);
	const char *tag = partial != NULL ? partial->tag
					  : imap_parser_tag(s->parser);

	s->replied = false;
	if (partial != NULL && s->state != IMAPD_STATE_NOAUTH &&
	    partial->name != NULL && strcasecmp(partial->name, "APPEND") == 0) {
		s->tag = partial->tag;
		if (append_check(s, partial, size) < 0) {
			conn_refuse_literal(s, partial->tag);
			return -1;
		}
		s->tag = NULL;
	}
	if (s->command_max_bytes != 0 &&
	    (size > s->literal_max_bytes ||
	     s->cmd_bytes > s->command_max_bytes ||
	     size > s->command_max_bytes - s->cmd_bytes)) {
		sess_reply(s, IMAPD_BAD, "[TOOBIG] %s",
			   size > s->literal_max_bytes ? "Literal too large"
						       : "Command too large");
		conn_refuse_literal(s, tag);
		return -1;
	}
	conn_trace(s, '>', "+ OK", 4);
	if (io_write(s->io, "+ OK\r\n", 6) < 0)
		s->done = true;
	return 0;
}

int
conn_read_command(struct imapd_session *s, const struct imap_command **cmd_r)
{
	const struct imap_command *cmd;
	enum imap_parse_result res;
	bool partial = false, in_cmd;
	size_t used;
	ssize_t n;

	for (;;) {
		if (s->done)
			return 0;
		if (io_pending(s->io) == 0) {
			n = io_fill(s->io);
			if (n <= 0) {
				conn_input_ended(s, n, partial);
				return 0;
			}
		}
		used = 0;
		/* bytes before the tag (the rest of a failed line being
		 * skipped) are not the command's: at most one buffer */
		in_cmd = imap_parser_tag(s->parser) != NULL;
		res = imap_parser_feed(s->parser, io_peek(s->io),
				       io_pending(s->io), &used);
		io_consume(s->io, used);
		if (used > 0)
			partial = true;
		if (in_cmd)
			s->cmd_bytes += used;
		if (s->command_max_bytes != 0 &&
		    s->cmd_bytes > s->command_max_bytes) {
			/* {n+} literals piling up: they cannot be refused */
			conn_command_too_large(s);
			return 0;
		}
		switch (res) {
		case IMAP_PARSE_NEED_MORE:
			break;
		case IMAP_PARSE_NEED_CONTINUATION:
			if (conn_continuation(s) < 0)
				return s->done ? 0 : -1;
			break;
		case IMAP_PARSE_ERROR:
			return conn_parse_error(s) < 0 ? 0 : -1;
		case IMAP_PARSE_COMMAND:
			cmd = imap_parser_command(s->parser);
			if (cmd == NULL) {
				imap_parser_reset(s->parser);
				s->cmd_bytes = 0;
				return -1;
			}
			conn_trace_command(s, cmd);
			s->tag = cmd->tag;
			s->replied = false;
			*cmd_r = cmd;
			return 1;
		}
	}
}

void
conn_command_done(struct imapd_session *s)
{
	s->tag = NULL;
	s->replied = false;
	buf_reset(&s->scratch);
	imap_parser_reset(s->parser);
	s->cmd_bytes = 0;
}

int
conn_read_line(struct imapd_session *s, struct buf *line, size_t max, bool hide)
{
	int flags = 0, r;

	r = io_getline(s->io, line, max, &flags);
	switch (r) {
	case IO_LINE_OK:
		if (flags & IO_LINE_NO_EOL) {
			log_msg(LOG_INFO,
				"lost connection from %s (partial line)",
				s->env->remote_ip);
			s->done = true;
			return 0;
		}
		if (hide)
			conn_trace(s, '<', "(hidden)", 8);
		else
			conn_trace(s, '<', line->data, line->len);
		if (flags & IO_LINE_HAS_NUL)
			return -1;
		return 1;
	case IO_LINE_TOO_LONG:
		conn_trace(s, '<', "(line too long)", 15);
		return -1;
	case IO_LINE_EOF:
		conn_input_ended(s, 0, false);
		return 0;
	default:
		conn_input_ended(s, -1, false);
		return 0;
	}
}

const char *
conn_capability(const struct imapd_session *s)
{
	static char cap[256];

	if (s->state != IMAPD_STATE_NOAUTH)
		return IMAPD_CAPABILITY_POSTAUTH;
	snprintf(cap, sizeof(cap), "%s%s%s", IMAPD_CAPABILITY_PREAUTH,
		 s->env->tls != NULL && !conn_tls_on(s) ? " STARTTLS" : "",
		 conn_plaintext_ok(s) ? " AUTH=PLAIN AUTH=LOGIN"
				      : " LOGINDISABLED");
	return cap;
}

bool
conn_tls_on(const struct imapd_session *s)
{
	return s->tls_conn != NULL || s->tls_proxied;
}

bool
conn_plaintext_ok(const struct imapd_session *s)
{
	return conn_tls_on(s) ||
	       conf_plaintext_auth_ok(s->env->conf, s->env->remote_ip);
}
