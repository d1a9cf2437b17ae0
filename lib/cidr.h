/*
 * cidr.h -- IPv4/IPv6 network matching for relay_networks.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match IPv4 networks.
 * Return convention: 0 ok / -1 syntax error; match returns bool.
 */
#ifndef QUAIL_CIDR_H
#define QUAIL_CIDR_H

#include <stdbool.h>
#include <stddef.h>

struct cidr {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];  /* network bytes (host bits cleared) */
	unsigned prefix;         /* 0..32 or 0..128 */
};

/* "10.0.0.0/8", "192.0.2.1" (=/32), "2001:db8::/32", "::1" (=/128).
 * Rejects host bits set past the prefix? No: they are cleared. Rejects
 * prefixes out of range, junk, empty. */
int cidr_parse(const char *s, size_t len, struct cidr *r);
/* Parses a textual IP (v4, v6, v4-mapped v6) into family + 16 bytes. */
int cidr_parse_ip(const char *s, int *family_r, unsigned char addr_r[16]);
bool cidr_match(const struct cidr *c, int family, const unsigned char addr[16]);
/* True if ip (text) is in any of the n networks. False for unparsable ip. */
bool cidr_match_any(const struct cidr *c, size_t n, const char *ip);

#endif
