/*
 * fuzz_handover.c -- libFuzzer target for lib/handover.c: handover_parse
 * on the raw bytes; what it accepts must format back to exactly the same
 * bytes (the format is canonical: one spelling per handover), with the
 * input inside the parsed bytes and the strings within their fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handover h;
	struct buf out;
	const char *error = NULL;

	if (handover_parse(&h, data, size, &error) < 0) {
		if (error == NULL)
			abort();
		return 0;
	}
	if (h.input_len > IO_RBUF_BYTES ||
	    (h.input_len > 0 &&
	     (h.input < data || h.input + h.input_len != data + size)) ||
	    strlen(h.user) >= sizeof(h.user) ||
	    strlen(h.maildir) >= sizeof(h.maildir) ||
	    strlen(h.remote_ip) >= sizeof(h.remote_ip))
		abort();
	buf_init(&out, HANDOVER_MAX_BYTES);
	if (handover_format(&h, &out) < 0 || out.len != size ||
	    memcmp(out.data, data, size) != 0)
		abort();
	buf_free(&out);
	return 0;
}
