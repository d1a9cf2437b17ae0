/*
 * fuzz_mutf7.c -- libFuzzer target for lib/mutf7.c. The input is tried
 * as modified UTF-7, as UTF-8 and as a Maildir++ folder name. Checks:
 * decoding is canonical (encode(decode(x)) == x for every accepted x);
 * encoding valid UTF-8 gives printable ASCII only and decodes back to the
 * input; an accepted folder name has no "/", no empty level, no control
 * characters and fits the length limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mutf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *error = NULL;
	struct buf a, b;
	size_t i;

	buf_init(&a, 0);
	buf_init(&b, 0);
	/* as modified UTF-7 */
	if (mutf7_to_utf8(in, size, &a, &error) == 0) {
		if (mutf7_from_utf8(a.data, a.len, &b, &error) < 0)
			abort(); /* decoded output is always valid UTF-8 */
		if (b.len != size ||
		    (size > 0 && memcmp(b.data, in, size) != 0))
			abort(); /* two spellings of one name */
		if (a.len > 0 && memchr(a.data, '\0', a.len) != NULL)
			abort();
	} else if (error == NULL || mutf7_is_valid(in, size)) {
		abort();
	}
	/* as UTF-8 */
	buf_reset(&a);
	buf_reset(&b);
	if (mutf7_from_utf8(in, size, &a, &error) == 0) {
		for (i = 0; i < a.len; i++) {
			if (a.data[i] < 0x20 || a.data[i] > 0x7e)
				abort();
		}
		if (mutf7_to_utf8(a.data, a.len, &b, &error) < 0)
			abort();
		if (b.len != size ||
		    (size > 0 && memcmp(b.data, in, size) != 0))
			abort();
	}
	/* as a folder name */
	if (mutf7_maildir_name_check(in, size, &error) == 0) {
		if (size == 0 || size > MUTF7_MAILDIR_NAME_MAX_BYTES ||
		    memchr(in, '/', size) != NULL || in[0] == '.' ||
		    in[size - 1] == '.' || memmem(in, size, "..", 2) != NULL ||
		    !mutf7_is_valid(in, size))
			abort();
	}
	buf_free(&a);
	buf_free(&b);
	return 0;
}
