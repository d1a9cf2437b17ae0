/*
 * pop3_parse.h -- the POP3 command line parser of quail-pop3d (RFC 1939
 * 3 and 9, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH), as a pure
 * function so it can be unit-tested and fuzzed alone.
 *
 * A line (terminator already stripped) is a case-insensitive keyword and
 * arguments separated by one or more spaces; trailing spaces are ignored
 * (telnet users type them). The argument rules are per command: message
 * numbers are decimal 1..POP3_MSGNUM_MAX without sign or leading spaces,
 * the TOP line count may be 0, USER/PASS take the rest of the line (a
 * password may contain spaces), AUTH takes a mechanism and an optional
 * initial response (a bare AUTH, arg == NULL, asks for the list of
 * mechanisms, as RFC 1734 servers answer it). Whether a command is allowed in the current state is
 * the session's business, not the parser's.
 *
 * Memory: the result points into the caller's line.
 * Return convention: 0 parsed, -1 malformed with a reply text for
 * "-ERR <text>" in *error_r (static).
 */
#ifndef QUAIL_POP3_PARSE_H
#define QUAIL_POP3_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 2449 4: 255 octets; we allow 512 including CRLF. */
#define POP3_CMD_MAX_BYTES 512
/* AUTH lines (initial responses, continuations), CRLF included, carry
 * base64 credentials (RFC 5034 4 lifts the 255-octet limit for them): the
 * longest valid PLAIN response (authzid and user of LOGIN_USER_MAX_BYTES,
 * a password of LOGIN_PASS_MAX_BYTES) is 2052 base64 characters, so the
 * limit is that of SMTP AUTH continuations in STYLE.md (8192). */
#define POP3_AUTH_LINE_MAX_BYTES 8192
/* Message numbers and line counts above this are malformed. */
#define POP3_MSGNUM_MAX 4294967295UL

enum pop3_cmd {
	POP3_CMD_USER = 1,
	POP3_CMD_PASS,
	POP3_CMD_AUTH,
	POP3_CMD_APOP,
	POP3_CMD_CAPA,
	POP3_CMD_STLS,
	POP3_CMD_QUIT,
	POP3_CMD_STAT,
	POP3_CMD_LIST,
	POP3_CMD_UIDL,
	POP3_CMD_RETR,
	POP3_CMD_TOP,
	POP3_CMD_DELE,
	POP3_CMD_NOOP,
	POP3_CMD_RSET,
};

struct pop3_command {
	enum pop3_cmd cmd;
	/* USER/PASS: the rest; AUTH: the mechanism (NULL for a bare AUTH);
	 * APOP: the name */
	const char *arg;
	size_t arg_len;
	const char *arg2; /* AUTH: initial response; APOP: digest; or NULL */
	size_t arg2_len;
	unsigned nums;	     /* numeric arguments given: 0, 1 or 2 */
	uint32_t num1, num2; /* LIST/UIDL/RETR/DELE/TOP n; TOP lines */
};

/* Parses line[0..len) (no CR/LF). len above POP3_CMD_MAX_BYTES - 2 is an
 * error except for AUTH (up to POP3_AUTH_LINE_MAX_BYTES - 2). */
int pop3_parse(const char *line, size_t len, struct pop3_command *cmd_r,
	       const char **error_r);

/* The keyword of a command ("RETR"), for logs. */
const char *pop3_cmd_name(enum pop3_cmd cmd);

#endif
