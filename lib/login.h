/*
 * login.h -- privilege-separated login for quail-smtpd, quail-pop3d and
 * quail-imapd (DESIGN.md "Privileges"; the pattern of Dovecot's login
 * process and OpenSSH's monitor).
 *
 * Started as root, login_split() forks:
 *   - the CHILD drops to daemon_user and speaks the protocol (and TLS). It
 *     sends credentials to the monitor in a small length-checked message
 *     (login_verify) and, for POP3/IMAP, hands the session over after a
 *     successful login (login_handover);
 *   - the MONITOR (root) only answers verification requests (cdb, PAM, in
 *     the order of auth_backends) and, after a handover, returns from
 *     login_monitor() with the user: the caller then drops to that user
 *     (never root) and runs the post-login session on the fd it got:
 *     the client socket itself, or, when the child runs TLS, a socketpair
 *     to the child, which stays on as the TLS proxy.
 * Not root (lab, tests): no fork; login_split() returns LOGIN_CHILD, the
 * verification runs in-process, login_handover() is a no-op that passes
 * the same fds back, and the log says so once.
 *
 * SECURITY: unknown user and bad password get the same answer after the
 * same delay (auth_fail_delay); failures are logged with the client
 * address; passwords are never logged and are wiped after use.
 */
#ifndef QUAIL_LOGIN_H
#define QUAIL_LOGIN_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "conf.h"
#include "io.h"

#define LOGIN_USER_MAX_BYTES 256
#define LOGIN_PASS_MAX_BYTES 1024

enum login_role {
	LOGIN_CHILD = 1,    /* speak the protocol */
	LOGIN_MONITOR = 2,  /* call login_monitor() */
};

struct login_user {
	char name[LOGIN_USER_MAX_BYTES + 1]; /* canonical login name */
	uid_t uid;                           /* mailbox owner (never 0) */
	gid_t gid;
	char maildir[PATH_MAX];              /* the Maildir (INBOX) */
	bool system_user;                    /* authenticated by PAM */
};

struct login;

/* prog: "pop3d", "imapd", "smtpd" (PAM service is conf->pam_service).
 * Returns 0 with *role_r set, or -1 (temporary) with *error_r. */
int login_split(struct login **l_r, const struct conf *c, const char *prog,
		enum login_role *role_r, const char **error_r);

/* CHILD: verifies user/pass from the client at remote_ip.
 * 1 ok (*u_r filled), 0 refused (after auth_fail_delay), -1 temporary. */
int login_verify(struct login *l, const char *user, const char *pass,
		 const char *remote_ip, struct login_user *u_r);

/* CHILD, after a successful login_verify (POP3/IMAP): hands the session to
 * the monitor together with the input already buffered in io. If io runs
 * TLS, the child then proxies between the client and the monitor until one
 * side closes, and returns 0; otherwise it returns 0 at once. Either way the
 * caller exits afterwards. Not root: returns 1 and the caller simply goes on
 * with its own io (already the user). -1 on error. */
int login_handover(struct login *l, struct io *io);

/* MONITOR: serves verification requests until the child ends (returns 0:
 * exit) or hands a session over (returns 1 with *u_r, *fd_r — read and
 * write the session there — and the input the child had buffered in
 * pending_r). The caller then drops to u_r->uid/gid. -1 on error. */
int login_monitor(struct login *l, struct login_user *u_r, int *fd_r,
		  struct buf *pending_r);

void login_free(struct login **l);

#endif
