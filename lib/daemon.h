/*
 * daemon.h -- the startup shared by the inetd-started mail access
 * daemons (quail-pop3d, quail-imapd): options -v -t -C, the check whether
 * stderr is the client's socket, quail.conf, the log, the client's
 * address, the TLS key, the login split (lib/login.h), and the dispatch
 * to the protocol child, or in the root monitor, after a login, to the
 * session as the mailbox owner. What differs per protocol -- the program
 * name, the usage line, the reply that tells the client the service is
 * unavailable, the child and the session -- comes in a struct
 * daemon_proto.
 *
 * Unlike the rest of lib/, daemon_main() is the body of a program's
 * main(): on a startup failure it ends the process (die_usage(), or
 * daemon_fail_temp(): log, the protocol's reply on the socket, exit 111).
 *
 * SECURITY: the certificate key is loaded while root, before the split;
 * the monitor drops its copy before it runs a session; client bytes are
 * parsed only by the unprivileged child until login. Under xinetd stderr
 * may be the client's socket: it is then pointed at /dev/null and the log
 * goes to syslog instead of stderr.
 */
#ifndef QUAIL_DAEMON_H
#define QUAIL_DAEMON_H

#include <stdbool.h>

#include "conf.h"
#include "io.h"
#include "login.h"
#include "tls.h"

/* Longest textual IP address (IPv6 with scope) kept for the client. */
#define DAEMON_IP_MAX_BYTES 64

/* What the roles get from the startup; valid until they return. */
struct daemon_env {
	const struct conf *conf;
	char remote_ip[DAEMON_IP_MAX_BYTES]; /* "192.0.2.7" or "unknown" */
	bool trace;			     /* -v or trace = yes */
	struct tls_server *tls;		     /* NULL: no TLS configured */
	bool implicit_tls;		     /* -t: TLS from the first byte */
};

struct daemon_proto {
	const char *name;  /* "imapd": the log's name and login_split()'s */
	const char *usage; /* "quail-imapd [-v] [-t] [-C confdir]" */
	/* The whole reply, CRLF included, sent on the client's socket when
	 * the service cannot start ("* BYE [UNAVAILABLE] ...\r\n"). */
	const char *unavailable;
	/* The protocol child after login_split() (also the whole
	 * session when not root): returns the exit status. */
	int (*child)(struct login *l, const struct daemon_env *env);
	/* The monitor after a login (lib/login.h: login_monitor_session):
	 * the post-login session as u (never root) on io, which reads and
	 * writes fd and already holds what the client pipelined after the
	 * login; env->tls is NULL here. Returns the exit status. */
	int (*session)(struct io *io, int fd, const struct login_user *u,
		       const struct daemon_env *env);
};

/* Starts the daemon p with argv and runs its role. Returns the exit
 * status for main() to return; exits itself on a usage error (64) or a
 * startup failure (111, after the unavailable reply). */
int daemon_main(int argc, char **argv, const struct daemon_proto *p);

/* Startup failure once the process owns the connection: logs what/why,
 * writes reply (the protocol's unavailable line) on fd, exits 111. */
_Noreturn void daemon_fail_temp(int fd, const char *reply, const char *what,
				const char *why);

/* For the protocol child with -t: sets the server's TLS up before the
 * handshake (lib/tls.h: lazy setup). 0, also when -t is not given; -1
 * when OpenSSL refuses the certificate or key (logged: a server problem,
 * the child then exits 111 without a word in plaintext on a TLS port). */
int daemon_tls_prepare(const struct daemon_env *env);

#endif
