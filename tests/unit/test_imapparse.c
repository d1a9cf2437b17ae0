/*
 * test_imapparse.c -- lib/imapparse.c, the IMAP command push parser:
 * every argument type, quoted escapes and bad quoted strings, literals
 * (0, exact limit, over, LITERAL- and LITERAL+, literal8, NUL inside),
 * list depth at the limit and one past, line length limit-1/limit/limit+1
 * with resynchronisation, FETCH section atoms, APPEND, tag syntax,
 * pipelining, and for every case the same transcript whether the input is
 * fed whole, split at every byte or one byte at a time.
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
#include "imapparse.h"

enum limits_kind { PRE, POST, SMALL, NOSYNC0, DEPTH3 };

static void
limits_for(enum limits_kind k, struct imap_parser_limits *l)
{
	switch (k) {
	case PRE:
		imap_parser_limits_preauth(l);
		break;
	case POST:
		imap_parser_limits_postauth(l, 100000);
		break;
	case SMALL: /* literal limit 10, line 64 */
		imap_parser_limits_postauth(l, 10);
		l->line_max_bytes = 64;
		l->command_max_bytes = 64 + 10;
		break;
	case NOSYNC0:
		imap_parser_limits_postauth(l, 100);
		l->nonsync_max_bytes = 0;
		break;
	case DEPTH3:
		imap_parser_limits_postauth(l, 100);
		l->list_depth_max = 3;
		break;
	}
}

static void
render_bytes(struct buf *o, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '<' || c == '>')
			buf_printf(o, "\\x%02x", c);
		else
			buf_putc(o, (char)c);
	}
}

static void
render_args(struct buf *o, const struct imap_arg *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(o, ' ');
		switch (a[i].type) {
		case IMAP_ARG_ATOM:
			buf_append_str(o, "a:");
			render_bytes(o, a[i].str, a[i].len);
			break;
		case IMAP_ARG_NIL:
			buf_append_str(o, "nil");
			break;
		case IMAP_ARG_STRING:
			buf_append_str(o, "s<");
			render_bytes(o, a[i].str, a[i].len);
			buf_putc(o, '>');
			break;
		case IMAP_ARG_LITERAL:
		case IMAP_ARG_LITERAL8:
			buf_append_str(o, a[i].type == IMAP_ARG_LITERAL ? "l"
									: "l8");
			buf_append_str(o, a[i].nonsync ? "+<" : "<");
			render_bytes(o, a[i].str, a[i].len);
			buf_putc(o, '>');
			break;
		case IMAP_ARG_LIST:
			buf_putc(o, '(');
			render_args(o, a[i].list, a[i].n);
			buf_putc(o, ')');
			break;
		}
		/* every string is NUL-terminated */
		if (a[i].type != IMAP_ARG_LIST)
			assert_int_equal(a[i].str[a[i].len], '\0');
	}
}

/* Feeds in[0..len) in pieces starting at the offsets cuts[] (sorted) and
 * returns the transcript: events separated by " | ". step > 0 feeds in
 * pieces of step bytes instead. */
static char *
transcript(enum limits_kind k, const char *in, size_t len, size_t cut,
	   size_t step)
{
	struct imap_parser_limits l;
	struct imap_parser *p;
	struct buf o;
	size_t pos = 0, used, end;
	enum imap_parse_result r;
	int guard = 0;

	limits_for(k, &l);
	p = imap_parser_new(&l);
	assert_non_null(p);
	buf_init(&o, 0);
	buf_append_str(&o, "");
	while (pos < len && guard++ < 1000000) {
		if (step > 0)
			end = pos + step < len ? pos + step : len;
		else
			end = pos < cut ? cut : len;
		r = imap_parser_feed(p, (const unsigned char *)in + pos,
				     end - pos, &used);
		assert_true(used <= end - pos);
		pos += used;
		if (r == IMAP_PARSE_NEED_MORE) {
			assert_int_equal(pos, end);
			continue;
		}
		if (o.len > 0)
			buf_append_str(&o, " | ");
		if (r == IMAP_PARSE_NEED_CONTINUATION) {
			buf_putc(&o, '+');
			continue;
		}
		if (r == IMAP_PARSE_COMMAND) {
			const struct imap_command *c = imap_parser_command(p);

			assert_non_null(c);
			buf_printf(&o, "CMD %s %s", c->tag, c->name);
			if (c->n > 0) {
				buf_putc(&o, ' ');
				render_args(&o, c->args, c->n);
			}
			imap_parser_reset(p);
			continue;
		}
		assert_int_equal(r, IMAP_PARSE_ERROR);
		assert_null(imap_parser_command(p));
		buf_printf(&o, "ERR[%s] %s%s",
			   imap_parser_tag(p) ? imap_parser_tag(p) : "*",
			   imap_parser_error(p),
			   imap_parser_error_fatal(p) ? " FATAL" : "");
		if (imap_parser_error_fatal(p))
			break;
		imap_parser_reset(p);
	}
	imap_parser_free(&p);
	assert_null(p);
	return o.data; /* allocated by the first append */
}

struct pcase {
	enum limits_kind k;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

static const struct pcase cases[] = {
	/* simple commands, spaces, line ends */
	{ PRE, "a NOOP\r\n", 0, "CMD a NOOP" },
	{ PRE, "a NOOP\n", 0, "CMD a NOOP" },
	{ PRE, "a  NOOP  \r\n", 0, "CMD a NOOP" },
	{ PRE, "a NOOP", 0, "" },
	{ PRE, "A1.x] capability\r\n", 0, "CMD A1.x] capability" },
	{ PRE, "a1 login user pass\r\n", 0, "CMD a1 login a:user a:pass" },
	{ PRE, "a NOOP\r\nb CHECK\r\nc LOGOUT\r\n", 0,
	  "CMD a NOOP | CMD b CHECK | CMD c LOGOUT" },
	/* quoted strings */
	{ PRE, "a LOGIN \"us\\\"er\" \"p\\\\ass\"\r\n", 0,
	  "CMD a LOGIN s<us\"er> s<p\\x5cass>" },
	{ PRE, "a LOGIN \"\" \"a b\"\r\n", 0, "CMD a LOGIN s<> s<a b>" },
	{ POST, "a SEARCH CHARSET UTF-8 TEXT \"\xc3\xa9t\xc3\xa9\"\r\n", 0,
	  "CMD a SEARCH a:CHARSET a:UTF-8 a:TEXT s<\\xc3\\xa9t\\xc3\\xa9>" },
	{ PRE, "a LOGIN \"us\rer\" x\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid characters in quoted string | CMD b NOOP" },
	{ PRE, "a LOGIN \"abc\nb NOOP\r\n", 0,
	  "ERR[a] Missing '\"' | CMD b NOOP" },
	{ PRE, "a LOGIN \"a\\qb\" x\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid escape in quoted string | CMD b NOOP" },
	{ PRE, "a LOGIN \"a\\\nb NOOP\r\n", 0,
	  "ERR[a] Missing '\"' | CMD b NOOP" },
	{ PRE, "a LOGIN \"a\0b\" x\r\nb NOOP\r\n", 25,
	  "ERR[a] Invalid characters in quoted string | CMD b NOOP" },
	{ PRE, "a X \"a\"b\r\n", 0, "ERR[a] Missing space after argument" },
	/* atoms, NIL, wildcards, flags */
	{ POST, "a X NIL nil Nil NILS ~work \\Seen % * 1:* ]\r\n", 0,
	  "CMD a X nil nil nil a:NILS a:~work a:\\x5cSeen a:% a:* a:1:* a:]" },
	{ POST, "a X ~\r\n", 0, "CMD a X a:~" },
	{ POST, "a X a(b\r\n", 0, "ERR[a] Invalid characters in atom" },
	{ POST, "a X abc{3}\r\n", 0, "ERR[a] Invalid characters in atom" },
	{ POST, "a X \x80\r\n", 0, "ERR[a] Invalid characters in atom" },
	{ POST, "a X ab\x7f\r\n", 0, "ERR[a] Invalid characters in atom" },
	{ POST, "a X a\tb\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid characters in atom | CMD b NOOP" },
	{ POST, "a X a)\r\n", 0, "ERR[a] Unexpected ')'" },
	{ POST, "a NOOP\rb\r\nc NOOP\r\n", 0,
	  "ERR[a] CR without LF | CMD c NOOP" },
	/* tags and command names */
	{ PRE, "\r\nb NOOP\r\n", 0, "ERR[*] Empty command line | CMD b NOOP" },
	{ PRE, "\nb NOOP\r\n", 0, "ERR[*] Empty command line | CMD b NOOP" },
	{ PRE, " NOOP\r\n", 0, "ERR[*] Missing tag" },
	{ PRE, "+ NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a+ NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "* NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a* NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a% NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a( NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a{ NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a\" NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a\\ NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "\xc3\xa9 NOOP\r\n", 0, "ERR[*] Invalid characters in tag" },
	{ PRE, "a\r\nb NOOP\r\n", 0,
	  "ERR[a] Missing command name | CMD b NOOP" },
	{ PRE, "a\nb NOOP\r\n", 0, "ERR[a] Missing command name | CMD b NOOP" },
	{ PRE, "a \r\n", 0, "ERR[a] Missing command name" },
	{ PRE, "a NO\"OP\r\n", 0, "ERR[a] Invalid characters in command name" },
	{ PRE, "a NO[OP\r\n", 0, "ERR[a] Invalid characters in command name" },
	{ PRE, "a (NOOP)\r\n", 0, "ERR[a] Invalid characters in command name" },
	/* literals */
	{ PRE, "a LOGIN {4}\r\nuser {4}\r\npass\r\n", 0,
	  "+ | + | CMD a LOGIN l<user> l<pass>" },
	{ PRE, "a LOGIN {4}\nuser {4+}\npass\r\n", 0,
	  "+ | CMD a LOGIN l<user> l+<pass>" },
	{ PRE, "a LOGIN {4+}\r\nuser pass\r\n", 0,
	  "CMD a LOGIN l+<user> a:pass" },
	{ PRE, "a X {0}\r\n\r\n", 0, "+ | CMD a X l<>" },
	{ PRE, "a X {0+}\r\n {00}\r\n\r\n", 0, "+ | CMD a X l+<> l<>" },
	{ POST, "a X ({2}\r\nab c)\r\n", 0, "+ | CMD a X (l<ab> a:c)" },
	{ POST, "a X {2}\r\n\r\n\r\n", 0, "+ | CMD a X l<\\x0d\\x0a>" },
	{ POST, "a X {2}\r\nab\"c\"\r\n", 0,
	  "+ | ERR[a] Missing space after argument" },
	{ SMALL, "a X {10}\r\n0123456789\r\n", 0, "+ | CMD a X l<0123456789>" },
	{ SMALL, "a X {11}\r\nb NOOP\r\n", 0,
	  "ERR[a] Literal too large | CMD b NOOP" },
	{ SMALL, "a X {11+}\r\n01234567890\r\n", 0,
	  "ERR[a] Literal too large FATAL" },
	{ PRE, "a X {99999999999999999999999}\r\nb NOOP\r\n", 0,
	  "ERR[a] Literal too large | CMD b NOOP" },
	{ PRE, "a X {18446744073709551616}\r\nb NOOP\r\n", 0,
	  "ERR[a] Literal too large | CMD b NOOP" },
	{ PRE, "a X {}\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid literal size | CMD b NOOP" },
	{ PRE, "a X {1a}\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid literal size | CMD b NOOP" },
	{ PRE, "a X {+}\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid literal size | CMD b NOOP" },
	{ PRE, "a X {1++}\r\n", 0, "ERR[a] Invalid literal size" },
	{ PRE, "a X {-1}\r\n", 0, "ERR[a] Invalid literal size" },
	{ PRE, "a X {3\nb NOOP\r\n", 0,
	  "ERR[a] Invalid literal size | CMD b NOOP" },
	{ PRE, "a X {3} abc\r\nb NOOP\r\n", 0,
	  "ERR[a] Missing CRLF after literal size | CMD b NOOP" },
	{ PRE, "a X {3}\rabc\r\n", 0, "ERR[a] Missing LF after literal size" },
	{ PRE, "a X {3+} abc\r\n", 0,
	  "ERR[a] Missing CRLF after literal size FATAL" },
	{ PRE, "a X {3}\r\na\0b c\r\nb NOOP\r\n", 24,
	  "+ | ERR[a] NUL in literal | CMD b NOOP" },
	{ PRE, "a X {3}\r\nab\0\r\nb NOOP\r\n", 22,
	  "+ | ERR[a] NUL in literal | CMD b NOOP" },
	{ PRE, "a X {4097+}\r\n", 0,
	  "ERR[a] Non-synchronizing literal too large FATAL" },
	{ NOSYNC0, "a X {1+}\r\nx\r\n", 0,
	  "ERR[a] Non-synchronizing literals not allowed FATAL" },
	{ NOSYNC0, "a X {1}\r\nx\r\n", 0, "+ | CMD a X l<x>" },
	{ PRE, "a X ~{1}\r\nb NOOP\r\n", 0,
	  "ERR[a] literal8 not allowed | CMD b NOOP" },
	{ POST, "a APPEND INBOX ~{3}\r\na\0b\r\n", 26,
	  "+ | CMD a APPEND a:INBOX l8<a\\x00b>" },
	{ POST, "a APPEND INBOX ~{3+}\r\nabc\r\n", 0,
	  "CMD a APPEND a:INBOX l8+<abc>" },
	/* a failed line ending in {n+}: its payload is skipped, not parsed */
	{ PRE, "a X \x01 {5+}\r\nb NOO\r\nc NOOP\r\n", 0,
	  "ERR[a] Invalid characters in atom | CMD c NOOP" },
	{ PRE, "a X \x01 {2+}\r\nxx {3+}\r\ny\ny\r\nc NOOP\r\n", 0,
	  "ERR[a] Invalid characters in atom | CMD c NOOP" },
	{ PRE, "a X \x01 {0+}\r\n\r\nc NOOP\r\n", 0,
	  "ERR[a] Invalid characters in atom | CMD c NOOP" },
	{ PRE, "a X \x01 {3}\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid characters in atom | CMD b NOOP" },
	{ PRE, "a X \x01 {3+} x\r\nb NOOP\r\n", 0,
	  "ERR[a] Invalid characters in atom | CMD b NOOP" },
	{ PRE, "a X \x01 {4097+}\r\n", 0,
	  "ERR[a] Invalid characters in atom | "
	  "ERR[*] Non-synchronizing literal too large FATAL" },
	{ NOSYNC0, "a X \x01 {1+}\r\nx\r\n", 0,
	  "ERR[a] Invalid characters in atom | "
	  "ERR[*] Non-synchronizing literal too large FATAL" },
	{ PRE, "a X {3}\r\nabc\x01 {3+}\r\nabc\r\nb NOOP\r\n", 0,
	  "+ | ERR[a] Missing space after argument | CMD b NOOP" },
	{ PRE, "a X {3}\r\na\0c {3+}\r\nabc\r\nb NOOP\r\n", 32,
	  "+ | ERR[a] NUL in literal | CMD b NOOP" },
	/* APPEND with flags, date-time and a literal */
	{ POST,
	  "a APPEND Sent (\\Seen \\Draft) \"21-Nov-2026 10:00:00 +0000\" "
	  "{6}\r\nhi\r\nyo\r\n",
	  0,
	  "+ | CMD a APPEND a:Sent (a:\\x5cSeen a:\\x5cDraft) "
	  "s<21-Nov-2026 10:00:00 +0000> l<hi\\x0d\\x0ayo>" },
	{ POST, "a APPEND Sent () {1+}\r\nx {1+}\r\ny\r\n", 0,
	  "CMD a APPEND a:Sent () l+<x> l+<y>" },
	/* lists */
	{ POST, "a X (a (b c) ()) d\r\n", 0, "CMD a X (a:a (a:b a:c) ()) a:d" },
	{ POST, "a X ( a  b )\r\n", 0, "CMD a X (a:a a:b)" },
	{ POST, "a X (a)(b)\r\n", 0, "ERR[a] Missing space after argument" },
	{ POST, "a X (a\r\nb NOOP\r\n", 0, "ERR[a] Missing ')' | CMD b NOOP" },
	{ POST, "a X (\"a\"\"b\")\r\n", 0,
	  "ERR[a] Missing space after argument" },
	{ PRE, "a X (a) (b)\r\n", 0, "CMD a X (a:a) (a:b)" },
	{ PRE, "a X ((a))\r\nb NOOP\r\n", 0,
	  "ERR[a] Too deeply nested lists | CMD b NOOP" },
	{ DEPTH3, "a X (((a)))\r\n", 0, "CMD a X (((a:a)))" },
	{ DEPTH3, "a X ((((a))))\r\n", 0, "ERR[a] Too deeply nested lists" },
	/* FETCH sections */
	{ POST,
	  "a FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> "
	  "RFC822.SIZE)\r\n",
	  0,
	  "CMD a FETCH a:1:* (a:FLAGS a:BODY.PEEK[HEADER.FIELDS (From "
	  "To)]\\x3c0.100\\x3e a:RFC822.SIZE)" },
	{ POST, "a UID fetch 1 (BODY[1.2.MIME] body[] Binary.Peek[1])\r\n", 0,
	  "CMD a UID a:fetch a:1 (a:BODY[1.2.MIME] a:body[] "
	  "a:Binary.Peek[1])" },
	{ POST, "a FETCH 1 BODY[HEADER.FIELDS.NOT (\"a]b\" c)]\r\n", 0,
	  "CMD a FETCH a:1 a:BODY[HEADER.FIELDS.NOT (\"a]b\" c)]" },
	{ POST, "a FETCH 1 BODY[HEADER.FIELDS (\"a\\\"]\")]\r\n", 0,
	  "CMD a FETCH a:1 a:BODY[HEADER.FIELDS (\"a\\x5c\"]\")]" },
	{ POST, "a SELECT foo[1 2]\r\n", 0, "CMD a SELECT a:foo[1 a:2]" },
	{ POST, "a FETCH 1 BODY[HEADER\r\nb NOOP\r\n", 0,
	  "ERR[a] Missing ']' | CMD b NOOP" },
	{ POST, "a FETCH 1 BODY[a[b]]\r\n", 0, "ERR[a] Nested '[' in section" },
	{ POST, "a FETCH 1 BODY[{3}\r\nb NOOP\r\n", 0,
	  "ERR[a] Literal inside section | CMD b NOOP" },
	{ POST, "a FETCH 1 BODY[\"a\\x\"]\r\n", 0,
	  "ERR[a] Invalid escape in quoted string" },
	{ POST, "a FETCH 1 BODY[\ta]\r\n", 0,
	  "ERR[a] Invalid characters in section" },
};

static void
check_case(const struct pcase *c)
{
	size_t len = c->len ? c->len : strlen(c->in), cut, step;
	char *whole, *t;

	whole = transcript(c->k, c->in, len, len, 0);
	if (strcmp(whole, c->want) != 0)
		fail_msg("input %s\n got: %s\nwant: %s", c->in, whole, c->want);
	for (cut = 0; cut <= len; cut++) {
		t = transcript(c->k, c->in, len, cut, 0);
		if (strcmp(t, whole) != 0)
			fail_msg("input %s split at %zu\n got: %s\nwant: %s",
				 c->in, cut, t, whole);
		free(t);
	}
	for (step = 1; step <= 3; step++) {
		t = transcript(c->k, c->in, len, 0, step);
		if (strcmp(t, whole) != 0)
			fail_msg("input %s step %zu\n got: %s\nwant: %s", c->in,
				 step, t, whole);
		free(t);
	}
	free(whole);
}

static void
test_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* A line of exactly n bytes "a X aaaa...\r\n" followed by "b NOOP\r\n". */
static char *
line_of(size_t n, size_t *len_r)
{
	char *s = malloc(n + 16);

	assert_non_null(s);
	memcpy(s, "a X ", 4);
	memset(s + 4, 'x', n - 6);
	memcpy(s + n - 2, "\r\nb NOOP\r\n", 10);
	*len_r = n + 8;
	return s;
}

static void
check_line_limit(enum limits_kind k, size_t limit)
{
	size_t len, n;
	char *s, *t, *t1, want[64];

	for (n = limit - 1; n <= limit + 10; n++) {
		s = line_of(n, &len);
		t = transcript(k, s, len, len, 0);
		t1 = transcript(k, s, len, 0, 1);
		assert_string_equal(t, t1);
		if (n <= limit)
			assert_true(strncmp(t, "CMD a X a:xxx", 13) == 0);
		else
			assert_string_equal(t, "ERR[a] Command line too long | "
					       "CMD b NOOP");
		if (n <= limit)
			assert_string_equal(t + strlen(t) - 13, " | CMD b "
								"NOOP");
		free(t);
		free(t1);
		free(s);
	}
	/* the same over the limit with the tag still unread: no tag */
	s = malloc(limit + 20);
	assert_non_null(s);
	memset(s, 't', limit + 10);
	memcpy(s + limit + 10, "\r\nb NOOP\r\n", 10);
	t = transcript(k, s, limit + 20, limit + 20, 0);
	snprintf(want, sizeof(want),
		 "ERR[*] Command line too long | CMD b NOOP");
	assert_string_equal(t, want);
	free(t);
	free(s);
}

/* A line overflowing anywhere around a trailing {3+} still skips its
 * payload: "a X xxx {3+}\r\nabc\r\nb NOOP\r\n" with line limit 64. */
static void
test_overflow_in_literal_header(void **state)
{
	char in[128], *t;
	size_t k, len;

	for (k = 50; k <= 70; k++) {
		memcpy(in, "a X ", 4);
		memset(in + 4, 'x', k);
		len = 4 + k;
		memcpy(in + len, " {3+}\r\nabc\r\nb NOOP\r\n", 20);
		len += 20;
		t = transcript(SMALL, in, len, len, 0);
		if (4 + k + 7 + 2 <= 64)
			assert_true(strncmp(t, "CMD a X a:xxx", 13) == 0);
		else
			assert_string_equal(t, "ERR[a] Command line too long | "
					       "CMD b NOOP");
		free(t);
	}
}

static void
test_line_limits(void **state)
{
	check_line_limit(PRE, IMAP_PARSER_PREAUTH_LINE_MAX_BYTES);
	check_line_limit(POST, IMAP_PARSER_POSTAUTH_LINE_MAX_BYTES);
	check_line_limit(SMALL, 64);
}

/* Before login the whole command, literals included, fits 8192 bytes;
 * LITERAL- allows {4096+} but not {4097+}. */
static void
test_preauth_literals(void **state)
{
	struct buf in;
	char *t;
	size_t n;

	for (n = 4095; n <= 4096; n++) {
		buf_init(&in, 0);
		buf_printf(&in, "a LOGIN u {%zu+}\r\n", n);
		for (size_t i = 0; i < n; i++)
			buf_putc(&in, 'p');
		buf_append_str(&in, "\r\n");
		t = transcript(PRE, in.data, in.len, in.len, 0);
		assert_true(strncmp(t, "CMD a LOGIN a:u l+<ppp", 22) == 0);
		free(t);
		buf_free(&in);
	}
	/* the largest literal that still fits the command: 14 bytes before
	 * it, its CRLF, and the final CRLF */
	t = transcript(PRE, "a LOGIN {8175}\r\nb NOOP\r\n", 24, 24, 0);
	assert_string_equal(t, "ERR[a] Command too large | CMD b NOOP");
	free(t);
	buf_init(&in, 0);
	buf_append_str(&in, "a LOGIN {8174}\r\n");
	for (n = 0; n < 8174; n++)
		buf_putc(&in, 'p');
	buf_append_str(&in, "\r\n");
	assert_int_equal(in.len, IMAP_PARSER_PREAUTH_LINE_MAX_BYTES);
	t = transcript(PRE, in.data, in.len, in.len, 0);
	assert_true(strncmp(t, "+ | CMD a LOGIN l<ppp", 21) == 0);
	free(t);
	/* one byte more on the line and the final CRLF no longer fits */
	t = transcript(PRE, "a LOGIN  {8174}\r\nb NOOP\r\n", 25, 25, 0);
	assert_string_equal(t, "ERR[a] Command too large | CMD b NOOP");
	free(t);
	buf_free(&in);
	t = transcript(PRE, "a LOGIN {8193}\r\nb NOOP\r\n", 24, 24, 0);
	assert_string_equal(t, "ERR[a] Literal too large | CMD b NOOP");
	free(t);
}

/* A long command with many literals split at every point. */
static void
test_split_big(void **state)
{
	static const char in[] = "t1 APPEND \"Sent Items\" (\\Seen $Forwarded) "
				 "\"05-Jan-2026 13:14:15 -0800\" "
				 "{12}\r\nSubject: x\r\n"
				 " {0}\r\n ~{2+}\r\n\0\1 (NIL \"q\\\\\" (x "
				 "{1+}\r\ny))\r\n"
				 "t2 UID STORE 1:5,7 +FLAGS.SILENT "
				 "(\\Deleted)\r\n";
	char *whole, *t;
	size_t cut, len = sizeof(in) - 1;

	whole = transcript(POST, in, len, len, 0);
	assert_string_equal(whole, "+ | + | CMD t1 APPEND s<Sent Items> "
				   "(a:\\x5cSeen a:$Forwarded) "
				   "s<05-Jan-2026 13:14:15 -0800> l<Subject: "
				   "x\\x0d\\x0a> l<> "
				   "l8+<\\x00\\x01> (nil s<q\\x5c> (a:x "
				   "l+<y>)) | "
				   "CMD t2 UID a:STORE a:1:5,7 a:+FLAGS.SILENT "
				   "(a:\\x5cDeleted)");
	for (cut = 0; cut <= len; cut++) {
		t = transcript(POST, in, len, cut, 0);
		assert_string_equal(t, whole);
		free(t);
	}
	free(whole);
}

/* After COMMAND or ERROR without reset the parser refuses input. */
static void
test_reset_required(void **state)
{
	struct imap_parser_limits l;
	struct imap_parser *p;
	size_t used;

	imap_parser_limits_preauth(&l);
	p = imap_parser_new(&l);
	assert_non_null(p);
	assert_int_equal(imap_parser_feed(p, (const unsigned char *)"a B\r\nc",
					  6, &used),
			 IMAP_PARSE_COMMAND);
	assert_int_equal(used, 5);
	assert_string_equal(imap_parser_tag(p), "a");
	assert_int_equal(imap_parser_feed(p, (const unsigned char *)"c", 1,
					  &used),
			 IMAP_PARSE_ERROR);
	assert_int_equal(used, 0);
	assert_true(imap_parser_error_fatal(p));
	imap_parser_free(&p);

	/* a limit change after login */
	p = imap_parser_new(&l);
	assert_non_null(p);
	assert_int_equal(imap_parser_feed(p, (const unsigned char *)"a X ((", 6,
					  &used),
			 IMAP_PARSE_ERROR);
	assert_int_equal(used, 5); /* the failing byte is left for skipping */
	assert_false(imap_parser_error_fatal(p));
	assert_false(imap_parser_error_toobig(p));
	imap_parser_reset(p);
	imap_parser_limits_postauth(&l, 1000);
	imap_parser_set_limits(p, &l);
	assert_int_equal(imap_parser_feed(p,
					  (const unsigned char *)"\r\nb X ((",
					  8, &used),
			 IMAP_PARSE_NEED_MORE);
	assert_int_equal(used, 8);
	imap_parser_free(&p);
	imap_parser_free(&p); /* NULL is fine */

	l.line_max_bytes = 0;
	assert_null(imap_parser_new(&l));
	assert_null(imap_parser_new(NULL));
}

/* The server looks at the command before "+" and may refuse the literal. */
static void
test_partial_and_refusal(void **state)
{
	static const char in[] = "a APPEND (x (y {3}\r\nabc))\r\n";
	struct imap_parser_limits l;
	const struct imap_command *c;
	struct imap_parser *p;
	size_t used, len = sizeof(in) - 1;

	imap_parser_limits_postauth(&l, 100);
	p = imap_parser_new(&l);
	assert_non_null(p);
	assert_null(imap_parser_partial(p));
	assert_int_equal(imap_parser_feed(p, (const unsigned char *)in, len,
					  &used),
			 IMAP_PARSE_NEED_CONTINUATION);
	assert_int_equal(used, 20);
	assert_int_equal(imap_parser_literal_size(p), 3);
	c = imap_parser_partial(p);
	assert_non_null(c);
	assert_null(imap_parser_command(p));
	assert_string_equal(c->tag, "a");
	assert_string_equal(c->name, "APPEND");
	assert_int_equal(c->n, 1);
	assert_int_equal(c->args[0].type, IMAP_ARG_LIST);
	assert_int_equal(c->args[0].n, 2);
	assert_true(imap_arg_atom_equals(&c->args[0].list[0], "x"));
	assert_int_equal(c->args[0].list[1].n, 1);
	assert_true(imap_arg_atom_equals(&c->args[0].list[1].list[0], "y"));
	/* twice is fine */
	assert_non_null(imap_parser_partial(p));
	/* accepted: feed on */
	assert_int_equal(imap_parser_feed(p, (const unsigned char *)in + used,
					  len - used, &used),
			 IMAP_PARSE_COMMAND);
	assert_int_equal(imap_parser_literal_size(p), 0);
	assert_null(imap_parser_partial(p));
	c = imap_parser_command(p);
	assert_int_equal(c->args[0].list[1].n, 2);
	assert_string_equal(c->args[0].list[1].list[1].str, "abc");
	imap_parser_reset(p);

	/* refused: NO, reset, the client goes on with a new command */
	assert_int_equal(imap_parser_feed(p, (const unsigned char *)in, 20,
					  &used),
			 IMAP_PARSE_NEED_CONTINUATION);
	assert_non_null(imap_parser_partial(p));
	imap_parser_reset(p);
	assert_int_equal(imap_parser_feed(p,
					  (const unsigned char *)"b NOOP\r\n",
					  8, &used),
			 IMAP_PARSE_COMMAND);
	assert_string_equal(imap_parser_command(p)->tag, "b");
	imap_parser_free(&p);
}

static void
test_toobig_flag(void **state)
{
	struct imap_parser_limits l;
	struct imap_parser *p;
	size_t used;

	limits_for(SMALL, &l);
	p = imap_parser_new(&l);
	assert_non_null(p);
	assert_int_equal(imap_parser_feed(p,
					  (const unsigned char *)"a X {11}\r\n",
					  10, &used),
			 IMAP_PARSE_ERROR);
	assert_true(imap_parser_error_toobig(p));
	assert_false(imap_parser_error_fatal(p));
	assert_string_equal(imap_parser_tag(p), "a");
	imap_parser_reset(p);
	assert_null(imap_parser_tag(p));
	imap_parser_free(&p);
}

/* Parses one command with POST limits; the caller frees the parser. */
static const struct imap_command *
parse1(struct imap_parser **p, const char *line)
{
	struct imap_parser_limits l;
	enum imap_parse_result r;
	size_t used, pos = 0, len = strlen(line);

	imap_parser_limits_postauth(&l, 1000);
	*p = imap_parser_new(&l);
	assert_non_null(*p);
	do {
		r = imap_parser_feed(*p, (const unsigned char *)line + pos,
				     len - pos, &used);
		pos += used;
	} while (r == IMAP_PARSE_NEED_CONTINUATION);
	assert_int_equal(r, IMAP_PARSE_COMMAND);
	return imap_parser_command(*p);
}

static void
test_helpers(void **state)
{
	struct imap_parser *p;
	const struct imap_command *c;
	const struct imap_arg *list;
	const char *s;
	size_t len, n;

	c = parse1(&p, "a CMD uid X NIL \"q\" {1}\r\nl atom (1 2) \\Seen "
		       "BODY[a b] ~{1}\r\nz\r\n");
	assert_int_equal(c->n, 10);
	assert_string_equal(c->name, "CMD");
	assert_true(imap_arg_atom_equals(&c->args[0], "UID"));
	assert_true(imap_arg_atom_equals(&c->args[1], "x"));
	assert_false(imap_arg_atom_equals(&c->args[1], "xy"));
	assert_true(imap_arg_atom_equals(&c->args[2], "nil"));
	assert_false(imap_arg_atom_equals(&c->args[3], "q"));
	assert_false(imap_arg_atom_equals(NULL, "q"));
	/* atom */
	assert_true(imap_arg_get_atom(&c->args[5], &s));
	assert_string_equal(s, "atom");
	assert_false(imap_arg_get_atom(&c->args[2], &s));
	assert_false(imap_arg_get_atom(&c->args[3], &s));
	/* astring */
	assert_true(imap_arg_get_astring(&c->args[2], &s, &len));
	assert_string_equal(s, "NIL");
	assert_true(imap_arg_get_astring(&c->args[3], &s, &len));
	assert_string_equal(s, "q");
	assert_true(imap_arg_get_astring(&c->args[4], &s, &len));
	assert_string_equal(s, "l");
	assert_true(imap_arg_get_astring(&c->args[5], &s, &len));
	assert_int_equal(len, 4);
	assert_false(imap_arg_get_astring(&c->args[6], &s, &len));
	assert_false(imap_arg_get_astring(&c->args[7], &s, &len));
	assert_false(imap_arg_get_astring(&c->args[8], &s, &len));
	assert_false(imap_arg_get_astring(NULL, &s, &len));
	/* string / nstring */
	assert_false(imap_arg_get_string(&c->args[2], &s, &len));
	assert_true(imap_arg_get_nstring(&c->args[2], &s, &len));
	assert_null(s);
	assert_int_equal(len, 0);
	assert_true(imap_arg_get_nstring(&c->args[4], &s, &len));
	assert_string_equal(s, "l");
	assert_false(imap_arg_get_nstring(&c->args[5], &s, &len));
	assert_false(imap_arg_get_string(&c->args[9], &s, &len));
	assert_false(imap_arg_get_astring(&c->args[9], &s, &len));
	assert_false(imap_arg_get_nstring(&c->args[9], &s, &len));
	/* list */
	assert_true(imap_arg_get_list(&c->args[6], &list, &n));
	assert_int_equal(n, 2);
	assert_true(imap_arg_atom_equals(&list[1], "2"));
	assert_false(imap_arg_get_list(&c->args[5], &list, &n));
	assert_int_equal(c->args[9].type, IMAP_ARG_LITERAL8);
	assert_int_equal(c->args[9].len, 1);
	imap_parser_free(&p);

	/* \Seen is an atom but not an astring */
	c = parse1(&p, "a X \\Seen\r\n");
	assert_false(imap_arg_get_astring(&c->args[0], &s, &len));
	imap_parser_free(&p);
}

struct fcase {
	const char *atom;
	int ok;
	const char *name, *section; /* section NULL: none */
	int partial;
	uint32_t off, len;
};

static const struct fcase fcases[] = {
	{ "RFC822.SIZE", 1, "RFC822.SIZE", NULL, 0, 0, 0 },
	{ "BODY[]", 1, "BODY", "", 0, 0, 0 },
	{ "BODY.PEEK[1.2.MIME]", 1, "BODY.PEEK", "1.2.MIME", 0, 0, 0 },
	{ "BODY[HEADER.FIELDS (a b)]<0.100>", 1, "BODY", "HEADER.FIELDS (a b)",
	  1, 0, 100 },
	{ "BODY[HEADER.FIELDS (\"]\")]", 1, "BODY", "HEADER.FIELDS (\"]\")", 0,
	  0, 0 },
	{ "BINARY[1]<4294967295.4294967295>", 1, "BINARY", "1", 1, 4294967295u,
	  4294967295u },
	{ "BODY[]<0.0>", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[]<4294967296.1>", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[]<1>", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[]<.1>", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[]<1.>", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[]<1.2", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[]x", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY[", 0, NULL, NULL, 0, 0, 0 },
	{ "BODY<0.1>", 0, NULL, NULL, 0, 0, 0 },
	{ "[]", 0, NULL, NULL, 0, 0, 0 },
	{ "", 0, NULL, NULL, 0, 0, 0 },
};

static void
test_fetch_att_split(void **state)
{
	struct imap_fetch_att att;
	const char *error = NULL;
	size_t i;

	for (i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
		const struct fcase *f = &fcases[i];
		int r = imap_fetch_att_split(f->atom, strlen(f->atom), &att,
					     &error);

		if (!f->ok) {
			if (r != -1)
				fail_msg("%s accepted", f->atom);
			assert_non_null(error);
			continue;
		}
		if (r != 0)
			fail_msg("%s refused: %s", f->atom, error);
		assert_int_equal(att.name_len, strlen(f->name));
		assert_memory_equal(att.name, f->name, att.name_len);
		assert_int_equal(att.has_section, f->section != NULL);
		if (f->section != NULL) {
			assert_int_equal(att.section_len, strlen(f->section));
			assert_memory_equal(att.section, f->section,
					    att.section_len);
		}
		assert_int_equal(att.has_partial, f->partial);
		assert_int_equal(att.partial_offset, f->off);
		assert_int_equal(att.partial_len, f->len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_overflow_in_literal_header),
		cmocka_unit_test(test_preauth_literals),
		cmocka_unit_test(test_split_big),
		cmocka_unit_test(test_reset_required),
		cmocka_unit_test(test_partial_and_refusal),
		cmocka_unit_test(test_toobig_flag),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_fetch_att_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
