/*
 * test_daemon.c -- lib/daemon.c (the startup of quail-pop3d and
 * quail-imapd) and the two helpers it and the daemons use from
 * lib/login.c (login_verify_owner, login_monitor_session).
 *
 * daemon_main() is the body of a main(): every case runs it in a forked
 * process with stdin and stdout on a socketpair (as under inetd), reads
 * what it answered and checks the exit status: usage errors (64), a
 * configuration that does not load, -t without a certificate and a
 * certificate that does not load (the protocol's unavailable reply, 111),
 * the environment the child role gets (-v, TCPREMOTEIP, the conf), and
 * its exit status passed through the monitor. As root, a whole login:
 * the child verifies (a wrong password is refused) and hands over, the
 * monitor's session runs as the mailbox owner (nobody) with the input
 * the client pipelined after the login already in its io.
 * Every forked process runs under alarm() so a hang fails, never blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cdbmap.h"
#include "unit_confdir.h"
#include "daemon.h"
#include "io.h"
#include "login.h"
#include "priv.h"

#define TEST_ALARM_SECS 30
/* What a case may answer on the socket; more is a failure. */
#define TEST_OUTPUT_MAX_BYTES 512
#define TEST_UNAVAILABLE "-ERR test unavailable\r\n"
/* Exit statuses of the test roles (neither 0, 64 nor 111). */
#define TEST_CHILD_STATUS 42
#define TEST_SESSION_STATUS 43

static char dir[64];	  /* quail.conf without TLS */
static char tls_dir[80];  /* quail.conf with a certificate that is absent */
static struct passwd nobody;

/* In a forked process: exit with the line number of the first failed
 * check (cmocka asserts do not work across fork). */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                    \
			_exit(__LINE__ % 200 + 1);                         \
		}                                                          \
	} while (0)

static const char conf_text[] =
	"local_domains = example.com\nlog = stderr\nvmail_user = nobody\n"
	"daemon_user = nobody\nauth_backends = cdb\nauth_fail_delay = 0\n";
/* me@example.com, password "secret" (crypt(3) SHA-512, fixed salt) */
static const char *const passwd_kv[] = {
	"me@example.com",
	"$6$quailtestsalt$/KOYYIpBr07JSUy7aGgiSkAd57qX7tcgHBp.UkezswJhcd5QaEuv"
	"qu3k2eyAV48gkRlzxpSWv5L2MWyk/sO2a.",
	NULL,
};
static const char *const users_kv[] = {
	"me@example.com", "::/m/example.com/me/Maildir", NULL,
};

static int
setup(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	char text[512];

	(void)state;
	if (pw == NULL)
		return -1;
	nobody = *pw;
	snprintf(dir, sizeof(dir), "/tmp/test_daemon.XXXXXX");
	/* 0755 and 0644: readable by nobody, the daemon_user */
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0)
		return -1;
	snprintf(tls_dir, sizeof(tls_dir), "%s/tls", dir);
	if (mkdir(tls_dir, 0755) < 0)
		return -1;
	unit_build_cdb(dir, "passwd.cdb", passwd_kv, 0644);
	unit_build_cdb(dir, "users.cdb", users_kv, 0644);
	unit_write_file(dir, "quail.conf", conf_text);
	snprintf(text, sizeof(text),
		 "%stls_cert = %s/absent.pem\ntls_key = %s/absent.key\n",
		 conf_text, tls_dir, tls_dir);
	unit_write_file(tls_dir, "quail.conf", text);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* pid's exit code, 128 + the signal that killed it, or -1. */
static int
exit_code(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The child role: reports the environment on the socket. */
static int
env_child(struct login *l, const struct daemon_env *env)
{
	char line[256];
	int n;

	(void)l;
	n = snprintf(line, sizeof(line),
		     "child trace=%d implicit=%d tls=%d conf=%d ip=%s\r\n",
		     env->trace, env->implicit_tls, env->tls != NULL,
		     env->conf != NULL && env->conf->auth_fail_delay == 0,
		     env->remote_ip);
	CHECK(n > 0 && (size_t)n < sizeof(line));
	CHECK(write(STDOUT_FILENO, line, (size_t)n) == n);
	return TEST_CHILD_STATUS;
}

/* No case that uses it logs in: being called is a failure. */
static int
never_session(struct io *io, int fd, const struct login_user *u,
	      const struct daemon_env *env)
{
	(void)io;
	(void)fd;
	(void)u;
	(void)env;
	return 99;
}

static const struct daemon_proto env_proto = {
	.name = "testd",
	.usage = "quail-testd [-v] [-t] [-C confdir]",
	.unavailable = TEST_UNAVAILABLE,
	.child = env_child,
	.session = never_session,
};

/* Runs daemon_main(p) with argv (NULL-terminated) in a forked process
 * whose stdin and stdout are the server end of a socketpair; client
 * bytes are written first. Fills out (NUL-terminated) with what the
 * daemon sent until it closed the socket; returns the exit status. */
static int
run_daemon(const struct daemon_proto *p, char **argv, const char *client,
	   char *out, size_t outlen)
{
	int sv[2], argc = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	while (argv[argc] != NULL)
		argc++;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if (client != NULL)
		assert_true(write(sv[0], client, strlen(client)) ==
			    (ssize_t)strlen(client));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(TEST_ALARM_SECS);
		close(sv[0]);
		CHECK(dup2(sv[1], 0) == 0 && dup2(sv[1], 1) == 1);
		close(sv[1]);
		CHECK(setenv("TCPREMOTEIP", "192.0.2.7", 1) == 0);
		_exit(daemon_main(argc, argv, p));
	}
	close(sv[1]);
	/* bounded: the daemon runs under alarm(), EOF comes at its end */
	while (got + 1 < outlen &&
	       (n = read(sv[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(sv[0]);
	return exit_code(pid);
}

static void
test_usage(void **state)
{
	char out[TEST_OUTPUT_MAX_BYTES];
	char *bad_opt[] = { "quail-testd", "-x", NULL };
	char *extra[] = { "quail-testd", "-C", dir, "extra", NULL };
	char *no_arg[] = { "quail-testd", "-C", NULL };

	(void)state;
	assert_int_equal(run_daemon(&env_proto, bad_opt, NULL, out,
				    sizeof(out)), 64);
	assert_string_equal(out, "");
	assert_int_equal(run_daemon(&env_proto, extra, NULL, out,
				    sizeof(out)), 64);
	assert_string_equal(out, "");
	assert_int_equal(run_daemon(&env_proto, no_arg, NULL, out,
				    sizeof(out)), 64);
	assert_string_equal(out, "");
}

static void
test_startup_failures(void **state)
{
	char out[TEST_OUTPUT_MAX_BYTES];
	char missing[96];
	char *no_conf[] = { "quail-testd", "-C", missing, NULL };
	char *implicit[] = { "quail-testd", "-t", "-C", dir, NULL };
	char *bad_cert[] = { "quail-testd", "-C", tls_dir, NULL };

	(void)state;
	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	assert_int_equal(run_daemon(&env_proto, no_conf, NULL, out,
				    sizeof(out)), 111);
	assert_string_equal(out, TEST_UNAVAILABLE);
	/* -t without tls_cert: never plaintext service on a TLS port */
	assert_int_equal(run_daemon(&env_proto, implicit, NULL, out,
				    sizeof(out)), 111);
	assert_string_equal(out, TEST_UNAVAILABLE);
	/* a configured certificate that cannot be read is an error at
	 * start, not a silent downgrade */
	assert_int_equal(run_daemon(&env_proto, bad_cert, NULL, out,
				    sizeof(out)), 111);
	assert_string_equal(out, TEST_UNAVAILABLE);
}

static void
test_child_env(void **state)
{
	char out[TEST_OUTPUT_MAX_BYTES];
	char *traced[] = { "quail-testd", "-v", "-C", dir, NULL };
	char *plain[] = { "quail-testd", "-C", dir, NULL };

	(void)state;
	/* the child's exit status comes out of daemon_main (through the
	 * monitor when root) */
	assert_int_equal(run_daemon(&env_proto, traced, NULL, out,
				    sizeof(out)), TEST_CHILD_STATUS);
	assert_string_equal(out, "child trace=1 implicit=0 tls=0 conf=1 "
				 "ip=192.0.2.7\r\n");
	assert_int_equal(run_daemon(&env_proto, plain, NULL, out,
				    sizeof(out)), TEST_CHILD_STATUS);
	assert_string_equal(out, "child trace=0 implicit=0 tls=0 conf=1 "
				 "ip=192.0.2.7\r\n");
}

static void
test_fail_temp(void **state)
{
	char out[TEST_OUTPUT_MAX_BYTES];
	int sv[2];
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(TEST_ALARM_SECS);
		close(sv[0]);
		daemon_fail_temp(sv[1], "* BYE [UNAVAILABLE] x\r\n", "what",
				 NULL);
	}
	close(sv[1]);
	n = read(sv[0], out, sizeof(out) - 1);
	assert_true(n >= 0);
	out[n] = '\0';
	assert_string_equal(out, "* BYE [UNAVAILABLE] x\r\n");
	assert_int_equal(exit_code(pid), 111);
	close(sv[0]);
}

static void
test_tls_prepare_without_t(void **state)
{
	struct daemon_env env;

	(void)state;
	memset(&env, 0, sizeof(env));
	/* nothing to prepare without -t (STARTTLS prepares later) */
	assert_int_equal(daemon_tls_prepare(&env), 0);
}

/* ---- a whole login, as root ------------------------------------------ */

/* The child role: "PASS secret\r\nSTAT\r\n" came in one write; a wrong
 * password is refused, the right one hands the session over with
 * "STAT\r\n" still buffered. */
static int
login_child(struct login *l, const struct daemon_env *env)
{
	struct login_user u;
	struct buf line;
	struct io *io = calloc(1, sizeof(*io));

	CHECK(io != NULL);
	io_init(io, STDIN_FILENO, STDOUT_FILENO);
	io_set_timeout(io, 20);
	buf_init(&line, 0);
	CHECK(io_getline(io, &line, 512, NULL) == IO_LINE_OK);
	CHECK(strcmp(buf_cstr(&line), "PASS secret") == 0);
	CHECK(login_verify_owner(l, "me@example.com", "wrong",
				 env->remote_ip, &u) == LOGIN_REFUSED);
	CHECK(login_verify_owner(l, "who@example.com", "secret",
				 env->remote_ip, &u) == LOGIN_REFUSED);
	CHECK(login_verify_owner(l, "me@example.com", "secret",
				 env->remote_ip, &u) == LOGIN_OK);
	CHECK(u.uid == nobody.pw_uid);
	CHECK(io_puts(io, "+OK child\r\n") == 0);
	CHECK(login_handover(l, io) == 0);
	buf_free(&line);
	free(io);
	return 0;
}

/* The monitor's session: runs as the owner, fd is the client socket,
 * the pipelined input is in io. */
static int
login_session(struct io *io, int fd, const struct login_user *u,
	      const struct daemon_env *env)
{
	CHECK(env->tls == NULL);
	CHECK(getuid() == nobody.pw_uid && geteuid() == nobody.pw_uid);
	CHECK(getgid() == nobody.pw_gid && getegid() == nobody.pw_gid);
	CHECK(setuid(0) < 0);
	CHECK(strcmp(u->name, "me@example.com") == 0);
	CHECK(fd == 0);
	CHECK(io_pending(io) == 6 && memcmp(io_peek(io), "STAT\r\n", 6) == 0);
	CHECK(io_puts(io, "+OK session\r\n") == 0);
	CHECK(io_flush(io) == 0);
	return TEST_SESSION_STATUS;
}

static const struct daemon_proto login_proto = {
	.name = "testd",
	.usage = "quail-testd [-v] [-t] [-C confdir]",
	.unavailable = TEST_UNAVAILABLE,
	.child = login_child,
	.session = login_session,
};

static void
test_login_handover(void **state)
{
	char out[TEST_OUTPUT_MAX_BYTES];
	char *argv[] = { "quail-testd", "-C", dir, NULL };

	(void)state;
	if (!priv_is_root())
		skip();
	assert_int_equal(run_daemon(&login_proto, argv,
				    "PASS secret\r\nSTAT\r\n", out,
				    sizeof(out)), TEST_SESSION_STATUS);
	assert_string_equal(out, "+OK child\r\n+OK session\r\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_startup_failures),
		cmocka_unit_test(test_child_env),
		cmocka_unit_test(test_fail_temp),
		cmocka_unit_test(test_tls_prepare_without_t),
		cmocka_unit_test(test_login_handover),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
