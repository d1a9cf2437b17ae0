/*
 * test_cdbmap.c -- lib/cdbmap.c: build + lookup (binary keys/values, empty
 * values, many keys), absent and corrupt files, file mode despite umask,
 * atomic replace while a reader has the old map open, stale and hostile
 * tmp files, abort.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdbmap.h"

static char dir[64];
static char path[128];
static char tmp[140];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_cdbmap.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/users.cdb", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
build(const char *const *kv, size_t n, mode_t mode)
{
	struct cdbmap_builder b;
	size_t i;

	assert_int_equal(cdbmap_build_begin(&b, path, mode), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(cdbmap_build_add(&b, kv[2 * i], strlen(kv[2 * i]),
		    kv[2 * i + 1], strlen(kv[2 * i + 1])), 0);
	assert_int_equal(cdbmap_build_commit(&b), 0);
	assert_int_equal(access(tmp, F_OK), -1);
}

static void
expect(struct cdbmap *m, const char *key, const char *val)
{
	struct buf v = BUF_INIT;
	int r = cdbmap_lookup(m, key, strlen(key), &v);

	if (val == NULL) {
		assert_int_equal(r, 0);
	} else {
		assert_int_equal(r, 1);
		assert_int_equal(v.len, strlen(val));
		assert_string_equal(buf_cstr(&v), val);
	}
	buf_free(&v);
}

static void
test_build_lookup(void **state)
{
	static const char *const kv[] = {
		"me@mycompany.com", "1000:1000:/mail/me",
		"myuser@mycompany.com", "1001:1001:/mail/myuser",
		"empty", "",
	};
	struct cdbmap_builder b;
	struct cdbmap m;
	struct buf v = BUF_INIT;
	struct stat st;
	char key[32], val[32];
	int i;

	(void)state;
	build(kv, 3, 0644);
	assert_int_equal(cdbmap_open(&m, path), 1);
	expect(&m, "me@mycompany.com", "1000:1000:/mail/me");
	expect(&m, "myuser@mycompany.com", "1001:1001:/mail/myuser");
	expect(&m, "empty", "");
	expect(&m, "ME@mycompany.com", NULL);    /* exact keys */
	expect(&m, "", NULL);
	assert_int_equal(cdbmap_lookup(&m, "empty", 5, NULL), 1);
	cdbmap_close(&m);
	cdbmap_close(&m);                       /* idempotent */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* binary, many keys, mode 0600 whatever the umask */
	umask(0);
	assert_int_equal(cdbmap_build_begin(&b, path, 0600), 0);
	assert_int_equal(cdbmap_build_add(&b, "a\0b", 3, "x\0y\n", 4), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(val, sizeof(val), "val%d", i * 7);
		assert_int_equal(cdbmap_build_add(&b, key, strlen(key), val,
		    strlen(val)), 0);
	}
	assert_int_equal(cdbmap_build_commit(&b), 0);
	umask(022);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(cdbmap_open(&m, path), 1);
	assert_int_equal(cdbmap_lookup(&m, "a\0b", 3, &v), 1);
	assert_int_equal(v.len, 4);
	assert_memory_equal(v.data, "x\0y\n", 4);
	assert_int_equal(cdbmap_lookup(&m, "a", 1, &v), 0);
	for (i = 0; i < 2000; i += 37) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(val, sizeof(val), "val%d", i * 7);
		expect(&m, key, val);
	}
	expect(&m, "key2000", NULL);
	/* a capped value buffer: an error, not an overflow */
	buf_free(&v);
	buf_init(&v, 2);
	assert_int_equal(cdbmap_lookup(&m, "a\0b", 3, &v), -1);
	assert_int_equal(errno, E2BIG);
	buf_free(&v);
	cdbmap_close(&m);
}

static void
test_absent_and_corrupt(void **state)
{
	struct cdbmap m;
	struct buf v = BUF_INIT;
	char p[160];
	int fd;

	(void)state;
	snprintf(p, sizeof(p), "%s/none.cdb", dir);
	assert_int_equal(cdbmap_open(&m, p), 0);
	assert_false(m.present);
	assert_int_equal(cdbmap_lookup(&m, "x", 1, &v), 0);
	cdbmap_close(&m);
	/* not a directory: an error, not "absent" */
	snprintf(p, sizeof(p), "%s/users.cdb/x", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "short", 5), 5);
	close(fd);
	assert_int_equal(cdbmap_open(&m, p), -1);
	/* a truncated file */
	assert_int_equal(cdbmap_open(&m, path), -1);
	/* unreadable (only meaningful when not root) */
	if (geteuid() != 0) {
		chmod(path, 0);
		assert_int_equal(cdbmap_open(&m, path), -1);
		assert_int_equal(errno, EACCES);
	}
	unlink(path);
	buf_free(&v);
}

static void
test_atomic_replace(void **state)
{
	static const char *const old_kv[] = { "k", "old", "gone", "1" };
	static const char *const new_kv[] = { "k", "new", "added", "2" };
	struct cdbmap oldm, newm;
	struct stat st1, st2;

	(void)state;
	build(old_kv, 2, 0644);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(cdbmap_open(&oldm, path), 1);
	build(new_kv, 2, 0644);
	assert_int_equal(stat(path, &st2), 0);
	assert_true(st1.st_ino != st2.st_ino);          /* renamed, not rewritten */
	/* the open reader keeps a consistent old view */
	expect(&oldm, "k", "old");
	expect(&oldm, "gone", "1");
	expect(&oldm, "added", NULL);
	assert_int_equal(cdbmap_open(&newm, path), 1);
	expect(&newm, "k", "new");
	expect(&newm, "gone", NULL);
	expect(&newm, "added", "2");
	cdbmap_close(&oldm);
	cdbmap_close(&newm);
}

static void
test_tmp_handling(void **state)
{
	static const char *const kv[] = { "k", "v" };
	static const char *const kv2[] = { "k", "v2" };
	struct cdbmap_builder b;
	struct cdbmap m;
	char victim[160], buf[16], nodir[160];
	int fd;

	(void)state;
	/* a stale tmp from a crashed rebuild */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "junk", 4), 4);
	close(fd);
	build(kv, 1, 0644);
	assert_int_equal(cdbmap_open(&m, path), 1);
	expect(&m, "k", "v");
	cdbmap_close(&m);

	/* a planted symlink is removed, its target untouched */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	close(fd);
	assert_int_equal(symlink(victim, tmp), 0);
	build(kv2, 1, 0644);
	fd = open(victim, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "precious", 8);
	close(fd);

	/* abort leaves the old map and no tmp */
	assert_int_equal(cdbmap_build_begin(&b, path, 0644), 0);
	assert_int_equal(cdbmap_build_add(&b, "k", 1, "aborted", 7), 0);
	cdbmap_build_abort(&b);
	cdbmap_build_abort(&b);                 /* idempotent */
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(cdbmap_build_commit(&b), -1);
	assert_int_equal(cdbmap_build_add(&b, "k", 1, "v", 1), -1);
	assert_int_equal(cdbmap_open(&m, path), 1);
	expect(&m, "k", "v2");
	cdbmap_close(&m);

	/* a directory that does not exist */
	snprintf(nodir, sizeof(nodir), "%s/nodir/x.cdb", dir);
	assert_int_equal(cdbmap_build_begin(&b, nodir, 0644), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_lookup),
		cmocka_unit_test(test_absent_and_corrupt),
		cmocka_unit_test(test_atomic_replace),
		cmocka_unit_test(test_tmp_handling),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
