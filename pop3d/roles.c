/*
 * roles.c -- the two processes of quail-pop3d after login_split()
 * (lib/login.h, started by lib/daemon.h): the CHILD speaks the
 * AUTHORIZATION state (auth.c) and hands a logged-in session over; the
 * MONITOR (root), once it has become the mailbox owner
 * (login_monitor_session), runs the TRANSACTION state (session.c) on the
 * handed-over connection. Not root: the child goes on with the session
 * itself.
 *
 * SECURITY: the monitor never runs a session as root (uid 0 is refused
 * before priv_drop_ids(), which also verifies that root cannot be
 * regained; lib/login.c); the input the child had buffered after
 * PASS/AUTH is copied with a bounds check; startup failures are logged
 * and answered with -ERR [SYS/TEMP] on the client's socket, never on
 * stderr.
 */
#include <unistd.h>

#include "exitcode.h"
#include "pop3d.h"

/* MONITOR, after a login (lib/daemon.h): the TRANSACTION state as the
 * mailbox owner on the connection the child handed over; io already
 * holds what the client pipelined after PASS/AUTH. */
int
roles_session(struct io *io, int fd, const struct login_user *u,
	      const struct pop3d_env *env)
{
	struct pop3_conn c;
	int r;

	(void)fd;
	conn_init(&c, env, io);
	r = session_run(&c, u);
	io_flush(io);
	conn_free(&c);
	return r == 0 ? EXIT_DONE : EXIT_TEMP;
}

/* CHILD: the AUTHORIZATION state; after a login the session is handed
 * to the monitor, or (not root) runs right here. */
int
roles_child(struct login *l, const struct pop3d_env *env)
{
	static struct io io;
	struct pop3_conn c;
	struct login_user u;
	int r = 0;

	io_init(&io, STDIN_FILENO, STDOUT_FILENO);
	conn_init(&c, env, &io);
	if (daemon_tls_prepare(env) < 0) {
		r = -1; /* nothing said in plaintext on a TLS port */
	} else if (!env->implicit_tls || conn_start_tls(&c) == 0) {
		conn_reply(&c, POP3D_GREETING);
		if (auth_run(&c, l, &u) == 1) {
			r = login_handover(l, &io);
			if (r == 1)
				r = session_run(&c, &u);
			else if (r < 0)
				conn_reply(&c, "-ERR [SYS/TEMP] Login failed.");
		}
	}
	io_flush(&io);
	conn_free(&c);
	return r < 0 ? EXIT_TEMP : EXIT_DONE;
}
