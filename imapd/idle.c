/*
 * idle.c -- IDLE (RFC 2177): after "+ idling" the selected mailbox is
 * watched with inotify on its new/ and cur/ directories, so a delivery
 * or a flag change by another session is reported (EXISTS, RECENT,
 * FETCH FLAGS, EXPUNGE) as soon as it lands; the mailbox is also
 * re-read every IMAPD_IDLE_RECHECK_SECS in case an event was missed
 * (inotify queue overflow, NFS). "DONE" ends it; the idle timeout
 * (imap_timeout) applies from the start of IDLE. In the authenticated
 * state IDLE simply waits for DONE.
 *
 * SECURITY: the client may send only the DONE line, read with a bound
 * (IMAPD_IDLE_LINE_MAX_BYTES); anything else ends IDLE with BAD.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "imapd.h"
#include "log.h"

/* What changes a Maildir directory: deliveries (rename into new/),
 * flag changes and moves to cur/ (renames), expunges (unlink), and the
 * folder itself going away. */
#define IDLE_INOTIFY_MASK                                                  \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | \
	 IN_DELETE_SELF | IN_MOVE_SELF)

/* An inotify fd watching dir/new and dir/cur, or -1 (then IDLE polls
 * every IMAPD_IDLE_RECHECK_SECS). */
static int
idle_watch(const char *dir)
{
	static const char *const subs[] = { "new", "cur" };
	char path[PATH_MAX];
	size_t k;
	int fd, n;

	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		log_msg(LOG_WARNING, "IDLE: inotify: %s", strerror(errno));
		return -1;
	}
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
		n = snprintf(path, sizeof(path), "%s/%s", dir, subs[k]);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    inotify_add_watch(fd, path, IDLE_INOTIFY_MASK) < 0) {
			log_msg(LOG_WARNING, "IDLE: cannot watch %s: %s", path,
				strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Reads all pending events (their content does not matter). */
static void
idle_drain(int fd)
{
	char ev[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(fd, ev, sizeof(ev)) > 0)
		;
}

/* Seconds on a clock that never jumps (the idle timeout must not move
 * with the wall clock). */
static time_t
idle_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return time(NULL);
	return ts.tv_sec;
}

/* Reports changes of the selected mailbox now. */
static void
idle_sync(struct imapd_session *s)
{
	if (s->mb != NULL) {
		sess_sync(s, true);
		io_flush(s->io);
	}
}

/* Reads the line that ends IDLE and answers it. */
static void
idle_done(struct imapd_session *s)
{
	struct buf line;
	int r;

	buf_init(&line, IMAPD_IDLE_LINE_MAX_BYTES + 1);
	r = conn_read_line(s, &line, IMAPD_IDLE_LINE_MAX_BYTES, false);
	if (r == 1 && line.len == 4 && strncasecmp(line.data, "DONE", 4) == 0)
		sess_reply(s, IMAPD_OK, "Idle completed.");
	else if (r != 0)
		sess_reply(s, IMAPD_BAD, "Expected DONE.");
	/* r == 0: the session is over, no tagged reply */
	buf_free(&line);
}

void
cmd_idle(struct imapd_session *s, const struct imap_arg *args, size_t n,
	 bool uid)
{
	struct pollfd pfd[2];
	time_t deadline, now;
	unsigned timeout = s->env->conf->imap_timeout;
	int ifd = -1, r, wait_ms;

	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "IDLE takes no arguments.");
		return;
	}
	if (s->mb != NULL)
		ifd = idle_watch(s->mb->dir);
	/* changes made before IDLE are due now; they may end the session
	 * (the mailbox is gone: BYE), and then no "+" follows */
	if (s->mb != NULL && sess_sync(s, true) < 0)
		goto out;
	sess_printf(s, "+ idling\r\n");
	if (io_flush(s->io) < 0) {
		s->done = true;
		goto out;
	}
	deadline = idle_now() + (time_t)timeout;
	while (!s->done) {
		if (io_pending(s->io) > 0) {
			idle_done(s);
			break;
		}
		now = idle_now();
		if (timeout != 0 && now >= deadline) {
			log_msg(LOG_NOTICE, "idle timeout for %s",
				s->env->remote_ip);
			sess_untagged(s, "BYE Disconnected for inactivity.");
			s->done = true;
			break;
		}
		wait_ms = IMAPD_IDLE_RECHECK_SECS * 1000;
		if (timeout != 0 && deadline - now < IMAPD_IDLE_RECHECK_SECS)
			wait_ms = (int)(deadline - now) * 1000;
		pfd[0].fd = s->io->rfd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = ifd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		r = poll(pfd, ifd >= 0 ? 2 : 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_msg(LOG_ERR, "IDLE: poll: %s", strerror(errno));
			s->done = true;
			break;
		}
		if (r == 0) { /* the periodic re-check */
			idle_sync(s);
			continue;
		}
		if (ifd >= 0 && (pfd[1].revents & POLLIN)) {
			idle_drain(ifd);
			idle_sync(s);
		}
		if (pfd[0].revents != 0) {
			idle_done(s);
			break;
		}
	}
out:
	if (ifd >= 0)
		close(ifd);
}
