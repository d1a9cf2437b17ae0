/*
 * test_mime_decode.c -- lib/mime_decode.c: RFC 2047 encoded words (valid,
 * invalid, the white space rule between adjacent words, split multibyte
 * characters), quoted-printable (soft breaks, invalid escapes, padding),
 * base64 (white space, garbage, missing padding), charsets to UTF-8
 * (built in and iconv, failures keep the bytes), part bodies for SEARCH,
 * and the output cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define S(x) x, sizeof(x) - 1

struct dec_case {
	const char *in;
	size_t in_len;
	const char *out;
	size_t out_len;
};

static void
run_cases(const struct dec_case *c, size_t n,
	  int (*fn)(const char *, size_t, struct buf *), const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct buf b;

		buf_init(&b, 0);
		assert_int_equal(fn(c[i].in, c[i].in_len, &b), 0);
		if (b.len != c[i].out_len ||
		    memcmp(buf_cstr(&b), c[i].out, b.len) != 0)
			fail_msg("%s case %zu: got [%.*s] (%zu), want [%s]",
				 what, i, (int)b.len, buf_cstr(&b), b.len,
				 c[i].out);
		buf_free(&b);
	}
}

static const struct dec_case word_cases[] = {
	{ S("plain text"), S("plain text") },
	{ S("=?utf-8?q?caf=C3=A9?="), S("caf\xc3\xa9") },
	{ S("=?UTF-8?B?SsO8cmdlbg==?="), S("J\xc3\xbcrgen") },
	{ S("=?ISO-8859-1?Q?Fran=E7ois?="), S("Fran\xc3\xa7ois") },
	{ S("=?iso-8859-1?b?RnJhbudvaXM=?="), S("Fran\xc3\xa7ois") },
	{ S("=?utf-8?q?a_b?="), S("a b") },
	/* RFC 2047 section 8 examples */
	{ S("(=?ISO-8859-1?Q?a?=)"), S("(a)") },
	{ S("(=?ISO-8859-1?Q?a?= b)"), S("(a b)") },
	{ S("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), S("(ab)") },
	{ S("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"), S("(ab)") },
	{ S("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), S("(ab)") },
	{ S("(=?ISO-8859-1?Q?a_b?=)"), S("(a b)") },
	{ S("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), S("(a b)") },
	/* white space before a word and after one, before text, is kept */
	{ S("x =?utf-8?q?y?= z"), S("x y z") },
	/* a UTF-8 character split across two words */
	{ S("=?utf-8?b?w6k=?= =?utf-8?b?w6k=?="), S("\xc3\xa9\xc3\xa9") },
	{ S("=?utf-8?q?=C3?= =?utf-8?q?=A9?="), S("\xc3\xa9") },
	/* invalid: kept */
	{ S("=?utf-8?x?abc?="), S("=?utf-8?x?abc?=") },
	{ S("=?utf-8?q?abc"), S("=?utf-8?q?abc") },
	{ S("=??q?abc?="), S("=??q?abc?=") },
	{ S("=?utf-8?q?a b?="), S("=?utf-8?q?a b?=") },
	{ S("=?utf 8?q?ab?="), S("=?utf 8?q?ab?=") },
	{ S("=?"), S("=?") },
	{ S("a=?utf-8?q?b?=c"), S("abc") },
	/* invalid escapes inside a Q word are kept */
	{ S("=?utf-8?q?=ZZ=4?="), S("=ZZ=4") },
	/* RFC 2231 language in the charset */
	{ S("=?US-ASCII*EN?Q?Keith_Moore?="), S("Keith Moore") },
	/* unknown charset: the bytes as they are */
	{ S("=?x-nonsense?q?=E9t=E9?="), S("\xe9t\xe9") },
	/* folding removed, other white space kept */
	{ S("a\r\n b"), S("a b") },
	{ S("=?utf-8?q?a?=\n"), S("a") },
	{ S(""), S("") },
	{ S("=?utf-8?q?" "?="), S("") }, /* split: no trigraph */
	{ S("=?windows-1252?q?=80=93?="), S("\xe2\x82\xac\xe2\x80\x9c") },
	{ S("=?iso-8859-15?q?=A4?="), S("\xe2\x82\xac") },
	/* a charset through iconv */
	{ S("=?koi8-r?b?8NLJ18XU?="),
	  S("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82") },
	/* NUL bytes are not special */
	{ S("a\0=?utf-8?q?b?="), S("a\0b") },
};

static void
test_decode_words(void **state)
{
	(void)state;
	run_cases(word_cases, sizeof(word_cases) / sizeof(word_cases[0]),
		  mime_decode_words, "words");
}

static const struct dec_case qp_cases[] = {
	{ S("plain"), S("plain") },
	{ S("a=3Db"), S("a=b") },
	{ S("a=3db"), S("a=b") },
	{ S("caf=C3=A9\n"), S("caf\xc3\xa9\n") },
	{ S("soft=\nbreak\n"), S("softbreak\n") },
	{ S("soft=\r\nbreak\r\n"), S("softbreak\r\n") },
	{ S("soft=  \nbreak"), S("softbreak") },
	{ S("trailing   \nspace\t\n"), S("trailing\nspace\n") },
	{ S("bad=ZZ=4"), S("bad=ZZ=4") },
	{ S("bad=4\n"), S("bad=4\n") },
	{ S("end="), S("end") },
	{ S("=\n=\n"), S("") },
	{ S("a\r\r\nb"), S("a\r\nb") },
	{ S("="), S("") },
	{ S("=0"), S("=0") },
	{ S("=00"), S("\0") },
	{ S(""), S("") },
	{ S("\n\n"), S("\n\n") },
};

static void
test_qp(void **state)
{
	(void)state;
	run_cases(qp_cases, sizeof(qp_cases) / sizeof(qp_cases[0]),
		  mime_qp_decode, "qp");
}

static const struct dec_case b64_cases[] = {
	{ S("aGVsbG8="), S("hello") },
	{ S("aGVsbG8"), S("hello") },
	{ S("aGVs\r\nbG8=\r\n"), S("hello") },
	{ S("  aG Vs\tbG8 = "), S("hello") },
	{ S("aGVsbA=="), S("hell") },
	{ S("aGVsbA"), S("hell") },
	{ S("aGVsbA=aGVsbA=="), S("hell") },
	{ S("a!G@V#s$b%G^8&"), S("hello") },
	{ S("YQ"), S("a") },
	{ S("Y"), S("") },
	{ S(""), S("") },
	{ S("===="), S("") },
	{ S("AAEC"), S("\0\1\2") },
	{ S("/+/+"), S("\xff\xef\xfe") },
};

static void
test_base64(void **state)
{
	(void)state;
	run_cases(b64_cases, sizeof(b64_cases) / sizeof(b64_cases[0]),
		  mime_base64_decode, "base64");
}

struct cs_case {
	const char *charset;
	const char *in;
	size_t in_len;
	int ret;
	const char *out;
};

static const struct cs_case cs_cases[] = {
	{ NULL, S("abc"), 1, "abc" },
	{ "us-ascii", S("abc"), 1, "abc" },
	{ "US-ASCII", S("a\xe9"), 0, "a\xe9" },
	{ "utf-8", S("\xc3\xa9"), 1, "\xc3\xa9" },
	{ "UTF8", S("\xc3"), 0, "\xc3" },
	{ "utf-8", S("\xed\xa0\x80"), 0, "\xed\xa0\x80" }, /* surrogate */
	{ "utf-8", S("\xc0\xaf"), 0, "\xc0\xaf" },         /* overlong */
	{ "utf-8", S("\xf0\x9f\x98\x80"), 1, "\xf0\x9f\x98\x80" },
	{ "iso-8859-1", S("\xe9\xff"), 1, "\xc3\xa9\xc3\xbf" },
	{ "latin1", S("\x80"), 1, "\xc2\x80" },
	{ "ISO-8859-15", S("\xa4\xbd"), 1, "\xe2\x82\xac\xc5\x93" },
	{ "windows-1252", S("\x80\x81\x9f\xe9"), 1,
	  "\xe2\x82\xac\xc2\x81\xc5\xb8\xc3\xa9" },
	{ "cp1252", S("\x93q\x94"), 1, "\xe2\x80\x9cq\xe2\x80\x9d" },
	{ "koi8-r", S("\xf0"), 1, "\xd0\x9f" },
	{ "shift_jis", S("\x82\xa0"), 1, "\xe3\x81\x82" },
	{ "x-unknown", S("\xe9"), 0, "\xe9" },
	{ "utf-8//translit", S("x"), 0, "x" },     /* odd name: not tried */
	{ "iso-2022-jp", S("\x1b$B\xff\xff"), 0, "\x1b$B\xff\xff" },
	{ "", S("x"), 1, "x" },
};

static void
test_charsets(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cs_cases) / sizeof(cs_cases[0]); i++) {
		struct buf b;
		int r;

		buf_init(&b, 0);
		r = mime_charset_to_utf8(cs_cases[i].charset, cs_cases[i].in,
					 cs_cases[i].in_len, &b);
		if (r != cs_cases[i].ret || strcmp(buf_cstr(&b),
						   cs_cases[i].out) != 0)
			fail_msg("charset case %zu (%s): %d [%s]", i,
				 cs_cases[i].charset ? cs_cases[i].charset
						     : "NULL", r,
				 buf_cstr(&b));
		buf_free(&b);
	}
}

/* The cap of the output buffer is an error, not an overflow. */
static void
test_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(mime_qp_decode(S("0123456789"), &b), -1);
	assert_int_equal(errno, E2BIG);
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(mime_decode_words(S("=?utf-8?q?0123456789?="), &b),
			 -1);
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(mime_charset_to_utf8("latin1", S("\xe9\xe9\xe9"), &b),
			 -1);
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(mime_base64_decode(S("aGVsbG8gd29ybGQ="), &b), -1);
	buf_free(&b);
}

/* Bodies of the corpus decoded for SEARCH. */
static char *
read_eml(const char *name, size_t *len_r)
{
	const char *src = getenv("QUAIL_SRC");
	char path[1024];
	FILE *f;
	char *p;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/mime/%s",
		 src != NULL ? src : ".", name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	p = malloc(65536);
	assert_non_null(p);
	n = fread(p, 1, 65536, f);
	fclose(f);
	*len_r = n;
	return p;
}

static void
body_is(const char *file, const unsigned *nums, size_t n, const char *want)
{
	size_t len;
	char *p = read_eml(file, &len);
	struct mime_message *m;
	const struct mime_part *part;
	const char *error;
	struct buf b;

	assert_int_equal(mime_parse(p, len, 0, &m, &error), 0);
	part = mime_part_find(m, nums, n);
	assert_non_null(part);
	buf_init(&b, 0);
	assert_int_equal(mime_body_decode(p, part, &b), 0);
	if (strcmp(buf_cstr(&b), want) != 0)
		fail_msg("%s: [%s]", file, buf_cstr(&b));
	buf_free(&b);
	mime_free(&m);
	free(p);
}

static void
test_bodies(void **state)
{
	static const unsigned one = 1, two = 2;
	size_t len;
	char *p;
	struct mime_message *m;
	const char *error;
	struct buf b;
	const unsigned *none = NULL;

	(void)state;
	body_is("encoded_words.eml", none, 0, "Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f"
					       "e!\n");
	body_is("alternative.eml", &one, 1,
		"Save 20 % this week \xe2\x80\x93 only online.\n"
		"Visit https://shop.example/offers?id=48 for details.\n");
	body_is("eightbit.eml", none, 0, "K\xc3\xa4se und Br\xc3\xb6tchen\n");
	body_is("plain.eml", none, 0, "Hi Bob,\n\nare we still on for lunch "
				      "tomorrow at noon?\n\nAlice\n");

	/* base64 attachment: exact bytes back */
	p = read_eml("mixed_attach.eml", &len);
	assert_int_equal(mime_parse(p, len, 0, &m, &error), 0);
	buf_init(&b, 0);
	assert_int_equal(mime_body_decode(p, mime_part_find(m, &two, 1), &b),
			 0);
	assert_int_equal(b.len, 9 + 256 + 7);
	assert_memory_equal(b.data, "%PDF-1.4\n\0\1\2", 12);
	assert_memory_equal(b.data + 9 + 256, "\n%%EOF\n", 7);
	buf_free(&b);
	mime_free(&m);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_words),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
