/*
 * pop3d.h -- quail-pop3d internals shared by main.c (startup, privilege
 * split), roles.c (child and monitor), conn.c (replies, command lines,
 * tracing), auth.c (the AUTHORIZATION state: greeting, CAPA, STLS,
 * USER/PASS, AUTH), session.c (the TRANSACTION and UPDATE states),
 * mailbox.c (the maildrop: lock, listing, UIDs, update); the client's
 * address comes from lib/peer.h.
 *
 * Memory: struct pop3_conn is owned by its creator and points to an io
 * that must outlive it; struct mailbox owns its listing (mailbox_close).
 * Return conventions are given per function.
 */
#ifndef QUAIL_POP3D_H
#define QUAIL_POP3D_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"
#include "daemon.h"
#include "io.h"
#include "login.h"
#include "maildir_list.h"
#include "pop3_parse.h"
#include "tls.h"
#include "uidlist.h"

/* Longest textual IP address (IPv6 with scope) we keep. */
#define POP3D_IP_MAX_BYTES DAEMON_IP_MAX_BYTES
/* One reply line without CRLF (RFC 2449 4: 512 octets with CRLF). */
#define POP3D_REPLY_MAX_BYTES 510
/* The maildrop lock, in the Maildir (held with flock for the session). */
#define POP3D_LOCK_FILE "quail-pop3.lock"
/* Greeting (RFC 1939 4; no APOP timestamp: APOP is not offered). */
#define POP3D_GREETING "+OK quail POP3 ready."

/* The startup environment (conf, remote_ip, trace, tls, implicit_tls),
 * filled by daemon_main() (lib/daemon.h) for both roles: one struct for
 * every daemon that starts there, under this daemon's name. */
#define pop3d_env daemon_env

/* One client connection, in any state. */
struct pop3_conn {
	const struct pop3d_env *env;
	struct io *io;
	struct tls_conn *tls_conn; /* TLS on (STLS or -t), owned */
	struct buf line;	   /* the current command line */
	unsigned errors;	   /* protocol errors so far */
	bool done;		   /* end the session after this reply */
	bool hide_next;		   /* do not trace the next line (secret) */
};

/* The answer on the client's socket when the service cannot start
 * (lib/daemon.h: daemon_fail_temp). */
#define POP3D_UNAVAILABLE \
	"-ERR [SYS/TEMP] Service temporarily unavailable.\r\n"

/* roles.c: the child and the monitor's session of struct daemon_proto
 * (lib/daemon.h). Each returns the exit status. */
int roles_child(struct login *l, const struct pop3d_env *env);
int roles_session(struct io *io, int fd, const struct login_user *u,
		  const struct pop3d_env *env);

/* conn.c */
void conn_init(struct pop3_conn *c, const struct pop3d_env *env, struct io *io);
void conn_free(struct pop3_conn *c);
/* One reply line, CRLF added, traced. 0, or -1 after a write error
 * (then c->done is set). */
int conn_reply(struct pop3_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A reply to a client mistake: counts it and, at error_limit, adds a
 * closing -ERR and sets c->done. */
int conn_error(struct pop3_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reads one line of at most max bytes into c->line. Returns 1 with a line
 * (free of NUL; CR inside is left to the parser to refuse), 0 when the
 * session is over (EOF, timeout: answered and logged; c->done set), or -1
 * for a line too long (already answered with -ERR and counted). */
int conn_read_line(struct pop3_conn *c, size_t max);
/* Logs a trace line when tracing. */
void conn_trace(const struct pop3_conn *c, char dir, const void *p, size_t len);
/* True if TLS is on. */
bool conn_tls_on(const struct pop3_conn *c);
/* True if USER/PASS and AUTH may be used now (TLS on, or the client is in
 * plaintext_auth_networks). */
bool conn_plaintext_ok(const struct pop3_conn *c);
/* Starts TLS on the connection (STLS after "+OK", or -t). 0 / -1 (logged). */
int conn_start_tls(struct pop3_conn *c);

/* auth.c: the AUTHORIZATION state up to a successful login. Returns 1
 * logged in (*u_r filled; the reply to PASS/AUTH is the session's job),
 * 0 the session ended (QUIT, EOF, too many errors, timeout). */
int auth_run(struct pop3_conn *c, struct login *l, struct login_user *u_r);

/* session.c: the TRANSACTION state for user u on c (whose first reply
 * answers the PASS/AUTH command: +OK, or -ERR [IN-USE] / [SYS/TEMP]).
 * Returns 0 when the session ended normally, -1 on a temporary failure. */
int session_run(struct pop3_conn *c, const struct login_user *u);

/* mailbox.c: the maildrop of one session. */
enum mailbox_msg_state {
	MAILBOX_DELETED = 0x1,	 /* DELE'd (until RSET/QUIT) */
	MAILBOX_RETRIEVED = 0x2, /* RETR'd: gets \Seen at QUIT */
};

struct mailbox {
	char dir[PATH_MAX];
	int lock_fd; /* flock'd for the session, -1 if none */
	struct maildir_list list;
	struct maildir_msg **msgs; /* message n is msgs[n - 1]; by UID */
	unsigned char *state;	   /* mailbox_msg_state bits per message */
	size_t n;
	uint32_t uidvalidity;
	bool uidlist_rebuilt; /* the uid list was bad and rebuilt */
};

/* Locks and lists the Maildir dir. 1 ok, 0 in use by another session,
 * -1 error (*error_r). */
int mailbox_open(struct mailbox *mb, const char *dir, const char **error_r);
/* Message number n (1-based) or NULL if out of range. */
struct maildir_msg *mailbox_msg(const struct mailbox *mb, uint32_t n);
/* Opens message n for reading (O_NOFOLLOW). fd or -1. */
int mailbox_open_msg(const struct mailbox *mb, uint32_t n);
/* UPDATE state: removes DELE'd messages, marks RETR'd ones \Seen (moved
 * to cur/ with ":2,S"). 0, or -1 if some deletion failed (*error_r);
 * *deleted_r counts the messages removed. */
int mailbox_update(struct mailbox *mb, size_t *deleted_r, const char **error_r);
/* Frees the listing and releases the lock. */
void mailbox_close(struct mailbox *mb);

#endif
