/*
 * test_qsubmit.c -- lib/qsubmit.c against the built quail-queue
 * ($QUAIL_BUILD/quail-queue; skipped without it): a message is queued
 * durably and parses back; permanent refusals map to -2, a missing
 * program to -1; an aborted or refused submission leaves nothing in
 * mess/ and no zombie. As root the queue belongs to QUAIL_QUEUE_USER
 * (quail-queue becomes that user).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "qfile.h"
#include "qsubmit.h"

#define SIZE_LIMIT 100000

static char top[256];
static struct conf conf;

static void
mkdir_owned(const char *path, uid_t uid, gid_t gid)
{
	assert_int_equal(mkdir(path, 0700), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(path, uid, gid), 0);
}

static int
setup(void **state)
{
	const char *build = getenv("QUAIL_BUILD");
	char path[PATH_MAX + 32], qdir[PATH_MAX + 16];
	uid_t uid = getuid();
	gid_t gid = getgid();
	const char *err;
	FILE *f;

	(void)state;
	if (build == NULL || build[0] != '/') {
		fprintf(stderr, "QUAIL_BUILD not set: skipped\n");
		exit(77);
	}
	snprintf(path, sizeof(path), "%s/quail-queue", build);
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "%s not built: skipped\n", path);
		exit(77);
	}
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(QUAIL_QUEUE_USER);
		if (pw == NULL) {
			fprintf(stderr, "user %s missing: skipped\n", QUAIL_QUEUE_USER);
			exit(77);
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	snprintf(top, sizeof(top), "/tmp/test_qsubmit.XXXXXX");
	assert_non_null(mkdtemp(top));
	assert_int_equal(chmod(top, 0755), 0);
	snprintf(qdir, sizeof(qdir), "%s/queue", top);
	mkdir_owned(qdir, uid, gid);
	snprintf(path, sizeof(path), "%s/tmp", qdir);
	mkdir_owned(path, uid, gid);
	snprintf(path, sizeof(path), "%s/mess", qdir);
	mkdir_owned(path, uid, gid);
	snprintf(path, sizeof(path), "%s/quail.conf", top);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "queue_dir = %s\nlibexec_dir = %s\nlog = %s/log\n"
		"local_domains = example.com\nmessage_size_limit = %d\n",
		qdir, build, top, SIZE_LIMIT);
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/log", top);
	assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0666)), 0);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(conf_load(&conf, top, &err), 0);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	conf_free(&conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static int
count_mess(void)
{
	char path[PATH_MAX + 16];
	int n = 0;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/queue/mess", top);
	DIR *d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* Writes n bytes of a recognisable pattern, in pieces of step bytes. */
static void
write_pattern(struct qsubmit *q, size_t n, size_t step)
{
	char *p = malloc(n);
	for (size_t i = 0; i < n; i++)
		p[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	for (size_t off = 0; off < n; off += step)
		assert_int_equal(qsubmit_write(q, p + off, n - off < step ? n - off : step), 0);
	free(p);
}

static void
check_queued(const char *id, size_t bytes, const char *rcpt)
{
	char path[PATH_MAX + 64];
	struct qfile_env e;
	const char *err;

	assert_true(qfile_valid_id(id, strlen(id)));
	snprintf(path, sizeof(path), "%s/queue/mess/%.*s", top, QFILE_ID_MAX_BYTES, id);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	qfile_env_init(&e);
	assert_int_equal(qfile_read(fd, &e, &err), 0);
	assert_string_equal(e.id, id);
	assert_true(e.msg_bytes == bytes);
	assert_string_equal(e.rcpts[0], rcpt);
	char first[4];
	if (bytes >= 3) {
		assert_int_equal(pread(fd, first, 3, (off_t)e.msg_offset), 3);
		assert_memory_equal(first, "abc", 3);
	}
	qfile_env_free(&e);
	close(fd);
}

static void
test_queued(void **state)
{
	static const size_t sizes[] = { 0, 1, QSUBMIT_OBUF_BYTES - 1,
		QSUBMIT_OBUF_BYTES, QSUBMIT_OBUF_BYTES + 1, SIZE_LIMIT };
	static const size_t steps[] = { 1, 7, 4096, QSUBMIT_OBUF_BYTES * 2 };
	const char *rcpts[] = { "X@Example.COM", "y@example.com" };
	char id[QSUBMIT_ID_MAX];
	const char *err;
	struct qsubmit q;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int before = count_mess();
		assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
		write_pattern(&q, sizes[i], steps[i % 4]);
		int r = qsubmit_finish(&q, "s@example.org", rcpts, 2, "alice", id,
				       sizeof(id), &err);
		if (r != 0)
			fail_msg("size %zu: %d %s", sizes[i], r, err);
		check_queued(id, sizes[i], "X@example.com");
		assert_int_equal(count_mess(), before + 1);
		assert_no_children();
	}
}

static void
test_permanent(void **state)
{
	const char *nodomain[] = { "localonly" };
	const char *ok[] = { "a@example.com" };
	const char *inject[] = { "a@example.com\nRb@example.com" };
	char id[QSUBMIT_ID_MAX];
	const char *err;
	struct qsubmit q;
	int before = count_mess();

	(void)state;
	assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
	write_pattern(&q, 10, 10);
	assert_int_equal(qsubmit_finish(&q, "", nodomain, 1, NULL, id, sizeof(id), &err), -2);
	assert_non_null(strstr(err, "domain"));
	assert_no_children();

	assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
	assert_int_equal(qsubmit_finish(&q, "", ok, 0, NULL, id, sizeof(id), &err), -2);
	assert_no_children();

	/* Over the size limit by one byte: refused after the whole message. */
	assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
	write_pattern(&q, SIZE_LIMIT + 1, 5000);
	assert_int_equal(qsubmit_finish(&q, "", ok, 1, NULL, id, sizeof(id), &err), -2);
	assert_non_null(strstr(err, "too big"));
	assert_no_children();

	/* A line break in an address never reaches quail-queue's parser. */
	assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
	assert_int_equal(qsubmit_finish(&q, "", inject, 1, NULL, id, sizeof(id), &err), -2);
	assert_no_children();
	assert_int_equal(count_mess(), before);
}

static void
test_abort(void **state)
{
	const char *err;
	struct qsubmit q;
	int before = count_mess();

	(void)state;
	assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
	write_pattern(&q, 50000, 999);
	qsubmit_abort(&q);
	qsubmit_abort(&q);      /* twice is fine */
	assert_no_children();
	assert_int_equal(count_mess(), before);
}

static void
test_missing_program(void **state)
{
	const char *ok[] = { "a@example.com" };
	char id[QSUBMIT_ID_MAX], saved[PATH_MAX];
	const char *err;
	struct qsubmit q;

	(void)state;
	memcpy(saved, conf.libexec_dir, sizeof(saved));
	snprintf(conf.libexec_dir, sizeof(conf.libexec_dir), "%s/nonexistent", top);
	assert_int_equal(qsubmit_start(&q, &conf, &err), 0);
	/* The child may be gone already: writes may fail, finish decides. */
	(void)qsubmit_write(&q, "x\n", 2);
	assert_int_equal(qsubmit_finish(&q, "", ok, 1, NULL, id, sizeof(id), &err), -1);
	memcpy(conf.libexec_dir, saved, sizeof(saved));
	assert_no_children();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queued),
		cmocka_unit_test(test_permanent),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_missing_program),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
