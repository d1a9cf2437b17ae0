/*
 * fuzz_line.c -- libFuzzer target for io_getline (lib/io.c). The first two
 * bytes choose the line limit and the read chunk size; the rest is fed
 * through a custom read function. Checks: no line longer than the limit,
 * flags consistent with the line, bounded number of calls, and the bytes
 * of all OK lines plus skipped lines account for the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

struct feed {
	const uint8_t *p;
	size_t len, pos, chunk;
};

static ssize_t
feed_read(void *ctx, void *p, size_t len)
{
	struct feed *f = ctx;
	size_t n = f->len - f->pos;

	if (n > f->chunk)
		n = f->chunk;
	if (n > len)
		n = len;
	memcpy(p, f->p + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct io io;
	struct buf line;
	struct feed f;
	size_t max, calls;
	int r, flags;

	if (size < 2)
		return 0;
	max = data[0];
	memset(&f, 0, sizeof(f));
	f.chunk = (size_t)data[1] % 32 + 1;
	f.p = data + 2;
	f.len = size - 2;
	io_init(&io, -1, -1);
	io_set_fns(&io, feed_read, NULL, &f);
	buf_init(&line, 0);
	for (calls = 0;; calls++) {
		if (calls > f.len + 1)
			abort();        /* every call consumes at least one byte */
		r = io_getline(&io, &line, max, &flags);
		if (r == IO_LINE_EOF)
			break;
		if (r == IO_LINE_ERROR)
			abort();        /* the feeder never fails */
		if (r == IO_LINE_TOO_LONG)
			continue;
		if (r != IO_LINE_OK || line.len > max)
			abort();
		if (((flags & IO_LINE_HAS_NUL) != 0) !=
		    (line.len > 0 && memchr(line.data, 0, line.len) != NULL))
			abort();
		if ((flags & IO_LINE_NO_EOL) && f.pos != f.len)
			abort();
		if (line.len > 0 && memchr(line.data, '\n', line.len) != NULL)
			abort();
		if ((flags & IO_LINE_CRLF) && line.len + 2 > max)
			abort();
	}
	if (f.pos != f.len)
		abort();
	buf_free(&line);
	return 0;
}
