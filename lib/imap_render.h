/*
 * imap_render.h -- what IMAP FETCH sends about a message, computed from
 * lib/mime.h's part tree (RFC 3501 6.4.5, 7.4.2): the ENVELOPE, BODY and
 * BODYSTRUCTURE texts, the BODY[section] names (parsed and refused when
 * malformed), and the exact bytes of a section with CR LF line ends.
 *
 * Messages are stored with LF or CR LF line ends; IMAP sends CR LF. Every
 * bare LF becomes CR LF (a CR not followed by LF stays as it is), so the
 * size of a section equals the vbytes lib/mime computes; NUL bytes, which
 * an IMAP literal may not carry, become 0x80 (as Dovecot does) so sizes
 * do not change. struct imap_crlf does that conversion in a stream, with
 * a window for partial fetches ("<offset.length>").
 *
 * A stored message whose last byte is not LF: lib/maildir_list's
 * convention ("a last line without LF counts as if it had CR LF, as POP3
 * and IMAP send it") makes its RFC822.SIZE the converted size + 2 when
 * the size is computed (no W= in the name). Such a message is sent with
 * an added CR LF at its very end ("eof_crlf"), and so is every section
 * that ends where the message ends: BODY[], RFC822, BODY[TEXT] of the
 * root, and, in the MIME tree, the body of every part whose body reaches
 * the end (the last leaf when no closing boundary follows it, its
 * multipart and message/rfc822 ancestors), or the header of a part that
 * ends in its header (a message without an empty line). A section that
 * ends before the end (a part followed by a boundary line, a header
 * followed by a body) never gets it. imap_render_eof_crlf() adds the 2
 * bytes (and the line) to those parts' sizes so that BODY and
 * BODYSTRUCTURE agree with the bytes sent. Whether a message gets the
 * added CR LF is the caller's decision (imapd/fetch.c: only when its
 * recorded size says so; a message stored with an exact W=, as
 * quail-deliver and APPEND write it, is sent as stored).
 *
 * Everything here is pure: no I/O, no globals.
 * Memory: output is appended to the caller's struct buf; a struct
 * imap_section owns its field-name list (imap_section_free).
 * Return convention: 0 ok / -1 with errno (ENOMEM, E2BIG from buf) unless
 * said otherwise; parse errors give -1 with a static *error_r.
 */
#ifndef QUAIL_IMAP_RENDER_H
#define QUAIL_IMAP_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mime.h"

/* Part numbers in one section ("1.2.3"): deeper cannot exist (the MIME
 * tree stops at MIME_DEPTH_MAX levels, each adding at most one number). */
#define IMAP_SECTION_PARTS_MAX (MIME_DEPTH_MAX + 1)
/* Header field names in HEADER.FIELDS (...): bounded by the 64 KiB
 * command line anyway; this bounds the matching work per header line. */
#define IMAP_SECTION_FIELDS_MAX 1000
/* Longest header field name accepted in HEADER.FIELDS (a longer one
 * could never match: lib/hdr.h keeps names up to HDR_NAME_MAX_BYTES, but
 * matching here is on raw lines, so allow more). */
#define IMAP_SECTION_FIELD_MAX_BYTES 256

/* ---- ENVELOPE, BODY, BODYSTRUCTURE ---------------------------------- */

/* The ENVELOPE of a message part (the root, or the child of a
 * message/rfc822 part: part->envelope != NULL), "(date subject ...)". An
 * envelope-less part gives the all-NIL envelope. */
int imap_render_envelope(const struct mime_envelope *env, struct buf *out);

/* BODYSTRUCTURE (extended: the extension data of RFC 3501 7.4.2 in the
 * order md5, dsp, lang, loc; param, dsp, lang, loc for multiparts) or BODY
 * (!extended) of a part, normally the root. A message/rfc822 part carries
 * its child's envelope, body and line count. A multipart without parts
 * gets an empty text/plain stand-in, as Dovecot writes. */
int imap_render_body(const struct mime_part *part, bool extended,
		     struct buf *out);

/* ---- BODY[section] -------------------------------------------------- */

enum imap_section_text {
	IMAP_SECTION_NONE = 0,	 /* "" or "1.2": the message / part body */
	IMAP_SECTION_HEADER,	 /* [n.]HEADER */
	IMAP_SECTION_FIELDS,	 /* [n.]HEADER.FIELDS (a b) */
	IMAP_SECTION_FIELDS_NOT, /* [n.]HEADER.FIELDS.NOT (a b) */
	IMAP_SECTION_TEXT,	 /* [n.]TEXT */
	IMAP_SECTION_MIME,	 /* n.MIME (part numbers required) */
};

struct imap_section {
	unsigned nums[IMAP_SECTION_PARTS_MAX];
	size_t n_nums;
	enum imap_section_text text;
	/* HEADER.FIELDS[.NOT]: n_fields names, upper-cased, each
	 * NUL-terminated, one after the other in fields.data. */
	struct buf fields;
	size_t n_fields;
};

/* Parses the text between the brackets of BODY[...] (RFC 3501 9
 * "section-spec"; keywords in any case, field names as atoms or quoted
 * strings). 0, or -1 with *error_r (the client gets BAD). *sec is set up
 * either way: free it with imap_section_free. */
int imap_section_parse(const char *s, size_t len, struct imap_section *sec,
		       const char **error_r);
void imap_section_free(struct imap_section *sec);

/* The section as the response names it, canonical: "1.2.HEADER.FIELDS
 * (FROM TO)" (appended without the brackets). */
int imap_section_format(const struct imap_section *sec, struct buf *out);

/* What a section needs of the message: the whole message as it is
 * (BODY[]: it may be sent straight from the file), the top header only
 * (HEADER, HEADER.FIELDS[.NOT] without part numbers: parse the header
 * with MIME_PARSE_HEADER_ONLY), or the full MIME tree. */
enum imap_section_need {
	IMAP_SECTION_NEED_WHOLE,
	IMAP_SECTION_NEED_HEADER,
	IMAP_SECTION_NEED_TREE,
};
enum imap_section_need imap_section_needs(const struct imap_section *sec);

/* Where a section's bytes are. REGION: msg[offset..offset+len) converted
 * with struct imap_crlf (prev_cr says whether the byte before offset is a
 * CR, for the bare-LF rule), vbytes after conversion. BUILT: the bytes
 * were written, already converted, into the caller's buffer (vbytes of
 * them). EMPTY: no such part: an empty string, as Dovecot sends. */
enum imap_extract_kind {
	IMAP_EXTRACT_EMPTY,
	IMAP_EXTRACT_REGION,
	IMAP_EXTRACT_BUILT,
};
struct imap_extract {
	enum imap_extract_kind kind;
	size_t offset, len;
	bool prev_cr;
	bool add_crlf;	 /* REGION: CR LF follows the region (eof_crlf) */
	uint64_t vbytes; /* including the added CR LF */
};

/* Locates section sec of msg[0..len) parsed into m (for
 * IMAP_SECTION_NEED_HEADER sections a MIME_PARSE_HEADER_ONLY parse
 * suffices, and msg may then hold only the header). HEADER.FIELDS[.NOT]
 * appends its converted result to built. eof_crlf: msg is the whole
 * message and is sent with an added CR LF at its end (see above): a
 * non-empty REGION ending at len gets add_crlf. 0 / -1. */
int imap_section_locate(const char *msg, size_t len,
			const struct mime_message *m,
			const struct imap_section *sec, bool eof_crlf,
			struct imap_extract *x, struct buf *built);

/* All of it: the exact bytes of section sec, restricted to the partial
 * window [offset, offset + count) when partial, appended to out. 0 / -1. */
int imap_section_extract(const char *msg, size_t len,
			 const struct mime_message *m,
			 const struct imap_section *sec, bool eof_crlf,
			 bool partial, uint64_t offset, uint64_t count,
			 struct buf *out);

/* True when msg[0..len) (the whole message) does not end with LF, so an
 * added CR LF may be due (pure). */
bool imap_eof_crlf_possible(const char *msg, size_t len);

/* Adds the eof_crlf CR LF (2 bytes, 1 line) to the sizes of the parts of
 * m (parsed from the whole message of len bytes) whose body, or header
 * when the body is empty, ends at len. Call once, only for a message sent
 * with eof_crlf, before imap_render_body(). */
void imap_render_eof_crlf(struct mime_message *m, size_t len);

/* ---- LF -> CR LF conversion ----------------------------------------- */

/* A stream converter: fed the stored bytes in any chunking, it appends
 * the converted bytes whose output positions lie in [start, end). */
struct imap_crlf {
	uint64_t pos; /* output bytes produced so far */
	uint64_t start, end;
	bool prev_cr; /* the last input byte was CR */
};

/* prev_cr: the byte before the first one fed is a CR. */
void imap_crlf_init(struct imap_crlf *c, bool prev_cr, uint64_t start,
		    uint64_t end);
int imap_crlf_feed(struct imap_crlf *c, const char *p, size_t len,
		   struct buf *out);
/* Appends CR LF as output bytes (not converted: the eof_crlf line end),
 * clipped to the window. */
int imap_crlf_eol(struct imap_crlf *c, struct buf *out);
/* True when no more output can fall into the window. */
bool imap_crlf_done(const struct imap_crlf *c);
/* The converted size of p[0..len). */
uint64_t imap_crlf_size(const char *p, size_t len, bool prev_cr);

#endif
