/*
 * test_rcpt.c -- lib/rcpt.c against a temporary config dir with real
 * users.cdb / aliases.cdb: the lookup order of rcpt.h (alias full address,
 * alias without +extension, bare local part in every local domain, virtual
 * user, system user), case folding, extensions, non-local domains, refused
 * system accounts (root, no home), absent maps, broken maps (temporary),
 * malformed users.cdb values, hostile addresses.
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
#include <sys/stat.h>
#include <unistd.h>

#include "cdbmap.h"
#include "unit_confdir.h"
#include "conf.h"
#include "rcpt.h"

static char dir[64];

static const char *const users_kv[] = {
	"me@example.com", "::/m/example.com/me/Maildir",
	"owner@example.com", "1001:1002:/m/owner",
	"info@example.com", "::/m/info",     /* shadowed by the alias */
	"bad@example.com", "x:1:/m/bad",
	"half@example.com", "5::/m/half",
	"rootish@example.com", "0:0:/m/root",
	"rel@example.com", "::m/rel",
	NULL,
};

static const char *const aliases_kv[] = {
	"info@example.com", "me, other@example.org",
	"sales@example.com", "me",
	"postmaster", "me@example.com",
	"list", "owner",
	"list+x", "me",   /* the local part with its extension wins */
	NULL,
};

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_rcpt.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	unit_write_file(dir, "quail.conf", "local_domains = example.com, Example.NET\n"
		   "system_users = yes\nlog = stderr\n");
	unit_build_cdb(dir, "users.cdb", users_kv, 0644);
	unit_build_cdb(dir, "aliases.cdb", aliases_kv, 0644);
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

struct lookup_case {
	const char *address;
	int ret;
	enum rcpt_kind kind;
	const char *key;
	const char *ext;
	const char *detail; /* aliases raw list, or maildir */
};

static const struct lookup_case cases[] = {
	/* 1. alias, full address (before the user of the same name) */
	{ "info@example.com", 1, RCPT_ALIAS, "info@example.com", "",
	  "me, other@example.org" },
	{ "INFO@EXAMPLE.COM", 1, RCPT_ALIAS, "info@example.com", "", NULL },
	/* 2. without the extension */
	{ "sales+spring@example.com", 1, RCPT_ALIAS, "sales@example.com", "spring",
	  "me" },
	/* 3. local part alone, any local domain */
	{ "postmaster@example.com", 1, RCPT_ALIAS, "postmaster", "", NULL },
	{ "PostMaster@example.net", 1, RCPT_ALIAS, "postmaster", "", NULL },
	{ "list+x@example.net", 1, RCPT_ALIAS, "list+x", "x", "me" },
	{ "list+y@example.net", 1, RCPT_ALIAS, "list", "y", "owner" },
	/* 4. virtual users */
	{ "me@example.com", 1, RCPT_VIRTUAL, "me@example.com", "",
	  "/m/example.com/me/Maildir" },
	{ "Me+Tag+More@Example.com", 1, RCPT_VIRTUAL, "me@example.com", "tag+more",
	  NULL },
	{ "owner@example.com", 1, RCPT_VIRTUAL, "owner@example.com", "", "/m/owner" },
	/* unknown */
	{ "nobody-here@example.com", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "me@example.net", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "+me@example.com", 0, RCPT_UNKNOWN, "", "", NULL },
	/* not a local domain */
	{ "me@example.org", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "postmaster@example.org", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "postmaster", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "postmaster@", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "@example.com", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "", 0, RCPT_UNKNOWN, "", "", NULL },
	/* system accounts are refused: root (uid 0), nobody (no home) */
	{ "root@example.com", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "nobody@example.com", 0, RCPT_UNKNOWN, "", "", NULL },
	{ "../etc@example.com", 0, RCPT_UNKNOWN, "", "", NULL },
	/* malformed users.cdb values are temporary errors */
	{ "bad@example.com", -1, RCPT_UNKNOWN, "", "", NULL },
	{ "half@example.com", -1, RCPT_UNKNOWN, "", "", NULL },
	{ "rootish@example.com", -1, RCPT_UNKNOWN, "", "", NULL },
	{ "rel@example.com", -1, RCPT_UNKNOWN, "", "", NULL },
};

static void
test_lookup_table(void **state)
{
	struct conf c;
	struct rcpt_info r;
	const char *err = NULL;
	size_t i;

	(void)state;
	assert_int_equal(conf_load(&c, dir, &err), 0);
	rcpt_info_init(&r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lookup_case *t = &cases[i];
		int ret;

		err = NULL;
		ret = rcpt_lookup(&c, t->address, &r, &err);
		if (ret != t->ret)
			fail_msg("%s: got %d want %d (%s)", t->address, ret, t->ret,
				 err ? err : "");
		if (ret < 0) {
			assert_non_null(err);
			continue;
		}
		assert_int_equal(r.kind, t->kind);
		assert_string_equal(r.key, t->key);
		assert_string_equal(r.ext, t->ext);
		if (t->detail != NULL && t->kind == RCPT_ALIAS)
			assert_string_equal(buf_cstr(&r.aliases), t->detail);
		if (t->detail != NULL && t->kind == RCPT_VIRTUAL)
			assert_string_equal(r.maildir, t->detail);
	}
	/* uid/gid: empty means the vmail user ((uid_t)-1) */
	assert_int_equal(rcpt_lookup(&c, "me@example.com", &r, &err), 1);
	assert_int_equal(r.uid, (uid_t)-1);
	assert_int_equal(r.gid, (gid_t)-1);
	assert_int_equal(rcpt_lookup(&c, "owner@example.com", &r, &err), 1);
	assert_int_equal(r.uid, 1001);
	assert_int_equal(r.gid, 1002);
	rcpt_info_free(&r);
	conf_free(&c);
}

static void
test_long_address(void **state)
{
	char addr[2 * ADDR_PATH_MAX_BYTES];
	struct conf c;
	struct rcpt_info r;
	const char *err = NULL;

	(void)state;
	assert_int_equal(conf_load(&c, dir, &err), 0);
	rcpt_info_init(&r);
	memset(addr, 'a', sizeof(addr));
	strcpy(addr + sizeof(addr) - 13, "@example.com");
	assert_int_equal(rcpt_lookup(&c, addr, &r, &err), 0);
	/* exactly ADDR_PATH_MAX_BYTES is still looked up (and not found) */
	strcpy(addr + ADDR_PATH_MAX_BYTES - 12, "@example.com");
	assert_int_equal(strlen(addr + 0), ADDR_PATH_MAX_BYTES);
	assert_int_equal(rcpt_lookup(&c, addr, &r, &err), 0);
	rcpt_info_free(&r);
	conf_free(&c);
}

/* A real account with uid >= 1000 and an existing home, if any. */
static void
test_system_user(void **state)
{
	struct conf c;
	struct rcpt_info r;
	struct passwd *pw;
	struct stat st;
	const char *err = NULL;
	char addr[256], want[PATH_MAX + 16];
	bool found = false;

	(void)state;
	assert_int_equal(conf_load(&c, dir, &err), 0);
	rcpt_info_init(&r);
	setpwent();
	while (!found && (pw = getpwent()) != NULL) {
		if (pw->pw_uid >= 1000 && pw->pw_uid != 65534 &&
		    stat(pw->pw_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
		    strlen(pw->pw_name) < 32 && strchr(pw->pw_name, '+') == NULL)
			found = true;
	}
	if (!found) {
		endpwent();
		rcpt_info_free(&r);
		conf_free(&c);
		skip();
	}
	snprintf(addr, sizeof(addr), "%s@example.net", pw->pw_name);
	snprintf(want, sizeof(want), "%s%sMaildir", pw->pw_dir,
		 pw->pw_dir[strlen(pw->pw_dir) - 1] == '/' ? "" : "/");
	assert_int_equal(rcpt_lookup(&c, addr, &r, &err), 1);
	assert_int_equal(r.kind, RCPT_SYSTEM);
	assert_string_equal(r.maildir, want);
	assert_int_equal(r.uid, pw->pw_uid);
	/* off: unknown */
	c.system_users = false;
	assert_int_equal(rcpt_lookup(&c, addr, &r, &err), 0);
	endpwent();
	rcpt_info_free(&r);
	conf_free(&c);
}

static void
test_absent_and_broken_maps(void **state)
{
	struct conf c;
	struct rcpt_info r;
	const char *err = NULL;
	char p[256];

	(void)state;
	assert_int_equal(conf_load(&c, dir, &err), 0);
	rcpt_info_init(&r);
	/* absent aliases.cdb: users still work, aliases are unknown */
	snprintf(p, sizeof(p), "%s/aliases.cdb", dir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rcpt_lookup(&c, "me@example.com", &r, &err), 1);
	assert_int_equal(rcpt_lookup(&c, "sales@example.com", &r, &err), 0);
	/* a truncated (unreadable) map is a temporary error, never "unknown" */
	unit_write_file(dir, "aliases.cdb", "x");
	err = NULL;
	assert_int_equal(rcpt_lookup(&c, "me@example.com", &r, &err), -1);
	assert_non_null(err);
	assert_int_equal(unlink(p), 0);
	/* absent users.cdb: nobody */
	snprintf(p, sizeof(p), "%s/users.cdb", dir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rcpt_lookup(&c, "me@example.com", &r, &err), 0);
	unit_write_file(dir, "users.cdb", "");
	assert_int_equal(rcpt_lookup(&c, "me@example.com", &r, &err), -1);
	rcpt_info_free(&r);
	conf_free(&c);
}

static void
test_no_delimiter(void **state)
{
	struct conf c;
	struct rcpt_info r;
	const char *err = NULL;

	(void)state;
	assert_int_equal(conf_load(&c, dir, &err), 0);
	c.recipient_delimiter = '\0';
	rcpt_info_init(&r);
	assert_int_equal(rcpt_lookup(&c, "me+tag@example.com", &r, &err), 0);
	c.recipient_delimiter = '-';
	assert_int_equal(rcpt_lookup(&c, "me-tag@example.com", &r, &err), 1);
	assert_string_equal(r.ext, "tag");
	rcpt_info_free(&r);
	conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_and_broken_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_delimiter, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
