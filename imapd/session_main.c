/*
 * session_main.c -- quail-imapd-session: the authenticated and selected
 * states of an IMAP connection (session.c), exec'd by quail-imapd's root
 * monitor once a login succeeded and it became the mailbox owner
 * (roles.c). It gets the client on fds 0 and 1 (the socket, or with TLS
 * the socketpair to quail-imapd's TLS proxy) and the handover on fd 3
 * (lib/handover.h): the user, the few settings a session reads, the log,
 * and the input the client pipelined after its login, which starts with
 * quail-imapd's tag line "<T|P><tag>\n".
 *
 * Why a program of its own: this is what stays in memory while a client
 * keeps its connection open. It links only the session's code -- no PAM,
 * no OpenSSL, no user tables, no quail.conf parser -- and, where the build
 * has musl, statically against it: no ld.so, no shared libc to map and
 * relocate, and nothing left over from the login's stack and heap.
 *
 * SECURITY: never runs as root: handover_receive() checks that the real,
 * effective and saved ids are the owner's and not 0 before a byte of
 * the client is read. It is not meant to be started by hand (no options;
 * without a handover on fd 3 it logs and exits 111).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "handover.h"
#include "imapd.h"
#include "log.h"

_Static_assert(HANDOVER_USER_MAX_BYTES == LOGIN_USER_MAX_BYTES,
	       "a handed-over user name fits struct login_user");
_Static_assert(HANDOVER_IP_MAX_BYTES == DAEMON_IP_MAX_BYTES,
	       "a handed-over address fits struct daemon_env");

/* Logs what/why, answers the unavailable BYE on the client, exits 111. */
static _Noreturn void
session_fail_temp(const char *what, const char *why)
{
	log_msg(LOG_ERR, "%s: %s", what, why);
	if (write(STDOUT_FILENO, IMAPD_UNAVAILABLE,
		  sizeof(IMAPD_UNAVAILABLE) - 1) < 0)
		log_msg(LOG_INFO, "client gone before the unavailable reply");
	_exit(EXIT_TEMP);
}

/* Takes the tag line off the front of the input buffered in io into tag
 * (room for IO_RBUF_BYTES). 0, or -1 when it is missing or malformed. */
static int
session_take_tag(struct io *io, char *tag, bool *tls_r)
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

/* The log the monitor used: the same syslog ident, or its file. */
static void
session_log(const struct handover *h)
{
	switch (h->log) {
	case HANDOVER_LOG_FILE:
		log_open_fd("imapd", HANDOVER_LOG_FD);
		break;
	case HANDOVER_LOG_SYSLOG:
		log_open("imapd", "syslog");
		break;
	case HANDOVER_LOG_STDERR:
		log_open("imapd", "stderr");
		break;
	}
}

int
main(int argc, char **argv)
{
	/* static: kept off the stack, which stays small for an idle session */
	static struct handover h;
	static struct conf conf;
	static struct imapd_env env;
	static struct login_user u;
	static struct io io;
	static struct imapd_session s;
	static char tag[IO_RBUF_BYTES];
	struct buf store;
	const char *error = NULL;
	bool tls = false;
	int r;

	(void)argv;
	/* a client that hangs up shows up as EPIPE (lib/io.h), as in
	 * quail-imapd, whose ignored SIGPIPE the exec kept anyway */
	signal(SIGPIPE, SIG_IGN);
	log_open("imapd", "stderr"); /* until the handover names the log */
	if (argc != 1)
		session_fail_temp(IMAPD_SESSION_PROGRAM,
				  "takes no arguments (run by quail-imapd)");
	if (handover_receive(&h, &store, &error) < 0)
		session_fail_temp("handover", error);
	session_log(&h);
	/* the settings a session reads (imapd.h: env->conf) */
	conf.imap_timeout = h.imap_timeout;
	conf.message_size_limit = h.message_size_limit;
	conf.error_limit = h.error_limit;
	conf.trace = h.trace;
	env.conf = &conf;
	env.trace = h.trace;
	memcpy(env.remote_ip, h.remote_ip, sizeof(env.remote_ip));
	memcpy(u.name, h.user, sizeof(u.name));
	memcpy(u.maildir, h.maildir, sizeof(u.maildir));
	u.uid = h.uid;
	u.gid = h.gid;
	u.system_user = h.system_user;
	io_init(&io, STDIN_FILENO, STDOUT_FILENO);
	memcpy(io.rbuf, h.input, h.input_len); /* <= IO_RBUF_BYTES: parsed */
	io.rlen = h.input_len;
	buf_free(&store);
	if (session_take_tag(&io, tag, &tls) < 0)
		session_fail_temp("handover", "no valid tag line");
	if (sess_init(&s, &env, &io) < 0)
		session_fail_temp("session", "out of memory");
	s.tls_proxied = tls;
	r = session_run(&s, &u, tag);
	io_flush(&io);
	sess_free(&s);
	return r == 0 ? EXIT_DONE : EXIT_TEMP;
}
