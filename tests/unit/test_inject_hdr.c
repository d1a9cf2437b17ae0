/*
 * test_inject_hdr.c -- quail-inject's message handling (lib/inject_hdr.c):
 * the input filter fed whole, at every split point and one byte at a
 * time; the header/body split (incremental and at EOF); address lists
 * (valid forms, hostile input, the length limit); mailbox qualification;
 * display names (atoms, quoting, RFC 2047, control characters, limit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inject_hdr.h"

#define S(x) x, sizeof(x) - 1

/* ---- input filter ------------------------------------------------------- */

struct input_case {
	const char *in;
	size_t in_len;
	bool dot_ends;
	const char *out;        /* expected, NUL-free */
};

static const struct input_case input_cases[] = {
	{ S("a\nb\n"), true, "a\nb\n" },
	{ S("a\r\nb\r\n"), true, "a\nb\n" },
	{ S("a\r\n.\r\nafter\r\n"), true, "a\n" },
	{ S("a\n.\nafter\n"), true, "a\n" },
	{ S("a\n.\nafter\n"), false, "a\n.\nafter\n" },
	{ S("a\r\n.\r\nafter\r\n"), false, "a\n.\nafter\n" },
	{ S(".\n"), true, "" },
	{ S(""), true, "" },
	{ S("no newline"), true, "no newline\n" },
	{ S("a\n."), true, "a\n" },             /* "." at EOF ends too */
	{ S("a\n."), false, "a\n.\n" },
	{ S("..\n.x\n. \n"), true, "..\n.x\n. \n" },   /* only "." alone */
	{ S("lone\rcr\n"), true, "lone\rcr\n" },
	{ S("two\r\r\n"), true, "two\r\n" },
	{ S(".\r\r\n"), true, ".\r\n" },
	{ S(".\rx\n"), true, ".\rx\n" },
	{ S("end\r"), true, "end\r\n" },
	{ S("a\n.\r"), true, "a\n.\r\n" },
	{ S("x\r\n\r\n.\r\n"), true, "x\n\n" },
};

/* Feeds in[0..len) in pieces of at most step bytes (0: split at cut). */
static void
run_input(const struct input_case *c, size_t cut, size_t step, char *out,
	  size_t *olen)
{
	struct inject_input st;
	size_t pos = 0, o = 0;

	inject_input_init(&st, c->dot_ends);
	while (pos < c->in_len && !st.done) {
		size_t n = c->in_len - pos, used;

		if (step > 0 && n > step)
			n = step;
		else if (step == 0 && pos < cut && n > cut - pos)
			n = cut - pos;
		size_t w = inject_input_feed(&st, c->in + pos, n, out + o, &used);

		assert_true(w <= n + INJECT_INPUT_SLACK_BYTES);
		assert_true(used <= n);
		if (used < n)
			assert_true(st.done);
		o += w;
		pos += used;
	}
	o += inject_input_finish(&st, out + o);
	*olen = o;
}

static void
test_input(void **state)
{
	char out[256];
	size_t olen;

	(void)state;
	for (size_t i = 0; i < sizeof(input_cases) / sizeof(input_cases[0]); i++) {
		const struct input_case *c = &input_cases[i];

		for (size_t cut = 0; cut <= c->in_len; cut++) {
			run_input(c, cut, 0, out, &olen);
			out[olen] = '\0';
			if (strcmp(out, c->out) != 0)
				fail_msg("case %zu cut %zu: got '%s' want '%s'", i, cut,
					 out, c->out);
		}
		run_input(c, 0, 1, out, &olen);
		out[olen] = '\0';
		assert_string_equal(out, c->out);
	}
}

/* ---- header split --------------------------------------------------------- */

struct split_case {
	const char *in;
	size_t in_len;
	bool at_eof;
	int r;
	size_t hdr_len, body;
};

static const struct split_case split_cases[] = {
	{ S("To: a\nSubject: b\n\nbody\n"), false, 1, 17, 18 },
	{ S("To: a\n  folded\n\nbody\n"), false, 1, 15, 16 },
	{ S("To: a\nnot a field\nmore\n"), false, 1, 6, 6 },
	{ S("no header\n"), false, 1, 0, 0 },
	{ S(" starts with space\n"), false, 1, 0, 0 },
	{ S("\nbody\n"), false, 1, 0, 1 },
	{ S("Subject : obs\n\n"), false, 1, 14, 15 },
	{ S("To: a\n"), false, 0, 0, 0 },          /* might go on */
	{ S("To: a\n"), true, 1, 6, 6 },
	{ S("To: a\nSubj"), false, 0, 0, 0 },      /* incomplete name */
	{ S("To: a\nSubj x"), false, 1, 6, 6 },    /* cannot be a field */
	{ S("To: a\n  cont"), false, 0, 0, 0 },    /* continuation */
	{ S("To: a\nSubject"), false, 0, 0, 0 },
	{ S("To: a\nSubject  "), false, 0, 0, 0 },
	{ S("To: a\nSubject  :"), false, 0, 0, 0 },
	{ S(""), false, 0, 0, 0 },
	{ S(""), true, 1, 0, 0 },
	{ S("From me Mon Jan 1\nTo: x\n"), false, 1, 0, 0 },  /* mbox line */
	{ S("To: a\n\xc3\xa4: x\n"), false, 1, 6, 6 },   /* 8-bit name */
};

static void
test_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		size_t h = 999, b = 999, resume = 0;
		int r = inject_hdr_split(c->in, c->in_len, c->at_eof, &resume, &h, &b);

		if (r != c->r)
			fail_msg("case %zu: r=%d want %d", i, r, c->r);
		if (r == 1 && (h != c->hdr_len || b != c->body))
			fail_msg("case %zu: hdr %zu body %zu, want %zu %zu", i, h, b,
				 c->hdr_len, c->body);
	}
}

/* A decision made on a prefix never changes when more input arrives, and
 * growing the input byte by byte (resuming) decides as one call does. */
static void
test_split_prefixes(void **state)
{
	static const char *msgs[] = {
		"Received: x\n\ty\nTo: a\nSubject: s\n\nbody\n",
		"To: a\nnot a field\n",
		"To: a\n\tfolded\nSubj x\n",
		"no header at all\n",
		"To: a\nCc: b\n",
	};
	size_t h, b, h0, b0, resume;

	(void)state;
	for (size_t m = 0; m < sizeof(msgs) / sizeof(msgs[0]); m++) {
		const char *msg = msgs[m];
		size_t len = strlen(msg);
		int decided = 0;

		resume = 0;
		assert_int_equal(inject_hdr_split(msg, len, true, &resume, &h0, &b0), 1);
		for (size_t n = 0; n < len; n++) {
			size_t fresh = 0;

			if (inject_hdr_split(msg, n, false, &fresh, &h, &b) == 1) {
				assert_int_equal(h, h0);
				assert_int_equal(b, b0);
				assert_true(b <= n);
			}
		}
		/* Incremental, as quail-inject calls it. */
		resume = 0;
		for (size_t n = 0; n <= len && decided == 0; n++)
			decided = inject_hdr_split(msg, n, n == len, &resume, &h, &b);
		assert_int_equal(decided, 1);
		assert_int_equal(h, h0);
		assert_int_equal(b, b0);
	}
}

/* ---- address lists ------------------------------------------------------- */

struct collected {
	char all[2048];
	int calls;
	int fail_at;    /* fn returns -1 at this call (1-based), 0: never */
};

static int
collect(void *ctx, const char *spec, size_t len, const char **error_r)
{
	struct collected *c = ctx;
	size_t l = strlen(c->all);

	c->calls++;
	if (c->fail_at == c->calls) {
		*error_r = "callback failed";
		return -1;
	}
	snprintf(c->all + l, sizeof(c->all) - l, "%s%.*s", l ? "|" : "", (int)len,
		 spec);
	return 0;
}

struct alist_case {
	const char *in;
	int r;
	const char *out;        /* '|'-separated specs, or the error */
};

static const struct alist_case alist_cases[] = {
	{ "a@b", 0, "a@b" },
	{ "a@b, c@d", 0, "a@b|c@d" },
	{ "Name <a@b>", 0, "a@b" },
	{ "\"Last, First\" <a@b>, c@d", 0, "a@b|c@d" },
	{ "a@b (comment, with comma)", 0, "a@b" },
	{ "(c1) a (c2) @ (c3) b (c4)", 0, "a@b" },
	{ "a@b (nested (comment) here)", 0, "a@b" },
	{ "group: a@b, C <c@d>;, e@f", 0, "a@b|c@d|e@f" },
	{ "undisclosed-recipients:;", 0, "" },
	{ "Undisclosed recipients: ;", 0, "" },
	{ "<@r1,@r2:u@d>", 0, "u@d" },
	{ "\"a b\"@c", 0, "\"a b\"@c" },
	{ "\"q\\\"x\"@c", 0, "\"q\\\"x\"@c" },
	{ "root", 0, "root" },
	{ "root, admin", 0, "root|admin" },
	{ "a@[192.0.2.1]", 0, "a@[192.0.2.1]" },
	{ "first.last@example.org", 0, "first.last@example.org" },
	{ "a@b,\n\tc@d", 0, "a@b|c@d" },
	{ ",,a@b,,", 0, "a@b" },
	{ "", 0, "" },
	{ "   ", 0, "" },
	{ "M\xc3\xbcller <m@b>", 0, "m@b" },
	{ "<a@b> trailing words", 0, "a@b" },
	{ "John Smith", -1, "display name without <address>" },
	{ "a@b c@d", -1, "display name without <address>" },
	{ "Name <a@b", -1, "missing '>'" },
	{ "Name a@b>", -1, "unexpected '>'" },
	{ "<a@b> <c@d>", -1, "unexpected '<'" },
	{ "<>", -1, "empty <>" },
	{ "a@b (open", -1, "unterminated comment" },
	{ "\"open@b", -1, "unterminated quoted string" },
	{ "a@[1.2.3.4", -1, "unterminated domain literal" },
	{ "g: a@b", -1, "missing ';' after group" },
	{ "a@b;", -1, "unexpected ';'" },
	{ "g: h: a@b;;", -1, "unexpected ':'" },
	{ "a\x01@b", -1, "control character in address" },
	{ "a\\b@c", -1, "unexpected character in address" },
	{ "<@r1:u@d", -1, "missing '>'" },
	{ "<@r1,@r2>", -1, "bad source route" },
};

static void
test_addresses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(alist_cases) / sizeof(alist_cases[0]); i++) {
		const struct alist_case *c = &alist_cases[i];
		struct collected col;
		const char *error = NULL;
		int r;

		memset(&col, 0, sizeof(col));
		r = inject_hdr_addresses(c->in, strlen(c->in), collect, &col, &error);
		if (r != c->r)
			fail_msg("case %zu '%s': r=%d want %d (%s)", i, c->in, r, c->r,
				 error ? error : "");
		if (r == 0 && strcmp(col.all, c->out) != 0)
			fail_msg("case %zu '%s': got '%s' want '%s'", i, c->in, col.all,
				 c->out);
		if (r < 0 && strcmp(error, c->out) != 0)
			fail_msg("case %zu '%s': error '%s' want '%s'", i, c->in, error,
				 c->out);
	}
}

/* No NUL termination assumed: the length bounds the parse. */
static void
test_addresses_length_bound(void **state)
{
	struct collected col;
	const char *error = NULL;

	(void)state;
	memset(&col, 0, sizeof(col));
	assert_int_equal(inject_hdr_addresses("a@b, c@d", 3, collect, &col, &error), 0);
	assert_string_equal(col.all, "a@b");
	/* An embedded NUL is a control character. */
	memset(&col, 0, sizeof(col));
	assert_int_equal(inject_hdr_addresses("a\0@b", 4, collect, &col, &error), -1);
}

static void
test_addresses_callback_error(void **state)
{
	struct collected col;
	const char *error = NULL;

	(void)state;
	memset(&col, 0, sizeof(col));
	col.fail_at = 2;
	assert_int_equal(inject_hdr_addresses(S("a@b, c@d, e@f"), collect, &col,
					      &error), -1);
	assert_string_equal(error, "callback failed");
	assert_int_equal(col.calls, 2);
}

/* The collected spec is limited to ADDR_PATH_MAX_BYTES. */
static void
test_addresses_long(void **state)
{
	char in[ADDR_PATH_MAX_BYTES + 16];
	struct collected col;
	const char *error = NULL;
	size_t n;

	(void)state;
	for (n = ADDR_PATH_MAX_BYTES - 1; n <= ADDR_PATH_MAX_BYTES + 1; n++) {
		memset(in, 'a', n);
		memcpy(in + n - 2, "@b", 2);
		memset(&col, 0, sizeof(col));
		int r = inject_hdr_addresses(in, n, collect, &col, &error);

		if (n <= ADDR_PATH_MAX_BYTES)
			assert_int_equal(r, 0);
		else {
			assert_int_equal(r, -1);
			assert_string_equal(error, "address too long");
		}
	}
	/* Deep comment nesting is just counted. */
	char deep[4000];

	memset(deep, '(', 2000);
	memset(deep + 2000, ')', 2000);
	memset(&col, 0, sizeof(col));
	assert_int_equal(inject_hdr_addresses(deep, sizeof(deep), collect, &col,
					      &error), 0);
	assert_int_equal(col.calls, 0);
}

/* ---- mailboxes -------------------------------------------------------------- */

static void
test_mailbox(void **state)
{
	struct addr a;
	const char *error = NULL;

	(void)state;
	assert_int_equal(inject_hdr_mailbox(S("root"), "host.example", &a, &error), 0);
	assert_string_equal(a.str, "root@host.example");
	assert_int_equal(inject_hdr_mailbox(S("u@EXAMPLE.org"), "h", &a, &error), 0);
	assert_string_equal(a.str, "u@example.org");
	assert_int_equal(inject_hdr_mailbox(S("root"), NULL, &a, &error), -1);
	assert_int_equal(inject_hdr_mailbox(S("root"), "", &a, &error), -1);
	assert_int_equal(inject_hdr_mailbox(S("a@"), "h", &a, &error), -1);
	assert_int_equal(inject_hdr_mailbox(S("@b"), "h", &a, &error), -1);
	/* Qualifying must not exceed the path limit. */
	char local[ADDR_LOCAL_MAX_BYTES + 1];

	memset(local, 'x', ADDR_LOCAL_MAX_BYTES);
	local[ADDR_LOCAL_MAX_BYTES] = '\0';
	char dom[250];

	memset(dom, 'd', sizeof(dom) - 1);
	dom[sizeof(dom) - 1] = '\0';
	for (size_t i = 60; i < sizeof(dom) - 1; i += 61)
		dom[i] = '.';
	assert_int_equal(inject_hdr_mailbox(local, strlen(local), dom, &a, &error), -1);
}

/* ---- display names ---------------------------------------------------------- */

struct name_case {
	const char *in;
	const char *out;
};

static const struct name_case name_cases[] = {
	{ "John Smith", "John Smith" },
	{ "  John   Smith  ", "John Smith" },
	{ "Smith, John", "\"Smith, John\"" },
	{ "a \"b\" \\c", "\"a \\\"b\\\" \\\\c\"" },
	{ "Cron Daemon", "Cron Daemon" },
	{ "CronDaemon", "CronDaemon" },
	{ "evil\r\nBcc: x@y", "\"evil Bcc: x@y\"" },
	{ "J\xc3\xb6rg", "=?UTF-8?B?SsO2cmc=?=" },
	{ "", "" },
	{ "\r\n\t ", "" },
	{ "dr. who", "\"dr. who\"" },
};

static void
test_display_name(void **state)
{
	char out[INJECT_HDR_NAME_OUT_BYTES];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		n = inject_hdr_display_name(name_cases[i].in, out, sizeof(out));
		out[n] = '\0';
		if (strcmp(out, name_cases[i].out) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, out, name_cases[i].out);
	}
	/* Too small an output buffer: nothing. */
	assert_int_equal(inject_hdr_display_name("x", out, 10), 0);
}

/* Long and 8-bit names: cut at the limit, encoded words of at most 75
 * bytes, no CR/LF, whole UTF-8 characters per word. */
static void
test_display_name_limits(void **state)
{
	char in[3 * INJECT_HDR_NAME_MAX_BYTES + 1], out[INJECT_HDR_NAME_OUT_BYTES];
	size_t n, i;

	(void)state;
	for (i = 0; i + 2 <= sizeof(in) - 1; i += 2)
		memcpy(in + i, "\xc3\xa4", 2);      /* "ä" repeated */
	in[i] = '\0';
	n = inject_hdr_display_name(in, out, sizeof(out));
	assert_true(n > 0 && n < sizeof(out));
	out[n] = '\0';
	assert_null(strpbrk(out, "\r\n"));
	char *w = out;

	while (w != NULL && *w != '\0') {
		char *sp = strchr(w, ' ');
		size_t wl = sp ? (size_t)(sp - w) : strlen(w);

		assert_true(wl <= 75);
		assert_memory_equal(w, "=?UTF-8?B?", 10);
		/* 45 bytes of "ä": an even count, so 60 base64 chars max
		 * (44 bytes = 22 characters -> 60 chars). */
		assert_true((wl - 12) % 4 == 0);
		w = sp ? sp + 1 : NULL;
	}
	memset(in, 'x', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	n = inject_hdr_display_name(in, out, sizeof(out));
	assert_int_equal(n, INJECT_HDR_NAME_MAX_BYTES);

	/* Invalid UTF-8, a run of continuation bytes (found by fuzzing): the
	 * words must still carry about 45 bytes each, not one, or the output
	 * overruns INJECT_HDR_NAME_OUT_BYTES. */
	memset(in, '\x9a', 200);
	in[200] = '\0';
	n = inject_hdr_display_name(in, out, sizeof(out));
	assert_true(n > 0 && n < sizeof(out));
	out[n] = '\0';
	assert_true(strlen(out) == n);
	assert_true(n < 8 * 76);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_prefixes),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_addresses_length_bound),
		cmocka_unit_test(test_addresses_callback_error),
		cmocka_unit_test(test_addresses_long),
		cmocka_unit_test(test_mailbox),
		cmocka_unit_test(test_display_name),
		cmocka_unit_test(test_display_name_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
