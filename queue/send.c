/*
 * send.c -- quail-send: the queue manager (mail-queue(7), quail-send(8)).
 *
 * Runs in the foreground: creates the queue layout if missing, takes the
 * queue lock, forks the delivery launcher (send_launch.c), drops to the
 * queue owner when started as root, then loops: scan mess/ at start, on
 * every poke of the trigger FIFO and every SEND_RESCAN_SECS; start local
 * deliveries up to local_concurrency and quail-remote runs up to
 * remote_concurrency (send_remote.c); collect results; retry on a timer.
 * A trigger byte 'F' makes every deferred recipient due now.
 * SIGTERM/SIGINT: no new deliveries, SEND_STOP_WAIT_SECS for running
 * ones to report, exit 0. Logs through lib/log.h; stdout stays silent.
 *
 * SECURITY: the scheduler reads queue files written by quail-queue (all
 * fields re-validated by qfile.c) and runs as the queue owner; only the
 * launcher keeps root, and it checks every request against the queue
 * file. quail-remote, which talks to the network, runs as daemon_user
 * through the spawner (send_spawn.c). The queue lock (flock on state/)
 * keeps a second instance out.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "send.h"

#define SEND_USAGE "quail-send [-C dir] [-p pidfile]"

const struct conf *send_conf;
volatile int send_stopping;
int send_lock_fd = -1;

static int sig_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	(void)sig;
	send_stopping = 1;
	(void)!write(sig_pipe[1], "x", 1);
	errno = saved;
}

/* Makes dir (mode) if missing; checks type and owner either way. */
static void
ensure_dir(const char *path, mode_t mode, bool root, uid_t uid, gid_t gid)
{
	struct stat st;

	if (mkdir(path, mode) == 0) {
		if (root && chown(path, uid, gid) < 0)
			die_temp("chown %s: %s", path, strerror(errno));
	} else if (errno != EEXIST) {
		die_temp("mkdir %s: %s", path, strerror(errno));
	}
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		die_temp("%s is not a directory", path);
	if (st.st_uid != uid)
		die_temp("%s is owned by uid %ld, not by the queue owner (uid %ld)",
			 path, (long)st.st_uid, (long)uid);
}

/* The layout of mail-queue(7): tmp/ mess/ state/ (0700) and the trigger
 * FIFO (0600), all owned by the queue owner. Leaves us in queue_dir. */
static void
setup_layout(const struct conf *c, bool root, uid_t uid, gid_t gid)
{
	struct stat st;

	ensure_dir(c->queue_dir, 0700, root, uid, gid);
	if (chdir(c->queue_dir) < 0)
		die_temp("chdir %s: %s", c->queue_dir, strerror(errno));
	ensure_dir("tmp", 0700, root, uid, gid);
	ensure_dir("mess", 0700, root, uid, gid);
	ensure_dir("state", 0700, root, uid, gid);
	if (mkfifo("trigger", 0600) == 0) {
		if (root && chown("trigger", uid, gid) < 0)
			die_temp("chown trigger: %s", strerror(errno));
	} else if (errno != EEXIST) {
		die_temp("mkfifo trigger: %s", strerror(errno));
	}
	if (lstat("trigger", &st) < 0 || !S_ISFIFO(st.st_mode) || st.st_uid != uid)
		die_temp("%s/trigger is not a FIFO owned by the queue owner", c->queue_dir);
}

static void
take_lock(void)
{
	send_lock_fd = open("state", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (send_lock_fd < 0)
		die_temp("open state/: %s", strerror(errno));
	if (flock(send_lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			die_temp("another quail-send is running on this queue");
		die_temp("lock state/: %s", strerror(errno));
	}
}

static void
write_pidfile(const char *path)
{
	char buf[32];
	char tmp[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		die_temp("pidfile path too long");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (fd < 0 || write(fd, buf, (size_t)n) != n || close(fd) < 0
	    || rename(tmp, path) < 0)
		die_temp("pidfile %s: %s", path, strerror(errno));
}

static void
setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		die_temp("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

/* Reads everything pending; true if an 'F' (flush) byte was among it. */
static bool
drain(int fd)
{
	char buf[256];
	bool flush = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		flush |= memchr(buf, 'F', (size_t)n) != NULL;
	return flush;
}

/* One launcher reply. false when the launcher is gone. */
static bool
read_reply(void)
{
	char pkt[SEND_PACKET_MAX_BYTES + 1];
	char *end;

	ssize_t n = recv(launch_fd, pkt, SEND_PACKET_MAX_BYTES, MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	pkt[n] = '\0';
	errno = 0;
	unsigned long tag = strtoul(pkt, &end, 10);
	if (errno != 0 || end == pkt || end[0] != ' ' || end[1] == '\0'
	    || (end[2] != ' ' && end[2] != '\0')) {
		log_msg(LOG_ERR, "malformed launcher reply ignored");
		return true;
	}
	queue_result(tag, end[1], end[2] == ' ' ? end + 3 : "");
	return true;
}

/* Milliseconds until t (bounded), -1 for "no timer". */
static int
ms_until(time_t t, time_t now)
{
	if (t == 0)
		return -1;
	if (t <= now)
		return 0;
	return t - now > 3600 ? 3600000 : (int)(t - now) * 1000;
}

static void
main_loop(int trigger_fd)
{
	time_t last_rescan = time(NULL);
	size_t max_fds = 3 + 2 * (size_t)(send_conf->remote_concurrency + 1);
	/* Static: still reachable when a die_temp() exits from the loop. */
	static struct pollfd *p;

	p = calloc(max_fds, sizeof(*p));
	if (p == NULL)
		die_temp("out of memory");
	queue_scan(true);
	while (!send_stopping) {
		/* Due messages join the ready list before deliveries start;
		 * afterwards the timer only reports the next due time. */
		(void)queue_timer(time(NULL));
		queue_run();
		time_t now = time(NULL);
		time_t due = queue_timer(now);
		time_t rescan = last_rescan + SEND_RESCAN_SECS;
		time_t rt = remote_timer();
		if (due == 0 || rescan < due)
			due = rescan;
		if (rt != 0 && rt < due)
			due = rt;
		p[0] = (struct pollfd){ sig_pipe[0], POLLIN, 0 };
		p[1] = (struct pollfd){ trigger_fd, POLLIN, 0 };
		p[2] = (struct pollfd){ launch_fd, POLLIN, 0 };
		size_t nr = remote_pollfds(p + 3, max_fds - 3);
		if (poll(p, 3 + nr, ms_until(due, now)) < 0) {
			if (errno == EINTR)
				continue;
			die_temp("poll: %s", strerror(errno));
		}
		if (p[0].revents)
			(void)drain(sig_pipe[0]);
		while (p[2].revents && !send_stopping) {
			/* Several replies may be waiting: take them all. */
			if (!read_reply()) {
				queue_launcher_lost();
				die_temp("delivery launcher died");
			}
			struct pollfd q = { launch_fd, POLLIN, 0 };
			if (poll(&q, 1, 0) <= 0 || !(q.revents & POLLIN))
				break;
		}
		if (!remote_events(p + 3, nr))
			die_temp("quail-remote spawner died");
		if (p[1].revents) {
			bool flush = drain(trigger_fd);
			queue_scan(false);
			if (flush)
				queue_flush();
		}
		if (time(NULL) >= rescan) {
			queue_scan(true);
			last_rescan = time(NULL);
		}
	}
	free(p);
	p = NULL;
}

/* SIGTERM: give running deliveries a moment to report their outcome. */
static void
stop(void)
{
	time_t end = time(NULL) + SEND_STOP_WAIT_SECS;

	log_msg(LOG_INFO, "stopping, %u deliveries running", queue_running());
	while (queue_running() > 0 && time(NULL) < end) {
		struct pollfd p = { launch_fd, POLLIN, 0 };
		if (poll(&p, 1, 100) > 0 && !read_reply())
			break;
		(void)remote_events(NULL, 0);
	}
}

int
main(int argc, char **argv)
{
	const char *dir_opt = NULL, *pidfile = NULL, *error;
	static struct conf c;
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t launcher;
	int opt;

	log_open("send", "stderr");
	while ((opt = getopt(argc, argv, "C:p:")) != -1) {
		switch (opt) {
		case 'C': dir_opt = optarg; break;
		case 'p': pidfile = optarg; break;
		default: die_usage(SEND_USAGE);
		}
	}
	if (optind != argc)
		die_usage(SEND_USAGE);
	if (conf_load(&c, conf_dir(dir_opt), &error) < 0)
		die_temp("config: %s", error);
	/* We chdir into the queue: children need an absolute config dir. */
	char *abs = realpath(c.confdir, NULL);
	if (abs == NULL || strlen(abs) >= sizeof(c.confdir))
		die_temp("config dir %s: %s", c.confdir, strerror(errno));
	memcpy(c.confdir, abs, strlen(abs) + 1);
	free(abs);
	send_conf = &c;
	log_open("send", c.log_dest);
	umask(077);
	bool root = priv_is_root();
	if (root) {
		struct passwd *pw = getpwnam(c.queue_user);
		if (pw == NULL)
			die_temp("queue_user %s does not exist", c.queue_user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	setup_layout(&c, root, uid, gid);
	take_lock();
	if (pidfile != NULL)
		write_pidfile(pidfile);
	setup_signals();
	/* The launcher is forked first so that it alone keeps root. */
	launch_fd = launch_start(&c, &launcher);
	if (launch_fd < 0)
		die_temp("cannot start the delivery launcher: %s", strerror(errno));
	if (root) {
		/* quail-remote runs as daemon_user, started by the spawner,
		 * which must hold nothing of the scheduler's. */
		int mine[] = { launch_fd, sig_pipe[0], sig_pipe[1], send_lock_fd };
		spawn_fd = spawn_start(&c, mine, sizeof(mine) / sizeof(mine[0]));
		if (spawn_fd < 0)
			die_temp("cannot start the quail-remote spawner: %s",
				 strerror(errno));
	}
	if (root) {
		if (priv_drop_ids(uid, gid, c.queue_user, &error) < 0)
			die_temp("drop privileges: %s", error);
	} else {
		log_msg(LOG_INFO, "running unprivileged as uid %ld", (long)getuid());
	}
	int trigger_fd = open("trigger", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (trigger_fd < 0)
		die_temp("open trigger: %s", strerror(errno));
	queue_init();
	log_msg(LOG_INFO, "started: queue %s, concurrency %u local, %u remote "
		"(%u per domain)", c.queue_dir, c.local_concurrency,
		c.remote_concurrency, c.remote_destination_concurrency);
	main_loop(trigger_fd);
	stop();
	if (pidfile != NULL)
		(void)unlink(pidfile);
	log_msg(LOG_INFO, "stopped");
	return EXIT_DONE;
}
