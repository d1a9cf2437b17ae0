/*
 * test_dot.c -- the SMTP DATA decoder/encoder (lib/dot.c): end of data,
 * every SMTP smuggling variant, dot-unstuffing, bare CR/LF recording, and
 * split feeding (every split point, every pair of split points, one byte
 * at a time) with identical results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"

#define S(x) x, sizeof(x) - 1
#define NEED_MORE ((size_t)-1)

struct dot_case {
	const char *in;
	size_t in_len;
	const char *out;
	size_t out_len;
	size_t end; /* input bytes consumed up to the end of data, or NEED_MORE */
	bool bare_lf, bare_cr;
};

static const struct dot_case dot_cases[] = {
	/* the end of data */
	{ S(".\r\n"), S(""), 3, false, false },
	{ S("a\r\n.\r\n"), S("a\n"), 6, false, false },
	{ S("\r\n.\r\n"), S("\n"), 5, false, false },
	{ S("a\r\nb\r\n.\r\nQUIT\r\n"), S("a\nb\n"), 9, false, false },
	{ S("a\r\n.\r\n.\r\n"), S("a\n"), 6, false, false },
	{ S("a\r\n.\r\nMAIL FROM:<a@b>\r\n"), S("a\n"), 6, false, false },
	/* dot-unstuffing */
	{ S("..a\r\n.\r\n"), S(".a\n"), 8, false, false },
	{ S("a\r\n..\r\n.\r\n"), S("a\n.\n"), 10, false, false },
	{ S("a\r\n...\r\n.\r\n"), S("a\n..\n"), 11, false, false },
	{ S("a\r\n.b\r\n.\r\n"), S("a\nb\n"), 10, false, false },
	{ S(". \r\n.\r\n"), S(" \n"), 7, false, false },
	{ S("a.\r\nb..\r\n.\r\n"), S("a.\nb..\n"), 12, false, false },
	{ S("..\r\n.\r\n"), S(".\n"), 7, false, false },
	/* SMTP smuggling: none of these end the data */
	{ S("a\n.\nb\r\n.\r\n"), S("a\n.\nb\n"), 10, true, false },
	{ S("a\r.\rb\r\n.\r\n"), S("a\r.\rb\n"), 10, false, true },
	{ S("a\n.\r\nb\r\n.\r\n"), S("a\n.\nb\n"), 11, true, false },
	{ S("a\r\n.\nb\r\n.\r\n"), S("a\n\nb\n"), 11, true, false },
	{ S("a\r\n.\r\rb\r\n.\r\n"), S("a\n\r\rb\n"), 12, false, true },
	{ S("a\r\n.\r\r\n.\r\n"), S("a\n\r\n"), 10, false, true },
	{ S("a\r.\r\nb\r\n.\r\n"), S("a\r.\nb\n"), 11, false, true },
	{ S("a\n.\n"), S("a\n.\n"), NEED_MORE, true, false },
	{ S("a\r.\r"), S("a\r."), NEED_MORE, false, true },
	{ S("a\n.\r\n"), S("a\n.\n"), NEED_MORE, true, false },
	{ S("a\r\n.\n"), S("a\n\n"), NEED_MORE, true, false },
	{ S("\n.\r\n"), S("\n.\n"), NEED_MORE, true, false },
	{ S(".\n"), S("\n"), NEED_MORE, true, false },
	{ S("\r.\r\n"), S("\r.\n"), NEED_MORE, false, true },
	{ S("a\r\r\n.\r\n"), S("a\r\n"), 7, false, true },
	{ S("a\r\n\n.\r\n"), S("a\n\n.\n"), NEED_MORE, true, false },
	{ S("a\r\n.\r\n"), S("a\n"), 6, false, false },
	/* incomplete input */
	{ S(""), S(""), NEED_MORE, false, false },
	{ S("a\r"), S("a"), NEED_MORE, false, false },
	{ S("a\r\n."), S("a\n"), NEED_MORE, false, false },
	{ S("a\r\n.\r"), S("a\n"), NEED_MORE, false, false },
	{ S("a\r\n.x"), S("a\nx"), NEED_MORE, false, false },
	/* binary content passes through */
	{ S("a\0b\r\n\xff\x80\r\n.\r\n"), S("a\0b\n\xff\x80\n"), 12, false,
	  false },
	{ S("\0\r\n.\r\n"), S("\0\n"), 6, false, false },
};

/* Feeds c->in split at the given cut points (ascending, ncuts of them) and
 * checks the result against the case. */
static void
dot_feed_check(const struct dot_case *c, const size_t *cuts, size_t ncuts)
{
	struct dot_decoder d;
	unsigned char out[256];
	size_t o = 0, pos = 0, k, end = NEED_MORE;
	int ret = 0;

	assert_true(c->in_len + 1 <= sizeof(out));
	dot_init(&d);
	for (k = 0; k <= ncuts && ret == 0; k++) {
		size_t stop = k < ncuts ? cuts[k] : c->in_len;
		size_t outlen = 12345, used = 12345;

		assert_true(stop >= pos);
		ret = dot_decode(&d, (const unsigned char *)c->in + pos,
				 stop - pos, out + o, &outlen, &used);
		/* The documented bound: never more than input + 1. */
		assert_true(outlen <= stop - pos + 1);
		if (ret == 0)
			assert_int_equal(used, stop - pos);
		else
			assert_int_equal(ret, 1);
		o += outlen;
		assert_true(o <= sizeof(out));
		pos += used;
		if (ret == 1)
			end = pos;
	}
	if (c->end != end || o != c->out_len || memcmp(out, c->out, o) != 0) {
		fprintf(stderr,
			"case %zu bytes (end %zu, out %zu), cuts:", c->in_len,
			end, o);
		for (k = 0; k < ncuts; k++)
			fprintf(stderr, " %zu", cuts[k]);
		fprintf(stderr, "\n");
	}
	assert_int_equal(end, c->end);
	assert_int_equal(o, c->out_len);
	assert_memory_equal(out, c->out, o);
	assert_int_equal(d.bare_lf, c->bare_lf);
	assert_int_equal(d.bare_cr, c->bare_cr);
	assert_int_equal(d.bytes_out, o);
}

static void
test_dot_whole(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++)
		dot_feed_check(&dot_cases[i], NULL, 0);
}

static void
test_dot_split_every_point(void **state)
{
	size_t i, a, b, cuts[2];

	for (i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
		const struct dot_case *c = &dot_cases[i];

		for (a = 0; a <= c->in_len; a++) {
			cuts[0] = a;
			dot_feed_check(c, cuts, 1);
			for (b = a; b <= c->in_len; b++) {
				cuts[1] = b;
				dot_feed_check(c, cuts, 2);
			}
		}
	}
}

static void
test_dot_one_byte_at_a_time(void **state)
{
	size_t i, k, cuts[64];

	for (i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
		const struct dot_case *c = &dot_cases[i];

		assert_true(c->in_len <= 64);
		for (k = 0; k < c->in_len; k++)
			cuts[k] = k + 1;
		dot_feed_check(c, cuts, c->in_len);
	}
}

/* Lines are counted at each LF produced (the end-of-data line is not). */
static void
test_dot_lines(void **state)
{
	struct dot_decoder d;
	unsigned char out[32];
	size_t outlen, used;
	static const char in[] = "a\r\nb\r\n\r\n.\r\n";

	dot_init(&d);
	assert_int_equal(dot_decode(&d, (const unsigned char *)in,
				    sizeof(in) - 1, out, &outlen, &used),
			 1);
	assert_int_equal(d.lines, 3);
	assert_int_equal(used, sizeof(in) - 1);
}

/* After the end, the decoder consumes nothing more. */
static void
test_dot_after_end(void **state)
{
	struct dot_decoder d;
	unsigned char out[32];
	size_t outlen, used;

	dot_init(&d);
	assert_int_equal(dot_decode(&d, (const unsigned char *)".\r\nX", 4, out,
				    &outlen, &used),
			 1);
	assert_int_equal(used, 3);
	assert_int_equal(dot_decode(&d, (const unsigned char *)"X\r\n", 3, out,
				    &outlen, &used),
			 1);
	assert_int_equal(used, 0);
	assert_int_equal(outlen, 0);
}

/* A long line with no line end at all is streamed, not buffered. */
static void
test_dot_long_line(void **state)
{
	enum { N = 100000 };
	unsigned char *in = malloc(N), *out = malloc(N + 1);
	struct dot_decoder d;
	size_t outlen, used;

	assert_non_null(in);
	assert_non_null(out);
	memset(in, 'x', N);
	dot_init(&d);
	assert_int_equal(dot_decode(&d, in, N, out, &outlen, &used), 0);
	assert_int_equal(outlen, N);
	assert_int_equal(used, N);
	free(in);
	free(out);
}

struct enc_case {
	const char *in;
	size_t in_len;
	const char *out; /* including the end sequence */
	size_t out_len;
};

static const struct enc_case enc_cases[] = {
	{ S(""), S(".\r\n") },
	{ S("a\n"), S("a\r\n.\r\n") },
	{ S("a"), S("a\r\n.\r\n") },
	{ S(".\n"), S("..\r\n.\r\n") },
	{ S("a\n.b\n..\n"), S("a\r\n..b\r\n...\r\n.\r\n") },
	{ S("a.b\n"), S("a.b\r\n.\r\n") },
	{ S("\n\n"), S("\r\n\r\n.\r\n") },
	{ S("."), S("..\r\n.\r\n") },
	{ S("x\0y\n"), S("x\0y\r\n.\r\n") },
};

static void
test_dot_encode(void **state)
{
	size_t i, k;

	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *c = &enc_cases[i];

		/* whole, and every split point */
		for (k = 0; k <= c->in_len; k++) {
			unsigned char out[64];
			int st = 0;
			size_t o;

			o = dot_encode(&st, (const unsigned char *)c->in, k,
				       out);
			o += dot_encode(&st, (const unsigned char *)c->in + k,
					c->in_len - k, out + o);
			o += dot_encode_end(&st, out + o);
			assert_int_equal(st, 0);
			assert_int_equal(o, c->out_len);
			assert_memory_equal(out, c->out, o);
		}
	}
}

/* decode(encode(x)) == x (plus a final LF) for x without CR. */
static void
test_dot_round_trip(void **state)
{
	static const char *msgs[] = {
		"",	   "a",	     "a\n",	".\n",
		"..\n",	   ".\n.\n", "\n.\n\n", "Subject: x\n\n.\n..x\n.",
		"a\n.\nb", "\n",
	};
	size_t i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		const unsigned char *m = (const unsigned char *)msgs[i];
		size_t n = strlen(msgs[i]), e, outlen, used;
		unsigned char enc[128], dec[128];
		struct dot_decoder d;
		int st = 0;

		e = dot_encode(&st, m, n, enc);
		e += dot_encode_end(&st, enc + e);
		dot_init(&d);
		assert_int_equal(dot_decode(&d, enc, e, dec, &outlen, &used),
				 1);
		assert_int_equal(used, e);
		assert_false(d.bare_lf);
		assert_false(d.bare_cr);
		if (n > 0 && m[n - 1] != '\n') {
			assert_int_equal(outlen, n + 1);
			assert_int_equal(dec[n], '\n');
		} else {
			assert_int_equal(outlen, n);
		}
		assert_memory_equal(dec, m, n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dot_whole),
		cmocka_unit_test(test_dot_split_every_point),
		cmocka_unit_test(test_dot_one_byte_at_a_time),
		cmocka_unit_test(test_dot_lines),
		cmocka_unit_test(test_dot_after_end),
		cmocka_unit_test(test_dot_long_line),
		cmocka_unit_test(test_dot_encode),
		cmocka_unit_test(test_dot_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
