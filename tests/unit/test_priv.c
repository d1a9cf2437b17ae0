/*
 * test_priv.c -- lib/priv.c: refusing uid/gid 0, unknown users, and (when
 * the test runs as root) a real drop in a forked child, verified from the
 * inside: all ids changed, supplementary groups gone, root not regained.
 * As non-root: a no-op drop to oneself succeeds, any other drop fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "priv.h"

static void
test_refusals(void **state)
{
	const char *err = NULL;

	(void)state;
	assert_int_equal(priv_is_root(), geteuid() == 0);
	assert_int_equal(priv_drop_ids(0, 1000, NULL, &err), -1);
	assert_non_null(strstr(err, "uid 0"));
	assert_int_equal(priv_drop_ids(1000, 0, NULL, &err), -1);
	assert_non_null(strstr(err, "gid 0"));
	assert_int_equal(priv_drop_user("no-such-user-quail-test", &err), -1);
	assert_non_null(strstr(err, "unknown user"));
	assert_int_equal(priv_drop_user("root", &err), -1);
	assert_non_null(strstr(err, "uid 0"));
}

/* Child body: drop, then report through the exit code what went wrong. */
static int
child_check(uid_t uid, gid_t gid, const char *user)
{
	const char *err;
	uid_t ru, eu, su;
	gid_t groups[64];
	int n, i;

	if (user != NULL ? priv_drop_user(user, &err) < 0 :
	    priv_drop_ids(uid, gid, NULL, &err) < 0)
		return 1;
	if (getresuid(&ru, &eu, &su) < 0 || ru != uid || eu != uid || su != uid)
		return 2;
	if (getgid() != gid || getegid() != gid)
		return 3;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 4;
	n = getgroups(64, groups);
	if (n < 0)
		return 5;
	for (i = 0; i < n; i++)
		if (groups[i] == 0)
			return 6;       /* root's groups must be gone */
	if (user == NULL && n > 1)
		return 7;               /* cleared, or just the primary gid */
	return 0;
}

static void
test_drop(void **state)
{
	struct passwd *pw;
	const char *err;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int st;

	(void)state;
	if (!priv_is_root()) {
		/* Not root: a drop to ourselves is a no-op... */
		if (getuid() != 0 && getgid() != 0)
			assert_int_equal(priv_drop_ids(getuid(), getgid(), NULL,
			    &err), 0);
		/* ...and a drop to someone else fails. */
		assert_int_equal(priv_drop_ids(getuid() + 1, getgid() + 1, NULL,
		    &err), -1);
		assert_non_null(err);
		skip();
	}
	pw = getpwnam("nobody");
	if (pw == NULL)
		skip();
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_check(uid, gid, NULL));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_check(uid, gid, "nobody"));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
