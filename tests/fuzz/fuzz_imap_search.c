/*
 * fuzz_imap_search.c -- libFuzzer target for lib/imap_search.c. The input
 * is "<search keys>\n<message>": the keys go through lib/imapparse as the
 * arguments of "t SEARCH ...", then through imap_search_parse(); a program
 * that parses is bound to a small mailbox and evaluated on the message,
 * once with the library's own header field extraction and once through a
 * field() accessor, which must agree. Checks: parse results are 0 with a
 * program or -1 with a reason; matching never fails on a well-behaved
 * accessor; imap_search_fold never grows its input and is idempotent.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "imap_search.h"
#include "imapparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fmsg {
	const char *p;
	size_t len;
};

static int
f_date(void *ctx, time_t *t_r, const char **error_r)
{
	(void)ctx;
	(void)error_r;
	*t_r = 760163400;
	return 0;
}

static int
f_field(void *ctx, const char *name, struct buf *out, bool *found_r,
	const char **error_r)
{
	struct fmsg *m = ctx;
	int r = imap_search_header_values(m->p, m->len, name, out);

	if (r < 0) {
		*error_r = "oom";
		return -1;
	}
	*found_r = r > 0;
	return 0;
}

static int
f_text(void *ctx, const char **p_r, size_t *len_r, const char **error_r)
{
	struct fmsg *m = ctx;

	(void)error_r;
	*p_r = m->p;
	*len_r = m->len;
	return 0;
}

static const struct imap_search_msg_ops ops_lib = { f_date, NULL, f_text,
						    f_text };
static const struct imap_search_msg_ops ops_field = { f_date, f_field, f_text,
						      f_text };

static int
f_kw(void *ctx, const char *name)
{
	(void)ctx;
	if (strcasecmp(name, "$label1") == 0)
		return 0;
	if (strcasecmp(name, "work") == 0)
		return 3;
	return -1;
}

static void
check_fold(const char *p, size_t len)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (imap_search_fold(p, len, &a) == 0) {
		if (a.len > len)
			abort();
		if (imap_search_fold(a.data, a.len, &b) == 0 &&
		    (b.len != a.len || memcmp(a.data, b.data, a.len) != 0))
			abort();
	}
	buf_free(&a);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t klen = nl != NULL ? (size_t)(nl - data) : size;
	struct fmsg msg = { nl != NULL ? (const char *)nl + 1 : "",
			    nl != NULL ? size - klen - 1 : 0 };
	struct imap_parser_limits l;
	struct imap_parser *parser;
	struct imap_search_program *prog = NULL;
	struct buf line = BUF_INIT;
	const struct imap_command *cmd;
	const char *error = NULL;
	size_t used, i;
	bool badcs;
	int r;

	check_fold(msg.p, msg.len);
	imap_parser_limits_postauth(&l, 65536);
	if ((parser = imap_parser_new(&l)) == NULL)
		return 0;
	if (buf_append(&line, "t SEARCH ", 9) < 0 ||
	    buf_append(&line, data, klen) < 0 ||
	    buf_append(&line, "\r\n", 2) < 0)
		goto out;
	if (imap_parser_feed(parser, (const unsigned char *)line.data, line.len,
			     &used) != IMAP_PARSE_COMMAND)
		goto out;
	cmd = imap_parser_command(parser);
	r = imap_search_parse(cmd->args, cmd->n, true, &prog, &badcs, &error);
	if (r < 0) {
		if (prog != NULL || error == NULL)
			abort();
		goto out;
	}
	if (prog == NULL)
		abort();
	imap_search_bind(prog, 5, 50, f_kw, NULL);
	for (i = 0; i < 5; i++) {
		struct imap_search_msg m = { (uint32_t)(i + 1),
					     (uint32_t)(i * 10 + 1),
					     (uint32_t)(i * 7) & 0x3f,
					     (uint32_t)i * 3,
					     msg.len + i * 100,
					     &ops_lib,
					     &msg };
		int r1, r2;

		r1 = imap_search_match(prog, &m, &error);
		m.ops = &ops_field;
		r2 = imap_search_match(prog, &m, &error);
		if (r1 != r2 || r1 < 0)
			abort();
	}
out:
	imap_search_free(&prog);
	buf_free(&line);
	imap_parser_free(&parser);
	return 0;
}
