/*
 * imapd.h -- quail-imapd internals: the connection and session shared by
 * main.c (startup, privilege split), roles.c (child and monitor), conn.c
 * (reading commands through lib/imapparse, writing responses, tracing,
 * STARTTLS), auth.c (the not-authenticated state), session.c (the command
 * table, the authenticated and selected states, untagged updates, IDLE)
 * and the command files: fetch.c (FETCH), search.c (SEARCH), folders.c
 * (LIST, LSUB, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS,
 * the special-use folders), message.c (APPEND, STORE, COPY, MOVE).
 *
 * Command handlers have one signature (imapd_cmd_fn). They write untagged
 * responses with sess_*() and end with exactly one sess_reply(); the
 * dispatcher in session.c then sends the untagged updates the command may
 * carry (RFC 3501 7.4.1, 5.2: never EXPUNGE after FETCH, STORE or SEARCH
 * without UID) and the tagged line "<tag> <status> <text>".
 *
 * Memory: struct imapd_session is owned by roles.c and lives for the whole
 * connection; the selected mailbox (s->mb) is owned by the session.
 * Return conventions are given per function.
 */
#ifndef QUAIL_IMAPD_H
#define QUAIL_IMAPD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"
#include "daemon.h"
#include "imap_mbox.h"
#include "imapparse.h"
#include "io.h"
#include "login.h"
#include "tls.h"

/* Longest textual IP address (IPv6 with scope) we keep. */
#define IMAPD_IP_MAX_BYTES DAEMON_IP_MAX_BYTES
/* The tagged reply text built by sess_reply() (status and code included). */
#define IMAPD_REPLY_MAX_BYTES 1024
/* A mailbox name as the client sends it (modified UTF-7). */
#define IMAPD_MAILBOX_NAME_MAX_BYTES 1024

/* The startup environment (conf, remote_ip, trace, tls, implicit_tls),
 * filled by daemon_main() (lib/daemon.h) for both roles: one struct for
 * every daemon that starts there, under this daemon's name. */
#define imapd_env daemon_env

enum imapd_state {
	IMAPD_STATE_NOAUTH = 0x1,
	IMAPD_STATE_AUTH = 0x2,
	IMAPD_STATE_SELECTED = 0x4,
	IMAPD_STATE_LOGOUT = 0x8,
};

enum imapd_status {
	IMAPD_OK = 0,
	IMAPD_NO,
	IMAPD_BAD,
};

/* RFC 5161 ENABLE'd extensions. */
#define IMAPD_ENABLED_UTF8 0x1 /* UTF8=ACCEPT is NOT offered: unused */

struct imapd_session {
	const struct imapd_env *env;
	struct io *io;
	struct tls_conn *tls_conn;  /* TLS on (STARTTLS or -t), owned */
	struct imap_parser *parser; /* owned */
	enum imapd_state state;
	unsigned errors; /* protocol errors so far (BAD) */
	bool done;	 /* end the session after this command */

	/* Set once logged in. */
	struct login_user user;
	const char *root; /* user.maildir: the user's Maildir (INBOX);
			   folders are root/.<name> */

	/* The selected mailbox (IMAPD_STATE_SELECTED), else NULL. */
	struct imap_mbox *mb;
	char mb_name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1]; /* "INBOX", "Sent" */
	bool readonly; /* EXAMINE, or a folder we cannot write */
	/* The message count and UIDNEXT the client was last told (EXISTS). */
	uint32_t told_exists;
	/* The \Recent count the client was last told (RECENT): a sync says
	 * it again when it changed, also without new messages (another
	 * session expunged a message that is \Recent here), as Dovecot. */
	size_t told_recent;
	/* The keyword count of the last "* FLAGS" line sent for s->mb:
	 * sess_untagged() records it for every line starting "FLAGS ", so a
	 * handler that announces new keywords itself (STORE) is counted. */
	unsigned told_keywords;

	/* The command being run (valid during a handler). */
	const char *tag;
	enum imapd_status reply_status;
	char reply[IMAPD_REPLY_MAX_BYTES]; /* text after the status */
	bool replied;

	/* Scratch buffer for handlers (reset by the dispatcher). */
	struct buf scratch;

	/* core: TLS runs in the login child, which proxies for this
	 * post-login process (conn_tls_on() is true). */
	bool tls_proxied;

	/* conn.c, after login: the parser lets a synchronising literal of
	 * any size through to conn_continuation(), which enforces these
	 * (so that APPEND can answer NO [TOOBIG]); cmd_bytes counts the
	 * bytes of the command being read (from its tag on). 0: the
	 * parser enforces its own limits (before login). */
	uint64_t literal_max_bytes;
	uint64_t command_max_bytes;
	uint64_t cmd_bytes;
};

/*
 * A command handler: args[0..n) are the arguments after the command name
 * (after "UID <name>" when uid is true). It sends untagged data with
 * sess_write()/sess_untagged() and ends with one sess_reply().
 */
typedef void imapd_cmd_fn(struct imapd_session *s, const struct imap_arg *args,
			  size_t n, bool uid);

/* --- conn.c: output. Everything is buffered in s->io; a write error sets
 * s->done and later writes are ignored. Each returns 0 or -1. --- */

/* Raw bytes, as they are (untagged lines are built with several calls). */
int sess_write(struct imapd_session *s, const void *p, size_t len);
/* printf-formatted raw output. */
int sess_printf(struct imapd_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One whole untagged line: "* " + formatted text + CRLF. A format that
 * starts with "FLAGS " (the flag list of the selected mailbox) sets
 * s->told_keywords. */
int sess_untagged(struct imapd_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A literal "{len}\r\n" + the bytes (never quoted). */
int sess_literal(struct imapd_session *s, const void *p, size_t len);

/* The tagged completion of the current command: st and the text after it,
 * which may start with a response code: sess_reply(s, IMAPD_OK,
 * "[READ-WRITE] SELECT completed"). A second call replaces the first.
 * IMAPD_BAD counts as a protocol error (error_limit). */
void sess_reply(struct imapd_session *s, enum imapd_status st, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

/* --- session.c: helpers for handlers --- */

/*
 * The directory of mailbox name[0..len) (modified UTF-7 as the client sent
 * it, already unquoted) into path: "INBOX" in any case is s->root,
 * "INBOX.x" is refused (folders are not children of INBOX: "x"), any other
 * name must pass mutf7_maildir_name_check() and is s->root + "/." + name.
 * *canon_r (may be NULL) gets the name to show ("INBOX" canonical).
 * 0, or -1 with a reason for "NO" in *error_r.
 */
int sess_mailbox_path(const struct imapd_session *s, const char *name,
		      size_t len, char *path, size_t pathlen, char *canon_r,
		      size_t canonlen, const char **error_r);

/*
 * Sends the untagged updates of the selected mailbox: re-reads it
 * (imap_mbox_sync) and writes "* n EXPUNGE" (only if allow_expunge; else
 * the sync is skipped entirely), "* n EXISTS", "* n RECENT" and
 * "* n FETCH (FLAGS (...))" for flag changes made by others. Called by the
 * dispatcher; handlers need not call it. 0 / -1 (the mailbox is gone:
 * "* BYE" and the session ends).
 */
int sess_sync(struct imapd_session *s, bool allow_expunge);

/* "(\Seen \Flagged kw1)" for message i of the selected mailbox
 * appended to out (the FLAGS of FETCH; \Recent included). 0 / -1. */
int sess_flags_append(const struct imapd_session *s, size_t i,
		      struct buf *out);

/* Parses a sequence set argument of the selected mailbox (message
 * numbers, or UIDs when uid) and resolves "*". 0, or -1 with *error_r for
 * BAD. The set must be freed (imap_seqset_free) either way. */
int sess_seqset(const struct imapd_session *s, const struct imap_arg *arg,
		bool uid, struct imap_seqset *set, const char **error_r);

/* Calls fn(s, i, ctx) for every message index i (0-based, ascending) of
 * the selected mailbox in set (UIDs when uid; UIDs not present are
 * skipped, as RFC 3501 6.4.8 says). Stops early when fn returns -1 and
 * returns -1 then, else 0. */
int sess_seqset_each(struct imapd_session *s, const struct imap_seqset *set,
		     bool uid, int (*fn)(struct imapd_session *, size_t, void *),
		     void *ctx);

/* --- handlers, by file --- */
/* fetch.c */
imapd_cmd_fn cmd_fetch;
/* search.c */
imapd_cmd_fn cmd_search;
/* folders.c */
imapd_cmd_fn cmd_list, cmd_lsub, cmd_create, cmd_delete, cmd_rename,
	cmd_subscribe, cmd_unsubscribe, cmd_status;
/* message.c */
imapd_cmd_fn cmd_append, cmd_store, cmd_copy, cmd_move;

/* folders.c: creates the Maildir root (if missing) and the special-use
 * folders Sent, Drafts, Trash, Junk (each subscribed) on the first login.
 * 0, or -1 with *error_r (the login then ends with NO [SERVERBUG]). */
int folders_ensure(struct imapd_session *s, const char **error_r);
/* folders.c: the SPECIAL-USE attribute of a top-level folder name
 * ("\\Sent" for "Sent"), or NULL. */
const char *folders_special_use(const char *name);

/* message.c: called by conn.c when an APPEND announces a synchronising
 * literal, before "+" is sent (partial: the command so far, s->tag set).
 * Returns 0 to go on, or -1 after sess_reply() (NO [TRYCREATE] when the
 * mailbox does not exist, NO [TOOBIG] for a literal over the size
 * limit): conn.c then sends that tagged line and resets the parser; the
 * client does not send the literal. */
int append_check(struct imapd_session *s, const struct imap_command *partial,
		 uint64_t literal_size);

/* --- core (main.c, roles.c, conn.c, auth.c, session.c, idle.c) --- */

/* The capabilities (RFC 3501 7.2.1). Before login auth.c adds STARTTLS
 * (a certificate is set and TLS is off) and AUTH=PLAIN AUTH=LOGIN
 * (plaintext allowed) or LOGINDISABLED. */
#define IMAPD_CAPABILITY_PREAUTH "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE"
#define IMAPD_CAPABILITY_POSTAUTH                                          \
	"IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE " \
	"SPECIAL-USE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS ESEARCH"
/* One AUTHENTICATE continuation line, CRLF included (as quail-pop3d). */
#define IMAPD_AUTH_LINE_MAX_BYTES 8192
/* The line ending IDLE ("DONE"), CRLF included; longer is BAD. */
#define IMAPD_IDLE_LINE_MAX_BYTES 1024
/* IDLE re-reads the mailbox this often even without an inotify event. */
#define IMAPD_IDLE_RECHECK_SECS 30

/* The answer on the client's socket when the service cannot start
 * (lib/daemon.h: daemon_fail_temp). */
#define IMAPD_UNAVAILABLE \
	"* BYE [UNAVAILABLE] Service temporarily unavailable.\r\n"

/* roles.c (quail-imapd): the child and the monitor's session of struct
 * daemon_proto (lib/daemon.h). The child returns the exit status; the
 * monitor's session execs quail-imapd-session (session_main.c) and
 * returns only when it cannot (EXIT_TEMP, after the unavailable reply). */
int roles_child(struct login *l, const struct imapd_env *env);
int roles_session(struct io *io, int fd, const struct login_user *u,
		  const struct imapd_env *env);
/* The program the monitor execs, in libexec_dir. */
#define IMAPD_SESSION_PROGRAM "quail-imapd-session"

/* conn.c: the session object and the wire. */
/* Initialises s for env on io (idle timeout imap_timeout, pre-login
 * parser limits). 0 / -1 (out of memory). */
int sess_init(struct imapd_session *s, const struct imapd_env *env,
	      struct io *io);
/* Closes the selected mailbox, frees the parser (TLS, s->tls_conn, is
 * ended by its owner: roles_child). */
void sess_free(struct imapd_session *s);
/* Switches the parser to the post-login limits (message_size_limit). */
void conn_set_postauth(struct imapd_session *s);
/* Reads the next command. 1: *cmd_r is valid until conn_command_done()
 * (s->tag set); 0: the session is over (EOF, timeout, fatal error; BYE
 * sent where due, s->done set); -1: an error was answered (BAD, or an
 * APPEND refused before its literal), read on. */
int conn_read_command(struct imapd_session *s,
		      const struct imap_command **cmd_r);
/* Drops the command returned by conn_read_command(). */
void conn_command_done(struct imapd_session *s);
/* Reads one raw line (AUTHENTICATE responses, IDLE's DONE) of at most
 * max bytes, CRLF included, into line (terminator stripped). hide: never
 * traced. 1 line, 0 session over (answered; s->done), -1 too long or
 * NUL inside (nothing answered). */
int conn_read_line(struct imapd_session *s, struct buf *line, size_t max,
		   bool hide);
/* Sends "<tag> <status> <text>" for the current command (s->reply), counts
 * a BAD and, at error_limit, says BYE and sets s->done. */
void conn_tagged(struct imapd_session *s);
/* A trace line (dir '<' or '>') when tracing. */
void conn_trace(const struct imapd_session *s, char dir, const void *p,
		size_t len);
/* TLS is on; plaintext logins are allowed now (TLS, or the client is in
 * plaintext_auth_networks). */
bool conn_tls_on(const struct imapd_session *s);
bool conn_plaintext_ok(const struct imapd_session *s);
/* "* CAPABILITY ..." text for the current state (static storage). */
const char *conn_capability(const struct imapd_session *s);

/* auth.c: the not-authenticated state up to a successful login. 1 logged
 * in (*u_r, the login command's tag in tag_r; its tagged OK is the
 * session's to send), 0 the session ended. */
int auth_run(struct imapd_session *s, struct login *l, struct login_user *u_r,
	     struct buf *tag_r);
/* Starts TLS (after the STARTTLS reply, or first thing with -t); input
 * pipelined before the handshake is dropped. 0 / -1 (logged, s->done). */
int auth_start_tls(struct imapd_session *s);

/* session.c: the authenticated and selected states for u, starting with
 * the tagged reply to the login command tag. 0 ended normally, -1 a
 * temporary failure. */
int session_run(struct imapd_session *s, const struct login_user *u,
		const char *tag);
/* Runs one command in any state (table lookup, state check, handler,
 * untagged updates, tagged reply). auth.c passes what it does not handle
 * itself. */
void sess_dispatch(struct imapd_session *s, const struct imap_command *cmd);

/* session.c */
imapd_cmd_fn cmd_capability, cmd_noop, cmd_logout, cmd_id, cmd_check,
	cmd_select, cmd_examine, cmd_close, cmd_unselect, cmd_expunge,
	cmd_namespace, cmd_enable;
/* idle.c */
imapd_cmd_fn cmd_idle;

#endif
