/*
 * qctl_list.c -- quail-qctl list: one block per queued message, oldest
 * first:
 *
 *   <id>  <age>  <size> bytes  from <sender>
 *     <rcpt>  pending | delivered | bounced: <status> <reason>
 *     <rcpt>  deferred (<n> attempts, last <age> ago): <status> <reason>
 *   N messages in queue
 *
 * Queue files are read with qfile_read(); state/<id> is parsed by the
 * rules of mail-queue(7): records D, B, N, Z, W; unknown types, lines that
 * do not parse, indexes out of range and a partial last line are ignored;
 * D or B make a recipient final whatever Z records precede them.
 *
 * SECURITY: runs as the queue owner (qctl.c). A queue file that does not
 * parse is shown as unreadable, never guessed at. Everything printed
 * from the queue goes through log_safe().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "exitcode.h"
#include "log.h"
#include "qctl.h"
#include "qfile.h"

/* Printed text: escaped (log_safe: up to 4 bytes per input byte). */
#define QCTL_SHOWN_BYTES (4 * (QCTL_REASON_MAX_BYTES + 1) + 4)

enum rcpt_view {
	VIEW_PENDING = 0,
	VIEW_DEFERRED,
	VIEW_DELIVERED,
	VIEW_BOUNCED,
};

struct rcpt_state {
	enum rcpt_view view;
	bool notified;                  /* N: the bounce is queued */
	unsigned attempts;              /* Z records */
	long long last_time;            /* of the last Z */
	char status[16];                /* of the last Z or the B */
	char reason[QCTL_REASON_MAX_BYTES + 1];
};

struct entry {
	char id[QFILE_ID_MAX_BYTES + 1];
};

/* Strict unsigned decimal p[0..len) into *v; 0 / -1. */
static int
scan_num(const char *p, size_t len, unsigned long long *v)
{
	unsigned long long n = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		n = n * 10 + (unsigned)(p[i] - '0');
	}
	*v = n;
	return 0;
}

/* The next space-separated field of line[*pos..len). */
static const char *
next_field(const char *line, size_t len, size_t *pos, size_t *flen)
{
	const char *sp = memchr(line + *pos, ' ', len - *pos);
	const char *f = line + *pos;
	size_t end = sp != NULL ? (size_t)(sp - line) : len;

	*flen = end - *pos;
	*pos = sp != NULL ? end + 1 : len;
	return f;
}

/* class.subject.detail, digits only. */
static bool
valid_status(const char *s, size_t len)
{
	size_t dots = 0;

	if (len == 0 || len > 15 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return false;
			dots++;
		} else if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return dots == 2;
}

/* One state record line (without LF). Bad lines are ignored. */
static void
apply_record(const char *line, size_t len, struct rcpt_state *r, size_t n)
{
	unsigned long long idx, t = 0;
	size_t pos = 1, flen, slen;
	const char *f, *status;
	char type = len > 0 ? line[0] : '\0';

	if (type != 'D' && type != 'B' && type != 'N' && type != 'Z')
		return;         /* W (delay warning) and unknown types */
	f = next_field(line, len, &pos, &flen);
	if (scan_num(f, flen, &idx) < 0 || idx >= n)
		return;
	struct rcpt_state *s = &r[idx];

	if (type == 'D') {
		s->view = VIEW_DELIVERED;
		return;
	}
	if (type == 'N') {
		s->notified = true;
		return;
	}
	if (type == 'Z') {
		f = next_field(line, len, &pos, &flen);
		if (scan_num(f, flen, &t) < 0)
			return;
	}
	status = next_field(line, len, &pos, &slen);
	if (!valid_status(status, slen))
		return;
	if (type == 'Z') {
		if (s->view == VIEW_DELIVERED || s->view == VIEW_BOUNCED)
			return;         /* final already */
		s->view = VIEW_DEFERRED;
		s->attempts++;
		s->last_time = (long long)t;
	} else {
		s->view = VIEW_BOUNCED;
	}
	memcpy(s->status, status, slen);
	s->status[slen] = '\0';
	flen = len - pos;
	if (flen > QCTL_REASON_MAX_BYTES)
		flen = QCTL_REASON_MAX_BYTES;
	memcpy(s->reason, line + pos, flen);
	s->reason[flen] = '\0';
}

/* Reads state/<id> into r[0..n) (missing file: all pending). */
static void
read_state(const char *id, struct rcpt_state *r, size_t n)
{
	char path[16 + QFILE_ID_MAX_BYTES], chunk[8192];
	struct buf b;
	ssize_t got;
	size_t pos = 0;
	int fd;

	snprintf(path, sizeof(path), "state/%s", id);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	buf_init(&b, QCTL_STATE_MAX_BYTES);
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || buf_append(&b, chunk, (size_t)got) < 0)
			break;
	}
	close(fd);
	/* Complete lines only: a partial last line is being written. */
	while (pos < b.len) {
		const char *lf = memchr(b.data + pos, '\n', b.len - pos);

		if (lf == NULL)
			break;
		apply_record(b.data + pos, (size_t)(lf - (b.data + pos)), r, n);
		pos = (size_t)(lf - b.data) + 1;
	}
	buf_free(&b);
}

/* "45s", "12m", "3h05m", "2d04h". */
static void
fmt_age(long long secs, char *out, size_t outlen)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, outlen, "%llds", secs);
	else if (secs < 3600)
		snprintf(out, outlen, "%lldm", secs / 60);
	else if (secs < 86400)
		snprintf(out, outlen, "%lldh%02lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(out, outlen, "%lldd%02lldh", secs / 86400, secs % 86400 / 3600);
}

static void
show_rcpt(const char *addr, const struct rcpt_state *s, time_t now)
{
	char a[QCTL_SHOWN_BYTES], why[QCTL_SHOWN_BYTES], age[32];

	log_safe(a, sizeof(a), addr, strlen(addr));
	log_safe(why, sizeof(why), s->reason, strlen(s->reason));
	switch (s->view) {
	case VIEW_PENDING:
		printf("  <%s>  pending\n", a);
		break;
	case VIEW_DELIVERED:
		printf("  <%s>  delivered\n", a);
		break;
	case VIEW_BOUNCED:
		printf("  <%s>  bounced%s: %s %s\n", a,
		       s->notified ? "" : " (report not yet queued)", s->status, why);
		break;
	case VIEW_DEFERRED:
		fmt_age((long long)now - s->last_time, age, sizeof(age));
		printf("  <%s>  deferred (%u attempt%s, last %s ago): %s %s\n", a,
		       s->attempts, s->attempts == 1 ? "" : "s", age, s->status, why);
		break;
	}
}

/* One message. Returns false if it vanished meanwhile (delivered). */
static bool
show_message(const char *id, time_t now)
{
	char path[16 + QFILE_ID_MAX_BYTES], age[32], from[QCTL_SHOWN_BYTES];
	struct qfile_env e;
	struct rcpt_state *r;
	const char *error = NULL;
	int fd;

	snprintf(path, sizeof(path), "mess/%s", id);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return false;
		printf("%s  unreadable: %s\n", id, strerror(errno));
		return true;
	}
	qfile_env_init(&e);
	if (qfile_read(fd, &e, &error) < 0) {
		close(fd);
		qfile_env_free(&e);
		printf("%s  unreadable: %s (left for the administrator)\n", id, error);
		return true;
	}
	close(fd);
	r = calloc(e.n_rcpts ? e.n_rcpts : 1, sizeof(*r));
	if (r == NULL)
		die_temp("out of memory");
	read_state(id, r, e.n_rcpts);
	fmt_age((long long)now - e.arrival, age, sizeof(age));
	log_safe(from, sizeof(from), e.sender, strlen(e.sender));
	printf("%s  %s  %llu bytes  from <%s>\n", id, age, e.msg_bytes, from);
	for (size_t i = 0; i < e.n_rcpts; i++)
		show_rcpt(e.rcpts[i], &r[i], now);
	free(r);
	qfile_env_free(&e);
	return true;
}

/* Oldest first: the id starts with the arrival time in hex, fixed width
 * (mail-queue(7)), so a string compare orders by arrival. */
static int
cmp_id(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	return strcmp(a->id, b->id);
}

int
qctl_list(const struct conf *c)
{
	struct entry *v = NULL;
	size_t n = 0, cap = 0, shown = 0;
	struct dirent *d;
	DIR *dir = opendir("mess");
	time_t now = time(NULL);

	if (dir == NULL) {
		if (errno == EACCES)
			die_perm("%s/mess: permission denied: run as root or %s",
				 c->queue_dir, c->queue_user);
		die_temp("%s/mess: %s", c->queue_dir, strerror(errno));
	}
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		size_t len = strlen(d->d_name);

		if (!qfile_valid_id(d->d_name, len))
			continue;       /* ".", "..", strays */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct entry *nv = realloc(v, cap * sizeof(*nv));
			if (nv == NULL)
				die_temp("out of memory");
			v = nv;
		}
		memcpy(v[n].id, d->d_name, len + 1);
		n++;
	}
	if (errno != 0)
		die_temp("%s/mess: %s", c->queue_dir, strerror(errno));
	closedir(dir);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_id);
	for (size_t i = 0; i < n; i++)
		shown += show_message(v[i].id, now);
	printf("%zu message%s in queue\n", shown, shown == 1 ? "" : "s");
	free(v);
	return 0;
}
