/*
 * mutf7.c -- modified UTF-7 (RFC 3501 5.1.3, after RFC 2152) <-> UTF-8
 * (RFC 3629), and the Maildir++ folder name check. See mutf7.h.
 *
 * SECURITY: names come from clients and become directory names. The
 * decoder accepts exactly one spelling per name (so two wire names can
 * never alias one folder, or one folder look like two), and the folder
 * check refuses anything that could leave the Maildir ("/", "..", leading
 * "."), hide in a listing (control characters) or confuse LIST patterns.
 */
#include <stdint.h>
#include <string.h>

#include "mutf7.h"

static const char mutf7_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
				"uvwxyz0123456789+,";

static int
mutf7_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

static int
mutf7_put_utf8(struct buf *out, uint32_t cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, s, n);
}

/* Decoder state of one shifted (base64) run. */
struct mutf7_run {
	uint32_t acc; /* pending bits, low nbits valid */
	unsigned nbits;
	uint32_t high; /* pending high surrogate, 0 if none */
};

/* One UTF-16 unit of a run. */
static int
mutf7_unit(struct mutf7_run *r, uint32_t u, struct buf *out,
	   const char **error_r)
{
	uint32_t cp;

	if (r->high != 0) {
		if (u < 0xdc00 || u > 0xdfff) {
			*error_r = "Unpaired UTF-16 surrogate in mailbox name";
			return -1;
		}
		cp = 0x10000 + ((r->high - 0xd800) << 10) + (u - 0xdc00);
		r->high = 0;
	} else if (u >= 0xd800 && u <= 0xdbff) {
		r->high = u;
		return 0;
	} else if (u >= 0xdc00 && u <= 0xdfff) {
		*error_r = "Unpaired UTF-16 surrogate in mailbox name";
		return -1;
	} else {
		cp = u;
	}
	if (cp == 0 || (cp >= 0x20 && cp <= 0x7e)) {
		*error_r = "Non-canonical modified UTF-7 (encoded ASCII)";
		return -1;
	}
	if (mutf7_put_utf8(out, cp) < 0) {
		*error_r = "Out of memory";
		return -1;
	}
	return 0;
}

/* Decodes the run starting after '&' at in[*i]; *i ends after its '-'. */
static int
mutf7_decode_run(const char *in, size_t len, size_t *i, struct buf *out,
		 const char **error_r)
{
	struct mutf7_run r = { 0, 0, 0 };
	int v;

	for (; *i < len && in[*i] != '-'; (*i)++) {
		v = mutf7_b64_value((unsigned char)in[*i]);
		if (v < 0) {
			*error_r = "Invalid modified BASE64 in mailbox name";
			return -1;
		}
		r.acc = (r.acc << 6) | (uint32_t)v;
		r.nbits += 6;
		if (r.nbits >= 16) {
			r.nbits -= 16;
			if (mutf7_unit(&r, (r.acc >> r.nbits) & 0xffff, out,
				       error_r) < 0)
				return -1;
			r.acc &= (1u << r.nbits) - 1;
		}
	}
	if (*i == len) {
		*error_r = "Unterminated '&' shift in mailbox name";
		return -1;
	}
	if (r.nbits >= 6 || r.acc != 0) {
		*error_r = "Non-canonical modified BASE64 padding";
		return -1;
	}
	if (r.high != 0) {
		*error_r = "Unpaired UTF-16 surrogate in mailbox name";
		return -1;
	}
	(*i)++; /* the '-' */
	return 0;
}

int
mutf7_to_utf8(const char *in, size_t len, struct buf *out, const char **error_r)
{
	bool after_run = false;
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (c == '&') {
			if (i + 1 < len && in[i + 1] == '-') {
				if (buf_putc(out, '&') < 0)
					goto nomem;
				i += 2;
				after_run = false;
				continue;
			}
			if (after_run) {
				*error_r = "Non-canonical modified UTF-7 "
					   "(adjacent shifts)";
				return -1;
			}
			i++;
			if (mutf7_decode_run(in, len, &i, out, error_r) < 0)
				return -1;
			after_run = true;
			continue;
		}
		if (c < 0x20 || c > 0x7e) {
			*error_r = "Invalid characters in mailbox name "
				   "(8-bit or control)";
			return -1;
		}
		if (buf_putc(out, (char)c) < 0)
			goto nomem;
		after_run = false;
		i++;
	}
	return 0;
nomem:
	*error_r = "Out of memory";
	return -1;
}

bool
mutf7_is_valid(const char *in, size_t len)
{
	struct buf b;
	const char *error;
	int r;

	buf_init(&b, 0);
	r = mutf7_to_utf8(in, len, &b, &error);
	buf_free(&b);
	return r == 0;
}

/* Next code point of strict UTF-8 at in[*i]; -1 if invalid. */
static int
mutf7_utf8_next(const unsigned char *in, size_t len, size_t *i, uint32_t *cp)
{
	unsigned char c = in[*i];
	uint32_t v, min;
	size_t n, k;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3, v = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (len - *i <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		unsigned char d = in[*i + k];

		if ((d & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (d & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*cp = v;
	*i += n + 1;
	return 0;
}

/* Encoder state: bits not yet written as base64 digits. */
struct mutf7_enc {
	uint32_t acc;
	unsigned nbits;
	bool in_run;
};

static int
mutf7_enc_unit(struct mutf7_enc *e, uint32_t u, struct buf *out)
{
	e->acc = (e->acc << 16) | u;
	e->nbits += 16;
	while (e->nbits >= 6) {
		e->nbits -= 6;
		if (buf_putc(out, mutf7_b64[(e->acc >> e->nbits) & 0x3f]) < 0)
			return -1;
	}
	e->acc &= (1u << e->nbits) - 1;
	return 0;
}

/* Ends a run: leftover bits zero-padded to one digit, then '-'. */
static int
mutf7_enc_close(struct mutf7_enc *e, struct buf *out)
{
	if (!e->in_run)
		return 0;
	if (e->nbits > 0 &&
	    buf_putc(out, mutf7_b64[(e->acc << (6 - e->nbits)) & 0x3f]) < 0)
		return -1;
	e->acc = 0;
	e->nbits = 0;
	e->in_run = false;
	return buf_putc(out, '-');
}

int
mutf7_from_utf8(const char *in, size_t len, struct buf *out,
		const char **error_r)
{
	const unsigned char *s = (const unsigned char *)in;
	struct mutf7_enc e = { 0, 0, false };
	size_t i = 0;
	uint32_t cp;
	int r;

	while (i < len) {
		if (mutf7_utf8_next(s, len, &i, &cp) < 0) {
			*error_r = "Invalid UTF-8 in mailbox name";
			return -1;
		}
		if (cp == 0) {
			*error_r = "NUL in mailbox name";
			return -1;
		}
		if (cp >= 0x20 && cp <= 0x7e) {
			r = mutf7_enc_close(&e, out);
			if (r == 0)
				r = cp == '&' ? buf_append(out, "&-", 2)
					      : buf_putc(out, (char)cp);
		} else {
			r = 0;
			if (!e.in_run) {
				e.in_run = true;
				r = buf_putc(out, '&');
			}
			if (r == 0 && cp >= 0x10000) {
				cp -= 0x10000;
				r = mutf7_enc_unit(&e, 0xd800 + (cp >> 10),
						   out);
				cp = 0xdc00 + (cp & 0x3ff);
			}
			if (r == 0)
				r = mutf7_enc_unit(&e, cp, out);
		}
		if (r < 0) {
			*error_r = "Out of memory";
			return -1;
		}
	}
	if (mutf7_enc_close(&e, out) < 0) {
		*error_r = "Out of memory";
		return -1;
	}
	return 0;
}

/* Refuses C0, DEL and C1 controls in the decoded UTF-8 name. */
static int
mutf7_check_controls(const struct buf *utf8, const char **error_r)
{
	const unsigned char *s = (const unsigned char *)utf8->data;
	size_t i = 0;
	uint32_t cp;

	while (i < utf8->len) {
		if (mutf7_utf8_next(s, utf8->len, &i, &cp) < 0 || cp < 0x20 ||
		    (cp >= 0x7f && cp <= 0x9f)) {
			*error_r = "Control characters in mailbox name";
			return -1;
		}
	}
	return 0;
}

int
mutf7_maildir_name_check(const char *name, size_t len, const char **error_r)
{
	struct buf utf8;
	size_t i;
	int r;

	if (len == 0) {
		*error_r = "Empty mailbox name";
		return -1;
	}
	if (len > MUTF7_MAILDIR_NAME_MAX_BYTES) {
		*error_r = "Mailbox name too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (name[i] == '/') {
			*error_r = "'/' not allowed in mailbox names";
			return -1;
		}
		if (name[i] == '%' || name[i] == '*') {
			*error_r = "Wildcards not allowed in mailbox names";
			return -1;
		}
		if (name[i] == MUTF7_MAILDIR_SEPARATOR &&
		    (i == 0 || i == len - 1 ||
		     name[i + 1] == MUTF7_MAILDIR_SEPARATOR)) {
			*error_r = "Empty hierarchy level in mailbox name";
			return -1;
		}
	}
	buf_init(&utf8, 0);
	r = mutf7_to_utf8(name, len, &utf8, error_r);
	if (r == 0)
		r = mutf7_check_controls(&utf8, error_r);
	buf_free(&utf8);
	return r;
}
