/*
 * main.c -- quail-smtpd: started per connection by inetd/xinetd/tcpserver
 * with the client on stdin/stdout. Parses argv (-t implicit TLS, -s
 * submission), loads quail.conf and the TLS certificate, splits into the
 * root login monitor and the unprivileged protocol child (lib/login.h),
 * and hands over to smtpd_run() (session.c) in the child.
 *
 * SECURITY: as root, the configuration, log and TLS key are read first;
 * then login_split() forks and the child becomes daemon_user before a
 * single client byte is read. The monitor keeps root only to verify AUTH
 * credentials and never touches the client connection. Under xinetd
 * stderr may be the client's socket: once started, nothing is written to
 * stderr (it is pointed at /dev/null if it is the socket) and failures go
 * to the log and to the client as 421.
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
#include "login.h"
#include "smtpd.h"
#include "tls.h"

static const char usage[] = "quail-smtpd [-stv] [-C confdir]";

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

static void fd_to_null(int target)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd >= 0 && fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

/* Reads tls_cert/tls_key (as root: the key is usually root-only). A
 * configured but missing, unreadable or obviously bad certificate or key
 * is an error at start, never a silent downgrade to plaintext. OpenSSL
 * itself is set up only when a session starts TLS (lib/tls.h: lazy setup;
 * a key that does not match the certificate is found then, and STARTTLS
 * answers 454 with the reason in the log): a plaintext session does not
 * pay for it. */
static struct tls_server *load_tls(const struct conf *c, bool implicit)
{
	struct tls_server *tls = NULL;
	const char *error = NULL;

	if (c->tls_cert[0] == '\0' && c->tls_key[0] == '\0') {
		if (implicit) {
			log_msg(LOG_ERR, "-t needs tls_cert and tls_key in "
				"quail.conf");
			exit(EXIT_TEMP);  /* no plaintext reply on a TLS port */
		}
		return NULL;
	}
	if (tls_server_load(&tls, c->tls_cert, c->tls_key, &error) < 0) {
		if (implicit) {
			log_msg(LOG_ERR, "TLS: %s", error);
			exit(EXIT_TEMP);
		}
		fail_421("TLS", error);
	}
	return tls;
}

/* Root: the monitor answers AUTH verification requests until the
 * protocol child exits, then exits itself with the child's status. */
static _Noreturn void run_monitor(struct login *l)
{
	struct login_user u;
	struct buf pending;
	int fd = -1, r;

	/* Only the child talks to the client: when it closes the
	 * connection, the client must see the close at once. */
	fd_to_null(STDIN_FILENO);
	fd_to_null(STDOUT_FILENO);
	buf_init(&pending, IO_RBUF_BYTES);
	r = login_monitor(l, &u, &fd, &pending);
	if (r == 1) {
		/* SMTP never hands a session over. */
		log_msg(LOG_ERR, "unexpected login handover from smtpd child");
		if (fd >= 0)
			close(fd);
		r = -1;
	}
	buf_free_secret(&pending);
	/* inetd sees the monitor: it ends as the protocol child did */
	if (r == 0)
		r = login_child_status(l);
	login_free(&l);
	exit(r >= 0 ? r : EXIT_TEMP);
}

int main(int argc, char **argv)
{
	static struct conf conf;
	static struct smtpd_env env;
	const char *confdir = NULL, *error = NULL;
	bool verbose = false, from_socket, quiet_stderr;
	enum login_role role;
	struct login *login = NULL;
	int opt, r;

	while ((opt = getopt(argc, argv, "stvC:")) != -1) {
		switch (opt) {
		case 's':
			env.submission = true;
			break;
		case 't':
			env.implicit_tls = true;
			break;
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
		fd_to_null(STDERR_FILENO);
	if (conf_load(&conf, conf_dir(confdir), &error) < 0) {
		log_open("smtpd", "syslog");
		fail_421("configuration error", error);
	}
	log_open("smtpd", quiet_stderr && strcmp(conf.log_dest, "stderr") == 0
			  ? "syslog" : conf.log_dest);

	from_socket = smtpd_peer_ip(STDIN_FILENO, &env);
	/* Keep this order: the key is read while still root, then the
	 * split, whose child drops to daemon_user before reading any client
	 * byte (and before DNS answers are parsed). Not root: no fork, and
	 * login_split logs that everything runs as the invoking user. */
	env.tls = load_tls(&conf, env.implicit_tls);
	if (login_split(&login, &conf, "smtpd", &role, &error) < 0)
		fail_421("cannot start the login monitor", error);
	if (role == LOGIN_MONITOR) {
		/* wipes the monitor's copy of the key */
		tls_server_free(&env.tls);
		run_monitor(login);
	}
	smtpd_peer_rdns(&env, from_socket);

	env.conf = &conf;
	env.login = login;
	env.trace = verbose || conf.trace;
	r = smtpd_run(STDIN_FILENO, STDOUT_FILENO, &env);
	login_free(&env.login);
	tls_server_free(&env.tls);      /* wipes the key if TLS never started */
	conf_free(&conf);
	return r == 0 ? EXIT_DONE : EXIT_TEMP;
}
