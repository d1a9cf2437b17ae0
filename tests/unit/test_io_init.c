/*
 * test_io_init.c -- io_init() (lib/io.c) on a struct io full of garbage
 * (a reused or never-zeroed struct): every field is reset, the two 16 KiB
 * buffers are not written (an idle session keeps only the buffer pages it
 * used; quail-imapd's io structs are static), and the io then works: a
 * line in, a reply out, on a pipe pair, split across several fills, with
 * stale bytes in the buffers that must never show.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"

#define GARBAGE 0xa5

static struct io io;

static void
test_fields_reset_buffers_untouched(void **state)
{
	size_t i;

	(void)state;
	memset(&io, GARBAGE, sizeof(io));
	io_init(&io, 3, 4);
	assert_int_equal(io.rfd, 3);
	assert_int_equal(io.wfd, 4);
	assert_non_null(io.read);
	assert_non_null(io.write);
	assert_ptr_equal(io.ctx, &io);
	assert_int_equal(io.timeout_secs, 0);
	assert_int_equal(io.deadline, 0);
	assert_int_equal(io.rpos, 0);
	assert_int_equal(io.rlen, 0);
	assert_int_equal(io.wlen, 0);
	assert_int_equal(io.werror, 0);
	assert_false(io.eof);
	assert_int_equal(io.bytes_in, 0);
	assert_int_equal(io.bytes_out, 0);
	assert_int_equal(io_pending(&io), 0);
	/* first, last and a middle byte of each buffer: still garbage */
	for (i = 0; i < IO_RBUF_BYTES; i += IO_RBUF_BYTES / 2 - 1)
		assert_int_equal(io.rbuf[i], GARBAGE);
	assert_int_equal(io.rbuf[IO_RBUF_BYTES - 1], GARBAGE);
	for (i = 0; i < IO_WBUF_BYTES; i += IO_WBUF_BYTES / 2 - 1)
		assert_int_equal(io.wbuf[i], GARBAGE);
	assert_int_equal(io.wbuf[IO_WBUF_BYTES - 1], GARBAGE);
}

static void
test_works_after_init_on_garbage(void **state)
{
	static const char *const parts[] = { "a1 NO", "OP", "\r\n", NULL };
	int in[2], out[2], flags = 0;
	struct buf line;
	char got[64];
	ssize_t n;
	size_t i;

	(void)state;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	memset(&io, GARBAGE, sizeof(io));
	io_init(&io, in[0], out[1]);
	io_set_timeout(&io, 5);
	buf_init(&line, 64);
	/* split feeding: the line arrives in three writes */
	for (i = 0; parts[i] != NULL; i++) {
		assert_int_equal(write(in[1], parts[i], strlen(parts[i])),
				 (ssize_t)strlen(parts[i]));
		if (parts[i + 1] != NULL)
			assert_true(io_fill(&io) > 0);
	}
	assert_int_equal(io_getline(&io, &line, 64, &flags), IO_LINE_OK);
	assert_int_equal(line.len, 7);
	assert_memory_equal(line.data, "a1 NOOP", 7);
	assert_true(flags & IO_LINE_CRLF);
	assert_int_equal(io_pending(&io), 0);
	/* EOF, not stale buffer bytes, after the writer closes */
	close(in[1]);
	assert_int_equal(io_getline(&io, &line, 64, &flags), IO_LINE_EOF);
	/* out: exactly what was written, no garbage from wbuf */
	assert_int_equal(io_puts(&io, "a1 OK done\r\n"), 0);
	assert_int_equal(io_flush(&io), 0);
	close(out[1]);
	n = read(out[0], got, sizeof(got));
	assert_int_equal(n, 12);
	assert_memory_equal(got, "a1 OK done\r\n", 12);
	assert_int_equal(read(out[0], got, sizeof(got)), 0);
	buf_free(&line);
	close(in[0]);
	close(out[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_reset_buffers_untouched),
		cmocka_unit_test(test_works_after_init_on_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
