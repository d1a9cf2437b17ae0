/*
 * imap_search_match.c -- evaluating a SEARCH program (imap_search.c) on
 * one message, lazily: case folding, header field extraction (RFC 5322
 * unfolding, RFC 2047 decoding), BODY over decoded text parts (RFC 2045
 * transfer encodings, charsets to UTF-8), TEXT, and the date keys
 * (INTERNALDATE in local time, Date: in its own zone), the address keys
 * against the parsed and rendered address list. What is folded and
 * searched is described in imap_search.h.
 *
 * SECURITY: message text is untrusted. It goes only through the bounded
 * parsers of lib/hdr, lib/mime and lib/date; nothing assumes NUL
 * termination of message bytes; every buffer grows through lib/buf
 * (overflow-checked, capped at IMAP_SEARCH_SCRATCH_MAX_BYTES). Parsed
 * address lists live in an arena that is dropped once the values parsed
 * into it pass IMAP_SEARCH_ADDR_ARENA_MAX_BYTES (lib/mime_addr.c bounds
 * what one value makes), so a search over many messages does not grow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "date.h"
#include "hdr.h"
#include "imap_mbox.h"
#include "imap_search.h"
#include "imap_search_int.h"
#include "imap_seqset.h"
#include "mime.h"

/* ---- case folding ---- */

/* Simple case folding of one code point below U+0800 (see the header). */
static uint32_t
imap_search_fold_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xb5)
		return c;
	if (c == 0xb5)
		return 0x3bc;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17f) {
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
			return c;
		if (c == 0x178)
			return 0xff;
		if (c == 0x17f)
			return 's';
		if (c <= 0x137 || (c >= 0x14a && c <= 0x177))
			return c | 1;
		return (c & 1) != 0 ? c + 1 : c; /* 0x139..0x148, 0x179.. */
	}
	if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
		return c + 0x20;
	if (c == 0x3c2)
		return 0x3c3;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	return c;
}

int
imap_search_fold(const char *p, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned char *o;
	size_t i = 0;

	/* Folding never makes text longer: every mapping keeps or shrinks
	 * the UTF-8 length (U+017F, two bytes, becomes "s"). */
	if (buf_reserve(out, len) < 0)
		return -1;
	o = (unsigned char *)out->data + out->len;
	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;

		if (c < 0x80) {
			*o++ = (c >= 'A' && c <= 'Z') ? c + 32 : c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80) {
			cp = imap_search_fold_cp(((uint32_t)(c & 0x1f) << 6) |
						 (s[i + 1] & 0x3f));
			if (cp < 0x80) {
				*o++ = (unsigned char)cp;
			} else {
				*o++ = (unsigned char)(0xc0 | (cp >> 6));
				*o++ = (unsigned char)(0x80 | (cp & 0x3f));
			}
			i += 2;
			continue;
		}
		*o++ = c; /* other sequences and invalid bytes as they are */
		i++;
	}
	out->len = (size_t)(o - (unsigned char *)out->data);
	out->data[out->len] = '\0';
	return 0;
}

static bool
imap_search_contains(const char *hay, size_t hlen, const char *needle,
		     size_t nlen)
{
	if (nlen == 0)
		return true;
	if (hlen < nlen)
		return false; /* hay may be NULL then */
	return memmem(hay, hlen, needle, nlen) != NULL;
}

/* ---- dates ---- */

int64_t
imap_search_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* H. Hinnant's days_from_civil: days since 1970-01-01. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
imap_search_local_day(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return (int64_t)t / 86400;
	return imap_search_days_from_civil((int64_t)tm.tm_year + 1900,
					   (unsigned)tm.tm_mon + 1,
					   (unsigned)tm.tm_mday);
}

static int64_t
imap_search_floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* The zone of an RFC 5322 date in minutes east of UTC: the token after
 * the time of day "hh:mm[:ss]". Unknown or missing: 0. */
static int
imap_search_zone(const char *p, size_t len)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
		{ "ut", 0 },	 { "gmt", 0 },	  { "z", 0 },
		{ "est", -300 }, { "edt", -240 }, { "cst", -360 },
		{ "cdt", -300 }, { "mst", -420 }, { "mdt", -360 },
		{ "pst", -480 }, { "pdt", -420 },
	};
	size_t i, j, k;
	int v;

	for (i = 0; i + 1 < len; i++)
		if (p[i] == ':' && i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')
			break;
	if (i + 1 >= len)
		return 0;
	/* skip the rest of the time: digits and colons */
	while (i < len && ((p[i] >= '0' && p[i] <= '9') || p[i] == ':'))
		i++;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < len && (p[i] == '+' || p[i] == '-')) {
		for (j = 1, v = 0; j <= 4; j++) {
			if (i + j >= len || p[i + j] < '0' || p[i + j] > '9')
				return 0;
			v = v * 10 + (p[i + j] - '0');
		}
		v = (v / 100) * 60 + v % 100;
		return p[i] == '-' ? -v : v;
	}
	for (j = i; j < len && ((p[j] >= 'a' && p[j] <= 'z') ||
				(p[j] >= 'A' && p[j] <= 'Z'));
	     j++)
		;
	for (k = 0; k < sizeof(zones) / sizeof(zones[0]); k++)
		if (j - i == strlen(zones[k].name) &&
		    strncasecmp(p + i, zones[k].name, j - i) == 0)
			return zones[k].minutes;
	return 0;
}

int
imap_search_sent_day(const char *p, size_t len, int64_t *day_r)
{
	time_t t;

	if (date_parse_rfc5322(p, len, &t) < 0)
		return -1;
	*day_r = imap_search_floor_div(
		(int64_t)t + (int64_t)imap_search_zone(p, len) * 60, 86400);
	return 0;
}

/* ---- header fields ---- */

/* Decodes one raw field value, makes it one line and folds it into out. */
static int
imap_search_value_fold(const char *v, size_t vlen, struct buf *tmp,
		       struct buf *out)
{
	size_t i;

	buf_reset(tmp);
	if (vlen >= 2 && memmem(v, vlen, "=?", 2) != NULL) {
		if (mime_decode_words(v, vlen, tmp) < 0)
			return -1;
	} else {
		/* no encoded word: what mime_decode_words() gives then (CR
		 * and LF dropped), without its byte-by-byte appends (a FETCH
		 * builds the header record of every message it parses) */
		char *o;

		if (buf_reserve(tmp, vlen) < 0)
			return -1;
		o = tmp->data;
		for (i = 0; i < vlen; i++)
			if (v[i] != '\r' && v[i] != '\n')
				*o++ = v[i];
		tmp->len = (size_t)(o - tmp->data);
		tmp->data[tmp->len] = '\0';
	}
	for (i = 0; i < tmp->len; i++)
		if (tmp->data[i] == '\r' || tmp->data[i] == '\n' ||
		    tmp->data[i] == '\0' ||
		    tmp->data[i] == IMAP_SEARCH_VALUE_SEP)
			tmp->data[i] = ' ';
	/* leading white space of the value is no part of it */
	for (i = 0;
	     i < tmp->len && (tmp->data[i] == ' ' || tmp->data[i] == '\t'); i++)
		;
	return imap_search_fold(tmp->data + i, tmp->len - i, out);
}

/* Calls fn for every field of h[0..len); stops when fn returns != 0. */
static int
imap_search_fields(const char *h, size_t len,
		   int (*fn)(const struct hdr_field *f, void *ctx), void *ctx)
{
	struct hdr_field f;
	size_t pos = 0, prev;
	int r;

	for (;;) {
		prev = pos;
		r = hdr_next_field(h, len, &pos, &f);
		if (r == 0 || pos <= prev)
			return 0;
		if (r < 0)
			continue;
		if ((r = fn(&f, ctx)) != 0)
			return r;
	}
}

struct imap_search_values_ctx {
	const char *name;
	struct buf *out, tmp;
	bool found;
};

static int
imap_search_values_cb(const struct hdr_field *f, void *ctx)
{
	struct imap_search_values_ctx *c = ctx;

	if (!hdr_name_is(f, c->name))
		return 0;
	if (c->found && buf_putc(c->out, IMAP_SEARCH_VALUE_SEP) < 0)
		return -1;
	c->found = true;
	return imap_search_value_fold(f->value, f->value_len, &c->tmp, c->out);
}

int
imap_search_header_values(const char *h, size_t len, const char *name,
			  struct buf *out)
{
	struct imap_search_values_ctx c = { name, out, BUF_INIT, false };
	int r;

	buf_init(&c.tmp, out->max);
	r = imap_search_fields(h, len, imap_search_values_cb, &c);
	buf_free(&c.tmp);
	if (r < 0)
		return -1;
	return c.found ? 1 : 0;
}

/* The fields of the header record, in record order (imap_search.h). */
static const char *const imap_search_record_fields[] = {
	"from", "to", "cc", "bcc", "subject", "date",
};
#define IMAP_SEARCH_RECORD_FIELDS            \
	(sizeof(imap_search_record_fields) / \
	 sizeof(imap_search_record_fields[0]))
#define IMAP_SEARCH_RECORD_VERSION '1'
#define IMAP_SEARCH_RECORD_PRESENT '+'
#define IMAP_SEARCH_RECORD_ABSENT '-'
/* Digits of one value length in a record (a value is far shorter). */
#define IMAP_SEARCH_RECORD_LEN_DIGITS_MAX 9

struct imap_search_record_ctx {
	struct buf vals[IMAP_SEARCH_RECORD_FIELDS], tmp;
	bool found[IMAP_SEARCH_RECORD_FIELDS];
};

/* The record index of a field name (any case), or -1. */
static int
imap_search_record_index(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < IMAP_SEARCH_RECORD_FIELDS; i++)
		if (strlen(imap_search_record_fields[i]) == len &&
		    strncasecmp(name, imap_search_record_fields[i], len) == 0)
			return (int)i;
	return -1;
}

static int
imap_search_record_cb(const struct hdr_field *f, void *ctx)
{
	struct imap_search_record_ctx *c = ctx;
	int idx = imap_search_record_index(f->name, f->name_len);
	struct buf *out;

	if (idx < 0)
		return 0;
	out = &c->vals[idx];
	if (c->found[idx] && buf_putc(out, IMAP_SEARCH_VALUE_SEP) < 0)
		return -1;
	c->found[idx] = true;
	return imap_search_value_fold(f->value, f->value_len, &c->tmp, out);
}

int
imap_search_header_record(const char *h, size_t len, struct buf *out)
{
	struct imap_search_record_ctx c;
	size_t f;
	int r;

	memset(c.found, 0, sizeof(c.found));
	for (f = 0; f < IMAP_SEARCH_RECORD_FIELDS; f++)
		buf_init(&c.vals[f], out->max);
	buf_init(&c.tmp, out->max);
	r = imap_search_fields(h, len, imap_search_record_cb, &c);
	if (r == 0)
		r = buf_putc(out, IMAP_SEARCH_RECORD_VERSION);
	for (f = 0; f < IMAP_SEARCH_RECORD_FIELDS && r == 0; f++) {
		/* mark, decimal length, ':' (no printf: once per field of
		 * every message a FETCH parses) */
		char num[1 + 20 + 1], *e = num + sizeof(num), *q = e;
		size_t n = c.vals[f].len;

		*--q = ':';
		do
			*--q = (char)('0' + n % 10);
		while ((n /= 10) > 0);
		*--q = c.found[f] ? IMAP_SEARCH_RECORD_PRESENT
				  : IMAP_SEARCH_RECORD_ABSENT;
		if (buf_append(out, q, (size_t)(e - q)) < 0 ||
		    buf_append(out, c.vals[f].data, c.vals[f].len) < 0)
			r = -1;
	}
	for (f = 0; f < IMAP_SEARCH_RECORD_FIELDS; f++)
		buf_free(&c.vals[f]);
	buf_free(&c.tmp);
	return r < 0 ? -1 : 0;
}

int
imap_search_record_find(const char *rec, size_t len, const char *name,
			const char **v_r, size_t *vlen_r, bool *found_r)
{
	int idx = imap_search_record_index(name, strlen(name));
	size_t pos = 1, f, vlen, digits;
	bool found;

	if (idx < 0 || len == 0 || rec[0] != IMAP_SEARCH_RECORD_VERSION)
		return 0;
	for (f = 0; f < IMAP_SEARCH_RECORD_FIELDS; f++) {
		if (pos >= len || (rec[pos] != IMAP_SEARCH_RECORD_PRESENT &&
				   rec[pos] != IMAP_SEARCH_RECORD_ABSENT))
			return 0;
		found = rec[pos++] == IMAP_SEARCH_RECORD_PRESENT;
		for (vlen = 0, digits = 0;
		     pos < len && rec[pos] >= '0' && rec[pos] <= '9'; pos++) {
			if (++digits > IMAP_SEARCH_RECORD_LEN_DIGITS_MAX)
				return 0;
			vlen = vlen * 10 + (size_t)(rec[pos] - '0');
		}
		if (digits == 0 || pos >= len || rec[pos++] != ':' ||
		    vlen > len - pos)
			return 0;
		if (f == (size_t)idx) {
			*v_r = rec + pos;
			*vlen_r = vlen;
			*found_r = found;
			return 1;
		}
		pos += vlen;
	}
	return 0;
}

struct imap_search_text_ctx {
	struct buf *out, tmp;
};

/* One field as "name: value\n", folded. */
static int
imap_search_text_cb(const struct hdr_field *f, void *ctx)
{
	struct imap_search_text_ctx *c = ctx;

	if (imap_search_fold(f->name, f->name_len, c->out) < 0 ||
	    buf_append(c->out, ": ", 2) < 0 ||
	    imap_search_value_fold(f->value, f->value_len, &c->tmp, c->out) <
		    0 ||
	    buf_putc(c->out, '\n') < 0)
		return -1;
	return 0;
}

/* Appends a whole header section folded, field by field. */
static int
imap_search_header_text(const char *h, size_t len, struct buf *out)
{
	struct imap_search_text_ctx c = { out, BUF_INIT };
	int r;

	buf_init(&c.tmp, out->max);
	r = imap_search_fields(h, len, imap_search_text_cb, &c);
	buf_free(&c.tmp);
	return r < 0 ? -1 : 0;
}

/* ---- evaluation ---- */

static int
imap_search_get_iday(struct imap_search_program *prog, int64_t *day_r,
		     const char **error_r)
{
	const struct imap_search_msg *m = prog->msg;
	time_t t;

	if (!prog->have_iday) {
		if (m->ops == NULL || m->ops->internal_date == NULL) {
			*error_r = "No internal date accessor";
			return -1;
		}
		if (m->ops->internal_date(m->ctx, &t, error_r) < 0)
			return -1;
		prog->iday = imap_search_local_day(t);
		prog->have_iday = true;
	}
	*day_r = prog->iday;
	return 0;
}

static int
imap_search_get_message(struct imap_search_program *prog, const char **error_r)
{
	const struct imap_search_msg *m = prog->msg;

	if (prog->have_msg)
		return 0;
	if (m->ops == NULL || m->ops->message == NULL) {
		*error_r = "No message accessor";
		return -1;
	}
	if (m->ops->message(m->ctx, &prog->mp, &prog->mlen, error_r) < 0)
		return -1;
	if (mime_parse(prog->mp, prog->mlen, 0, &prog->mime, error_r) < 0)
		return -1;
	prog->have_msg = true;
	return 0;
}

static int
imap_search_get_header(struct imap_search_program *prog, const char **error_r)
{
	const struct imap_search_msg *m = prog->msg;

	if (prog->have_hdr)
		return 0;
	if (prog->have_msg || m->ops == NULL || m->ops->header == NULL) {
		if (imap_search_get_message(prog, error_r) < 0)
			return -1;
		prog->hdr = prog->mp;
		prog->hdr_len = prog->mime->root->hdr.bytes;
	} else if (m->ops->header(m->ctx, &prog->hdr, &prog->hdr_len, error_r) <
		   0) {
		return -1;
	}
	prog->have_hdr = true;
	return 0;
}

/* The values of a field into prog->vals; *found_r. */
static int
imap_search_get_field(struct imap_search_program *prog, const char *name,
		      bool *found_r, const char **error_r)
{
	const struct imap_search_msg *m = prog->msg;
	int r;

	buf_reset(&prog->vals);
	if (m->ops != NULL && m->ops->field != NULL)
		return m->ops->field(m->ctx, name, &prog->vals, found_r,
				     error_r);
	if (imap_search_get_header(prog, error_r) < 0)
		return -1;
	if ((r = imap_search_header_values(prog->hdr, prog->hdr_len, name,
					   &prog->vals)) < 0) {
		*error_r = "Out of memory";
		return -1;
	}
	*found_r = r > 0;
	return 0;
}

static int
imap_search_get_sday(struct imap_search_program *prog, int64_t *day_r,
		     const char **error_r)
{
	const char *sep;
	size_t len;
	bool found;

	if (!prog->have_sday) {
		if (imap_search_get_field(prog, "date", &found, error_r) < 0)
			return -1;
		len = prog->vals.len;
		if (found && (sep = memchr(prog->vals.data,
					   IMAP_SEARCH_VALUE_SEP, len)) != NULL)
			len = (size_t)(sep - prog->vals.data);
		if (!found || imap_search_sent_day(prog->vals.data, len,
						   &prog->sday) < 0) {
			/* As Dovecot: no usable Date: means INTERNALDATE */
			if (imap_search_get_iday(prog, &prog->sday, error_r) <
			    0)
				return -1;
		}
		prog->have_sday = true;
	}
	*day_r = prog->sday;
	return 0;
}

static bool
imap_search_identity_part(const struct mime_part *part)
{
	const char *cs =
		mime_param_get(part->params, part->param_count, "charset");

	if (part->encoding != NULL && strcmp(part->encoding, "7bit") != 0 &&
	    strcmp(part->encoding, "8bit") != 0 &&
	    strcmp(part->encoding, "binary") != 0)
		return false;
	return cs == NULL || strcasecmp(cs, "us-ascii") == 0 ||
	       strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
	       strcasecmp(cs, "ascii") == 0;
}

/* Does one leaf text part's decoded body contain the needle? */
static int
imap_search_part_contains(struct imap_search_program *prog,
			  const struct mime_part *part, const struct isk *k)
{
	const char *body = prog->mp + part->body_offset;

	buf_reset(&prog->fold);
	if (imap_search_identity_part(part)) {
		/* No decoding needed: fold straight from the file bytes. */
		if (imap_search_fold(body, part->body.bytes, &prog->fold) < 0)
			return -1;
	} else {
		buf_reset(&prog->tmp);
		if (mime_body_decode(prog->mp, part, &prog->tmp) < 0 ||
		    imap_search_fold(prog->tmp.data, prog->tmp.len,
				     &prog->fold) < 0)
			return -1;
	}
	return imap_search_contains(prog->fold.data, prog->fold.len, k->str,
				    k->len)
		       ? 1
		       : 0;
}

static int
imap_search_hdr_contains(struct imap_search_program *prog, const char *h,
			 size_t len, const struct isk *k)
{
	buf_reset(&prog->fold);
	if (imap_search_header_text(h, len, &prog->fold) < 0)
		return -1;
	return imap_search_contains(prog->fold.data, prog->fold.len, k->str,
				    k->len)
		       ? 1
		       : 0;
}

/* BODY: text leaves decoded, and headers of encapsulated messages. */
static int
imap_search_body(struct imap_search_program *prog, const struct isk *k,
		 const char **error_r)
{
	const struct mime_part *part = prog->mime->root;
	int r = 0;

	while (part != NULL && r == 0) {
		if (part->parent != NULL &&
		    (part->parent->flags & MIME_PART_MESSAGE) != 0)
			r = imap_search_hdr_contains(prog,
						     prog->mp + part->offset,
						     part->hdr.bytes, k);
		if (r == 0 &&
		    (part->flags & (MIME_PART_MULTIPART | MIME_PART_MESSAGE)) ==
			    0 &&
		    (part->flags & MIME_PART_TEXT) != 0)
			r = imap_search_part_contains(prog, part, k);
		if (r != 0)
			break;
		/* depth-first: children, else the next sibling up */
		if (part->children != NULL) {
			part = part->children;
			continue;
		}
		while (part != NULL && part->next == NULL)
			part = part->parent;
		if (part != NULL)
			part = part->next;
	}
	if (r < 0)
		*error_r = "Out of memory";
	return r;
}

static int
imap_search_text(struct imap_search_program *prog, const struct isk *k,
		 const char **error_r)
{
	if (imap_search_get_message(prog, error_r) < 0)
		return -1;
	if (!prog->have_htext) {
		buf_reset(&prog->htext);
		if (imap_search_header_text(prog->mp,
					    prog->mime->root->hdr.bytes,
					    &prog->htext) < 0) {
			*error_r = "Out of memory";
			return -1;
		}
		prog->have_htext = true;
	}
	if (imap_search_contains(prog->htext.data, prog->htext.len, k->str,
				 k->len))
		return 1;
	return imap_search_body(prog, k, error_r);
}

/* Appends s (may be NULL) to out. */
static int
imap_search_put(struct buf *out, const char *s)
{
	return s == NULL ? 0 : buf_append_str(out, s);
}

/*
 * Appends the address list v[0..len) (one field value, decoded and folded)
 * as the envelope shows it, the way Dovecot's message_address_write()
 * does: "name <mailbox@host>" or "mailbox@host" per address, ", " between
 * them, a group as "name: members;"; comments, quotes and white space of
 * the source are gone. A missing domain gives just the mailbox.
 */
static int
imap_search_addr_render(struct imap_search_program *prog, const char *v,
			size_t len, struct buf *out)
{
	const struct mime_addr *a;
	struct mime_addr *list;
	const char *error;
	bool first = true;

	if (prog->addr_arena != NULL &&
	    prog->addr_arena_bytes > IMAP_SEARCH_ADDR_ARENA_MAX_BYTES) {
		mime_free(&prog->addr_arena);
		prog->addr_arena_bytes = 0;
	}
	if (prog->addr_arena == NULL &&
	    mime_parse("", 0, MIME_PARSE_HEADER_ONLY, &prog->addr_arena,
		       &error) < 0)
		return -1;
	prog->addr_arena_bytes += len + 1;
	if (mime_addr_parse_list(prog->addr_arena, v, len, &list) < 0)
		return -1;
	for (a = list; a != NULL; a = a->next) {
		if (a->mailbox == NULL && a->host == NULL) {
			/* end of a group */
			if (buf_putc(out, ';') < 0)
				return -1;
			first = false;
			continue;
		}
		if (!first && buf_append(out, ", ", 2) < 0)
			return -1;
		if (a->host == NULL) {
			/* start of a group: its members follow */
			if (imap_search_put(out, a->mailbox) < 0 ||
			    buf_append(out, ": ", 2) < 0)
				return -1;
			first = true;
			continue;
		}
		first = false;
		if (a->name != NULL && (imap_search_put(out, a->name) < 0 ||
					buf_append(out, " <", 2) < 0))
			return -1;
		if (imap_search_put(out, a->mailbox) < 0)
			return -1;
		if (strcmp(a->host, "MISSING_DOMAIN") != 0 &&
		    (buf_putc(out, '@') < 0 ||
		     imap_search_put(out, a->host) < 0))
			return -1;
		if (a->name != NULL && buf_putc(out, '>') < 0)
			return -1;
	}
	return 0;
}

/* An address key on the values in prog->vals rendered as addresses, one
 * value at a time (a match never spans two fields). 1, 0, -1. */
static int
imap_search_addr_contains(struct imap_search_program *prog, const struct isk *k)
{
	const char *v = prog->vals.data, *end = v + prog->vals.len, *sep;

	for (;;) {
		sep = memchr(v, IMAP_SEARCH_VALUE_SEP, (size_t)(end - v));
		if (sep == NULL)
			sep = end;
		buf_reset(&prog->render);
		if (imap_search_addr_render(prog, v, (size_t)(sep - v),
					    &prog->render) < 0)
			return -1;
		if (imap_search_contains(prog->render.data, prog->render.len,
					 k->str, k->len))
			return 1;
		if (sep == end)
			return 0;
		v = sep + 1;
	}
}

static int
imap_search_header_key(struct imap_search_program *prog, const struct isk *k,
		       const char **error_r)
{
	bool found;
	int r;

	if (imap_search_get_field(prog, k->field, &found, error_r) < 0)
		return -1;
	if (!found)
		return 0;
	if (imap_search_contains(prog->vals.data, prog->vals.len, k->str,
				 k->len))
		return 1;
	if (!k->addr || prog->vals.len == 0)
		return 0;
	/* RFC 3501 6.4.4: FROM and the others match the envelope's address
	 * structure, where "<user (c)@ (c) host>" is "user@host" (as
	 * Dovecot). Rendered only when the text itself did not match: the
	 * parse is the costly part, and most searches end above. */
	if ((r = imap_search_addr_contains(prog, k)) < 0)
		*error_r = "Out of memory";
	return r;
}

static int
imap_search_day_key(struct imap_search_program *prog, const struct isk *k,
		    const char **error_r)
{
	int64_t day;
	int r;

	if (k->type == ISK_BEFORE || k->type == ISK_ON || k->type == ISK_SINCE)
		r = imap_search_get_iday(prog, &day, error_r);
	else
		r = imap_search_get_sday(prog, &day, error_r);
	if (r < 0)
		return -1;
	switch (k->type) {
	case ISK_BEFORE:
	case ISK_SENTBEFORE:
		return day < k->day;
	case ISK_ON:
	case ISK_SENTON:
		return day == k->day;
	default:
		return day >= k->day;
	}
}

static int
imap_search_eval(struct imap_search_program *prog, const struct isk *k,
		 const char **error_r)
{
	const struct imap_search_msg *m = prog->msg;
	const struct isk *c;
	int r;

	switch (k->type) {
	case ISK_ALL:
		return 1;
	case ISK_AND:
		for (c = k->children; c != NULL; c = c->next)
			if ((r = imap_search_eval(prog, c, error_r)) != 1)
				return r;
		return 1;
	case ISK_OR:
		for (c = k->children; c != NULL; c = c->next)
			if ((r = imap_search_eval(prog, c, error_r)) != 0)
				return r;
		return 0;
	case ISK_NOT:
		r = imap_search_eval(prog, k->children, error_r);
		return r < 0 ? -1 : !r;
	case ISK_FLAGS:
		return (m->flags & k->mask) == k->want;
	case ISK_KEYWORD:
		return k->kw_bit >= 0 && k->kw_bit < 32 &&
		       (m->keywords & (1u << k->kw_bit)) != 0;
	case ISK_UNKEYWORD:
		return !(k->kw_bit >= 0 && k->kw_bit < 32 &&
			 (m->keywords & (1u << k->kw_bit)) != 0);
	case ISK_SEQSET:
		return imap_seqset_contains(&k->set, m->seq);
	case ISK_UIDSET:
		return imap_seqset_contains(&k->set, m->uid);
	case ISK_LARGER:
		return m->vsize > k->number;
	case ISK_SMALLER:
		return m->vsize < k->number;
	case ISK_BEFORE:
	case ISK_ON:
	case ISK_SINCE:
	case ISK_SENTBEFORE:
	case ISK_SENTON:
	case ISK_SENTSINCE:
		return imap_search_day_key(prog, k, error_r);
	case ISK_HEADER:
		return imap_search_header_key(prog, k, error_r);
	case ISK_BODY:
		if (imap_search_get_message(prog, error_r) < 0)
			return -1;
		return imap_search_body(prog, k, error_r);
	case ISK_TEXT:
		return imap_search_text(prog, k, error_r);
	}
	*error_r = "Unknown key type";
	return -1;
}

int
imap_search_match(struct imap_search_program *prog,
		  const struct imap_search_msg *msg, const char **error_r)
{
	int r;

	prog->msg = msg;
	prog->have_iday = prog->have_sday = prog->have_hdr = false;
	prog->have_msg = prog->have_htext = false;
	r = imap_search_eval(prog, prog->root, error_r);
	mime_free(&prog->mime);
	prog->msg = NULL;
	prog->mp = prog->hdr = NULL;
	return r;
}
