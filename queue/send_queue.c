/*
 * send_queue.c -- quail-send's view of the queue: which messages exist,
 * what happened to each recipient, what to start next.
 *
 * State of a message = its queue file mess/<id> (never changed after
 * quail-queue wrote it) + state/<id>, an append-only list of outcomes:
 *   "D<index>\n"                     delivered
 *   "B<index> <status> <reason>\n"   failed for good
 *   "N<index>\n"                     its failure report is queued
 *   "Z<index> <time> <status> <reason>\n"  a temporary failure (the last
 *                                    error; their count is the tries)
 *   "W<time>\n"                      the delay warning is queued
 * Outcomes are appended without fsync. That is safe because a delivery is
 * durable before it is recorded (quail-deliver fsyncs the Maildir before
 * it exits 0): a crash can lose a record, and then the recipient is
 * delivered again -- a duplicate, never a loss. A lost "B" means one more
 * attempt. mess/<id> goes first when a message is finished (after any
 * bounce is durably queued), then state/<id>; a state file without its
 * queue file is an orphan and removed at the next full scan.
 *
 * Temporary failures are retried on the schedule of lib/retry.c
 * (exponential backoff between retry_min and retry_max, the last attempt
 * at the end of queue_lifetime); after queue_lifetime a temporary failure
 * is final (4.4.7). After a restart the schedule continues from the Z
 * records. Local recipients go to the launcher (send_launch.c, at most
 * local_concurrency), remote ones to quail-remote grouped by domain
 * (send_remote.c, remote_concurrency / remote_destination_concurrency).
 * A queue file that vanished (quail-qctl remove) is noticed at the next
 * scan and forgotten ("removed by admin"); runs still going for it finish
 * and are ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "retry.h"
#include "send.h"

#define QUEUE_HASH_BUCKETS 4096
/* A state file is at most one line per recipient and outcome. */
#define QUEUE_STATE_MAX_BYTES ((size_t)QFILE_RCPTS_MAX * (SEND_REASON_MAX_BYTES + 64))

struct job {
	unsigned long tag;      /* 0: free slot */
	struct send_msg *m;
	size_t idx;
};

static struct send_msg *table[QUEUE_HASH_BUCKETS];
static struct send_msg *ready_head, *ready_tail;
static struct job *jobs;
static unsigned n_jobs, n_running;    /* local deliveries */
static unsigned scan_gen;
static unsigned long next_tag = 1;
static time_t next_due_hint;    /* no message is due before this (0: none) */

static unsigned
hash_id(const char *id)
{
	unsigned h = 2166136261u;
	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % QUEUE_HASH_BUCKETS;
}

static struct send_msg *
find_msg(const char *id)
{
	for (struct send_msg *m = table[hash_id(id)]; m != NULL; m = m->hnext)
		if (strcmp(m->env.id, id) == 0)
			return m;
	return NULL;
}

static void
note_due(time_t t)
{
	if (t != 0 && (next_due_hint == 0 || t < next_due_hint))
		next_due_hint = t;
}

static void
ready_push(struct send_msg *m)
{
	if (m->in_ready || m->corrupt)
		return;
	m->in_ready = true;
	m->cursor = 0;
	m->rnext = NULL;
	if (ready_tail != NULL)
		ready_tail->rnext = m;
	else
		ready_head = m;
	ready_tail = m;
}

/* Earliest retry of a pending recipient; 0 if none is pending. */
static void
recompute_due(struct send_msg *m)
{
	m->due = 0;
	for (size_t i = 0; i < m->env.n_rcpts; i++)
		if (m->r[i].state == RCPT_PENDING
		    && (m->due == 0 || m->r[i].next_try < m->due))
			m->due = m->r[i].next_try;
	note_due(m->due);
}

void
queue_init(void)
{
	n_jobs = send_conf->local_concurrency ? send_conf->local_concurrency : 1;
	jobs = calloc(n_jobs, sizeof(*jobs));
	if (jobs == NULL) {
		log_msg(LOG_ERR, "out of memory");
		exit(111);
	}
	remote_init();
}

unsigned
queue_running(void)
{
	return n_running + remote_running();
}

static struct retry_policy
policy(void)
{
	return (struct retry_policy){ send_conf->retry_min, send_conf->retry_max,
				      send_conf->queue_lifetime };
}

static double
now_secs(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static const char *
rcpt_domain(const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');
	return at != NULL ? at + 1 : "";
}

/* Appends one outcome line to state/<id> (one write, O_APPEND). */
static void
state_append(const struct send_msg *m, const char *line)
{
	char path[64];
	if (m->vanished)
		return;         /* removed by the admin: no orphan state file */
	snprintf(path, sizeof(path), "state/%s", m->env.id);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t len = strlen(line);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len)
		log_msg(LOG_ERR, "id=%s cannot record state (%s): the recipient may "
			"be tried again", m->env.id, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Copies "<status> <reason>" at p into r; false if malformed. */
static bool
parse_status_reason(const char *p, struct send_rcpt *r)
{
	const char *sp = strchr(p, ' ');

	if (sp == NULL || sp == p || (size_t)(sp - p) >= sizeof(r->status))
		return false;
	memcpy(r->status, p, (size_t)(sp - p));
	r->status[sp - p] = '\0';
	dsn_sanitize(sp + 1, r->reason, sizeof(r->reason));
	return true;
}

/* Applies one state line; malformed lines are ignored (at worst a retry). */
static void
state_apply(struct send_msg *m, const char *line)
{
	char *end;
	errno = 0;

	if (line[0] == 'W') {
		m->warned = true;
		return;
	}
	unsigned long idx = strtoul(line + 1, &end, 10);
	if (errno != 0 || end == line + 1 || idx >= m->env.n_rcpts)
		return;
	struct send_rcpt *r = &m->r[idx];
	if (line[0] == 'D' && *end == '\0') {
		r->state = RCPT_DONE;
	} else if (line[0] == 'N' && *end == '\0') {
		r->notified = true;    /* follows its B line */
	} else if (line[0] == 'B' && *end == ' ') {
		if (!parse_status_reason(end + 1, r))
			return;
		r->state = RCPT_BOUNCED;
		r->notified = false;
	} else if (line[0] == 'Z' && *end == ' ' && r->state == RCPT_PENDING) {
		char *t_end;
		errno = 0;
		long long t = strtoll(end + 1, &t_end, 10);
		if (errno != 0 || t_end == end + 1 || *t_end != ' '
		    || !parse_status_reason(t_end + 1, r))
			return;
		r->tries++;
		r->last_try = (time_t)t;
	}
}

static void
state_load(struct send_msg *m)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "state/%s", m->env.id);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > QUEUE_STATE_MAX_BYTES) {
		log_msg(LOG_ERR, "id=%s state file unreadable or too big, ignored",
			m->env.id);
		close(fd);
		return;
	}
	char *data = malloc((size_t)st.st_size + 1);
	ssize_t n = data != NULL ? pread(fd, data, (size_t)st.st_size, 0) : -1;
	close(fd);
	if (n < 0) {
		free(data);
		return;
	}
	data[n] = '\0';
	/* Only complete lines count: a crash may leave a partial last one. */
	for (char *p = data, *nl; (nl = memchr(p, '\n', (size_t)(data + n - p))) != NULL;
	     p = nl + 1) {
		*nl = '\0';
		if (memchr(p, '\0', (size_t)(nl - p)) == NULL)
			state_apply(m, p);
	}
	free(data);
}

static void
free_msg(struct send_msg *m)
{
	qfile_env_free(&m->env);
	free(m->r);
	free(m);
}

static void
table_remove(struct send_msg *m)
{
	struct send_msg **pp = &table[hash_id(m->env.id)];
	while (*pp != m)
		pp = &(*pp)->hnext;
	*pp = m->hnext;
	if (m->in_ready) {
		/* Rare (finish from the ready list): unlink from the FIFO. */
		struct send_msg **rp = &ready_head, *prev = NULL;
		while (*rp != m) {
			prev = *rp;
			rp = &(*rp)->rnext;
		}
		*rp = m->rnext;
		if (ready_tail == m)
			ready_tail = prev;
	}
}

static bool
all_final(const struct send_msg *m)
{
	for (size_t i = 0; i < m->env.n_rcpts; i++)
		if (m->r[i].state == RCPT_PENDING || m->r[i].state == RCPT_RUNNING)
			return false;
	return true;
}

/* Bounces the failed recipients not reported yet; marks them notified. */
static bool
settle_bounces(struct send_msg *m)
{
	char line[32];
	struct buf b;
	bool need = false;

	for (size_t i = 0; i < m->env.n_rcpts; i++)
		need |= m->r[i].state == RCPT_BOUNCED && !m->r[i].notified;
	if (!need)
		return true;
	/* The report must be durably queued before the failures count as
	 * reported (a crash in between: the report goes out twice). */
	if (bounce_message(m) < 0) {
		time_t t = time(NULL) + send_conf->retry_min;
		if (m->due == 0 || t < m->due)
			m->due = t;
		note_due(m->due);
		return false;
	}
	buf_init(&b, 0);
	for (size_t i = 0; i < m->env.n_rcpts; i++) {
		if (m->r[i].state == RCPT_BOUNCED && !m->r[i].notified) {
			m->r[i].notified = true;
			snprintf(line, sizeof(line), "N%zu\n", i);
			(void)buf_append_str(&b, line);
		}
	}
	if (b.len > 0)
		state_append(m, buf_cstr(&b));
	buf_free(&b);
	return true;
}

/* The delay warning, once per message, when delay_warning is set, the
 * message is that old and some recipient is deferred (has failed). */
static void
maybe_warn(struct send_msg *m)
{
	char line[32];
	time_t now = time(NULL);
	bool deferred = false;

	if (m->warned || send_conf->delay_warning == 0 || m->env.sender[0] == '\0'
	    || now - (time_t)m->env.arrival < (time_t)send_conf->delay_warning)
		return;
	for (size_t i = 0; i < m->env.n_rcpts; i++)
		deferred |= m->r[i].state == RCPT_PENDING && m->r[i].tries > 0;
	if (!deferred || delay_warning_message(m) < 0)
		return;         /* a failed submission: tried at the next settle */
	m->warned = true;
	snprintf(line, sizeof(line), "W%lld\n", (long long)now);
	state_append(m, line);
}

/* Forgets m (after the admin removed it, or when it is done). */
static void
drop_msg(struct send_msg *m)
{
	table_remove(m);
	free_msg(m);
}

/* Nothing running: report failures, and remove the message once every
 * recipient is final. mess/<id> goes first, then state/<id>. */
static void
settle_msg(struct send_msg *m)
{
	char path[64];

	if (m->running > 0)
		return;
	if (m->vanished) {
		drop_msg(m);
		return;
	}
	if (!settle_bounces(m))
		return;
	if (!all_final(m)) {
		maybe_warn(m);
		return;
	}
	snprintf(path, sizeof(path), "mess/%s", m->env.id);
	if (unlink(path) < 0 && errno != ENOENT) {
		log_msg(LOG_ERR, "id=%s cannot remove %s: %s", m->env.id, path,
			strerror(errno));
		m->due = time(NULL) + send_conf->retry_min;
		note_due(m->due);
		return;
	}
	snprintf(path, sizeof(path), "state/%s", m->env.id);
	(void)unlink(path);
	log_msg(LOG_INFO, "id=%s status=removed", m->env.id);
	drop_msg(m);
}

/* Loads mess/<id> into the table and makes it ready. */
static void
load_msg(const char *id)
{
	char path[64];
	const char *error;
	struct send_msg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return;
	qfile_env_init(&m->env);
	snprintf(path, sizeof(path), "mess/%.*s", QFILE_ID_MAX_BYTES, id);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT)    /* else: removed meanwhile */
			log_msg(LOG_ERR, "id=%s cannot open queue file: %s", id,
				strerror(errno));
		free(m);
		return;
	}
	int r = qfile_read(fd, &m->env, &error);
	close(fd);
	if (r == 0 && strcmp(m->env.id, id) != 0) {
		r = -1;
		error = "id record does not match the file name";
	}
	if (r < 0) {
		/* Left in place for the administrator; never guessed at. */
		log_msg(LOG_ERR, "id=%s corrupt queue file left in mess/: %s", id, error);
		qfile_env_free(&m->env);
		snprintf(m->env.id, sizeof(m->env.id), "%.*s", QFILE_ID_MAX_BYTES, id);
		m->corrupt = true;
	} else if ((m->r = calloc(m->env.n_rcpts, sizeof(*m->r))) == NULL) {
		free_msg(m);
		return;
	}
	unsigned h = hash_id(m->env.id);
	m->hnext = table[h];
	table[h] = m;
	m->seen = scan_gen;
	if (m->corrupt)
		return;
	time_t now = time(NULL);
	for (size_t i = 0; i < m->env.n_rcpts; i++)
		m->r[i].remote = !conf_is_local_domain(send_conf,
						       rcpt_domain(m->env.rcpts[i]));
	state_load(m);
	/* The schedule goes on from the recorded failures. */
	struct retry_policy pol = policy();
	for (size_t i = 0; i < m->env.n_rcpts; i++) {
		struct send_rcpt *rc = &m->r[i];
		rc->next_try = rc->tries == 0 ? now
			: retry_next(&pol, (time_t)m->env.arrival, rc->last_try, rc->tries);
	}
	recompute_due(m);
	ready_push(m);      /* queue_run starts it or settles it */
}

/* Removes files in tmp/ older than SEND_TMP_STALE_SECS. */
static void
clean_tmp(void)
{
	DIR *d = opendir("tmp");
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	time_t now = time(NULL);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "tmp/%s", de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)
		    && st.st_mtime < now - SEND_TMP_STALE_SECS && unlink(path) == 0)
			log_msg(LOG_NOTICE, "removed stale %s", path);
	}
	closedir(d);
}

/* Removes state/<id> files whose queue file is gone. */
static void
clean_orphans(void)
{
	DIR *d = opendir("state");
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!qfile_valid_id(de->d_name, strlen(de->d_name))
		    || find_msg(de->d_name) != NULL)
			continue;
		snprintf(path, sizeof(path), "mess/%s", de->d_name);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			continue;
		snprintf(path, sizeof(path), "state/%s", de->d_name);
		if (unlink(path) == 0)
			log_msg(LOG_NOTICE, "id=%s removed orphan state file", de->d_name);
	}
	closedir(d);
}

/* Messages we know whose queue file was not in the last scan of mess/
 * were removed by the admin (quail-qctl remove): forget them. */
static void
sweep_vanished(void)
{
	for (unsigned b = 0; b < QUEUE_HASH_BUCKETS; b++) {
		for (struct send_msg *m = table[b], *next; m != NULL; m = next) {
			next = m->hnext;
			if (m->seen == scan_gen || m->vanished)
				continue;
			m->vanished = true;
			log_msg(LOG_NOTICE, "id=%s status=removed reason=removed by admin%s",
				m->env.id, m->running > 0 ? " (running deliveries "
				"finish, their outcome is ignored)" : "");
			if (m->running == 0)
				drop_msg(m);
		}
	}
}

void
queue_scan(bool full)
{
	DIR *d = opendir("mess");
	struct dirent *de;
	struct send_msg *m;

	if (d == NULL) {
		log_msg(LOG_ERR, "cannot read mess/: %s", strerror(errno));
		return;
	}
	scan_gen++;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!qfile_valid_id(de->d_name, strlen(de->d_name)))
			continue;
		if ((m = find_msg(de->d_name)) != NULL)
			m->seen = scan_gen;
		else
			load_msg(de->d_name);
		errno = 0;
	}
	bool complete = errno == 0;
	closedir(d);
	if (complete)
		sweep_vanished();
	if (full) {
		clean_orphans();
		clean_tmp();
	}
}

void
queue_flush(void)
{
	time_t now = time(NULL);
	unsigned n = 0;

	for (unsigned b = 0; b < QUEUE_HASH_BUCKETS; b++) {
		for (struct send_msg *m = table[b]; m != NULL; m = m->hnext) {
			if (m->corrupt || m->vanished)
				continue;
			for (size_t i = 0; i < m->env.n_rcpts; i++)
				if (m->r[i].state == RCPT_PENDING)
					m->r[i].next_try = now;
			recompute_due(m);
			ready_push(m);
			n++;
		}
	}
	log_msg(LOG_INFO, "flush requested: %u messages due now", n);
}

/* A local delivery through the launcher. */
static void
start_local(struct send_msg *m, size_t i, time_t now)
{
	struct send_rcpt *r = &m->r[i];
	unsigned slot = 0;

	while (jobs[slot].tag != 0)
		slot++;
	unsigned long tag = next_tag++;
	if (launch_request(launch_fd, tag, m->env.id, i, m->env.sender,
			   m->env.rcpts[i]) < 0) {
		log_msg(LOG_ERR, "id=%s to=<%s> status=deferred reason=cannot reach "
			"the delivery launcher: %s", m->env.id, m->env.rcpts[i],
			strerror(errno));
		r->next_try = now + (time_t)retry_delay(&(struct retry_policy){
			send_conf->retry_min, send_conf->retry_max, 0 }, 1);
		return;
	}
	jobs[slot] = (struct job){ tag, m, i };
	r->state = RCPT_RUNNING;
	m->running++;
	n_running++;
}

/* One quail-remote run for the due remote recipients of m in the domain
 * of recipient i (i and after; the ones before were looked at already). */
static void
start_remote(struct send_msg *m, size_t i, time_t now)
{
	size_t idx[SEND_REMOTE_RCPTS_MAX];
	size_t n = 0;
	const char *domain = rcpt_domain(m->env.rcpts[i]);
	char why[SEND_REASON_MAX_BYTES];

	for (size_t k = i; k < m->env.n_rcpts && n < SEND_REMOTE_RCPTS_MAX; k++) {
		struct send_rcpt *r = &m->r[k];
		if (r->state == RCPT_PENDING && r->remote && r->next_try <= now
		    && strcmp(rcpt_domain(m->env.rcpts[k]), domain) == 0)
			idx[n++] = k;
	}
	for (size_t k = 0; k < n; k++) {
		m->r[idx[k]].state = RCPT_RUNNING;
		m->running++;
	}
	if (remote_start(m, domain, idx, n) == 0)
		return;
	if (errno == ENOENT && !m->vanished) {
		/* The queue file is gone: removed by the admin. */
		m->vanished = true;
		log_msg(LOG_NOTICE, "id=%s status=removed reason=removed by admin",
			m->env.id);
	}
	snprintf(why, sizeof(why), "cannot start quail-remote: %s", strerror(errno));
	for (size_t k = 0; k < n; k++)
		queue_outcome(m, idx[k], 'Z', "4.3.0", why, false);
}

/* Starts what the limits allow, oldest ready message first. A message
 * leaves the ready list when none of its due recipients waits for a
 * free slot any more; one that waits keeps its place. */
/* Domains found without a free slot in this pass of queue_run: no run
 * ends during a pass, so they stay blocked (saves rescanning the jobs for
 * each of thousands of messages to one busy domain). */
#define QUEUE_BLOCKED_CACHE 16
static const char *blocked_domains[QUEUE_BLOCKED_CACHE];
static unsigned n_blocked_domains;

static bool
remote_slot_free(const char *domain)
{
	for (unsigned k = 0; k < n_blocked_domains; k++)
		if (strcmp(blocked_domains[k], domain) == 0)
			return false;
	if (remote_can_start(domain))
		return true;
	if (n_blocked_domains < QUEUE_BLOCKED_CACHE)
		blocked_domains[n_blocked_domains++] = domain;
	return false;
}

void
queue_run(void)
{
	time_t now = time(NULL);
	struct send_msg *prev = NULL, *m, *next;

	n_blocked_domains = 0;

	for (m = ready_head; m != NULL && !send_stopping; m = next) {
		bool local_full = n_running >= n_jobs;
		if (local_full && remote_full())
			break;
		next = m->rnext;
		size_t blocked = SIZE_MAX;
		for (size_t i = m->cursor; !m->vanished && i < m->env.n_rcpts; i++) {
			struct send_rcpt *r = &m->r[i];
			if (r->state != RCPT_PENDING || r->next_try > now)
				continue;
			if (!r->remote) {
				if (n_running < n_jobs)
					start_local(m, i, now);
				else if (blocked == SIZE_MAX)
					blocked = i;
			} else if (remote_slot_free(rcpt_domain(m->env.rcpts[i]))) {
				start_remote(m, i, now);
			} else if (blocked == SIZE_MAX) {
				blocked = i;
			}
		}
		if (blocked != SIZE_MAX) {
			m->cursor = blocked;
			prev = m;
			continue;
		}
		/* Done with m: unlink it (prev stays) and settle it. */
		if (prev != NULL)
			prev->rnext = next;
		else
			ready_head = next;
		if (ready_tail == m)
			ready_tail = prev;
		m->in_ready = false;
		m->rnext = NULL;
		recompute_due(m);
		settle_msg(m);
	}
}

time_t
queue_timer(time_t now)
{
	if (next_due_hint == 0 || now < next_due_hint)
		return next_due_hint;
	next_due_hint = 0;
	for (unsigned b = 0; b < QUEUE_HASH_BUCKETS; b++) {
		for (struct send_msg *m = table[b], *next; m != NULL; m = next) {
			next = m->hnext;
			if (m->corrupt || m->vanished || m->due == 0)
				continue;
			if (m->due <= now) {
				m->due = 0;
				ready_push(m);
			} else {
				note_due(m->due);
			}
		}
	}
	return next_due_hint;
}

/* Records a final failure. */
static void
record_bounce(struct send_msg *m, size_t idx, const char *status, const char *reason)
{
	struct send_rcpt *r = &m->r[idx];
	char line[SEND_REASON_MAX_BYTES + 64];

	r->state = RCPT_BOUNCED;
	r->notified = false;
	snprintf(r->status, sizeof(r->status), "%s", status);
	dsn_sanitize(reason, r->reason, sizeof(r->reason));
	snprintf(line, sizeof(line), "B%zu %s %s\n", idx, r->status, r->reason);
	state_append(m, line);
}

static void
handle_temp(struct send_msg *m, size_t idx, const char *status,
	    const char *reason, double delay)
{
	struct send_rcpt *r = &m->r[idx];
	struct retry_policy pol = policy();
	time_t now = time(NULL);
	char why[SEND_REASON_MAX_BYTES];
	char line[SEND_REASON_MAX_BYTES + 64];

	r->tries++;
	r->last_try = now;
	if (retry_expired(&pol, (time_t)m->env.arrival, now)) {
		snprintf(why, sizeof(why), "message expired after %lds in queue, "
			 "last error: %s", (long)(now - m->env.arrival), reason);
		record_bounce(m, idx, "4.4.7", why);
		log_msg(LOG_NOTICE, "id=%s to=<%s> status=bounced delay=%.1fs "
			"dsn=4.4.7 reason=%s", m->env.id, m->env.rcpts[idx], delay,
			r->reason);
		return;
	}
	r->state = RCPT_PENDING;
	r->next_try = retry_next(&pol, (time_t)m->env.arrival, now, r->tries);
	snprintf(r->status, sizeof(r->status), "%s", status);
	dsn_sanitize(reason, r->reason, sizeof(r->reason));
	snprintf(line, sizeof(line), "Z%zu %lld %s %s\n", idx, (long long)now,
		 r->status, r->reason);
	state_append(m, line);
	log_msg(LOG_NOTICE, "id=%s to=<%s> status=deferred delay=%.1fs tries=%u "
		"retry=%lds reason=%s", m->env.id, m->env.rcpts[idx], delay,
		r->tries, (long)(r->next_try - now), r->reason);
}

void
queue_outcome(struct send_msg *m, size_t idx, char cls, const char *status,
	      const char *reason, bool remote)
{
	struct send_rcpt *r = &m->r[idx];
	double delay = now_secs() - (double)m->env.arrival;
	char line[64], st[DSN_STATUS_MAX_BYTES];
	const char *via = remote ? " via=remote" : "";

	m->running--;
	if (m->vanished) {
		r->state = RCPT_DONE;   /* forgotten with the message */
		log_msg(LOG_INFO, "id=%s to=<%s> outcome %c ignored: removed by admin",
			m->env.id, m->env.rcpts[idx], cls);
	} else if (cls == 'K') {
		r->state = RCPT_DONE;
		snprintf(line, sizeof(line), "D%zu\n", idx);
		state_append(m, line);
		log_msg(LOG_INFO, "id=%s to=<%s> status=sent delay=%.1fs%s reason=%s",
			m->env.id, m->env.rcpts[idx], delay, via, reason);
	} else if (cls == 'D') {
		/* An explicit status of the right class wins over the reason. */
		dsn_status_from_reason(status != NULL ? status : reason, true, st,
				       sizeof(st));
		if (status != NULL && strcmp(st, "5.0.0") == 0)
			dsn_status_from_reason(reason, true, st, sizeof(st));
		record_bounce(m, idx, st, reason);
		log_msg(LOG_NOTICE, "id=%s to=<%s> status=bounced delay=%.1fs%s dsn=%s "
			"reason=%s", m->env.id, m->env.rcpts[idx], delay, via, st,
			r->reason);
	} else {
		dsn_status_from_reason(status != NULL ? status : reason, false, st,
				       sizeof(st));
		if (status != NULL && strcmp(st, "4.0.0") == 0)
			dsn_status_from_reason(reason, false, st, sizeof(st));
		handle_temp(m, idx, st, reason, delay);
	}
	recompute_due(m);
	if (!m->in_ready)
		settle_msg(m);
}

void
queue_result(unsigned long tag, char cls, const char *reason)
{
	unsigned slot;

	for (slot = 0; slot < n_jobs && jobs[slot].tag != tag; slot++)
		;
	if (tag == 0 || slot == n_jobs) {
		log_msg(LOG_WARNING, "launcher reply for unknown job %lu", tag);
		return;
	}
	struct send_msg *m = jobs[slot].m;
	size_t idx = jobs[slot].idx;

	jobs[slot].tag = 0;
	n_running--;
	queue_outcome(m, idx, cls, NULL, reason, false);
}

void
queue_launcher_lost(void)
{
	for (unsigned slot = 0; slot < n_jobs; slot++)
		if (jobs[slot].tag != 0)
			queue_result(jobs[slot].tag, 'Z', "delivery launcher died");
}
