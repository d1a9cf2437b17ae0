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

struct conf {
	char confdir[PATH_MAX];         /* -C dir / QUAIL_CONFDIR / default */
	char hostname[CONF_DOMAIN_MAX + 1];  /* hostname (default: gethostname) */
	char **local_domains;           /* local_domains (lowercased) */
	size_t n_local_domains;
	struct cidr *relay_networks;    /* relay_networks (default 127.0.0.0/8 ::1/128) */
	size_t n_relay_networks;
	char queue_dir[PATH_MAX];       /* queue_dir (default QUAIL_QUEUEDIR) */
	char libexec_dir[PATH_MAX];     /* libexec_dir (default QUAIL_LIBEXECDIR) */
	char mail_dir[PATH_MAX];        /* mail_dir: base of virtual Maildirs */
	char log_dest[PATH_MAX];        /* log: syslog | stderr | /abs/path */
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
	char tls_cert[PATH_MAX];        /* tls_cert (PEM chain) */
	char tls_key[PATH_MAX];         /* tls_key */
	char recipient_delimiter;       /* default '+', '\0' disables */
	char smtp_banner[256];          /* text after "220 <hostname> " (default "ESMTP quail") */
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
