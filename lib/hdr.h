/*
 * hdr.h -- RFC 5322 header section helpers.
 *
 * hdr_scan is a push scanner fed decoded (LF-terminated) message bytes; it
 * follows the header section only (stops at the first empty line) and
 * counts Received: fields (hop count, RFC 5321 6.3) and notices
 * Delivered-To: values (loop detection) and a few fields the submission
 * path cares about (Date, Message-ID, From).
 * hdr_next_field walks a header section held in memory, unfolding.
 * SECURITY: bounded; field names are compared case-insensitively; no
 * assumption of NUL termination.
 */
#ifndef QUAIL_HDR_H
#define QUAIL_HDR_H

#include <stdbool.h>
#include <stddef.h>

#define HDR_NAME_MAX_BYTES 64

struct hdr_scan {
	int state;
	bool in_body;           /* the empty line ending the header was seen */
	unsigned received;      /* Received: fields */
	bool has_date, has_message_id, has_from, has_to;
	char name[HDR_NAME_MAX_BYTES + 1];
	size_t name_len;
	size_t bytes;           /* header bytes seen */
};

void hdr_scan_init(struct hdr_scan *s);
void hdr_scan_feed(struct hdr_scan *s, const unsigned char *p, size_t len);

struct hdr_field {
	const char *name;   size_t name_len;
	const char *value;  size_t value_len;  /* raw, folded, after "name:" */
};
/* Iterates the fields of p[0..len) from *pos (start at 0). Returns 1 with
 * *f filled, 0 at the end of the header section (or of input), -1 on a
 * malformed line (skipped: *pos still advances). */
int hdr_next_field(const char *p, size_t len, size_t *pos, struct hdr_field *f);
/* Length of the header section including the empty line (or len). */
size_t hdr_section_len(const char *p, size_t len);
/* Case-insensitive compare of a field name with a NUL-terminated name. */
bool hdr_name_is(const struct hdr_field *f, const char *name);
/* Copies f's value unfolded (line ends removed) and trimmed of leading and
 * trailing WSP into out, NUL-terminated; *len_r = its length. 0, or -1 if
 * out is too small. */
int hdr_value_unfold(const struct hdr_field *f, char *out, size_t outlen,
		     size_t *len_r);

#endif
