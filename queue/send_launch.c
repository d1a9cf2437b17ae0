/*
 * send_launch.c -- the delivery launcher of quail-send.
 *
 * A small process forked before the scheduler drops its privileges. It
 * reads requests ("<tag> <id> <index>\n<sender>\n<recipient>") from a
 * SOCK_SEQPACKET socketpair; for each it forks a helper that opens
 * mess/<id> itself (read-only), checks that the request matches the queue
 * file, runs the local delivery of quail-deliver -f <sender> -q <id>
 * <recipient> with stdin = the message in a child, captures the first
 * line of its stdout and answers "<tag> <K|D|Z> <reason>" in one packet
 * (packets of concurrent helpers cannot interleave). A helper that ends
 * without answering (killed) is answered for by the launcher, which reaps
 * it: 'Z', the recipient is retried. It exits when the scheduler's end of
 * the socket closes.
 *
 * The delivery child does not execute quail-deliver: it runs the same code
 * (deliver/local.c's local_run, linked into quail-send) with the
 * configuration quail-send loaded, saving an execve, a dynamic link and a
 * config parse per delivery. Its interface is unchanged: message on fd 0,
 * the reason line on fd 1, exit 0/100/111.
 *
 * SECURITY: when quail-send starts as root this process stays root (so
 * the delivery child can become each mailbox owner) while the scheduler runs as
 * the queue owner. It therefore trusts nothing in a request: the id must
 * be hex (a file name in mess/, no path), the index must exist in that
 * queue file, and sender and recipient must equal the file's, so a
 * subverted scheduler can at most deliver queued mail to its queued
 * recipients. No shell and no exec are involved.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exitcode.h"
#include "../deliver/local.h"
#include "child.h"
#include "log.h"
#include "send.h"

/* Helpers (one per running local delivery) at once; the scheduler starts
 * at most local_concurrency, so this only bounds a misbehaving one. */
#define LAUNCH_HELPERS_MAX 1024

int launch_fd = -1;
extern int send_lock_fd;

struct launch_req {
	unsigned long tag;
	char id[QFILE_ID_MAX_BYTES + 1];
	size_t idx;
	const char *sender;
	const char *rcpt;
};

static void
reply(int sock, unsigned long tag, char cls, const char *reason)
{
	char pkt[SEND_PACKET_MAX_BYTES];
	char clean[SEND_REASON_MAX_BYTES];

	dsn_sanitize(reason, clean, sizeof(clean));
	int n = snprintf(pkt, sizeof(pkt), "%lu %c %s", tag, cls, clean);
	if (n > 0)
		(void)send(sock, pkt, (size_t)n < sizeof(pkt) ? (size_t)n : sizeof(pkt) - 1,
			   MSG_NOSIGNAL);
}

/* Splits and checks a request packet (NUL-terminated in place). 0 / -1. */
static int
parse_request(char *pkt, struct launch_req *rq)
{
	char *nl1 = strchr(pkt, '\n'), *nl2, *end;
	char idbuf[QFILE_ID_MAX_BYTES + 2];

	if (nl1 == NULL || (nl2 = strchr(nl1 + 1, '\n')) == NULL)
		return -1;
	*nl1 = *nl2 = '\0';
	rq->sender = nl1 + 1;
	rq->rcpt = nl2 + 1;
	if (strchr(rq->rcpt, '\n') != NULL)
		return -1;
	errno = 0;
	rq->tag = strtoul(pkt, &end, 10);
	if (errno != 0 || end == pkt || *end != ' ')
		return -1;
	if (sscanf(end + 1, "%33s %zu", idbuf, &rq->idx) != 2
	    || !qfile_valid_id(idbuf, strlen(idbuf)))
		return -1;
	memcpy(rq->id, idbuf, strlen(idbuf) + 1);
	return 0;
}

/* Opens mess/<id> and checks the request against it; returns the fd
 * positioned at the message, or -1 with *why. */
static int
open_checked(const struct launch_req *rq, const char **why)
{
	struct qfile_env e;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "mess/%s", rq->id);
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0) {
		*why = "cannot open queue file";
		return -1;
	}
	qfile_env_init(&e);
	if (qfile_read(fd, &e, why) < 0) {
		close(fd);
		return -1;
	}
	if (strcmp(e.id, rq->id) != 0 || rq->idx >= e.n_rcpts
	    || strcmp(e.rcpts[rq->idx], rq->rcpt) != 0
	    || strcmp(e.sender, rq->sender) != 0) {
		*why = "request does not match the queue file";
		qfile_env_free(&e);
		close(fd);
		return -1;
	}
	if (lseek(fd, (off_t)e.msg_offset, SEEK_SET) < 0) {
		*why = "cannot seek queue file";
		qfile_env_free(&e);
		close(fd);
		return -1;
	}
	qfile_env_free(&e);
	return fd;
}

/*
 * Signals as a fresh program would have them: quail-send ignores SIGHUP
 * and SIGPIPE, the launcher SIGTERM and SIGINT and blocks SIGCHLD; an
 * execve would have kept the ignored ones ignored and the mask, so every
 * ignored signal and SIGCHLD go back to the default here, and nothing is
 * blocked. (The
 * handlers quail-send sets are all replaced by SIG_IGN in the launcher;
 * what remains are the sanitizer runtime's, which an execve would have
 * installed again.)
 */
static void
reset_signals(void)
{
	struct sigaction dfl, old;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP
		    || sigaction(sig, NULL, &old) < 0)
			continue;           /* EINVAL for glibc's reserved ones */
		if (old.sa_handler == SIG_IGN || sig == SIGCHLD)
			(void)sigaction(sig, &dfl, NULL);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The delivery child: fds 0-2 = message, result pipe, log. Everything
 * else is closed; signals and the umask are as after an execve. */
static _Noreturn void
run_deliver(const struct conf *c, const struct launch_req *rq, int qfd,
	    int outfd, int errfd)
{
	static struct local_delivery d;

	if (dup2(qfd, 0) < 0 || dup2(outfd, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(EXIT_TEMP);
	child_close_from(3);
	reset_signals();
	umask(077);
	log_open("deliver", c->log_dest);
	d.no_exit_handlers = true;
	local_init(&d, rq->sender, rq->id, rq->rcpt);
	/* A shallow copy: this process ends with the delivery. */
	d.conf = *c;
	local_run(&d);
}

/* Reads the child's stdout: keeps the first line, drains the rest, kills
 * the child at the deadline. Returns false on timeout. */
static bool
collect_output(int fd, pid_t pid, char *line, size_t linelen)
{
	time_t deadline = time(NULL) + SEND_DELIVER_TIMEOUT_SECS;
	size_t len = 0;
	bool keep = true;
	char chunk[4096];

	line[0] = '\0';
	for (;;) {
		time_t left = deadline - time(NULL);
		struct pollfd p = { fd, POLLIN, 0 };
		if (left <= 0) {
			(void)kill(pid, SIGKILL);
			return false;
		}
		int r = poll(&p, 1, (int)(left > 60 ? 60000 : left * 1000));
		if (r < 0 && errno != EINTR)
			return true;
		if (r <= 0)
			continue;
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		for (ssize_t k = 0; keep && k < n; k++) {
			if (chunk[k] == '\n' || len + 1 >= linelen) {
				keep = false;
				break;
			}
			line[len++] = chunk[k];
			line[len] = '\0';
		}
	}
}

/* The helper: one delivery, one reply packet. */
static _Noreturn void
helper(const struct conf *c, int sock, const struct launch_req *rq, int errfd)
{
	char line[SEND_REASON_MAX_BYTES], why_buf[SEND_REASON_MAX_BYTES];
	const char *why;
	int p[2], status;
	pid_t pid;

	signal(SIGCHLD, SIG_DFL);
	int qfd = open_checked(rq, &why);
	if (qfd < 0) {
		/* Temporary: a bug or a race must defer, never bounce. */
		reply(sock, rq->tag, 'Z', why);
		_exit(0);
	}
	if (pipe(p) < 0 || (pid = fork()) < 0) {
		reply(sock, rq->tag, 'Z', "cannot start the delivery");
		_exit(0);
	}
	if (pid == 0)
		run_deliver(c, rq, qfd, p[1], errfd);
	close(p[1]);
	close(qfd);
	bool finished = collect_output(p[0], pid, line, sizeof(line));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(0);
	int cls = exitcode_class(status);
	if (!finished)
		snprintf(line, sizeof(line), "delivery timed out after %d seconds",
			 SEND_DELIVER_TIMEOUT_SECS);
	if (line[0] == '\0') {
		if (WIFSIGNALED(status))
			snprintf(why_buf, sizeof(why_buf),
				 "delivery killed by signal %d",
				 WTERMSIG(status));
		else
			snprintf(why_buf, sizeof(why_buf), "delivery exit %d",
				 WEXITSTATUS(status));
		memcpy(line, why_buf, strlen(why_buf) + 1);
	}
	reply(sock, rq->tag, !finished ? 'Z' : cls == 0 ? 'K' : cls == 1 ? 'D' : 'Z', line);
	_exit(0);
}

/* Running helpers: pid -> tag, so that a helper that dies without its
 * reply packet (killed, crashed) still gets one. */
struct helper_slot {
	pid_t pid;              /* 0: free */
	unsigned long tag;
};

static struct helper_slot helpers[LAUNCH_HELPERS_MAX];

/* Reaps every finished helper. A helper exits 0 only after its reply;
 * any other end is answered here as a temporary failure, or the
 * scheduler would wait for that recipient until it restarts. */
static void
reap_helpers(int sock)
{
	char why[64];
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < LAUNCH_HELPERS_MAX; i++) {
			if (helpers[i].pid != pid)
				continue;
			helpers[i].pid = 0;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				break;
			if (WIFSIGNALED(status))
				snprintf(why, sizeof(why), "delivery helper killed by "
					 "signal %d", WTERMSIG(status));
			else
				snprintf(why, sizeof(why), "delivery helper exit %d",
					 WEXITSTATUS(status));
			log_msg(LOG_ERR, "launcher: %s", why);
			reply(sock, helpers[i].tag, 'Z', why);
			break;
		}
	}
}

static struct helper_slot *
free_helper_slot(void)
{
	for (size_t i = 0; i < LAUNCH_HELPERS_MAX; i++)
		if (helpers[i].pid == 0)
			return &helpers[i];
	return NULL;
}

static _Noreturn void
launcher_main(const struct conf *c, int sock)
{
	char pkt[SEND_PACKET_MAX_BYTES + 1];
	struct launch_req rq;
	int errfd = child_log_fd(c->log_dest);
	sigset_t chld;

	/* The scheduler's end closing is our only stop signal, so that
	 * running deliveries can still report on SIGTERM/SIGINT. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	/* Helpers end as SIGCHLD through a signalfd, polled with the socket. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	(void)sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_msg(LOG_ERR, "launcher: signalfd: %s", strerror(errno));
		_exit(EXIT_TEMP);
	}
	if (send_lock_fd >= 0)
		close(send_lock_fd);    /* a new quail-send may start after us */
	/* Read the time zone once: every delivery child logs with local
	 * time and would otherwise read /etc/localtime itself. */
	tzset();
	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) > 0)
				;
			reap_helpers(sock);
		}
		if (!p[0].revents)
			continue;
		ssize_t n = recv(sock, pkt, SEND_PACKET_MAX_BYTES, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			_exit(0);
		pkt[n] = '\0';
		if ((size_t)n != strlen(pkt) || parse_request(pkt, &rq) < 0) {
			log_msg(LOG_ERR, "launcher: malformed request ignored");
			continue;
		}
		struct helper_slot *slot = free_helper_slot();
		if (slot == NULL) {
			reply(sock, rq.tag, 'Z', "too many deliveries running");
			continue;
		}
		pid_t pid = fork();
		if (pid < 0) {
			reply(sock, rq.tag, 'Z', "launcher cannot fork");
		} else if (pid == 0) {
			close(sfd);
			(void)sigprocmask(SIG_UNBLOCK, &chld, NULL);
			helper(c, sock, &rq, errfd);
		} else {
			slot->pid = pid;
			slot->tag = rq.tag;
		}
	}
}

int
launch_start(const struct conf *c, pid_t *pid_r)
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
		launcher_main(c, sv[1]);
	}
	close(sv[1]);
	*pid_r = pid;
	return sv[0];
}

int
launch_request(int fd, unsigned long tag, const char *id, size_t idx,
	       const char *sender, const char *rcpt)
{
	char pkt[SEND_PACKET_MAX_BYTES];
	int n = snprintf(pkt, sizeof(pkt), "%lu %s %zu\n%s\n%s", tag, id, idx,
			 sender, rcpt);

	if (n < 0 || (size_t)n >= sizeof(pkt)) {
		errno = E2BIG;
		return -1;
	}
	for (;;) {
		if (send(fd, pkt, (size_t)n, MSG_NOSIGNAL) == n)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}
