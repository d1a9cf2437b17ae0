/*
 * conf.c -- quail.conf: "key = value" lines, full-line '#' comments, blank
 * lines ignored; documented in quail.conf(5).
 *
 * Every problem is an error naming the file and line ("<path>:<line>:
 * <what>"): unknown key, duplicate key, bad value, missing '=', over-long
 * line, NUL byte. Nothing is silently defaulted after a bad line, and a
 * missing file is an error, so a typo can never turn into an open relay.
 *
 * SECURITY: the file is admin-owned but parsed by root before privileges
 * are dropped: lines are bounded (CONF_LINE_MAX_BYTES), numbers are
 * overflow-checked, paths must be absolute, names are restricted to safe
 * characters, and quoted text in messages is escaped with log_safe().
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

#ifndef QUAIL_CONFDIR
#define QUAIL_CONFDIR "/etc/quail"
#endif
#ifndef QUAIL_QUEUEDIR
#define QUAIL_QUEUEDIR "/var/spool/quail"
#endif
#ifndef QUAIL_LIBEXECDIR
#define QUAIL_LIBEXECDIR "/usr/local/libexec/quail"
#endif
#ifndef QUAIL_MAILDIR_BASE
#define QUAIL_MAILDIR_BASE "/var/mail/quail"
#endif
#ifndef QUAIL_DAEMON_USER
#define QUAIL_DAEMON_USER "quaild"
#endif
#ifndef QUAIL_QUEUE_USER
#define QUAIL_QUEUE_USER "quailq"
#endif
#ifndef QUAIL_VMAIL_USER
#define QUAIL_VMAIL_USER "quailv"
#endif

#define CONF_FILE_NAME "quail.conf"
#define CONF_ERROR_MAX_BYTES 512
#define CONF_QUOTE_MAX_BYTES 64     /* quoted key/value text in messages */
#define CONF_USER_MAX_BYTES 32      /* login names (useradd's limit) */
#define CONF_LIST_MAX_ITEMS 1024
#define CONF_LABEL_MAX_BYTES 63     /* RFC 1035 2.3.4 */

static char conf_error[CONF_ERROR_MAX_BYTES];
/* Line number of the pair conf_read_kv is handing to its callback. */
static unsigned long conf_kv_line;

const char *
conf_dir(const char *dir)
{
	const char *env;

	if (dir != NULL && *dir != '\0')
		return dir;
	env = getenv("QUAIL_CONFDIR");
	if (env != NULL && *env != '\0')
		return env;
	return QUAIL_CONFDIR;
}

/* Copies s into a fixed field; false if it does not fit. */
static bool
conf_copy(char *dst, size_t dstlen, const char *s)
{
	size_t n = strlen(s);

	if (n >= dstlen)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

/* ---- value parsers ----------------------------------------------------- */

int
conf_parse_bool(const char *s, bool *r)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*r = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*r = false;
			return 0;
		}
	}
	return -1;
}

/* Decimal digits followed by an optional one-letter unit from units with
 * multipliers mult (case-insensitive). */
static int
conf_parse_scaled(const char *s, const char *units,
    const unsigned long *mult, unsigned long *r)
{
	unsigned long v = 0, m = 1;
	const char *u;
	size_t digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (v > (ULONG_MAX - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		s++;
		digits++;
	}
	if (digits == 0)
		return -1;
	if (*s != '\0') {
		u = strchr(units, tolower((unsigned char)*s));
		if (u == NULL || s[1] != '\0')
			return -1;
		m = mult[u - units];
	}
	if (m != 0 && v > ULONG_MAX / m)
		return -1;
	*r = v * m;
	return 0;
}

int
conf_parse_duration(const char *s, unsigned long *secs_r)
{
	static const unsigned long mult[] = { 1, 60, 3600, 86400 };

	return conf_parse_scaled(s, "smhd", mult, secs_r);
}

int
conf_parse_size(const char *s, unsigned long *bytes_r)
{
	static const unsigned long mult[] = { 1UL << 10, 1UL << 20, 1UL << 30 };

	return conf_parse_scaled(s, "kmg", mult, bytes_r);
}

/* ---- generic key = value reader ----------------------------------------- */

static void
conf_quote(char *out, size_t outlen, const char *s)
{
	log_safe(out, outlen, s, strlen(s));
}

static int
conf_fail(const char **error_r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
conf_fail(const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(conf_error, sizeof(conf_error), fmt, ap);
	va_end(ap);
	if (error_r != NULL)
		*error_r = conf_error;
	return -1;
}

static bool
conf_is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	    ch == '\f';
}

/* Trims s[0..len) in place; returns the start, sets *len_r. */
static char *
conf_trim(char *s, size_t len, size_t *len_r)
{
	while (len > 0 && conf_is_space((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && conf_is_space((unsigned char)s[len - 1]))
		len--;
	s[len] = '\0';
	*len_r = len;
	return s;
}

/*
 * Reads one line (without LF) into line[CONF_LINE_MAX_BYTES + 1].
 * 1 line, 0 EOF, -1 read error, -2 too long (skipped), -3 NUL byte.
 */
static int
conf_getline(FILE *f, char *line, size_t *len_r)
{
	size_t len = 0;
	bool too_long = false, nul = false;
	int ch;

	for (;;) {
		ch = getc(f);
		if (ch == EOF) {
			if (ferror(f))
				return -1;
			if (len == 0 && !too_long && !nul)
				return 0;
			break;
		}
		if (ch == '\n')
			break;
		if (ch == '\0')
			nul = true;
		if (len < CONF_LINE_MAX_BYTES)
			line[len++] = (char)ch;
		else
			too_long = true;
	}
	line[len] = '\0';
	*len_r = len;
	if (too_long)
		return -2;
	if (nul)
		return -3;
	return 1;
}

int
conf_read_kv(const char *path, conf_kv_fn *fn, void *ctx, const char **error_r)
{
	char line[CONF_LINE_MAX_BYTES + 1];
	char keyq[CONF_QUOTE_MAX_BYTES];
	const char *fn_error;
	char *p, *eq, *key, *value;
	unsigned long lineno = 0;
	size_t len, klen, vlen;
	FILE *f;
	int r, saved;

	f = fopen(path, "re");
	if (f == NULL)
		return conf_fail(error_r, "%s: %s", path, strerror(errno));
	for (;;) {
		r = conf_getline(f, line, &len);
		if (r == 0)
			break;
		lineno++;
		if (r == -1) {
			saved = errno;
			fclose(f);
			return conf_fail(error_r, "%s:%lu: read error: %s", path,
			    lineno, strerror(saved));
		}
		if (r == -2) {
			fclose(f);
			return conf_fail(error_r, "%s:%lu: line too long "
			    "(more than %d bytes)", path, lineno,
			    CONF_LINE_MAX_BYTES);
		}
		if (r == -3) {
			fclose(f);
			return conf_fail(error_r, "%s:%lu: NUL byte in line",
			    path, lineno);
		}
		p = conf_trim(line, len, &len);
		if (len == 0 || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (eq == NULL) {
			fclose(f);
			conf_quote(keyq, sizeof(keyq), p);
			return conf_fail(error_r, "%s:%lu: missing '=' in '%s'",
			    path, lineno, keyq);
		}
		*eq = '\0';
		key = conf_trim(p, (size_t)(eq - p), &klen);
		value = conf_trim(eq + 1, strlen(eq + 1), &vlen);
		if (klen == 0) {
			fclose(f);
			return conf_fail(error_r, "%s:%lu: missing key before '='",
			    path, lineno);
		}
		fn_error = "invalid line";
		conf_kv_line = lineno;
		if (fn(ctx, key, value, &fn_error) < 0) {
			fclose(f);
			return conf_fail(error_r, "%s:%lu: %s", path, lineno,
			    fn_error);
		}
	}
	fclose(f);
	return 0;
}

/* ---- quail.conf keys ------------------------------------------------------ */

enum conf_key {
	CK_HOSTNAME,
	CK_LOCAL_DOMAINS,
	CK_RELAY_NETWORKS,
	CK_QUEUE_DIR,
	CK_LIBEXEC_DIR,
	CK_MAIL_DIR,
	CK_LOG,
	CK_TRACE,
	CK_SYSTEM_USERS,
	CK_MESSAGE_SIZE_LIMIT,
	CK_RECIPIENT_LIMIT,
	CK_ERROR_LIMIT,
	CK_SMTP_TIMEOUT,
	CK_DATA_TIMEOUT,
	CK_QUEUE_LIFETIME,
	CK_LOCAL_CONCURRENCY,
	CK_RETRY_MIN,
	CK_RETRY_MAX,
	CK_DAEMON_USER,
	CK_QUEUE_USER,
	CK_VMAIL_USER,
	CK_TLS_CERT,
	CK_TLS_KEY,
	CK_RECIPIENT_DELIMITER,
	CK_SMTP_BANNER,
	CK_AUTH_BACKENDS,
	CK_PAM_SERVICE,
	CK_PLAINTEXT_AUTH_NETWORKS,
	CK_AUTH_FAIL_DELAY,
	CK_POP3_TIMEOUT,
	CK_IMAP_TIMEOUT,
	CK_SMTP_ROUTES,
	CK_DNS_NAMESERVER,
	CK_REMOTE_CONCURRENCY,
	CK_REMOTE_DESTINATION_CONCURRENCY,
	CK_REMOTE_TLS,
	CK_REMOTE_CONNECT_TIMEOUT,
	CK_REMOTE_TIMEOUT,
	CK_DELAY_WARNING,
	CK_COUNT
};

/* Kept in sync with man/man5/quail.conf.5. */
static const char *const conf_key_names[CK_COUNT] = {
	[CK_HOSTNAME] = "hostname",
	[CK_LOCAL_DOMAINS] = "local_domains",
	[CK_RELAY_NETWORKS] = "relay_networks",
	[CK_QUEUE_DIR] = "queue_dir",
	[CK_LIBEXEC_DIR] = "libexec_dir",
	[CK_MAIL_DIR] = "mail_dir",
	[CK_LOG] = "log",
	[CK_TRACE] = "trace",
	[CK_SYSTEM_USERS] = "system_users",
	[CK_MESSAGE_SIZE_LIMIT] = "message_size_limit",
	[CK_RECIPIENT_LIMIT] = "recipient_limit",
	[CK_ERROR_LIMIT] = "error_limit",
	[CK_SMTP_TIMEOUT] = "smtp_timeout",
	[CK_DATA_TIMEOUT] = "data_timeout",
	[CK_QUEUE_LIFETIME] = "queue_lifetime",
	[CK_LOCAL_CONCURRENCY] = "local_concurrency",
	[CK_RETRY_MIN] = "retry_min",
	[CK_RETRY_MAX] = "retry_max",
	[CK_DAEMON_USER] = "daemon_user",
	[CK_QUEUE_USER] = "queue_user",
	[CK_VMAIL_USER] = "vmail_user",
	[CK_TLS_CERT] = "tls_cert",
	[CK_TLS_KEY] = "tls_key",
	[CK_RECIPIENT_DELIMITER] = "recipient_delimiter",
	[CK_SMTP_BANNER] = "smtp_banner",
	[CK_AUTH_BACKENDS] = "auth_backends",
	[CK_PAM_SERVICE] = "pam_service",
	[CK_PLAINTEXT_AUTH_NETWORKS] = "plaintext_auth_networks",
	[CK_AUTH_FAIL_DELAY] = "auth_fail_delay",
	[CK_POP3_TIMEOUT] = "pop3_timeout",
	[CK_IMAP_TIMEOUT] = "imap_timeout",
	[CK_SMTP_ROUTES] = "smtp_routes",
	[CK_DNS_NAMESERVER] = "dns_nameserver",
	[CK_REMOTE_CONCURRENCY] = "remote_concurrency",
	[CK_REMOTE_DESTINATION_CONCURRENCY] = "remote_destination_concurrency",
	[CK_REMOTE_TLS] = "remote_tls",
	[CK_REMOTE_CONNECT_TIMEOUT] = "remote_connect_timeout",
	[CK_REMOTE_TIMEOUT] = "remote_timeout",
	[CK_DELAY_WARNING] = "delay_warning",
};

/* Parse state for one conf_load. */
struct conf_state {
	struct conf *c;
	unsigned long seen_line[CK_COUNT];  /* 0: not set in the file */
	char msg[CONF_ERROR_MAX_BYTES];
};

static char conf_default_hostname[CONF_DOMAIN_MAX + 1];

static void
conf_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* RFC 1035 host name: letters, digits, hyphens; labels 1..63 bytes not
 * starting or ending with '-'; at most CONF_DOMAIN_MAX bytes; no trailing
 * dot. Case is not checked here (callers lowercase). */
bool
conf_valid_domain(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len == 0 || len > CONF_DOMAIN_MAX)
		return false;
	for (i = 0; i <= len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > CONF_LABEL_MAX_BYTES ||
			    s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(isalnum(ch) && ch < 0x80) && ch != '-')
			return false;
		if (ch == '-' && label == 0)
			return false;
		label++;
	}
	return true;
}

static bool
conf_valid_user(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > CONF_USER_MAX_BYTES || s[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(ch < 0x80 && (isalnum(ch) || ch == '_' || ch == '-' ||
		    ch == '.')))
			return false;
	}
	return true;
}

/* Splits a list on commas and/or blanks, calling item for each element. */
static int
conf_split_list(struct conf_state *st, char *value,
    int (*item)(struct conf_state *, char *))
{
	size_t count = 0;
	char *p = value, *start;

	for (;;) {
		while (*p == ',' || conf_is_space((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 0;
		start = p;
		while (*p != '\0' && *p != ',' && !conf_is_space((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		if (++count > CONF_LIST_MAX_ITEMS) {
			snprintf(st->msg, sizeof(st->msg), "more than %d "
			    "list items", CONF_LIST_MAX_ITEMS);
			return -1;
		}
		if (item(st, start) < 0)
			return -1;
	}
}

static int
conf_add_domain(struct conf_state *st, char *d)
{
	struct conf *c = st->c;
	char q[CONF_QUOTE_MAX_BYTES];
	char **n;

	conf_lower(d);
	if (!conf_valid_domain(d)) {
		conf_quote(q, sizeof(q), d);
		snprintf(st->msg, sizeof(st->msg), "local_domains: invalid "
		    "domain '%s'", q);
		return -1;
	}
	n = realloc(c->local_domains, (c->n_local_domains + 1) * sizeof(*n));
	if (n == NULL)
		goto nomem;
	c->local_domains = n;
	n[c->n_local_domains] = strdup(d);
	if (n[c->n_local_domains] == NULL)
		goto nomem;
	c->n_local_domains++;
	return 0;
nomem:
	snprintf(st->msg, sizeof(st->msg), "out of memory");
	return -1;
}

static int
conf_add_cidr(struct conf_state *st, const char *key, char *s,
    struct cidr **list, size_t *n_list)
{
	char q[CONF_QUOTE_MAX_BYTES];
	struct cidr *n;

	n = realloc(*list, (*n_list + 1) * sizeof(*n));
	if (n == NULL) {
		snprintf(st->msg, sizeof(st->msg), "out of memory");
		return -1;
	}
	*list = n;
	if (cidr_parse(s, strlen(s), &n[*n_list]) < 0) {
		conf_quote(q, sizeof(q), s);
		snprintf(st->msg, sizeof(st->msg), "%s: invalid network '%s'",
		    key, q);
		return -1;
	}
	(*n_list)++;
	return 0;
}

static int
conf_add_network(struct conf_state *st, char *s)
{
	return conf_add_cidr(st, "relay_networks", s, &st->c->relay_networks,
	    &st->c->n_relay_networks);
}

static int
conf_add_plaintext_network(struct conf_state *st, char *s)
{
	return conf_add_cidr(st, "plaintext_auth_networks", s,
	    &st->c->plaintext_auth_networks,
	    &st->c->n_plaintext_auth_networks);
}

static int
conf_add_auth_backend(struct conf_state *st, char *s)
{
	struct conf *c = st->c;
	enum conf_auth_backend b;
	char q[CONF_QUOTE_MAX_BYTES];
	size_t i;

	if (strcmp(s, "cdb") == 0)
		b = CONF_AUTH_CDB;
	else if (strcmp(s, "pam") == 0)
		b = CONF_AUTH_PAM;
	else {
		conf_quote(q, sizeof(q), s);
		snprintf(st->msg, sizeof(st->msg), "auth_backends: unknown "
		    "backend '%s' (expected cdb or pam)", q);
		return -1;
	}
	for (i = 0; i < c->n_auth_backends; i++) {
		if (c->auth_backends[i] == b) {
			snprintf(st->msg, sizeof(st->msg), "auth_backends: "
			    "'%s' listed twice", s);
			return -1;
		}
	}
	if (c->n_auth_backends >= CONF_AUTH_BACKENDS_MAX) {
		snprintf(st->msg, sizeof(st->msg), "auth_backends: too many");
		return -1;
	}
	c->auth_backends[c->n_auth_backends++] = b;
	return 0;
}

/* "domain=host[:port]", "domain=[ip]:port", "*=host". */
static int
conf_add_route(struct conf_state *st, char *s)
{
	struct conf *c = st->c;
	struct conf_route r, *n;
	char q[CONF_QUOTE_MAX_BYTES];
	char *eq = strchr(s, '='), *host, *colon = NULL;
	unsigned long port = 25;
	unsigned char ip[16];
	int family;

	memset(&r, 0, sizeof(r));
	conf_quote(q, sizeof(q), s);
	if (eq == NULL || eq == s || eq[1] == '\0')
		goto bad;
	*eq = '\0';
	conf_lower(s);
	if (strcmp(s, "*") != 0 && !conf_valid_domain(s))
		goto bad;
	conf_copy(r.domain, sizeof(r.domain), s);
	host = eq + 1;
	if (*host == '[') {
		char *end = strchr(host, ']');

		if (end == NULL)
			goto bad;
		*end = '\0';
		host++;
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1] != '\0')
			goto bad;
		if (cidr_parse_ip(host, &family, ip) < 0)
			goto bad;
		r.host_is_ip = true;
	} else {
		colon = strchr(host, ':');
		if (colon != NULL)
			*colon = '\0';
		conf_lower(host);
		if (!conf_valid_domain(host))
			goto bad;
	}
	if (colon != NULL) {
		if (conf_parse_scaled(colon + 1, "", NULL, &port) < 0 ||
		    port < 1 || port > 65535)
			goto bad;
	}
	if (!conf_copy(r.host, sizeof(r.host), host))
		goto bad;
	r.port = (unsigned)port;
	n = realloc(c->smtp_routes, (c->n_smtp_routes + 1) * sizeof(*n));
	if (n == NULL) {
		snprintf(st->msg, sizeof(st->msg), "out of memory");
		return -1;
	}
	c->smtp_routes = n;
	n[c->n_smtp_routes++] = r;
	return 0;
bad:
	snprintf(st->msg, sizeof(st->msg), "smtp_routes: invalid route '%s' "
	    "(expected domain=host[:port], domain=[ip]:port or *=host)", q);
	return -1;
}

static void
conf_free_lists(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n_local_domains; i++)
		free(c->local_domains[i]);
	free(c->local_domains);
	c->local_domains = NULL;
	c->n_local_domains = 0;
	free(c->relay_networks);
	c->relay_networks = NULL;
	c->n_relay_networks = 0;
	free(c->plaintext_auth_networks);
	c->plaintext_auth_networks = NULL;
	c->n_plaintext_auth_networks = 0;
	free(c->smtp_routes);
	c->smtp_routes = NULL;
	c->n_smtp_routes = 0;
}

static int
conf_set_default_relay(struct conf *c)
{
	static const char *const def[] = { "127.0.0.0/8", "::1/128" };
	size_t i;

	c->relay_networks = calloc(2, sizeof(*c->relay_networks));
	if (c->relay_networks == NULL)
		return -1;      /* fails closed: nobody may relay */
	for (i = 0; i < 2; i++)
		if (cidr_parse(def[i], strlen(def[i]),
		    &c->relay_networks[c->n_relay_networks]) == 0)
			c->n_relay_networks++;
	return 0;
}

static const char *
conf_default_host(void)
{
	char name[CONF_DOMAIN_MAX + 2];

	if (conf_default_hostname[0] != '\0')
		return conf_default_hostname;
	memset(name, 0, sizeof(name));
	if (gethostname(name, sizeof(name) - 1) < 0)
		name[0] = '\0';
	conf_lower(name);
	if (!conf_valid_domain(name))
		snprintf(name, sizeof(name), "localhost");
	/* valid means at most CONF_DOMAIN_MAX bytes: it fits. */
	conf_copy(conf_default_hostname, sizeof(conf_default_hostname), name);
	return conf_default_hostname;
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	conf_copy(c->confdir, sizeof(c->confdir), conf_dir(NULL));
	conf_copy(c->hostname, sizeof(c->hostname), conf_default_host());
	c->local_domains = NULL;        /* conf_load: the hostname */
	c->n_local_domains = 0;
	(void)conf_set_default_relay(c);
	conf_copy(c->queue_dir, sizeof(c->queue_dir), QUAIL_QUEUEDIR);
	conf_copy(c->libexec_dir, sizeof(c->libexec_dir), QUAIL_LIBEXECDIR);
	conf_copy(c->mail_dir, sizeof(c->mail_dir), QUAIL_MAILDIR_BASE);
	conf_copy(c->log_dest, sizeof(c->log_dest), "syslog");
	c->trace = false;
	c->system_users = true;
	c->message_size_limit = 10485760;
	c->recipient_limit = 100;
	c->error_limit = 10;
	c->smtp_timeout = 300;
	c->data_timeout = 600;
	c->queue_lifetime = 5 * 86400;
	c->local_concurrency = 10;
	c->retry_min = 300;
	c->retry_max = 4 * 3600;
	conf_copy(c->daemon_user, sizeof(c->daemon_user), QUAIL_DAEMON_USER);
	conf_copy(c->queue_user, sizeof(c->queue_user), QUAIL_QUEUE_USER);
	conf_copy(c->vmail_user, sizeof(c->vmail_user), QUAIL_VMAIL_USER);
	c->tls_cert[0] = '\0';
	c->tls_key[0] = '\0';
	c->recipient_delimiter = '+';
	conf_copy(c->smtp_banner, sizeof(c->smtp_banner), "ESMTP quail");
	c->auth_backends[0] = CONF_AUTH_CDB;
	c->auth_backends[1] = CONF_AUTH_PAM;
	c->n_auth_backends = 2;
	conf_copy(c->pam_service, sizeof(c->pam_service), "quail");
	c->plaintext_auth_networks = NULL;
	c->n_plaintext_auth_networks = 0;
	c->auth_fail_delay = 2;
	c->pop3_timeout = 600;
	c->imap_timeout = 1800;
	c->smtp_routes = NULL;
	c->n_smtp_routes = 0;
	c->dns_nameserver[0] = '\0';
	c->remote_concurrency = 20;
	c->remote_destination_concurrency = 5;
	c->remote_tls = CONF_REMOTE_TLS_MAY;
	c->remote_connect_timeout = 30;
	c->remote_timeout = 300;
	c->delay_warning = 0;
}

/* Absolute path into dst. empty_ok: an empty value clears it. */
static int
conf_set_path(struct conf_state *st, const char *key, const char *v,
    char *dst, size_t dstlen, bool empty_ok)
{
	const char *p;

	if (*v == '\0' && empty_ok) {
		dst[0] = '\0';
		return 0;
	}
	if (v[0] != '/') {
		snprintf(st->msg, sizeof(st->msg), "%s: must be an absolute "
		    "path", key);
		return -1;
	}
	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(st->msg, sizeof(st->msg), "%s: control "
			    "character in path", key);
			return -1;
		}
	}
	if (!conf_copy(dst, dstlen, v)) {
		snprintf(st->msg, sizeof(st->msg), "%s: path too long "
		    "(at most %d bytes)", key, CONF_PATH_MAX);
		return -1;
	}
	return 0;
}

/* Unsigned number in [min, max]; durations take s/m/h/d. */
static int
conf_set_number(struct conf_state *st, const char *key, const char *v,
    bool duration, bool size, unsigned long min, unsigned long max,
    unsigned long *r)
{
	unsigned long n;
	int ok;

	if (duration)
		ok = conf_parse_duration(v, &n);
	else if (size)
		ok = conf_parse_size(v, &n);
	else
		ok = conf_parse_scaled(v, "", NULL, &n);
	if (ok < 0) {
		snprintf(st->msg, sizeof(st->msg), "%s: not a %s", key,
		    duration ? "duration (number with s, m, h or d)" :
		    size ? "size (number with k, M or G)" : "number");
		return -1;
	}
	if (n < min || n > max) {
		snprintf(st->msg, sizeof(st->msg), "%s: out of range "
		    "(%lu..%lu)", key, min, max);
		return -1;
	}
	*r = n;
	return 0;
}

static int
conf_set_user(struct conf_state *st, const char *key, const char *v,
    char *dst, size_t dstlen)
{
	char q[CONF_QUOTE_MAX_BYTES];

	if (!conf_valid_user(v) || !conf_copy(dst, dstlen, v)) {
		conf_quote(q, sizeof(q), v);
		snprintf(st->msg, sizeof(st->msg), "%s: invalid user name '%s'",
		    key, q);
		return -1;
	}
	return 0;
}

/* The characters allowed as a recipient delimiter: they cannot start a
 * domain or be confused with address syntax. */
#define CONF_DELIMITERS "+-_=.~%"

static int
conf_set_text(struct conf_state *st, struct conf *c, const char *v)
{
	const char *p;

	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			snprintf(st->msg, sizeof(st->msg), "smtp_banner: "
			    "only printable ASCII allowed");
			return -1;
		}
	}
	if (!conf_copy(c->smtp_banner, sizeof(c->smtp_banner), v)) {
		snprintf(st->msg, sizeof(st->msg), "smtp_banner: longer than "
		    "%zu bytes", sizeof(c->smtp_banner) - 1);
		return -1;
	}
	return 0;
}

/* dns_nameserver: "ip", "ip:port" (IPv4), "[ip]:port" or a bare IPv6. */
static int
conf_set_nameserver(struct conf_state *st, const char *v)
{
	struct conf *c = st->c;
	char host[64], q[CONF_QUOTE_MAX_BYTES];
	const char *port = NULL, *colon = strchr(v, ':');
	unsigned char ip[16];
	unsigned long n;
	int family;

	if (*v == '\0') {
		c->dns_nameserver[0] = '\0';
		return 0;
	}
	if (!conf_copy(host, sizeof(host), v))
		goto bad;
	if (host[0] == '[') {
		char *end = strchr(host, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			goto bad;
		if (end[1] == ':')
			port = v + (end - host) + 2;
		*end = '\0';
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		port = colon + 1;                       /* IPv4:port */
		host[colon - v] = '\0';
	}
	if (cidr_parse_ip(host, &family, ip) < 0)
		goto bad;
	if (port != NULL && (conf_parse_scaled(port, "", NULL, &n) < 0 ||
	    n < 1 || n > 65535))
		goto bad;
	if (!conf_copy(c->dns_nameserver, sizeof(c->dns_nameserver), v))
		goto bad;
	return 0;
bad:
	conf_quote(q, sizeof(q), v);
	snprintf(st->msg, sizeof(st->msg), "dns_nameserver: expected an IP "
	    "address with an optional port, got '%s'", q);
	return -1;
}

static int
conf_apply(struct conf_state *st, enum conf_key k, char *v)
{
	struct conf *c = st->c;
	const char *key = conf_key_names[k];
	char q[CONF_QUOTE_MAX_BYTES];
	unsigned long n;
	int r;

	if (*v == '\0' && k != CK_LOCAL_DOMAINS && k != CK_RELAY_NETWORKS &&
	    k != CK_TLS_CERT && k != CK_TLS_KEY &&
	    k != CK_RECIPIENT_DELIMITER && k != CK_PLAINTEXT_AUTH_NETWORKS &&
	    k != CK_SMTP_ROUTES && k != CK_DNS_NAMESERVER) {
		snprintf(st->msg, sizeof(st->msg), "%s: missing value", key);
		return -1;
	}
	switch (k) {
	case CK_HOSTNAME:
		conf_lower(v);
		if (!conf_valid_domain(v)) {
			conf_quote(q, sizeof(q), v);
			snprintf(st->msg, sizeof(st->msg), "hostname: invalid "
			    "domain '%s'", q);
			return -1;
		}
		conf_copy(c->hostname, sizeof(c->hostname), v);
		return 0;
	case CK_LOCAL_DOMAINS:
		/* Replaces nothing: a duplicate key is refused earlier. */
		return conf_split_list(st, v, conf_add_domain);
	case CK_RELAY_NETWORKS:
		free(c->relay_networks);        /* the defaults */
		c->relay_networks = NULL;
		c->n_relay_networks = 0;
		return conf_split_list(st, v, conf_add_network);
	case CK_QUEUE_DIR:
		return conf_set_path(st, key, v, c->queue_dir,
		    sizeof(c->queue_dir), false);
	case CK_LIBEXEC_DIR:
		return conf_set_path(st, key, v, c->libexec_dir,
		    sizeof(c->libexec_dir), false);
	case CK_MAIL_DIR:
		return conf_set_path(st, key, v, c->mail_dir,
		    sizeof(c->mail_dir), false);
	case CK_LOG:
		if (strcmp(v, "syslog") == 0 || strcmp(v, "stderr") == 0) {
			conf_copy(c->log_dest, sizeof(c->log_dest), v);
			return 0;
		}
		return conf_set_path(st, key, v, c->log_dest,
		    sizeof(c->log_dest), false);
	case CK_TRACE:
	case CK_SYSTEM_USERS:
		if (conf_parse_bool(v, k == CK_TRACE ? &c->trace :
		    &c->system_users) < 0) {
			snprintf(st->msg, sizeof(st->msg), "%s: expected yes "
			    "or no", key);
			return -1;
		}
		return 0;
	case CK_MESSAGE_SIZE_LIMIT:
		return conf_set_number(st, key, v, false, true, 1, ULONG_MAX,
		    &c->message_size_limit);
	case CK_QUEUE_LIFETIME:
		return conf_set_number(st, key, v, true, false, 1, ULONG_MAX,
		    &c->queue_lifetime);
	case CK_RECIPIENT_LIMIT:
	case CK_ERROR_LIMIT:
	case CK_LOCAL_CONCURRENCY:
		/* recipient_limit/error_limit 0: no limit (quail-smtpd keeps
		 * a hard ceiling of its own). */
		r = conf_set_number(st, key, v, false, false,
		    k == CK_LOCAL_CONCURRENCY ? 1 : 0,
		    k == CK_LOCAL_CONCURRENCY ? 1000 : 100000, &n);
		if (r == 0) {
			if (k == CK_RECIPIENT_LIMIT)
				c->recipient_limit = (unsigned)n;
			else if (k == CK_ERROR_LIMIT)
				c->error_limit = (unsigned)n;
			else
				c->local_concurrency = (unsigned)n;
		}
		return r;
	case CK_SMTP_TIMEOUT:
	case CK_DATA_TIMEOUT:
	case CK_RETRY_MIN:
	case CK_RETRY_MAX:
		r = conf_set_number(st, key, v, true, false, 1, UINT_MAX, &n);
		if (r == 0) {
			if (k == CK_SMTP_TIMEOUT)
				c->smtp_timeout = (unsigned)n;
			else if (k == CK_DATA_TIMEOUT)
				c->data_timeout = (unsigned)n;
			else if (k == CK_RETRY_MIN)
				c->retry_min = (unsigned)n;
			else
				c->retry_max = (unsigned)n;
		}
		return r;
	case CK_DAEMON_USER:
		return conf_set_user(st, key, v, c->daemon_user,
		    sizeof(c->daemon_user));
	case CK_QUEUE_USER:
		return conf_set_user(st, key, v, c->queue_user,
		    sizeof(c->queue_user));
	case CK_VMAIL_USER:
		return conf_set_user(st, key, v, c->vmail_user,
		    sizeof(c->vmail_user));
	case CK_TLS_CERT:
		return conf_set_path(st, key, v, c->tls_cert,
		    sizeof(c->tls_cert), true);
	case CK_TLS_KEY:
		return conf_set_path(st, key, v, c->tls_key,
		    sizeof(c->tls_key), true);
	case CK_RECIPIENT_DELIMITER:
		if (*v == '\0' || strcasecmp(v, "none") == 0) {
			c->recipient_delimiter = '\0';
			return 0;
		}
		if (v[1] != '\0' || strchr(CONF_DELIMITERS, *v) == NULL) {
			snprintf(st->msg, sizeof(st->msg), "recipient_delimiter: "
			    "expected one of %s or none", CONF_DELIMITERS);
			return -1;
		}
		c->recipient_delimiter = *v;
		return 0;
	case CK_SMTP_BANNER:
		return conf_set_text(st, c, v);
	case CK_AUTH_BACKENDS:
		c->n_auth_backends = 0;         /* replaces the default */
		if (conf_split_list(st, v, conf_add_auth_backend) < 0)
			return -1;
		if (c->n_auth_backends == 0) {
			snprintf(st->msg, sizeof(st->msg), "auth_backends: "
			    "missing value");
			return -1;
		}
		return 0;
	case CK_PAM_SERVICE:
		if (!conf_valid_user(v) ||
		    !conf_copy(c->pam_service, sizeof(c->pam_service), v)) {
			conf_quote(q, sizeof(q), v);
			snprintf(st->msg, sizeof(st->msg), "pam_service: invalid "
			    "service name '%s'", q);
			return -1;
		}
		return 0;
	case CK_PLAINTEXT_AUTH_NETWORKS:
		return conf_split_list(st, v, conf_add_plaintext_network);
	case CK_SMTP_ROUTES:
		return conf_split_list(st, v, conf_add_route);
	case CK_DNS_NAMESERVER:
		return conf_set_nameserver(st, v);
	case CK_REMOTE_CONCURRENCY:
	case CK_REMOTE_DESTINATION_CONCURRENCY:
		r = conf_set_number(st, key, v, false, false, 1, 1000, &n);
		if (r == 0) {
			if (k == CK_REMOTE_CONCURRENCY)
				c->remote_concurrency = (unsigned)n;
			else
				c->remote_destination_concurrency = (unsigned)n;
		}
		return r;
	case CK_REMOTE_TLS:
		if (strcmp(v, "none") == 0)
			c->remote_tls = CONF_REMOTE_TLS_NONE;
		else if (strcmp(v, "may") == 0)
			c->remote_tls = CONF_REMOTE_TLS_MAY;
		else if (strcmp(v, "verify") == 0)
			c->remote_tls = CONF_REMOTE_TLS_VERIFY;
		else {
			snprintf(st->msg, sizeof(st->msg), "remote_tls: expected "
			    "none, may or verify");
			return -1;
		}
		return 0;
	case CK_AUTH_FAIL_DELAY:
		/* 0 allowed: tests; anything above a minute only helps DoS. */
		r = conf_set_number(st, key, v, true, false, 0, 60, &n);
		if (r == 0)
			c->auth_fail_delay = (unsigned)n;
		return r;
	case CK_POP3_TIMEOUT:
	case CK_IMAP_TIMEOUT:
	case CK_REMOTE_CONNECT_TIMEOUT:
	case CK_REMOTE_TIMEOUT:
		r = conf_set_number(st, key, v, true, false, 1, UINT_MAX, &n);
		if (r == 0) {
			if (k == CK_POP3_TIMEOUT)
				c->pop3_timeout = (unsigned)n;
			else if (k == CK_IMAP_TIMEOUT)
				c->imap_timeout = (unsigned)n;
			else if (k == CK_REMOTE_CONNECT_TIMEOUT)
				c->remote_connect_timeout = (unsigned)n;
			else
				c->remote_timeout = (unsigned)n;
		}
		return r;
	case CK_DELAY_WARNING:
		return conf_set_number(st, key, v, true, false, 0, ULONG_MAX,
		    &c->delay_warning);
	case CK_COUNT:
		break;
	}
	snprintf(st->msg, sizeof(st->msg), "internal error");
	return -1;
}

static int
conf_kv(void *ctx, const char *key, const char *value, const char **error_r)
{
	struct conf_state *st = ctx;
	char q[CONF_QUOTE_MAX_BYTES];
	char v[CONF_LINE_MAX_BYTES + 1];
	int k;

	for (k = 0; k < CK_COUNT; k++)
		if (strcmp(key, conf_key_names[k]) == 0)
			break;
	if (k == CK_COUNT) {
		conf_quote(q, sizeof(q), key);
		snprintf(st->msg, sizeof(st->msg), "unknown key '%s'", q);
		*error_r = st->msg;
		return -1;
	}
	if (st->seen_line[k] != 0) {
		snprintf(st->msg, sizeof(st->msg), "duplicate key '%s' (first "
		    "set on line %lu)", conf_key_names[k], st->seen_line[k]);
		*error_r = st->msg;
		return -1;
	}
	st->seen_line[k] = conf_kv_line ? conf_kv_line : 1;
	snprintf(v, sizeof(v), "%s", value);
	if (conf_apply(st, (enum conf_key)k, v) < 0) {
		*error_r = st->msg;
		return -1;
	}
	return 0;
}

int
conf_load(struct conf *c, const char *dir, const char **error_r)
{
	struct conf_state st;
	char path[PATH_MAX];
	const char *d = conf_dir(dir);
	int n;

	conf_defaults(c);
	if (!conf_copy(c->confdir, sizeof(c->confdir), d))
		return conf_fail(error_r, "%s: config directory name too long",
		    d);
	n = snprintf(path, sizeof(path), "%s/%s", d, CONF_FILE_NAME);
	if (n < 0 || (size_t)n >= sizeof(path))
		return conf_fail(error_r, "%s: config directory name too long",
		    d);
	memset(&st, 0, sizeof(st));
	st.c = c;
	if (conf_read_kv(path, conf_kv, &st, error_r) < 0) {
		conf_free(c);
		conf_defaults(c);
		conf_copy(c->confdir, sizeof(c->confdir), d);
		return -1;
	}
	if (c->retry_min > c->retry_max) {
		conf_fail(error_r, "%s: retry_min (%u) is greater than "
		    "retry_max (%u)", path, c->retry_min, c->retry_max);
		goto fail;
	}
	if ((c->tls_cert[0] == '\0') != (c->tls_key[0] == '\0')) {
		conf_fail(error_r, "%s: tls_cert and tls_key must be set "
		    "together", path);
		goto fail;
	}
	if (st.seen_line[CK_LOCAL_DOMAINS] == 0) {
		/* qmail's rule: without a list, the host itself is local. */
		char *h = c->hostname;

		st.msg[0] = '\0';
		if (conf_add_domain(&st, h) < 0) {
			conf_fail(error_r, "%s: %s", path, st.msg);
			goto fail;
		}
	}
	return 0;
fail:
	conf_free(c);
	conf_defaults(c);
	conf_copy(c->confdir, sizeof(c->confdir), d);
	return -1;
}

void
conf_free(struct conf *c)
{
	conf_free_lists(c);
}

bool
conf_is_local_domain(const struct conf *c, const char *domain)
{
	size_t i;

	if (domain == NULL)
		return false;
	for (i = 0; i < c->n_local_domains; i++)
		if (strcasecmp(c->local_domains[i], domain) == 0)
			return true;
	return false;
}

int
conf_path(const struct conf *c, const char *name, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", c->confdir, name);

	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

const struct conf_route *
conf_route_for(const struct conf *c, const char *domain)
{
	const struct conf_route *wild = NULL;
	size_t i;

	for (i = 0; i < c->n_smtp_routes; i++) {
		if (strcmp(c->smtp_routes[i].domain, "*") == 0) {
			if (wild == NULL)
				wild = &c->smtp_routes[i];
		} else if (strcasecmp(c->smtp_routes[i].domain, domain) == 0)
			return &c->smtp_routes[i];
	}
	return wild;
}

bool
conf_plaintext_auth_ok(const struct conf *c, const char *ip)
{
	return cidr_match_any(c->plaintext_auth_networks,
	    c->n_plaintext_auth_networks, ip);
}
