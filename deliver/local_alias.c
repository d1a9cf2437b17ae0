/*
 * local_alias.c -- quail-deliver: forwarding to the targets of an alias.
 *
 * The targets from aliases.cdb are expanded (a bare local part means that
 * name in the recipient's domain) and the message is queued again through
 * quail-queue (lib/qsubmit) with the original envelope sender and a
 * "Delivered-To: <recipient>" field prepended, so a forwarding loop is
 * caught when the message comes back here (local.c check_loops).
 *
 * SECURITY: as root, privileges are dropped to queue_user before
 * quail-queue is started: nothing of an alias runs as root. Targets are
 * re-validated as addresses (the cdb could be stale or hand-made); pipes
 * and files are never run or written.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "qsubmit.h"
#include "userdb.h"
#include "local.h"

struct targets {
	char addr[LOCAL_ALIAS_TARGETS_MAX][ADDR_PATH_MAX_BYTES + 1];
	const char *ptr[LOCAL_ALIAS_TARGETS_MAX];
	size_t n;
};

/* Expands and checks the target list into t. */
static void
expand_targets(struct local_delivery *d, struct targets *t)
{
	char target[ADDR_PATH_MAX_BYTES + 8], full[ADDR_PATH_MAX_BYTES * 2 + 8];
	const struct buf *list = &d->rcpt.aliases;
	const char *err = NULL;
	struct addr a;
	size_t pos = 0;
	int ret;

	while ((ret = userdb_next_target(buf_cstr(list), list->len, &pos, target,
					 sizeof(target))) > 0) {
		if (t->n >= LOCAL_ALIAS_TARGETS_MAX)
			local_finish(d, EXIT_PERM, "5.3.0 alias %s has too many targets",
				     d->rcpt.key);
		if (strchr(target, '@') == NULL)
			snprintf(full, sizeof(full), "%s@%s", target, d->domain);
		else
			snprintf(full, sizeof(full), "%s", target);
		if (addr_parse_mailbox(full, strlen(full), ADDR_UTF8, &a, &err) < 0 ||
		    a.at >= a.len)
			local_finish(d, EXIT_TEMP, "4.3.5 alias %s: bad target %s: %s "
				     "(run quail-newaliases)", d->rcpt.key, target,
				     err != NULL ? err : "no domain");
		memcpy(t->addr[t->n], a.str, a.len + 1);
		t->ptr[t->n] = t->addr[t->n];
		t->n++;
	}
	if (ret < 0 || t->n == 0)
		local_finish(d, EXIT_TEMP, "4.3.5 alias %s: malformed target list "
			     "(run quail-newaliases)", d->rcpt.key);
}

static int
sink_queue(void *ctx, const void *p, size_t n)
{
	return qsubmit_write(ctx, p, n);
}

void
local_forward(struct local_delivery *d)
{
	static struct targets t;
	static struct qsubmit q;
	char id[QSUBMIT_ID_MAX + 1];
	const char *err = NULL;
	bool read_error = false;
	int ret;

	expand_targets(d, &t);
	if (geteuid() == 0 && priv_drop_user(d->conf.queue_user, &err) < 0)
		local_finish(d, EXIT_TEMP, "4.3.0 cannot change to %s: %s",
			     d->conf.queue_user, err);
	(void)signal(SIGPIPE, SIG_IGN);
	if (qsubmit_start(&q, &d->conf, &err) < 0)
		local_finish(d, EXIT_TEMP, "4.3.0 cannot start quail-queue: %s", err);
	if (qsubmit_write(&q, "Delivered-To: ", 14) < 0 ||
	    qsubmit_write(&q, d->recipient, strlen(d->recipient)) < 0 ||
	    qsubmit_write(&q, "\n", 1) < 0 ||
	    local_copy_body(d, sink_queue, &q, &read_error) < 0) {
		int saved = errno;

		qsubmit_abort(&q);
		local_finish(d, EXIT_TEMP, "4.3.0 %s: %s", read_error ?
			     "cannot read the message" : "quail-queue went away",
			     strerror(saved));
	}
	ret = qsubmit_finish(&q, d->sender, t.ptr, t.n, NULL, id, sizeof(id), &err);
	if (ret == -2)
		local_finish(d, EXIT_PERM, "5.3.0 forwarding refused by quail-queue: %s",
			     err);
	if (ret < 0)
		local_finish(d, EXIT_TEMP, "4.3.0 cannot queue the forwarded message: %s",
			     err);
	log_msg(LOG_INFO, "qid=%s alias=%s forwarded as qid=%s to %zu target(s)",
		d->qid, d->rcpt.key, id, t.n);
	local_finish(d, EXIT_DONE, "ok: forwarded to %zu address(es) as %s", t.n, id);
}
