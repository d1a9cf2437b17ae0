/*
 * roles.c -- the two processes of quail-pop3d after login_split()
 * (lib/login.h): the CHILD speaks the AUTHORIZATION state (auth.c) and
 * hands a logged-in session over; the MONITOR (root) becomes the mailbox
 * owner and runs the TRANSACTION state (session.c) on the handed-over
 * connection. Not root: the child goes on with the session itself.
 *
 * SECURITY: the monitor never runs a session as root (uid 0 is refused
 * before priv_drop_ids(), which also verifies that root cannot be
 * regained); the input the child had buffered after PASS/AUTH is copied
 * with a bounds check; startup failures are logged and answered with
 * -ERR [SYS/TEMP] on the client's socket, never on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "pop3d.h"
#include "priv.h"

/* Startup failure after we own the connection: log, -ERR, exit 111. */
_Noreturn void
roles_fail_temp(int fd, const char *what, const char *why)
{
	static const char reply[] = "-ERR [SYS/TEMP] Service temporarily "
				    "unavailable.\r\n";

	log_msg(LOG_ERR, "%s: %s", what, why != NULL ? why : "unknown error");
	if (write(fd, reply, sizeof(reply) - 1) < 0)
		log_msg(LOG_INFO, "client gone before the -ERR");
	exit(EXIT_TEMP);
}

/* MONITOR: waits for the child (and exits as it did when it ends
 * without a login); after a login, becomes the user and runs the session
 * on the fd the child handed over. */
int
roles_monitor(struct login *l, const struct pop3d_env *env)
{
	static struct io io;
	struct pop3_conn c;
	struct login_user u;
	struct buf pending;
	const char *error = NULL;
	int fd, r;

	buf_init(&pending, IO_RBUF_BYTES);
	r = login_monitor(l, &u, &fd, &pending);
	if (r <= 0) {
		/* no login: end as the protocol child did (inetd sees us) */
		buf_free_secret(&pending);
		r = r == 0 ? login_child_status(l) : -1;
		return r >= 0 ? r : EXIT_TEMP;
	}
	if (u.uid == 0) /* the session never runs as root */
		roles_fail_temp(fd, "cannot become the mailbox owner", "root");
	if (priv_drop_ids(u.uid, u.gid, u.system_user ? u.name : NULL, &error))
		roles_fail_temp(fd, "cannot become the mailbox owner", error);
	io_init(&io, fd, fd);
	/* what the client pipelined after PASS/AUTH is ours to answer */
	if (pending.len > 0 && pending.len <= sizeof(io.rbuf)) {
		memcpy(io.rbuf, pending.data, pending.len);
		io.rlen = pending.len;
	}
	buf_free_secret(&pending);
	conn_init(&c, env, &io);
	r = session_run(&c, &u);
	io_flush(&io);
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
	const char *error = NULL;
	int r = 0;

	io_init(&io, STDIN_FILENO, STDOUT_FILENO);
	conn_init(&c, env, &io);
	if (env->implicit_tls && tls_server_prepare(env->tls, &error) < 0) {
		/* -t and OpenSSL refuses the certificate or key (lib/tls.h:
		 * lazy setup): a server problem, exit 111, nothing said in
		 * plaintext on a TLS port */
		log_msg(LOG_ERR, "TLS certificate: %s", error);
		r = -1;
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
