/*
 * fuzz_uidlist.c -- libFuzzer target for uidlist_parse (lib/uidlist.c),
 * the reader of the per-folder UID list "<folder>/quail-uidlist". The
 * input is the file's content. Checks: a parsed list has a valid header,
 * strictly increasing UIDs below uidnext, names that pass
 * uidlist_valid_base, and every entry is found again by uidlist_lookup.
 * A failed parse always says why (EINVAL or ENOMEM).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uidlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uidlist ul;
	const char *error = NULL;
	uint32_t last = 0;
	size_t i;

	if (uidlist_init(&ul, "/nonexistent", &error) < 0)
		abort();
	if (uidlist_parse(&ul, (const char *)data, size, &error) < 0) {
		if (error == NULL)
			abort();
		uidlist_free(&ul);
		return 0;
	}
	if (ul.uidvalidity == 0 || ul.uidnext == 0)
		abort();
	for (i = 0; i < ul.n; i++) {
		const char *name = ul.names.data + ul.entries[i].name_off;
		size_t len = strlen(name);

		if (ul.entries[i].uid <= last ||
		    ul.entries[i].uid >= ul.uidnext)
			abort();
		if (!uidlist_valid_base(name, len))
			abort();
		if (uidlist_lookup(&ul, name, len) != ul.entries[i].uid)
			abort();
		if (ul.sorted && i > 0) {
			const char *prev =
				ul.names.data + ul.entries[i - 1].name_off;
			size_t plen = ul.entries[i - 1].name_len;
			int c = memcmp(prev, name, plen < len ? plen : len);

			if (c > 0 || (c == 0 && plen >= len))
				abort();
		}
		if (!ul.sorted && ul.hash_cap == 0)
			abort();
		last = ul.entries[i].uid;
	}
	uidlist_free(&ul);
	return 0;
}
