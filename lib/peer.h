/*
 * peer.h -- who the client of an inetd-started daemon (quail-pop3d,
 * quail-imapd) is, and whether stderr is its socket.
 *
 * The client's address decides whether plaintext logins are allowed
 * (plaintext_auth_networks) and is logged. Under xinetd (and tcpserver
 * with 2>&1) stderr is the client's socket: a daemon must then never
 * write diagnostics there.
 *
 * Return convention: see each function; nothing here fails loudly.
 */
#ifndef QUAIL_PEER_H
#define QUAIL_PEER_H

#include <stdbool.h>
#include <stddef.h>

/* The client's IP as text into out[0..outlen): getpeername() on fd (an
 * IPv4 or IPv6 socket always wins), else $TCPREMOTEIP if it parses as an
 * IP address (tcpserver, tests), else "unknown". */
void peer_ip(int fd, char *out, size_t outlen);
/* Turns off Nagle's algorithm on fd if it is a TCP socket (else does
 * nothing). A daemon writes a long answer in chunks; with Nagle, a chunk
 * smaller than a segment waits for the ACK of the one before, which a
 * client that delays its ACKs sends only after up to 40 ms -- for every
 * such pause (measured: STORE of 1000 messages, 1000 FETCH lines, 55 ms
 * instead of 18). Dovecot's output streams turn Nagle off as well. */
void peer_nodelay(int fd);
/* True if fd 2 is the socket or pipe fd 0 is (xinetd, tcpserver 2>&1). */
bool peer_stderr_is_client(void);
/* Points fd 2 at /dev/null (after peer_stderr_is_client()). */
void peer_stderr_to_null(void);

#endif
