/*
 * io.h -- buffered fd I/O with per-call timeouts, a session deadline,
 * bounded line reading and a sticky write error.
 *
 * The read and write functions are pluggable so that TLS can be slid in
 * underneath (STARTTLS) without the protocol code noticing. Before any
 * blocking read, pending output is flushed (pipelining-safe).
 *
 * Return convention: see each function. Timeouts set errno = ETIMEDOUT.
 */
#ifndef QUAIL_IO_H
#define QUAIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

#define IO_RBUF_BYTES 16384
#define IO_WBUF_BYTES 16384

/* Raw transfer functions: like read(2)/write(2) on ctx; -1 with errno. They
 * may return -1/EAGAIN, in which case io polls io->fd for want_read/write. */
typedef ssize_t io_read_fn(void *ctx, void *p, size_t len);
typedef ssize_t io_write_fn(void *ctx, const void *p, size_t len);

/* io_init() sets every field but rbuf and wbuf one by one (it does not
 * touch the buffers): a field added here must be added there too. */
struct io {
	int rfd;                /* fd polled for reading */
	int wfd;                /* fd polled for writing */
	io_read_fn *read;       /* default: read(2) on rfd */
	io_write_fn *write;     /* default: write(2) on wfd */
	void *ctx;              /* passed to read/write; default: the io itself */
	unsigned timeout_secs;  /* per blocking call; 0 = none */
	time_t deadline;        /* absolute session deadline; 0 = none */
	unsigned char rbuf[IO_RBUF_BYTES];
	size_t rpos, rlen;      /* unread bytes are rbuf[rpos..rlen) */
	unsigned char wbuf[IO_WBUF_BYTES];
	size_t wlen;
	int werror;             /* sticky errno of the first failed write, 0 if none */
	bool eof;
	unsigned long long bytes_in, bytes_out;
};

/* Initialises for plain fds (rfd may equal wfd). */
void io_init(struct io *io, int rfd, int wfd);
/* Replaces the transfer functions (e.g. TLS); buffered data is kept. */
void io_set_fns(struct io *io, io_read_fn *rd, io_write_fn *wr, void *ctx);
void io_set_timeout(struct io *io, unsigned secs);
/* Session deadline secs from now (0 clears). */
void io_set_deadline(struct io *io, unsigned secs);

enum io_line {
	IO_LINE_OK = 1,        /* line in line_r (terminator stripped) */
	IO_LINE_EOF = 0,       /* clean EOF before any byte of a line */
	IO_LINE_ERROR = -1,    /* read error or timeout (errno; ETIMEDOUT) */
	IO_LINE_TOO_LONG = -2, /* longer than max; input skipped to the next LF */
};
/* Line flags set in *flags_r (may be NULL) on IO_LINE_OK. */
#define IO_LINE_CRLF    0x1 /* ended by CRLF */
#define IO_LINE_BARE_LF 0x2 /* ended by LF without CR */
#define IO_LINE_NO_EOL  0x4 /* EOF ended the line (partial last line) */
#define IO_LINE_HAS_NUL 0x8 /* contained a NUL byte */

/* Reads one line of at most max bytes (terminator included in the count)
 * into line (reset first). Flushes pending output before blocking. */
int io_getline(struct io *io, struct buf *line, size_t max, int *flags_r);

/* Makes buffered input available: returns bytes now in rbuf (>0), 0 at EOF,
 * -1 on error/timeout. Does not block if input is already buffered. */
ssize_t io_fill(struct io *io);
/* Bytes of input buffered and not yet consumed. */
size_t io_pending(const struct io *io);
/* Pointer to buffered input (io_pending bytes) and consume n of them. */
const unsigned char *io_peek(const struct io *io);
void io_consume(struct io *io, size_t n);
/* Drops all buffered input (STARTTLS: no plaintext may survive the switch). */
void io_discard_input(struct io *io);
/* Reads up to len raw bytes (blocks at most once). >0, 0 EOF, -1 error. */
ssize_t io_read(struct io *io, void *p, size_t len);

/* Waits until fd (io->rfd or io->wfd) is ready for events (POLLIN,
 * POLLOUT), bounded by io's per-call timeout and session deadline; used by
 * the plug-in transfer functions (lib/tls.c) as well. 0 ready (or
 * error/hangup: the transfer reports it), -1 with errno (ETIMEDOUT). */
int io_wait(const struct io *io, int fd, short events);

/* Buffered output; errors are sticky and reported by io_flush. 0 / -1. */
int io_write(struct io *io, const void *p, size_t len);
int io_puts(struct io *io, const char *s);
int io_printf(struct io *io, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int io_flush(struct io *io);

#endif
