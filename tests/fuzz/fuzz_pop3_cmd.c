/*
 * fuzz_pop3_cmd.c -- libFuzzer target for pop3_parse (lib/pop3_parse.c),
 * the POP3 command parser of quail-pop3d. The input is one command line.
 * Checks: a parsed command has a known keyword, its arguments point into
 * the input, numbers match the argument count and limits, message numbers
 * are never 0, and an error always comes with a one-line reply text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pop3_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *error = NULL;
	struct pop3_command c;

	if (pop3_parse(line, size, &c, &error) < 0) {
		if (error == NULL || strpbrk(error, "\r\n") != NULL ||
		    c.cmd != 0)
			abort();
		return 0;
	}
	if (c.cmd < POP3_CMD_USER || c.cmd > POP3_CMD_RSET ||
	    strcmp(pop3_cmd_name(c.cmd), "?") == 0)
		abort();
	if (c.arg != NULL && (c.arg < line || c.arg + c.arg_len > line + size))
		abort();
	if (c.arg2 != NULL &&
	    (c.arg2 < line || c.arg2 + c.arg2_len > line + size))
		abort();
	if (c.nums > 2 || (c.nums >= 1 && c.num1 == 0))
		abort();
	if (c.cmd != POP3_CMD_AUTH && size > POP3_CMD_MAX_BYTES - 2)
		abort();
	if (size > POP3_AUTH_LINE_MAX_BYTES - 2)
		abort();
	if ((c.cmd == POP3_CMD_RETR || c.cmd == POP3_CMD_DELE) && c.nums != 1)
		abort();
	if (c.cmd == POP3_CMD_TOP && c.nums != 2)
		abort();
	if (memchr(line, '\0', size) != NULL ||
	    memchr(line, '\r', size) != NULL)
		abort(); /* control bytes never pass */
	return 0;
}
