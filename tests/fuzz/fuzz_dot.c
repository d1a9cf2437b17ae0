/*
 * fuzz_dot.c -- libFuzzer target for lib/dot.c (SMTP DATA).
 *
 * Checks, beyond "no crash":
 * - the end of data is exactly the first CR LF "." CR LF (with the start of
 *   DATA counting as CR LF), found by a naive reference search;
 * - bare_lf / bare_cr agree with a reference scan of the consumed bytes;
 * - feeding the input whole, split at one point, and one byte at a time
 *   gives the same output, end position and flags;
 * - no call writes more than its input plus one byte;
 * - decode(encode(x)) == x for x without CR (a final LF added if missing).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	unsigned char *out;
	size_t outlen;
	size_t end; /* consumed bytes when ret is 1 */
	int ret;
	bool bare_lf, bare_cr;
};

/* Decodes data in chunks of at most step bytes (first chunk first_len). */
static void
decode_run(const uint8_t *data, size_t size, size_t first_len, size_t step,
	   struct run *r)
{
	struct dot_decoder d;
	size_t pos = 0, n = first_len;

	dot_init(&d);
	r->outlen = 0;
	r->ret = 0;
	for (;;) {
		size_t outlen, used;

		if (n > size - pos)
			n = size - pos;
		r->ret = dot_decode(&d, data + pos, n, r->out + r->outlen,
				    &outlen, &used);
		if (outlen > n + 1 || used > n || (r->ret == 0 && used != n))
			abort();
		r->outlen += outlen;
		pos += used;
		if (r->ret == 1 || pos >= size)
			break;
		n = step;
	}
	r->end = pos;
	r->bare_lf = d.bare_lf;
	r->bare_cr = d.bare_cr;
	if (d.bytes_out != r->outlen)
		abort();
}

static void
same_run(const struct run *a, const struct run *b)
{
	if (a->ret != b->ret || a->outlen != b->outlen ||
	    (a->ret == 1 && a->end != b->end) || a->bare_lf != b->bare_lf ||
	    a->bare_cr != b->bare_cr || memcmp(a->out, b->out, a->outlen) != 0)
		abort();
}

/* The reference: first "\r\n.\r\n" in "\r\n" + data. */
static void
check_reference(const uint8_t *data, size_t size, const struct run *r)
{
	size_t i, end = 0;
	bool found = false, lf = false, cr = false;

	if (size >= 3 && memcmp(data, ".\r\n", 3) == 0) {
		found = true;
		end = 3;
	} else {
		const uint8_t *m = memmem(data, size, "\r\n.\r\n", 5);

		if (m != NULL) {
			found = true;
			end = (size_t)(m - data) + 5;
		}
	}
	if (found != (r->ret == 1) || (found && end != r->end))
		abort();
	if (!found)
		end = size;
	for (i = 0; i < end; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			lf = true;
		if (data[i] == '\r' && i + 1 < end && data[i + 1] != '\n')
			cr = true;
	}
	if (lf != r->bare_lf || cr != r->bare_cr)
		abort();
}

static void
check_round_trip(const uint8_t *data, size_t size)
{
	unsigned char *msg = malloc(size + 1), *enc = malloc(2 * size + 8);
	unsigned char *dec = malloc(2 * size + 9);
	struct dot_decoder d;
	size_t i, n = 0, e, outlen, used;
	int st = 0;

	if (msg == NULL || enc == NULL || dec == NULL)
		abort();
	for (i = 0; i < size; i++)
		if (data[i] != '\r')
			msg[n++] = data[i];
	/* encode in two pieces to exercise the streaming state */
	e = dot_encode(&st, msg, n / 2, enc);
	e += dot_encode(&st, msg + n / 2, n - n / 2, enc + e);
	e += dot_encode_end(&st, enc + e);
	if (e > 2 * n + 5)
		abort();
	dot_init(&d);
	if (dot_decode(&d, enc, e, dec, &outlen, &used) != 1 || used != e ||
	    d.bare_lf || d.bare_cr)
		abort();
	if (n > 0 && msg[n - 1] != '\n')
		msg[n++] = '\n';
	if (outlen != n || memcmp(dec, msg, n) != 0)
		abort();
	free(msg);
	free(enc);
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole, split, bytes;
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;

	whole.out = malloc(size + 1);
	split.out = malloc(size + 2);
	bytes.out = malloc(2 * size + 1);
	if (whole.out == NULL || split.out == NULL || bytes.out == NULL)
		abort();
	decode_run(data, size, size, size, &whole);
	if (whole.outlen > size + 1)
		abort();
	check_reference(data, size, &whole);
	decode_run(data, size, cut, size, &split);
	same_run(&whole, &split);
	if (size <= 4096) {
		decode_run(data, size, 1, 1, &bytes);
		same_run(&whole, &bytes);
	}
	check_round_trip(data, size);
	free(whole.out);
	free(split.out);
	free(bytes.out);
	return 0;
}
