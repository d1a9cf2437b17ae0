/*
 * fuzz_cidr.c -- libFuzzer target for lib/cidr.c: cidr_parse on the raw
 * bytes (no NUL), cidr_parse_ip on a NUL-terminated copy, and matching the
 * two against each other; a parsed network must contain its own address.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cidr c;
	unsigned char addr[16];
	char *s;
	int family, parsed;

	memset(&c, 0, sizeof(c));
	parsed = cidr_parse((const char *)data, size, &c) == 0;
	if (parsed) {
		if ((c.family == AF_INET && c.prefix > 32) ||
		    (c.family == AF_INET6 && c.prefix > 128) ||
		    (c.family != AF_INET && c.family != AF_INET6))
			abort();
		/* the network address itself is inside the network */
		if (!cidr_match(&c, c.family, c.addr))
			abort();
	}
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cidr_parse_ip(s, &family, addr) == 0) {
		struct cidr host;

		if (cidr_parse(s, strlen(s), &host) != 0)
			abort();
		if (!cidr_match_any(&host, 1, s))
			abort();
	}
	if (parsed)
		(void)cidr_match_any(&c, 1, s);
	free(s);
	return 0;
}
