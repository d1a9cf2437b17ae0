/*
 * test_maildir.c -- lib/maildir.c: unique names and host escaping, W=
 * (size as CRLF), Maildir creation (parents, modes, ENOENT, ENOTDIR),
 * tmp -> new and tmp -> cur:2,flags, mtime, split writes, and failure
 * injection: fsync of the file, fsync of new/, rename, a write error
 * (linked with -Wl,--wrap=fsync,--wrap=rename, see wrap.mk). After every
 * failure nothing may be left in tmp/ or new/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"

/* ---- syscall failure injection ------------------------------------- */

int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);

static int fsync_calls, fsync_fail_at, fsync_errno;
static int rename_fail_errno;

int
__wrap_fsync(int fd)
{
	if (++fsync_calls == fsync_fail_at) {
		errno = fsync_errno;
		return -1;
	}
	return __real_fsync(fd);
}

int
__wrap_rename(const char *from, const char *to)
{
	if (rename_fail_errno != 0) {
		errno = rename_fail_errno;
		return -1;
	}
	return __real_rename(from, to);
}

static void
reset_faults(void)
{
	fsync_calls = 0;
	fsync_fail_at = 0;
	fsync_errno = 0;
	rename_fail_errno = 0;
}

/* ---- helpers -------------------------------------------------------- */

struct fixture {
	char root[64];
	char md[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/test_maildir.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->md, sizeof(f->md), "%s/d/u/Maildir", f->root);
	reset_faults();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Number of entries (other than . and ..) in md/sub. */
static int
count_files(const char *md, const char *sub)
{
	char p[256];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", md, sub);
	d = opendir(p);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
read_all(const char *path, char *out, size_t outlen, size_t *len_r)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;

	assert_true(fd >= 0);
	r = read(fd, out, outlen);
	assert_true(r >= 0);
	*len_r = (size_t)r;
	close(fd);
}

/* ---- names ------------------------------------------------------------ */

struct name_case {
	long long sec;
	long usec;
	long pid;
	unsigned long counter;
	const char *host;
	const char *want;
};

static const struct name_case name_cases[] = {
	{ 1234567890, 42, 99, 7, "mx.example.com",
	  "1234567890.M000042P99Q7.mx.example.com" },
	{ 1, 999999, 1, 1, "a/b:c", "1.M999999P1Q1.a\\057b\\072c" },
	{ 0, 0, 0, 0, "", "0.M000000P0Q0.localhost" },
	{ 5, 5, 5, 5, "h\\x", "5.M000005P5Q5.h\\134x" },
	{ 5, 5, 5, 5, "h x\n", "5.M000005P5Q5.h\\040x\\012" },
};

static void
test_unique_names(void **state)
{
	char out[MAILDIR_NAME_MAX_BYTES + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];

		assert_int_equal(maildir_unique_name(out, sizeof(out), (time_t)c->sec,
						     c->usec, (pid_t)c->pid,
						     c->counter, c->host), 0);
		assert_string_equal(out, c->want);
	}
}

static void
test_unique_name_limits(void **state)
{
	const char *want = "1.M000002P3Q4.h";
	char out[64], host[MAILDIR_HOST_MAX_BYTES + 20], esc[8];
	size_t n = strlen(want);

	(void)state;
	/* exactly fits (n + NUL), one byte short */
	assert_int_equal(maildir_unique_name(out, n + 1, 1, 2, 3, 4, "h"), 0);
	assert_string_equal(out, want);
	assert_int_equal(maildir_unique_name(out, n, 1, 2, 3, 4, "h"), -1);
	/* host truncated at MAILDIR_HOST_MAX_BYTES input bytes */
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	{
		char big[MAILDIR_HOST_MAX_BYTES * 4 + 1];

		assert_int_equal(maildir_escape_host(host, big, sizeof(big)), 0);
		assert_int_equal(strlen(big), MAILDIR_HOST_MAX_BYTES);
	}
	/* an escape needs 4 bytes + NUL */
	assert_int_equal(maildir_escape_host("/", esc, 5), 0);
	assert_string_equal(esc, "\\057");
	assert_int_equal(maildir_escape_host("/", esc, 4), -1);
}

/* ---- creation ------------------------------------------------------------ */

static void
test_create(void **state)
{
	struct fixture *f = *state;
	const char *err = NULL;
	char p[256];
	struct stat st;

	/* parents missing and not allowed */
	assert_int_equal(maildir_create(f->md, 0, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(maildir_create(f->md, 0700, &err), 0);
	snprintf(p, sizeof(p), "%s/new", f->md);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, MAILDIR_MODE & ~0022 & 0777);
	/* again: an existing Maildir is fine */
	assert_int_equal(maildir_create(f->md, 0, &err), 0);
	/* a file where cur/ should be */
	snprintf(p, sizeof(p), "%s/cur", f->md);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(close(open(p, O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(maildir_create(f->md, 0, &err), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(maildir_create("", 0700, &err), -1);
}

/* ---- delivery -------------------------------------------------------- */

static void
deliver(struct fixture *f, const char *msg, size_t chunk, const char *flags,
	time_t mtime, int want, struct maildir_delivery *d)
{
	const char *err = NULL;
	size_t len = strlen(msg), i;

	assert_int_equal(maildir_create(f->md, 0700, &err), 0);
	assert_int_equal(maildir_open(d, f->md, &err), 0);
	for (i = 0; i < len; i += chunk)
		assert_int_equal(maildir_write(d, msg + i,
					       len - i < chunk ? len - i : chunk), 0);
	assert_int_equal(maildir_commit(d, flags, mtime, &err), want);
}

static void
test_deliver_new(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "Subject: x\n\nline1\nline2\n";
	struct maildir_delivery d;
	char got[256], suffix[64];
	size_t len, chunk;

	for (chunk = 1; chunk <= sizeof(msg); chunk++) {
		deliver(f, msg, chunk, NULL, 0, 0, &d);
		snprintf(suffix, sizeof(suffix), ",S=%zu,W=%zu", sizeof(msg) - 1,
			 sizeof(msg) - 1 + 4);
		assert_non_null(strstr(d.final_path, "/new/"));
		assert_string_equal(d.final_path + strlen(d.final_path) - strlen(suffix),
				    suffix);
		read_all(d.final_path, got, sizeof(got), &len);
		assert_int_equal(len, sizeof(msg) - 1);
		assert_memory_equal(got, msg, len);
		assert_int_equal(count_files(f->md, "tmp"), 0);
		assert_int_equal(unlink(d.final_path), 0);
	}
}

static void
test_w_size(void **state)
{
	static const struct { const char *msg; unsigned long long s, w; } c[] = {
		{ "", 0, 0 },
		{ "x", 1, 1 },
		{ "\n", 1, 2 },
		{ "a\r\nb\n", 5, 7 }, /* a CR LF line still counts one LF */
		{ "\n\n\n", 3, 6 },
	};
	struct fixture *f = *state;
	struct maildir_delivery d;
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		deliver(f, c[i].msg, 7, NULL, 0, 0, &d);
		assert_int_equal(d.size, c[i].s);
		assert_int_equal(d.size + d.lf_count, c[i].w);
		snprintf(want, sizeof(want), ",S=%llu,W=%llu", c[i].s, c[i].w);
		assert_non_null(strstr(d.final_path, want));
	}
}

static void
test_deliver_cur_flags_mtime(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;
	struct stat st;

	deliver(f, "a\n", 1, "FS", 1000000000, 0, &d);
	assert_non_null(strstr(d.final_path, "/cur/"));
	assert_string_equal(d.final_path + strlen(d.final_path) - 5, ":2,FS");
	assert_int_equal(stat(d.final_path, &st), 0);
	assert_int_equal(st.st_mtime, 1000000000);
	/* empty flag set is valid */
	deliver(f, "a\n", 1, "", 0, 0, &d);
	assert_string_equal(d.final_path + strlen(d.final_path) - 3, ":2,");
	/* bad flags: refused, nothing left behind */
	deliver(f, "a\n", 1, "S/", 0, -1, &d);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(count_files(f->md, "tmp"), 0);
}

static void
test_unique_across_deliveries(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;
	int i;

	for (i = 0; i < 50; i++)
		deliver(f, "x\n", 2, NULL, 0, 0, &d);
	assert_int_equal(count_files(f->md, "new"), 50);
}

/* ---- failures ---------------------------------------------------------- */

static void
check_nothing_left(struct fixture *f)
{
	assert_int_equal(count_files(f->md, "tmp"), 0);
	assert_int_equal(count_files(f->md, "new"), 0);
	assert_int_equal(count_files(f->md, "cur"), 0);
}

static void
test_fail_fsync_file(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;
	static const int errs[] = { EIO, ENOSPC, EDQUOT };
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		reset_faults();
		fsync_fail_at = 1;
		fsync_errno = errs[i];
		deliver(f, "x\n", 2, NULL, 0, -1, &d);
		assert_int_equal(errno, errs[i]);
		assert_true(maildir_error_is_temporary(errno));
		check_nothing_left(f);
	}
}

static void
test_fail_fsync_dir(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;

	fsync_fail_at = 2; /* the file succeeds, new/ fails */
	fsync_errno = EIO;
	deliver(f, "x\n", 2, NULL, 0, -1, &d);
	assert_int_equal(errno, EIO);
	assert_int_equal(fsync_calls, 2);
	check_nothing_left(f);
}

static void
test_fail_rename(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;

	rename_fail_errno = ENOSPC;
	deliver(f, "x\n", 2, NULL, 0, -1, &d);
	assert_int_equal(errno, ENOSPC);
	check_nothing_left(f);
}

static void
test_fail_write(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;
	const char *err = NULL;

	assert_int_equal(maildir_create(f->md, 0700, &err), 0);
	assert_int_equal(maildir_open(&d, f->md, &err), 0);
	/* swap in a read-only fd: the next write fails (EBADF) */
	close(d.fd);
	d.fd = open("/dev/null", O_RDONLY);
	assert_true(d.fd >= 0);
	assert_int_equal(maildir_write(&d, "x", 1), -1);
	assert_int_equal(maildir_write(&d, "y", 1), -1); /* sticky */
	assert_int_equal(maildir_commit(&d, NULL, 0, &err), -1);
	assert_int_equal(errno, EBADF);
	check_nothing_left(f);
	/* abort twice is harmless */
	maildir_abort(&d);
}

static void
test_open_missing(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;
	const char *err = NULL;

	assert_int_equal(maildir_open(&d, f->md, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(err);
}

static void
test_abort(void **state)
{
	struct fixture *f = *state;
	struct maildir_delivery d;
	const char *err = NULL;

	assert_int_equal(maildir_create(f->md, 0700, &err), 0);
	assert_int_equal(maildir_open(&d, f->md, &err), 0);
	assert_int_equal(maildir_write(&d, "abc", 3), 0);
	assert_int_equal(count_files(f->md, "tmp"), 1);
	maildir_abort(&d);
	maildir_abort(&d);
	check_nothing_left(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_names),
		cmocka_unit_test(test_unique_name_limits),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_w_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_cur_flags_mtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_across_deliveries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_fsync_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_fsync_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
