/*
 * exitcode.h -- the temporary/permanent rule, kept once (STYLE.md 4).
 *
 * Between quail programs: 0 done, 100 permanent, 111 temporary; any other
 * code or death by a signal counts as temporary. A bug or bad config must
 * defer mail, never bounce it.
 */
#ifndef QUAIL_EXITCODE_H
#define QUAIL_EXITCODE_H

#include <stdbool.h>

#define EXIT_DONE 0
#define EXIT_PERM 100
#define EXIT_TEMP 111
#define EXIT_USAGE 64 /* EX_USAGE, for admin tools only */

/* Print "quail-<prog>: temporary: <msg>" to stderr, log it, exit 111. */
_Noreturn void die_temp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same with "permanent", exit 100. */
_Noreturn void die_perm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "usage: ..." and exits 64. */
_Noreturn void die_usage(const char *usage);

/* Classifies a wait(2) status of a quail program: 0 done, 1 permanent,
 * -1 temporary (any other exit code, or a signal). */
int exitcode_class(int wait_status);

/* External programs (|command deliveries): sysexits value -> permanent? and
 * the enhanced status code ("5.1.1" ...). Permanent only for EX_NOUSER,
 * EX_DATAERR, EX_NOPERM, EX_UNAVAILABLE. */
bool exitcode_sysexit_permanent(int code, const char **enhanced_r);
/* A short text for a sysexits value ("user unknown"), for bounce reasons. */
const char *exitcode_sysexit_text(int code);

#endif
