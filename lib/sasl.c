/*
 * sasl.c -- SASL PLAIN (RFC 4616) and LOGIN decoding over strict base64
 * (RFC 4648 section 4). See sasl.h for the contract.
 *
 * SECURITY: all input is untrusted and contains passwords. Every decoder
 * bounds its output by a fixed buffer size checked BEFORE writing, so an
 * oversized response is refused without being decoded; scratch buffers
 * holding decoded secrets are wiped with explicit_bzero on every path.
 * Base64 is decoded strictly (no whitespace, canonical padding, zero pad
 * bits) so that one password has exactly one encoding and parsers in
 * front of us (proxies, logs) cannot disagree with us about the bytes.
 */
#include <string.h>
#include <strings.h>

#include "sasl.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a base64 character, or -1. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

enum sasl_mech sasl_mech_parse(const char *name, size_t len)
{
	if (len == 5 && strncasecmp(name, "PLAIN", 5) == 0)
		return SASL_MECH_PLAIN;
	if (len == 5 && strncasecmp(name, "LOGIN", 5) == 0)
		return SASL_MECH_LOGIN;
	return SASL_MECH_UNKNOWN;
}

bool sasl_is_cancel(const char *line, size_t len)
{
	return len == 1 && line[0] == '*';
}

size_t sasl_base64_encoded_size(size_t len)
{
	/* Callers pass protocol-sized lengths; the division first keeps the
	 * arithmetic from overflowing for any len. */
	return (len / 3 + (len % 3 != 0)) * 4 + 1;
}

int sasl_base64_encode(const unsigned char *p, size_t len, char *out,
		       size_t out_size)
{
	size_t i, o = 0;

	if (out_size < sasl_base64_encoded_size(len))
		return -1;
	for (i = 0; i + 3 <= len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
			     p[i + 2];
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (len - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

int sasl_base64_decode(const char *s, size_t len, unsigned char *out,
		       size_t out_size, size_t *len_r)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, o = 0, pad = 0, need;

	*len_r = 0;
	if (len % 4 != 0)
		return -1;
	if (len == 0)
		return 0;
	if (u[len - 1] == '=')
		pad = u[len - 2] == '=' ? 2 : 1;
	need = len / 4 * 3 - pad;
	/* Refuse before decoding anything: an oversized secret is never
	 * materialised, not even partly. */
	if (need > out_size)
		return -1;
	for (i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int a = b64_value(u[i]), b = b64_value(u[i + 1]);
		int c = b64_value(u[i + 2]), d = b64_value(u[i + 3]);
		unsigned v;

		if (a < 0 || b < 0)
			goto bad;
		if (last && pad == 2) {
			/* "xx==": the 4 low bits of b are unused, must be 0 */
			if (b & 15)
				goto bad;
			out[o++] = (unsigned char)(a << 2 | b >> 4);
			break;
		}
		if (c < 0)
			goto bad;
		if (last && pad == 1) {
			/* "xxx=": the 2 low bits of c are unused, must be 0 */
			if (c & 3)
				goto bad;
			v = (unsigned)a << 18 | (unsigned)b << 12 |
			    (unsigned)c << 6;
			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			break;
		}
		if (d < 0)
			goto bad;
		v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 |
		    (unsigned)d;
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	*len_r = o;
	return 0;
bad:
	/* '=' in the middle, a bad character or non-zero pad bits. */
	explicit_bzero(out, o);
	return -1;
}

/* True if p[0..len) is free of C0 controls and DEL: names end up in logs,
 * in Received lines and in lookups; there is no legitimate control byte
 * in an address. */
static bool name_ok(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

int sasl_plain_decode(const char *b64, size_t len, struct sasl_plain *r,
		      const char **error_r)
{
	unsigned char tmp[SASL_PLAIN_MAX_BYTES];
	const unsigned char *nul1, *nul2, *end;
	size_t n, zlen, clen, plen;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (len > SASL_PLAIN_MAX_B64_BYTES) {
		*error_r = "authentication data too long";
		return -1;
	}
	if (sasl_base64_decode(b64, len, tmp, sizeof(tmp), &n) < 0) {
		*error_r = "invalid base64 data";
		goto out;
	}
	end = tmp + n;
	nul1 = memchr(tmp, '\0', n);
	nul2 = nul1 == NULL ? NULL : memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1));
	if (nul2 == NULL || memchr(nul2 + 1, '\0', (size_t)(end - nul2 - 1))) {
		*error_r = "malformed PLAIN response";
		goto out;
	}
	zlen = (size_t)(nul1 - tmp);
	clen = (size_t)(nul2 - nul1 - 1);
	plen = (size_t)(end - nul2 - 1);
	if (clen == 0 || plen == 0) {
		*error_r = "empty user name or password";
		goto out;
	}
	if (zlen > SASL_USER_MAX_BYTES || clen > SASL_USER_MAX_BYTES ||
	    plen > SASL_PASS_MAX_BYTES) {
		*error_r = "authentication data too long";
		goto out;
	}
	if (!name_ok(tmp, zlen) || !name_ok(nul1 + 1, clen)) {
		*error_r = "invalid characters in user name";
		goto out;
	}
	if (zlen != 0 && (zlen != clen || memcmp(tmp, nul1 + 1, clen) != 0)) {
		*error_r = "authorization identity must match user name";
		goto out;
	}
	memcpy(r->authzid, tmp, zlen);
	memcpy(r->authcid, nul1 + 1, clen);
	memcpy(r->passwd, nul2 + 1, plen);
	ret = 0;
out:
	explicit_bzero(tmp, sizeof(tmp));
	if (ret < 0)
		sasl_plain_wipe(r);
	return ret;
}

int sasl_login_decode(const char *b64, size_t len, bool is_user, char *out,
		      size_t max_bytes, const char **error_r)
{
	size_t n;

	explicit_bzero(out, max_bytes + 1);
	/* The length check up front keeps us from decoding a huge secret
	 * only to refuse it. */
	if (len > sasl_base64_encoded_size(max_bytes) ||
	    sasl_base64_decode(b64, len, (unsigned char *)out, max_bytes,
			       &n) < 0) {
		*error_r = len > sasl_base64_encoded_size(max_bytes)
				   ? "authentication data too long"
				   : "invalid base64 data";
		explicit_bzero(out, max_bytes + 1);
		return -1;
	}
	if (n == 0) {
		*error_r = "empty user name or password";
		return -1;
	}
	if (memchr(out, '\0', n) != NULL ||
	    (is_user && !name_ok((const unsigned char *)out, n))) {
		*error_r = is_user ? "invalid characters in user name"
				   : "invalid characters in password";
		explicit_bzero(out, max_bytes + 1);
		return -1;
	}
	out[n] = '\0';
	return 0;
}

void sasl_plain_wipe(struct sasl_plain *r)
{
	explicit_bzero(r, sizeof(*r));
}
