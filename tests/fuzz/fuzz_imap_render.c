/*
 * fuzz_imap_render.c -- libFuzzer target for lib/imap_render.c over
 * lib/mime.c's trees.
 *
 * Input: an optional first line "[section]" (the BODY[...] text to try),
 * then the message. Checks, beyond "no crash": ENVELOPE, BODY and
 * BODYSTRUCTURE are well-formed IMAP (balanced parentheses outside quoted
 * strings and literals, literals of exact length, no CR or LF outside
 * literals, no NUL); every part's BODY[n] and BODY[n.MIME] sizes equal
 * lib/mime's vbytes and the extracted bytes have that length, hold no NUL
 * and no bare LF; partial windows are exact slices of the whole;
 * header-only sections give the same bytes from a header-only parse of
 * the header alone as from the full tree (what quail-imapd relies on);
 * a section that parses formats to a name that parses to the same name;
 * a message without a final LF sent with the added CR LF (eof_crlf) has
 * sections as long as the adjusted tree says, and BODY[] ends in CR LF.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"
#include "imap_render.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parts checked per input (bounds the time per input). */
#define FUZZ_PARTS_MAX 200

/* A crude IMAP syntax walk over rendered data. */
static void
check_imap_syntax(const char *p, size_t len)
{
	size_t i = 0;
	long depth = 0;

	while (i < len) {
		char c = p[i];

		if (c == '\0' || c == '\r' || c == '\n')
			abort();
		if (c == '(') {
			depth++;
			i++;
		} else if (c == ')') {
			if (--depth < 0)
				abort();
			i++;
		} else if (c == '"') {
			for (i++; i < len && p[i] != '"'; i++) {
				if (p[i] == '\\')
					i++;
				if (i >= len || (unsigned char)p[i] >= 0x80 ||
				    p[i] == '\r' || p[i] == '\n')
					abort();
			}
			if (i >= len)
				abort();
			i++;
		} else if (c == '{') {
			size_t n = 0;

			for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
				n = n * 10 + (size_t)(p[i] - '0');
			if (len - i < 3 || memcmp(p + i, "}\r\n", 3) != 0)
				abort();
			i += 3;
			if (len - i < n)
				abort();
			i += n;
		} else {
			i++;
		}
	}
	if (depth != 0)
		abort();
}

static void
check_render(const struct mime_message *m)
{
	struct buf b = BUF_INIT;

	if (imap_render_envelope(m->root->envelope, &b) < 0)
		abort();
	check_imap_syntax(b.data, b.len);
	buf_reset(&b);
	if (imap_render_body(m->root, true, &b) < 0)
		abort();
	check_imap_syntax(b.data, b.len);
	buf_reset(&b);
	if (imap_render_body(m->root, false, &b) < 0)
		abort();
	check_imap_syntax(b.data, b.len);
	buf_free(&b);
}

static void
check_bytes(const struct buf *b, uint64_t want)
{
	size_t i;

	if (b->len != want)
		abort();
	for (i = 0; i < b->len; i++)
		if (b->data[i] == '\0' ||
		    (b->data[i] == '\n' && (i == 0 || b->data[i - 1] != '\r')))
			abort();
}

/* Extracts sec fully and in a few windows; checks them against each
 * other. Returns the full bytes in *full (caller frees). */
static void
check_section(const char *msg, size_t len, const struct mime_message *m,
	      const struct imap_section *sec, struct buf *full)
{
	struct imap_extract x;
	struct buf built = BUF_INIT, part = BUF_INIT;
	uint64_t offs[] = { 0, 1, 2, 7, 100 }, counts[] = { 1, 3, 1000 };
	size_t i, k;

	if (imap_section_locate(msg, len, m, sec, false, &x, &built) < 0)
		abort();
	if (imap_section_extract(msg, len, m, sec, false, false, 0, 0, full) <
	    0)
		abort();
	if (x.kind == IMAP_EXTRACT_EMPTY ? full->len != 0
					 : full->len != x.vbytes)
		abort();
	if (x.kind == IMAP_EXTRACT_REGION)
		check_bytes(full, x.vbytes);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
			uint64_t o = offs[i] < full->len ? offs[i] : full->len;
			uint64_t n = full->len - o < counts[k] ? full->len - o
							       : counts[k];

			buf_reset(&part);
			if (imap_section_extract(msg, len, m, sec, false, true,
						 offs[i], counts[k], &part) < 0)
				abort();
			if (part.len != n ||
			    (n > 0 &&
			     memcmp(part.data, full->data + o, n) != 0))
				abort();
		}
	buf_free(&built);
	buf_free(&part);
}

/* BODY[n] and BODY[n.MIME] of every part, numbered as IMAP does. */
static void
check_parts(const char *msg, size_t len, const struct mime_message *m,
	    const struct mime_part *p, struct imap_section *sec,
	    unsigned *budget)
{
	const struct mime_part *c;
	struct buf b = BUF_INIT;
	unsigned k = 1;

	if (*budget == 0)
		return;
	(*budget)--;
	if (sec->n_nums > 0 && sec->n_nums < IMAP_SECTION_PARTS_MAX) {
		sec->text = IMAP_SECTION_NONE;
		check_section(msg, len, m, sec, &b);
		if (mime_part_find(m, sec->nums, sec->n_nums) == p &&
		    b.len != p->body.vbytes)
			abort();
		buf_reset(&b);
		sec->text = IMAP_SECTION_MIME;
		check_section(msg, len, m, sec, &b);
		if (mime_part_find(m, sec->nums, sec->n_nums) == p &&
		    b.len != p->hdr.vbytes)
			abort();
		buf_free(&b);
	}
	if (sec->n_nums + 1 >= IMAP_SECTION_PARTS_MAX)
		return;
	c = p->children;
	if ((p->flags & MIME_PART_MESSAGE) != 0 && c != NULL) {
		if ((c->flags & MIME_PART_MULTIPART) == 0)
			return;
		c = c->children;
	}
	for (; c != NULL; c = c->next) {
		sec->nums[sec->n_nums++] = k++;
		check_parts(msg, len, m, c, sec, budget);
		sec->n_nums--;
	}
}

/* A header-only section gives the same from the header alone. */
static void
check_header_only(const char *msg, size_t len, const struct mime_message *m,
		  const struct imap_section *sec)
{
	struct mime_message *h;
	struct buf a = BUF_INIT, b = BUF_INIT;
	const char *error;
	size_t hlen = hdr_section_len(msg, len);

	if (imap_section_needs(sec) != IMAP_SECTION_NEED_HEADER)
		return;
	if (mime_parse(msg, hlen, MIME_PARSE_HEADER_ONLY, &h, &error) < 0)
		return; /* out of memory */
	if (imap_section_extract(msg, len, m, sec, false, false, 0, 0, &a) <
		    0 ||
	    imap_section_extract(msg, hlen, h, sec, false, false, 0, 0, &b) < 0)
		abort();
	if (a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len)))
		abort();
	mime_free(&h);
	buf_free(&a);
	buf_free(&b);
}

static void
check_user_section(const char *msg, size_t len, const struct mime_message *m,
		   const char *s, size_t slen)
{
	struct imap_section sec, again;
	struct buf name = BUF_INIT, name2 = BUF_INIT, full = BUF_INIT;
	const char *error;

	if (imap_section_parse(s, slen, &sec, &error) < 0) {
		imap_section_free(&sec);
		return;
	}
	if (imap_section_format(&sec, &name) < 0 ||
	    imap_section_parse(name.data != NULL ? name.data : "", name.len,
			       &again, &error) < 0 ||
	    imap_section_format(&again, &name2) < 0 || name.len != name2.len ||
	    (name.len > 0 && memcmp(name.data, name2.data, name.len) != 0))
		abort();
	check_section(msg, len, m, &sec, &full);
	check_header_only(msg, len, m, &sec);
	imap_section_free(&sec);
	imap_section_free(&again);
	buf_free(&name);
	buf_free(&name2);
	buf_free(&full);
}

/* The length of BODY[sect] with eof_crlf (abort on error). */
static size_t
eof_len(const char *msg, size_t len, const struct mime_message *m,
	const char *sect, struct buf *out)
{
	struct imap_section sec;
	const char *error;

	buf_reset(out);
	if (imap_section_parse(sect, strlen(sect), &sec, &error) < 0 ||
	    imap_section_extract(msg, len, m, &sec, true, false, 0, 0, out) < 0)
		abort();
	imap_section_free(&sec);
	return out->len;
}

/* A message without a final LF sent with the added CR LF: BODY[] ends
 * with it and is the root's header + body size, TEXT and HEADER are the
 * root's sizes, and BODY[n] / BODY[n.MIME] of a root multipart's
 * children are their sizes in the adjusted tree. */
static void
check_eof_crlf(const char *msg, size_t len)
{
	struct mime_message *m;
	const struct mime_part *c;
	const char *error;
	struct buf b = BUF_INIT;
	char sect[32];
	unsigned k = 1;

	if (!imap_eof_crlf_possible(msg, len) ||
	    mime_parse(msg, len, 0, &m, &error) < 0)
		return;
	imap_render_eof_crlf(m, len);
	if (eof_len(msg, len, m, "", &b) !=
		    m->root->hdr.vbytes + m->root->body.vbytes ||
	    b.len < 2 || memcmp(b.data + b.len - 2, "\r\n", 2) != 0)
		abort();
	if (eof_len(msg, len, m, "TEXT", &b) != m->root->body.vbytes ||
	    eof_len(msg, len, m, "HEADER", &b) != m->root->hdr.vbytes)
		abort();
	if ((m->root->flags & MIME_PART_MULTIPART) != 0)
		for (c = m->root->children; c != NULL && k <= FUZZ_PARTS_MAX;
		     c = c->next, k++) {
			snprintf(sect, sizeof(sect), "%u", k);
			if (eof_len(msg, len, m, sect, &b) != c->body.vbytes)
				abort();
			snprintf(sect, sizeof(sect), "%u.MIME", k);
			if (eof_len(msg, len, m, sect, &b) != c->hdr.vbytes)
				abort();
		}
	buf_free(&b);
	mime_free(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
		"",
		"HEADER",
		"TEXT",
		"HEADER.FIELDS (FROM SUBJECT)",
		"HEADER.FIELDS.NOT (CONTENT-TYPE)",
		"1.HEADER",
		"2.TEXT",
		"1.1.MIME",
	};
	const char *p = (const char *)data, *sect = NULL;
	size_t len = size, slen = 0, i;
	struct mime_message *m;
	struct imap_section sec;
	const char *error;
	unsigned budget = FUZZ_PARTS_MAX;

	if (len > 0 && p[0] == '[') {
		const char *nl = memchr(p, '\n', len < 512 ? len : 512);

		if (nl != NULL && nl > p + 1 && nl[-1] == ']') {
			sect = p + 1;
			slen = (size_t)(nl - p) - 2;
			len -= (size_t)(nl + 1 - p);
			p = nl + 1;
		}
	}
	if (mime_parse(p, len, 0, &m, &error) < 0)
		return 0;
	check_render(m);
	memset(&sec, 0, sizeof(sec));
	buf_init(&sec.fields, 0);
	check_parts(p, len, m, m->root, &sec, &budget);
	imap_section_free(&sec);
	if (sect != NULL)
		check_user_section(p, len, m, sect, slen);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_user_section(p, len, m, fixed[i], strlen(fixed[i]));
	mime_free(&m);
	check_eof_crlf(p, len);
	return 0;
}
