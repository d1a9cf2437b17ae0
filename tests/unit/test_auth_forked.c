/*
 * test_auth_forked.c -- auth_verify_forked() (lib/auth.c): the same
 * verdicts, users and error texts as auth_verify(), computed in a child
 * process. Table-driven against a temporary config dir with real
 * passwd.cdb / users.cdb (a fixed SHA-512 crypt hash, so this test needs
 * no libcrypt of its own): good and bad passwords, case folding, unknown
 * users, user name at limit/limit+1, uid 0, inconsistent and broken maps
 * (temporary, with the error text still readable after the child is
 * gone). And what the fork is for: the calling process never dlopen()s
 * libcrypt (this file's dlopen() counts the calls made in this process,
 * the child's are its own); a child that dies is a temporary failure;
 * an ignored SIGCHLD (the kernel reaps the child) changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cdbmap.h"
#include "unit_confdir.h"
#include "conf.h"

/* openssl passwd -6 -salt quailforkedtest secret */
#define HASH_SECRET "$6$quailforkedtest$czAEti9WWsPaKPgvy4KuyJeWOYNoklMJkk/" \
	"OdS1aeixxHJdZT3/FWDwaS/LXZpsnXG1lmOaxv77p8qRTpQ6k50"

static char dir[64];
static struct conf conf;

/* dlopen() as auth.c sees it (the executable's definition wins over
 * libc's): counts the calls for libcrypt.so.1 in the process that makes
 * them; with dlopen_exit set, a child that loads it exits with 3 (a
 * verifying process that dies). */
static unsigned dlopen_crypt_calls;
static bool dlopen_exit;
static pid_t test_pid;

void *
dlopen(const char *file, int mode)
{
	static void *(*real_dlopen)(const char *, int);

	if (file != NULL && strcmp(file, "libcrypt.so.1") == 0) {
		dlopen_crypt_calls++;
		if (dlopen_exit && getpid() != test_pid)
			_exit(3);
	}
	if (real_dlopen == NULL)
		*(void **)&real_dlopen = dlsym(RTLD_NEXT, "dlopen");
	if (real_dlopen == NULL)
		return NULL;
	return real_dlopen(file, mode);
}

static void
load_conf(const char *text)
{
	const char *err = NULL;

	unit_write_file(dir, "quail.conf", text);
	conf_free(&conf);
	if (conf_load(&conf, dir, &err) < 0)
		fail_msg("conf_load: %s", err);
}

static int
setup(void **state)
{
	const char *const passwd_kv[] = {
		"me@example.com", HASH_SECRET,
		"rootish@example.com", HASH_SECRET,
		"orphan@example.com", HASH_SECRET,
		"locked@example.com", "!",
		NULL,
	};
	const char *const users_kv[] = {
		"me@example.com", "1001:1002:/m/example.com/me/Maildir",
		"rootish@example.com", "0:0:/m/root",
		"locked@example.com", "1001:1002:/m/locked",
		NULL,
	};

	(void)state;
	test_pid = getpid();
	snprintf(dir, sizeof(dir), "/tmp/test_auth_forked.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	unit_build_cdb(dir, "passwd.cdb", passwd_kv, 0600);
	unit_build_cdb(dir, "users.cdb", users_kv, 0600);
	conf_defaults(&conf);
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "auth_backends = cdb\nauth_fail_delay = 0\n");
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

struct forked_case {
	const char *user;
	const char *pass;
	int ret;
	const char *name;       /* on 1 */
	const char *error;      /* on -1: a substring of the error text */
};

static const struct forked_case cases[] = {
	{ "me@example.com", "secret", 1, "me@example.com", NULL },
	{ "ME@Example.COM", "secret", 1, "me@example.com", NULL },
	{ "me@example.com", "Secret", 0, NULL, NULL },
	{ "me@example.com", "secret ", 0, NULL, NULL },
	{ "me@example.com", "", 0, NULL, NULL },
	{ "nobody-here@example.com", "secret", 0, NULL, NULL },
	{ "", "secret", 0, NULL, NULL },
	{ "me", "secret", 0, NULL, NULL },
	{ "locked@example.com", "!", 0, NULL, NULL },
	{ "rootish@example.com", "secret", 0, NULL, NULL },      /* uid 0 */
	/* right password, no users.cdb entry: the admin's, temporary */
	{ "orphan@example.com", "secret", -1, NULL, "users.cdb" },
	{ "orphan@example.com", "bad", 0, NULL, NULL },
};

/* One case through auth_verify_forked, checked against the table and
 * against auth_verify() in this process's own terms (the same verdict). */
static void
check_case(size_t i, const struct forked_case *c)
{
	struct auth_user u, before;
	const char *err = NULL;
	int ret;

	memset(&u, 0x5a, sizeof(u));
	before = u;
	ret = auth_verify_forked(&conf, c->user, c->pass, "192.0.2.1", &u,
				 &err);
	if (ret != c->ret)
		fail_msg("case %zu (%s): got %d, want %d (%s)", i, c->user, ret,
			 c->ret, err != NULL ? err : "");
	if (ret == 1) {
		assert_string_equal(u.name, c->name);
		assert_int_equal(u.uid, 1001);
		assert_int_equal(u.gid, 1002);
		assert_string_equal(u.maildir, "/m/example.com/me/Maildir");
		assert_false(u.system_user);
		assert_null(err);
		return;
	}
	/* nothing is written on a refusal or a failure */
	assert_memory_equal(&u, &before, sizeof(u));
	if (ret == 0) {
		assert_null(err);
		return;
	}
	assert_non_null(err);
	if (strstr(err, c->error) == NULL)
		fail_msg("case %zu: error %s lacks %s", i, err, c->error);
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(i, &cases[i]);
	/* all verification happened in children: this process never
	 * loaded libcrypt */
	assert_int_equal(dlopen_crypt_calls, 0);
}

static void
test_limits(void **state)
{
	char user[AUTH_USER_MAX_BYTES + 2], pass[AUTH_PASS_MAX_BYTES + 2];
	struct auth_user u;
	const char *err = NULL;

	(void)state;
	/* a 256-byte address is looked up (and unknown), 257 refused */
	memset(user, 'a', sizeof(user));
	memcpy(user + AUTH_USER_MAX_BYTES - 12, "@example.com", 12);
	user[AUTH_USER_MAX_BYTES] = '\0';
	assert_int_equal(auth_verify_forked(&conf, user, "secret", NULL, &u,
					    &err), 0);
	memset(user, 'a', sizeof(user));
	memcpy(user + AUTH_USER_MAX_BYTES - 11, "@example.com", 12);
	user[AUTH_USER_MAX_BYTES + 1] = '\0';
	assert_int_equal(auth_verify_forked(&conf, user, "secret", NULL, &u,
					    &err), 0);
	/* password at the limit is checked (wrong), over it refused */
	memset(pass, 'p', sizeof(pass));
	pass[AUTH_PASS_MAX_BYTES] = '\0';
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", pass, NULL,
					    &u, &err), 0);
	pass[AUTH_PASS_MAX_BYTES] = 'p';
	pass[AUTH_PASS_MAX_BYTES + 1] = '\0';
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", pass, NULL,
					    &u, &err), 0);
	assert_int_equal(dlopen_crypt_calls, 0);
}

static void
test_broken_map_error_survives_child(void **state)
{
	char p[256], q[256], copy[256];
	struct auth_user u;
	const char *err = NULL;

	(void)state;
	snprintf(p, sizeof(p), "%s/passwd.cdb", dir);
	snprintf(q, sizeof(q), "%s/passwd.cdb.save", dir);
	assert_int_equal(rename(p, q), 0);
	/* absent: nobody is found (fails closed), no error */
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "secret",
					    NULL, &u, &err), 0);
	/* not a cdb: temporary, and the text is the parent's own copy */
	unit_write_file(dir, "passwd.cdb", "garbage");
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "secret",
					    NULL, &u, &err), -1);
	assert_non_null(err);
	snprintf(copy, sizeof(copy), "%s", err);
	assert_non_null(strstr(copy, "passwd.cdb"));
	assert_int_equal(rename(q, p), 0);
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "secret",
					    NULL, &u, &err), 1);
}

static void
test_child_dies(void **state)
{
	struct auth_user u;
	const char *err = NULL;

	(void)state;
	dlopen_exit = true;
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "secret",
					    NULL, &u, &err), -1);
	dlopen_exit = false;
	assert_non_null(err);
	assert_non_null(strstr(err, "password check process"));
	/* the next login forks a fresh child */
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "secret",
					    NULL, &u, &err), 1);
}

static void
test_sigchld_ignored(void **state)
{
	struct auth_user u;
	const char *err = NULL;
	void (*old)(int);

	(void)state;
	/* inherited from a careless parent: the kernel reaps the child and
	 * waitpid() fails with ECHILD; the report alone decides */
	old = signal(SIGCHLD, SIG_IGN);
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "secret",
					    NULL, &u, &err), 1);
	assert_string_equal(u.name, "me@example.com");
	assert_int_equal(auth_verify_forked(&conf, "me@example.com", "bad",
					    NULL, &u, &err), 0);
	signal(SIGCHLD, old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_broken_map_error_survives_child),
		cmocka_unit_test(test_child_dies),
		cmocka_unit_test(test_sigchld_ignored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
