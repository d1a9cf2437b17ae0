/*
 * test_imap_render.c -- lib/imap_render: ENVELOPE, BODY and BODYSTRUCTURE
 * texts (compared with what Dovecot sends for the same messages), the
 * BODY[section] parser (valid forms, canonical names, every refusal, the
 * part-number and field-list limits at limit-1/limit/limit+1), section
 * contents with LF and CR LF storage (sizes equal lib/mime's vbytes for
 * every part), partial windows, the LF -> CR LF stream converter fed
 * in every split, and the CR LF added after a message without a final LF
 * (which sections get it, their sizes in the tree, every window).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_render.h"
#include "mime.h"

#define S(x) x, sizeof(x) - 1

/* ---- helpers --------------------------------------------------------- */

/* The message with every LF turned into CR LF. */
static char *
to_crlf(const char *p, size_t len, size_t *len_r)
{
	char *o = malloc(len * 2 + 1);
	size_t i, n = 0;

	assert_non_null(o);
	for (i = 0; i < len; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			o[n++] = '\r';
		o[n++] = p[i];
	}
	o[n] = '\0';
	*len_r = n;
	return o;
}

static void
check_body(const char *msg, const char *want_bs, const char *want_body)
{
	struct mime_message *m;
	const char *error;
	struct buf b = BUF_INIT;

	assert_int_equal(mime_parse(msg, strlen(msg), 0, &m, &error), 0);
	assert_int_equal(imap_render_body(m->root, true, &b), 0);
	assert_string_equal(buf_cstr(&b), want_bs);
	buf_reset(&b);
	assert_int_equal(imap_render_body(m->root, false, &b), 0);
	assert_string_equal(buf_cstr(&b), want_body);
	buf_free(&b);
	mime_free(&m);
}

static void
check_envelope(const char *msg, const char *want)
{
	struct mime_message *m;
	const char *error;
	struct buf b = BUF_INIT;

	assert_int_equal(mime_parse(msg, strlen(msg), MIME_PARSE_HEADER_ONLY,
				    &m, &error),
			 0);
	assert_int_equal(imap_render_envelope(m->root->envelope, &b), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
	mime_free(&m);
}

/* The bytes of BODY[sect] of msg (stored as given), with a partial
 * window when count > 0. */
static char *
extract(const char *msg, size_t len, const char *sect, uint64_t offset,
	uint64_t count, size_t *len_r)
{
	struct mime_message *m;
	struct imap_section sec;
	const char *error;
	struct buf b = BUF_INIT;
	char *r;

	assert_int_equal(imap_section_parse(sect, strlen(sect), &sec, &error),
			 0);
	assert_int_equal(mime_parse(msg, len, 0, &m, &error), 0);
	assert_int_equal(imap_section_extract(msg, len, m, &sec, false,
					      count > 0, offset, count, &b),
			 0);
	r = malloc(b.len + 1);
	assert_non_null(r);
	memcpy(r, b.data != NULL ? b.data : "", b.len);
	r[b.len] = '\0';
	*len_r = b.len;
	buf_free(&b);
	imap_section_free(&sec);
	mime_free(&m);
	return r;
}

/* ---- ENVELOPE -------------------------------------------------------- */

static void
test_envelope(void **state)
{
	(void)state;
	check_envelope("From: Alice Example <alice@example.org>\n"
		       "To: Bob <bob@example.net>, carol@example.com\n"
		       "Cc: \"Dave, Jr.\" <dave@example.com>\n"
		       "Subject: Lunch on Friday?\n"
		       "Date: Mon, 2 Nov 2026 09:59:58 +0100\n"
		       "Message-ID: <1@example.org>\n"
		       "In-Reply-To: <0@example.net>\n\nbody\n",
		       "(\"Mon, 2 Nov 2026 09:59:58 +0100\" \"Lunch on "
		       "Friday?\" "
		       "((\"Alice Example\" NIL \"alice\" \"example.org\")) "
		       "((\"Alice Example\" NIL \"alice\" \"example.org\")) "
		       "((\"Alice Example\" NIL \"alice\" \"example.org\")) "
		       "((\"Bob\" NIL \"bob\" \"example.net\")"
		       "(NIL NIL \"carol\" \"example.com\")) "
		       "((\"Dave, Jr.\" NIL \"dave\" \"example.com\")) NIL "
		       "\"<0@example.net>\" \"<1@example.org>\")");
	/* groups, an empty group, Sender and Reply-To of their own */
	check_envelope("From: news@example.com\nSender: b@lists.example.com\n"
		       "Reply-To: Support <s@example.com>\n"
		       "To: undisclosed-recipients:;\n"
		       "Cc: Team: ann@example.com, \"Ben B.\" "
		       "<ben@example.com>;, "
		       "zed@example.com\n\n",
		       "(NIL NIL ((NIL NIL \"news\" \"example.com\")) "
		       "((NIL NIL \"b\" \"lists.example.com\")) "
		       "((\"Support\" NIL \"s\" \"example.com\")) "
		       "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL "
		       "NIL)) "
		       "((NIL NIL \"Team\" NIL)(NIL NIL \"ann\" "
		       "\"example.com\")"
		       "(\"Ben B.\" NIL \"ben\" \"example.com\")(NIL NIL NIL "
		       "NIL)"
		       "(NIL NIL \"zed\" \"example.com\")) NIL NIL NIL)");
	/* nothing at all; quoting; 8-bit goes out as a literal */
	check_envelope("X: y\n\n", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	check_envelope("Subject: a \"b\" \\ c\n\n", "(NIL \"a \\\"b\\\" \\\\ "
						    "c\" NIL NIL NIL NIL NIL "
						    "NIL "
						    "NIL NIL)");
	check_envelope("Subject: caf\xc3\xa9\n\n", "(NIL {5}\r\ncaf\xc3\xa9 "
						   "NIL NIL NIL NIL NIL NIL "
						   "NIL "
						   "NIL)");
	check_envelope("Subject:\n\n", "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL "
				       "NIL)");
	{
		struct buf b = BUF_INIT;

		assert_int_equal(imap_render_envelope(NULL, &b), 0);
		assert_string_equal(buf_cstr(&b), "(NIL NIL NIL NIL NIL NIL "
						  "NIL NIL NIL NIL)");
		buf_free(&b);
	}
}

/* ---- BODY / BODYSTRUCTURE -------------------------------------------- */

static void
test_body_simple(void **state)
{
	(void)state;
	check_body("Subject: x\n\nline one\nline two\n",
		   "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 20 2 NIL NIL NIL NIL)",
		   "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 20 2)");
	/* no blank line: all header; empty body */
	check_body("Subject: x",
		   "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 0 0 NIL NIL NIL NIL)",
		   "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 0 0)");
	/* every extension field, in RFC 3501 order */
	check_body("Content-Type: text/plain; charset=\"iso-8859-1\"\n"
		   "Content-Transfer-Encoding: 7bit\n"
		   "Content-ID: <p1@example.com>\n"
		   "Content-Description: the body\n"
		   "Content-Language: en, fr\n"
		   "Content-Location: http://example.com/b.txt\n"
		   "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
		   "Content-Disposition: inline; filename=\"b.txt\"; size=42\n"
		   "\nShort body.\n",
		   "(\"text\" \"plain\" (\"charset\" \"iso-8859-1\") "
		   "\"<p1@example.com>\" \"the body\" \"7bit\" 13 1 "
		   "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"inline\" (\"filename\" "
		   "\"b.txt\" \"size\" \"42\")) (\"en\" \"fr\") "
		   "\"http://example.com/b.txt\")",
		   "(\"text\" \"plain\" (\"charset\" \"iso-8859-1\") "
		   "\"<p1@example.com>\" \"the body\" \"7bit\" 13 1)");
	/* a non-text leaf has no line count */
	check_body("Content-Type: image/png\n"
		   "Content-Transfer-Encoding: base64\n\niVBO\n",
		   "(\"image\" \"png\" NIL NIL NIL \"base64\" 6 NIL NIL NIL "
		   "NIL)",
		   "(\"image\" \"png\" NIL NIL NIL \"base64\" 6)");
}

static void
test_body_multipart(void **state)
{
	(void)state;
	check_body("Content-Type: multipart/alternative; boundary=b\n\n"
		   "pre\n--b\nContent-Type: text/plain\n\nhi\n"
		   "--b\nContent-Type: text/html\n\n<p>hi</p>\n--b--\n",
		   "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 0 NIL NIL NIL "
		   "NIL)(\"text\" \"html\" NIL NIL NIL \"7bit\" 9 0 NIL NIL "
		   "NIL NIL) \"alternative\" (\"boundary\" \"b\") NIL NIL "
		   "NIL)",
		   "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 0)(\"text\" "
		   "\"html\" NIL NIL NIL \"7bit\" 9 0) \"alternative\")");
	/* boundary never seen: Dovecot's empty text/plain stand-in */
	check_body("Content-Type: multipart/mixed; boundary=zz\n\nno parts\n",
		   "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" "
		   "\"zz\") NIL NIL NIL)",
		   "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 0 0) \"mixed\")");
	/* message/rfc822: envelope, body, lines */
	check_body("Content-Type: multipart/mixed; boundary=o\n\n"
		   "--o\nContent-Type: message/rfc822\n"
		   "Content-Disposition: inline\n\n"
		   "Subject: inner\nFrom: a@b.c\n\nhello\n--o--\n",
		   "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 36 (NIL "
		   "\"inner\" ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"a\" "
		   "\"b.c\")) ((NIL NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL) "
		   "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 5 0 NIL NIL NIL NIL) 3 NIL (\"inline\" NIL) NIL "
		   "NIL) \"mixed\" (\"boundary\" \"o\") NIL NIL NIL)",
		   "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 36 (NIL "
		   "\"inner\" ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"a\" "
		   "\"b.c\")) ((NIL NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL) "
		   "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		   "\"7bit\" 5 0) 3) \"mixed\")");
}

static void
test_body_rfc2231(void **state)
{
	(void)state;
	/* continuations joined; sent as "name*" charset'lang'%XX */
	check_body("Content-Type: application/pdf;\n"
		   " name*=UTF-8''R%C3%BCck%20bericht.pdf\n"
		   "Content-Disposition: attachment;\n"
		   " filename*0*=UTF-8'de'R%C3%BC;\n filename*1*=ck.pdf\n\nx\n",
		   "(\"application\" \"pdf\" (\"name*\" "
		   "\"utf-8''R%C3%BCck%20bericht.pdf\") NIL NIL \"7bit\" 3 "
		   "NIL (\"attachment\" (\"filename*\" "
		   "\"utf-8'de'R%C3%BCck.pdf\")) NIL NIL)",
		   "(\"application\" \"pdf\" (\"name*\" "
		   "\"utf-8''R%C3%BCck%20bericht.pdf\") NIL NIL \"7bit\" 3)");
	/* a plain 8-bit value goes out as a literal */
	check_body("Content-Type: text/plain; name=\"\xc3\xa9.txt\"\n\nx\n",
		   "(\"text\" \"plain\" (\"name\" {6}\r\n\xc3\xa9.txt) NIL NIL "
		   "\"7bit\" 3 1 NIL NIL NIL NIL)",
		   "(\"text\" \"plain\" (\"name\" {6}\r\n\xc3\xa9.txt) NIL NIL "
		   "\"7bit\" 3 1)");
}

/* ---- section parsing ------------------------------------------------- */

static void
test_section_parse_valid(void **state)
{
	static const struct {
		const char *in, *canon;
		enum imap_section_need need;
	} cases[] = {
		{ "", "", IMAP_SECTION_NEED_WHOLE },
		{ "HEADER", "HEADER", IMAP_SECTION_NEED_HEADER },
		{ "header", "HEADER", IMAP_SECTION_NEED_HEADER },
		{ "TEXT", "TEXT", IMAP_SECTION_NEED_TREE },
		{ "1", "1", IMAP_SECTION_NEED_TREE },
		{ "1.2.3", "1.2.3", IMAP_SECTION_NEED_TREE },
		{ "4294967295", "4294967295", IMAP_SECTION_NEED_TREE },
		{ "1.MIME", "1.MIME", IMAP_SECTION_NEED_TREE },
		{ "2.header", "2.HEADER", IMAP_SECTION_NEED_TREE },
		{ "2.1.TEXT", "2.1.TEXT", IMAP_SECTION_NEED_TREE },
		{ "HEADER.FIELDS (From to)", "HEADER.FIELDS (FROM TO)",
		  IMAP_SECTION_NEED_HEADER },
		{ "header.fields.not (X-A)", "HEADER.FIELDS.NOT (X-A)",
		  IMAP_SECTION_NEED_HEADER },
		{ "HEADER.FIELDS (\"Subject\" \"a b\")",
		  "HEADER.FIELDS (SUBJECT \"A B\")", IMAP_SECTION_NEED_HEADER },
		{ "HEADER.FIELDS (a  b)", "HEADER.FIELDS (A B)",
		  IMAP_SECTION_NEED_HEADER },
		{ "1.HEADER.FIELDS (A)", "1.HEADER.FIELDS (A)",
		  IMAP_SECTION_NEED_TREE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct imap_section sec;
		struct buf b = BUF_INIT;
		const char *error;

		if (imap_section_parse(cases[i].in, strlen(cases[i].in), &sec,
				       &error) != 0)
			fail_msg("refused %s: %s", cases[i].in, error);
		assert_int_equal(imap_section_format(&sec, &b), 0);
		assert_string_equal(buf_cstr(&b), cases[i].canon);
		assert_int_equal(imap_section_needs(&sec), cases[i].need);
		buf_free(&b);
		imap_section_free(&sec);
	}
}

static void
test_section_parse_invalid(void **state)
{
	static const char *const cases[] = {
		"0",
		"01",
		"1.",
		".1",
		"1..2",
		"1.0",
		"MIME",
		"1.FOO",
		"FOO",
		"HEADERX",
		"TEXT.1",
		"1.TEXT ",
		"HEADER.FIELDS",
		"HEADER.FIELDS ()",
		"HEADER.FIELDS (",
		"HEADER.FIELDS (a",
		"HEADER.FIELDS(a)",
		"HEADER.FIELDS (a) ",
		"HEADER.FIELDS (a)x",
		"HEADER.FIELDS (\"a)",
		"HEADER.FIELDS (a\"b\")",
		/* bytes a quoted name could not be answered with */
		"HEADER.FIELDS (\"T\xef\")",
		"HEADER.FIELDS (\"a\rb\")",
		"HEADER.FIELDS (\"a\nb\")",
		"HEADER.FIELDS.NOT",
		"4294967296",
		"1 ",
		" 1",
		"1.2.MIME.1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct imap_section sec;
		const char *error = NULL;

		if (imap_section_parse(cases[i], strlen(cases[i]), &sec,
				       &error) != -1)
			fail_msg("accepted \"%s\"", cases[i]);
		assert_non_null(error);
		imap_section_free(&sec);
	}
}

static int
parse_built(struct buf *b)
{
	struct imap_section sec;
	const char *error;
	int r = imap_section_parse(b->data, b->len, &sec, &error);

	imap_section_free(&sec);
	return r;
}

static void
test_section_limits(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	/* part numbers: limit - 1, limit, limit + 1 */
	for (i = 0; i < IMAP_SECTION_PARTS_MAX - 1; i++)
		assert_int_equal(buf_append_str(&b, i > 0 ? ".1" : "1"), 0);
	assert_int_equal(parse_built(&b), 0);
	assert_int_equal(buf_append_str(&b, ".1"), 0);
	assert_int_equal(parse_built(&b), 0);
	assert_int_equal(buf_append_str(&b, ".1"), 0);
	assert_int_equal(parse_built(&b), -1);
	/* field names */
	buf_reset(&b);
	assert_int_equal(buf_append_str(&b, "HEADER.FIELDS (A"), 0);
	for (i = 1; i < IMAP_SECTION_FIELDS_MAX - 1; i++)
		assert_int_equal(buf_append_str(&b, " A"), 0);
	assert_int_equal(buf_append_str(&b, ")"), 0);
	assert_int_equal(parse_built(&b), 0);
	b.len--;
	assert_int_equal(buf_append_str(&b, " A)"), 0);
	assert_int_equal(parse_built(&b), 0);
	b.len--;
	assert_int_equal(buf_append_str(&b, " A)"), 0);
	assert_int_equal(parse_built(&b), -1);
	/* field name length */
	for (i = IMAP_SECTION_FIELD_MAX_BYTES - 1;
	     i <= IMAP_SECTION_FIELD_MAX_BYTES + 1; i++) {
		buf_reset(&b);
		assert_int_equal(buf_append_str(&b, "HEADER.FIELDS ("), 0);
		while (b.len < 15 + i)
			assert_int_equal(buf_putc(&b, 'X'), 0);
		assert_int_equal(buf_putc(&b, ')'), 0);
		assert_int_equal(parse_built(&b),
				 i <= IMAP_SECTION_FIELD_MAX_BYTES ? 0 : -1);
	}
	buf_free(&b);
}

/* ---- section contents ------------------------------------------------ */

static const char forwarded[] = "From: Bob <bob@example.net>\n"
				"Subject: Fwd: report\n"
				"X-Long: a\n"
				"  continued\n"
				"Content-Type: multipart/mixed; "
				"boundary=\"outer\"\n"
				"\n"
				"--outer\n"
				"Content-Type: text/plain\n"
				"\n"
				"See below.\n"
				"\n"
				"--outer\n"
				"Content-Type: message/rfc822\n"
				"\n"
				"From: Carol <carol@example.com>\n"
				"Subject: report\n"
				"Content-Type: multipart/alternative; "
				"boundary=\"inner\"\n"
				"\n"
				"--inner\n"
				"Content-Type: text/plain\n"
				"\n"
				"Numbers are up.\n"
				"--inner\n"
				"Content-Type: text/html\n"
				"\n"
				"<p>up</p>\n"
				"--inner--\n"
				"\n"
				"--outer--\n";

static void
test_extract_sections(void **state)
{
	static const struct {
		const char *sect;
		const char *want; /* with CR LF */
	} cases[] = {
		{ "HEADER.FIELDS (subject FROM)", "From: Bob "
						  "<bob@example.net>"
						  "\r\nSubject: Fwd: "
						  "report\r\n\r\n" },
		{ "HEADER.FIELDS (X-LONG)", "X-Long: a\r\n  "
					    "continued\r\n\r\n" },
		{ "HEADER.FIELDS (X-None)", "\r\n" },
		{ "HEADER.FIELDS.NOT (From Subject X-Long)", "Content-Type: "
							     "multipart/mixed; "
							     "boundary="
							     "\"outer\"\r\n\r"
							     "\n" },
		{ "1", "See below.\r\n" },
		{ "1.MIME", "Content-Type: text/plain\r\n\r\n" },
		{ "2.MIME", "Content-Type: message/rfc822\r\n\r\n" },
		{ "2.HEADER", "From: Carol <carol@example.com>\r\nSubject: "
			      "report\r\n"
			      "Content-Type: multipart/alternative; "
			      "boundary=\"inner\"\r\n\r\n" },
		{ "2.HEADER.FIELDS (SUBJECT)", "Subject: report\r\n\r\n" },
		{ "2.1", "Numbers are up." },
		{ "2.2", "<p>up</p>" },
		{ "2.2.MIME", "Content-Type: text/html\r\n\r\n" },
		{ "2.1.1", "" },    /* a leaf has no parts */
		{ "3", "" },	    /* no such part */
		{ "1.HEADER", "" }, /* not a message/rfc822 part */
		{ "1.TEXT", "" },
		{ "2.3", "" },
		{ "9.9.9.HEADER.FIELDS (A)", "" },
	};
	size_t crlf_len, i, n;
	char *crlf = to_crlf(S(forwarded), &crlf_len);

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = extract(S(forwarded), cases[i].sect, 0, 0, &n);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("LF %s: got [%s]", cases[i].sect, got);
		assert_int_equal(n, strlen(cases[i].want));
		free(got);
		got = extract(crlf, crlf_len, cases[i].sect, 0, 0, &n);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("CRLF %s: got [%s]", cases[i].sect, got);
		free(got);
	}
	/* BODY[], HEADER, TEXT are the stored message with CR LF */
	{
		char *got = extract(S(forwarded), "", 0, 0, &n);

		assert_int_equal(n, crlf_len);
		assert_memory_equal(got, crlf, n);
		free(got);
		got = extract(S(forwarded), "TEXT", 0, 0, &n);
		assert_string_equal(got, strstr(crlf, "\r\n\r\n") + 4);
		free(got);
		got = extract(S(forwarded), "HEADER", 0, 0, &n);
		assert_int_equal(n,
				 (size_t)(strstr(crlf, "\r\n\r\n") + 4 - crlf));
		free(got);
	}
	free(crlf);
}

/* Every part: BODY[n] and BODY[n.MIME] sizes equal lib/mime's vbytes. */
static void
check_part_sizes(const char *msg, size_t len, const struct mime_part *p,
		 unsigned *nums, size_t depth, const struct mime_message *m)
{
	const struct mime_part *c;
	unsigned k = 1;

	if (depth > 0 && depth < 10) {
		struct imap_section sec;
		struct imap_extract x;
		struct buf b = BUF_INIT;
		const char *error;

		memset(&sec, 0, sizeof(sec));
		buf_init(&sec.fields, 0);
		memcpy(sec.nums, nums, depth * sizeof(*nums));
		sec.n_nums = depth;
		assert_int_equal(imap_section_locate(msg, len, m, &sec, false,
						     &x, &b),
				 0);
		assert_int_equal(x.kind, IMAP_EXTRACT_REGION);
		assert_int_equal(x.vbytes, p->body.vbytes);
		sec.text = IMAP_SECTION_MIME;
		assert_int_equal(imap_section_locate(msg, len, m, &sec, false,
						     &x, &b),
				 0);
		assert_int_equal(x.vbytes, p->hdr.vbytes);
		(void)error;
		imap_section_free(&sec);
		buf_free(&b);
	}
	if (depth >= 10)
		return;
	if (p->flags & MIME_PART_MESSAGE) {
		c = p->children;
		if (c != NULL && (c->flags & MIME_PART_MULTIPART))
			for (c = c->children; c != NULL; c = c->next) {
				nums[depth] = k++;
				check_part_sizes(msg, len, c, nums, depth + 1,
						 m);
			}
		return;
	}
	for (c = p->children; c != NULL; c = c->next) {
		nums[depth] = k++;
		check_part_sizes(msg, len, c, nums, depth + 1, m);
	}
}

static void
test_extract_sizes(void **state)
{
	unsigned nums[16];
	size_t crlf_len, round;
	char *crlf = to_crlf(S(forwarded), &crlf_len);

	(void)state;
	for (round = 0; round < 2; round++) {
		const char *msg = round == 0 ? forwarded : crlf;
		size_t len = round == 0 ? sizeof(forwarded) - 1 : crlf_len;
		struct mime_message *m;
		const char *error;

		assert_int_equal(mime_parse(msg, len, 0, &m, &error), 0);
		check_part_sizes(msg, len, m->root, nums, 0, m);
		mime_free(&m);
	}
	free(crlf);
}

static void
test_extract_partial(void **state)
{
	static const char msg[] = "Subject: x\n\n0123456789\nabc\n";
	static const struct {
		const char *sect;
		uint64_t offset, count;
		const char *want;
	} cases[] = {
		{ "TEXT", 0, 1, "0" },
		{ "TEXT", 0, 100, "0123456789\r\nabc\r\n" },
		{ "TEXT", 10, 1, "\r" },
		{ "TEXT", 11, 2, "\na" },
		{ "TEXT", 16, 1, "\n" },
		{ "TEXT", 17, 1, "" },
		{ "TEXT", 1000, 5, "" },
		{ "", 0, 9, "Subject: " },
		{ "HEADER.FIELDS (SUBJECT)", 9, 100, "x\r\n\r\n" },
		{ "HEADER.FIELDS (SUBJECT)", 13, 100, "\n" },
		{ "TEXT", UINT64_MAX, UINT64_MAX, "" },
		{ "TEXT", 3, UINT64_MAX, "3456789\r\nabc\r\n" },
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = extract(S(msg), cases[i].sect, cases[i].offset,
				    cases[i].count, &n);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s <%llu.%llu>: got [%s]", cases[i].sect,
				 (unsigned long long)cases[i].offset,
				 (unsigned long long)cases[i].count, got);
		free(got);
	}
}

/* Hostile headers: a first line that is a continuation, a line without
 * a colon, no final LF, NUL bytes. */
static void
test_extract_hostile(void **state)
{
	static const char msg1[] = " cont\nNoColon\nA: 1\nB : 2\n\nbo\0dy";
	static const char msg2[] = "A: 1\nB: 2";
	size_t n;
	char *got;

	(void)state;
	got = extract(S(msg1), "HEADER.FIELDS (A B)", 0, 0, &n);
	assert_string_equal(got, "A: 1\r\nB : 2\r\n\r\n");
	free(got);
	got = extract(S(msg1), "HEADER.FIELDS.NOT (A)", 0, 0, &n);
	assert_string_equal(got, " cont\r\nNoColon\r\nB : 2\r\n\r\n");
	free(got);
	got = extract(S(msg1), "TEXT", 0, 0, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(got,
			    "bo\x80"
			    "dy",
			    5);
	free(got);
	/* no blank line: the header is all; a field without LF gets one;
	 * no blank line is added (RFC 3501 6.4.5, as Dovecot does) */
	got = extract(S(msg2), "HEADER.FIELDS (B)", 0, 0, &n);
	assert_string_equal(got, "B: 2\r\n");
	free(got);
	got = extract(S(msg2), "HEADER.FIELDS (C)", 0, 0, &n);
	assert_string_equal(got, "");
	free(got);
	got = extract(S(msg2), "HEADER", 0, 0, &n);
	assert_string_equal(got, "A: 1\r\nB: 2");
	free(got);
	got = extract(S(msg2), "TEXT", 0, 0, &n);
	assert_string_equal(got, "");
	free(got);
}

/* ---- the converter --------------------------------------------------- */

static void
test_crlf_split(void **state)
{
	static const char in[] = "a\nb\r\nc\r\rd\n\n\r\0e\n";
	const char want[] = "a\r\nb\r\nc\r\rd\r\n\r\n\r\x80"
			    "e\r\n";
	size_t wlen = sizeof(want) - 1, split, split2;
	uint64_t start, end;

	(void)state;
	assert_int_equal(imap_crlf_size(in, sizeof(in) - 1, false), wlen);
	/* prev_cr: a first LF is not bare */
	assert_int_equal(imap_crlf_size("\nx", 2, true), 2);
	assert_int_equal(imap_crlf_size("\nx", 2, false), 3);
	for (split = 0; split < sizeof(in); split++)
		for (split2 = split; split2 < sizeof(in); split2++) {
			struct imap_crlf c;
			struct buf b = BUF_INIT;

			imap_crlf_init(&c, false, 0, UINT64_MAX);
			assert_int_equal(imap_crlf_feed(&c, in, split, &b), 0);
			assert_int_equal(imap_crlf_feed(&c, in + split,
							split2 - split, &b),
					 0);
			assert_int_equal(imap_crlf_feed(&c, in + split2,
							sizeof(in) - 1 - split2,
							&b),
					 0);
			assert_int_equal(b.len, wlen);
			assert_memory_equal(b.data, want, wlen);
			buf_free(&b);
		}
	/* every window, fed one byte at a time */
	for (start = 0; start <= wlen + 1; start++)
		for (end = start; end <= wlen + 1; end++) {
			struct imap_crlf c;
			struct buf b = BUF_INIT;
			size_t i;
			uint64_t e = end < wlen ? end : wlen;
			uint64_t s = start < wlen ? start : wlen;

			imap_crlf_init(&c, false, start, end);
			for (i = 0; i < sizeof(in) - 1; i++)
				assert_int_equal(
					imap_crlf_feed(&c, in + i, 1, &b), 0);
			assert_int_equal(b.len, e > s ? e - s : 0);
			if (b.len > 0)
				assert_memory_equal(b.data, want + s, b.len);
			assert_true(imap_crlf_done(&c) == (end <= wlen));
			buf_free(&b);
		}
}

/* ---- eof_crlf: a stored message without a final LF ------------------- */

/* BODY[sect] of msg with eof_crlf (whole window, or [offset, +count)). */
static char *
extract_eof(const struct mime_message *m, const char *msg, size_t len,
	    const char *sect, bool partial, uint64_t offset, uint64_t count,
	    size_t *len_r)
{
	struct imap_section sec;
	const char *error;
	struct buf b = BUF_INIT;
	char *r;

	assert_int_equal(imap_section_parse(sect, strlen(sect), &sec, &error),
			 0);
	assert_int_equal(imap_section_extract(msg, len, m, &sec, true, partial,
					      offset, count, &b),
			 0);
	r = malloc(b.len + 1);
	assert_non_null(r);
	memcpy(r, b.data != NULL ? b.data : "", b.len);
	r[b.len] = '\0';
	*len_r = b.len;
	buf_free(&b);
	imap_section_free(&sec);
	return r;
}

/* Checks BODY[sect] with eof_crlf against want, its located size, and
 * every partial window against the whole. */
static void
check_eof(const struct mime_message *m, const char *msg, const char *sect,
	  const char *want)
{
	size_t len = strlen(msg), wlen = strlen(want), got_len, k;
	struct imap_section sec;
	struct imap_extract x;
	struct buf built = BUF_INIT;
	const char *error;
	uint64_t start, count;
	char *got = extract_eof(m, msg, len, sect, false, 0, 0, &got_len);

	assert_int_equal(got_len, wlen);
	assert_memory_equal(got, want, wlen);
	free(got);
	assert_int_equal(imap_section_parse(sect, strlen(sect), &sec, &error),
			 0);
	assert_int_equal(
		imap_section_locate(msg, len, m, &sec, true, &x, &built), 0);
	if (x.kind != IMAP_EXTRACT_EMPTY)
		assert_int_equal(x.vbytes, wlen);
	imap_section_free(&sec);
	buf_free(&built);
	for (start = 0; start <= wlen + 1; start++)
		for (count = 1; count <= wlen + 2 - start; count++) {
			uint64_t e = start + count < wlen ? start + count
							  : wlen;

			got = extract_eof(m, msg, len, sect, true, start, count,
					  &got_len);
			k = start < e ? (size_t)(e - start) : 0;
			assert_int_equal(got_len, k);
			if (k > 0)
				assert_memory_equal(got, want + start, k);
			free(got);
		}
}

static void
test_eof_crlf(void **state)
{
	static const char plain[] = "Subject: a\n\nline1\nlast";
	static const char mixed[] = "Content-Type: multipart/mixed; "
				    "boundary=b\n\n"
				    "--b\n\nA\n--b\nContent-Type: "
				    "text/plain\n\nB\nBB";
	static const char closed[] = "Content-Type: multipart/mixed; "
				     "boundary=b\n\n"
				     "--b\n\nA\n--b--";
	static const char hdr_only[] = "Subject: x\nFrom: y";
	static const char ends_lf[] = "Subject: a\n\nbody\n";
	const struct mime_part *p;
	struct mime_message *m;
	const char *error;
	struct buf b = BUF_INIT;

	(void)state;
	assert_true(imap_eof_crlf_possible(S(plain)));
	assert_false(imap_eof_crlf_possible(S(ends_lf)));
	assert_false(imap_eof_crlf_possible("", 0));

	/* A single part: BODY[], TEXT and BODY[1] end with the CR LF. */
	assert_int_equal(mime_parse(S(plain), 0, &m, &error), 0);
	imap_render_eof_crlf(m, sizeof(plain) - 1);
	assert_int_equal(m->root->body.vbytes, 13);
	assert_int_equal(m->root->body.lines, 2);
	assert_int_equal(m->root->hdr.vbytes, 14);
	check_eof(m, plain, "", "Subject: a\r\n\r\nline1\r\nlast\r\n");
	check_eof(m, plain, "TEXT", "line1\r\nlast\r\n");
	check_eof(m, plain, "1", "line1\r\nlast\r\n");
	check_eof(m, plain, "HEADER", "Subject: a\r\n\r\n");
	assert_int_equal(imap_render_body(m->root, false, &b), 0);
	assert_string_equal(buf_cstr(&b), "(\"text\" \"plain\" "
					  "(\"charset\" \"us-ascii\") NIL NIL "
					  "\"7bit\" 13 2)");
	buf_free(&b);
	mime_free(&m);

	/* No closing boundary: the last leaf and the root reach the end;
	 * the first leaf does not. */
	assert_int_equal(mime_parse(S(mixed), 0, &m, &error), 0);
	imap_render_eof_crlf(m, sizeof(mixed) - 1);
	p = m->root->children;
	assert_non_null(p);
	assert_non_null(p->next);
	assert_int_equal(p->body.vbytes, 1);
	assert_int_equal(p->next->body.vbytes, 7);
	assert_int_equal(p->next->body.lines, 2);
	check_eof(m, mixed, "1", "A");
	check_eof(m, mixed, "2", "B\r\nBB\r\n");
	check_eof(m, mixed, "2.MIME", "Content-Type: text/plain\r\n\r\n");
	check_eof(m, mixed, "TEXT",
		  "--b\r\n\r\nA\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
		  "B\r\nBB\r\n");
	assert_int_equal(m->root->body.vbytes, strlen("--b\r\n\r\nA\r\n--"
						      "b\r\nContent-Type: "
						      "text/"
						      "plain\r\n\r\nB\r\nBB\r"
						      "\n"));
	mime_free(&m);

	/* A closing boundary at the end: only the multipart's body (the
	 * boundary line) gets it, no leaf. */
	assert_int_equal(mime_parse(S(closed), 0, &m, &error), 0);
	imap_render_eof_crlf(m, sizeof(closed) - 1);
	check_eof(m, closed, "1", "A");
	assert_int_equal(m->root->children->body.vbytes, 1);
	check_eof(m, closed, "TEXT", "--b\r\n\r\nA\r\n--b--\r\n");
	assert_int_equal(m->root->body.vbytes, 17);
	mime_free(&m);

	/* No empty line: the header reaches the end and gets it. */
	assert_int_equal(mime_parse(S(hdr_only), 0, &m, &error), 0);
	imap_render_eof_crlf(m, sizeof(hdr_only) - 1);
	assert_int_equal(m->root->hdr.vbytes, 21);
	assert_int_equal(m->root->body.vbytes, 0);
	check_eof(m, hdr_only, "HEADER", "Subject: x\r\nFrom: y\r\n");
	check_eof(m, hdr_only, "", "Subject: x\r\nFrom: y\r\n");
	check_eof(m, hdr_only, "TEXT", "");
	mime_free(&m);

	/* Ending with LF: eof_crlf adds nothing. */
	assert_int_equal(mime_parse(S(ends_lf), 0, &m, &error), 0);
	check_eof(m, ends_lf, "", "Subject: a\r\n\r\nbody\r\n");
	check_eof(m, ends_lf, "TEXT", "body\r\n");
	mime_free(&m);
}

static void
test_crlf_eol(void **state)
{
	uint64_t start, end;

	(void)state;
	/* "ab" + the added CR LF = "ab\r\n", every window */
	for (start = 0; start <= 5; start++)
		for (end = start; end <= 5; end++) {
			struct imap_crlf c;
			struct buf b = BUF_INIT;
			uint64_t s = start < 4 ? start : 4,
				 e = end < 4 ? end : 4;

			imap_crlf_init(&c, false, start, end);
			assert_int_equal(imap_crlf_feed(&c, "a\r", 2, &b), 0);
			/* a CR just before: the CR LF is still added whole */
			assert_int_equal(imap_crlf_eol(&c, &b), 0);
			assert_int_equal(b.len, e > s ? e - s : 0);
			if (b.len > 0)
				assert_memory_equal(b.data, "a\r\r\n" + s,
						    b.len);
			assert_true(imap_crlf_done(&c) == (end <= 4));
			buf_free(&b);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_body_simple),
		cmocka_unit_test(test_body_multipart),
		cmocka_unit_test(test_body_rfc2231),
		cmocka_unit_test(test_section_parse_valid),
		cmocka_unit_test(test_section_parse_invalid),
		cmocka_unit_test(test_section_limits),
		cmocka_unit_test(test_extract_sections),
		cmocka_unit_test(test_extract_sizes),
		cmocka_unit_test(test_extract_partial),
		cmocka_unit_test(test_extract_hostile),
		cmocka_unit_test(test_crlf_split),
		cmocka_unit_test(test_eof_crlf),
		cmocka_unit_test(test_crlf_eol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
