/*
 * main.c -- quail-imapd: started per connection by inetd/xinetd/tcpserver
 * (or systemd Accept=yes) with the client on stdin/stdout (-t: implicit
 * TLS, port 993). The startup (options, quail.conf, the TLS key, the
 * login split) is lib/daemon.h's; it hands over to roles.c: the
 * not-authenticated state (auth.c) in the child, the authenticated and
 * selected states (session.c) as the mailbox owner.
 *
 * SECURITY: see lib/daemon.h (the key is read as root before the split,
 * client bytes are parsed only by the unprivileged child until login,
 * stderr is never written when it is the client's socket) and roles.c
 * (the session runs as the mailbox owner, never as root).
 */
#include "daemon.h"
#include "imapd.h"

static const struct daemon_proto imapd_proto = {
	.name = "imapd",
	.usage = "quail-imapd [-v] [-t] [-C confdir]",
	.unavailable = IMAPD_UNAVAILABLE,
	.child = roles_child,
	.session = roles_session,
};

int
main(int argc, char **argv)
{
	return daemon_main(argc, argv, &imapd_proto);
}
