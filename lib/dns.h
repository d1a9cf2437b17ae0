/*
 * dns.h -- where to deliver mail for a domain: MX lookup, then A/AAAA of
 * each MX host, through libresolv with a private resolver state (RFC 5321
 * 5.1, RFC 7505 null MX). The name server can be set (dns_nameserver in
 * quail.conf) so tests and labs can run a local DNS server.
 *
 * The answer parsers (dns_parse_mx, dns_parse_addrs) and the MX ordering
 * (dns_mx_sort) are pure functions over a DNS message so they can be tested
 * and fuzzed on canned packets.
 *
 * Memory: struct dns_resolver is opaque (dns_resolver_new/_free); all
 * results go into caller-owned arrays.
 * Return convention: dns_resolver_new 0 / -1 (*error_r static). Lookups and
 * parsers: 1 found (n_r > 0), 0 no data of that type (n_r = 0), -1 failure
 * described in *err (permanent or temporary, with an enhanced code).
 */
#ifndef QUAIL_DNS_H
#define QUAIL_DNS_H

#include <stdbool.h>
#include <stddef.h>

#define DNS_NAME_MAX_BYTES 255          /* a host name, without the NUL */
#define DNS_MX_MAX 16                   /* MX hosts used per domain */
#define DNS_ADDRS_PER_HOST_MAX 8        /* addresses used per host */
#define DNS_ANSWER_MAX_BYTES 65535      /* one DNS message (TCP maximum) */
#define DNS_TIMEOUT_SECS 5              /* per try; glibc retries twice */

/* RR types used here (ns_t_a, ns_t_aaaa, ns_t_mx). */
#define DNS_TYPE_A 1
#define DNS_TYPE_MX 15
#define DNS_TYPE_AAAA 28

struct dns_resolver;

struct dns_error {
	bool permanent;
	char enhanced[8];       /* "5.1.2", "4.4.3", ... */
	char text[DNS_NAME_MAX_BYTES * 2];  /* for records and logs; printable ASCII */
};

struct dns_mx {
	unsigned pref;
	char host[DNS_NAME_MAX_BYTES + 1];      /* lowercase, no trailing dot */
};

struct dns_addr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char ip[16];   /* network order; 4 bytes used for AF_INET */
};

/* A host to try, with its addresses (IPv4 first). */
struct dns_host {
	char name[DNS_NAME_MAX_BYTES + 1];
	unsigned pref;
	struct dns_addr addrs[DNS_ADDRS_PER_HOST_MAX];
	size_t n_addrs;
};

/* nameserver: NULL or "" for /etc/resolv.conf, else "ip", "ip:port",
 * "[ipv6]:port" or a bare IPv6 address (port 53 by default). */
int dns_resolver_new(struct dns_resolver **r_r, const char *nameserver,
		     const char **error_r);
void dns_resolver_free(struct dns_resolver **r);

/* The mail hosts of domain in delivery order: its MX hosts sorted by
 * preference (random among equal ones) with their addresses, or, without
 * MX records, the domain itself (implicit MX). MX hosts that do not
 * resolve are skipped; if none resolves the error is the last one seen.
 * Errors: NXDOMAIN 5.1.2, null MX 5.1.10, no address 5.1.2 (domain) or
 * 5.4.4 (MX hosts), server failure or timeout 4.4.3. */
int dns_mail_hosts(struct dns_resolver *r, const char *domain,
		   struct dns_host *hosts, size_t max, size_t *n_r,
		   struct dns_error *err);

/* A then AAAA of name (no MX): fills host (name, addresses). */
int dns_host_addrs(struct dns_resolver *r, const char *name,
		   struct dns_host *host, struct dns_error *err);

/* Parses an answer to an MX query: MX records of the answer section into
 * mx[0..max) (further ones dropped), lowercased, invalid host names
 * skipped. RCODE NXDOMAIN is a permanent error, other non-zero RCODEs and
 * a malformed message temporary. Null MX (RFC 7505: exchange ".") as the
 * only MX is a permanent error 5.1.10; mixed with others it is ignored. */
int dns_parse_mx(const unsigned char *msg, size_t len, struct dns_mx *mx,
		 size_t max, size_t *n_r, struct dns_error *err);

/* Parses an answer to an A (type DNS_TYPE_A) or AAAA query, appending the
 * addresses of that type found in the answer section to addrs[*n_r..max). */
int dns_parse_addrs(const unsigned char *msg, size_t len, int type,
		    struct dns_addr *addrs, size_t max, size_t *n_r,
		    struct dns_error *err);

/* Sorts by preference, then shuffles each run of equal preference with
 * rand_fn(ctx, n) returning a number in [0, n) (RFC 5321 5.1). */
void dns_mx_sort(struct dns_mx *mx, size_t n,
		 unsigned (*rand_fn)(void *ctx, unsigned n), void *ctx);

#endif
