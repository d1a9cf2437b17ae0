/*
 * test_imap_string.c -- lib/imap_string.c: which values become atoms,
 * quoted strings or literals (NUL, CR, LF, 8-bit, the length limit at
 * limit-1/limit/limit+1), escaping of '"' and '\', NIL for nstrings and
 * "NIL" itself as an astring.
 */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_string.h"

enum kind { STRING, NSTRING, ASTRING };

struct row {
	enum kind kind;
	const char *in; /* NULL: NIL for NSTRING */
	size_t len;
	const char *want;
	size_t want_len;
};

#define S(x) x, sizeof(x) - 1

static const struct row rows[] = {
	{ STRING, S(""), S("\"\"") },
	{ STRING, S("abc"), S("\"abc\"") },
	{ STRING, S("a\"b\\c"), S("\"a\\\"b\\\\c\"") },
	{ STRING, S("\"\""), S("\"\\\"\\\"\"") },
	{ STRING, S("a\r\nb"), S("{4}\r\na\r\nb") },
	{ STRING, S("a\nb"), S("{3}\r\na\nb") },
	{ STRING, S("a\0b"), S("{3}\r\na\0b") },
	{ STRING, S("caf\xc3\xa9"), S("{5}\r\ncaf\xc3\xa9") },
	{ STRING, S("tab\there"), S("\"tab\there\"") },
	{ NSTRING, NULL, 0, S("NIL") },
	{ NSTRING, S(""), S("\"\"") },
	{ NSTRING, S("NIL"), S("\"NIL\"") },
	{ ASTRING, S("INBOX"), S("INBOX") },
	{ ASTRING, S("a]b"), S("a]b") },
	{ ASTRING, S("Sent Items"), S("\"Sent Items\"") },
	{ ASTRING, S("nil"), S("\"nil\"") },
	{ ASTRING, S(""), S("\"\"") },
	{ ASTRING, S("a%"), S("\"a%\"") },
	{ ASTRING, S("a*"), S("\"a*\"") },
	{ ASTRING, S("a(b"), S("\"a(b\"") },
	{ ASTRING, S("a{b"), S("\"a{b\"") },
	{ ASTRING, S("a\\b"), S("\"a\\\\b\"") },
	{ ASTRING, S("\x7f"), S("\"\x7f\"") },
	{ ASTRING, S("\xc3\xa9"), S("{2}\r\n\xc3\xa9") },
};

static void
test_rows(void **state)
{
	struct buf b;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_init(&b, 4096);
		switch (rows[i].kind) {
		case STRING:
			r = imap_string_append(&b, rows[i].in, rows[i].len);
			break;
		case NSTRING:
			r = imap_nstring_append(&b, rows[i].in, rows[i].len);
			break;
		default:
			r = imap_astring_append(&b, rows[i].in, rows[i].len);
			break;
		}
		assert_int_equal(r, 0);
		if (b.len != rows[i].want_len ||
		    memcmp(b.data, rows[i].want, b.len) != 0)
			fail_msg("row %zu: got %.*s", i, (int)b.len, b.data);
		buf_free(&b);
	}
}

/* Quoted up to IMAP_STRING_QUOTED_MAX_BYTES, a literal beyond. */
static void
test_length_limit(void **state)
{
	static char s[IMAP_STRING_QUOTED_MAX_BYTES + 1];
	char head[32];
	struct buf b;

	(void)state;
	memset(s, 'x', sizeof(s));
	assert_true(imap_string_quotable(s, IMAP_STRING_QUOTED_MAX_BYTES - 1));
	assert_true(imap_string_quotable(s, IMAP_STRING_QUOTED_MAX_BYTES));
	assert_false(imap_string_quotable(s, IMAP_STRING_QUOTED_MAX_BYTES + 1));

	buf_init(&b, 4096);
	assert_int_equal(imap_string_append(&b, s, IMAP_STRING_QUOTED_MAX_BYTES),
			 0);
	assert_int_equal(b.len, IMAP_STRING_QUOTED_MAX_BYTES + 2);
	assert_int_equal(b.data[0], '"');
	buf_free(&b);

	buf_init(&b, 4096);
	assert_int_equal(imap_string_append(&b, s, sizeof(s)), 0);
	snprintf(head, sizeof(head), "{%zu}\r\n", sizeof(s));
	assert_int_equal(b.len, strlen(head) + sizeof(s));
	assert_memory_equal(b.data, head, strlen(head));
	buf_free(&b);
}

/* A buffer cap too small: -1, never a write past it. */
static void
test_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(imap_string_append(&b, "abcdef", 6), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
