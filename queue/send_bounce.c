/*
 * send_bounce.c -- quail-send's bounces: when no delivery of a message
 * runs and some recipients failed for good, an RFC 3464 report (lib/dsn.c) goes to the
 * sender with the null sender, through quail-queue (lib/qsubmit.c).
 *
 * Null-sender messages (bounces themselves) are never bounced to their
 * (empty) sender: their failure is reported to the postmaster, and when
 * what failed was already a report to a postmaster address, that double
 * bounce is logged and dropped -- the rule that makes loops impossible.
 *
 * A delay warning (delay_warning) is the same report with Action: delayed,
 * once per message, never for a null-sender message.
 *
 * SECURITY: runs as the queue owner. Only the original header (never the
 * body) is returned, cut at DSN_HEADER_MAX_BYTES; reasons are sanitised.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "qsubmit.h"
#include "send.h"

static bool
is_postmaster(const char *addr)
{
	return strncasecmp(addr, "postmaster@", 11) == 0;
}

/* Where double bounces go: postmaster at the hostname when that is a local
 * domain, else at the first local domain. false if there is none. */
static bool
postmaster_addr(char *out, size_t outlen)
{
	const struct conf *c = send_conf;
	const char *domain;
	int n;

	if (conf_is_local_domain(c, c->hostname))
		domain = c->hostname;
	else if (c->n_local_domains > 0)
		domain = c->local_domains[0];
	else
		return false;
	n = snprintf(out, outlen, "postmaster@%s", domain);
	return n > 0 && (size_t)n < outlen;
}

/* Reads the start of the message (its header) from the queue file. */
static char *
read_header(const struct send_msg *m, size_t *len_r)
{
	char path[64];
	size_t want = DSN_HEADER_MAX_BYTES + 1;
	char *p;

	*len_r = 0;
	if (m->env.msg_bytes < want)
		want = (size_t)m->env.msg_bytes;
	if ((p = malloc(want + 1)) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "mess/%s", m->env.id);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd >= 0 ? pread(fd, p, want, (off_t)m->env.msg_offset) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(p);
		return NULL;
	}
	*len_r = (size_t)n;
	return p;
}

/* Queues the report. 0 queued or refused for good (logged), -1 retry. */
static int
submit(const struct send_msg *m, const char *to, const struct buf *msg,
       const char *what)
{
	struct qsubmit q;
	char newid[QSUBMIT_ID_MAX];
	const char *error;
	const char *rcpts[1] = { to };

	if (qsubmit_start(&q, send_conf, &error) < 0) {
		log_msg(LOG_ERR, "id=%s bounce deferred: %s", m->env.id, error);
		return -1;
	}
	if (qsubmit_write(&q, msg->data, msg->len) < 0) {
		/* quail-queue went away early; finish collects its reason. */
	}
	int r = qsubmit_finish(&q, "", rcpts, 1, NULL, newid, sizeof(newid), &error);
	if (r == -1) {
		log_msg(LOG_ERR, "id=%s bounce deferred: %s", m->env.id, error);
		return -1;
	}
	if (r == -2) {
		log_msg(LOG_ERR, "id=%s bounce to <%s> refused, dropped: %s",
			m->env.id, to, error);
		return 0;
	}
	log_msg(LOG_NOTICE, "id=%s status=%s-queued to=<%s> dsn_id=%s",
		m->env.id, what, to, newid);
	return 0;
}

int
bounce_message(struct send_msg *m)
{
	char to[ADDR_PATH_MAX_BYTES + 1];
	struct dsn_rcpt *dr;
	struct dsn d;
	struct buf msg;
	const char *error;
	size_t n = 0;
	bool all_pm = true;

	dr = calloc(m->env.n_rcpts, sizeof(*dr));
	if (dr == NULL)
		return -1;
	for (size_t i = 0; i < m->env.n_rcpts; i++) {
		if (m->r[i].state != RCPT_BOUNCED || m->r[i].notified)
			continue;
		dr[n++] = (struct dsn_rcpt){ m->env.rcpts[i], m->r[i].status,
					     m->r[i].reason, m->r[i].remote };
		all_pm &= is_postmaster(m->env.rcpts[i]);
	}
	memset(&d, 0, sizeof(d));
	char *hdr = read_header(m, &d.header_len);
	if (m->env.sender[0] != '\0') {
		snprintf(to, sizeof(to), "%s", m->env.sender);
	} else if (all_pm || !postmaster_addr(to, sizeof(to))
		   || (hdr != NULL && dsn_is_double_bounce(hdr, d.header_len))) {
		/* A failed double bounce (also one an alias forwarded away
		 * from the postmaster address) is never reported again. */
		log_msg(LOG_WARNING, "id=%s status=dropped reason=undeliverable "
			"double bounce (null sender, to <%s>: %s)", m->env.id,
			dr[0].addr, dr[0].reason);
		free(hdr);
		free(dr);
		return 0;
	} else {
		d.double_bounce = true;
	}
	d.hostname = send_conf->hostname;
	d.queue_id = m->env.id;
	d.arrival = (time_t)m->env.arrival;
	d.now = time(NULL);
	d.to = to;
	d.orig_sender = m->env.sender;
	d.rcpts = dr;
	d.n_rcpts = n;
	d.header = hdr;
	buf_init(&msg, 0);
	int r = dsn_build(&d, &msg, &error);
	free(hdr);
	free(dr);
	if (r < 0) {
		log_msg(LOG_ERR, "id=%s bounce deferred: %s", m->env.id, error);
		buf_free(&msg);
		return -1;
	}
	r = submit(m, to, &msg, "bounce");
	buf_free(&msg);
	return r;
}

int
delay_warning_message(struct send_msg *m)
{
	struct dsn_rcpt *dr;
	struct dsn d;
	struct buf msg;
	const char *error;
	size_t n = 0;

	if (m->env.sender[0] == '\0')
		return 0;       /* no warnings about bounces */
	dr = calloc(m->env.n_rcpts, sizeof(*dr));
	if (dr == NULL)
		return -1;
	for (size_t i = 0; i < m->env.n_rcpts; i++) {
		const struct send_rcpt *r = &m->r[i];
		if (r->state != RCPT_PENDING || r->tries == 0)
			continue;
		dr[n++] = (struct dsn_rcpt){ m->env.rcpts[i], r->status, r->reason,
					     r->remote };
	}
	if (n == 0) {
		free(dr);
		return 0;
	}
	memset(&d, 0, sizeof(d));
	d.hostname = send_conf->hostname;
	d.queue_id = m->env.id;
	d.arrival = (time_t)m->env.arrival;
	d.now = time(NULL);
	d.to = m->env.sender;
	d.orig_sender = m->env.sender;
	d.rcpts = dr;
	d.n_rcpts = n;
	d.delayed = true;
	d.retry_until = (time_t)m->env.arrival + (time_t)send_conf->queue_lifetime;
	char *hdr = read_header(m, &d.header_len);
	d.header = hdr;
	buf_init(&msg, 0);
	int r = dsn_build(&d, &msg, &error);
	free(hdr);
	free(dr);
	if (r < 0) {
		log_msg(LOG_ERR, "id=%s delay warning deferred: %s", m->env.id, error);
		buf_free(&msg);
		return -1;
	}
	r = submit(m, m->env.sender, &msg, "delay-warning");
	buf_free(&msg);
	return r;
}
