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
 * The first input byte picks the client address (relay client or not).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static struct conf fuzz_conf;
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
	log_open("smtpd", "/dev/null");
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
	snprintf(env.remote_ip, sizeof(env.remote_ip), "%s",
		 (data[0] & 1) ? "192.0.2.7" : "127.0.0.1");
	snprintf(env.remote_host, sizeof(env.remote_host), "unknown");
	env.trace = (data[0] & 2) != 0;
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
