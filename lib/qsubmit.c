/*
 * qsubmit.c -- the client side of quail-queue (see qsubmit.h): fork and
 * exec <libexec_dir>/quail-queue with the message on a pipe (fd 0) and the
 * envelope and reply on a socketpair (fd 1).
 *
 * SECURITY: the child gets exactly fds 0, 1 and 2 (every other descriptor
 * is closed before exec, so no session socket or key file leaks into the
 * queue owner's process). A stderr that is a socket (inetd: the client's
 * connection) is replaced by /dev/null so diagnostics never reach a peer.
 * The caller must ignore SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "child.h"
#include "exitcode.h"
#include "qsubmit.h"

/* The reply is one short line; longer replies are cut. */
#define QSUBMIT_REPLY_MAX_BYTES 1024

static char qsubmit_errbuf[QSUBMIT_REPLY_MAX_BYTES + 64];

/* In the child: arrange fds 0-2 and exec. Never returns. */
static _Noreturn void
child_exec(const struct conf *c, int msg_rd, int env_child)
{
	char path[PATH_MAX];
	struct stat st;

	if (dup2(msg_rd, 0) < 0 || dup2(env_child, 1) < 0)
		_exit(EXIT_TEMP);
	if (fstat(2, &st) < 0 || S_ISSOCK(st.st_mode)) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(EXIT_TEMP);
	}
	child_close_from(3);
	signal(SIGPIPE, SIG_DFL);
	if ((size_t)snprintf(path, sizeof(path), "%s/quail-queue",
			     c->libexec_dir) >= sizeof(path))
		_exit(EXIT_TEMP);
	char confdir[PATH_MAX];
	snprintf(confdir, sizeof(confdir), "%s", c->confdir);
	char *const argv[] = { path, (char *)"-C", confdir, NULL };
	execv(path, argv);
	_exit(EXIT_TEMP);
}

int
qsubmit_start(struct qsubmit *q, const struct conf *c, const char **error_r)
{
	int pfd[2], sfd[2];

	memset(q, 0, sizeof(*q) - sizeof(q->obuf));
	q->pid = -1;
	q->msg_fd = q->env_fd = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*error_r = "cannot create pipe";
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sfd) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		*error_r = "cannot create socketpair";
		return -1;
	}
	q->pid = fork();
	if (q->pid < 0) {
		close(pfd[0]); close(pfd[1]);
		close(sfd[0]); close(sfd[1]);
		*error_r = "cannot fork";
		return -1;
	}
	if (q->pid == 0)
		child_exec(c, pfd[0], sfd[1]);
	close(pfd[0]);
	close(sfd[1]);
	q->msg_fd = pfd[1];
	q->env_fd = sfd[0];
	return 0;
}

/* Writes all of p[0..n) to fd; 0 / -1 with errno. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
flush_obuf(struct qsubmit *q)
{
	if (q->error)
		return -1;
	if (q->olen > 0 && write_all(q->msg_fd, q->obuf, q->olen) < 0) {
		q->error = errno;
		return -1;
	}
	q->olen = 0;
	return 0;
}

int
qsubmit_write(struct qsubmit *q, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (q->error || q->msg_fd < 0)
		return -1;
	q->bytes += n;
	if (n >= sizeof(q->obuf)) {
		if (flush_obuf(q) < 0)
			return -1;
		if (write_all(q->msg_fd, s, n) < 0) {
			q->error = errno;
			return -1;
		}
		return 0;
	}
	if (q->olen + n > sizeof(q->obuf) && flush_obuf(q) < 0)
		return -1;
	memcpy(q->obuf + q->olen, s, n);
	q->olen += n;
	return 0;
}

/* Waits for the child, retrying on EINTR. Returns the wait status or -1. */
static int
reap(struct qsubmit *q)
{
	int status;

	if (q->pid <= 0)
		return -1;
	while (waitpid(q->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			q->pid = -1;
			return -1;
		}
	}
	q->pid = -1;
	return status;
}

static void
close_fds(struct qsubmit *q)
{
	if (q->msg_fd >= 0)
		close(q->msg_fd);
	if (q->env_fd >= 0)
		close(q->env_fd);
	q->msg_fd = q->env_fd = -1;
}

/* Reads the reply line (until LF, EOF or the limit) into out. */
static void
read_reply(int fd, char *out, size_t outlen)
{
	size_t len = 0;

	while (len + 1 < outlen) {
		ssize_t n = read(fd, out + len, outlen - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(out, '\n', len) != NULL)
			break;
	}
	out[len] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* Sends the envelope records; a failure is left to the reply/exit code. */
static void
send_envelope(struct qsubmit *q, const char *sender, const char *const *rcpts,
	      size_t n_rcpts, const char *auth)
{
	struct buf b;
	int rc = 0;

	buf_init(&b, 0);
	rc |= buf_printf(&b, "F%s\n", sender);
	if (auth != NULL)
		rc |= buf_printf(&b, "A%s\n", auth);
	for (size_t i = 0; i < n_rcpts; i++)
		rc |= buf_printf(&b, "R%s\n", rcpts[i]);
	rc |= buf_append_str(&b, "E\n");
	/* Without the complete envelope quail-queue queues nothing. */
	if (rc == 0)
		(void)write_all(q->env_fd, b.data, b.len);
	buf_free(&b);
	(void)shutdown(q->env_fd, SHUT_WR);
}

/* Rejects values that would break the line-based envelope. */
static bool
envelope_text_ok(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

int
qsubmit_finish(struct qsubmit *q, const char *sender, const char *const *rcpts,
	       size_t n_rcpts, const char *auth, char *id_r, size_t idlen,
	       const char **error_r)
{
	char reply[QSUBMIT_REPLY_MAX_BYTES];
	bool ok = envelope_text_ok(sender) && (auth == NULL || envelope_text_ok(auth));
	int status;

	for (size_t i = 0; ok && i < n_rcpts; i++)
		ok = envelope_text_ok(rcpts[i]);
	if (q->pid <= 0) {
		*error_r = "quail-queue not running";
		return -1;
	}
	if (!ok) {
		qsubmit_abort(q);
		*error_r = "line break in envelope address";
		return -2;
	}
	(void)flush_obuf(q);
	/* EOF on fd 0 tells quail-queue the message is complete. */
	close(q->msg_fd);
	q->msg_fd = -1;
	send_envelope(q, sender, rcpts, n_rcpts, auth);
	read_reply(q->env_fd, reply, sizeof(reply));
	close_fds(q);
	status = reap(q);
	/* quail-queue answers K only after the commit (rename + fsync of
	 * mess/): the message is queued whatever became of the process
	 * afterwards, and saying otherwise would make the client send it
	 * again. */
	if (reply[0] == 'K' && reply[1] != '\0') {
		if (strlen(reply + 1) >= idlen) {
			*error_r = "queue id too long";
			return -1;
		}
		memcpy(id_r, reply + 1, strlen(reply + 1) + 1);
		return 0;
	}
	if ((reply[0] == 'Z' || reply[0] == 'D') && reply[1] != '\0')
		snprintf(qsubmit_errbuf, sizeof(qsubmit_errbuf), "%s", reply + 1);
	else if (status == -1)
		snprintf(qsubmit_errbuf, sizeof(qsubmit_errbuf),
			 "quail-queue lost");
	else if (WIFSIGNALED(status))
		snprintf(qsubmit_errbuf, sizeof(qsubmit_errbuf),
			 "quail-queue killed by signal %d", WTERMSIG(status));
	else
		snprintf(qsubmit_errbuf, sizeof(qsubmit_errbuf),
			 "quail-queue failed (exit %d)", WEXITSTATUS(status));
	*error_r = qsubmit_errbuf;
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_PERM)
		return -2;
	return -1;
}

void
qsubmit_abort(struct qsubmit *q)
{
	/* Killing before closing the pipe: quail-queue must not take the
	 * EOF for a complete message (it would still wait for the envelope,
	 * but there is no reason to let it run). */
	if (q->pid > 0)
		(void)kill(q->pid, SIGKILL);
	close_fds(q);
	(void)reap(q);
	q->olen = 0;
}
