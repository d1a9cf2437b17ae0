/*
 * test_imap_date.c -- lib/imap_date.c: IMAP date-time and date parsing
 * (RFC 3501 9) with the day forms "dd", " d" and "d", zones, calendar
 * checks (leap years, 31-Apr), field limits (limit and limit + 1), junk,
 * truncation at every length, NUL and 8-bit bytes; formatting in fixed
 * zones, buffer sizes, the local-time formatter and round trips.
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

#include "imap_date.h"

#define T_1996 837596665LL /* 1996-07-17 09:44:25 UTC */
#define T_2026 1795443738LL /* 2026-11-23 14:22:18 UTC */

struct dt_case {
	const char *in;
	long long t;
	int zone;
};

static const struct dt_case dt_good[] = {
	{ "17-Jul-1996 02:44:25 -0700", T_1996, -420 },
	{ "17-jul-1996 02:44:25 -0700", T_1996, -420 },
	{ "17-JUL-1996 02:44:25 -0700", T_1996, -420 },
	{ "17-Jul-1996 09:44:25 +0000", T_1996, 0 },
	{ "17-Jul-1996 09:44:25 -0000", T_1996, 0 },
	{ "17-Jul-1996 15:14:25 +0530", T_1996, 330 },
	{ "18-Jul-1996 09:43:25 +2359", T_1996, 1439 },
	{ "23-Nov-2026 14:22:18 +0000", T_2026, 0 },
	{ " 1-Feb-1994 00:00:00 +0000", 760060800LL, 0 },
	{ "01-Feb-1994 00:00:00 +0000", 760060800LL, 0 },
	{ "1-Feb-1994 00:00:00 +0000", 760060800LL, 0 },
	{ "29-Feb-2024 00:00:00 +0000", 1709164800LL, 0 },
	{ "29-Feb-2000 12:00:00 +0000", 951825600LL, 0 },
	{ "31-Dec-1969 23:59:59 +0000", -1LL, 0 },
	{ "01-Jan-1970 00:00:00 +0000", 0LL, 0 },
	/* a leap second counts as :59 */
	{ "31-Dec-1969 23:59:60 +0000", -1LL, 0 },
	{ "01-Jan-0001 00:00:00 +0000", -62135596800LL, 0 },
	{ "31-Dec-9999 23:59:59 +0000", 253402300799LL, 0 },
};

static const char *const dt_bad[] = {
	"",
	"17-Jul-1996",
	"17-Jul-1996 02:44:25",
	"17-Jul-1996 02:44:25 -070",
	"17-Jul-1996 02:44:25 -07000",
	"17-Jul-1996 02:44:25 0700",
	"17-Jul-1996 02:44:25  -0700",
	"17-Jul-1996 2:44:25 -0700",
	"17-Jul-96 02:44:25 -0700",
	"17 Jul 1996 02:44:25 -0700",
	"17-July-1996 02:44:25 -0700",
	"17-Jux-1996 02:44:25 -0700",
	"017-Jul-1996 02:44:25 -0700",
	"  1-Feb-1994 00:00:00 +0000",
	" 10-Feb-1994 00:00:00 +0000",
	"00-Feb-1994 00:00:00 +0000",
	"32-Jan-1994 00:00:00 +0000",
	"31-Apr-1994 00:00:00 +0000",
	"29-Feb-1900 00:00:00 +0000",
	"29-Feb-2023 00:00:00 +0000",
	"01-Jan-0000 00:00:00 +0000",
	"17-Jul-1996 24:00:00 -0700",
	"17-Jul-1996 23:60:00 -0700",
	"17-Jul-1996 23:59:61 -0700",
	"17-Jul-1996 23:59:59 +2400",
	"17-Jul-1996 23:59:59 +0060",
	"17-Jul-1996 02:44:25 -0700 ",
	" 17-Jul-1996 02:44:25 -0700",
	"17-Jul-1996T02:44:25 -0700",
	"17-Jul-1996 02-44-25 -0700",
	"+7-Jul-1996 02:44:25 -0700",
	"17-Jul-+996 02:44:25 -0700",
	"17-Jul-1996 02:44:25 --700",
	"\"17-Jul-1996 02:44:25 -0700\"",
	"17-Jul-1996 02:44:25 -07\xa0" "0",
	"1\xb7-Jul-1996 02:44:25 -0700",
};

static void
test_date_time_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dt_good) / sizeof(dt_good[0]); i++) {
		time_t t = 0;
		int zone = 12345;

		assert_int_equal(imap_date_time_parse(dt_good[i].in,
						      strlen(dt_good[i].in), &t,
						      &zone),
				 0);
		assert_int_equal((long long)t, dt_good[i].t);
		assert_int_equal(zone, dt_good[i].zone);
		/* zone_r may be NULL */
		assert_int_equal(imap_date_time_parse(dt_good[i].in,
						      strlen(dt_good[i].in), &t,
						      NULL),
				 0);
	}
}

static void
test_date_time_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dt_bad) / sizeof(dt_bad[0]); i++) {
		time_t t = 42;

		if (imap_date_time_parse(dt_bad[i], strlen(dt_bad[i]), &t,
					 NULL) != -1)
			fail_msg("accepted \"%s\"", dt_bad[i]);
		assert_int_equal((long long)t, 42);
	}
}

/* Every proper prefix of a valid date-time is refused, and the parser
 * reads nothing past len: the input is an exactly sized heap copy. */
static void
test_date_time_prefixes(void **state)
{
	const char *full = "17-Jul-1996 02:44:25 -0700";
	size_t len = strlen(full);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);
		time_t t;

		assert_non_null(copy);
		memcpy(copy, full, n);
		assert_int_equal(imap_date_time_parse(copy, n, &t, NULL),
				 n == len ? 0 : -1);
		free(copy);
	}
}

/* A NUL anywhere inside is refused (len is what counts). */
static void
test_date_time_nul(void **state)
{
	char s[] = "17-Jul-1996 02:44:25 -0700";
	size_t len = sizeof(s) - 1;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		time_t t;

		s[i] = '\0';
		assert_int_equal(imap_date_time_parse(s, len, &t, NULL), -1);
		s[i] = c;
	}
}

struct d_case {
	const char *in;
	int year, mon, mday;
	long long day;
};

static const struct d_case d_good[] = {
	{ "1-Feb-1994", 1994, 2, 1, 760060800LL },
	{ "01-Feb-1994", 1994, 2, 1, 760060800LL },
	{ "01-feb-1994", 1994, 2, 1, 760060800LL },
	{ "29-Feb-2024", 2024, 2, 29, 1709164800LL },
	{ "31-Dec-1969", 1969, 12, 31, -86400LL },
	{ "1-Jan-0001", 1, 1, 1, -62135596800LL },
	{ "31-Dec-9999", 9999, 12, 31, 253402300800LL - 86400 },
	{ "30-Apr-2026", 2026, 4, 30, 1777507200LL },
};

static const char *const d_bad[] = {
	"",	       "1",	     "1-Feb",	    "1-Feb-94",
	" 1-Feb-1994", "001-Feb-1994", "1-Feb-19944", "1-Feb-1994 ",
	"0-Feb-1994",  "31-Apr-1994", "29-Feb-2023", "1 Feb 1994",
	"1-Fe-1994",   "1-Febr-1994", "1-Feb-0000",  "\"1-Feb-1994\"",
	"1-Feb-1994 00:00:00 +0000",
};

static void
test_date(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(d_good) / sizeof(d_good[0]); i++) {
		int y, m, d;
		time_t day;

		assert_int_equal(imap_date_parse(d_good[i].in,
						 strlen(d_good[i].in), &y, &m,
						 &d, &day),
				 0);
		assert_int_equal(y, d_good[i].year);
		assert_int_equal(m, d_good[i].mon);
		assert_int_equal(d, d_good[i].mday);
		assert_int_equal((long long)day, d_good[i].day);
		assert_int_equal(imap_date_parse(d_good[i].in,
						 strlen(d_good[i].in), &y, &m,
						 &d, NULL),
				 0);
	}
	for (size_t i = 0; i < sizeof(d_bad) / sizeof(d_bad[0]); i++) {
		int y = 7, m = 7, d = 7;

		if (imap_date_parse(d_bad[i], strlen(d_bad[i]), &y, &m, &d,
				    NULL) != -1)
			fail_msg("accepted \"%s\"", d_bad[i]);
		assert_int_equal(y, 7);
	}
}

static void
test_format_zone(void **state)
{
	char out[IMAP_DATE_TIME_BYTES], d[IMAP_DATE_BYTES];
	int y, m, day;

	(void)state;
	assert_int_equal(imap_date_time_format_zone((time_t)T_1996, -420, out,
						    sizeof(out)),
			 0);
	assert_string_equal(out, "17-Jul-1996 02:44:25 -0700");
	assert_int_equal(imap_date_time_format_zone((time_t)T_1996, 330, out,
						    sizeof(out)),
			 0);
	assert_string_equal(out, "17-Jul-1996 15:14:25 +0530");
	assert_int_equal(imap_date_time_format_zone(0, 0, out, sizeof(out)),
			 0);
	assert_string_equal(out, "01-Jan-1970 00:00:00 +0000");
	assert_int_equal(imap_date_time_format_zone(-1, 0, out, sizeof(out)),
			 0);
	assert_string_equal(out, "31-Dec-1969 23:59:59 +0000");
	assert_int_equal(imap_date_time_format_zone((time_t)-90 * 60, -90, out,
						    sizeof(out)),
			 0);
	assert_string_equal(out, "31-Dec-1969 21:00:00 -0130");
	/* the zone limits: at the limit, over it */
	assert_int_equal(imap_date_time_format_zone(0, 1439, out, sizeof(out)),
			 0);
	assert_string_equal(out, "01-Jan-1970 23:59:00 +2359");
	assert_int_equal(imap_date_time_format_zone(0, 1440, out, sizeof(out)),
			 -1);
	assert_int_equal(imap_date_time_format_zone(0, -1440, out, sizeof(out)),
			 -1);
	/* buffer sizes: exact, one short */
	assert_int_equal(imap_date_time_format_zone(0, 0, out,
						    IMAP_DATE_TIME_BYTES),
			 0);
	assert_int_equal(imap_date_time_format_zone(0, 0, out,
						    IMAP_DATE_TIME_BYTES - 1),
			 -1);
	/* years out of range */
	assert_int_equal(imap_date_time_format_zone((time_t)253402300800LL, 0,
						    out, sizeof(out)),
			 -1);
	assert_int_equal(imap_date_time_format_zone((time_t)-62135596801LL, 0,
						    out, sizeof(out)),
			 -1);
	/* dates */
	assert_int_equal(imap_date_format_zone((time_t)760060800LL, 0, d,
					       sizeof(d)),
			 0);
	assert_string_equal(d, "1-Feb-1994");
	assert_int_equal(imap_date_format_zone((time_t)760060800LL, -60, d,
					       sizeof(d)),
			 0);
	assert_string_equal(d, "31-Jan-1994");
	assert_int_equal(imap_date_format_zone((time_t)T_2026, 0, d, sizeof(d)),
			 0);
	assert_string_equal(d, "23-Nov-2026");
	assert_int_equal(imap_date_format_zone((time_t)T_2026, 0, d, 12), 0);
	assert_int_equal(imap_date_format_zone((time_t)T_2026, 0, d, 11), -1);
	assert_int_equal(imap_date_day((time_t)T_2026, 600, &y, &m, &day), 0);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(day, 24);
}

static void
test_format_local_and_round_trips(void **state)
{
	char out[IMAP_DATE_TIME_BYTES];
	char *oldtz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	static const char *const zones[] = { "UTC0", "EST5EDT", "IST-5:30",
					     "NZST-12NZDT" };

	(void)state;
	setenv("TZ", "EST5EDT", 1);
	tzset();
	assert_int_equal(imap_date_time_format((time_t)T_1996, out,
					       sizeof(out)),
			 0);
	assert_string_equal(out, "17-Jul-1996 05:44:25 -0400");
	assert_int_equal(imap_date_time_format((time_t)T_2026, out,
					       sizeof(out)),
			 0);
	assert_string_equal(out, "23-Nov-2026 09:22:18 -0500");
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (long long t = -86400LL * 365 * 80; t < 4102444800LL;
		     t += 7777777) {
			time_t back;

			assert_int_equal(imap_date_time_format((time_t)t, out,
							       sizeof(out)),
					 0);
			assert_int_equal(strlen(out), 26);
			assert_int_equal(imap_date_time_parse(out, strlen(out),
							      &back, NULL),
					 0);
			assert_int_equal((long long)back, t);
		}
	}
	if (oldtz != NULL) {
		setenv("TZ", oldtz, 1);
		free(oldtz);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

/* Every day of a 400-year cycle and a few around the limits survives
 * format and parse (the calendar arithmetic both ways). */
static void
test_day_round_trips(void **state)
{
	char d[IMAP_DATE_BYTES];

	(void)state;
	for (long long day = -146097LL; day <= 146097LL; day++) {
		time_t t = (time_t)(day * 86400 + 43200), back;
		int y, m, md;

		assert_int_equal(imap_date_format_zone(t, 0, d, sizeof(d)), 0);
		assert_int_equal(imap_date_parse(d, strlen(d), &y, &m, &md,
						 &back),
				 0);
		assert_int_equal((long long)back, day * 86400);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_time_good),
		cmocka_unit_test(test_date_time_bad),
		cmocka_unit_test(test_date_time_prefixes),
		cmocka_unit_test(test_date_time_nul),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_format_zone),
		cmocka_unit_test(test_format_local_and_round_trips),
		cmocka_unit_test(test_day_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
