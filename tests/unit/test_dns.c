/*
 * test_dns.c -- DNS answer parsing on canned packets (lib/dns.c): MX and
 * A/AAAA answers, RCODEs (NXDOMAIN permanent, the rest temporary), null MX
 * (RFC 7505), invalid names, malformed and truncated messages at every
 * length, compression loops, the record limits, MX ordering with random
 * order among equal preferences, and dns_nameserver parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"

#define PKT_MAX 2048

struct pkt {
	unsigned char b[PKT_MAX];
	size_t len;
	size_t ancount_off;
	unsigned ancount;
};

static void
put16(struct pkt *p, unsigned v)
{
	assert_true(p->len + 2 <= PKT_MAX);
	p->b[p->len++] = (unsigned char)(v >> 8);
	p->b[p->len++] = (unsigned char)v;
}

static void
put32(struct pkt *p, unsigned long v)
{
	put16(p, (unsigned)(v >> 16));
	put16(p, (unsigned)(v & 0xffff));
}

static void
put_bytes(struct pkt *p, const void *d, size_t n)
{
	assert_true(p->len + n <= PKT_MAX);
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

/* Uncompressed name in wire form ("" and "." are the root). */
static void
put_name(struct pkt *p, const char *name)
{
	const char *s = name, *dot;

	while (*s != '\0' && strcmp(s, ".") != 0) {
		size_t n;

		dot = strchr(s, '.');
		n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		assert_true(p->len + 1 + n <= PKT_MAX);
		p->b[p->len++] = (unsigned char)n;
		put_bytes(p, s, n);
		s += n;
		if (*s == '.')
			s++;
	}
	p->b[p->len++] = 0;
}

/* Header + one question for qname/qtype with rcode. */
static void
pkt_start(struct pkt *p, const char *qname, unsigned qtype, unsigned rcode)
{
	memset(p, 0, sizeof(*p));
	put16(p, 0x1234);               /* id */
	put16(p, 0x8180 | rcode);       /* QR RD RA + rcode */
	put16(p, 1);                    /* qdcount */
	p->ancount_off = p->len;
	put16(p, 0);                    /* ancount, patched */
	put16(p, 0);
	put16(p, 0);
	put_name(p, qname);
	put16(p, qtype);
	put16(p, 1);
}

/* One answer RR; owner is the question name (pointer 0xc00c). */
static void
pkt_rr(struct pkt *p, unsigned type, const void *rdata, size_t rdlen)
{
	put16(p, 0xc00c);
	put16(p, type);
	put16(p, 1);
	put32(p, 300);
	put16(p, (unsigned)rdlen);
	put_bytes(p, rdata, rdlen);
	p->ancount++;
	p->b[p->ancount_off] = (unsigned char)(p->ancount >> 8);
	p->b[p->ancount_off + 1] = (unsigned char)p->ancount;
}

static void
pkt_mx(struct pkt *p, unsigned pref, const char *host)
{
	struct pkt rd;

	memset(&rd, 0, sizeof(rd));
	put16(&rd, pref);
	put_name(&rd, host);
	pkt_rr(p, DNS_TYPE_MX, rd.b, rd.len);
}

static void
test_mx_basic(void **state)
{
	struct pkt p;
	struct dns_mx mx[DNS_MX_MAX];
	struct dns_error err;
	size_t n;

	(void)state;
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	pkt_mx(&p, 20, "MX2.Example.ORG");
	pkt_mx(&p, 10, "mx1.example.org");
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, DNS_MX_MAX, &n, &err), 1);
	assert_int_equal(n, 2);
	assert_int_equal(mx[0].pref, 20);
	assert_string_equal(mx[0].host, "mx2.example.org");
	assert_int_equal(mx[1].pref, 10);
	assert_string_equal(mx[1].host, "mx1.example.org");

	/* compressed exchange name pointing into the question */
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	{
		unsigned char rd[] = { 0, 5, 2, 'm', 'x', 0xc0, 0x0c };

		pkt_rr(&p, DNS_TYPE_MX, rd, sizeof(rd));
	}
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, DNS_MX_MAX, &n, &err), 1);
	assert_int_equal(n, 1);
	assert_string_equal(mx[0].host, "mx.example.org");
	assert_int_equal(mx[0].pref, 5);

	/* other types in the answer (a CNAME) are ignored */
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	{
		struct pkt rd;

		memset(&rd, 0, sizeof(rd));
		put_name(&rd, "other.example.org");
		pkt_rr(&p, 5, rd.b, rd.len);
	}
	pkt_mx(&p, 0, "mx.other.example.org");
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, DNS_MX_MAX, &n, &err), 1);
	assert_int_equal(n, 1);
	assert_string_equal(mx[0].host, "mx.other.example.org");
}

static void
test_rcodes(void **state)
{
	static const struct {
		unsigned rcode;
		int rc;
		bool permanent;
		const char *enhanced;
	} cases[] = {
		{ 0, 0, false, "" },            /* NOERROR, no data */
		{ 1, -1, false, "4.4.3" },      /* FORMERR */
		{ 2, -1, false, "4.4.3" },      /* SERVFAIL */
		{ 3, -1, true, "5.1.2" },       /* NXDOMAIN */
		{ 4, -1, false, "4.4.3" },      /* NOTIMP */
		{ 5, -1, false, "4.4.3" },      /* REFUSED */
	};
	struct pkt p;
	struct dns_mx mx[4];
	struct dns_addr addrs[4];
	struct dns_error err;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pkt_start(&p, "example.org", DNS_TYPE_MX, cases[i].rcode);
		memset(&err, 0, sizeof(err));
		assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err),
		    cases[i].rc);
		assert_int_equal(n, 0);
		if (cases[i].rc < 0) {
			assert_int_equal(err.permanent, cases[i].permanent);
			assert_string_equal(err.enhanced, cases[i].enhanced);
			assert_true(err.text[0] != '\0');
		}
		pkt_start(&p, "example.org", DNS_TYPE_A, cases[i].rcode);
		n = 0;
		assert_int_equal(dns_parse_addrs(p.b, p.len, DNS_TYPE_A, addrs, 4,
		    &n, &err), cases[i].rc);
		if (cases[i].rc < 0)
			assert_int_equal(err.permanent, cases[i].permanent);
	}
}

static void
test_null_mx(void **state)
{
	struct pkt p;
	struct dns_mx mx[4];
	struct dns_error err;
	size_t n;

	(void)state;
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	pkt_mx(&p, 0, ".");
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), -1);
	assert_true(err.permanent);
	assert_string_equal(err.enhanced, "5.1.10");
	/* mixed with a real MX (a misconfiguration): the real one is used */
	pkt_mx(&p, 10, "mx.example.org");
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), 1);
	assert_int_equal(n, 1);
	assert_string_equal(mx[0].host, "mx.example.org");
}

static void
test_invalid_names(void **state)
{
	static const char *const bad[] = {
		"mx_1.example.org", "mx 1.example.org", "mx\\.example.org",
		"-", "mx.exa\x01mple.org", "mx.\xc3\xa9.org",
	};
	struct pkt p;
	struct dns_mx mx[4];
	struct dns_error err;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
		pkt_mx(&p, 10, bad[i]);
		if (strcmp(bad[i], "-") == 0) {
			/* a hyphen-only label is syntactically a name: accepted */
			assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), 1);
			continue;
		}
		assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), -1);
		assert_false(err.permanent);
		pkt_mx(&p, 20, "good.example.org");
		assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), 1);
		assert_int_equal(n, 1);
		assert_string_equal(mx[0].host, "good.example.org");
	}
	/* a 64-byte label never decodes as a name (RFC 1035 label limit) */
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	{
		unsigned char rd[70] = { 0, 10, 63 };

		memset(rd + 3, 'a', 63);
		rd[66] = 0;
		pkt_rr(&p, DNS_TYPE_MX, rd, 67);
	}
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), 1);
	assert_int_equal(strlen(mx[0].host), 63);
}

static void
test_malformed(void **state)
{
	struct pkt p, good;
	struct dns_mx mx[4];
	struct dns_error err;
	size_t n, len;

	(void)state;
	/* rdata too short for preference + name */
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	{
		unsigned char rd[] = { 0, 10 };

		pkt_rr(&p, DNS_TYPE_MX, rd, sizeof(rd));
	}
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), -1);
	assert_false(err.permanent);
	/* name runs past rdlen */
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	{
		unsigned char rd[] = { 0, 10, 2, 'm', 'x', 0, 0 };

		pkt_rr(&p, DNS_TYPE_MX, rd, sizeof(rd));
		p.b[p.len - sizeof(rd) - 1] = 4;        /* rdlen 4 < 6 */
		p.len -= 3;
	}
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), -1);
	/* compression loop: a pointer to itself */
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	{
		unsigned char rd[] = { 0, 10, 0xc0, 0 };
		size_t at;

		pkt_rr(&p, DNS_TYPE_MX, rd, sizeof(rd));
		at = p.len - 2;
		p.b[at] = 0xc0;
		p.b[at + 1] = (unsigned char)at;
	}
	assert_int_equal(dns_parse_mx(p.b, p.len, mx, 4, &n, &err), -1);
	/* header only, too short */
	assert_int_equal(dns_parse_mx((const unsigned char *)"\x12\x34", 2, mx,
	    4, &n, &err), -1);
	assert_int_equal(dns_parse_mx(NULL, 0, mx, 4, &n, &err), -1);
	/* every truncation of a good answer fails cleanly */
	pkt_start(&good, "example.org", DNS_TYPE_MX, 0);
	pkt_mx(&good, 10, "mx1.example.org");
	pkt_mx(&good, 20, "mx2.example.org");
	for (len = 0; len < good.len; len++) {
		unsigned char *copy = malloc(len + 1);

		assert_non_null(copy);
		memcpy(copy, good.b, len);
		assert_int_equal(dns_parse_mx(copy, len, mx, 4, &n, &err), -1);
		assert_false(err.permanent);
		free(copy);
	}
	assert_int_equal(dns_parse_mx(good.b, good.len, mx, 4, &n, &err), 1);
	/* an A record with the wrong length */
	pkt_start(&p, "example.org", DNS_TYPE_A, 0);
	pkt_rr(&p, DNS_TYPE_A, "\x7f\0\0\x01\x02", 5);
	{
		struct dns_addr a[2];

		n = 0;
		assert_int_equal(dns_parse_addrs(p.b, p.len, DNS_TYPE_A, a, 2, &n,
		    &err), -1);
		assert_int_equal(dns_parse_addrs(p.b, p.len, 99, a, 2, &n,
		    &err), -1);
	}
}

static void
test_mx_limit(void **state)
{
	struct pkt p;
	struct dns_mx mx[3];
	struct dns_error err;
	size_t n, i;
	char name[32];

	(void)state;
	pkt_start(&p, "example.org", DNS_TYPE_MX, 0);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "mx%zu.example.org", i);
		pkt_mx(&p, (unsigned)i, name);
		assert_int_equal(dns_parse_mx(p.b, p.len, mx, 3, &n, &err), 1);
		/* limit - 1, limit, limit + 1 records: at most 3 kept */
		assert_int_equal(n, i + 1 < 3 ? i + 1 : 3);
	}
	assert_string_equal(mx[2].host, "mx2.example.org");
}

static void
test_addrs(void **state)
{
	struct pkt p;
	struct dns_addr a[3];
	struct dns_error err;
	unsigned char v6[16];
	char text[64];
	size_t n = 0;

	(void)state;
	pkt_start(&p, "mx.example.org", DNS_TYPE_A, 0);
	pkt_rr(&p, DNS_TYPE_A, "\xc0\x00\x02\x01", 4);
	pkt_rr(&p, DNS_TYPE_A, "\xc0\x00\x02\x02", 4);
	assert_int_equal(dns_parse_addrs(p.b, p.len, DNS_TYPE_A, a, 3, &n, &err), 1);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].family, AF_INET);
	inet_ntop(AF_INET, a[1].ip, text, sizeof(text));
	assert_string_equal(text, "192.0.2.2");
	/* A records in an AAAA answer are not AAAA data */
	assert_int_equal(dns_parse_addrs(p.b, p.len, DNS_TYPE_AAAA, a, 3, &n,
	    &err), 0);
	assert_int_equal(n, 2);
	/* appended up to max */
	pkt_start(&p, "mx.example.org", DNS_TYPE_AAAA, 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::25", v6), 1);
	pkt_rr(&p, DNS_TYPE_AAAA, v6, 16);
	pkt_rr(&p, DNS_TYPE_AAAA, v6, 16);
	assert_int_equal(dns_parse_addrs(p.b, p.len, DNS_TYPE_AAAA, a, 3, &n,
	    &err), 1);
	assert_int_equal(n, 3);
	assert_int_equal(a[2].family, AF_INET6);
	inet_ntop(AF_INET6, a[2].ip, text, sizeof(text));
	assert_string_equal(text, "2001:db8::25");
	/* AAAA with 4 bytes is malformed */
	pkt_start(&p, "mx.example.org", DNS_TYPE_AAAA, 0);
	pkt_rr(&p, DNS_TYPE_AAAA, "\x01\x02\x03\x04", 4);
	n = 0;
	assert_int_equal(dns_parse_addrs(p.b, p.len, DNS_TYPE_AAAA, a, 3, &n,
	    &err), -1);
}

/* Deterministic generator for the shuffle. */
static unsigned
lcg(void *ctx, unsigned n)
{
	unsigned long *s = ctx;

	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((*s >> 33) % n);
}

static unsigned
bad_rand(void *ctx, unsigned n)
{
	(void)ctx;
	return n + 1000;        /* out of range: must stay in bounds */
}

static void
test_mx_sort(void **state)
{
	struct dns_mx mx[6], orig[6] = {
		{ 30, "c" }, { 10, "a1" }, { 20, "b" }, { 10, "a2" },
		{ 10, "a3" }, { 5, "z" },
	};
	unsigned long seed = 42;
	bool seen[3][3] = { { false } };
	size_t i, round;

	(void)state;
	for (round = 0; round < 300; round++) {
		memcpy(mx, orig, sizeof(mx));
		dns_mx_sort(mx, 6, lcg, &seed);
		assert_string_equal(mx[0].host, "z");
		for (i = 1; i <= 3; i++) {
			assert_int_equal(mx[i].pref, 10);
			assert_true(mx[i].host[0] == 'a');
			seen[i - 1][mx[i].host[1] - '1'] = true;
		}
		assert_string_equal(mx[4].host, "b");
		assert_string_equal(mx[5].host, "c");
	}
	/* every equal-preference host reached every position */
	for (i = 0; i < 9; i++)
		assert_true(seen[i / 3][i % 3]);
	memcpy(mx, orig, sizeof(mx));
	dns_mx_sort(mx, 6, bad_rand, NULL);
	assert_string_equal(mx[0].host, "z");
	assert_string_equal(mx[5].host, "c");
	dns_mx_sort(mx, 0, lcg, &seed);
	dns_mx_sort(mx, 1, lcg, &seed);
}

static void
test_nameserver(void **state)
{
	static const char *const good[] = { "127.0.0.1", "127.0.0.1:5353",
		"[::1]:53", "::1", "[127.0.0.1]:1", "" };
	static const char *const bad[] = { "ns.example.org", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]x", "1.2.3",
		"127.0.0.1:", "[::1]:" };
	struct dns_resolver *r;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err = NULL;
		if (dns_resolver_new(&r, good[i], &err) < 0)
			fail_msg("'%s': %s", good[i], err);
		dns_resolver_free(&r);
		assert_null(r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = NULL;
		if (dns_resolver_new(&r, bad[i], &err) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_null(r);
	}
	dns_resolver_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_basic),
		cmocka_unit_test(test_rcodes),
		cmocka_unit_test(test_null_mx),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mx_limit),
		cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_mx_sort),
		cmocka_unit_test(test_nameserver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
