/*
 * test_imap_seqset.c -- lib/imap_seqset.c: sequence sets with "*",
 * reversed ranges, the uint32 limit and one past it (4294967296), every
 * malformed form, resolution against a message count or largest UID
 * (including an empty mailbox), merging, membership, counting, iteration
 * up to 4294967295 without wrapping, and parse/format round trips.
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
#include "imap_seqset.h"

struct scase {
	const char *in;
	const char *formatted; /* format(parse(in)) */
	uint32_t star;	       /* resolve with this */
	const char *resolved;  /* format after resolve ("" if empty) */
	uint64_t count;
};

static const struct scase good[] = {
	{ "1", "1", 10, "1", 1 },
	{ "1:*", "1:*", 10, "1:10", 10 },
	{ "*", "*", 10, "10", 1 },
	{ "*:4", "*:4", 10, "4:10", 7 },
	{ "7:5", "7:5", 10, "5:7", 3 },
	{ "5:5", "5", 10, "5", 1 },
	{ "3,5:7,9:*", "3,5:7,9:*", 12, "3,5:7,9:12", 8 },
	{ "200:*", "200:*", 100, "100:200", 101 },
	{ "*", "*", 0, "", 0 },
	{ "5:*", "5:*", 0, "1:5", 5 },
	{ "1:5,3:9,10,20:15", "1:5,3:9,10,20:15", 1, "1:10,15:20", 16 },
	{ "4294967295", "4294967295", 1, "4294967295", 1 },
	{ "1:4294967295", "1:4294967295", 7, "1:4294967295", 4294967295u },
	{ "4294967294,4294967295,1", "4294967294,4294967295,1", 1,
	  "1,4294967294:4294967295", 3 },
	{ "2,1,3", "2,1,3", 1, "1:3", 3 },
	{ "9,7,5,3,1", "9,7,5,3,1", 1, "1,3,5,7,9", 5 },
	{ "1:*,*:1", "1:*,*:1", 4294967295u, "1:4294967295", 4294967295u },
};

static const char *const bad[] = {
	"",
	"0",
	"01",
	"1:0",
	"0:1",
	"1:",
	":1",
	"1,",
	",1",
	"1,,2",
	"1 2",
	" 1",
	"1 ",
	"4294967296",
	"99999999999",
	"1:4294967296",
	"a",
	"1::2",
	"*:*:1",
	"$",
	"-1",
	"+1",
	"1:*x",
	"**",
	"1.5",
	"1:-2",
	"18446744073709551617",
};

static char *
fmt(const struct imap_seqset *set)
{
	struct buf b;

	buf_init(&b, 0);
	if (set->n == 0)
		return strdup("");
	assert_int_equal(imap_seqset_format(set, &b), 0);
	return b.data;
}

static void
test_good(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct scase *c = &good[i];
		struct imap_seqset set, again;
		const char *error = NULL;
		char *s;

		if (imap_seqset_parse(c->in, strlen(c->in), &set, &error) < 0)
			fail_msg("%s refused: %s", c->in, error);
		assert_false(set.resolved);
		s = fmt(&set);
		assert_string_equal(s, c->formatted);
		/* the formatted form parses back to the same ranges */
		assert_int_equal(
			imap_seqset_parse(s, strlen(s), &again, &error), 0);
		assert_int_equal(again.n, set.n);
		assert_memory_equal(again.ranges, set.ranges,
				    set.n * sizeof(*set.ranges));
		imap_seqset_free(&again);
		free(s);

		imap_seqset_resolve(&set, c->star);
		assert_true(set.resolved);
		s = fmt(&set);
		if (strcmp(s, c->resolved) != 0)
			fail_msg("%s star %u: got %s want %s", c->in,
				 (unsigned)c->star, s, c->resolved);
		free(s);
		assert_true(imap_seqset_count(&set) == c->count);
		/* resolving again changes nothing */
		imap_seqset_resolve(&set, c->star + 1);
		s = fmt(&set);
		assert_string_equal(s, c->resolved);
		free(s);
		imap_seqset_free(&set);
		assert_null(set.ranges);
	}
}

static void
test_bad(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct imap_seqset set;
		const char *error = NULL;

		if (imap_seqset_parse(bad[i], strlen(bad[i]), &set, &error) ==
		    0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(error);
		imap_seqset_free(&set);
	}
	/* not NUL-terminated: the length is what counts */
	{
		struct imap_seqset set;
		const char *error;

		assert_int_equal(imap_seqset_parse("12", 1, &set, &error), 0);
		assert_int_equal(set.n, 1);
		assert_int_equal(set.ranges[0].lo, 1);
		imap_seqset_free(&set);
		assert_int_equal(imap_seqset_parse("1\0", 2, &set, &error), -1);
		imap_seqset_free(&set);
	}
}

static void
test_membership(void **state)
{
	struct imap_seqset set;
	const char *error;
	uint32_t n;

	assert_int_equal(imap_seqset_parse("3,5:7,9:*", 9, &set, &error), 0);
	/* unresolved: no answers */
	assert_false(imap_seqset_contains(&set, 3));
	assert_true(imap_seqset_count(&set) == 0);
	assert_int_equal(imap_seqset_max(&set), 0);
	imap_seqset_resolve(&set, 12);
	for (n = 0; n <= 14; n++) {
		bool want = n == 3 || (n >= 5 && n <= 7) || (n >= 9 && n <= 12);

		assert_int_equal(imap_seqset_contains(&set, n), want);
	}
	assert_false(imap_seqset_contains(&set, UINT32_MAX));
	assert_int_equal(imap_seqset_max(&set), 12);
	imap_seqset_free(&set);

	/* the top of the range */
	assert_int_equal(imap_seqset_parse("4294967295", 10, &set, &error), 0);
	imap_seqset_resolve(&set, 1);
	assert_true(imap_seqset_contains(&set, UINT32_MAX));
	assert_false(imap_seqset_contains(&set, UINT32_MAX - 1));
	assert_int_equal(imap_seqset_max(&set), UINT32_MAX);
	imap_seqset_free(&set);
}

static void
test_iterate(void **state)
{
	static const uint32_t want[] = {
		1, 3, 4, 4294967293u, 4294967294u, 4294967295u
	};
	struct imap_seqset set, empty = IMAP_SEQSET_INIT;
	struct imap_seqset_iter it;
	const char *error;
	uint32_t n;
	size_t i = 0;

	assert_int_equal(
		imap_seqset_parse("4:3,*:4294967293,1", 18, &set, &error), 0);
	imap_seqset_iter_init(&it, &set);
	assert_false(imap_seqset_iter_next(&it, &n)); /* unresolved */
	imap_seqset_resolve(&set, UINT32_MAX);
	imap_seqset_iter_init(&it, &set);
	while (imap_seqset_iter_next(&it, &n)) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_int_equal(n, want[i]);
		i++;
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
	assert_false(imap_seqset_iter_next(&it, &n));
	imap_seqset_free(&set);

	imap_seqset_resolve(&empty, 5);
	imap_seqset_iter_init(&it, &empty);
	assert_false(imap_seqset_iter_next(&it, &n));
	assert_true(imap_seqset_count(&empty) == 0);
	imap_seqset_free(&empty);
}

static void
test_build_and_format(void **state)
{
	struct imap_seqset set = IMAP_SEQSET_INIT;
	struct buf b;
	uint32_t u;

	buf_init(&b, 0);
	assert_int_equal(imap_seqset_format(&set, &b), -1);
	for (u = 1; u <= 1000; u += (u % 3 == 0) ? 2 : 1)
		assert_int_equal(imap_seqset_add(&set, u, u), 0);
	assert_int_equal(imap_seqset_add(&set, 2000, IMAP_SEQ_STAR), 0);
	imap_seqset_resolve(&set, 1500);
	assert_int_equal(imap_seqset_format(&set, &b), 0);
	assert_true(strncmp(b.data, "1:3,5:6,8:9,", 12) == 0);
	assert_true(strlen(b.data) > 12 &&
		    strcmp(b.data + strlen(b.data) - 9, "1500:2000") == 0);
	buf_free(&b);
	imap_seqset_free(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_membership),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_build_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
