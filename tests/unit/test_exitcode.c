/*
 * test_exitcode.c -- lib/exitcode.c: exitcode_class() on real wait statuses
 * (every exit code class and deaths by signal), the sysexits table, and
 * die_temp/die_perm/die_usage run in forked children (exit code, the one
 * stderr line, the log line).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"

/* Runs fn in a child; returns its wait status and what it wrote to stderr. */
static int
run_child(void (*fn)(const void *), const void *arg, char *err, size_t errlen)
{
	int p[2], status;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		close(p[1]);
		alarm(10);
		fn(arg);
		_exit(99);      /* fn must not return */
	}
	close(p[1]);
	while (have + 1 < errlen &&
	    (n = read(p[0], err + have, errlen - 1 - have)) > 0)
		have += (size_t)n;
	err[have] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
child_exit(const void *arg)
{
	_exit(*(const int *)arg);
}

static void
child_signal(const void *arg)
{
	signal(*(const int *)arg, SIG_DFL);
	raise(*(const int *)arg);
	_exit(0);
}

static void
test_class(void **state)
{
	static const struct { int code; int class; } cases[] = {
		{ 0, 0 }, { 100, 1 }, { 111, -1 }, { 1, -1 }, { 2, -1 },
		{ 64, -1 }, { 99, -1 }, { 101, -1 }, { 110, -1 }, { 112, -1 },
		{ 255, -1 },
	};
	static const int sigs[] = { SIGKILL, SIGTERM, SIGSEGV, SIGABRT };
	char err[64];
	size_t i;
	int st;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = run_child(child_exit, &cases[i].code, err, sizeof(err));
		assert_int_equal(exitcode_class(st), cases[i].class);
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		st = run_child(child_signal, &sigs[i], err, sizeof(err));
		assert_true(WIFSIGNALED(st));
		assert_int_equal(exitcode_class(st), -1);
	}
}

static void
test_sysexits(void **state)
{
	const char *enh;
	int code;

	(void)state;
	for (code = 0; code < 256; code++) {
		bool perm;

		enh = NULL;
		perm = exitcode_sysexit_permanent(code, &enh);
		assert_non_null(enh);
		assert_non_null(exitcode_sysexit_text(code));
		switch (code) {
		case EX_NOUSER:
			assert_true(perm);
			assert_string_equal(enh, "5.1.1");
			break;
		case EX_DATAERR:
			assert_true(perm);
			assert_string_equal(enh, "5.6.0");
			break;
		case EX_NOPERM:
			assert_true(perm);
			assert_string_equal(enh, "5.7.0");
			break;
		case EX_UNAVAILABLE:
			assert_true(perm);
			assert_string_equal(enh, "5.3.0");
			break;
		case 0:
			assert_false(perm);
			assert_string_equal(enh, "2.0.0");
			break;
		default:
			assert_false(perm);
			assert_string_equal(enh, "4.3.0");
		}
	}
	assert_false(exitcode_sysexit_permanent(EX_TEMPFAIL, NULL));
	assert_true(exitcode_sysexit_permanent(EX_NOUSER, NULL));
	assert_false(exitcode_sysexit_permanent(-1, &enh));
	assert_string_equal(enh, "4.3.0");
	assert_string_equal(exitcode_sysexit_text(EX_NOUSER), "user unknown");
}

static void
child_die_temp(const void *arg)
{
	log_open("test", "stderr");
	die_temp("cannot open %s: %s", (const char *)arg, "No such file");
}

static void
child_die_perm(const void *arg)
{
	log_open("deliver", "stderr");
	die_perm("%s", (const char *)arg);
}

static char logpath[64];

static void
child_die_logged(const void *arg)
{
	log_open("send", logpath);
	die_temp("%s", (const char *)arg);
}

static void
child_die_usage(const void *arg)
{
	die_usage((const char *)arg);
}

static void
test_die(void **state)
{
	char err[1024], logged[1024];
	ssize_t n;
	int st, fd;

	(void)state;
	st = run_child(child_die_temp, "x.conf", err, sizeof(err));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EXIT_TEMP);
	assert_int_equal(exitcode_class(st), -1);
	assert_string_equal(err, "quail-test: temporary: cannot open x.conf: "
	    "No such file (#4.3.0)\n");

	st = run_child(child_die_perm, "bad\nline", err, sizeof(err));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EXIT_PERM);
	assert_int_equal(exitcode_class(st), 1);
	assert_string_equal(err, "quail-deliver: permanent: bad?line (#5.3.0)\n");

	/* the caller's own enhanced code is kept, not doubled */
	st = run_child(child_die_perm, "no such user (#5.1.1)", err, sizeof(err));
	assert_int_equal(WEXITSTATUS(st), EXIT_PERM);
	assert_string_equal(err, "quail-deliver: permanent: no such user "
	    "(#5.1.1)\n");

	/* with a log file: one line there, one on stderr */
	snprintf(logpath, sizeof(logpath), "/tmp/test_exitcode.%ld.log",
	    (long)getpid());
	unlink(logpath);
	st = run_child(child_die_logged, "queue unwritable", err, sizeof(err));
	assert_int_equal(WEXITSTATUS(st), EXIT_TEMP);
	assert_string_equal(err, "quail-send: temporary: queue unwritable "
	    "(#4.3.0)\n");
	fd = open(logpath, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, logged, sizeof(logged) - 1);
	assert_true(n > 0);
	logged[n] = '\0';
	close(fd);
	unlink(logpath);
	assert_non_null(strstr(logged, "quail-send["));
	assert_non_null(strstr(logged, "]: temporary: queue unwritable\n"));
	assert_ptr_equal(strchr(logged, '\n'), logged + n - 1);

	st = run_child(child_die_usage, "quail-users [-C dir] add address",
	    err, sizeof(err));
	assert_int_equal(WEXITSTATUS(st), EXIT_USAGE);
	assert_string_equal(err, "usage: quail-users [-C dir] add address\n");
	st = run_child(child_die_usage, "usage: x", err, sizeof(err));
	assert_int_equal(WEXITSTATUS(st), EXIT_USAGE);
	assert_string_equal(err, "usage: x\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_sysexits),
		cmocka_unit_test(test_die),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
