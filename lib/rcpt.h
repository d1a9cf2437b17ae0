/*
 * rcpt.h -- who is a local recipient: the one lookup shared by quail-smtpd
 * (RCPT TO check: 550 5.1.1 for unknown users, no backscatter) and
 * quail-deliver (where to put the mail).
 *
 * For an address whose domain is local (conf->local_domains), in order:
 *   1. aliases.cdb, full address ("info@example.com");
 *   2. the same without the +extension ("me+lists@x" -> "me@x");
 *   3. aliases.cdb, local part alone ("postmaster"), which applies to every
 *      local domain (so postmaster@ and abuse@ work everywhere);
 *   4. users.cdb (virtual users), address without extension;
 *   5. system users (getpwnam of the local part, lowercased) when
 *      system_users = yes: mail goes to ~/Maildir/.
 * users.cdb: key "local@domain" -> value "uid:gid:maildir" (uid/gid empty
 * means the vmail_user's). aliases.cdb: key (lowercased address or local
 * part) -> value "target, target, ..." (addresses, comma separated).
 * Both are readable by the unprivileged daemon user; password hashes live
 * in passwd.cdb (mode 0600) which this module never opens.
 */
#ifndef QUAIL_RCPT_H
#define QUAIL_RCPT_H

#include <limits.h>
#include <sys/types.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"

enum rcpt_kind {
	RCPT_UNKNOWN = 0,
	RCPT_ALIAS,      /* targets in aliases */
	RCPT_VIRTUAL,    /* users.cdb */
	RCPT_SYSTEM,     /* /etc/passwd */
};

struct rcpt_info {
	enum rcpt_kind kind;
	char key[ADDR_PATH_MAX_BYTES + 1];   /* the key that matched */
	char ext[ADDR_LOCAL_MAX_BYTES + 1];  /* the +extension, "" if none */
	struct buf aliases;                  /* RCPT_ALIAS: raw target list */
	uid_t uid;                           /* VIRTUAL/SYSTEM: owner; (uid_t)-1 = vmail_user */
	gid_t gid;
	char maildir[PATH_MAX];              /* VIRTUAL/SYSTEM: Maildir path */
};

void rcpt_info_init(struct rcpt_info *r);
void rcpt_info_free(struct rcpt_info *r);
/* address: canonical (lowercase domain). Returns 1 found, 0 unknown user
 * (or domain not local), -1 temporary error (unreadable map). */
int rcpt_lookup(const struct conf *c, const char *address, struct rcpt_info *r,
		const char **error_r);

#endif
