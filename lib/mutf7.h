/*
 * mutf7.h -- IMAP mailbox names: modified UTF-7 (RFC 3501 5.1.3) to and
 * from UTF-8, and the check that a name is safe as a Maildir++ folder.
 *
 * Modified UTF-7: printable US-ASCII (0x20-0x7e) stands for itself except
 * "&", written "&-"; everything else is UTF-16BE in modified BASE64 ("," for
 * "/", no padding) between "&" and "-". The decoder is strict so that every
 * name has exactly one spelling: it refuses unterminated shifts, printable
 * ASCII or U+0000 inside a shift, unpaired surrogates, leftover bits that
 * are not zero or make a whole base64 digit, a shift right after another
 * shift (they must be one), 8-bit and control bytes outside a shift. For
 * every accepted input, encode(decode(x)) == x.
 *
 * Memory: results are appended to a caller's struct buf (lib/buf.h).
 * Return convention: 0 ok, -1 with a static reason in *error_r (on error
 * the buffer may hold a partial result).
 */
#ifndef QUAIL_MUTF7_H
#define QUAIL_MUTF7_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The hierarchy separator of Maildir++ folders. */
#define MUTF7_MAILDIR_SEPARATOR '.'
/* A folder is the directory "." + encoded name, which must fit NAME_MAX
 * (255) with room for the renames a server does (".DELETED." prefixes,
 * temporary suffixes): the encoded name is at most this long. */
#define MUTF7_MAILDIR_NAME_MAX_BYTES 200

/* Appends the UTF-8 form of the modified UTF-7 in[0..len) to out. */
int mutf7_to_utf8(const char *in, size_t len, struct buf *out,
		  const char **error_r);

/* Appends the modified UTF-7 form of the UTF-8 in[0..len) to out. Invalid
 * UTF-8 (overlong forms, surrogates, > U+10FFFF, truncation) and NUL are
 * refused. */
int mutf7_from_utf8(const char *in, size_t len, struct buf *out,
		    const char **error_r);

/* in[0..len) is canonical modified UTF-7. */
bool mutf7_is_valid(const char *in, size_t len);

/* The modified UTF-7 name[0..len) (as a client sends it and as it is kept
 * on disk) may be a Maildir++ folder: not empty, at most
 * MUTF7_MAILDIR_NAME_MAX_BYTES, valid modified UTF-7, no "/", no empty
 * hierarchy component (leading or trailing ".", ".."), no control
 * characters (C0, DEL, C1) once decoded, no LIST wildcards "%" "*".
 * INBOX and namespace rules are the caller's. 0 ok, -1 with *error_r. */
int mutf7_maildir_name_check(const char *name, size_t len,
			     const char **error_r);

#endif
