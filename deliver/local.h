/*
 * local.h -- internals shared by the files of quail-deliver (local
 * delivery agent, quail-deliver(8)): local_main.c (command line), local.c
 * (message input, loop checks), local_maildir.c (users), local_alias.c
 * (forwarding). quail-send's launcher links local.c, local_maildir.c and
 * local_alias.c too (queue/send_local.c) and runs local_run() in a forked
 * child instead of executing quail-deliver: same code, same result line,
 * same exit codes, one exec less per delivery.
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
	bool no_exit_handlers;    /* local_finish uses _exit (launcher child) */
};

/* Sets up d for one delivery: queue id (qid_ok, else "-"), recipient and
 * sender (a malformed one ends the process through local_finish). Call
 * log_open first; d->conf is filled by the caller before local_run. */
void local_init(struct local_delivery *d, const char *sender, const char *qid,
		const char *rcpt);
/* A queue id usable in log lines: [A-Za-z0-9._-], 1 to 64 bytes. */
bool local_qid_ok(const char *qid);
/* The delivery itself, with d->conf loaded: recipient lookup, loop checks,
 * Maildir or forwarding; reads the message from d->in_fd. Ends the process
 * through local_finish; does not return. */
_Noreturn void local_run(struct local_delivery *d);

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
