/*
 * peer.c -- who the POP3 client is: getpeername() on the inetd socket,
 * else $TCPREMOTEIP (tcpserver, tests), else "unknown". The address
 * decides whether plaintext logins are allowed (plaintext_auth_networks).
 * Also: is stderr the client's socket (xinetd)? Then it must never be
 * written to.
 *
 * SECURITY: a socket peer always wins over the environment, and an
 * environment value is used only if it parses as an IP address.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cidr.h"
#include "pop3d.h"

void
peer_ip(int fd, struct pop3d_env *env)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned char bytes[16];
	const char *e;
	int family;

	snprintf(env->remote_ip, sizeof(env->remote_ip), "unknown");
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *in =
				(const struct sockaddr_in *)&ss;

			if (inet_ntop(AF_INET, &in->sin_addr, env->remote_ip,
				      sizeof(env->remote_ip)) != NULL)
				return;
		} else if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *in6 =
				(const struct sockaddr_in6 *)&ss;

			if (inet_ntop(AF_INET6, &in6->sin6_addr, env->remote_ip,
				      sizeof(env->remote_ip)) != NULL)
				return;
		}
		snprintf(env->remote_ip, sizeof(env->remote_ip), "unknown");
		if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
			return;
	}
	e = getenv("TCPREMOTEIP");
	if (e != NULL && strlen(e) < sizeof(env->remote_ip) &&
	    cidr_parse_ip(e, &family, bytes) == 0)
		snprintf(env->remote_ip, sizeof(env->remote_ip), "%s", e);
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
