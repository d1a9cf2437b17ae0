/*
 * fuzz_pop3d_session.c -- libFuzzer target: a whole quail-pop3d session,
 * the AUTHORIZATION state (pop3d/auth.c) and, after a login, the
 * TRANSACTION and UPDATE states (pop3d/session.c, pop3d/mailbox.c) on a
 * real Maildir, fed arbitrary client bytes through a pipe, replies to
 * /dev/null.
 *
 * The fuzz build compiles only this file plus the lib sources, so the
 * pop3d sources are #included here, and lib/login.c too, under other
 * names, with priv_is_root() and auth_verify() replaced: login_split()
 * takes its in-process (not root) path even when the fuzzer runs as
 * root, and a verification costs no crypt(3). "good@example.com" with
 * "secret" logs in, a user starting with 't' is a temporary failure,
 * anything else is refused. The fake also checks that what reaches the
 * backends is within login.h's limits and never empty.
 *
 * The fake mailbox is a Maildir in a temporary directory, rebuilt before
 * every input (DELE + QUIT really unlink), with messages that exercise
 * dot-stuffing, bare LF, a missing final LF, a header without body, a
 * name without S=/W= sizes, and a cur/ message with flags.
 *
 * The first input byte picks the environment: bit 0 client address
 * (127.0.0.1: plaintext login allowed; 198.51.100.1: not, without TLS),
 * bit 1 trace on.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* lib/login.c under other names (the real one is in the library). */
#define login_split fuzz_login_split
#define login_verify fuzz_login_verify
#define login_handover fuzz_login_handover
#define login_monitor fuzz_login_monitor
#define login_child_status fuzz_login_child_status
#define login_free fuzz_login_free
#define priv_is_root fuzz_priv_is_root
#define auth_verify fuzz_auth_verify
#include "../../lib/login.c"
#undef auth_verify       /* pop3d/auth.c has a static function of that name */

#include "../../pop3d/conn.c"
#include "../../pop3d/auth.c"
#include "../../pop3d/session.c"
#include "../../pop3d/mailbox.c"

/* A pipe holds 64 KiB; the whole input is written before the session. */
#define FUZZ_INPUT_MAX_BYTES 60000

static struct conf fuzz_conf;
static struct login *fuzz_login;
static struct cidr fuzz_plaintext;
static char fuzz_dir[64];
static char fuzz_maildir[128];
static int fuzz_devnull = -1;

bool fuzz_priv_is_root(void)
{
	return false;
}

int fuzz_auth_verify(const struct conf *c, const char *user,
		     const char *pass, const char *remote_ip,
		     struct auth_user *u_r, const char **error_r)
{
	size_t ulen = strlen(user), plen = strlen(pass);

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
	snprintf(u_r->maildir, sizeof(u_r->maildir), "%s", fuzz_maildir);
	u_r->uid = getuid() != 0 ? getuid() : 1;
	u_r->gid = getgid() != 0 ? getgid() : 1;
	return 1;
}

static void fuzz_write(const char *sub, const char *name, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", fuzz_maildir, sub, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

/* Unlinks the files in dir (not recursing; directories are kept). */
static void fuzz_clear(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_type != DT_DIR)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* Rebuilds the Maildir: the previous input may have deleted messages,
 * marked them \Seen, or left a uid list (in-process: a fork per input
 * would cost most of the fuzzer's time). */
static void fuzz_mailbox(void)
{
	static const char *const subs[] = { "", "/new", "/cur", "/tmp" };
	char path[160];
	const char *error = NULL;
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", fuzz_maildir, subs[i]);
		fuzz_clear(path);
	}
	if (maildir_create(fuzz_maildir, 0700, &error) < 0)
		abort();
	fuzz_write("new", "1700000001.M1P1.fuzz,S=37,W=43",
		   "Subject: one\n\n.dot line\nbody\n..two\n.\n");
	fuzz_write("new", "1700000002.M2P1.fuzz,S=27,W=27",
		   "Subject: two\r\n\r\nno final LF");
	fuzz_write("new", "1700000003.M3P1.fuzz", "X: header only\n");
	fuzz_write("cur", "1700000004.M4P1.fuzz,S=27,W=31:2,FR",
		   "Subject: four\n\nline1\nline2\n");
}

static void fuzz_cleanup(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fuzz_dir);
}

static void fuzz_init(void)
{
	enum login_role role;
	const char *error = NULL;

	conf_defaults(&fuzz_conf);
	snprintf(fuzz_conf.hostname, sizeof(fuzz_conf.hostname),
		 "mail.example.com");
	fuzz_conf.error_limit = 50;
	fuzz_conf.pop3_timeout = 5;
	fuzz_conf.auth_fail_delay = 0;
	if (cidr_parse("127.0.0.0/8", 11, &fuzz_plaintext) < 0)
		abort();
	fuzz_conf.plaintext_auth_networks = &fuzz_plaintext;
	fuzz_conf.n_plaintext_auth_networks = 1;
	log_open("pop3d", "/dev/null");
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/fuzz_pop3d.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	snprintf(fuzz_maildir, sizeof(fuzz_maildir), "%s/Maildir", fuzz_dir);
	if (login_split(&fuzz_login, &fuzz_conf, "pop3d", &role, &error) < 0 ||
	    role != LOGIN_CHILD)
		abort();
	fuzz_devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fuzz_devnull < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pop3d_env env;
	static struct io io;
	struct pop3_conn c;
	struct login_user u;
	int p[2];

	if (fuzz_devnull < 0)
		fuzz_init();
	if (size < 1 || size > FUZZ_INPUT_MAX_BYTES)
		return 0;
	fuzz_mailbox();
	env.conf = &fuzz_conf;
	snprintf(env.remote_ip, sizeof(env.remote_ip), "%s",
		 (data[0] & 1) ? "198.51.100.1" : "127.0.0.1");
	env.trace = (data[0] & 2) != 0;
	data++;
	size--;
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	if (size > 0 && write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	/* as roles_child() does, not root: the session runs right here */
	io_init(&io, p[0], fuzz_devnull);
	conn_init(&c, &env, &io);
	conn_reply(&c, POP3D_GREETING);
	memset(&u, 0, sizeof(u));
	if (auth_run(&c, fuzz_login, &u) == 1) {
		if (login_handover(fuzz_login, &io) != 1)
			abort();
		(void)session_run(&c, &u);
	}
	io_flush(&io);
	conn_free(&c);
	close(p[0]);
	return 0;
}
