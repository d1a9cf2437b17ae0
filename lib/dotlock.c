/*
 * dotlock.c -- the link(2) lock file (see dotlock.h), the classic NFS
 * dotlock: write a unique temporary file, link it to the lock name, and
 * trust the link count of the temporary file rather than link's reply.
 *
 * SECURITY: files are created O_EXCL | O_NOFOLLOW, 0600. A temporary file
 * of our own name left by a killed process with the same pid on the same
 * host is ours to remove (no living process can own that name). A stale
 * lock is unlinked only if it is still the inode we judged stale.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dotlock.h"

/* Host names kept for the lock content and the temporary file name. */
#define DOTLOCK_HOST_MAX_BYTES 64
/* Stale locks broken in one dotlock_take() before it only retries after
 * a pause, like a lock that is held. */
#define DOTLOCK_BREAKS_MAX 16
/* "<pid> <host>\n" */
#define DOTLOCK_CONTENT_MAX_BYTES 128

/* This host's name, usable in a file name (no '/', blank or newline). */
static void
dotlock_host(char *host, size_t size)
{
	if (gethostname(host, size) < 0)
		snprintf(host, size, "localhost");
	host[size - 1] = '\0';
	host[strcspn(host, "/ \t\n")] = '\0';
	if (host[0] == '\0')
		snprintf(host, size, "localhost");
}

/* True if the lock open on fd (whose fstat is st) was left by a dead
 * process on this host, or is older than stale_secs. */
static bool
dotlock_stale(int fd, const struct stat *st, unsigned stale_secs)
{
	char data[DOTLOCK_CONTENT_MAX_BYTES], host[DOTLOCK_HOST_MAX_BYTES];
	char lhost[DOTLOCK_HOST_MAX_BYTES];
	long pid;
	ssize_t r;

	if (time(NULL) - st->st_mtime > (time_t)stale_secs)
		return true;
	r = pread(fd, data, sizeof(data) - 1, 0);
	if (r <= 0)
		return false;
	data[r] = '\0';
	dotlock_host(host, sizeof(host));
	if (sscanf(data, "%ld %63s", &pid, lhost) != 2 || pid <= 0 ||
	    pid > INT_MAX || strcmp(lhost, host) != 0)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Removes the lock at path if it is stale. True if it was removed.
 * The lock is judged through an open descriptor, which stays open until
 * after the unlink: while it is open its inode cannot be freed and given
 * to a new file, so a lock made after this one was released (by a holder
 * that then exited, which made its pid look dead) cannot pass for it by
 * having the same inode number and the same mtime. A lock we cannot open
 * is judged by its age alone. */
static bool
dotlock_break_stale(const char *path, unsigned stale_secs)
{
	struct stat st, again;
	bool stale, removed = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd >= 0) {
		stale = fstat(fd, &st) == 0 &&
			dotlock_stale(fd, &st, stale_secs);
	} else {
		stale = lstat(path, &st) == 0 &&
			time(NULL) - st.st_mtime > (time_t)stale_secs;
	}
	/* remove only the file we judged: if it was replaced meanwhile,
	 * the next try sees the new one */
	if (stale && lstat(path, &again) == 0 && again.st_dev == st.st_dev &&
	    again.st_ino == st.st_ino &&
	    again.st_mtim.tv_sec == st.st_mtim.tv_sec &&
	    again.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
		removed = unlink(path) == 0;
	if (fd >= 0)
		close(fd);
	return removed;
}

/* Creates the temporary file tmp with content. 0 / -1. */
static int
dotlock_make_tmp(const char *tmp, const char *content)
{
	size_t len = strlen(content);
	ssize_t w;
	int fd, i;

	for (i = 0; i < 2; i++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
			  O_NOFOLLOW, 0600);
		if (fd >= 0)
			break;
		/* Our own name (host and pid): left by a killed process
		 * whose pid we now have. Remove it once and retry. */
		if (errno != EEXIST || i > 0 || unlink(tmp) < 0)
			return -1;
	}
	w = write(fd, content, len);
	if (close(fd) < 0 || w != (ssize_t)len) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* One attempt: 1 taken, 0 held by someone else, -1 error (errno). */
static int
dotlock_try(const char *lock, const char *tmp, const char *content,
	    struct dotlock_id *id_r)
{
	struct stat st;
	int r, link_errno;

	if (dotlock_make_tmp(tmp, content) < 0)
		return -1;
	/* link(2) is atomic on NFS too; a lost reply is detected through the
	 * link count of our file. */
	r = link(tmp, lock);
	link_errno = errno;
	if (stat(tmp, &st) == 0 && st.st_nlink == 2) {
		id_r->dev = st.st_dev;
		id_r->ino = st.st_ino;
		id_r->mtime = st.st_mtim;
		unlink(tmp);
		return 1;
	}
	unlink(tmp);
	if (r == 0 || link_errno == EEXIST)
		return 0;
	errno = link_errno;
	return -1;
}

int
dotlock_take(const char *path, unsigned wait_secs, unsigned stale_secs,
	     struct dotlock_id *id_r, const char **error_r)
{
	char tmp[PATH_MAX + DOTLOCK_HOST_MAX_BYTES + 32];
	char host[DOTLOCK_HOST_MAX_BYTES], content[DOTLOCK_CONTENT_MAX_BYTES];
	struct timespec pause = { 0, DOTLOCK_POLL_MSECS * 1000000L };
	time_t give_up = time(NULL) + (time_t)wait_secs;
	unsigned breaks = 0;
	bool removed;
	int r;

	dotlock_host(host, sizeof(host));
	r = snprintf(tmp, sizeof(tmp), "%s.%s.%ld", path, host,
		     (long)getpid());
	if (r < 0 || (size_t)r >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		*error_r = "lock file name too long";
		return -1;
	}
	snprintf(content, sizeof(content), "%ld %s\n", (long)getpid(), host);
	for (;;) {
		r = dotlock_try(path, tmp, content, id_r);
		if (r == 1)
			return 0;
		if (r < 0) {
			*error_r = "cannot create the lock file";
			return -1;
		}
		removed = dotlock_break_stale(path, stale_secs);
		/* retry at once after breaking a stale lock; the count and
		 * the wait bound the loop even if stale locks keep coming
		 * back or cannot be removed */
		if (removed && breaks++ < DOTLOCK_BREAKS_MAX)
			continue;
		if (time(NULL) >= give_up) {
			errno = EWOULDBLOCK;
			*error_r = "timed out waiting for the lock";
			return -1;
		}
		if (!removed)
			nanosleep(&pause, NULL);
	}
}

void
dotlock_release(const char *path, const struct dotlock_id *id)
{
	struct stat st;

	/* Somebody may have broken our lock as stale; never remove theirs. */
	if (lstat(path, &st) == 0 && st.st_dev == id->dev &&
	    st.st_ino == id->ino &&
	    st.st_mtim.tv_sec == id->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == id->mtime.tv_nsec)
		unlink(path);
}
