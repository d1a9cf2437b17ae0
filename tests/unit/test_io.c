/*
 * test_io.c -- lib/io.c: bounded line reading (limit-1/limit/limit+1, CRLF,
 * bare LF, NUL, partial last line, over-long lines resynchronised at LF),
 * split feeding at every chunk size, timeouts and the session deadline over
 * a socketpair, flush-before-read, sticky write errors, EINTR/EAGAIN from
 * pluggable functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define S(x) x, sizeof(x) - 1
#define MAX_RESULTS 8

struct line_result {
	int r;
	const char *line;       /* NULL: not checked */
	size_t len;
	int flags;
};

struct line_case {
	const char *in;
	size_t in_len;
	size_t max;
	struct line_result res[MAX_RESULTS]; /* terminated by r == IO_LINE_EOF */
};

#define OK(s, f) { IO_LINE_OK, s, sizeof(s) - 1, f }
#define LONG { IO_LINE_TOO_LONG, NULL, 0, 0 }
#define END { IO_LINE_EOF, NULL, 0, 0 }
#define CRLF IO_LINE_CRLF
#define LF IO_LINE_BARE_LF
#define NOEOL IO_LINE_NO_EOL
#define NUL IO_LINE_HAS_NUL

static const struct line_case line_cases[] = {
	{ S(""), 10, { END } },
	{ S("a\r\n"), 10, { OK("a", CRLF), END } },
	{ S("a\nb\r\n"), 10, { OK("a", LF), OK("b", CRLF), END } },
	{ S("\r\n\n"), 10, { OK("", CRLF), OK("", LF), END } },
	{ S("abc"), 10, { OK("abc", NOEOL), END } },
	{ S("abc\r"), 10, { OK("abc\r", NOEOL), END } },
	{ S("a\rb\r\n"), 10, { OK("a\rb", CRLF), END } },
	{ S("a\0b\r\nc\n"), 10, { OK("a\0b", CRLF | NUL), OK("c", LF), END } },
	{ S("\0\n"), 10, { OK("\0", LF | NUL), END } },
	/* limit-1 / limit / limit+1 with max 10, terminator counted */
	{ S("1234567\r\n"), 10, { OK("1234567", CRLF), END } },
	{ S("12345678\r\n"), 10, { OK("12345678", CRLF), END } },
	{ S("123456789\r\nok\r\n"), 10, { LONG, OK("ok", CRLF), END } },
	{ S("123456789\n"), 10, { OK("123456789", LF), END } },
	{ S("1234567890\nok\n"), 10, { LONG, OK("ok", LF), END } },
	{ S("123456789"), 10, { OK("123456789", NOEOL), END } },
	{ S("1234567890"), 10, { OK("1234567890", NOEOL), END } },
	{ S("12345678901"), 10, { LONG, END } },
	/* a very long line is skipped entirely, then reading resumes */
	{ S("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nyy\r\n"), 10,
	  { LONG, OK("yy", CRLF), END } },
	{ S("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
	    "xxxxxxxxxxxxxxxxxxxxx\nz"), 10, { LONG, LONG, OK("z", NOEOL), END } },
	/* max 0: every non-empty input is too long */
	{ S("\n"), 0, { LONG, END } },
	{ S("8bit \xff\xfe\r\n"), 10, { OK("8bit \xff\xfe", CRLF), END } },
};

/* A read function that hands out the input chunk bytes at a time, and
 * optionally fails once with EINTR or EAGAIN before each chunk. */
struct feeder {
	const char *p;
	size_t len, pos, chunk;
	int fail_errno;
	bool failed;
	int reads;
};

static ssize_t
feeder_read(void *ctx, void *p, size_t len)
{
	struct feeder *f = ctx;
	size_t n;

	f->reads++;
	if (f->fail_errno != 0 && !f->failed) {
		f->failed = true;
		errno = f->fail_errno;
		return -1;
	}
	f->failed = false;
	n = f->len - f->pos;
	if (n > f->chunk)
		n = f->chunk;
	if (n > len)
		n = len;
	memcpy(p, f->p + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static void
check_case(const struct line_case *c, struct io *io)
{
	struct buf line;
	int i, r, flags;

	buf_init(&line, 0);
	for (i = 0; i < MAX_RESULTS; i++) {
		r = io_getline(io, &line, c->max, &flags);
		assert_int_equal(r, c->res[i].r);
		if (r == IO_LINE_OK) {
			assert_int_equal(line.len, c->res[i].len);
			assert_memory_equal(line.data, c->res[i].line, line.len);
			assert_int_equal(flags, c->res[i].flags);
		}
		if (c->res[i].r == IO_LINE_EOF)
			break;
	}
	/* EOF is sticky */
	assert_int_equal(io_getline(io, &line, c->max, NULL), IO_LINE_EOF);
	buf_free(&line);
}

static void
test_getline_pipe(void **state)
{
	struct io *io = malloc(sizeof(*io));
	size_t i;
	int p[2];

	(void)state;
	assert_non_null(io);
	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		assert_int_equal(pipe(p), 0);
		assert_int_equal(write(p[1], line_cases[i].in,
		    line_cases[i].in_len), (ssize_t)line_cases[i].in_len);
		close(p[1]);
		io_init(io, p[0], -1);
		io_set_timeout(io, 5);
		check_case(&line_cases[i], io);
		close(p[0]);
	}
	free(io);
}

static void
test_getline_split(void **state)
{
	struct io *io = malloc(sizeof(*io));
	struct feeder f;
	size_t i, chunk;
	int fail;

	(void)state;
	assert_non_null(io);
	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		for (chunk = 1; chunk <= line_cases[i].in_len + 1; chunk++) {
			for (fail = 0; fail < 3; fail++) {
				memset(&f, 0, sizeof(f));
				f.p = line_cases[i].in;
				f.len = line_cases[i].in_len;
				f.chunk = chunk;
				f.fail_errno = fail == 0 ? 0 :
				    fail == 1 ? EINTR : EAGAIN;
				io_init(io, -1, -1);
				io_set_fns(io, feeder_read, NULL, &f);
				if (fail == 2) {
					/* EAGAIN makes io poll rfd: make it
					 * an always-readable fd. */
					int p[2];

					assert_int_equal(pipe(p), 0);
					assert_int_equal(write(p[1], "x", 1), 1);
					io->rfd = p[0];
					check_case(&line_cases[i], io);
					close(p[0]);
					close(p[1]);
				} else {
					check_case(&line_cases[i], io);
				}
			}
		}
	}
	free(io);
}

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_timeout(void **state)
{
	struct io *io = malloc(sizeof(*io));
	struct buf line = BUF_INIT;
	double t0, dt;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	io_init(io, sv[0], sv[0]);
	io_set_timeout(io, 1);
	t0 = now_secs();
	errno = 0;
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_ERROR);
	dt = now_secs() - t0;
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(dt >= 0.9 && dt < 3.0);

	/* a partial line, then silence: still a timeout, not a line */
	assert_int_equal(write(sv[1], "abc", 3), 3);
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_ERROR);
	assert_int_equal(errno, ETIMEDOUT);

	/* the session deadline, without a per-call timeout */
	io_init(io, sv[0], sv[0]);
	io_set_deadline(io, 1);
	t0 = now_secs();
	assert_int_equal(io_fill(io), -1);
	assert_int_equal(errno, ETIMEDOUT);
	dt = now_secs() - t0;
	assert_true(dt < 3.0);
	/* once past, it fails at once */
	t0 = now_secs();
	assert_int_equal(io_read(io, (char[4]){ 0 }, 4), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(now_secs() - t0 < 0.5);
	io_set_deadline(io, 0);
	io_set_timeout(io, 1);
	assert_int_equal(write(sv[1], "x\n", 2), 2);
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal(buf_cstr(&line), "x");
	buf_free(&line);
	close(sv[0]);
	close(sv[1]);
	free(io);
}

/* A peer that answers "PONG" only after it has read "PING": io_getline must
 * flush the buffered PING first or the test times out. */
static void
test_flush_before_read(void **state)
{
	struct io *io = malloc(sizeof(*io));
	struct buf line = BUF_INIT;
	char got[16];
	pid_t pid;
	int sv[2], status;
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t have = 0;

		close(sv[0]);
		alarm(10);
		while (have < 5) {
			n = read(sv[1], got + have, 5 - have);
			if (n <= 0)
				_exit(1);
			have += (size_t)n;
		}
		if (memcmp(got, "PING\n", 5) != 0)
			_exit(2);
		if (write(sv[1], "PONG\r\n", 6) != 6)
			_exit(3);
		_exit(0);
	}
	close(sv[1]);
	io_init(io, sv[0], sv[0]);
	io_set_timeout(io, 5);
	assert_int_equal(io_puts(io, "PING\n"), 0);
	assert_int_equal(io->wlen, 5);          /* still buffered */
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal(buf_cstr(&line), "PONG");
	assert_int_equal(io->bytes_out, 5);
	assert_int_equal(io->bytes_in, 6);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_EOF);
	buf_free(&line);
	close(sv[0]);
	free(io);
}

static void
test_sticky_write_error(void **state)
{
	struct io *io = malloc(sizeof(*io));
	void (*old)(int);
	int p[2];

	(void)state;
	old = signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	io_init(io, -1, p[1]);
	io_set_timeout(io, 2);
	assert_int_equal(io_puts(io, "hello"), 0);      /* buffered */
	assert_int_equal(io_flush(io), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(io->werror, EPIPE);
	errno = 0;
	assert_int_equal(io_puts(io, "again"), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(io_printf(io, "%d", 1), -1);
	assert_int_equal(io_flush(io), -1);
	assert_int_equal(errno, EPIPE);
	close(p[1]);
	signal(SIGPIPE, old);
	free(io);
}

struct sink {
	char data[100000];
	size_t len;
	int calls;
	int fail_first;         /* errno for the first call, 0 none */
	bool zero;              /* return 0 */
};

static ssize_t
sink_write(void *ctx, const void *p, size_t len)
{
	struct sink *s = ctx;

	s->calls++;
	if (s->fail_first != 0 && s->calls == 1) {
		errno = s->fail_first;
		return -1;
	}
	if (s->zero)
		return 0;
	if (len > 1000)
		len = 1000;             /* short writes */
	if (len > sizeof(s->data) - s->len)
		len = sizeof(s->data) - s->len;
	memcpy(s->data + s->len, p, len);
	s->len += len;
	return (ssize_t)len;
}

static void
test_write_fns(void **state)
{
	struct io *io = malloc(sizeof(*io));
	struct sink *s = calloc(1, sizeof(*s));
	char big[40000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	/* short writes and a large write through the buffer */
	io_init(io, -1, -1);
	io_set_fns(io, NULL, sink_write, s);
	s->fail_first = EINTR;
	assert_int_equal(io_write(io, big, sizeof(big)), 0);
	assert_int_equal(io_printf(io, "%s-%d", "end", 7), 0);
	assert_int_equal(io_flush(io), 0);
	assert_int_equal(s->len, sizeof(big) + 5);
	assert_memory_equal(s->data, big, sizeof(big));
	assert_memory_equal(s->data + sizeof(big), "end-7", 5);
	assert_int_equal(io->bytes_out, sizeof(big) + 5);
	/* a long io_printf (heap path) */
	memset(s, 0, sizeof(*s));
	io_init(io, -1, -1);
	io_set_fns(io, NULL, sink_write, s);
	big[2000] = '\0';
	assert_int_equal(io_printf(io, "<%s>", big), 0);
	assert_int_equal(io_flush(io), 0);
	assert_int_equal(s->len, 2002);
	/* a hard error is sticky */
	memset(s, 0, sizeof(*s));
	s->fail_first = EIO;
	io_init(io, -1, -1);
	io_set_fns(io, NULL, sink_write, s);
	assert_int_equal(io_puts(io, "x"), 0);
	assert_int_equal(io_flush(io), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(io_puts(io, "y"), -1);
	assert_int_equal(io_flush(io), -1);
	assert_int_equal(s->calls, 1);
	/* a write function returning 0 must not loop */
	memset(s, 0, sizeof(*s));
	s->zero = true;
	io_init(io, -1, -1);
	io_set_fns(io, NULL, sink_write, s);
	assert_int_equal(io_puts(io, "x"), 0);
	assert_int_equal(io_flush(io), -1);
	assert_int_equal(errno, EIO);
	free(s);
	free(io);
}

static void
test_raw_read(void **state)
{
	struct io *io = malloc(sizeof(*io));
	struct buf line = BUF_INIT;
	char tmp[8];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "line1\nrawbytes", 14), 14);
	close(p[1]);
	io_init(io, p[0], -1);
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal(buf_cstr(&line), "line1");
	assert_int_equal(io_pending(io), 8);
	assert_memory_equal(io_peek(io), "rawbytes", 8);
	io_consume(io, 3);
	assert_int_equal(io_read(io, tmp, 2), 2);
	assert_memory_equal(tmp, "by", 2);
	assert_int_equal(io_fill(io), 3);
	io_discard_input(io);
	assert_int_equal(io_pending(io), 0);
	assert_int_equal(io_read(io, tmp, sizeof(tmp)), 0);
	assert_true(io->eof);
	assert_int_equal(io_read(io, tmp, 0), 0);
	io_consume(io, 100);                    /* more than pending: clamps */
	assert_int_equal(io_pending(io), 0);
	buf_free(&line);
	close(p[0]);
	free(io);
}

/* A line buffer capped below max: an error, not an overflow. */
static void
test_line_buf_cap(void **state)
{
	struct io *io = malloc(sizeof(*io));
	struct buf line;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "0123456789\n", 11), 11);
	close(p[1]);
	io_init(io, p[0], -1);
	buf_init(&line, 5);
	assert_int_equal(io_getline(io, &line, 100, NULL), IO_LINE_ERROR);
	assert_int_equal(errno, E2BIG);
	buf_free(&line);
	close(p[0]);
	free(io);
}

/* Large transfer through a socketpair with a timeout: chunked writes. */
static void
test_large_socket(void **state)
{
	struct io *io = malloc(sizeof(*io));
	static char big[300000];
	pid_t pid;
	int sv[2], status;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static char got[sizeof(big)];
		size_t have = 0;
		ssize_t n;

		close(sv[0]);
		alarm(10);
		while (have < sizeof(got)) {
			n = read(sv[1], got + have, sizeof(got) - have);
			if (n <= 0)
				_exit(1);
			have += (size_t)n;
		}
		_exit(memcmp(got, big, sizeof(big)) == 0 ? 0 : 2);
	}
	close(sv[1]);
	io_init(io, sv[0], sv[0]);
	io_set_timeout(io, 5);
	assert_int_equal(io_write(io, big, sizeof(big)), 0);
	assert_int_equal(io_flush(io), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
	free(io);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getline_pipe),
		cmocka_unit_test(test_getline_split),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_flush_before_read),
		cmocka_unit_test(test_sticky_write_error),
		cmocka_unit_test(test_write_fns),
		cmocka_unit_test(test_raw_read),
		cmocka_unit_test(test_line_buf_cap),
		cmocka_unit_test(test_large_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
