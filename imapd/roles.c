/*
 * roles.c -- the two processes of quail-imapd after login_split()
 * (lib/login.h, started by lib/daemon.h): the CHILD speaks the
 * not-authenticated state (auth.c) and hands a logged-in session over;
 * the MONITOR (root), once it has become the mailbox owner
 * (login_monitor_session), execs quail-imapd-session (session_main.c,
 * lib/handover.h), which runs the authenticated and selected states
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
 * regained; lib/login.c), and quail-imapd-session checks the ids again;
 * the handed-over input, the tag line included, is copied with bounds
 * checks and the tag must be printable ASCII (session_main.c);
 * startup failures are logged and answered with "* BYE [UNAVAILABLE]" on
 * the client's socket, never on stderr.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "handover.h"
#include "imapd.h"
#include "log.h"

static _Noreturn void
roles_fail_temp(int fd, const char *what, const char *why)
{
	daemon_fail_temp(fd, IMAPD_UNAVAILABLE, what, why);
}

/* Copies s into out[max]; false when it does not fit. */
static bool
roles_copy(char *out, size_t max, const char *s)
{
	size_t n = strlen(s);

	if (n >= max)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

/* MONITOR, after a login (lib/daemon.h), already the mailbox owner:
 * execs quail-imapd-session (session_main.c) on the connection the child
 * handed over, with the user, the settings the session reads and what io
 * holds (the tag line, then what the client pipelined after the login).
 * Returns only when the exec failed: then logs, answers BYE and exits. */
int
roles_session(struct io *io, int fd, const struct login_user *u,
	      const struct imapd_env *env)
{
	static struct handover h;
	static char path[PATH_MAX];
	const struct conf *c = env->conf;
	const char *error = "a field too long";
	int n;

	memset(&h, 0, sizeof(h));
	n = snprintf(path, sizeof(path), "%s/" IMAPD_SESSION_PROGRAM,
		     c->libexec_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		roles_fail_temp(fd, "session", "libexec_dir too long");
	if (!roles_copy(h.user, sizeof(h.user), u->name) ||
	    !roles_copy(h.maildir, sizeof(h.maildir), u->maildir) ||
	    !roles_copy(h.remote_ip, sizeof(h.remote_ip), env->remote_ip))
		roles_fail_temp(fd, "session handover", error);
	h.uid = u->uid;
	h.gid = u->gid;
	h.system_user = u->system_user;
	h.trace = env->trace;
	h.imap_timeout = c->imap_timeout;
	h.message_size_limit = c->message_size_limit;
	h.error_limit = c->error_limit;
	h.log = log_file_fd() >= 0 ? HANDOVER_LOG_FILE
	      : log_is_syslog()	   ? HANDOVER_LOG_SYSLOG
				   : HANDOVER_LOG_STDERR;
	h.input = io_peek(io);
	h.input_len = io_pending(io);
	(void)handover_exec(path, IMAPD_SESSION_PROGRAM, &h, fd, log_file_fd(),
			    &error);
	roles_fail_temp(fd, path, error);
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
	} else if (!env->implicit_tls || auth_start_tls(&s) == 0) {
		sess_untagged(&s, "OK [CAPABILITY %s] quail IMAP ready.",
			      conn_capability(&s));
		if (auth_run(&s, l, &u, &tag) == 1)
			r = roles_handover(&s, l, &u, buf_cstr(&tag));
	}
	io_flush(&io);
	if (s.tls_conn != NULL)
		tls_conn_free(&s.tls_conn);
	buf_free(&tag);
	sess_free(&s);
	return r < 0 ? EXIT_TEMP : EXIT_DONE;
}
