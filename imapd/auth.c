/*
 * auth.c -- the IMAP not-authenticated state (RFC 3501 6.1, 6.2): the
 * capabilities before login, STARTTLS (6.2.1), AUTHENTICATE PLAIN and
 * LOGIN with the SASL-IR initial response (RFC 4959, RFC 4616), LOGIN
 * (6.2.3, LOGINDISABLED), and the response codes of RFC 5530
 * ([AUTHENTICATIONFAILED], [UNAVAILABLE], [PRIVACYREQUIRED]).
 * CAPABILITY, NOOP, LOGOUT and ID go to the dispatcher of session.c,
 * which also answers commands that need a login.
 *
 * SECURITY: runs in the unprivileged protocol process (lib/login.h).
 * LOGIN and AUTHENTICATE are refused without TLS unless the client is in
 * plaintext_auth_networks; passwords are handed to login_verify() and
 * wiped (in the parser's copy too), and never traced or logged. Unknown
 * users and bad passwords get the same answer after the same delay
 * (login_verify). Commands pipelined after STARTTLS are dropped.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imapd.h"
#include "log.h"
#include "sasl.h"

/* The tagged NO for a login without TLS from outside
 * plaintext_auth_networks (RFC 5530 PRIVACYREQUIRED). */
static const char auth_privacy_text[] = "[PRIVACYREQUIRED] Plaintext "
					"authentication disallowed on "
					"non-secure (SSL/TLS) connections.";

int
auth_start_tls(struct imapd_session *s)
{
	const char *error = NULL;

	if (io_flush(s->io) < 0) {
		s->done = true;
		return -1;
	}
	/* OpenSSL is set up only now (lib/tls.h: lazy setup). */
	if (tls_server_prepare(s->env->tls, &error) < 0) {
		log_msg(LOG_ERR, "TLS certificate: %s", error);
		s->done = true;
		return -1;
	}
	/* tls_accept() drops what the client sent after STARTTLS in
	 * plaintext: it must not be run as if it came over TLS. */
	if (tls_accept(&s->tls_conn, s->env->tls, s->io, &error) < 0) {
		log_msg(LOG_NOTICE, "TLS handshake with %s failed: %s",
			s->env->remote_ip,
			error != NULL ? error : "unknown error");
		s->tls_conn = NULL;
		s->done = true;
		return -1;
	}
	log_msg(LOG_INFO, "TLS on with %s: %s", s->env->remote_ip,
		tls_conn_info(s->tls_conn));
	return 0;
}

/* Overwrites a secret the parser holds (its arena is not wiped). */
static void
auth_wipe_arg(const struct imap_arg *arg)
{
	if (arg != NULL && arg->str != NULL && arg->len > 0)
		/* the parser's own copy: writable memory behind a const view */
		explicit_bzero((void *)(uintptr_t)arg->str, arg->len);
}

/* Wipes the strings of the arguments from first on, and of the lists
 * among them (one level: the parser allows no deeper nesting before the
 * login). */
static void
auth_wipe_args(const struct imap_command *cmd, size_t first)
{
	size_t i, k;

	for (i = first; i < cmd->n; i++) {
		if (cmd->args[i].type == IMAP_ARG_LIST) {
			for (k = 0; k < cmd->args[i].n; k++)
				auth_wipe_arg(&cmd->args[i].list[k]);
		} else {
			auth_wipe_arg(&cmd->args[i]);
		}
	}
}

static void
auth_starttls(struct imapd_session *s, size_t n)
{
	const char *error = NULL;

	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "STARTTLS takes no arguments.");
	} else if (s->env->tls == NULL) {
		sess_reply(s, IMAPD_BAD, "TLS support isn't enabled.");
	} else if (conn_tls_on(s)) {
		sess_reply(s, IMAPD_BAD, "TLS is already active.");
	} else if (tls_server_prepare(s->env->tls, &error) < 0) {
		/* a key that does not match its certificate is found here
		 * (lib/tls.h: lazy setup) */
		log_msg(LOG_ERR, "TLS certificate: %s", error);
		sess_reply(s, IMAPD_NO, "[UNAVAILABLE] TLS not available.");
	} else {
		sess_reply(s, IMAPD_OK, "Begin TLS negotiation now.");
		conn_tagged(s);
		/* what was pipelined behind STARTTLS is dropped here */
		auth_start_tls(s);
		return;
	}
	conn_tagged(s);
}

/* Runs login_verify_owner and answers a failure. 1 ok, 0 refused or
 * failed. */
static int
auth_verify(struct imapd_session *s, struct login *l, const char *user,
	    const char *pass, struct login_user *u_r)
{
	switch (login_verify_owner(l, user, pass, s->env->remote_ip, u_r)) {
	case LOGIN_OK:
		return 1;
	case LOGIN_ROOT_OWNER:
		sess_reply(s, IMAPD_NO, "[NOPERM] Mailbox owner not allowed.");
		s->done = true;
		break;
	case LOGIN_REFUSED:
		sess_reply(s, IMAPD_NO,
			   "[AUTHENTICATIONFAILED] Authentication failed.");
		break;
	default:
		sess_reply(s, IMAPD_NO,
			   "[UNAVAILABLE] Temporary authentication failure.");
	}
	return 0;
}

static int
auth_login(struct imapd_session *s, struct login *l,
	   const struct imap_command *cmd, struct login_user *u_r)
{
	char user[LOGIN_USER_MAX_BYTES + 1], pass[LOGIN_PASS_MAX_BYTES + 1];
	const char *u, *p;
	size_t ulen, plen;
	int r;

	if (cmd->n != 2 || !imap_arg_get_astring(&cmd->args[0], &u, &ulen) ||
	    !imap_arg_get_astring(&cmd->args[1], &p, &plen)) {
		auth_wipe_args(cmd, 1); /* a password may be among them */
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return 0;
	}
	if (!conn_plaintext_ok(s)) {
		auth_wipe_arg(&cmd->args[1]);
		sess_reply(s, IMAPD_NO, "%s", auth_privacy_text);
		return 0;
	}
	/* Too long or NUL inside cannot be right: answer like any wrong
	 * password, after the same delay. */
	if (ulen > LOGIN_USER_MAX_BYTES || memchr(u, '\0', ulen) != NULL)
		ulen = 0;
	memcpy(user, u, ulen);
	user[ulen] = '\0';
	if (plen > LOGIN_PASS_MAX_BYTES || memchr(p, '\0', plen) != NULL)
		plen = 0;
	memcpy(pass, p, plen);
	pass[plen] = '\0';
	auth_wipe_arg(&cmd->args[1]);
	r = auth_verify(s, l, user, pass, u_r);
	explicit_bzero(pass, sizeof(pass));
	return r;
}

/* Sends "+ <challenge>" and reads the response line into line. 1 line,
 * 0 cancelled, refused or session over (answered). */
static int
auth_continue(struct imapd_session *s, const char *challenge, struct buf *line)
{
	int r;

	sess_printf(s, "+ %s\r\n", challenge);
	r = conn_read_line(s, line, IMAPD_AUTH_LINE_MAX_BYTES, true);
	if (r == 0)
		return 0;
	if (r < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid or too long response line.");
		return 0;
	}
	if (sasl_is_cancel(line->data, line->len)) {
		sess_reply(s, IMAPD_BAD, "Authentication aborted by client.");
		return 0;
	}
	return 1;
}

static int
auth_plain(struct imapd_session *s, struct login *l, const char *ir,
	   size_t irlen, struct buf *line, struct login_user *u_r)
{
	struct sasl_plain p;
	const char *error = NULL;
	int r;

	if (ir == NULL) {
		if (auth_continue(s, "", line) == 0)
			return 0;
		ir = line->data;
		irlen = line->len;
	}
	/* "=" is an empty initial response (RFC 4959 3): no credentials */
	if ((irlen == 1 && ir[0] == '=') ||
	    sasl_plain_decode(ir, irlen, &p, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid SASL PLAIN response.");
		return 0;
	}
	r = auth_verify(s, l, p.authcid, p.passwd, u_r);
	sasl_plain_wipe(&p);
	return r;
}

static int
auth_sasl_login(struct imapd_session *s, struct login *l, const char *ir,
		size_t irlen, struct buf *line, struct login_user *u_r)
{
	char user[SASL_USER_MAX_BYTES + 1], pass[SASL_PASS_MAX_BYTES + 1];
	const char *error = NULL;
	int r;

	if (ir == NULL) {
		if (auth_continue(s, SASL_LOGIN_PROMPT_USER, line) == 0)
			return 0;
		ir = line->data;
		irlen = line->len;
	}
	if (sasl_login_decode(ir, irlen, true, user, SASL_USER_MAX_BYTES,
			      &error) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid SASL LOGIN response.");
		return 0;
	}
	if (auth_continue(s, SASL_LOGIN_PROMPT_PASS, line) == 0)
		return 0;
	if (sasl_login_decode(line->data, line->len, false, pass,
			      SASL_PASS_MAX_BYTES, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid SASL LOGIN response.");
		return 0;
	}
	r = auth_verify(s, l, user, pass, u_r);
	explicit_bzero(pass, sizeof(pass));
	return r;
}

static int
auth_authenticate(struct imapd_session *s, struct login *l,
		  const struct imap_command *cmd, struct login_user *u_r)
{
	struct buf line;
	const char *mech, *ir = NULL;
	size_t irlen = 0;
	int r = 0;

	if (cmd->n < 1 || cmd->n > 2 ||
	    !imap_arg_get_atom(&cmd->args[0], &mech) ||
	    (cmd->n == 2 &&
	     !imap_arg_get_astring(&cmd->args[1], &ir, &irlen))) {
		auth_wipe_args(cmd, 1);
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return 0;
	}
	if (!conn_plaintext_ok(s)) {
		if (cmd->n == 2)
			auth_wipe_arg(&cmd->args[1]);
		sess_reply(s, IMAPD_NO, "%s", auth_privacy_text);
		return 0;
	}
	buf_init(&line, IMAPD_AUTH_LINE_MAX_BYTES + 1);
	switch (sasl_mech_parse(mech, strlen(mech))) {
	case SASL_MECH_PLAIN:
		r = auth_plain(s, l, ir, irlen, &line, u_r);
		break;
	case SASL_MECH_LOGIN:
		r = auth_sasl_login(s, l, ir, irlen, &line, u_r);
		break;
	default:
		sess_reply(s, IMAPD_NO,
			   "Unsupported authentication mechanism.");
		break;
	}
	if (cmd->n == 2)
		auth_wipe_arg(&cmd->args[1]);
	buf_free_secret(&line);
	return r;
}

int
auth_run(struct imapd_session *s, struct login *l, struct login_user *u_r,
	 struct buf *tag_r)
{
	const struct imap_command *cmd;
	int r;

	while (!s->done) {
		if (conn_read_command(s, &cmd) <= 0)
			continue;
		r = 0;
		if (strcasecmp(cmd->name, "STARTTLS") == 0) {
			auth_starttls(s, cmd->n);
		} else if (strcasecmp(cmd->name, "LOGIN") == 0) {
			r = auth_login(s, l, cmd, u_r);
		} else if (strcasecmp(cmd->name, "AUTHENTICATE") == 0) {
			r = auth_authenticate(s, l, cmd, u_r);
		} else {
			sess_dispatch(s, cmd);
			conn_command_done(s);
			continue;
		}
		if (r == 1) {
			if (buf_set(tag_r, cmd->tag, strlen(cmd->tag)) < 0) {
				sess_reply(s, IMAPD_NO,
					   "[UNAVAILABLE] Out of "
					   "memory.");
				conn_tagged(s);
				conn_command_done(s);
				return 0;
			}
			conn_command_done(s);
			return 1;
		}
		if (s->replied)
			conn_tagged(s);
		conn_command_done(s);
	}
	return 0;
}
