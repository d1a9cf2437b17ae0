/*
 * test_tls.c -- lib/tls.c: a real handshake over a socketpair (the client
 * in a forked child), data both ways through io including more than one
 * TLS record and partial writes, STARTTLS plaintext discarded at the
 * switch, TLS 1.1 refused, client-initiated renegotiation refused,
 * verification of an untrusted certificate,
 * handshake timeout, clean EOF, every certificate/key loading error, and
 * the lazy setup (tls_server_load: cheap checks without OpenSSL, then
 * tls_server_prepare or tls_accept), with the file size limit.
 * The throwaway certificates are made with the openssl command.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "io.h"
#include "tls.h"

#define BIG_BYTES (200 * 1024)

static char dir[64];
static char cert[128], key[128], other_key[128], garbage[128], missing[128];

static int
run(const char *cmd)
{
	int r = system(cmd);

	return r == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	char cmd[1024];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(other_key, sizeof(other_key), "%s/other.pem", dir);
	snprintf(garbage, sizeof(garbage), "%s/garbage.pem", dir);
	snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256"
		 " -nodes -keyout %s -out %s -days 2 -subj /CN=localhost"
		 " -addext subjectAltName=DNS:localhost >/dev/null 2>&1 &&"
		 " openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256"
		 " -out %s >/dev/null 2>&1 && echo 'not a certificate' > %s",
		 key, cert, other_key, garbage);
	return run(cmd);
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return run(cmd);
}

static struct tls_server *
server(void)
{
	struct tls_server *s = NULL;
	const char *error = NULL;

	if (tls_server_new(&s, cert, key, &error) < 0)
		fail_msg("tls_server_new: %s", error);
	return s;
}

/* Forks; the child runs fn(fd) and exits with its result. */
static pid_t
spawn(int (*fn)(int fd), int *parent_fd_r)
{
	int sv[2];
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		_exit(fn(sv[1]));
	}
	close(sv[1]);
	*parent_fd_r = sv[0];
	return pid;
}

static int
child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
fill_big(unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)('a' + i % 26);
}

/* Client: reads "hello", the big block, sends "reply" and its own block. */
static int
client_data(int fd)
{
	static struct io io;
	static unsigned char big[BIG_BYTES], got[BIG_BYTES];
	struct tls_client *c = NULL;
	struct tls_conn *conn = NULL;
	struct buf line;
	const char *error;
	size_t have = 0;
	ssize_t n;

	buf_init(&line, 1024);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (tls_client_new(&c, false, &error) < 0 ||
	    tls_connect(&conn, c, &io, "localhost", &error) < 0)
		return 10;
	if (tls_conn_verified(conn))    /* self-signed: not verified */
		return 11;
	if (io_getline(&io, &line, 100, NULL) != IO_LINE_OK ||
	    strcmp((char *)line.data, "hello") != 0)
		return 12;
	fill_big(big, sizeof(big));
	while (have < sizeof(got)) {
		n = io_read(&io, got + have, sizeof(got) - have);
		if (n <= 0)
			return 13;
		have += (size_t)n;
	}
	if (memcmp(big, got, sizeof(big)) != 0)
		return 14;
	if (io_puts(&io, "reply\r\n") < 0 ||
	    io_write(&io, big, sizeof(big)) < 0 || io_flush(&io) < 0)
		return 15;
	/* Wait for the server's close: EOF through TLS. */
	if (io_getline(&io, &line, 100, NULL) != IO_LINE_EOF)
		return 16;
	tls_conn_free(&conn);
	tls_client_free(&c);
	buf_free(&line);
	return 0;
}

static void
test_handshake_data(void **state)
{
	static struct io io;
	static unsigned char big[BIG_BYTES], got[BIG_BYTES];
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	struct buf line;
	const char *error = NULL;
	size_t have = 0;
	ssize_t n;
	int fd, wfd;
	pid_t pid;

	(void)state;
	buf_init(&line, 1024);
	pid = spawn(client_data, &fd);
	/* Separate read and write fds on one socket, as inetd's 0 and 1. */
	wfd = dup(fd);
	assert_true(wfd >= 0);
	io_init(&io, fd, wfd);
	io_set_timeout(&io, 10);
	if (tls_accept(&conn, s, &io, &error) < 0)
		fail_msg("tls_accept: %s", error);
	assert_non_null(conn);
	assert_true(strncmp(tls_conn_info(conn), "TLSv1.3 TLS_", 12) == 0);
	assert_false(tls_conn_verified(conn));
	fill_big(big, sizeof(big));
	assert_int_equal(io_puts(&io, "hello\r\n"), 0);
	assert_int_equal(io_write(&io, big, sizeof(big)), 0);
	assert_int_equal(io_flush(&io), 0);
	assert_int_equal(io_getline(&io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal((char *)line.data, "reply");
	while (have < sizeof(got)) {
		n = io_read(&io, got + have, sizeof(got) - have);
		assert_true(n > 0);
		have += (size_t)n;
	}
	assert_memory_equal(big, got, sizeof(big));
	tls_conn_free(&conn);
	assert_null(conn);
	close(wfd);
	close(fd);
	assert_int_equal(child_status(pid), 0);
	tls_server_free(&s);
	assert_null(s);
	buf_free(&line);
}

/* Client: plaintext "STARTTLS" and a pipelined "NOOP" in ONE write, then
 * waits for the 220 and starts TLS, then sends "AFTER". */
static int
client_starttls(int fd)
{
	static struct io io;
	static const char cmds[] = "STARTTLS\r\nNOOP\r\n";
	struct tls_client *c = NULL;
	struct tls_conn *conn = NULL;
	struct buf line;
	const char *error;

	buf_init(&line, 1024);
	if (write(fd, cmds, sizeof(cmds) - 1) != (ssize_t)sizeof(cmds) - 1)
		return 10;
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (io_getline(&io, &line, 100, NULL) != IO_LINE_OK ||
	    strcmp((char *)line.data, "220 go") != 0)
		return 11;
	if (tls_client_new(&c, false, &error) < 0 ||
	    tls_connect(&conn, c, &io, "localhost", &error) < 0)
		return 12;
	if (io_puts(&io, "AFTER\r\n") < 0 || io_flush(&io) < 0)
		return 13;
	tls_conn_free(&conn);
	tls_client_free(&c);
	buf_free(&line);
	return 0;
}

static void
test_starttls_discards_plaintext(void **state)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	struct buf line;
	const char *error = NULL;
	int fd;
	pid_t pid;

	(void)state;
	buf_init(&line, 1024);
	pid = spawn(client_starttls, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	assert_int_equal(io_getline(&io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal((char *)line.data, "STARTTLS");
	/* The pipelined NOOP is in the buffer now ... */
	assert_int_equal(io_pending(&io), 6);
	/* ... and the reply is still unsent: tls_accept must send it. */
	assert_int_equal(io_puts(&io, "220 go\r\n"), 0);
	if (tls_accept(&conn, s, &io, &error) < 0)
		fail_msg("tls_accept: %s", error);
	assert_int_equal(io_getline(&io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal((char *)line.data, "AFTER");
	assert_int_equal(io_getline(&io, &line, 100, NULL), IO_LINE_EOF);
	tls_conn_free(&conn);
	close(fd);
	assert_int_equal(child_status(pid), 0);
	tls_server_free(&s);
	buf_free(&line);
}

/* Client: raw OpenSSL limited to TLS 1.1 (security level 0 so that the
 * client itself would allow it); the handshake must fail. */
static int
client_tls11(int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int r;

	if (ctx == NULL)
		return 10;
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	r = SSL_connect(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return r == 1 ? 20 : 0;
}

static void
test_tls11_refused(void **state)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	int fd;
	pid_t pid;

	(void)state;
	pid = spawn(client_tls11, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	assert_int_equal(tls_accept(&conn, s, &io, &error), -1);
	assert_null(conn);
	assert_non_null(strstr(error, "TLS handshake failed"));
	assert_non_null(strstr(error, "protocol"));
	close(fd);
	assert_int_equal(child_status(pid), 0);
	tls_server_free(&s);
}

/* Client: TLS 1.2 (1.3 has no renegotiation), sends a line, then asks
 * for a renegotiation, which the server must refuse. */
static int
client_renegotiate(int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int r;

	if (ctx == NULL ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1)
		return 10;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		return 11;
	if (SSL_write(ssl, "before\r\n", 8) != 8)
		return 12;
	if (SSL_renegotiate(ssl) != 1)
		return 13;
	r = SSL_do_handshake(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return r == 1 ? 20 : 0;
}

static void
test_renegotiation_refused(void **state)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	struct buf line;
	int fd;
	pid_t pid;

	(void)state;
	buf_init(&line, 100);
	pid = spawn(client_renegotiate, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	assert_int_equal(tls_accept(&conn, s, &io, &error), 0);
	assert_int_equal(io_getline(&io, &line, 100, NULL), IO_LINE_OK);
	assert_string_equal((char *)line.data, "before");
	/* the renegotiation is refused: the client gives up the
	 * connection, and no further line arrives */
	assert_int_not_equal(io_getline(&io, &line, 100, NULL), IO_LINE_OK);
	assert_int_equal(child_status(pid), 0);
	tls_conn_free(&conn);
	close(fd);
	tls_server_free(&s);
	buf_free(&line);
}

/* Client in verify mode: the self-signed certificate is not trusted. */
static int
client_verify(int fd)
{
	static struct io io;
	struct tls_client *c = NULL;
	struct tls_conn *conn = NULL;
	const char *error = NULL;

	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (tls_client_new(&c, true, &error) < 0)
		return 10;
	if (tls_connect(&conn, c, &io, "localhost", &error) == 0)
		return 11;
	if (conn != NULL || strstr(error, "certificate verify failed") == NULL)
		return 12;
	/* Verification needs a name. */
	if (tls_connect(&conn, c, &io, NULL, &error) == 0 ||
	    strstr(error, "host name") == NULL)
		return 13;
	tls_client_free(&c);
	return 0;
}

static void
test_verify_untrusted(void **state)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	int fd;
	pid_t pid;

	(void)state;
	pid = spawn(client_verify, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	assert_int_equal(tls_accept(&conn, s, &io, &error), -1);
	close(fd);
	assert_int_equal(child_status(pid), 0);
	tls_server_free(&s);
}

/* Client in verify mode trusting our certificate (SSL_CERT_FILE is the
 * "system store" for OpenSSL): the right name verifies, a wrong one not. */
static const char *verify_host;

static int
client_verify_trusted(int fd)
{
	static struct io io;
	struct tls_client *c = NULL;
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	bool want_ok = strcmp(verify_host, "localhost") == 0;

	setenv("SSL_CERT_FILE", cert, 1);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (tls_client_new(&c, true, &error) < 0)
		return 10;
	if (tls_connect(&conn, c, &io, verify_host, &error) == 0) {
		if (!want_ok)
			return 11;
		if (!tls_conn_verified(conn))
			return 12;
		tls_conn_free(&conn);
	} else if (want_ok || strstr(error, "hostname mismatch") == NULL) {
		return 13;
	}
	tls_client_free(&c);
	return 0;
}

static void
verify_trusted(const char *host, int want_accept)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	int fd;
	pid_t pid;

	verify_host = host;
	pid = spawn(client_verify_trusted, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	assert_int_equal(tls_accept(&conn, s, &io, &error), want_accept);
	tls_conn_free(&conn);
	close(fd);
	assert_int_equal(child_status(pid), 0);
	tls_server_free(&s);
}

static void
test_verify_trusted(void **state)
{
	(void)state;
	verify_trusted("localhost", 0);
	verify_trusted("otherhost", -1);
}

/* Raw OpenSSL client limited to TLS 1.2 offering the given suites; the
 * server side checks what was negotiated. */
static const char *client12_ciphers;

static int
client_tls12(int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int r;

	if (ctx == NULL)
		return 10;
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, client12_ciphers);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	r = SSL_connect(ssl);
	if (r == 1)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return r == 1 ? 0 : 1;
}

static void
tls12(const char *ciphers, const char *want_info)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	int fd;
	pid_t pid;

	client12_ciphers = ciphers;
	pid = spawn(client_tls12, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (want_info != NULL) {
		if (tls_accept(&conn, s, &io, &error) < 0)
			fail_msg("tls_accept: %s", error);
		assert_string_equal(tls_conn_info(conn), want_info);
		tls_conn_free(&conn);
	} else {
		assert_int_equal(tls_accept(&conn, s, &io, &error), -1);
	}
	close(fd);
	assert_int_equal(child_status(pid), want_info != NULL ? 0 : 1);
	tls_server_free(&s);
}

static void
test_tls12_ciphers(void **state)
{
	(void)state;
	/* The server's order wins over the client's. */
	tls12("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
	      "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
	tls12("ECDHE-ECDSA-CHACHA20-POLY1305",
	      "TLSv1.2 ECDHE-ECDSA-CHACHA20-POLY1305");
	/* CBC and static-RSA suites are refused. */
	tls12("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384", NULL);
}

/* Client that connects and says nothing. */
static int
client_silent(int fd)
{
	char c;

	/* Returns when the server closes its end. */
	return read(fd, &c, 1) == 0 ? 0 : 10;
}

static void
test_handshake_timeout(void **state)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	time_t start;
	int fd;
	pid_t pid;

	(void)state;
	pid = spawn(client_silent, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 1);
	start = time(NULL);
	assert_int_equal(tls_accept(&conn, s, &io, &error), -1);
	assert_true(time(NULL) - start <= 3);
	assert_non_null(strstr(error, "timed out"));
	close(fd);
	assert_int_equal(child_status(pid), 0);
	tls_server_free(&s);
}

/* Client that closes at once: the handshake sees EOF. */
static int
client_close(int fd)
{
	close(fd);
	return 0;
}

static void
test_handshake_eof(void **state)
{
	static struct io io;
	struct tls_server *s = server();
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	int fd;
	pid_t pid;

	(void)state;
	pid = spawn(client_close, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 5);
	assert_int_equal(child_status(pid), 0);
	assert_int_equal(tls_accept(&conn, s, &io, &error), -1);
	assert_null(conn);
	assert_non_null(strstr(error, "TLS handshake failed"));
	close(fd);
	tls_server_free(&s);
}

/* Writes len bytes of text padding (PEM readers skip text outside blocks)
 * followed by the certificate file into path; the result is exactly
 * total bytes long. */
static void
write_padded_cert(const char *path, size_t total)
{
	FILE *in = fopen(cert, "r"), *out = fopen(path, "w");
	char pem[8192];
	size_t n, pad;

	assert_non_null(in);
	assert_non_null(out);
	n = fread(pem, 1, sizeof(pem), in);
	assert_true(n > 0 && n < total);
	pad = total - n;
	for (size_t i = 0; i < pad; i++)
		fputc(i % 64 == 63 || i == pad - 1 ? '\n' : 'x', out);
	assert_int_equal(fwrite(pem, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Client: handshake, reads "hi", then waits for the server's close. */
static int
client_hi(int fd)
{
	static struct io io;
	struct tls_client *c = NULL;
	struct tls_conn *conn = NULL;
	struct buf line;
	const char *error;

	buf_init(&line, 1024);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (tls_client_new(&c, false, &error) < 0 ||
	    tls_connect(&conn, c, &io, "localhost", &error) < 0)
		return 10;
	if (io_getline(&io, &line, 100, NULL) != IO_LINE_OK ||
	    strcmp((char *)line.data, "hi") != 0)
		return 12;
	if (io_getline(&io, &line, 100, NULL) != IO_LINE_EOF)
		return 16;
	tls_conn_free(&conn);
	tls_client_free(&c);
	buf_free(&line);
	return 0;
}

/* A loaded but not prepared server: tls_accept sets OpenSSL up itself. */
static void
test_lazy_accept(void **state)
{
	static struct io io;
	struct tls_server *s = NULL;
	struct tls_conn *conn = NULL;
	const char *error = NULL;
	char chain[160], cmd[512];
	int fd;
	pid_t pid;

	(void)state;
	/* a chain file: our certificate, then one more (as an intermediate) */
	snprintf(chain, sizeof(chain), "%s/chain.pem", dir);
	snprintf(cmd, sizeof(cmd), "cat %s %s > %s", cert, cert, chain);
	assert_int_equal(run(cmd), 0);
	if (tls_server_load(&s, chain, key, &error) < 0)
		fail_msg("tls_server_load: %s", error);
	pid = spawn(client_hi, &fd);
	io_init(&io, fd, fd);
	io_set_timeout(&io, 10);
	if (tls_accept(&conn, s, &io, &error) < 0)
		fail_msg("tls_accept: %s", error);
	assert_int_equal(io_puts(&io, "hi\r\n"), 0);
	assert_int_equal(io_flush(&io), 0);
	tls_conn_free(&conn);
	close(fd);
	assert_int_equal(child_status(pid), 0);
	/* prepared now: preparing again is a no-op */
	assert_int_equal(tls_server_prepare(s, &error), 0);
	tls_server_free(&s);
	assert_null(s);
}

/* What tls_server_load finds without OpenSSL, and what only
 * tls_server_prepare finds; the size limit at limit-1, limit, limit+1. */
static void
test_load_then_prepare(void **state)
{
	struct load_case {
		const char *text;       /* certificate file contents */
		int load, prepare;      /* expected results */
		const char *want;       /* substring of the error */
	};
	const struct load_case cases[] = {
		{ "", -1, 0, "empty file" },
		{ "-----BEGIN CERTIFICATE-----\nAAAA\n", -1, 0, "no PEM" },
		{ "x-----BEGIN CERTIFICATE-----\nAAAA\n"
		  "-----END CERTIFICATE-----\n", -1, 0, "no PEM" },
		{ "-----BEGIN PRIVATE KEY-----\nAAAA\n"
		  "-----END PRIVATE KEY-----\n", -1, 0, "no PEM" },
		/* the markers are there, the contents are not a certificate */
		{ "-----BEGIN CERTIFICATE-----\nAAAA\n"
		  "-----END CERTIFICATE-----\n", 0, -1, "bad certificate" },
		{ "junk\r\n-----BEGIN CERTIFICATE-----\r\nAAAA\r\n"
		  "-----END CERTIFICATE-----\r\n", 0, -1, "bad certificate" },
	};
	struct tls_server *s;
	const char *error;
	char path[160], msg[1200];

	(void)state;
	snprintf(path, sizeof(path), "%s/case.pem", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(path, cases[i].text);
		s = (struct tls_server *)1;
		error = NULL;
		assert_int_equal(tls_server_load(&s, path, key, &error),
				 cases[i].load);
		if (cases[i].load < 0) {
			assert_null(s);
			if (strstr(error, cases[i].want) == NULL ||
			    strstr(error, path) == NULL)
				fail_msg("case %zu: %s", i, error);
			continue;
		}
		assert_int_equal(tls_server_prepare(s, &error), -1);
		snprintf(msg, sizeof(msg), "%s", error);
		if (strstr(msg, cases[i].want) == NULL ||
		    strstr(msg, path) == NULL)
			fail_msg("case %zu: %s", i, msg);
		/* fails again, with the same message */
		assert_int_equal(tls_server_prepare(s, &error), -1);
		assert_string_equal(error, msg);
		tls_server_free(&s);
	}

	/* A key of another pair passes the cheap check, not the real one. */
	assert_int_equal(tls_server_load(&s, cert, other_key, &error), 0);
	assert_int_equal(tls_server_prepare(s, &error), -1);
	assert_non_null(strstr(error, "does not match"));
	assert_non_null(strstr(error, other_key));
	tls_server_free(&s);

	/* TLS_PEM_MAX_BYTES: limit-1 and limit load and work, limit+1 not. */
	for (int d = -1; d <= 1; d++) {
		write_padded_cert(path, (size_t)(TLS_PEM_MAX_BYTES + d));
		error = NULL;
		if (d <= 0) {
			if (tls_server_load(&s, path, key, &error) < 0 ||
			    tls_server_prepare(s, &error) < 0)
				fail_msg("size limit%+d: %s", d, error);
			tls_server_free(&s);
		} else {
			assert_int_equal(tls_server_load(&s, path, key, &error),
					 -1);
			assert_non_null(strstr(error, "larger than"));
		}
	}
}

struct bad_case {
	const char *cert, *key;
	const char *want[2];    /* substrings of the error */
};

static void
test_bad_files(void **state)
{
	const struct bad_case cases[] = {
		{ missing, key, { "cannot read certificate", missing } },
		{ cert, missing, { "cannot read key", missing } },
		{ garbage, key, { "bad certificate", garbage } },
		{ cert, garbage, { "bad key", garbage } },
		{ key, key, { "bad certificate", key } },
		{ cert, other_key, { "does not match", other_key } },
		{ "", key, { "not configured", "not configured" } },
		{ cert, "", { "not configured", "not configured" } },
		{ dir, key, { "bad certificate", dir } },
	};
	struct tls_server *s;
	const char *error;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = (struct tls_server *)1;
		error = NULL;
		assert_int_equal(tls_server_new(&s, cases[i].cert,
						cases[i].key, &error), -1);
		assert_null(s);
		assert_non_null(error);
		if (strstr(error, cases[i].want[0]) == NULL ||
		    strstr(error, cases[i].want[1]) == NULL)
			fail_msg("case %zu: %s", i, error);
	}
	/* And the good pair loads. */
	s = server();
	tls_server_free(&s);
	tls_server_free(&s);    /* NULL is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_data),
		cmocka_unit_test(test_starttls_discards_plaintext),
		cmocka_unit_test(test_tls11_refused),
		cmocka_unit_test(test_renegotiation_refused),
		cmocka_unit_test(test_verify_untrusted),
		cmocka_unit_test(test_verify_trusted),
		cmocka_unit_test(test_tls12_ciphers),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_handshake_eof),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_lazy_accept),
		cmocka_unit_test(test_load_then_prepare),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
