/*
 * auth.h -- password verification for logins: the backends of
 * auth_backends in quail.conf(5), tried in the configured order.
 *
 *   cdb  virtual users: passwd.cdb ("address" -> crypt(3) hash, mode 0600)
 *        verified with crypt(3); the mailbox comes from users.cdb
 *        ("address" -> "uid:gid:maildir", empty uid/gid = vmail_user's).
 *        The login name is the full address, matched case-insensitively.
 *   pam  system users through the PAM service pam_service (etc/pam.d/quail):
 *        pam_authenticate + pam_acct_mgmt, then the passwd entry gives
 *        uid, gid and home; the Maildir is home/Maildir. "name" and
 *        "name@<local domain>" both mean the system user "name".
 *
 * In the privilege-separated daemons only the root monitor (lib/login.c)
 * calls this; passwd.cdb and PAM's shadow access need root there.
 *
 * Return convention of auth_verify: 1 authenticated (*u_r filled), 0
 * refused (unknown user, bad password, locked or expired account, uid 0
 * -- deliberately indistinguishable), -1 temporary failure (unreadable
 * map, PAM system error, libcrypt.so.1 or libpam.so.0 cannot be loaded:
 * auth.c dlopen()s them on first use; *error_r). No delay is applied
 * here: the caller sleeps auth_fail_delay on 0 (login.c), so tests can
 * run with 0.
 *
 * SECURITY: user and password are untrusted. The password is never logged
 * or copied beyond the stack frames and PAM responses that need it, which
 * are wiped. An unknown cdb user is still checked against a dummy hash so
 * that unknown user and bad password cost about the same time.
 */
#ifndef QUAIL_AUTH_H
#define QUAIL_AUTH_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"

#define AUTH_USER_MAX_BYTES 256    /* login name as typed by the client */
#define AUTH_PASS_MAX_BYTES 1024
#define AUTH_PAM_MSG_MAX 8         /* messages per PAM conversation call */
/* System accounts below this uid (daemons, nobody) never log in through
 * PAM, matching rcpt.h, which never delivers to them. */
#define AUTH_SYSTEM_UID_MIN 1000

struct auth_user {
	char name[AUTH_USER_MAX_BYTES + 1]; /* canonical: lowercased address
					     * (cdb) or system login name (pam) */
	uid_t uid;                          /* never 0 */
	gid_t gid;
	char maildir[PATH_MAX];
	bool system_user;                   /* authenticated by PAM */
};

/* Tries the backends of c->auth_backends in order; the first that
 * accepts wins. 1 / 0 / -1 as above. remote_ip (may be NULL) is passed to
 * PAM as PAM_RHOST. *error_r is set on -1 (static text or conf-lifetime). */
int auth_verify(const struct conf *c, const char *user, const char *pass,
		const char *remote_ip, struct auth_user *u_r,
		const char **error_r);

/* auth_verify() in a child process that exits right after (auth.c):
 * the caller never maps libcrypt or libpam and keeps no hashing state,
 * stack or heap from the verification, nor any copy of what was derived
 * from the password. For the daemons' logins (lib/login.c), whose
 * process may go on to run a long session. Same returns; *error_r is
 * static text of this module (valid until the next call). */
int auth_verify_forked(const struct conf *c, const char *user,
		       const char *pass, const char *remote_ip,
		       struct auth_user *u_r, const char **error_r);

/* The single backends, for tests and for callers that need one. */
int auth_verify_cdb(const struct conf *c, const char *user, const char *pass,
		    struct auth_user *u_r, const char **error_r);
int auth_verify_pam(const struct conf *c, const char *user, const char *pass,
		    const char *remote_ip, struct auth_user *u_r,
		    const char **error_r);

/* Sleeps c->auth_fail_delay seconds (restarting after signals): the one
 * delay every refused login pays. */
void auth_fail_sleep(const struct conf *c);

#endif
