/*
 * imap_string.h -- writing IMAP strings (RFC 3501 4.3, 9): a value is sent
 * as an atom, a quoted string or a literal, whichever is valid for it.
 *
 * Memory: output is appended to the caller's struct buf (lib/buf.h).
 * Return convention: 0 ok, -1 with errno from buf (ENOMEM, E2BIG).
 */
#ifndef QUAIL_IMAP_STRING_H
#define QUAIL_IMAP_STRING_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Longer values are sent as literals even when they could be quoted. */
#define IMAP_STRING_QUOTED_MAX_BYTES 1024

/* True if s[0..len) may be a quoted string: no NUL, CR, LF, 8-bit byte,
 * and at most IMAP_STRING_QUOTED_MAX_BYTES. */
bool imap_string_quotable(const char *s, size_t len);
/* string: quoted ("\" and "\\" escaped) when quotable, else a literal
 * "{len}\r\n" + bytes. */
int imap_string_append(struct buf *out, const char *s, size_t len);
/* nstring: NIL when s is NULL, else as imap_string_append(). */
int imap_nstring_append(struct buf *out, const char *s, size_t len);
/* astring: an atom when s is 1.. bytes of ASTRING-CHAR (and not "NIL"),
 * else a string. */
int imap_astring_append(struct buf *out, const char *s, size_t len);

#endif
