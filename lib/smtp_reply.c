/*
 * smtp_reply.c -- SMTP reply parser for the client side (RFC 5321 4.2,
 * 4.2.1 multi-line replies; RFC 3463 enhanced status codes; RFC 2034;
 * EHLO keywords RFC 5321 4.1.1.1, RFC 1870 SIZE).
 *
 * SECURITY: every byte comes from a remote server. Lines are length-checked
 * here as well as by the reader, digits are checked before use, the code
 * must be the same on every line (a reply that changes its code half way
 * is a protocol error, never "whichever line came last"), the number of
 * lines is bounded, and the kept text is bounded and sanitised so it can go
 * into logs, quail-send's records and bounce messages unescaped.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtp_reply.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	r->code = 0;
	r->enhanced[0] = '\0';
	r->text[0] = '\0';
	r->text_len = 0;
	r->lines = 0;
	r->truncated = false;
	r->complete = false;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

size_t
smtp_reply_scan_enhanced(const char *p, size_t len)
{
	size_t i = 0, part, digits;

	if (len < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5'))
		return 0;
	i = 1;
	for (part = 0; part < 2; part++) {
		if (i >= len || p[i] != '.')
			return 0;
		i++;
		for (digits = 0; i < len && is_digit(p[i]); digits++)
			i++;
		if (digits < 1 || digits > 3)
			return 0;
	}
	if (i < len && p[i] != ' ')
		return 0;
	if (i >= SMTP_REPLY_ENHANCED_MAX_BYTES)
		return 0; /* cannot happen with 1+1+3+1+3, kept as a guard */
	return i;
}

/* Appends p[0..len) to the kept text, sanitised, with a '\n' separator
 * before every line but the first. */
static void
reply_keep(struct smtp_reply *r, const char *p, size_t len)
{
	size_t room, i;

	if (r->truncated)
		return;
	if (r->lines > 0) {
		if (r->text_len >= SMTP_REPLY_TEXT_MAX_BYTES) {
			r->truncated = true;
			return;
		}
		r->text[r->text_len++] = '\n';
	}
	room = SMTP_REPLY_TEXT_MAX_BYTES - r->text_len;
	if (len > room) {
		len = room;
		r->truncated = true;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		r->text[r->text_len++] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	r->text[r->text_len] = '\0';
}

int
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
		const char **error_r)
{
	unsigned code;
	bool more;
	size_t textoff, n;

	if (r->complete) {
		*error_r = "reply already complete";
		return -1;
	}
	/* The reader strips CRLF; the limit counts it (RFC 5321 4.5.3.1.5). */
	if (len + 2 > SMTP_REPLY_LINE_MAX_BYTES) {
		*error_r = "reply line too long";
		return -1;
	}
	if (r->lines >= SMTP_REPLY_LINES_MAX) {
		*error_r = "too many reply lines";
		return -1;
	}
	if (len < 3) {
		*error_r = "reply line too short";
		return -1;
	}
	if (line[0] < '2' || line[0] > '5' || !is_digit(line[1]) ||
	    !is_digit(line[2])) {
		*error_r = "reply code out of range";
		return -1;
	}
	if (len > 3 && line[3] != ' ' && line[3] != '-') {
		*error_r = "malformed reply line";
		return -1;
	}
	code = (unsigned)(line[0] - '0') * 100 + (unsigned)(line[1] - '0') * 10 +
	       (unsigned)(line[2] - '0');
	if (r->lines > 0 && code != r->code) {
		*error_r = "reply code changed within a multi-line reply";
		return -1;
	}
	more = len > 3 && line[3] == '-';
	textoff = len > 3 ? 4 : 3;
	if (r->lines == 0) {
		r->code = code;
		n = smtp_reply_scan_enhanced(line + textoff, len - textoff);
		if (n > 0 && line[textoff] == line[0]) {
			memcpy(r->enhanced, line + textoff, n);
			r->enhanced[n] = '\0';
		}
	}
	reply_keep(r, line + textoff, len - textoff);
	r->lines++;
	if (!more)
		r->complete = true;
	return r->complete ? 1 : 0;
}

char *
smtp_reply_oneline(const struct smtp_reply *r, char *out, size_t outlen)
{
	size_t o = 0, i;
	int n;

	if (outlen == 0)
		return out;
	n = snprintf(out, outlen, "%03u", r->code);
	if (n < 0 || (size_t)n >= outlen)
		return out;
	o = (size_t)n;
	if (r->text_len > 0 && o + 1 < outlen)
		out[o++] = ' ';
	for (i = 0; i < r->text_len && o + 1 < outlen; i++)
		out[o++] = r->text[i] == '\n' ? ' ' : r->text[i];
	out[o] = '\0';
	return out;
}

const char *
smtp_reply_status(const struct smtp_reply *r)
{
	if (r->enhanced[0] != '\0')
		return r->enhanced;
	if (r->code >= 500)
		return "5.0.0";
	if (r->code >= 400)
		return "4.0.0";
	return "2.0.0";
}

/* True if line[0..len) is keyword kw (any case) alone or followed by
 * a space; *param_r points past the space (or at the end). */
static bool
ehlo_keyword(const char *line, size_t len, const char *kw, const char **param_r)
{
	size_t kwlen = strlen(kw);

	if (len < kwlen || strncasecmp(line, kw, kwlen) != 0)
		return false;
	if (len > kwlen && line[kwlen] != ' ')
		return false;
	*param_r = line + (len > kwlen ? kwlen + 1 : kwlen);
	return true;
}

/* SIZE parameter: decimal, overflow-checked; anything else = no limit. */
static unsigned long
ehlo_size(const char *p, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (!is_digit(p[i]))
			return 0;
		if (v > (~0UL - 9) / 10)
			return 0; /* absurdly large: treat as no fixed limit */
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v;
}

void
smtp_reply_ehlo(const struct smtp_reply *r, struct smtp_ehlo *e)
{
	const char *p = r->text, *end = r->text + r->text_len, *nl, *param;
	bool first = true;

	memset(e, 0, sizeof(*e));
	if (r->code != 250)
		return;
	while (p < end) {
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (!first) {
			if (ehlo_keyword(p, len, "PIPELINING", &param))
				e->pipelining = true;
			else if (ehlo_keyword(p, len, "STARTTLS", &param))
				e->starttls = true;
			else if (ehlo_keyword(p, len, "8BITMIME", &param))
				e->eightbitmime = true;
			else if (ehlo_keyword(p, len, "ENHANCEDSTATUSCODES", &param))
				e->enhancedstatuscodes = true;
			else if (ehlo_keyword(p, len, "SIZE", &param)) {
				e->size = true;
				e->size_max = ehlo_size(param,
				    (size_t)(p + len - param));
			}
		}
		first = false;
		p += len + (nl != NULL ? 1 : 0);
	}
}
