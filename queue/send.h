/*
 * send.h -- internals of quail-send shared by queue/send*.c.
 *
 *   send.c         main: options, queue layout, lock, privilege split, loop
 *   send_queue.c   the in-memory queue: scan, state files, scheduling
 *   send_launch.c  the delivery launcher process (root when installed)
 *   send_bounce.c  bounces (lib/dsn.c) submitted through lib/qsubmit.c
 *
 * Memory: messages are owned by the table in send_queue.c.
 */
#ifndef QUAIL_SEND_H
#define QUAIL_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "dsn.h"
#include "qfile.h"

/* Launcher requests and replies are single SOCK_SEQPACKET records. */
#define SEND_PACKET_MAX_BYTES 2048
/* The reason line kept from quail-deliver's stdout. */
#define SEND_REASON_MAX_BYTES 512
/* A delivery that runs longer than this is killed (temporary failure). */
#define SEND_DELIVER_TIMEOUT_SECS 3600
/* Stale files in tmp/ (a quail-queue that died): removed after this. */
#define SEND_TMP_STALE_SECS (36 * 3600)
/* Full rescans of mess/ even without a trigger, and tmp/ cleanup. */
#define SEND_RESCAN_SECS 600
/* On SIGTERM: wait this long for running deliveries to report. */
#define SEND_STOP_WAIT_SECS 3

enum rcpt_state {
	RCPT_PENDING = 0,
	RCPT_RUNNING,
	RCPT_DONE,
	RCPT_BOUNCED,
};

struct send_rcpt {
	enum rcpt_state state;
	bool remote;
	bool notified;              /* RCPT_BOUNCED: the bounce is queued */
	unsigned tries;
	time_t next_try;
	char status[DSN_STATUS_MAX_BYTES];
	char reason[SEND_REASON_MAX_BYTES];
};

struct send_msg {
	struct qfile_env env;
	struct send_rcpt *r;
	time_t due;                 /* earliest next_try of a pending rcpt */
	unsigned running;
	bool corrupt;               /* unreadable: left for the admin */
	bool in_ready;
	size_t cursor;              /* next recipient to consider */
	struct send_msg *hnext;     /* hash chain */
	struct send_msg *rnext;     /* ready FIFO */
};

/* send.c */
extern const struct conf *send_conf;
extern volatile int send_stopping;

/* send_queue.c: all paths relative to the queue dir (the cwd). */
void queue_init(void);
/* Scans mess/ for messages not yet known. full: also removes orphan
 * state files and stale tmp/ files. */
void queue_scan(bool full);
/* Starts deliveries while the concurrency limit allows. */
void queue_run(void);
/* Moves messages whose retry time has come to the ready list. Returns the
 * next time something is due (0: nothing). */
time_t queue_timer(time_t now);
/* A launcher reply: tag, class ('K' done, 'D' permanent, 'Z' temporary),
 * reason line. */
void queue_result(unsigned long tag, char cls, const char *reason);
/* Running deliveries. */
unsigned queue_running(void);
/* The launcher died: every running delivery counts as temporary. */
void queue_launcher_lost(void);

/* send_launch.c */
/* Forks the launcher; returns our end of the socketpair or -1. */
int launch_start(const struct conf *c, pid_t *pid_r);
/* Sends one request. 0 / -1. */
int launch_request(int fd, unsigned long tag, const char *id, size_t idx,
		   const char *sender, const char *rcpt);
extern int launch_fd;

/* send_bounce.c: 0 sent (or dropped after logging), -1 temporary. */
int bounce_message(struct send_msg *m);

#endif
