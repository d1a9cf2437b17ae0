/*
 * imap_search.h -- IMAP SEARCH programs (RFC 3501 6.4.4, RFC 4731
 * ESEARCH RETURN options): parsing the arguments of SEARCH (already split
 * by lib/imapparse) into a tree of keys, and evaluating that tree against
 * one message through a small accessor interface.
 *
 * Evaluation is lazy: the cheap values (sequence number, UID, flags,
 * keywords, size) are plain fields of struct imap_search_msg; the costly
 * ones (INTERNALDATE, header fields, the whole header, the whole message)
 * are fetched through callbacks only when a key needs them, and the keys
 * of every AND and OR are ordered cheapest first, so that a search on
 * flags, UIDs or sizes never opens a message file and "UNSEEN FROM x"
 * reads the From field only of unseen messages.
 *
 * Matching (RFC 3501: case-insensitive substring): the search string and
 * the text are both case-folded with imap_search_fold() and compared
 * bytewise. Folded: ASCII A-Z; Latin-1 supplement U+00C0..U+00DE (but
 * U+00D7) and U+00B5 MICRO SIGN; all of Latin Extended-A U+0100..U+017F
 * (U+0178 to U+00FF, U+017F LONG S to "s"; U+0130 and U+0131 are left
 * alone, as Unicode simple folding does); Greek U+0391..U+03AB and final
 * sigma; Cyrillic U+0400..U+042F. Anything else (invalid UTF-8
 * included) is compared as it is. Header fields are searched unfolded and
 * with RFC 2047 encoded words decoded (mime_decode_words). FROM, TO, CC
 * and BCC match the whole decoded field text, or else (RFC 3501 6.4.4:
 * "the envelope structure's FROM field", as Dovecot) that text parsed as
 * an address list (mime_addr_parse_list) and rendered without comments,
 * quotes and CFWS: "name <mailbox@host>" or "mailbox@host" per address,
 * ", " between them, a group as "name: members;", a missing domain as
 * the mailbox alone; each occurrence of the field on its own. HEADER
 * matches the text only. BODY searches the body of every
 * text/ leaf part decoded (transfer encoding undone, charset converted to
 * UTF-8: mime_body_decode) and the header of every encapsulated
 * message/rfc822; non-text parts (attachments) are not searched at all,
 * neither raw nor decoded. TEXT is the header (every field as
 * "name: decoded value") plus BODY.
 *
 * Dates: BEFORE, ON, SINCE compare the day of INTERNALDATE in local time
 * (as Dovecot does); SENTBEFORE, SENTON, SENTSINCE the day of the Date:
 * field in the field's own time zone, falling back to INTERNALDATE when
 * the field is missing or unparsable.
 *
 * Memory: a program owns its tree, the folded search strings and scratch
 * buffers; imap_search_free(). The accessor's pointers need only stay
 * valid during one imap_search_match() call.
 * Return convention: 0 / -1 (with *error_r, static text) unless stated.
 */
#ifndef QUAIL_IMAP_SEARCH_H
#define QUAIL_IMAP_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "imapparse.h"

/* Nesting of keys in one program (a top-level key is at level 1, the
 * operand of a NOT or OR or a member of a list one level deeper): bounds
 * the recursion of parsing and of evaluation. */
#define IMAP_SEARCH_DEPTH_MAX 64
/* Keys in one program (every ALL, NOT, OR, list ... counts one): bounds
 * the work per message (a 64 KiB command line could otherwise ask for
 * ~16000 keys on each of 100000 messages). */
#define IMAP_SEARCH_KEYS_MAX 2048
/* Separator between the values of a field that occurs more than once, in
 * the output of imap_search_header_values(). */
#define IMAP_SEARCH_VALUE_SEP '\001'

/* ESEARCH RETURN options (RFC 4731 3.1). */
#define IMAP_SEARCH_RETURN_MIN 0x1u
#define IMAP_SEARCH_RETURN_MAX 0x2u
#define IMAP_SEARCH_RETURN_ALL 0x4u
#define IMAP_SEARCH_RETURN_COUNT 0x8u

/* Which costly accessors a program may call (imap_search_needs()). */
#define IMAP_SEARCH_NEEDS_DATE 0x1u    /* internal_date */
#define IMAP_SEARCH_NEEDS_FIELD 0x2u   /* field (or header) */
#define IMAP_SEARCH_NEEDS_HEADER 0x4u  /* header */
#define IMAP_SEARCH_NEEDS_MESSAGE 0x8u /* message */

struct imap_search_program;

/*
 * The accessors. ctx is imap_search_msg.ctx. Each returns 0, or -1 with
 * *error_r (the search then fails for this message; a caller that sees a
 * message vanish may note it in its ctx and skip the message).
 */
struct imap_search_msg_ops {
	/* INTERNALDATE. */
	int (*internal_date)(void *ctx, time_t *t_r, const char **error_r);
	/* The values of header field name (lowercase, e.g. "from") exactly
	 * as imap_search_header_values() gives them (so that a caller can
	 * cache them): *found_r false when the field is absent. May be NULL:
	 * then the library takes them from header(). */
	int (*field)(void *ctx, const char *name, struct buf *out,
		     bool *found_r, const char **error_r);
	/* The header section as stored (LF or CRLF), the empty line
	 * included if there is one; more bytes after it do no harm. */
	int (*header)(void *ctx, const char **p_r, size_t *len_r,
		      const char **error_r);
	/* The whole message as stored. */
	int (*message)(void *ctx, const char **p_r, size_t *len_r,
		       const char **error_r);
};

struct imap_search_msg {
	uint32_t seq; /* sequence number, 1-based */
	uint32_t uid;
	uint32_t flags;	   /* IMAP_MBOX_* bits (lib/imap_mbox.h) */
	uint32_t keywords; /* bit k: keyword index k */
	uint64_t vsize;	   /* RFC822.SIZE */
	const struct imap_search_msg_ops *ops;
	void *ctx;
};

/*
 * Parses the arguments of SEARCH: [RETURN (opts)] [CHARSET name] keys.
 * esearch is false for clients that may not use RETURN (it is refused
 * then). On success *prog_r is the program (free with imap_search_free).
 * -1: *error_r says why, for "BAD"; or, when *badcharset_r is set, the
 * charset is not UTF-8 or US-ASCII (answer NO [BADCHARSET (UTF-8
 * US-ASCII)]).
 */
int imap_search_parse(const struct imap_arg *args, size_t n, bool esearch,
		      struct imap_search_program **prog_r, bool *badcharset_r,
		      const char **error_r);
void imap_search_free(struct imap_search_program **prog);

/* RETURN options: 0 when none was given (plain "* SEARCH"), else a mask
 * of IMAP_SEARCH_RETURN_* ("RETURN ()" is ALL). */
unsigned imap_search_return(const struct imap_search_program *prog);
/* IMAP_SEARCH_NEEDS_* bits of the accessors the program can call. */
unsigned imap_search_needs(const struct imap_search_program *prog);

/*
 * Binds a program to a mailbox before matching: '*' in sequence sets
 * becomes msg_count (message numbers) or max_uid (UID sets), and every
 * KEYWORD name is looked up with kw_index(ctx, name): its bit index, or
 * -1 when the mailbox has no such keyword (KEYWORD then matches nothing,
 * UNKEYWORD everything). May be called again for another mailbox state.
 */
void imap_search_bind(struct imap_search_program *prog, uint32_t msg_count,
		      uint32_t max_uid,
		      int (*kw_index)(void *ctx, const char *name), void *ctx);

/* Evaluates the program on one message: 1 match, 0 no match, -1 an
 * accessor or allocation failed (*error_r). */
int imap_search_match(struct imap_search_program *prog,
		      const struct imap_search_msg *msg, const char **error_r);

/* --- helpers, exported for callers and tests --- */

/* Appends p[0..len) case-folded (see above) to out. Never longer than
 * the input. 0 / -1 (errno from buf). */
int imap_search_fold(const char *p, size_t len, struct buf *out);

/* The values of header field name (case-insensitive) in the header
 * section h[0..len): each unfolded, encoded words decoded, CR, LF and
 * NUL turned into spaces, case-folded; several occurrences joined by
 * IMAP_SEARCH_VALUE_SEP, appended to out. 1 found, 0 absent, -1 errno. */
int imap_search_header_values(const char *h, size_t len, const char *name,
			      struct buf *out);

/*
 * The header record: the values of the fields most searched, kept per
 * message in a cache so that FROM, TO, CC, BCC, SUBJECT and the SENT*
 * keys need no file read (imapd/search.c looks it up; imapd/fetch.c
 * stores it when it parses a header anyway, for ENVELOPE and the like).
 * The fields are From, To, Cc, Bcc, Subject, Date, in that order, each
 * as imap_search_header_values() gives it:
 *     '1' (the format version) then, per field, '+' (present) or '-'
 *     (absent), the decimal length of the value, ':', the value
 */
#define IMAP_SEARCH_RECORD_CACHE_FIELD 'h'

/* Appends the record of header section h[0..len) to out (one pass over
 * the fields). 0 / -1 (errno from buf). */
int imap_search_header_record(const char *h, size_t len, struct buf *out);

/* Finds field name (lowercase) in the record rec[0..len). 1: the field
 * is one of the record's, *found_r says whether the message has it, its
 * value is v_r[0..*vlen_r) (pointing into rec); 0: the field is not one
 * of the record's, or the record is malformed or of another version
 * (SECURITY: the record comes from a cache file; every length is checked
 * against len). */
int imap_search_record_find(const char *rec, size_t len, const char *name,
			    const char **v_r, size_t *vlen_r, bool *found_r);

/* The day (days since 1970-01-01) of an RFC 5322 date-time in its own
 * zone (numeric or obs-zone; other zones count as UTC). 0, or -1 when
 * the date is unparsable. */
int imap_search_sent_day(const char *p, size_t len, int64_t *day_r);

/* The day of t in local time (days since 1970-01-01). */
int64_t imap_search_local_day(time_t t);

#endif
