/*
 * test_mime.c -- the MIME part tree (lib/mime.c) and address lists
 * (lib/mime_addr.c): every message of tests/data/mime/ against its
 * expected tree (offsets, octet and line counts, flags), Content-* fields
 * and RFC 2231 parameters, ENVELOPE fields, IMAP section numbers, and
 * hostile input: deep nesting, the part limit, long boundaries, NULs,
 * no final LF, split CR LF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define S(x) x, sizeof(x) - 1

/* ---- helpers --------------------------------------------------------- */

static char *
read_eml(const char *name, size_t *len_r)
{
	const char *src = getenv("QUAIL_SRC");
	char path[1024];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/mime/%s",
		 src != NULL ? src : ".", name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len_r = (size_t)n;
	return p;
}

/* One line per part, depth first: "section type/subtype offset
 * hdr-bytes/vbytes/lines body-bytes/vbytes/lines flags". */
static void
tree_dump(const struct mime_part *p, const char *sect, char *out,
	  size_t outlen)
{
	const struct mime_part *c;
	char s[64];
	unsigned i = 1;
	size_t used = strlen(out);

	snprintf(out + used, outlen - used,
		 "%s %s/%s %zu %zu/%zu/%zu %zu/%zu/%zu %#x\n", sect, p->type,
		 p->subtype, p->offset, p->hdr.bytes, p->hdr.vbytes,
		 p->hdr.lines, p->body.bytes, p->body.vbytes, p->body.lines,
		 p->flags);
	for (c = p->children; c != NULL; c = c->next, i++) {
		snprintf(s, sizeof(s), "%s%s%u", sect, sect[0] ? "." : "", i);
		tree_dump(c, s, out, outlen);
	}
}

static struct mime_message *
parse(const char *p, size_t len)
{
	struct mime_message *m = NULL;
	const char *error = NULL;

	assert_int_equal(mime_parse(p, len, 0, &m, &error), 0);
	assert_non_null(m);
	return m;
}

/* "(name|adl|mailbox|host) ..." */
static void
addr_dump(const struct mime_addr *a, char *out, size_t outlen)
{
	size_t used;

	out[0] = '\0';
	for (; a != NULL; a = a->next) {
		used = strlen(out);
		snprintf(out + used, outlen - used, "%s(%s|%s|%s|%s)",
			 used > 0 ? " " : "", a->name ? a->name : "NIL",
			 a->adl ? a->adl : "NIL",
			 a->mailbox ? a->mailbox : "NIL",
			 a->host ? a->host : "NIL");
	}
}

/* ---- the corpus ------------------------------------------------------ */

struct tree_case {
	const char *file;
	const char *tree;
};

/* Derived once from the parser and checked by hand against the files
 * (header lines + the empty line; the line end before a boundary line
 * belongs to the boundary; vbytes counts bare LF as CR LF). */
static const struct tree_case tree_cases[] = {
	{ "alternative.eml",
	  " multipart/alternative 0 270/278/8 513/531/18 0x1\n"
	  "1 text/plain 353 85/88/3 100/103/3 0x4\n"
	  "2 text/html 576 84/87/3 83/85/2 0x4\n" },
	{ "boundary_prefix.eml",
	  " multipart/mixed 0 133/139/6 140/150/10 0x1\n"
	  "1 text/plain 139 26/28/2 52/53/1 0x4\n"
	  "2 text/plain 225 26/28/2 11/11/0 0x4\n" },
	{ "crlf.eml",
	  " multipart/mixed 0 185/185/7 113/113/12 0x1\n"
	  "1 text/plain 201 28/28/2 8/8/1 0x4\n"
	  "2 text/plain 245 28/28/2 5/5/0 0x4\n" },
	{ "digest.eml",
	  " multipart/digest 0 123/129/6 103/114/11 0x1\n"
	  "1 message/rfc822 129 1/2/1 41/44/3 0xa\n"
	  "1.1 text/plain 130 38/41/3 3/3/0 0xc\n"
	  "2 text/plain 178 26/28/2 13/13/0 0x4\n" },
	{ "eightbit.eml", " text/plain 0 144/151/7 20/21/1 0x4\n" },
	{ "encoded_words.eml", " text/plain 0 357/366/9 20/21/1 0x4\n" },
	{ "folding.eml", " text/plain 0 272/285/13 16/17/1 0x4\n" },
	{ "groups.eml", " text/plain 0 351/361/10 5/6/1 0xc\n" },
	{ "mixed_attach.eml",
	  " multipart/mixed 0 270/279/9 692/710/18 0x1\n"
	  "1 text/plain 279 73/76/3 33/34/1 0x4\n"
	  "2 application/pdf 395 187/192/5 368/372/4 0\n" },
	{ "nested_rfc822.eml",
	  " multipart/mixed 0 227/235/8 527/555/28 0x1\n"
	  "1 text/plain 235 26/28/2 33/34/1 0x4\n"
	  "2 message/rfc822 303 58/61/3 382/399/17 0x2\n"
	  "2.1 multipart/alternative 361 230/238/8 152/161/9 0x1\n"
	  "2.1.1 text/plain 599 44/46/2 15/15/0 0x4\n"
	  "2.1.2 text/html 667 43/45/2 22/22/0 0x4\n" },
	{ "no_blank_line.eml", " text/plain 0 60/62/2 0/0/0 0x2c\n" },
	{ "no_boundary.eml", " multipart/mixed 0 128/134/6 45/50/5 0\n" },
	{ "no_final_boundary.eml",
	  " multipart/mixed 0 122/128/6 104/112/8 0x41\n"
	  "1 text/plain 128 26/28/2 5/5/0 0x4\n"
	  "2 text/plain 166 26/28/2 34/35/1 0x4\n" },
	{ "plain.eml", " text/plain 0 400/411/11 60/65/5 0x4\n" },
	{ "quoted_boundary.eml",
	  " multipart/mixed 0 140/146/6 129/138/9 0x1\n"
	  "1 text/plain 158 26/28/2 8/8/0 0x4\n"
	  "2 text/plain 214 26/28/2 8/8/0 0x4\n" },
	{ "related.eml",
	  " multipart/related 0 199/206/7 416/431/15 0x1\n"
	  "1 text/html 205 65/68/3 58/58/0 0x4\n"
	  "2 image/png 335 174/180/6 97/98/1 0\n" },
	{ "rfc2231.eml",
	  " multipart/mixed 0 121/127/6 355/368/13 0x1\n"
	  "1 application/x-stuff 129 177/183/6 4/4/0 0\n"
	  "2 application/octet-stream 319 147/150/3 0/0/0 0\n" },
};

static void
test_corpus_trees(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(tree_cases) / sizeof(tree_cases[0]); i++) {
		char *p = read_eml(tree_cases[i].file, &len), out[4096] = "";
		struct mime_message *m = parse(p, len);

		tree_dump(m->root, "", out, sizeof(out));
		if (strcmp(out, tree_cases[i].tree) != 0)
			fail_msg("%s:\n%s\nexpected:\n%s", tree_cases[i].file,
				 out, tree_cases[i].tree);
		mime_free(&m);
		assert_null(m);
		free(p);
	}
}

/* The same bytes with LF turned into CR LF: same tree, bytes == vbytes ==
 * the LF vbytes. */
static void
crlf_same(const struct mime_part *lf, const struct mime_part *crlf)
{
	assert_int_equal(crlf->hdr.bytes, lf->hdr.vbytes);
	assert_int_equal(crlf->hdr.vbytes, lf->hdr.vbytes);
	assert_int_equal(crlf->body.bytes, lf->body.vbytes);
	assert_int_equal(crlf->hdr.lines, lf->hdr.lines);
	assert_int_equal(crlf->body.lines, lf->body.lines);
	assert_int_equal(crlf->flags, lf->flags);
	assert_string_equal(crlf->subtype, lf->subtype);
	for (lf = lf->children, crlf = crlf->children; lf != NULL;
	     lf = lf->next, crlf = crlf->next) {
		assert_non_null(crlf);
		crlf_same(lf, crlf);
	}
	assert_null(crlf);
}

static void
test_corpus_crlf(void **state)
{
	size_t i, j, o, len;

	(void)state;
	for (i = 0; i < sizeof(tree_cases) / sizeof(tree_cases[0]); i++) {
		char *p = read_eml(tree_cases[i].file, &len), *q;
		struct mime_message *a, *b;

		if (memchr(p, '\r', len) != NULL) {
			free(p);
			continue;
		}
		q = malloc(2 * len + 1);
		assert_non_null(q);
		for (j = o = 0; j < len; j++) {
			if (p[j] == '\n')
				q[o++] = '\r';
			q[o++] = p[j];
		}
		a = parse(p, len);
		b = parse(q, o);
		crlf_same(a->root, b->root);
		mime_free(&a);
		mime_free(&b);
		free(p);
		free(q);
	}
}

/* ---- fields ---------------------------------------------------------- */

static struct mime_message *
parse_file(const char *name, char **p_r)
{
	size_t len;

	*p_r = read_eml(name, &len);
	return parse(*p_r, len);
}

static void
test_content_fields(void **state)
{
	char *p;
	struct mime_message *m = parse_file("mixed_attach.eml", &p);
	const struct mime_part *att = m->root->children->next;

	(void)state;
	assert_string_equal(mime_param_get(m->root->params,
					   m->root->param_count, "boundary"),
			    "XyZ123");
	assert_string_equal(att->type, "application");
	assert_string_equal(att->subtype, "pdf");
	assert_string_equal(mime_param_get(att->params, att->param_count,
					   "name"), "report.pdf");
	assert_string_equal(att->encoding, "base64");
	assert_string_equal(att->description, "Quarterly report");
	assert_string_equal(att->disposition, "attachment");
	assert_int_equal(att->disp_param_count, 2);
	assert_string_equal(att->disp_params[1].name, "size");
	assert_string_equal(att->disp_params[1].value, "276");
	assert_null(mime_param_get(att->params, att->param_count, "nope"));
	mime_free(&m);
	free(p);

	m = parse_file("related.eml", &p);
	att = m->root->children;
	assert_int_equal(att->language_count, 2);
	assert_string_equal(att->languages[0], "en");
	assert_string_equal(att->languages[1], "de");
	att = att->next;
	assert_string_equal(att->id, "<logo@example.org>");
	assert_string_equal(att->location, "http://example.org/logo.png");
	assert_string_equal(att->md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
	assert_string_equal(mime_param_get(m->root->params,
					   m->root->param_count, "type"),
			    "text/html");
	mime_free(&m);
	free(p);

	m = parse_file("quoted_boundary.eml", &p);
	assert_string_equal(m->root->params[0].value, "simple boundary");
	mime_free(&m);
	free(p);

	/* The first Content-Type wins; names and tokens are lowercased. */
	m = parse(S("CONTENT-TYPE: Text/HTML; Charset=X\n"
		    "Content-Type: image/png\n"
		    "Content-Transfer-Encoding: BASE64\n"
		    "Content-Disposition: INLINE; FileName=a.txt\n\n"));
	assert_string_equal(m->root->type, "text");
	assert_string_equal(m->root->subtype, "html");
	assert_string_equal(m->root->params[0].name, "charset");
	assert_string_equal(m->root->params[0].value, "X");
	assert_string_equal(m->root->encoding, "base64");
	assert_string_equal(m->root->disposition, "inline");
	assert_string_equal(m->root->disp_params[0].name, "filename");
	assert_string_equal(m->root->disp_params[0].value, "a.txt");
	mime_free(&m);

	/* Default type and charset; digest children default to rfc822. */
	m = parse_file("groups.eml", &p);
	assert_true(m->root->flags & MIME_PART_DEFAULT_TYPE);
	assert_string_equal(m->root->params[0].name, "charset");
	assert_string_equal(m->root->params[0].value, "us-ascii");
	mime_free(&m);
	free(p);
}

static void
test_rfc2231(void **state)
{
	char *p;
	struct mime_message *m = parse_file("rfc2231.eml", &p);
	const struct mime_part *a = m->root->children, *b = a->next;

	(void)state;
	assert_int_equal(a->param_count, 1);
	assert_string_equal(a->params[0].name, "title");
	assert_string_equal(a->params[0].value,
			    "This is even more ***fun*** isn't it!");
	assert_string_equal(a->params[0].charset, "us-ascii");
	assert_string_equal(a->params[0].language, "en");
	assert_string_equal(b->params[0].value, "R\xc3\xa9sum\xc3\xa9.txt");
	assert_string_equal(b->params[0].charset, "utf-8");
	assert_null(b->params[0].language);
	/* ISO-8859-1 converted to UTF-8 */
	assert_string_equal(b->disp_params[0].name, "filename");
	assert_string_equal(b->disp_params[0].value,
			    "R\xc3\xa9sum\xc3\xa9.txt");
	assert_string_equal(b->disp_params[0].language, "fr");
	mime_free(&m);
	free(p);
}

struct param_case {
	const char *hdr;
	const char *name;
	const char *value; /* NULL: absent */
};

static const struct param_case param_cases[] = {
	{ "Content-Type: text/plain; CHARSET=\"ISO-8859-1\"", "charset",
	  "ISO-8859-1" },
	{ "Content-Type: multipart/mixed; boundary=----=_Part_1_2.3",
	  "boundary", "----=_Part_1_2.3" },
	{ "Content-Type: text/plain; a=\"q\\\"uo\\\\te\"", "a", "q\"uo\\te" },
	{ "Content-Type: text/plain (comment); charset=utf-8 (c)", "charset",
	  "utf-8" },
	{ "Content-Type: text/plain;\n charset=utf-8;\n\tformat=flowed",
	  "format", "flowed" },
	{ "Content-Type: text/plain; a=1; a=2", "a", "1" },
	{ "Content-Type: text/plain; ;;; a=1", "a", "1" },
	{ "Content-Type: text/plain; novalue; a=1", "a", "1" },
	{ "Content-Type: text/plain; a*1=x; a=plain", "a", "plain" },
	{ "Content-Type: text/plain; a*0=x; a*2=z; a*1=y", "a", "xyz" },
	{ "Content-Type: text/plain; a*0=x; a*2=z", "a", "x" },
	{ "Content-Type: text/plain; a*=''%41%4", "a", "A%4" },
	{ "Content-Type: text/plain; a*=utf-8''%0D%0Ab%00c", "a", "bc" },
	{ "Content-Type: text/plain; a*=x-unknown''%E9", "a", "\xe9" },
	{ "Content-Type: text/plain; a*0*=utf-8''%C3; a*1*=%A9", "a",
	  "\xc3\xa9" },
	{ "Content-Type: text/plain; a=\"unterminated", "a", "unterminated" },
	{ "Content-Type: text/plain; a=", "a", "" },
	{ "Content-Type: text/plain; =x; b=y", "b", "y" },
};

static void
test_params(void **state)
{
	size_t i;
	char msg[512];

	(void)state;
	for (i = 0; i < sizeof(param_cases) / sizeof(param_cases[0]); i++) {
		struct mime_message *m;
		const char *v;
		int n = snprintf(msg, sizeof(msg), "%s\n\nbody\n",
				 param_cases[i].hdr);

		m = parse(msg, (size_t)n);
		v = mime_param_get(m->root->params, m->root->param_count,
				   param_cases[i].name);
		if (param_cases[i].value == NULL ? v != NULL
		    : v == NULL || strcmp(v, param_cases[i].value) != 0)
			fail_msg("case %zu: %s: got %s", i, param_cases[i].hdr,
				 v ? v : "NULL");
		mime_free(&m);
	}
}

static void
test_params_limit(void **state)
{
	char msg[8192];
	size_t o;
	unsigned i;
	struct mime_message *m;

	(void)state;
	o = (size_t)snprintf(msg, sizeof(msg), "Content-Type: text/plain");
	for (i = 0; i < MIME_PARAMS_MAX + 10; i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "; p%u=%u", i,
				      i);
	o += (size_t)snprintf(msg + o, sizeof(msg) - o, "\n\nx");
	m = parse(msg, o);
	assert_int_equal(m->root->param_count, MIME_PARAMS_MAX);
	assert_string_equal(mime_param_get(m->root->params,
					   m->root->param_count, "p63"),
			    "63");
	assert_null(mime_param_get(m->root->params, m->root->param_count,
				   "p64"));
	mime_free(&m);
}

static void
test_bad_content_type(void **state)
{
	static const char *const bad[] = {
		"Content-Type: text\n\nx",
		"Content-Type: /plain\n\nx",
		"Content-Type: \n\nx",
		"Content-Type: text/\n\nx",
		"Content-Type: te(xt/plain\n\nx",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mime_message *m = parse(bad[i], strlen(bad[i]));

		assert_string_equal(m->root->type, "text");
		assert_string_equal(m->root->subtype, "plain");
		assert_true(m->root->flags & MIME_PART_DEFAULT_TYPE);
		mime_free(&m);
	}
}

/* ---- envelope and addresses ------------------------------------------ */

static void
test_envelope(void **state)
{
	char *p, a[1024];
	struct mime_message *m = parse_file("groups.eml", &p);
	const struct mime_envelope *e = m->root->envelope;

	(void)state;
	assert_non_null(e);
	assert_null(e->date);
	assert_string_equal(e->subject, "groups");
	assert_string_equal(e->in_reply_to, "<1234@local.machine.example>");
	assert_string_equal(e->message_id, "<5678.21-Nov-1997@example.com>");
	addr_dump(e->from, a, sizeof(a));
	assert_string_equal(a, "(Joe Q. Public|NIL|john.q.public|example.com)");
	addr_dump(e->sender, a, sizeof(a));
	assert_string_equal(a, "(Mary Smith|@node.test|mary|example.net)");
	addr_dump(e->reply_to, a, sizeof(a));
	assert_string_equal(a, "(John Doe|NIL|jdoe|example.org)");
	addr_dump(e->to, a, sizeof(a));
	assert_string_equal(a, "(NIL|NIL|A Group|NIL) (Ed Jones|NIL|c|a.test) "
			       "(NIL|NIL|joe|where.test) "
			       "(John|NIL|jdoe|one.test) (NIL|NIL|NIL|NIL)");
	addr_dump(e->cc, a, sizeof(a));
	assert_string_equal(a, "(NIL|NIL|undisclosed-recipients|NIL) "
			       "(NIL|NIL|NIL|NIL) "
			       "(NIL|NIL|root|MISSING_DOMAIN)");
	addr_dump(e->bcc, a, sizeof(a));
	assert_string_equal(a, "(NIL|NIL||)");
	mime_free(&m);
	free(p);

	/* Encoded words stay raw; Sender / Reply-To default to From;
	 * folding is undone. */
	m = parse_file("encoded_words.eml", &p);
	e = m->root->envelope;
	assert_string_equal(e->subject, "=?utf-8?q?Gr=C3=BC=C3=9Fe_aus?= "
					"=?utf-8?q?_M=C3=BCnchen?=");
	addr_dump(e->from, a, sizeof(a));
	assert_string_equal(a, "(=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?=|NIL|juergen|"
			       "example.de)");
	assert_ptr_equal(e->sender, e->from);
	assert_ptr_equal(e->reply_to, e->from);
	assert_null(e->cc);
	mime_free(&m);
	free(p);

	m = parse_file("folding.eml", &p);
	e = m->root->envelope;
	assert_string_equal(e->subject,
			    "This is a long subject line that has been folded");
	assert_string_equal(e->date, "Mon, 30 Nov 2026  10:00:00 +0000");
	addr_dump(e->to, a, sizeof(a));
	assert_string_equal(a, "(Niaj|NIL|niaj|example.com) "
			       "(Olivia|NIL|olivia|example.com)");
	mime_free(&m);
	free(p);

	/* Present but empty Sender / Reply-To are From too; the first of
	 * repeated fields wins; absent fields are NULL (NIL). */
	m = parse(S("From: a@b\nSender:\nReply-To:  (x)\nSubject: one\n"
		    "Subject: two\nTo: c@d\nTo: e@f\n\n"));
	e = m->root->envelope;
	assert_ptr_equal(e->sender, e->from);
	assert_ptr_equal(e->reply_to, e->from);
	assert_string_equal(e->subject, "one");
	addr_dump(e->to, a, sizeof(a));
	assert_string_equal(a, "(NIL|NIL|c|d)");
	assert_null(e->date);
	assert_null(e->message_id);
	assert_null(e->in_reply_to);
	assert_null(e->bcc);
	mime_free(&m);

	/* The encapsulated message has its own envelope; body parts of a
	 * multipart do not. */
	m = parse_file("nested_rfc822.eml", &p);
	assert_null(m->root->children->envelope);
	assert_null(m->root->children->next->envelope);
	e = m->root->children->next->children->envelope;
	assert_non_null(e);
	assert_string_equal(e->subject, "Meeting notes");
	assert_string_equal(e->message_id, "<notes.1@example.net>");
	mime_free(&m);
	free(p);
}

struct addr_case {
	const char *in;
	const char *out;
};

static const struct addr_case addr_cases[] = {
	{ "a@b", "(NIL|NIL|a|b)" },
	{ "  a@b  ,  c@d ", "(NIL|NIL|a|b) (NIL|NIL|c|d)" },
	{ "Name <a@b>", "(Name|NIL|a|b)" },
	{ "\"Last, First\" <a@b>", "(Last, First|NIL|a|b)" },
	{ "\"q\\\"x\" <a@b>", "(q\"x|NIL|a|b)" },
	{ "a@b (Real Name)", "(Real Name|NIL|a|b)" },
	{ "(before) a@b", "(NIL|NIL|a|b)" },
	{ "Name (c) <a@b> (after)", "(Name|NIL|a|b)" },
	{ "\"john doe\"@example.com", "(NIL|NIL|john doe|example.com)" },
	{ "a . b @ c . d", "(NIL|NIL|a.b|c.d)" },
	{ "a@[192.0.2.1]", "(NIL|NIL|a|[192.0.2.1])" },
	{ "<@r1,@r2:a@b>", "(NIL|@r1,@r2|a|b)" },
	{ "g: ;", "(NIL|NIL|g|NIL) (NIL|NIL|NIL|NIL)" },
	{ "g: a@b, c@d; e@f",
	  "(NIL|NIL|g|NIL) (NIL|NIL|a|b) (NIL|NIL|c|d) (NIL|NIL|NIL|NIL) "
	  "(NIL|NIL|e|f)" },
	{ "g: a@b", "(NIL|NIL|g|NIL) (NIL|NIL|a|b) (NIL|NIL|NIL|NIL)" },
	{ "root", "(NIL|NIL|root|MISSING_DOMAIN)" },
	{ "<a>", "(NIL|NIL|a|MISSING_DOMAIN)" },
	{ "<@b>", "(NIL|NIL|MISSING_MAILBOX|b)" },
	{ "<>", "(NIL|NIL||)" },
	{ ",,a@b,,", "(NIL|NIL|a|b)" },
	{ "", "" },
	{ "   ", "" },
	{ "(only a comment)", "" },
	{ "Name <a@b", "(Name|NIL|a|b)" },
	{ "a@b junk, c@d", "(NIL|NIL|a|b) (NIL|NIL|c|d)" },
	{ ">>> , a@b", "(NIL|NIL|a|b)" },
	{ "=?utf-8?q?J=C3=BCrgen?= <j@x>", "(=?utf-8?q?J=C3=BCrgen?=|NIL|j|x)" },
	{ "J\xc3\xbcrgen <j@x>", "(J\xc3\xbcrgen|NIL|j|x)" },
	{ "Name\n <a@b>", "(Name|NIL|a|b)" },
	{ "\"unterminated <a@b>", "(NIL|NIL|unterminated <a@b>|MISSING_DOMAIN)" },
	{ "(unterminated comment a@b", "" },
	{ "a@b (nested (comment))", "(nested (comment)|NIL|a|b)" },
};

static void
test_addr_lists(void **state)
{
	size_t i;
	char out[1024];

	(void)state;
	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		struct mime_message *m = parse("", 0);
		struct mime_addr *list;

		assert_int_equal(mime_addr_parse_list(m, addr_cases[i].in,
						      strlen(addr_cases[i].in),
						      &list), 0);
		addr_dump(list, out, sizeof(out));
		if (strcmp(out, addr_cases[i].out) != 0)
			fail_msg("case %zu: %s: got %s, want %s", i,
				 addr_cases[i].in, out, addr_cases[i].out);
		mime_free(&m);
	}
}

static void
test_addr_limit(void **state)
{
	size_t n = 3 * (MIME_ADDRS_MAX + 5), i;
	char *s = malloc(n);
	struct mime_message *m = parse("", 0);
	struct mime_addr *list, *a;
	unsigned count = 0;

	(void)state;
	assert_non_null(s);
	for (i = 0; i + 3 <= n; i += 3)
		memcpy(s + i, "a@,", 3);
	assert_int_equal(mime_addr_parse_list(m, s, n, &list), 0);
	for (a = list; a != NULL; a = a->next)
		count++;
	assert_int_equal(count, MIME_ADDRS_MAX);
	mime_free(&m);
	free(s);
}

/* ---- section numbers ------------------------------------------------- */

static void
test_part_find(void **state)
{
	char *p;
	struct mime_message *m = parse_file("nested_rfc822.eml", &p);
	const struct mime_part *r = m->root, *msg = r->children->next;
	unsigned n[4];

	(void)state;
	assert_ptr_equal(mime_part_find(m, n, 0), r);
	n[0] = 1;
	assert_ptr_equal(mime_part_find(m, n, 1), r->children);
	n[0] = 2;
	assert_ptr_equal(mime_part_find(m, n, 1), msg);
	n[1] = 1;
	assert_ptr_equal(mime_part_find(m, n, 2), msg->children->children);
	n[1] = 2;
	assert_ptr_equal(mime_part_find(m, n, 2),
			 msg->children->children->next);
	n[1] = 3;
	assert_null(mime_part_find(m, n, 2));
	n[0] = 3;
	assert_null(mime_part_find(m, n, 1));
	n[0] = 0;
	assert_null(mime_part_find(m, n, 1));
	n[0] = 1;
	n[1] = 1;
	assert_null(mime_part_find(m, n, 2)); /* a leaf has no parts */
	mime_free(&m);
	free(p);

	/* A single-part message has only part 1, itself. */
	m = parse_file("plain.eml", &p);
	n[0] = 1;
	assert_ptr_equal(mime_part_find(m, n, 1), m->root);
	n[1] = 1;
	assert_null(mime_part_find(m, n, 2));
	n[0] = 2;
	assert_null(mime_part_find(m, n, 1));
	mime_free(&m);
	free(p);

	/* message/rfc822 inside: 1 is the rfc822 part, 1.1 the body of the
	 * non-multipart encapsulated message. */
	m = parse(S("Content-Type: multipart/mixed; boundary=x\n\n--x\n"
		    "Content-Type: message/rfc822\n\nSubject: in\n\nhi\n"
		    "--x--\n"));
	n[0] = 1;
	n[1] = 1;
	n[2] = 1;
	assert_ptr_equal(mime_part_find(m, n, 2), m->root->children->children);
	assert_null(mime_part_find(m, n, 3));
	mime_free(&m);
}

/* ---- hostile input --------------------------------------------------- */

struct inline_case {
	const char *in;
	size_t len;
	const char *tree;
};

static const struct inline_case inline_cases[] = {
	{ S(""), " text/plain 0 0/0/0 0/0/0 0x2c\n" },
	{ S("\n"), " text/plain 0 1/2/1 0/0/0 0xc\n" },
	{ S("\r\n"), " text/plain 0 2/2/1 0/0/0 0xc\n" },
	{ S("\n\n"), " text/plain 0 1/2/1 1/2/1 0xc\n" },
	{ S("body without header and no LF"),
	  " text/plain 0 29/29/0 0/0/0 0x2c\n" },
	/* NUL in a body */
	{ S("Subject: x\n\na\0b\n"), " text/plain 0 12/14/2 4/5/1 0x1c\n" },
	/* CR alone is no line end */
	{ S("Subject: x\r\rx\n\nb"), " text/plain 0 15/17/2 1/1/0 0xc\n" },
	/* boundary at EOF without LF; closing without LF */
	{ S("Content-Type: multipart/mixed; boundary=b\n\n--b\nx: y\n\nz\n--b"),
	  " multipart/mixed 0 43/45/2 15/19/4 0x41\n"
	  "1 text/plain 47 6/8/2 1/1/0 0xc\n"
	  "2 text/plain 58 0/0/0 0/0/0 0x2c\n" },
	{ S("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nz\n--b--"),
	  " multipart/mixed 0 43/45/2 12/15/3 0x1\n"
	  "1 text/plain 47 1/2/1 1/1/0 0xc\n" },
	/* empty parts, delimiters back to back, no children */
	{ S("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b--\n"),
	  " multipart/mixed 0 43/45/2 14/17/3 0x1\n"
	  "1 text/plain 47 0/0/0 0/0/0 0x2c\n"
	  "2 text/plain 51 0/0/0 0/0/0 0x2c\n" },
	{ S("Content-Type: multipart/mixed; boundary=b\n\nno parts\n"),
	  " multipart/mixed 0 43/45/2 9/10/1 0x41\n" },
	/* a header that runs into a boundary */
	{ S("Content-Type: multipart/mixed; boundary=b\n\n--b\nX: y\n--b--\n"),
	  " multipart/mixed 0 43/45/2 15/18/3 0x1\n"
	  "1 text/plain 47 4/4/0 0/0/0 0x2c\n" },
	/* nested multiparts; an outer boundary closes the inner one */
	{ S("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	    "Content-Type: multipart/alternative; boundary=i\n\n--i\n\na\n"
	    "--o\n\nb\n--o--\n"),
	  " multipart/mixed 0 43/45/2 73/83/10 0x1\n"
	  "1 multipart/alternative 47 49/51/2 6/8/2 0x41\n"
	  "1.1 text/plain 100 1/2/1 1/1/0 0xc\n"
	  "2 text/plain 107 1/2/1 1/1/0 0xc\n" },
	/* an empty line ending a header right before an outer boundary
	 * stays in that header; the parents do not take it again (found by
	 * fuzz_mime) */
	{ S("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	    "Content-Type: multipart/mixed; boundary=i\n\n--i\nX: y\n\n"
	    "--o--\n"),
	  " multipart/mixed 0 43/45/2 63/70/7 0x1\n"
	  "1 multipart/mixed 47 43/45/2 10/13/3 0x41\n"
	  "1.1 text/plain 94 6/8/2 0/0/0 0xc\n" },
	/* same boundary nested: the innermost wins */
	{ S("Content-Type: multipart/mixed; boundary=s\n\n--s\n"
	    "Content-Type: multipart/mixed; boundary=s\n\n--s\n\na\n--s--\n"
	    "--s--\n"),
	  " multipart/mixed 0 43/45/2 66/74/8 0x1\n"
	  "1 multipart/mixed 47 43/45/2 12/15/3 0x1\n"
	  "1.1 text/plain 94 1/2/1 1/1/0 0xc\n" },
	/* message/rfc822 base64-encoded: a leaf */
	{ S("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64"
	    "\n\nU3ViamVjdDogeAoKeQo=\n"),
	  " message/rfc822 0 64/67/3 21/22/1 0\n" },
	/* message/rfc822 at the top */
	{ S("Content-Type: message/rfc822\n\nSubject: x\n\ny\n"),
	  " message/rfc822 0 30/32/2 14/17/3 0x2\n"
	  "1 text/plain 30 12/14/2 2/3/1 0xc\n" },
	/* empty boundary parameter: a leaf */
	{ S("Content-Type: multipart/mixed; boundary=\"\"\n\n--\nx\n"),
	  " multipart/mixed 0 44/46/2 5/7/2 0\n" },
};

static void
test_inline_trees(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inline_cases) / sizeof(inline_cases[0]); i++) {
		struct mime_message *m = parse(inline_cases[i].in,
					       inline_cases[i].len);
		char out[4096] = "";

		tree_dump(m->root, "", out, sizeof(out));
		if (strcmp(out, inline_cases[i].tree) != 0)
			fail_msg("case %zu:\n%s\nexpected:\n%s", i, out,
				 inline_cases[i].tree);
		mime_free(&m);
	}
}

/* Builds a message nesting levels multiparts (or message/rfc822). */
static char *
nested(unsigned levels, bool rfc822, size_t *len_r)
{
	size_t cap = (size_t)levels * 128 + 256, o = 0;
	char *p = malloc(cap);
	unsigned i;

	assert_non_null(p);
	for (i = 0; i < levels; i++) {
		if (rfc822)
			o += (size_t)snprintf(p + o, cap - o,
					      "Content-Type: message/rfc822\n\n");
		else
			o += (size_t)snprintf(p + o, cap - o,
					      "Content-Type: multipart/mixed; "
					      "boundary=b%u\n\n--b%u\n", i, i);
	}
	o += (size_t)snprintf(p + o, cap - o, "Subject: leaf\n\nleaf\n");
	for (i = levels; !rfc822 && i-- > 0;)
		o += (size_t)snprintf(p + o, cap - o, "--b%u--\n", i);
	*len_r = o;
	return p;
}

static void
test_deep_nesting(void **state)
{
	static const unsigned levels[] = { MIME_DEPTH_MAX - 1, MIME_DEPTH_MAX,
					   MIME_DEPTH_MAX + 1, 1000 };
	size_t i, len;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
			char *p = nested(levels[i], k == 1, &len);
			struct mime_message *m = parse(p, len);
			const struct mime_part *part = m->root;
			unsigned depth = 0;

			while (part->children != NULL) {
				part = part->children;
				depth++;
			}
			if (levels[i] <= MIME_DEPTH_MAX) {
				assert_int_equal(depth, levels[i]);
				assert_false(part->flags &
					     MIME_PART_TRUNCATED);
			} else {
				assert_int_equal(depth, MIME_DEPTH_MAX);
				assert_true(part->flags & MIME_PART_TRUNCATED);
				assert_string_equal(part->type, "text");
				/* the leaf still ends where its body ends */
				assert_true(part->body_offset +
					    part->body.bytes <= len);
			}
			mime_free(&m);
			free(p);
		}
	}
}

static void
test_many_parts(void **state)
{
	static const unsigned counts[] = { MIME_PARTS_MAX - 2,
					   MIME_PARTS_MAX - 1, MIME_PARTS_MAX,
					   3 * MIME_PARTS_MAX };
	size_t i, o, cap;

	(void)state;
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		unsigned j;
		char *p;
		struct mime_message *m;

		cap = (size_t)counts[i] * 8 + 128;
		p = malloc(cap);
		assert_non_null(p);
		o = (size_t)snprintf(p, cap, "Content-Type: multipart/mixed; "
					     "boundary=b\n\n");
		for (j = 0; j < counts[i]; j++)
			o += (size_t)snprintf(p + o, cap - o, "--b\n\nx\n");
		o += (size_t)snprintf(p + o, cap - o, "--b--\nepilogue\n");
		m = parse(p, o);
		/* the root counts as a part */
		if (counts[i] + 1 <= MIME_PARTS_MAX) {
			assert_int_equal(m->part_count, counts[i] + 1);
			assert_int_equal(m->root->child_count, counts[i]);
			assert_false(m->root->flags & MIME_PART_TRUNCATED);
		} else {
			assert_int_equal(m->part_count, MIME_PARTS_MAX);
			assert_int_equal(m->root->child_count,
					 MIME_PARTS_MAX - 1);
			assert_true(m->root->flags & MIME_PART_TRUNCATED);
		}
		assert_int_equal(m->root->body_offset + m->root->body.bytes, o);
		mime_free(&m);
		free(p);
	}
}

static void
test_long_boundary(void **state)
{
	static const size_t lens[] = { 70, 71, MIME_BOUNDARY_MAX_BYTES,
				       MIME_BOUNDARY_MAX_BYTES + 1 };
	size_t i, o;
	char bd[MIME_BOUNDARY_MAX_BYTES + 2], msg[2048];

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct mime_message *m;

		memset(bd, 'b', lens[i]);
		bd[lens[i]] = '\0';
		o = (size_t)snprintf(msg, sizeof(msg),
				     "Content-Type: multipart/mixed; "
				     "boundary=\"%s\"\n\n--%s\n\nx\n--%s--\n",
				     bd, bd, bd);
		m = parse(msg, o);
		if (lens[i] <= MIME_BOUNDARY_MAX_BYTES) {
			assert_int_equal(m->root->child_count, 1);
			assert_true(m->root->flags & MIME_PART_MULTIPART);
		} else {
			assert_int_equal(m->root->child_count, 0);
			assert_false(m->root->flags & MIME_PART_MULTIPART);
		}
		mime_free(&m);
	}
}

/* The arena chunk a freed message leaves for the next one (lib/mime.c:
 * mime_spare_chunk) comes back zeroed, as calloc'd memory, and parsing
 * one message after the other gives the same results. */
static void
test_arena_chunk_reused(void **state)
{
	static const char msg[] = "Subject: one\n\nbody\n";
	struct mime_message *m;
	const char *error;
	unsigned char *p;
	size_t i, k;

	(void)state;
	for (k = 0; k < 3; k++) {
		assert_int_equal(mime_parse(msg, sizeof(msg) - 1, 0, &m, &error),
				 0);
		assert_string_equal(m->root->envelope->subject, "one");
		/* the rest of the first chunk: zero, then dirtied */
		p = mime_alloc(m, 4096);
		assert_non_null(p);
		for (i = 0; i < 4096; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xa5, 4096);
		mime_free(&m);
	}
}

static void
test_header_only(void **state)
{
	char *p;
	size_t len;
	struct mime_message *m;
	const char *error;

	(void)state;
	p = read_eml("nested_rfc822.eml", &len);
	assert_int_equal(mime_parse(p, len, MIME_PARSE_HEADER_ONLY, &m,
				    &error), 0);
	assert_int_equal(m->part_count, 1);
	assert_null(m->root->children);
	assert_int_equal(m->root->hdr.bytes, 227);
	assert_int_equal(m->root->body.bytes, len - 227);
	assert_string_equal(m->root->envelope->subject, "Fwd: Meeting notes");
	assert_string_equal(m->root->subtype, "mixed");
	mime_free(&m);
	mime_free(&m); /* NULL: no-op */
	free(p);
}

/* Every prefix of a corpus message parses, and stays inside it. */
static void
test_truncated_prefixes(void **state)
{
	size_t len, n;
	char *p = read_eml("nested_rfc822.eml", &len);

	(void)state;
	for (n = 0; n <= len; n++) {
		char *q = malloc(n + 1);
		struct mime_message *m;

		assert_non_null(q);
		memcpy(q, p, n);
		m = parse(q, n);
		assert_true(m->root->body_offset + m->root->body.bytes == n);
		mime_free(&m);
		free(q);
	}
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_trees),
		cmocka_unit_test(test_corpus_crlf),
		cmocka_unit_test(test_content_fields),
		cmocka_unit_test(test_rfc2231),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_params_limit),
		cmocka_unit_test(test_bad_content_type),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_addr_lists),
		cmocka_unit_test(test_addr_limit),
		cmocka_unit_test(test_part_find),
		cmocka_unit_test(test_inline_trees),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_long_boundary),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_arena_chunk_reused),
		cmocka_unit_test(test_truncated_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
