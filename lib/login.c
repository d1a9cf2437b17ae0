/*
 * login.c -- privilege-separated login (see login.h): a root monitor that
 * verifies credentials and becomes the mailbox owner, and an unprivileged
 * child that speaks the protocol and TLS (Dovecot's login process and
 * OpenSSH's monitor, reduced to three messages).
 *
 * Wire format on the SOCK_SEQPACKET pair (one record per message, host
 * byte order, both ends are the same binary):
 *   child -> monitor  'V' u16 user_len u16 pass_len u8 ip_len, user pass ip
 *   monitor -> child  'R' u8 verdict u8 system u32 uid u32 gid
 *                     u16 name_len u16 maildir_len, name maildir
 *   child -> monitor  'H' u8 has_fd u32 pending_len, pending
 *                     (+ SCM_RIGHTS: the proxy end of a socketpair if TLS)
 *
 * SECURITY: the monitor is root and the child parses the network, so the
 * monitor trusts nothing it receives: every record is read whole
 * (MSG_TRUNC is an error), every length is checked against the limits and
 * against the record size, strings must not contain NUL, descriptors are
 * accepted only where the format has one, and a handover is accepted only
 * right after a successful verification, for the user the monitor itself
 * verified. Any violation kills the child and the session. Passwords live
 * in fixed buffers that are wiped on every path and are never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "exitcode.h"
#include "log.h"
#include "login.h"
#include "login_proxy.h"
#include "priv.h"

/* Verification requests per session: the protocol children allow a few
 * retries; a child that asks more often is being driven by a guesser. */
#define LOGIN_ATTEMPTS_MAX 20
/* Header sizes of the three records. */
#define LOGIN_V_HDR_BYTES 6
#define LOGIN_R_HDR_BYTES 15
#define LOGIN_H_HDR_BYTES 6
/* Largest record: a handover with a full io read buffer. */
#define LOGIN_MSG_MAX_BYTES (LOGIN_H_HDR_BYTES + IO_RBUF_BYTES)
/* How long the monitor waits for the child to exit after a plain
 * handover before it kills it (the child only has to return and exit). */
#define LOGIN_CHILD_EXIT_SECS 10

enum login_verdict {
	LOGIN_VERDICT_REFUSED = 0,
	LOGIN_VERDICT_OK = 1,
	LOGIN_VERDICT_TEMP = 2,
};

struct login {
	const struct conf *conf;
	bool split;             /* root: monitor + child */
	bool is_monitor;
	int sock;               /* the SEQPACKET end, -1 when closed */
	pid_t child;            /* monitor: the child, 0 once reaped */
	int child_status;       /* its exit code once reaped, else -1 */
	unsigned attempts;
	bool verified;          /* monitor: user holds the last good login */
	struct login_user user;
};

/* ---- small helpers: host-order integers in records ------------------ */

static void
put16(unsigned char *p, size_t v)
{
	uint16_t x = (uint16_t)v;
	memcpy(p, &x, 2);
}

static void
put32(unsigned char *p, uint32_t x)
{
	memcpy(p, &x, 4);
}

static size_t
get16(const unsigned char *p)
{
	uint16_t x;
	memcpy(&x, p, 2);
	return x;
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

/* Sends one record, optionally with one descriptor. 0 / -1. */
static int
send_record(int sock, const void *p, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { (void *)(uintptr_t)p, len };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.space;
		mh.msg_controllen = sizeof(ctl.space);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* Receives one whole record into p (size bytes). 1 with *len_r (and
 * *fd_r: a received descriptor or -1), 0 at EOF, -1 on error or a
 * malformed record (truncated, unexpected control data). */
static int
recv_record(int sock, void *p, size_t size, size_t *len_r, int *fd_r)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct iovec iov = { p, size };
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;
	int nfds = 0, ret = 1;

	*fd_r = -1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.space;
	mh.msg_controllen = sizeof(ctl.space);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t i, k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
			ret = -1;
			continue;
		}
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			/* keep the first, close any extra: never leak */
			if (nfds++ == 0)
				*fd_r = fd;
			else
				close(fd);
		}
	}
	if (nfds > 1 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)
		ret = -1;
	if (n == 0 && ret > 0) {
		/* SEQPACKET delivers empty records too: only a closed peer
		 * (POLLHUP) is an end of file, an empty record is malformed */
		struct pollfd pfd = { sock, POLLIN, 0 };

		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLHUP))
			ret = -1;
	}
	if (ret < 0 || n == 0) {
		if (*fd_r >= 0)
			close(*fd_r);
		*fd_r = -1;
		if (ret < 0)
			errno = EPROTO;
		return n == 0 && ret > 0 ? 0 : ret;
	}
	*len_r = (size_t)n;
	return 1;
}

/* True if p[0..len) has no NUL byte. */
static bool
no_nul(const unsigned char *p, size_t len)
{
	return memchr(p, '\0', len) == NULL;
}

static void
copy_user(struct login_user *dst, const struct auth_user *src)
{
	memset(dst, 0, sizeof(*dst));
	snprintf(dst->name, sizeof(dst->name), "%s", src->name);
	snprintf(dst->maildir, sizeof(dst->maildir), "%s", src->maildir);
	dst->uid = src->uid;
	dst->gid = src->gid;
	dst->system_user = src->system_user;
}

/* The verification both modes share: auth backends, the log line, and
 * the one delay on failure. 1 / 0 / -1 as login_verify. The backends run
 * in a child process (auth_verify_forked): this process may become the
 * session, and must keep neither libcrypt/PAM nor the hashing state. */
static int
verify_local(struct login *l, const char *user, const char *pass,
	     const char *ip, struct login_user *u_r)
{
	char safe_user[128], safe_ip[LOGIN_IP_MAX_BYTES * 4 + 1];
	struct auth_user au;
	const char *err = NULL;
	int ret;

	log_safe(safe_user, sizeof(safe_user), user, strlen(user));
	log_safe(safe_ip, sizeof(safe_ip), ip, strlen(ip));
	ret = auth_verify_forked(l->conf, user, pass, ip, &au, &err);
	if (ret == 1) {
		copy_user(u_r, &au);
		log_safe(safe_user, sizeof(safe_user), au.name,
			 strlen(au.name));
		log_msg(LOG_INFO, "login ok user=%s ip=%s uid=%lu (%s)",
			safe_user, safe_ip, (unsigned long)au.uid,
			au.system_user ? "system user" : "virtual user");
	} else if (ret == 0) {
		log_msg(LOG_NOTICE, "login failed user=%s ip=%s", safe_user,
			safe_ip);
	} else {
		log_msg(LOG_ERR, "login error user=%s ip=%s: %s", safe_user,
			safe_ip, err != NULL ? err : "unknown error");
	}
	explicit_bzero(&au, sizeof(au));
	/* Same delay for unknown user and bad password; a temporary error
	 * is delayed too, so it cannot be told apart by timing either. */
	if (ret != 1)
		auth_fail_sleep(l->conf);
	return ret;
}

/* ---- split ---------------------------------------------------------- */

int
login_split(struct login **l_r, const struct conf *c, const char *prog,
	    enum login_role *role_r, const char **error_r)
{
	static bool logged_unprivileged;
	struct login *l;
	int sv[2];
	pid_t pid;

	*l_r = NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	l->conf = c;
	l->sock = -1;
	l->child_status = -1;
	(void)prog;     /* one PAM service for all: conf->pam_service */
	if (!priv_is_root()) {
		if (!logged_unprivileged) {
			log_msg(LOG_INFO, "running unprivileged as uid %lu",
				(unsigned long)getuid());
			logged_unprivileged = true;
		}
		*role_r = LOGIN_CHILD;
		*l_r = l;
		return 0;
	}
	l->split = true;
	/* The monitor must reap its child to learn its exit status; an
	 * ignored SIGCHLD (inherited across exec) would make the kernel
	 * reap it instead. */
	signal(SIGCHLD, SIG_DFL);
	/* SEQPACKET: record boundaries are kept, so a record is read whole
	 * or found truncated; CLOEXEC keeps it from programs the child runs
	 * (quail-queue). */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		*error_r = "socketpair failed";
		free(l);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		*error_r = "fork failed";
		close(sv[0]);
		close(sv[1]);
		free(l);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		l->sock = sv[1];
		/* Before the first byte from the network. */
		if (priv_drop_user(c->daemon_user, error_r) < 0) {
			close(l->sock);
			free(l);
			return -1;
		}
		*role_r = LOGIN_CHILD;
		*l_r = l;
		return 0;
	}
	close(sv[1]);
	l->sock = sv[0];
	l->child = pid;
	l->is_monitor = true;
	*role_r = LOGIN_MONITOR;
	*l_r = l;
	return 0;
}

/* ---- child side ----------------------------------------------------- */

/* Reads and checks the monitor's verdict. 1 / 0 / -1. */
static int
child_read_verdict(struct login *l, struct login_user *u_r)
{
	unsigned char m[LOGIN_R_HDR_BYTES + LOGIN_USER_MAX_BYTES + PATH_MAX];
	size_t n, nlen, mlen;
	int fd, r;

	r = recv_record(l->sock, m, sizeof(m), &n, &fd);
	if (r <= 0 || fd >= 0 || n < LOGIN_R_HDR_BYTES || m[0] != 'R') {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	nlen = get16(m + 11);
	mlen = get16(m + 13);
	if (nlen > LOGIN_USER_MAX_BYTES || mlen >= PATH_MAX ||
	    n != LOGIN_R_HDR_BYTES + nlen + mlen ||
	    !no_nul(m + LOGIN_R_HDR_BYTES, nlen + mlen))
		return -1;
	if (m[1] == LOGIN_VERDICT_REFUSED)
		return 0;
	if (m[1] != LOGIN_VERDICT_OK)
		return -1;
	memset(u_r, 0, sizeof(*u_r));
	u_r->system_user = m[2] != 0;
	u_r->uid = (uid_t)get32(m + 3);
	u_r->gid = (gid_t)get32(m + 7);
	memcpy(u_r->name, m + LOGIN_R_HDR_BYTES, nlen);
	memcpy(u_r->maildir, m + LOGIN_R_HDR_BYTES + nlen, mlen);
	return 1;
}

int
login_verify(struct login *l, const char *user, const char *pass,
	     const char *remote_ip, struct login_user *u_r)
{
	unsigned char m[LOGIN_V_HDR_BYTES + LOGIN_USER_MAX_BYTES +
			LOGIN_PASS_MAX_BYTES + LOGIN_IP_MAX_BYTES];
	size_t ulen = strnlen(user, LOGIN_USER_MAX_BYTES + 1);
	size_t plen = strnlen(pass, LOGIN_PASS_MAX_BYTES + 1);
	size_t iplen;
	int ret;

	if (remote_ip == NULL)
		remote_ip = "";
	iplen = strnlen(remote_ip, LOGIN_IP_MAX_BYTES + 1);
	if (iplen > LOGIN_IP_MAX_BYTES)
		iplen = 0;      /* not an address: log none rather than fail */
	if (ulen == 0 || ulen > LOGIN_USER_MAX_BYTES || plen == 0 ||
	    plen > LOGIN_PASS_MAX_BYTES) {
		/* The protocol parsers keep to these limits; anything else
		 * (an empty password too: PAM's nullok must not let it in)
		 * is refused here, at the price of a failure, whether split
		 * or not. */
		auth_fail_sleep(l->conf);
		return 0;
	}
	if (!l->split)
		return verify_local(l, user, pass,
				    iplen == 0 ? "" : remote_ip, u_r);
	m[0] = 'V';
	put16(m + 1, ulen);
	put16(m + 3, plen);
	m[5] = (unsigned char)iplen;
	memcpy(m + LOGIN_V_HDR_BYTES, user, ulen);
	memcpy(m + LOGIN_V_HDR_BYTES + ulen, pass, plen);
	memcpy(m + LOGIN_V_HDR_BYTES + ulen + plen, remote_ip, iplen);
	ret = send_record(l->sock, m, LOGIN_V_HDR_BYTES + ulen + plen + iplen,
			  -1);
	explicit_bzero(m, sizeof(m));
	if (ret < 0)
		return -1;
	return child_read_verdict(l, u_r);
}

enum login_result
login_verify_owner(struct login *l, const char *user, const char *pass,
		   const char *remote_ip, struct login_user *u_r)
{
	char safe[LOGIN_USER_MAX_BYTES * 4 + 4];
	int r;

	r = login_verify(l, user, pass, remote_ip, u_r);
	if (r == 0)
		return LOGIN_REFUSED;
	if (r < 0)
		return LOGIN_TEMP;
	if (u_r->uid == 0) {
		/* the post-login session never runs as root */
		log_msg(LOG_ERR, "login of %s refused: mailbox owner is root",
			log_safe(safe, sizeof(safe), user, strlen(user)));
		return LOGIN_ROOT_OWNER;
	}
	return LOGIN_OK;
}

int
login_handover(struct login *l, struct io *io)
{
	unsigned char m[LOGIN_H_HDR_BYTES + IO_RBUF_BYTES];
	size_t pending;
	bool tls;
	int sv[2] = { -1, -1 }, ret;

	if (!l->split)
		return 1;
	/* Replies written so far belong before the session's. */
	if (io_flush(io) < 0)
		return -1;
	tls = login_proxy_needed(io);
	pending = io_pending(io);
	if (pending > IO_RBUF_BYTES)
		return -1;
	if (tls && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	m[0] = 'H';
	m[1] = tls;
	put32(m + 2, (uint32_t)pending);
	memcpy(m + LOGIN_H_HDR_BYTES, io_peek(io), pending);
	io_consume(io, pending);
	ret = send_record(l->sock, m, LOGIN_H_HDR_BYTES + pending,
			  tls ? sv[1] : -1);
	explicit_bzero(m, sizeof(m));
	if (tls)
		close(sv[1]);
	close(l->sock);
	l->sock = -1;
	if (ret < 0) {
		if (tls)
			close(sv[0]);
		return -1;
	}
	if (!tls)
		return 0;       /* the caller exits; the monitor has fd 0 */
	ret = login_proxy_run(io, sv[0]);
	close(sv[0]);
	return ret;
}

/* ---- monitor side --------------------------------------------------- */

/* Kills and reaps the child (malformed message, too many attempts). */
static void
kill_child(struct login *l)
{
	if (l->child > 0) {
		(void)kill(l->child, SIGKILL);
		while (waitpid(l->child, NULL, 0) < 0 && errno == EINTR)
			;
		l->child = 0;
		l->child_status = EXIT_TEMP;
	}
}

/* Reaps the child that is exiting (EOF on the socket). */
static void
reap_child(struct login *l)
{
	int status = 0;
	pid_t r;

	if (l->child <= 0)
		return;
	do
		r = waitpid(l->child, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r > 0 && WIFEXITED(status)) {
		l->child_status = WEXITSTATUS(status);
	} else {
		if (r > 0 && WIFSIGNALED(status))
			log_msg(LOG_WARNING, "protocol child killed by signal "
				"%d", WTERMSIG(status));
		l->child_status = EXIT_TEMP;
	}
	l->child = 0;
}

/* Answers one 'V' record (already length-checked by the caller). */
static int
monitor_verify(struct login *l, unsigned char *m, size_t n)
{
	char user[LOGIN_USER_MAX_BYTES + 1], pass[LOGIN_PASS_MAX_BYTES + 1];
	char ip[LOGIN_IP_MAX_BYTES + 1];
	unsigned char r[LOGIN_R_HDR_BYTES + LOGIN_USER_MAX_BYTES + PATH_MAX];
	size_t ulen = get16(m + 1), plen = get16(m + 3), iplen = m[5];
	size_t nlen = 0, mlen = 0;
	int ret;

	if (ulen == 0 || ulen > LOGIN_USER_MAX_BYTES || plen == 0 ||
	    plen > LOGIN_PASS_MAX_BYTES || iplen > LOGIN_IP_MAX_BYTES ||
	    n != LOGIN_V_HDR_BYTES + ulen + plen + iplen ||
	    !no_nul(m + LOGIN_V_HDR_BYTES, ulen + plen + iplen)) {
		log_msg(LOG_ERR, "malformed login request from the protocol "
			"child: killing the session");
		return -1;
	}
	if (++l->attempts > LOGIN_ATTEMPTS_MAX) {
		log_msg(LOG_WARNING, "more than %u login attempts: killing "
			"the session", LOGIN_ATTEMPTS_MAX);
		return -1;
	}
	memcpy(user, m + LOGIN_V_HDR_BYTES, ulen);
	user[ulen] = '\0';
	memcpy(pass, m + LOGIN_V_HDR_BYTES + ulen, plen);
	pass[plen] = '\0';
	memcpy(ip, m + LOGIN_V_HDR_BYTES + ulen + plen, iplen);
	ip[iplen] = '\0';
	l->verified = false;
	ret = verify_local(l, user, pass, ip, &l->user);
	explicit_bzero(pass, sizeof(pass));
	r[0] = 'R';
	r[1] = ret == 1 ? LOGIN_VERDICT_OK
	       : ret == 0 ? LOGIN_VERDICT_REFUSED : LOGIN_VERDICT_TEMP;
	r[2] = 0;
	put32(r + 3, 0);
	put32(r + 7, 0);
	if (ret == 1) {
		l->verified = true;
		nlen = strlen(l->user.name);
		mlen = strlen(l->user.maildir);
		r[2] = l->user.system_user;
		put32(r + 3, (uint32_t)l->user.uid);
		put32(r + 7, (uint32_t)l->user.gid);
		memcpy(r + LOGIN_R_HDR_BYTES, l->user.name, nlen);
		memcpy(r + LOGIN_R_HDR_BYTES + nlen, l->user.maildir, mlen);
	}
	put16(r + 11, nlen);
	put16(r + 13, mlen);
	if (send_record(l->sock, r, LOGIN_R_HDR_BYTES + nlen + mlen, -1) < 0) {
		/* the child is gone; the next recv sees EOF */
		l->verified = false;
	}
	return 0;
}

/* Waits (bounded) for the child to exit after a plain handover: only
 * then may the session touch the client socket, which the child shared. */
static int
await_child_exit(struct login *l)
{
	struct pollfd pfd;
	int pidfd, r;

	pidfd = pidfd_open(l->child, 0);
	if (pidfd < 0) {
		/* no pidfd (old kernel): the child only has to return */
		reap_child(l);
		return 0;
	}
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		r = poll(&pfd, 1, LOGIN_CHILD_EXIT_SECS * 1000);
	while (r < 0 && errno == EINTR);
	close(pidfd);
	if (r <= 0) {
		log_msg(LOG_ERR, "protocol child did not exit after the "
			"handover: killing it");
		kill_child(l);
		return -1;
	}
	reap_child(l);
	return 0;
}

/* Points fds 0-2 away from the client socket once the TLS proxy owns the
 * connection: the session must not write plaintext there, and the client
 * should see the connection close when the proxy ends. */
static void
detach_client_fds(void)
{
	struct stat st;
	int null, fd;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return;
	for (fd = 0; fd <= 2; fd++)
		if (fd != null && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)dup2(null, fd);
	if (null > 2)
		close(null);
}

/* Takes one 'H' record: the session goes to the verified user. */
static int
monitor_handover(struct login *l, const unsigned char *m, size_t n, int fd,
		 struct login_user *u_r, int *fd_r, struct buf *pending_r)
{
	size_t plen = get32(m + 2);
	const char *err;

	/* From here on the descriptor is ours: close it on every failure. */
	if (!l->verified || (m[1] != 0 && m[1] != 1) ||
	    (m[1] == 1) != (fd >= 0) || plen > IO_RBUF_BYTES ||
	    n != LOGIN_H_HDR_BYTES + plen) {
		log_msg(LOG_ERR, "malformed handover from the protocol child: "
			"killing the session");
		goto fail;
	}
	/* SECURITY: the session never runs as root, whatever the maps say. */
	if (l->user.uid == 0 || l->user.gid == 0) {
		log_msg(LOG_ERR, "refusing a session for uid/gid 0");
		goto fail;
	}
	buf_reset(pending_r);
	if (buf_set(pending_r, m + LOGIN_H_HDR_BYTES, plen) < 0) {
		log_msg(LOG_ERR, "out of memory at handover");
		goto fail;
	}
	if (fd < 0) {
		if (await_child_exit(l) < 0)
			return -1;
		*fd_r = 0;
	} else {
		detach_client_fds();
		*fd_r = fd;
	}
	close(l->sock);
	l->sock = -1;
	if (priv_drop_ids(l->user.uid, l->user.gid, NULL, &err) < 0) {
		log_msg(LOG_ERR, "cannot become uid %lu: %s",
			(unsigned long)l->user.uid, err);
		goto fail;
	}
	*u_r = l->user;
	return 1;
fail:
	if (fd >= 0)
		close(fd);
	*fd_r = -1;
	return -1;
}

int
login_monitor(struct login *l, struct login_user *u_r, int *fd_r,
	      struct buf *pending_r)
{
	/* static: a handover record holds a whole io buffer (16 KiB) */
	static unsigned char m[LOGIN_MSG_MAX_BYTES];
	size_t n;
	int fd, r;

	*fd_r = -1;
	if (!l->is_monitor || l->sock < 0)
		return -1;
	for (;;) {
		r = recv_record(l->sock, m, sizeof(m), &n, &fd);
		if (r == 0) {
			reap_child(l);
			return 0;
		}
		if (r < 0 || n < 1) {
			log_msg(LOG_ERR, "bad record from the protocol child: "
				"killing the session");
			goto bad;
		}
		if (m[0] == 'V' && fd < 0 && n >= LOGIN_V_HDR_BYTES) {
			r = monitor_verify(l, m, n);
			explicit_bzero(m, n);
			if (r < 0)
				goto bad;
			continue;
		}
		if (m[0] == 'H' && n >= LOGIN_H_HDR_BYTES) {
			/* monitor_handover owns fd from here */
			r = monitor_handover(l, m, n, fd, u_r, fd_r, pending_r);
			explicit_bzero(m, n);
			if (r < 0)
				goto bad;
			return 1;
		}
		if (fd >= 0)
			close(fd);
		log_msg(LOG_ERR, "unknown message from the protocol child: "
			"killing the session");
		goto bad;
	}
bad:
	if (l->sock >= 0) {
		close(l->sock);
		l->sock = -1;
	}
	kill_child(l);
	return -1;
}

int
login_monitor_session(struct login *l, struct io *io, struct login_user *u_r,
		      int *fd_r, int *status_r, const char **error_r)
{
	struct buf pending;
	int r;

	buf_init(&pending, IO_RBUF_BYTES);
	r = login_monitor(l, u_r, fd_r, &pending);
	if (r <= 0) {
		/* no login: end as the protocol child did (inetd sees us) */
		buf_free_secret(&pending);
		r = r == 0 ? login_child_status(l) : -1;
		*status_r = r >= 0 ? r : EXIT_TEMP;
		return 0;
	}
	/* SECURITY: login_monitor() already refused uid 0 and dropped to
	 * the owner; checked again here, where the session starts. */
	if (u_r->uid == 0) {
		buf_free_secret(&pending);
		*error_r = "root";
		return -1;
	}
	if (priv_drop_ids(u_r->uid, u_r->gid,
			  u_r->system_user ? u_r->name : NULL, error_r) < 0) {
		buf_free_secret(&pending);
		return -1;
	}
	io_init(io, *fd_r, *fd_r);
	/* what the client pipelined after the login is the session's */
	if (pending.len > 0 && pending.len <= sizeof(io->rbuf)) {
		memcpy(io->rbuf, pending.data, pending.len);
		io->rlen = pending.len;
	}
	buf_free_secret(&pending);
	return 1;
}

int
login_child_status(const struct login *l)
{
	return l->is_monitor ? l->child_status : -1;
}

void
login_free(struct login **lp)
{
	struct login *l = *lp;

	if (l == NULL)
		return;
	if (l->sock >= 0)
		close(l->sock);
	/* A TLS proxy still running is reparented to init when the session
	 * exits; reap it here only if it is already gone. */
	if (l->is_monitor && l->child > 0)
		(void)waitpid(l->child, NULL, WNOHANG);
	explicit_bzero(l, sizeof(*l));
	free(l);
	*lp = NULL;
}
