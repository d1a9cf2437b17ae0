/*
 * local.h -- internals shared by the files of quail-deliver (local
 * delivery agent, quail-deliver(8)): local.c (command line, message input,
 * loop checks), local_maildir.c (users), local_alias.c (forwarding).
 */
#ifndef QUAIL_DELIVER_LOCAL_H
#define QUAIL_DELIVER_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "rcpt.h"

/* The header section is read into memory (for the loop checks) up to this
 * many bytes; the rest of the message is streamed. */
#define LOCAL_HEADER_MAX_BYTES (1024 * 1024)
/* More Received: fields than this is a loop (RFC 5321 6.3). */
#define LOCAL_MAX_HOPS 100
/* Alias targets after expansion. */
#define LOCAL_ALIAS_TARGETS_MAX 1000

struct local_delivery {
	struct conf conf;
	char sender[ADDR_PATH_MAX_BYTES + 1];     /* "" = null sender */
	char recipient[ADDR_PATH_MAX_BYTES + 1];  /* canonical, domain lowercased */
	const char *domain;                       /* points into recipient */
	const char *qid;                          /* queue id for logs, "-" if none */
	struct buf head;          /* first bytes of the message (whole header) */
	int in_fd;                /* the rest of the message */
	struct rcpt_info rcpt;
};

/* Ends the program: prints "<text>" as the one line on stdout (enhanced
 * status code first for failures), logs it with the queue id and exits
 * with code (0, 100, 111). */
_Noreturn void local_finish(const struct local_delivery *d, int code,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies the rest of the message (after head) to fn. 0, or -1 with
 * *read_error_r true if reading stdin failed, false if fn failed. */
typedef int local_sink_fn(void *ctx, const void *p, size_t n);
int local_copy_body(struct local_delivery *d, local_sink_fn *fn, void *ctx,
		    bool *read_error_r);

/* RCPT_VIRTUAL / RCPT_SYSTEM: deliver into the Maildir. Does not return. */
_Noreturn void local_deliver_maildir(struct local_delivery *d);
/* RCPT_ALIAS: forward through the queue. Does not return. */
_Noreturn void local_forward(struct local_delivery *d);

#endif
