/*
 * test_sasl.c -- lib/sasl.c: base64 against the RFC 4648 vectors, every
 * byte value and length round trip, strictness (padding, pad bits,
 * alphabet, whitespace, NUL), output bounds at size-1/size; SASL PLAIN
 * (RFC 4616) separators, authzid rules, limits at limit-1/limit/limit+1,
 * control characters; AUTH LOGIN responses; and that failures wipe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasl.h"

/* Encodes raw bytes for a test input; returns a malloc'd string. */
static char *
b64(const void *p, size_t len)
{
	size_t size = sasl_base64_encoded_size(len);
	char *s = malloc(size);

	assert_non_null(s);
	assert_int_equal(sasl_base64_encode(p, len, s, size), 0);
	return s;
}

static void
test_rfc4648_vectors(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned char out[16];
		char enc[16];
		size_t n;

		assert_int_equal(sasl_base64_encode((const unsigned char *)v[i][0],
						    strlen(v[i][0]), enc,
						    sizeof(enc)), 0);
		assert_string_equal(enc, v[i][1]);
		assert_int_equal(sasl_base64_decode(v[i][1], strlen(v[i][1]), out,
						    sizeof(out), &n), 0);
		assert_int_equal(n, strlen(v[i][0]));
		assert_memory_equal(out, v[i][0], n);
	}
}

static void
test_roundtrip_all_bytes(void **state)
{
	unsigned char in[300], out[300];
	size_t len, i, n;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	for (len = 0; len <= sizeof(in); len++) {
		char *s = b64(in, len);

		assert_int_equal(strlen(s) + 1, sasl_base64_encoded_size(len));
		assert_int_equal(sasl_base64_decode(s, strlen(s), out, len, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, in, len);
		/* one byte less room: refused */
		if (len > 0)
			assert_int_equal(sasl_base64_decode(s, strlen(s), out,
							    len - 1, &n), -1);
		free(s);
	}
}

static void
test_encode_bounds(void **state)
{
	char out[9];

	(void)state;
	assert_int_equal(sasl_base64_encoded_size(0), 1);
	assert_int_equal(sasl_base64_encoded_size(1), 5);
	assert_int_equal(sasl_base64_encoded_size(3), 5);
	assert_int_equal(sasl_base64_encoded_size(4), 9);
	assert_int_equal(sasl_base64_encode((const unsigned char *)"foob", 4,
					    out, 8), -1);
	assert_int_equal(sasl_base64_encode((const unsigned char *)"foob", 4,
					    out, 9), 0);
	assert_string_equal(out, "Zm9vYg==");
}

static void
test_decode_strict(void **state)
{
	static const char *const bad[] = {
		"Zg=", "Zg", "Z", "Zm9vY",      /* length not a multiple of 4 */
		"Zh==", "Zm9=",                 /* non-zero pad bits */
		"Z===", "====", "=Zg=", "Zg=a", /* misplaced padding */
		"Zg==Zg==",                     /* padding in the middle */
		"Zm 9", "Zm9v\n   ", "Zm9\r",   /* whitespace */
		"Zm9-", "Zm9_", "Zm9.", "Zm9\x80",  /* alphabet */
	};
	unsigned char out[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 99;
		assert_int_equal(sasl_base64_decode(bad[i], strlen(bad[i]), out,
						    sizeof(out), &n), -1);
		assert_int_equal(n, 0);
	}
	/* embedded NUL: length given explicitly, never NUL-terminated */
	assert_int_equal(sasl_base64_decode("Zm\0v", 4, out, sizeof(out), &n), -1);
	/* the length is honoured: only the first 4 of 8 characters */
	assert_int_equal(sasl_base64_decode("Zm9vYmFy", 4, out, sizeof(out), &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "foo", 3);
}

/* PLAIN with the given raw message (length explicit: contains NULs). */
static int
plain(const char *raw, size_t len, struct sasl_plain *r, const char **err)
{
	char *s = b64(raw, len);
	int ret = sasl_plain_decode(s, strlen(s), r, err);

	free(s);
	return ret;
}

struct plain_case {
	const char *raw;
	size_t len;
	int ret;
	const char *authcid;
	const char *passwd;
};

#define P(s) s, sizeof(s) - 1

static const struct plain_case plain_cases[] = {
	{ P("\0me@example.com\0secret"), 0, "me@example.com", "secret" },
	{ P("me@example.com\0me@example.com\0secret"), 0, "me@example.com",
	  "secret" },
	{ P("other\0me\0secret"), -1, NULL, NULL },    /* act as another */
	{ P("ME\0me\0secret"), -1, NULL, NULL },       /* exact, not folded */
	{ P("me\0secret"), -1, NULL, NULL },           /* one separator */
	{ P("\0me\0sec\0ret"), -1, NULL, NULL },       /* three */
	{ P("\0\0secret"), -1, NULL, NULL },           /* empty authcid */
	{ P("\0me\0"), -1, NULL, NULL },               /* empty password */
	{ P("\0\0"), -1, NULL, NULL },
	{ P(""), -1, NULL, NULL },
	{ P("\0m\ne\0secret"), -1, NULL, NULL },       /* control in name */
	{ P("\0me\x7f\0secret"), -1, NULL, NULL },     /* DEL in name */
	{ P("x\ty\0x\ty\0secret"), -1, NULL, NULL },   /* control in authzid */
	{ P("\0m\xc3\xa9@x\0s\xc3\xa9\tcret"), 0, "m\xc3\xa9@x",
	  "s\xc3\xa9\tcret" },                         /* 8-bit, tab in pass */
};

static void
test_plain_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(plain_cases) / sizeof(plain_cases[0]); i++) {
		const struct plain_case *c = &plain_cases[i];
		struct sasl_plain r;
		const char *err = NULL;

		memset(&r, 'x', sizeof(r));
		assert_int_equal(plain(c->raw, c->len, &r, &err), c->ret);
		if (c->ret == 0) {
			assert_string_equal(r.authcid, c->authcid);
			assert_string_equal(r.passwd, c->passwd);
		} else {
			struct sasl_plain zero;

			assert_non_null(err);
			memset(&zero, 0, sizeof(zero));
			/* a refused response leaves nothing behind */
			assert_memory_equal(&r, &zero, sizeof(r));
		}
		sasl_plain_wipe(&r);
	}
}

/* "\0" user(ulen) "\0" pass(plen), authzid optional. */
static int
plain_sized(size_t zlen, size_t ulen, size_t plen)
{
	char *raw = malloc(zlen + ulen + plen + 2);
	struct sasl_plain r;
	const char *err;
	int ret;

	assert_non_null(raw);
	memset(raw, 'u', zlen);
	raw[zlen] = '\0';
	memset(raw + zlen + 1, 'u', ulen);
	raw[zlen + 1 + ulen] = '\0';
	memset(raw + zlen + ulen + 2, 'p', plen);
	ret = plain(raw, zlen + ulen + plen + 2, &r, &err);
	if (ret == 0) {
		assert_int_equal(strlen(r.authcid), ulen);
		assert_int_equal(strlen(r.passwd), plen);
	}
	sasl_plain_wipe(&r);
	free(raw);
	return ret;
}

static void
test_plain_limits(void **state)
{
	struct sasl_plain r;
	const char *err;
	char *s;

	(void)state;
	assert_int_equal(plain_sized(0, SASL_USER_MAX_BYTES - 1, 8), 0);
	assert_int_equal(plain_sized(0, SASL_USER_MAX_BYTES, 8), 0);
	assert_int_equal(plain_sized(0, SASL_USER_MAX_BYTES + 1, 8), -1);
	assert_int_equal(plain_sized(0, 8, SASL_PASS_MAX_BYTES - 1), 0);
	assert_int_equal(plain_sized(0, 8, SASL_PASS_MAX_BYTES), 0);
	assert_int_equal(plain_sized(0, 8, SASL_PASS_MAX_BYTES + 1), -1);
	/* the largest valid message: authzid == authcid, both at the limit */
	assert_int_equal(plain_sized(SASL_USER_MAX_BYTES, SASL_USER_MAX_BYTES,
				     SASL_PASS_MAX_BYTES), 0);
	assert_int_equal(plain_sized(SASL_USER_MAX_BYTES + 1,
				     SASL_USER_MAX_BYTES + 1, 8), -1);
	/* base64 over the maximum: refused before decoding */
	s = malloc(SASL_PLAIN_MAX_B64_BYTES + 5);
	assert_non_null(s);
	memset(s, 'A', SASL_PLAIN_MAX_B64_BYTES + 4);
	assert_int_equal(sasl_plain_decode(s, SASL_PLAIN_MAX_B64_BYTES + 4, &r,
					   &err), -1);
	assert_string_equal(err, "authentication data too long");
	/* invalid base64 */
	assert_int_equal(sasl_plain_decode("AG1lAHBhc3M", 11, &r, &err), -1);
	assert_int_equal(sasl_plain_decode("AG1lAHBhc3M=", 12, &r, &err), 0);
	assert_string_equal(r.authcid, "me");
	assert_string_equal(r.passwd, "pass");
	free(s);
}

static void
test_login_decode(void **state)
{
	char user[SASL_USER_MAX_BYTES + 1], pass[SASL_PASS_MAX_BYTES + 1];
	char raw[SASL_PASS_MAX_BYTES + 2];
	const char *err;
	char *s;

	(void)state;
	assert_int_equal(sasl_login_decode("bWVAZXhhbXBsZS5jb20=", 20, true,
					   user, SASL_USER_MAX_BYTES, &err), 0);
	assert_string_equal(user, "me@example.com");
	assert_int_equal(sasl_login_decode("", 0, true, user,
					   SASL_USER_MAX_BYTES, &err), -1);
	assert_int_equal(sasl_login_decode("bWU", 3, true, user,
					   SASL_USER_MAX_BYTES, &err), -1);
	/* "m\0e": NUL refused for both */
	assert_int_equal(sasl_login_decode("bQBl", 4, true, user,
					   SASL_USER_MAX_BYTES, &err), -1);
	assert_int_equal(sasl_login_decode("bQBl", 4, false, pass,
					   SASL_PASS_MAX_BYTES, &err), -1);
	/* "a\tb": control refused in a name, allowed in a password */
	assert_int_equal(sasl_login_decode("YQli", 4, true, user,
					   SASL_USER_MAX_BYTES, &err), -1);
	assert_int_equal(sasl_login_decode("YQli", 4, false, pass,
					   SASL_PASS_MAX_BYTES, &err), 0);
	assert_string_equal(pass, "a\tb");
	/* limits */
	memset(raw, 'p', sizeof(raw));
	s = b64(raw, SASL_PASS_MAX_BYTES);
	assert_int_equal(sasl_login_decode(s, strlen(s), false, pass,
					   SASL_PASS_MAX_BYTES, &err), 0);
	assert_int_equal(strlen(pass), SASL_PASS_MAX_BYTES);
	free(s);
	s = b64(raw, SASL_PASS_MAX_BYTES + 1);
	assert_int_equal(sasl_login_decode(s, strlen(s), false, pass,
					   SASL_PASS_MAX_BYTES, &err), -1);
	assert_int_equal(pass[0], '\0');        /* wiped */
	free(s);
	s = b64(raw, SASL_USER_MAX_BYTES);
	assert_int_equal(sasl_login_decode(s, strlen(s), true, user,
					   SASL_USER_MAX_BYTES, &err), 0);
	free(s);
	s = b64(raw, SASL_USER_MAX_BYTES + 1);
	assert_int_equal(sasl_login_decode(s, strlen(s), true, user,
					   SASL_USER_MAX_BYTES, &err), -1);
	free(s);
}

static void
test_mech_and_cancel(void **state)
{
	(void)state;
	assert_int_equal(sasl_mech_parse("PLAIN", 5), SASL_MECH_PLAIN);
	assert_int_equal(sasl_mech_parse("plain", 5), SASL_MECH_PLAIN);
	assert_int_equal(sasl_mech_parse("Login", 5), SASL_MECH_LOGIN);
	assert_int_equal(sasl_mech_parse("PLAINX", 6), SASL_MECH_UNKNOWN);
	assert_int_equal(sasl_mech_parse("PLAI", 4), SASL_MECH_UNKNOWN);
	assert_int_equal(sasl_mech_parse("CRAM-MD5", 8), SASL_MECH_UNKNOWN);
	assert_int_equal(sasl_mech_parse("", 0), SASL_MECH_UNKNOWN);
	assert_true(sasl_is_cancel("*", 1));
	assert_false(sasl_is_cancel("**", 2));
	assert_false(sasl_is_cancel("", 0));
	assert_false(sasl_is_cancel("=", 1));
	assert_string_equal(SASL_LOGIN_PROMPT_USER, "VXNlcm5hbWU6");
	{
		unsigned char out[16];
		size_t n;

		assert_int_equal(sasl_base64_decode(SASL_LOGIN_PROMPT_PASS, 12,
						    out, sizeof(out), &n), 0);
		assert_memory_equal(out, "Password:", 9);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_roundtrip_all_bytes),
		cmocka_unit_test(test_encode_bounds),
		cmocka_unit_test(test_decode_strict),
		cmocka_unit_test(test_plain_table),
		cmocka_unit_test(test_plain_limits),
		cmocka_unit_test(test_login_decode),
		cmocka_unit_test(test_mech_and_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
