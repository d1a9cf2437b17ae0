/*
 * test_auth.c -- lib/auth.c, cdb backend, against a temporary config dir
 * with real passwd.cdb / users.cdb: good and bad passwords, case folding
 * of the address, unknown users, limits at limit/limit+1, locked hashes,
 * uid/gid 0 refused, vmail_user ids for empty uid/gid, broken and
 * inconsistent maps (temporary), absent maps (refused), the dummy-hash
 * timing of unknown users, and auth_fail_sleep. libcrypt and libpam are
 * dlopen()ed by auth.c on first use: this file's dlopen() (the
 * executable's definition wins over libc's for auth.o) counts the loads
 * and can refuse one, to check that a library that cannot be loaded is a
 * temporary failure (retried on the next login), that each library is
 * loaded once, and that logins refused before PAM never load libpam. The
 * PAM backend itself is exercised through real libpam by
 * tests/system/t_pam_login.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <crypt.h>
#include <dlfcn.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "cdbmap.h"
#include "unit_confdir.h"
#include "conf.h"

static char dir[64];
static struct conf conf;

/* dlopen() as auth.c sees it: file == dlopen_refuse fails (like a
 * missing library, without a dlerror() text); every call is counted. */
static const char *dlopen_refuse;
static unsigned dlopen_crypt_calls, dlopen_pam_calls;

void *
dlopen(const char *file, int mode)
{
	static void *(*real_dlopen)(const char *, int);

	if (file != NULL && strcmp(file, "libcrypt.so.1") == 0)
		dlopen_crypt_calls++;
	if (file != NULL && strcmp(file, "libpam.so.0") == 0)
		dlopen_pam_calls++;
	if (dlopen_refuse != NULL && file != NULL &&
	    strcmp(file, dlopen_refuse) == 0)
		return NULL;
	if (real_dlopen == NULL)
		*(void **)&real_dlopen = dlsym(RTLD_NEXT, "dlopen");
	if (real_dlopen == NULL)
		return NULL;
	return real_dlopen(file, mode);
}

static char hash_secret[256];

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
	const char *salt, *h;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_auth.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	/* the same hashing quail-users does */
	salt = crypt_gensalt("$y$", 0, NULL, 0);
	if (salt == NULL)
		salt = crypt_gensalt("$6$", 0, NULL, 0);
	h = salt == NULL ? NULL : crypt("secret", salt);
	if (h == NULL || h[0] != '$')
		return -1;
	snprintf(hash_secret, sizeof(hash_secret), "%s", h);
	{
		const char *const passwd_kv[] = {
			"me@example.com", hash_secret,
			"owner@example.com", hash_secret,
			"rootish@example.com", hash_secret,
			"gid0@example.com", hash_secret,
			"orphan@example.com", hash_secret,
			"broken@example.com", hash_secret,
			"locked@example.com", "!",
			"star@example.com", "*",
			NULL,
		};
		const char *const users_kv[] = {
			"me@example.com", "::/m/example.com/me/Maildir",
			"owner@example.com", "1001:1002:/m/owner",
			"rootish@example.com", "0:0:/m/root",
			"gid0@example.com", "1001:0:/m/g",
			"broken@example.com", "x:1:/m/bad",
			"locked@example.com", "::/m/locked",
			"star@example.com", "::/m/star",
			NULL,
		};

		unit_build_cdb(dir, "passwd.cdb", passwd_kv, 0600);
		unit_build_cdb(dir, "users.cdb", users_kv, 0600);
	}
	conf_defaults(&conf);
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = nobody\nauth_backends = cdb\n"
		  "auth_fail_delay = 0\n");
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

/* Runs first, before anything has loaded libcrypt or libpam. */
static void
test_libraries_loaded_on_demand(void **state)
{
	struct auth_user u;
	const char *err;

	(void)state;
	assert_int_equal(dlopen_crypt_calls, 0);
	assert_int_equal(dlopen_pam_calls, 0);
	/* libcrypt missing: known and unknown users alike are temporary
	 * failures naming the library; nothing is accepted */
	dlopen_refuse = "libcrypt.so.1";
	err = NULL;
	assert_int_equal(auth_verify_cdb(&conf, "me@example.com", "secret",
					 &u, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "libcrypt.so.1"));
	err = NULL;
	assert_int_equal(auth_verify(&conf, "nobody-here@example.com", "secret",
				     NULL, &u, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "libcrypt.so.1"));
	/* out-of-bounds input is refused without needing the library */
	assert_int_equal(auth_verify(&conf, "", "secret", NULL, &u, &err), 0);
	/* not remembered: the next login loads it, and only once */
	dlopen_refuse = NULL;
	dlopen_crypt_calls = 0;
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), 1);
	assert_int_equal(auth_verify(&conf, "me@example.com", "bad", NULL,
				     &u, &err), 0);
	assert_int_equal(auth_verify(&conf, "nobody-here@example.com", "x",
				     NULL, &u, &err), 0);
	assert_int_equal(dlopen_crypt_calls, 1);
	/* the cdb backend never loads PAM */
	assert_int_equal(dlopen_pam_calls, 0);

	/* libpam missing: temporary failure of the PAM backend ... */
	dlopen_refuse = "libpam.so.0";
	err = NULL;
	assert_int_equal(auth_verify_pam(&conf, "no-such-user-quail", "secret",
					 NULL, &u, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "libpam.so.0"));
	assert_int_equal(dlopen_pam_calls, 1);
	/* ... but names refused before PAM (invalid, foreign domain, system
	 * accounts) do not even try to load it */
	assert_int_equal(auth_verify_pam(&conf, "root", "secret", NULL, &u,
					 &err), 0);
	assert_int_equal(auth_verify_pam(&conf, "a b", "secret", NULL, &u,
					 &err), 0);
	assert_int_equal(auth_verify_pam(&conf, "user@elsewhere.example",
					 "secret", NULL, &u, &err), 0);
	assert_int_equal(dlopen_pam_calls, 1);
	/* a later backend may still accept; else the failure is temporary */
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = nobody\nauth_backends = pam cdb\n"
		  "auth_fail_delay = 0\n");
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), 1);
	assert_string_equal(u.name, "me@example.com");
	err = NULL;
	assert_int_equal(auth_verify(&conf, "me@example.com", "bad", NULL, &u,
				     &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "libpam.so.0"));
	dlopen_refuse = NULL;
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = nobody\nauth_backends = cdb\n"
		  "auth_fail_delay = 0\n");
}

struct verify_case {
	const char *user;
	const char *pass;
	int ret;
	const char *name;       /* on 1 */
	long uid;               /* on 1; -1: nobody's */
	const char *maildir;    /* on 1 */
};

static const struct verify_case cases[] = {
	{ "me@example.com", "secret", 1, "me@example.com", -1,
	  "/m/example.com/me/Maildir" },
	{ "ME@Example.COM", "secret", 1, "me@example.com", -1, NULL },
	{ "owner@example.com", "secret", 1, "owner@example.com", 1001,
	  "/m/owner" },
	{ "me@example.com", "Secret", 0, NULL, 0, NULL },
	{ "me@example.com", "secret ", 0, NULL, 0, NULL },
	{ "me@example.com", "secre", 0, NULL, 0, NULL },
	{ "me@example.com", "", 0, NULL, 0, NULL },
	{ "nobody-here@example.com", "secret", 0, NULL, 0, NULL },
	{ "me", "secret", 0, NULL, 0, NULL },           /* not an address */
	{ "me@", "secret", 0, NULL, 0, NULL },
	{ "", "secret", 0, NULL, 0, NULL },
	{ "me@example.com\n", "secret", 0, NULL, 0, NULL },
	{ "me:x@example.com", "secret", 0, NULL, 0, NULL },
	{ "locked@example.com", "!", 0, NULL, 0, NULL },
	{ "locked@example.com", "secret", 0, NULL, 0, NULL },
	{ "star@example.com", "*", 0, NULL, 0, NULL },
	{ "rootish@example.com", "secret", 0, NULL, 0, NULL }, /* uid 0 */
	{ "gid0@example.com", "secret", 0, NULL, 0, NULL },    /* gid 0 */
	{ "rootish@example.com", "bad", 0, NULL, 0, NULL },
	/* right password, broken or missing users.cdb entry: the admin's */
	{ "orphan@example.com", "secret", -1, NULL, 0, NULL },
	{ "broken@example.com", "secret", -1, NULL, 0, NULL },
	/* wrong password never reveals that the entry is broken */
	{ "orphan@example.com", "bad", 0, NULL, 0, NULL },
	{ "broken@example.com", "bad", 0, NULL, 0, NULL },
};

static void
test_verify_table(void **state)
{
	struct passwd *nobody = getpwnam("nobody");
	size_t i;

	(void)state;
	assert_non_null(nobody);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct verify_case *c = &cases[i];
		struct auth_user u;
		const char *err = NULL;
		int ret;

		memset(&u, 0, sizeof(u));
		ret = auth_verify(&conf, c->user, c->pass, "192.0.2.1", &u, &err);
		if (ret != c->ret)
			fail_msg("case %zu (%s): got %d, want %d (%s)", i,
				 c->user, ret, c->ret, err ? err : "");
		if (ret < 0)
			assert_non_null(err);
		if (ret != 1)
			continue;
		assert_string_equal(u.name, c->name);
		assert_false(u.system_user);
		if (c->uid < 0) {
			assert_int_equal(u.uid, nobody->pw_uid);
			assert_int_equal(u.gid, nobody->pw_gid);
		} else {
			assert_int_equal(u.uid, (uid_t)c->uid);
			assert_int_equal(u.gid, 1002);
		}
		if (c->maildir != NULL)
			assert_string_equal(u.maildir, c->maildir);
	}
}

static void
test_limits(void **state)
{
	char user[AUTH_USER_MAX_BYTES + 2], pass[AUTH_PASS_MAX_BYTES + 2];
	struct auth_user u;
	const char *err;

	(void)state;
	/* a 256-byte address is looked up (and unknown), 257 refused */
	memset(user, 'a', sizeof(user));
	memcpy(user + AUTH_USER_MAX_BYTES - 12, "@example.com", 12);
	user[AUTH_USER_MAX_BYTES] = '\0';
	assert_int_equal(auth_verify(&conf, user, "secret", NULL, &u, &err), 0);
	memset(user, 'a', sizeof(user));
	memcpy(user + AUTH_USER_MAX_BYTES - 11, "@example.com", 12);
	user[AUTH_USER_MAX_BYTES + 1] = '\0';
	assert_int_equal(strlen(user), AUTH_USER_MAX_BYTES + 1);
	assert_int_equal(auth_verify(&conf, user, "secret", NULL, &u, &err), 0);
	/* password at the limit is checked (wrong), over it refused */
	memset(pass, 'p', sizeof(pass));
	pass[AUTH_PASS_MAX_BYTES] = '\0';
	assert_int_equal(auth_verify(&conf, "me@example.com", pass, NULL, &u,
				     &err), 0);
	pass[AUTH_PASS_MAX_BYTES] = 'p';
	pass[AUTH_PASS_MAX_BYTES + 1] = '\0';
	assert_int_equal(auth_verify(&conf, "me@example.com", pass, NULL, &u,
				     &err), 0);
}

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fastest of 3 verifications: noise only ever adds time. */
static double
fastest(const char *user, const char *pass)
{
	double best = 1e9;
	int i;

	for (i = 0; i < 3; i++) {
		struct auth_user u;
		const char *err;
		double t0 = now_secs(), t;

		assert_int_equal(auth_verify(&conf, user, pass, NULL, &u, &err), 0);
		t = now_secs() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

static void
test_unknown_user_costs_a_hash(void **state)
{
	double bad, unknown, invalid;

	(void)state;
	bad = fastest("me@example.com", "wrong");
	unknown = fastest("nobody-here@example.com", "wrong");
	invalid = fastest("not an address", "wrong");
	/* same algorithm and cost: well within a factor of 3 either way */
	if (unknown < bad / 3 || invalid < bad / 3)
		fail_msg("unknown user %.4fs, invalid %.4fs vs bad password %.4fs",
			 unknown, invalid, bad);
}

static void
test_maps_absent_or_broken(void **state)
{
	char p[256], q[256];
	struct auth_user u;
	const char *err;

	(void)state;
	/* passwd.cdb absent: nobody logs in (fails closed), no error */
	snprintf(p, sizeof(p), "%s/passwd.cdb", dir);
	snprintf(q, sizeof(q), "%s/passwd.cdb.save", dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), 0);
	/* unreadable (not a cdb): temporary */
	unit_write_file(dir, "passwd.cdb", "garbage");
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), -1);
	assert_non_null(err);
	assert_int_equal(rename(q, p), 0);
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), 1);
	/* users.cdb absent but the password is right: inconsistent maps */
	snprintf(p, sizeof(p), "%s/users.cdb", dir);
	snprintf(q, sizeof(q), "%s/users.cdb.save", dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), -1);
	assert_int_equal(rename(q, p), 0);
}

static void
test_vmail_user_missing(void **state)
{
	struct auth_user u;
	const char *err = NULL;

	(void)state;
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = no-such-user-quail\nauth_backends = cdb\n"
		  "auth_fail_delay = 0\n");
	assert_int_equal(auth_verify(&conf, "me@example.com", "secret", NULL,
				     &u, &err), -1);
	assert_non_null(err);
	/* explicit ids do not need it */
	assert_int_equal(auth_verify(&conf, "owner@example.com", "secret",
				     NULL, &u, &err), 1);
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = nobody\nauth_backends = cdb\n"
		  "auth_fail_delay = 0\n");
}

static void
test_fail_sleep(void **state)
{
	double t0, t;

	(void)state;
	t0 = now_secs();
	auth_fail_sleep(&conf);                 /* 0: no delay */
	assert_true(now_secs() - t0 < 0.5);
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = nobody\nauth_backends = cdb\n"
		  "auth_fail_delay = 1\n");
	t0 = now_secs();
	auth_fail_sleep(&conf);
	t = now_secs() - t0;
	assert_true(t >= 0.99 && t < 5);
	load_conf("local_domains = example.com\nlog = stderr\n"
		  "vmail_user = nobody\nauth_backends = cdb\n"
		  "auth_fail_delay = 0\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: it sees the libraries not yet loaded */
		cmocka_unit_test(test_libraries_loaded_on_demand),
		cmocka_unit_test(test_verify_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unknown_user_costs_a_hash),
		cmocka_unit_test(test_maps_absent_or_broken),
		cmocka_unit_test(test_vmail_user_missing),
		cmocka_unit_test(test_fail_sleep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
