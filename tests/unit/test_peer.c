/*
 * test_peer.c -- lib/peer.c: the client address from a TCP socket (IPv4,
 * IPv6) wins over $TCPREMOTEIP; a non-IP socket or a pipe falls back to a
 * valid $TCPREMOTEIP and refuses junk, over-long values and values that
 * do not fit the caller's buffer; "unknown" otherwise. Whether stderr is
 * the client's socket. peer_nodelay() turns Nagle off on a TCP socket
 * and leaves a pipe alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"

/* A connected TCP pair on the loopback of family af; the accepted end in
 * *srv_r, the client end in *cli_r. 0 / -1 (no such loopback: skip). */
static int
tcp_pair(int af, int *srv_r, int *cli_r)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int l, c, s;

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		sl = sizeof(*in6);
	}
	l = socket(af, SOCK_STREAM, 0);
	if (l < 0)
		return -1;
	if (bind(l, (struct sockaddr *)&ss, sl) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&ss, &sl) < 0) {
		close(l);
		return -1;
	}
	c = socket(af, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&ss, sl) < 0) {
		close(l);
		if (c >= 0)
			close(c);
		return -1;
	}
	s = accept(l, NULL, NULL);
	close(l);
	if (s < 0) {
		close(c);
		return -1;
	}
	*srv_r = s;
	*cli_r = c;
	return 0;
}

static void
test_tcp_wins_over_env(void **state)
{
	char ip[64];
	int s, c;

	(void)state;
	setenv("TCPREMOTEIP", "192.0.2.7", 1);
	if (tcp_pair(AF_INET, &s, &c) < 0)
		skip();
	peer_ip(s, ip, sizeof(ip));
	assert_string_equal(ip, "127.0.0.1");
	close(s);
	close(c);
	if (tcp_pair(AF_INET6, &s, &c) == 0) {
		peer_ip(s, ip, sizeof(ip));
		assert_string_equal(ip, "::1");
		close(s);
		close(c);
	}
	unsetenv("TCPREMOTEIP");
}

static void
test_tcp_buffer_too_small(void **state)
{
	char ip[8];
	int s, c;

	(void)state;
	setenv("TCPREMOTEIP", "1.2.3.4", 1);
	if (tcp_pair(AF_INET, &s, &c) < 0)
		skip();
	/* "127.0.0.1" does not fit 8 bytes: never the env's value */
	peer_ip(s, ip, sizeof(ip));
	assert_string_equal(ip, "unknown");
	close(s);
	close(c);
	unsetenv("TCPREMOTEIP");
}

struct env_case {
	const char *value; /* NULL: unset */
	const char *want;
};

static const struct env_case env_cases[] = {
	{ "192.0.2.7", "192.0.2.7" },
	{ "2001:db8::1", "2001:db8::1" },
	{ NULL, "unknown" },
	{ "", "unknown" },
	{ "not-an-ip", "unknown" },
	{ "192.0.2.7 ", "unknown" },
	{ "192.0.2.256", "unknown" },
	{ "192.0.2.7\n", "unknown" },
	{ "1:2:3:4:5:6:7:8:9:0:1:2:3:4:5:6:7:8:9:0:1:2:3:4:5:6:7:8:9:0:1:2:3:4:5:"
	  "6:7:8:9:0:1:2:3:4:5:6:7:8",
	  "unknown" },
};

static void
test_env_fallback(void **state)
{
	char ip[64];
	size_t i;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		if (env_cases[i].value != NULL)
			setenv("TCPREMOTEIP", env_cases[i].value, 1);
		else
			unsetenv("TCPREMOTEIP");
		peer_ip(sv[0], ip, sizeof(ip));
		assert_string_equal(ip, env_cases[i].want);
		/* a pipe or a file is no socket at all: the same */
		peer_ip(-1, ip, sizeof(ip));
		assert_string_equal(ip, env_cases[i].want);
	}
	unsetenv("TCPREMOTEIP");
	close(sv[0]);
	close(sv[1]);
}

static void
test_env_too_long_for_buffer(void **state)
{
	char ip[10];

	(void)state;
	setenv("TCPREMOTEIP", "192.0.2.77", 1); /* 10 bytes + NUL */
	peer_ip(-1, ip, sizeof(ip));
	assert_string_equal(ip, "unknown");
	setenv("TCPREMOTEIP", "192.0.2.7", 1); /* 9 bytes + NUL: fits */
	peer_ip(-1, ip, sizeof(ip));
	assert_string_equal(ip, "192.0.2.7");
	unsetenv("TCPREMOTEIP");
}

static void
test_stderr_is_client(void **state)
{
	int sv[2], save_in, save_err;

	(void)state;
	save_in = dup(STDIN_FILENO);
	save_err = dup(STDERR_FILENO);
	assert_true(save_in >= 0 && save_err >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* xinetd: fds 0, 1 and 2 are the same socket */
	assert_int_equal(dup2(sv[0], STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(dup2(sv[0], STDERR_FILENO), STDERR_FILENO);
	assert_true(peer_stderr_is_client());
	peer_stderr_to_null();
	assert_false(peer_stderr_is_client());
	/* stdin a socket, stderr another one: not the client */
	assert_int_equal(dup2(sv[1], STDERR_FILENO), STDERR_FILENO);
	assert_false(peer_stderr_is_client());
	dup2(save_in, STDIN_FILENO);
	dup2(save_err, STDERR_FILENO);
	close(save_in);
	close(save_err);
	close(sv[0]);
	close(sv[1]);
}

static void
test_nodelay(void **state)
{
	int s, c, p[2], v = -1;
	socklen_t vl = sizeof(v);

	(void)state;
	if (tcp_pair(AF_INET, &s, &c) < 0)
		skip();
	assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
	assert_int_equal(v, 0); /* the kernel's default: Nagle on */
	peer_nodelay(s);
	vl = sizeof(v);
	assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
	assert_int_not_equal(v, 0);
	close(s);
	close(c);
	/* a pipe (the daemons under tests): nothing happens, nothing breaks */
	assert_int_equal(pipe(p), 0);
	peer_nodelay(p[0]);
	assert_int_equal(write(p[1], "x", 1), 1);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_wins_over_env),
		cmocka_unit_test(test_tcp_buffer_too_small),
		cmocka_unit_test(test_env_fallback),
		cmocka_unit_test(test_env_too_long_for_buffer),
		cmocka_unit_test(test_stderr_is_client),
		cmocka_unit_test(test_nodelay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
