/*
 * fuzz_imapparse.c -- libFuzzer target for lib/imapparse.c, the IMAP
 * command push parser. The first byte picks the limits (pre-login,
 * post-login, tiny) and a chunk pattern; the rest is client input.
 * Checks: the transcript (commands, continuation requests, errors) is the
 * same fed whole and fed in chunks; every command has a valid tag and
 * name; every string is NUL-terminated, quoted strings hold no CR/LF/NUL,
 * literals no NUL; lists never nest past the limit; used never exceeds
 * the input; errors carry a one-line reason. At a continuation request the
 * partial command is checked too, and (top bit of the first byte) literals
 * of odd size are refused as a server would, by a reset.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imapparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_args(const struct imap_arg *a, size_t n, unsigned depth,
	   const struct imap_parser_limits *l, struct buf *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_putc(o, (char)('0' + a[i].type));
		if (a[i].type == IMAP_ARG_LIST) {
			if (depth + 1 > l->list_depth_max)
				abort();
			if ((a[i].n == 0) != (a[i].list == NULL))
				abort();
			buf_putc(o, '(');
			check_args(a[i].list, a[i].n, depth + 1, l, o);
			buf_putc(o, ')');
			continue;
		}
		if (a[i].str == NULL || a[i].str[a[i].len] != '\0')
			abort();
		if (a[i].type != IMAP_ARG_LITERAL8 &&
		    memchr(a[i].str, '\0', a[i].len) != NULL)
			abort();
		if ((a[i].type == IMAP_ARG_STRING ||
		     a[i].type == IMAP_ARG_ATOM || a[i].type == IMAP_ARG_NIL) &&
		    (memchr(a[i].str, '\r', a[i].len) != NULL ||
		     memchr(a[i].str, '\n', a[i].len) != NULL))
			abort();
		if (a[i].type == IMAP_ARG_ATOM && a[i].len == 0)
			abort();
		if (a[i].type == IMAP_ARG_LITERAL8 && !l->literal8)
			abort();
		if (a[i].len > l->literal_max_bytes &&
		    a[i].len > l->line_max_bytes)
			abort();
		buf_printf(o, "%zu:", a[i].len);
		buf_append(o, a[i].str, a[i].len);
	}
}

/* Feeds in chunks of at most chunk bytes (0: whole); the transcript. */
static void
run(const struct imap_parser_limits *l, const unsigned char *in, size_t len,
    size_t chunk, bool refuse, struct buf *o)
{
	struct imap_parser *p = imap_parser_new(l);
	size_t pos = 0, used, end;
	enum imap_parse_result r;
	unsigned rounds = 0;

	if (p == NULL)
		abort();
	while (pos < len) {
		if (++rounds > 2 * len + 10)
			abort(); /* no progress */
		end = chunk == 0 || len - pos < chunk ? len : pos + chunk;
		r = imap_parser_feed(p, in + pos, end - pos, &used);
		if (used > end - pos)
			abort();
		pos += used;
		if (r == IMAP_PARSE_NEED_MORE) {
			if (pos != end)
				abort();
		} else if (r == IMAP_PARSE_NEED_CONTINUATION) {
			const struct imap_command *c = imap_parser_partial(p);
			uint64_t size = imap_parser_literal_size(p);

			if (c == NULL || imap_parser_command(p) != NULL)
				abort();
			buf_printf(o, "+%llu %s %s ", (unsigned long long)size,
				   c->tag, c->name);
			check_args(c->args, c->n, 0, l, o);
			buf_putc(o, ';');
			if (refuse && size % 2 == 1) {
				/* the server answers NO instead of "+" */
				imap_parser_reset(p);
				buf_append_str(o, "R;");
			}
		} else if (r == IMAP_PARSE_COMMAND) {
			const struct imap_command *c = imap_parser_command(p);
			const char *t;

			if (c == NULL || c->tag[0] == '\0' ||
			    c->name[0] == '\0')
				abort();
			for (t = c->tag; *t != '\0'; t++) {
				if (*t <= ' ' || *t >= 0x7f || *t == '+' ||
				    *t == '*' || *t == '(' || *t == '"')
					abort();
			}
			buf_printf(o, "C %s %s ", c->tag, c->name);
			check_args(c->args, c->n, 0, l, o);
			buf_putc(o, ';');
			imap_parser_reset(p);
		} else {
			const char *e = imap_parser_error(p);

			if (r != IMAP_PARSE_ERROR || e == NULL ||
			    strpbrk(e, "\r\n") != NULL ||
			    imap_parser_command(p) != NULL)
				abort();
			buf_printf(o, "E %s %s;",
				   imap_parser_tag(p) ? imap_parser_tag(p)
						      : "*",
				   e);
			if (imap_parser_error_fatal(p))
				break;
			imap_parser_reset(p);
		}
	}
	imap_parser_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits l;
	struct buf whole, split;
	size_t chunk;
	bool refuse;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		imap_parser_limits_preauth(&l);
		break;
	case 1:
		imap_parser_limits_postauth(&l, 1 << 20);
		break;
	case 2:
		imap_parser_limits_postauth(&l, 16);
		l.line_max_bytes = 40;
		l.command_max_bytes = 60;
		l.list_depth_max = 2;
		break;
	default:
		imap_parser_limits_postauth(&l, 100);
		l.nonsync_max_bytes = 0;
		l.literal8 = false;
		break;
	}
	chunk = (size_t)((data[0] >> 2) & 0x1f) % 7 + 1;
	buf_init(&whole, 0);
	buf_init(&split, 0);
	refuse = (data[0] & 0x80) != 0;
	run(&l, data + 1, size - 1, 0, refuse, &whole);
	run(&l, data + 1, size - 1, chunk, refuse, &split);
	if (whole.len != split.len ||
	    (whole.len > 0 && memcmp(whole.data, split.data, whole.len) != 0))
		abort(); /* split feeding changed the result */
	buf_free(&whole);
	buf_free(&split);
	return 0;
}
