/*
 * test_date.c -- lib/date.c: formatting in several time zones (numeric zone,
 * C-locale names, buffer limits), round trips, and the tolerant RFC 5322
 * parser: current and obsolete forms (RFC 5322 3.3, 4.3, appendix A.6.2),
 * comments, named and military zones, calendar checks, junk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"

struct parse_case {
	const char *in;
	long long t;
};

#define T_2026 1795443738LL     /* 2026-11-23 14:22:18 UTC */
#define T_1997 880106106LL      /* 1997-11-21 09:55:06 UTC */

static const struct parse_case good[] = {
	{ "Mon, 23 Nov 2026 14:22:18 +0000", T_2026 },
	{ "23 Nov 2026 14:22:18 +0000", T_2026 },
	{ "Mon,23 Nov 2026 14:22:18 +0000", T_2026 },
	{ "Mon 23 Nov 2026 14:22:18 +0000", T_2026 },
	{ "mon, 23 nov 2026 14:22:18 +0000", T_2026 },
	{ "Monday, 23 November 2026 14:22:18 +0000", T_2026 },
	{ "Mon, 23 Nov 2026 15:22:18 +0100", T_2026 },
	{ "Mon, 23 Nov 2026 09:22:18 -0500", T_2026 },
	{ "Mon, 23 Nov 2026 19:52:18 +0530", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 GMT", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 UT", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 UTC", T_2026 },
	{ "Mon, 23 Nov 2026 09:22:18 EST", T_2026 },
	{ "Mon, 23 Nov 2026 10:22:18 EDT", T_2026 },
	{ "Mon, 23 Nov 2026 08:22:18 CST", T_2026 },
	{ "Mon, 23 Nov 2026 06:22:18 PST", T_2026 },
	{ "Mon, 23 Nov 2026 07:22:18 MST", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 Z", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 A", T_2026 },       /* military: -0000 */
	{ "Mon, 23 Nov 2026 14:22:18 XYZT", T_2026 },    /* unknown: -0000 */
	{ "Mon, 23 Nov 2026 14:22:18 -0000", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 +0000 (UTC)", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18 +0000 GMT", T_2026 },
	{ "Mon, 23 Nov 2026 14:22:18", T_2026 },         /* no zone: UTC */
	{ "Mon, 23 Nov 2026 14:22 +0000", T_2026 - 18 },
	{ "Mon, 23-Nov-2026 14:22:18 +0000", T_2026 },
	{ "  Mon ,  23  Nov  2026  14 : 22 : 18  +0000  ", T_2026 },
	{ "\r\n Mon, 23 Nov\r\n 2026 14:22:18 +0000\r\n", T_2026 },
	{ "(comment) Mon, (x (nested) \\) ) 23 Nov 2026 14:22:18 +0000", T_2026 },
	{ "Mon, 23 Nov 26 14:22:18 +0000", T_2026 },      /* 2-digit year */
	{ "Mon, 23 Nov 126 14:22:18 +0000", T_2026 },     /* 3-digit year */
	/* RFC 5322 appendix A.6.2 obsolete dates */
	{ "21 Nov 97 09:55:06 GMT", T_1997 },
	{ "Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", T_1997 + 6 * 3600 },
	{ "Fri, 21 Nov 1997 09:55:06 -0600", T_1997 + 6 * 3600 },
	{ "Tue, 1 Jul 2003 10:52:37 +0200", 1057056757LL - 7200 },
	{ "Tue, 01 Jul 2003 10:52:37 +0200", 1057056757LL - 7200 },
	/* calendar edges */
	{ "29 Feb 2000 00:00:00 +0000", 951782400LL },
	{ "31 Dec 1969 23:59:59 +0000", -1 },
	{ "1 Jan 1970 00:00:00 +0000", 0 },
	{ "1 Jan 1970 00:00:00 +0100", -3600 },
	{ "1 Jan 49 00:00:00 +0000", 2493072000LL },
	{ "1 Jan 50 00:00:00 +0000", -631152000LL },
	{ "31 Dec 2024 23:59:59 +0000", 1735689599LL },
	{ "31 Dec 2024 23:59:60 +0000", 1735689599LL },  /* leap second */
	{ "1 Jan 1900 00:00:00 +0000", -2208988800LL },
	{ "31 Dec 9999 23:59:59 +0000", 253402300799LL },
	{ "1 Jan 1970 00:00:00 +9959", -(99 * 3600 + 59 * 60) },
	/* the day of week is not cross-checked (tolerant) */
	{ "Sun, 23 Nov 2026 14:22:18 +0000", T_2026 },
};

static const char *const bad[] = {
	"",
	"   ",
	"(only a comment)",
	"Mon, 23 Nov 2026 14:22:18 +0000 (unclosed",
	"Mon, 23 Nov 2026 14:22:18 +0000 extra 1",
	"Mon, 23 Nov 2026 14:22:18 +0000 junk!",
	"Xyz, 23 Nov 2026 14:22:18 +0000",
	"Mon, 23 Foo 2026 14:22:18 +0000",
	"Mon, 32 Nov 2026 14:22:18 +0000",
	"Mon, 0 Nov 2026 14:22:18 +0000",
	"Mon, 31 Nov 2026 14:22:18 +0000",
	"29 Feb 1900 00:00:00 +0000",
	"29 Feb 2023 00:00:00 +0000",
	"Mon, 123 Nov 2026 14:22:18 +0000",
	"Mon, 23 Nov 2026 24:00:00 +0000",
	"Mon, 23 Nov 2026 14:60:18 +0000",
	"Mon, 23 Nov 2026 14:22:61 +0000",
	"Mon, 23 Nov 2026 14:22:18 +000",
	"Mon, 23 Nov 2026 14:22:18 +00000",
	"Mon, 23 Nov 2026 14:22:18 +0060",
	"Mon, 23 Nov 2026 14:22:18 + 0000",
	"Mon, 23 Nov 2026 14:22:18 ++0000",
	"Mon, 23 Nov 12026 14:22:18 +0000",
	"Mon, 23 Nov 1899 14:22:18 +0000",
	"Mon, 23 Nov 2026 14 +0000",
	"Mon, 23 Nov 2026 14: +0000",
	"Mon, 23 Nov 2026 14:22: +0000",
	"Mon, 23 Nov 2026 1422 +0000",
	"Mon, 23 Nov 2026",
	"Mon, 23 Nov",
	"Mon,",
	"Mon, Nov 23 2026 14:22:18 +0000",
	"2026-11-23T14:22:18Z",
	"Mon, 23 Nov 2026 14:22:18 Averyveryverylongzonename",
	"Mon, 23 Nov 2026 14:22:18 +0000 \xff",
};

static void
test_parse_good(void **state)
{
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = 12345;
		if (date_parse_rfc5322(good[i].in, strlen(good[i].in), &t) != 0)
			fail_msg("rejected '%s'", good[i].in);
		if ((long long)t != good[i].t)
			fail_msg("'%s': got %lld, want %lld", good[i].in,
			    (long long)t, good[i].t);
	}
}

static void
test_parse_bad(void **state)
{
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_parse_rfc5322(bad[i], strlen(bad[i]), &t) != -1)
			fail_msg("accepted '%s'", bad[i]);
	/* an embedded NUL inside len */
	assert_int_equal(date_parse_rfc5322("1 Jan 2000 00:00:00 +0000\0",
	    26, &t), -1);
	/* only len bytes are read */
	assert_int_equal(date_parse_rfc5322("1 Jan 1970 00:00:00 +0000garbage",
	    25, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(date_parse_rfc5322("1 Jan 1970 00:00:00 +0000", 24, &t),
	    -1);
	assert_int_equal(date_parse_rfc5322(NULL, 0, &t), -1);
}

/* Splitting the input anywhere must not make the parser read past len. */
static void
test_parse_prefixes(void **state)
{
	const char *s = "Mon, 23 Nov 2026 14:22:18 +0000 (c)";
	size_t len = strlen(s), i;
	char *copy;
	time_t t;

	(void)state;
	for (i = 0; i <= len; i++) {
		copy = malloc(i ? i : 1);       /* exact size: ASan catches overreads */
		assert_non_null(copy);
		memcpy(copy, s, i);
		(void)date_parse_rfc5322(copy, i, &t);
		free(copy);
	}
}

struct fmt_case {
	const char *tz;
	const char *out;
};

static void
test_format(void **state)
{
	static const struct fmt_case cases[] = {
		{ "UTC0", "Mon, 23 Nov 2026 14:22:18 +0000" },
		{ "EST5", "Mon, 23 Nov 2026 09:22:18 -0500" },
		{ "IST-5:30", "Mon, 23 Nov 2026 19:52:18 +0530" },
		{ "XXX-13:45", "Tue, 24 Nov 2026 04:07:18 +1345" },
		{ "NST3:30", "Mon, 23 Nov 2026 10:52:18 -0330" },
	};
	char out[DATE_RFC5322_MAX];
	char *oldtz = getenv("TZ");
	time_t t;
	size_t i;

	(void)state;
	oldtz = oldtz ? strdup(oldtz) : NULL;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("TZ", cases[i].tz, 1);
		tzset();
		assert_int_equal(date_rfc5322((time_t)T_2026, out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].out);
		/* round trip */
		assert_int_equal(date_parse_rfc5322(out, strlen(out), &t), 0);
		assert_int_equal((long long)t, T_2026);
	}
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_int_equal(date_rfc5322(0, out, sizeof(out)), 0);
	assert_string_equal(out, "Thu, 1 Jan 1970 00:00:00 +0000");
	/* limit: 31 chars need 32 bytes */
	assert_int_equal(date_rfc5322((time_t)T_2026, out, 32), 0);
	assert_int_equal(date_rfc5322((time_t)T_2026, out, 31), -1);
	assert_int_equal(date_rfc5322((time_t)T_2026, out, 0), -1);
	/* many round trips */
	for (t = -86400 * 365; t < 4000000000LL; t += 7777777) {
		time_t back;

		assert_int_equal(date_rfc5322(t, out, sizeof(out)), 0);
		assert_int_equal(date_parse_rfc5322(out, strlen(out), &back), 0);
		assert_int_equal((long long)back, (long long)t);
	}
	if (oldtz != NULL) {
		setenv("TZ", oldtz, 1);
		free(oldtz);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
