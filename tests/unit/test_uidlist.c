/*
 * test_uidlist.c -- lib/uidlist.c, the per-folder UID list shared by
 * quail-pop3d and quail-imapd: parsing (good files, every kind of damage,
 * a partial last line, number limits), base names, first sync, stable
 * UIDs across syncs and new deliveries, flag changes keeping UIDs,
 * appends without a rewrite, compaction keeping uidnext, no UID reuse,
 * rebuilding a damaged file with a new UIDVALIDITY, and the link(2)
 * dotlock: stale by age, stale by dead pid, waiting for a live holder,
 * never removing a lock that is not ours; adding names without the
 * folder (uidlist_add_names) and reading only appended lines.
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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uidlist.h"

struct fixture {
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_uidlist.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
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
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *
read_file(const char *dir, const char *name)
{
	static char data[1 << 20];
	char path[256];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	n = fread(data, 1, sizeof(data) - 1, fp);
	data[n] = '\0';
	fclose(fp);
	return data;
}

/* ---- parsing -------------------------------------------------------- */

static void
test_parse_good(void **state)
{
	struct uidlist ul;
	const char *error = NULL;
	static const char text[] = "V1 1700000000 10\n1 a.M1P1.host\n5 b\n9 "
				   "c\n";

	(void)state;
	assert_int_equal(uidlist_init(&ul, "/nonexistent", &error), 0);
	assert_int_equal(uidlist_parse(&ul, text, strlen(text), &error), 0);
	assert_int_equal(ul.uidvalidity, 1700000000u);
	assert_int_equal(ul.uidnext, 10);
	assert_int_equal(ul.n, 3);
	assert_int_equal(uidlist_lookup(&ul, "a.M1P1.host", 11), 1);
	assert_int_equal(uidlist_lookup(&ul, "b", 1), 5);
	assert_int_equal(uidlist_lookup(&ul, "c", 1), 9);
	assert_int_equal(uidlist_lookup(&ul, "d", 1), 0);
	assert_int_equal(uidlist_lookup(&ul, "a.M1P1.hos", 10), 0);
	/* entries beyond the header's uidnext raise it (appends) */
	assert_int_equal(uidlist_parse(&ul, "V1 5 2\n7 x\n", 11, &error), 0);
	assert_int_equal(ul.uidnext, 8);
	/* a partial last line is an append in progress: ignored */
	assert_int_equal(uidlist_parse(&ul, "V1 5 2\n7 x\n8 y", 14, &error), 0);
	assert_int_equal(ul.n, 1);
	assert_int_equal(uidlist_lookup(&ul, "y", 1), 0);
	/* limits */
	assert_int_equal(uidlist_parse(&ul, "V1 4294967295 4294967295\n", 25,
				       &error),
			 0);
	assert_int_equal(
		uidlist_parse(&ul, "V1 1 1\n4294967294 z\n", 20, &error), 0);
	assert_int_equal(ul.uidnext, 4294967295u);
	uidlist_free(&ul);
}

static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"V1 1 1",
		"V2 1 1\n",
		"V1 1\n",
		"V1 0 1\n",
		"V1 1 0\n",
		"V1 01 1\n",
		"V1 1 1 \n",
		"V1 -1 1\n",
		"V1 4294967296 1\n",
		"V1 1 1\n1\n",
		"V1 1 1\nx a\n",
		"V1 1 1\n0 a\n",
		"V1 1 1\n2 a\n2 b\n",
		"V1 1 1\n3 a\n2 b\n",
		"V1 1 1\n1 a\n2 a\n",
		"V1 1 1\n1 .a\n",
		"V1 1 1\n1 a/b\n",
		"V1 1 1\n1 a b\n",
		"V1 1 1\n1 a:2,S\n",
		"V1 1 1\n1 a,S=1\n",
		"V1 1 1\n1 \n",
		"V1 1 1\n1 a\tb\n",
		"V1 1 1\n4294967295 a\n",
		"V1 1 1\n01 a\n",
		"V1 1 1\n\n",
	};
	struct uidlist ul;
	const char *error;
	size_t i;

	(void)state;
	assert_int_equal(uidlist_init(&ul, "/nonexistent", &error), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		errno = 0;
		if (uidlist_parse(&ul, bad[i], strlen(bad[i]), &error) != -1)
			fail_msg("accepted: '%s'", bad[i]);
		assert_int_equal(errno, EINVAL);
		assert_non_null(error);
	}
	/* a NUL inside a name */
	assert_int_equal(uidlist_parse(&ul, "V1 1 1\n1 a\0b\n", 13, &error),
			 -1);
	uidlist_free(&ul);
}

static void
test_base(void **state)
{
	char longname[UIDLIST_NAME_MAX_BYTES + 2];

	(void)state;
	assert_int_equal(uidlist_base_len("1.M2P3.h,S=10,W=12:2,S"), 8);
	assert_int_equal(uidlist_base_len("1.M2P3.h:2,"), 8);
	assert_int_equal(uidlist_base_len("plain"), 5);
	assert_true(uidlist_valid_base("1.M2P3.h", 8));
	assert_true(uidlist_valid_base("\xc3\xa9", 2));
	assert_false(uidlist_valid_base("", 0));
	assert_false(uidlist_valid_base(".x", 2));
	assert_false(uidlist_valid_base("a b", 3));
	memset(longname, 'n', sizeof(longname));
	assert_true(uidlist_valid_base(longname, UIDLIST_NAME_MAX_BYTES));
	assert_false(uidlist_valid_base(longname, UIDLIST_NAME_MAX_BYTES + 1));
}

/*
 * Lists out of name order (appends of names sorting before older ones):
 * the hash takes over from the binary search. Lookups, duplicates and
 * adding below the last name, for both states.
 */
static void
test_parse_unsorted(void **state)
{
	static const struct {
		const char *text;
		bool sorted;
	} good[] = {
		{ "V1 5 9\n1 a\n2 b\n3 c\n", true },
		{ "V1 5 9\n1 b\n2 a\n3 c\n", false },
		{ "V1 5 9\n1 a\n2 c\n3 b\n", false },
		{ "V1 5 9\n1 ab\n2 a\n3 c\n", false },
		{ "V1 5 9\n1 a\n2 ab\n3 b\n", true },
		{ "V1 5 9\n1 \xff\n2 a\n3 c\n", false },
		{ "V1 5 9\n1 a\n2 b\n3 \xff\n", true },
	};
	static const char *const dups[] = {
		"V1 5 9\n1 a\n2 a\n",
		"V1 5 9\n1 b\n2 a\n3 b\n",
		"V1 5 9\n1 a\n2 c\n3 b\n4 c\n",
		"V1 5 9\n1 c\n2 a\n3 b\n4 a\n",
	};
	struct uidlist ul;
	const char *error = NULL;
	size_t i, j;

	(void)state;
	assert_int_equal(uidlist_init(&ul, "/nonexistent", &error), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(uidlist_parse(&ul, good[i].text,
					       strlen(good[i].text), &error),
				 0);
		assert_int_equal(ul.n, 3);
		assert_int_equal(ul.sorted, good[i].sorted);
		assert_int_equal(ul.hash_cap == 0, good[i].sorted);
		for (j = 0; j < ul.n; j++) {
			const char *name =
				ul.names.data + ul.entries[j].name_off;

			assert_int_equal(strlen(name), ul.entries[j].name_len);
			assert_int_equal(
				uidlist_lookup(&ul, name, strlen(name)), j + 1);
		}
		assert_int_equal(uidlist_lookup(&ul, "aa", 2), 0);
		assert_int_equal(uidlist_lookup(&ul, "", 0), 0);
		assert_int_equal(uidlist_lookup(&ul, "d", 1), 0);
	}
	for (i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		errno = 0;
		error = NULL;
		if (uidlist_parse(&ul, dups[i], strlen(dups[i]), &error) != -1)
			fail_msg("accepted: '%s'", dups[i]);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(error, "uid list: duplicate name");
	}
	uidlist_free(&ul);
}

/* Syncing names that sort before the list's last name: the list leaves
 * the sorted state; everything is still found, in memory and on disk. */
static void
test_sync_out_of_order(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul, ul2;
	const char *error = NULL;
	const char *names1[] = { "200.a", "300.a", "400.a:2,S" };
	const char *names2[] = { "100.a", "200.a",     "250.a,S=1",
				 "300.a", "400.a:2,S", "500.a" };
	const char *names3[] = { "050.a", "100.a", "500.a" };
	uint32_t uids[6];

	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names1, 3, uids, &error), 0);
	assert_true(ul.sorted);
	assert_int_equal(uidlist_sync(&ul, names2, 6, uids, &error), 0);
	assert_int_equal(uids[0], 4);
	assert_int_equal(uids[1], 1);
	assert_int_equal(uids[2], 5);
	assert_int_equal(uids[3], 2);
	assert_int_equal(uids[4], 3);
	assert_int_equal(uids[5], 6);
	assert_false(ul.sorted);
	/* read back by another reader: the file is in UID order only */
	assert_int_equal(uidlist_init(&ul2, f->dir, &error), 0);
	assert_int_equal(uidlist_read(&ul2, &error), 0);
	assert_false(ul2.sorted);
	assert_int_equal(ul2.n, 6);
	assert_int_equal(uidlist_lookup(&ul2, "100.a", 5), 4);
	assert_int_equal(uidlist_lookup(&ul2, "250.a", 5), 5);
	assert_int_equal(uidlist_lookup(&ul2, "500.a", 5), 6);
	assert_int_equal(uidlist_lookup(&ul2, "400.a", 5), 3);
	/* the hash grows with adds (one more name, and lookups still work) */
	assert_int_equal(uidlist_sync(&ul2, names3, 3, uids, &error), 0);
	assert_int_equal(uids[0], 7);
	assert_int_equal(uids[1], 4);
	assert_int_equal(uids[2], 6);
	assert_int_equal(uidlist_lookup(&ul2, "200.a", 5), 1);
	uidlist_free(&ul);
	uidlist_free(&ul2);
}

/* Every byte value at every position of names 1..20 bytes long (the
 * 8-byte word test and the byte tail). */
static void
test_valid_base_bytes(void **state)
{
	char name[24];
	size_t len, pos;
	unsigned c;

	(void)state;
	for (len = 1; len <= 20; len++) {
		for (pos = 0; pos < len; pos++) {
			for (c = 0; c < 256; c++) {
				bool want = !(c <= ' ' || c == 0x7f ||
					      c == '/' || c == ':' ||
					      c == ',') &&
					    !(pos == 0 && c == '.');

				memset(name, 'x', sizeof(name));
				name[pos] = (char)c;
				if (uidlist_valid_base(name, len) != want)
					fail_msg("len %zu pos %zu byte %u", len,
						 pos, c);
			}
		}
	}
}

/* ---- sync ----------------------------------------------------------- */

static void
test_sync_stable(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul, ul2;
	const char *error = NULL;
	const char *names1[] = { "100.M1P1.h,S=5,W=6", "101.M1P1.h",
				 "102.M1P1.h:2,S" };
	const char *names2[] = { "101.M1P1.h:2,RS", "099.M1P1.h",
				 "100.M1P1.h,S=5,W=6:2,", "102.M1P1.h:2,S",
				 "103.M1P1.h" };
	uint32_t uids[5], validity;
	struct stat st1, st2;
	char path[128];
	char *text;

	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names1, 3, uids, &error), 0);
	assert_int_equal(uids[0], 1);
	assert_int_equal(uids[1], 2);
	assert_int_equal(uids[2], 3);
	validity = ul.uidvalidity;
	assert_true(validity + 5 >= (uint32_t)time(NULL));
	text = read_file(f->dir, UIDLIST_FILE);
	assert_non_null(text);
	assert_non_null(strstr(text, "\n1 100.M1P1.h\n2 101.M1P1.h\n3 "
				     "102.M1P1.h\n"));
	assert_null(read_file(f->dir, UIDLIST_LOCK_FILE));

	/* the same names again: nothing written */
	snprintf(path, sizeof(path), "%s/%s", f->dir, UIDLIST_FILE);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(uidlist_init(&ul2, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul2, names1, 3, uids, &error), 0);
	assert_int_equal(uids[2], 3);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_size, st2.st_size);

	/* flags changed, one new delivery sorting first: old UIDs stay, the
	 * new ones get new UIDs in the given order, by append */
	assert_int_equal(uidlist_sync(&ul2, names2, 5, uids, &error), 0);
	assert_int_equal(uids[0], 2);
	assert_int_equal(uids[1], 4);
	assert_int_equal(uids[2], 1);
	assert_int_equal(uids[3], 3);
	assert_int_equal(uids[4], 5);
	assert_int_equal(ul2.uidvalidity, validity);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino); /* appended, not rewritten */

	/* the first object sees the appends when it reads again */
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(uidlist_lookup(&ul, "103.M1P1.h", 10), 5);
	assert_int_equal(ul.uidnext, 6);
	uidlist_free(&ul);
	uidlist_free(&ul2);
}

static void
test_sync_compact(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	enum { N = 300 };
	static char store[N][32];
	const char *names[N];
	uint32_t uids[N];
	char *text;
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(store[i], sizeof(store[i]), "%zu.M1P1.h,S=1",
			 1000 + i);
		names[i] = store[i];
	}
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, N, uids, &error), 0);
	assert_int_equal(uids[N - 1], N);
	/* keep the last 10: 290 gone, so the file is rewritten */
	assert_int_equal(uidlist_sync(&ul, names + N - 10, 10, uids, &error),
			 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(uids[i], N - 10 + 1 + i);
	text = read_file(f->dir, UIDLIST_FILE);
	assert_non_null(text);
	assert_null(strstr(text, "\n1 1000.M1P1.h\n"));
	assert_non_null(strstr(text, "\n300 1299.M1P1.h\n"));
	/* uidnext survived the compaction */
	assert_int_equal(
		strncmp(text + strcspn(text, " ") + 1 +
				strcspn(text + strcspn(text, " ") + 1, " "),
			" 301\n", 5),
		0);
	/* everything gone, then a new message: a new UID, never an old one */
	assert_int_equal(uidlist_sync(&ul, NULL, 0, NULL, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 1, uids, &error), 0);
	assert_int_equal(uids[0], N + 1);
	uidlist_free(&ul);
}

static void
test_sync_rebuild(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	const char *names[] = { "1.a", "2.b" };
	uint32_t uids[2];
	uint32_t future = (uint32_t)time(NULL) + 1000;
	char text[64];

	snprintf(text, sizeof(text), "V1 %u 50\n7 1.a\n3 2.b\n",
		 (unsigned)future);
	write_file(f->dir, UIDLIST_FILE, text);
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 2, uids, &error), 0);
	assert_true(ul.rebuilt);
	/* the new UIDVALIDITY is above the old one even if the clock is not */
	assert_true(ul.uidvalidity > future);
	assert_int_equal(uids[0], 1);
	assert_int_equal(uids[1], 2);
	/* and the rebuilt file is good */
	assert_int_equal(uidlist_read(&ul, &error), 0);
	uidlist_free(&ul);
}

static void
test_sync_bad_names(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	const char *names[] = { ".hidden", "ok", "with space" };
	uint32_t uids[3];

	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 3, uids, &error), 0);
	assert_int_equal(uids[0], 0);
	assert_int_equal(uids[1], 1);
	assert_int_equal(uids[2], 0);
	/* names that cannot be stored do not make every sync take the lock
	 * and write: a lock held by someone else does not matter then */
	write_file(f->dir, UIDLIST_LOCK_FILE, "1 other\n");
	assert_int_equal(uidlist_sync(&ul, names, 3, uids, &error), 0);
	assert_int_equal(uids[1], 1);
	uidlist_free(&ul);
}

/* The lines written (append and rewrite) for the widest and the
 * smallest UIDs, read back. */
static void
test_sync_wide_uids(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	const char *names[] = { "a", "b", "c" };
	uint32_t uids[3];
	char *text;

	write_file(f->dir, UIDLIST_FILE, "V1 7 4294967293\n9 a\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 3, uids, &error), 0);
	assert_int_equal(uids[0], 9);
	assert_int_equal(uids[1], 4294967293u);
	assert_int_equal(uids[2], 4294967294u);
	text = read_file(f->dir, UIDLIST_FILE);
	assert_non_null(text);
	assert_string_equal(text, "V1 7 4294967293\n9 a\n4294967293 b\n"
				  "4294967294 c\n");
	uidlist_free(&ul);
	/* a rewrite (the file was bad): UIDs from 1 again, new validity */
	write_file(f->dir, UIDLIST_FILE, "V1 7 10\n9 a\n9 b\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 3, uids, &error), 0);
	assert_true(ul.rebuilt);
	assert_true(ul.uidvalidity > 7);
	text = read_file(f->dir, UIDLIST_FILE);
	assert_non_null(text);
	assert_non_null(strstr(text, " 4\n1 a\n2 b\n3 c\n"));
	uidlist_free(&ul);
}

static void
test_init_too_long(void **state)
{
	static char dir[PATH_MAX + 10];
	struct uidlist ul;
	const char *error = NULL;

	(void)state;
	memset(dir, 'd', sizeof(dir) - 1);
	assert_int_equal(uidlist_init(&ul, dir, &error), -1);
	assert_non_null(error);
}

static void
test_missing_dir(void **state)
{
	struct uidlist ul;
	const char *error = NULL;
	const char *names[] = { "a" };

	(void)state;
	assert_int_equal(uidlist_init(&ul, "/nonexistent/quail", &error), 0);
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_false(ul.exists);
	assert_int_equal(uidlist_sync(&ul, names, 1, NULL, &error), -1);
	assert_non_null(error);
	uidlist_free(&ul);
}

/* ---- the lock ------------------------------------------------------- */

/* A temporary lock file of our own name (host and pid), left by a killed
 * process whose pid we now have, must not make the lock fail for good. */
static void
test_lock_leftover_tmp(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	char name[256], host[64];

	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, "/ \t\n")] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%ld", UIDLIST_LOCK_FILE, host,
		 (long)getpid());
	write_file(f->dir, name, "1 old\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_lock(&ul, &error), 0);
	assert_true(ul.locked);
	uidlist_unlock(&ul);
	assert_null(read_file(f->dir, name));
	assert_null(read_file(f->dir, UIDLIST_LOCK_FILE));
	uidlist_free(&ul);
}

static void
test_lock_stale_age(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char path[128];

	write_file(f->dir, UIDLIST_LOCK_FILE, "1 some.other.host\n");
	snprintf(path, sizeof(path), "%s/%s", f->dir, UIDLIST_LOCK_FILE);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_lock(&ul, &error), 0);
	assert_true(ul.locked);
	uidlist_unlock(&ul);
	assert_int_equal(access(path, F_OK), -1);
	uidlist_free(&ul);
}

static void
test_lock_stale_pid(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	char host[64], text[128];
	pid_t pid;
	int status;

	/* a pid that surely is dead: a child we already reaped */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	snprintf(text, sizeof(text), "%ld %s\n", (long)pid, host);
	write_file(f->dir, UIDLIST_LOCK_FILE, text);
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_lock(&ul, &error), 0);
	uidlist_free(&ul);
}

static void
test_lock_wait(void **state)
{
	struct fixture *f = *state;
	struct uidlist a, b;
	const char *error = NULL;
	const char *names[] = { "m1" };
	uint32_t uid;
	pid_t pid;
	int status;

	assert_int_equal(uidlist_init(&a, f->dir, &error), 0);
	assert_int_equal(uidlist_lock(&a, &error), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* waits for the parent's lock, then assigns */
		struct uidlist c;

		if (uidlist_init(&c, f->dir, &error) < 0 ||
		    uidlist_sync(&c, names, 1, &uid, &error) < 0 || uid != 1)
			_exit(1);
		_exit(0);
	}
	{
		struct timespec t = { 0, 200 * 1000000L };

		nanosleep(&t, NULL); /* the child is now waiting, or not yet */
	}
	assert_null(read_file(f->dir, UIDLIST_FILE)); /* it could not write */
	uidlist_unlock(&a);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* our lock was released: another object can lock at once */
	assert_int_equal(uidlist_init(&b, f->dir, &error), 0);
	assert_int_equal(uidlist_lock(&b, &error), 0);
	uidlist_free(&b);
	uidlist_free(&a);
}

static void
test_unlock_not_ours(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	char path[128];

	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_lock(&ul, &error), 0);
	/* someone broke our lock as stale and took it */
	snprintf(path, sizeof(path), "%s/%s", f->dir, UIDLIST_LOCK_FILE);
	assert_int_equal(unlink(path), 0);
	write_file(f->dir, UIDLIST_LOCK_FILE, "1 other\n");
	uidlist_unlock(&ul);
	assert_int_equal(access(path, F_OK), 0); /* theirs is still there */
	uidlist_free(&ul);
}

/* ---- adding names without the folder (APPEND, COPY) ----------------- */

static void
append_text(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* uidlist_add_names: a missing file is created, known names keep their
 * UID (also one a listing gave meanwhile), invalid names get 0, new
 * names are appended in order, and names left out are never compacted
 * away (a list of 200 names, one added). */
static void
test_add_names(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul, other;
	const char *error = NULL;
	const char *first[] = { "b.host:2,S", "a.host", ".bad", "b.host,S=3" };
	const char *more[] = { "c.host", "a.host:2,F", "d.host", "c.host" };
	const char *names[200];
	char bufs[200][32];
	uint32_t uids[200];
	uint32_t uidvalidity;
	size_t i;
	char *text;

	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&ul, first, 4, uids, &error), 0);
	assert_int_equal(uids[0], 1);
	assert_int_equal(uids[1], 2);
	assert_int_equal(uids[2], 0);
	assert_int_equal(uids[3], 1); /* the same base, given twice */
	assert_int_equal(ul.uidnext, 3);
	uidvalidity = ul.uidvalidity;
	assert_true(uidvalidity != 0);
	text = read_file(f->dir, UIDLIST_FILE);
	assert_non_null(text);
	assert_non_null(strstr(text, "\n1 b.host\n2 a.host\n"));

	/* another process lists "c.host" first: it keeps that UID */
	append_text(f->dir, UIDLIST_FILE, "3 c.host\n");
	assert_int_equal(uidlist_add_names(&ul, more, 4, uids, &error), 0);
	assert_int_equal(uids[0], 3);
	assert_int_equal(uids[1], 2);
	assert_int_equal(uids[2], 4);
	assert_int_equal(uids[3], 3);
	assert_int_equal(ul.uidvalidity, uidvalidity);
	text = read_file(f->dir, UIDLIST_FILE);
	assert_non_null(strstr(text, "\n1 b.host\n2 a.host\n3 c.host\n"
				     "4 d.host\n"));
	{
		char lock[256];

		snprintf(lock, sizeof(lock), "%s/%s", f->dir,
			 UIDLIST_LOCK_FILE);
		assert_int_equal(access(lock, F_OK), -1); /* released */
	}
	/* a fresh handle agrees (without parsing); NULL uids_r is fine */
	assert_int_equal(uidlist_init(&other, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&other, more, 1, NULL, &error), 0);
	assert_int_equal(uidlist_add_names(&other, more + 2, 1, uids, &error),
			 0);
	assert_int_equal(uids[0], 4);
	assert_int_equal(other.uidvalidity, uidvalidity);
	assert_int_equal(other.uidnext, 5);
	uidlist_free(&other);

	/* 200 more; then one added: the 204 stay (no compaction) */
	for (i = 0; i < 200; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "m%03zu.host", i);
		names[i] = bufs[i];
	}
	assert_int_equal(uidlist_add_names(&ul, names, 200, uids, &error), 0);
	assert_int_equal(uids[0], 5);
	assert_int_equal(uids[199], 204);
	names[0] = "z.host";
	assert_int_equal(uidlist_add_names(&ul, names, 1, uids, &error), 0);
	assert_int_equal(uids[0], 205);
	uidlist_free(&ul);
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(ul.n, 205);
	assert_int_equal(ul.uidnext, 206);
	uidlist_free(&ul);

	/* a damaged file is started over with the new names */
	write_file(f->dir, UIDLIST_FILE, "V1 5 9\nbad line\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&ul, more, 1, uids, &error), 0);
	assert_true(ul.rebuilt);
	assert_int_equal(uids[0], 1);
	assert_int_equal(ul.n, 1);
	assert_true(ul.uidvalidity > 5);
	uidlist_free(&ul);
}

/* uidlist_add_names on a handle that never read the list (few names):
 * the file is searched, not parsed; uidnext from the header and the last
 * line; names found on their lines (not in the header); the handle stays
 * unread; files it cannot trust go the full way. */
static void
test_add_light(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	const char *names[] = { "b:2,S", "new1", ".bad", "new1,S=2", "c",
				"3", "x" };
	uint32_t uids[8];
	char *text;

	write_file(f->dir, UIDLIST_FILE, "V1 7 3\n1 a\n2 b\n5 c\n9 ax\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&ul, names, 7, uids, &error), 0);
	assert_int_equal(uids[0], 2);
	assert_int_equal(uids[1], 10);
	assert_int_equal(uids[2], 0);
	assert_int_equal(uids[3], 10);
	assert_int_equal(uids[4], 5);
	assert_int_equal(uids[5], 11); /* " 3\n" of the header is no line */
	assert_int_equal(uids[6], 12); /* "ax" is not "x" */
	assert_int_equal(ul.n, 0);
	assert_false(ul.exists);
	assert_int_equal(ul.uidvalidity, 7);
	assert_int_equal(ul.uidnext, 13);
	assert_false(ul.rebuilt);
	text = read_file(f->dir, UIDLIST_FILE);
	assert_string_equal(text, "V1 7 3\n1 a\n2 b\n5 c\n9 ax\n10 new1\n"
				  "11 3\n12 x\n");
	/* again: all known now */
	assert_int_equal(uidlist_add_names(&ul, names + 5, 2, uids, &error),
			 0);
	assert_int_equal(uids[0], 11);
	assert_int_equal(uids[1], 12);
	/* a full read of the same handle sees it all */
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(ul.n, 7);
	assert_int_equal(uidlist_lookup(&ul, "x", 1), 12);
	uidlist_free(&ul);

	/* header only: uidnext from the header */
	write_file(f->dir, UIDLIST_FILE, "V1 9 4\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&ul, names + 1, 1, uids, &error),
			 0);
	assert_int_equal(uids[0], 4);
	assert_int_equal(ul.uidvalidity, 9);
	uidlist_free(&ul);

	/* a bad last line, or none at the end: the full way (rebuilt) */
	write_file(f->dir, UIDLIST_FILE, "V1 7 3\n1 a\nzz\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&ul, names + 1, 1, uids, &error),
			 0);
	assert_true(ul.rebuilt);
	assert_int_equal(uids[0], 1);
	assert_true(ul.uidvalidity > 7);
	uidlist_free(&ul);
	write_file(f->dir, UIDLIST_FILE, "V1 7 3\n1 a\n2 b");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&ul, names + 1, 1, uids, &error),
			 0);
	assert_false(ul.rebuilt);
	assert_int_equal(ul.n, 2); /* read and parsed */
	assert_int_equal(uids[0], 3);
	/* the partial line (a crashed append) is cut, not glued to ours */
	assert_string_equal(read_file(f->dir, UIDLIST_FILE),
			    "V1 7 3\n1 a\n3 new1\n");
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(uidlist_lookup(&ul, "new1", 4), 3);
	uidlist_free(&ul);
}

/* uidlist_read after an append by someone else reads only the new lines
 * (entries keep their index, generation stays); a partial last line
 * waits for its end; a replaced file (rename) or a changed header is
 * read whole (generation moves). */
static void
test_read_tail(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	const char *e0;
	uint64_t gen;
	char path[256], tmp[256];

	write_file(f->dir, UIDLIST_FILE, "V1 7 1\n1 a\n2 b\n");
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(ul.n, 2);
	gen = ul.generation;
	e0 = ul.names.data + ul.entries[0].name_off;
	assert_string_equal(e0, "a");

	append_text(f->dir, UIDLIST_FILE, "5 c\n6 d");
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(ul.generation, gen);
	assert_int_equal(ul.n, 3); /* "6 d" is not complete yet */
	assert_int_equal(ul.uidnext, 6);
	assert_int_equal(uidlist_lookup(&ul, "c", 1), 5);
	assert_int_equal(uidlist_lookup(&ul, "d", 1), 0);
	append_text(f->dir, UIDLIST_FILE, "\n7 e\n");
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(ul.generation, gen);
	assert_int_equal(ul.n, 5);
	assert_int_equal(uidlist_lookup(&ul, "d", 1), 6);
	assert_int_equal(uidlist_lookup(&ul, "e", 1), 7);
	assert_int_equal(uidlist_lookup(&ul, "a", 1), 1);
	assert_int_equal(ul.uidnext, 8);
	/* nothing new: nothing read */
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_int_equal(ul.generation, gen);

	/* an appended line out of order: the whole file is read, and it is
	 * bad */
	append_text(f->dir, UIDLIST_FILE, "3 f\n");
	assert_int_equal(uidlist_read(&ul, &error), -1);
	assert_int_equal(errno, EINVAL);

	/* replaced by rename with more lines: read whole */
	write_file(f->dir, UIDLIST_FILE, "V1 7 1\n1 a\n2 b\n");
	assert_int_equal(uidlist_read(&ul, &error), 0);
	gen = ul.generation;
	snprintf(path, sizeof(path), "%s/%s", f->dir, UIDLIST_FILE);
	snprintf(tmp, sizeof(tmp), "%s/x.tmp", f->dir);
	write_file(f->dir, "x.tmp", "V1 7 9\n2 b\n8 c\n9 d\n");
	assert_int_equal(rename(tmp, path), 0);
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_true(ul.generation != gen);
	assert_int_equal(ul.n, 3);
	assert_int_equal(uidlist_lookup(&ul, "a", 1), 0);
	assert_int_equal(ul.uidnext, 10);
	/* the same inode rewritten in place with a new header: whole */
	gen = ul.generation;
	write_file(f->dir, UIDLIST_FILE, "V1 8 1\n1 a\n2 b\n3 c\n4 d\n");
	assert_int_equal(uidlist_read(&ul, &error), 0);
	assert_true(ul.generation != gen);
	assert_int_equal(ul.uidvalidity, 8);
	assert_int_equal(ul.n, 4);
	uidlist_free(&ul);
}

/* A compaction by a sync whose listing is older than some entries (an
 * APPEND renamed its file after the listing and added its line before
 * the sync took the lock) keeps the entries from keep_from on. */
static void
test_sync_keep_from(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul, app;
	const char *error = NULL;
	const char *names[100];
	const char *late[] = { "late.host" };
	char bufs[100][16];
	uint32_t uids[100], late_uid, keep;
	size_t i;

	for (i = 0; i < 100; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "m%03zu", i);
		names[i] = bufs[i];
	}
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 100, uids, &error), 0);
	/* the lister reads, then lists 10 (90 gone: worth compacting) */
	assert_int_equal(uidlist_read(&ul, &error), 0);
	keep = ul.uidnext;
	ul.keep_from = keep;
	/* meanwhile an APPEND adds a message the listing does not show */
	assert_int_equal(uidlist_init(&app, f->dir, &error), 0);
	assert_int_equal(uidlist_add_names(&app, late, 1, &late_uid, &error),
			 0);
	assert_int_equal(late_uid, keep);
	uidlist_free(&app);
	assert_int_equal(uidlist_sync(&ul, names, 10, uids, &error), 0);
	assert_int_equal(ul.n, 11); /* compacted, "late" kept */
	assert_int_equal(uidlist_lookup(&ul, "late.host", 9), late_uid);
	/* without the bound it would have gone (the old behaviour, still
	 * that of keep_from 0) */
	ul.keep_from = 0;
	assert_int_equal(uidlist_sync(&ul, names, 10, uids, &error), 0);
	assert_int_equal(ul.n, 11); /* 1 gone: not worth a compaction */
	uidlist_free(&ul);
}

/* A folder deleted and created again in the same second gets a higher
 * UIDVALIDITY (RFC 3501 2.3.1.1), also through another folder of the
 * same Maildir; the counter lives in the root. */
static void
test_uidvalidity_unique(void **state)
{
	struct fixture *f = *state;
	struct uidlist ul;
	const char *error = NULL;
	const char *names[] = { "1.a" };
	char sub[128], path[160], root[128];
	uint32_t v[4];
	int k;

	snprintf(path, sizeof(path), "%s/cur", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/.x", f->dir);
	assert_int_equal(uidlist_root(sub, root, sizeof(root)), 0);
	assert_string_equal(root, f->dir);
	assert_int_equal(uidlist_root(f->dir, root, sizeof(root)), 0);
	assert_string_equal(root, f->dir);
	for (k = 0; k < 3; k++) {
		assert_int_equal(mkdir(sub, 0700), 0);
		assert_int_equal(uidlist_init(&ul, sub, &error), 0);
		assert_int_equal(uidlist_sync(&ul, names, 1, NULL, &error), 0);
		v[k] = ul.uidvalidity;
		uidlist_free(&ul);
		snprintf(path, sizeof(path), "%s/%s", sub, UIDLIST_FILE);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(rmdir(sub), 0);
		if (k > 0)
			assert_true(v[k] > v[k - 1]);
	}
	/* INBOX (the root) too */
	assert_int_equal(uidlist_init(&ul, f->dir, &error), 0);
	assert_int_equal(uidlist_sync(&ul, names, 1, NULL, &error), 0);
	v[3] = ul.uidvalidity;
	uidlist_free(&ul);
	assert_true(v[3] > v[2]);
	snprintf(path, sizeof(path), "%s/%s", f->dir, UIDLIST_VALIDITY_FILE);
	{
		FILE *fp = fopen(path, "r");
		unsigned last = 0;

		assert_non_null(fp);
		assert_int_equal(fscanf(fp, "%u", &last), 1);
		fclose(fp);
		assert_int_equal(last, v[3]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_parse_unsorted),
		cmocka_unit_test(test_valid_base_bytes),
		cmocka_unit_test_setup_teardown(test_sync_out_of_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_stable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_compact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_rebuild, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_bad_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_wide_uids, setup,
						teardown),
		cmocka_unit_test(test_init_too_long),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test_setup_teardown(test_lock_stale_age, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_stale_pid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_wait, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_leftover_tmp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unlock_not_ours, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_tail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_light, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_unique, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_keep_from, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
