/*
 * inject_hdr.c -- message handling of quail-inject(8): the input filter
 * (the sendmail conventions for line ends and the "." line), the end of
 * the header section (RFC 5322 2.2, 3.6), address lists (RFC 5322 3.4,
 * with the obsolete forms of 4.4 that mail programs still write) and
 * display names (RFC 5322 3.2.5, RFC 2047 encoded words).
 *
 * SECURITY: the input is whatever a local program writes; everything here
 * is a bounded pure function over (ptr, len) with no NUL termination
 * assumed. Addresses leave only through addr_parse_mailbox(), so what
 * reaches the queue envelope has no control characters; display names
 * lose every control character, so an added From: stays one field.
 */
#include <stdio.h>
#include <string.h>

#include "inject_hdr.h"

/* ---- input filter --------------------------------------------------------- */

enum {
	INPUT_BOL = 0,  /* at the start of a line */
	INPUT_MID,      /* inside a line */
	INPUT_CR,       /* a CR inside a line, held back */
	INPUT_DOT,      /* "." at the start of a line, held back */
	INPUT_DOT_CR,   /* ".\r" at the start of a line, held back */
};

void
inject_input_init(struct inject_input *in, bool dot_ends)
{
	memset(in, 0, sizeof(*in));
	in->state = INPUT_BOL;
	in->dot_ends = dot_ends;
}

/* One byte of line text (after any held-back bytes were written). */
static int
input_plain(char c, char *out, size_t *o)
{
	if (c == '\r')
		return INPUT_CR;
	out[(*o)++] = c;
	if (c == '\n')
		return INPUT_BOL;
	return INPUT_MID;
}

size_t
inject_input_feed(struct inject_input *in, const char *p, size_t len, char *out,
		  size_t *used_r)
{
	size_t i, o = 0;
	int st = in->state;

	for (i = 0; i < len && !in->done; i++) {
		char c = p[i];

		switch (st) {
		case INPUT_BOL:
			if (c == '.' && in->dot_ends)
				st = INPUT_DOT;
			else
				st = input_plain(c, out, &o);
			break;
		case INPUT_MID:
			st = input_plain(c, out, &o);
			break;
		case INPUT_CR:
			if (c == '\r') {
				out[o++] = '\r';    /* the first CR was lone */
			} else if (c == '\n') {
				out[o++] = '\n';    /* CR LF -> LF */
				st = INPUT_BOL;
			} else {
				out[o++] = '\r';
				st = input_plain(c, out, &o);
			}
			break;
		case INPUT_DOT:
			if (c == '\n') {
				in->done = true;
			} else if (c == '\r') {
				st = INPUT_DOT_CR;
			} else {
				out[o++] = '.';
				st = input_plain(c, out, &o);
			}
			break;
		default: /* INPUT_DOT_CR */
			if (c == '\n') {
				in->done = true;
			} else {
				out[o++] = '.';
				out[o++] = '\r';
				st = input_plain(c, out, &o);
			}
			break;
		}
	}
	in->state = st;
	if (o > 0) {
		in->any = true;
		in->last_lf = out[o - 1] == '\n';
	}
	*used_r = i;
	return o;
}

size_t
inject_input_finish(struct inject_input *in, char *out)
{
	size_t o = 0;

	if (!in->done) {
		/* A "." alone on the last, unterminated line still ends the
		 * message; held CRs were data. */
		if (in->state == INPUT_CR) {
			out[o++] = '\r';
		} else if (in->state == INPUT_DOT_CR) {
			out[o++] = '.';
			out[o++] = '\r';
		}
	}
	in->state = INPUT_BOL;
	in->done = true;
	if (o > 0) {
		in->any = true;
		in->last_lf = false;
	}
	if (in->any && !in->last_lf) {
		out[o++] = '\n';
		in->last_lf = true;
	}
	return o;
}

/* ---- header section ------------------------------------------------------- */

/* RFC 5322 ftext: printable US-ASCII except colon. */
static bool
is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Does the line p[0..len) (without its LF) start a field? */
static bool
line_is_field(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_ftext((unsigned char)p[i]))
		i++;
	if (i == 0)
		return false;
	while (i < len && is_wsp(p[i]))
		i++;
	return i < len && p[i] == ':';
}

/* Could the incomplete line p[0..len) still turn out to be a field? */
static bool
prefix_may_be_field(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_ftext((unsigned char)p[i]))
		i++;
	if (i == len)
		return true;
	if (i == 0)
		return false;
	while (i < len && is_wsp(p[i]))
		i++;
	return i == len || p[i] == ':';
}

int
inject_hdr_split(const char *p, size_t len, bool at_eof, size_t *resume,
		 size_t *hdr_len_r, size_t *body_r)
{
	size_t pos = *resume;

	/* Lines before pos are known to be fields or continuations. */
	while (pos < len) {
		const char *lf = memchr(p + pos, '\n', len - pos);
		size_t end = lf != NULL ? (size_t)(lf - p) : len;
		bool first = pos == 0;

		if (lf == NULL && !at_eof) {
			/* An incomplete line decides nothing yet, unless its
			 * start already shows that it is not a field. */
			*resume = pos;
			if ((!first && is_wsp(p[pos])) ||
			    prefix_may_be_field(p + pos, end - pos))
				return 0;
			*hdr_len_r = pos;
			*body_r = pos;
			return 1;
		}
		if (end == pos && lf != NULL) {
			/* The empty line: separator, part of neither. */
			*hdr_len_r = pos;
			*body_r = pos + 1;
			return 1;
		}
		if (!(line_is_field(p + pos, end - pos) ||
		      (!first && is_wsp(p[pos])))) {
			*hdr_len_r = pos;
			*body_r = pos;
			return 1;
		}
		pos = lf != NULL ? end + 1 : len;
	}
	*resume = pos;
	if (!at_eof)
		return 0;
	*hdr_len_r = len;
	*body_r = len;
	return 1;
}

/* ---- address lists -------------------------------------------------------- */

/* RFC 5322 specials that end an atom (plus the ones of obs forms). */
static bool
is_special(char c)
{
	return strchr("()<>[]:;@\\,.\"", c) != NULL;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct alist {
	const char *p;
	size_t len, pos;
	char spec[ADDR_PATH_MAX_BYTES + 1];
	size_t slen;
	bool angle;     /* inside <...> */
	bool angled;    /* the mailbox had <...>: text after '>' is ignored */
	bool group;     /* inside "name: ... ;" */
	bool last_word; /* the last token appended was a word */
	bool phrase;    /* two words in a row outside <...>: a display name */
};

/* Skips whitespace and (nested) comments. 0 / -1 unterminated comment. */
static int
alist_skip_cfws(struct alist *a, const char **error_r)
{
	while (a->pos < a->len) {
		char c = a->p[a->pos];

		if (is_space(c)) {
			a->pos++;
			continue;
		}
		if (c != '(')
			return 0;
		unsigned depth = 0;

		while (a->pos < a->len) {
			c = a->p[a->pos++];
			if (c == '\\' && a->pos < a->len)
				a->pos++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				break;
		}
		if (depth != 0) {
			*error_r = "unterminated comment";
			return -1;
		}
	}
	return 0;
}

static int
alist_put(struct alist *a, const char *s, size_t n, const char **error_r)
{
	if (a->angled && !a->angle)
		return 0;   /* "<a@b> junk": the address is complete */
	if (n > sizeof(a->spec) - 1 - a->slen) {
		*error_r = "address too long";
		return -1;
	}
	memcpy(a->spec + a->slen, s, n);
	a->slen += n;
	return 0;
}

/* Hands the collected mailbox to fn and starts the next one. */
static int
alist_emit(struct alist *a, inject_addr_fn *fn, void *ctx, const char **error_r)
{
	int r = 0;

	if (a->angle) {
		*error_r = "missing '>'";
		return -1;
	}
	if (a->phrase && !a->angled) {
		*error_r = "display name without <address>";
		return -1;
	}
	if (a->slen > 0)
		r = fn(ctx, a->spec, a->slen, error_r);
	else if (a->angled) {
		*error_r = "empty <>";
		return -1;
	}
	a->slen = 0;
	a->angled = a->phrase = a->last_word = false;
	return r;
}

/* A word (atom or quoted string) starting at pos. 0 / -1. */
static int
alist_word(struct alist *a, const char **error_r)
{
	size_t start = a->pos;

	if (a->p[a->pos] == '"') {
		a->pos++;
		while (a->pos < a->len && a->p[a->pos] != '"') {
			if (a->p[a->pos] == '\\' && a->pos + 1 < a->len)
				a->pos++;
			a->pos++;
		}
		if (a->pos >= a->len) {
			*error_r = "unterminated quoted string";
			return -1;
		}
		a->pos++;
	} else {
		while (a->pos < a->len && !is_special(a->p[a->pos]) &&
		       !is_space(a->p[a->pos]) &&
		       (unsigned char)a->p[a->pos] >= 32 && a->p[a->pos] != 127)
			a->pos++;
		if (a->pos == start) {
			*error_r = "control character in address";
			return -1;
		}
	}
	if (a->last_word && !a->angle)
		a->phrase = true;
	a->last_word = true;
	/* A display name is not part of the address: dropped at '<'. */
	return alist_put(a, a->p + start, a->pos - start, error_r);
}

/* A domain literal [..] starting at pos. 0 / -1. */
static int
alist_literal(struct alist *a, const char **error_r)
{
	const char *close = memchr(a->p + a->pos, ']', a->len - a->pos);
	size_t start = a->pos;

	if (close == NULL) {
		*error_r = "unterminated domain literal";
		return -1;
	}
	a->pos = (size_t)(close - a->p) + 1;
	a->last_word = true;
	return alist_put(a, a->p + start, a->pos - start, error_r);
}

/* '<': the address proper starts; what came before was a display name. */
static int
alist_open_angle(struct alist *a, const char **error_r)
{
	if (a->angle || a->angled) {
		*error_r = "unexpected '<'";
		return -1;
	}
	a->angle = a->angled = true;
	a->slen = 0;
	a->phrase = a->last_word = false;
	a->pos++;
	return 0;
}

/* '>': drops an obsolete source route "@a,@b:" from the front. */
static int
alist_close_angle(struct alist *a, const char **error_r)
{
	if (!a->angle) {
		*error_r = "unexpected '>'";
		return -1;
	}
	a->angle = false;
	a->pos++;
	if (a->slen > 0 && a->spec[0] == '@') {
		char *colon = memchr(a->spec, ':', a->slen);

		if (colon == NULL) {
			*error_r = "bad source route";
			return -1;
		}
		a->slen -= (size_t)(colon + 1 - a->spec);
		memmove(a->spec, colon + 1, a->slen);
	}
	return 0;
}

/* One special character outside words. 0 / -1 / 1 (done with the list). */
static int
alist_special(struct alist *a, inject_addr_fn *fn, void *ctx,
	      const char **error_r)
{
	char c = a->p[a->pos];

	switch (c) {
	case '<':
		return alist_open_angle(a, error_r);
	case '>':
		return alist_close_angle(a, error_r);
	case '[':
		return alist_literal(a, error_r);
	case ',':
		if (a->angle)   /* inside a source route */
			break;
		a->pos++;
		return alist_emit(a, fn, ctx, error_r);
	case ':':
		if (a->angle)
			break;
		if (a->group || a->angled) {
			*error_r = "unexpected ':'";
			return -1;
		}
		/* "name:" starts a group; the name is not an address. */
		a->group = true;
		a->slen = 0;
		a->phrase = a->last_word = false;
		a->pos++;
		return 0;
	case ';':
		if (!a->group || a->angle) {
			*error_r = "unexpected ';'";
			return -1;
		}
		a->pos++;
		a->group = false;
		return alist_emit(a, fn, ctx, error_r);
	case '@':
	case '.':
		break;
	default:
		*error_r = "unexpected character in address";
		return -1;
	}
	a->last_word = false;
	a->pos++;
	return alist_put(a, &c, 1, error_r);
}

int
inject_hdr_addresses(const char *p, size_t len, inject_addr_fn *fn, void *ctx,
		     const char **error_r)
{
	struct alist a;

	memset(&a, 0, sizeof(a));
	a.p = p;
	a.len = len;
	for (;;) {
		if (alist_skip_cfws(&a, error_r) < 0)
			return -1;
		if (a.pos >= a.len)
			break;
		char c = a.p[a.pos];
		int r;

		if (c == '"' || !(is_special(c)))
			r = alist_word(&a, error_r);
		else
			r = alist_special(&a, fn, ctx, error_r);
		if (r < 0)
			return -1;
	}
	if (a.group) {
		*error_r = "missing ';' after group";
		return -1;
	}
	return alist_emit(&a, fn, ctx, error_r);
}

int
inject_hdr_mailbox(const char *spec, size_t len, const char *domain,
		   struct addr *a, const char **error_r)
{
	char tmp[ADDR_PATH_MAX_BYTES + 1];

	if (addr_parse_mailbox(spec, len, ADDR_NO_DOMAIN | ADDR_UTF8, a,
			       error_r) < 0)
		return -1;
	if (a->at < a->len)
		return 0;
	if (domain == NULL || *domain == '\0') {
		*error_r = "address without a domain";
		return -1;
	}
	/* Qualify "root" as "root@<domain>" and check the result again. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s@%s", a->str, domain) >=
	    sizeof(tmp)) {
		*error_r = "address too long";
		return -1;
	}
	return addr_parse_mailbox(tmp, strlen(tmp), ADDR_UTF8, a, error_r);
}

/* ---- display names -------------------------------------------------------- */

/* RFC 5322 atext. */
static bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Base64 of in[0..n) into out (room for 4 * ((n + 2) / 3)). */
static size_t
base64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = tab[in[i] >> 2];
		out[o++] = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = tab[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = tab[in[i + 2] & 63];
	}
	if (i < n) {
		out[o++] = tab[in[i] >> 2];
		if (i + 1 < n) {
			out[o++] = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			out[o++] = tab[(in[i + 1] & 15) << 2];
		} else {
			out[o++] = tab[(in[i] & 3) << 4];
			out[o++] = '=';
		}
		out[o++] = '=';
	}
	return o;
}

/* RFC 2047 2: an encoded word is at most 75 bytes; "=?UTF-8?B?" + "?="
 * leave 63 base64 characters, 45 bytes of text. */
#define NAME_WORD_TEXT_BYTES 45

static size_t
name_encoded(const unsigned char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t take = n - i < NAME_WORD_TEXT_BYTES ? n - i : NAME_WORD_TEXT_BYTES;

		/* Whole UTF-8 characters per word (RFC 2047 5): do not end
		 * before a continuation byte. A character is at most 4 bytes,
		 * so back off at most 3: invalid input (a run of continuation
		 * bytes) must not shrink every word to one byte, which would
		 * blow the output past INJECT_HDR_NAME_OUT_BYTES. */
		size_t min_take = take > 3 ? take - 3 : 1;

		while (take > min_take && i + take < n &&
		       (s[i + take] & 0xC0) == 0x80)
			take--;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, "=?UTF-8?B?", 10);
		o += 10;
		o += base64(s + i, take, out + o);
		out[o++] = '?';
		out[o++] = '=';
		i += take;
	}
	return o;
}

size_t
inject_hdr_display_name(const char *name, char *out, size_t outlen)
{
	unsigned char clean[INJECT_HDR_NAME_MAX_BYTES];
	size_t n = 0, i, o = 0;
	bool eight_bit = false, atoms = true;

	if (outlen < INJECT_HDR_NAME_OUT_BYTES)
		return 0;
	/* Control characters out; runs of spaces become one; trimmed. */
	for (i = 0; name[i] != '\0' && n < sizeof(clean); i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 32 || c == 127)
			c = ' ';
		if (c == ' ' && (n == 0 || clean[n - 1] == ' '))
			continue;
		clean[n++] = c;
	}
	/* Cut by the limit: do not end inside a UTF-8 sequence (the last
	 * sequence is dropped whole, complete or not). */
	if (name[i] != '\0' && n > 0 && (clean[n - 1] & 0x80) != 0) {
		while (n > 0 && (clean[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (clean[n - 1] & 0xC0) == 0xC0)
			n--;
	}
	while (n > 0 && clean[n - 1] == ' ')
		n--;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (clean[i] >= 0x80)
			eight_bit = true;
		else if (clean[i] != ' ' && !is_atext(clean[i]))
			atoms = false;
	}
	if (eight_bit)
		return name_encoded(clean, n, out);
	if (atoms) {
		memcpy(out, clean, n);
		return n;
	}
	out[o++] = '"';
	for (i = 0; i < n; i++) {
		if (clean[i] == '"' || clean[i] == '\\')
			out[o++] = '\\';
		out[o++] = (char)clean[i];
	}
	out[o++] = '"';
	return o;
}
