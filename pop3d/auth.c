/*
 * auth.c -- the POP3 AUTHORIZATION state (RFC 1939 4 and 7), with CAPA
 * (RFC 2449), STLS (RFC 2595 4), AUTH PLAIN and LOGIN with an optional
 * initial response (RFC 5034, RFC 4616) and the response codes of
 * RFC 2449 8 and RFC 3206 ([AUTH], [SYS/TEMP]).
 *
 * SECURITY: runs in the unprivileged protocol process (lib/login.h).
 * USER/PASS and AUTH are refused without TLS unless the client is in
 * plaintext_auth_networks; USER answers +OK for any name (no user
 * enumeration); passwords are copied into fixed buffers, handed to
 * login_verify() and wiped, and never traced or logged. After STLS the
 * USER given before is forgotten. APOP is not offered (it needs
 * plaintext passwords on the server).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pop3d.h"
#include "sasl.h"

struct auth_state {
	char user[LOGIN_USER_MAX_BYTES + 1]; /* from USER, "" if none */
};

static void
auth_capa(struct pop3_conn *c)
{
	conn_reply(c, "+OK Capability list follows");
	conn_reply(c, "TOP");
	conn_reply(c, "UIDL");
	conn_reply(c, "RESP-CODES");
	conn_reply(c, "AUTH-RESP-CODE");
	conn_reply(c, "PIPELINING");
	if (conn_plaintext_ok(c)) {
		conn_reply(c, "USER");
		conn_reply(c, "SASL PLAIN LOGIN");
	}
	if (c->env->tls != NULL && !conn_tls_on(c))
		conn_reply(c, "STLS");
	conn_reply(c, "IMPLEMENTATION quail");
	conn_reply(c, ".");
}

/* Runs login_verify_owner and answers a failure. 1 ok, 0 refused or
 * failed. */
static int
auth_verify(struct pop3_conn *c, struct login *l, const char *user,
	    const char *pass, struct login_user *u_r)
{
	switch (login_verify_owner(l, user, pass, c->env->remote_ip, u_r)) {
	case LOGIN_OK:
		return 1;
	case LOGIN_ROOT_OWNER:
		conn_reply(c, "-ERR [SYS/PERM] Mailbox owner not allowed.");
		c->done = true;
		break;
	case LOGIN_REFUSED:
		conn_error(c, "-ERR [AUTH] Authentication failed.");
		break;
	default:
		conn_reply(c, "-ERR [SYS/TEMP] Temporary authentication "
			      "failure.");
	}
	return 0;
}

static int
auth_pass(struct pop3_conn *c, struct login *l, struct auth_state *a,
	  const struct pop3_command *cmd, struct login_user *u_r)
{
	char pass[LOGIN_PASS_MAX_BYTES + 1];
	int r;

	if (a->user[0] == '\0') {
		conn_error(c, "-ERR No username given.");
		return 0;
	}
	if (cmd->arg_len > LOGIN_PASS_MAX_BYTES) {
		/* cannot be right; answer like any wrong password */
		r = auth_verify(c, l, a->user, "", u_r);
	} else {
		memcpy(pass, cmd->arg, cmd->arg_len);
		pass[cmd->arg_len] = '\0';
		r = auth_verify(c, l, a->user, pass, u_r);
		explicit_bzero(pass, sizeof(pass));
	}
	if (r == 0)
		a->user[0] = '\0';
	return r;
}

/* Reads one AUTH continuation line (after "+ <challenge>"). 1 line in
 * c->line, 0 cancelled or session over (answered). */
static int
auth_continue(struct pop3_conn *c, const char *challenge)
{
	int r;

	if (conn_reply(c, "+ %s", challenge) < 0)
		return 0;
	c->hide_next = true;
	r = conn_read_line(c, POP3_AUTH_LINE_MAX_BYTES);
	if (r <= 0)
		return 0;
	if (sasl_is_cancel(c->line.data, c->line.len)) {
		conn_error(c, "-ERR Authentication cancelled.");
		return 0;
	}
	return 1;
}

static int
auth_plain(struct pop3_conn *c, struct login *l, const struct pop3_command *cmd,
	   struct login_user *u_r)
{
	struct sasl_plain p;
	const char *resp, *error = NULL;
	size_t len;
	int r;

	if (cmd->arg2 != NULL) {
		resp = cmd->arg2;
		len = cmd->arg2_len;
	} else {
		if (auth_continue(c, "") == 0)
			return 0;
		resp = c->line.data;
		len = c->line.len;
	}
	/* "=" is an empty initial response (RFC 5034 4): no credentials */
	if ((len == 1 && resp[0] == '=') ||
	    sasl_plain_decode(resp, len, &p, &error) < 0) {
		conn_error(c, "-ERR [AUTH] Invalid SASL PLAIN response.");
		return 0;
	}
	r = auth_verify(c, l, p.authcid, p.passwd, u_r);
	sasl_plain_wipe(&p);
	return r;
}

static int
auth_login(struct pop3_conn *c, struct login *l, const struct pop3_command *cmd,
	   struct login_user *u_r)
{
	char user[SASL_USER_MAX_BYTES + 1], pass[SASL_PASS_MAX_BYTES + 1];
	const char *resp, *error = NULL;
	size_t len;
	int r;

	if (cmd->arg2 != NULL) {
		resp = cmd->arg2;
		len = cmd->arg2_len;
	} else {
		if (auth_continue(c, SASL_LOGIN_PROMPT_USER) == 0)
			return 0;
		resp = c->line.data;
		len = c->line.len;
	}
	if (sasl_login_decode(resp, len, true, user, SASL_USER_MAX_BYTES,
			      &error) < 0) {
		conn_error(c, "-ERR [AUTH] Invalid SASL LOGIN response.");
		return 0;
	}
	if (auth_continue(c, SASL_LOGIN_PROMPT_PASS) == 0)
		return 0;
	if (sasl_login_decode(c->line.data, c->line.len, false, pass,
			      SASL_PASS_MAX_BYTES, &error) < 0) {
		conn_error(c, "-ERR [AUTH] Invalid SASL LOGIN response.");
		return 0;
	}
	r = auth_verify(c, l, user, pass, u_r);
	explicit_bzero(pass, sizeof(pass));
	return r;
}

static int
auth_auth(struct pop3_conn *c, struct login *l, const struct pop3_command *cmd,
	  struct login_user *u_r)
{
	if (cmd->arg == NULL) {
		/* RFC 1734 style probe: list the mechanisms */
		conn_reply(c, "+OK");
		conn_reply(c, "PLAIN");
		conn_reply(c, "LOGIN");
		conn_reply(c, ".");
		return 0;
	}
	switch (sasl_mech_parse(cmd->arg, cmd->arg_len)) {
	case SASL_MECH_PLAIN:
		return auth_plain(c, l, cmd, u_r);
	case SASL_MECH_LOGIN:
		return auth_login(c, l, cmd, u_r);
	default:
		conn_error(c, "-ERR Unsupported authentication mechanism.");
		return 0;
	}
}

static const char auth_plaintext_refused[] = "-ERR [AUTH] Plaintext "
					     "authentication disallowed on "
					     "non-secure "
					     "connections.";

/* Handles one command. 1 logged in, 0 go on. */
static int
auth_command(struct pop3_conn *c, struct login *l, struct auth_state *a,
	     const struct pop3_command *cmd, struct login_user *u_r)
{
	const char *error = NULL;

	switch (cmd->cmd) {
	case POP3_CMD_CAPA:
		auth_capa(c);
		return 0;
	case POP3_CMD_NOOP:
		conn_reply(c, "+OK");
		return 0;
	case POP3_CMD_QUIT:
		conn_reply(c, "+OK Logging out.");
		c->done = true;
		return 0;
	case POP3_CMD_STLS:
		if (c->env->tls == NULL) {
			conn_error(c, "-ERR STLS not available.");
		} else if (conn_tls_on(c)) {
			conn_error(c, "-ERR TLS is already active.");
		} else if (tls_server_prepare(c->env->tls, &error) < 0) {
			/* a key that does not match its certificate is
			 * found here (lib/tls.h: lazy setup) */
			log_msg(LOG_ERR, "TLS certificate: %s", error);
			conn_reply(c, "-ERR [SYS/TEMP] TLS not available.");
		} else if (conn_reply(c, "+OK Begin TLS negotiation") == 0 &&
			   conn_start_tls(c) == 0) {
			a->user[0] = '\0';
		}
		return 0;
	case POP3_CMD_USER:
		if (!conn_plaintext_ok(c)) {
			conn_error(c, "%s", auth_plaintext_refused);
		} else if (cmd->arg_len > LOGIN_USER_MAX_BYTES) {
			conn_error(c, "-ERR Username too long.");
		} else {
			size_t len = cmd->arg_len;

			/* a space typed after the name is not part of it */
			while (len > 0 && cmd->arg[len - 1] == ' ')
				len--;
			memcpy(a->user, cmd->arg, len);
			a->user[len] = '\0';
			conn_reply(c, "+OK");
		}
		return 0;
	case POP3_CMD_PASS:
		if (!conn_plaintext_ok(c)) {
			conn_error(c, "%s", auth_plaintext_refused);
			return 0;
		}
		return auth_pass(c, l, a, cmd, u_r);
	case POP3_CMD_AUTH:
		if (!conn_plaintext_ok(c)) {
			conn_error(c, "%s", auth_plaintext_refused);
			return 0;
		}
		return auth_auth(c, l, cmd, u_r);
	case POP3_CMD_APOP:
		conn_error(c, "-ERR APOP not supported.");
		return 0;
	default:
		conn_error(c, "-ERR Not logged in.");
		return 0;
	}
}

int
auth_run(struct pop3_conn *c, struct login *l, struct login_user *u_r)
{
	struct auth_state a;
	struct pop3_command cmd;
	const char *error;
	int r;

	memset(&a, 0, sizeof(a));
	while (!c->done) {
		r = conn_read_line(c, POP3_AUTH_LINE_MAX_BYTES);
		if (r <= 0)
			continue;
		if (pop3_parse(c->line.data, c->line.len, &cmd, &error) < 0) {
			conn_error(c, "-ERR %s.", error);
			continue;
		}
		if (auth_command(c, l, &a, &cmd, u_r) == 1) {
			explicit_bzero(c->line.data, c->line.len);
			return 1;
		}
		/* a PASS line may have held a password */
		explicit_bzero(c->line.data, c->line.len);
	}
	return 0;
}
