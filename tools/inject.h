/*
 * inject.h -- internals of quail-inject(8) shared by tools/inject*.c.
 *
 *   inject.c       main: options, sender, recipients, -bs, exit codes
 *   inject_msg.c   reading the message, rewriting its header, submitting
 *
 * Exit codes are sysexits(3) values, as sendmail's callers expect.
 * Memory: struct inject owns its recipient strings (inject_free).
 */
#ifndef QUAIL_INJECT_H
#define QUAIL_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "addr.h"
#include "conf.h"

/* The header section is held in memory (it must be read completely before
 * recipients from -t are known); a longer one is refused. */
#define INJECT_HDR_MAX_BYTES (1024 * 1024)
/* Read size for the message on stdin. */
#define INJECT_READ_BYTES 65536
/* Login names longer than this are not used in the Received: field. */
#define INJECT_LOGIN_MAX_BYTES 64

struct inject {
	const struct conf *conf;
	bool extract;                   /* -t */
	bool dot_ends;                  /* no -i / -oi */
	bool null_sender;               /* -f '<>' */
	char sender[ADDR_PATH_MAX_BYTES + 1];
	char from_addr[ADDR_PATH_MAX_BYTES + 1];  /* for an added From: */
	const char *fullname;           /* -F, else GECOS; may be NULL */
	char login[INJECT_LOGIN_MAX_BYTES + 1];   /* "" if unusable */
	uid_t uid;
	char **rcpts;
	size_t n_rcpts, cap_rcpts;
};

/* Prints "quail-inject: <msg>" to stderr and exits with code (sysexits). */
_Noreturn void inject_fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses an address list (command line or header field) and adds each
 * mailbox, qualified with the hostname, deduplicated. what names the
 * source for errors. Exits EX_DATAERR on a bad address. */
void inject_add_rcpts(struct inject *in, const char *p, size_t len,
		      const char *what);
void inject_free(struct inject *in);

/* inject_msg.c: reads the message from fd, rewrites the header, submits
 * it. Returns only on success, after printing nothing. */
void inject_message(struct inject *in, int fd);

#endif
