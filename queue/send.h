/*
 * send.h -- internals of quail-send shared by queue/send*.c.
 *
 *   send.c         main: options, queue layout, lock, privilege split, loop
 *   send_queue.c   the in-memory queue: scan, state files, scheduling
 *   send_launch.c  the delivery launcher process (root when installed)
 *   (deliver/local*.c, quail-deliver's code, is linked in and run by the
 *   launcher in a child: see the Makefile)
 *   send_remote.c  quail-remote processes for non-local recipients
 *   send_spawn.c   the spawner that starts them as daemon_user (root)
 *   send_bounce.c  bounces and delay warnings (lib/dsn.c) submitted
 *                  through lib/qsubmit.c
 *
 * Memory: messages are owned by the table in send_queue.c.
 */
#ifndef QUAIL_SEND_H
#define QUAIL_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "dsn.h"
#include "qfile.h"
#include "buf.h"

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
/* A quail-remote run longer than this is killed (temporary failure). */
#define SEND_REMOTE_TIMEOUT_SECS 3600
/* Recipients handed to one quail-remote run (RFC 5321 4.5.3.1.8: servers
 * take at least 100 per transaction); more make further runs. */
#define SEND_REMOTE_RCPTS_MAX 100
/* Output kept from one quail-remote run (one line per recipient). */
#define SEND_REMOTE_OUTPUT_MAX_BYTES (SEND_REMOTE_RCPTS_MAX * 1100 + 4096)

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
	unsigned tries;             /* failed attempts (Z records) */
	time_t last_try;            /* of the last failed attempt */
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
	bool warned;                /* delay warning queued (W record) */
	bool vanished;              /* mess/<id> removed by the admin */
	unsigned seen;              /* scan generation that last saw mess/<id> */
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
/* Trigger byte 'F': every deferred recipient is due now. */
void queue_flush(void);
/* The outcome of one recipient of m (cls 'K', 'D' or 'Z'; status NULL:
 * taken from the reason) from a delivery that ran; settles m when nothing
 * of it runs any more. remote: the reason came from quail-remote. */
void queue_outcome(struct send_msg *m, size_t idx, char cls, const char *status,
		   const char *reason, bool remote);

/* send_remote.c */
void remote_init(void);
/* True if another quail-remote may start for domain now. */
bool remote_can_start(const char *domain);
bool remote_full(void);
/* Starts quail-remote for the recipients idx[0..n-1] of m (all in domain;
 * marked RCPT_RUNNING by the caller). 0 / -1 (nothing started, errno). */
int remote_start(struct send_msg *m, const char *domain, const size_t *idx,
		 size_t n);
/* Running quail-remote processes. */
unsigned remote_running(void);
/* poll(2) set: fills up to max entries, returns how many. */
size_t remote_pollfds(struct pollfd *p, size_t max);
/* Handles the events of the entries remote_pollfds filled; reaps,
 * parses and reports finished runs, kills overdue ones. false: the
 * spawner died (its runs were reported as temporary failures). */
bool remote_events(const struct pollfd *p, size_t n);
/* When remote_events must run again without an event (0: no need). */
time_t remote_timer(void);

/* send_launch.c */
/* Forks the launcher; returns our end of the socketpair or -1. */
int launch_start(const struct conf *c, pid_t *pid_r);
/* Sends one request. 0 / -1. */
int launch_request(int fd, unsigned long tag, const char *id, size_t idx,
		   const char *sender, const char *rcpt);
extern int launch_fd;

/* send_spawn.c: only when quail-send started as root (else spawn_fd is
 * -1 and send_remote.c forks quail-remote itself). */
extern int spawn_fd;
/* Forks the spawner (before the privilege drop): it closes close_fds,
 * becomes daemon_user and waits for requests. Returns our end or -1. */
int spawn_start(const struct conf *c, const int *close_fds, size_t n_close);
/* Asks for a run: ops = sender, id, domain, recipients; qfd = stdin (the
 * message), outfd = stdout. The descriptors stay ours. 0 / -1 (errno). */
int spawn_request(unsigned long tag, char *const ops[], size_t n_ops, int qfd,
		  int outfd);
/* Asks the spawner to kill run tag (timeout). */
void spawn_kill(unsigned long tag);
/* One reply: 1 (*tag_r exited with wait status *status_r), 0 none
 * waiting, -1 the spawner is gone. */
int spawn_reply(unsigned long *tag_r, int *status_r);

/* send_bounce.c: 0 sent (or dropped after logging), -1 temporary. */
int bounce_message(struct send_msg *m);
/* The delay warning for the recipients of m that are deferred now (their
 * last error). 0 queued or not applicable (null sender), -1 temporary. */
int delay_warning_message(struct send_msg *m);

#endif
