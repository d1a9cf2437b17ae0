/*
 * imapparse.h -- push parser for IMAP4rev1 client commands (RFC 3501 2.2,
 * 4, 9; RFC 7888 LITERAL+/LITERAL-; RFC 3516 literal8) for quail-imapd.
 *
 * The server feeds raw client bytes in any chunking; the parser returns
 * one complete command at a time: its tag, its name (an atom) and a tree
 * of arguments. Splitting the input at any point gives identical results.
 *
 *   - atoms: ATOM-CHAR plus ']' '%' '*' '\' (sequence sets, LIST patterns,
 *     flags, resp-specials); 8-bit bytes are refused. An atom that starts
 *     with BODY, BODY.PEEK, BINARY, BINARY.PEEK or BINARY.SIZE followed by
 *     '[' is read as ONE atom up to the matching ']', with spaces, parens
 *     and quoted strings allowed inside the brackets, so that FETCH gets
 *     "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>" whole (split it with
 *     imap_fetch_att_split()).
 *   - "NIL" (any case) becomes IMAP_ARG_NIL (str still "NIL" as sent).
 *   - quoted strings with \" and \\ escapes only; NUL, CR, LF refused;
 *     8-bit bytes allowed (UTF-8 search strings).
 *   - literals {n} (synchronising: the parser stops with
 *     IMAP_PARSE_NEED_CONTINUATION after the CRLF, the server sends "+ "),
 *     {n+} non-synchronising, ~{n} / ~{n+} literal8 when enabled. A
 *     literal may not contain NUL; a literal8 may.
 *   - lists ( ... ) up to limits.list_depth_max deep.
 *   - arguments separated by one or more SP; trailing SP before the line
 *     end is ignored; a line ends with CRLF or a bare LF.
 *
 * Memory: the parser owns the command, the argument tree and every string
 * until imap_parser_reset() or imap_parser_free(). Strings are
 * NUL-terminated copies (use len: a literal8 may contain NUL).
 * Return convention: imap_parser_feed() returns one of enum
 * imap_parse_result; constructors return NULL with errno on failure.
 */
#ifndef QUAIL_IMAPPARSE_H
#define QUAIL_IMAPPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* STYLE.md 5: before login a command line (literals included) may hold at
 * most 8192 bytes and lists nest one deep. */
#define IMAP_PARSER_PREAUTH_LINE_MAX_BYTES 8192
#define IMAP_PARSER_PREAUTH_LIST_DEPTH_MAX 1
/* After login: 64 KiB of command line (literal payloads not counted). */
#define IMAP_PARSER_POSTAUTH_LINE_MAX_BYTES 65536
/* Deep enough for any real SEARCH; bounds the tree builder's recursion. */
#define IMAP_PARSER_POSTAUTH_LIST_DEPTH_MAX 32
#define IMAP_PARSER_LIST_DEPTH_HARD_MAX 256
/* RFC 7888 4: the largest non-synchronising literal under LITERAL-. */
#define IMAP_LITERAL_MINUS_MAX_BYTES 4096

enum imap_parse_result {
	IMAP_PARSE_ERROR = -1,	  /* imap_parser_error(); then reset */
	IMAP_PARSE_NEED_MORE = 0, /* all input consumed */
	IMAP_PARSE_COMMAND = 1,	  /* imap_parser_command(); then reset */
	IMAP_PARSE_NEED_CONTINUATION = 2, /* send "+ ..." and feed on */
};

enum imap_arg_type {
	IMAP_ARG_ATOM = 1,
	IMAP_ARG_STRING,   /* quoted string, unescaped */
	IMAP_ARG_LITERAL,  /* {n} or {n+} */
	IMAP_ARG_LITERAL8, /* ~{n} or ~{n+} */
	IMAP_ARG_NIL,
	IMAP_ARG_LIST,
};

struct imap_arg {
	enum imap_arg_type type;
	const char *str; /* all but LIST: NUL-terminated, len bytes */
	size_t len;
	struct imap_arg *list; /* LIST: n elements (list NULL when n == 0) */
	size_t n;
	bool nonsync; /* literal sent as {n+} */
};

struct imap_command {
	const char *tag;
	const char *name; /* the command atom as sent ("uid", "FETCH") */
	struct imap_arg *args;
	size_t n;
};

struct imap_parser_limits {
	/* Non-literal bytes of one command, every CRLF included. */
	size_t line_max_bytes;
	/* One literal or literal8 payload. */
	uint64_t literal_max_bytes;
	/* One {n+}: IMAP_LITERAL_MINUS_MAX_BYTES under LITERAL-,
	 * literal_max_bytes under LITERAL+, 0 refuses non-sync literals. */
	uint64_t nonsync_max_bytes;
	/* Line bytes plus all literal payloads of one command: bounds the
	 * memory one command can take. */
	uint64_t command_max_bytes;
	/* Nesting of ( ); 0 refuses lists; at most the HARD_MAX. */
	unsigned list_depth_max;
	/* Accept ~{n} (RFC 3516 BINARY APPEND). */
	bool literal8;
};

/* Fills l for a client that has not logged in: 8192 bytes for the whole
 * command (literals included), list depth 1, LITERAL- semantics. */
void imap_parser_limits_preauth(struct imap_parser_limits *l);
/* Fills l for a logged-in client: 64 KiB line, literals up to
 * literal_max_bytes (the largest message accepted), LITERAL+ semantics,
 * list depth IMAP_PARSER_POSTAUTH_LIST_DEPTH_MAX, literal8 accepted. */
void imap_parser_limits_postauth(struct imap_parser_limits *l,
				 uint64_t literal_max_bytes);

struct imap_parser;

/* A new parser with a copy of *limits; NULL with errno (ENOMEM, EINVAL). */
struct imap_parser *imap_parser_new(const struct imap_parser_limits *limits);
void imap_parser_free(struct imap_parser **p);
/* Replaces the limits (after login); only between commands. */
void imap_parser_set_limits(struct imap_parser *p,
			    const struct imap_parser_limits *limits);

/* Consumes bytes of in[0..len) and says how many in *used_r. Stops after
 * a complete command, after the CRLF announcing a synchronising literal
 * (NEED_CONTINUATION: the literal bytes follow in later calls) or at an
 * error. After COMMAND or ERROR, call imap_parser_reset() before feeding
 * again (the unused bytes: pipelined commands, or the byte that failed,
 * which the parser then skips with the rest of its line); feeding a
 * parser in that state returns ERROR. */
enum imap_parse_result imap_parser_feed(struct imap_parser *p,
					const unsigned char *in, size_t len,
					size_t *used_r);

/* After IMAP_PARSE_NEED_CONTINUATION (and before feeding on): the command
 * so far, without the announced literal, so that the server can refuse
 * it before sending "+" (APPEND to a missing mailbox: NO [TRYCREATE]);
 * lists still open hold the elements read so far. Valid until the next
 * feed or reset. NULL at other times or out of memory. To refuse, answer
 * the tag and call imap_parser_reset(): the client sends no literal and
 * the next line is a new command. */
const struct imap_command *imap_parser_partial(struct imap_parser *p);
/* The size of the literal announced by the last NEED_CONTINUATION, until
 * feeding goes on; else 0. */
uint64_t imap_parser_literal_size(const struct imap_parser *p);

/* The complete command after IMAP_PARSE_COMMAND, else NULL. */
const struct imap_command *imap_parser_command(const struct imap_parser *p);

/* After IMAP_PARSE_ERROR: a one-line reason for "tag BAD <reason>". */
const char *imap_parser_error(const struct imap_parser *p);
/* The tag of the command being parsed, or NULL while no valid tag and its
 * SP were read (answer "* BAD"). Valid until reset. */
const char *imap_parser_tag(const struct imap_parser *p);
/* After an error: true when the stream cannot be resynchronised (a
 * non-synchronising literal over the limits, out of memory, or a caller
 * feeding without reset). The server answers BAD, says BYE and closes;
 * reset does nothing then. */
bool imap_parser_error_fatal(const struct imap_parser *p);
/* True when the error was a size limit (the server may add [TOOBIG]). */
bool imap_parser_error_toobig(const struct imap_parser *p);

/* Drops the current command. After an error the parser then discards
 * input up to and including the LF ending the failed line (first the rest
 * of a literal whose bytes were already coming). When that line ends with
 * a non-synchronising literal "{n+}", its n bytes, which the client sends
 * regardless, and the rest of the line after them are discarded too (one
 * over nonsync_max_bytes is a fatal error). A synchronising literal at
 * the end of a failed line is not skipped: the client waits for "+" and
 * gets the tagged BAD instead. Called right after NEED_CONTINUATION it
 * refuses the literal (see imap_parser_partial()). */
void imap_parser_reset(struct imap_parser *p);

/* --- helpers on arguments (arg may be NULL: false) --- */

/* arg is an ATOM or NIL equal to s, ASCII case-insensitively. */
bool imap_arg_atom_equals(const struct imap_arg *arg, const char *s);
/* ATOM (not NIL) */
bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r);
/* astring = ATOM (made of ASTRING-CHARs, '%' and '*'), NIL (as "NIL"),
 * quoted string or literal. */
bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r,
			  size_t *len_r);
/* string = quoted string or literal. */
bool imap_arg_get_string(const struct imap_arg *arg, const char **str_r,
			 size_t *len_r);
/* nstring = string or NIL (then *str_r = NULL, *len_r = 0). */
bool imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r,
			  size_t *len_r);
bool imap_arg_get_list(const struct imap_arg *arg,
		       const struct imap_arg **list_r, size_t *n_r);

/* A FETCH attribute atom taken apart:
 * "BODY.PEEK[HEADER.FIELDS (From)]<0.100>" -> name "BODY.PEEK",
 * section "HEADER.FIELDS (From)", partial 0 / 100. */
struct imap_fetch_att {
	const char *name; /* points into the atom */
	size_t name_len;
	bool has_section;
	const char *section; /* inside the brackets, may be empty */
	size_t section_len;
	bool has_partial;
	uint32_t partial_offset;
	uint32_t partial_len; /* > 0 */
};
/* 0 ok; -1 with *error_r (static) when brackets or <o.n> are malformed. */
int imap_fetch_att_split(const char *atom, size_t len,
			 struct imap_fetch_att *att_r, const char **error_r);

#endif
