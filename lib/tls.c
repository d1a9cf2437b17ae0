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
 * Server setup is lazy (tls_server_load / tls_server_prepare): the PEM
 * files are read as root and checked without OpenSSL; OpenSSL is
 * initialised and the SSL_CTX built only for a session that starts TLS,
 * from the bytes in memory (after the privilege drop), and the key bytes
 * are wiped right after (explicit_bzero), or when the server is freed.
 * This keeps OpenSSL's loading (below: dlopen), initialisation,
 * configuration file and certificate parsing (together about 4 ms of CPU
 * and 4.5 MB of touched memory per session) out of plaintext sessions.
 *
 * SECURITY: the plaintext the io buffered before the switch is dropped
 * (tls_accept/tls_connect call io_discard_input): a client that pipelines
 * commands after STARTTLS cannot have them run as if they came over TLS
 * (CVE-2011-0411). TLS 1.2 is the minimum, 1.2 suites are ECDHE with AEAD
 * only, compression, renegotiation and session resumption are off (each
 * inetd process is short-lived, tickets would only add key material).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <arpa/inet.h>
#include <openssl/pem.h>
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

/*
 * OpenSSL is not linked: libssl.so.3 (and with it libcrypto.so.3) is
 * dlopen()ed the first time a TLS context is set up (tls_openssl_load).
 * A plaintext session of the per-connection daemons then never maps
 * OpenSSL: its loading costs are paid only by sessions that use TLS.
 * Measured per quail-smtpd plaintext session (bench/README.md): linked
 * dynamically 3.3 ms CPU and 3.9 MB VmHWM, statically 2.3 ms and 3.4 MB
 * (static PIE: 18,000 relocations at every exec), dlopen()ed 1.7 ms and
 * 2.2 MB. The price: a STARTTLS session costs about as much CPU as
 * linked dynamically, up to 1 ms more than statically, and its TLS
 * process peaks 1.3 MB higher (it relocates libcrypto itself instead of
 * inheriting the relocated pages). Every OpenSSL
 * function used below goes through this table; the #defines after it
 * make the code read as ordinary OpenSSL calls (the macros of ssl.h such
 * as SSL_CTX_set_min_proto_version expand to SSL_CTX_ctrl, which is then
 * rewritten too). The types come from the headers we compile against and
 * the soname carries the ABI version, so a mismatch cannot load.
 *
 * SECURITY: the library is found as the dynamic linker finds any other
 * (ld.so.cache, system directories; the same environment that already
 * decided how this program itself was linked). It is loaded after the
 * privilege drop, by the unprivileged process that speaks TLS.
 */
#if OPENSSL_VERSION_MAJOR != 3
#error "lib/tls.c loads libssl.so.3: build against OpenSSL 3"
#endif
#define TLS_LIBSSL_SONAME "libssl.so.3"

#define TLS_OPENSSL_FUNCTIONS(X) \
	X(BIO_free) \
	X(BIO_new_mem_buf) \
	X(ERR_clear_error) \
	X(ERR_error_string_n) \
	X(ERR_peek_last_error) \
	X(EVP_PKEY_free) \
	X(PEM_read_bio_PrivateKey) \
	X(PEM_read_bio_X509) \
	X(PEM_read_bio_X509_AUX) \
	X(SSL_CIPHER_get_name) \
	X(SSL_CTX_check_private_key) \
	X(SSL_CTX_ctrl) \
	X(SSL_CTX_free) \
	X(SSL_CTX_new) \
	X(SSL_CTX_set_cipher_list) \
	X(SSL_CTX_set_default_verify_paths) \
	X(SSL_CTX_set_num_tickets) \
	X(SSL_CTX_set_options) \
	X(SSL_CTX_set_verify) \
	X(SSL_CTX_use_PrivateKey) \
	X(SSL_CTX_use_certificate) \
	X(SSL_accept) \
	X(SSL_connect) \
	X(SSL_ctrl) \
	X(SSL_free) \
	X(SSL_get0_param) \
	X(SSL_get1_peer_certificate) \
	X(SSL_get_current_cipher) \
	X(SSL_get_error) \
	X(SSL_get_verify_result) \
	X(SSL_get_version) \
	X(SSL_is_init_finished) \
	X(SSL_new) \
	X(SSL_read) \
	X(SSL_set1_host) \
	X(SSL_set_fd) \
	X(SSL_set_hostflags) \
	X(SSL_set_rfd) \
	X(SSL_set_wfd) \
	X(SSL_shutdown) \
	X(SSL_write) \
	X(TLS_client_method) \
	X(TLS_server_method) \
	X(X509_VERIFY_PARAM_set1_ip_asc) \
	X(X509_free) \
	X(X509_verify_cert_error_string)

#define TLS_OPENSSL_MEMBER(name) __typeof__(&name) name;
static struct {
	TLS_OPENSSL_FUNCTIONS(TLS_OPENSSL_MEMBER)
} tls_ossl;
static bool tls_ossl_loaded;

static char tls_load_error[TLS_ERROR_MAX_BYTES];

/* Loads OpenSSL once. 0 / -1 with *error_r. */
static int
tls_openssl_load(const char **error_r)
{
	void *h;
	const char *missing = NULL;

	if (tls_ossl_loaded)
		return 0;
	if (tls_load_error[0] != '\0') {
		*error_r = tls_load_error;
		return -1;
	}
	h = dlopen(TLS_LIBSSL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();

		snprintf(tls_load_error, sizeof(tls_load_error),
			 "cannot load OpenSSL: %s",
			 e != NULL ? e : TLS_LIBSSL_SONAME);
		*error_r = tls_load_error;
		return -1;
	}
	/* dlsym on the handle also searches libssl's dependencies, i.e.
	 * libcrypto.so.3. A data pointer converted to a function pointer:
	 * POSIX guarantees this works for dlsym. */
#define TLS_OPENSSL_LOOKUP(name) \
	if (missing == NULL) { \
		*(void **)&tls_ossl.name = dlsym(h, #name); \
		if (tls_ossl.name == NULL) \
			missing = #name; \
	}
	TLS_OPENSSL_FUNCTIONS(TLS_OPENSSL_LOOKUP)
#undef TLS_OPENSSL_LOOKUP
	if (missing != NULL) {
		/* h stays open: dlclose of OpenSSL is not safe */
		snprintf(tls_load_error, sizeof(tls_load_error),
			 "cannot load OpenSSL: %s lacks %s", TLS_LIBSSL_SONAME,
			 missing);
		*error_r = tls_load_error;
		memset(&tls_ossl, 0, sizeof(tls_ossl));
		return -1;
	}
	tls_ossl_loaded = true;
	return 0;
}

/* From here on, every OpenSSL function is called through tls_ossl. */
#define BIO_free (*tls_ossl.BIO_free)
#define BIO_new_mem_buf (*tls_ossl.BIO_new_mem_buf)
#define ERR_clear_error (*tls_ossl.ERR_clear_error)
#define ERR_error_string_n (*tls_ossl.ERR_error_string_n)
#define ERR_peek_last_error (*tls_ossl.ERR_peek_last_error)
#define EVP_PKEY_free (*tls_ossl.EVP_PKEY_free)
#define PEM_read_bio_PrivateKey (*tls_ossl.PEM_read_bio_PrivateKey)
#define PEM_read_bio_X509 (*tls_ossl.PEM_read_bio_X509)
#define PEM_read_bio_X509_AUX (*tls_ossl.PEM_read_bio_X509_AUX)
#define SSL_CIPHER_get_name (*tls_ossl.SSL_CIPHER_get_name)
#define SSL_CTX_check_private_key (*tls_ossl.SSL_CTX_check_private_key)
#define SSL_CTX_ctrl (*tls_ossl.SSL_CTX_ctrl)
#define SSL_CTX_free (*tls_ossl.SSL_CTX_free)
#define SSL_CTX_new (*tls_ossl.SSL_CTX_new)
#define SSL_CTX_set_cipher_list (*tls_ossl.SSL_CTX_set_cipher_list)
#define SSL_CTX_set_default_verify_paths (*tls_ossl.SSL_CTX_set_default_verify_paths)
#define SSL_CTX_set_num_tickets (*tls_ossl.SSL_CTX_set_num_tickets)
#define SSL_CTX_set_options (*tls_ossl.SSL_CTX_set_options)
#define SSL_CTX_set_verify (*tls_ossl.SSL_CTX_set_verify)
#define SSL_CTX_use_PrivateKey (*tls_ossl.SSL_CTX_use_PrivateKey)
#define SSL_CTX_use_certificate (*tls_ossl.SSL_CTX_use_certificate)
#define SSL_accept (*tls_ossl.SSL_accept)
#define SSL_connect (*tls_ossl.SSL_connect)
#define SSL_ctrl (*tls_ossl.SSL_ctrl)
#define SSL_free (*tls_ossl.SSL_free)
#define SSL_get0_param (*tls_ossl.SSL_get0_param)
#define SSL_get1_peer_certificate (*tls_ossl.SSL_get1_peer_certificate)
#define SSL_get_current_cipher (*tls_ossl.SSL_get_current_cipher)
#define SSL_get_error (*tls_ossl.SSL_get_error)
#define SSL_get_verify_result (*tls_ossl.SSL_get_verify_result)
#define SSL_get_version (*tls_ossl.SSL_get_version)
#define SSL_is_init_finished (*tls_ossl.SSL_is_init_finished)
#define SSL_new (*tls_ossl.SSL_new)
#define SSL_read (*tls_ossl.SSL_read)
#define SSL_set1_host (*tls_ossl.SSL_set1_host)
#define SSL_set_fd (*tls_ossl.SSL_set_fd)
#define SSL_set_hostflags (*tls_ossl.SSL_set_hostflags)
#define SSL_set_rfd (*tls_ossl.SSL_set_rfd)
#define SSL_set_wfd (*tls_ossl.SSL_set_wfd)
#define SSL_shutdown (*tls_ossl.SSL_shutdown)
#define SSL_write (*tls_ossl.SSL_write)
#define TLS_client_method (*tls_ossl.TLS_client_method)
#define TLS_server_method (*tls_ossl.TLS_server_method)
#define X509_VERIFY_PARAM_set1_ip_asc (*tls_ossl.X509_VERIFY_PARAM_set1_ip_asc)
#define X509_free (*tls_ossl.X509_free)
#define X509_verify_cert_error_string (*tls_ossl.X509_verify_cert_error_string)

struct tls_server {
	SSL_CTX *ctx;                   /* NULL until tls_server_prepare */
	char *cert_pem, *key_pem;       /* file contents until then */
	size_t cert_len, key_len;
	char *cert_file, *key_file;     /* for the messages */
	char failed[TLS_ERROR_MAX_BYTES];  /* why prepare failed, or "" */
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

/* Reads a PEM file into a NUL-terminated malloc'd buffer. what is
 * "certificate" or "key", for the messages. 0 / -1 with *error_r. */
static int
tls_read_pem(const char *path, const char *what, char **data_r,
	     size_t *len_r, const char **error_r)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, saved;

	*data_r = NULL;
	*len_r = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		saved = errno;
		snprintf(tls_error_buf, sizeof(tls_error_buf),
			 "cannot read %s %s: %s", what, path, strerror(saved));
		*error_r = tls_error_buf;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		snprintf(tls_error_buf, sizeof(tls_error_buf),
			 "cannot read %s %s: %s", what, path, strerror(saved));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(tls_error_buf, sizeof(tls_error_buf),
			 "bad %s %s: not a regular file", what, path);
		goto fail;
	}
	if (st.st_size <= 0 || st.st_size > TLS_PEM_MAX_BYTES) {
		if (st.st_size <= 0)
			snprintf(tls_error_buf, sizeof(tls_error_buf),
				 "bad %s %s: empty file", what, path);
		else
			snprintf(tls_error_buf, sizeof(tls_error_buf),
				 "bad %s %s: larger than %d bytes", what, path,
				 TLS_PEM_MAX_BYTES);
		goto fail;
	}
	/* One byte more than the size: a file that grew meanwhile is seen. */
	data = malloc((size_t)st.st_size + 2);
	if (data == NULL) {
		snprintf(tls_error_buf, sizeof(tls_error_buf), "out of memory");
		goto fail;
	}
	while (len < (size_t)st.st_size + 1) {
		n = read(fd, data + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			snprintf(tls_error_buf, sizeof(tls_error_buf),
				 "cannot read %s %s: %s", what, path,
				 strerror(saved));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len != (size_t)st.st_size) {
		snprintf(tls_error_buf, sizeof(tls_error_buf),
			 "cannot read %s %s: file changed while read", what,
			 path);
		goto fail;
	}
	close(fd);
	data[len] = '\0';
	*data_r = data;
	*len_r = len;
	return 0;
fail:
	if (data != NULL) {
		explicit_bzero(data, (size_t)st.st_size + 2);
		free(data);
	}
	close(fd);
	*error_r = tls_error_buf;
	return -1;
}

/* True if data (NUL-terminated) has a line "-----BEGIN <label>-----"
 * whose label ends with suffix and is one of labels (NULL-terminated),
 * followed later by the matching END line. */
static bool
tls_pem_has_block(const char *data, const char *const *labels)
{
	const char *p = data, *eol;
	char end[96];
	size_t i, n;

	while ((p = strstr(p, "-----BEGIN ")) != NULL) {
		if (p != data && p[-1] != '\n') {
			p++;
			continue;
		}
		p += 11;
		eol = strstr(p, "-----");
		if (eol == NULL)
			return false;
		n = (size_t)(eol - p);
		for (i = 0; labels[i] != NULL; i++) {
			if (strlen(labels[i]) != n ||
			    memcmp(p, labels[i], n) != 0)
				continue;
			snprintf(end, sizeof(end), "\n-----END %s-----",
				 labels[i]);
			if (strstr(eol, end) != NULL)
				return true;
		}
		p = eol;
	}
	return false;
}

/* Wipes and frees the PEM bytes the server still holds. */
static void
tls_server_forget_pem(struct tls_server *s)
{
	if (s->key_pem != NULL) {
		explicit_bzero(s->key_pem, s->key_len);
		free(s->key_pem);
		s->key_pem = NULL;
		s->key_len = 0;
	}
	free(s->cert_pem);
	s->cert_pem = NULL;
	s->cert_len = 0;
}

int
tls_server_load(struct tls_server **s_r, const char *cert_file,
		const char *key_file, const char **error_r)
{
	/* What PEM_read_bio_X509_AUX and PEM_read_bio_PrivateKey accept. */
	static const char *const cert_labels[] = {
		"CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE", NULL
	};
	static const char *const key_labels[] = {
		"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
		"DSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", NULL
	};
	struct tls_server *s;

	*s_r = NULL;
	if (cert_file == NULL || *cert_file == '\0' ||
	    key_file == NULL || *key_file == '\0') {
		*error_r = "TLS certificate or key file not configured";
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	s->cert_file = strdup(cert_file);
	s->key_file = strdup(key_file);
	if (s->cert_file == NULL || s->key_file == NULL) {
		*error_r = "out of memory";
		goto fail;
	}
	if (tls_read_pem(cert_file, "certificate", &s->cert_pem, &s->cert_len,
			 error_r) < 0)
		goto fail;
	if (tls_read_pem(key_file, "key", &s->key_pem, &s->key_len,
			 error_r) < 0)
		goto fail;
	if (!tls_pem_has_block(s->cert_pem, cert_labels)) {
		snprintf(tls_error_buf, sizeof(tls_error_buf),
			 "bad certificate %s: no PEM CERTIFICATE block",
			 cert_file);
		*error_r = tls_error_buf;
		goto fail;
	}
	if (!tls_pem_has_block(s->key_pem, key_labels)) {
		snprintf(tls_error_buf, sizeof(tls_error_buf),
			 "bad key %s: no PEM PRIVATE KEY block", key_file);
		*error_r = tls_error_buf;
		goto fail;
	}
	*s_r = s;
	return 0;
fail:
	tls_server_forget_pem(s);
	free(s->cert_file);
	free(s->key_file);
	free(s);
	return -1;
}

/* pem_password_cb that refuses: an encrypted key is a bad key here, and
 * OpenSSL must never prompt on a terminal. */
static int
tls_no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Certificate chain from memory, as SSL_CTX_use_certificate_chain_file
 * does from a file: the first certificate is ours, the rest its chain.
 * 0 / -1 (OpenSSL error queue set). */
static int
tls_ctx_use_chain(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x, *ca;
	unsigned long e;
	int r = -1;

	if (bio == NULL)
		return -1;
	x = PEM_read_bio_X509_AUX(bio, NULL, tls_no_password, NULL);
	if (x == NULL)
		goto out;
	if (SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_clear_chain_certs(ctx) != 1) {
		X509_free(x);
		goto out;
	}
	X509_free(x);
	for (;;) {
		ca = PEM_read_bio_X509(bio, NULL, tls_no_password, NULL);
		if (ca == NULL)
			break;
		if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			goto out;
		}
	}
	/* The end of the file is "no start line"; anything else is bad. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		r = 0;
	}
out:
	BIO_free(bio);
	return r;
}

/* Private key from memory. 0 / -1 (OpenSSL error queue set). */
static int
tls_ctx_use_key(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey;
	int r = -1;

	if (bio == NULL)
		return -1;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, tls_no_password, NULL);
	if (pkey != NULL && SSL_CTX_use_PrivateKey(ctx, pkey) == 1)
		r = 0;
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return r;
}

int
tls_server_prepare(struct tls_server *s, const char **error_r)
{
	char what[TLS_ERROR_MAX_BYTES];

	if (s->ctx != NULL)
		return 0;
	if (s->failed[0] != '\0') {
		*error_r = s->failed;
		return -1;
	}
	if (tls_openssl_load(error_r) < 0)
		goto fail;
	ERR_clear_error();
	s->ctx = SSL_CTX_new(TLS_server_method());
	if (s->ctx == NULL || tls_ctx_common(s->ctx, TLS_SERVER_CIPHERS_12) < 0) {
		*error_r = tls_error("cannot set up TLS", 0);
		goto fail;
	}
	SSL_CTX_set_options(s->ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(s->ctx, 0);
	if (tls_ctx_use_chain(s->ctx, s->cert_pem, s->cert_len) < 0) {
		snprintf(what, sizeof(what), "bad certificate %s", s->cert_file);
		*error_r = tls_error(what, 0);
		goto fail;
	}
	if (tls_ctx_use_key(s->ctx, s->key_pem, s->key_len) < 0) {
		unsigned long e = ERR_peek_last_error();

		/* OpenSSL already compares the key with the certificate. */
		if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
		    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(what, sizeof(what),
				 "key %s does not match certificate %s",
				 s->key_file, s->cert_file);
		else
			snprintf(what, sizeof(what), "bad key %s", s->key_file);
		*error_r = tls_error(what, 0);
		goto fail;
	}
	if (SSL_CTX_check_private_key(s->ctx) != 1) {
		snprintf(what, sizeof(what),
			 "key %s does not match certificate %s", s->key_file,
			 s->cert_file);
		*error_r = tls_error(what, 0);
		goto fail;
	}
	tls_server_forget_pem(s);
	return 0;
fail:
	if (s->ctx != NULL)
		SSL_CTX_free(s->ctx);
	s->ctx = NULL;
	snprintf(s->failed, sizeof(s->failed), "%s", *error_r);
	*error_r = s->failed;
	tls_server_forget_pem(s);
	return -1;
}

int
tls_server_new(struct tls_server **s_r, const char *cert_file,
	       const char *key_file, const char **error_r)
{
	if (tls_server_load(s_r, cert_file, key_file, error_r) < 0)
		return -1;
	if (tls_server_prepare(*s_r, error_r) < 0) {
		/* *error_r points into the server: keep a copy. */
		snprintf(tls_error_buf, sizeof(tls_error_buf), "%s", *error_r);
		*error_r = tls_error_buf;
		tls_server_free(s_r);
		return -1;
	}
	return 0;
}

void
tls_server_free(struct tls_server **s)
{
	if (*s == NULL)
		return;
	if ((*s)->ctx != NULL)  /* else OpenSSL may not even be loaded */
		SSL_CTX_free((*s)->ctx);
	tls_server_forget_pem(*s);
	free((*s)->cert_file);
	free((*s)->key_file);
	free(*s);
	*s = NULL;
}

int
tls_client_new(struct tls_client **c_r, bool verify, const char **error_r)
{
	struct tls_client *c;

	*c_r = NULL;
	if (tls_openssl_load(error_r) < 0)
		return -1;
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
			if (io_wait(conn->io, conn->io->rfd, POLLIN) < 0)
				return -1;
			return 1;
		}
		errno = EAGAIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		if (wait_all || reading) {
			if (io_wait(conn->io, conn->io->wfd, POLLOUT) < 0)
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
	if (tls_server_prepare(s, error_r) < 0)
		return -1;
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
