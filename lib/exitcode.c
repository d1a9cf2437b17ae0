/*
 * exitcode.c -- the temporary/permanent rule in one place (STYLE.md 4).
 *
 * Between quail programs: 0 done, 100 permanent, 111 temporary; any other
 * exit code or a death by signal is temporary, so that a crash or a bad
 * config defers mail instead of bouncing it. External programs report with
 * sysexits(3) codes; only four of them are permanent (the Postfix table,
 * pf:global/sys_exits.c, narrowed as quail's design asks).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"

#define DIE_MSG_MAX_BYTES 2048

struct sysexit_entry {
	int code;
	bool permanent;
	const char *enhanced;
	const char *text;
};

static const struct sysexit_entry sysexit_table[] = {
	{ EX_USAGE, false, "4.3.0", "command line usage error" },
	{ EX_DATAERR, true, "5.6.0", "data format error" },
	{ EX_NOINPUT, false, "4.3.0", "cannot open input" },
	{ EX_NOUSER, true, "5.1.1", "user unknown" },
	{ EX_NOHOST, false, "4.3.0", "host name unknown" },
	{ EX_UNAVAILABLE, true, "5.3.0", "service unavailable" },
	{ EX_SOFTWARE, false, "4.3.0", "internal software error" },
	{ EX_OSERR, false, "4.3.0", "system resource problem" },
	{ EX_OSFILE, false, "4.3.0", "critical OS file missing" },
	{ EX_CANTCREAT, false, "4.3.0", "cannot create output file" },
	{ EX_IOERR, false, "4.3.0", "input/output error" },
	{ EX_TEMPFAIL, false, "4.3.0", "temporary failure" },
	{ EX_PROTOCOL, false, "4.3.0", "remote error in protocol" },
	{ EX_NOPERM, true, "5.7.0", "permission denied" },
	{ EX_CONFIG, false, "4.3.0", "local configuration error" },
};

static const struct sysexit_entry *
sysexit_find(int code)
{
	size_t i;

	for (i = 0; i < sizeof(sysexit_table) / sizeof(sysexit_table[0]); i++)
		if (sysexit_table[i].code == code)
			return &sysexit_table[i];
	return NULL;
}

bool
exitcode_sysexit_permanent(int code, const char **enhanced_r)
{
	const struct sysexit_entry *e = sysexit_find(code);
	const char *enhanced = "4.3.0";
	bool permanent = false;

	if (code == 0)
		enhanced = "2.0.0";
	else if (e != NULL) {
		enhanced = e->enhanced;
		permanent = e->permanent;
	}
	if (enhanced_r != NULL)
		*enhanced_r = enhanced;
	return permanent;
}

const char *
exitcode_sysexit_text(int code)
{
	const struct sysexit_entry *e = sysexit_find(code);

	if (code == 0)
		return "success";
	return e != NULL ? e->text : "unknown exit status";
}

int
exitcode_class(int wait_status)
{
	if (!WIFEXITED(wait_status))
		return -1;      /* signal, stopped: try again later */
	switch (WEXITSTATUS(wait_status)) {
	case EXIT_DONE:
		return 0;
	case EXIT_PERM:
		return 1;
	default:
		return -1;      /* 111 and every unexpected code */
	}
}

/* Formats and emits the one-line diagnostic, then exits with code. */
static _Noreturn void
die_common(int code, const char *class, const char *enhanced,
    const char *fmt, va_list ap)
{
	char msg[DIE_MSG_MAX_BYTES];
	char line[DIE_MSG_MAX_BYTES + 128];
	size_t i;
	int n;

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		snprintf(msg, sizeof(msg), "(unformattable message)");
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] == 0x7f)
			msg[i] = '?';
	/* The caller may have put its own enhanced code in the text. */
	if (strstr(msg, "(#") != NULL)
		n = snprintf(line, sizeof(line), "%s: %s: %s\n", log_prog(),
		    class, msg);
	else
		n = snprintf(line, sizeof(line), "%s: %s: %s (#%s)\n",
		    log_prog(), class, msg, enhanced);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (!log_is_stderr())
		log_msg(LOG_ERR, "%s: %s", class, msg);
	/* One write so that the line stays whole when stderr is shared. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nothing more we can do */
	}
	exit(code);
}

void
die_temp(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_common(EXIT_TEMP, "temporary", "4.3.0", fmt, ap);
}

void
die_perm(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_common(EXIT_PERM, "permanent", "5.3.0", fmt, ap);
}

void
die_usage(const char *usage)
{
	if (strncmp(usage, "usage:", 6) == 0)
		fprintf(stderr, "%s\n", usage);
	else
		fprintf(stderr, "usage: %s\n", usage);
	exit(EXIT_USAGE);
}
