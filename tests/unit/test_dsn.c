/*
 * test_dsn.c -- bounce messages (lib/dsn.c): RFC 3464 structure, hostile
 * reason lines, header cutting, status code extraction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dsn.h"

static const struct dsn_rcpt rcpts[] = {
	{ "nosuch@example.com", "5.1.1", "5.1.1 unknown user: nosuch@example.com" },
	{ "\xc3\xa9t\xc3\xa9@example.com", "5.2.2", "mailbox full\r\nX-Injected: yes" },
};

static void
fill(struct dsn *d, const char *hdr)
{
	memset(d, 0, sizeof(*d));
	d->hostname = "mx.example.com";
	d->queue_id = "6B044F89C42D5A7207B";
	d->arrival = 1700000000;
	d->now = 1700000100;
	d->to = "sender@example.org";
	d->orig_sender = "sender@example.org";
	d->rcpts = rcpts;
	d->n_rcpts = 1;
	d->header = hdr;
	d->header_len = hdr ? strlen(hdr) : 0;
}

static void
test_structure(void **state)
{
	const char hdr[] = "Subject: hi\nFrom: a@b.c\n\nSECRET BODY\n";
	struct dsn d;
	struct buf b;
	const char *err;

	(void)state;
	fill(&d, hdr);
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	static const char *const want[] = {
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n",
		"To: <sender@example.org>\n",
		"MIME-Version: 1.0\n",
		"Content-Type: multipart/report; report-type=delivery-status;",
		"Auto-Submitted: auto-replied\n",
		"Content-Type: message/delivery-status\n",
		"Reporting-MTA: dns; mx.example.com\n",
		"Arrival-Date: ",
		"\nFinal-Recipient: rfc822; nosuch@example.com\n",
		"Action: failed\nStatus: 5.1.1\n",
		"Diagnostic-Code: x-unix; 5.1.1 unknown user",
		"Content-Type: text/rfc822-headers\n\nSubject: hi\nFrom: a@b.c\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(b.data, want[i]) == NULL)
			fail_msg("missing %s in:\n%s", want[i], b.data);
	assert_null(strstr(b.data, "SECRET BODY"));
	/* The closing boundary ends the message. */
	size_t l = strlen("--6B044F89C42D5A7207B.1700000100/mx.example.com--\n");
	assert_true(b.len > l);
	assert_string_equal(b.data + b.len - l,
			    "--6B044F89C42D5A7207B.1700000100/mx.example.com--\n");
	/* Every line is LF-terminated, no CR anywhere. */
	assert_null(memchr(b.data, '\r', b.len));
	buf_free(&b);
}

static void
test_hostile_reason_and_utf8(void **state)
{
	struct dsn d;
	struct buf b;
	const char *err;

	(void)state;
	fill(&d, NULL);
	d.n_rcpts = 2;
	d.double_bounce = true;
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	assert_null(strstr(b.data, "\nX-Injected"));
	assert_non_null(strstr(b.data, "mailbox full??X-Injected: yes"));
	assert_non_null(strstr(b.data, "message/global-delivery-status"));
	assert_non_null(strstr(b.data, "Final-Recipient: utf-8; \xc3\xa9t\xc3\xa9@example.com"));
	assert_non_null(strstr(b.data, "Postmaster notify"));
	buf_free(&b);
}

static void
test_header_cut(void **state)
{
	size_t n = DSN_HEADER_MAX_BYTES + 100;
	char *hdr = malloc(n + 1);
	struct dsn d;
	struct buf b;
	const char *err;

	(void)state;
	/* One long header of 40-byte lines, no empty line. */
	for (size_t i = 0; i < n; i++)
		hdr[i] = (i % 40 == 39) ? '\n' : 'h';
	hdr[n] = '\0';
	fill(&d, hdr);
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	const char *start = strstr(b.data, "text/rfc822-headers\n\n") + 21;
	const char *end = strstr(start, "\n--6B044F89");
	assert_true((size_t)(end - start) <= DSN_HEADER_MAX_BYTES);
	assert_true((size_t)(end - start) > DSN_HEADER_MAX_BYTES - 41);
	assert_int_equal(end[-1], '\n');
	buf_free(&b);
	free(hdr);
}

static void
test_status_from_reason(void **state)
{
	static const struct {
		const char *reason;
		bool perm;
		const char *want;
	} cases[] = {
		{ "5.1.1 unknown user", true, "5.1.1" },
		{ "unknown user (#5.1.1)", true, "5.1.1" },
		{ "4.2.2 over quota", false, "4.2.2" },
		{ "4.2.2 over quota", true, "5.0.0" },     /* wrong class */
		{ "5.1.1 nope", false, "4.0.0" },
		{ "2.0.0 ok", true, "5.0.0" },
		{ "5.1234.1 bad", true, "5.0.0" },
		{ "5.1.1234 bad", true, "5.0.0" },
		{ "5.1. bad", true, "5.0.0" },
		{ "5.123.456 ok", true, "5.123.456" },
		{ "5.1.1.1", true, "5.0.0" },
		{ "#", true, "5.0.0" },
		{ "", false, "4.0.0" },
		{ NULL, true, "5.0.0" },
		{ "x #9.9.9 #5.7.1", true, "5.7.1" },
	};
	char out[DSN_STATUS_MAX_BYTES];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dsn_status_from_reason(cases[i].reason, cases[i].perm, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got %s want %s", i, out, cases[i].want);
	}
}

static void
test_sanitize_limits(void **state)
{
	char in[DSN_REASON_MAX_BYTES + 10], out[DSN_REASON_MAX_BYTES + 10];

	(void)state;
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	dsn_sanitize(in, out, sizeof(out));
	assert_int_equal(strlen(out), DSN_REASON_MAX_BYTES);
	dsn_sanitize("abc", out, 3);
	assert_string_equal(out, "ab");
	dsn_sanitize("\x7f\x80\t", out, sizeof(out));
	assert_string_equal(out, "???");
	dsn_sanitize(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_hostile_reason_and_utf8),
		cmocka_unit_test(test_header_cut),
		cmocka_unit_test(test_status_from_reason),
		cmocka_unit_test(test_sanitize_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
