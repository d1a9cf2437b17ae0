/*
 * send_queue.c -- quail-send's view of the queue: which messages exist,
 * what happened to each recipient, what to start next.
 *
 * State of a message = its queue file mess/<id> (never changed after
 * quail-queue wrote it) + state/<id>, an append-only list of outcomes:
 *   "D<index>\n"                     delivered
 *   "B<index> <status> <reason>\n"   failed for good
 *   "N<index>\n"                     its failure report is queued
 * Outcomes are appended without fsync. That is safe because a delivery is
 * durable before it is recorded (quail-deliver fsyncs the Maildir before
 * it exits 0): a crash can lose a record, and then the recipient is
 * delivered again -- a duplicate, never a loss. A lost "B" means one more
 * attempt. mess/<id> goes first when a message is finished (after any
 * bounce is durably queued), then state/<id>; a state file without its
 * queue file is an orphan and removed at the next full scan.
 *
 * Temporary failures are retried with exponential backoff between
 * retry_min and retry_max; after queue_lifetime the next temporary failure
 * is final. Retry times live in memory only: after a restart every
 * recipient is tried at once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
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
static unsigned n_jobs, n_running;
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

static void
ready_pop(void)
{
	struct send_msg *m = ready_head;
	ready_head = m->rnext;
	if (ready_head == NULL)
		ready_tail = NULL;
	m->in_ready = false;
	m->rnext = NULL;
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
}

unsigned
queue_running(void)
{
	return n_running;
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
	snprintf(path, sizeof(path), "state/%s", m->env.id);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t len = strlen(line);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len)
		log_msg(LOG_ERR, "id=%s cannot record state (%s): the recipient may "
			"be tried again", m->env.id, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Applies one state line; malformed lines are ignored (at worst a retry). */
static void
state_apply(struct send_msg *m, const char *line)
{
	char *end;
	errno = 0;
	unsigned long idx = strtoul(line + 1, &end, 10);

	if (errno != 0 || end == line + 1 || idx >= m->env.n_rcpts)
		return;
	struct send_rcpt *r = &m->r[idx];
	if (line[0] == 'D' && *end == '\0') {
		r->state = RCPT_DONE;
	} else if (line[0] == 'N' && *end == '\0') {
		r->notified = true;    /* follows its B line */
	} else if (line[0] == 'B' && *end == ' ') {
		char *sp = strchr(end + 1, ' ');
		if (sp == NULL || (size_t)(sp - (end + 1)) >= sizeof(r->status))
			return;
		memcpy(r->status, end + 1, (size_t)(sp - (end + 1)));
		r->status[sp - (end + 1)] = '\0';
		dsn_sanitize(sp + 1, r->reason, sizeof(r->reason));
		r->state = RCPT_BOUNCED;
		r->notified = false;
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

/* Nothing running: report failures, and remove the message once every
 * recipient is final. mess/<id> goes first, then state/<id>. */
static void
settle_msg(struct send_msg *m)
{
	char path[64];

	if (m->running > 0 || !settle_bounces(m) || !all_final(m))
		return;
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
	table_remove(m);
	free_msg(m);
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
	if (m->corrupt)
		return;
	time_t now = time(NULL);
	for (size_t i = 0; i < m->env.n_rcpts; i++) {
		m->r[i].remote = !conf_is_local_domain(send_conf,
						       rcpt_domain(m->env.rcpts[i]));
		m->r[i].next_try = now;
	}
	state_load(m);
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

void
queue_scan(bool full)
{
	DIR *d = opendir("mess");
	struct dirent *de;

	if (d == NULL) {
		log_msg(LOG_ERR, "cannot read mess/: %s", strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (qfile_valid_id(de->d_name, strlen(de->d_name))
		    && find_msg(de->d_name) == NULL)
			load_msg(de->d_name);
	}
	closedir(d);
	if (full) {
		clean_orphans();
		clean_tmp();
	}
}

/* Backoff: retry_min doubled per failure, at most retry_max. */
static time_t
backoff(unsigned tries)
{
	unsigned long d = send_conf->retry_min ? send_conf->retry_min : 1;
	unsigned long max = send_conf->retry_max > d ? send_conf->retry_max : d;

	for (unsigned i = 1; i < tries && d < max; i++)
		d *= 2;
	return (time_t)(d < max ? d : max);
}

static void
start_one(struct send_msg *m, size_t i, time_t now)
{
	struct send_rcpt *r = &m->r[i];

	if (r->remote) {
		/* XXX(h3): until quail-remote exists remote mail waits here. */
		log_msg(LOG_NOTICE, "id=%s to=<%s> status=deferred reason=remote "
			"delivery not yet available, kept in queue", m->env.id,
			m->env.rcpts[i]);
		r->tries++;
		r->next_try = now + (send_conf->retry_max ? send_conf->retry_max : 3600);
		return;
	}
	unsigned slot = 0;
	while (jobs[slot].tag != 0)
		slot++;
	unsigned long tag = next_tag++;
	if (launch_request(launch_fd, tag, m->env.id, i, m->env.sender,
			   m->env.rcpts[i]) < 0) {
		log_msg(LOG_ERR, "id=%s to=<%s> status=deferred reason=cannot reach "
			"the delivery launcher: %s", m->env.id, m->env.rcpts[i],
			strerror(errno));
		r->next_try = now + backoff(++r->tries);
		return;
	}
	jobs[slot] = (struct job){ tag, m, i };
	r->state = RCPT_RUNNING;
	m->running++;
	n_running++;
}

void
queue_run(void)
{
	time_t now = time(NULL);

	while (!send_stopping && n_running < n_jobs && ready_head != NULL) {
		struct send_msg *m = ready_head;
		size_t i = m->cursor;
		while (i < m->env.n_rcpts && (m->r[i].state != RCPT_PENDING
					      || m->r[i].next_try > now))
			i++;
		if (i < m->env.n_rcpts) {
			m->cursor = i + 1;
			start_one(m, i, now);
			continue;
		}
		ready_pop();
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
			if (m->corrupt || m->due == 0)
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
handle_temp(struct send_msg *m, size_t idx, const char *reason, double delay)
{
	struct send_rcpt *r = &m->r[idx];
	time_t now = time(NULL);
	char status[DSN_STATUS_MAX_BYTES];
	char why[SEND_REASON_MAX_BYTES];

	r->tries++;
	dsn_status_from_reason(reason, false, status, sizeof(status));
	if ((unsigned long)(now - m->env.arrival) >= send_conf->queue_lifetime) {
		if (strcmp(status, "4.0.0") == 0)
			snprintf(status, sizeof(status), "4.4.7");
		snprintf(why, sizeof(why), "message expired after %lds in queue: %s",
			 (long)(now - m->env.arrival), reason);
		record_bounce(m, idx, status, why);
		log_msg(LOG_NOTICE, "id=%s to=<%s> status=bounced delay=%.1fs "
			"dsn=%s reason=%s", m->env.id, m->env.rcpts[idx], delay,
			status, why);
		return;
	}
	r->state = RCPT_PENDING;
	r->next_try = now + backoff(r->tries);
	snprintf(r->status, sizeof(r->status), "%s", status);
	dsn_sanitize(reason, r->reason, sizeof(r->reason));
	log_msg(LOG_NOTICE, "id=%s to=<%s> status=deferred delay=%.1fs tries=%u "
		"retry=%lds reason=%s", m->env.id, m->env.rcpts[idx], delay,
		r->tries, (long)(r->next_try - now), r->reason);
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
	struct send_rcpt *r = &m->r[idx];
	double delay = now_secs() - (double)m->env.arrival;
	char line[64], status[DSN_STATUS_MAX_BYTES];

	jobs[slot].tag = 0;
	m->running--;
	n_running--;
	if (cls == 'K') {
		r->state = RCPT_DONE;
		snprintf(line, sizeof(line), "D%zu\n", idx);
		state_append(m, line);
		log_msg(LOG_INFO, "id=%s to=<%s> status=sent delay=%.1fs reason=%s",
			m->env.id, m->env.rcpts[idx], delay, reason);
	} else if (cls == 'D') {
		dsn_status_from_reason(reason, true, status, sizeof(status));
		record_bounce(m, idx, status, reason);
		log_msg(LOG_NOTICE, "id=%s to=<%s> status=bounced delay=%.1fs dsn=%s "
			"reason=%s", m->env.id, m->env.rcpts[idx], delay, status, reason);
	} else {
		handle_temp(m, idx, reason, delay);
	}
	recompute_due(m);
	if (!m->in_ready)
		settle_msg(m);
}

void
queue_launcher_lost(void)
{
	for (unsigned slot = 0; slot < n_jobs; slot++)
		if (jobs[slot].tag != 0)
			queue_result(jobs[slot].tag, 'Z', "delivery launcher died");
}
