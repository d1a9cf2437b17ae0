/*
 * test_retry.c -- the retry schedule (lib/retry.c): backoff doubling, the
 * cap, degenerate configurations, expiry at limit-1/limit/limit+1, the
 * last attempt clamped to the end of the lifetime, no overflow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>

#include "retry.h"

static void
test_delay_table(void **state)
{
	static const struct {
		unsigned long min, max;
		unsigned failures;
		unsigned long want;
	} t[] = {
		{ 300, 14400, 0, 300 },         /* 0 counts as 1 */
		{ 300, 14400, 1, 300 },
		{ 300, 14400, 2, 600 },
		{ 300, 14400, 3, 1200 },
		{ 300, 14400, 6, 9600 },
		{ 300, 14400, 7, 14400 },       /* 19200 capped */
		{ 300, 14400, 8, 14400 },
		{ 300, 14400, 1000, 14400 },
		{ 300, 14400, UINT_MAX, 14400 },
		{ 0, 0, 1, 1 },                 /* 0 means as small as possible */
		{ 0, 0, 50, 1 },
		{ 0, 8, 4, 8 },
		{ 0, 8, 5, 8 },
		{ 1, 8, 3, 4 },
		{ 1, 8, 4, 8 },                 /* limit */
		{ 1, 7, 4, 7 },                 /* limit-1: cap, not 8 */
		{ 1, 9, 4, 8 },                 /* limit+1: not capped */
		{ 600, 60, 1, 600 },            /* max below min: min wins */
		{ 600, 60, 5, 600 },
		{ ULONG_MAX, ULONG_MAX, 3, RETRY_DELAY_MAX_SECS },
		{ 1, ULONG_MAX, UINT_MAX, RETRY_DELAY_MAX_SECS },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct retry_policy p = { t[i].min, t[i].max, 86400 };
		unsigned long got = retry_delay(&p, t[i].failures);
		if (got != t[i].want)
			fail_msg("case %zu: min %lu max %lu failures %u: got %lu want %lu",
				 i, t[i].min, t[i].max, t[i].failures, got, t[i].want);
	}
}

static void
test_expired(void **state)
{
	struct retry_policy p = { 300, 14400, 5 * 86400 };
	const time_t a = 1700000000;

	(void)state;
	assert_false(retry_expired(&p, a, a));
	assert_false(retry_expired(&p, a, a + 5 * 86400 - 1));
	assert_true(retry_expired(&p, a, a + 5 * 86400));
	assert_true(retry_expired(&p, a, a + 5 * 86400 + 1));
	/* A clock that went backwards is not an expiry. */
	assert_false(retry_expired(&p, a, a - 100));
	/* Lifetime 0: everything is expired at once. */
	p.lifetime = 0;
	assert_true(retry_expired(&p, a, a));
	assert_true(retry_expired(&p, a, a - 1));
	p.lifetime = ULONG_MAX;
	assert_false(retry_expired(&p, a, (time_t)LLONG_MAX));
}

static void
test_next_schedule(void **state)
{
	/* The documented default schedule: 0, 5m, 15m, 35m, 1h15m, 2h35m,
	 * 5h15m, then every 4h, the last attempt exactly at 5d. */
	struct retry_policy p = { 300, 14400, 5 * 86400 };
	const time_t a = 1700000000;
	static const long want[] = { 300, 900, 2100, 4500, 9300, 18900,
				     18900 + 14400, 18900 + 2 * 14400 };
	time_t last = a;

	(void)state;
	for (unsigned f = 1; f <= sizeof(want) / sizeof(want[0]); f++) {
		last = retry_next(&p, a, last, f);
		assert_int_equal((long)(last - a), want[f - 1]);
	}
	/* Keep going: never beyond the lifetime, and reaching it. */
	for (unsigned f = 9; f < 100 && !retry_expired(&p, a, last); f++) {
		time_t n = retry_next(&p, a, last, f);
		assert_true(n > last);
		assert_true(n <= a + 5 * 86400);
		last = n;
	}
	assert_int_equal((long)(last - a), 5 * 86400);
}

static void
test_next_clamped(void **state)
{
	struct retry_policy p = { 1, 1, 3 };
	const time_t a = 1000;

	(void)state;
	/* A few seconds of lifetime, as in the system tests. */
	assert_int_equal(retry_next(&p, a, a, 1), a + 1);
	assert_int_equal(retry_next(&p, a, a + 2, 2), a + 3);
	/* At or past the expiry: at least one second later, no busy loop. */
	assert_int_equal(retry_next(&p, a, a + 3, 3), a + 4);
	assert_int_equal(retry_next(&p, a, a + 10, 9), a + 11);
	/* Clamp to the end of the lifetime (limit-1, limit, limit+1). */
	p = (struct retry_policy){ 100, 100, 1000 };
	assert_int_equal(retry_next(&p, a, a + 899, 1), a + 999);
	assert_int_equal(retry_next(&p, a, a + 900, 1), a + 1000);
	assert_int_equal(retry_next(&p, a, a + 901, 1), a + 1000);
	/* Huge settings do not overflow. */
	p = (struct retry_policy){ ULONG_MAX, ULONG_MAX, ULONG_MAX };
	time_t n = retry_next(&p, a, a, UINT_MAX);
	assert_int_equal((long long)(n - a), (long long)RETRY_DELAY_MAX_SECS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_table),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_next_schedule),
		cmocka_unit_test(test_next_clamped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
