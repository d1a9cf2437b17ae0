/*
 * test_mutf7.c -- lib/mutf7.c: modified UTF-7 round trips (RFC 3501
 * 5.1.3 examples, "&-", emoji as surrogate pairs, every BMP code point),
 * every non-canonical and malformed form the decoder must refuse, invalid
 * UTF-8 the encoder must refuse, and the Maildir++ folder name check at
 * its length limit and against escapes, control characters and wildcards.
 */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mutf7.h"

struct pair {
	const char *utf8, *mutf7;
};

static const struct pair pairs[] = {
	{ "", "" },
	{ "INBOX", "INBOX" },
	{ "Sent Items", "Sent Items" },
	{ "&", "&-" },
	{ "a&b&&", "a&-b&-&-" },
	{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
	{ "\xc3\xa9", "&AOk-" },
	{ "\xc3\xa9\xc3\xa9", "&AOkA6Q-" },
	{ "\xc3\xa9&", "&AOk-&-" },
	{ "\xc3\xa9&\xc3\xa9", "&AOk-&-&AOk-" },
	/* RFC 3501 5.1.3 example */
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8"
	  "\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	/* U+1F600 as the surrogate pair D83D DE00 */
	{ "\xf0\x9f\x98\x80", "&2D3eAA-" },
	{ "\xe2\x82\xac"
	  "x\xf0\x9f\x98\x80y",
	  "&IKw-x&2D3eAA-y" },
	{ "\xf4\x8f\xbf\xbf", "&2,,f,w-" }, /* U+10FFFF */
	{ "\x01", "&AAE-" },
	{ "\x7f", "&AH8-" },
	{ "a\x1f"
	  "b",
	  "a&AB8-b" },
};

static void
test_round_trips(void **state)
{
	const char *error = NULL;
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];

		buf_init(&b, 0);
		if (mutf7_from_utf8(p->utf8, strlen(p->utf8), &b, &error) < 0)
			fail_msg("encode %s: %s", p->mutf7, error);
		if (strcmp(buf_cstr(&b), p->mutf7) != 0)
			fail_msg("encode: got %s want %s", buf_cstr(&b),
				 p->mutf7);
		buf_reset(&b);
		if (mutf7_to_utf8(p->mutf7, strlen(p->mutf7), &b, &error) < 0)
			fail_msg("decode %s: %s", p->mutf7, error);
		assert_int_equal(b.len, strlen(p->utf8));
		assert_memory_equal(b.data ? b.data : "", p->utf8, b.len);
		assert_true(mutf7_is_valid(p->mutf7, strlen(p->mutf7)));
		buf_free(&b);
	}
}

/* Every BMP code point but NUL and the surrogates, plus astral ones. */
static void
test_every_code_point(void **state)
{
	const char *error = NULL;
	struct buf u, m, back;
	uint32_t cp;
	char s[8];
	size_t n;

	buf_init(&u, 0);
	buf_init(&m, 0);
	buf_init(&back, 0);
	for (cp = 1; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 0xfff) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			s[0] = (char)cp, n = 1;
		} else if (cp < 0x800) {
			s[0] = (char)(0xc0 | (cp >> 6));
			s[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
		} else if (cp < 0x10000) {
			s[0] = (char)(0xe0 | (cp >> 12));
			s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
		} else {
			s[0] = (char)(0xf0 | (cp >> 18));
			s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
		}
		/* "x<cp>y<cp><cp>" exercises runs of 1 and 2 units */
		buf_reset(&u);
		buf_putc(&u, 'x');
		buf_append(&u, s, n);
		buf_putc(&u, 'y');
		buf_append(&u, s, n);
		buf_append(&u, s, n);
		buf_reset(&m);
		buf_reset(&back);
		if (mutf7_from_utf8(u.data, u.len, &m, &error) < 0 ||
		    mutf7_to_utf8(m.data, m.len, &back, &error) < 0)
			fail_msg("U+%04X: %s", (unsigned)cp, error);
		assert_int_equal(back.len, u.len);
		assert_memory_equal(back.data, u.data, u.len);
		/* modified BASE64 never produces "/" */
		if (cp != '/')
			assert_null(memchr(m.data, '/', m.len));
	}
	buf_free(&u);
	buf_free(&m);
	buf_free(&back);
}

static const char *const bad_mutf7[] = {
	"&",	      /* unterminated */
	"a&AOk",      /* unterminated */
	"&AOk-&AOk-", /* two shifts where one would do */
	"&AGE-",      /* "a" encoded */
	"&ACA-",      /* " " encoded */
	"&ACY-",      /* "&" encoded */
	"&AH4-",      /* "~" encoded */
	"&AAA-",      /* NUL */
	"&AO-",	      /* 12 leftover bits */
	"&A-",	      /* 6 leftover bits */
	"&AOl-",      /* non-zero padding bits */
	"&AOkA-",     /* a whole extra digit */
	"&2D0-",      /* lone high surrogate */
	"&3gA-",      /* lone low surrogate */
	"&2D3YPQ-",   /* high surrogate then a high one */
	"&AOnYPQ-",   /* BMP char then high surrogate at the end */
	"&Jjo!-",     /* not base64 */
	"&AOk/-",     /* "/" is standard base64, not modified */
	"&AOk=-",     /* padding */
	"\x80",	      /* raw 8-bit */
	"Entw\xc3\xbcrfe",
	"a\tb", /* raw control */
	"\x7f",
	"a\rb",
};

static void
test_bad_mutf7(void **state)
{
	const char *error;
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(bad_mutf7) / sizeof(bad_mutf7[0]); i++) {
		buf_init(&b, 0);
		error = NULL;
		if (mutf7_to_utf8(bad_mutf7[i], strlen(bad_mutf7[i]), &b,
				  &error) == 0)
			fail_msg("accepted %s", bad_mutf7[i]);
		assert_non_null(error);
		assert_false(
			mutf7_is_valid(bad_mutf7[i], strlen(bad_mutf7[i])));
		buf_free(&b);
	}
	/* embedded NUL in the input */
	assert_false(mutf7_is_valid("a\0b", 3));
}

struct bad_utf8 {
	const char *s;
	size_t len;
};

static const struct bad_utf8 bad_utf8[] = {
	{ "\xc3", 1 },		   /* truncated */
	{ "a\xe2\x82", 3 },	   /* truncated */
	{ "\xc0\xaf", 2 },	   /* overlong "/" */
	{ "\xc1\xbf", 2 },	   /* overlong */
	{ "\xe0\x80\xaf", 3 },	   /* overlong */
	{ "\xf0\x80\x80\xaf", 4 }, /* overlong */
	{ "\xed\xa0\x80", 3 },	   /* surrogate D800 */
	{ "\xed\xbf\xbf", 3 },	   /* surrogate DFFF */
	{ "\xf4\x90\x80\x80", 4 }, /* > U+10FFFF */
	{ "\xf5\x80\x80\x80", 4 },
	{ "\xff", 1 },
	{ "\x80", 1 },	   /* lone continuation */
	{ "\xc3\x28", 2 }, /* bad continuation */
	{ "a\0b", 3 },	   /* NUL */
};

static void
test_bad_utf8(void **state)
{
	const char *error;
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		buf_init(&b, 0);
		error = NULL;
		if (mutf7_from_utf8(bad_utf8[i].s, bad_utf8[i].len, &b,
				    &error) == 0)
			fail_msg("accepted case %zu", i);
		assert_non_null(error);
		buf_free(&b);
	}
}

static const char *const good_names[] = {
	"INBOX", "Sent", "a.b", "a.b.c", "Entw&APw-rfe",   "&-",
	"a b",	 "~x",	 "a,b", "a-b",	 "&AOk-.&2D3eAA-", "[Gmail].Sent Mail",
	"a\\b",
};

static const char *const bad_names[] = {
	"",	 "..",	  ".",	    ".a",   "a.",   "a..b",	"a/b",
	"/",	 "../x",  "a/../b", "a%",   "a*",   "&AAE-",	"&AH8-",
	"&AIA-", "&AJ8-", "&AGE-",  "\x01", "a\tb", "\xc3\xa9", "&AOk",
};

static void
test_maildir_names(void **state)
{
	const char *error;
	char name[MUTF7_MAILDIR_NAME_MAX_BYTES + 2];
	size_t i;

	for (i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++) {
		error = NULL;
		if (mutf7_maildir_name_check(good_names[i],
					     strlen(good_names[i]), &error) < 0)
			fail_msg("refused %s: %s", good_names[i], error);
	}
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		error = NULL;
		if (mutf7_maildir_name_check(bad_names[i], strlen(bad_names[i]),
					     &error) == 0)
			fail_msg("accepted %s", bad_names[i]);
		assert_non_null(error);
	}
	/* NUL inside */
	assert_int_equal(mutf7_maildir_name_check("a\0b", 3, &error), -1);
	/* length limit - 1, limit, limit + 1 */
	memset(name, 'n', sizeof(name));
	assert_int_equal(
		mutf7_maildir_name_check(name, MUTF7_MAILDIR_NAME_MAX_BYTES - 1,
					 &error),
		0);
	assert_int_equal(mutf7_maildir_name_check(
				 name, MUTF7_MAILDIR_NAME_MAX_BYTES, &error),
			 0);
	assert_int_equal(
		mutf7_maildir_name_check(name, MUTF7_MAILDIR_NAME_MAX_BYTES + 1,
					 &error),
		-1);
	assert_string_equal(error, "Mailbox name too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_every_code_point),
		cmocka_unit_test(test_bad_mutf7),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_maildir_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
