/*
 * fuzz_smtp_reply.c -- libFuzzer target for lib/smtp_reply.c (SMTP replies
 * as quail-remote reads them).
 *
 * The input is split at LF into lines (a CR before the LF stripped, as the
 * line reader does) and fed until a reply completes or fails; then the
 * next reply starts. Checks, beyond "no crash":
 * - the kept text is NUL-terminated at text_len, never longer than the
 *   limit, and holds only printable ASCII and the '\n' separators;
 * - code is 200..599 and the enhanced code, when set, starts with the
 *   code's class digit;
 * - smtp_reply_oneline stays within any output size and has no control
 *   bytes; smtp_reply_ehlo never crashes on the reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reply(const struct smtp_reply *r)
{
	char one[SMTP_REPLY_TEXT_MAX_BYTES + 16];
	struct smtp_ehlo e;
	size_t i, outlen;

	if (r->text_len > SMTP_REPLY_TEXT_MAX_BYTES || r->text[r->text_len] != '\0')
		abort();
	for (i = 0; i < r->text_len; i++) {
		unsigned char c = (unsigned char)r->text[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			abort();
	}
	if (r->lines > 0 && (r->code < 200 || r->code > 599))
		abort();
	if (r->enhanced[0] != '\0' && r->enhanced[0] != (char)('0' + r->code / 100))
		abort();
	for (outlen = 1; outlen < sizeof(one); outlen = outlen * 3 + 1) {
		memset(one, 'Z', sizeof(one));
		smtp_reply_oneline(r, one, outlen);
		if (strlen(one) >= outlen)
			abort();
		for (i = 0; one[i] != '\0'; i++)
			if ((unsigned char)one[i] < 0x20)
				abort();
	}
	smtp_reply_ehlo(r, &e);
	(void)smtp_reply_status(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp_reply r;
	const char *p = (const char *)data, *end = p + size, *err;
	int rc;

	smtp_reply_init(&r);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > 0 && p[len - 1] == '\r')
			len--;
		err = NULL;
		rc = smtp_reply_feed(&r, p, len, &err);
		if (rc < 0 && err == NULL)
			abort();
		if (rc != 0) {
			if (rc == 1)
				check_reply(&r);
			smtp_reply_init(&r);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	check_reply(&r);
	return 0;
}
