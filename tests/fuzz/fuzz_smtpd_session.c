/*
 * fuzz_smtpd_session.c -- libFuzzer target: a whole quail-smtpd session
 * (session.c, cmd.c, data.c) fed arbitrary client bytes through a pipe,
 * replies to /dev/null.
 *
 * The fuzz build compiles only this file plus the lib sources, so the smtpd
 * sources are #included here. quail-queue and the recipient tables are
 * replaced by in-process fakes (the macros below rename the real calls
 * before the headers declare them), which also check two invariants:
 * the envelope never carries CR, LF or NUL, and a message handed over for
 * queueing never contains a CR (SMTP smuggling: bare CR/LF are refused).
 *
 * AUTH and submission: lib/login.c is #included too, under other names,
 * with priv_is_root() and auth_verify() replaced, so login_split() takes
 * its in-process (not root) path even when the fuzzer runs as root and a
 * verification costs no crypt(3): "good@example.com"/"secret" is
 * accepted, a user starting with 't' is a temporary failure, anything
 * else is refused. The fake also checks that what reaches the backends
 * is within login.h's limits and never empty.
 *
 * The first input byte picks the session's environment:
 *   bits 0,4  client address: 127.0.0.1 (relay and plaintext AUTH),
 *             192.0.2.7 (plaintext AUTH, no relay), 198.51.100.1
 *             (neither: AUTH needs TLS, 538), 192.0.2.7 again
 *   bit 1     trace on
 *   bit 2     submission (-s): AUTH before MAIL, Date/Message-ID added
 *   bit 3     AUTH enabled (a login verifier); always on with bit 2
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* lib/login.c under other names (the real one is linked in as well). */
#define login_split fuzz_login_split
#define login_verify fuzz_login_verify
#define login_handover fuzz_login_handover
#define login_monitor fuzz_login_monitor
#define login_child_status fuzz_login_child_status
#define login_free fuzz_login_free
#define priv_is_root fuzz_priv_is_root
#define auth_verify fuzz_auth_verify
#include "../../lib/login.c"
#undef auth_verify       /* cmd.c has a static function of that name */

#define qsubmit_start fuzz_qsubmit_start
#define qsubmit_write fuzz_qsubmit_write
#define qsubmit_finish fuzz_qsubmit_finish
#define qsubmit_abort fuzz_qsubmit_abort
#define rcpt_lookup fuzz_rcpt_lookup

#include "../../smtpd/session.c"
#include "../../smtpd/cmd.c"
#include "../../smtpd/data.c"

/* A pipe holds 64 KiB; the whole input is written before the session. */
#define FUZZ_INPUT_MAX_BYTES 60000

static bool fuzz_saw_cr;

int fuzz_qsubmit_start(struct qsubmit *q, const struct conf *c, const char **error_r)
{
	memset(q, 0, sizeof(*q));
	q->pid = -1;
	q->msg_fd = -1;
	q->env_fd = -1;
	fuzz_saw_cr = false;
	return 0;
}

int fuzz_qsubmit_write(struct qsubmit *q, const void *p, size_t n)
{
	if (memchr(p, '\r', n) != NULL)
		fuzz_saw_cr = true;
	q->bytes += n;
	return 0;
}

static void fuzz_check_envelope(const char *s)
{
	if (strpbrk(s, "\r\n") != NULL)
		abort();
}

int fuzz_qsubmit_finish(struct qsubmit *q, const char *sender,
			const char *const *rcpts, size_t n_rcpts, const char *auth,
			char *id_r, size_t idlen, const char **error_r)
{
	size_t i;

	if (fuzz_saw_cr || n_rcpts == 0)
		abort();
	fuzz_check_envelope(sender);
	for (i = 0; i < n_rcpts; i++)
		fuzz_check_envelope(rcpts[i]);
	/* Exercise the failure replies too. */
	if (q->bytes % 7 == 3) {
		*error_r = "Zdisk full (#4.3.1)";
		return -1;
	}
	snprintf(id_r, idlen, "FUZZ%llu", q->bytes);
	return 0;
}

void fuzz_qsubmit_abort(struct qsubmit *q)
{
	q->pid = -1;
}

int fuzz_rcpt_lookup(const struct conf *c, const char *address,
		     struct rcpt_info *r, const char **error_r)
{
	if (address[0] == 'z') {
		*error_r = "fake lookup failure";
		return -1;
	}
	return address[0] >= 'a' && address[0] <= 'm' ? 1 : 0;
}

bool fuzz_priv_is_root(void)
{
	return false;
}

int fuzz_auth_verify(const struct conf *c, const char *user,
		     const char *pass, const char *remote_ip,
		     struct auth_user *u_r, const char **error_r)
{
	size_t ulen = strlen(user), plen = strlen(pass);

	/* login_verify keeps to login.h's limits in both modes */
	if (ulen == 0 || ulen > LOGIN_USER_MAX_BYTES || plen == 0 ||
	    plen > LOGIN_PASS_MAX_BYTES)
		abort();
	if (user[0] == 't') {
		*error_r = "fake temporary failure";
		return -1;
	}
	if (strcmp(user, "good@example.com") != 0 ||
	    strcmp(pass, "secret") != 0)
		return 0;
	memset(u_r, 0, sizeof(*u_r));
	snprintf(u_r->name, sizeof(u_r->name), "%s", user);
	snprintf(u_r->maildir, sizeof(u_r->maildir), "/nonexistent/Maildir");
	u_r->uid = 1000;
	u_r->gid = 1000;
	return 1;
}

static struct conf fuzz_conf;
static struct login *fuzz_login;
static struct cidr fuzz_plaintext[2];
static char fuzz_domain[] = "example.com";
static char *fuzz_domains[] = { fuzz_domain };
static int fuzz_devnull = -1;

static void fuzz_init(void)
{
	conf_defaults(&fuzz_conf);
	snprintf(fuzz_conf.hostname, sizeof(fuzz_conf.hostname), "mx.example.com");
	snprintf(fuzz_conf.smtp_banner, sizeof(fuzz_conf.smtp_banner), "ESMTP quail");
	fuzz_conf.local_domains = fuzz_domains;
	fuzz_conf.n_local_domains = 1;
	fuzz_conf.message_size_limit = 20000;
	fuzz_conf.recipient_limit = 5;
	fuzz_conf.error_limit = 50;
	fuzz_conf.smtp_timeout = 5;
	fuzz_conf.data_timeout = 5;
	fuzz_conf.auth_fail_delay = 0;
	if (cidr_parse("127.0.0.0/8", 11, &fuzz_plaintext[0]) < 0 ||
	    cidr_parse("192.0.2.0/24", 12, &fuzz_plaintext[1]) < 0)
		abort();
	fuzz_conf.plaintext_auth_networks = fuzz_plaintext;
	fuzz_conf.n_plaintext_auth_networks = 2;
	log_open("smtpd", "/dev/null");
	{
		enum login_role role;
		const char *error = NULL;

		if (login_split(&fuzz_login, &fuzz_conf, "smtpd", &role,
				&error) < 0 || role != LOGIN_CHILD)
			abort();
	}
	fuzz_devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fuzz_devnull < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtpd_env env;
	int p[2];

	if (fuzz_devnull < 0)
		fuzz_init();
	if (size < 1 || size > FUZZ_INPUT_MAX_BYTES)
		return 0;
	env.conf = &fuzz_conf;
	static const char *const ips[] = {
		"127.0.0.1", "192.0.2.7", "198.51.100.1", "192.0.2.7",
	};
	snprintf(env.remote_ip, sizeof(env.remote_ip), "%s",
		 ips[(data[0] & 1) | ((data[0] >> 3) & 2)]);
	snprintf(env.remote_host, sizeof(env.remote_host), "unknown");
	env.trace = (data[0] & 2) != 0;
	env.submission = (data[0] & 4) != 0;
	env.login = (data[0] & 0xc) != 0 ? fuzz_login : NULL;
	data++;
	size--;
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	if (size > 0 && write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	smtpd_run(p[0], fuzz_devnull, &env);
	close(p[0]);
	return 0;
}
