/*
 * main.c -- quail-smtpd: started per connection by inetd/xinetd/tcpserver
 * with the client on stdin/stdout. Parses argv, loads quail.conf, drops
 * privileges and hands over to smtpd_run() (session.c).
 *
 * SECURITY: as root, the configuration and log are opened first and the
 * process becomes daemon_user before a single client byte is read. Under
 * xinetd stderr may be the client's socket: once started, nothing is
 * written to stderr (it is pointed at /dev/null if it is the socket) and
 * failures go to the log and to the client as 421.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "smtpd.h"

static const char usage[] = "quail-smtpd [-v] [-C confdir]";

/* Startup failure after we own the connection: log, 421, exit 111. */
static _Noreturn void fail_421(const char *what, const char *why)
{
	static const char reply[] =
		"421 4.3.0 Service temporarily unavailable\r\n";

	log_msg(LOG_ERR, "%s: %s", what, why != NULL ? why : "unknown error");
	if (write(STDOUT_FILENO, reply, sizeof(reply) - 1) < 0) {
		/* the client is gone already; nothing else to tell */
	}
	exit(EXIT_TEMP);
}

/* True if fd 2 is the very socket or pipe fd 0 is (xinetd, tcpserver
 * with 2>&1): then stderr must never be written. */
static bool stderr_is_client(void)
{
	struct stat in, err;

	if (fstat(STDIN_FILENO, &in) < 0 || fstat(STDERR_FILENO, &err) < 0)
		return false;
	return in.st_dev == err.st_dev && in.st_ino == err.st_ino &&
	       !S_ISCHR(in.st_mode);
}

static void stderr_to_null(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd >= 0 && fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	static struct conf conf;
	static struct smtpd_env env;
	const char *confdir = NULL, *error = NULL;
	bool verbose = false, from_socket, quiet_stderr;
	int opt, r;

	while ((opt = getopt(argc, argv, "vC:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
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

	quiet_stderr = stderr_is_client();
	if (quiet_stderr)
		stderr_to_null();
	if (conf_load(&conf, conf_dir(confdir), &error) < 0) {
		log_open("smtpd", "syslog");
		fail_421("configuration error", error);
	}
	log_open("smtpd", quiet_stderr && strcmp(conf.log_dest, "stderr") == 0
			  ? "syslog" : conf.log_dest);

	from_socket = smtpd_peer_ip(STDIN_FILENO, &env);
	/* Drop before reading any client byte (and before DNS answers are
	 * parsed): the protocol is spoken unprivileged. */
	if (priv_is_root()) {
		if (priv_drop_user(conf.daemon_user, &error) < 0)
			fail_421("cannot drop privileges", error);
	} else {
		log_msg(LOG_INFO, "running unprivileged as uid %u",
			(unsigned)getuid());
	}
	smtpd_peer_rdns(&env, from_socket);

	env.conf = &conf;
	env.trace = verbose || conf.trace;
	r = smtpd_run(STDIN_FILENO, STDOUT_FILENO, &env);
	conf_free(&conf);
	return r == 0 ? EXIT_DONE : EXIT_TEMP;
}
