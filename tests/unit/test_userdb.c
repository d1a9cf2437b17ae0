/*
 * test_userdb.c -- lib/userdb.c: users lines and alias entries, valid and
 * hostile (NUL, CR, controls, ':' in the wrong place, uid 0, half ids,
 * "..", relative paths, pipes/files/:include:, limits at -1/0/+1), the
 * format -> parse round trip, whole-file walks with line numbers and
 * continuation lines, and the target splitter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userdb.h"

#define S(x) x, sizeof(x) - 1

/* ---- users lines -------------------------------------------------------- */

struct user_case {
	const char *line;
	size_t len;
	int want;            /* 1, 0, -1 */
	const char *address; /* when 1 */
	const char *maildir;
	long uid;            /* -1: none */
};

#define U_OK(l, a, m, u) { S(l), 1, a, m, u }
#define U_NONE(l) { S(l), 0, NULL, NULL, 0 }
#define U_BAD(l) { S(l), -1, NULL, NULL, 0 }

static const struct user_case user_cases[] = {
	U_OK("me@example.com:$y$abc:::", "me@example.com", "", -1),
	U_OK("Me@Example.COM:$y$abc:1000:1000:/var/mail/me", "me@example.com",
	     "/var/mail/me", 1000),
	U_OK("  me@example.com:h:::  ", "me@example.com", "", -1),
	U_BAD("me@example.com:::: /srv/x"),    /* not absolute */
	U_BAD("me@example.com:h:::/a:b"),      /* ':' in the path */
	U_OK("me@example.com::::\r", "me@example.com", "", -1),
	U_OK("me@example.com:h:4294967294:1:/m", "me@example.com", "/m", 4294967294L),
	U_NONE(""),
	U_NONE("   "),
	U_NONE("# comment"),
	U_NONE("  # indented comment"),
	U_BAD("me@example.com"),
	U_OK("me@example.com:h:::", "me@example.com", "", -1),
	U_BAD("me@example.com:h::"),
	U_BAD("me:h:::"),                      /* no domain */
	U_BAD("@example.com:h:::"),
	U_BAD("me@example.com:h:0:0:/m"),      /* root */
	U_BAD("me@example.com:h:1000::/m"),    /* half ids */
	U_BAD("me@example.com:h::1000:/m"),
	U_BAD("me@example.com:h:-1:5:/m"),
	U_BAD("me@example.com:h:4294967295:5:/m"),
	U_BAD("me@example.com:h:12345678901:5:/m"),
	U_BAD("me@example.com:h:1x:5:/m"),
	U_BAD("me@example.com:h:::relative/Maildir"),
	U_BAD("me@example.com:h:::/var/../etc"),
	U_BAD("me@example.com:h:::/var/.."),
	U_BAD("me@example.com:h a:::/m"),      /* space in hash */
	U_BAD("me@example.com:h\x01:::/m"),
	U_BAD("me@example.com:h:::/m\x01x"),
	U_BAD("me@exa\0mple.com:h:::/m"),
	U_BAD("\"a b\"@example.com:h:::/m"),   /* white space in the address */
	U_BAD("a,b@example.com:h:::/m"),
	U_BAD("a@b@example.com:h:::/m"),
};

static void
test_parse_user(void **state)
{
	struct userdb_user u;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(user_cases) / sizeof(user_cases[0]); i++) {
		const struct user_case *c = &user_cases[i];
		int want = c->want, ret;

		err = NULL;
		ret = userdb_parse_user(c->line, c->len, &u, &err);
		if (ret != want)
			fail_msg("case %zu '%s': got %d want %d (%s)", i, c->line, ret,
				 want, err ? err : "");
		if (ret < 0)
			assert_non_null(err);
		if (ret != 1 || c->address == NULL)
			continue;
		assert_string_equal(u.address, c->address);
		if (c->maildir != NULL)
			assert_string_equal(u.maildir, c->maildir);
		if (c->uid < 0) {
			assert_false(u.has_ids);
		} else {
			assert_true(u.has_ids);
			assert_int_equal(u.uid, (uid_t)c->uid);
		}
	}
}

static void
test_user_line_limits(void **state)
{
	char *line = malloc(USERDB_LINE_MAX_BYTES + 2);
	struct userdb_user u;
	const char *err;
	size_t len, prefix;

	(void)state;
	assert_non_null(line);
	prefix = (size_t)sprintf(line, "a@b.c:h:::/");
	/* limit-1, limit, limit+1 (but the Maildir path limit comes first) */
	for (len = USERDB_LINE_MAX_BYTES - 1; len <= USERDB_LINE_MAX_BYTES + 1; len++) {
		memset(line + prefix, 'x', len - prefix);
		assert_int_equal(userdb_parse_user(line, len, &u, &err), -1);
	}
	/* Maildir path: PATH_MAX - 64 is the limit */
	memset(line + prefix, 'x', PATH_MAX - 66);
	assert_int_equal(userdb_parse_user(line, prefix + PATH_MAX - 66, &u, &err), 1);
	memset(line + prefix, 'x', PATH_MAX - 64);
	assert_int_equal(userdb_parse_user(line, prefix + PATH_MAX - 64, &u, &err), -1);
	free(line);
}

static void
test_user_roundtrip(void **state)
{
	static const char *const lines[] = {
		"me@example.com:$y$j9T$abc$def:::/var/mail/example.com/me/Maildir",
		"x@y.z:$6$salt$hash:1001:100:/home/x/Maildir",
		"x@y.z::::",
	};
	struct userdb_user u, v;
	struct buf b = BUF_INIT;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		buf_reset(&b);
		assert_int_equal(userdb_parse_user(lines[i], strlen(lines[i]), &u, &err), 1);
		assert_int_equal(userdb_format_user(&u, &b), 0);
		assert_int_equal(b.len, strlen(lines[i]) + 1);
		assert_memory_equal(b.data, lines[i], strlen(lines[i]));
		assert_int_equal(b.data[b.len - 1], '\n');
		assert_int_equal(userdb_parse_user(b.data, b.len - 1, &v, &err), 1);
		assert_memory_equal(&u, &v, sizeof(u));
	}
	buf_reset(&b);
	assert_int_equal(userdb_parse_user(lines[1], strlen(lines[1]), &u, &err), 1);
	assert_int_equal(userdb_format_user_value(&u, &b), 0);
	assert_string_equal(buf_cstr(&b), "1001:100:/home/x/Maildir");
	buf_reset(&b);
	assert_int_equal(userdb_parse_user(lines[0], strlen(lines[0]), &u, &err), 1);
	assert_int_equal(userdb_format_user_value(&u, &b), 0);
	assert_string_equal(buf_cstr(&b), "::/var/mail/example.com/me/Maildir");
	buf_free(&b);
}

/* ---- aliases ------------------------------------------------------------ */

struct alias_case {
	const char *entry;
	size_t len;
	int want;
	const char *key;
	const char *targets;
};

#define A_OK(e, k, t) { S(e), 1, k, t }
#define A_NONE(e) { S(e), 0, NULL, NULL }
#define A_BAD(e) { S(e), -1, NULL, NULL }

static const struct alias_case alias_cases[] = {
	A_OK("postmaster: me", "postmaster", "me"),
	A_OK("PostMaster : Me@Example.COM", "postmaster", "Me@example.com"),
	A_OK("info@Example.com: a, b@x.org ,c", "info@example.com", "a, b@x.org, c"),
	A_OK("a:b,,c,", "a", "b, c"),
	A_OK("a:\tb", "a", "b"),
	A_OK("a: b\r", "a", "b"),
	A_NONE(""),
	A_NONE("# x: y"),
	A_BAD("a"),
	A_BAD("a:"),
	A_BAD("a: ,"),
	A_BAD(": b"),
	A_BAD("a b: c"),
	A_BAD("a: |/bin/sh"),
	A_BAD("a: /etc/passwd"),
	A_BAD("a: :include:/etc/x"),
	A_BAD("a: b c"),
	A_BAD("a: b@"),
	A_BAD("a: b\x01"),
	A_BAD("a\0: b"),
	A_BAD("a: b\0c"),
	A_BAD("a@b@c: d"),
};

static void
test_parse_alias(void **state)
{
	struct buf key = BUF_INIT, targets = BUF_INIT;
	const char *err;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(alias_cases) / sizeof(alias_cases[0]); i++) {
		const struct alias_case *c = &alias_cases[i];

		err = NULL;
		ret = userdb_parse_alias(c->entry, c->len, &key, &targets, &err);
		if (ret != c->want)
			fail_msg("case %zu: got %d want %d (%s)", i, ret, c->want,
				 err ? err : "");
		if (ret < 0)
			assert_non_null(err);
		if (ret == 1) {
			assert_string_equal(buf_cstr(&key), c->key);
			assert_string_equal(buf_cstr(&targets), c->targets);
		}
	}
	buf_free(&key);
	buf_free(&targets);
}

static void
test_alias_limits(void **state)
{
	struct buf key = BUF_INIT, targets = BUF_INIT, e = BUF_INIT;
	const char *err;
	int i;

	(void)state;
	/* USERDB_ALIAS_TARGETS_MAX targets ok, one more refused */
	buf_append_str(&e, "a:");
	for (i = 0; i < USERDB_ALIAS_TARGETS_MAX; i++)
		buf_printf(&e, "t%d,", i);
	assert_int_equal(userdb_parse_alias(e.data, e.len, &key, &targets, &err), 1);
	buf_append_str(&e, "one-more");
	assert_int_equal(userdb_parse_alias(e.data, e.len, &key, &targets, &err), -1);
	/* entry length: limit-1 and limit ok, limit+1 refused (empty
	 * targets between commas are skipped, so only the length counts) */
	buf_reset(&e);
	buf_append_str(&e, "a: b");
	while (e.len < USERDB_ALIAS_MAX_BYTES - 1)
		buf_putc(&e, ',');
	assert_int_equal(userdb_parse_alias(e.data, e.len, &key, &targets, &err), 1);
	buf_putc(&e, ',');
	assert_int_equal(userdb_parse_alias(e.data, e.len, &key, &targets, &err), 1);
	buf_putc(&e, ',');
	assert_int_equal(userdb_parse_alias(e.data, e.len, &key, &targets, &err), -1);
	assert_string_equal(err, "alias entry too long");
	/* a target longer than an address */
	buf_reset(&e);
	buf_append_str(&e, "a: ");
	for (i = 0; i < ADDR_PATH_MAX_BYTES + 10; i++)
		buf_putc(&e, 'x');
	assert_int_equal(userdb_parse_alias(e.data, e.len, &key, &targets, &err), -1);
	buf_free(&key);
	buf_free(&targets);
	buf_free(&e);
}

/* ---- whole files ------------------------------------------------------- */

struct collect {
	char out[4096];
	int stop_at_line;
};

static int
collect_alias(void *ctx, unsigned line, const char *key, const char *targets,
	      const char **error_r)
{
	struct collect *c = ctx;
	size_t n = strlen(c->out);

	if ((int)line == c->stop_at_line) {
		*error_r = "stopped";
		return 7;
	}
	snprintf(c->out + n, sizeof(c->out) - n, "%u %s=%s;", line, key, targets);
	return 0;
}

static int
collect_user(void *ctx, unsigned line, const struct userdb_user *u,
	     const char **error_r)
{
	struct collect *c = ctx;
	size_t n = strlen(c->out);

	(void)error_r;
	snprintf(c->out + n, sizeof(c->out) - n, "%u %s;", line, u->address);
	return 0;
}

static void
test_each_alias(void **state)
{
	static const char file[] =
		"# aliases\n"
		"postmaster: root,\n"
		"  admin\n"
		"\n"
		"abuse: a,\n"
		"# a comment inside\n"
		"\tb, c@x.org\n"
		"last: z";
	struct collect c = { "", 0 };
	const char *err = NULL;

	(void)state;
	assert_int_equal(userdb_each_alias(S(file), "aliases", collect_alias, &c, &err), 0);
	assert_string_equal(c.out, "2 postmaster=root, admin;5 abuse=a, b, c@x.org;"
			    "8 last=z;");
	/* the callback's error is prefixed with the entry's first line */
	memset(&c, 0, sizeof(c));
	c.stop_at_line = 5;
	assert_int_equal(userdb_each_alias(S(file), "aliases", collect_alias, &c, &err), 7);
	assert_string_equal(err, "aliases:5: stopped");
}

static void
test_each_alias_errors(void **state)
{
	static const struct { const char *file; size_t len; const char *err; } c[] = {
		{ S(" a: b\n"), "al:1: continuation line without an entry" },
		{ S("a: b\nc d\n"), "al:2: expected 'name: target, target'" },
		{ S("a: b\nc: |x\n"), "al:2: pipe and file targets are not supported" },
		{ S("a: b\nc: d,\n  |x\n"), "al:2: pipe and file targets are not supported" },
		{ S("a: b\n\0: c\n"), "al:2: NUL byte in line" },
	};
	struct collect col;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&col, 0, sizeof(col));
		err = NULL;
		assert_int_equal(userdb_each_alias(c[i].file, c[i].len, "al",
						   collect_alias, &col, &err), -1);
		assert_string_equal(err, c[i].err);
	}
}

static void
test_each_user(void **state)
{
	static const char good[] = "# users\na@b.c:h:::\n\nd@e.f:h:5:5:/m\n";
	static const char bad[] = "a@b.c:h:::\nx\n";
	struct collect c;
	const char *err = NULL;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(userdb_each_user(S(good), "users", collect_user, &c, &err), 0);
	assert_string_equal(c.out, "2 a@b.c;4 d@e.f;");
	memset(&c, 0, sizeof(c));
	assert_int_equal(userdb_each_user(S(bad), "users", collect_user, &c, &err), -1);
	assert_string_equal(err, "users:2: expected address:hash:uid:gid:maildir");
	/* no trailing newline */
	memset(&c, 0, sizeof(c));
	assert_int_equal(userdb_each_user(S("a@b.c:h:::"), "users", collect_user, &c,
					  &err), 0);
	assert_string_equal(c.out, "1 a@b.c;");
}

static void
test_next_target(void **state)
{
	static const char list[] = " a@b , ,c,\n d ";
	char out[8];
	size_t pos = 0;

	(void)state;
	assert_int_equal(userdb_next_target(S(list), &pos, out, sizeof(out)), 1);
	assert_string_equal(out, "a@b");
	assert_int_equal(userdb_next_target(S(list), &pos, out, sizeof(out)), 1);
	assert_string_equal(out, "c");
	assert_int_equal(userdb_next_target(S(list), &pos, out, sizeof(out)), 1);
	assert_string_equal(out, "d");
	assert_int_equal(userdb_next_target(S(list), &pos, out, sizeof(out)), 0);
	/* out too small: 7 chars + NUL fit, 8 do not */
	pos = 0;
	assert_int_equal(userdb_next_target(S("1234567"), &pos, out, sizeof(out)), 1);
	pos = 0;
	assert_int_equal(userdb_next_target(S("12345678"), &pos, out, sizeof(out)), -1);
}

static void
test_address_and_maildir_checks(void **state)
{
	char out[ADDR_PATH_MAX_BYTES + 1];
	const char *err;

	(void)state;
	assert_int_equal(userdb_address(S("A.B@EXAMPLE.com"), out, &err), 0);
	assert_string_equal(out, "a.b@example.com");
	assert_int_equal(userdb_address(S(""), out, &err), -1);
	assert_int_equal(userdb_address(S("a"), out, &err), -1);
	assert_int_equal(userdb_address(S("a:b@c"), out, &err), -1);
	assert_int_equal(userdb_maildir_ok("", &err), 0);
	assert_int_equal(userdb_maildir_ok("/a/..b/c", &err), 0);
	assert_int_equal(userdb_maildir_ok("/a/b../c", &err), 0);
	assert_int_equal(userdb_maildir_ok("/a/../c", &err), -1);
	assert_int_equal(userdb_maildir_ok("/a:b", &err), -1);
	assert_int_equal(userdb_maildir_ok("a", &err), -1);
	assert_int_equal(userdb_hash_ok(S("$y$abc/."), &err), 0);
	assert_int_equal(userdb_hash_ok(S("a:b"), &err), -1);
	assert_int_equal(userdb_hash_ok(S("a\x80"), &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_user),
		cmocka_unit_test(test_user_line_limits),
		cmocka_unit_test(test_user_roundtrip),
		cmocka_unit_test(test_parse_alias),
		cmocka_unit_test(test_alias_limits),
		cmocka_unit_test(test_each_alias),
		cmocka_unit_test(test_each_alias_errors),
		cmocka_unit_test(test_each_user),
		cmocka_unit_test(test_next_target),
		cmocka_unit_test(test_address_and_maildir_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
