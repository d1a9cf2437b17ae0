/*
 * dot.h -- the SMTP DATA decoder (RFC 5321 4.1.1.4, 4.5.2) as a byte state
 * machine: un-dot-stuffs, converts CRLF to LF, finds the end of data.
 *
 * SECURITY (SMTP smuggling): data ends ONLY on CR LF . CR LF, where the first
 * CR LF is the end of the previous line (or the start of DATA). A bare LF or
 * a bare CR is never part of an end-of-data sequence; it is recorded in
 * d->bare_lf / d->bare_cr so the caller can reject the message after the
 * real end, and it is passed through to the output unchanged (LF) or as
 * CR (so the message is not silently altered before it is rejected).
 */
#ifndef QUAIL_DOT_H
#define QUAIL_DOT_H

#include <stdbool.h>
#include <stddef.h>

struct dot_decoder {
	int state;
	bool bare_lf;            /* saw LF not preceded by CR */
	bool bare_cr;            /* saw CR not followed by LF */
	unsigned long long lines;       /* lines seen */
	unsigned long long bytes_out;   /* decoded bytes produced */
};

void dot_init(struct dot_decoder *d);

/* Decodes in[0..len) into out. out MUST have room for len + 1 bytes: the
 * output is never longer than the input plus 1 (one CR may be held back
 * from the previous call and emitted now). Sets *used_r to the input
 * bytes consumed and *outlen_r to bytes written.
 * Returns 1 when the end-of-data line was consumed (bytes after it in in[]
 * are not consumed: they are pipelined commands), 0 when more input is
 * needed (all input consumed). */
int dot_decode(struct dot_decoder *d, const unsigned char *in, size_t len,
	       unsigned char *out, size_t *outlen_r, size_t *used_r);

/* Encoder for outbound SMTP / tests: LF-terminated message -> CRLF with
 * leading dots doubled, not including the final ".\r\n". Streaming:
 * *state starts at 0. out needs room for 2*len+2 bytes. Returns out length. */
size_t dot_encode(int *state, const unsigned char *in, size_t len, unsigned char *out);
/* Ends an encoded message: CR LF if the last line had no LF, then ".\r\n".
 * out needs room for 5 bytes. Resets *state to 0. Returns out length. */
size_t dot_encode_end(int *state, unsigned char *out);

#endif
