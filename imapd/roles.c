/*
 * roles.c -- the two processes of quail-imapd after login_split()
 * (lib/login.h, started by lib/daemon.h): the CHILD speaks the
 * not-authenticated state (auth.c) and hands a logged-in session over;
 * the MONITOR (root), once it has become the mailbox owner
 * (login_monitor_session), runs the authenticated and selected states
 * (session.c) on the handed-over connection. Not root: the child goes on
 * with the session itself.
 *
 * The tagged OK of LOGIN/AUTHENTICATE is sent by the session (after the
 * folders are set up, with the post-login capabilities), so the child
 * passes the command's tag along: as a first line "<T|P><tag>\n" (TLS
 * or plaintext, for the log and conn_tls_on) in front of the input it
 * hands over (login_handover() carries only that input).
 *
 * SECURITY: the monitor never runs a session as root (uid 0 is refused
 * before priv_drop_ids(), which also verifies that root cannot be
 * regained; lib/login.c); the handed-over input, the tag line included,
 * is copied with bounds checks and the tag must be printable ASCII;
 * startup failures are logged and answered with "* BYE [UNAVAILABLE]" on
 * the client's socket, never on stderr.
 */
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "imapd.h"
#include "log.h"

_Noreturn void
roles_fail_temp(int fd, const char *what, const char *why)
{
	daemon_fail_temp(fd, IMAPD_UNAVAILABLE, what, why);
}

/* Takes the tag line off the front of the input buffered in io into tag
 * (room for IO_RBUF_BYTES). 0, or -1 when it is missing or malformed. */
static int
roles_take_tag(struct io *io, char *tag, bool *tls_r)
{
	const unsigned char *p = io_peek(io), *lf;
	size_t i, len;

	lf = memchr(p, '\n', io_pending(io));
	if (lf == NULL)
		return -1;
	len = (size_t)(lf - p);
	if (len < 2 || len >= IO_RBUF_BYTES || (p[0] != 'T' && p[0] != 'P'))
		return -1;
	*tls_r = p[0] == 'T';
	for (i = 1; i < len; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return -1;
	memcpy(tag, p + 1, len - 1);
	tag[len - 1] = '\0';
	io_consume(io, len + 1); /* lf lies inside the buffered input */
	return 0;
}

/* MONITOR, after a login (lib/daemon.h): the authenticated state as the
 * mailbox owner on the connection the child handed over; io holds the
 * tag line and then what the client pipelined after the login. */
int
roles_session(struct io *io, int fd, const struct login_user *u,
	      const struct imapd_env *env)
{
	static char tag[IO_RBUF_BYTES];
	static struct imapd_session s;
	bool tls = false;
	int r;

	if (roles_take_tag(io, tag, &tls) < 0)
		roles_fail_temp(fd, "handover", "no valid tag line");
	if (sess_init(&s, env, io) < 0)
		roles_fail_temp(fd, "session", "out of memory");
	s.tls_proxied = tls;
	r = session_run(&s, u, tag);
	io_flush(io);
	sess_free(&s);
	return r == 0 ? EXIT_DONE : EXIT_TEMP;
}

/* Puts "<T|P><tag>\n" in front of the input buffered in io. 0, or -1
 * when it does not fit (the client pipelined nearly a full buffer). */
static int
roles_put_tag(struct io *io, const char *tag, bool tls, size_t *len_r)
{
	size_t taglen = strlen(tag), pending = io_pending(io);

	if (taglen + 2 + pending > sizeof(io->rbuf))
		return -1;
	/* UNSAFE: both ranges lie inside rbuf (checked just above) */
	memmove(io->rbuf + taglen + 2, io->rbuf + io->rpos, pending);
	io->rbuf[0] = tls ? 'T' : 'P';
	memcpy(io->rbuf + 1, tag, taglen);
	io->rbuf[taglen + 1] = '\n';
	io->rpos = 0;
	io->rlen = taglen + 2 + pending;
	*len_r = taglen + 2;
	return 0;
}

/* After a login in the child: hands the session over (or, not root, runs
 * it here). Returns what roles_child returns. */
static int
roles_handover(struct imapd_session *s, struct login *l,
	       const struct login_user *u, const char *tag)
{
	size_t prefix = 0;
	int r;

	if (roles_put_tag(s->io, tag, conn_tls_on(s), &prefix) < 0) {
		log_msg(LOG_NOTICE,
			"too much input pipelined after the login "
			"of %s",
			s->env->remote_ip);
		sess_printf(s,
			    "%s NO [UNAVAILABLE] Too much input after "
			    "login.\r\n",
			    tag);
		return 0;
	}
	r = login_handover(l, s->io);
	if (r == 1) {
		/* not split: the session is ours, the tag line is not */
		io_consume(s->io, prefix);
		return session_run(s, u, tag);
	}
	if (r < 0)
		sess_printf(s, "* BYE [UNAVAILABLE] Login failed.\r\n");
	return r;
}

/* CHILD: the not-authenticated state; after a login the session is
 * handed to the monitor, or (not root) runs right here. */
int
roles_child(struct login *l, const struct imapd_env *env)
{
	static struct io io;
	static struct imapd_session s;
	struct login_user u;
	struct buf tag;
	int r = 0;

	io_init(&io, STDIN_FILENO, STDOUT_FILENO);
	if (sess_init(&s, env, &io) < 0)
		roles_fail_temp(STDOUT_FILENO, "session", "out of memory");
	buf_init(&tag, IO_RBUF_BYTES);
	if (daemon_tls_prepare(env) < 0) {
		r = -1; /* nothing said in plaintext on a TLS port */
	} else if (!env->implicit_tls || conn_start_tls(&s) == 0) {
		sess_untagged(&s, "OK [CAPABILITY %s] quail IMAP ready.",
			      auth_capability(&s));
		if (auth_run(&s, l, &u, &tag) == 1)
			r = roles_handover(&s, l, &u, buf_cstr(&tag));
	}
	io_flush(&io);
	buf_free(&tag);
	sess_free(&s);
	return r < 0 ? EXIT_TEMP : EXIT_DONE;
}
