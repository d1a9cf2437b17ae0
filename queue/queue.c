/*
 * queue.c -- quail-queue: puts one message into the queue (mail-queue(7)).
 *
 * Reads the message from fd 0 to EOF (held in memory up to
 * QUEUE_MEM_SPOOL_MAX_BYTES, beyond that in an anonymous spool file), then
 * the envelope from fd 1 (a socketpair, qsubmit.h), writes ONE queue file
 * tmp/<name> (envelope records, then the message), fsyncs it, renames it
 * into mess/<id> (the commit point), fsyncs mess/, answers "K<id>" and
 * pokes quail-send through the trigger FIFO. Any failure before the commit
 * leaves nothing in mess/.
 *
 * SECURITY: installed setuid to the queue owner and run by less privileged
 * programs, so the caller's environment is not trusted: when setuid
 * (getuid() != geteuid()) $QUAIL_CONFDIR is ignored and -C is accepted only
 * for a config dir and quail.conf owned by root and not group/other
 * writable. fds 0-2 are checked first (a closed stderr would otherwise
 * become the queue file); the environment is dropped; the signal mask
 * and dispositions are reset and SIGXFSZ ignored, so a caller's small
 * RLIMIT_FSIZE yields a temporary failure (EFBIG), never a process
 * killed halfway through a write. Every envelope field is validated (qfile.c);
 * the message bytes are stored as they are. Nothing is created outside
 * queue_dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "qfile.h"

/* Whole run, message and envelope included: a caller that stalls longer
 * than a day loses the message (temporary failure, nothing queued). */
#define QUEUE_TIMEOUT_SECS 86400
#define QUEUE_IO_CHUNK_BYTES 65536
#define QUEUE_REASON_MAX_BYTES 512
/* After a failure, how long the caller may take to finish its envelope. */
#define QUEUE_DRAIN_TIMEOUT_MSECS 5000
/* Messages up to this size are held in memory until the envelope is in;
 * a larger one goes to an anonymous spool file in tmp/ (every file created
 * and removed costs the file system an inode allocation and a free). */
#define QUEUE_MEM_SPOOL_MAX_BYTES (512 * 1024)

/* The message while the envelope is still to come. */
struct spool {
	struct buf mem;                 /* all of it, while fd < 0 */
	int fd;                         /* the spool file, or -1 */
	unsigned long long bytes;       /* message bytes read */
};

static char tmp_path[PATH_MAX];     /* tmp/<name> while it exists */
static char mess_path[PATH_MAX];    /* mess/<id> between commit and fsync */
static int reply_fd = 1;
static uid_t caller_uid;         /* the real uid we were started with */

/* Removes what this run created; called on every failure path. */
static void
cleanup(void)
{
	if (mess_path[0] != '\0')
		(void)unlink(mess_path);
	if (tmp_path[0] != '\0')
		(void)unlink(tmp_path);
	mess_path[0] = tmp_path[0] = '\0';
}

/*
 * Before exiting on a failure: stop the message pipe (a writer gets EPIPE
 * at once) and read what the caller still sends on the socket until its
 * EOF. Exiting with unread data would reset the connection and the
 * caller would lose our reply line. Bounded in time and bytes.
 */
static void
drain_peer(void)
{
	char chunk[4096];
	size_t total = 0;

	(void)close(0);
	while (total < QFILE_ENV_MAX_BYTES) {
		struct pollfd p = { reply_fd, POLLIN, 0 };
		if (poll(&p, 1, QUEUE_DRAIN_TIMEOUT_MSECS) <= 0)
			return;
		ssize_t n = read(reply_fd, chunk, sizeof(chunk));
		if (n <= 0)
			return;
		total += (size_t)n;
	}
}

/* Answers on the envelope socket, cleans up, exits with the class. */
static _Noreturn void
fail(bool permanent, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static _Noreturn void
fail(bool permanent, const char *fmt, ...)
{
	char reason[QUEUE_REASON_MAX_BYTES];
	char line[QUEUE_REASON_MAX_BYTES + 4];
	va_list ap;
	int saved_errno = errno;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* A full disk or quota gets its own status (RFC 3463 4.3.1), which
	 * quail-smtpd turns into "452 4.3.1 Insufficient system storage". */
	if (!permanent && (saved_errno == ENOSPC || saved_errno == EDQUOT)) {
		size_t len = strlen(reason);

		snprintf(reason + len, sizeof(reason) - len, " (#4.3.1)");
	}
	cleanup();
	int n = snprintf(line, sizeof(line), "%c%s\n", permanent ? 'D' : 'Z', reason);
	if (n > 0)
		(void)!write(reply_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	drain_peer();
	if (permanent)
		die_perm("%s", reason);
	die_temp("%s", reason);
}

/*
 * Sanitizer builds only read this: LeakSanitizer cannot inspect a setuid
 * (non-dumpable) process and aborts with a "fatal error" at exit, which
 * would turn every queued message into a failure.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static void
on_alarm(int sig)
{
	(void)sig;
	/* async-signal-safe: unlink, write, _exit */
	if (mess_path[0] != '\0')
		(void)unlink(mess_path);
	if (tmp_path[0] != '\0')
		(void)unlink(tmp_path);
	(void)!write(reply_fd, "Ztimeout\n", 9);
	_exit(EXIT_TEMP);
}

/* fd 0 and 1 must be open; a closed fd 2 gets /dev/null. */
static void
check_fds(void)
{
	struct stat st;

	if (fstat(2, &st) < 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd != 2)
			_exit(EXIT_TEMP);
	}
	if (fstat(0, &st) < 0 || fstat(1, &st) < 0)
		_exit(EXIT_TEMP);
}

/*
 * What the caller can leave behind across execve: blocked signals (a
 * blocked SIGALRM would defeat the timeout), ignored ones, and a small
 * RLIMIT_FSIZE, whose SIGXFSZ would kill us in the middle of a write with
 * no reply and a file left in tmp/. With SIGXFSZ ignored, the write fails
 * with EFBIG instead and that is an ordinary temporary failure. When
 * setuid, the environment is dropped as a whole (TZ and the rest; the
 * loader has already handled LD_*): nothing here needs it.
 */
static void
reset_inherited(bool setuid_run)
{
	static const int dfl[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
				   SIGUSR2, SIGCHLD };
	sigset_t none;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof(dfl) / sizeof(dfl[0]); i++)
		(void)signal(dfl[i], SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)signal(SIGALRM, on_alarm);
	if (setuid_run)
		(void)clearenv();
}

/* A config dir is trusted when root owns it and its quail.conf, and no one
 * else may write either (a setuid program reads it). */
static bool
trusted_confdir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0
	    || (st.st_mode & 022))
		return false;
	if ((size_t)snprintf(path, sizeof(path), "%s/quail.conf", dir) >= sizeof(path))
		return false;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0
	    || (st.st_mode & 022))
		return false;
	return true;
}

static void
load_config(struct conf *c, const char *dir_opt)
{
	const char *error, *dir;
	bool setuid_run = getuid() != geteuid();

	if (setuid_run) {
		/* SECURITY: never the environment; -C only when root-owned. */
		dir = dir_opt != NULL ? dir_opt : QUAIL_CONFDIR;
		if (dir_opt != NULL && !trusted_confdir(dir_opt))
			fail(false, "config dir %s not owned by root (setuid run)", dir_opt);
	} else {
		dir = conf_dir(dir_opt);
	}
	if (conf_load(c, dir, &error) < 0)
		fail(false, "config: %s", error);
	log_open("queue", c->log_dest);
}

static int open_spool(void);
static void write_all_or_fail(int fd, const char *p, size_t n);

/* Stores n message bytes: in memory, or in the spool file once the
 * message outgrows QUEUE_MEM_SPOOL_MAX_BYTES. */
static void
spool_add(struct spool *sp, const char *p, size_t n)
{
	if (sp->fd < 0 && sp->mem.len + n <= QUEUE_MEM_SPOOL_MAX_BYTES) {
		if (buf_append(&sp->mem, p, n) < 0)
			fail(false, "out of memory");
		return;
	}
	if (sp->fd < 0) {
		sp->fd = open_spool();
		write_all_or_fail(sp->fd, sp->mem.data, sp->mem.len);
		buf_free(&sp->mem);
	}
	write_all_or_fail(sp->fd, p, n);
}

/* Reads all of fd 0 into the spool, enforcing the size limit. A message
 * over the limit is drained and refused. */
static void
spool_message(struct spool *sp, unsigned long limit)
{
	static char chunk[QUEUE_IO_CHUNK_BYTES];
	bool too_big = false;

	buf_init(&sp->mem, QUEUE_MEM_SPOOL_MAX_BYTES);
	sp->fd = -1;
	sp->bytes = 0;
	for (;;) {
		ssize_t n = read(0, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(false, "read message: %s", strerror(errno));
		}
		if (n == 0)
			break;
		sp->bytes += (unsigned long long)n;
		if (limit != 0 && sp->bytes > limit)
			too_big = true;
		if (too_big)
			continue;   /* drain: the caller is still writing */
		spool_add(sp, chunk, (size_t)n);
	}
	if (too_big)
		fail(true, "message too big (limit %lu bytes) (#5.3.4)", limit);
}

/* Reads the submission envelope from fd 1 until "E\n"; no END means the
 * caller gave up and nothing is queued. */
static void
read_envelope(struct qfile_env *e)
{
	struct buf b;
	const char *error;
	size_t used;

	buf_init(&b, QFILE_ENV_MAX_BYTES + QUEUE_IO_CHUNK_BYTES);
	for (;;) {
		if (buf_reserve(&b, QUEUE_IO_CHUNK_BYTES) < 0)
			fail(true, "envelope too long");
		ssize_t n = read(reply_fd, b.data + b.len, QUEUE_IO_CHUNK_BYTES);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(false, "read envelope: %s", strerror(errno));
		}
		size_t old = b.len;
		b.len += (size_t)n;
		/* Parse only when END can be there (re-parsing a long envelope
		 * at every chunk would be quadratic). */
		size_t from = old > 2 ? old - 2 : 0;
		if (n > 0 && !(b.len >= 2 && b.data[0] == 'E' && b.data[1] == '\n')
		    && memmem(b.data + from, b.len - from, "\nE\n", 3) == NULL
		    && b.len <= QFILE_ENV_MAX_BYTES)
			continue;
		int r = qfile_parse_submission(b.data, b.len, e, &used, &error);
		if (r < 0)
			fail(true, "bad envelope: %s", error);
		if (r > 0)
			break;
		if (n == 0)
			fail(false, "envelope incomplete: nothing queued");
	}
	buf_free(&b);
}

/* Opens the anonymous spool in tmp/ (same file system as mess/, so a full
 * disk shows up while the message is read, and a crash leaves nothing). */
static int
open_spool(void)
{
	int fd = open("tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		fail(false, "create spool in tmp/: %s", strerror(errno));
	/* No O_TMPFILE on this file system: a named file, unlinked at once. */
	char path[64];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	snprintf(path, sizeof(path), "tmp/spool.%ld.%ld", (long)getpid(), (long)tv.tv_usec);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fail(false, "create spool %s: %s", path, strerror(errno));
	(void)unlink(path);
	return fd;
}

static void
write_all_or_fail(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail(false, "write queue file: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Writes the spooled message after the envelope records. */
static void
copy_spool(const struct spool *sp, int fd)
{
	static char chunk[QUEUE_IO_CHUNK_BYTES];
	off_t off = 0;

	if (sp->fd < 0) {
		write_all_or_fail(fd, sp->mem.data, sp->mem.len);
		return;
	}
	while ((unsigned long long)off < sp->bytes) {
		ssize_t n = pread(sp->fd, chunk, sizeof(chunk), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail(false, "read spool: %s", n < 0 ? strerror(errno) : "short file");
		write_all_or_fail(fd, chunk, (size_t)n);
		off += n;
	}
}

/* fsync of a directory: makes the rename in it durable. */
static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* Moves tmp/<name> to mess/<id> without ever replacing an existing file. */
static int
commit(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* File systems without RENAME_NOREPLACE: link() refuses to replace. */
	if (link(from, to) < 0)
		return -1;
	(void)unlink(from);
	return 0;
}

/* Wakes quail-send; it also scans periodically, so failures are ignored. */
static void
poke_trigger(void)
{
	struct stat st;
	int fd = open("trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;     /* ENXIO: no quail-send is reading */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)!write(fd, "", 1);
	close(fd);
}

/* Envelope records and message into fd; fills the id, arrival and size
 * from the time tv and the file's inode (unique while the file exists). */
static void
fill_queue_file(int fd, struct qfile_env *e, const struct spool *sp,
		const struct timeval *tv)
{
	struct stat st;
	struct buf hdr;
	const char *error;

	if (fstat(fd, &st) < 0
	    || qfile_make_id(tv->tv_sec, tv->tv_usec, st.st_ino, e->id, sizeof(e->id)) < 0)
		fail(false, "cannot make queue id");
	e->arrival = (long long)tv->tv_sec;
	e->msg_bytes = sp->bytes;
	buf_init(&hdr, QFILE_ENV_MAX_BYTES + 64);
	if (qfile_format(e, &hdr, &error) < 0)
		fail(true, "bad envelope: %s", error);
	write_all_or_fail(fd, hdr.data, hdr.len);
	buf_free(&hdr);
	copy_spool(sp, fd);
}

/*
 * Writes the queue file and commits it; fills e->id. tmp/<name> O_EXCL,
 * fsync, rename into mess/<id> without replacing anything, fsync mess/.
 * The order is what keeps a crash harmless: the name appears only once
 * the bytes are on disk, and 250 is said only once the name is. (Writing
 * an O_TMPFILE and linking it into mess/ would save the tmp/ entry, but
 * either the link can become durable before the data, or, fsynced before
 * the link, the inode is on disk with a link count of 0 behind a durable
 * name, which e2fsck on a journal-less ext4 treats as deleted.)
 */
static void
write_queue_file(struct qfile_env *e, const struct spool *sp)
{
	struct timeval tv;
	int fd;

	gettimeofday(&tv, NULL);
	snprintf(tmp_path, sizeof(tmp_path), "tmp/%ld.%ld.%ld", (long)tv.tv_sec,
		 (long)tv.tv_usec, (long)getpid());
	fd = open(tmp_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		tmp_path[0] = '\0';
		fail(false, "create queue file: %s", strerror(errno));
	}
	fill_queue_file(fd, e, sp, &tv);
	/* The file must be on disk before its name appears in mess/. */
	if (fsync(fd) < 0)
		fail(false, "fsync queue file: %s", strerror(errno));
	if (close(fd) < 0)
		fail(false, "close queue file: %s", strerror(errno));
	snprintf(mess_path, sizeof(mess_path), "mess/%s", e->id);
	if (commit(tmp_path, mess_path) < 0) {
		mess_path[0] = '\0';
		fail(false, "rename into mess/: %s", strerror(errno));
	}
	tmp_path[0] = '\0';
	/* Only a durable directory entry lets us say "queued". */
	if (fsync_dir("mess") < 0)
		fail(false, "fsync mess/: %s", strerror(errno));
	mess_path[0] = '\0';
}

static void
log_queued(const struct qfile_env *e, unsigned long long bytes)
{
	char from[ADDR_PATH_MAX_BYTES * 4 + 1], auth[QFILE_AUTH_MAX_BYTES * 4 + 1];

	log_safe(from, sizeof(from), e->sender, strlen(e->sender));
	log_safe(auth, sizeof(auth), e->auth, strlen(e->auth));
	log_msg(LOG_INFO, "id=%s from=<%s> size=%llu nrcpt=%zu%s%s uid=%ld",
		e->id, from, bytes, e->n_rcpts, e->has_auth ? " auth=" : "",
		e->has_auth ? auth : "", (long)caller_uid);
}

int
main(int argc, char **argv)
{
	const char *dir_opt = NULL;
	struct qfile_env e;
	struct conf c;
	struct spool sp;
	int opt;

	check_fds();
	caller_uid = getuid();
	umask(077);
	reset_inherited(getuid() != geteuid());
	alarm(QUEUE_TIMEOUT_SECS);
	log_open("queue", "stderr");
	while ((opt = getopt(argc, argv, "C:")) != -1) {
		if (opt == 'C')
			dir_opt = optarg;
		else
			die_usage("quail-queue [-C dir]");
	}
	if (optind != argc)
		die_usage("quail-queue [-C dir]");
	load_config(&c, dir_opt);
	/* Run by root (not through the setuid bit): become the queue owner
	 * anyway, so quail-send can read what we write. */
	if (geteuid() == 0) {
		const char *error;
		if (priv_drop_user(c.queue_user, &error) < 0)
			fail(false, "cannot become queue user %s: %s", c.queue_user, error);
	}
	if (chdir(c.queue_dir) < 0)
		fail(false, "queue dir %s: %s", c.queue_dir, strerror(errno));
	qfile_env_init(&e);
	spool_message(&sp, c.message_size_limit);
	read_envelope(&e);
	write_queue_file(&e, &sp);
	if (sp.fd >= 0)
		close(sp.fd);
	buf_free(&sp.mem);
	unsigned long long bytes = sp.bytes;
	char reply[QFILE_ID_MAX_BYTES + 3];
	int n = snprintf(reply, sizeof(reply), "K%s\n", e.id);
	log_queued(&e, bytes);
	/* Queued: even if the caller is gone now, the message stays. */
	(void)!write(reply_fd, reply, (size_t)n);
	poke_trigger();
	qfile_env_free(&e);
	conf_free(&c);
	return EXIT_DONE;
}
