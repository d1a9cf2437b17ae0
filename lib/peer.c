/*
 * peer.c -- who the client of an inetd-started daemon is: getpeername()
 * on the inetd socket, else $TCPREMOTEIP (tcpserver, tests), else
 * "unknown"; and whether stderr is the client's socket (xinetd), which
 * must then never be written to. Shared by quail-pop3d and quail-imapd.
 *
 * SECURITY: a socket peer always wins over the environment, and an
 * environment value is used only if it parses as an IP address (it is
 * logged and matched against plaintext_auth_networks).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cidr.h"
#include "peer.h"

void
peer_ip(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned char bytes[16];
	const char *e;
	int family;

	if (outlen == 0)
		return;
	snprintf(out, outlen, "unknown");
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *in =
				(const struct sockaddr_in *)&ss;

			if (inet_ntop(AF_INET, &in->sin_addr, out,
				      (socklen_t)outlen) != NULL)
				return;
		} else if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *in6 =
				(const struct sockaddr_in6 *)&ss;

			if (inet_ntop(AF_INET6, &in6->sin6_addr, out,
				      (socklen_t)outlen) != NULL)
				return;
		}
		snprintf(out, outlen, "unknown");
		/* an IP socket whose address does not fit: not the env's */
		if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
			return;
	}
	e = getenv("TCPREMOTEIP");
	if (e != NULL && strlen(e) < outlen &&
	    cidr_parse_ip(e, &family, bytes) == 0)
		snprintf(out, outlen, "%s", e);
}

bool
peer_stderr_is_client(void)
{
	struct stat in, err;

	if (fstat(STDIN_FILENO, &in) < 0 || fstat(STDERR_FILENO, &err) < 0)
		return false;
	return in.st_dev == err.st_dev && in.st_ino == err.st_ino &&
	       !S_ISCHR(in.st_mode);
}

void
peer_stderr_to_null(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0 && fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

void
peer_nodelay(int fd)
{
	int on = 1;

	/* ENOTSOCK (a pipe in tests), EOPNOTSUPP (a Unix socket): fine */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}
