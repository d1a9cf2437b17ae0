/*
 * test_pop3_cmd.c -- lib/pop3_parse.c, the POP3 command parser of
 * quail-pop3d: every command with good and bad arguments, case, spaces,
 * message numbers at the uint32 limit and past it, line lengths at
 * limit-1/limit/limit+1 for commands and AUTH lines, control bytes, NUL,
 * 8-bit, and a sweep over every single-byte corruption of valid lines.
 */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3_parse.h"

struct good_case {
	const char *line;
	enum pop3_cmd cmd;
	unsigned nums;
	uint32_t num1, num2;
	const char *arg;  /* expected arg (NULL: none) */
	const char *arg2; /* expected arg2 (NULL: none) */
};

static const struct good_case good[] = {
	{ "USER myuser@mycompany.com", POP3_CMD_USER, 0, 0, 0,
	  "myuser@mycompany.com", NULL },
	{ "user x", POP3_CMD_USER, 0, 0, 0, "x", NULL },
	{ "PASS mypassword", POP3_CMD_PASS, 0, 0, 0, "mypassword", NULL },
	{ "PASS my pass word ", POP3_CMD_PASS, 0, 0, 0, "my pass word ", NULL },
	{ "PASS  lead", POP3_CMD_PASS, 0, 0, 0, " lead", NULL },
	{ "PASS \xc3\xa9t\xc3\xa9", POP3_CMD_PASS, 0, 0, 0, "\xc3\xa9t\xc3\xa9",
	  NULL },
	{ "AUTH", POP3_CMD_AUTH, 0, 0, 0, NULL, NULL },
	{ "AUTH PLAIN", POP3_CMD_AUTH, 0, 0, 0, "PLAIN", NULL },
	{ "auth plain AG15dXNlcgBteXBhc3M=", POP3_CMD_AUTH, 0, 0, 0, "plain",
	  "AG15dXNlcgBteXBhc3M=" },
	{ "AUTH LOGIN =", POP3_CMD_AUTH, 0, 0, 0, "LOGIN", "=" },
	{ "APOP mrose c4c9334bac560ecc979e58001b3e22fb", POP3_CMD_APOP, 0, 0, 0,
	  "mrose", "c4c9334bac560ecc979e58001b3e22fb" },
	{ "CAPA", POP3_CMD_CAPA, 0, 0, 0, NULL, NULL },
	{ "capa ", POP3_CMD_CAPA, 0, 0, 0, NULL, NULL },
	{ "STLS", POP3_CMD_STLS, 0, 0, 0, NULL, NULL },
	{ "QUIT", POP3_CMD_QUIT, 0, 0, 0, NULL, NULL },
	{ "Quit  ", POP3_CMD_QUIT, 0, 0, 0, NULL, NULL },
	{ "STAT", POP3_CMD_STAT, 0, 0, 0, NULL, NULL },
	{ "LIST", POP3_CMD_LIST, 0, 0, 0, NULL, NULL },
	{ "LIST 1", POP3_CMD_LIST, 1, 1, 0, NULL, NULL },
	{ "list  42 ", POP3_CMD_LIST, 1, 42, 0, NULL, NULL },
	{ "LIST 4294967295", POP3_CMD_LIST, 1, 4294967295u, 0, NULL, NULL },
	{ "LIST 0000000001", POP3_CMD_LIST, 1, 1, 0, NULL, NULL },
	{ "UIDL", POP3_CMD_UIDL, 0, 0, 0, NULL, NULL },
	{ "UIDL 7", POP3_CMD_UIDL, 1, 7, 0, NULL, NULL },
	{ "RETR 1", POP3_CMD_RETR, 1, 1, 0, NULL, NULL },
	{ "TOP 1 0", POP3_CMD_TOP, 2, 1, 0, NULL, NULL },
	{ "top 3 10", POP3_CMD_TOP, 2, 3, 10, NULL, NULL },
	{ "TOP 1 4294967295", POP3_CMD_TOP, 2, 1, 4294967295u, NULL, NULL },
	{ "DELE 1", POP3_CMD_DELE, 1, 1, 0, NULL, NULL },
	{ "NOOP", POP3_CMD_NOOP, 0, 0, 0, NULL, NULL },
	{ "RSET", POP3_CMD_RSET, 0, 0, 0, NULL, NULL },
};

static const char *const bad[] = {
	"",
	" ",
	"  QUIT",
	"QUI",
	"QUITX",
	"QUIT x",
	"XYZZY",
	"RETR",
	"RETR ",
	"RETR 0",
	"RETR -1",
	"RETR +1",
	"RETR 1x",
	"RETR x",
	"RETR 1 2",
	"RETR 4294967296",
	"RETR 99999999999",
	"RETR 00000000001",
	"LIST 1 2",
	"LIST 0",
	"LIST a",
	"UIDL 0",
	"UIDL 1 1",
	"TOP",
	"TOP 1",
	"TOP 0 1",
	"TOP 1 -1",
	"TOP 1 2 3",
	"TOP 1 4294967296",
	"DELE",
	"DELE 0",
	"STAT 1",
	"NOOP x",
	"RSET 1",
	"CAPA x",
	"STLS now",
	"USER",
	"USER ",
	"PASS",
	"PASS ",
	"AUTH PLAIN a b",
	"APOP",
	"APOP x",
	"RETR\t1",
	"USER a\tb",
	"NOOP\r",
	"QUIT\x7f",
	"PASS a\x01",
	"\xff\xfe",
	"RETR\xa0"
	"1",
};

static void
test_good(void **state)
{
	struct pop3_command c;
	const char *error = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *g = &good[i];

		if (pop3_parse(g->line, strlen(g->line), &c, &error) != 0)
			fail_msg("'%s' refused: %s", g->line, error);
		assert_int_equal(c.cmd, g->cmd);
		assert_int_equal(c.nums, g->nums);
		if (g->nums >= 1)
			assert_int_equal(c.num1, g->num1);
		if (g->nums >= 2)
			assert_int_equal(c.num2, g->num2);
		if (g->arg == NULL) {
			assert_null(c.arg);
		} else {
			assert_non_null(c.arg);
			assert_int_equal(c.arg_len, strlen(g->arg));
			assert_memory_equal(c.arg, g->arg, c.arg_len);
		}
		if (g->arg2 == NULL) {
			assert_null(c.arg2);
		} else {
			assert_non_null(c.arg2);
			assert_int_equal(c.arg2_len, strlen(g->arg2));
			assert_memory_equal(c.arg2, g->arg2, c.arg2_len);
		}
	}
}

static void
test_bad(void **state)
{
	struct pop3_command c;
	const char *error;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		if (pop3_parse(bad[i], strlen(bad[i]), &c, &error) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(error);
		/* the text goes into "-ERR <text>.": one printable line */
		assert_null(strpbrk(error, "\r\n"));
		assert_int_equal(c.cmd, 0);
	}
}

static void
test_nul(void **state)
{
	struct pop3_command c;
	const char *error;

	(void)state;
	assert_int_equal(pop3_parse("NOOP\0", 5, &c, &error), -1);
	assert_int_equal(pop3_parse("USER a\0b", 8, &c, &error), -1);
	assert_int_equal(pop3_parse("\0", 1, &c, &error), -1);
}

/* Lines of exactly len bytes: "NOOP" + spaces (trailing spaces are fine),
 * "USER " + name, and "AUTH PLAIN " + base64. */
static void
make_line(char *out, const char *prefix, size_t len, char fill)
{
	size_t p = strlen(prefix);

	memcpy(out, prefix, p);
	memset(out + p, fill, len - p);
	out[len] = '\0';
}

static void
test_limits(void **state)
{
	static char line[POP3_AUTH_LINE_MAX_BYTES + 16];
	struct pop3_command c;
	const char *error;
	size_t max = POP3_CMD_MAX_BYTES - 2,
	       amax = POP3_AUTH_LINE_MAX_BYTES - 2;

	(void)state;
	make_line(line, "NOOP", max - 1, ' ');
	assert_int_equal(pop3_parse(line, max - 1, &c, &error), 0);
	make_line(line, "NOOP", max, ' ');
	assert_int_equal(pop3_parse(line, max, &c, &error), 0);
	make_line(line, "NOOP", max + 1, ' ');
	assert_int_equal(pop3_parse(line, max + 1, &c, &error), -1);

	make_line(line, "USER ", max, 'u');
	assert_int_equal(pop3_parse(line, max, &c, &error), 0);
	assert_int_equal(c.arg_len, max - 5);
	make_line(line, "USER ", max + 1, 'u');
	assert_int_equal(pop3_parse(line, max + 1, &c, &error), -1);

	/* AUTH lines may be longer (RFC 5034 4), up to their own limit */
	make_line(line, "AUTH PLAIN ", max + 1, 'A');
	assert_int_equal(pop3_parse(line, max + 1, &c, &error), 0);
	make_line(line, "AUTH PLAIN ", amax - 1, 'A');
	assert_int_equal(pop3_parse(line, amax - 1, &c, &error), 0);
	make_line(line, "AUTH PLAIN ", amax, 'A');
	assert_int_equal(pop3_parse(line, amax, &c, &error), 0);
	assert_int_equal(c.arg2_len, amax - 11);
	make_line(line, "AUTH PLAIN ", amax + 1, 'A');
	assert_int_equal(pop3_parse(line, amax + 1, &c, &error), -1);
	/* a long line of another command is too long even if it starts
	 * like AUTH's limit allows */
	make_line(line, "PASS ", max + 100, 'p');
	assert_int_equal(pop3_parse(line, max + 100, &c, &error), -1);
}

/* Every single-byte change of valid lines: never a crash, and results
 * point inside the line. */
static void
test_corruptions(void **state)
{
	static const char *const base[] = { "TOP 12 34", "AUTH PLAIN AAAA",
					    "PASS x y" };
	static const unsigned char bytes[] = { 0,   ' ', '\t', '\r',
					       '0', '9', 'A',  0xff };
	struct pop3_command c;
	const char *error;
	char line[32];
	size_t b, i, k, len;

	(void)state;
	for (b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
		len = strlen(base[b]);
		for (i = 0; i < len; i++) {
			for (k = 0; k < sizeof(bytes); k++) {
				memcpy(line, base[b], len);
				line[i] = (char)bytes[k];
				if (pop3_parse(line, len, &c, &error) < 0)
					continue;
				if (c.arg != NULL)
					assert_true(c.arg >= line &&
						    c.arg + c.arg_len <=
							    line + len);
				if (c.arg2 != NULL)
					assert_true(c.arg2 >= line &&
						    c.arg2 + c.arg2_len <=
							    line + len);
			}
		}
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(pop3_cmd_name(POP3_CMD_RETR), "RETR");
	assert_string_equal(pop3_cmd_name(POP3_CMD_TOP), "TOP");
	assert_string_equal(pop3_cmd_name((enum pop3_cmd)999), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
