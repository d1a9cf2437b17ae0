/*
 * sasl.h -- pure decoders for the SASL mechanisms quail offers: PLAIN
 * (RFC 4616) and the non-standard but universal LOGIN, plus the strict
 * base64 (RFC 4648 section 4) both ride on. Shared by quail-smtpd (AUTH,
 * RFC 4954), quail-pop3d (AUTH, RFC 5034) and quail-imapd (AUTHENTICATE).
 *
 * No I/O, no globals, no allocation: every function works on (pointer,
 * length) input and writes into caller-provided fixed buffers, so the
 * limits below are the whole memory story.
 *
 * Return convention: 0 ok, -1 malformed or over a limit (*error_r set to a
 * static text fit for a protocol reply; it never quotes the input).
 *
 * SECURITY: the input is untrusted and carries passwords. Decoders never
 * read past len, never rely on NUL termination, reject embedded NULs where
 * the grammar forbids them, and wipe their scratch buffers; callers wipe
 * the results with sasl_plain_wipe() / explicit_bzero() after use.
 */
#ifndef QUAIL_SASL_H
#define QUAIL_SASL_H

#include <stdbool.h>
#include <stddef.h>

/* Same limits as lib/login.h (LOGIN_USER_MAX_BYTES, LOGIN_PASS_MAX_BYTES):
 * a decoded name or password that passes here also fits a login request. */
#define SASL_USER_MAX_BYTES 256
#define SASL_PASS_MAX_BYTES 1024
/* Decoded PLAIN message: authzid NUL authcid NUL passwd. */
#define SASL_PLAIN_MAX_BYTES (2 * SASL_USER_MAX_BYTES + SASL_PASS_MAX_BYTES + 2)
/* Longest base64 text a PLAIN response may have (4 chars per 3 bytes). */
#define SASL_PLAIN_MAX_B64_BYTES (((SASL_PLAIN_MAX_BYTES + 2) / 3) * 4)

/* Server challenges of AUTH LOGIN: base64 of "Username:" and "Password:". */
#define SASL_LOGIN_PROMPT_USER "VXNlcm5hbWU6"
#define SASL_LOGIN_PROMPT_PASS "UGFzc3dvcmQ6"

enum sasl_mech {
	SASL_MECH_UNKNOWN = 0,
	SASL_MECH_PLAIN = 1,
	SASL_MECH_LOGIN = 2,
};

/* Mechanism name, case-insensitive ("plain", "LOGIN"); exact length. */
enum sasl_mech sasl_mech_parse(const char *name, size_t len);

/* True if a client response line is "*" (RFC 4954 section 4: cancel). */
bool sasl_is_cancel(const char *line, size_t len);

/* Bytes needed to base64-encode len bytes, including the trailing NUL. */
size_t sasl_base64_encoded_size(size_t len);

/* Encodes p[0..len) into out (out_size >= sasl_base64_encoded_size(len)),
 * NUL-terminated, with padding. 0, or -1 if out is too small. */
int sasl_base64_encode(const unsigned char *p, size_t len, char *out,
		       size_t out_size);

/* Strict decode: length a multiple of 4, alphabet A-Z a-z 0-9 + /, '='
 * only as one or two final pad characters, unused bits zero, no
 * whitespace. Writes at most out_size bytes (no NUL added) and the decoded
 * length to *len_r. An empty input decodes to 0 bytes. -1 on any
 * violation or when the result would not fit out_size. */
int sasl_base64_decode(const char *s, size_t len, unsigned char *out,
		       size_t out_size, size_t *len_r);

/* A decoded PLAIN response; every field NUL-terminated. */
struct sasl_plain {
	char authzid[SASL_USER_MAX_BYTES + 1]; /* "" or == authcid */
	char authcid[SASL_USER_MAX_BYTES + 1]; /* the login name, non-empty */
	char passwd[SASL_PASS_MAX_BYTES + 1];  /* non-empty */
};

/* Decodes a base64 PLAIN response (the client's initial response or the
 * line after "334 "/"+ "; NOT the "=" empty-response marker, which the
 * caller handles). Checks: exactly two NUL separators; authcid 1..256
 * bytes and passwd 1..1024 bytes; authzid empty or equal to authcid (quail
 * does not let one user act as another); names free of control characters
 * (< 0x20, 0x7f). On -1, *r is wiped. */
int sasl_plain_decode(const char *b64, size_t len, struct sasl_plain *r,
		      const char **error_r);

/* Decodes one AUTH LOGIN response (user name or password) into out, which
 * has room for max_bytes + 1 (NUL added): 1..max_bytes decoded bytes, no
 * NUL inside; with is_user, no control characters either. Use
 * SASL_USER_MAX_BYTES / SASL_PASS_MAX_BYTES. On -1, out is wiped. */
int sasl_login_decode(const char *b64, size_t len, bool is_user, char *out,
		      size_t max_bytes, const char **error_r);

/* Wipes all three fields (explicit_bzero). */
void sasl_plain_wipe(struct sasl_plain *r);

#endif
