/*
 * fuzz_inject_hdr.c -- libFuzzer target for lib/inject_hdr.c, the parsers
 * of quail-inject(8) that read what local programs write.
 *
 * Checks, beyond "no crash": the input filter gives the same output fed
 * whole and one byte at a time and never grows past its slack; the header
 * split is the same whole and incremental and stays in bounds; every
 * mailbox made of an address the list parser reports has no CR, LF or
 * NUL; a display name never contains CR or LF (no header injection).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inject_hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_BYTES 65536

static size_t
filter(const char *p, size_t len, bool dot_ends, size_t step, char *out)
{
	struct inject_input in;
	size_t pos = 0, n = 0, used;

	inject_input_init(&in, dot_ends);
	while (pos < len && !in.done) {
		size_t chunk = len - pos < step ? len - pos : step;

		n += inject_input_feed(&in, p + pos, chunk, out + n, &used);
		if (used > chunk)
			abort();
		pos += used;
		if (used < chunk && !in.done)
			abort();
	}
	n += inject_input_finish(&in, out + n);
	return n;
}

/* The list parser passes quoted text on as it is (obsolete quoted pairs,
 * line breaks that a real header cannot hold); what matters is that the
 * mailbox made of it is clean, since only that reaches the queue. */
static int
check_addr(void *ctx, const char *spec, size_t len, const char **error_r)
{
	struct addr a;

	(void)ctx;
	if (inject_hdr_mailbox(spec, len, "example.org", &a, error_r) == 0 &&
	    (strlen(a.str) != a.len || strpbrk(a.str, "\r\n") != NULL))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	char *whole, *bytewise, name[INJECT_HDR_NAME_OUT_BYTES];
	size_t n1, n2, hdr_len, body, hdr_len2, body2, resume, i;
	const char *err;
	int r;

	if (size > FUZZ_MAX_BYTES)
		return 0;
	whole = malloc(size * 2 + 16);
	bytewise = malloc(size * 2 + 16);
	if (whole == NULL || bytewise == NULL)
		abort();
	for (int dot = 0; dot < 2; dot++) {
		n1 = filter(p, size, dot, size ? size : 1, whole);
		n2 = filter(p, size, dot, 1, bytewise);
		if (n1 != n2 || memcmp(whole, bytewise, n1) != 0)
			abort();
		if (n1 > size + INJECT_INPUT_SLACK_BYTES + 1)
			abort();
	}

	/* Header split: whole vs growing input. */
	resume = 0;
	r = inject_hdr_split(p, size, true, &resume, &hdr_len, &body);
	if (r != 1 || hdr_len > size || body > size || hdr_len > body)
		abort();
	resume = 0;
	for (i = 0; i <= size; i++) {
		r = inject_hdr_split(p, i, i == size, &resume, &hdr_len2, &body2);
		if (r == 1)
			break;
	}
	if (r != 1 || hdr_len2 != hdr_len || body2 != body)
		abort();

	(void)inject_hdr_addresses(p, size, check_addr, NULL, &err);

	n1 = size < 300 ? size : 300;
	memcpy(whole, p, n1);
	whole[n1] = '\0';
	n2 = inject_hdr_display_name(whole, name, sizeof(name));
	if (n2 >= sizeof(name) || memchr(name, '\r', n2) || memchr(name, '\n', n2))
		abort();

	free(whole);
	free(bytewise);
	return 0;
}
