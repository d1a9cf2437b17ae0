/*
 * main.c -- quail-imapd: started per connection by inetd/xinetd/tcpserver
 * (or systemd Accept=yes) with the client on stdin/stdout (-t: implicit
 * TLS, port 993). Loads quail.conf and the TLS key, splits into the
 * protocol child and the root monitor (lib/login.h), and hands over to
 * roles.c: the not-authenticated state (auth.c) in the child, the
 * authenticated and selected states (session.c) as the mailbox owner.
 *
 * SECURITY: the certificate key is loaded while root, before the split;
 * client bytes are parsed only by the unprivileged child until login; the
 * post-login session runs as the mailbox owner and never as root. Under
 * xinetd stderr may be the client's socket: it is then never written.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "imapd.h"
#include "log.h"
#include "peer.h"

static const char usage[] = "quail-imapd [-v] [-t] [-C confdir]";

int
main(int argc, char **argv)
{
	static struct conf conf;
	static struct imapd_env env;
	struct login *l = NULL;
	enum login_role role;
	const char *confdir = NULL, *error = NULL;
	bool quiet_stderr;
	int opt, r;

	/* Before any write: a client that hangs up while we write must show
	 * up as EPIPE (lib/io.h: sticky; the session then ends with a log
	 * line), not kill the process (xinetd would log signal=13). Ignored
	 * signals stay ignored across the login split (fork). */
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "vtC:")) != -1) {
		switch (opt) {
		case 'v':
			env.trace = true;
			break;
		case 't':
			env.implicit_tls = true;
			break;
		case 'C':
			confdir = optarg;
			break;
		default:
			die_usage(usage);
		}
	}
	if (optind != argc)
		die_usage(usage);
	quiet_stderr = peer_stderr_is_client();
	if (quiet_stderr)
		peer_stderr_to_null();
	if (conf_load(&conf, conf_dir(confdir), &error) < 0) {
		log_open("imapd", "syslog");
		roles_fail_temp(STDOUT_FILENO, "configuration error", error);
	}
	log_open("imapd", quiet_stderr && strcmp(conf.log_dest, "stderr") == 0
				  ? "syslog"
				  : conf.log_dest);
	env.conf = &conf;
	env.trace = env.trace || conf.trace;
	peer_ip(STDIN_FILENO, env.remote_ip, sizeof(env.remote_ip));
	/* The key is readable by root only: read it before the split. The
	 * files are checked now (a missing or bad certificate is an error
	 * at start); OpenSSL is set up only when TLS starts (lib/tls.h). */
	if (conf.tls_cert[0] != '\0' &&
	    tls_server_load(&env.tls, conf.tls_cert, conf.tls_key, &error) < 0)
		roles_fail_temp(STDOUT_FILENO, "TLS certificate", error);
	if (env.implicit_tls && env.tls == NULL)
		roles_fail_temp(STDOUT_FILENO, "-t (implicit TLS)",
				"no tls_cert configured");
	log_msg(LOG_INFO, "connect from %s", env.remote_ip);
	if (login_split(&l, &conf, "imapd", &role, &error) < 0)
		roles_fail_temp(STDOUT_FILENO, "login", error);
	if (role == LOGIN_MONITOR) {
		/* TLS is the child's (it stays on as the proxy): the session
		 * this process becomes after a login parses client commands
		 * as the mailbox owner and must not hold the server key. */
		tls_server_free(&env.tls);
		r = roles_monitor(l, &env);
	} else {
		r = roles_child(l, &env);
	}
	login_free(&l);
	tls_server_free(&env.tls);
	conf_free(&conf);
	return r;
}
