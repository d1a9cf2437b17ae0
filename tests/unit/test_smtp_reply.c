/*
 * test_smtp_reply.c -- the client-side SMTP reply parser (lib/smtp_reply.c):
 * valid and malformed lines, multi-line replies and code consistency,
 * enhanced status codes, the line, text and line-count limits at
 * limit-1/limit/limit+1, sanitising of hostile bytes, EHLO keywords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

#define S(x) x, sizeof(x) - 1

/* Feeds lines (NULL-terminated list); returns the last result. */
static int
feed_lines(struct smtp_reply *r, const char *const *lines)
{
	const char *err = NULL;
	int rc = -1;

	smtp_reply_init(r);
	for (; *lines != NULL; lines++) {
		rc = smtp_reply_feed(r, *lines, strlen(*lines), &err);
		if (rc != 0)
			return rc;
	}
	return rc;
}

struct line_case {
	const char *line;
	int rc;
	unsigned code;
	const char *enhanced;
	const char *text;
};

static const struct line_case line_cases[] = {
	{ "250 ok", 1, 250, "", "ok" },
	{ "250", 1, 250, "", "" },
	{ "250 ", 1, 250, "", "" },
	{ "220 mx.example.org ESMTP", 1, 220, "", "mx.example.org ESMTP" },
	{ "250 2.1.0 Sender ok", 1, 250, "2.1.0", "2.1.0 Sender ok" },
	{ "550 5.1.1 <u@example.org>: User unknown", 1, 550, "5.1.1",
	  "5.1.1 <u@example.org>: User unknown" },
	{ "550 5.1.10 null MX", 1, 550, "5.1.10", "5.1.10 null MX" },
	{ "451 4.123.456 x", 1, 451, "4.123.456", "4.123.456 x" },
	{ "550 5.1.1", 1, 550, "5.1.1", "5.1.1" },
	/* enhanced codes that do not count */
	{ "550 4.1.1 class differs", 1, 550, "", "4.1.1 class differs" },
	{ "550 5.1234.1 x", 1, 550, "", "5.1234.1 x" },
	{ "550 5.1.1234 x", 1, 550, "", "5.1.1234 x" },
	{ "550 5.1.1x", 1, 550, "", "5.1.1x" },
	{ "550 5..1 x", 1, 550, "", "5..1 x" },
	{ "550 5.1. x", 1, 550, "", "5.1. x" },
	{ "550 3.1.1 x", 1, 550, "", "3.1.1 x" },
	{ "550  5.1.1 x", 1, 550, "", " 5.1.1 x" },
	/* continuation */
	{ "250-first", 0, 250, "", "first" },
	{ "250-", 0, 250, "", "" },
	/* malformed */
	{ "", -1, 0, "", "" },
	{ "2", -1, 0, "", "" },
	{ "25", -1, 0, "", "" },
	{ "abc", -1, 0, "", "" },
	{ "199 x", -1, 0, "", "" },
	{ "099 x", -1, 0, "", "" },
	{ "600 x", -1, 0, "", "" },
	{ "2a0 x", -1, 0, "", "" },
	{ "25a x", -1, 0, "", "" },
	{ "250x", -1, 0, "", "" },
	{ "250\tx", -1, 0, "", "" },
	{ "2500 x", -1, 0, "", "" },
	{ "+OK", -1, 0, "", "" },
	{ " 250 x", -1, 0, "", "" },
};

static void
test_lines(void **state)
{
	struct smtp_reply r;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		int rc;

		smtp_reply_init(&r);
		err = NULL;
		rc = smtp_reply_feed(&r, c->line, strlen(c->line), &err);
		if (rc != c->rc)
			fail_msg("'%s': rc %d, want %d", c->line, rc, c->rc);
		if (rc < 0) {
			assert_non_null(err);
			continue;
		}
		assert_int_equal(r.code, c->code);
		assert_string_equal(r.enhanced, c->enhanced);
		assert_string_equal(r.text, c->text);
		assert_int_equal(r.complete, rc == 1);
	}
}

static void
test_multiline(void **state)
{
	static const char *const ok[] = { "250-mx.example.org", "250-PIPELINING",
		"250 SIZE 1000", NULL };
	static const char *const changed[] = { "250-a", "251 b", NULL };
	static const char *const changed2[] = { "450-a", "550 b", NULL };
	static const char *const bad_cont[] = { "250-a", "250x", NULL };
	static const char *const enh[] = { "550-5.7.1 first", "550 5.7.2 second",
		NULL };
	struct smtp_reply r;
	const char *err = NULL;
	char one[64];

	(void)state;
	assert_int_equal(feed_lines(&r, ok), 1);
	assert_int_equal(r.code, 250);
	assert_int_equal(r.lines, 3);
	assert_string_equal(r.text, "mx.example.org\nPIPELINING\nSIZE 1000");
	assert_string_equal(smtp_reply_oneline(&r, one, sizeof(one)),
	    "250 mx.example.org PIPELINING SIZE 1000");
	/* truncated one-line form, always terminated */
	assert_string_equal(smtp_reply_oneline(&r, one, 8), "250 mx.");
	assert_string_equal(smtp_reply_oneline(&r, one, 3), "25");
	/* feeding a complete reply again is an error */
	assert_int_equal(smtp_reply_feed(&r, S("250 x"), &err), -1);
	assert_int_equal(feed_lines(&r, changed), -1);
	assert_int_equal(feed_lines(&r, changed2), -1);
	assert_int_equal(feed_lines(&r, bad_cont), -1);
	/* the enhanced code is the first line's */
	assert_int_equal(feed_lines(&r, enh), 1);
	assert_string_equal(r.enhanced, "5.7.1");
}

static void
test_status(void **state)
{
	static const struct {
		const char *line, *status;
	} cases[] = {
		{ "250 ok", "2.0.0" }, { "354 go", "2.0.0" },
		{ "421 bye", "4.0.0" }, { "450 4.2.0 busy", "4.2.0" },
		{ "554 no", "5.0.0" }, { "550 5.7.1 no", "5.7.1" },
		{ "550 4.7.1 mismatch", "5.0.0" },
	};
	struct smtp_reply r;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		smtp_reply_init(&r);
		assert_int_equal(smtp_reply_feed(&r, cases[i].line,
		    strlen(cases[i].line), &err), 1);
		assert_string_equal(smtp_reply_status(&r), cases[i].status);
	}
}

/* A line of n bytes (CRLF not included): "250 " and 'x's. */
static char *
long_line(size_t n, char sep)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	memset(p, 'x', n);
	memcpy(p, "250 ", n < 4 ? n : 4);
	if (n >= 4)
		p[3] = sep;
	p[n] = '\0';
	return p;
}

static void
test_line_limit(void **state)
{
	struct smtp_reply r;
	const char *err;
	/* The limit counts CRLF: 4094 bytes of line fit, 4095 do not. */
	size_t lens[] = { SMTP_REPLY_LINE_MAX_BYTES - 3,
		SMTP_REPLY_LINE_MAX_BYTES - 2, SMTP_REPLY_LINE_MAX_BYTES - 1 };
	int want[] = { 1, 1, -1 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char *p = long_line(lens[i], ' ');

		smtp_reply_init(&r);
		assert_int_equal(smtp_reply_feed(&r, p, lens[i], &err), want[i]);
		if (want[i] == 1) {
			assert_int_equal(r.text_len, lens[i] - 4);
			assert_false(r.truncated);
		}
		free(p);
	}
}

static void
test_text_limit(void **state)
{
	struct smtp_reply r;
	const char *err;
	char *p;
	size_t first;

	(void)state;
	/* First line text exactly fills the kept text: limit. */
	p = long_line(SMTP_REPLY_TEXT_MAX_BYTES + 4, ' ');
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, p, strlen(p), &err), -1);
	free(p);
	/* (that line was too long for the line limit; build it from two) */
	first = SMTP_REPLY_TEXT_MAX_BYTES / 2;
	p = long_line(first + 4, '-');
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, p, strlen(p), &err), 0);
	free(p);
	/* second line: the separator + (limit - first - 1) bytes fit exactly */
	p = long_line(SMTP_REPLY_TEXT_MAX_BYTES - first - 1 + 4, '-');
	assert_int_equal(smtp_reply_feed(&r, p, strlen(p), &err), 0);
	free(p);
	assert_int_equal(r.text_len, SMTP_REPLY_TEXT_MAX_BYTES);
	assert_false(r.truncated);
	/* limit + 1: a further line is dropped, flagged, not an error */
	assert_int_equal(smtp_reply_feed(&r, S("250 more"), &err), 1);
	assert_true(r.truncated);
	assert_int_equal(r.text_len, SMTP_REPLY_TEXT_MAX_BYTES);
	assert_int_equal(strlen(r.text), SMTP_REPLY_TEXT_MAX_BYTES);

	/* limit - 1 then a line of 2: cut in the middle */
	smtp_reply_init(&r);
	p = long_line(first + 4, '-');
	assert_int_equal(smtp_reply_feed(&r, p, strlen(p), &err), 0);
	free(p);
	p = long_line(SMTP_REPLY_TEXT_MAX_BYTES - first - 2 + 4, '-');
	assert_int_equal(smtp_reply_feed(&r, p, strlen(p), &err), 0);
	free(p);
	assert_int_equal(r.text_len, SMTP_REPLY_TEXT_MAX_BYTES - 1);
	assert_int_equal(smtp_reply_feed(&r, S("250 ab"), &err), 1);
	assert_true(r.truncated);
	assert_int_equal(r.text_len, SMTP_REPLY_TEXT_MAX_BYTES);
	assert_int_equal(r.text[SMTP_REPLY_TEXT_MAX_BYTES - 1], '\n');
}

static void
test_lines_limit(void **state)
{
	struct smtp_reply r;
	const char *err;
	size_t i;

	(void)state;
	/* limit - 1 continuation lines and a last line: complete */
	smtp_reply_init(&r);
	for (i = 0; i + 1 < SMTP_REPLY_LINES_MAX; i++)
		assert_int_equal(smtp_reply_feed(&r, S("250-x"), &err), 0);
	assert_int_equal(smtp_reply_feed(&r, S("250 x"), &err), 1);
	assert_int_equal(r.lines, SMTP_REPLY_LINES_MAX);
	/* limit continuation lines: the next one is refused */
	smtp_reply_init(&r);
	for (i = 0; i < SMTP_REPLY_LINES_MAX; i++)
		assert_int_equal(smtp_reply_feed(&r, S("250-x"), &err), 0);
	assert_int_equal(smtp_reply_feed(&r, S("250 x"), &err), -1);
	assert_string_equal(err, "too many reply lines");
}

static void
test_hostile_bytes(void **state)
{
	struct smtp_reply r;
	const char *err;

	(void)state;
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, S("550 a\0b\rc\nd\x7f\xff\x80z"),
	    &err), 1);
	assert_int_equal(r.text_len, 11);
	assert_memory_equal(r.text, "a?b?c?d???z", 12);
	/* NUL in the code */
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, S("2\x00" "0 x"), &err), -1);
	/* input not NUL-terminated: only len bytes are read */
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "250 okGARBAGE", 6, &err), 1);
	assert_string_equal(r.text, "ok");
}

static void
test_ehlo(void **state)
{
	static const char *const full[] = { "250-mx.example.org greets you",
		"250-PIPELINING", "250-SIZE 10240000", "250-8bitmime",
		"250-starttls", "250-AUTH PLAIN LOGIN", "250 ENHANCEDSTATUSCODES",
		NULL };
	static const char *const none[] = { "250-PIPELINING STARTTLS",
		"250-PIPELININGX", "250-XSTARTTLS", "250- 8BITMIME",
		"250 SIZE", NULL };
	static const char *const sizes[][3] = {
		{ "250-x", "250 SIZE abc", NULL },
		{ "250-x", "250 SIZE 99999999999999999999999999", NULL },
		{ "250-x", "250 SIZE 0", NULL },
		{ "250-x", "250 SIZE 12 34", NULL },
	};
	static const char *const refused[] = { "550-x", "550 PIPELINING", NULL };
	struct smtp_reply r;
	struct smtp_ehlo e;
	size_t i;

	(void)state;
	assert_int_equal(feed_lines(&r, full), 1);
	smtp_reply_ehlo(&r, &e);
	assert_true(e.pipelining);
	assert_true(e.size);
	assert_int_equal(e.size_max, 10240000);
	assert_true(e.eightbitmime);
	assert_true(e.starttls);
	assert_true(e.enhancedstatuscodes);

	/* the first line is the greeting, never a keyword */
	assert_int_equal(feed_lines(&r, none), 1);
	smtp_reply_ehlo(&r, &e);
	assert_false(e.pipelining);
	assert_false(e.starttls);
	assert_false(e.eightbitmime);
	assert_true(e.size);
	assert_int_equal(e.size_max, 0);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(feed_lines(&r, sizes[i]), 1);
		smtp_reply_ehlo(&r, &e);
		assert_true(e.size);
		assert_int_equal(e.size_max, 0);
	}
	assert_int_equal(feed_lines(&r, refused), 1);
	smtp_reply_ehlo(&r, &e);
	assert_false(e.pipelining);
}

static void
test_scan_enhanced(void **state)
{
	(void)state;
	assert_int_equal(smtp_reply_scan_enhanced(S("2.0.0")), 5);
	assert_int_equal(smtp_reply_scan_enhanced(S("5.1.10 x")), 6);
	assert_int_equal(smtp_reply_scan_enhanced(S("4.999.999")), 9);
	assert_int_equal(smtp_reply_scan_enhanced(S("4.999.9999")), 0);
	assert_int_equal(smtp_reply_scan_enhanced(S("3.0.0")), 0);
	assert_int_equal(smtp_reply_scan_enhanced(S("2.0")), 0);
	assert_int_equal(smtp_reply_scan_enhanced(S("2.0.")), 0);
	assert_int_equal(smtp_reply_scan_enhanced(S("")), 0);
	assert_int_equal(smtp_reply_scan_enhanced("2.0.0", 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_text_limit),
		cmocka_unit_test(test_lines_limit),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_ehlo),
		cmocka_unit_test(test_scan_enhanced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
