/*
 * peer.c -- who the SMTP client is: its IP address (getpeername on the
 * inetd socket, else $TCPREMOTEIP as set by tcpserver and the tests) and
 * its forward-confirmed reverse DNS name for the Received: line
 * (RFC 5321 4.4: the name must be verified or left out); a loopback
 * peer (127.0.0.0/8, ::1) is "localhost" without a lookup.
 *
 * SECURITY: the IP decides relaying, so a socket peer always wins over
 * the environment; environment values are checked (an IP must parse, a
 * host name must be plain LDH text) before use. The DNS lookup parses
 * untrusted answers and is meant to run after privileges are dropped; a
 * name that does not resolve back to the address is not used.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "smtpd.h"

/* A host name we are willing to print: letters, digits, '-', '.', '_'. */
static bool peer_name_ok(const char *h)
{
	size_t i, len = strlen(h);

	if (len == 0 || len > SMTPD_RDNS_MAX_BYTES)
		return false;
	for (i = 0; i < len; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

bool smtpd_peer_ip(int fd, struct smtpd_env *env)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *e;
	int family;
	unsigned char bytes[16];

	snprintf(env->remote_ip, sizeof(env->remote_ip), "unknown");
	snprintf(env->remote_host, sizeof(env->remote_host), "unknown");
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

			if (inet_ntop(AF_INET, &in->sin_addr, env->remote_ip,
				      sizeof(env->remote_ip)) != NULL)
				return true;
		} else if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

			/* ::ffff:a.b.c.d is an IPv4 client on a v6 socket:
			 * log and match it as the IPv4 address it is. */
			if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
				if (inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12],
					      env->remote_ip,
					      sizeof(env->remote_ip)) != NULL)
					return true;
			} else if (inet_ntop(AF_INET6, &in6->sin6_addr, env->remote_ip,
					     sizeof(env->remote_ip)) != NULL) {
				return true;
			}
		}
		snprintf(env->remote_ip, sizeof(env->remote_ip), "unknown");
	}
	e = getenv("TCPREMOTEIP");
	if (e != NULL && strlen(e) < sizeof(env->remote_ip) &&
	    cidr_parse_ip(e, &family, bytes) == 0)
		snprintf(env->remote_ip, sizeof(env->remote_ip), "%s", e);
	return false;
}

/* True if name resolves back to ip (string compare of numeric forms). */
static bool peer_forward_confirms(const char *name, const char *ip)
{
	struct addrinfo hints, *res = NULL, *ai;
	char num[SMTPD_IP_MAX_BYTES];
	bool ok = false;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return false;
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num),
				NULL, 0, NI_NUMERICHOST) == 0 && strcmp(num, ip) == 0)
			ok = true;
	}
	freeaddrinfo(res);
	return ok;
}

void smtpd_peer_rdns(struct smtpd_env *env, bool lookup)
{
	struct addrinfo hints, *res = NULL;
	char name[NI_MAXHOST];
	const char *e;

	if (!lookup) {
		e = getenv("TCPREMOTEHOST");
		if (e != NULL && peer_name_ok(e))
			memcpy(env->remote_host, e, strlen(e) + 1); /* <= 255 */
		return;
	}
	/* A loopback client is this host: "localhost", what the lookup
	 * gives with any stock /etc/hosts, without it. The lookup goes
	 * through glibc's NSS (nsswitch.conf, /etc/hosts, the resolver):
	 * about 0.15 ms and 440 kB of touched memory per session, and local
	 * submitters (webmail, scripts, the benchmark) connect this way. */
	if (strncmp(env->remote_ip, "127.", 4) == 0 ||
	    strcmp(env->remote_ip, "::1") == 0) {
		snprintf(env->remote_host, sizeof(env->remote_host),
			 "localhost");
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(env->remote_ip, NULL, &hints, &res) != 0)
		return;
	if (getnameinfo(res->ai_addr, res->ai_addrlen, name, sizeof(name),
			NULL, 0, NI_NAMEREQD) == 0 && peer_name_ok(name) &&
	    peer_forward_confirms(name, env->remote_ip))
		memcpy(env->remote_host, name, strlen(name) + 1); /* <= 255 */
	freeaddrinfo(res);
}
