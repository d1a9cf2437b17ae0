/*
 * addr.c -- RFC 5321 paths and mailboxes (4.1.2), address literals
 * (4.1.3), limits (4.5.3.1), source routes (4.1.1.3, C), and the SMTPUTF8
 * extensions of RFC 6531 3.3 (UTF-8 in local part and domain).
 *
 * The canonical form is "local@domain": a local part that was quoted is
 * unquoted if it is a valid Dot-string, else re-quoted with the minimal
 * escapes (\" and \\); the domain is lowercased (ASCII only).
 *
 * SECURITY: the input is untrusted client text given as (ptr, len), never
 * assumed NUL-terminated. Every byte is checked against the grammar, so NUL,
 * CR, LF and other control characters can never reach the canonical form
 * (which goes into queue envelopes and logs); 8-bit bytes are accepted only
 * with ADDR_UTF8 and only as well-formed UTF-8 (no overlongs, surrogates,
 * C1 controls or code points past U+10FFFF). Output buffers are bounded by
 * the RFC limits, checked before every write.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "addr.h"

/* The canonical mailbox must fit in a path with its "<" and ">". */
#define ADDR_MAILBOX_MAX_BYTES (ADDR_PATH_MAX_BYTES - 2)
/* RFC 1035 2.3.4: a label is at most 63 octets. */
#define ADDR_LABEL_MAX_BYTES 63
/* Longest IPv6 text form with an IPv4 tail is 45 bytes; anything longer in
 * a literal is invalid anyway. */
#define ADDR_IP_TEXT_MAX_BYTES 64

/* Error strings used more than once or in deep nesting. */
#define ADDR_ERR_LOCAL_LONG "local part too long"
#define ADDR_ERR_DOMAIN_LONG "domain too long"
#define ADDR_ERR_PATH_LONG "path too long"
#define ADDR_ERR_CHAR "invalid character in address"
#define ADDR_ERR_LOCAL_CHAR "invalid character in local part"
#define ADDR_ERR_NO_DOMAIN "missing '@domain'"
#define ADDR_ERR_EMPTY_LABEL "empty label in local part"
#define ADDR_ERR_UNTERMINATED "unterminated quoted string"
#define ADDR_ERR_QPAIR "invalid quoted pair in local part"
#define ADDR_ERR_QTEXT "invalid character in quoted local part"
#define ADDR_ERR_HYPHEN_START "domain label starts with '-'"
#define ADDR_ERR_LITERAL_TAG "unsupported address literal"
#define ADDR_ERR_IPV4 "invalid IPv4 address literal"

/* A cursor over the untrusted input. */
struct addr_cur {
	const unsigned char *p;
	size_t len;
	size_t pos;
	unsigned flags;
	bool bracketed; /* inside "<...>": a space is never a terminator */
	bool utf8_seen;
	const char *error;
};

static bool
addr_at_end(const struct addr_cur *c)
{
	return c->pos >= c->len;
}

static int
addr_peek(const struct addr_cur *c)
{
	return c->pos < c->len ? c->p[c->pos] : -1;
}

static int
addr_fail(struct addr_cur *c, const char *error)
{
	if (c->error == NULL)
		c->error = error;
	return -1;
}

/* ASCII lowercase (domains); 8-bit bytes are left alone. */
static char
addr_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* RFC 5322 atext. */
static bool
addr_is_atext(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

static bool
addr_is_let_dig(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

/* RFC 5321 qtextSMTP (%d32-33 / %d35-91 / %d93-126). */
static bool
addr_is_qtext(unsigned char ch)
{
	return ch >= 32 && ch <= 126 && ch != '"' && ch != '\\';
}

/* Length of the well-formed UTF-8 sequence at p[0..avail) (2 to 4), or 0.
 * Rejects overlong forms, surrogates, > U+10FFFF and C1 controls. */
static size_t
addr_utf8_len(const unsigned char *p, size_t avail)
{
	unsigned char b0 = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (b0 >= 0xc2 && b0 <= 0xdf)
		n = 2;
	else if (b0 >= 0xe0 && b0 <= 0xef)
		n = 3;
	else if (b0 >= 0xf0 && b0 <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	if (b0 == 0xc2)
		lo = 0xa0; /* U+0080..U+009F are C1 control characters */
	else if (b0 == 0xe0)
		lo = 0xa0; /* overlong */
	else if (b0 == 0xed)
		hi = 0x9f; /* surrogates */
	else if (b0 == 0xf0)
		lo = 0x90; /* overlong */
	else if (b0 == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* At an 8-bit byte: the length of its UTF-8 sequence, or 0 with an error
 * set (8-bit without ADDR_UTF8, or malformed). */
static size_t
addr_take_utf8(struct addr_cur *c)
{
	size_t n;

	if ((c->flags & ADDR_UTF8) == 0) {
		addr_fail(c, "8-bit character in address (no SMTPUTF8)");
		return 0;
	}
	n = addr_utf8_len(c->p + c->pos, c->len - c->pos);
	if (n == 0)
		addr_fail(c, "invalid UTF-8 in address");
	else
		c->utf8_seen = true;
	return n;
}

/* Appends p[0..n) to out (capacity cap, excluding NUL) or fails. */
static int
addr_put(struct addr_cur *c, char *out, size_t cap, size_t *o, const void *p,
	 size_t n, const char *too_long)
{
	if (n > cap - *o)
		return addr_fail(c, too_long);
	memcpy(out + *o, p, n);
	*o += n;
	return 0;
}

/* Dot-string = Atom *("." Atom), with UTF-8 in atoms under ADDR_UTF8.
 * Copies it to out[0..cap); stops at the first byte that is neither. */
static int
addr_dot_string(struct addr_cur *c, char *out, size_t cap, size_t *o)
{
	size_t atom = 0;

	while (!addr_at_end(c)) {
		unsigned char ch = c->p[c->pos];
		size_t n = 1;

		if (ch == '.') {
			if (atom == 0)
				return addr_fail(c, ADDR_ERR_EMPTY_LABEL);
			atom = 0;
		} else if (ch >= 0x80) {
			if ((n = addr_take_utf8(c)) == 0)
				return -1;
			atom += n;
		} else if (addr_is_atext(ch)) {
			atom++;
		} else {
			break;
		}
		if (addr_put(c, out, cap, o, c->p + c->pos, n,
			     ADDR_ERR_LOCAL_LONG) < 0)
			return -1;
		c->pos += n;
	}
	if (atom == 0)
		return addr_fail(c, *o == 0 ? "empty local part"
					    : "local part ends with '.'");
	return 0;
}

/* Is s[0..n) a valid Dot-string (so it needs no quotes)? s is already
 * known to be valid text (ASCII or checked UTF-8). */
static bool
addr_is_dot_string(const char *s, size_t n)
{
	size_t i, atom = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (atom == 0)
				return false;
			atom = 0;
		} else if (ch >= 0x80 || addr_is_atext(ch)) {
			atom++;
		} else {
			return false;
		}
	}
	return atom > 0;
}

/* Quoted-string; writes the unescaped content to text[0..cap). */
static int
addr_quoted_content(struct addr_cur *c, char *text, size_t cap, size_t *n)
{
	c->pos++; /* the opening DQUOTE */
	for (;;) {
		int ch = addr_peek(c);
		size_t len = 1;

		if (ch < 0)
			return addr_fail(c, ADDR_ERR_UNTERMINATED);
		if (ch == '"') {
			c->pos++;
			return 0;
		}
		if (ch == '\\') {
			/* quoted-pairSMTP = %d92 %d32-126 */
			c->pos++;
			ch = addr_peek(c);
			if (ch < 32 || ch > 126)
				return addr_fail(c,
						 ch < 0 ? ADDR_ERR_UNTERMINATED
							: ADDR_ERR_QPAIR);
		} else if (ch >= 0x80) {
			if ((len = addr_take_utf8(c)) == 0)
				return -1;
		} else if (!addr_is_qtext((unsigned char)ch)) {
			return addr_fail(c, ADDR_ERR_QTEXT);
		}
		if (addr_put(c, text, cap, n, c->p + c->pos, len,
			     ADDR_ERR_LOCAL_LONG) < 0)
			return -1;
		c->pos += len;
	}
}

/* Local-part in canonical form: quotes kept only when needed. */
static int
addr_local_part(struct addr_cur *c, char *out, size_t *o)
{
	char text[ADDR_LOCAL_MAX_BYTES];
	size_t n = 0, i;

	if (addr_peek(c) != '"')
		return addr_dot_string(c, out, ADDR_LOCAL_MAX_BYTES, o);
	if (addr_quoted_content(c, text, sizeof(text), &n) < 0)
		return -1;
	if (addr_is_dot_string(text, n))
		return addr_put(c, out, ADDR_LOCAL_MAX_BYTES, o, text, n,
				ADDR_ERR_LOCAL_LONG);
	if (addr_put(c, out, ADDR_LOCAL_MAX_BYTES, o, "\"", 1,
		     ADDR_ERR_LOCAL_LONG) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((text[i] == '"' || text[i] == '\\') &&
		    addr_put(c, out, ADDR_LOCAL_MAX_BYTES, o, "\\", 1,
			     ADDR_ERR_LOCAL_LONG) < 0)
			return -1;
		if (addr_put(c, out, ADDR_LOCAL_MAX_BYTES, o, &text[i], 1,
			     ADDR_ERR_LOCAL_LONG) < 0)
			return -1;
	}
	return addr_put(c, out, ADDR_LOCAL_MAX_BYTES, o, "\"", 1,
			ADDR_ERR_LOCAL_LONG);
}

/* One sub-domain: Let-dig [Ldh-str] (or a U-label under ADDR_UTF8),
 * lowercased into out. */
static int
addr_label(struct addr_cur *c, char *out, size_t cap, size_t *o)
{
	size_t label = 0;
	unsigned char last = 0;

	while (!addr_at_end(c)) {
		unsigned char ch = c->p[c->pos];
		size_t n = 1;
		char lower;

		if (ch >= 0x80) {
			if ((n = addr_take_utf8(c)) == 0)
				return -1;
		} else if (ch == '-') {
			if (label == 0)
				return addr_fail(c, ADDR_ERR_HYPHEN_START);
		} else if (!addr_is_let_dig(ch)) {
			break;
		}
		label += n;
		if (label > ADDR_LABEL_MAX_BYTES)
			return addr_fail(c, "domain label too long");
		if (n == 1) {
			lower = addr_lower((char)ch);
			if (addr_put(c, out, cap, o, &lower, 1,
				     ADDR_ERR_DOMAIN_LONG) < 0)
				return -1;
		} else if (addr_put(c, out, cap, o, c->p + c->pos, n,
				    ADDR_ERR_DOMAIN_LONG) < 0) {
			return -1;
		}
		last = ch;
		c->pos += n;
	}
	if (label == 0)
		return addr_fail(c, "empty domain label");
	if (last == '-')
		return addr_fail(c, "domain label ends with '-'");
	return 0;
}

/* Domain = sub-domain *("." sub-domain), into out[0..cap). */
static int
addr_domain_name(struct addr_cur *c, char *out, size_t cap, size_t *o)
{
	if (addr_at_end(c))
		return addr_fail(c, "missing domain");
	for (;;) {
		if (addr_label(c, out, cap, o) < 0)
			return -1;
		if (addr_peek(c) != '.')
			return 0;
		if (addr_put(c, out, cap, o, ".", 1, ADDR_ERR_DOMAIN_LONG) < 0)
			return -1;
		c->pos++;
		if (addr_at_end(c))
			return addr_fail(c, "domain ends with '.'");
	}
}

/* Is text[0..n) an IPv4 (af AF_INET) or IPv6 address? */
static bool
addr_ip_valid(int af, const char *text, size_t n)
{
	char tmp[ADDR_IP_TEXT_MAX_BYTES + 1];
	unsigned char bin[16];

	if (n == 0 || n > ADDR_IP_TEXT_MAX_BYTES)
		return false;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	return inet_pton(af, tmp, bin) == 1;
}

/* address-literal = "[" ( IPv4 / "IPv6:" IPv6 ) "]" (RFC 5321 4.1.3);
 * General-address-literal tags other than IPv6 are not supported. */
static int
addr_literal(struct addr_cur *c, char *out, size_t cap, size_t *o)
{
	const char *s = (const char *)c->p + c->pos + 1;
	size_t n = 0, i;

	c->pos++; /* '[' */
	while (!addr_at_end(c) && c->p[c->pos] != ']') {
		unsigned char ch = c->p[c->pos];

		/* dcontent: %d33-90 / %d94-126; anything else is garbage */
		if (ch < 33 || ch > 126 || ch == '[' || ch == '\\')
			return addr_fail(c, "invalid address literal");
		if (++n > ADDR_DOMAIN_MAX_BYTES)
			return addr_fail(c, ADDR_ERR_DOMAIN_LONG);
		c->pos++;
	}
	if (addr_at_end(c))
		return addr_fail(c, "missing ']'");
	c->pos++;
	if (n > 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		if (!addr_ip_valid(AF_INET6, s + 5, n - 5))
			return addr_fail(c, "invalid IPv6 address literal");
		if (addr_put(c, out, cap, o, "[IPv6:", 6,
			     ADDR_ERR_DOMAIN_LONG) < 0)
			return -1;
		s += 5;
		n -= 5;
	} else if (addr_ip_valid(AF_INET, s, n)) {
		if (addr_put(c, out, cap, o, "[", 1, ADDR_ERR_DOMAIN_LONG) < 0)
			return -1;
	} else {
		bool tagged = memchr(s, ':', n) != NULL;

		return addr_fail(c,
				 tagged ? ADDR_ERR_LITERAL_TAG : ADDR_ERR_IPV4);
	}
	for (i = 0; i < n; i++) {
		char lower = addr_lower(s[i]);

		if (addr_put(c, out, cap, o, &lower, 1, ADDR_ERR_DOMAIN_LONG))
			return -1;
	}
	return addr_put(c, out, cap, o, "]", 1, ADDR_ERR_DOMAIN_LONG);
}

/* Mailbox = Local-part "@" ( Domain / address-literal ), or a bare local
 * part with ADDR_NO_DOMAIN. Fills a->str etc. */
static int
addr_mailbox(struct addr_cur *c, struct addr *a)
{
	char domain[ADDR_DOMAIN_MAX_BYTES];
	size_t llen = 0, dlen = 0;

	memset(a, 0, sizeof(*a));
	if (addr_local_part(c, a->str, &llen) < 0)
		return -1;
	a->at = llen;
	if (addr_peek(c) != '@') {
		if ((c->flags & ADDR_NO_DOMAIN) == 0) {
			int ch = addr_peek(c);
			bool end = ch < 0 || ch == (c->bracketed ? '>' : ' ');

			return addr_fail(c, end ? ADDR_ERR_NO_DOMAIN
						: ADDR_ERR_LOCAL_CHAR);
		}
	} else {
		c->pos++;
		if (addr_peek(c) == '[') {
			a->domain_literal = true;
			if (addr_literal(c, domain, sizeof(domain), &dlen) < 0)
				return -1;
		} else if (addr_domain_name(c, domain, sizeof(domain), &dlen) <
			   0) {
			return -1;
		}
		if (llen + 1 + dlen > ADDR_MAILBOX_MAX_BYTES)
			return addr_fail(c, ADDR_ERR_PATH_LONG);
		a->str[llen] = '@';
		memcpy(a->str + llen + 1, domain, dlen);
		llen += 1 + dlen;
	}
	a->str[llen] = '\0';
	a->len = llen;
	a->is_utf8 = c->utf8_seen;
	return 0;
}

/* A-d-l ":" = At-domain *( "," At-domain ) ":" -- parsed and dropped. */
static int
addr_source_route(struct addr_cur *c)
{
	char domain[ADDR_DOMAIN_MAX_BYTES];

	for (;;) {
		size_t dlen = 0;

		if (addr_peek(c) != '@')
			return addr_fail(c, "invalid source route");
		c->pos++;
		if (addr_domain_name(c, domain, sizeof(domain), &dlen) < 0)
			return -1;
		if (addr_peek(c) == ':') {
			c->pos++;
			return 0;
		}
		if (addr_peek(c) != ',')
			return addr_fail(c, "invalid source route");
		c->pos++;
	}
}

/* "<" [ A-d-l ":" ] Mailbox ">" or "<>". */
static int
addr_bracketed(struct addr_cur *c, struct addr *a)
{
	c->pos++; /* '<' */
	c->bracketed = true;
	if (addr_peek(c) == '>') {
		if ((c->flags & ADDR_ALLOW_NULL) == 0)
			return addr_fail(c, "null path not allowed");
		memset(a, 0, sizeof(*a));
		a->is_null = true;
		c->pos++;
		return 0;
	}
	if (addr_peek(c) == '@' && addr_source_route(c) < 0)
		return -1;
	if (addr_mailbox(c, a) < 0)
		return -1;
	if (addr_peek(c) != '>')
		return addr_fail(c, addr_at_end(c) ? "missing '>'"
						   : ADDR_ERR_CHAR);
	c->pos++;
	if (c->pos > ADDR_PATH_MAX_BYTES)
		return addr_fail(c, ADDR_ERR_PATH_LONG);
	return 0;
}

int
addr_parse_path(const char *in, size_t len, unsigned flags, struct addr *a,
		size_t *used_r, const char **error_r)
{
	struct addr_cur c = {
		(const unsigned char *)in, len, 0, flags, false, false, NULL
	};
	int ret;

	if (len == 0)
		ret = addr_fail(&c, "empty address");
	else if (in[0] == '<')
		ret = addr_bracketed(&c, a);
	else if ((flags & ADDR_LAX) == 0)
		ret = addr_fail(&c, "missing '<'");
	else if (in[0] == ' ')
		ret = addr_fail(&c, "empty address");
	else
		ret = addr_mailbox(&c, a);
	/* ESMTP parameters may follow after a space; nothing else may. */
	if (ret == 0 && !addr_at_end(&c) && in[c.pos] != ' ')
		ret = addr_fail(&c, "invalid character after address");
	if (ret < 0) {
		*error_r = c.error;
		return -1;
	}
	*used_r = c.pos;
	return 0;
}

int
addr_parse_mailbox(const char *in, size_t len, unsigned flags, struct addr *a,
		   const char **error_r)
{
	struct addr_cur c = {
		(const unsigned char *)in, len, 0, flags, false, false, NULL
	};

	if (len == 0)
		addr_fail(&c, "empty address");
	else if (addr_mailbox(&c, a) == 0 && !addr_at_end(&c))
		addr_fail(&c, ADDR_ERR_CHAR);
	if (c.error != NULL) {
		*error_r = c.error;
		return -1;
	}
	return 0;
}

const char *
addr_domain(const struct addr *a)
{
	return a->at < a->len ? a->str + a->at + 1 : "";
}

int
addr_local(const struct addr *a, char *out, size_t outlen)
{
	size_t i, o = 0, end = a->at;

	if (a->is_null || end == 0 || a->str[0] != '"') {
		if (end >= outlen)
			return -1;
		memcpy(out, a->str, end);
		out[end] = '\0';
		return 0;
	}
	/* Quoted: drop the quotes and the backslash of each quoted pair. */
	for (i = 1; i + 1 < end; i++) {
		if (a->str[i] == '\\')
			i++;
		if (o + 1 >= outlen)
			return -1;
		out[o++] = a->str[i];
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

bool
addr_valid_helo(const char *in, size_t len)
{
	struct addr_cur c = {
		(const unsigned char *)in, len, 0, 0, false, false, NULL
	};
	char out[ADDR_DOMAIN_MAX_BYTES];
	size_t o = 0;

	if (len == 0)
		return false;
	/* A bare IP: "EHLO 127.0.0.1" (also a valid Domain) or "EHLO ::1". */
	if (addr_ip_valid(AF_INET, in, len) || addr_ip_valid(AF_INET6, in, len))
		return true;
	if (in[0] == '[') {
		if (addr_literal(&c, out, sizeof(out), &o) < 0)
			return false;
	} else if (addr_domain_name(&c, out, sizeof(out), &o) < 0) {
		return false;
	}
	return addr_at_end(&c);
}
