/*
 * hdr.c -- RFC 5322 header section helpers (section 2.2, 3.6; the hop
 * count of RFC 5321 6.3).
 *
 * hdr_scan_* is a push scanner over decoded (LF-terminated) message bytes,
 * fed in pieces split anywhere; hdr_next_field() walks a header held in
 * memory. Both end the header section at the first empty line ("\n", or
 * "\r\n" for input that still has CR LF line ends).
 *
 * SECURITY: input is untrusted message text. Nothing here allocates; field
 * names are kept only up to HDR_NAME_MAX_BYTES (a longer name matches no
 * field we look for); no NUL termination is assumed. A line that is not a
 * field (no colon, or a continuation without a field) is skipped, never
 * taken as the end of the header.
 */
#include <string.h>
#include <strings.h>

#include "hdr.h"

/* Scanner states. */
enum {
	HDR_STATE_LINE = 0,  /* at the start of a line */
	HDR_STATE_LINE_CR,   /* a CR at the start of a line */
	HDR_STATE_NAME,	     /* inside a field name */
	HDR_STATE_NAME_WSP,  /* WSP after a field name, before the colon */
	HDR_STATE_NAME_LONG, /* name longer than HDR_NAME_MAX_BYTES */
	HDR_STATE_VALUE,     /* after the colon, or a continuation line */
	HDR_STATE_SKIP,	     /* a malformed line: skip to LF */
	HDR_STATE_BODY,	     /* the empty line was seen */
};

/* RFC 5322 ftext: printable US-ASCII except colon. */
static bool
hdr_is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

static bool
hdr_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool
hdr_name_eq(const char *name, size_t name_len, const char *want)
{
	return name_len == strlen(want) &&
	       strncasecmp(name, want, name_len) == 0;
}

void
hdr_scan_init(struct hdr_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->state = HDR_STATE_LINE;
}

/* The colon after a complete field name. */
static void
hdr_scan_field(struct hdr_scan *s)
{
	s->name[s->name_len] = '\0';
	if (hdr_name_eq(s->name, s->name_len, "Received"))
		s->received++;
	else if (hdr_name_eq(s->name, s->name_len, "Date"))
		s->has_date = true;
	else if (hdr_name_eq(s->name, s->name_len, "Message-ID"))
		s->has_message_id = true;
	else if (hdr_name_eq(s->name, s->name_len, "From"))
		s->has_from = true;
	else if (hdr_name_eq(s->name, s->name_len, "To"))
		s->has_to = true;
}

/* The first byte of a line. */
static int
hdr_scan_line_start(struct hdr_scan *s, unsigned char c)
{
	if (c == '\n')
		return HDR_STATE_BODY;
	if (c == '\r')
		return HDR_STATE_LINE_CR;
	if (hdr_is_wsp(c))
		/* Folding: the previous field goes on (or, with no field
		 * before it, the line is skipped; it is harmless either way). */
		return HDR_STATE_VALUE;
	if (!hdr_is_ftext(c))
		return HDR_STATE_SKIP;
	s->name_len = 0;
	s->name[s->name_len++] = (char)c;
	return HDR_STATE_NAME;
}

/* A byte of a field name (state NAME or NAME_WSP or NAME_LONG). */
static int
hdr_scan_name(struct hdr_scan *s, int st, unsigned char c)
{
	if (c == ':') {
		if (st != HDR_STATE_NAME_LONG)
			hdr_scan_field(s);
		return HDR_STATE_VALUE;
	}
	if (c == '\n')
		return HDR_STATE_LINE; /* no colon: not a field */
	if (hdr_is_wsp(c))
		/* obs-optional: "Subject :" (RFC 5322 4.5.8) */
		return st == HDR_STATE_NAME_LONG ? st : HDR_STATE_NAME_WSP;
	if (!hdr_is_ftext(c) || st == HDR_STATE_NAME_WSP)
		return HDR_STATE_SKIP;
	if (st == HDR_STATE_NAME_LONG)
		return st;
	if (s->name_len >= HDR_NAME_MAX_BYTES)
		return HDR_STATE_NAME_LONG;
	s->name[s->name_len++] = (char)c;
	return HDR_STATE_NAME;
}

void
hdr_scan_feed(struct hdr_scan *s, const unsigned char *p, size_t len)
{
	size_t i;
	int st = s->state;

	for (i = 0; i < len && st != HDR_STATE_BODY; i++) {
		unsigned char c = p[i];

		switch (st) {
		case HDR_STATE_LINE:
			st = hdr_scan_line_start(s, c);
			break;
		case HDR_STATE_LINE_CR:
			/* "\r\n" is an empty line; CR then text is garbage. */
			st = c == '\n' ? HDR_STATE_BODY : HDR_STATE_SKIP;
			break;
		case HDR_STATE_NAME:
		case HDR_STATE_NAME_WSP:
		case HDR_STATE_NAME_LONG:
			st = hdr_scan_name(s, st, c);
			break;
		default: /* VALUE, SKIP */
			if (c == '\n')
				st = HDR_STATE_LINE;
			break;
		}
	}
	s->bytes += i;
	s->state = st;
	s->in_body = st == HDR_STATE_BODY;
}

/* End of the physical line starting at pos: the index just past its LF
 * (or len). */
static size_t
hdr_line_end(const char *p, size_t len, size_t pos)
{
	const char *lf = memchr(p + pos, '\n', len - pos);

	return lf == NULL ? len : (size_t)(lf - p) + 1;
}

/* Is the line at pos empty ("\n" or "\r\n")? */
static bool
hdr_line_empty(const char *p, size_t len, size_t pos)
{
	if (p[pos] == '\n')
		return true;
	return p[pos] == '\r' && pos + 1 < len && p[pos + 1] == '\n';
}

int
hdr_next_field(const char *p, size_t len, size_t *pos, struct hdr_field *f)
{
	size_t i = *pos, name_end, end;

	if (i >= len || hdr_line_empty(p, len, i))
		return 0;
	/* field-name = 1*ftext, then optional WSP, then ':' */
	while (i < len && hdr_is_ftext((unsigned char)p[i]))
		i++;
	name_end = i;
	while (i < len && hdr_is_wsp((unsigned char)p[i]))
		i++;
	if (name_end == *pos || i >= len || p[i] != ':') {
		*pos = hdr_line_end(p, len, *pos);
		return -1;
	}
	f->name = p + *pos;
	f->name_len = name_end - *pos;
	f->value = p + i + 1;
	/* The value runs on over continuation lines (starting with WSP). */
	end = hdr_line_end(p, len, i);
	while (end < len && hdr_is_wsp((unsigned char)p[end]))
		end = hdr_line_end(p, len, end);
	*pos = end;
	/* Drop the final line end (LF or CR LF) from the value. */
	if (end > i + 1 && p[end - 1] == '\n') {
		end--;
		if (end > i + 1 && p[end - 1] == '\r')
			end--;
	}
	f->value_len = end - (i + 1);
	return 1;
}

size_t
hdr_section_len(const char *p, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		if (hdr_line_empty(p, len, pos))
			return hdr_line_end(p, len, pos);
		pos = hdr_line_end(p, len, pos);
	}
	return len;
}

bool
hdr_name_is(const struct hdr_field *f, const char *name)
{
	return hdr_name_eq(f->name, f->name_len, name);
}

int
hdr_value_unfold(const struct hdr_field *f, char *out, size_t outlen,
		 size_t *len_r)
{
	const char *v = f->value;
	size_t n = f->value_len, i, o = 0;

	/* Unfolding removes each CRLF / LF that precedes WSP (RFC 5322
	 * 2.2.3); leading and trailing WSP is trimmed. */
	while (n > 0 && hdr_is_wsp((unsigned char)v[0])) {
		v++;
		n--;
	}
	while (n > 0 && (hdr_is_wsp((unsigned char)v[n - 1]) ||
			 v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	for (i = 0; i < n; i++) {
		if (v[i] == '\r' || v[i] == '\n')
			continue;
		if (o + 1 >= outlen)
			return -1;
		out[o++] = v[i];
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	*len_r = o;
	return 0;
}
