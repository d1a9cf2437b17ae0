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
 *     login_monitor() already running as that user (never root); the
 *     caller runs the post-login session on the fd it got: the client
 *     socket itself, or, when the child runs TLS, a socketpair to the
 *     child, which stays on as the TLS proxy.
 * Not root (lab, tests): no fork; login_split() returns LOGIN_CHILD, the
 * verification runs in-process, login_handover() is a no-op that passes
 * the same fds back, and the log says so once ("running unprivileged as
 * uid N").
 *
 * The client socket is fd 0 (and 1), as inetd, tcpserver and systemd
 * Accept=yes provide it; the monitor never reads or writes it before a
 * handover. Whether the child's io runs TLS is detected by login_handover
 * itself: an io whose read/write functions are not the plain defaults (TLS,
 * or any other wrapper) is proxied, so the same call serves both cases.
 * Messages between child and monitor are single SOCK_SEQPACKET records of
 * fixed layout with every length checked on receipt; a malformed record,
 * a handover without a preceding successful login, or more than 20 login
 * attempts kill the child and end the session.
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
#define LOGIN_IP_MAX_BYTES 64   /* remote_ip as text; longer is logged as "" */

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
 * Returns 0 with *role_r set, or -1 (temporary) with *error_r -- also in
 * the forked child when dropping to daemon_user failed: exit then (the
 * monitor sees the child end and returns 0). */
int login_split(struct login **l_r, const struct conf *c, const char *prog,
		enum login_role *role_r, const char **error_r);

/* CHILD: verifies user/pass from the client at remote_ip (may be NULL).
 * 1 ok (*u_r filled), 0 refused (after auth_fail_delay), -1 temporary.
 * A user or password over the limits above is refused (0) without being
 * sent. The caller wipes pass afterwards. */
int login_verify(struct login *l, const char *user, const char *pass,
		 const char *remote_ip, struct login_user *u_r);

/* What login_verify_owner() found. */
enum login_result {
	LOGIN_OK = 1,		/* *u_r filled: hand the session over */
	LOGIN_REFUSED = 0,	/* bad user or password */
	LOGIN_TEMP = -1,	/* temporary failure */
	LOGIN_ROOT_OWNER = -2,	/* the mailbox owner is root (logged) */
};

/* CHILD of POP3/IMAP: login_verify(), and a verified user whose mailbox
 * owner is uid 0 refused (the post-login session never runs as root),
 * with a log line naming the user. The caller answers each verdict in
 * its protocol's words. */
enum login_result login_verify_owner(struct login *l, const char *user,
				     const char *pass, const char *remote_ip,
				     struct login_user *u_r);

/* CHILD, after a successful login_verify (POP3/IMAP): flushes io's
 * output, then hands the session to the monitor together with the input
 * already buffered in io (consumed here). If io runs TLS, the child then
 * proxies plaintext between the client (io) and the session until the
 * session closes (or on error/idle timeout), and returns 0 (the caller
 * then ends TLS with tls_conn_free and exits); otherwise it returns 0 at
 * once and the caller must exit WITHOUT writing anything more to the
 * client: the socket is the session's now. Not root: returns 1 and the
 * caller simply goes on with its own io (already the user). -1 on error
 * (the caller exits). */
int login_handover(struct login *l, struct io *io);

/* MONITOR: serves verification requests until the child ends (returns 0,
 * child reaped: exit with login_child_status()) or hands a session over:
 * returns 1 with *u_r, *fd_r
 * (read and write the session there: 0, the client socket, after the
 * child has exited; or, with TLS, the socketpair to the proxy child, and
 * fds 0-2 then point to /dev/null if they were the socket) and the input
 * the child had buffered in pending_r (replaced; a buf the caller
 * initialised). On 1 the process ALREADY runs as u_r->uid/gid with
 * supplementary groups cleared (priv_drop_ids; calling it again with the
 * same ids is harmless); uid or gid 0 is never handed over. -1 on error
 * (child killed; exit). */
int login_monitor(struct login *l, struct login_user *u_r, int *fd_r,
		  struct buf *pending_r);

/* MONITOR of POP3/IMAP: login_monitor(), then what both daemons do with
 * a handover: make sure the process runs as the mailbox owner (never
 * root; priv_drop_ids with the owner's groups for a system user) and set
 * up io on the session's fd with the input the child had buffered in
 * front of it (pipelined after the login; copied with a bounds check,
 * the temporary copy wiped). Returns 1 with *u_r, io and *fd_r ready; 0
 * when no session came: the process should exit with *status_r (the
 * child's status, or EXIT_TEMP); -1 when the owner cannot be become
 * (*error_r; *fd_r is the session's fd, to answer on, then exit). */
int login_monitor_session(struct login *l, struct io *io,
			  struct login_user *u_r, int *fd_r, int *status_r,
			  const char **error_r);

/* MONITOR, after login_monitor() returned 0 or -1: how the protocol
 * child ended, as the exit status the monitor should exit with: the
 * child's own exit code, or EXIT_TEMP (111) if it died by a signal or was
 * killed by the monitor. -1 if no child has been reaped (not split, or
 * the session was handed over and a TLS proxy child still runs). */
int login_child_status(const struct login *l);

/* Closes the channel and frees. In a session process, close the session
 * fd first: a TLS proxy child then ends by itself (and is reaped here if
 * already gone, else by init once the session exits). */
void login_free(struct login **l);

#endif
