/*
 * test_qfile.c -- queue file records (lib/qfile.c): round trips, split
 * feeding, every rejection rule, limits at -1/0/+1, and qfile_read's size
 * check on real files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qfile.h"

static const char good[] =
	"V1\nI6B044F89C42D5A7207B\nT1795444617\nFsender@example.org\n"
	"Aalice\nRme@example.com\nRyou@Example.COM\nS5\nE\nhello";

static void
test_roundtrip(void **state)
{
	struct qfile_env e, back;
	struct buf b;
	const char *err;

	(void)state;
	qfile_env_init(&e);
	qfile_env_init(&back);
	buf_init(&b, 0);
	snprintf(e.id, sizeof(e.id), "ABCDEF0123456789");
	e.arrival = 1700000000;
	assert_int_equal(qfile_env_set_sender(&e, "a@b.example", 11, &err), 0);
	snprintf(e.auth, sizeof(e.auth), "bob@b.example");
	e.has_auth = true;
	assert_int_equal(qfile_env_add_rcpt(&e, "x@EXAMPLE.com", 13, &err), 0);
	assert_string_equal(e.rcpts[0], "x@example.com");
	assert_int_equal(qfile_env_add_rcpt(&e, "\xc3\xa9t\xc3\xa9@example.com", 17, &err), 0);
	e.msg_bytes = 3;
	assert_int_equal(qfile_format(&e, &b, &err), 0);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(qfile_parse(b.data, b.len, &back, &err), 1);
	assert_string_equal(back.id, e.id);
	assert_true(back.arrival == 1700000000);
	assert_string_equal(back.sender, "a@b.example");
	assert_true(back.has_auth);
	assert_string_equal(back.auth, "bob@b.example");
	assert_int_equal(back.n_rcpts, 2);
	assert_string_equal(back.rcpts[1], "\xc3\xa9t\xc3\xa9@example.com");
	assert_int_equal(back.msg_offset, b.len - 3);
	assert_true(back.msg_bytes == 3);
	qfile_env_free(&e);
	qfile_env_free(&back);
	buf_free(&b);
}

/* Every prefix that stops before END needs more; the whole parses. */
static void
test_split_feeding(void **state)
{
	struct qfile_env e;
	const char *err;
	size_t end = strstr(good, "E\n") - good + 2;

	(void)state;
	qfile_env_init(&e);
	for (size_t n = 0; n < end; n++)
		assert_int_equal(qfile_parse(good, n, &e, &err), 0);
	for (size_t n = end; n <= sizeof(good) - 1; n++) {
		assert_int_equal(qfile_parse(good, n, &e, &err), 1);
		assert_int_equal(e.msg_offset, end);
	}
	assert_int_equal(e.n_rcpts, 2);
	assert_string_equal(e.rcpts[1], "you@example.com");
	qfile_env_free(&e);
}

struct bad_case {
	const char *in;
	const char *why;        /* substring of the error */
};

static const struct bad_case bad_files[] = {
	{ "I6B044F89C42D5A7207B\nV1\n", "version record missing" },
	{ "V2\n", "unsupported" },
	{ "V01\n", "unsupported" },
	{ "V1\nX\n", "unknown record type" },
	{ "V1\n\n", "empty record" },
	{ "V1\nIabcdef012345\n", "invalid queue id" },
	{ "V1\nI1234567\n", "invalid queue id" },                 /* 7 < min */
	{ "V1\nI123456789012345678901234567890123\n", "invalid queue id" }, /* 33 */
	{ "V1\nI12345678/\n", "invalid queue id" },
	{ "V1\nI12345678\nI12345678\n", "duplicate" },
	{ "V1\nT-1\n", "arrival" },
	{ "V1\nT01\n", "arrival" },
	{ "V1\nT\n", "arrival" },
	{ "V1\nT99999999999999999999\n", "arrival" },
	{ "V1\nFa\x01@b.c\n", "control" },
	{ "V1\nFa@b.c\r\n", "control" },
	{ "V1\nFnodomain\n", "" },
	{ "V1\nRa b@c.d\n", "" },
	{ "V1\nA\n", "auth" },
	{ "V1\nI12345678\nT1\nFa@b.c\nRx@y.z\nS1\nT2\n", "duplicate" },
	{ "V1\nI12345678\nT1\nFa@b.c\nS1\nAx\n", "after size" },
	{ "V1\nI12345678\nT1\nFa@b.c\nRx@y.z\nE\n", "incomplete" },   /* no S */
	{ "V1\nI12345678\nT1\nFa@b.c\nS1\nE\n", "incomplete" },      /* no R */
	{ "V1\nI12345678\nT1\nRx@y.z\nS1\nE\n", "incomplete" },      /* no F */
	{ "V1\nI12345678\nT1\nFa@b.c\nRx@y.z\nS1\nEx\n", "end record" },
	{ "V1\nS1x\n", "size" },
};

static void
test_bad_files(void **state)
{
	struct qfile_env e;
	const char *err;

	(void)state;
	qfile_env_init(&e);
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		err = "";
		int r = qfile_parse(bad_files[i].in, strlen(bad_files[i].in), &e, &err);
		if (r != -1 || strstr(err, bad_files[i].why) == NULL)
			fail_msg("case %zu: r=%d err=%s", i, r, err);
	}
	/* An embedded NUL is a control character. */
	assert_int_equal(qfile_parse("V1\nFa\0b@c.d\n", 12, &e, &err), -1);
	qfile_env_free(&e);
}

/* A record of QFILE_LINE_MAX_BYTES (type and LF included) is read; one
 * byte more is "too long", even before its LF arrives. */
static void
test_line_limit(void **state)
{
	char *p = malloc(QFILE_LINE_MAX_BYTES + 16);
	struct qfile_env e;
	const char *err;

	(void)state;
	qfile_env_init(&e);
	for (int extra = -1; extra <= 1; extra++) {
		size_t vlen = QFILE_LINE_MAX_BYTES - 2 + (size_t)(extra);
		memcpy(p, "V1\nZ", 4);
		memset(p + 4, 'x', vlen);
		p[4 + vlen] = '\n';
		int r = qfile_parse(p, 5 + vlen, &e, &err);
		assert_int_equal(r, -1);
		if (extra <= 0)
			assert_non_null(strstr(err, "unknown record type"));
		else
			assert_non_null(strstr(err, "too long"));
		/* Without its LF: need more up to the limit, then an error. */
		r = qfile_parse(p, 4 + vlen, &e, &err);
		assert_int_equal(r, extra <= 0 ? 0 : -1);
	}
	free(p);
	qfile_env_free(&e);
}

static void
test_submission(void **state)
{
	struct qfile_env e;
	const char *err;
	size_t used;
	const char ok[] = "F\nAuser name\nRa@B.example\nRb@c.example\nE\ntrailing";

	(void)state;
	qfile_env_init(&e);
	assert_int_equal(qfile_parse_submission(ok, sizeof(ok) - 1, &e, &used, &err), 1);
	assert_int_equal(used, sizeof(ok) - 1 - strlen("trailing"));
	assert_string_equal(e.sender, "");
	assert_string_equal(e.rcpts[0], "a@b.example");
	assert_string_equal(e.auth, "user name");
	for (size_t n = 0; n < used; n++)
		assert_int_equal(qfile_parse_submission(ok, n, &e, &used, &err), 0);

	static const char *const bad[] = {
		"Rx@y.z\nE\n",                  /* sender first */
		"Fa@b.c\nFa@b.c\nRx@y.z\nE\n",
		"Fa@b.c\nE\n",                  /* no recipients */
		"Fa@b.c\nRlocal\nE\n",          /* no domain */
		"Fa@b.c\nRx@y.z\nQ\nE\n",
		"Fa@b.c\nAx\nAy\nRx@y.z\nE\n",
		"Fa@b.c\nRx@y.z\nE1\n",
		"F<a@b.c>\nRx@y.z\nE\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qfile_parse_submission(bad[i], strlen(bad[i]), &e, &used, &err) != -1)
			fail_msg("submission case %zu accepted", i);
	qfile_env_free(&e);
}

/* QFILE_RCPTS_MAX recipients are fine, one more is refused. */
static void
test_rcpt_limit(void **state)
{
	struct buf b;
	struct qfile_env e;
	const char *err;
	size_t used;

	(void)state;
	buf_init(&b, 0);
	qfile_env_init(&e);
	assert_int_equal(buf_append_str(&b, "Fa@b.c\n"), 0);
	for (int i = 0; i < QFILE_RCPTS_MAX; i++)
		assert_int_equal(buf_printf(&b, "Rr%d@x.example\n", i), 0);
	size_t at_limit = b.len;
	assert_int_equal(buf_append_str(&b, "E\n"), 0);
	assert_int_equal(qfile_parse_submission(b.data, b.len, &e, &used, &err), 1);
	assert_int_equal(e.n_rcpts, QFILE_RCPTS_MAX);
	b.len = at_limit;
	assert_int_equal(buf_append_str(&b, "Rone@more.example\nE\n"), 0);
	assert_int_equal(qfile_parse_submission(b.data, b.len, &e, &used, &err), -1);
	assert_non_null(strstr(err, "too many"));
	qfile_env_free(&e);
	buf_free(&b);
}

static void
test_format_rejects(void **state)
{
	struct qfile_env e;
	struct buf b;
	const char *err;

	(void)state;
	qfile_env_init(&e);
	buf_init(&b, 0);
	snprintf(e.id, sizeof(e.id), "abc");                /* not hex upper */
	assert_int_equal(qfile_env_add_rcpt(&e, "x@y.z", 5, &err), 0);
	assert_int_equal(qfile_format(&e, &b, &err), -1);
	snprintf(e.id, sizeof(e.id), "ABCDEF01");
	assert_int_equal(qfile_format(&e, &b, &err), 0);
	/* A recipient smuggled past qfile_env_add_rcpt is caught again. */
	free(e.rcpts[0]);
	e.rcpts[0] = strdup("x@y.z\nRevil@x.y");
	buf_reset(&b);
	assert_int_equal(qfile_format(&e, &b, &err), -1);
	assert_int_equal(qfile_env_add_rcpt(&e, "x\r@y.z", 6, &err), -1);
	snprintf(e.sender, sizeof(e.sender), "a\n@b.c");
	assert_int_equal(qfile_format(&e, &b, &err), -1);
	qfile_env_free(&e);
	qfile_env_init(&e);
	snprintf(e.id, sizeof(e.id), "ABCDEF01");
	assert_int_equal(qfile_format(&e, &b, &err), -1);   /* no recipients */
	qfile_env_free(&e);
	buf_free(&b);
}

static void
test_make_id(void **state)
{
	char id[QFILE_ID_MAX_BYTES + 1];

	(void)state;
	assert_int_equal(qfile_make_id(0x6B044F89, 999999, 0x12AB, id, sizeof(id)), 0);
	assert_string_equal(id, "6B044F89F423F12AB");
	assert_true(qfile_valid_id(id, strlen(id)));
	assert_int_equal(qfile_make_id(0x6B044F89, 1, (ino_t)-1, id, sizeof(id)), 0);
	assert_true(qfile_valid_id(id, strlen(id)));
	assert_int_equal(strlen(id), 29);
	assert_int_equal(qfile_make_id(1, 1, 1, id, 10), -1);
}

/* qfile_read on files: exact size ok, truncated or extended refused. */
static void
test_read_file(void **state)
{
	char path[] = "/tmp/test_qfile.XXXXXX";
	struct qfile_env e;
	const char *err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	qfile_env_init(&e);
	assert_int_equal(write(fd, good, sizeof(good) - 1), (ssize_t)sizeof(good) - 1);
	assert_int_equal(qfile_read(fd, &e, &err), 0);
	assert_true(e.msg_bytes == 5);
	assert_int_equal(ftruncate(fd, sizeof(good) - 2), 0);
	assert_int_equal(qfile_read(fd, &e, &err), -1);
	assert_non_null(strstr(err, "size"));
	assert_int_equal(pwrite(fd, "oo", 2, sizeof(good) - 2), 2);
	assert_int_equal(qfile_read(fd, &e, &err), -1);
	/* Cut inside the envelope: no END. */
	assert_int_equal(ftruncate(fd, 20), 0);
	assert_int_equal(qfile_read(fd, &e, &err), -1);
	assert_non_null(strstr(err, "end record missing"));
	/* An envelope larger than one read chunk. */
	assert_int_equal(ftruncate(fd, 0), 0);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_append_str(&b, "V1\nI12345678\nT1\nF\n"), 0);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(buf_printf(&b, "Rrecipient%d@example.com\n", i), 0);
	assert_int_equal(buf_append_str(&b, "S0\nE\n"), 0);
	assert_int_equal(pwrite(fd, b.data, b.len, 0), (ssize_t)b.len);
	assert_int_equal(qfile_read(fd, &e, &err), 0);
	assert_int_equal(e.n_rcpts, 2000);
	buf_free(&b);
	qfile_env_free(&e);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_split_feeding),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_submission),
		cmocka_unit_test(test_rcpt_limit),
		cmocka_unit_test(test_format_rejects),
		cmocka_unit_test(test_make_id),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
