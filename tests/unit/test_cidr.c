/*
 * test_cidr.c -- lib/cidr.c: IPv4 and IPv6 networks, prefixes 0/32/128 and
 * their neighbours, host bits cleared, IPv4-mapped IPv6 in both directions,
 * junk (every case must fail closed), and inputs without a NUL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

struct match_case {
	const char *net;
	const char *ip;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "127.0.0.0/8", "127.0.0.1", true },
	{ "127.0.0.0/8", "127.255.255.255", true },
	{ "127.0.0.0/8", "128.0.0.0", false },
	{ "127.0.0.0/8", "126.255.255.255", false },
	{ "10.1.2.3/8", "10.200.0.1", true },           /* host bits cleared */
	{ "192.0.2.1", "192.0.2.1", true },             /* = /32 */
	{ "192.0.2.1", "192.0.2.2", false },
	{ "192.0.2.1/32", "192.0.2.1", true },
	{ "192.0.2.1/31", "192.0.2.0", true },
	{ "192.0.2.1/31", "192.0.2.2", false },
	{ "192.0.2.128/25", "192.0.2.127", false },
	{ "192.0.2.128/25", "192.0.2.200", true },
	{ "192.0.2.0/23", "192.0.3.9", true },
	{ "192.0.2.0/23", "192.0.4.9", false },
	{ "0.0.0.0/0", "1.2.3.4", true },
	{ "0.0.0.0/0", "255.255.255.255", true },
	{ "0.0.0.0/0", "::1", false },                  /* v6 is not v4 */
	{ "0.0.0.0/0", "::ffff:8.8.8.8", true },        /* mapped is */
	{ "::1", "::1", true },
	{ "::1/128", "::1", true },
	{ "::1/128", "::2", false },
	{ "::1/127", "::", true },
	{ "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "2001:db8::/32", "2001:db9::1", false },
	{ "2001:db8::/33", "2001:db8:8000::", false },
	{ "2001:db8::/33", "2001:db8:7fff::", true },
	{ "2001:DB8::1/64", "2001:db8::ffff:1", true },
	{ "::/0", "2001:db8::1", true },
	{ "::/0", "1.2.3.4", true },                    /* v4 as mapped */
	{ "fe80::/10", "febf::1", true },
	{ "fe80::/10", "fec0::1", false },
	/* IPv4-mapped addresses and networks */
	{ "127.0.0.0/8", "::ffff:127.0.0.1", true },
	{ "127.0.0.0/8", "::FFFF:7f00:1", true },
	{ "127.0.0.0/8", "::ffff:10.0.0.1", false },
	{ "::ffff:10.0.0.0/104", "10.9.9.9", true },    /* stored as 10/8 */
	{ "::ffff:10.0.0.0/104", "::ffff:10.9.9.9", true },
	{ "::ffff:10.0.0.0/104", "11.0.0.1", false },
	{ "::ffff:0:0/96", "8.8.8.8", true },
	{ "::ffff:0:0/80", "8.8.8.8", true },           /* v6 net, v4 client */
	{ "::ffff:0:0/80", "2001:db8::1", false },
	{ "::ffff:1.2.3.4", "1.2.3.4", true },
	{ "10.0.0.0/8", "::a00:1", false },             /* v4-compatible != mapped */
	/* unparsable client addresses never match */
	{ "0.0.0.0/0", "", false },
	{ "0.0.0.0/0", "localhost", false },
	{ "0.0.0.0/0", "1.2.3", false },
	{ "0.0.0.0/0", "1.2.3.4 ", false },
	{ "::/0", "::1%lo", false },
	{ "::/0", "[::1]", false },
};

static void
test_match(void **state)
{
	struct cidr c;
	unsigned char addr[16];
	int family;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *m = &match_cases[i];

		if (cidr_parse(m->net, strlen(m->net), &c) != 0)
			fail_msg("parse '%s'", m->net);
		if (cidr_match_any(&c, 1, m->ip) != m->match)
			fail_msg("case %zu: %s in %s: want %d", i, m->ip, m->net,
			    m->match);
		if (cidr_parse_ip(m->ip, &family, addr) == 0)
			assert_int_equal(cidr_match(&c, family, addr), m->match);
	}
	assert_false(cidr_match_any(&c, 0, "127.0.0.1"));
	assert_false(cidr_match_any(&c, 1, NULL));
}

static void
test_parse_fields(void **state)
{
	struct cidr c;
	unsigned char addr[16];
	int family;

	(void)state;
	assert_int_equal(cidr_parse("10.1.2.3/8", 10, &c), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.prefix, 8);
	assert_memory_equal(c.addr, "\x0a\0\0\0", 4);
	assert_int_equal(cidr_parse("192.0.2.255/0", 13, &c), 0);
	assert_int_equal(c.prefix, 0);
	assert_memory_equal(c.addr, "\0\0\0\0", 4);
	assert_int_equal(cidr_parse("2001:db8::ff/120", 16, &c), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(c.prefix, 120);
	assert_int_equal(c.addr[15], 0);
	assert_int_equal(cidr_parse("::ffff:10.1.0.0/112", 19, &c), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.prefix, 16);
	assert_memory_equal(c.addr, "\x0a\x01\0\0", 4);
	/* not NUL-terminated: only len bytes are read */
	assert_int_equal(cidr_parse("10.0.0.0/8junk", 10, &c), 0);
	assert_int_equal(c.prefix, 8);
	assert_int_equal(cidr_parse("127.0.0.1XYZ", 9, &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_memory_equal(c.addr, "\x7f\0\0\x01", 4);

	assert_int_equal(cidr_parse_ip("::ffff:1.2.3.4", &family, addr), 0);
	assert_int_equal(family, AF_INET6);
	assert_memory_equal(addr + 10, "\xff\xff\x01\x02\x03\x04", 6);
	assert_int_equal(cidr_parse_ip("1.2.3.4", &family, addr), 0);
	assert_int_equal(family, AF_INET);
	assert_memory_equal(addr, "\x01\x02\x03\x04", 4);
}

static const char *const junk[] = {
	"", "/", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
	"10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/ 8", " 10.0.0.0/8",
	"10.0.0.0 /8", "10.0.0.0/0008", "10.0.0.0/8 ", "10.0.0/8",
	"10.0.0.0.0", "256.0.0.0/8", "010.0.0.1", "1.2.3.4.", "a.b.c.d",
	"::/129", "::1/1280", "2001:db8::g", ":::", "1::2::3", "::1%eth0",
	"[::1]", "localhost", "0x7f000001", "127.1", "10.0.0.0/8,",
	"\xff\xfe", "10.0.0.0/08x",
};

static void
test_junk(void **state)
{
	struct cidr c;
	char big[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (cidr_parse(junk[i], strlen(junk[i]), &c) != -1)
			fail_msg("accepted junk '%s'", junk[i]);
	/* embedded NUL and over-long input */
	assert_int_equal(cidr_parse("10.0.0.0\0/8", 11, &c), -1);
	memset(big, '1', sizeof(big));
	assert_int_equal(cidr_parse(big, sizeof(big), &c), -1);
	assert_int_equal(cidr_parse(NULL, 0, &c), -1);
	/* a prefix with three digits still in range is fine: limit */
	assert_int_equal(cidr_parse("::/128", 6, &c), 0);
	assert_int_equal(cidr_parse("::/127", 6, &c), 0);
	assert_int_equal(cidr_parse("1.2.3.4/32", 10, &c), 0);
	assert_int_equal(cidr_parse("1.2.3.4/31", 10, &c), 0);
	assert_int_equal(cidr_parse("1.2.3.4/032", 11, &c), 0);
	assert_int_equal(c.prefix, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_junk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
