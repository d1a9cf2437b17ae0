/*
 * tls.h -- OpenSSL for every TLS byte quail speaks, server and client side,
 * slid under lib/io.h so the protocol code does not notice.
 *
 * Server: TLS 1.2 and 1.3 only, modern ciphers (no RSA key exchange, no
 * CBC-SHA1 suites in 1.2), the certificate chain and key from quail.conf
 * (tls_cert, tls_key) read at start, while still root. A missing or bad
 * certificate is an error at start, never a silent downgrade.
 * Lazy setup (tls_server_load): the per-connection daemons only read the
 * two PEM files into memory at start and check them cheaply (readable
 * regular files, bounded size, PEM blocks of the right kind) without
 * initialising OpenSSL; the SSL_CTX (full parse, key/certificate match) is
 * built when TLS is first started (tls_server_prepare, or tls_accept), and
 * the key bytes are then wiped. A plaintext session never pays for OpenSSL.
 * STARTTLS: tls_accept() discards any plaintext already buffered in the io
 * (RFC 3207 section 4.2 / CVE-2011-0411: no command injection).
 * Client (quail-remote): opportunistic or verified, SNI set.
 *
 * Memory: tls_server/tls_client own their SSL_CTX; tls_conn its SSL; each
 * has a destructor taking ** that NULLs the pointer.
 * Return convention: 0 ok, -1 error with a message in *error_r (static).
 * The fds used with TLS are switched to non-blocking so io timeouts apply.
 */
#ifndef QUAIL_TLS_H
#define QUAIL_TLS_H

#include <stdbool.h>

#include "io.h"

/* Largest certificate chain or key file read (a chain of a few
 * certificates is about 5 kB). */
#define TLS_PEM_MAX_BYTES (256 * 1024)

struct tls_server;
struct tls_client;
struct tls_conn;

/* Loads cert chain + key and checks they match (tls_server_load followed
 * by tls_server_prepare). */
int tls_server_new(struct tls_server **s_r, const char *cert_file,
		   const char *key_file, const char **error_r);
/* Reads both files into memory (call it while root: the key is usually
 * root-only) and checks them without OpenSSL: each a readable regular file
 * of at most TLS_PEM_MAX_BYTES, the certificate file with a CERTIFICATE
 * PEM block, the key file with a PRIVATE KEY one. Errors name the file
 * ("cannot read certificate F: ...", "bad key F: ..."). Whether the key
 * matches the certificate is only known after tls_server_prepare. */
int tls_server_load(struct tls_server **s_r, const char *cert_file,
		    const char *key_file, const char **error_r);
/* Builds the SSL_CTX from the loaded files if not done yet ("bad
 * certificate F", "key K does not match certificate F"), then wipes and
 * frees the PEM bytes. Idempotent; after a failure it fails again with the
 * same message. */
int tls_server_prepare(struct tls_server *s, const char **error_r);
/* Frees; the key bytes, if still held, are wiped first. */
void tls_server_free(struct tls_server **s);

/* verify: check the peer certificate against the system CA store and the
 * host name given to tls_connect. */
int tls_client_new(struct tls_client **c_r, bool verify, const char **error_r);
void tls_client_free(struct tls_client **c);

/* Server handshake over io's fds (within io's timeout), then plugs TLS
 * into io. Discards buffered plaintext first. Prepares s if needed (call
 * tls_server_prepare first to answer "TLS not available" instead). */
int tls_accept(struct tls_conn **conn_r, struct tls_server *s, struct io *io,
	       const char **error_r);
/* Client handshake; host is used for SNI and, when verifying, the name
 * check. Discards buffered plaintext first. */
int tls_connect(struct tls_conn **conn_r, struct tls_client *c, struct io *io,
		const char *host, const char **error_r);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384" (for logs and Received: lines). */
const char *tls_conn_info(const struct tls_conn *conn);
/* True if the peer certificate verified (client side with verify). */
bool tls_conn_verified(const struct tls_conn *conn);
/* Sends close_notify (best effort) and frees. */
void tls_conn_free(struct tls_conn **conn);

#endif
