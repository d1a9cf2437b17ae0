/*
 * main.c -- quail-pop3d: started per connection by inetd/xinetd/tcpserver
 * with the client on stdin/stdout (-t: implicit TLS, port 995). The
 * startup (options, quail.conf, the TLS key, the login split) is
 * lib/daemon.h's; it hands over to roles.c: the AUTHORIZATION state
 * (auth.c) in the child, the TRANSACTION state (session.c) as the
 * mailbox owner.
 *
 * SECURITY: see lib/daemon.h (the key is read as root before the split,
 * client bytes are parsed only by the unprivileged child until login,
 * stderr is never written when it is the client's socket) and roles.c
 * (the session runs as the mailbox owner, never as root).
 */
#include "daemon.h"
#include "pop3d.h"

static const struct daemon_proto pop3d_proto = {
	.name = "pop3d",
	.usage = "quail-pop3d [-v] [-t] [-C confdir]",
	.unavailable = POP3D_UNAVAILABLE,
	.child = roles_child,
	.session = roles_session,
};

int
main(int argc, char **argv)
{
	return daemon_main(argc, argv, &pop3d_proto);
}
