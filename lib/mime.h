/*
 * mime.h -- RFC 5322 / MIME message parser for IMAP (ENVELOPE,
 * BODYSTRUCTURE, BODY[section], SEARCH).
 *
 * mime_parse() takes a whole message in memory (LF or CR LF line ends,
 * any bytes) and builds a tree of parts: offsets, sizes and line counts
 * of each header and body, the Content-* fields (RFC 2045, 2046, 2183,
 * 2231, 3066, 2557, 1864) and, for the message itself and every
 * encapsulated message/rfc822, the IMAP ENVELOPE fields (RFC 3501 7.4.2)
 * with RFC 5322 3.4 address lists. mime_decode.c has the decoders SEARCH
 * needs: RFC 2047 encoded words, quoted-printable, base64, charsets.
 *
 * Tree: the root part is the message (header + body). A multipart part has
 * its body parts as children (preamble and epilogue belong to no child); a
 * message/rfc822 part has exactly one child, the encapsulated message,
 * which starts at the part's body. All other parts are leaves. The flags
 * say which: a part typed multipart/... without a usable boundary, or
 * message/rfc822 in base64 or quoted-printable, has neither
 * MIME_PART_MULTIPART nor MIME_PART_MESSAGE and is a leaf (an IMAP server
 * describes it as a basic part). A multipart may have no children at all
 * (its boundary never occurs); RFC 3501 BODYSTRUCTURE then needs a
 * stand-in part, as Dovecot writes an empty text/plain.
 *
 * For IMAP: body-fld-octets is body.vbytes and RFC822.SIZE the root's
 * hdr.vbytes + body.vbytes (the sizes with CR LF line ends, which is how a
 * message stored with LF must be sent); body-fld-lines is body.lines (for
 * text parts and message/rfc822); the ENVELOPE and BODYSTRUCTURE of an
 * encapsulated message are those of the message/rfc822 part's child;
 * BODY[n.MIME] is a part's header, BODY[n] its body, BODY[n.HEADER] and
 * BODY[n.TEXT] of a message/rfc822 part its child's header and body.
 *
 * Memory: everything a struct mime_message points to lives in one arena
 * owned by it and released by mime_free(). Offsets refer to the caller's
 * input, which the message does not keep. Strings are NUL-terminated and
 * never contain NUL, CR or LF.
 *
 * Return convention: 0 ok / -1 with errno (only ENOMEM, E2BIG, EINVAL):
 * malformed input is never an error, it is parsed as well as it can be.
 */
#ifndef QUAIL_MIME_H
#define QUAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Parts nested deeper than this are leaves typed text/plain. */
#define MIME_DEPTH_MAX 100
/* Parts per message; past it, a multipart puts the rest in its epilogue. */
#define MIME_PARTS_MAX 10000
/* Longer boundary parameters (RFC 2046 allows 70) are ignored: the
 * multipart is then a leaf. */
#define MIME_BOUNDARY_MAX_BYTES 256
/* Parameters kept per Content-Type / Content-Disposition (raw, before
 * RFC 2231 continuations are joined); more are ignored. */
#define MIME_PARAMS_MAX 64
/* Addresses (incl. group markers) kept per address field. */
#define MIME_ADDRS_MAX 10000

/* Octet counts of a header or body. vbytes is the size with every bare LF
 * counted as CR LF, the size IMAP reports; lines counts LFs (a last line
 * without LF is not counted, as Dovecot does). */
struct mime_size {
	size_t bytes;
	size_t vbytes;
	size_t lines;
};

struct mime_param {
	char *name;     /* lowercased, without the RFC 2231 "*" / "*N*" */
	char *value;    /* unquoted; RFC 2231 continuations joined, %XX
			   decoded and converted to UTF-8 when the charset
			   is known (else the decoded bytes are kept) */
	char *charset;  /* RFC 2231 charset, NULL if not extended */
	char *language; /* RFC 2231 language, NULL if none */
};

/* One ENVELOPE address (RFC 3501 7.4.2). A group is a start marker
 * (mailbox = group name, host NULL) then its members then an end marker
 * (mailbox NULL, host NULL). name keeps encoded words as they are (IMAP
 * clients decode them); a missing domain is "MISSING_DOMAIN" so that a
 * NULL host always means a group marker. */
struct mime_addr {
	struct mime_addr *next;
	char *name;    /* display name or comment, NULL if none */
	char *adl;     /* obsolete source route "@a,@b", NULL if none */
	char *mailbox; /* local part, unquoted */
	char *host;
};

/* Raw field values: unfolded, trimmed, NULL when absent (IMAP NIL). As
 * RFC 3501 requires, sender and reply_to are from when absent or empty. */
struct mime_envelope {
	char *date, *subject;
	struct mime_addr *from, *sender, *reply_to, *to, *cc, *bcc;
	char *in_reply_to, *message_id;
};

/* struct mime_part flags */
#define MIME_PART_MULTIPART	0x01 /* children are the body parts */
#define MIME_PART_MESSAGE	0x02 /* message/rfc822: one child */
#define MIME_PART_TEXT		0x04 /* type "text" */
#define MIME_PART_DEFAULT_TYPE	0x08 /* no valid Content-Type: default */
#define MIME_PART_HAS_NUL	0x10 /* NUL bytes in the (leaf) body */
#define MIME_PART_NO_BLANK_LINE 0x20 /* header not ended by an empty line */
#define MIME_PART_NO_CLOSE	0x40 /* multipart without closing boundary */
#define MIME_PART_TRUNCATED	0x80 /* a depth or part-count limit hit */

struct mime_part {
	struct mime_part *parent, *next, *children;
	unsigned child_count;
	unsigned flags;
	unsigned depth;		/* root 0 */
	size_t offset;		/* start of the header = start of the part */
	size_t body_offset;	/* offset + hdr.bytes */
	struct mime_size hdr;	/* includes the empty line */
	struct mime_size body;	/* excludes the line end before a boundary */

	/* Content-Type: lowercased; default text/plain; charset=us-ascii
	 * (multipart/digest children: message/rfc822). */
	char *type, *subtype;
	struct mime_param *params;
	unsigned param_count;
	char *encoding;		/* Content-Transfer-Encoding, lowercased */
	char *id, *description, *md5, *location; /* raw, or NULL */
	char *disposition;	/* lowercased, or NULL */
	struct mime_param *disp_params;
	unsigned disp_param_count;
	char **languages;	/* Content-Language tags */
	unsigned language_count;
	/* For the root and for the child of a message/rfc822 part. */
	struct mime_envelope *envelope;
};

struct mime_arena_chunk;

struct mime_message {
	struct mime_part *root;
	unsigned part_count;
	struct mime_arena_chunk *arena_; /* private */
};

/* mime_parse flags */
#define MIME_PARSE_HEADER_ONLY 0x1 /* root header only: no children, and
				      body sizes hold bytes only */

/* Parses p[0..len). *msg_r is freed with mime_free(). 0, or -1 with errno
 * ENOMEM (*error_r set). */
int mime_parse(const char *p, size_t len, unsigned flags,
	       struct mime_message **msg_r, const char **error_r);
void mime_free(struct mime_message **msg);

/* The parameter value named name (lowercase) of a params array, or NULL. */
const char *mime_param_get(const struct mime_param *params, unsigned count,
			   const char *name);

/* The part an IMAP section part number ("1.2.3", RFC 3501 6.4.5) names:
 * nums[0..n) from the root. n == 0 gives the root. For a message/rfc822
 * part the numbers go on inside the encapsulated message; a non-multipart
 * message has only part 1 (itself). NULL if there is no such part. For
 * n > 0, BODY[section] is always the body of the part returned. */
const struct mime_part *mime_part_find(const struct mime_message *m,
				       const unsigned *nums, size_t n);

/* Arena allocation in m (zeroed, aligned); NULL with errno on failure. */
void *mime_alloc(struct mime_message *m, size_t size);
/* Copies p[0..n) into m with a NUL added. */
char *mime_strndup(struct mime_message *m, const char *p, size_t n);

/* mime_fields.c: fills part's Content-* fields (and its envelope when part
 * is the root or the child of a message/rfc822 part) from its header
 * h[0..hlen); unset fields get the RFC 2045 defaults. Used by mime_parse;
 * 0, or -1 with errno ENOMEM. */
int mime_fields_parse(struct mime_message *m, struct mime_part *part,
		      const char *h, size_t hlen);

/* Skips RFC 5322 CFWS (WSP, CR, LF, nested comments) from pos; returns the
 * new position (<= len). */
size_t mime_skip_cfws(const char *p, size_t len, size_t pos);

/*
 * mime_addr.c: an RFC 5322 3.4 address-list (also obs-addr-list, routes,
 * groups, missing domains) from an unfolded or folded field value, into
 * IMAP ENVELOPE tuples allocated in m. Never fails on syntax: what cannot
 * be read is skipped up to the next comma. *list_r is NULL for an empty
 * list. 0, or -1 with errno ENOMEM.
 */
int mime_addr_parse_list(struct mime_message *m, const char *p, size_t len,
			 struct mime_addr **list_r);

/*
 * mime_decode.c. All append to out (lib/buf.h: its cap bounds the output)
 * and return 0, or -1 with errno (ENOMEM, E2BIG).
 */
/* RFC 2047 encoded words (B and Q) in a header value decoded to UTF-8;
 * linear white space between two adjacent encoded words is dropped (6.2);
 * an invalid encoded word is kept as it is; the rest is copied, with CR
 * and LF of folding removed. */
int mime_decode_words(const char *p, size_t len, struct buf *out);
/* Quoted-printable (RFC 2045 6.7): soft line breaks removed, =XX decoded
 * (hex in either case), an invalid "=" kept literally, trailing WSP of a
 * line dropped. Line ends are copied as they are. */
int mime_qp_decode(const char *p, size_t len, struct buf *out);
/* Base64 (RFC 2045 6.8): characters outside the alphabet are ignored,
 * decoding stops at "=", a last incomplete group of 2 or 3 characters
 * still gives its 1 or 2 bytes. */
int mime_base64_decode(const char *p, size_t len, struct buf *out);
/* Converts p[0..len) in charset (case-insensitive; NULL = us-ascii) to
 * UTF-8. US-ASCII, UTF-8, ISO-8859-1, ISO-8859-15 and Windows-1252 are
 * built in, others go through iconv(3). Returns 1 converted, 0 if the
 * charset is unknown or the input invalid in it (the bytes are then
 * appended unchanged), -1 on a buffer error. */
int mime_charset_to_utf8(const char *charset, const char *p, size_t len,
			 struct buf *out);
/* The body of a leaf part of msg[0..) decoded for SEARCH: the transfer
 * encoding undone and, for text/ parts, the charset converted to UTF-8.
 * 0 / -1. */
int mime_body_decode(const char *msg, const struct mime_part *part,
		     struct buf *out);

#endif
