/*
 * inject_hdr.h -- the message handling of quail-inject(8) that can be
 * tested without a queue: the input filter (CR LF to LF, the sendmail
 * "." line), the end of the header section, RFC 5322 address lists
 * (To:/Cc:/Bcc: for -t, and recipient arguments) and the display name
 * of an added From: field.
 *
 * Memory: nothing here allocates; callers own every buffer.
 * Return convention: 0 / -1 with a static reason in *error_r, or the
 * tri-state documented at each function.
 */
#ifndef QUAIL_INJECT_HDR_H
#define QUAIL_INJECT_HDR_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* Display name of an added From: field, before encoding. */
#define INJECT_HDR_NAME_MAX_BYTES 256
/* Output of inject_hdr_display_name(): worst case is base64 of the whole
 * name in RFC 2047 encoded words of at most 75 bytes plus folding. */
#define INJECT_HDR_NAME_OUT_BYTES 1024

/*
 * Input filter: turns the bytes a local program writes (LF or CR LF line
 * ends) into the LF-terminated message the queue stores. With dot_ends
 * (sendmail without -i), a line holding only "." ends the message and is
 * not part of it; everything after it is ignored. A lone CR that is not
 * followed by LF is kept. The output never exceeds the input by more than
 * INJECT_INPUT_SLACK_BYTES (bytes held back at a split point).
 */
#define INJECT_INPUT_SLACK_BYTES 3

struct inject_input {
	int state;
	bool dot_ends;
	bool done;      /* the "." line was seen: stop feeding */
	bool any;       /* something was written */
	bool last_lf;   /* the last byte written was LF */
};

void inject_input_init(struct inject_input *in, bool dot_ends);
/* Filters in[0..len) into out, which has room for len +
 * INJECT_INPUT_SLACK_BYTES bytes. Returns the bytes written; *used_r is
 * the input consumed (less than len only when the "." line ended it). */
size_t inject_input_feed(struct inject_input *in, const char *p, size_t len,
			 char *out, size_t *used_r);
/* At end of input: writes held-back bytes and a final LF if the message
 * does not end with one (out: at least INJECT_INPUT_SLACK_BYTES + 1).
 * Returns the bytes written. */
size_t inject_input_finish(struct inject_input *in, char *out);

/*
 * The header section at the start of p[0..len) (LF line ends): lines that
 * are fields ("name:" with RFC 5322 ftext names, optional WSP before the
 * colon) and their continuation lines. It ends at an empty line (which
 * belongs to neither part) or at the first line that is not a field,
 * which then starts the body (a message without header fields is all
 * body). Returns 1 decided (*hdr_len_r = header bytes, *body_r = offset
 * of the body), 0 if more input is needed (at_eof false and no complete
 * deciding line yet). At EOF everything is decided.
 * *resume (0 at first) carries the scan position from one call to the
 * next while p grows, so input arriving in small pieces costs linear time;
 * p must keep its earlier bytes.
 */
int inject_hdr_split(const char *p, size_t len, bool at_eof, size_t *resume,
		     size_t *hdr_len_r, size_t *body_r);

/*
 * Address lists (RFC 5322 3.4): "a@b, Name <c@d>, group: e@f, g@h;",
 * comments, quoted strings and folding whitespace; obsolete routes
 * (<@x,@y:u@d>) are dropped. Bare local parts ("root") are passed on as
 * they are; the caller qualifies them. Calls fn once per mailbox with its
 * addr-spec without comments or whitespace (quoted local parts keep their
 * quotes). Returns 0, -1 on a syntax error (*error_r), or fn's -1.
 */
typedef int inject_addr_fn(void *ctx, const char *spec, size_t len,
			   const char **error_r);
int inject_hdr_addresses(const char *p, size_t len, inject_addr_fn *fn, void *ctx,
			 const char **error_r);

/*
 * Checks spec as a mailbox (UTF-8 allowed) and writes its canonical form
 * into *a; a bare local part gets "@" + domain appended (domain may be
 * NULL: then a bare local part is an error). 0 / -1.
 */
int inject_hdr_mailbox(const char *spec, size_t len, const char *domain,
		       struct addr *a, const char **error_r);

/*
 * Formats name (untrusted: -F or the GECOS field) as an RFC 5322 display
 * name into out: control characters dropped, an atom sequence as is,
 * otherwise a quoted string, and 8-bit text as RFC 2047 encoded words
 * (UTF-8, base64). Names longer than INJECT_HDR_NAME_MAX_BYTES are cut.
 * The result never contains CR or LF (no header injection). Returns the
 * length (0: nothing usable in name).
 */
size_t inject_hdr_display_name(const char *name, char *out, size_t outlen);

#endif
