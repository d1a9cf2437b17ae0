/*
 * smtpd.h -- the entry point of the quail-smtpd protocol engine.
 *
 * main.c parses argv/env, loads the configuration, drops privileges and
 * then hands the connection to smtpd_run(); tests and the fuzzer call
 * smtpd_run() directly on a socketpair or pipe.
 *
 * Memory: struct smtpd_env is owned by the caller and must outlive the
 * call (so must its tls and login); smtpd_run() frees everything it
 * allocates before returning. A zeroed env (tests, the fuzzer) means no
 * TLS, no AUTH, port 25 behaviour.
 */
#ifndef QUAIL_SMTPD_H
#define QUAIL_SMTPD_H

#include <stdbool.h>

#include "conf.h"

/* Longest text kept for the client's reverse DNS name. */
#define SMTPD_RDNS_MAX_BYTES 255
/* Longest textual IP address (IPv6 with scope) we keep. */
#define SMTPD_IP_MAX_BYTES 64

struct tls_server;
struct login;

struct smtpd_env {
	const struct conf *conf;
	char remote_ip[SMTPD_IP_MAX_BYTES];     /* "192.0.2.7", or "unknown" */
	char remote_host[SMTPD_RDNS_MAX_BYTES + 1]; /* verified rDNS or "unknown" */
	bool trace;                             /* -v or trace = yes */
	bool implicit_tls;                      /* -t: TLS before the greeting */
	bool submission;                        /* -s: AUTH before MAIL, Date/Message-ID */
	struct tls_server *tls;                 /* certificate loaded, or NULL: no TLS */
	struct login *login;                    /* verifier for AUTH, or NULL: no AUTH */
};

/* peer.c: fills env->remote_ip from getpeername(fd) (TCP sockets), else
 * from $TCPREMOTEIP (tcpserver, tests), else "unknown"; remote_host is
 * set to "unknown". Returns true if the address came from the socket. */
bool smtpd_peer_ip(int fd, struct smtpd_env *env);
/* peer.c: sets env->remote_host to the forward-confirmed reverse DNS name
 * of remote_ip (when lookup is true; "localhost" for a loopback address,
 * without a lookup) or to a valid $TCPREMOTEHOST; else
 * leaves "unknown". Call it unprivileged: it parses DNS answers. */
void smtpd_peer_rdns(struct smtpd_env *env, bool lookup);

/* Speaks SMTP on in_fd/out_fd until QUIT, EOF, a timeout or too many
 * errors. Never exits the process and never writes to stderr (under
 * xinetd stderr may be the client's socket); everything goes to the log.
 * Returns 0 when the session ended normally (including 421 endings), -1
 * if it could not start (out of memory; -t with a certificate and key
 * that OpenSSL refuses). */
int smtpd_run(int in_fd, int out_fd, const struct smtpd_env *env);

#endif
