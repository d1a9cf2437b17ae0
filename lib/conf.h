/*
 * conf.h -- /etc/quail/quail.conf: "key = value" lines, '#' comments, blank
 * lines ignored. Every error names file and line ("quail.conf:12: unknown
 * key 'hostnme'"); nothing is silently defaulted after a bad line.
 * Durations take s/m/h/d suffixes, sizes k/M/G; lists are separated by
 * commas and/or spaces. The keys are documented in quail.conf(5).
 *
 * Memory: conf_load fills a struct conf that owns its lists; conf_free.
 */
#ifndef QUAIL_CONF_H
#define QUAIL_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cidr.h"

#define CONF_LINE_MAX_BYTES 4096
#define CONF_DOMAIN_MAX 255
#define CONF_AUTH_BACKENDS_MAX 4
/* Longest path in quail.conf (and -C), in bytes. Not PATH_MAX: the seven
 * path fields below would make the struct 29 KB, memory that every
 * session of every daemon touches (conf_defaults clears it). */
#define CONF_PATH_MAX 1023

/* auth_backends values, tried in the configured order. */
enum conf_auth_backend {
	CONF_AUTH_CDB = 1,              /* passwd.cdb (virtual users) */
	CONF_AUTH_PAM = 2,              /* PAM service pam_service (system users) */
};

/* remote_tls values. */
enum conf_remote_tls {
	CONF_REMOTE_TLS_NONE = 0,       /* never STARTTLS */
	CONF_REMOTE_TLS_MAY = 1,        /* STARTTLS when offered, no verification */
	CONF_REMOTE_TLS_VERIFY = 2,     /* STARTTLS required, certificate verified */
};

/* One smtp_routes entry: "domain=host[:port]" ("*" matches every domain;
 * host is a name, resolved by A/AAAA without MX, or "[ip]"). */
struct conf_route {
	char domain[CONF_DOMAIN_MAX + 1];   /* lowercased, or "*" */
	char host[CONF_DOMAIN_MAX + 1];     /* name, or IP literal without brackets */
	bool host_is_ip;
	unsigned port;                      /* default 25 */
};

struct conf {
	char confdir[CONF_PATH_MAX + 1];         /* -C dir / QUAIL_CONFDIR / default */
	char hostname[CONF_DOMAIN_MAX + 1];  /* hostname (default: gethostname) */
	char **local_domains;           /* local_domains (lowercased) */
	size_t n_local_domains;
	struct cidr *relay_networks;    /* relay_networks (default 127.0.0.0/8 ::1/128) */
	size_t n_relay_networks;
	char queue_dir[CONF_PATH_MAX + 1];       /* queue_dir (default QUAIL_QUEUEDIR) */
	char libexec_dir[CONF_PATH_MAX + 1];     /* libexec_dir (default QUAIL_LIBEXECDIR) */
	char mail_dir[CONF_PATH_MAX + 1];        /* mail_dir: base of virtual Maildirs */
	char log_dest[CONF_PATH_MAX + 1];        /* log: syslog | stderr | /abs/path */
	bool trace;                     /* trace = yes|no */
	bool system_users;              /* system_users = yes|no (getpwnam recipients) */
	unsigned long message_size_limit;   /* bytes (default 10485760) */
	unsigned recipient_limit;       /* default 100 */
	unsigned error_limit;           /* protocol errors before 421 (default 10) */
	unsigned smtp_timeout;          /* secs per command (default 300) */
	unsigned data_timeout;          /* secs for the whole DATA phase (default 600) */
	unsigned long queue_lifetime;   /* secs (default 5d) */
	unsigned local_concurrency;     /* default 10 */
	unsigned retry_min;             /* secs (default 300) */
	unsigned retry_max;             /* secs (default 4h) */
	char daemon_user[64];           /* default QUAIL_DAEMON_USER */
	char queue_user[64];            /* default QUAIL_QUEUE_USER */
	char vmail_user[64];            /* default QUAIL_VMAIL_USER */
	char tls_cert[CONF_PATH_MAX + 1];        /* tls_cert (PEM chain) */
	char tls_key[CONF_PATH_MAX + 1];         /* tls_key */
	char recipient_delimiter;       /* default '+', '\0' disables */
	char smtp_banner[256];          /* text after "220 <hostname> " (default "ESMTP quail") */

	/* Login (quail-smtpd AUTH, quail-pop3d, quail-imapd). */
	enum conf_auth_backend auth_backends[CONF_AUTH_BACKENDS_MAX];
	size_t n_auth_backends;         /* auth_backends (default "cdb pam") */
	char pam_service[64];           /* pam_service (default "quail") */
	struct cidr *plaintext_auth_networks;   /* plaintext_auth_networks: login */
	size_t n_plaintext_auth_networks;       /* without TLS allowed from (default none) */
	unsigned auth_fail_delay;       /* secs after a failed login (default 2) */
	unsigned pop3_timeout;          /* secs idle in quail-pop3d (default 600) */
	unsigned imap_timeout;          /* secs idle in quail-imapd (default 1800) */

	/* Outbound (quail-remote, quail-send). */
	struct conf_route *smtp_routes; /* smtp_routes (default none: MX lookup) */
	size_t n_smtp_routes;
	char dns_nameserver[64];        /* dns_nameserver "ip" or "ip:port" ("" = resolv.conf) */
	unsigned remote_concurrency;    /* default 20 */
	unsigned remote_destination_concurrency;  /* per domain, default 5 */
	enum conf_remote_tls remote_tls;        /* none | may | verify (default may) */
	unsigned remote_connect_timeout;        /* secs (default 30) */
	unsigned remote_timeout;        /* secs per SMTP reply (default 300) */
	unsigned long delay_warning;    /* secs before a delay DSN; 0 = never (default) */
};

/* Directory: dir if non-NULL, else $QUAIL_CONFDIR, else QUAIL_CONFDIR. */
const char *conf_dir(const char *dir);
/* Sets every default (no file read). */
void conf_defaults(struct conf *c);
/* Loads <dir>/quail.conf over the defaults. A missing file is an error.
 * Returns 0 or -1 with a message naming file:line in *error_r (static
 * storage, valid until the next call). */
int conf_load(struct conf *c, const char *dir, const char **error_r);
void conf_free(struct conf *c);
/* The smtp_routes entry for domain (exact match first, then "*"), or NULL. */
const struct conf_route *conf_route_for(const struct conf *c, const char *domain);
/* True if ip (text) may log in without TLS (plaintext_auth_networks). */
bool conf_plaintext_auth_ok(const struct conf *c, const char *ip);
/* True if domain (any case) is one of local_domains. */
bool conf_is_local_domain(const struct conf *c, const char *domain);
/* True if s is a valid host name (RFC 1035 letters/digits/hyphens, labels
 * of 1..63 bytes, at most CONF_DOMAIN_MAX bytes, no trailing dot). */
bool conf_valid_domain(const char *s);
/* Path of a file in the config dir: "<confdir>/<name>" into out. 0 / -1. */
int conf_path(const struct conf *c, const char *name, char *out, size_t outlen);

/* Generic reader also used for other key=value files: calls fn for each
 * key/value (both trimmed, NUL-terminated); fn returns 0, or -1 with a
 * message in *error_r. Errors are prefixed "file:line: ". */
typedef int conf_kv_fn(void *ctx, const char *key, const char *value, const char **error_r);
int conf_read_kv(const char *path, conf_kv_fn *fn, void *ctx, const char **error_r);

/* Value parsers (strict, overflow-checked). 0 / -1. */
int conf_parse_bool(const char *s, bool *r);
int conf_parse_duration(const char *s, unsigned long *secs_r);
int conf_parse_size(const char *s, unsigned long *bytes_r);

#endif
