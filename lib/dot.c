/*
 * dot.c -- SMTP DATA decoder and encoder (RFC 5321 4.1.1.4, 4.5.2).
 *
 * The decoder is a byte state machine, so input may arrive split at any
 * byte: it removes the leading dot of a line (dot-unstuffing), turns CR LF
 * into LF and finds the end-of-data line ".".
 *
 * SECURITY (SMTP smuggling, CVE-2023-51764/51765/51766): the only
 * end-of-data sequence is CR LF "." CR LF, where the first CR LF really is
 * CR LF (or the start of DATA). A bare LF or a bare CR never starts or ends
 * a line for that purpose; both are passed through to the output and
 * recorded in bare_lf / bare_cr so the caller rejects the message after the
 * real end. Because a line start exists only after a real CR LF, "\n.\n",
 * "\r.\r", "\n.\r\n" and "\r\n.\n" are all plain message content.
 * The output is never longer than the input plus one byte: at most one CR is
 * held back across calls (to see whether an LF follows it).
 */
#include "dot.h"

/* Decoder states. */
enum {
	DOT_STATE_BOL = 0, /* at the start of a line (after a real CR LF) */
	DOT_STATE_TEXT,	   /* inside a line */
	DOT_STATE_CR,	   /* a CR inside a line is held back */
	DOT_STATE_DOT,	   /* "." at the start of a line was consumed */
	DOT_STATE_DOT_CR, /* "." CR at the start of a line: end if LF follows */
	DOT_STATE_END,	  /* the end-of-data line was consumed */
};

void
dot_init(struct dot_decoder *d)
{
	d->state = DOT_STATE_BOL;
	d->bare_lf = false;
	d->bare_cr = false;
	d->lines = 0;
	d->bytes_out = 0;
}

/* A byte inside a line (no CR pending): returns the next state. */
static int
dot_text_byte(struct dot_decoder *d, unsigned char c, unsigned char *out,
	      size_t *o)
{
	if (c == '\r')
		return DOT_STATE_CR; /* held back until we see what follows */
	if (c == '\n') {
		/* Bare LF: kept as a line end in the output, but it does NOT
		 * start a new SMTP line (no dot handling, no end of data). */
		d->bare_lf = true;
		d->lines++;
	}
	out[(*o)++] = c;
	return DOT_STATE_TEXT;
}

/* A byte after a held-back CR: CR LF is a line end, anything else makes
 * that CR a bare CR which is emitted as it was. */
static int
dot_after_cr(struct dot_decoder *d, unsigned char c, unsigned char *out,
	     size_t *o)
{
	if (c == '\n') {
		out[(*o)++] = '\n';
		d->lines++;
		return DOT_STATE_BOL;
	}
	d->bare_cr = true;
	out[(*o)++] = '\r';
	return dot_text_byte(d, c, out, o);
}

int
dot_decode(struct dot_decoder *d, const unsigned char *in, size_t len,
	   unsigned char *out, size_t *outlen_r, size_t *used_r)
{
	size_t i, o = 0;
	int st = d->state;

	if (st == DOT_STATE_END) {
		*outlen_r = 0;
		*used_r = 0;
		return 1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = in[i];

		switch (st) {
		case DOT_STATE_BOL:
			if (c == '.')
				st = DOT_STATE_DOT; /* dot removed (unstuffing) */
			else
				st = dot_text_byte(d, c, out, &o);
			break;
		case DOT_STATE_DOT:
			st = c == '\r' ? DOT_STATE_DOT_CR
				       : dot_text_byte(d, c, out, &o);
			break;
		case DOT_STATE_DOT_CR:
			if (c == '\n') {
				d->state = DOT_STATE_END;
				d->bytes_out += o;
				*outlen_r = o;
				*used_r = i + 1;
				return 1;
			}
			/* "." CR x: the line was "." plus a bare CR. */
			st = dot_after_cr(d, c, out, &o);
			break;
		case DOT_STATE_CR:
			st = dot_after_cr(d, c, out, &o);
			break;
		default: /* DOT_STATE_TEXT */
			st = dot_text_byte(d, c, out, &o);
			break;
		}
	}
	d->state = st;
	d->bytes_out += o;
	*outlen_r = o;
	*used_r = len;
	return 0;
}

/* Encoder states: 0 = at the start of a line, 1 = inside a line. */
size_t
dot_encode(int *state, const unsigned char *in, size_t len, unsigned char *out)
{
	size_t i, o = 0;
	int st = *state;

	for (i = 0; i < len; i++) {
		unsigned char c = in[i];

		if (c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			st = 0;
			continue;
		}
		if (st == 0 && c == '.')
			out[o++] = '.'; /* dot-stuffing */
		out[o++] = c;
		st = 1;
	}
	*state = st;
	return o;
}

size_t
dot_encode_end(int *state, unsigned char *out)
{
	size_t o = 0;

	if (*state != 0) {
		/* The message did not end with LF: end the last line. */
		out[o++] = '\r';
		out[o++] = '\n';
	}
	out[o++] = '.';
	out[o++] = '\r';
	out[o++] = '\n';
	*state = 0;
	return o;
}
