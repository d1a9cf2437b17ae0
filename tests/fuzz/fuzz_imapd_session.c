/*
 * fuzz_imapd_session.c -- libFuzzer target: a whole quail-imapd session
 * after login, the authenticated and selected states (imapd/session.c,
 * fetch.c, search.c, folders.c, message*.c, idle.c, conn.c), on a real
 * Maildir++ with a folder, fed arbitrary client bytes through a pipe,
 * replies to /dev/null.
 *
 * The fuzz build compiles only this file plus the lib sources, so the
 * imapd sources are #included here (all but main.c, which has main(),
 * and roles.c, whose privilege-split handover is not exercised: the
 * session runs in-process as a not-root roles_handover() runs it, via
 * session_run() with an already verified user). The pre-login state
 * (auth.c) is compiled in for conn.c's sake but not driven here.
 *
 * The mailbox is a Maildir in a temporary directory (mkdtemp in $TMPDIR
 * or /tmp, once per process; a tmpfs such as TMPDIR=/dev/shm is several
 * times faster, as every input creates some 30 directories), rebuilt
 * from scratch before every input (APPEND, EXPUNGE, CREATE, RENAME,
 * DELETE and STORE really change it), so an input reproduces on its own.
 * INBOX holds a multipart message, a plain one with cur/ flags set,
 * and one without a final LF; the folder "Work" holds one message and
 * has a child "Work.Sub".
 *
 * Bounded: the whole input is in the pipe before the session starts and
 * the write end is closed, so every read ends at EOF (IDLE included);
 * the idle timeout is short and no login delay applies. The folder
 * lib/imap_mbox.c keeps parked after a close is released after every
 * input, as the Maildir under it is rebuilt.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../imapd/conn.c"
#include "../../imapd/auth.c"
#include "../../imapd/session.c"
#include "../../imapd/idle.c"
#include "../../imapd/fetch.c"
#include "../../imapd/search.c"
#include "../../imapd/folders.c"
#include "../../imapd/message.c"
#include "../../imapd/message_copy.c"
#include "../../imapd/message_store.c"

/* A pipe holds 64 KiB; the whole input is written before the session. */
#define FUZZ_INPUT_MAX_BYTES 60000

static struct conf fuzz_conf;
static char fuzz_dir[64];
static char fuzz_maildir[128];
static int fuzz_devnull = -1;

static void fuzz_write(const char *sub, const char *name, const char *text)
{
	char path[320];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", fuzz_maildir, sub, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

static int fuzz_rm(const char *path, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

static void fuzz_mkmaildir(const char *path)
{
	const char *error = NULL;

	if (maildir_create(path, 0700, &error) < 0)
		abort();
}

/* Rebuilds the Maildir++ from nothing (the previous input may have
 * changed anything in it). */
static void fuzz_mailbox(void)
{
	char path[256];

	if (access(fuzz_maildir, F_OK) == 0 &&
	    nftw(fuzz_maildir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
		abort();
	fuzz_mkmaildir(fuzz_maildir);
	snprintf(path, sizeof(path), "%s/.Work", fuzz_maildir);
	fuzz_mkmaildir(path);
	snprintf(path, sizeof(path), "%s/.Work.Sub", fuzz_maildir);
	fuzz_mkmaildir(path);
	fuzz_write(".Work", "maildirfolder", "");
	fuzz_write(".Work.Sub", "maildirfolder", "");
	fuzz_write("", "subscriptions", "INBOX\nWork\n");
	fuzz_write("new", "1700000001.M1P1.fuzz,S=520",
		   "From: Alice <alice@example.com>\r\n"
		   "To: bob@example.com, \"Carol\" <carol@example.org>\r\n"
		   "Subject: =?UTF-8?B?aMOpbGxv?= multipart\r\n"
		   "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
		   "Message-ID: <1@example.com>\r\n"
		   "MIME-Version: 1.0\r\n"
		   "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
		   "\r\n"
		   "preamble\r\n"
		   "--b1\r\n"
		   "Content-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: quoted-printable\r\n"
		   "\r\n"
		   "caf=C3=A9 hello world\r\n"
		   "--b1\r\n"
		   "Content-Type: message/rfc822\r\n"
		   "\r\n"
		   "Subject: inner\r\n"
		   "From: x@example.net\r\n"
		   "\r\n"
		   "inner body\r\n"
		   "--b1\r\n"
		   "Content-Type: application/octet-stream; name=a.bin\r\n"
		   "Content-Transfer-Encoding: base64\r\n"
		   "\r\n"
		   "AAECAwQFBgc=\r\n"
		   "--b1--\r\n");
	fuzz_write("cur", "1700000002.M2P1.fuzz:2,FS",
		   "Subject: two\nFrom: bob@example.com\n"
		   "Date: 1 Jan 2020 00:00:00 -0500\n\nline1\nline2 search me\n");
	fuzz_write("new", "1700000003.M3P1.fuzz",
		   "Subject: three\r\n\r\nno final LF");
	fuzz_write(".Work/cur", "1700000004.M4P1.fuzz:2,R",
		   "Subject: work\r\nCc: dave@example.com\r\n\r\nwork body\r\n");
}

static void fuzz_cleanup(void)
{
	if (fuzz_maildir[0] != '\0' && access(fuzz_maildir, F_OK) == 0)
		(void)nftw(fuzz_maildir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (fuzz_dir[0] != '\0')
		(void)rmdir(fuzz_dir);
}

static void fuzz_init(void)
{
	const char *tmp;

	conf_defaults(&fuzz_conf);
	snprintf(fuzz_conf.hostname, sizeof(fuzz_conf.hostname),
		 "mail.example.com");
	fuzz_conf.error_limit = 50;
	fuzz_conf.imap_timeout = 5;
	fuzz_conf.auth_fail_delay = 0;
	fuzz_conf.message_size_limit = 100000;
	log_open("imapd", "/dev/null");
	tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fuzz_imapd.XXXXXX", tmp);
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	snprintf(fuzz_maildir, sizeof(fuzz_maildir), "%s/Maildir", fuzz_dir);
	fuzz_devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fuzz_devnull < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct imapd_env env;
	static struct io io;
	static struct imapd_session s;
	struct login_user u;
	int p[2];

	if (fuzz_devnull < 0)
		fuzz_init();
	if (size > FUZZ_INPUT_MAX_BYTES)
		return 0;
	fuzz_mailbox();
	env.conf = &fuzz_conf;
	snprintf(env.remote_ip, sizeof(env.remote_ip), "127.0.0.1");
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	if (size > 0 && write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	/* as roles_handover() does when not split: the session runs here */
	io_init(&io, p[0], fuzz_devnull);
	if (sess_init(&s, &env, &io) < 0)
		abort();
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "good@example.com");
	snprintf(u.maildir, sizeof(u.maildir), "%s", fuzz_maildir);
	u.uid = getuid() != 0 ? getuid() : 1;
	u.gid = getgid() != 0 ? getgid() : 1;
	(void)session_run(&s, &u, "L1");
	io_flush(&io);
	sess_free(&s);
	/* the folder parked by imap_mbox_close() would outlive the Maildir
	 * rebuilt for the next input (a real process serves one session) */
	imap_mbox_release();
	close(p[0]);
	return 0;
}
