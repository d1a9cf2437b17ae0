/*
 * fuzz_addr.c -- libFuzzer target for lib/addr.c.
 *
 * Input: first byte = flags (low 4 bits), the rest = the path text.
 * Checks, beyond "no crash": the canonical form never holds a control
 * character, fits the path limit, parses again to itself (as a mailbox and
 * as "<canonical>"), and the bytes consumed end at a space or the input end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_canonical(const struct addr *a)
{
	size_t i;

	if (strlen(a->str) != a->len || a->len > ADDR_PATH_MAX_BYTES - 2 ||
	    a->at > a->len || (a->at < a->len && a->str[a->at] != '@'))
		abort();
	for (i = 0; i < a->len; i++) {
		unsigned char c = (unsigned char)a->str[i];

		if (c < 32 || c == 127 || (c >= 0x80 && !a->is_utf8))
			abort();
	}
}

static void
check_reparse(const struct addr *a, unsigned flags)
{
	char path[ADDR_PATH_MAX_BYTES + 1];
	const char *error = NULL;
	struct addr b;
	size_t used = 0;

	if (addr_parse_mailbox(a->str, a->len, flags, &b, &error) != 0 ||
	    strcmp(a->str, b.str) != 0 || a->at != b.at)
		abort();
	path[0] = '<';
	memcpy(path + 1, a->str, a->len);
	path[a->len + 1] = '>';
	if (addr_parse_path(path, a->len + 2, flags & ~ADDR_LAX, &b, &used,
			    &error) != 0 ||
	    used != a->len + 2 || strcmp(a->str, b.str) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1, *error = NULL;
	char local[ADDR_LOCAL_MAX_BYTES + 1];
	unsigned flags;
	struct addr a;
	size_t len, used = 0;

	if (size < 1)
		return 0;
	flags = data[0] & 0xf;
	len = size - 1;
	if (addr_parse_path(in, len, flags, &a, &used, &error) == 0) {
		if (used > len || (used < len && in[used] != ' '))
			abort();
		check_canonical(&a);
		if (a.is_null) {
			if (a.len != 0 || (flags & ADDR_ALLOW_NULL) == 0)
				abort();
		} else {
			check_reparse(&a, flags);
			if (addr_local(&a, local, sizeof(local)) != 0)
				abort();
		}
	} else if (error == NULL) {
		abort();
	}
	error = NULL;
	if (addr_parse_mailbox(in, len, flags, &a, &error) == 0) {
		check_canonical(&a);
		check_reparse(&a, flags);
	} else if (error == NULL) {
		abort();
	}
	(void)addr_valid_helo(in, len);
	return 0;
}
