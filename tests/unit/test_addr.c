/*
 * test_addr.c -- RFC 5321 path/mailbox parsing (lib/addr.c): a table of
 * valid and invalid paths (quoted local parts, address literals, source
 * routes, <>, LAX, UTF-8, NUL, controls, 8-bit), every limit at -1/0/+1,
 * addr_parse_mailbox, addr_local, addr_domain, addr_valid_helo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"

#define S(x) x, sizeof(x) - 1

#define N ADDR_ALLOW_NULL
#define L ADDR_LAX
#define U ADDR_UTF8
#define D ADDR_NO_DOMAIN

struct path_case {
	const char *in;
	size_t in_len;
	unsigned flags;
	const char *want;  /* canonical form, or NULL: must fail */
	size_t used;	   /* bytes consumed (when valid) */
	const char *error; /* the expected error (when invalid), or NULL: any */
};

#define OK(in, fl, want, used)              \
	{                                   \
		S(in), fl, want, used, NULL \
	}
#define BAD(in, fl, err)                \
	{                               \
		S(in), fl, NULL, 0, err \
	}

static const struct path_case path_cases[] = {
	/* plain */
	OK("<a@b.c>", 0, "a@b.c", 7),
	OK("<A.B@Example.COM>", 0, "A.B@example.com", 17),
	OK("<a@b.c> SIZE=100", 0, "a@b.c", 7),
	OK("<a@b.c> ", 0, "a@b.c", 7),
	OK("<user+tag@localhost>", 0, "user+tag@localhost", 20),
	OK("<!#$%&'*+-/=?^_`{|}~@x>", 0, "!#$%&'*+-/=?^_`{|}~@x", 23),
	OK("<a@xn--bcher-kva.example>", 0, "a@xn--bcher-kva.example", 25),
	OK("<a@1.2.3.4>", 0, "a@1.2.3.4", 11),
	OK("<a@a-b.c-d>", 0, "a@a-b.c-d", 11),
	BAD("<a@b.c>x", 0, "invalid character after address"),
	BAD("<a@b.c>\tSIZE=1", 0, "invalid character after address"),
	BAD("<a@b.c", 0, "missing '>'"),
	BAD("a@b.c", 0, "missing '<'"),
	BAD("", 0, "empty address"),
	BAD("<", 0, "empty local part"),
	BAD("< a@b>", 0, "empty local part"),
	BAD("<a@b >", 0, "invalid character in address"),
	BAD("<a@b>>", 0, "invalid character after address"),
	BAD("<<a@b>>", 0, "empty local part"),
	BAD("<a b@c>", 0, "invalid character in local part"),
	BAD("<a>", 0, "missing '@domain'"),
	BAD("<a@>", 0, "empty domain label"),
	BAD("<@>", 0, NULL),
	BAD("<a@@b>", 0, NULL),
	BAD("<a@b@c>", 0, "invalid character in address"),
	BAD("Me <a@b>", L, NULL),
	/* the null path */
	OK("<>", N, "", 2),
	OK("<> SIZE=1", N, "", 2),
	OK("<>", N | L, "", 2),
	BAD("<>", 0, "null path not allowed"),
	BAD("<>x", N, "invalid character after address"),
	BAD("< >", N, NULL),
	/* source routes: parsed and dropped */
	OK("<@a,@b:c@d>", 0, "c@d", 11),
	OK("<@a:c@d>", 0, "c@d", 8),
	OK("<@A.example,@b.example:c@D>", 0, "c@d", 27),
	BAD("<@a,b:c@d>", 0, "invalid source route"),
	BAD("<@a c@d>", 0, "invalid source route"),
	BAD("<@a,@b>", 0, "invalid source route"),
	BAD("<@a:>", 0, "empty local part"),
	BAD("<@:c@d>", 0, "empty domain label"),
	BAD("<@[1.2.3.4]:c@d>", 0, "empty domain label"),
	BAD("<@a..b:c@d>", 0, "empty domain label"),
	/* local parts */
	BAD("<a..b@x>", 0, "empty label in local part"),
	BAD("<.a@x>", 0, "empty label in local part"),
	BAD("<a.@x>", 0, "local part ends with '.'"),
	BAD("<(a)@x>", 0, "empty local part"),
	BAD("<a,b@x>", 0, "invalid character in local part"),
	BAD("<a\\b@x>", 0, "invalid character in local part"),
	/* quoted local parts: quotes kept only when needed */
	OK("<\"a b\"@x>", 0, "\"a b\"@x", 9),
	OK("<\"ab\"@x>", 0, "ab@x", 8),
	OK("<\"a.b\"@x>", 0, "a.b@x", 9),
	OK("<\"a\\b\"@x>", 0, "ab@x", 9),
	OK("<\"a\\\"b\"@x>", 0, "\"a\\\"b\"@x", 10),
	OK("<\"a\\\\b\"@x>", 0, "\"a\\\\b\"@x", 10),
	OK("<\"a..b\"@x>", 0, "\"a..b\"@x", 10),
	OK("<\".a\"@x>", 0, "\".a\"@x", 8),
	OK("<\"a.\"@x>", 0, "\"a.\"@x", 8),
	OK("<\"\"@x>", 0, "\"\"@x", 6),
	OK("<\"a@b\"@x>", 0, "\"a@b\"@x", 9),
	OK("<\"a,b\"@x>", 0, "\"a,b\"@x", 9),
	OK("<\"<a>\"@x>", 0, "\"<a>\"@x", 9),
	OK("<\"a\\ b\"@x>", 0, "\"a b\"@x", 10),
	OK("<\"~\"@x>", 0, "~@x", 7),
	BAD("<\"a\rb\"@x>", 0, "invalid character in quoted local part"),
	BAD("<\"a\nb\"@x>", 0, "invalid character in quoted local part"),
	BAD("<\"a\0b\"@x>", 0, "invalid character in quoted local part"),
	BAD("<\"a\tb\"@x>", 0, "invalid character in quoted local part"),
	BAD("<\"a\x7f"
	    "b\"@x>",
	    0, "invalid character in quoted local part"),
	BAD("<\"a\\\rb\"@x>", 0, "invalid quoted pair in local part"),
	BAD("<\"a\\\nb\"@x>", 0, "invalid quoted pair in local part"),
	BAD("<\"a\\\0\"@x>", 0, "invalid quoted pair in local part"),
	BAD("<\"a\\", 0, "unterminated quoted string"),
	BAD("<\"abc@x>", 0, "unterminated quoted string"),
	BAD("<\"a\"b@x>", 0, "invalid character in local part"),
	BAD("<a\"b\"@x>", 0, "invalid character in local part"),
	/* domains */
	BAD("<a@b..c>", 0, "empty domain label"),
	BAD("<a@b.>", 0, "empty domain label"),
	BAD("<a@.b>", 0, "empty domain label"),
	BAD("<a@-b>", 0, "domain label starts with '-'"),
	BAD("<a@b->", 0, "domain label ends with '-'"),
	BAD("<a@b-.c>", 0, "domain label ends with '-'"),
	BAD("<a@b_c>", 0, "invalid character in address"),
	BAD("<a@b c>", 0, "invalid character in address"),
	BAD("a@b.", L, "domain ends with '.'"),
	/* address literals */
	OK("<a@[1.2.3.4]>", 0, "a@[1.2.3.4]", 13),
	OK("<a@[255.255.255.255]>", 0, "a@[255.255.255.255]", 21),
	OK("<a@[IPv6:2001:db8::1]>", 0, "a@[IPv6:2001:db8::1]", 22),
	OK("<a@[ipv6:2001:DB8::1]>", 0, "a@[IPv6:2001:db8::1]", 22),
	OK("<a@[IPv6:::1]>", 0, "a@[IPv6:::1]", 14),
	OK("<a@[IPv6:::ffff:1.2.3.4]>", 0, "a@[IPv6:::ffff:1.2.3.4]", 25),
	OK("<a@[IPv6:1:2:3:4:5:6:7:8]>", 0, "a@[IPv6:1:2:3:4:5:6:7:8]", 26),
	BAD("<a@[1.2.3.256]>", 0, "invalid IPv4 address literal"),
	BAD("<a@[1.2.3]>", 0, "invalid IPv4 address literal"),
	BAD("<a@[1.2.3.4.5]>", 0, "invalid IPv4 address literal"),
	BAD("<a@[01.2.3.4]>", 0, "invalid IPv4 address literal"),
	BAD("<a@[]>", 0, "invalid IPv4 address literal"),
	BAD("<a@[example.com]>", 0, "invalid IPv4 address literal"),
	BAD("<a@[IPv6:1.2.3.4]>", 0, "invalid IPv6 address literal"),
	BAD("<a@[IPv6:2001:db8::1::2]>", 0, "invalid IPv6 address literal"),
	BAD("<a@[IPv6:1:2:3:4:5:6:7:8:9]>", 0, "invalid IPv6 address literal"),
	BAD("<a@[IPv6:]>", 0, "unsupported address literal"),
	BAD("<a@[::1]>", 0, "unsupported address literal"),
	BAD("<a@[x-tag:foo]>", 0, "unsupported address literal"),
	BAD("<a@[1.2.3.4>", 0, "missing ']'"),
	BAD("<a@[1.2.3.4]x>", 0, "invalid character in address"),
	BAD("<a@[1.2.3.4 ]>", 0, "invalid address literal"),
	BAD("<a@[1.2.\0.4]>", 0, "invalid address literal"),
	BAD("<a@[1.2.\r.4]>", 0, "invalid address literal"),
	BAD("<a@[[1.2.3.4]]>", 0, "invalid address literal"),
	/* NUL, controls, CR, LF */
	BAD("<a\0@x>", 0, "invalid character in local part"),
	BAD("<a@x\0>", 0, "invalid character in address"),
	BAD("<\0a@x>", 0, "empty local part"),
	BAD("<a\t@x>", 0, "invalid character in local part"),
	BAD("<a\r\n@x>", 0, "invalid character in local part"),
	BAD("<a@x\r\n>", 0, "invalid character in address"),
	BAD("<a\x7f@x>", 0, "invalid character in local part"),
	BAD("<a@x>\r\n", 0, "invalid character after address"),
	/* 8-bit without and with SMTPUTF8 */
	BAD("<\xc3\xa4@x>", 0, "8-bit character in address (no SMTPUTF8)"),
	BAD("<a@b\xc3\xbc.de>", 0, "8-bit character in address (no SMTPUTF8)"),
	BAD("<\"\xc3\xa4\"@x>", 0, "8-bit character in address (no SMTPUTF8)"),
	OK("<\xc3\xa4@x>", U, "\xc3\xa4@x", 6),
	OK("<J\xc3\xb6rg@B\xc3\xbc"
	   "cher.DE>",
	   U,
	   "J\xc3\xb6rg@b\xc3\xbc"
	   "cher.de",
	   18),
	OK("<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90."
	   "\xe5\xb9\xbf\xe5\x91\x8a>",
	   U,
	   "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90."
	   "\xe5\xb9\xbf\xe5\x91\x8a",
	   22),
	OK("<\xf0\x9f\x98\x80@x>", U, "\xf0\x9f\x98\x80@x", 8),
	OK("<\"\xc3\xa4 b\"@x>", U, "\"\xc3\xa4 b\"@x", 10),
	OK("<\"\xc3\xa4\"@x>", U, "\xc3\xa4@x", 8),
	OK("<a@\xc3\xa4-b>", U, "a@\xc3\xa4-b", 8),
	BAD("<\xc3(@x>", U, "invalid UTF-8 in address"),
	BAD("<\xc3@x>", U, "invalid UTF-8 in address"),
	BAD("<\xc0\xaf@x>", U, "invalid UTF-8 in address"),
	BAD("<\xc1\xbf@x>", U, "invalid UTF-8 in address"),
	BAD("<\xe0\x80\xaf@x>", U, "invalid UTF-8 in address"),
	BAD("<\xed\xa0\x80@x>", U, "invalid UTF-8 in address"),
	BAD("<\xf0\x80\x80\xaf@x>", U, "invalid UTF-8 in address"),
	BAD("<\xf4\x90\x80\x80@x>", U, "invalid UTF-8 in address"),
	BAD("<\xf5\x80\x80\x80@x>", U, "invalid UTF-8 in address"),
	BAD("<\xc2\x85@x>", U, "invalid UTF-8 in address"),
	BAD("<\xc2\x9f@x>", U, "invalid UTF-8 in address"),
	BAD("<\x80@x>", U, "invalid UTF-8 in address"),
	BAD("<\xff@x>", U, "invalid UTF-8 in address"),
	BAD("<\xfe@x>", U, "invalid UTF-8 in address"),
	BAD("<a@x\xe2\x82>", U, "invalid UTF-8 in address"),
	BAD("<a@x\xe2\x82", U, "invalid UTF-8 in address"),
	BAD("<\"\xc3\"@x>", U, "invalid UTF-8 in address"),
	BAD("<\"a\\\xc3\xa4\"@x>", U, "invalid quoted pair in local part"),
	BAD("<a@[IPv6:\xc3\xa4]>", U, "invalid address literal"),
	/* LAX: no brackets, the path ends at the first space */
	OK("me@mycompany.com", L, "me@mycompany.com", 16),
	OK("me@mycompany.com SIZE=100", L, "me@mycompany.com", 16),
	OK("Me@MyCompany.COM", L, "Me@mycompany.com", 16),
	OK("<me@mycompany.com>", L, "me@mycompany.com", 18),
	OK("<me@mycompany.com> SIZE=100", L, "me@mycompany.com", 18),
	OK("\"a b\"@x SIZE=1", L, "\"a b\"@x", 7),
	OK("a@[1.2.3.4] BODY=8BITMIME", L, "a@[1.2.3.4]", 11),
	OK("postmaster", L | D, "postmaster", 10),
	OK("postmaster SIZE=1", L | D, "postmaster", 10),
	BAD("me@mycompany.com", 0, "missing '<'"),
	BAD("me@x\tSIZE=1", L, "invalid character after address"),
	BAD("me@x>", L, "invalid character after address"),
	BAD("me@x,you@y", L, "invalid character after address"),
	BAD("postmaster", L, "missing '@domain'"),
	BAD(" me@x", L, "empty address"),
	BAD("", L | N, "empty address"),
	BAD("me@", L, "missing domain"),
	BAD("@x", L, "empty local part"),
	BAD("me", L, "missing '@domain'"),
	/* ADDR_NO_DOMAIN */
	OK("<postmaster>", D, "postmaster", 12),
	OK("<Postmaster>", D, "Postmaster", 12),
	OK("<\"a b\">", D, "\"a b\"", 7),
	OK("<a@b>", D, "a@b", 5),
	BAD("<postmaster>", 0, "missing '@domain'"),
	BAD("<a b>", D, "invalid character in address"),
};

/* The canonical form never holds anything that could break an envelope
 * record or a log line. */
static void
check_canonical(const struct addr *a)
{
	size_t i;

	assert_int_equal(strlen(a->str), a->len);
	assert_true(a->len <= ADDR_PATH_MAX_BYTES - 2);
	assert_true(a->at <= a->len);
	if (a->at < a->len)
		assert_int_equal(a->str[a->at], '@');
	for (i = 0; i < a->len; i++) {
		unsigned char c = (unsigned char)a->str[i];

		assert_true(c >= 32 && c != 127);
		if (c >= 0x80)
			assert_true(a->is_utf8);
	}
}

static void
test_addr_path_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];
		const char *error = NULL;
		size_t used = 999;
		struct addr a;
		int r;

		r = addr_parse_path(c->in, c->in_len, c->flags, &a, &used,
				    &error);
		if ((r == 0) != (c->want != NULL) ||
		    (r == 0 &&
		     (strcmp(a.str, c->want) != 0 || used != c->used)) ||
		    (r < 0 && c->error != NULL && strcmp(error, c->error) != 0))
			fprintf(stderr,
				"case %zu \"%s\": r=%d str=\"%s\" used=%zu "
				"error=%s\n",
				i, c->in, r, r == 0 ? a.str : "", used,
				error ? error : "(none)");
		if (c->want == NULL) {
			assert_int_equal(r, -1);
			assert_non_null(error);
			if (c->error != NULL)
				assert_string_equal(error, c->error);
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(a.str, c->want);
		assert_int_equal(used, c->used);
		assert_int_equal(a.is_null, c->want[0] == '\0');
		check_canonical(&a);
	}
}

/* Fills out with a domain of exactly n bytes (labels of at most 63). */
static void
make_domain(char *out, size_t n, char fill)
{
	size_t o = 0;

	while (o < n) {
		size_t k = n - o < 63 ? n - o : 63;

		if (n - o - k == 1)
			k--; /* never leave a lone '.' at the end */
		memset(out + o, fill, k);
		o += k;
		if (o < n)
			out[o++] = '.';
	}
	out[o] = '\0';
}

static int
parse_str(const char *s, unsigned flags, struct addr *a, const char **error)
{
	size_t used;
	int r = addr_parse_path(s, strlen(s), flags, a, &used, error);

	if (r == 0)
		assert_int_equal(used, strlen(s));
	return r;
}

static void
test_addr_local_limit(void **state)
{
	char local[80], in[200];
	const char *error = NULL;
	struct addr a;
	size_t n;

	for (n = ADDR_LOCAL_MAX_BYTES - 1; n <= ADDR_LOCAL_MAX_BYTES + 1; n++) {
		int r;

		memset(local, 'l', n);
		local[n] = '\0';
		snprintf(in, sizeof(in), "<%s@x>", local);
		r = parse_str(in, 0, &a, &error);
		if (n <= ADDR_LOCAL_MAX_BYTES) {
			assert_int_equal(r, 0);
			assert_int_equal(a.at, n);
		} else {
			assert_int_equal(r, -1);
			assert_string_equal(error, "local part too long");
		}
		/* quoted, needing its quotes: "l...l " is n + 2 bytes */
		memset(local, 'l', n);
		local[n - 3] = ' ';
		local[n - 2] = '\0';
		snprintf(in, sizeof(in), "<\"%s\"@x>", local);
		r = parse_str(in, 0, &a, &error);
		assert_int_equal(r, n <= ADDR_LOCAL_MAX_BYTES ? 0 : -1);
		if (r < 0)
			assert_string_equal(error, "local part too long");
		/* quoted but not needing its quotes: the limit applies to
		 * the canonical (unquoted) form */
		memset(local, 'q', n);
		local[n] = '\0';
		snprintf(in, sizeof(in), "<\"%s\"@x>", local);
		r = parse_str(in, 0, &a, &error);
		assert_int_equal(r, n <= ADDR_LOCAL_MAX_BYTES ? 0 : -1);
		/* an escape counts twice in the re-quoted form: canonical is
		 * '"' (n - 4) bytes '\"' '"', n bytes */
		snprintf(in, sizeof(in), "<\"%.*s\\\"\"@x>", (int)(n - 4),
			 local);
		r = parse_str(in, 0, &a, &error);
		assert_int_equal(r, n <= ADDR_LOCAL_MAX_BYTES ? 0 : -1);
	}
}

static void
test_addr_label_limit(void **state)
{
	char label[80], in[200];
	const char *error = NULL;
	struct addr a;
	size_t n;

	for (n = 62; n <= 64; n++) {
		int r;

		memset(label, 'd', n);
		label[n] = '\0';
		snprintf(in, sizeof(in), "<a@%s.example>", label);
		r = parse_str(in, 0, &a, &error);
		assert_int_equal(r, n <= 63 ? 0 : -1);
		if (r < 0)
			assert_string_equal(error, "domain label too long");
		/* U-labels are measured in octets */
		memset(label, 'd', n);
		memcpy(label, "\xc3\xa4", 2);
		snprintf(in, sizeof(in), "<a@%s>", label);
		r = parse_str(in, U, &a, &error);
		assert_int_equal(r, n <= 63 ? 0 : -1);
	}
}

static void
test_addr_domain_limit(void **state)
{
	char domain[300], in[400];
	const char *error = NULL;
	struct addr a;
	const char *want;
	size_t n;

	for (n = ADDR_DOMAIN_MAX_BYTES - 1; n <= ADDR_DOMAIN_MAX_BYTES + 1;
	     n++) {
		make_domain(domain, n, 'd');
		assert_int_equal(strlen(domain), n);
		/* as EHLO argument only the domain limit applies */
		assert_int_equal(addr_valid_helo(domain, n),
				 n <= ADDR_DOMAIN_MAX_BYTES);
		/* in a path, the path limit is hit first... */
		snprintf(in, sizeof(in), "<a@%s>", domain);
		assert_int_equal(parse_str(in, 0, &a, &error), -1);
		/* ...except past the domain limit, reported as such */
		want = n > ADDR_DOMAIN_MAX_BYTES ? "domain too long"
						 : "path too long";
		assert_string_equal(error, want);
	}
}

/* The path limit: "<" mailbox ">" is at most 256 bytes. */
static void
test_addr_path_limit(void **state)
{
	char domain[300], in[400];
	const char *error = NULL;
	struct addr a;
	size_t n, local = ADDR_LOCAL_MAX_BYTES;

	for (n = ADDR_PATH_MAX_BYTES - 1; n <= ADDR_PATH_MAX_BYTES + 1; n++) {
		int r;

		/* n = 1 + 64 + 1 + domain + 1 */
		make_domain(domain, n - 3 - local, 'd');
		snprintf(in, sizeof(in), "<%0*d@%s>", (int)local, 0, domain);
		assert_int_equal(strlen(in), n);
		r = parse_str(in, 0, &a, &error);
		if (n <= ADDR_PATH_MAX_BYTES) {
			assert_int_equal(r, 0);
			assert_int_equal(a.len, n - 2);
			check_canonical(&a);
		} else {
			assert_int_equal(r, -1);
			assert_string_equal(error, "path too long");
		}
		/* the same mailbox in LAX form and through parse_mailbox */
		r = addr_parse_mailbox(in + 1, n - 2, 0, &a, &error);
		assert_int_equal(r, n <= ADDR_PATH_MAX_BYTES ? 0 : -1);
		in[n - 1] = '\0';
		r = parse_str(in + 1, L, &a, &error);
		assert_int_equal(r, n <= ADDR_PATH_MAX_BYTES ? 0 : -1);
	}
}

/* A source route counts in the raw path length although it is dropped. */
static void
test_addr_route_limit(void **state)
{
	char domain[300], in[400];
	const char *error = NULL;
	struct addr a;
	size_t n;

	for (n = ADDR_PATH_MAX_BYTES - 1; n <= ADDR_PATH_MAX_BYTES + 1; n++) {
		/* "<@" route ":a@b>" */
		make_domain(domain, n - 2 - 5, 'r');
		snprintf(in, sizeof(in), "<@%s:a@b>", domain);
		assert_int_equal(strlen(in), n);
		assert_int_equal(parse_str(in, 0, &a, &error),
				 n <= ADDR_PATH_MAX_BYTES ? 0 : -1);
		if (n <= ADDR_PATH_MAX_BYTES)
			assert_string_equal(a.str, "a@b");
		else
			assert_string_equal(error, "path too long");
	}
}

/* Long garbage is rejected without reading past the input. */
static void
test_addr_long_garbage(void **state)
{
	static char in[100000];
	const char *error = NULL;
	struct addr a;
	size_t used;

	memset(in, 'a', sizeof(in));
	assert_int_equal(addr_parse_path(in, sizeof(in), L, &a, &used, &error),
			 -1);
	assert_string_equal(error, "local part too long");
	in[0] = '<';
	in[1] = '"';
	assert_int_equal(addr_parse_path(in, sizeof(in), 0, &a, &used, &error),
			 -1);
	assert_string_equal(error, "local part too long");
	memcpy(in, "<a@", 3);
	assert_int_equal(addr_parse_path(in, sizeof(in), 0, &a, &used, &error),
			 -1);
	assert_string_equal(error, "domain label too long");
	memcpy(in, "<a@[", 4);
	assert_int_equal(addr_parse_path(in, sizeof(in), 0, &a, &used, &error),
			 -1);
	assert_string_equal(error, "domain too long");
}

/* Input is not NUL-terminated: only len bytes are read. */
static void
test_addr_no_nul(void **state)
{
	const char *error = NULL;
	struct addr a;
	size_t used;

	assert_int_equal(addr_parse_path("<a@b>", 4, 0, &a, &used, &error), -1);
	assert_string_equal(error, "missing '>'");
	assert_int_equal(addr_parse_path("a@bc", 3, L, &a, &used, &error), 0);
	assert_string_equal(a.str, "a@b");
	assert_int_equal(addr_parse_path("<\"a\"@b>", 3, 0, &a, &used, &error),
			 -1);
	assert_string_equal(error, "unterminated quoted string");
	assert_int_equal(
		addr_parse_path("<a@[1.2.3.4]>", 11, 0, &a, &used, &error), -1);
	assert_string_equal(error, "missing ']'");
}

static void
test_addr_mailbox(void **state)
{
	const char *error = NULL;
	struct addr a;

	assert_int_equal(addr_parse_mailbox(S("a@B.c"), 0, &a, &error), 0);
	assert_string_equal(a.str, "a@b.c");
	assert_int_equal(addr_parse_mailbox(S("\"x y\"@B"), 0, &a, &error), 0);
	assert_string_equal(a.str, "\"x y\"@b");
	assert_int_equal(addr_parse_mailbox(S("<a@b>"), 0, &a, &error), -1);
	assert_int_equal(addr_parse_mailbox(S("a@b "), 0, &a, &error), -1);
	assert_string_equal(error, "invalid character in address");
	assert_int_equal(addr_parse_mailbox(S("a@b\n"), 0, &a, &error), -1);
	assert_int_equal(addr_parse_mailbox(S("a@b\0"), 0, &a, &error), -1);
	assert_int_equal(addr_parse_mailbox(S(""), 0, &a, &error), -1);
	assert_string_equal(error, "empty address");
	assert_int_equal(addr_parse_mailbox(S("alias"), 0, &a, &error), -1);
	assert_string_equal(error, "missing '@domain'");
	assert_int_equal(addr_parse_mailbox(S("alias"), D, &a, &error), 0);
	assert_string_equal(a.str, "alias");
	assert_string_equal(addr_domain(&a), "");
	assert_int_equal(addr_parse_mailbox(S("\xc3\xa4@x"), 0, &a, &error),
			 -1);
	assert_int_equal(addr_parse_mailbox(S("\xc3\xa4@x"), U, &a, &error), 0);
	assert_true(a.is_utf8);
	assert_int_equal(addr_parse_mailbox(S("a@[1.2.3.4]"), 0, &a, &error),
			 0);
	assert_true(a.domain_literal);
	assert_string_equal(addr_domain(&a), "[1.2.3.4]");
}

static void
test_addr_local_domain(void **state)
{
	const char *error = NULL;
	struct addr a;
	char out[70];

	assert_int_equal(addr_parse_mailbox(S("\"a\\\"b\\\\c d\"@X.org"), 0, &a,
					    &error),
			 0);
	assert_string_equal(a.str, "\"a\\\"b\\\\c d\"@x.org");
	assert_string_equal(addr_domain(&a), "x.org");
	assert_int_equal(addr_local(&a, out, sizeof(out)), 0);
	assert_string_equal(out, "a\"b\\c d");
	assert_int_equal(addr_local(&a, out, 8), 0);
	assert_int_equal(addr_local(&a, out, 7), -1);

	assert_int_equal(addr_parse_mailbox(S("\"a@b\"@c"), 0, &a, &error), 0);
	assert_int_equal(a.at, 5);
	assert_string_equal(addr_domain(&a), "c");
	assert_int_equal(addr_local(&a, out, sizeof(out)), 0);
	assert_string_equal(out, "a@b");

	assert_int_equal(addr_parse_mailbox(S("\"\"@c"), 0, &a, &error), 0);
	assert_int_equal(addr_local(&a, out, 1), 0);
	assert_string_equal(out, "");

	assert_int_equal(addr_parse_mailbox(S("User@c"), 0, &a, &error), 0);
	assert_int_equal(addr_local(&a, out, sizeof(out)), 0);
	assert_string_equal(out, "User");
	assert_int_equal(addr_local(&a, out, 5), 0);
	assert_int_equal(addr_local(&a, out, 4), -1);

	assert_int_equal(
		addr_parse_path(S("<>"), N, &a, &(size_t){ 0 }, &error), 0);
	assert_true(a.is_null);
	assert_string_equal(addr_domain(&a), "");
	assert_int_equal(addr_local(&a, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

struct helo_case {
	const char *in;
	size_t in_len;
	bool ok;
};

static const struct helo_case helo_cases[] = {
	{ S("mail.example.com"), true },
	{ S("EXAMPLE.COM"), true },
	{ S("localhost"), true },
	{ S("127.0.0.1"), true },
	{ S("::1"), true },
	{ S("2001:db8::1"), true },
	{ S("[127.0.0.1]"), true },
	{ S("[IPv6:::1]"), true },
	{ S("[IPv6:2001:db8::1]"), true },
	{ S("xn--bcher-kva.example"), true },
	{ S(""), false },
	{ S("a b"), false },
	{ S("a..b"), false },
	{ S("a.b."), false },
	{ S(".a"), false },
	{ S("host_name"), false },
	{ S("-a"), false },
	{ S("a-"), false },
	{ S("[1.2.3]"), false },
	{ S("[::1]"), false },
	{ S("[127.0.0.1"), false },
	{ S("[127.0.0.1]x"), false },
	{ S("ex\0ample"), false },
	{ S("example\r\n"), false },
	{ S("b\xc3\xbc"
	    "cher.de"),
	  false },
	{ S("1.2.3.4.5"), true }, /* a valid Domain, all-numeric labels */
	{ S("::1::2"), false },
};

static void
test_addr_helo(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(helo_cases) / sizeof(helo_cases[0]); i++) {
		if (addr_valid_helo(helo_cases[i].in, helo_cases[i].in_len) !=
		    helo_cases[i].ok)
			fprintf(stderr, "helo case \"%s\"\n", helo_cases[i].in);
		assert_int_equal(addr_valid_helo(helo_cases[i].in,
						 helo_cases[i].in_len),
				 helo_cases[i].ok);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_path_table),
		cmocka_unit_test(test_addr_local_limit),
		cmocka_unit_test(test_addr_label_limit),
		cmocka_unit_test(test_addr_domain_limit),
		cmocka_unit_test(test_addr_path_limit),
		cmocka_unit_test(test_addr_route_limit),
		cmocka_unit_test(test_addr_long_garbage),
		cmocka_unit_test(test_addr_no_nul),
		cmocka_unit_test(test_addr_mailbox),
		cmocka_unit_test(test_addr_local_domain),
		cmocka_unit_test(test_addr_helo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
