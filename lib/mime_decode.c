/*
 * mime_decode.c -- decoders for IMAP SEARCH: RFC 2047 encoded words
 * (sections 4 and 6: B and Q, adjacent words, RFC 2231 5 "charset*lang"),
 * RFC 2045 6.7 quoted-printable and 6.8 base64, and charsets to UTF-8
 * (US-ASCII, UTF-8, ISO-8859-1, ISO-8859-15 and Windows-1252 built in,
 * anything else through iconv(3)).
 *
 * Decoders are lenient the way readers must be: what is invalid is kept
 * (QP, encoded words, charsets) or skipped (base64 garbage), never an
 * error. Adjacent encoded words in one charset are joined before the
 * conversion, so a character split across two words survives.
 *
 * SECURITY: input is untrusted; output goes through lib/buf.h whose cap
 * bounds memory; output is at most 3 bytes per input byte (plus what
 * iconv makes of a multibyte charset, also bounded by the cap). Charset
 * names reach iconv_open only when they are short and made of letters,
 * digits and "-_.:", so no "//TRANSLIT"-style suffix can be smuggled in.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mime.h"

/* Longest charset name passed to iconv_open (IANA names are <= 40). */
#define MIME_CHARSET_MAX_BYTES 40

static int
mime_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- quoted-printable ------------------------------------------------ */

int
mime_qp_decode(const char *p, size_t len, struct buf *out)
{
	size_t pos = 0;

	if (buf_reserve(out, len) < 0)
		return -1;
	while (pos < len) {
		const char *lf = memchr(p + pos, '\n', len - pos);
		size_t end = lf != NULL ? (size_t)(lf - p) : len, e = end, i;
		bool soft = false;

		/* Trailing WSP (and the CR of CR LF) is transport padding. */
		while (e > pos && (p[e - 1] == ' ' || p[e - 1] == '\t' ||
				   p[e - 1] == '\r'))
			e--;
		for (i = pos; i < e; i++) {
			int h, l;

			if (p[i] != '=') {
				out->data[out->len++] = p[i];
			} else if (i + 1 == e) {
				soft = true; /* "=" at the end: soft break */
			} else if (i + 2 < e && (h = mime_hex(p[i + 1])) >= 0 &&
				   (l = mime_hex(p[i + 2])) >= 0) {
				out->data[out->len++] = (char)(h * 16 + l);
				i += 2;
			} else {
				out->data[out->len++] = '='; /* invalid: kept */
			}
		}
		if (lf != NULL && !soft) {
			/* The line end as it was (CR LF or LF). */
			if (end > pos && p[end - 1] == '\r' && e < end)
				out->data[out->len++] = '\r';
			out->data[out->len++] = '\n';
		}
		pos = lf != NULL ? end + 1 : len;
	}
	out->data[out->len] = '\0';
	return 0;
}

/* ---- base64 ---------------------------------------------------------- */

/* The value of each byte in the base64 alphabet, -1 outside it. */
static const signed char mime_b64_table[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

int
mime_base64_decode(const char *p, size_t len, struct buf *out)
{
	uint32_t acc = 0;
	unsigned n = 0;
	size_t i;

	if (buf_reserve(out, len / 4 * 3 + 3) < 0)
		return -1;
	for (i = 0; i < len && p[i] != '='; i++) {
		int v = mime_b64_table[(unsigned char)p[i]];

		if (v < 0)
			continue; /* whitespace, line ends, garbage */
		acc = acc << 6 | (uint32_t)v;
		if (++n == 4) {
			out->data[out->len++] = (char)(acc >> 16);
			out->data[out->len++] = (char)(acc >> 8);
			out->data[out->len++] = (char)acc;
			acc = 0;
			n = 0;
		}
	}
	/* A last group of 2 or 3 sextets, padded or not. */
	if (n == 2) {
		out->data[out->len++] = (char)(acc >> 4);
	} else if (n == 3) {
		out->data[out->len++] = (char)(acc >> 10);
		out->data[out->len++] = (char)(acc >> 2);
	}
	out->data[out->len] = '\0';
	return 0;
}

/* ---- charsets ------------------------------------------------------- */

/* Windows-1252 0x80..0x9F; the five unassigned bytes map to C1 controls
 * as WHATWG does. */
static const uint16_t mime_cp1252[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

enum mime_cs {
	MIME_CS_OTHER,
	MIME_CS_ASCII,
	MIME_CS_UTF8,
	MIME_CS_LATIN1,
	MIME_CS_LATIN9,
	MIME_CS_CP1252,
};

static enum mime_cs
mime_cs_kind(const char *cs)
{
	static const struct {
		const char *name;
		enum mime_cs kind;
	} names[] = {
		{ "us-ascii", MIME_CS_ASCII }, { "ascii", MIME_CS_ASCII },
		{ "ansi_x3.4-1968", MIME_CS_ASCII },
		{ "utf-8", MIME_CS_UTF8 }, { "utf8", MIME_CS_UTF8 },
		{ "iso-8859-1", MIME_CS_LATIN1 }, { "iso8859-1", MIME_CS_LATIN1 },
		{ "iso_8859-1", MIME_CS_LATIN1 }, { "latin1", MIME_CS_LATIN1 },
		{ "l1", MIME_CS_LATIN1 },
		{ "iso-8859-15", MIME_CS_LATIN9 },
		{ "iso8859-15", MIME_CS_LATIN9 },
		{ "iso_8859-15", MIME_CS_LATIN9 }, { "latin9", MIME_CS_LATIN9 },
		{ "windows-1252", MIME_CS_CP1252 }, { "cp1252", MIME_CS_CP1252 },
		{ "x-cp1252", MIME_CS_CP1252 },
	};
	size_t i;

	if (cs == NULL || cs[0] == '\0')
		return MIME_CS_ASCII;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(cs, names[i].name) == 0)
			return names[i].kind;
	return MIME_CS_OTHER;
}

static int
mime_put_utf8(struct buf *out, uint32_t u)
{
	char s[3];
	size_t n;

	if (u < 0x80) {
		s[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		s[0] = (char)(0xC0 | u >> 6);
		s[1] = (char)(0x80 | (u & 0x3F));
		n = 2;
	} else {
		s[0] = (char)(0xE0 | u >> 12);
		s[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		s[2] = (char)(0x80 | (u & 0x3F));
		n = 3;
	}
	return buf_append(out, s, n);
}

/* Is p[0..len) valid UTF-8 (no overlongs, surrogates or > U+10FFFF)? */
static bool
mime_utf8_valid(const unsigned char *p, size_t len)
{
	size_t i = 0, k, n;
	uint32_t u;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xC2 && p[i] <= 0xDF)
			n = 1, u = p[i] & 0x1F;
		else if (p[i] >= 0xE0 && p[i] <= 0xEF)
			n = 2, u = p[i] & 0x0F;
		else if (p[i] >= 0xF0 && p[i] <= 0xF4)
			n = 3, u = p[i] & 0x07;
		else
			return false;
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			u = u << 6 | (p[i + k] & 0x3F);
		}
		if ((n == 2 && (u < 0x800 || (u >= 0xD800 && u <= 0xDFFF))) ||
		    (n == 3 && (u < 0x10000 || u > 0x10FFFF)))
			return false;
		i += n + 1;
	}
	return true;
}

/* Through iconv(3): 1 converted, 0 not (nothing appended), -1 error. */
static int
mime_iconv(const char *cs, const char *p, size_t len, struct buf *out)
{
	iconv_t cd;
	size_t i, start = out->len;
	int r = 1;

	if (strlen(cs) > MIME_CHARSET_MAX_BYTES)
		return 0;
	for (i = 0; cs[i] != '\0'; i++)
		if (!((cs[i] >= 'a' && cs[i] <= 'z') ||
		      (cs[i] >= 'A' && cs[i] <= 'Z') ||
		      (cs[i] >= '0' && cs[i] <= '9') ||
		      strchr("-_.:", cs[i]) != NULL))
			return 0;
	cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return 0;
	{
		char *in = (char *)(uintptr_t)p; /* UNSAFE: iconv's API is not
						    const; it only reads */
		size_t inleft = len;

		while (inleft > 0) {
			char *o;
			size_t oleft, room = inleft * 4 + 16;

			if (buf_reserve(out, room) < 0) {
				r = -1;
				break;
			}
			o = out->data + out->len;
			oleft = room;
			if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 &&
			    errno != E2BIG) {
				r = 0; /* EILSEQ, EINVAL: keep the bytes */
				out->len = (size_t)(o - out->data);
				break;
			}
			out->len = (size_t)(o - out->data);
		}
	}
	iconv_close(cd);
	if (r != 1)
		out->len = start;
	if (out->data != NULL)
		out->data[out->len] = '\0';
	return r;
}

int
mime_charset_to_utf8(const char *charset, const char *p, size_t len,
		     struct buf *out)
{
	const unsigned char *u = (const unsigned char *)p;
	enum mime_cs kind = mime_cs_kind(charset);
	size_t i, run;
	int r;

	switch (kind) {
	case MIME_CS_ASCII:
	case MIME_CS_UTF8:
		if (buf_append(out, p, len) < 0)
			return -1;
		if (kind == MIME_CS_ASCII) {
			for (i = 0; i < len; i++)
				if (u[i] >= 0x80)
					return 0;
			return 1;
		}
		return mime_utf8_valid(u, len) ? 1 : 0;
	case MIME_CS_OTHER:
		r = mime_iconv(charset, p, len, out);
		if (r != 0)
			return r;
		return buf_append(out, p, len) < 0 ? -1 : 0;
	default:
		break;
	}
	for (i = 0; i < len; i += run) {
		uint32_t c;

		/* Copy runs of ASCII at once. */
		for (run = 0; i + run < len && u[i + run] < 0x80; run++)
			;
		if (run > 0) {
			if (buf_append(out, p + i, run) < 0)
				return -1;
			continue;
		}
		run = 1;
		c = u[i];
		if (kind == MIME_CS_CP1252 && c < 0xA0)
			c = mime_cp1252[c - 0x80];
		else if (kind == MIME_CS_LATIN9)
			switch (c) {
			case 0xA4: c = 0x20AC; break;
			case 0xA6: c = 0x0160; break;
			case 0xA8: c = 0x0161; break;
			case 0xB4: c = 0x017D; break;
			case 0xB8: c = 0x017E; break;
			case 0xBC: c = 0x0152; break;
			case 0xBD: c = 0x0153; break;
			case 0xBE: c = 0x0178; break;
			default: break;
			}
		if (mime_put_utf8(out, c) < 0)
			return -1;
	}
	return 1;
}

/* ---- RFC 2047 encoded words ----------------------------------------- */

struct mime_word {
	const char *charset;
	size_t charset_len; /* without an RFC 2231 "*lang" */
	char enc;           /* 'B' or 'Q' */
	const char *text;
	size_t text_len;
	size_t end;         /* index after "?=" */
};

/* Is there an encoded word at p[i]? */
static bool
mime_word_at(const char *p, size_t len, size_t i, struct mime_word *w)
{
	size_t j, cs;

	if (len - i < 8 || p[i] != '=' || p[i + 1] != '?')
		return false;
	cs = i + 2;
	for (j = cs; j < len && p[j] != '?'; j++)
		if ((unsigned char)p[j] <= ' ' || (unsigned char)p[j] >= 127 ||
		    j - cs > MIME_CHARSET_MAX_BYTES)
			return false;
	if (j == cs || len - j < 5 || p[j + 2] != '?')
		return false;
	w->charset = p + cs;
	w->charset_len = j - cs;
	{
		const char *star = memchr(w->charset, '*', w->charset_len);

		if (star != NULL)
			w->charset_len = (size_t)(star - w->charset);
	}
	if (w->charset_len == 0)
		return false;
	w->enc = (char)(p[j + 1] & ~0x20);
	if (w->enc != 'B' && w->enc != 'Q')
		return false;
	w->text = p + j + 3;
	for (j += 3; j + 1 < len; j++) {
		if (p[j] == '?' && p[j + 1] == '=')
			break;
		if ((unsigned char)p[j] <= ' ' || p[j] == '?' ||
		    (unsigned char)p[j] == 127)
			return false;
	}
	if (j + 1 >= len)
		return false;
	w->text_len = (size_t)(p + j - w->text);
	w->end = j + 2;
	return true;
}

/* The Q encoding of RFC 2047 4.2 ('_' is space). */
static int
mime_q_decode(const char *p, size_t len, struct buf *out)
{
	size_t i;
	int h, l;

	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c == '_')
			c = ' ';
		else if (c == '=' && i + 2 < len &&
			 (h = mime_hex(p[i + 1])) >= 0 &&
			 (l = mime_hex(p[i + 2])) >= 0) {
			c = (char)(h * 16 + l);
			i += 2;
		}
		if (buf_putc(out, c) < 0)
			return -1;
	}
	return 0;
}

/* Converts the pending bytes of adjacent words and appends them. */
static int
mime_words_flush(struct buf *pending, const char *cs, size_t cs_len,
		 struct buf *out)
{
	char name[MIME_CHARSET_MAX_BYTES + 2];

	if (pending->len == 0)
		return 0;
	memcpy(name, cs, cs_len);
	name[cs_len] = '\0';
	if (mime_charset_to_utf8(name, pending->data, pending->len, out) < 0)
		return -1;
	buf_reset(pending);
	return 0;
}

int
mime_decode_words(const char *p, size_t len, struct buf *out)
{
	struct buf pending;
	struct mime_word w, prev = { 0 };
	size_t i = 0, k;
	bool last_word = false;
	int r = -1;

	buf_init(&pending, out->max);
	while (i < len) {
		if (p[i] == '=' && mime_word_at(p, len, i, &w)) {
			if (last_word && (prev.charset_len != w.charset_len ||
					  strncasecmp(prev.charset, w.charset,
						      w.charset_len) != 0) &&
			    mime_words_flush(&pending, prev.charset,
					     prev.charset_len, out) < 0)
				goto out;
			if ((w.enc == 'B' ? mime_base64_decode(w.text,
							       w.text_len,
							       &pending)
					  : mime_q_decode(w.text, w.text_len,
							  &pending)) < 0)
				goto out;
			prev = w;
			last_word = true;
			i = w.end;
			continue;
		}
		if (last_word && (p[i] == ' ' || p[i] == '\t' ||
				  p[i] == '\r' || p[i] == '\n')) {
			/* Linear white space between two encoded words is
			 * not displayed (RFC 2047 6.2). */
			for (k = i; k < len && (p[k] == ' ' || p[k] == '\t' ||
						p[k] == '\r' || p[k] == '\n');
			     k++)
				;
			if (k < len && p[k] == '=' &&
			    mime_word_at(p, len, k, &w)) {
				i = k;
				continue;
			}
		}
		if (last_word) {
			if (mime_words_flush(&pending, prev.charset,
					     prev.charset_len, out) < 0)
				goto out;
			last_word = false;
		}
		if (p[i] != '\r' && p[i] != '\n' && buf_putc(out, p[i]) < 0)
			goto out;
		i++;
	}
	if (last_word && mime_words_flush(&pending, prev.charset,
					  prev.charset_len, out) < 0)
		goto out;
	r = 0;
out:
	buf_free(&pending);
	return r;
}

/* ---- bodies --------------------------------------------------------- */

int
mime_body_decode(const char *msg, const struct mime_part *part,
		 struct buf *out)
{
	const char *body = msg + part->body_offset;
	size_t len = part->body.bytes;
	const char *enc = part->encoding != NULL ? part->encoding : "7bit";
	const char *cs;
	struct buf tmp;
	int r;

	if ((part->flags & MIME_PART_TEXT) == 0 ||
	    (cs = mime_param_get(part->params, part->param_count,
				 "charset")) == NULL ||
	    mime_cs_kind(cs) == MIME_CS_ASCII ||
	    mime_cs_kind(cs) == MIME_CS_UTF8)
		cs = NULL; /* no conversion */
	if (cs == NULL) {
		if (strcmp(enc, "quoted-printable") == 0)
			return mime_qp_decode(body, len, out);
		if (strcmp(enc, "base64") == 0)
			return mime_base64_decode(body, len, out);
		return buf_append(out, body, len);
	}
	buf_init(&tmp, out->max);
	if (strcmp(enc, "quoted-printable") == 0)
		r = mime_qp_decode(body, len, &tmp);
	else if (strcmp(enc, "base64") == 0)
		r = mime_base64_decode(body, len, &tmp);
	else
		r = buf_append(&tmp, body, len);
	if (r == 0)
		r = mime_charset_to_utf8(cs, tmp.data, tmp.len, out) < 0 ? -1
									: 0;
	buf_free(&tmp);
	return r;
}
