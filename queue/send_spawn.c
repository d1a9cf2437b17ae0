/*
 * send_spawn.c -- the quail-remote spawner of quail-send.
 *
 * When quail-send starts as root, the scheduler runs as the queue owner,
 * but quail-remote -- the program that talks to the network -- should run
 * as daemon_user, without write access to the queue. The scheduler cannot
 * change its uid any more, so before dropping privileges it forks this
 * small process, which drops to daemon_user at once (it never keeps root)
 * and then only starts quail-remote on request:
 *
 *   scheduler -> spawner  "<tag>\0<sender>\0<id>\0<domain>\0<rcpt>\0..."
 *                         with two descriptors (SCM_RIGHTS): the queue file
 *                         positioned at the message (stdin) and the write
 *                         end of the result pipe (stdout)
 *                         "K<tag>": kill that run (timeout)
 *   spawner -> scheduler  "<tag> <wait status>" when the run exited
 *
 * The scheduler opens the queue file itself (daemon_user cannot) and reads
 * the results from the pipe as for a child of its own (send_remote.c).
 * The spawner stops when the scheduler's end of the socket closes; runs
 * still going finish on their own.
 *
 * SECURITY: the spawner holds no privilege (daemon_user, the user of
 * quail-smtpd) and no queue access. It executes only
 * <libexec_dir>/quail-remote -C <confdir> from its own configuration; the
 * request supplies operands only (the sender as the value of -f, the id
 * checked as a queue id, the domain and recipients after "--"), and at
 * most SEND_REMOTE_RCPTS_MAX recipients. No shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "send.h"

/* A request: tag, sender, id, domain and the recipients, NUL-separated. */
#define SPAWN_PACKET_MAX_BYTES \
	(32 + (SEND_REMOTE_RCPTS_MAX + 3) * (ADDR_PATH_MAX_BYTES + 2))
/* Runs the spawner keeps track of (the scheduler starts at most
 * remote_concurrency at once). */
#define SPAWN_CHILDREN_MAX 4096

int spawn_fd = -1;

struct child {
	pid_t pid;                  /* 0: free */
	unsigned long tag;
};

static struct child *children;
static size_t n_children;
static int chld_pipe[2] = { -1, -1 };

static void
on_chld(int sig)
{
	int saved = errno;
	(void)sig;
	(void)!write(chld_pipe[1], "c", 1);
	errno = saved;
}

static void
reply(int sock, unsigned long tag, int status)
{
	char pkt[64];
	int n = snprintf(pkt, sizeof(pkt), "%lu %d", tag, status);
	(void)send(sock, pkt, (size_t)n, MSG_NOSIGNAL);
}

static _Noreturn void
exec_child(const struct conf *c, char **ops, size_t n_ops, int qfd, int outfd,
	   int errfd)
{
	char path[PATH_MAX];
	char **argv = calloc(n_ops + 9, sizeof(*argv));
	size_t a = 0;

	if (argv == NULL || dup2(qfd, 0) < 0 || dup2(outfd, 1) < 0
	    || dup2(errfd >= 0 ? errfd : outfd, 2) < 0)
		_exit(EXIT_TEMP);
	child_close_from(3);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if ((size_t)snprintf(path, sizeof(path), "%s/quail-remote", c->libexec_dir)
	    >= sizeof(path))
		_exit(EXIT_TEMP);
	argv[a++] = path;
	argv[a++] = (char *)"-C";
	argv[a++] = strdup(c->confdir);
	argv[a++] = (char *)"-f";
	argv[a++] = ops[0];             /* sender */
	argv[a++] = (char *)"-q";
	argv[a++] = ops[1];             /* id */
	argv[a++] = (char *)"--";
	for (size_t i = 2; i < n_ops; i++)
		argv[a++] = ops[i];     /* domain, recipients */
	argv[a] = NULL;
	if (argv[2] == NULL)
		_exit(EXIT_TEMP);
	execv(path, argv);
	_exit(EXIT_TEMP);
}

static struct child *
child_slot(void)
{
	for (size_t i = 0; i < n_children; i++)
		if (children[i].pid == 0)
			return &children[i];
	if (n_children == SPAWN_CHILDREN_MAX)
		return NULL;
	size_t n = n_children ? n_children * 2 : 32;
	if (n > SPAWN_CHILDREN_MAX)
		n = SPAWN_CHILDREN_MAX;
	struct child *p = realloc(children, n * sizeof(*p));
	if (p == NULL)
		return NULL;
	memset(p + n_children, 0, (n - n_children) * sizeof(*p));
	children = p;
	struct child *slot = &children[n_children];
	n_children = n;
	return slot;
}

/* Splits a request into tag and operands (in place); -1 if malformed. */
static int
parse_spawn(char *pkt, size_t len, unsigned long *tag_r, char **ops, size_t *n_r)
{
	char *end, *p = pkt, *lim = pkt + len;
	size_t n = 0;

	if (len == 0 || pkt[len - 1] != '\0')
		return -1;
	errno = 0;
	*tag_r = strtoul(pkt, &end, 10);
	if (errno != 0 || end == pkt || *end != '\0' || *tag_r == 0)
		return -1;
	for (p = end + 1; p < lim; p += strlen(p) + 1) {
		if (n == SEND_REMOTE_RCPTS_MAX + 3)
			return -1;
		ops[n++] = p;
	}
	/* sender (may be empty), id, domain, at least one recipient. */
	if (n < 4 || !qfile_valid_id(ops[1], strlen(ops[1])) || ops[2][0] == '\0')
		return -1;
	for (size_t i = 2; i < n; i++)
		if (ops[i][0] == '\0')
			return -1;      /* a leading '-' is fine: they follow "--" */
	*n_r = n;
	return 0;
}

/* One packet from the scheduler. false: the scheduler is gone. */
static bool
handle_request(const struct conf *c, int sock, char *pkt, int errfd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { pkt, SPAWN_PACKET_MAX_BYTES };
	struct msghdr mh = { 0 };
	char *ops[SEND_REMOTE_RCPTS_MAX + 3];
	int fds[2] = { -1, -1 };
	unsigned long tag;
	size_t n_ops;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[2];
		memcpy(got, CMSG_DATA(cm), (k < 2 ? k : 2) * sizeof(int));
		for (size_t i = 0; i < k && i < 2; i++)
			fds[i] = got[i];
	}
	if (pkt[0] == 'K') {
		char *end;
		errno = 0;
		tag = strtoul(pkt + 1, &end, 10);
		for (size_t i = 0; errno == 0 && i < n_children; i++)
			if (children[i].pid != 0 && children[i].tag == tag)
				(void)kill(children[i].pid, SIGKILL);
	} else if (fds[0] < 0 || fds[1] < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		   || parse_spawn(pkt, (size_t)n, &tag, ops, &n_ops) < 0) {
		log_msg(LOG_ERR, "malformed quail-remote request ignored");
		errno = 0;
		tag = strtoul(pkt, NULL, 10);
		if (errno == 0 && tag != 0)
			reply(sock, tag, EXIT_TEMP << 8);
	} else {
		struct child *slot = child_slot();
		pid_t pid = slot != NULL ? fork() : -1;
		if (pid == 0)
			exec_child(c, ops, n_ops, fds[0], fds[1], errfd);
		if (pid < 0) {
			log_msg(LOG_ERR, "cannot start quail-remote: %s", strerror(errno));
			reply(sock, tag, EXIT_TEMP << 8);
		} else {
			slot->pid = pid;
			slot->tag = tag;
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return true;
}

static void
reap(int sock)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < n_children; i++) {
			if (children[i].pid == pid) {
				reply(sock, children[i].tag, status);
				children[i].pid = 0;
				break;
			}
		}
	}
}

static _Noreturn void
spawner_main(const struct conf *c, int sock)
{
	struct sigaction sa;
	const char *error = NULL;
	char *pkt = malloc(SPAWN_PACKET_MAX_BYTES + 1);
	int errfd = child_log_fd(c->log_dest);

	/* The scheduler's end closing is the stop signal, so that running
	 * runs can still report on SIGTERM/SIGINT. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (pkt == NULL || pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		_exit(EXIT_TEMP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	if (chdir("/") < 0 || priv_drop_user(c->daemon_user, &error) < 0) {
		if (errno != 0 && error == NULL)
			error = strerror(errno);
		log_msg(LOG_ERR, "quail-remote spawner: drop to %s: %s",
			c->daemon_user, error);
		_exit(EXIT_TEMP);
	}
	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 }, { chld_pipe[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(EXIT_TEMP);
		}
		if (p[1].revents) {
			char b[64];
			while (read(chld_pipe[0], b, sizeof(b)) > 0)
				;
			reap(sock);
		}
		if (p[0].revents && !handle_request(c, sock, pkt, errfd))
			_exit(0);
	}
}

int
spawn_start(const struct conf *c, const int *close_fds, size_t n_close)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		/* Nothing of the scheduler's: the launcher must see its
		 * socket close when the scheduler goes, and a new quail-send
		 * must get the queue lock. */
		for (size_t i = 0; i < n_close; i++)
			if (close_fds[i] >= 0)
				close(close_fds[i]);
		log_open("send", c->log_dest);
		spawner_main(c, sv[1]);
	}
	close(sv[1]);
	return sv[0];       /* blocking; replies are read with MSG_DONTWAIT */
}

int
spawn_request(unsigned long tag, char *const ops[], size_t n_ops, int qfd, int outfd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct msghdr mh = { 0 };
	struct buf b;
	int fds[2] = { qfd, outfd };

	buf_init(&b, SPAWN_PACKET_MAX_BYTES);
	int rc = buf_printf(&b, "%lu", tag);
	rc |= buf_putc(&b, '\0');
	for (size_t i = 0; i < n_ops; i++) {
		rc |= buf_append_str(&b, ops[i]);
		rc |= buf_putc(&b, '\0');
	}
	if (rc != 0) {
		buf_free(&b);
		errno = E2BIG;
		return -1;
	}
	struct iovec iov = { b.data, b.len };
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	ssize_t n;
	do {
		n = sendmsg(spawn_fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	buf_free(&b);
	return n < 0 ? -1 : 0;
}

void
spawn_kill(unsigned long tag)
{
	char pkt[32];
	int n = snprintf(pkt, sizeof(pkt), "K%lu", tag);
	(void)send(spawn_fd, pkt, (size_t)n + 1, MSG_NOSIGNAL);
}

int
spawn_reply(unsigned long *tag_r, int *status_r)
{
	char pkt[64], *end;

	ssize_t n = recv(spawn_fd, pkt, sizeof(pkt) - 1, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	pkt[n] = '\0';
	errno = 0;
	*tag_r = strtoul(pkt, &end, 10);
	if (errno != 0 || *end != ' ')
		return 0;       /* ignored; the run times out at worst */
	*status_r = (int)strtol(end + 1, NULL, 10);
	return 1;
}
