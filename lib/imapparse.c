/*
 * imapparse.c -- IMAP command push parser (RFC 3501 2.2, 4 and 9 formal
 * syntax; RFC 7888 LITERAL+/LITERAL-; RFC 3516 literal8). See imapparse.h.
 * The argument helpers (imap_arg_*, imap_fetch_att_split) are in imap_arg.c.
 *
 * A byte-at-a-time state machine (literal payloads are copied in bulk), so
 * that any split of the input gives the same result. Strings go into one
 * arena; tokens record offsets and the argument tree is built only when
 * the command is complete, so arena growth never leaves stale pointers.
 *
 * SECURITY: every byte is untrusted client input. The line length (all
 * non-literal bytes of a command), each literal, the whole command and the
 * list depth are bounded before memory is taken; literal sizes are
 * overflow-checked and refused before the client is told to send them;
 * NUL/CR/LF never pass inside strings; the tree builder recurses at most
 * list_depth_max (<= IMAP_PARSER_LIST_DEPTH_HARD_MAX) deep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "imapparse.h"

/* 2^64 has 20 digits: more is an overflow before any arithmetic. */
#define IMAP_LITERAL_SIZE_MAX_DIGITS 20
/* Buffers larger than this are freed between commands. */
#define IMAP_PARSER_KEEP_BYTES 16384

enum imap_parse_state {
	ST_TAG,
	ST_NAME_START,
	ST_NAME,
	ST_SEP,	  /* expecting an argument, SP, ')' or the line end */
	ST_AFTER, /* after an argument: SP, ')' or the line end */
	ST_ATOM,
	ST_BRACKET,
	ST_BRACKET_QUOTED,
	ST_BRACKET_ESCAPE,
	ST_QUOTED,
	ST_QUOTED_ESCAPE,
	ST_TILDE,
	ST_LITERAL_SIZE,
	ST_LITERAL_PLUS,
	ST_LITERAL_CR,
	ST_LITERAL_LF,
	ST_LITERAL_PENDING, /* "+" due: payload not started */
	ST_LITERAL_DATA,
	ST_CR,
	ST_DONE,	 /* COMMAND or ERROR returned; waiting for reset */
	ST_SKIP_LITERAL, /* after an error: rest of a literal being sent */
	ST_SKIP_LINE,	 /* after an error: up to and including LF */
};

/* Recognises "{n+}" CRLF while a failed line is skipped. */
enum imap_skip_literal {
	SKIP_LIT_NONE,
	SKIP_LIT_OPEN,	 /* '{' */
	SKIP_LIT_DIGITS, /* '{' 1*DIGIT */
	SKIP_LIT_PLUS,	 /* '{' 1*DIGIT '+' */
	SKIP_LIT_CLOSED, /* '{' 1*DIGIT '+' '}' [CR] */
};

struct imap_token {
	enum imap_arg_type type;
	size_t off, len; /* in the arena */
	size_t n;	 /* LIST: direct children */
	bool nonsync;
};

struct imap_parser {
	struct imap_parser_limits lim;
	enum imap_parse_state st;
	struct buf arena;
	struct imap_token *tok;
	size_t ntok, tok_cap;
	size_t stack[IMAP_PARSER_LIST_DEPTH_HARD_MAX]; /* open LIST tokens */
	unsigned depth;
	size_t top_n;
	bool have_tag, tag_done, have_name;
	size_t tag_off, name_off;
	size_t cur; /* token being read */
	uint64_t line_bytes, cmd_bytes;
	uint64_t lit_size, lit_left;
	unsigned lit_digits;
	bool lit8, lit_nonsync;
	/* outcome */
	bool complete;
	const char *error;
	bool fatal, toobig;
	enum imap_parse_state err_st; /* the state the error happened in */
	/* skipping after an error: literal payload still to come, and a
	 * watch for a "{n+}" that ends the skipped line */
	uint64_t skip_left;
	enum imap_skip_literal skip_lit;
	uint64_t skip_size;
	struct imap_command cmd;
	struct imap_arg *args_mem;
};

void
imap_parser_limits_preauth(struct imap_parser_limits *l)
{
	l->line_max_bytes = IMAP_PARSER_PREAUTH_LINE_MAX_BYTES;
	l->literal_max_bytes = IMAP_PARSER_PREAUTH_LINE_MAX_BYTES;
	l->nonsync_max_bytes = IMAP_LITERAL_MINUS_MAX_BYTES;
	l->command_max_bytes = IMAP_PARSER_PREAUTH_LINE_MAX_BYTES;
	l->list_depth_max = IMAP_PARSER_PREAUTH_LIST_DEPTH_MAX;
	l->literal8 = false;
}

void
imap_parser_limits_postauth(struct imap_parser_limits *l,
			    uint64_t literal_max_bytes)
{
	l->line_max_bytes = IMAP_PARSER_POSTAUTH_LINE_MAX_BYTES;
	l->literal_max_bytes = literal_max_bytes;
	l->nonsync_max_bytes = literal_max_bytes;
	l->command_max_bytes =
		literal_max_bytes + IMAP_PARSER_POSTAUTH_LINE_MAX_BYTES;
	l->list_depth_max = IMAP_PARSER_POSTAUTH_LIST_DEPTH_MAX;
	l->literal8 = true;
}

void
imap_parser_set_limits(struct imap_parser *p,
		       const struct imap_parser_limits *limits)
{
	p->lim = *limits;
	if (p->lim.list_depth_max > IMAP_PARSER_LIST_DEPTH_HARD_MAX)
		p->lim.list_depth_max = IMAP_PARSER_LIST_DEPTH_HARD_MAX;
}

struct imap_parser *
imap_parser_new(const struct imap_parser_limits *limits)
{
	struct imap_parser *p;

	if (limits == NULL || limits->line_max_bytes < 4) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	imap_parser_set_limits(p, limits);
	buf_init(&p->arena, 0);
	p->st = ST_TAG;
	return p;
}

/* Forgets the command; keeps allocations for the next one. */
static void
imap_parser_clear(struct imap_parser *p)
{
	/* an idle session should not keep the memory of a big APPEND */
	if (p->arena.cap > IMAP_PARSER_KEEP_BYTES)
		buf_free(&p->arena);
	if (p->tok_cap * sizeof(*p->tok) > IMAP_PARSER_KEEP_BYTES) {
		free(p->tok);
		p->tok = NULL;
		p->tok_cap = 0;
	}
	buf_reset(&p->arena);
	p->ntok = 0;
	p->depth = 0;
	p->top_n = 0;
	p->have_tag = p->tag_done = p->have_name = false;
	p->line_bytes = p->cmd_bytes = 0;
	p->complete = false;
	p->error = NULL;
	p->toobig = false;
	free(p->args_mem);
	p->args_mem = NULL;
	memset(&p->cmd, 0, sizeof(p->cmd));
}

void
imap_parser_free(struct imap_parser **pp)
{
	struct imap_parser *p = *pp;

	if (p == NULL)
		return;
	imap_parser_clear(p);
	buf_free(&p->arena);
	free(p->tok);
	free(p);
	*pp = NULL;
}

/* Seeds the skipper with a literal header the error interrupted. */
static void
imap_skip_seed(struct imap_parser *p)
{
	p->skip_size = p->lit_size;
	switch (p->err_st) {
	case ST_LITERAL_SIZE:
		p->skip_lit = p->lit_digits > 0 ? SKIP_LIT_DIGITS
						: SKIP_LIT_OPEN;
		break;
	case ST_LITERAL_PLUS:
		p->skip_lit = SKIP_LIT_PLUS;
		break;
	case ST_LITERAL_CR:
	case ST_LITERAL_LF:
		p->skip_lit = p->lit_nonsync ? SKIP_LIT_CLOSED : SKIP_LIT_NONE;
		break;
	default:
		p->skip_lit = SKIP_LIT_NONE;
		break;
	}
}

void
imap_parser_reset(struct imap_parser *p)
{
	bool had_error = p->error != NULL;

	if (p->fatal)
		return; /* stays failed: the server disconnects */
	if (had_error)
		imap_skip_seed(p);
	imap_parser_clear(p);
	if (!had_error)
		p->st = ST_TAG;
	else if (p->skip_left > 0)
		p->st = ST_SKIP_LITERAL;
	else
		p->st = ST_SKIP_LINE;
}

const struct imap_command *
imap_parser_command(const struct imap_parser *p)
{
	return p->complete ? &p->cmd : NULL;
}

const char *
imap_parser_error(const struct imap_parser *p)
{
	return p->error;
}

const char *
imap_parser_tag(const struct imap_parser *p)
{
	return p->tag_done ? p->arena.data + p->tag_off : NULL;
}

bool
imap_parser_error_fatal(const struct imap_parser *p)
{
	return p->fatal;
}

bool
imap_parser_error_toobig(const struct imap_parser *p)
{
	return p->toobig;
}

/* --- character classes (RFC 3501 9) --- */

/* Bytes allowed in an atom as read: ATOM-CHAR plus ']' (resp-specials),
 * '%' '*' (list-wildcards) and '\' (flags). No 8-bit, no CTL. */
static bool
imap_is_atom_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return c != '(' && c != ')' && c != '{' && c != '"';
}

/* tag = 1*<any ASTRING-CHAR except "+"> */
static bool
imap_is_tag_char(unsigned char c)
{
	return imap_is_atom_char(c) && c != '%' && c != '*' && c != '\\' &&
	       c != '+';
}

/* --- building --- */

static enum imap_parse_result
imap_fail(struct imap_parser *p, const char *reason)
{
	p->err_st = p->st;
	p->error = reason;
	p->st = ST_DONE;
	return IMAP_PARSE_ERROR;
}

static enum imap_parse_result
imap_fail_nomem(struct imap_parser *p)
{
	p->fatal = true;
	return imap_fail(p, "Out of memory");
}

static int
imap_arena_putc(struct imap_parser *p, unsigned char c)
{
	return buf_putc(&p->arena, (char)c);
}

/* Opens a token of type t at the current arena end. */
static int
imap_token_open(struct imap_parser *p, enum imap_arg_type t)
{
	struct imap_token *nt;
	size_t ncap;

	if (p->ntok == p->tok_cap) {
		ncap = p->tok_cap ? p->tok_cap * 2 : 16;
		if (ncap > SIZE_MAX / sizeof(*nt))
			return -1;
		nt = realloc(p->tok, ncap * sizeof(*nt));
		if (nt == NULL)
			return -1;
		p->tok = nt;
		p->tok_cap = ncap;
	}
	p->cur = p->ntok++;
	p->tok[p->cur].type = t;
	p->tok[p->cur].off = p->arena.len;
	p->tok[p->cur].len = 0;
	p->tok[p->cur].n = 0;
	p->tok[p->cur].nonsync = false;
	if (p->depth > 0)
		p->tok[p->stack[p->depth - 1]].n++;
	else
		p->top_n++;
	return 0;
}

/* Ends the string of the current token (NUL-terminates it). */
static int
imap_token_close(struct imap_parser *p)
{
	struct imap_token *t = &p->tok[p->cur];

	t->len = p->arena.len - t->off;
	if (t->type == IMAP_ARG_ATOM && t->len == 3 &&
	    strncasecmp(p->arena.data + t->off, "NIL", 3) == 0)
		t->type = IMAP_ARG_NIL;
	return buf_putc(&p->arena, '\0');
}

/* Lays out the children of count tokens starting at ti into out[];
 * returns the index after them. Recursion depth <= list depth. */
static size_t
imap_build(struct imap_parser *p, size_t ti, size_t count, struct imap_arg *out,
	   size_t *cursor)
{
	size_t k;

	for (k = 0; k < count; k++) {
		struct imap_token *t = &p->tok[ti];
		struct imap_arg *a = &out[k];

		a->type = t->type;
		a->nonsync = t->nonsync;
		if (t->type == IMAP_ARG_LIST) {
			a->str = NULL;
			a->len = 0;
			a->n = t->n;
			a->list = t->n > 0 ? p->args_mem + *cursor : NULL;
			*cursor += t->n;
			ti = imap_build(p, ti + 1, t->n, a->list, cursor);
		} else {
			a->str = p->arena.data + t->off;
			a->len = t->len;
			a->list = NULL;
			a->n = 0;
			ti++;
		}
	}
	return ti;
}

/* Builds p->cmd from the tokens read so far; -1 out of memory. */
static int
imap_build_command(struct imap_parser *p)
{
	size_t cursor;

	free(p->args_mem);
	p->args_mem = NULL;
	if (p->ntok > 0) {
		p->args_mem = calloc(p->ntok, sizeof(*p->args_mem));
		if (p->args_mem == NULL)
			return -1;
		cursor = p->top_n;
		imap_build(p, 0, p->top_n, p->args_mem, &cursor);
	}
	p->cmd.tag = p->arena.data + p->tag_off;
	p->cmd.name = p->arena.data + p->name_off;
	p->cmd.args = p->args_mem;
	p->cmd.n = p->top_n;
	return 0;
}

const struct imap_command *
imap_parser_partial(struct imap_parser *p)
{
	if (p->st != ST_LITERAL_PENDING || imap_build_command(p) < 0)
		return NULL;
	return &p->cmd;
}

uint64_t
imap_parser_literal_size(const struct imap_parser *p)
{
	return p->st == ST_LITERAL_PENDING ? p->lit_size : 0;
}

/* The line ended (LF consumed). */
static enum imap_parse_result
imap_line_end(struct imap_parser *p)
{
	if (p->depth > 0)
		return imap_fail(p, "Missing ')'");
	if (imap_build_command(p) < 0)
		return imap_fail_nomem(p);
	p->complete = true;
	p->st = ST_DONE;
	return IMAP_PARSE_COMMAND;
}

/* Does the atom being read name a FETCH attribute with a section? */
static bool
imap_atom_takes_section(const struct imap_parser *p)
{
	static const char *const names[] = { "BODY", "BODY.PEEK", "BINARY",
					     "BINARY.PEEK", "BINARY.SIZE" };
	const struct imap_token *t = &p->tok[p->cur];
	size_t len = p->arena.len - t->off, i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) == len &&
		    strncasecmp(p->arena.data + t->off, names[i], len) == 0)
			return true;
	}
	return false;
}

/* Checks an announced literal against the limits (at its '}'). */
static enum imap_parse_result
imap_literal_check(struct imap_parser *p)
{
	/* the client sends a {n+} payload without waiting: no resync */
	p->fatal = p->lit_nonsync;
	p->toobig = true;
	if (p->lit_nonsync && p->lim.nonsync_max_bytes == 0) {
		p->toobig = false;
		return imap_fail(p, "Non-synchronizing literals not allowed");
	}
	if (p->lit_size > p->lim.literal_max_bytes)
		return imap_fail(p, "Literal too large");
	if (p->lit_nonsync && p->lit_size > p->lim.nonsync_max_bytes)
		return imap_fail(p, "Non-synchronizing literal too large");
	/* the CRLF after '}' and the one ending the command still come */
	if (p->lim.command_max_bytes - p->cmd_bytes < 4 ||
	    p->lit_size > p->lim.command_max_bytes - p->cmd_bytes - 4)
		return imap_fail(p, "Command too large");
	p->fatal = p->toobig = false;
	p->st = ST_LITERAL_CR;
	return IMAP_PARSE_NEED_MORE;
}

/* The payload of the announced literal starts: its token opens now (for
 * a synchronising one only when the client sends after "+", so that
 * imap_parser_partial() shows the arguments before it). */
static enum imap_parse_result
imap_literal_open(struct imap_parser *p)
{
	enum imap_arg_type t = p->lit8 ? IMAP_ARG_LITERAL8 : IMAP_ARG_LITERAL;

	if (imap_token_open(p, t) < 0 ||
	    buf_reserve(&p->arena, (size_t)p->lit_size + 1) < 0)
		return imap_fail_nomem(p);
	p->tok[p->cur].nonsync = p->lit_nonsync;
	p->cmd_bytes += p->lit_size;
	p->lit_left = p->lit_size;
	if (p->lit_left == 0) {
		if (imap_token_close(p) < 0)
			return imap_fail_nomem(p);
		p->st = ST_AFTER;
	} else {
		p->st = ST_LITERAL_DATA;
	}
	return IMAP_PARSE_NEED_MORE;
}

/* The CRLF after {n} is in. */
static enum imap_parse_result
imap_literal_begin(struct imap_parser *p)
{
	if (p->lit_nonsync)
		return imap_literal_open(p);
	p->st = ST_LITERAL_PENDING;
	return IMAP_PARSE_NEED_CONTINUATION;
}

/* Starts the argument whose first byte is c (state ST_SEP). */
static enum imap_parse_result
imap_arg_start(struct imap_parser *p, unsigned char c)
{
	switch (c) {
	case '(':
		if (p->depth >= p->lim.list_depth_max)
			return imap_fail(p, "Too deeply nested lists");
		if (imap_token_open(p, IMAP_ARG_LIST) < 0)
			return imap_fail_nomem(p);
		p->stack[p->depth++] = p->cur;
		p->st = ST_SEP;
		return IMAP_PARSE_NEED_MORE;
	case '"':
		if (imap_token_open(p, IMAP_ARG_STRING) < 0)
			return imap_fail_nomem(p);
		p->st = ST_QUOTED;
		return IMAP_PARSE_NEED_MORE;
	case '{':
		p->lit8 = false;
		p->lit_nonsync = false;
		p->lit_size = 0;
		p->lit_digits = 0;
		p->st = ST_LITERAL_SIZE;
		return IMAP_PARSE_NEED_MORE;
	case '~':
		p->st = ST_TILDE;
		return IMAP_PARSE_NEED_MORE;
	}
	if (!imap_is_atom_char(c))
		return imap_fail(p, "Invalid characters in atom");
	if (imap_token_open(p, IMAP_ARG_ATOM) < 0 || imap_arena_putc(p, c) < 0)
		return imap_fail_nomem(p);
	p->st = ST_ATOM;
	return IMAP_PARSE_NEED_MORE;
}

/* ')' closing a list. */
static enum imap_parse_result
imap_list_close(struct imap_parser *p)
{
	if (p->depth == 0)
		return imap_fail(p, "Unexpected ')'");
	p->depth--;
	p->st = ST_AFTER;
	return IMAP_PARSE_NEED_MORE;
}

/* SP, CR, LF or ')' ending an atom or following an argument. */
static enum imap_parse_result
imap_separator(struct imap_parser *p, unsigned char c)
{
	switch (c) {
	case ' ':
		p->st = ST_SEP;
		return IMAP_PARSE_NEED_MORE;
	case ')':
		return imap_list_close(p);
	case '\r':
		p->st = ST_CR;
		return IMAP_PARSE_NEED_MORE;
	case '\n':
		return imap_line_end(p);
	}
	return imap_fail(p, "Missing space after argument");
}

static enum imap_parse_result
imap_step_tag(struct imap_parser *p, unsigned char c)
{
	if (c == '\n' || c == '\r') {
		if (p->have_tag) { /* "a" alone: the tag is good, answer it */
			if (imap_arena_putc(p, '\0') < 0)
				return imap_fail_nomem(p);
			p->tag_done = true;
		}
		return imap_fail(p, p->have_tag ? "Missing command name"
						: "Empty command line");
	}
	if (c == ' ') {
		if (!p->have_tag)
			return imap_fail(p, "Missing tag");
		if (imap_arena_putc(p, '\0') < 0)
			return imap_fail_nomem(p);
		p->tag_done = true;
		p->st = ST_NAME_START;
		return IMAP_PARSE_NEED_MORE;
	}
	if (!imap_is_tag_char(c))
		return imap_fail(p, "Invalid characters in tag");
	if (!p->have_tag) {
		p->have_tag = true;
		p->tag_off = p->arena.len;
	}
	if (imap_arena_putc(p, c) < 0)
		return imap_fail_nomem(p);
	return IMAP_PARSE_NEED_MORE;
}

static enum imap_parse_result
imap_step_name(struct imap_parser *p, unsigned char c)
{
	if (c == ' ' || c == '\r' || c == '\n') {
		if (!p->have_name) {
			if (c == ' ')
				return IMAP_PARSE_NEED_MORE;
			if (c == '\n')
				return imap_fail(p, "Missing command name");
			return imap_fail(p, "Missing command name");
		}
		if (imap_arena_putc(p, '\0') < 0)
			return imap_fail_nomem(p);
		return imap_separator(p, c);
	}
	if (!imap_is_atom_char(c) || c == '[' || c == ']' || c == '%' ||
	    c == '*' || c == '\\')
		return imap_fail(p, "Invalid characters in command name");
	if (!p->have_name) {
		p->have_name = true;
		p->name_off = p->arena.len;
		p->st = ST_NAME;
	}
	if (imap_arena_putc(p, c) < 0)
		return imap_fail_nomem(p);
	return IMAP_PARSE_NEED_MORE;
}

static enum imap_parse_result
imap_step_atom(struct imap_parser *p, unsigned char c)
{
	if (c == ' ' || c == ')' || c == '\r' || c == '\n') {
		if (imap_token_close(p) < 0)
			return imap_fail_nomem(p);
		return imap_separator(p, c);
	}
	if (!imap_is_atom_char(c))
		return imap_fail(p, "Invalid characters in atom");
	if (c == '[' && imap_atom_takes_section(p))
		p->st = ST_BRACKET;
	if (imap_arena_putc(p, c) < 0)
		return imap_fail_nomem(p);
	return IMAP_PARSE_NEED_MORE;
}

/* Inside BODY[...]: one atom, spaces, parens and quoted strings kept raw. */
static enum imap_parse_result
imap_step_bracket(struct imap_parser *p, unsigned char c)
{
	switch (p->st) {
	case ST_BRACKET:
		if (c == '\n')
			return imap_fail(p, "Missing ']'");
		if (c == '\r')
			return imap_fail(p, "Missing ']'");
		if (c == '[')
			return imap_fail(p, "Nested '[' in section");
		if (c == '{')
			return imap_fail(p, "Literal inside section");
		if (c < 0x20 || c >= 0x7f)
			return imap_fail(p, "Invalid characters in section");
		if (c == ']')
			p->st = ST_ATOM;
		else if (c == '"')
			p->st = ST_BRACKET_QUOTED;
		break;
	case ST_BRACKET_QUOTED:
		if (c == '\n')
			return imap_fail(p, "Missing '\"'");
		if (c == '\0' || c == '\r')
			return imap_fail(p, "Invalid characters in quoted "
					    "string");
		if (c == '"')
			p->st = ST_BRACKET;
		else if (c == '\\')
			p->st = ST_BRACKET_ESCAPE;
		break;
	default: /* ST_BRACKET_ESCAPE */
		if (c == '\n')
			return imap_fail(p, "Invalid escape in quoted "
					    "string");
		if (c != '"' && c != '\\')
			return imap_fail(p, "Invalid escape in quoted string");
		p->st = ST_BRACKET_QUOTED;
		break;
	}
	if (imap_arena_putc(p, c) < 0)
		return imap_fail_nomem(p);
	return IMAP_PARSE_NEED_MORE;
}

static enum imap_parse_result
imap_step_quoted(struct imap_parser *p, unsigned char c)
{
	if (c == '\n')
		return imap_fail(p, "Missing '\"'");
	if (p->st == ST_QUOTED_ESCAPE) {
		if (c != '"' && c != '\\')
			return imap_fail(p, "Invalid escape in quoted string");
		p->st = ST_QUOTED;
	} else if (c == '"') {
		if (imap_token_close(p) < 0)
			return imap_fail_nomem(p);
		p->st = ST_AFTER;
		return IMAP_PARSE_NEED_MORE;
	} else if (c == '\\') {
		p->st = ST_QUOTED_ESCAPE;
		return IMAP_PARSE_NEED_MORE;
	} else if (c == '\0' || c == '\r') {
		return imap_fail(p, "Invalid characters in quoted string");
	}
	if (imap_arena_putc(p, c) < 0)
		return imap_fail_nomem(p);
	return IMAP_PARSE_NEED_MORE;
}

static enum imap_parse_result
imap_step_literal(struct imap_parser *p, unsigned char c)
{
	switch (p->st) {
	case ST_TILDE:
		if (c == '{') {
			if (!p->lim.literal8)
				return imap_fail(p, "literal8 not allowed");
			p->lit8 = true;
			p->lit_nonsync = false;
			p->lit_size = 0;
			p->lit_digits = 0;
			p->st = ST_LITERAL_SIZE;
			return IMAP_PARSE_NEED_MORE;
		}
		/* "~name" is an ordinary atom */
		if (imap_token_open(p, IMAP_ARG_ATOM) < 0 ||
		    imap_arena_putc(p, '~') < 0)
			return imap_fail_nomem(p);
		p->st = ST_ATOM;
		return imap_step_atom(p, c);
	case ST_LITERAL_SIZE:
		if (c >= '0' && c <= '9') {
			if (++p->lit_digits > IMAP_LITERAL_SIZE_MAX_DIGITS ||
			    p->lit_size > (UINT64_MAX - (c - '0')) / 10) {
				p->toobig = true;
				return imap_fail(p, "Literal too large");
			}
			p->lit_size = p->lit_size * 10 + (uint64_t)(c - '0');
			return IMAP_PARSE_NEED_MORE;
		}
		if (p->lit_digits > 0 && c == '+') {
			p->lit_nonsync = true;
			p->st = ST_LITERAL_PLUS;
			return IMAP_PARSE_NEED_MORE;
		}
		if (p->lit_digits > 0 && c == '}')
			return imap_literal_check(p);
		break;
	case ST_LITERAL_PLUS:
		if (c == '}')
			return imap_literal_check(p);
		break;
	case ST_LITERAL_CR:
		if (c == '\r') {
			p->st = ST_LITERAL_LF;
			return IMAP_PARSE_NEED_MORE;
		}
		if (c == '\n')
			return imap_literal_begin(p);
		p->fatal = p->lit_nonsync;
		return imap_fail(p, "Missing CRLF after literal size");
	default: /* ST_LITERAL_LF */
		if (c == '\n')
			return imap_literal_begin(p);
		p->fatal = p->lit_nonsync;
		return imap_fail(p, "Missing LF after literal size");
	}
	if (c == '\n')
		return imap_fail(p, "Invalid literal size");
	return imap_fail(p, "Invalid literal size");
}

/* Copies literal payload in bulk; returns bytes taken from in. */
static size_t
imap_literal_data(struct imap_parser *p, const unsigned char *in, size_t len,
		  enum imap_parse_result *r)
{
	size_t n = len;
	const unsigned char *nul;

	if (n > p->lit_left)
		n = (size_t)p->lit_left;
	*r = IMAP_PARSE_NEED_MORE;
	if (!p->lit8 && (nul = memchr(in, '\0', n)) != NULL) {
		/* UNSAFE: nul is inside in[0..n) */
		size_t at = (size_t)(nul - in) + 1;

		p->skip_left = p->lit_left - at;
		*r = imap_fail(p, "NUL in literal");
		return at;
	}
	/* room was reserved in imap_literal_begin() */
	memcpy(p->arena.data + p->arena.len, in, n);
	p->arena.len += n;
	p->arena.data[p->arena.len] = '\0';
	p->lit_left -= n;
	if (p->lit_left == 0) {
		if (imap_token_close(p) < 0)
			*r = imap_fail_nomem(p);
		else
			p->st = ST_AFTER;
	}
	return n;
}

/* One byte of the line (not literal payload). */
static enum imap_parse_result
imap_step(struct imap_parser *p, unsigned char c)
{
	switch (p->st) {
	case ST_TAG:
		return imap_step_tag(p, c);
	case ST_NAME_START:
	case ST_NAME:
		return imap_step_name(p, c);
	case ST_SEP:
		if (c == ' ')
			return IMAP_PARSE_NEED_MORE;
		if (c == ')' || c == '\r' || c == '\n')
			return imap_separator(p, c);
		return imap_arg_start(p, c);
	case ST_AFTER:
		return imap_separator(p, c);
	case ST_ATOM:
		return imap_step_atom(p, c);
	case ST_BRACKET:
	case ST_BRACKET_QUOTED:
	case ST_BRACKET_ESCAPE:
		return imap_step_bracket(p, c);
	case ST_QUOTED:
	case ST_QUOTED_ESCAPE:
		return imap_step_quoted(p, c);
	case ST_TILDE:
	case ST_LITERAL_SIZE:
	case ST_LITERAL_PLUS:
	case ST_LITERAL_CR:
	case ST_LITERAL_LF:
		return imap_step_literal(p, c);
	case ST_CR:
		if (c == '\n')
			return imap_line_end(p);
		return imap_fail(p, "CR without LF");
	default:
		break;
	}
	p->fatal = true;
	return imap_fail(p, "Parser used after an error");
}

/* Discards a failed line up to and including its LF; a "{n+}" ending it
 * announces payload the client sends anyway, which is skipped next.
 * Returns the bytes taken. */
static size_t
imap_skip_line(struct imap_parser *p, const unsigned char *in, size_t len,
	       enum imap_parse_result *r)
{
	size_t k;

	*r = IMAP_PARSE_NEED_MORE;
	for (k = 0; k < len; k++) {
		unsigned char c = in[k];

		if (c == '\n') {
			if (p->skip_lit != SKIP_LIT_CLOSED) {
				p->st = ST_TAG;
			} else if (p->skip_size > p->lim.nonsync_max_bytes) {
				p->fatal = p->toobig = true;
				*r = imap_fail(p, "Non-synchronizing literal "
						  "too large");
				return k + 1;
			} else {
				p->skip_left = p->skip_size;
				p->st = p->skip_left > 0 ? ST_SKIP_LITERAL
							 : ST_SKIP_LINE;
			}
			p->skip_lit = SKIP_LIT_NONE;
			return k + 1;
		}
		if (c == '{') {
			p->skip_lit = SKIP_LIT_OPEN;
			p->skip_size = 0;
		} else if (c >= '0' && c <= '9' &&
			   (p->skip_lit == SKIP_LIT_OPEN ||
			    p->skip_lit == SKIP_LIT_DIGITS)) {
			p->skip_lit = SKIP_LIT_DIGITS;
			/* saturates: too large either way */
			if (p->skip_size > (UINT64_MAX - 9) / 10)
				p->skip_size = UINT64_MAX;
			else
				p->skip_size = p->skip_size * 10 + (c - '0');
		} else if (c == '+' && p->skip_lit == SKIP_LIT_DIGITS) {
			p->skip_lit = SKIP_LIT_PLUS;
		} else if (c == '}' && p->skip_lit == SKIP_LIT_PLUS) {
			p->skip_lit = SKIP_LIT_CLOSED;
		} else if (!(c == '\r' && p->skip_lit == SKIP_LIT_CLOSED)) {
			p->skip_lit = SKIP_LIT_NONE;
		}
	}
	return len;
}

enum imap_parse_result
imap_parser_feed(struct imap_parser *p, const unsigned char *in, size_t len,
		 size_t *used_r)
{
	enum imap_parse_result r = IMAP_PARSE_NEED_MORE;
	size_t i = 0;

	*used_r = 0;
	if (p->st == ST_DONE) {
		p->fatal = true;
		if (p->error == NULL)
			p->error = "Parser used without reset";
		return IMAP_PARSE_ERROR;
	}
	while (i < len) {
		if (p->st == ST_SKIP_LITERAL) {
			size_t n = len - i;

			if (n > p->skip_left)
				n = (size_t)p->skip_left;
			i += n;
			p->skip_left -= n;
			if (p->skip_left == 0)
				p->st = ST_SKIP_LINE;
			continue;
		}
		if (p->st == ST_SKIP_LINE) {
			i += imap_skip_line(p, in + i, len - i, &r);
			if (r != IMAP_PARSE_NEED_MORE)
				break;
			continue;
		}
		if (p->st == ST_LITERAL_PENDING) {
			r = imap_literal_open(p);
			if (r != IMAP_PARSE_NEED_MORE)
				break;
			continue;
		}
		if (p->st == ST_LITERAL_DATA) {
			i += imap_literal_data(p, in + i, len - i, &r);
			if (r != IMAP_PARSE_NEED_MORE)
				break;
			continue;
		}
		/* every non-literal byte counts against the line limit; the
		 * byte that fails is left for the skipper (it may be the LF
		 * or part of a literal header) */
		if (++p->line_bytes > p->lim.line_max_bytes ||
		    ++p->cmd_bytes > p->lim.command_max_bytes) {
			p->toobig = true;
			r = imap_fail(p, "Command line too long");
			break;
		}
		r = imap_step(p, in[i]);
		if (r == IMAP_PARSE_ERROR)
			break;
		i++;
		if (r != IMAP_PARSE_NEED_MORE)
			break;
	}
	*used_r = i;
	return r;
}
