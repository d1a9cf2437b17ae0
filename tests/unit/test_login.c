/*
 * test_login.c -- lib/login.c. As root, for real: login_split forks, the
 * child runs as daemon_user (nobody) with its groups; verification round
 * trips through the monitor with the cdb backend (good, wrong password
 * after the delay, unknown user); a plain handover gives the monitor fd 0
 * and the pending input, running as the mailbox owner with no
 * supplementary groups; a "TLS" handover (io with its own read/write
 * functions) passes a socketpair and the child proxies both ways until the
 * session closes; hostile records from the child (every length, type and
 * descriptor violation, too many attempts) kill the session. Not root, or
 * in a child dropped to nobody: the in-process path.
 * Every forked process runs under alarm() so a hang fails, never blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cdbmap.h"
#include "unit_confdir.h"
#include "conf.h"
#include "io.h"
#include "login.h"
#include "priv.h"

#define TEST_ALARM_SECS 30

static char dir[64];
static struct conf conf;
static struct passwd nobody;

static void
load_conf(unsigned delay)
{
	char text[256];
	const char *err = NULL;

	snprintf(text, sizeof(text), "local_domains = example.com\n"
		 "log = stderr\nvmail_user = nobody\ndaemon_user = nobody\n"
		 "auth_backends = cdb\nauth_fail_delay = %u\n", delay);
	unit_write_file(dir, "quail.conf", text);
	conf_free(&conf);
	if (conf_load(&conf, dir, &err) < 0)
		fail_msg("conf_load: %s", err);
}

static int
setup(void **state)
{
	struct passwd *pw;
	const char *salt, *h;
	char hash[256];

	(void)state;
	pw = getpwnam("nobody");
	if (pw == NULL)
		return -1;
	nobody = *pw;
	snprintf(dir, sizeof(dir), "/tmp/test_login.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0)
		return -1;
	salt = crypt_gensalt("$y$", 0, NULL, 0);
	if (salt == NULL)
		salt = crypt_gensalt("$6$", 0, NULL, 0);
	h = salt == NULL ? NULL : crypt("secret", salt);
	if (h == NULL || h[0] != '$')
		return -1;
	snprintf(hash, sizeof(hash), "%s", h);
	{
		const char *const passwd_kv[] = {
			"me@example.com", hash, NULL,
		};
		const char *const users_kv[] = {
			"me@example.com", "::/m/example.com/me/Maildir", NULL,
		};

		/* 0644: readable by nobody for the in-process test as nobody */
		unit_build_cdb(dir, "passwd.cdb", passwd_kv, 0644);
		unit_build_cdb(dir, "users.cdb", users_kv, 0644);
	}
	conf_defaults(&conf);
	load_conf(0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	conf_free(&conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for pid; returns its exit code, or 128+signal. */
static int
wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* In a forked process: exit with the line number of the first failed
 * check (cmocka asserts do not work across fork). */
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: %s\n", \
	__FILE__, __LINE__, #cond); _exit(__LINE__ % 200 + 1); } } while (0)

/* ---- in-process path ---------------------------------------------- */

static void
inprocess_checks(void)
{
	struct login *l = NULL;
	struct login_user u;
	enum login_role role;
	const char *err;
	struct io *io;
	double t0;

	CHECK(login_split(&l, &conf, "pop3d", &role, &err) == 0);
	CHECK(role == LOGIN_CHILD);
	memset(&u, 0, sizeof(u));
	CHECK(login_verify(l, "me@example.com", "secret", "127.0.0.1", &u) == 1);
	CHECK(strcmp(u.name, "me@example.com") == 0);
	CHECK(u.uid == nobody.pw_uid && u.gid == nobody.pw_gid);
	CHECK(strcmp(u.maildir, "/m/example.com/me/Maildir") == 0);
	CHECK(!u.system_user);
	CHECK(login_verify(l, "me@example.com", "wrong", "127.0.0.1", &u) == 0);
	CHECK(login_verify(l, "who@example.com", "secret", NULL, &u) == 0);
	/* the delay is paid in-process too (login keeps a pointer to conf) */
	conf.auth_fail_delay = 1;
	t0 = now_secs();
	CHECK(login_verify(l, "me@example.com", "wrong", "127.0.0.1", &u) == 0);
	CHECK(now_secs() - t0 >= 0.99);
	conf.auth_fail_delay = 0;
	io = calloc(1, sizeof(*io));
	CHECK(io != NULL);
	io_init(io, 0, 1);
	CHECK(login_handover(l, io) == 1);
	CHECK(login_child_status(l) == -1);     /* no child: no status */
	free(io);
	login_free(&l);
	CHECK(l == NULL);
}

static void
test_inprocess(void **state)
{
	pid_t pid;
	const char *err;

	(void)state;
	if (!priv_is_root()) {
		inprocess_checks();
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(TEST_ALARM_SECS);
		CHECK(priv_drop_user("nobody", &err) == 0);
		inprocess_checks();
		_exit(0);
	}
	assert_int_equal(wait_status(pid), 0);
}

/* ---- split: verification --------------------------------------------- */

static void
test_split_verify(void **state)
{
	struct login *l = NULL;
	enum login_role role;
	struct login_user u;
	struct buf pending;
	const char *err;
	int fd, p[2];
	char res = 'x';

	(void)state;
	if (!priv_is_root())
		skip();
	conf.auth_fail_delay = 1;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(login_split(&l, &conf, "pop3d", &role, &err), 0);
	if (role == LOGIN_CHILD) {
		gid_t groups[64];
		int n;
		double t0;

		alarm(TEST_ALARM_SECS);
		close(p[0]);
		/* the protocol child runs as daemon_user with its groups */
		CHECK(getuid() == nobody.pw_uid && geteuid() == nobody.pw_uid);
		CHECK(getgid() == nobody.pw_gid && getegid() == nobody.pw_gid);
		n = getgroups(64, groups);
		CHECK(n >= 0);
		for (int i = 0; i < n; i++)
			CHECK(groups[i] != 0);
		CHECK(setuid(0) < 0);
		memset(&u, 0, sizeof(u));
		CHECK(login_verify(l, "ME@example.com", "secret", "192.0.2.7",
				   &u) == 1);
		CHECK(strcmp(u.name, "me@example.com") == 0);
		CHECK(u.uid == nobody.pw_uid && u.gid == nobody.pw_gid);
		CHECK(strcmp(u.maildir, "/m/example.com/me/Maildir") == 0);
		t0 = now_secs();
		CHECK(login_verify(l, "me@example.com", "wrong", "192.0.2.7",
				   &u) == 0);
		/* the monitor delays the refusal */
		CHECK(now_secs() - t0 >= 0.99);
		CHECK(login_verify(l, "who@example.com", "secret", "::1",
				   &u) == 0);
		/* over the limits: refused without a round trip */
		{
			char big[LOGIN_PASS_MAX_BYTES + 2];

			memset(big, 'p', sizeof(big) - 1);
			big[sizeof(big) - 1] = '\0';
			CHECK(login_verify(l, "me@example.com", big, NULL,
					   &u) == 0);
		}
		CHECK(write(p[1], "k", 1) == 1);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(role, LOGIN_MONITOR);
	buf_init(&pending, 0);
	/* the child just ends: 0, and still root */
	assert_int_equal(login_monitor(l, &u, &fd, &pending), 0);
	assert_int_equal(geteuid(), 0);
	assert_int_equal(read(p[0], &res, 1), 1);
	assert_int_equal(res, 'k');
	close(p[0]);
	login_free(&l);
	buf_free(&pending);
	conf.auth_fail_delay = 0;
}

/* ---- split: the child's exit status reaches the monitor -------------- */

static void
test_child_status(void **state)
{
	static const int codes[] = { 0, 7, 100, 111, -SIGKILL, -SIGSEGV };
	size_t i;

	(void)state;
	if (!priv_is_root())
		skip();
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct login *l = NULL;
		enum login_role role;
		struct login_user u;
		struct buf pending;
		const char *err;
		int fd;

		assert_int_equal(login_split(&l, &conf, "smtpd", &role, &err),
				 0);
		if (role == LOGIN_CHILD) {
			alarm(TEST_ALARM_SECS);
			if (codes[i] < 0) {
				signal(-codes[i], SIG_DFL);
				raise(-codes[i]);
			}
			_exit(codes[i] < 0 ? 1 : codes[i]);
		}
		/* not known before the child ended */
		assert_int_equal(login_child_status(l), -1);
		buf_init(&pending, 0);
		assert_int_equal(login_monitor(l, &u, &fd, &pending), 0);
		/* its own code, or 111 (temporary) when a signal ended it */
		assert_int_equal(login_child_status(l),
				 codes[i] < 0 ? 111 : codes[i]);
		login_free(&l);
		buf_free(&pending);
	}
}

/* ---- split: handover ----------------------------------------------- */

/* Pass-through transfer functions: to login_handover, an io with its own
 * functions is a TLS io (it cannot tell and must not care). */
static ssize_t
fake_tls_read(void *ctx, void *p, size_t len)
{
	return read(((struct io *)ctx)->rfd, p, len);
}

static ssize_t
fake_tls_write(void *ctx, const void *p, size_t len)
{
	return write(((struct io *)ctx)->wfd, p, len);
}

/* Reads exactly len bytes from fd (bounded by the alarm). */
static bool
read_exact(int fd, char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* The protocol child of a handover test. */
static void
handover_child(struct login *l, bool tls)
{
	struct login_user u;
	struct buf line;
	struct io *io = calloc(1, sizeof(*io));

	CHECK(io != NULL);
	io_init(io, 0, 1);
	io_set_timeout(io, 20);
	if (tls)
		io_set_fns(io, fake_tls_read, fake_tls_write, io);
	buf_init(&line, 0);
	/* the client sent two lines in one write: the second is pending */
	CHECK(io_getline(io, &line, 512, NULL) == IO_LINE_OK);
	CHECK(strcmp(buf_cstr(&line), "PASS secret") == 0);
	CHECK(login_verify(l, "me@example.com", "secret", "127.0.0.1",
			   &u) == 1);
	CHECK(io_puts(io, "+OK child\r\n") == 0);
	CHECK(login_handover(l, io) == 0);
	buf_free(&line);
	free(io);
	_exit(0);
}

/* The session process (monitor side) of a handover test; exits 0 if all
 * checks pass. client is the test's end of the client socket. */
static void
handover_session(bool tls)
{
	int sv[2], fd = -1;
	struct login *l = NULL;
	enum login_role role;
	struct login_user u;
	struct buf pending;
	struct stat st;
	const char *err;
	char b[64];
	gid_t groups[8];

	alarm(TEST_ALARM_SECS);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	/* the server end becomes fds 0 and 1, as under inetd */
	CHECK(dup2(sv[1], 0) == 0 && dup2(sv[1], 1) == 1);
	close(sv[1]);
	CHECK(write(sv[0], "PASS secret\r\nSTAT\r\n", 19) == 19);
	CHECK(login_split(&l, &conf, "pop3d", &role, &err) == 0);
	if (role == LOGIN_CHILD) {
		close(sv[0]);
		handover_child(l, tls);
	}
	buf_init(&pending, 0);
	CHECK(login_monitor(l, &u, &fd, &pending) == 1);
	/* now the mailbox owner, supplementary groups cleared */
	CHECK(getuid() == nobody.pw_uid && geteuid() == nobody.pw_uid);
	CHECK(getgid() == nobody.pw_gid && getegid() == nobody.pw_gid);
	CHECK(getgroups(8, groups) == 0);
	CHECK(setuid(0) < 0);
	CHECK(strcmp(u.name, "me@example.com") == 0);
	CHECK(pending.len == 6 && memcmp(pending.data, "STAT\r\n", 6) == 0);
	/* the child's reply went out before the handover */
	CHECK(read_exact(sv[0], b, 11) && memcmp(b, "+OK child\r\n", 11) == 0);
	if (tls) {
		CHECK(fd > 2);
		/* fds 0/1 no longer reach the client socket */
		CHECK(fstat(0, &st) == 0 && !S_ISSOCK(st.st_mode));
		CHECK(fstat(1, &st) == 0 && !S_ISSOCK(st.st_mode));
	} else {
		CHECK(fd == 0);
	}
	/* both directions through whatever fd we got */
	CHECK(write(fd, "+OK 0 0\r\n", 9) == 9);
	CHECK(read_exact(sv[0], b, 9) && memcmp(b, "+OK 0 0\r\n", 9) == 0);
	CHECK(write(sv[0], "QUIT\r\n", 6) == 6);
	CHECK(read_exact(fd, b, 6) && memcmp(b, "QUIT\r\n", 6) == 0);
	/* a big reply (more than the socket buffers) arrives whole */
	{
		static char big[1 << 20];
		size_t got = 0;
		pid_t reader;
		int rs[2];

		memset(big, 'x', sizeof(big));
		CHECK(pipe(rs) == 0);
		reader = fork();
		CHECK(reader >= 0);
		if (reader == 0) {
			static char in[1 << 16];
			ssize_t n;

			close(rs[0]);
			while (got < sizeof(big) &&
			       (n = read(sv[0], in, sizeof(in))) > 0)
				got += (size_t)n;
			_exit(got == sizeof(big) ? 0 : 1);
		}
		close(rs[0]);
		close(rs[1]);
		CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
		CHECK(wait_status(reader) == 0);
	}
	/* the session ends: the client sees EOF (the proxy ended too) */
	close(fd);
	if (!tls) {
		/* fd 0 was the socket; fd 1 is its dup */
		close(1);
	}
	CHECK(read(sv[0], b, sizeof(b)) == 0);
	login_free(&l);
	buf_free(&pending);
	_exit(0);
}

static void
test_handover_plain(void **state)
{
	pid_t pid;

	(void)state;
	if (!priv_is_root())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		handover_session(false);
	assert_int_equal(wait_status(pid), 0);
}

static void
test_handover_tls(void **state)
{
	pid_t pid;

	(void)state;
	if (!priv_is_root())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		handover_session(true);
	assert_int_equal(wait_status(pid), 0);
}

/* ---- split: hostile child -------------------------------------------- */

/* The child's end of the channel: its only SOCK_SEQPACKET socket. */
static int
channel_fd(void)
{
	int fd, type;
	socklen_t len;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
		    type == SOCK_SEQPACKET)
			return fd;
	}
	return -1;
}

static void
send_with_fd(int sock, const void *p, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { (void *)(uintptr_t)p, len };
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		mh.msg_control = ctl.space;
		mh.msg_controllen = sizeof(ctl.space);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	(void)sendmsg(sock, &mh, MSG_NOSIGNAL);
}

/* A 'V' record: user, pass, ip with the given header lengths. */
static size_t
v_record(unsigned char *m, size_t hu, size_t hp, size_t hip,
	 const char *user, const char *pass, const char *ip)
{
	uint16_t u16;
	size_t n = 6;

	m[0] = 'V';
	u16 = (uint16_t)hu;
	memcpy(m + 1, &u16, 2);
	u16 = (uint16_t)hp;
	memcpy(m + 3, &u16, 2);
	m[5] = (unsigned char)hip;
	memcpy(m + n, user, strlen(user));
	n += strlen(user);
	memcpy(m + n, pass, strlen(pass));
	n += strlen(pass);
	memcpy(m + n, ip, strlen(ip));
	return n + strlen(ip);
}

enum hostile {
	H_EMPTY, H_TYPE, H_SHORT_V, H_LEN_MISMATCH, H_USER_LONG, H_PASS_LONG,
	H_IP_LONG, H_NUL_USER, H_ZERO_USER, H_V_WITH_FD, H_HUGE, H_H_NO_VERIFY,
	/* these first log in successfully, then misbehave */
	H_H_AFTER_FAIL, H_H_FD_MISMATCH, H_H_NOFD_BUT_FLAG, H_H_PENDING_LEN,
	H_H_BAD_FLAG, H_ATTEMPTS, H_COUNT
};

/* Sends a good login and checks the verdict. */
static void
hostile_login(int s, unsigned char *m, size_t size, const char *pass,
	      int verdict)
{
	size_t n = v_record(m, 14, strlen(pass), 0, "me@example.com", pass, "");

	send_with_fd(s, m, n, -1);
	CHECK(recv(s, m, size, 0) > 1 && m[1] == verdict);
}

/* A protocol child gone bad: sends record h, then waits to be killed. */
static void
hostile_child(enum hostile h)
{
	static unsigned char m[70000];
	int s = channel_fd(), fd = -1, i;
	size_t n = 0;
	uint32_t u32;

	CHECK(s >= 0);
	memset(m, 'a', sizeof(m));
	if (h >= H_H_AFTER_FAIL && h != H_ATTEMPTS)
		hostile_login(s, m, sizeof(m), "secret", 1);
	memset(m, 'a', sizeof(m));
	switch (h) {
	case H_EMPTY:           /* a zero-length record is not an EOF */
		n = 0;
		break;
	case H_TYPE:
		m[0] = 'Z';
		n = 10;
		break;
	case H_SHORT_V:
		m[0] = 'V';
		n = 5;
		break;
	case H_LEN_MISMATCH:
		n = v_record(m, 14, 6, 0, "me@example.com", "secret", "") + 1;
		break;
	case H_USER_LONG:
		n = v_record(m, LOGIN_USER_MAX_BYTES + 1, 1, 0, "", "", "") +
		    LOGIN_USER_MAX_BYTES + 2;
		break;
	case H_PASS_LONG:
		n = v_record(m, 1, LOGIN_PASS_MAX_BYTES + 1, 0, "", "", "") +
		    LOGIN_PASS_MAX_BYTES + 2;
		break;
	case H_IP_LONG:
		n = v_record(m, 1, 1, LOGIN_IP_MAX_BYTES + 1, "", "", "") +
		    LOGIN_IP_MAX_BYTES + 3;
		break;
	case H_NUL_USER:
		n = v_record(m, 3, 6, 0, "mxe", "secret", "");
		m[7] = '\0';
		break;
	case H_ZERO_USER:
		n = v_record(m, 0, 6, 0, "", "secret", "");
		break;
	case H_V_WITH_FD:
		n = v_record(m, 14, 6, 0, "me@example.com", "secret", "");
		fd = 0;
		break;
	case H_HUGE:
		m[0] = 'H';
		n = sizeof(m);
		break;
	case H_H_AFTER_FAIL:
		/* a failed login in between revokes the good one */
		hostile_login(s, m, sizeof(m), "wrong", 0);
		/* fall through */
	case H_H_NO_VERIFY:
		memset(m, 0, 6);
		m[0] = 'H';
		n = 6;
		break;
	case H_H_FD_MISMATCH:
		memset(m, 0, 6);
		m[0] = 'H';
		n = 6;
		fd = 0;                 /* a descriptor, but flag 0 */
		break;
	case H_H_NOFD_BUT_FLAG:
		memset(m, 0, 6);
		m[0] = 'H';
		m[1] = 1;
		n = 6;
		break;
	case H_H_PENDING_LEN:
		memset(m, 0, 6);
		m[0] = 'H';
		u32 = 10;
		memcpy(m + 2, &u32, 4);
		n = 6 + 9;
		break;
	case H_H_BAD_FLAG:
		memset(m, 0, 6);
		m[0] = 'H';
		m[1] = 7;
		n = 6;
		break;
	case H_ATTEMPTS:
		for (i = 0; i < 25; i++) {
			n = v_record(m, 14, 5, 0, "me@example.com", "wrong", "");
			send_with_fd(s, m, n, -1);
			if (recv(s, m, sizeof(m), 0) <= 0)
				break;
		}
		CHECK(i == 20);         /* 20 answered, the 21st killed us */
		pause();
		_exit(1);
	case H_COUNT:
		break;
	}
	send_with_fd(s, m, n, fd);
	pause();
	_exit(1);
}

static void
test_hostile_child(void **state)
{
	int h;

	(void)state;
	if (!priv_is_root())
		skip();
	alarm(TEST_ALARM_SECS * 2);
	for (h = 0; h < H_COUNT; h++) {
		struct login *l = NULL;
		enum login_role role;
		struct login_user u;
		struct buf pending;
		const char *err;
		int fd = 123;

		assert_int_equal(login_split(&l, &conf, "pop3d", &role, &err), 0);
		if (role == LOGIN_CHILD)
			hostile_child((enum hostile)h);
		buf_init(&pending, 0);
		if (login_monitor(l, &u, &fd, &pending) != -1)
			fail_msg("hostile case %d not refused", h);
		assert_int_equal(fd, -1);
		/* the killed child is a temporary failure for inetd */
		assert_int_equal(login_child_status(l), 111);
		/* still root: nothing was handed over */
		assert_int_equal(geteuid(), 0);
		login_free(&l);
		buf_free(&pending);
	}
	alarm(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inprocess),
		cmocka_unit_test(test_split_verify),
		cmocka_unit_test(test_child_status),
		cmocka_unit_test(test_handover_plain),
		cmocka_unit_test(test_handover_tls),
		cmocka_unit_test(test_hostile_child),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
