/*
 * send_remote.c -- quail-send's outbound side: runs quail-remote for the
 * recipients of one message in one domain (HACKING.md "Outbound"):
 *
 *   <libexec_dir>/quail-remote -C confdir -f sender -q id -- domain rcpt...
 *
 * with stdin = the queue file positioned at the message, stdout = a pipe
 * we read without blocking, stderr = the log file (log = /path), our
 * stderr (log = stderr) or /dev/null (syslog: it logs there itself). At
 * most remote_concurrency runs at once, remote_destination_concurrency
 * per domain. A run is finished when its stdout reached EOF and the
 * process was reaped (a pidfd tells us when; without pidfd support we
 * look once a second). Its output is one "r<i> K|Z|D <status> <text>"
 * line per recipient in argv order and a summary "s ..." line; <i> counts
 * the recipients from 0 and must come in order (a line out of order is
 * ignored, so a garbled line cannot shift results onto the wrong
 * recipient). Anything missing, an exit
 * other than 0, a signal, or a run longer than SEND_REMOTE_TIMEOUT_SECS
 * makes the unreported recipients temporary failures, never lost mail.
 *
 * SECURITY: when quail-send was started as root, quail-remote runs as
 * daemon_user: the scheduler (the queue owner) opens the queue file and
 * the result pipe and hands both to the spawner (send_spawn.c), which
 * starts quail-remote without queue access and reports its exit status.
 * Otherwise everything runs as the invoking user and we fork it here.
 * Its output is untrusted: lines are
 * bounded, reasons sanitised (dsn_sanitize) before they reach logs, state
 * files or bounces, and a recipient index must be the expected one.
 * No shell: argv is built directly; "--" keeps recipients that start with
 * '-' operands.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "child.h"
#include "exitcode.h"
#include "log.h"
#include "send.h"

struct rjob {
	bool busy;                  /* false: free slot */
	pid_t pid;                  /* our child; 0 when run by the spawner */
	unsigned long tag;          /* the spawner's name for the run */
	int out_fd;                 /* -1 after EOF */
	int pid_fd;                 /* -1: no pidfd (or reaped) */
	bool reaped;
	int status;
	time_t started;
	bool killed;                /* timed out */
	bool overflow;              /* output beyond the limit: rest dropped */
	struct send_msg *m;
	char domain[CONF_DOMAIN_MAX + 1];
	size_t idx[SEND_REMOTE_RCPTS_MAX];
	size_t n;
	struct buf out;
};

static struct rjob *rjobs;
static unsigned n_rjobs, n_active;
static unsigned long next_rtag = 1;
static int child_err_fd = -1;
static char *confdir_arg;       /* mutable copy for argv */

void
remote_init(void)
{
	const struct conf *c = send_conf;

	n_rjobs = c->remote_concurrency ? c->remote_concurrency : 1;
	rjobs = calloc(n_rjobs, sizeof(*rjobs));
	confdir_arg = strdup(c->confdir);
	if (rjobs == NULL || confdir_arg == NULL) {
		log_msg(LOG_ERR, "out of memory");
		exit(EXIT_TEMP);
	}
	if (c->log_dest[0] == '/')
		child_err_fd = open(c->log_dest, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	else if (strcmp(c->log_dest, "stderr") == 0)
		child_err_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (child_err_fd < 0)
		child_err_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
}

unsigned
remote_running(void)
{
	return n_active;
}

bool
remote_full(void)
{
	return n_active >= n_rjobs;
}

bool
remote_can_start(const char *domain)
{
	unsigned per = send_conf->remote_destination_concurrency;
	unsigned same = 0;

	if (n_active >= n_rjobs)
		return false;
	if (per == 0)
		per = 1;
	for (unsigned k = 0; k < n_rjobs; k++)
		if (rjobs[k].busy && strcmp(rjobs[k].domain, domain) == 0
		    && ++same >= per)
			return false;
	return true;
}

static int
open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
#else
	(void)pid;
	return -1;
#endif
}

/* The child: never returns. argv was built by the parent. */
static _Noreturn void
exec_remote(char **argv, int qfd, int outfd)
{
	if (dup2(qfd, 0) < 0 || dup2(outfd, 1) < 0
	    || dup2(child_err_fd >= 0 ? child_err_fd : outfd, 2) < 0)
		_exit(EXIT_TEMP);
	child_close_from(3);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	execv(argv[0], argv);
	_exit(EXIT_TEMP);
}

int
remote_start(struct send_msg *m, const char *domain, const size_t *idx, size_t n)
{
	const struct conf *c = send_conf;
	char path[PATH_MAX], qpath[64];
	char **argv;
	int p[2], saved;
	unsigned k;

	if (n == 0 || n > SEND_REMOTE_RCPTS_MAX || strlen(domain) > CONF_DOMAIN_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (k = 0; k < n_rjobs && rjobs[k].busy; k++)
		;
	if (k == n_rjobs) {
		errno = EAGAIN;
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/quail-remote", c->libexec_dir)
	    >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(qpath, sizeof(qpath), "mess/%s", m->env.id);
	int qfd = open(qpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (qfd < 0)
		return -1;
	if (lseek(qfd, (off_t)m->env.msg_offset, SEEK_SET) < 0
	    || (argv = calloc(n + 12, sizeof(*argv))) == NULL) {
		saved = errno;
		close(qfd);
		errno = saved;
		return -1;
	}
	/* argv for our own child; the spawner gets the operands only:
	 * argv[4] sender, [6] id, then domain and recipients from [8]. */
	size_t a = 0;
	struct rjob *j = &rjobs[k];
	snprintf(j->domain, sizeof(j->domain), "%s", domain);
	argv[a++] = path;
	argv[a++] = (char *)"-C";
	argv[a++] = confdir_arg;
	argv[a++] = (char *)"-f";
	argv[a++] = m->env.sender;
	argv[a++] = (char *)"-q";
	argv[a++] = m->env.id;
	argv[a++] = (char *)"--";
	argv[a++] = j->domain;
	for (size_t i = 0; i < n; i++)
		argv[a++] = m->env.rcpts[idx[i]];
	argv[a] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		saved = errno;
		free(argv);
		close(qfd);
		errno = saved;
		return -1;
	}
	pid_t pid = 0;
	unsigned long tag = next_rtag++;
	if (spawn_fd >= 0) {
		/* sender, id, domain, recipients: the spawner adds the rest
		 * (the slots of "-q" and "--" are reused for id and sender). */
		argv[7] = m->env.id;
		argv[6] = m->env.sender;
		int r = spawn_request(tag, argv + 6, a - 6, qfd, p[1]);
		saved = errno;
		if (r < 0)
			pid = -1;
	} else {
		pid = fork();
		if (pid == 0)
			exec_remote(argv, qfd, p[1]);
		saved = errno;
	}
	free(argv);
	close(qfd);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		errno = saved;
		return -1;
	}
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	j->busy = true;
	j->tag = tag;
	j->pid = pid;
	j->out_fd = p[0];
	j->pid_fd = pid > 0 ? open_pidfd(pid) : -1;
	j->reaped = false;
	j->killed = false;
	j->overflow = false;
	j->status = 0;
	j->started = time(NULL);
	j->m = m;
	memcpy(j->idx, idx, n * sizeof(*idx));
	j->n = n;
	buf_init(&j->out, SEND_REMOTE_OUTPUT_MAX_BYTES);
	n_active++;
	return 0;
}

size_t
remote_pollfds(struct pollfd *p, size_t max)
{
	size_t n = 0;

	/* Always: a spawner that dies must be noticed. */
	if (spawn_fd >= 0 && n < max)
		p[n++] = (struct pollfd){ spawn_fd, POLLIN, 0 };
	for (unsigned k = 0; k < n_rjobs && n < max; k++) {
		struct rjob *j = &rjobs[k];
		if (!j->busy)
			continue;
		if (j->out_fd >= 0 && n < max)
			p[n++] = (struct pollfd){ j->out_fd, POLLIN, 0 };
		if (j->pid_fd >= 0 && !j->reaped && n < max)
			p[n++] = (struct pollfd){ j->pid_fd, POLLIN, 0 };
	}
	return n;
}

time_t
remote_timer(void)
{
	time_t t = 0;

	for (unsigned k = 0; k < n_rjobs; k++) {
		const struct rjob *j = &rjobs[k];
		if (!j->busy)
			continue;
		/* Without a pidfd an exited child is only noticed by looking
		 * (the spawner's runs: its reply wakes us). */
		time_t due = (j->pid > 0 && j->pid_fd < 0 && !j->reaped)
			? time(NULL) + 1
			: j->started + SEND_REMOTE_TIMEOUT_SECS + (j->killed ? 1 : 0);
		if (t == 0 || due < t)
			t = due;
	}
	return t;
}

/* Reads what is there; closes at EOF. Output beyond the buffer limit is
 * read and dropped (the recipients it would report stay temporary). */
static void
read_output(struct rjob *j)
{
	char chunk[4096];

	for (;;) {
		ssize_t n = read(j->out_fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(j->out_fd);
			j->out_fd = -1;
			return;
		}
		/* Past the limit nothing more is kept, so no line is ever
		 * glued together from pieces around a dropped chunk. */
		if (!j->overflow && buf_append(&j->out, chunk, (size_t)n) < 0)
			j->overflow = true;
	}
}

static void
try_reap(struct rjob *j)
{
	int status;
	pid_t r;

	while ((r = waitpid(j->pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == j->pid || (r < 0 && errno == ECHILD)) {
		j->reaped = true;
		j->status = r == j->pid ? status : (EXIT_TEMP << 8);
		if (j->pid_fd >= 0) {
			close(j->pid_fd);
			j->pid_fd = -1;
		}
	}
}

/* One "r<i> C status text" line; -1 if malformed. */
static int
parse_rline(char *line, unsigned long *i_r, char *cls_r, char **status_r,
	    char **text_r)
{
	char *end;

	if (line[0] != 'r' || line[1] < '0' || line[1] > '9')
		return -1;
	errno = 0;
	*i_r = strtoul(line + 1, &end, 10);
	if (errno != 0 || end[0] != ' ' || (end[1] != 'K' && end[1] != 'Z'
					    && end[1] != 'D') || end[2] != ' ')
		return -1;
	*cls_r = end[1];
	*status_r = end + 3;
	char *sp = strchr(*status_r, ' ');
	if (sp != NULL) {
		*sp = '\0';
		*text_r = sp + 1;
	} else {
		*text_r = *status_r + strlen(*status_r);
	}
	return 0;
}

/* The run is over: every recipient gets its outcome. */
static void
finish(struct rjob *j)
{
	struct send_msg *m = j->m;
	char id[QFILE_ID_MAX_BYTES + 1];
	char reported[SEND_REMOTE_RCPTS_MAX] = { 0 };
	char why[SEND_REASON_MAX_BYTES], summary[SEND_REASON_MAX_BYTES] = "";
	size_t next = 0;

	/* The last outcome may settle and free m: keep its id. */
	snprintf(id, sizeof(id), "%s", m->env.id);
	/* data is NUL-terminated (buf.h); a NUL inside ends the parse early
	 * and the rest counts as missing. */
	char empty[1] = "";
	char *data = j->out.data != NULL ? j->out.data : empty;
	for (char *line = data, *nl; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;          /* a partial last line counts as missing */
		*nl = '\0';
		unsigned long i;
		char cls, *status, *text;
		if (line[0] == 's' && line[1] == ' ') {
			/* "s K|Z|D <text>": the text is what the log wants. */
			const char *t = line + 2;
			if ((t[0] == 'K' || t[0] == 'Z' || t[0] == 'D') && t[1] == ' ')
				t += 2;
			dsn_sanitize(t, summary, sizeof(summary));
			continue;
		}
		if (parse_rline(line, &i, &cls, &status, &text) < 0)
			continue;
		if (i != next || next >= j->n) {
			log_msg(LOG_WARNING, "id=%s quail-remote result out of order "
				"ignored: r%lu", id, i);
			continue;
		}
		size_t idx = j->idx[next];
		char clean[SEND_REASON_MAX_BYTES];
		dsn_sanitize(text, clean, sizeof(clean));
		reported[next++] = 1;
		/* A bogus status is ignored: queue_outcome derives one. */
		queue_outcome(m, idx, cls, cls == 'K' ? NULL : status, clean, true);
	}
	if (j->killed)
		snprintf(why, sizeof(why), "quail-remote timed out after %d seconds",
			 SEND_REMOTE_TIMEOUT_SECS);
	else if (WIFSIGNALED(j->status))
		snprintf(why, sizeof(why), "quail-remote killed by signal %d",
			 WTERMSIG(j->status));
	else if (WEXITSTATUS(j->status) != 0)
		snprintf(why, sizeof(why), "quail-remote exit %d%s%.400s",
			 WEXITSTATUS(j->status), summary[0] ? ": " : "", summary);
	else
		snprintf(why, sizeof(why), "quail-remote gave no result%s%.400s",
			 summary[0] ? ": " : "", summary);
	if (next < j->n || WIFSIGNALED(j->status) || WEXITSTATUS(j->status) != 0)
		log_msg(LOG_WARNING, "id=%s domain=%s %s (%zu of %zu results)",
			id, j->domain, why, next, j->n);
	for (size_t k = 0; k < j->n; k++)
		if (!reported[k])
			queue_outcome(m, j->idx[k], 'Z', "4.3.0", why, true);
	buf_free(&j->out);
	j->busy = false;
	j->pid = 0;
	j->m = NULL;
	n_active--;
}

static void
check_job(struct rjob *j, time_t now)
{
	bool overdue = now >= j->started + SEND_REMOTE_TIMEOUT_SECS;

	if (j->out_fd >= 0)
		read_output(j);
	if (!j->reaped && j->pid > 0)
		try_reap(j);
	if (!j->reaped && overdue && !j->killed) {
		log_msg(LOG_WARNING, "id=%s domain=%s quail-remote timed out, killed",
			j->m->env.id, j->domain);
		if (j->pid > 0)
			(void)kill(j->pid, SIGKILL);    /* not reaped: still ours */
		else
			spawn_kill(j->tag);
		j->killed = true;
	}
	/* Exited, but something it left behind still holds the pipe: the
	 * run is over at the deadline. */
	if (j->reaped && j->out_fd >= 0 && overdue) {
		close(j->out_fd);
		j->out_fd = -1;
		j->killed = true;
	}
	if (j->reaped && j->out_fd < 0)
		finish(j);
}

/* Exit statuses from the spawner. false: it is gone. */
static bool
spawn_replies(void)
{
	unsigned long tag;
	int status, r;

	while ((r = spawn_reply(&tag, &status)) == 1) {
		for (unsigned k = 0; k < n_rjobs; k++) {
			struct rjob *j = &rjobs[k];
			if (j->busy && j->pid == 0 && j->tag == tag && !j->reaped) {
				j->reaped = true;
				j->status = status;
				break;
			}
		}
	}
	return r == 0;
}

bool
remote_events(const struct pollfd *p, size_t n)
{
	time_t now = time(NULL);
	bool spawner_ok = true;

	(void)p;
	(void)n;
	if (spawn_fd >= 0 && !spawn_replies()) {
		/* Its runs cannot report an exit any more: temporary. */
		spawner_ok = false;
		for (unsigned k = 0; k < n_rjobs; k++) {
			struct rjob *j = &rjobs[k];
			if (j->busy && j->pid == 0 && !j->reaped) {
				j->reaped = true;
				j->status = EXIT_TEMP << 8;
				if (j->out_fd >= 0) {
					read_output(j);
					if (j->out_fd >= 0) {
						close(j->out_fd);
						j->out_fd = -1;
					}
				}
			}
		}
	}
	/* Few jobs (remote_concurrency): look at each; reads do not block. */
	for (unsigned k = 0; k < n_rjobs; k++)
		if (rjobs[k].busy)
			check_job(&rjobs[k], now);
	return spawner_ok;
}
