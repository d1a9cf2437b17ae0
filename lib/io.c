/*
 * io.c -- buffered fd I/O with timeouts, a session deadline, bounded line
 * reading and a sticky write error (nq:substdio + timeoutread, pf:vstream).
 *
 * Blocking is always done in poll(2), never in read(2)/write(2), when a
 * timeout or deadline is set: with the default functions io polls first and
 * then transfers; with pluggable functions (TLS) io calls them first and
 * polls only when they say EAGAIN, because they may hold buffered data that
 * poll cannot see. Pending output is flushed before any blocking read, so a
 * pipelining client always gets its replies before the server waits.
 *
 * SECURITY: io_getline never holds more than max bytes of a line; an
 * over-long line is consumed up to its LF and reported, so a client cannot
 * make the server buffer unbounded input or resynchronise mid-line. Callers
 * must ignore SIGPIPE (a closed peer then shows up as EPIPE, sticky).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

/* With a timeout active and the default write function, write at most this
 * much per write(2) after POLLOUT: a pipe with POLLOUT has at least PIPE_BUF
 * (4096) bytes free, and a socket a third of its send buffer, so the
 * write does not block past the timeout. */
#define IO_TIMED_WRITE_CHUNK_BYTES 4096

static ssize_t
io_default_read(void *ctx, void *p, size_t len)
{
	struct io *io = ctx;

	return read(io->rfd, p, len);
}

static ssize_t
io_default_write(void *ctx, const void *p, size_t len)
{
	struct io *io = ctx;

	return write(io->wfd, p, len);
}

void
io_init(struct io *io, int rfd, int wfd)
{
	/* Every field but the two buffers: their contents only count up to
	 * rlen and wlen, and not writing them leaves the 32 KiB untouched
	 * until data arrives (an idle quail-imapd session keeps only the
	 * pages it used; most io structs are static, i.e. in bss). */
	io->timeout_secs = 0;
	io->deadline = 0;
	io->rpos = 0;
	io->rlen = 0;
	io->wlen = 0;
	io->werror = 0;
	io->eof = false;
	io->bytes_in = 0;
	io->bytes_out = 0;
	io->rfd = rfd;
	io->wfd = wfd;
	io->read = io_default_read;
	io->write = io_default_write;
	io->ctx = io;
}

void
io_set_fns(struct io *io, io_read_fn *rd, io_write_fn *wr, void *ctx)
{
	io->read = rd != NULL ? rd : io_default_read;
	io->write = wr != NULL ? wr : io_default_write;
	io->ctx = ctx != NULL ? ctx : io;
}

void
io_set_timeout(struct io *io, unsigned secs)
{
	io->timeout_secs = secs;
}

void
io_set_deadline(struct io *io, unsigned secs)
{
	io->deadline = secs ? time(NULL) + (time_t)secs : 0;
}

static bool
io_timed(const struct io *io)
{
	return io->timeout_secs != 0 || io->deadline != 0;
}

static long long
io_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
io_wait(const struct io *io, int fd, short events)
{
	long long start = io_now_ms(), limit_ms, left_ms;
	struct pollfd pfd;
	time_t now;
	int r, ms;

	for (;;) {
		left_ms = -1;
		if (io->timeout_secs != 0) {
			limit_ms = (long long)io->timeout_secs * 1000;
			left_ms = limit_ms - (io_now_ms() - start);
			if (left_ms <= 0)
				goto timeout;
		}
		if (io->deadline != 0) {
			now = time(NULL);
			if (now >= io->deadline)
				goto timeout;
			limit_ms = (long long)(io->deadline - now) * 1000;
			if (left_ms < 0 || limit_ms < left_ms)
				left_ms = limit_ms;
		}
		ms = left_ms > 0x7fffffff ? 0x7fffffff : (int)left_ms;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 0;
		if (r == 0)
			continue;       /* the checks above turn it into ETIMEDOUT */
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
timeout:
	errno = ETIMEDOUT;
	return -1;
}

/* One raw read into p: >0, 0 EOF, -1 error/timeout. */
static ssize_t
io_raw_read(struct io *io, void *p, size_t len)
{
	bool plain = io->read == io_default_read;
	ssize_t n;

	if (plain && io_timed(io) && io_wait(io, io->rfd, POLLIN) < 0)
		return -1;
	for (;;) {
		n = io->read(io->ctx, p, len);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (io_wait(io, io->rfd, POLLIN) < 0)
			return -1;
	}
	if (n == 0)
		io->eof = true;
	io->bytes_in += (unsigned long long)n;
	return n;
}

/* Writes all of p; -1 with errno on error or timeout. */
static int
io_raw_write_all(struct io *io, const unsigned char *p, size_t len)
{
	bool plain = io->write == io_default_write;
	size_t chunk;
	ssize_t w;

	while (len > 0) {
		chunk = len;
		if (plain && io_timed(io)) {
			if (io_wait(io, io->wfd, POLLOUT) < 0)
				return -1;
			if (chunk > IO_TIMED_WRITE_CHUNK_BYTES)
				chunk = IO_TIMED_WRITE_CHUNK_BYTES;
		}
		w = io->write(io->ctx, p, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (io_wait(io, io->wfd, POLLOUT) < 0)
				return -1;
			continue;
		}
		if (w == 0) {
			errno = EIO;    /* a write of 0 bytes would loop forever */
			return -1;
		}
		p += w;
		len -= (size_t)w;
		io->bytes_out += (unsigned long long)w;
	}
	return 0;
}

int
io_flush(struct io *io)
{
	if (io->werror != 0) {
		io->wlen = 0;
		errno = io->werror;
		return -1;
	}
	if (io->wlen == 0)
		return 0;
	if (io_raw_write_all(io, io->wbuf, io->wlen) < 0) {
		io->werror = errno ? errno : EIO;
		io->wlen = 0;
		errno = io->werror;
		return -1;
	}
	io->wlen = 0;
	return 0;
}

int
io_write(struct io *io, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t n;

	if (io->werror != 0) {
		errno = io->werror;
		return -1;
	}
	while (len > 0) {
		if (io->wlen == IO_WBUF_BYTES && io_flush(io) < 0)
			return -1;
		n = IO_WBUF_BYTES - io->wlen;
		if (n > len)
			n = len;
		memcpy(io->wbuf + io->wlen, s, n);
		io->wlen += n;
		s += n;
		len -= n;
	}
	return 0;
}

int
io_puts(struct io *io, const char *s)
{
	return io_write(io, s, strlen(s));
}

int
io_printf(struct io *io, const char *fmt, ...)
{
	char small[1024], *p = small;
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)n >= sizeof(small)) {
		p = malloc((size_t)n + 1);
		if (p == NULL)
			return -1;
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	r = io_write(io, p, (size_t)n);
	if (p != small)
		free(p);
	return r;
}

size_t
io_pending(const struct io *io)
{
	return io->rlen - io->rpos;
}

const unsigned char *
io_peek(const struct io *io)
{
	return io->rbuf + io->rpos;
}

void
io_consume(struct io *io, size_t n)
{
	if (n > io->rlen - io->rpos)
		n = io->rlen - io->rpos;
	io->rpos += n;
	if (io->rpos == io->rlen)
		io->rpos = io->rlen = 0;
}

void
io_discard_input(struct io *io)
{
	io->rpos = io->rlen = 0;
}

ssize_t
io_fill(struct io *io)
{
	ssize_t n;

	if (io->rpos < io->rlen)
		return (ssize_t)(io->rlen - io->rpos);
	io->rpos = io->rlen = 0;
	/* Replies must reach the client before we wait for its next command.
	 * A failed flush is sticky and reported by io_flush/io_write. */
	if (io->wlen > 0)
		(void)io_flush(io);
	n = io_raw_read(io, io->rbuf, sizeof(io->rbuf));
	if (n > 0)
		io->rlen = (size_t)n;
	return n;
}

ssize_t
io_read(struct io *io, void *p, size_t len)
{
	ssize_t n;

	if (len == 0)
		return 0;
	n = io_fill(io);
	if (n <= 0)
		return n;
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(p, io_peek(io), (size_t)n);
	io_consume(io, (size_t)n);
	return n;
}

/* Discards input through the next LF. 1 found, 0 EOF, -1 error. */
static int
io_skip_line(struct io *io)
{
	const unsigned char *lf;
	ssize_t n;

	for (;;) {
		n = io_fill(io);
		if (n <= 0)
			return (int)n;
		lf = memchr(io_peek(io), '\n', (size_t)n);
		if (lf != NULL) {
			io_consume(io, (size_t)(lf - io_peek(io)) + 1);
			return 1;
		}
		io_consume(io, (size_t)n);
	}
}

/* Strips the terminator and computes the flags of a complete line. */
static int
io_line_done(struct buf *line, bool eol, int *flags_r)
{
	int flags = 0;

	if (eol) {
		line->len--;
		if (line->len > 0 && line->data[line->len - 1] == '\r') {
			line->len--;
			flags |= IO_LINE_CRLF;
		} else {
			flags |= IO_LINE_BARE_LF;
		}
		line->data[line->len] = '\0';
	} else {
		flags |= IO_LINE_NO_EOL;
	}
	if (line->len > 0 && memchr(line->data, '\0', line->len) != NULL)
		flags |= IO_LINE_HAS_NUL;
	if (flags_r != NULL)
		*flags_r = flags;
	return IO_LINE_OK;
}

int
io_getline(struct io *io, struct buf *line, size_t max, int *flags_r)
{
	const unsigned char *p, *lf;
	size_t take;
	ssize_t n;

	buf_reset(line);
	if (flags_r != NULL)
		*flags_r = 0;
	for (;;) {
		n = io_fill(io);
		if (n < 0)
			return IO_LINE_ERROR;
		if (n == 0) {
			if (line->len == 0)
				return IO_LINE_EOF;
			return io_line_done(line, false, flags_r);
		}
		if (line->len == max) {
			/* max bytes taken, more arrive, none was the LF. */
			buf_reset(line);
			if (io_skip_line(io) < 0)
				return IO_LINE_ERROR;
			return IO_LINE_TOO_LONG;
		}
		p = io_peek(io);
		take = (size_t)n;
		if (take > max - line->len)
			take = max - line->len;
		lf = memchr(p, '\n', take);
		if (lf != NULL)
			take = (size_t)(lf - p) + 1;
		if (buf_append(line, p, take) < 0)
			return IO_LINE_ERROR;
		io_consume(io, take);
		if (lf != NULL)
			return io_line_done(line, true, flags_r);
	}
}
