/*
 * pop3_parse.c -- POP3 command lines into struct pop3_command (RFC 1939
 * 3, 5-7; RFC 2449 5; RFC 2595 4; RFC 5034 4). See pop3_parse.h.
 *
 * SECURITY: the input is raw client bytes. Lengths are checked before
 * anything else; NUL, CR and other control bytes anywhere are refused;
 * numbers are overflow-checked; results only point into the input.
 */
#include <string.h>
#include <strings.h>

#include "pop3_parse.h"

/* Argument shapes. */
enum pop3_args {
	POP3_ARGS_NONE,	     /* nothing after the keyword */
	POP3_ARGS_TEXT,	     /* the rest of the line, non-empty */
	POP3_ARGS_AUTH,	     /* mechanism [initial-response] */
	POP3_ARGS_OPT_NUM,   /* [msg] */
	POP3_ARGS_NUM,	     /* msg */
	POP3_ARGS_NUM_LINES, /* msg lines */
	POP3_ARGS_APOP,	     /* name digest (refused later, parsed here) */
};

static const struct pop3_keyword {
	const char *name;
	enum pop3_cmd cmd;
	enum pop3_args args;
} pop3_keywords[] = {
	{ "USER", POP3_CMD_USER, POP3_ARGS_TEXT },
	{ "PASS", POP3_CMD_PASS, POP3_ARGS_TEXT },
	{ "AUTH", POP3_CMD_AUTH, POP3_ARGS_AUTH },
	{ "APOP", POP3_CMD_APOP, POP3_ARGS_APOP },
	{ "CAPA", POP3_CMD_CAPA, POP3_ARGS_NONE },
	{ "STLS", POP3_CMD_STLS, POP3_ARGS_NONE },
	{ "QUIT", POP3_CMD_QUIT, POP3_ARGS_NONE },
	{ "STAT", POP3_CMD_STAT, POP3_ARGS_NONE },
	{ "LIST", POP3_CMD_LIST, POP3_ARGS_OPT_NUM },
	{ "UIDL", POP3_CMD_UIDL, POP3_ARGS_OPT_NUM },
	{ "RETR", POP3_CMD_RETR, POP3_ARGS_NUM },
	{ "TOP", POP3_CMD_TOP, POP3_ARGS_NUM_LINES },
	{ "DELE", POP3_CMD_DELE, POP3_ARGS_NUM },
	{ "NOOP", POP3_CMD_NOOP, POP3_ARGS_NONE },
	{ "RSET", POP3_CMD_RSET, POP3_ARGS_NONE },
};

const char *
pop3_cmd_name(enum pop3_cmd cmd)
{
	size_t i;

	for (i = 0; i < sizeof(pop3_keywords) / sizeof(pop3_keywords[0]); i++) {
		if (pop3_keywords[i].cmd == cmd)
			return pop3_keywords[i].name;
	}
	return "?";
}

/* One space-separated word at *p (spaces before it skipped). */
static size_t
pop3_word(const char **p, const char *end)
{
	const char *s;

	while (*p < end && **p == ' ')
		(*p)++;
	s = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	return (size_t)(*p - s);
}

/* Strict decimal in s[0..len): digits only, fits in uint32. */
static int
pop3_number(const char *s, size_t len, uint32_t *r)
{
	unsigned long long v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > POP3_MSGNUM_MAX)
		return -1;
	*r = (uint32_t)v;
	return 0;
}

static int
pop3_fail(const char **error_r, const char *text)
{
	*error_r = text;
	return -1;
}

/* Parses the arguments p..end of a command of the given shape. */
static int
pop3_parse_args(enum pop3_args args, const char *p, const char *end,
		struct pop3_command *c, const char **error_r)
{
	const char *w;
	size_t wl;

	switch (args) {
	case POP3_ARGS_NONE:
		if (p != end)
			return pop3_fail(error_r, "Noise after command");
		return 0;
	case POP3_ARGS_TEXT:
		/* Exactly one space, then everything (passwords may hold
		 * spaces and may begin with one in theory; RFC 1939 7). */
		if (p == end || p + 1 == end)
			return pop3_fail(error_r, "Missing argument");
		c->arg = p + 1;
		c->arg_len = (size_t)(end - p - 1);
		return 0;
	case POP3_ARGS_AUTH:
	case POP3_ARGS_APOP:
		wl = pop3_word(&p, end);
		if (wl == 0 && args == POP3_ARGS_AUTH)
			return 0; /* bare AUTH: list the mechanisms */
		if (wl == 0)
			return pop3_fail(error_r, "Missing argument");
		c->arg = p - wl;
		c->arg_len = wl;
		wl = pop3_word(&p, end);
		if (wl > 0) {
			c->arg2 = p - wl;
			c->arg2_len = wl;
		}
		if (pop3_word(&p, end) != 0)
			return pop3_fail(error_r, "Too many arguments");
		if (args == POP3_ARGS_APOP && c->arg2 == NULL)
			return pop3_fail(error_r, "Missing argument");
		return 0;
	case POP3_ARGS_OPT_NUM:
	case POP3_ARGS_NUM:
	case POP3_ARGS_NUM_LINES:
		break;
	}
	while (c->nums < 2 && (wl = pop3_word(&p, end)) > 0) {
		w = p - wl;
		if (pop3_number(w, wl, c->nums == 0 ? &c->num1 : &c->num2) < 0)
			return pop3_fail(error_r, "Invalid number");
		c->nums++;
	}
	if (pop3_word(&p, end) != 0)
		return pop3_fail(error_r, "Too many arguments");
	if (c->nums >= 1 && c->num1 == 0)
		return pop3_fail(error_r, "Invalid message number");
	if ((args == POP3_ARGS_OPT_NUM && c->nums > 1) ||
	    (args == POP3_ARGS_NUM && c->nums > 1) ||
	    (args == POP3_ARGS_NUM_LINES && c->nums > 2))
		return pop3_fail(error_r, "Too many arguments");
	if ((args == POP3_ARGS_NUM && c->nums != 1) ||
	    (args == POP3_ARGS_NUM_LINES && c->nums != 2))
		return pop3_fail(error_r, "Missing argument");
	return 0;
}

int
pop3_parse(const char *line, size_t len, struct pop3_command *cmd_r,
	   const char **error_r)
{
	const struct pop3_keyword *kw = NULL;
	const char *p = line, *end;
	size_t i, kwlen;

	memset(cmd_r, 0, sizeof(*cmd_r));
	if (len > POP3_AUTH_LINE_MAX_BYTES - 2)
		return pop3_fail(error_r, "Line too long");
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch < ' ' || ch == 0x7f)
			return pop3_fail(error_r, "Invalid characters in "
						  "command");
	}
	end = line + len;
	p = memchr(line, ' ', len);
	kwlen = p != NULL ? (size_t)(p - line) : len;
	for (i = 0; i < sizeof(pop3_keywords) / sizeof(pop3_keywords[0]); i++) {
		if (strlen(pop3_keywords[i].name) == kwlen &&
		    strncasecmp(pop3_keywords[i].name, line, kwlen) == 0) {
			kw = &pop3_keywords[i];
			break;
		}
	}
	if (kw == NULL)
		return pop3_fail(error_r, "Unknown command");
	if (kw->cmd != POP3_CMD_AUTH && len > POP3_CMD_MAX_BYTES - 2)
		return pop3_fail(error_r, "Line too long");
	cmd_r->cmd = kw->cmd;
	p = line + kwlen;
	/* Trailing spaces are a harmless telnet habit, except in USER and
	 * PASS, where they may belong to the name or the password. */
	if (kw->args != POP3_ARGS_TEXT) {
		while (end > p && end[-1] == ' ')
			end--;
	}
	if (pop3_parse_args(kw->args, p, end, cmd_r, error_r) < 0) {
		cmd_r->cmd = 0;
		return -1;
	}
	return 0;
}
