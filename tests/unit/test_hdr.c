/*
 * test_hdr.c -- header helpers (lib/hdr.c): the push scanner fed whole,
 * at every split point and one byte at a time; hdr_next_field,
 * hdr_section_len, hdr_name_is, hdr_value_unfold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hdr.h"

#define S(x) x, sizeof(x) - 1

/* Flags for the expected fields. */
#define F_DATE 0x1
#define F_MSGID 0x2
#define F_FROM 0x4
#define F_TO 0x8
#define F_BODY 0x10

struct scan_case {
	const char *in;
	size_t in_len;
	unsigned received;
	unsigned flags;
	size_t bytes; /* header bytes counted */
};

#define LONG_NAME_64 \
	"Receivedxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct scan_case scan_cases[] = {
	{ S("Received: a\nReceived: b\n\tfolded\nDate: x\nMessage-ID: <a@b>\n"
	    "From: a\nTo: b\n\nReceived: body\n"),
	  2, F_DATE | F_MSGID | F_FROM | F_TO | F_BODY, 73 },
	{ S("RECEIVED: a\nmessage-id: x\nfrom:x\nto:\n\n"), 1,
	  F_MSGID | F_FROM | F_TO | F_BODY, 38 },
	{ S("Received : x\n\n"), 1, F_BODY, 14 },
	{ S("Received\t: x\n\n"), 1, F_BODY, 14 },
	{ S("Subject: x\n Received: fake\n\tDate: fake\n\n"), 0, F_BODY, 40 },
	{ S("X-Received: a\nReceivedx: b\nDate-x: c\n\n"), 0, F_BODY, 38 },
	{ S("Received: a\n"), 1, 0, 12 },
	{ S("Received: a\r\n\r\nReceived: b\r\n"), 1, F_BODY, 15 },
	{ S("garbage line\nReceived: a\n\n"), 1, F_BODY, 26 },
	{ S("From:\n\n"), 0, F_FROM | F_BODY, 7 },
	{ S("\n"), 0, F_BODY, 1 },
	{ S("\nReceived: a\n"), 0, F_BODY, 1 },
	{ S(""), 0, 0, 0 },
	{ S("To: a\n \n\nFrom: b\n"), 0, F_TO | F_BODY, 9 },
	{ S("Rec\0eived: a\nDa te: x\n\n"), 0, F_BODY, 23 },
	{ S("Received:x"), 1, 0, 10 },
	{ S("Received"), 0, 0, 8 },
	{ S("\rReceived: a\n\n"), 0, F_BODY, 14 },
	{ S(" Received: a\n\n"), 0, F_BODY, 14 },
	{ S("Re\xc3\xa7"
	    "eived: a\n\n"),
	  0, F_BODY, 14 },
	/* names longer than HDR_NAME_MAX_BYTES never match */
	{ S(LONG_NAME_64 ": a\n" LONG_NAME_64 "x: b\nReceived: c\n\n"), 1,
	  F_BODY, 64 + 4 + 65 + 4 + 12 + 1 },
	{ S(LONG_NAME_64 "x\n\n"), 0, F_BODY, 67 },
};

static void
scan_check(const struct scan_case *c, const size_t *cuts, size_t ncuts)
{
	struct hdr_scan s;
	size_t pos = 0, k;

	hdr_scan_init(&s);
	for (k = 0; k <= ncuts; k++) {
		size_t stop = k < ncuts ? cuts[k] : c->in_len;

		hdr_scan_feed(&s, (const unsigned char *)c->in + pos,
			      stop - pos);
		pos = stop;
	}
	if (s.received != c->received || s.bytes != c->bytes) {
		fprintf(stderr,
			"case \"%.20s\" received %u bytes %zu, cuts:", c->in,
			s.received, s.bytes);
		for (k = 0; k < ncuts; k++)
			fprintf(stderr, " %zu", cuts[k]);
		fprintf(stderr, "\n");
	}
	assert_int_equal(s.received, c->received);
	assert_int_equal(s.bytes, c->bytes);
	assert_int_equal(s.has_date, (c->flags & F_DATE) != 0);
	assert_int_equal(s.has_message_id, (c->flags & F_MSGID) != 0);
	assert_int_equal(s.has_from, (c->flags & F_FROM) != 0);
	assert_int_equal(s.has_to, (c->flags & F_TO) != 0);
	assert_int_equal(s.in_body, (c->flags & F_BODY) != 0);
	assert_true(s.name_len <= HDR_NAME_MAX_BYTES);
}

static void
test_hdr_scan_whole(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(scan_cases) / sizeof(scan_cases[0]); i++)
		scan_check(&scan_cases[i], NULL, 0);
}

static void
test_hdr_scan_split(void **state)
{
	size_t i, a, b, cuts[2];

	for (i = 0; i < sizeof(scan_cases) / sizeof(scan_cases[0]); i++) {
		const struct scan_case *c = &scan_cases[i];

		for (a = 0; a <= c->in_len; a++) {
			cuts[0] = a;
			scan_check(c, cuts, 1);
			/* every pair of split points for the short cases */
			for (b = a; c->in_len <= 70 && b <= c->in_len; b++) {
				cuts[1] = b;
				scan_check(c, cuts, 2);
			}
		}
	}
}

static void
test_hdr_scan_bytewise(void **state)
{
	size_t i, k, cuts[256];

	for (i = 0; i < sizeof(scan_cases) / sizeof(scan_cases[0]); i++) {
		const struct scan_case *c = &scan_cases[i];

		assert_true(c->in_len <= 256);
		for (k = 0; k < c->in_len; k++)
			cuts[k] = k + 1;
		scan_check(c, cuts, c->in_len);
	}
}

/* The scanner ignores everything after the header. */
static void
test_hdr_scan_stops(void **state)
{
	struct hdr_scan s;

	hdr_scan_init(&s);
	hdr_scan_feed(&s, (const unsigned char *)"A: b\n\n", 6);
	hdr_scan_feed(&s, (const unsigned char *)"Received: x\n", 12);
	assert_true(s.in_body);
	assert_int_equal(s.received, 0);
	assert_int_equal(s.bytes, 6);
}

struct field_want {
	int ret;
	const char *name;
	const char *value;
};

static void
fields_check(const char *p, size_t len, const struct field_want *w, size_t nw,
	     size_t end_pos)
{
	size_t pos = 0, i;
	struct hdr_field f;

	for (i = 0; i < nw; i++) {
		int r = hdr_next_field(p, len, &pos, &f);

		assert_int_equal(r, w[i].ret);
		if (r == 1) {
			assert_int_equal(f.name_len, strlen(w[i].name));
			assert_memory_equal(f.name, w[i].name, f.name_len);
			assert_int_equal(f.value_len, strlen(w[i].value));
			assert_memory_equal(f.value, w[i].value, f.value_len);
		}
	}
	assert_int_equal(hdr_next_field(p, len, &pos, &f), 0);
	assert_int_equal(pos, end_pos);
	/* stays at the end */
	assert_int_equal(hdr_next_field(p, len, &pos, &f), 0);
	assert_int_equal(pos, end_pos);
}

static void
test_hdr_next_field(void **state)
{
	static const char h1[] = "From: a@b\nSubject: x\n\ty\n "
				 "z\nTo:c\n\nbody: x\n";
	static const struct field_want w1[] = {
		{ 1, "From", " a@b" },
		{ 1, "Subject", " x\n\ty\n z" },
		{ 1, "To", "c" },
	};
	static const char h2[] = "Bad line\n\tcont\nX : y\r\nNoEnd: v";
	static const struct field_want w2[] = {
		{ -1, NULL, NULL },
		{ -1, NULL, NULL }, /* a continuation line without a field */
		{ 1, "X", " y" },
		{ 1, "NoEnd", " v" },
	};
	static const char h3[] = ": no name\nA:\nB:\r\n\r\nC: d\n";
	static const struct field_want w3[] = {
		{ -1, NULL, NULL },
		{ 1, "A", "" },
		{ 1, "B", "" },
	};
	fields_check(h1, sizeof(h1) - 1, w1, 3, 32);
	fields_check(h2, sizeof(h2) - 1, w2, 4, sizeof(h2) - 1);
	fields_check(h3, sizeof(h3) - 1, w3, 3, 17);
}

/* Edge cases: end position, empty input, NUL in a name, trailing fold. */
static void
test_hdr_next_field_short(void **state)
{
	struct hdr_field f;
	size_t pos = 0;

	assert_int_equal(hdr_next_field("A: x\n\n", 6, &pos, &f), 1);
	assert_int_equal(pos, 5);
	assert_int_equal(hdr_next_field("A: x\n\n", 6, &pos, &f), 0);
	pos = 0;
	assert_int_equal(hdr_next_field("", 0, &pos, &f), 0);
	/* NUL in a name is not ftext */
	pos = 0;
	assert_int_equal(hdr_next_field("A\0B: x\nC: y\n", 12, &pos, &f), -1);
	assert_int_equal(pos, 7);
	assert_int_equal(hdr_next_field("A\0B: x\nC: y\n", 12, &pos, &f), 1);
	assert_true(hdr_name_is(&f, "c"));
	/* a lone folded line at the very end */
	pos = 0;
	assert_int_equal(hdr_next_field("A: x\n ", 6, &pos, &f), 1);
	assert_int_equal(f.value_len, 4);
	assert_int_equal(pos, 6);
}

static void
test_hdr_section_len(void **state)
{
	assert_int_equal(hdr_section_len(S("A: b\n\nbody\n")), 6);
	assert_int_equal(hdr_section_len(S("A: b\r\n\r\nbody\r\n")), 8);
	assert_int_equal(hdr_section_len(S("\nbody")), 1);
	assert_int_equal(hdr_section_len(S("A: b\n")), 5);
	assert_int_equal(hdr_section_len(S("A: b")), 4);
	assert_int_equal(hdr_section_len(S("")), 0);
	assert_int_equal(hdr_section_len(S("A: b\n \n\nx")), 8);
	assert_int_equal(hdr_section_len(S("A: b\n\r")), 6);
}

static void
test_hdr_name_is(void **state)
{
	struct hdr_field f = { "Delivered-To", 12, " x", 2 };
	struct hdr_field g = { "To\0x", 4, "", 0 };

	assert_true(hdr_name_is(&f, "delivered-to"));
	assert_true(hdr_name_is(&f, "DELIVERED-TO"));
	assert_false(hdr_name_is(&f, "delivered-t"));
	assert_false(hdr_name_is(&f, "delivered-too"));
	assert_false(hdr_name_is(&g, "to"));
}

static void
test_hdr_value_unfold(void **state)
{
	struct hdr_field f = { "S", 1, " a\r\n\tb\n c  ", 11 };
	char out[16];
	size_t n;

	assert_int_equal(hdr_value_unfold(&f, out, sizeof(out), &n), 0);
	assert_string_equal(out, "a\tb c");
	assert_int_equal(n, 5);
	assert_int_equal(hdr_value_unfold(&f, out, 6, &n), 0);
	assert_int_equal(hdr_value_unfold(&f, out, 5, &n), -1);
	assert_int_equal(hdr_value_unfold(&f, out, 0, &n), -1);
	f.value_len = 0;
	assert_int_equal(hdr_value_unfold(&f, out, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hdr_value_unfold(&f, out, 0, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_scan_whole),
		cmocka_unit_test(test_hdr_scan_split),
		cmocka_unit_test(test_hdr_scan_bytewise),
		cmocka_unit_test(test_hdr_scan_stops),
		cmocka_unit_test(test_hdr_next_field),
		cmocka_unit_test(test_hdr_next_field_short),
		cmocka_unit_test(test_hdr_section_len),
		cmocka_unit_test(test_hdr_name_is),
		cmocka_unit_test(test_hdr_value_unfold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
