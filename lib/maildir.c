/*
 * maildir.c -- safe delivery of one message into a Maildir (maildir.h).
 *
 * The order is what makes it crash-safe: the message only appears in new/
 * (the commit point) after its bytes are on disk (fsync + checked close:
 * NFS reports write errors at close), and the rename itself is made durable
 * by fsyncing new/ before we report success to the queue, which then
 * forgets the message.
 *
 * SECURITY: runs as the mailbox owner (the caller drops privileges first).
 * The tmp file is created O_EXCL|O_NOFOLLOW with mode 0600, so a symlink
 * planted in tmp/ is never followed. Names contain only our own digits and
 * the escaped host name: nothing from the message reaches a path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "dirsync.h"
#include "maildir.h"

/* Deliveries made by this process: the Q<n> part of the unique name, so two
 * deliveries in the same microsecond by one process still differ. */
static unsigned long maildir_counter;

int
maildir_escape_host(const char *host, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; host[i] != '\0' && i < MAILDIR_HOST_MAX_BYTES; i++) {
		unsigned char c = (unsigned char)host[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';

		if (plain) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				return -1;
			snprintf(out + o, 5, "\\%03o", c);
			o += 4;
		}
	}
	if (o == 0) {
		if (outlen < 10)
			return -1;
		memcpy(out, "localhost", 10);
		return 0;
	}
	out[o] = '\0';
	return 0;
}

int
maildir_unique_name(char *out, size_t outlen, time_t sec, long usec, pid_t pid,
		    unsigned long counter, const char *host)
{
	char h[MAILDIR_HOST_MAX_BYTES * 4 + 1];
	int n;

	if (maildir_escape_host(host, h, sizeof(h)) < 0)
		return -1;
	n = snprintf(out, outlen, "%lld.M%06ldP%ldQ%lu.%s", (long long)sec, usec,
		     (long)pid, counter, h);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}

/* mkdir that accepts an existing directory. 0 / -1. */
static int
mkdir_ok(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* mkdir -p of every parent of path. 0 / -1. */
static int
mkdir_parents(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	char *p;
	size_t len = strlen(path);

	if (len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, len + 1);
	/* drop the last component: it is the Maildir itself */
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = '\0';
	p = strrchr(tmp, '/');
	if (p == NULL || p == tmp)
		return 0;
	*p = '\0';
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir_ok(tmp, mode) < 0)
			return -1;
		*p = '/';
	}
	return mkdir_ok(tmp, mode);
}

int
maildir_create(const char *path, mode_t parent_mode, const char **error_r)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char p[PATH_MAX];
	size_t i;
	int n;

	if (path[0] == '\0') {
		*error_r = "empty Maildir path";
		errno = EINVAL;
		return -1;
	}
	if (mkdir_ok(path, MAILDIR_MODE) < 0) {
		if (errno != ENOENT || parent_mode == 0) {
			*error_r = "cannot create the Maildir";
			return -1;
		}
		if (mkdir_parents(path, parent_mode) < 0) {
			*error_r = "cannot create the Maildir's parent directories";
			return -1;
		}
		if (mkdir_ok(path, MAILDIR_MODE) < 0) {
			*error_r = "cannot create the Maildir";
			return -1;
		}
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		n = snprintf(p, sizeof(p), "%s/%s", path, sub[i]);
		if (n < 0 || (size_t)n >= sizeof(p)) {
			errno = ENAMETOOLONG;
			*error_r = "Maildir path too long";
			return -1;
		}
		if (mkdir_ok(p, MAILDIR_MODE) < 0) {
			*error_r = "cannot create Maildir tmp/new/cur";
			return -1;
		}
	}
	return 0;
}

static void
host_name(char *out, size_t outlen)
{
	if (gethostname(out, outlen) < 0)
		out[0] = '\0';
	out[outlen - 1] = '\0';
}

int
maildir_open(struct maildir_delivery *d, const char *dir, const char **error_r)
{
	char host[256];
	struct timeval tv;
	size_t dlen = strlen(dir);
	unsigned tries;
	int n;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (dlen == 0 || dlen >= sizeof(d->dir) - MAILDIR_NAME_MAX_BYTES - 8) {
		errno = ENAMETOOLONG;
		*error_r = "Maildir path too long";
		return -1;
	}
	memcpy(d->dir, dir, dlen + 1);
	host_name(host, sizeof(host));
	for (tries = 0; tries < MAILDIR_CREATE_TRIES; tries++) {
		gettimeofday(&tv, NULL);
		if (maildir_unique_name(d->base, sizeof(d->base), tv.tv_sec,
					(long)tv.tv_usec, getpid(),
					++maildir_counter, host) < 0) {
			errno = ENAMETOOLONG;
			*error_r = "Maildir file name too long";
			return -1;
		}
		n = snprintf(d->tmp_path, sizeof(d->tmp_path), "%s/tmp/%s", d->dir,
			     d->base);
		if (n < 0 || (size_t)n >= sizeof(d->tmp_path)) {
			errno = ENAMETOOLONG;
			*error_r = "Maildir path too long";
			return -1;
		}
		/* O_EXCL + O_NOFOLLOW: never reuse or follow what is there */
		d->fd = open(d->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			     O_CLOEXEC, 0600);
		if (d->fd >= 0)
			return 0;
		if (errno != EEXIST) {
			*error_r = "cannot create a file in Maildir tmp/";
			return -1;
		}
	}
	errno = EEXIST;
	*error_r = "cannot find a unique name in Maildir tmp/";
	return -1;
}

int
maildir_write(struct maildir_delivery *d, const void *p, size_t n)
{
	const char *s = p, *e = s + n, *lf;
	ssize_t w;

	if (d->error != 0)
		return -1;
	if (d->fd < 0) {
		d->error = EBADF;
		return -1;
	}
	for (lf = s; (lf = memchr(lf, '\n', (size_t)(e - lf))) != NULL; lf++)
		d->lf_count++;
	while (n > 0) {
		w = write(d->fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			d->error = errno;
			return -1;
		}
		s += w;
		n -= (size_t)w;
		d->size += (unsigned long long)w;
	}
	return 0;
}

void
maildir_abort(struct maildir_delivery *d)
{
	int saved = errno;

	if (d->fd >= 0) {
		(void)close(d->fd);
		d->fd = -1;
	}
	if (d->tmp_path[0] != '\0') {
		(void)unlink(d->tmp_path);
		d->tmp_path[0] = '\0';
	}
	errno = saved;
}

static bool
flags_ok(const char *flags)
{
	size_t i;

	for (i = 0; flags[i] != '\0'; i++) {
		if (!((flags[i] >= 'A' && flags[i] <= 'Z') ||
		      (flags[i] >= 'a' && flags[i] <= 'z')))
			return false;
	}
	return i < 32;
}

/* Closes the tmp file after making its bytes durable. 0 / -1. */
static int
finish_file(struct maildir_delivery *d, time_t mtime, const char **error_r)
{
	int fd = d->fd;

	if (d->error != 0) {
		errno = d->error;
		*error_r = "write to Maildir tmp/ failed";
		return -1;
	}
	if (fsync(fd) < 0) {
		*error_r = "fsync of the message in Maildir tmp/ failed";
		return -1;
	}
	d->fd = -1;
	/* close can report delayed write errors (NFS): check it */
	if (close(fd) < 0) {
		*error_r = "close of the message in Maildir tmp/ failed";
		return -1;
	}
	if (mtime != 0) {
		struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

		if (utimensat(AT_FDCWD, d->tmp_path, ts, 0) < 0) {
			*error_r = "cannot set the message time";
			return -1;
		}
	}
	return 0;
}

int
maildir_commit(struct maildir_delivery *d, const char *flags, time_t mtime,
	       const char **error_r)
{
	char subdir[PATH_MAX];
	int n;

	if (flags != NULL && !flags_ok(flags)) {
		maildir_abort(d);
		errno = EINVAL;
		*error_r = "invalid Maildir flags";
		return -1;
	}
	if (finish_file(d, mtime, error_r) < 0)
		goto fail;
	n = snprintf(subdir, sizeof(subdir), "%s/%s", d->dir, flags ? "cur" : "new");
	if (n < 0 || (size_t)n >= sizeof(subdir))
		goto toolong;
	if (flags == NULL)
		n = snprintf(d->final_path, sizeof(d->final_path), "%s/%s,S=%llu,W=%llu",
			     subdir, d->base, d->size, d->size + d->lf_count);
	else
		n = snprintf(d->final_path, sizeof(d->final_path),
			     "%s/%s,S=%llu,W=%llu:2,%s", subdir, d->base, d->size,
			     d->size + d->lf_count, flags);
	if (n < 0 || (size_t)n >= sizeof(d->final_path))
		goto toolong;
	/* the commit point: the message appears complete or not at all */
	if (rename(d->tmp_path, d->final_path) < 0) {
		*error_r = "rename from Maildir tmp/ failed";
		goto fail;
	}
	d->tmp_path[0] = '\0';
	/* make the rename durable before anyone forgets the message */
	if (dir_fsync(subdir) < 0) {
		int saved = errno;

		/* not durable: take it back so a retry cannot duplicate it */
		(void)unlink(d->final_path);
		d->final_path[0] = '\0';
		errno = saved;
		*error_r = "fsync of the Maildir directory failed";
		return -1;
	}
	return 0;
toolong:
	errno = ENAMETOOLONG;
	*error_r = "Maildir path too long";
fail:
	d->final_path[0] = '\0';
	maildir_abort(d);
	return -1;
}

bool
maildir_error_is_temporary(int err)
{
	(void)err;
	return true;
}
