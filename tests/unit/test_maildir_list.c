/*
 * test_maildir_list.c -- lib/maildir_list.c: name parsing (S=, W=, flags,
 * bad and overflowing numbers, fields after ':' ignored), listing new/
 * and cur/ (dot files and directories skipped, sorted by base name, a
 * message in both new/ and cur/ listed once from cur/, missing cur/ an
 * error), paths, and the size fallbacks (stat for S=, reading for W=,
 * CRLF files, a missing last LF, empty files, a vanished file).
 */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_list.h"

struct fixture {
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[128];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_maildir_list.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/new", f->dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/cur", f->dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/tmp", f->dir);
	mkdir(p, 0700);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
put(const char *dir, const char *sub, const char *name, const void *data,
    size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
test_parse_name(void **state)
{
	static const struct {
		const char *name;
		size_t base_len;
		int has_size, has_vsize;
		uint64_t size, vsize;
		const char *flags;
	} cases[] = {
		{ "1.M2P3.h,S=10,W=12", 8, 1, 1, 10, 12, "" },
		{ "1.M2P3.h,S=10,W=12:2,FS", 8, 1, 1, 10, 12, "FS" },
		{ "1.M2P3.h,W=12,S=10:2,", 8, 1, 1, 10, 12, "" },
		{ "1.M2P3.h:2,S", 8, 0, 0, 0, 0, "S" },
		{ "1.M2P3.h", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h:1,x", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=x1", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=1x", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=-1", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=1099511627776", 8, 1, 0, 1099511627776ULL, 0,
		  "" },
		{ "1.M2P3.h,S=1099511627777", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=18446744073709551615", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=18446744073709551616", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,S=99999999999999999999999", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,X=5,S=7", 8, 1, 0, 7, 0, "" },
		{ "1.M2P3.h,S", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h:2,S,W=9", 8, 0, 0, 0, 0, "S,W=9" },
		{ "1.M2P3.h,S=1x,W=4", 8, 0, 1, 0, 4, "" },
		{ "1.M2P3.h,S=1,S=2", 8, 1, 0, 2, 0, "" },
		{ "1.M2P3.h,S=1,S=x", 8, 1, 0, 1, 0, "" },
		{ "1.M2P3.h,,S=3:2,F", 8, 1, 0, 3, 0, "F" },
		{ "1.M2P3.h,XS=3,W=4", 8, 0, 1, 0, 4, "" },
		{ "1.M2P3.h,W=", 8, 0, 0, 0, 0, "" },
		{ "1.M2P3.h,W=5:", 8, 0, 1, 0, 5, "" },
		{ "1.M2P3.h:1,x,S=5", 8, 0, 0, 0, 0, "" },
		{ "", 0, 0, 0, 0, 0, "" },
	};
	struct maildir_msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&m, 0x5a, sizeof(m));
		maildir_list_parse_name(cases[i].name, &m);
		if (m.base_len != cases[i].base_len ||
		    m.has_size != (bool)cases[i].has_size ||
		    m.has_vsize != (bool)cases[i].has_vsize ||
		    (m.has_size && m.size != cases[i].size) ||
		    (m.has_vsize && m.vsize != cases[i].vsize) ||
		    strcmp(m.flags, cases[i].flags) != 0)
			fail_msg("case %zu: '%s'", i, cases[i].name);
		assert_ptr_equal(m.name, cases[i].name);
	}
}

/* The base name ends at the first ':' or ',' wherever it is (the scan
 * takes eight bytes at a time, then the rest one by one). */
static void
test_parse_base_positions(void **state)
{
	char name[32];
	struct maildir_msg m;
	size_t len, pos;
	int sep;

	(void)state;
	for (len = 1; len <= 24; len++) {
		memset(name, 'a', len);
		name[len] = '\0';
		maildir_list_parse_name(name, &m);
		assert_int_equal(m.base_len, len);
		for (pos = 0; pos < len; pos++) {
			for (sep = 0; sep < 2; sep++) {
				memset(name, 'a', len);
				name[len] = '\0';
				name[pos] = sep ? ':' : ',';
				/* a later separator does not matter */
				if (pos + 2 < len)
					name[pos + 2] = sep ? ',' : ':';
				maildir_list_parse_name(name, &m);
				if (m.base_len != pos)
					fail_msg("len %zu pos %zu '%c'", len,
						 pos, name[pos]);
			}
		}
	}
}

static void
test_list(void **state)
{
	struct fixture *f = *state;
	struct maildir_list l;
	const char *error = NULL;
	char p[256], q[256];

	put(f->dir, "new", "300.M1P1.h,S=3,W=4", "ab\n", 3);
	put(f->dir, "new", "100.M1P1.h,S=3,W=4", "ab\n", 3);
	put(f->dir, "cur", "200.M1P1.h,S=3,W=4:2,S", "ab\n", 3);
	put(f->dir, "new", ".hidden", "x", 1);
	put(f->dir, "tmp", "400.M1P1.h", "x", 1);
	/* the same message in new/ and cur/ (moved while listing) */
	put(f->dir, "new", "250.M1P1.h,S=3,W=4", "ab\n", 3);
	put(f->dir, "cur", "250.M1P1.h,S=3,W=4:2,RS", "ab\n", 3);
	snprintf(p, sizeof(p), "%s/cur/subdir", f->dir);
	assert_int_equal(mkdir(p, 0700), 0);

	assert_int_equal(maildir_list_read(&l, f->dir, &error), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.msgs[0].name, "100.M1P1.h,S=3,W=4");
	assert_false(l.msgs[0].in_cur);
	assert_string_equal(l.msgs[1].name, "200.M1P1.h,S=3,W=4:2,S");
	assert_true(l.msgs[1].in_cur);
	assert_string_equal(l.msgs[1].flags, "S");
	assert_string_equal(l.msgs[2].name, "250.M1P1.h,S=3,W=4:2,RS");
	assert_true(l.msgs[2].in_cur);
	assert_string_equal(l.msgs[3].name, "300.M1P1.h,S=3,W=4");
	assert_int_equal(l.msgs[3].vsize, 4);
	assert_int_equal(l.msgs[3].uid, 0);
	assert_false(l.msgs[3].mark);
	assert_int_equal(maildir_list_path(f->dir, &l.msgs[1], p, sizeof(p)),
			 0);
	assert_int_equal(access(p, R_OK), 0);
	assert_int_equal(maildir_list_path(f->dir, &l.msgs[1], p, 10), -1);
	maildir_list_free(&l);
	maildir_list_free(&l); /* twice is harmless */

	/* new/ alone: cur/ is not read */
	assert_int_equal(maildir_list_read_new(&l, f->dir, &error), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.msgs[0].name, "100.M1P1.h,S=3,W=4");
	assert_string_equal(l.msgs[1].name, "250.M1P1.h,S=3,W=4");
	assert_string_equal(l.msgs[2].name, "300.M1P1.h,S=3,W=4");
	assert_false(l.msgs[0].in_cur || l.msgs[1].in_cur || l.msgs[2].in_cur);
	maildir_list_free(&l);
	snprintf(p, sizeof(p), "%s/cur/subdir", f->dir);
	assert_int_equal(rmdir(p), 0);
	snprintf(p, sizeof(p), "%s/new/.hidden", f->dir);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/new", f->dir);
	snprintf(q, sizeof(q), "%s/new.gone", f->dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(maildir_list_read_new(&l, f->dir, &error), -1);
	assert_null(l.msgs);
	assert_int_equal(rename(q, p), 0);
}

static void
test_list_empty_and_missing(void **state)
{
	struct fixture *f = *state;
	struct maildir_list l;
	const char *error = NULL;
	char p[128];

	assert_int_equal(maildir_list_read(&l, f->dir, &error), 0);
	assert_int_equal(l.n, 0);
	maildir_list_free(&l);
	snprintf(p, sizeof(p), "%s/cur", f->dir);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(maildir_list_read(&l, f->dir, &error), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(error);
	assert_null(l.msgs);
}

static void
test_fill_sizes(void **state)
{
	struct fixture *f = *state;
	struct maildir_list l;
	const char *error = NULL;
	size_t i;

	/* no S=/W=: LF file, CRLF file, mixed, no final LF, empty */
	put(f->dir, "new", "1.a", "a\nbb\n", 5);
	put(f->dir, "new", "2.b", "a\r\nbb\r\n", 7);
	put(f->dir, "new", "3.c", "a\r\nb\n\r", 6);
	put(f->dir, "cur", "4.d:2,", "abc", 3);
	put(f->dir, "cur", "5.e:2,S", "", 0);
	/* W= present, S= missing: stat only */
	put(f->dir, "new", "6.f,W=99", "abcd", 4);
	/* both present: the file is not even opened (it lies) */
	put(f->dir, "new", "7.g,S=1,W=2", "0123456789", 10);
	assert_int_equal(maildir_list_read(&l, f->dir, &error), 0);
	assert_int_equal(l.n, 7);
	for (i = 0; i < l.n; i++)
		assert_int_equal(
			maildir_list_fill_sizes(f->dir, &l.msgs[i], &error), 0);
	assert_int_equal(l.msgs[0].size, 5);
	assert_int_equal(l.msgs[0].vsize, 7);
	assert_int_equal(l.msgs[1].size, 7);
	assert_int_equal(l.msgs[1].vsize, 7);
	assert_int_equal(l.msgs[2].size, 6);
	assert_int_equal(l.msgs[2].vsize, 6 + 1 + 2); /* bare LF + CRLF added */
	assert_int_equal(l.msgs[3].vsize, 5);
	assert_int_equal(l.msgs[4].size, 0);
	assert_int_equal(l.msgs[4].vsize, 0);
	assert_int_equal(l.msgs[5].size, 4);
	assert_int_equal(l.msgs[5].vsize, 99);
	assert_int_equal(l.msgs[6].size, 1);
	assert_int_equal(l.msgs[6].vsize, 2);
	maildir_list_free(&l);
}

static void
test_fill_vanished(void **state)
{
	struct fixture *f = *state;
	struct maildir_list l;
	const char *error = NULL;
	char p[128];

	put(f->dir, "new", "1.a", "x\n", 2);
	assert_int_equal(maildir_list_read(&l, f->dir, &error), 0);
	snprintf(p, sizeof(p), "%s/new/1.a", f->dir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(maildir_list_fill_sizes(f->dir, &l.msgs[0], &error),
			 -1);
	assert_int_equal(errno, ENOENT);
	maildir_list_free(&l);
}

static void
test_many(void **state)
{
	struct fixture *f = *state;
	struct maildir_list l;
	const char *error = NULL;
	enum { N = 2000 };
	char name[64];
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "%zu.M1P1.h,S=2,W=3",
			 100000 + (i * 7919) % N);
		put(f->dir, i % 2 ? "new" : "cur", name, "x\n", 2);
	}
	assert_int_equal(maildir_list_read(&l, f->dir, &error), 0);
	assert_int_equal(l.n, N);
	for (i = 1; i < N; i++)
		assert_true(strcmp(l.msgs[i - 1].name, l.msgs[i].name) < 0);
	maildir_list_free(&l);
}

/* Reference order of base names: memcmp, then the shorter first. */
static int
ref_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t xl = strcspn(x, ":,"), yl = strcspn(y, ":,");
	int c = memcmp(x, y, xl < yl ? xl : yl);

	if (c != 0)
		return c;
	return xl < yl ? -1 : xl > yl;
}

/*
 * The sort keys (16 bytes after the prefix common to all names): names
 * equal beyond the key, names that are prefixes of others, 8-bit bytes,
 * long common prefixes, and the same base in new/ and cur/ with equal
 * keys. The order must be the reference order and the cur/ copy kept.
 */
static void
test_sort_keys(void **state)
{
	struct fixture *f = *state;
	struct maildir_list l;
	const char *error = NULL;
	static const char *const tails[] = {
		"a",
		"b",
		"ab",
		"aa",
		"a\xff",
		"\xff",
		"\x01",
		"a\x01",
		"0123456789abcdef",
		"0123456789abcdeg",
		"0123456789abcdefX",
		"0123456789abcdef0123456789",
		"0123456789abcdef0123456789a",
		"0123456789abcdef0123456788",
		"0123456789abcdef",
		"zz",
	};
	static const char *const prefixes[] = { "", "1795400000.M", "P" };
	enum { NT = sizeof(tails) / sizeof(tails[0]) };
	char *want[NT];
	bool twice[NT];
	char name[160], sub[64];
	size_t i, j, nw, k;
	unsigned seed = 12345;

	for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		/* each prefix in a folder of its own: the common prefix
		 * (left out of the keys) differs */
		assert_int_equal(teardown(state), 0);
		assert_int_equal(setup(state), 0);
		f = *state;
		nw = 0;
		for (i = 0; i < NT; i++) {
			bool dup = false;

			snprintf(sub, sizeof(sub), "%s%s", prefixes[k],
				 tails[i]);
			for (j = 0; j < nw; j++)
				dup |= strcmp(want[j], sub) == 0;
			if (dup)
				continue;
			want[nw] = strdup(sub);
			assert_non_null(want[nw]);
			seed = seed * 1103515245 + 12345;
			/* some in both new/ and cur/: the cur/ copy wins */
			twice[nw] = (seed >> 16) % 3 == 0;
			snprintf(name, sizeof(name), "%s,S=2,W=3%s", sub,
				 twice[nw] || (seed >> 18 & 1) ? ":2,S" : "");
			put(f->dir,
			    twice[nw] || (seed >> 18 & 1) ? "cur" : "new", name,
			    "x\n", 2);
			if (twice[nw])
				put(f->dir, "new", sub, "x\n", 2);
			nw++;
		}
		assert_int_equal(maildir_list_read(&l, f->dir, &error), 0);
		assert_int_equal(l.n, nw);
		for (i = 0; i < nw; i++) {
			const char *colon;

			/* the right base name at the right place */
			for (j = 0; j < nw; j++)
				if (strlen(want[j]) == l.msgs[i].base_len &&
				    memcmp(want[j], l.msgs[i].name,
					   l.msgs[i].base_len) == 0)
					break;
			assert_true(j < nw);
			if (twice[j])
				assert_true(l.msgs[i].in_cur);
			if (i > 0)
				assert_true(ref_cmp(&l.msgs[i - 1].name,
						    &l.msgs[i].name) < 0);
			/* the fields parsed while listing */
			assert_true(l.msgs[i].has_size);
			assert_true(l.msgs[i].has_vsize);
			assert_int_equal(l.msgs[i].size, 2);
			assert_int_equal(l.msgs[i].vsize, 3);
			colon = strstr(l.msgs[i].name, ":2,");
			assert_string_equal(l.msgs[i].flags,
					    colon != NULL ? colon + 3 : "");
			if (colon != NULL)
				assert_ptr_equal(l.msgs[i].flags, colon + 3);
		}
		maildir_list_free(&l);
		for (i = 0; i < nw; i++)
			free(want[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test(test_parse_base_positions),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_empty_and_missing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fill_vanished, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_keys, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
