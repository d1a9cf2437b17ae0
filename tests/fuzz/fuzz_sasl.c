/*
 * fuzz_sasl.c -- libFuzzer target for lib/sasl.c: the raw bytes as base64
 * (decode; re-encode must reproduce the input exactly, since the decoder
 * is strict and canonical), as a PLAIN response (a success must satisfy
 * every documented invariant) and as AUTH LOGIN user and password lines;
 * and the raw bytes encoded then decoded must round-trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *err;
	unsigned char *out;
	char *enc, user[SASL_USER_MAX_BYTES + 1], pass[SASL_PASS_MAX_BYTES + 1];
	struct sasl_plain p;
	size_t n, esize;

	if (size > 65536)
		return 0;
	out = malloc(size + 1);
	esize = sasl_base64_encoded_size(size);
	enc = malloc(esize);
	if (out == NULL || enc == NULL)
		goto done;
	/* decode, then the canonical encoding must be the input itself */
	if (sasl_base64_decode(s, size, out, size, &n) == 0) {
		if (n > size || sasl_base64_encode(out, n, enc, esize) != 0 ||
		    strlen(enc) != size || memcmp(enc, s, size) != 0)
			abort();
	}
	/* encode the raw bytes, decode back */
	if (sasl_base64_encode(data, size, enc, esize) != 0 ||
	    sasl_base64_decode(enc, strlen(enc), out, size, &n) != 0 ||
	    n != size || memcmp(out, data, size) != 0)
		abort();
	if (sasl_plain_decode(s, size, &p, &err) == 0) {
		size_t clen = strlen(p.authcid);

		if (clen == 0 || clen > SASL_USER_MAX_BYTES ||
		    p.passwd[0] == '\0' ||
		    strlen(p.passwd) > SASL_PASS_MAX_BYTES ||
		    (p.authzid[0] != '\0' && strcmp(p.authzid, p.authcid) != 0))
			abort();
		check_name(p.authcid);
		sasl_plain_wipe(&p);
	} else if (err == NULL) {
		abort();
	}
	if (sasl_login_decode(s, size, true, user, SASL_USER_MAX_BYTES,
			      &err) == 0) {
		if (user[0] == '\0' || strlen(user) > SASL_USER_MAX_BYTES)
			abort();
		check_name(user);
	}
	if (sasl_login_decode(s, size, false, pass, SASL_PASS_MAX_BYTES,
			      &err) == 0 &&
	    (pass[0] == '\0' || strlen(pass) > SASL_PASS_MAX_BYTES))
		abort();
done:
	free(out);
	free(enc);
	return 0;
}
