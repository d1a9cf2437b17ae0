/*
 * session.c -- the POP3 TRANSACTION and UPDATE states (RFC 1939 5, 6,
 * 7; RFC 2449 CAPA and response codes): STAT, LIST, UIDL, RETR, TOP, DELE,
 * NOOP, RSET, CAPA, QUIT.
 *
 * Sizes are the CRLF sizes (W=) of the names; RETR and TOP send the
 * stored message with every bare LF as CRLF and lines starting with '.'
 * dot-stuffed, so the octet count of RETR's +OK is exact. The UIDL of a
 * message is "<UID><UIDVALIDITY>", each as 8 upper-case hex digits (the
 * format of Dovecot's default pop3_uidl_format "%08Xu%08Xv"): the IMAP
 * UID and UIDVALIDITY of the same message, stable across sessions.
 *
 * SECURITY: runs as the mailbox owner, never root (main.c checks). The
 * input is bounded per line (POP3_CMD_MAX_BYTES) and parsed by
 * lib/pop3_parse.c; message numbers index a checked array.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "maildir.h"
#include "pop3d.h"

/* Read size for RETR/TOP; output needs twice that (LF -> CRLF, dots). */
#define SESSION_READ_BYTES 32768

/* The streaming encoder of RETR/TOP. */
struct session_enc {
	size_t line_bytes;   /* bytes of the current line so far */
	bool last_cr;	     /* the previous byte was CR */
	bool in_body;	     /* past the empty line ending the header */
	uint64_t body_lines; /* complete body lines sent */
	uint64_t max_lines;  /* TOP's limit; UINT64_MAX for RETR */
	bool stop;	     /* TOP's limit reached */
};

/* Encodes in[0..len) into out (room for 2 * len). Returns out bytes. */
static size_t
session_encode(struct session_enc *e, const unsigned char *in, size_t len,
	       unsigned char *out)
{
	size_t i, o = 0;

	if (e->stop)
		return 0;
	if (e->in_body && e->max_lines == 0) {
		e->stop = true;
		return 0;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = in[i];

		if (ch == '\n') {
			bool empty = e->line_bytes == 0 ||
				     (e->line_bytes == 1 && e->last_cr);

			if (!e->last_cr)
				out[o++] = '\r';
			out[o++] = '\n';
			e->line_bytes = 0;
			e->last_cr = false;
			if (e->in_body)
				e->body_lines++;
			else if (empty)
				e->in_body = true;
			if (e->in_body && e->body_lines >= e->max_lines) {
				e->stop = true;
				break;
			}
			continue;
		}
		if (e->line_bytes == 0 && ch == '.')
			out[o++] = '.'; /* dot-stuffing (RFC 1939 3) */
		out[o++] = ch;
		e->line_bytes++;
		e->last_cr = ch == '\r';
	}
	return o;
}

/* Sends the message open on fd (+OK line already sent) and the final
 * ".", and closes fd. 0, or -1 when the message could not be read (the
 * connection is then closed: a multi-line reply cannot be taken back). */
static int
session_send_msg(struct pop3_conn *c, int fd, uint64_t max_lines)
{
	static unsigned char in[SESSION_READ_BYTES],
		out[2 * SESSION_READ_BYTES + 8];
	struct session_enc e = { 0, false, false, 0, max_lines, false };
	ssize_t r;
	size_t o;

	while (!e.stop) {
		r = read(fd, in, sizeof(in));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		o = session_encode(&e, in, (size_t)r, out);
		if (io_write(c->io, out, o) < 0)
			break;
	}
	close(fd);
	o = 0;
	if (e.line_bytes > 0) { /* the last line had no LF: end it */
		if (!e.last_cr)
			out[o++] = '\r';
		out[o++] = '\n';
	}
	memcpy(out + o, ".\r\n", 3);
	io_write(c->io, out, o + 3);
	conn_trace(c, '>', "(message)", 9);
	return 0;
}

/* Message n, or NULL after answering -ERR. */
static struct maildir_msg *
session_msg(struct pop3_conn *c, const struct mailbox *mb, uint32_t n)
{
	struct maildir_msg *m = mailbox_msg(mb, n);

	if (m == NULL) {
		conn_error(c, "-ERR There's no message %u.", (unsigned)n);
		return NULL;
	}
	if (mb->state[n - 1] & MAILBOX_DELETED) {
		conn_error(c, "-ERR Message is deleted.");
		return NULL;
	}
	return m;
}

static void
session_stat(struct pop3_conn *c, const struct mailbox *mb)
{
	unsigned long long octets = 0;
	size_t i, count = 0;

	for (i = 0; i < mb->n; i++) {
		if (!(mb->state[i] & MAILBOX_DELETED)) {
			count++;
			octets += mb->msgs[i]->vsize;
		}
	}
	conn_reply(c, "+OK %zu %llu", count, octets);
}

/* LIST and UIDL: one message, or all of them. */
static void
session_list(struct pop3_conn *c, const struct mailbox *mb,
	     const struct pop3_command *cmd, bool uidl)
{
	struct maildir_msg *m;
	size_t i;

	if (cmd->nums == 1) {
		m = session_msg(c, mb, cmd->num1);
		if (m == NULL)
			return;
		if (uidl)
			conn_reply(c, "+OK %u %08X%08X", (unsigned)cmd->num1,
				   (unsigned)m->uid, (unsigned)mb->uidvalidity);
		else
			conn_reply(c, "+OK %u %llu", (unsigned)cmd->num1,
				   (unsigned long long)m->vsize);
		return;
	}
	if (uidl)
		conn_reply(c, "+OK");
	else
		session_stat(c, mb); /* "+OK <count> <octets>", as Dovecot */
	for (i = 0; i < mb->n && !c->done; i++) {
		if (mb->state[i] & MAILBOX_DELETED)
			continue;
		m = mb->msgs[i];
		/* io_printf, not conn_reply: 100,000 lines, not traced */
		if (uidl)
			io_printf(c->io, "%zu %08X%08X\r\n", i + 1,
				  (unsigned)m->uid, (unsigned)mb->uidvalidity);
		else
			io_printf(c->io, "%zu %llu\r\n", i + 1,
				  (unsigned long long)m->vsize);
	}
	conn_reply(c, ".");
}

static void
session_retr(struct pop3_conn *c, struct mailbox *mb,
	     const struct pop3_command *cmd, bool top)
{
	struct maildir_msg *m = session_msg(c, mb, cmd->num1);
	int fd;

	if (m == NULL)
		return;
	fd = mailbox_open_msg(mb, cmd->num1);
	if (fd < 0) {
		/* removed or renamed behind our back (not by POP3: we hold
		 * the maildrop lock) */
		log_msg(LOG_WARNING, "cannot open message %s: %s", m->name,
			strerror(errno));
		conn_reply(c, "-ERR [SYS/TEMP] Message is not available.");
		return;
	}
	if (top)
		conn_reply(c, "+OK");
	else
		conn_reply(c, "+OK %llu octets", (unsigned long long)m->vsize);
	if (session_send_msg(c, fd, top ? cmd->num2 : UINT64_MAX) < 0) {
		log_msg(LOG_ERR, "cannot read message %s: %s", m->name,
			strerror(errno));
		c->done = true; /* the multi-line reply cannot be finished */
		return;
	}
	if (!top)
		mb->state[cmd->num1 - 1] |= MAILBOX_RETRIEVED;
}

static void
session_quit(struct pop3_conn *c, struct mailbox *mb)
{
	const char *error = NULL;
	size_t deleted = 0;

	c->done = true;
	if (mailbox_update(mb, &deleted, &error) < 0) {
		log_msg(LOG_ERR, "update of %s: %s", mb->dir, error);
		conn_reply(c, "-ERR [SYS/TEMP] Some deleted messages were not "
			      "removed.");
		return;
	}
	log_msg(LOG_INFO, "logout: %zu deleted", deleted);
	conn_reply(c, "+OK Logging out, %zu message%s deleted.", deleted,
		   deleted == 1 ? "" : "s");
}

static void
session_command(struct pop3_conn *c, struct mailbox *mb,
		const struct pop3_command *cmd)
{
	size_t i;

	switch (cmd->cmd) {
	case POP3_CMD_STAT:
		session_stat(c, mb);
		break;
	case POP3_CMD_LIST:
		session_list(c, mb, cmd, false);
		break;
	case POP3_CMD_UIDL:
		session_list(c, mb, cmd, true);
		break;
	case POP3_CMD_RETR:
		session_retr(c, mb, cmd, false);
		break;
	case POP3_CMD_TOP:
		session_retr(c, mb, cmd, true);
		break;
	case POP3_CMD_DELE:
		if (session_msg(c, mb, cmd->num1) != NULL) {
			mb->state[cmd->num1 - 1] |= MAILBOX_DELETED;
			conn_reply(c, "+OK Marked to be deleted.");
		}
		break;
	case POP3_CMD_RSET:
		for (i = 0; i < mb->n; i++)
			mb->state[i] &= (unsigned char)~MAILBOX_DELETED;
		conn_reply(c, "+OK");
		break;
	case POP3_CMD_NOOP:
		conn_reply(c, "+OK");
		break;
	case POP3_CMD_CAPA:
		conn_reply(c, "+OK Capability list follows");
		conn_reply(c, "TOP");
		conn_reply(c, "UIDL");
		conn_reply(c, "RESP-CODES");
		conn_reply(c, "AUTH-RESP-CODE");
		conn_reply(c, "PIPELINING");
		conn_reply(c, "IMPLEMENTATION quail");
		conn_reply(c, ".");
		break;
	case POP3_CMD_QUIT:
		session_quit(c, mb);
		break;
	default:
		conn_error(c, "-ERR Command not valid in TRANSACTION state.");
		break;
	}
}

int
session_run(struct pop3_conn *c, const struct login_user *u)
{
	struct mailbox mb;
	struct pop3_command cmd;
	const char *error = NULL;
	char safe[LOGIN_USER_MAX_BYTES * 4 + 4];
	int r;

	log_safe(safe, sizeof(safe), u->name, strlen(u->name));
	/* A user who never got mail may have no Maildir yet: an empty
	 * maildrop, not an error. Virtual users' parents are ours to make;
	 * a system user's home must exist. A failure shows up just below. */
	maildir_create(u->maildir, u->system_user ? 0 : 0700, &error);
	r = mailbox_open(&mb, u->maildir, &error);
	if (r == 0) {
		log_msg(LOG_NOTICE, "login of %s from %s: maildrop in use",
			safe, c->env->remote_ip);
		conn_reply(c, "-ERR [IN-USE] Mailbox is locked by another "
			      "session.");
		return 0;
	}
	if (r < 0) {
		log_msg(LOG_ERR, "login of %s from %s: %s: %s: %s", safe,
			c->env->remote_ip, u->maildir, error, strerror(errno));
		conn_reply(c, "-ERR [SYS/TEMP] Cannot open the mailbox.");
		return -1;
	}
	if (mb.uidlist_rebuilt)
		log_msg(LOG_WARNING,
			"%s: bad uid list rebuilt, new UIDVALIDITY %u",
			u->maildir, (unsigned)mb.uidvalidity);
	log_msg(LOG_INFO, "login of %s from %s%s: %zu messages", safe,
		c->env->remote_ip, conn_tls_on(c) ? " (TLS)" : "", mb.n);
	conn_reply(c, "+OK Logged in.");
	while (!c->done) {
		r = conn_read_line(c, POP3_CMD_MAX_BYTES);
		if (r <= 0)
			continue;
		if (pop3_parse(c->line.data, c->line.len, &cmd, &error) < 0) {
			conn_error(c, "-ERR %s.", error);
			continue;
		}
		session_command(c, &mb, &cmd);
	}
	mailbox_close(&mb);
	return 0;
}
