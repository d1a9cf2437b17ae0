/*
 * test_imap_search.c -- lib/imap_search.c: parsing every RFC 3501 6.4.4
 * search key (and RETURN, CHARSET) from arguments split by lib/imapparse,
 * refusing malformed programs with a reason, the nesting and key-count
 * limits at limit-1/limit/limit+1, case folding, header field extraction
 * (encoded words, folding, repeated fields), address keys against the
 * rendered address list, BODY over decoded text parts
 * only, TEXT, the date keys (internal date in local time, Date: in its
 * own zone, fallback), sequence and UID sets with '*', keywords, and the
 * laziness of evaluation (which accessors a search calls).
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
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "imap_mbox.h"
#include "imap_search.h"
#include "imapparse.h"

/* ---- helpers ---- */

/* Parses "t SEARCH <keys>\r\n" with a post-login parser; the parser is
 * kept in *parser_r (it owns the argument tree). 0 / -1 (*error_r). */
static int
parse_keys(const char *keys, struct imap_parser **parser_r,
	   struct imap_search_program **prog_r, bool *badcs_r,
	   const char **error_r)
{
	struct imap_parser_limits l;
	struct imap_parser *parser;
	const struct imap_command *cmd;
	struct buf line = BUF_INIT;
	size_t used;
	enum imap_parse_result r;

	imap_parser_limits_postauth(&l, 1024 * 1024);
	parser = imap_parser_new(&l);
	assert_non_null(parser);
	assert_int_equal(buf_printf(&line, "t SEARCH %s\r\n", keys), 0);
	r = imap_parser_feed(parser, (const unsigned char *)line.data, line.len,
			     &used);
	buf_free(&line);
	*parser_r = parser;
	if (r != IMAP_PARSE_COMMAND) {
		/* refused by lib/imapparse already */
		*prog_r = NULL;
		*badcs_r = false;
		*error_r = imap_parser_error(parser);
		return -1;
	}
	cmd = imap_parser_command(parser);
	return imap_search_parse(cmd->args, cmd->n, true, prog_r, badcs_r,
				 error_r);
}

/* A parsed program, bound to a mailbox of count messages with max_uid. */
static struct imap_search_program *
compile(const char *keys, uint32_t count, uint32_t max_uid)
{
	struct imap_parser *parser;
	struct imap_search_program *prog;
	const char *error = NULL;
	bool badcs;

	if (parse_keys(keys, &parser, &prog, &badcs, &error) < 0)
		fail_msg("%s: %s", keys, error);
	imap_parser_free(&parser);
	imap_search_bind(prog, count, max_uid, NULL, NULL);
	return prog;
}

/* A test message: text, internal date; counts accessor calls. */
struct tmsg {
	const char *text;
	time_t idate;
	unsigned date_calls, field_calls, header_calls, message_calls;
	bool fail;
};

static int
t_date(void *ctx, time_t *t_r, const char **error_r)
{
	struct tmsg *m = ctx;

	m->date_calls++;
	if (m->fail) {
		*error_r = "injected";
		return -1;
	}
	*t_r = m->idate;
	return 0;
}

static int
t_field(void *ctx, const char *name, struct buf *out, bool *found_r,
	const char **error_r)
{
	struct tmsg *m = ctx;
	int r;

	m->field_calls++;
	r = imap_search_header_values(m->text, strlen(m->text), name, out);
	if (r < 0) {
		*error_r = "oom";
		return -1;
	}
	*found_r = r > 0;
	return 0;
}

static int
t_header(void *ctx, const char **p_r, size_t *len_r, const char **error_r)
{
	struct tmsg *m = ctx;

	(void)error_r;
	m->header_calls++;
	*p_r = m->text;
	*len_r = strlen(m->text);
	return 0;
}

static int
t_message(void *ctx, const char **p_r, size_t *len_r, const char **error_r)
{
	struct tmsg *m = ctx;

	m->message_calls++;
	if (m->fail) {
		*error_r = "injected";
		return -1;
	}
	*p_r = m->text;
	*len_r = strlen(m->text);
	return 0;
}

static const struct imap_search_msg_ops ops_nofield = { t_date, NULL, t_header,
							t_message };
static const struct imap_search_msg_ops ops_field = { t_date, t_field, t_header,
						      t_message };

static int
match_ops(const char *keys, struct tmsg *tm, uint32_t flags,
	  const struct imap_search_msg_ops *ops)
{
	struct imap_search_program *prog = compile(keys, 10, 100);
	struct imap_search_msg m = { 3, 30, flags, 0x5, 1000, ops, tm };
	const char *error = NULL;
	int r = imap_search_match(prog, &m, &error);

	imap_search_free(&prog);
	return r;
}

/* Matches both with and without the field accessor; they must agree. */
static int
match(const char *keys, const char *text, uint32_t flags)
{
	struct tmsg a = { text, 0, 0, 0, 0, 0, false };
	struct tmsg b = { text, 0, 0, 0, 0, 0, false };
	int r1 = match_ops(keys, &a, flags, &ops_nofield);
	int r2 = match_ops(keys, &b, flags, &ops_field);

	if (r1 != r2)
		fail_msg("%s: %d without field(), %d with", keys, r1, r2);
	return r1;
}

static const char msg_plain[] = "From: =?ISO-8859-1?Q?Andr=E9?= Smith "
				"<andre@example.com>\n"
				"To: Bob <bob@example.org>,\n"
				"  Carol <carol@example.net>\n"
				"Cc: dave@example.com\n"
				"Subject: Quarterly "
				"=?UTF-8?B?w6lUw6kgcmVwb3J0?= numbers\n"
				"Date: Tue, 1 Feb 1994 23:30:00 -0500\n"
				"X-Empty:\n"
				"X-Twice: first\n"
				"X-Twice: second\n"
				"\n"
				"Hello World, the ZEBRA crossed.\n"
				"Stra\xc3\x9f"
				"e and \xc3\x89"
				"COLE and \xc5\x81\xc3\x93"
				"D\xc5\xb9\n";

static const char msg_mime[] = "From: x@example.com\n"
			       "Subject: mime\n"
			       "MIME-Version: 1.0\n"
			       "Content-Type: multipart/mixed; "
			       "boundary=\"BB\"\n"
			       "\n"
			       "preamble words\n"
			       "--BB\n"
			       "Content-Type: text/plain; charset=iso-8859-1\n"
			       "Content-Transfer-Encoding: quoted-printable\n"
			       "\n"
			       "Caf=E9 soft=\n"
			       "break here\n"
			       "--BB\n"
			       "Content-Type: text/html; charset=utf-8\n"
			       "Content-Transfer-Encoding: base64\n"
			       "\n"
			       "PGI+QmFzZTY0IGh0bWw8L2I+\n"
			       "--BB\n"
			       "Content-Type: application/octet-stream\n"
			       "Content-Transfer-Encoding: base64\n"
			       "\n"
			       "U2VjcmV0QXR0YWNobWVudA==\n"
			       "--BB\n"
			       "Content-Type: message/rfc822\n"
			       "\n"
			       "Subject: inner subject words\n"
			       "\n"
			       "inner body\n"
			       "--BB--\n"
			       "epilogue words\n";

/* ---- parsing ---- */

static void
test_parse_good(void **state)
{
	static const char *const good[] = {
		"ALL",
		"ANSWERED",
		"BCC x",
		"BEFORE 1-Feb-1994",
		"BEFORE \"01-Feb-1994\"",
		"BODY \"a b\"",
		"CC x",
		"DELETED",
		"DRAFT",
		"FLAGGED",
		"FROM {3+}\r\nabc",
		"HEADER X-Foo \"\"",
		"KEYWORD $Label1",
		"LARGER 100",
		"NEW",
		"NOT SEEN",
		"OLD",
		"ON 31-Dec-2000",
		"OR SEEN FLAGGED",
		"RECENT",
		"SEEN",
		"SENTBEFORE 1-jan-2000",
		"SENTON 29-Feb-2000",
		"SENTSINCE 1-Feb-1994",
		"SINCE 1-Feb-1994",
		"SMALLER 5",
		"SUBJECT NIL",
		"TEXT x",
		"TO x",
		"UID 1:*",
		"UNANSWERED",
		"UNDELETED",
		"UNDRAFT",
		"UNFLAGGED",
		"UNKEYWORD foo",
		"UNSEEN",
		"1,3:5,*",
		"*",
		"(SEEN FLAGGED) (OR (ALL) NOT 1)",
		"CHARSET UTF-8 ALL",
		"charset us-ascii all",
		"all seen",
		"RETURN (MIN) ALL",
		"RETURN () ALL",
		"RETURN (COUNT ALL MAX) CHARSET utf-8 ALL",
		"LARGER 18446744073709551615",
	};
	struct imap_parser *parser;
	struct imap_search_program *prog;
	const char *error;
	bool badcs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		error = NULL;
		if (parse_keys(good[i], &parser, &prog, &badcs, &error) < 0)
			fail_msg("%s: %s", good[i], error);
		imap_search_free(&prog);
		assert_null(prog);
		imap_parser_free(&parser);
	}
}

static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"FOO",
		"\"ALL\"",
		"FROM",
		"BEFORE",
		"BEFORE 1-Foo-1994",
		"BEFORE 32-Jan-1994",
		"BEFORE 29-Feb-1900",
		"BEFORE 1-Feb-94",
		"BEFORE 001-Feb-1994",
		"BEFORE 1-Feb-19945",
		"BEFORE NIL",
		"BEFORE (1-Feb-1994)",
		"LARGER",
		"LARGER x",
		"LARGER -1",
		"LARGER 18446744073709551616",
		"LARGER \"5\"",
		"KEYWORD",
		"KEYWORD \\Seen",
		"KEYWORD (x)",
		"HEADER",
		"HEADER X",
		"HEADER \"\" x",
		"NOT",
		"OR SEEN",
		"OR",
		"()",
		"(SEEN",
		"UID",
		"UID x",
		"UID 0",
		"0",
		"1:",
		"$",
		"1,,2",
		"CHARSET",
		"CHARSET UTF-8",
		"RETURN ALL",
		"RETURN (SAVE) ALL",
		"RETURN (MIN)",
		"(SEEN ())",
		"SEEN FOO",
		"SUBJECT (x)",
	};
	struct imap_parser *parser;
	struct imap_search_program *prog;
	const char *error;
	bool badcs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		prog = (struct imap_search_program *)&error; /* poison */
		if (parse_keys(bad[i], &parser, &prog, &badcs, &error) == 0)
			fail_msg("%s: parsed", bad[i]);
		assert_null(prog);
		assert_non_null(error);
		assert_false(badcs);
		imap_parser_free(&parser);
	}
}

static void
test_parse_badcharset(void **state)
{
	struct imap_parser *parser;
	struct imap_search_program *prog;
	const char *error = NULL;
	bool badcs = false;

	(void)state;
	assert_int_equal(parse_keys("CHARSET ISO-8859-1 ALL", &parser, &prog,
				    &badcs, &error),
			 -1);
	assert_true(badcs);
	assert_null(prog);
	imap_parser_free(&parser);
	assert_int_equal(parse_keys("CHARSET \"KOI8-R\" FROM x", &parser, &prog,
				    &badcs, &error),
			 -1);
	assert_true(badcs);
	imap_parser_free(&parser);
}

static void
test_parse_return(void **state)
{
	static const struct {
		const char *keys;
		unsigned ret;
	} cases[] = {
		{ "ALL", 0 },
		{ "RETURN () ALL", IMAP_SEARCH_RETURN_ALL },
		{ "RETURN (MIN) ALL", IMAP_SEARCH_RETURN_MIN },
		{ "RETURN (min MAX count) ALL",
		  IMAP_SEARCH_RETURN_MIN | IMAP_SEARCH_RETURN_MAX |
			  IMAP_SEARCH_RETURN_COUNT },
		{ "RETURN (ALL ALL) SEEN", IMAP_SEARCH_RETURN_ALL },
	};
	struct imap_parser *parser;
	struct imap_search_program *prog;
	const char *error;
	bool badcs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_keys(cases[i].keys, &parser, &prog,
					    &badcs, &error),
				 0);
		assert_int_equal(imap_search_return(prog), cases[i].ret);
		imap_search_free(&prog);
		imap_parser_free(&parser);
	}
	/* a client that may not use RETURN */
	{
		struct imap_parser_limits l;
		const struct imap_command *cmd;
		size_t used;
		const char *line = "t SEARCH RETURN (MIN) ALL\r\n";

		imap_parser_limits_postauth(&l, 1024);
		parser = imap_parser_new(&l);
		assert_int_equal(imap_parser_feed(parser,
						  (const unsigned char *)line,
						  strlen(line), &used),
				 IMAP_PARSE_COMMAND);
		cmd = imap_parser_command(parser);
		assert_int_equal(imap_search_parse(cmd->args, cmd->n, false,
						   &prog, &badcs, &error),
				 -1);
		imap_parser_free(&parser);
	}
}

/* limit-1 / limit / limit+1 of nesting and key count */
static void
test_limits(void **state)
{
	struct imap_parser *parser;
	struct imap_search_program *prog;
	const char *error;
	bool badcs;
	struct buf b = BUF_INIT;
	int nots, keys, i;

	(void)state;
	/* NOT^k ALL nests k+1 levels */
	for (nots = IMAP_SEARCH_DEPTH_MAX - 2; nots <= IMAP_SEARCH_DEPTH_MAX;
	     nots++) {
		buf_reset(&b);
		for (i = 0; i < nots; i++)
			buf_append_str(&b, "NOT ");
		buf_append_str(&b, "ALL");
		int r = parse_keys(b.data, &parser, &prog, &badcs, &error);

		assert_int_equal(r, nots + 1 <= IMAP_SEARCH_DEPTH_MAX ? 0 : -1);
		if (r == 0) {
			struct imap_search_msg m = { 1, 1, 0, 0, 0, NULL, NULL };

			/* odd NOTs: no match */
			assert_int_equal(imap_search_match(prog, &m, &error),
					 nots % 2 == 0 ? 1 : 0);
		}
		imap_search_free(&prog);
		imap_parser_free(&parser);
	}
	for (keys = IMAP_SEARCH_KEYS_MAX - 1; keys <= IMAP_SEARCH_KEYS_MAX + 1;
	     keys++) {
		buf_reset(&b);
		for (i = 0; i < keys; i++)
			buf_append_str(&b, i ? " SEEN" : "SEEN");
		int r = parse_keys(b.data, &parser, &prog, &badcs, &error);

		assert_int_equal(r, keys <= IMAP_SEARCH_KEYS_MAX ? 0 : -1);
		imap_search_free(&prog);
		imap_parser_free(&parser);
	}
	/* a list counts as a key too */
	buf_reset(&b);
	buf_append_str(&b, "(");
	for (i = 0; i < IMAP_SEARCH_KEYS_MAX; i++)
		buf_append_str(&b, i ? " ALL" : "ALL");
	buf_append_str(&b, ")");
	assert_int_equal(parse_keys(b.data, &parser, &prog, &badcs, &error),
			 -1);
	imap_parser_free(&parser);
	buf_free(&b);
}

/* ---- folding and helpers ---- */

static void
test_fold(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "ABC xyz 09", "abc xyz 09" },
		{ "\xc3\x89"
		  "COLE",
		  "\xc3\xa9"
		  "cole" },				    /* É */
		{ "\xc3\x97\xc3\x9f", "\xc3\x97\xc3\x9f" }, /* × ß kept */
		{ "\xc3\x80\xc3\x9e", "\xc3\xa0\xc3\xbe" }, /* À Þ */
		{ "\xc2\xb5", "\xce\xbc" },		    /* µ -> μ */
		{ "\xc4\x80\xc4\x81", "\xc4\x81\xc4\x81" }, /* Ā ā */
		{ "\xc5\x81\xc5\x82", "\xc5\x82\xc5\x82" }, /* Ł ł */
		{ "\xc5\xb8", "\xc3\xbf" },		    /* Ÿ -> ÿ */
		{ "\xc5\xbf", "s" },			    /* ſ -> s */
		{ "\xc4\xb0\xc4\xb1", "\xc4\xb0\xc4\xb1" }, /* İ ı kept */
		{ "\xc5\xbd\xc5\xbe", "\xc5\xbe\xc5\xbe" }, /* Ž ž */
		{ "\xce\xa3\xcf\x82", "\xcf\x83\xcf\x83" }, /* Σ ς -> σ σ */
		{ "\xd0\x96\xd0\x81", "\xd0\xb6\xd1\x91" }, /* Ж Ё */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },	    /* € 3 bytes */
		{ "\xc3", "\xc3" },			    /* truncated */
		{ "\xc3(", "\xc3(" },			    /* invalid */
		{ "\xff\xfe"
		  "A",
		  "\xff\xfe"
		  "a" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		assert_int_equal(imap_search_fold(cases[i].in,
						  strlen(cases[i].in), &b),
				 0);
		assert_int_equal(b.len, strlen(cases[i].out));
		assert_memory_equal(b.data, cases[i].out, b.len);
	}
	buf_free(&b);
}

static void
test_header_values(void **state)
{
	struct buf b = BUF_INIT;
	const char *h = msg_plain;

	(void)state;
	assert_int_equal(imap_search_header_values(h, strlen(h), "to", &b), 1);
	assert_string_equal(b.data, "bob <bob@example.org>,  carol "
				    "<carol@example.net>");
	buf_reset(&b);
	assert_int_equal(imap_search_header_values(h, strlen(h), "FROM", &b),
			 1);
	assert_string_equal(b.data, "andr\xc3\xa9 smith <andre@example.com>");
	buf_reset(&b);
	assert_int_equal(imap_search_header_values(h, strlen(h), "x-twice", &b),
			 1);
	assert_memory_equal(b.data, "first\001second", 13);
	buf_reset(&b);
	assert_int_equal(imap_search_header_values(h, strlen(h), "x-empty", &b),
			 1);
	assert_int_equal(b.len, 0);
	assert_int_equal(imap_search_header_values(h, strlen(h), "x-none", &b),
			 0);
	/* body text is no header */
	assert_int_equal(imap_search_header_values(h, strlen(h),
						   "hello world, the "
						   "zebra crossed.",
						   &b),
			 0);
	/* an encoded word hiding a line break and the separator */
	buf_reset(&b);
	h = "Subject: =?utf-8?q?a=0Ab=01c=00d?=\n\nbody";
	assert_int_equal(imap_search_header_values(h, strlen(h), "subject", &b),
			 1);
	assert_string_equal(b.data, "a b c d");
	buf_free(&b);
}

/* The header record agrees with imap_search_header_values() field by
 * field; damaged records are refused, never read past their end. */
static void
test_header_record(void **state)
{
	static const char *const names[] = { "from", "to",	"cc",
					     "bcc",  "subject", "date" };
	static const char *const headers[] = {
		NULL, /* msg_plain */
		"Subject: =?utf-8?q?a=0Ab=01c=00d?=\n\nbody",
		"To: a@x\nTO: b@y\nCc:\nSubject: s\r\n\r\nFrom: not@hdr\n",
		"",
		"no colon at all\n",
	};
	static const char *const bad[] = {
		"",
		"2+0:-0:-0:-0:-0:-0:",
		"1+0:-0:-0:-0:-0:",
		"1+5:ab",
		"1x0:-0:-0:-0:-0:-0:",
		"1+:-0:-0:-0:-0:-0:",
		"1+0-0:-0:-0:-0:-0:",
		"1+9999999999:",
		"1+0:-0:-0:-0:-0:-1:",
	};
	struct buf rec = BUF_INIT, want = BUF_INIT;
	const char *v;
	size_t i, k, vlen;
	bool found;
	int r;

	(void)state;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const char *h = headers[i] != NULL ? headers[i] : msg_plain;

		buf_reset(&rec);
		assert_int_equal(imap_search_header_record(h, strlen(h), &rec),
				 0);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			buf_reset(&want);
			r = imap_search_header_values(h, strlen(h), names[k],
						      &want);
			assert_true(r >= 0);
			found = !r;
			assert_int_equal(imap_search_record_find(
						 rec.data, rec.len, names[k],
						 &v, &vlen, &found),
					 1);
			assert_int_equal(found, r == 1);
			assert_int_equal(vlen, want.len);
			if (vlen > 0)
				assert_memory_equal(v, want.data, vlen);
		}
		/* not a field of the record */
		assert_int_equal(imap_search_record_find(rec.data, rec.len,
							 "x-twice", &v, &vlen,
							 &found),
				 0);
		/* every truncation is refused or stays inside */
		for (k = 0; k < rec.len; k++)
			if (imap_search_record_find(rec.data, k, "date", &v,
						    &vlen, &found) == 1)
				assert_true(v + vlen <= rec.data + k);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(imap_search_record_find(bad[i], strlen(bad[i]),
							 "date", &v, &vlen,
							 &found),
				 0);
	/* a well-formed record by hand */
	v = NULL;
	assert_int_equal(imap_search_record_find("1+1:a-0:+2:bc-0:+0:-0:", 22,
						 "cc", &v, &vlen, &found),
			 1);
	assert_true(found);
	assert_int_equal(vlen, 2);
	assert_memory_equal(v, "bc", 2);
	buf_free(&rec);
	buf_free(&want);
}

static void
test_sent_day(void **state)
{
	static const struct {
		const char *date;
		int ok;
		int64_t day;
	} cases[] = {
		/* 1994-02-01 is day 8797 */
		{ "Tue, 1 Feb 1994 23:30:00 -0500", 0, 8797 },
		{ "Tue, 1 Feb 1994 23:30:00 +0000", 0, 8797 },
		{ "1 Feb 1994 00:10:00 +0100", 0, 8797 },
		{ "tue, 1 feb 1994 23:30:00 est", 0, 8797 },
		{ "Tue, 1 Feb 1994 23:30 GMT", 0, 8797 },
		{ "Thu, 1 Jan 1970 00:00:00 +0000", 0, 0 },
		{ "Wed, 31 Dec 1969 23:00:00 +0000", 0, -1 },
		{ "garbage", -1, 0 },
		{ "", -1, 0 },
	};
	size_t i;
	int64_t day;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = imap_search_sent_day(cases[i].date,
					     strlen(cases[i].date), &day);

		if (r != cases[i].ok)
			fail_msg("%s: %d", cases[i].date, r);
		if (r == 0 && day != cases[i].day)
			fail_msg("%s: day %lld", cases[i].date, (long long)day);
	}
}

/* ---- evaluation ---- */

static void
test_flags(void **state)
{
	static const struct {
		const char *keys;
		uint32_t flags;
		int want;
	} cases[] = {
		{ "ALL", 0, 1 },
		{ "SEEN", IMAP_MBOX_SEEN, 1 },
		{ "SEEN", 0, 0 },
		{ "UNSEEN", 0, 1 },
		{ "ANSWERED", IMAP_MBOX_ANSWERED, 1 },
		{ "UNANSWERED", IMAP_MBOX_ANSWERED, 0 },
		{ "DELETED", IMAP_MBOX_DELETED, 1 },
		{ "UNDELETED", IMAP_MBOX_DELETED, 0 },
		{ "DRAFT", IMAP_MBOX_DRAFT, 1 },
		{ "UNDRAFT", 0, 1 },
		{ "FLAGGED", IMAP_MBOX_FLAGGED | IMAP_MBOX_SEEN, 1 },
		{ "UNFLAGGED", IMAP_MBOX_FLAGGED, 0 },
		{ "RECENT", IMAP_MBOX_RECENT, 1 },
		{ "NEW", IMAP_MBOX_RECENT, 1 },
		{ "NEW", IMAP_MBOX_RECENT | IMAP_MBOX_SEEN, 0 },
		{ "NEW", 0, 0 },
		{ "OLD", IMAP_MBOX_RECENT, 0 },
		{ "OLD", IMAP_MBOX_SEEN, 1 },
		{ "NOT SEEN", IMAP_MBOX_SEEN, 0 },
		{ "OR SEEN DELETED", IMAP_MBOX_DELETED, 1 },
		{ "OR SEEN DELETED", IMAP_MBOX_DRAFT, 0 },
		{ "SEEN DELETED", IMAP_MBOX_SEEN, 0 },
		{ "(SEEN DELETED)", IMAP_MBOX_SEEN | IMAP_MBOX_DELETED, 1 },
		{ "NOT (SEEN DELETED)", IMAP_MBOX_SEEN, 1 },
		{ "OR (SEEN DELETED) NOT FLAGGED", IMAP_MBOX_FLAGGED, 0 },
		/* the message: seq 3, uid 30, vsize 1000 of 10 / max 100 */
		{ "3", 0, 1 },
		{ "1:2,4:*", 0, 0 },
		{ "*", 0, 0 },
		{ "2:*", 0, 1 },
		{ "UID 30", 0, 1 },
		{ "UID 31:*", 0, 0 },
		{ "UID *:31", 0, 0 },
		{ "UID *:29", 0, 1 }, /* 29:100 */
		{ "UID 1,30", 0, 1 },
		{ "LARGER 999", 0, 1 },
		{ "LARGER 1000", 0, 0 },
		{ "SMALLER 1001", 0, 1 },
		{ "SMALLER 1000", 0, 0 },
		{ "NOT LARGER 1000 NOT SMALLER 1000", 0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmsg tm = { "", 0, 0, 0, 0, 0, false };
		int r = match_ops(cases[i].keys, &tm, cases[i].flags,
				  &ops_field);

		if (r != cases[i].want)
			fail_msg("%s (flags %#x): %d", cases[i].keys,
				 cases[i].flags, r);
		/* flag-only searches open nothing */
		assert_int_equal(tm.date_calls + tm.field_calls +
					 tm.header_calls + tm.message_calls,
				 0);
	}
}

static int
kw_lookup(void *ctx, const char *name)
{
	(void)ctx;
	if (strcasecmp(name, "$Label1") == 0)
		return 0;
	if (strcasecmp(name, "work") == 0)
		return 2;
	if (strcasecmp(name, "other") == 0)
		return 1;
	return -1;
}

static void
test_keywords(void **state)
{
	static const struct {
		const char *keys;
		int want;
	} cases[] = {
		{ "KEYWORD $label1", 1 },   { "KEYWORD WORK", 1 },
		{ "KEYWORD other", 0 },	    { "KEYWORD unknown", 0 },
		{ "UNKEYWORD unknown", 1 }, { "UNKEYWORD other", 1 },
		{ "UNKEYWORD work", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct imap_search_program *prog = compile(cases[i].keys, 1, 1);
		/* keywords 0 and 2 set */
		struct imap_search_msg m = { 1, 1, 0, 0x5, 0, NULL, NULL };
		const char *error;

		imap_search_bind(prog, 1, 1, kw_lookup, NULL);
		assert_int_equal(imap_search_match(prog, &m, &error),
				 cases[i].want);
		imap_search_free(&prog);
	}
}

static void
test_headers(void **state)
{
	static const struct {
		const char *keys;
		int want;
	} cases[] = {
		{ "FROM andre", 1 },
		{ "FROM \"ANDR\xc3\x89\"", 1 }, /* decoded, case-folded */
		{ "FROM \"andr\xc3\xa9 smith\"", 1 },
		{ "FROM =?ISO", 0 }, /* the raw form is not searched */
		{ "FROM bob", 0 },
		{ "TO carol", 1 },	      /* folded over two lines */
		{ "TO \"org>,  carol\"", 1 }, /* the whole field text */
		{ "CC DAVE@", 1 },
		{ "BCC x", 0 },
		{ "BCC \"\"", 0 }, /* no Bcc field */
		{ "CC \"\"", 1 },
		{ "SUBJECT \"\xc3\xa9t\xc3\xa9\"", 1 },
		{ "SUBJECT \"\xc3\x89T\xc3\x89 REPORT NUMBERS\"", 1 },
		{ "SUBJECT zebra", 0 },
		{ "HEADER X-Empty \"\"", 1 },
		{ "HEADER x-empty x", 0 },
		{ "HEADER X-Missing \"\"", 0 },
		{ "HEADER X-TWICE second", 1 },
		{ "HEADER X-Twice first", 1 },
		{ "HEADER X-Twice \"firstsecond\"", 0 },
		{ "HEADER Date 1994", 1 },
		{ "HEADER Subject: x", 0 },
		{ "NOT FROM andre", 0 },
		{ "OR FROM nobody TO bob", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = match(cases[i].keys, msg_plain, 0);

		if (r != cases[i].want)
			fail_msg("%s: %d", cases[i].keys, r);
	}
}

/* FROM, TO, CC, BCC also match the envelope's address structure (RFC 3501
 * 6.4.4): the list parsed and rendered "name <mailbox@host>" without
 * comments, quotes and white space (imaptest search-addresses). */
static const char msg_addr[] =
	"From: <user-from (comment)@ (comment) domain.org>\n"
	"From: other@q.org\n"
	"To: \"Doe, John\" <john (x) . doe @ example . com>,\n"
	" plain@example.net (Plain Name)\n"
	"Cc: Team: a@x.org, b (B comment) @y.org;, after@z.org\n"
	"Bcc: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>\n"
	"Reply-To: <r (c) @ r.org>\n"
	"Sender: (only a comment)\n"
	"\n"
	"body\n";

static void
test_addresses(void **state)
{
	static const struct {
		const char *keys;
		int want;
	} cases[] = {
		{ "FROM user-from@domain.org", 1 },
		{ "FROM USER-FROM@DOMAIN.ORG", 1 },
		{ "FROM \"user-from@\"", 1 },
		{ "FROM \"@domain.org\"", 1 },
		{ "FROM comment", 1 },	      /* the text itself */
		{ "FROM \"(comment)@\"", 1 }, /* ditto */
		{ "FROM \"<user-from@domain.org>\"", 0 }, /* no name: bare */
		{ "FROM other@q.org", 1 },		  /* second field */
		{ "FROM \"user-from@domain.org, other\"", 0 }, /* never spans */
		{ "FROM \"domain.org\001other\"", 0 },
		{ "FROM nobody@domain.org", 0 },
		{ "TO john.doe@example.com", 1 },
		{ "TO \"doe, john <john.doe@example.com>\"", 1 },
		{ "TO \"plain name <plain@example.net>\"", 1 },
		{ "TO \"<john.doe@example.com>, plain name <\"", 1 },
		{ "TO \"john.doe@example.com, plain@\"", 0 },
		{ "CC \"team: a@x.org, b@y.org;\"", 1 },
		{ "CC b@y.org", 1 },
		{ "CC after@z.org", 1 },
		{ "BCC \"J\xc3\x96RG <joerg@example.de>\"", 1 },
		{ "NOT FROM user-from@domain.org", 0 },
		{ "OR FROM x@y.z CC b@y.org", 1 },
		/* HEADER searches the text only, as Dovecot */
		{ "HEADER From user-from@domain.org", 0 },
		{ "HEADER Reply-To r@r.org", 0 },
		{ "HEADER To john.doe@example.com", 0 },
		/* SUBJECT is no address */
		{ "SUBJECT x", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = match(cases[i].keys, msg_addr, 0);

		if (r != cases[i].want)
			fail_msg("%s: %d", cases[i].keys, r);
	}
	/* no From field; an empty one; one that is no address at all */
	assert_int_equal(match("FROM x", "Subject: s\n\nb\n", 0), 0);
	assert_int_equal(match("FROM \"\"", "From:\n\nb\n", 0), 1);
	assert_int_equal(match("FROM a@b", "From:\n\nb\n", 0), 0);
	assert_int_equal(match("FROM a@b", "From: ((a@b\n\nb\n", 0), 1);
	assert_int_equal(match("FROM \"<\"", "From: ;;;,,,<<<\n\nb\n", 0), 1);
	assert_int_equal(match("FROM q@r", "From: ;;;,,,<<<\n\nb\n", 0), 0);
	/* a missing domain is the mailbox alone */
	assert_int_equal(match("FROM \"n <user>\"", "From: n <user>\n\n", 0),
			 1);
	assert_int_equal(match("FROM missing_domain", "From: n <user>\n\n", 0),
			 0);
}

/* Many messages on one program: the address arena is renewed on the way
 * (IMAP_SEARCH_ADDR_ARENA_MAX_BYTES) without leaking (ASan) and a field
 * of many addresses is rendered whole. */
static void
test_addresses_many(void **state)
{
	struct imap_search_program *prog =
		compile("FROM \"zz <last@host.example>\"", 10, 100);
	struct buf text = BUF_INIT;
	struct tmsg tm = { NULL, 0, 0, 0, 0, 0, false };
	struct imap_search_msg m = { 1, 1, 0, 0, 100, &ops_field, &tm };
	const char *error = NULL;
	unsigned i;

	(void)state;
	buf_init(&text, 1u << 24);
	assert_int_equal(buf_append_str(&text, "From: "), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(buf_printf(&text,
					    "n%u <u%u (c) @ h%u.example>, ", i,
					    i, i),
				 0);
	assert_int_equal(buf_append_str(&text, "zz <last (c) @ host.example>"
					       "\n\nbody\n"),
			 0);
	tm.text = text.data;
	for (i = 0; i < 40; i++)
		assert_int_equal(imap_search_match(prog, &m, &error), 1);
	tm.text = "From: <u (c) @ h.example>\n\n";
	for (i = 0; i < 5000; i++)
		assert_int_equal(imap_search_match(prog, &m, &error), 0);
	imap_search_free(&prog);
	buf_free(&text);
}

static void
test_body_text(void **state)
{
	static const struct {
		const char *keys;
		const char *text;
		int want;
	} cases[] = {
		{ "BODY zebra", msg_plain, 1 },
		{ "BODY \"world, the\"", msg_plain, 1 },
		{ "BODY \"stra\xc3\x9f"
		  "e\"",
		  msg_plain, 1 },
		{ "BODY STRASSE", msg_plain, 0 }, /* no full folding */
		{ "BODY \"\xc3\xa9"
		  "cole\"",
		  msg_plain, 1 },
		{ "BODY \"\xc5\x82\xc3\xb3"
		  "d\xc5\xba\"",
		  msg_plain, 1 },
		{ "BODY andre", msg_plain, 0 }, /* the header is no body */
		{ "TEXT andre", msg_plain, 1 },
		{ "TEXT \"subject: quarterly\"", msg_plain, 1 },
		{ "TEXT zebra", msg_plain, 1 },
		{ "TEXT \"\"", msg_plain, 1 },
		{ "BODY \"\"", msg_plain, 1 },
		{ "TEXT nowhere", msg_plain, 0 },
		/* MIME: quoted-printable latin-1 decoded to UTF-8 */
		{ "BODY \"CAF\xc3\x89\"", msg_mime, 1 },
		{ "BODY \"softbreak\"", msg_mime, 1 },
		{ "BODY \"soft=\"", msg_mime, 0 },
		/* base64 text/html decoded */
		{ "BODY \"base64 html\"", msg_mime, 1 },
		{ "BODY PGI+", msg_mime, 0 },
		/* attachments: neither raw nor decoded */
		{ "BODY SecretAttachment", msg_mime, 0 },
		{ "BODY U2VjcmV0", msg_mime, 0 },
		/* encapsulated message: header and body */
		{ "BODY \"inner subject\"", msg_mime, 1 },
		{ "BODY \"inner body\"", msg_mime, 1 },
		/* preamble, epilogue and boundaries are no text part */
		{ "BODY preamble", msg_mime, 0 },
		{ "BODY epilogue", msg_mime, 0 },
		{ "BODY --BB", msg_mime, 0 },
		{ "TEXT multipart", msg_mime, 1 },
		{ "SUBJECT inner", msg_mime, 0 },
		/* a header without body */
		{ "BODY x", "Subject: x\n", 0 },
		{ "TEXT x", "Subject: x\n", 1 },
		{ "TEXT x", "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = match(cases[i].keys, cases[i].text, 0);

		if (r != cases[i].want)
			fail_msg("%s: %d", cases[i].keys, r);
	}
}

static void
test_dates(void **state)
{
	/* 1994-02-01 23:30 -0500 is 1994-02-02 04:30 UTC */
	static const struct {
		const char *keys;
		const char *text;
		int want;
	} cases[] = {
		{ "ON 2-Feb-1994", "", 1 },
		{ "ON 1-Feb-1994", "", 0 },
		{ "BEFORE 2-Feb-1994", "", 0 },
		{ "BEFORE 3-Feb-1994", "", 1 },
		{ "SINCE 2-Feb-1994", "", 1 },
		{ "SINCE 3-Feb-1994", "", 0 },
		/* the Date: field's own day, not UTC's */
		{ "SENTON 1-Feb-1994", msg_plain, 1 },
		{ "SENTON 2-Feb-1994", msg_plain, 0 },
		{ "SENTBEFORE 2-Feb-1994", msg_plain, 1 },
		{ "SENTBEFORE 1-Feb-1994", msg_plain, 0 },
		{ "SENTSINCE 1-Feb-1994", msg_plain, 1 },
		{ "SENTSINCE 2-Feb-1994", msg_plain, 0 },
		/* no or bad Date: -> internal date */
		{ "SENTON 2-Feb-1994", "Subject: x\n\n", 1 },
		{ "SENTON 2-Feb-1994", "Date: someday\n\n", 1 },
		{ "SENTON \"2-feb-1994\"", "Date: someday\n\n", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmsg tm = { cases[i].text, 760163400, 0, 0, 0, 0, false };
		int r = match_ops(cases[i].keys, &tm, 0, &ops_field);

		if (r != cases[i].want)
			fail_msg("%s: %d", cases[i].keys, r);
	}
	/* local time: at UTC+10 the same instant is 2-Feb 14:30 too, at
	 * UTC-10 it is 1-Feb 18:30 */
	setenv("TZ", "UTC+10", 1);
	tzset();
	{
		struct tmsg tm = { "", 760163400, 0, 0, 0, 0, false };

		assert_int_equal(match_ops("ON 1-Feb-1994", &tm, 0, &ops_field),
				 1);
	}
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Evaluation order and laziness: flags before dates before fields before
 * the message; each costly accessor at most once per message. */
static void
test_lazy(void **state)
{
	struct tmsg tm = { msg_plain, 760163400, 0, 0, 0, 0, false };

	(void)state;
	/* the UNSEEN check fails first: nothing read */
	assert_int_equal(match_ops("FROM andre BODY zebra UNSEEN", &tm,
				   IMAP_MBOX_SEEN, &ops_field),
			 0);
	assert_int_equal(tm.field_calls + tm.message_calls + tm.date_calls, 0);
	/* FROM fails before BODY: no message read */
	memset(&tm, 0, sizeof(tm));
	tm.text = msg_plain;
	assert_int_equal(
		match_ops("BODY zebra FROM nobody", &tm, 0, &ops_field), 0);
	assert_int_equal(tm.field_calls, 1);
	assert_int_equal(tm.message_calls, 0);
	/* the message is read once for several BODY/TEXT keys */
	memset(&tm, 0, sizeof(tm));
	tm.text = msg_plain;
	assert_int_equal(match_ops("BODY zebra TEXT andre BODY crossed", &tm, 0,
				   &ops_nofield),
			 1);
	assert_int_equal(tm.message_calls, 1);
	/* the header accessor is used for fields without field() */
	memset(&tm, 0, sizeof(tm));
	tm.text = msg_plain;
	assert_int_equal(match_ops("FROM andre TO bob", &tm, 0, &ops_nofield),
			 1);
	assert_int_equal(tm.header_calls, 1);
	assert_int_equal(tm.message_calls, 0);
	/* an OR stops at the first true operand */
	memset(&tm, 0, sizeof(tm));
	tm.text = msg_plain;
	assert_int_equal(match_ops("OR BODY zebra SEEN", &tm, IMAP_MBOX_SEEN,
				   &ops_field),
			 1);
	assert_int_equal(tm.message_calls, 0);
	/* errors come through */
	memset(&tm, 0, sizeof(tm));
	tm.text = msg_plain;
	tm.fail = true;
	assert_int_equal(match_ops("BODY x", &tm, 0, &ops_field), -1);
	assert_int_equal(match_ops("SINCE 1-Jan-2000", &tm, 0, &ops_field), -1);
	/* NOT of an error stays an error */
	assert_int_equal(match_ops("NOT BODY x", &tm, 0, &ops_field), -1);
}

static void
test_needs(void **state)
{
	static const struct {
		const char *keys;
		unsigned needs;
	} cases[] = {
		{ "SEEN 1:* UID 4 LARGER 3 KEYWORD x", 0 },
		{ "SINCE 1-Jan-2000", IMAP_SEARCH_NEEDS_DATE },
		{ "NOT FROM x", IMAP_SEARCH_NEEDS_FIELD },
		{ "OR SEEN (BODY x)", IMAP_SEARCH_NEEDS_MESSAGE },
		{ "SENTON 1-Jan-2000",
		  IMAP_SEARCH_NEEDS_FIELD | IMAP_SEARCH_NEEDS_DATE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct imap_search_program *prog = compile(cases[i].keys, 1, 1);

		assert_int_equal(imap_search_needs(prog), cases[i].needs);
		imap_search_free(&prog);
	}
}

/* '*' binds to the mailbox: an empty mailbox has no '*' */
static void
test_bind(void **state)
{
	struct imap_search_program *prog = compile("*", 0, 0);
	struct imap_search_msg m = { 1, 5, 0, 0, 0, NULL, NULL };
	const char *error;

	(void)state;
	assert_int_equal(imap_search_match(prog, &m, &error), 0);
	imap_search_bind(prog, 1, 5, NULL, NULL);
	assert_int_equal(imap_search_match(prog, &m, &error), 1);
	imap_search_free(&prog);
	prog = compile("UID 3:*", 1, 5);
	assert_int_equal(imap_search_match(prog, &m, &error), 1);
	imap_search_bind(prog, 1, 2, NULL, NULL);
	m.uid = 2;
	assert_int_equal(imap_search_match(prog, &m, &error), 1);
	imap_search_free(&prog);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_badcharset),
		cmocka_unit_test(test_parse_return),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_header_values),
		cmocka_unit_test(test_header_record),
		cmocka_unit_test(test_sent_day),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_addresses_many),
		cmocka_unit_test(test_body_text),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_bind),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
