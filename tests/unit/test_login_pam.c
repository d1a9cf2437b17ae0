/*
 * test_login_pam.c -- login through the real libpam: login_split as root,
 * the protocol child (nobody) asks the monitor, the monitor runs the PAM
 * service, and a plain handover makes the session the system user.
 * Driven by tests/system/t_pam_login.sh, which creates throwaway users and
 * the PAM service and sets QUAIL_PAM_SERVICE, QUAIL_PAM_USER,
 * QUAIL_PAM_PASS and QUAIL_PAM_EXPIRED_USER (same password, account
 * expired). Without them, or not as root, every test is skipped (the unit
 * test run), since it would need a real account.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "io.h"
#include "login.h"
#include "priv.h"

#define TEST_ALARM_SECS 60

static char dir[64];
static struct conf conf;
static const char *service, *user, *pass, *expired;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: %s\n", \
	__FILE__, __LINE__, #cond); _exit(__LINE__ % 200 + 1); } } while (0)

static int
setup(void **state)
{
	char p[128], text[256];
	const char *err = NULL;
	FILE *f;

	(void)state;
	service = getenv("QUAIL_PAM_SERVICE");
	user = getenv("QUAIL_PAM_USER");
	pass = getenv("QUAIL_PAM_PASS");
	expired = getenv("QUAIL_PAM_EXPIRED_USER");
	snprintf(dir, sizeof(dir), "/tmp/test_login_pam.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/quail.conf", dir);
	snprintf(text, sizeof(text), "local_domains = example.com\n"
		 "log = stderr\ndaemon_user = nobody\nauth_backends = pam\n"
		 "pam_service = %s\nauth_fail_delay = 0\n",
		 service != NULL ? service : "quail");
	f = fopen(p, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	if (conf_load(&conf, dir, &err) < 0) {
		fprintf(stderr, "conf_load: %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	conf_free(&conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
skip_unless_driven(void)
{
	if (!priv_is_root() || service == NULL || user == NULL ||
	    pass == NULL || expired == NULL)
		skip();
}

static int
wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The backend alone, in this (root) process. */
static void
test_pam_backend(void **state)
{
	struct passwd *pw;
	struct auth_user u;
	const char *err = NULL;
	char addr[128];

	(void)state;
	skip_unless_driven();
	pw = getpwnam(user);
	assert_non_null(pw);
	memset(&u, 0, sizeof(u));
	assert_int_equal(auth_verify(&conf, user, pass, "127.0.0.1", &u, &err), 1);
	assert_true(u.system_user);
	assert_string_equal(u.name, user);
	assert_int_equal(u.uid, pw->pw_uid);
	assert_int_equal(u.gid, pw->pw_gid);
	{
		char md[4200];

		snprintf(md, sizeof(md), "%s/Maildir", pw->pw_dir);
		assert_string_equal(u.maildir, md);
	}
	/* name@<local domain> is the same system user */
	snprintf(addr, sizeof(addr), "%s@example.com", user);
	assert_int_equal(auth_verify(&conf, addr, pass, NULL, &u, &err), 1);
	snprintf(addr, sizeof(addr), "%s@elsewhere.example", user);
	assert_int_equal(auth_verify(&conf, addr, pass, NULL, &u, &err), 0);
	/* wrong password, unknown user, expired account, root; pam_unix's
	 * own 2 s failure delay is replaced (auth_fail_delay is 0 here) */
	{
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(auth_verify(&conf, user, "wrong-password",
					     NULL, &u, &err), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(t1.tv_sec - t0.tv_sec < 2);
	}
	assert_int_equal(auth_verify(&conf, "no-such-user-qt", pass, NULL, &u,
				     &err), 0);
	assert_int_equal(auth_verify(&conf, expired, pass, NULL, &u, &err), 0);
	assert_int_equal(auth_verify(&conf, "root", pass, NULL, &u, &err), 0);
	assert_int_equal(auth_verify(&conf, "-x", pass, NULL, &u, &err), 0);
}

/* Through the monitor, then a handover to the system user. */
static void
test_pam_split_handover(void **state)
{
	pid_t pid;

	(void)state;
	skip_unless_driven();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct passwd *pw = getpwnam(user), pwc;
		struct login *l = NULL;
		enum login_role role;
		struct login_user u;
		struct buf pending;
		const char *err;
		int sv[2], fd;
		gid_t groups[4];

		alarm(TEST_ALARM_SECS);
		CHECK(pw != NULL);
		pwc = *pw;
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CHECK(dup2(sv[1], 0) == 0 && dup2(sv[1], 1) == 1);
		close(sv[1]);
		CHECK(login_split(&l, &conf, "pop3d", &role, &err) == 0);
		if (role == LOGIN_CHILD) {
			struct io *io = calloc(1, sizeof(*io));

			close(sv[0]);
			CHECK(io != NULL);
			CHECK(getuid() != 0);
			CHECK(login_verify(l, user, "wrong-password", "::1",
					   &u) == 0);
			CHECK(login_verify(l, expired, pass, "::1", &u) == 0);
			CHECK(login_verify(l, user, pass, "::1", &u) == 1);
			CHECK(u.system_user && u.uid == pwc.pw_uid);
			io_init(io, 0, 1);
			CHECK(login_handover(l, io) == 0);
			_exit(0);
		}
		buf_init(&pending, 0);
		CHECK(login_monitor(l, &u, &fd, &pending) == 1);
		CHECK(fd == 0 && pending.len == 0);
		CHECK(getuid() == pwc.pw_uid && geteuid() == pwc.pw_uid);
		CHECK(getgid() == pwc.pw_gid && getegid() == pwc.pw_gid);
		CHECK(getgroups(4, groups) == 0);
		CHECK(setuid(0) < 0);
		login_free(&l);
		_exit(0);
	}
	assert_int_equal(wait_status(pid), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pam_backend),
		cmocka_unit_test(test_pam_split_handover),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
