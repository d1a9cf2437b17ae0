/*
 * cmd.c -- the SMTP commands of quail-smtpd (RFC 5321 4.1.1, 4.1.4, 3.3;
 * SIZE RFC 1870, 8BITMIME RFC 6152, PIPELINING RFC 2920, SMTPUTF8 RFC
 * 6531, enhanced status codes RFC 3463), dispatched through one table
 * {verb, handler, allowed states, flags} over enum smtpd_state.
 *
 * Verbs are case-insensitive; the forms people type in telnet are
 * accepted: "mail from: me@example.com" (no brackets, space after the
 * colon), "EHLO 127.0.0.1" (a bare IP).
 *
 * STARTTLS (RFC 3207) and AUTH PLAIN/LOGIN (RFC 4954, RFC 4616) with the
 * submission rules of RFC 6409 (-s: AUTH before MAIL).
 *
 * SECURITY: relaying is refused unless the client authenticated or its IP
 * is in relay_networks; recipients in local domains are checked at RCPT
 * time (550 5.1.1 for unknown users, so no bounce is ever sent to a forged
 * sender). Addresses are parsed by lib/addr.c into canonical form, which
 * never contains CR, LF or NUL and is safe for the queue envelope.
 * AUTH is offered and accepted only under TLS or from
 * plaintext_auth_networks; credentials are decoded by lib/sasl.c, checked
 * by the root monitor through lib/login.c (same answer and delay for
 * unknown users and bad passwords), never logged, and wiped after use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "cidr.h"
#include "log.h"
#include "login.h"
#include "rcpt.h"
#include "sasl.h"
#include "session.h"
#include "tls.h"

/* Ceiling on recipients when recipient_limit = 0 ("no limit"), so that
 * memory stays bounded anyway. */
#define SMTPD_RCPTS_HARD_MAX 10000
/* Longest ESMTP parameter keyword we look at (RFC 5321 esmtp-keyword). */
#define SMTPD_PARAM_MAX_BYTES 64

#define CMD_ARG_NONE     0x1 /* no argument allowed (DATA, RSET, QUIT) */
#define CMD_ARG_REQUIRED 0x2 /* an argument is required */

struct cmd {
	const char *verb;
	void (*handler)(struct session *s, const char *arg, size_t len);
	unsigned states;        /* enum smtpd_state bits it is valid in */
	unsigned flags;         /* CMD_ARG_* */
	const char *bad_state;  /* reply text when not valid (after HELO) */
	const char *syntax;     /* "Syntax: ..." hint for 501 */
};

static bool ascii_prefix(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(p, prefix, n) == 0;
}

/* A HELO/EHLO name is kept if it is one token of visible ASCII: it ends up
 * in our Received: line, so no space, control or 8-bit byte may pass.
 * Like Postfix's default, a name that is not a valid domain is accepted:
 * Windows hosts say "EHLO my_pc", and the name proves nothing anyway (the
 * Received: line records the client's real address next to it). */
static bool helo_acceptable(const char *arg, size_t len)
{
	size_t i;

	if (len == 0 || len > SMTPD_HELO_MAX_BYTES)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)arg[i] <= 0x20 || (unsigned char)arg[i] >= 0x7f)
			return false;
	return true;
}

/* AUTH may be used on this connection: under TLS, or from a network
 * where plaintext passwords are acceptable (loopback in the lab). */
static bool auth_channel_ok(const struct session *s)
{
	return s->tls != NULL ||
	       conf_plaintext_auth_ok(s->conf, s->env->remote_ip);
}

static bool auth_offered(const struct session *s)
{
	return s->env->login != NULL && !s->authenticated &&
	       auth_channel_ok(s);
}

static void cmd_helo_common(struct session *s, const char *arg, size_t len,
			    bool esmtp)
{
	if (!helo_acceptable(arg, len)) {
		session_error(s, "501 5.5.4 Syntax: %s hostname",
			      esmtp ? "EHLO" : "HELO");
		return;
	}
	/* RFC 5321 4.1.4: EHLO/HELO also resets any transaction. */
	session_reset_transaction(s);
	memcpy(s->helo, arg, len);
	s->helo[len] = '\0';
	s->esmtp = esmtp;
	s->state = SMTPD_STATE_HELO;
	if (!esmtp) {
		session_reply(s, "250 %s", s->conf->hostname);
		return;
	}
	session_reply(s, "250-%s", s->conf->hostname);
	session_reply(s, "250-PIPELINING");
	session_reply(s, "250-SIZE %lu", s->conf->message_size_limit);
	session_reply(s, "250-8BITMIME");
	if (s->env->tls != NULL && s->tls == NULL)
		session_reply(s, "250-STARTTLS");
	if (auth_offered(s))
		session_reply(s, "250-AUTH PLAIN LOGIN");
	session_reply(s, "250-ENHANCEDSTATUSCODES");
	session_reply(s, "250 SMTPUTF8");
}

static void cmd_helo(struct session *s, const char *arg, size_t len)
{
	cmd_helo_common(s, arg, len, false);
}

static void cmd_ehlo(struct session *s, const char *arg, size_t len)
{
	cmd_helo_common(s, arg, len, true);
}

/* Strict decimal for SIZE=: digits only, overflow-checked. 0 / -1. */
static int parse_ulong(const char *p, size_t len, unsigned long *r)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (unsigned)(p[i] - '0');
		if (v > (~0UL - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*r = v;
	return 0;
}

static bool xtext_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* RFC 3461 4: xtext = *( xchar / "+" 2HEXCHAR ), xchar = "!".."~"
 * except "+" and "="; RFC 4954 5 also allows "<>". */
static bool xtext_valid(const char *p, size_t len)
{
	size_t i;

	if (len == 2 && p[0] == '<' && p[1] == '>')
		return true;
	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '+') {
			if (len - i < 3 || !xtext_hex(p[i + 1]) ||
			    !xtext_hex(p[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (c < '!' || c > '~' || c == '=')
			return false;
	}
	return true;
}

/* One MAIL parameter "KEY[=VALUE]". Returns 0, or -1 after replying. */
static int mail_param(struct session *s, const char *p, size_t len)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq != NULL ? (size_t)(eq - p) : len;
	const char *val = eq != NULL ? eq + 1 : NULL;
	size_t vlen = eq != NULL ? len - klen - 1 : 0;

	if (klen == 4 && strncasecmp(p, "SIZE", 4) == 0 && val != NULL) {
		if (parse_ulong(val, vlen, &s->declared_size) < 0) {
			session_error(s, "501 5.5.4 Bad SIZE parameter");
			return -1;
		}
		if (s->declared_size > s->conf->message_size_limit) {
			session_reply(s, "552 5.3.4 Message size exceeds fixed limit");
			return -1;
		}
		return 0;
	}
	if (klen == 4 && strncasecmp(p, "BODY", 4) == 0 && val != NULL) {
		if (vlen == 4 && strncasecmp(val, "7BIT", 4) == 0)
			s->body = SMTPD_BODY_7BIT;
		else if (vlen == 8 && strncasecmp(val, "8BITMIME", 8) == 0)
			s->body = SMTPD_BODY_8BITMIME;
		else {
			session_error(s, "501 5.5.4 Bad BODY parameter");
			return -1;
		}
		return 0;
	}
	if (klen == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0 && val == NULL) {
		s->smtputf8 = true;
		return 0;
	}
	if (klen == 4 && strncasecmp(p, "AUTH", 4) == 0 && val != NULL) {
		if (!xtext_valid(val, vlen) || vlen > SMTPD_MAIL_AUTH_MAX_BYTES) {
			session_error(s, "501 5.5.4 Bad AUTH parameter");
			return -1;
		}
		/* RFC 4954 5: only an authenticated client's value means
		 * anything; from others it is accepted and ignored. */
		if (s->authenticated) {
			memcpy(s->mail_auth, val, vlen);
			s->mail_auth[vlen] = '\0';
		}
		return 0;
	}
	{
		char safe[SMTPD_PARAM_MAX_BYTES];

		log_safe(safe, sizeof(safe), p, klen);
		session_error(s, "555 5.5.4 Unsupported option: %s", safe);
	}
	return -1;
}

/* Splits params after an address at p[0..len) on spaces and calls fn on
 * each. p must be empty or start with a space. Returns 0, or -1 after a
 * reply. */
static int parse_params(struct session *s, const char *p, size_t len,
			int (*fn)(struct session *, const char *, size_t),
			const char *syntax)
{
	size_t i = 0;

	if (len > 0 && p[0] != ' ') {
		session_error(s, "501 5.5.4 Syntax: %s", syntax);
		return -1;
	}
	while (i < len) {
		size_t start;

		while (i < len && p[i] == ' ')
			i++;
		start = i;
		while (i < len && p[i] != ' ')
			i++;
		if (i > start && fn(s, p + start, i - start) < 0)
			return -1;
	}
	return 0;
}

/* Skips "FROM:"/"TO:" and the spaces telnet users put after the colon.
 * Returns the offset of the path, or -1 if the keyword is missing. */
static long skip_keyword(const char *arg, size_t len, const char *kw)
{
	size_t i = strlen(kw);

	if (!ascii_prefix(arg, len, kw))
		return -1;
	while (i < len && (arg[i] == ' ' || arg[i] == '\t'))
		i++;
	return i < len ? (long)i : -1;
}

static void cmd_mail(struct session *s, const char *arg, size_t len)
{
	static const char syntax[] = "MAIL FROM:<address>";
	const char *error = NULL;
	struct addr a;
	size_t used = 0;
	long off = skip_keyword(arg, len, "FROM:");

	if (s->env->submission && !s->authenticated) {
		/* RFC 6409 4.3 / RFC 4954 6. */
		session_error(s, "530 5.7.0 Authentication required");
		return;
	}
	if (off < 0) {
		session_error(s, "501 5.5.4 Syntax: %s", syntax);
		return;
	}
	if (addr_parse_path(arg + off, len - (size_t)off,
			    ADDR_ALLOW_NULL | ADDR_LAX | ADDR_UTF8, &a, &used,
			    &error) < 0) {
		session_error(s, "501 5.1.7 Bad sender address syntax (%s)",
			      error != NULL ? error : "invalid");
		return;
	}
	session_reset_transaction(s);
	if (parse_params(s, arg + off + used, len - (size_t)off - used,
			 mail_param, syntax) < 0) {
		session_reset_transaction(s);
		return;
	}
	if (a.is_utf8 && !s->smtputf8) {
		session_reset_transaction(s);
		session_error(s, "553 5.6.7 Error: SMTPUTF8 is required for this address");
		return;
	}
	s->sender = a;
	s->state = SMTPD_STATE_MAIL;
	s->queue_id[0] = '\0';
	session_reply(s, "250 2.1.0 Ok");
}

/* RCPT takes no parameters here (no DSN yet). */
static int rcpt_param(struct session *s, const char *p, size_t len)
{
	char safe[SMTPD_PARAM_MAX_BYTES];
	const char *eq = memchr(p, '=', len);

	log_safe(safe, sizeof(safe), p, eq != NULL ? (size_t)(eq - p) : len);
	session_error(s, "555 5.5.4 Unsupported option: %s", safe);
	return -1;
}

/* RFC 5321 4.5.1: <postmaster> without a domain must be accepted. Fills
 * out with postmaster@<first local domain, else hostname>. 0 / -1. */
static int rcpt_postmaster(const struct session *s, const struct addr *a,
			   struct addr *out)
{
	const char *dom;
	const char *error;

	if (a->len != 10 || strncasecmp(a->str, "postmaster", 10) != 0)
		return -1;
	dom = s->conf->n_local_domains > 0 ? s->conf->local_domains[0]
					     : s->conf->hostname;
	{
		char tmp[ADDR_PATH_MAX_BYTES + 1];
		int n = snprintf(tmp, sizeof(tmp), "postmaster@%s", dom);

		if (n < 0 || (size_t)n >= sizeof(tmp))
			return -1;
		return addr_parse_mailbox(tmp, (size_t)n, 0, out, &error);
	}
}

/* Decides whether a may be a recipient. Returns 1 accept, 0 after a
 * rejection reply. */
static int rcpt_check(struct session *s, const struct addr *a)
{
	const char *dom = addr_domain(a);
	const char *error = NULL;
	struct rcpt_info info;
	int r;

	if (!conf_is_local_domain(s->conf, dom)) {
		if (s->authenticated)
			return 1;       /* on every port (issue 3) */
		if (cidr_match_any(s->conf->relay_networks,
				   s->conf->n_relay_networks, s->env->remote_ip))
			return 1;
		log_msg(LOG_NOTICE, "reject: relay denied to=<%s> client=%s",
			a->str, s->env->remote_ip);
		session_error(s, "554 5.7.1 <%s>: Relay access denied", a->str);
		return 0;
	}
	rcpt_info_init(&info);
	r = rcpt_lookup(s->conf, a->str, &info, &error);
	rcpt_info_free(&info);
	if (r == 1)
		return 1;
	if (r < 0) {
		log_msg(LOG_WARNING, "recipient lookup failed for <%s>: %s",
			a->str, error != NULL ? error : "unknown error");
		session_reply(s, "451 4.3.0 <%s>: Temporary lookup failure", a->str);
		return 0;
	}
	log_msg(LOG_NOTICE, "reject: unknown user to=<%s> client=%s",
		a->str, s->env->remote_ip);
	session_error(s, "550 5.1.1 <%s>: Recipient address rejected: "
		      "User unknown in local recipient table", a->str);
	return 0;
}

static int rcpt_add(struct session *s, const char *str)
{
	char **n;
	size_t i;

	for (i = 0; i < s->n_rcpts; i++)
		if (strcmp(s->rcpts[i], str) == 0)
			return 0; /* duplicate: one delivery is enough */
	n = realloc(s->rcpts, (s->n_rcpts + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	s->rcpts = n;
	s->rcpts[s->n_rcpts] = strdup(str);
	if (s->rcpts[s->n_rcpts] == NULL)
		return -1;
	s->n_rcpts++;
	return 0;
}

static void cmd_rcpt(struct session *s, const char *arg, size_t len)
{
	static const char syntax[] = "RCPT TO:<address>";
	const char *error = NULL;
	struct addr a, pm;
	size_t used = 0;
	size_t limit = s->conf->recipient_limit != 0 ? s->conf->recipient_limit
						      : SMTPD_RCPTS_HARD_MAX;
	long off = skip_keyword(arg, len, "TO:");

	if (off < 0) {
		session_error(s, "501 5.5.4 Syntax: %s", syntax);
		return;
	}
	if (s->n_rcpts >= limit) {
		session_reply(s, "452 4.5.3 Error: too many recipients");
		return;
	}
	if (addr_parse_path(arg + off, len - (size_t)off,
			    ADDR_LAX | ADDR_UTF8 | ADDR_NO_DOMAIN, &a, &used,
			    &error) < 0) {
		session_error(s, "501 5.1.3 Bad recipient address syntax (%s)",
			      error != NULL ? error : "invalid");
		return;
	}
	if (parse_params(s, arg + off + used, len - (size_t)off - used,
			 rcpt_param, syntax) < 0)
		return;
	if (a.at >= a.len) {
		if (rcpt_postmaster(s, &a, &pm) < 0) {
			session_error(s, "501 5.1.3 Bad recipient address syntax "
				      "(domain required)");
			return;
		}
		a = pm;
	}
	if (a.is_utf8 && !s->smtputf8) {
		session_error(s, "553 5.6.7 Error: SMTPUTF8 is required for this address");
		return;
	}
	if (!rcpt_check(s, &a))
		return;
	if (rcpt_add(s, a.str) < 0) {
		log_msg(LOG_ERR, "out of memory adding a recipient");
		session_reply(s, "451 4.3.0 Error: out of memory");
		return;
	}
	s->state = SMTPD_STATE_RCPT;
	session_reply(s, "250 2.1.5 Ok");
}

static void cmd_data(struct session *s, const char *arg, size_t len)
{
	data_run(s);
}

static void cmd_rset(struct session *s, const char *arg, size_t len)
{
	session_reset_transaction(s);
	session_reply(s, "250 2.0.0 Ok");
}

static void cmd_noop(struct session *s, const char *arg, size_t len)
{
	session_reply(s, "250 2.0.0 Ok");
}

static void cmd_quit(struct session *s, const char *arg, size_t len)
{
	session_reply(s, "221 2.0.0 Bye");
	s->done = true;
}

static void cmd_vrfy(struct session *s, const char *arg, size_t len)
{
	/* RFC 5321 3.5.3: 252 without disclosing who exists. */
	session_reply(s, "252 2.0.0 Cannot VRFY user, but will accept message "
		      "and attempt delivery");
}

static void cmd_help(struct session *s, const char *arg, size_t len)
{
	session_reply(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET "
		      "NOOP QUIT VRFY HELP%s%s",
		      s->env->tls != NULL ? " STARTTLS" : "",
		      s->env->login != NULL ? " AUTH" : "");
}

/* A web browser or proxy pointed at port 25 (cross-protocol attacks):
 * say goodbye at once, as Postfix does. */
static void cmd_http(struct session *s, const char *arg, size_t len)
{
	log_msg(LOG_NOTICE, "non-SMTP command from %s[%s]",
		s->env->remote_host, s->env->remote_ip);
	session_reply(s, "221 2.7.0 Error: I can break rules, too. Goodbye.");
	s->done = true;
}

static void cmd_starttls(struct session *s, const char *arg, size_t len)
{
	const char *error = NULL;

	if (s->env->tls == NULL) {
		session_error(s, "502 5.5.1 Error: command not implemented");
		return;
	}
	if (s->tls != NULL) {
		session_error(s, "554 5.5.1 Error: TLS already active");
		return;
	}
	/* OpenSSL is set up only now (lib/tls.h: lazy setup). A key that
	 * does not match its certificate is found here: say so before the
	 * 220, so the client knows TLS is not there. */
	if (tls_server_prepare(s->env->tls, &error) < 0) {
		log_msg(LOG_ERR, "TLS: %s", error);
		session_reply(s, "454 4.7.0 TLS not available due to local "
			      "problem");
		return;
	}
	session_reply(s, "220 2.0.0 Ready to start TLS");
	/* session_start_tls sends the 220 in plaintext, then drops whatever
	 * the client pipelined behind STARTTLS before the handshake. */
	(void)session_start_tls(s);
}

/* Checks the credentials with the monitor and answers. pass is wiped by
 * the caller. */
static void auth_verify(struct session *s, const char *mech,
			const char *user, const char *pass)
{
	char safe[LOGIN_USER_MAX_BYTES * 4 + 4];
	struct login_user u;
	int r;

	log_safe(safe, sizeof(safe), user, strlen(user));
	memset(&u, 0, sizeof(u));
	r = login_verify(s->env->login, user, pass, s->env->remote_ip, &u);
	if (r == 1) {
		s->authenticated = true;
		snprintf(s->auth_user, sizeof(s->auth_user), "%s", u.name);
		log_safe(safe, sizeof(safe), u.name, strlen(u.name));
		log_msg(LOG_INFO, "auth ok: user=%s mech=%s client=%s[%s]%s",
			safe, mech, s->env->remote_host, s->env->remote_ip,
			s->tls != NULL ? " tls" : "");
		session_reply(s, "235 2.7.0 Authentication successful");
		return;
	}
	if (r == 0) {
		log_msg(LOG_NOTICE, "auth failed: user=%s mech=%s client=%s[%s]",
			safe, mech, s->env->remote_host, s->env->remote_ip);
		session_error(s, "535 5.7.8 Error: authentication failed");
		return;
	}
	log_msg(LOG_ERR, "auth temporary failure: user=%s mech=%s client=%s[%s]",
		safe, mech, s->env->remote_host, s->env->remote_ip);
	session_reply(s, "454 4.7.0 Temporary authentication failure");
}

/* Gets one client response: the initial response ir (if any; "=" is the
 * empty one, RFC 4954 4) or a line read after the "334 prompt"
 * challenge. 1 ok (*r_p, *r_len point into ir or line), 0 refused or
 * cancelled (replied), -1 session over. */
static int auth_response(struct session *s, const char *ir, size_t ir_len,
			 const char *prompt, struct buf *line,
			 const char **r_p, size_t *r_len)
{
	int r;

	if (ir != NULL) {
		*r_p = ir;
		*r_len = ir_len == 1 && ir[0] == '=' ? 0 : ir_len;
		return 1;
	}
	if (session_reply(s, "334 %s", prompt) < 0)
		return -1;
	r = session_auth_line(s, line);
	if (r <= 0)
		return r;
	if (sasl_is_cancel(line->data, line->len)) {
		session_reply(s, "501 5.7.0 Authentication aborted");
		return 0;
	}
	*r_p = line->data;
	*r_len = line->len;
	return 1;
}

static void auth_plain(struct session *s, const char *ir, size_t ir_len,
		       struct buf *line)
{
	struct sasl_plain plain;
	const char *p, *error = NULL;
	size_t n;

	if (auth_response(s, ir, ir_len, "", line, &p, &n) <= 0)
		return;
	if (sasl_plain_decode(p, n, &plain, &error) < 0) {
		session_error(s, "501 5.5.2 Error: %s",
			      error != NULL ? error : "invalid response");
		return;
	}
	auth_verify(s, "PLAIN", plain.authcid, plain.passwd);
	sasl_plain_wipe(&plain);
}

static void auth_login(struct session *s, const char *ir, size_t ir_len,
		       struct buf *line)
{
	char user[SASL_USER_MAX_BYTES + 1], pass[SASL_PASS_MAX_BYTES + 1];
	const char *p, *error = NULL;
	size_t n;

	/* Some clients send the user name as an initial response. */
	if (auth_response(s, ir, ir_len, SASL_LOGIN_PROMPT_USER, line,
			  &p, &n) <= 0)
		return;
	if (sasl_login_decode(p, n, true, user, SASL_USER_MAX_BYTES,
			      &error) < 0) {
		session_error(s, "501 5.5.2 Error: %s",
			      error != NULL ? error : "invalid response");
		return;
	}
	if (auth_response(s, NULL, 0, SASL_LOGIN_PROMPT_PASS, line,
			  &p, &n) <= 0)
		goto out;
	if (sasl_login_decode(p, n, false, pass, SASL_PASS_MAX_BYTES,
			      &error) < 0) {
		session_error(s, "501 5.5.2 Error: %s",
			      error != NULL ? error : "invalid response");
		goto out;
	}
	auth_verify(s, "LOGIN", user, pass);
out:
	explicit_bzero(user, sizeof(user));
	explicit_bzero(pass, sizeof(pass));
}

/* AUTH mechanism [initial-response] (RFC 4954 4). */
static void cmd_auth(struct session *s, const char *arg, size_t len)
{
	struct buf line;
	const char *ir = NULL;
	size_t mlen = 0, i;
	enum sasl_mech mech;

	if (s->env->login == NULL) {
		session_error(s, "503 5.5.1 Error: authentication not enabled");
		return;
	}
	if (s->authenticated) {
		session_error(s, "503 5.5.1 Error: already authenticated");
		return;
	}
	if (!auth_channel_ok(s)) {
		log_msg(LOG_NOTICE, "reject: AUTH without TLS from %s[%s]",
			s->env->remote_host, s->env->remote_ip);
		session_error(s, "538 5.7.11 Encryption required for "
			      "requested authentication mechanism");
		return;
	}
	while (mlen < len && arg[mlen] != ' ' && arg[mlen] != '\t')
		mlen++;
	i = mlen;
	while (i < len && (arg[i] == ' ' || arg[i] == '\t'))
		i++;
	if (i < len) {
		ir = arg + i;
		while (i < len && arg[i] != ' ' && arg[i] != '\t')
			i++;
		if (i < len) {
			session_error(s, "501 5.5.4 Syntax: AUTH mechanism "
				      "[initial-response]");
			return;
		}
	}
	mech = sasl_mech_parse(arg, mlen);
	if (mech == SASL_MECH_UNKNOWN) {
		session_error(s, "504 5.5.4 Unrecognized authentication type");
		return;
	}
	buf_init(&line, SMTPD_AUTH_LINE_MAX_BYTES + 1);
	if (mech == SASL_MECH_PLAIN)
		auth_plain(s, ir, ir != NULL ? (size_t)(arg + len - ir) : 0,
			   &line);
	else
		auth_login(s, ir, ir != NULL ? (size_t)(arg + len - ir) : 0,
			   &line);
	buf_free_secret(&line);
}

#define AFTER_HELO (SMTPD_STATE_HELO | SMTPD_STATE_MAIL | SMTPD_STATE_RCPT)

static const struct cmd cmd_table[] = {
	{ "HELO", cmd_helo, SMTPD_STATE_ANY, CMD_ARG_REQUIRED, NULL, "HELO hostname" },
	{ "EHLO", cmd_ehlo, SMTPD_STATE_ANY, CMD_ARG_REQUIRED, NULL, "EHLO hostname" },
	{ "MAIL", cmd_mail, SMTPD_STATE_HELO, CMD_ARG_REQUIRED,
	  "nested MAIL command", "MAIL FROM:<address>" },
	{ "RCPT", cmd_rcpt, SMTPD_STATE_MAIL | SMTPD_STATE_RCPT, CMD_ARG_REQUIRED,
	  "need MAIL command", "RCPT TO:<address>" },
	{ "DATA", cmd_data, SMTPD_STATE_RCPT, CMD_ARG_NONE,
	  "need RCPT command", "DATA" },
	{ "RSET", cmd_rset, SMTPD_STATE_ANY, CMD_ARG_NONE, NULL, "RSET" },
	{ "NOOP", cmd_noop, SMTPD_STATE_ANY, 0, NULL, "NOOP" },
	{ "QUIT", cmd_quit, SMTPD_STATE_ANY, CMD_ARG_NONE, NULL, "QUIT" },
	{ "STARTTLS", cmd_starttls, SMTPD_STATE_GREETED | SMTPD_STATE_HELO,
	  CMD_ARG_NONE, "MAIL transaction in progress", "STARTTLS" },
	{ "AUTH", cmd_auth, SMTPD_STATE_HELO, CMD_ARG_REQUIRED,
	  "MAIL transaction in progress", "AUTH mechanism [initial-response]" },
	{ "VRFY", cmd_vrfy, SMTPD_STATE_ANY, CMD_ARG_REQUIRED, NULL, "VRFY address" },
	{ "HELP", cmd_help, SMTPD_STATE_ANY, 0, NULL, "HELP" },
	{ "GET", cmd_http, SMTPD_STATE_ANY, 0, NULL, "" },
	{ "POST", cmd_http, SMTPD_STATE_ANY, 0, NULL, "" },
	{ "CONNECT", cmd_http, SMTPD_STATE_ANY, 0, NULL, "" },
};

static const struct cmd *cmd_find(const char *verb, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (strlen(cmd_table[i].verb) == len &&
		    strncasecmp(cmd_table[i].verb, verb, len) == 0)
			return &cmd_table[i];
	return NULL;
}

void cmd_dispatch(struct session *s, const char *line, size_t len)
{
	const struct cmd *c;
	size_t vlen = 0, a = 0;

	/* Trailing blanks are what telnet users leave; they mean nothing. */
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (vlen < len && line[vlen] != ' ' && line[vlen] != '\t')
		vlen++;
	if (vlen == 0) {
		session_error(s, "500 5.5.2 Error: bad syntax");
		return;
	}
	c = cmd_find(line, vlen);
	if (c == NULL) {
		session_error(s, "502 5.5.2 Error: command not recognized");
		return;
	}
	a = vlen;
	while (a < len && (line[a] == ' ' || line[a] == '\t'))
		a++;
	if ((c->flags & CMD_ARG_NONE) && a < len) {
		session_error(s, "501 5.5.4 Syntax: %s", c->syntax);
		return;
	}
	if ((c->flags & CMD_ARG_REQUIRED) && a == len) {
		session_error(s, "501 5.5.4 Syntax: %s", c->syntax);
		return;
	}
	if (!(c->states & s->state)) {
		if (s->state == SMTPD_STATE_GREETED)
			session_error(s, "503 5.5.1 Error: send HELO/EHLO first");
		else
			session_error(s, "503 5.5.1 Error: %s", c->bad_state);
		return;
	}
	c->handler(s, line + a, len - a);
}
