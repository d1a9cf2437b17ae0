/*
 * local_maildir.c -- quail-deliver: delivery to a user's Maildir.
 *
 * Prepends "Return-Path: <sender>" (RFC 5321 4.4) and "Delivered-To:
 * <recipient>" (loop detection by the next hop) and writes the message
 * with lib/maildir (tmp, fsync, rename into new/, fsync new/).
 *
 * SECURITY: as root, privileges are dropped for good to the mailbox owner
 * (users.cdb uid/gid, the vmail_user when they are empty, or the system
 * user) BEFORE the Maildir or any of its parents is touched, so a symlink
 * or a hostile directory cannot make root write anywhere. Delivering as
 * uid 0 is refused. Every Maildir failure is temporary: mail is deferred,
 * never bounced, for a full disk or a permission problem.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "maildir.h"
#include "priv.h"
#include "local.h"

/* Parents of a virtual user's Maildir (<mail_dir>/<domain>/<user>) are
 * created with this mode when missing; system users' homes must exist. */
#define LOCAL_PARENT_MODE 0700

/* Becomes the mailbox owner when running as root. */
static void
become_owner(struct local_delivery *d)
{
	uid_t uid = d->rcpt.uid;
	gid_t gid = d->rcpt.gid;
	const char *user = NULL, *err = NULL;

	if (geteuid() != 0)
		return;
	if (uid == (uid_t)-1) {
		struct passwd *pw = getpwnam(d->conf.vmail_user);

		if (pw == NULL)
			local_finish(d, EXIT_TEMP, "4.3.5 vmail_user %s does not exist",
				     d->conf.vmail_user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (d->rcpt.kind == RCPT_SYSTEM)
		user = d->rcpt.key; /* initgroups: the user's own groups */
	if (uid == 0)
		local_finish(d, EXIT_TEMP, "4.3.5 refusing to deliver as root");
	if (priv_drop_ids(uid, gid, user, &err) < 0)
		local_finish(d, EXIT_TEMP, "4.3.0 cannot change to uid %lu: %s",
			     (unsigned long)uid, err);
}

static int
sink_maildir(void *ctx, const void *p, size_t n)
{
	return maildir_write(ctx, p, n);
}

void
local_deliver_maildir(struct local_delivery *d)
{
	struct maildir_delivery md;
	char trace[sizeof(d->sender) + sizeof(d->recipient) + 32];
	const char *err = NULL;
	bool read_error;
	mode_t parent = d->rcpt.kind == RCPT_VIRTUAL ? LOCAL_PARENT_MODE : 0;
	int saved, n;

	become_owner(d);
	if (geteuid() == 0)
		local_finish(d, EXIT_TEMP, "4.3.5 refusing to deliver as root");
	if (maildir_create(d->rcpt.maildir, parent, &err) < 0)
		local_finish(d, EXIT_TEMP, "4.2.0 %s %s: %s", err, d->rcpt.maildir,
			     strerror(errno));
	if (maildir_open(&md, d->rcpt.maildir, &err) < 0)
		local_finish(d, EXIT_TEMP, "4.2.0 %s %s: %s", err, d->rcpt.maildir,
			     strerror(errno));
	/* One write for both lines (sender and recipient are bounded). */
	n = snprintf(trace, sizeof(trace), "Return-Path: <%s>\nDelivered-To: %s\n",
		     d->sender, d->recipient);
	if (n < 0 || (size_t)n >= sizeof(trace)) {
		maildir_abort(&md);
		local_finish(d, EXIT_TEMP, "4.3.0 trace header too long");
	}
	(void)maildir_write(&md, trace, (size_t)n);
	if (local_copy_body(d, sink_maildir, &md, &read_error) < 0 && read_error) {
		saved = errno;
		maildir_abort(&md);
		local_finish(d, EXIT_TEMP, "4.3.0 cannot read the message: %s",
			     strerror(saved));
	}
	/* a write error is sticky and reported by the commit */
	if (maildir_commit(&md, NULL, 0, &err) < 0)
		local_finish(d, EXIT_TEMP, "%s %s %s: %s",
			     errno == ENOSPC || errno == EDQUOT ? "4.2.2" : "4.2.0",
			     err, d->rcpt.maildir, strerror(errno));
	log_msg(LOG_INFO, "qid=%s file=%s size=%llu", d->qid, md.final_path, md.size);
	local_finish(d, EXIT_DONE, "ok: delivered to %s", d->rcpt.maildir);
}
