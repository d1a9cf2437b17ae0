/*
 * login_proxy.c -- the TLS proxy of lib/login.c (see login_proxy.h): after
 * a handover over TLS, the unprivileged protocol child stays on and moves
 * plaintext between the client's TLS io and the session process.
 *
 * SECURITY: runs in the unprivileged child; it never interprets the bytes
 * it moves. Client input waits in a fixed buffer while the session is
 * busy (no unbounded buffering), every wait is bounded by the io timeout
 * plus a grace, and the buffer that held client plaintext is wiped.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "login_proxy.h"

/* Idle limit when the io has no timeout of its own, and the grace added
 * to the io timeout so that the session's own timeout reply still gets
 * through before the proxy gives up. */
#define LOGIN_PROXY_IDLE_SECS 3600
#define LOGIN_PROXY_GRACE_SECS 5
/* One transfer in either direction. */
#define LOGIN_PROXY_CHUNK_BYTES 16384

/* True if io reads through something other than plain read(2): TLS.
 * io.c's default functions are static, so compare with a fresh io. */
bool
login_proxy_needed(const struct io *io)
{
	static struct io plain; /* ~32 KiB: not on the stack */

	io_init(&plain, -1, -1);
	return io->read != plain.read || io->write != plain.write;
}

/* Writes all of p to the non-blocking-or-not socket s within the poll
 * loop of the proxy: returns bytes written (maybe 0), -1 on error. */
static ssize_t
login_proxy_send(int s, const unsigned char *p, size_t len)
{
	ssize_t n;

	do
		n = send(s, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return n;
}

/* The TLS proxy: plaintext between io (the client, TLS) and s (the
 * session process). Client input waits in up while the session is busy,
 * so a client that floods while the session writes cannot deadlock the
 * two. Ends when the session closes s, on any error, or when both sides
 * have been idle for the io timeout (+ grace). 0 / -1. */
int
login_proxy_run(struct io *io, int s)
{
	unsigned char up[LOGIN_PROXY_CHUNK_BYTES];
	unsigned char down[LOGIN_PROXY_CHUNK_BYTES];
	size_t up_len = 0, up_off = 0;
	bool client_eof = false, shut = false;
	unsigned idle = io->timeout_secs != 0 &&
				io->timeout_secs < LOGIN_PROXY_IDLE_SECS
			? io->timeout_secs + LOGIN_PROXY_GRACE_SECS
			: LOGIN_PROXY_IDLE_SECS;
	int ret = -1;

	for (;;) {
		struct pollfd pfd[2];
		ssize_t n;
		int r;

		if (up_off == up_len && !client_eof && io_pending(io) > 0) {
			/* decrypted input already buffered in io */
			up_len = (size_t)io_read(io, up, sizeof(up));
			up_off = 0;
		}
		if (client_eof && up_off == up_len && !shut) {
			/* the session sees EOF, ends, and closes s */
			(void)shutdown(s, SHUT_WR);
			shut = true;
		}
		pfd[0].fd = up_off == up_len && !client_eof ? io->rfd : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = s;
		pfd[1].events = POLLIN | (up_off < up_len ? POLLOUT : 0);
		pfd[0].revents = pfd[1].revents = 0;
		r = poll(pfd, 2, (int)idle * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;  /* error or idle for too long */
		if (pfd[1].revents & POLLOUT) {
			n = login_proxy_send(s, up + up_off, up_len - up_off);
			if (n < 0)
				break;
			up_off += (size_t)n;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			do
				n = read(s, down, sizeof(down));
			while (n < 0 && errno == EINTR);
			if (n == 0) {
				ret = 0;        /* the session is over */
				break;
			}
			if (n < 0 || io_write(io, down, (size_t)n) < 0 ||
			    io_flush(io) < 0)
				break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* With TLS this may wait (within the io timeout) for
			 * the rest of a record the client is still sending. */
			n = io_read(io, up, sizeof(up));
			if (n < 0)
				break;
			if (n == 0)
				client_eof = true;
			up_len = n > 0 ? (size_t)n : 0;
			up_off = 0;
		}
	}
	explicit_bzero(up, sizeof(up));
	return ret;
}
