/*
 * smtp_reply.h -- parser of (multi-line) SMTP replies as an SMTP client
 * receives them (RFC 5321 4.2, 4.2.1), with RFC 3463 enhanced status code
 * extraction and the EHLO keyword list (RFC 5321 4.1.1.1).
 *
 * Pure: the caller reads lines (terminator stripped, at most
 * SMTP_REPLY_LINE_MAX_BYTES with it) and feeds them one at a time; no I/O,
 * no globals, input need not be NUL-terminated. Validation follows
 * OpenSMTPD's parse_smtp_response(): three digits, first 2..5, then ' ',
 * '-' or the end of the line; every line of one reply carries the same code.
 *
 * Memory: struct smtp_reply is caller-owned and holds everything (no heap).
 * Return convention: smtp_reply_feed returns 1 when the reply is complete,
 * 0 when more lines are needed, -1 on a malformed line (*error_r static).
 */
#ifndef QUAIL_SMTP_REPLY_H
#define QUAIL_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/* One reply line, CRLF included (STYLE.md 5: 4096 per line). */
#define SMTP_REPLY_LINE_MAX_BYTES 4096
/* Reply text kept; more is dropped (truncated = true), not an error. */
#define SMTP_REPLY_TEXT_MAX_BYTES 4096
/* Lines in one reply: a peer sending continuation lines forever is cut off. */
#define SMTP_REPLY_LINES_MAX 1000
/* "5.1.10": class, up to 3 digits, up to 3 digits, plus NUL. */
#define SMTP_REPLY_ENHANCED_MAX_BYTES 12

struct smtp_reply {
	unsigned code;          /* 200..599 once the first line is in */
	/* Enhanced status code of the first line when it carries one whose
	 * class matches the code ("5.1.1"), else "". */
	char enhanced[SMTP_REPLY_ENHANCED_MAX_BYTES];
	/* The text after "NNN " / "NNN-" of every line, lines separated by
	 * '\n', NUL-terminated. Bytes outside printable ASCII (controls, DEL,
	 * 8-bit) are replaced by '?' so the text is safe in logs and records. */
	char text[SMTP_REPLY_TEXT_MAX_BYTES + 1];
	size_t text_len;
	size_t lines;           /* lines fed so far */
	bool truncated;         /* text was cut at SMTP_REPLY_TEXT_MAX_BYTES */
	bool complete;          /* the last line ("NNN " or "NNN") was seen */
};

/* EHLO extensions quail-remote uses. */
struct smtp_ehlo {
	bool pipelining;        /* PIPELINING (RFC 2920) */
	bool starttls;          /* STARTTLS (RFC 3207) */
	bool eightbitmime;      /* 8BITMIME (RFC 6152) */
	bool enhancedstatuscodes; /* ENHANCEDSTATUSCODES (RFC 2034) */
	bool size;              /* SIZE (RFC 1870) */
	unsigned long size_max; /* SIZE parameter; 0 = no fixed limit */
};

void smtp_reply_init(struct smtp_reply *r);

/* Feeds one line (terminator stripped). After a complete reply, call
 * smtp_reply_init before feeding the next one (feeding more is -1). */
int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
		    const char **error_r);

/* Writes "<code> <text>" on one line into out (lines joined by a space),
 * truncated to fit, always NUL-terminated. Returns out. */
char *smtp_reply_oneline(const struct smtp_reply *r, char *out, size_t outlen);

/* The enhanced status code to report: the reply's own, else "X.0.0" from
 * the reply code's first digit. */
const char *smtp_reply_status(const struct smtp_reply *r);

/* Scans an enhanced status code (RFC 3463 2: class "2", "4" or "5", then
 * ".1-3 digits.1-3 digits") at the start of p[0..len), followed by a space
 * or the end. Returns its length, 0 if there is none. */
size_t smtp_reply_scan_enhanced(const char *p, size_t len);

/* Parses the keywords of a complete 250 EHLO reply (every line but the
 * first, which is the greeting). Unknown keywords are ignored. */
void smtp_reply_ehlo(const struct smtp_reply *r, struct smtp_ehlo *e);

#endif
