/*
 * cidr.c -- IPv4/IPv6 networks for relay_networks.
 *
 * Textual addresses go through inet_pton(3) (strict dotted quad, RFC 4291
 * text for IPv6); prefixes are decimal with at most three digits. Host bits
 * past the prefix are cleared. An IPv4-mapped IPv6 address (::ffff:a.b.c.d,
 * what a dual-stack socket reports for an IPv4 client) is matched as the
 * IPv4 address; a mapped network with prefix >= 96 is stored as IPv4.
 *
 * SECURITY: the client address decides relaying; anything unparsable
 * matches nothing (fails closed).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

#define CIDR_TEXT_MAX_BYTES 64  /* longest IPv6 text (45) + "/128" + slack */

static const unsigned char cidr_v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

int
cidr_parse_ip(const char *s, int *family_r, unsigned char addr_r[16])
{
	unsigned char tmp[16];

	memset(tmp, 0, sizeof(tmp));
	if (s == NULL || *s == '\0')
		return -1;
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, tmp) != 1)
			return -1;
		*family_r = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, tmp) != 1)
			return -1;
		*family_r = AF_INET;
	}
	memcpy(addr_r, tmp, 16);
	return 0;
}

/* Clears the bits of addr past prefix. */
static void
cidr_mask(unsigned char *addr, unsigned bytes, unsigned prefix)
{
	unsigned i;

	for (i = 0; i < bytes; i++) {
		if (prefix >= 8) {
			prefix -= 8;
			continue;
		}
		addr[i] &= (unsigned char)(0xff << (8 - prefix));
		prefix = 0;
	}
}

static bool
cidr_is_v4mapped(const unsigned char addr[16])
{
	return memcmp(addr, cidr_v4mapped_prefix, 12) == 0;
}

int
cidr_parse(const char *s, size_t len, struct cidr *r)
{
	char text[CIDR_TEXT_MAX_BYTES];
	const char *slash;
	unsigned prefix = 0, maxprefix, ndigits = 0;
	size_t iplen, i;
	int family;

	if (s == NULL || len == 0 || len >= sizeof(text) ||
	    memchr(s, '\0', len) != NULL)
		return -1;
	slash = memchr(s, '/', len);
	iplen = slash != NULL ? (size_t)(slash - s) : len;
	memcpy(text, s, iplen);
	text[iplen] = '\0';
	memset(r, 0, sizeof(*r));
	if (cidr_parse_ip(text, &family, r->addr) < 0)
		return -1;
	maxprefix = family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		for (i = iplen + 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9' || ++ndigits > 3)
				return -1;
			prefix = prefix * 10 + (unsigned)(s[i] - '0');
		}
		if (ndigits == 0 || prefix > maxprefix)
			return -1;
	} else {
		prefix = maxprefix;
	}
	if (family == AF_INET6 && prefix >= 96 && cidr_is_v4mapped(r->addr)) {
		/* ::ffff:10.0.0.0/104 is 10.0.0.0/8. */
		memmove(r->addr, r->addr + 12, 4);
		memset(r->addr + 4, 0, 12);
		family = AF_INET;
		prefix -= 96;
	}
	r->family = family;
	r->prefix = prefix;
	cidr_mask(r->addr, family == AF_INET ? 4 : 16, prefix);
	return 0;
}

/* Compares the first prefix bits of a and b. */
static bool
cidr_prefix_equal(const unsigned char *a, const unsigned char *b,
    unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	unsigned char mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

bool
cidr_match(const struct cidr *c, int family, const unsigned char addr[16])
{
	unsigned char mapped[16];

	/* A network that cidr_parse could not have produced matches nothing. */
	if ((c->family == AF_INET && c->prefix > 32) ||
	    (c->family == AF_INET6 && c->prefix > 128))
		return false;
	if (family == AF_INET6 && cidr_is_v4mapped(addr)) {
		/* A v4 client on a dual-stack socket. */
		if (c->family == AF_INET)
			return cidr_prefix_equal(c->addr, addr + 12, c->prefix);
		return c->family == AF_INET6 &&
		    cidr_prefix_equal(c->addr, addr, c->prefix);
	}
	if (family == AF_INET) {
		if (c->family == AF_INET)
			return cidr_prefix_equal(c->addr, addr, c->prefix);
		if (c->family != AF_INET6)
			return false;
		/* An IPv6 network such as ::/0 or ::ffff:0:0/80 sees the
		 * IPv4 client in its mapped form. */
		memcpy(mapped, cidr_v4mapped_prefix, 12);
		memcpy(mapped + 12, addr, 4);
		return cidr_prefix_equal(c->addr, mapped, c->prefix);
	}
	if (family == AF_INET6 && c->family == AF_INET6)
		return cidr_prefix_equal(c->addr, addr, c->prefix);
	return false;
}

bool
cidr_match_any(const struct cidr *c, size_t n, const char *ip)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (ip == NULL || cidr_parse_ip(ip, &family, addr) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (cidr_match(&c[i], family, addr))
			return true;
	return false;
}
