/*
 * handover.h -- what the root monitor of quail-imapd hands to the
 * post-login session program, quail-imapd-session, that it execs once it
 * has become the mailbox owner (lib/login.h: login_monitor_session).
 *
 * Why a second program: the session is what stays in memory for as long
 * as a mail client keeps its connection, and it needs none of what the
 * login needs (PAM, OpenSSL, the user tables, the NSS of the system
 * users). quail-imapd-session links only the session's code, statically
 * (against musl where the build has it), and starts with nothing of the
 * login's stack, heap or libraries (README: "Memory").
 *
 * The handover is text, written into a memfd that becomes the session's
 * fd 3 (HANDOVER_FD), one "key value" line per field in a fixed order,
 * an empty line, then the input the client pipelined after its login:
 *
 *   quail-handover 1
 *   user alice@mycompany.com
 *   uid 1001
 *   gid 1001
 *   system_user 0
 *   maildir /var/mail/quail/mycompany.com/alice/Maildir
 *   ip 192.0.2.7
 *   trace 0
 *   imap_timeout 1800
 *   message_size_limit 10485760
 *   error_limit 10
 *   log syslog                      (syslog | stderr | file: fd 4)
 *   input 14
 *
 *   Pa1\r\na NOOP\r\n          (the 14 bytes, here quail-imapd's tag line)
 *
 * SECURITY: the session checks that it already runs as uid/gid, and that
 * these are not 0, before it reads a byte from the client; the parser is
 * strict (every key once, in this order; numbers in range; no control
 * bytes in values; the input's length exact) and bounded
 * (HANDOVER_MAX_BYTES).
 */
#ifndef QUAIL_HANDOVER_H
#define QUAIL_HANDOVER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "io.h"

#define HANDOVER_FD 3		/* the handover, in the session */
#define HANDOVER_LOG_FD 4	/* the log file's descriptor (log file) */
#define HANDOVER_USER_MAX_BYTES 256	/* = LOGIN_USER_MAX_BYTES */
#define HANDOVER_IP_MAX_BYTES 64	/* = DAEMON_IP_MAX_BYTES */
/* The whole handover: the fields, and at most a full read buffer of
 * pipelined input. */
#define HANDOVER_MAX_BYTES (8192 + PATH_MAX + IO_RBUF_BYTES)

enum handover_log {
	HANDOVER_LOG_SYSLOG,
	HANDOVER_LOG_STDERR,
	HANDOVER_LOG_FILE,	/* the file open on HANDOVER_LOG_FD */
};

struct handover {
	char user[HANDOVER_USER_MAX_BYTES + 1];
	uid_t uid;
	gid_t gid;
	bool system_user;
	char maildir[PATH_MAX];
	char remote_ip[HANDOVER_IP_MAX_BYTES];
	bool trace;
	unsigned imap_timeout;		   /* conf: imap_timeout */
	unsigned long message_size_limit;  /* conf: message_size_limit */
	unsigned error_limit;		   /* conf: error_limit */
	enum handover_log log;
	/* parse: points into the parsed bytes; format: the caller's */
	const unsigned char *input;
	size_t input_len;
};

/* The handover as text in out (reset first). 0, or -1 when a value does
 * not fit its field or holds a control byte (the maildir path, say), or
 * the input is larger than IO_RBUF_BYTES. */
int handover_format(const struct handover *h, struct buf *out);

/* Parses p[0..len) into h. 0, or -1 with *error_r naming the problem. */
int handover_parse(struct handover *h, const unsigned char *p, size_t len,
		   const char **error_r);

/* MONITOR, as the mailbox owner: execs path (argv[0] name) with the
 * client on fds 0 and 1 (client_fd), stderr as it is, the handover h on
 * HANDOVER_FD and, for a log file, log_fd on HANDOVER_LOG_FD; every other
 * descriptor closed. Returns only on failure: -1 with *error_r. */
int handover_exec(const char *path, const char *name,
		  const struct handover *h, int client_fd, int log_fd,
		  const char **error_r);

/* SESSION: reads the handover from HANDOVER_FD (closed after) into store
 * (initialised here, the caller frees it; h->input points into it) and parses it into h; then checks that
 * the process runs as h->uid/h->gid (real, effective and saved) and that
 * neither is 0. 0, or -1 with *error_r. */
int handover_receive(struct handover *h, struct buf *store,
		     const char **error_r);

#endif
