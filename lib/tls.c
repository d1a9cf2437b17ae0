/*
 * tls.c -- OpenSSL 3 under lib/io.h, server side (STARTTLS and implicit
 * TLS for quail-smtpd, quail-pop3d, quail-imapd) and client side
 * (quail-remote). RFC 8996 (no TLS 1.0/1.1), RFC 7525 / RFC 9325 cipher
 * guidance, RFC 3207 section 4.2 (STARTTLS), RFC 6125 (name checks).
 *
 * The SSL object reads and writes the io's fds directly; the fds are made
 * non-blocking and the handshake and every transfer wait in poll(2) under
 * the io's per-call timeout and session deadline, so a stalled peer cannot
 * hold a process forever. After the handshake tls_io_read/tls_io_write
 * are plugged into the io: they return -1/EAGAIN when OpenSSL wants to read
 * (read) or write (write), and io polls the matching fd; the crossed cases
 * (a read that must write, e.g. a TLS 1.3 key update) are waited for here.
 *
 * SECURITY: the plaintext the io buffered before the switch is dropped
 * (tls_accept/tls_connect call io_discard_input): a client that pipelines
 * commands after STARTTLS cannot have them run as if they came over TLS
 * (CVE-2011-0411). TLS 1.2 is the minimum, 1.2 suites are ECDHE with AEAD
 * only, compression, renegotiation and session resumption are off (each
 * inetd process is short-lived, tickets would only add key material).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls.h"

/* TLS 1.2 suites: forward secrecy and AEAD only, the server's order wins
 * (Mozilla "intermediate" without the DHE suites). TLS 1.3 suites are
 * OpenSSL's defaults, all of them AEAD. */
#define TLS_SERVER_CIPHERS_12 \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
/* Outbound we meet whatever MX software is out there: still TLS 1.2+ with
 * forward secrecy, but DHE and CBC with SHA-2 are accepted as well. */
#define TLS_CLIENT_CIPHERS_12 \
	TLS_SERVER_CIPHERS_12 ":" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:" \
	"DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:" \
	"ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:" \
	"ECDHE-RSA-AES256-SHA384"
/* Longest error text we build (file names are PATH_MAX at most, but the
 * message is for humans: it is cut, never overflowed). */
#define TLS_ERROR_MAX_BYTES 1024
/* "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256" and then some. */
#define TLS_INFO_MAX_BYTES 128

struct tls_server {
	SSL_CTX *ctx;
};

struct tls_client {
	SSL_CTX *ctx;
	bool verify;
};

struct tls_conn {
	SSL *ssl;
	struct io *io;          /* the io this connection is plugged into */
	bool verified;
	char info[TLS_INFO_MAX_BYTES];
};

static char tls_error_buf[TLS_ERROR_MAX_BYTES];

/* Formats "what: <OpenSSL's reason, or errno's>" into the static buffer,
 * clears OpenSSL's error queue, and returns the buffer. */
static const char *
tls_error(const char *what, int saved_errno)
{
	unsigned long e = ERR_peek_last_error();
	char reason[256];

	if (e != 0) {
		ERR_error_string_n(e, reason, sizeof(reason));
		snprintf(tls_error_buf, sizeof(tls_error_buf), "%s: %s", what,
			 reason);
	} else if (saved_errno != 0) {
		snprintf(tls_error_buf, sizeof(tls_error_buf), "%s: %s", what,
			 strerror(saved_errno));
	} else {
		snprintf(tls_error_buf, sizeof(tls_error_buf), "%s", what);
	}
	ERR_clear_error();
	return tls_error_buf;
}

/* Settings common to both sides. 0 / -1. */
static int
tls_ctx_common(SSL_CTX *ctx, const char *ciphers)
{
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		return -1;
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1)
		return -1;
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
			    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
			    SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* io retries a write with the same bytes but perhaps from a moved
	 * buffer, and accepts partial writes. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return 0;
}

/* Checks that path can be opened for reading (for a clear message naming
 * the file before OpenSSL's less readable one). 0 / -1 with errno. */
static int
tls_check_readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int
tls_server_new(struct tls_server **s_r, const char *cert_file,
	       const char *key_file, const char **error_r)
{
	struct tls_server *s;
	char what[TLS_ERROR_MAX_BYTES];

	*s_r = NULL;
	if (cert_file == NULL || *cert_file == '\0' ||
	    key_file == NULL || *key_file == '\0') {
		*error_r = "TLS certificate or key file not configured";
		return -1;
	}
	ERR_clear_error();
	if (tls_check_readable(cert_file) < 0) {
		snprintf(what, sizeof(what), "cannot read certificate %s",
			 cert_file);
		*error_r = tls_error(what, errno);
		return -1;
	}
	if (tls_check_readable(key_file) < 0) {
		snprintf(what, sizeof(what), "cannot read key %s", key_file);
		*error_r = tls_error(what, errno);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	s->ctx = SSL_CTX_new(TLS_server_method());
	if (s->ctx == NULL || tls_ctx_common(s->ctx, TLS_SERVER_CIPHERS_12) < 0) {
		*error_r = tls_error("cannot set up TLS", 0);
		goto fail;
	}
	SSL_CTX_set_options(s->ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(s->ctx, 0);
	if (SSL_CTX_use_certificate_chain_file(s->ctx, cert_file) != 1) {
		snprintf(what, sizeof(what), "bad certificate %s", cert_file);
		*error_r = tls_error(what, 0);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(s->ctx, key_file,
					SSL_FILETYPE_PEM) != 1) {
		unsigned long e = ERR_peek_last_error();

		/* OpenSSL already compares the key with the certificate. */
		if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
		    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(what, sizeof(what),
				 "key %s does not match certificate %s",
				 key_file, cert_file);
		else
			snprintf(what, sizeof(what), "bad key %s", key_file);
		*error_r = tls_error(what, 0);
		goto fail;
	}
	if (SSL_CTX_check_private_key(s->ctx) != 1) {
		snprintf(what, sizeof(what),
			 "key %s does not match certificate %s", key_file,
			 cert_file);
		*error_r = tls_error(what, 0);
		goto fail;
	}
	*s_r = s;
	return 0;
fail:
	SSL_CTX_free(s->ctx);
	free(s);
	return -1;
}

void
tls_server_free(struct tls_server **s)
{
	if (*s == NULL)
		return;
	SSL_CTX_free((*s)->ctx);
	free(*s);
	*s = NULL;
}

int
tls_client_new(struct tls_client **c_r, bool verify, const char **error_r)
{
	struct tls_client *c;

	*c_r = NULL;
	ERR_clear_error();
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	c->verify = verify;
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL || tls_ctx_common(c->ctx, TLS_CLIENT_CIPHERS_12) < 0) {
		*error_r = tls_error("cannot set up TLS", 0);
		goto fail;
	}
	/* The store is loaded in both modes: without verify the result is
	 * still computed and reported by tls_conn_verified (for the log). */
	if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		if (verify) {
			*error_r = tls_error("cannot load the system CA store", 0);
			goto fail;
		}
		ERR_clear_error();
	}
	SSL_CTX_set_verify(c->ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
			   NULL);
	*c_r = c;
	return 0;
fail:
	SSL_CTX_free(c->ctx);
	free(c);
	return -1;
}

void
tls_client_free(struct tls_client **c)
{
	if (*c == NULL)
		return;
	SSL_CTX_free((*c)->ctx);
	free(*c);
	*c = NULL;
}

static long long
tls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until fd is ready for events, bounded by io's per-call timeout and
 * session deadline (the same rules as io.c). 0 ready, -1 with errno
 * (ETIMEDOUT).
 */
static int
tls_wait(const struct io *io, int fd, short events)
{
	long long start = tls_now_ms(), left_ms, limit_ms;
	struct pollfd pfd;
	time_t now;
	int r;

	for (;;) {
		left_ms = -1;
		if (io->timeout_secs != 0) {
			left_ms = (long long)io->timeout_secs * 1000 -
				  (tls_now_ms() - start);
			if (left_ms <= 0)
				goto timeout;
		}
		if (io->deadline != 0) {
			now = time(NULL);
			if (now >= io->deadline)
				goto timeout;
			limit_ms = (long long)(io->deadline - now) * 1000;
			if (left_ms < 0 || limit_ms < left_ms)
				left_ms = limit_ms;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left_ms > 0x7fffffff ? 0x7fffffff
						       : (int)left_ms);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
	}
timeout:
	errno = ETIMEDOUT;
	return -1;
}

static int
tls_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	if ((fl & O_NONBLOCK) != 0)
		return 0;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * Classifies the result r of an SSL_* I/O call. Returns 1 to retry (after
 * waiting here when wait_all is set, or when OpenSSL wants the direction
 * the caller is not polling for), 0 with errno EAGAIN when the caller
 * should poll for its own direction, -1 error with errno, 2 clean EOF.
 */
static int
tls_io_result(struct tls_conn *conn, int r, bool reading, bool wait_all)
{
	int err = SSL_get_error(conn->ssl, r);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		if (wait_all || !reading) {
			if (tls_wait(conn->io, conn->io->rfd, POLLIN) < 0)
				return -1;
			return 1;
		}
		errno = EAGAIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		if (wait_all || reading) {
			if (tls_wait(conn->io, conn->io->wfd, POLLOUT) < 0)
				return -1;
			return 1;
		}
		errno = EAGAIN;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return 2;
	case SSL_ERROR_SYSCALL:
		if (errno == EINTR)
			return 1;
		if (errno == 0)
			errno = ECONNRESET;
		ERR_clear_error();
		return -1;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

static ssize_t
tls_io_read(void *ctx, void *p, size_t len)
{
	struct tls_conn *conn = ctx;
	int n, r;

	if (len > 0x7fffffff)
		len = 0x7fffffff;
	for (;;) {
		ERR_clear_error();
		errno = 0;
		n = SSL_read(conn->ssl, p, (int)len);
		if (n > 0)
			return n;
		r = tls_io_result(conn, n, true, false);
		if (r == 2)
			return 0;
		if (r == 1)
			continue;
		return -1;      /* EAGAIN (io polls rfd) or an error */
	}
}

static ssize_t
tls_io_write(void *ctx, const void *p, size_t len)
{
	struct tls_conn *conn = ctx;
	int n, r;

	if (len > 0x7fffffff)
		len = 0x7fffffff;
	for (;;) {
		ERR_clear_error();
		errno = 0;
		n = SSL_write(conn->ssl, p, (int)len);
		if (n > 0)
			return n;
		r = tls_io_result(conn, n, false, false);
		if (r == 1)
			continue;
		if (r == 2)
			errno = EPIPE;  /* the peer closed the TLS session */
		return -1;
	}
}

/* Common part of tls_accept and tls_connect, after SSL_new. */
static int
tls_handshake(struct tls_conn *conn, struct io *io, bool server,
	      const char **error_r)
{
	int n, r;

	conn->io = io;
	/* Whatever the peer sent in plaintext after the command that started
	 * TLS must not be taken as if it came through TLS. Our own pending
	 * output (the "ready to start TLS" reply) still goes out in clear. */
	io_discard_input(io);
	if (io_flush(io) < 0) {
		*error_r = tls_error("cannot send before the TLS handshake",
				     errno);
		return -1;
	}
	if (tls_set_nonblock(io->rfd) < 0 || tls_set_nonblock(io->wfd) < 0) {
		*error_r = tls_error("cannot make the connection non-blocking",
				     errno);
		return -1;
	}
	if (io->rfd == io->wfd)
		r = SSL_set_fd(conn->ssl, io->rfd);
	else
		r = SSL_set_rfd(conn->ssl, io->rfd) &&
		    SSL_set_wfd(conn->ssl, io->wfd);
	if (r != 1) {
		*error_r = tls_error("cannot attach TLS to the connection", 0);
		return -1;
	}
	for (;;) {
		ERR_clear_error();
		errno = 0;
		n = server ? SSL_accept(conn->ssl) : SSL_connect(conn->ssl);
		if (n == 1)
			break;
		if (SSL_get_error(conn->ssl, n) == SSL_ERROR_SSL) {
			long v = SSL_get_verify_result(conn->ssl);

			if (!server && v != X509_V_OK) {
				snprintf(tls_error_buf, sizeof(tls_error_buf),
					 "TLS handshake failed: certificate "
					 "verify failed: %s",
					 X509_verify_cert_error_string(v));
				ERR_clear_error();
				*error_r = tls_error_buf;
			} else {
				*error_r = tls_error("TLS handshake failed", 0);
			}
			return -1;
		}
		r = tls_io_result(conn, n, true, true);
		if (r == 1)
			continue;
		*error_r = tls_error("TLS handshake failed",
				     r == 2 ? ECONNRESET : errno);
		return -1;
	}
	snprintf(conn->info, sizeof(conn->info), "%s %s",
		 SSL_get_version(conn->ssl), SSL_get_cipher_name(conn->ssl));
	if (!server) {
		X509 *peer = SSL_get1_peer_certificate(conn->ssl);

		conn->verified = peer != NULL &&
			SSL_get_verify_result(conn->ssl) == X509_V_OK;
		X509_free(peer);
	}
	io_set_fns(io, tls_io_read, tls_io_write, conn);
	return 0;
}

int
tls_accept(struct tls_conn **conn_r, struct tls_server *s, struct io *io,
	   const char **error_r)
{
	struct tls_conn *conn;

	*conn_r = NULL;
	ERR_clear_error();
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	conn->ssl = SSL_new(s->ctx);
	if (conn->ssl == NULL) {
		*error_r = tls_error("cannot set up TLS", 0);
		free(conn);
		return -1;
	}
	if (tls_handshake(conn, io, true, error_r) < 0) {
		SSL_free(conn->ssl);
		free(conn);
		return -1;
	}
	*conn_r = conn;
	return 0;
}

/* True if host is an IPv4 or IPv6 literal (no SNI for those, RFC 6066 3). */
static bool
tls_host_is_ip(const char *host)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	       inet_pton(AF_INET6, host, tmp) == 1;
}

int
tls_connect(struct tls_conn **conn_r, struct tls_client *c, struct io *io,
	    const char *host, const char **error_r)
{
	struct tls_conn *conn;
	bool ip = host != NULL && tls_host_is_ip(host);

	*conn_r = NULL;
	ERR_clear_error();
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	conn->ssl = SSL_new(c->ctx);
	if (conn->ssl == NULL) {
		*error_r = tls_error("cannot set up TLS", 0);
		goto fail;
	}
	if (host != NULL && *host != '\0') {
		if (!ip && SSL_set_tlsext_host_name(conn->ssl, host) != 1) {
			*error_r = tls_error("cannot set the TLS server name", 0);
			goto fail;
		}
		/* The name check runs in both modes; it only aborts the
		 * handshake when verifying (SSL_VERIFY_PEER). */
		SSL_set_hostflags(conn->ssl,
				  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if ((ip ? X509_VERIFY_PARAM_set1_ip_asc(
				  SSL_get0_param(conn->ssl), host)
			: SSL_set1_host(conn->ssl, host)) != 1) {
			*error_r = tls_error("cannot set the TLS host name", 0);
			goto fail;
		}
	} else if (c->verify) {
		*error_r = "TLS verification needs a host name";
		goto fail;
	}
	if (tls_handshake(conn, io, false, error_r) < 0)
		goto fail;
	*conn_r = conn;
	return 0;
fail:
	SSL_free(conn->ssl);
	free(conn);
	return -1;
}

const char *
tls_conn_info(const struct tls_conn *conn)
{
	return conn->info;
}

bool
tls_conn_verified(const struct tls_conn *conn)
{
	return conn->verified;
}

void
tls_conn_free(struct tls_conn **conn)
{
	if (*conn == NULL)
		return;
	/* One close_notify, without waiting for the peer's: the socket is
	 * non-blocking and the connection is about to be closed anyway. */
	ERR_clear_error();
	if (SSL_is_init_finished((*conn)->ssl))
		(void)SSL_shutdown((*conn)->ssl);
	ERR_clear_error();
	SSL_free((*conn)->ssl);
	free(*conn);
	*conn = NULL;
}
