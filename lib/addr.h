/*
 * addr.h -- RFC 5321 paths and mailboxes (section 4.1.2), with the limits
 * of section 4.5.3.1: local part 64 octets, domain 255, path 256.
 *
 * Accepted: <local@domain>, quoted local parts ("a b"@x), domain literals
 * [192.0.2.1] and [IPv6:2001:db8::1], source routes <@a,@b:u@d> (the
 * route is dropped, RFC 5321 4.1.1.3), the null path <> when allowed,
 * UTF-8 in local part and domain when ADDR_UTF8 is given (RFC 6531).
 * With ADDR_LAX, a path without angle brackets is accepted as people type
 * it in telnet ("mail from: a@b"), and one space after the colon is the
 * caller's business (the caller passes the text after "FROM:").
 *
 * SECURITY: pure functions over (ptr, len); no NUL termination assumed;
 * control characters, NUL and 8-bit bytes (without ADDR_UTF8) are errors.
 * The canonical form has the domain lowercased and the local part exactly
 * as sent (quoted if it had to be); it never contains CR, LF or NUL and
 * is safe to write into the queue envelope.
 */
#ifndef QUAIL_ADDR_H
#define QUAIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define ADDR_LOCAL_MAX_BYTES 64
#define ADDR_DOMAIN_MAX_BYTES 255
#define ADDR_PATH_MAX_BYTES 256

#define ADDR_ALLOW_NULL 0x1 /* <> is a valid path (reverse-path) */
#define ADDR_LAX        0x2 /* angle brackets optional */
#define ADDR_UTF8       0x4 /* SMTPUTF8: UTF-8 local part and domain */
#define ADDR_NO_DOMAIN  0x8 /* a bare local part is accepted (local injection, aliases) */

struct addr {
	char str[ADDR_PATH_MAX_BYTES + 1]; /* canonical "local@domain", "" for <> */
	size_t len;        /* strlen(str) */
	size_t at;         /* index of the '@' in str, or len if no domain */
	bool is_null;      /* <> */
	bool is_utf8;      /* contains 8-bit bytes */
	bool domain_literal;
};

/* Parses a path at in[0..len). On success returns 0, fills *a and sets
 * *used_r to the bytes consumed (the path and nothing after it; ESMTP
 * parameters follow). On error returns -1 with a short reason in *error_r
 * (e.g. "missing '>'", "local part too long"). */
int addr_parse_path(const char *in, size_t len, unsigned flags, struct addr *a,
		    size_t *used_r, const char **error_r);
/* Parses a whole bare mailbox "local@domain" (config files, command line):
 * the entire input must be the address. Same flags. 0 / -1. */
int addr_parse_mailbox(const char *in, size_t len, unsigned flags, struct addr *a,
		       const char **error_r);
/* The domain part (after '@'), "" if none. */
const char *addr_domain(const struct addr *a);
/* Copies the local part (unquoted form if it was quoted) into out.
 * 0, or -1 if out is too small. */
int addr_local(const struct addr *a, char *out, size_t outlen);

/* Checks an RFC 5321 Domain or address literal used as an EHLO/HELO
 * argument; IP literals and bare IPs ("EHLO 127.0.0.1") are accepted. */
bool addr_valid_helo(const char *in, size_t len);

#endif
