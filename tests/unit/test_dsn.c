/*
 * test_dsn.c -- bounce messages (lib/dsn.c): RFC 3464 structure, hostile
 * reason lines, header cutting, status code extraction, remote replies
 * (Remote-MTA, smtp Diagnostic-Code), delay warnings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dsn.h"

static const struct dsn_rcpt rcpts[] = {
	{ "nosuch@example.com", "5.1.1", "5.1.1 unknown user: nosuch@example.com", false },
	{ "\xc3\xa9t\xc3\xa9@example.com", "5.2.2", "mailbox full\r\nX-Injected: yes", false },
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
	/* a trace field first (RFC 5321 4.4) */
	static const char trace[] = "Received: by mx.example.com (quail-send, "
	    "report on queue id 6B044F89C42D5A7207B);\n\t";
	assert_true(strncmp(b.data, trace, strlen(trace)) == 0);
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
	/* the marker that stops a loop of double bounces, in the header */
	assert_true(dsn_is_double_bounce(b.data, b.len));
	assert_non_null(strstr(b.data, "\n" DSN_DOUBLE_BOUNCE_FIELD ": yes\n"));
	buf_free(&b);
}

/* Only a double bounce carries the marker; it is found in a header that
 * alias forwarding prepended to, never in a body. */
static void
test_double_bounce_marker(void **state)
{
	static const struct {
		const char *header;
		bool want;
	} cases[] = {
		{ "X-Quail-Double-Bounce: yes\n\nbody\n", true },
		{ "Delivered-To: postmaster@example.com\nFrom: x\n"
		  "x-quail-double-bounce: yes\nSubject: s\n\nbody\n", true },
		{ "Delivered-To: a@b\r\nX-Quail-Double-Bounce:yes\r\n\r\n", true },
		/* in the body, after the empty line (also CRLF) */
		{ "Subject: s\n\nX-Quail-Double-Bounce: yes\n", false },
		{ "Subject: s\r\n\r\nX-Quail-Double-Bounce: yes\n", false },
		/* a longer name, a continuation line, no colon */
		{ "X-Quail-Double-Bounces: yes\n\n", false },
		{ "Subject: s\n X-Quail-Double-Bounce: yes\n\n", false },
		{ "X-Quail-Double-Bounce\n\n", false },
		{ "", false },
		/* no empty line, no final LF: scanning stops at the end */
		{ "From: x\nX-Quail-Double-Bounce: y", true },
	};
	struct dsn d;
	struct buf b;
	const char *err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (dsn_is_double_bounce(cases[i].header,
		    strlen(cases[i].header)) != cases[i].want)
			fail_msg("case %zu: %s", i, cases[i].header);
	assert_false(dsn_is_double_bounce(NULL, 0));
	/* the length bounds the scan: the field past it is not seen */
	assert_false(dsn_is_double_bounce("From: x\nX-Quail-Double-Bounce: y",
	    10));
	/* an ordinary bounce and a delay warning carry no marker */
	fill(&d, "Subject: hi\n\n");
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	assert_false(dsn_is_double_bounce(b.data, b.len));
	buf_free(&b);
	d.delayed = true;
	d.retry_until = d.now + 3600;
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	assert_false(dsn_is_double_bounce(b.data, b.len));
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

static void
test_remote_and_delayed(void **state)
{
	static const struct dsn_rcpt r[] = {
		{ "u@example.org", "5.1.1", "mx.example.org[192.0.2.1] said: "
		  "550 5.1.1 <u@example.org>: User unknown", true },
		{ "v@example.org", "4.4.1", "connect to mx.example.org[192.0.2.1]:25: "
		  "Connection refused", true },
		{ "w@example.org", "4.4.7", "message expired after 9s in queue: "
		  "[192.0.2.7] said: 451 4.3.0 try\r\nlater", true },
	};
	struct dsn d;
	struct buf b;
	const char *err;

	(void)state;
	fill(&d, "Subject: x\n");
	d.rcpts = r;
	d.n_rcpts = 3;
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	static const char *const want[] = {
		("Final-Recipient: rfc822; u@example.org\nAction: failed\nStatus: 5.1.1\n"
		 "Remote-MTA: dns; mx.example.org\n"
		 "Diagnostic-Code: smtp; 550 5.1.1 <u@example.org>: User unknown\n"),
		("Final-Recipient: rfc822; v@example.org\nAction: failed\nStatus: 4.4.1\n"
		 "Diagnostic-Code: X-Quail; connect to mx.example.org[192.0.2.1]:25: "
		 "Connection refused\n"),
		("Status: 4.4.7\nRemote-MTA: dns; 192.0.2.7\n"
		 "Diagnostic-Code: smtp; 451 4.3.0 try??later\n"),
		"Subject: Undelivered Mail Returned to Sender\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(b.data, want[i]) == NULL)
			fail_msg("missing %s in:\n%s", want[i], b.data);
	assert_null(strstr(b.data, "Will-Retry-Until"));
	buf_free(&b);

	d.delayed = true;
	d.retry_until = 1700432000;
	d.n_rcpts = 1;
	buf_init(&b, 0);
	assert_int_equal(dsn_build(&d, &b, &err), 0);
	assert_non_null(strstr(b.data, "Subject: Delayed Mail (still being retried)\n"));
	assert_non_null(strstr(b.data, "Action: delayed\n"));
	assert_null(strstr(b.data, "Action: failed"));
	assert_non_null(strstr(b.data, "Will-Retry-Until: "));
	assert_non_null(strstr(b.data, "YOU DO NOT NEED TO RESEND"));
	assert_non_null(strstr(b.data, "report-type=delivery-status"));
	buf_free(&b);
}

static void
test_remote_reply_parse(void **state)
{
	static const struct {
		const char *reason;
		const char *mta;        /* NULL: not a remote reply */
		const char *reply;
	} t[] = {
		{ "mx.example.org[192.0.2.1] said: 550 nope", "mx.example.org", "550 nope" },
		{ "[2001:db8::1] said: 421 bye", "2001:db8::1", "421 bye" },
		{ "expired: mx[1.2.3.4] said: 451 x", "mx", "451 x" },
		{ "mx[1.2.3.4] said: 55 short", NULL, NULL },
		{ "mx[1.2.3.4] said: abc", NULL, NULL },
		{ "mx 1.2.3.4] said: 550 x", NULL, NULL },
		{ "] said: 550 x", NULL, NULL },
		{ "[] said: 550 x", NULL, NULL },
		{ "m<x>[1.2.3.4] said: 550 x", NULL, NULL },
		{ "said: 550", NULL, NULL },
		{ "", NULL, NULL },
		{ NULL, NULL, NULL },
	};
	char mta[64];
	const char *reply;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool ok = dsn_remote_reply(t[i].reason, mta, sizeof(mta), &reply);
		if (ok != (t[i].mta != NULL))
			fail_msg("case %zu: got %d", i, ok);
		if (ok && (strcmp(mta, t[i].mta) != 0 || strcmp(reply, t[i].reply) != 0))
			fail_msg("case %zu: got %s / %s", i, mta, reply);
	}
	/* mta buffer limit: name of 3 bytes needs 4 (limit), 3 is too small. */
	assert_true(dsn_remote_reply("abc[1.2.3.4] said: 250 ok", mta, 4, &reply));
	assert_false(dsn_remote_reply("abc[1.2.3.4] said: 250 ok", mta, 3, &reply));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_hostile_reason_and_utf8),
		cmocka_unit_test(test_double_bounce_marker),
		cmocka_unit_test(test_header_cut),
		cmocka_unit_test(test_status_from_reason),
		cmocka_unit_test(test_sanitize_limits),
		cmocka_unit_test(test_remote_and_delayed),
		cmocka_unit_test(test_remote_reply_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
