/*
 * daemon.c -- the startup of quail-pop3d and quail-imapd (see daemon.h).
 *
 * SECURITY: the order matters: stderr is checked before anything could be
 * written to it; the key is read as root before login_split(); the
 * monitor frees it (tls_server_free wipes) before it can become a mailbox
 * owner and run a session that parses client commands.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "exitcode.h"
#include "log.h"
#include "peer.h"

_Noreturn void
daemon_fail_temp(int fd, const char *reply, const char *what, const char *why)
{
	log_msg(LOG_ERR, "%s: %s", what, why != NULL ? why : "unknown error");
	if (write(fd, reply, strlen(reply)) < 0)
		log_msg(LOG_INFO, "client gone before the unavailable reply");
	exit(EXIT_TEMP);
}

int
daemon_tls_prepare(const struct daemon_env *env)
{
	const char *error = NULL;

	if (!env->implicit_tls || tls_server_prepare(env->tls, &error) == 0)
		return 0;
	log_msg(LOG_ERR, "TLS certificate: %s", error);
	return -1;
}

/* MONITOR: answers the child's logins until it ends (then exits as it
 * did: inetd sees this process) or hands a session over; then runs p's
 * session as the mailbox owner. The exit status. */
static int
daemon_monitor(struct login *l, const struct daemon_proto *p,
	       const struct daemon_env *env)
{
	static struct io io;
	struct login_user u;
	const char *error = NULL;
	int fd, r, status;

	r = login_monitor_session(l, &io, &u, &fd, &status, &error);
	if (r == 0)
		return status;
	if (r < 0)
		daemon_fail_temp(fd, p->unavailable,
				 "cannot become the mailbox owner", error);
	return p->session(&io, fd, &u, env);
}

/* Options into env and *confdir_r; exits through die_usage(). */
static void
daemon_options(int argc, char **argv, const struct daemon_proto *p,
	       struct daemon_env *env, const char **confdir_r)
{
	int opt;

	while ((opt = getopt(argc, argv, "vtC:")) != -1) {
		switch (opt) {
		case 'v':
			env->trace = true;
			break;
		case 't':
			env->implicit_tls = true;
			break;
		case 'C':
			*confdir_r = optarg;
			break;
		default:
			die_usage(p->usage);
		}
	}
	if (optind != argc)
		die_usage(p->usage);
}

int
daemon_main(int argc, char **argv, const struct daemon_proto *p)
{
	static struct conf conf;
	static struct daemon_env env;
	struct login *l = NULL;
	enum login_role role;
	const char *confdir = NULL, *error = NULL;
	bool quiet_stderr;
	int r;

	/* Before any write: a client that hangs up while we write must show
	 * up as EPIPE (lib/io.h: sticky; the session then ends with a log
	 * line), not kill the process (xinetd would log signal=13). Ignored
	 * signals stay ignored across the login split (fork). */
	signal(SIGPIPE, SIG_IGN);
	daemon_options(argc, argv, p, &env, &confdir);
	quiet_stderr = peer_stderr_is_client();
	if (quiet_stderr)
		peer_stderr_to_null();
	if (conf_load(&conf, conf_dir(confdir), &error) < 0) {
		log_open(p->name, "syslog");
		daemon_fail_temp(STDOUT_FILENO, p->unavailable,
				 "configuration error", error);
	}
	log_open(p->name, quiet_stderr && strcmp(conf.log_dest, "stderr") == 0
				  ? "syslog"
				  : conf.log_dest);
	env.conf = &conf;
	env.trace = env.trace || conf.trace;
	peer_ip(STDIN_FILENO, env.remote_ip, sizeof(env.remote_ip));
	peer_nodelay(STDIN_FILENO);
	/* The key is readable by root only: read it before the split. The
	 * files are checked now (a missing or bad certificate is an error
	 * at start); OpenSSL is set up only when TLS starts (lib/tls.h). */
	if (conf.tls_cert[0] != '\0' &&
	    tls_server_load(&env.tls, conf.tls_cert, conf.tls_key, &error) < 0)
		daemon_fail_temp(STDOUT_FILENO, p->unavailable,
				 "TLS certificate", error);
	if (env.implicit_tls && env.tls == NULL)
		daemon_fail_temp(STDOUT_FILENO, p->unavailable,
				 "-t (implicit TLS)", "no tls_cert configured");
	log_msg(LOG_INFO, "connect from %s", env.remote_ip);
	if (login_split(&l, &conf, p->name, &role, &error) < 0)
		daemon_fail_temp(STDOUT_FILENO, p->unavailable, "login", error);
	if (role == LOGIN_MONITOR) {
		/* TLS is the child's (it stays on as the proxy): the session
		 * this process becomes after a login parses client commands
		 * as the mailbox owner and must not hold the server key. */
		tls_server_free(&env.tls);
		r = daemon_monitor(l, p, &env);
	} else {
		r = p->child(l, &env);
	}
	login_free(&l);
	tls_server_free(&env.tls);
	conf_free(&conf);
	return r;
}
