/*
 * fuzz_dns.c -- libFuzzer target for the DNS answer parsers of lib/dns.c
 * (dns_parse_mx, dns_parse_addrs) and dns_mx_sort.
 *
 * The input is one DNS message. Checks, beyond "no crash":
 * - the number of records never exceeds the array given;
 * - MX host names are non-empty, NUL-terminated, lowercase letters,
 *   digits, hyphens and dots only (they go into SMTP, logs and SNI);
 * - a failure always carries an enhanced code of class 4 or 5 matching
 *   its permanence, and a text;
 * - after dns_mx_sort the preferences are non-decreasing;
 * - address families match the query type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MX_MAX 5
#define FUZZ_ADDRS_MAX 3

static void
check_err(const struct dns_error *err)
{
	if (err->enhanced[0] != (err->permanent ? '5' : '4') || err->text[0] == '\0')
		abort();
}

static unsigned
first(void *ctx, unsigned n)
{
	unsigned *s = ctx;

	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) % n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_mx mx[FUZZ_MX_MAX];
	struct dns_addr addrs[FUZZ_ADDRS_MAX];
	struct dns_error err;
	unsigned seed = 1;
	size_t n, i, j;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = dns_parse_mx(data, size, mx, FUZZ_MX_MAX, &n, &err);
	if (rc < 0)
		check_err(&err);
	if (n > FUZZ_MX_MAX || (rc == 1) != (n > 0))
		abort();
	for (i = 0; i < n; i++) {
		const char *h = mx[i].host;

		if (h[0] == '\0' || strnlen(h, sizeof(mx[i].host)) >=
		    sizeof(mx[i].host))
			abort();
		for (j = 0; h[j] != '\0'; j++)
			if (!((h[j] >= 'a' && h[j] <= 'z') ||
			      (h[j] >= '0' && h[j] <= '9') || h[j] == '-' ||
			      h[j] == '.'))
				abort();
	}
	dns_mx_sort(mx, n, first, &seed);
	for (i = 1; i < n; i++)
		if (mx[i - 1].pref > mx[i].pref)
			abort();

	n = 0;
	memset(&err, 0, sizeof(err));
	rc = dns_parse_addrs(data, size, DNS_TYPE_A, addrs, FUZZ_ADDRS_MAX, &n,
	    &err);
	if (rc < 0)
		check_err(&err);
	rc = dns_parse_addrs(data, size, DNS_TYPE_AAAA, addrs, FUZZ_ADDRS_MAX, &n,
	    &err);
	if (rc < 0)
		check_err(&err);
	if (n > FUZZ_ADDRS_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (addrs[i].family != AF_INET && addrs[i].family != AF_INET6)
			abort();
	return 0;
}
