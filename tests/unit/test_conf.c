/*
 * test_conf.c -- lib/conf.c: every key, the defaults, every error (each
 * naming file:line), line limits (limit/limit+1), value parsers with
 * overflow, conf_dir precedence, conf_read_kv, and that a failed load
 * leaves a freeable default struct.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_conf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/quail.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void
write_conf(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int
load_text(struct conf *c, const char *text, const char **err)
{
	write_conf(text, strlen(text));
	*err = NULL;
	return conf_load(c, dir, err);
}

static void
test_defaults(void **state)
{
	struct conf c;
	const char *err;

	(void)state;
	conf_defaults(&c);
	assert_string_equal(c.queue_dir, QUAIL_QUEUEDIR);
	assert_string_equal(c.libexec_dir, QUAIL_LIBEXECDIR);
	assert_string_equal(c.mail_dir, QUAIL_MAILDIR_BASE);
	assert_string_equal(c.log_dest, "syslog");
	assert_false(c.trace);
	assert_true(c.system_users);
	assert_int_equal(c.message_size_limit, 10485760);
	assert_int_equal(c.recipient_limit, 100);
	assert_int_equal(c.error_limit, 10);
	assert_int_equal(c.smtp_timeout, 300);
	assert_int_equal(c.data_timeout, 600);
	assert_int_equal(c.queue_lifetime, 5 * 86400);
	assert_int_equal(c.local_concurrency, 10);
	assert_int_equal(c.retry_min, 300);
	assert_int_equal(c.retry_max, 4 * 3600);
	assert_string_equal(c.daemon_user, QUAIL_DAEMON_USER);
	assert_string_equal(c.queue_user, QUAIL_QUEUE_USER);
	assert_string_equal(c.vmail_user, QUAIL_VMAIL_USER);
	assert_string_equal(c.tls_cert, "");
	assert_string_equal(c.tls_key, "");
	assert_int_equal(c.recipient_delimiter, '+');
	assert_string_equal(c.smtp_banner, "ESMTP quail");
	assert_true(c.hostname[0] != '\0');
	assert_true(conf_valid_domain(c.hostname));
	assert_int_equal(c.n_relay_networks, 2);
	assert_true(cidr_match_any(c.relay_networks, c.n_relay_networks,
	    "127.1.2.3"));
	assert_true(cidr_match_any(c.relay_networks, c.n_relay_networks, "::1"));
	assert_false(cidr_match_any(c.relay_networks, c.n_relay_networks,
	    "10.0.0.1"));
	conf_free(&c);

	/* an empty file: defaults, and the hostname is the local domain */
	assert_int_equal(load_text(&c, "", &err), 0);
	assert_string_equal(c.confdir, dir);
	assert_int_equal(c.n_local_domains, 1);
	assert_true(conf_is_local_domain(&c, c.hostname));
	assert_int_equal(c.n_relay_networks, 2);
	conf_free(&c);
	assert_int_equal(load_text(&c, "hostname = Mail.Example.ORG\n", &err), 0);
	assert_string_equal(c.hostname, "mail.example.org");
	assert_true(conf_is_local_domain(&c, "MAIL.example.org"));
	conf_free(&c);
}

static const char full_conf[] =
    "# a full configuration\n"
    "\n"
    "   # indented comment\n"
    "hostname = MX.Example.COM\n"
    "local_domains = Example.com, example.net\tlocalhost,,\n"
    "relay_networks = 10.0.0.0/8, 2001:db8::/32 192.0.2.1\n"
    "queue_dir = /q\n"
    "libexec_dir = /usr/lib/quail\n"
    "mail_dir = /srv/mail\n"
    "log = /var/log/quail.log\n"
    "trace = yes\n"
    "system_users = off\n"
    "message_size_limit = 20M\n"
    "recipient_limit = 50\n"
    "error_limit = 3\n"
    "smtp_timeout = 2m\n"
    "data_timeout = 1h\n"
    "queue_lifetime = 7d\n"
    "local_concurrency = 4\n"
    "retry_min = 60\n"
    "retry_max = 2h\n"
    "daemon_user = mail-d\n"
    "queue_user = q_user\n"
    "vmail_user = vmail.1\n"
    "tls_cert = /etc/quail/tls/cert.pem\n"
    "tls_key = /etc/quail/tls/key.pem\r\n"
    "recipient_delimiter = -\n"
    "smtp_banner =   ESMTP welcome = friends #1  \n";

static void
test_every_key(void **state)
{
	struct conf c;
	const char *err;

	(void)state;
	assert_int_equal(load_text(&c, full_conf, &err), 0);
	assert_string_equal(c.hostname, "mx.example.com");
	assert_int_equal(c.n_local_domains, 3);
	assert_string_equal(c.local_domains[0], "example.com");
	assert_string_equal(c.local_domains[1], "example.net");
	assert_string_equal(c.local_domains[2], "localhost");
	assert_true(conf_is_local_domain(&c, "EXAMPLE.NET"));
	assert_false(conf_is_local_domain(&c, "mx.example.com"));
	assert_false(conf_is_local_domain(&c, NULL));
	assert_int_equal(c.n_relay_networks, 3);
	assert_true(cidr_match_any(c.relay_networks, 3, "10.9.8.7"));
	assert_true(cidr_match_any(c.relay_networks, 3, "2001:db8::5"));
	assert_true(cidr_match_any(c.relay_networks, 3, "192.0.2.1"));
	assert_false(cidr_match_any(c.relay_networks, 3, "127.0.0.1"));
	assert_string_equal(c.queue_dir, "/q");
	assert_string_equal(c.libexec_dir, "/usr/lib/quail");
	assert_string_equal(c.mail_dir, "/srv/mail");
	assert_string_equal(c.log_dest, "/var/log/quail.log");
	assert_true(c.trace);
	assert_false(c.system_users);
	assert_int_equal(c.message_size_limit, 20UL << 20);
	assert_int_equal(c.recipient_limit, 50);
	assert_int_equal(c.error_limit, 3);
	assert_int_equal(c.smtp_timeout, 120);
	assert_int_equal(c.data_timeout, 3600);
	assert_int_equal(c.queue_lifetime, 7 * 86400);
	assert_int_equal(c.local_concurrency, 4);
	assert_int_equal(c.retry_min, 60);
	assert_int_equal(c.retry_max, 7200);
	assert_string_equal(c.daemon_user, "mail-d");
	assert_string_equal(c.queue_user, "q_user");
	assert_string_equal(c.vmail_user, "vmail.1");
	assert_string_equal(c.tls_cert, "/etc/quail/tls/cert.pem");
	assert_string_equal(c.tls_key, "/etc/quail/tls/key.pem");
	assert_int_equal(c.recipient_delimiter, '-');
	assert_string_equal(c.smtp_banner, "ESMTP welcome = friends #1");
	conf_free(&c);

	/* special values */
	assert_int_equal(load_text(&c, "log = stderr\nrecipient_delimiter =\n"
	    "relay_networks =\nlocal_domains = \n", &err), 0);
	assert_string_equal(c.log_dest, "stderr");
	assert_int_equal(c.recipient_delimiter, '\0');
	assert_int_equal(c.n_relay_networks, 0);
	assert_false(cidr_match_any(c.relay_networks, c.n_relay_networks,
	    "127.0.0.1"));
	assert_int_equal(c.n_local_domains, 0);
	conf_free(&c);
	assert_int_equal(load_text(&c, "log=syslog\nrecipient_delimiter=none\n"
	    "trace=TRUE\nsystem_users=0\n", &err), 0);
	assert_string_equal(c.log_dest, "syslog");
	assert_int_equal(c.recipient_delimiter, '\0');
	assert_true(c.trace);
	assert_false(c.system_users);
	conf_free(&c);
	/* 0 means no limit for these two */
	assert_int_equal(load_text(&c, "recipient_limit = 0\nerror_limit = 0\n"
	    "recipient_limit_x = 1\n", &err), -1);
	conf_free(&c);
	assert_int_equal(load_text(&c, "recipient_limit = 0\nerror_limit = 0\n",
	    &err), 0);
	assert_int_equal(c.recipient_limit, 0);
	assert_int_equal(c.error_limit, 0);
	conf_free(&c);
	/* last line without a newline */
	assert_int_equal(load_text(&c, "recipient_limit = 7", &err), 0);
	assert_int_equal(c.recipient_limit, 7);
	conf_free(&c);
}

struct err_case {
	const char *text;
	const char *error;      /* after "<path>:" */
};

static const struct err_case err_cases[] = {
	{ "hostnme = x\n", "1: unknown key 'hostnme'" },
	{ "\n\n# c\nfoo bar\n", "4: missing '=' in 'foo bar'" },
	{ "= value\n", "1: missing key before '='" },
	{ "trace = yes\ntrace = no\n", "2: duplicate key 'trace' (first set on line 1)" },
	{ "# x\n\ntrace = yes\n\ntrace = no\n", "5: duplicate key 'trace' (first set on line 3)" },
	{ "local_domains = a\nlocal_domains = b\n", "2: duplicate key" },
	{ "hostname = bad_host\n", "1: hostname: invalid domain 'bad_host'" },
	{ "hostname = -a.b\n", "1: hostname: invalid domain" },
	{ "hostname = a..b\n", "1: hostname: invalid domain" },
	{ "hostname = a.b.\n", "1: hostname: invalid domain" },
	{ "hostname =\n", "1: hostname: missing value" },
	{ "local_domains = ok.com, bad!.com\n", "1: local_domains: invalid domain 'bad!.com'" },
	{ "relay_networks = 10.0.0.0/33\n", "1: relay_networks: invalid network '10.0.0.0/33'" },
	{ "relay_networks = 127.0.0.1 localhost\n", "1: relay_networks: invalid network 'localhost'" },
	{ "queue_dir = var/spool\n", "1: queue_dir: must be an absolute path" },
	{ "libexec_dir = ./x\n", "1: libexec_dir: must be an absolute path" },
	{ "mail_dir = mail\n", "1: mail_dir: must be an absolute path" },
	{ "log = quail.log\n", "1: log: must be an absolute path" },
	{ "tls_cert = cert.pem\ntls_key = /k\n", "1: tls_cert: must be an absolute path" },
	{ "tls_key = key.pem\n", "1: tls_key: must be an absolute path" },
	{ "trace = maybe\n", "1: trace: expected yes or no" },
	{ "system_users = \n", "1: system_users: missing value" },
	{ "message_size_limit = 10X\n", "1: message_size_limit: not a size" },
	{ "message_size_limit = 0\n", "1: message_size_limit: out of range" },
	{ "message_size_limit = 99999999999999999999\n", "1: message_size_limit: not a size" },
	{ "message_size_limit = 99999999999G\n", "1: message_size_limit: not a size" },
	{ "recipient_limit = -1\n", "1: recipient_limit: not a number" },
	{ "recipient_limit = 100001\n", "1: recipient_limit: out of range" },
	{ "error_limit = 100001\n", "1: error_limit: out of range" },
	{ "local_concurrency = 0\n", "1: local_concurrency: out of range" },
	{ "recipient_limit = 10k\n", "1: recipient_limit: not a number" },
	{ "error_limit = 1 2\n", "1: error_limit: not a number" },
	{ "smtp_timeout = 5x\n", "1: smtp_timeout: not a duration" },
	{ "smtp_timeout = 0\n", "1: smtp_timeout: out of range" },
	{ "data_timeout = 99999999999d\n", "1: data_timeout: out of range" },
	{ "queue_lifetime = 1dd\n", "1: queue_lifetime: not a duration" },
	{ "local_concurrency = 1001\n", "1: local_concurrency: out of range" },
	{ "retry_min = h\n", "1: retry_min: not a duration" },
	{ "retry_max = 1.5h\n", "1: retry_max: not a duration" },
	{ "daemon_user = root user\n", "1: daemon_user: invalid user name" },
	{ "queue_user = -q\n", "1: queue_user: invalid user name" },
	{ "vmail_user = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "1: vmail_user: invalid user name" },
	{ "recipient_delimiter = ++\n", "1: recipient_delimiter: expected one of" },
	{ "recipient_delimiter = @\n", "1: recipient_delimiter: expected one of" },
	{ "smtp_banner = caf\xc3\xa9\n", "1: smtp_banner: only printable ASCII" },
	{ "smtp_banner =\n", "1: smtp_banner: missing value" },
	{ "unknown\x01key = 1\n", "1: unknown key 'unknown\\x01key'" },
	/* checks across keys name the file */
	{ "retry_min = 2h\nretry_max = 1h\n", " retry_min (7200) is greater than retry_max (3600)" },
	{ "tls_cert = /c\n", " tls_cert and tls_key must be set together" },
};

static void
test_errors(void **state)
{
	char want[512];
	struct conf c;
	const char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		assert_int_equal(load_text(&c, err_cases[i].text, &err), -1);
		assert_non_null(err);
		snprintf(want, sizeof(want), "%s:%s", path, err_cases[i].error);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err, want);
		/* the struct is back to defaults and freeable */
		assert_int_equal(c.recipient_limit, 100);
		assert_int_equal(c.n_relay_networks, 2);
		conf_free(&c);
	}
}

/* "recipient_limit = 1" padded with blanks to len bytes, then LF or not. */
static char *
make_line(size_t len, const char *prefix, bool lf)
{
	char *text = malloc(strlen(prefix) + len + 2);
	size_t n;

	assert_non_null(text);
	n = (size_t)sprintf(text, "%srecipient_limit = 1", prefix);
	assert_true(len >= n - strlen(prefix));
	memset(text + n, ' ', len - (n - strlen(prefix)));
	n = strlen(prefix) + len;
	if (lf)
		text[n++] = '\n';
	text[n] = '\0';
	return text;
}

static void
test_line_limits(void **state)
{
	static const struct {
		size_t len;
		const char *prefix;
		bool lf;
		int r;
		const char *where;
	} cases[] = {
		{ CONF_LINE_MAX_BYTES - 1, "", true, 0, NULL },
		{ CONF_LINE_MAX_BYTES, "", true, 0, NULL },
		{ CONF_LINE_MAX_BYTES, "", false, 0, NULL },
		{ CONF_LINE_MAX_BYTES + 1, "", true, -1, "1" },
		{ CONF_LINE_MAX_BYTES + 1, "# ok\n\n", false, -1, "3" },
		{ CONF_LINE_MAX_BYTES * 3, "trace = no\n", true, -1, "2" },
	};
	struct conf c;
	const char *err;
	char want[256];
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = make_line(cases[i].len, cases[i].prefix, cases[i].lf);
		assert_int_equal(load_text(&c, text, &err), cases[i].r);
		if (cases[i].r == 0) {
			assert_int_equal(c.recipient_limit, 1);
		} else {
			snprintf(want, sizeof(want), "%s:%s: line too long",
			    path, cases[i].where);
			assert_int_equal(strncmp(err, want, strlen(want)), 0);
		}
		conf_free(&c);
		free(text);
	}

	/* a path of CONF_PATH_MAX bytes is taken whole, one more is an error
	 * naming file, line and key */
	{
		char *t = malloc(CONF_PATH_MAX + 64);

		assert_non_null(t);
		for (i = CONF_PATH_MAX; i <= CONF_PATH_MAX + 1; i++) {
			int n = sprintf(t, "trace = no\nmail_dir = /");

			memset(t + n, 'm', i - 1);
			strcpy(t + n + i - 1, "\n");
			if (i == CONF_PATH_MAX) {
				assert_int_equal(load_text(&c, t, &err), 0);
				assert_int_equal(strlen(c.mail_dir), i);
			} else {
				assert_int_equal(load_text(&c, t, &err), -1);
				snprintf(want, sizeof(want), "%s:2: mail_dir: "
				    "path too long (at most %d bytes)", path,
				    CONF_PATH_MAX);
				assert_string_equal(err, want);
			}
			conf_free(&c);
		}
		free(t);
	}

	/* a NUL byte is an error, not a silent truncation */
	write_conf("trace = no\nhostname = a\0.evil\n", 30);
	assert_int_equal(conf_load(&c, dir, &err), -1);
	snprintf(want, sizeof(want), "%s:2: NUL byte", path);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	conf_free(&c);
}

static void
test_missing_file_and_dir(void **state)
{
	struct conf c;
	const char *err = NULL;
	char want[256];

	(void)state;
	unlink(path);
	assert_int_equal(conf_load(&c, dir, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file", path);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	conf_free(&c);

	/* conf_dir precedence: argument, $QUAIL_CONFDIR, compiled-in */
	setenv("QUAIL_CONFDIR", "/env/dir", 1);
	assert_string_equal(conf_dir("/arg"), "/arg");
	assert_string_equal(conf_dir(NULL), "/env/dir");
	assert_string_equal(conf_dir(""), "/env/dir");
	setenv("QUAIL_CONFDIR", "", 1);
	assert_string_equal(conf_dir(NULL), QUAIL_CONFDIR);
	unsetenv("QUAIL_CONFDIR");
	assert_string_equal(conf_dir(NULL), QUAIL_CONFDIR);
	setenv("QUAIL_CONFDIR", dir, 1);
	write_conf("trace = yes\n", 12);
	assert_int_equal(conf_load(&c, NULL, &err), 0);
	assert_true(c.trace);
	assert_string_equal(c.confdir, dir);
	unsetenv("QUAIL_CONFDIR");
	{
		char p[PATH_MAX], small[8];

		assert_int_equal(conf_path(&c, "users.cdb", p, sizeof(p)), 0);
		snprintf(want, sizeof(want), "%s/users.cdb", dir);
		assert_string_equal(p, want);
		assert_int_equal(conf_path(&c, "users.cdb", small,
		    sizeof(small)), -1);
	}
	conf_free(&c);
}

static void
test_parsers(void **state)
{
	unsigned long v;
	bool b;

	(void)state;
	assert_int_equal(conf_parse_duration("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(conf_parse_duration("45s", &v), 0);
	assert_int_equal(v, 45);
	assert_int_equal(conf_parse_duration("3M", &v), 0);
	assert_int_equal(v, 180);
	assert_int_equal(conf_parse_duration("2d", &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(conf_parse_duration("", &v), -1);
	assert_int_equal(conf_parse_duration("s", &v), -1);
	assert_int_equal(conf_parse_duration("1w", &v), -1);
	assert_int_equal(conf_parse_duration(" 1", &v), -1);
	assert_int_equal(conf_parse_duration("+1", &v), -1);
	assert_int_equal(conf_parse_duration("18446744073709551615", &v), 0);
	assert_int_equal(v, ULONG_MAX);
	assert_int_equal(conf_parse_duration("18446744073709551616", &v), -1);
	assert_int_equal(conf_parse_duration("18446744073709551615m", &v), -1);
	assert_int_equal(conf_parse_size("1k", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(conf_parse_size("1G", &v), 0);
	assert_int_equal(v, 1UL << 30);
	assert_int_equal(conf_parse_size("5", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(conf_parse_size("5b", &v), -1);
	assert_int_equal(conf_parse_size("17179869184G", &v), -1);
	assert_int_equal(conf_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(conf_parse_bool("OFF", &b), 0);
	assert_false(b);
	assert_int_equal(conf_parse_bool("y", &b), -1);
	assert_int_equal(conf_parse_bool("", &b), -1);
	assert_true(conf_valid_domain("localhost"));
	assert_true(conf_valid_domain("a-b.c0.d"));
	assert_false(conf_valid_domain(""));
	assert_false(conf_valid_domain("a-.b"));
	assert_false(conf_valid_domain(".a"));
	assert_false(conf_valid_domain("a b"));
	assert_false(conf_valid_domain("xn--\xc3\xa9"));
}

struct kv_seen {
	int n;
	char last_key[32], last_value[64];
};

static int
kv_fn(void *ctx, const char *key, const char *value, const char **error_r)
{
	struct kv_seen *s = ctx;

	s->n++;
	snprintf(s->last_key, sizeof(s->last_key), "%s", key);
	snprintf(s->last_value, sizeof(s->last_value), "%s", value);
	if (strcmp(key, "bad") == 0) {
		*error_r = "no bad keys here";
		return -1;
	}
	return 0;
}

static void
test_read_kv(void **state)
{
	struct kv_seen s;
	const char *err;
	char want[256];

	(void)state;
	memset(&s, 0, sizeof(s));
	write_conf(" a = 1 \n#x\nb=  two words\t\n", 26);
	assert_int_equal(conf_read_kv(path, kv_fn, &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.last_key, "b");
	assert_string_equal(s.last_value, "two words");
	memset(&s, 0, sizeof(s));
	write_conf("a=1\n\nbad = 2\n", 13);
	assert_int_equal(conf_read_kv(path, kv_fn, &s, &err), -1);
	snprintf(want, sizeof(want), "%s:3: no bad keys here", path);
	assert_string_equal(err, want);
}

/* The login and outbound keys (issues 3 and 5): defaults, values, errors. */
static void
test_login_and_remote_keys(void **state)
{
	struct conf c;
	const struct conf_route *r;
	const char *err;
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "auth_backends = ldap\n", "1: auth_backends: unknown backend 'ldap'" },
		{ "auth_backends = cdb cdb\n", "1: auth_backends: 'cdb' listed twice" },
		{ "auth_backends = ,\n", "1: auth_backends: missing value" },
		{ "pam_service = a/b\n", "1: pam_service: invalid service name" },
		{ "plaintext_auth_networks = 10.0.0.0/33\n",
		  "1: plaintext_auth_networks: invalid network '10.0.0.0/33'" },
		{ "auth_fail_delay = 61\n", "1: auth_fail_delay: out of range" },
		{ "pop3_timeout = 0\n", "1: pop3_timeout: out of range" },
		{ "smtp_routes = example.org\n", "1: smtp_routes: invalid route 'example.org'" },
		{ "smtp_routes = example.org=host:0\n", "1: smtp_routes: invalid route" },
		{ "smtp_routes = example.org=host:65536\n", "1: smtp_routes: invalid route" },
		{ "smtp_routes = example.org=[1.2.3]:25\n", "1: smtp_routes: invalid route" },
		{ "smtp_routes = ex_ample.org=host\n", "1: smtp_routes: invalid route" },
		{ "smtp_routes = =host\n", "1: smtp_routes: invalid route" },
		{ "dns_nameserver = ns.example.org\n", "1: dns_nameserver: expected an IP" },
		{ "dns_nameserver = 127.0.0.1:99999\n", "1: dns_nameserver: expected an IP" },
		{ "remote_concurrency = 0\n", "1: remote_concurrency: out of range" },
		{ "remote_destination_concurrency = 1001\n",
		  "1: remote_destination_concurrency: out of range" },
		{ "remote_tls = maybe\n", "1: remote_tls: expected none, may or verify" },
		{ "delay_warning = soon\n", "1: delay_warning: not a duration" },
	};
	char want[512];
	size_t i;

	(void)state;
	assert_int_equal(load_text(&c, "hostname = mail.example.org\n", &err), 0);
	assert_int_equal(c.n_auth_backends, 2);
	assert_int_equal(c.auth_backends[0], CONF_AUTH_CDB);
	assert_int_equal(c.auth_backends[1], CONF_AUTH_PAM);
	assert_string_equal(c.pam_service, "quail");
	assert_int_equal(c.n_plaintext_auth_networks, 0);
	assert_false(conf_plaintext_auth_ok(&c, "127.0.0.1"));
	assert_int_equal(c.auth_fail_delay, 2);
	assert_int_equal(c.pop3_timeout, 600);
	assert_int_equal(c.imap_timeout, 1800);
	assert_null(conf_route_for(&c, "example.org"));
	assert_string_equal(c.dns_nameserver, "");
	assert_int_equal(c.remote_concurrency, 20);
	assert_int_equal(c.remote_destination_concurrency, 5);
	assert_int_equal(c.remote_tls, CONF_REMOTE_TLS_MAY);
	assert_int_equal(c.remote_connect_timeout, 30);
	assert_int_equal(c.remote_timeout, 300);
	assert_int_equal(c.delay_warning, 0);
	conf_free(&c);

	assert_int_equal(load_text(&c,
	    "auth_backends = pam, cdb\n"
	    "pam_service = quail-test\n"
	    "plaintext_auth_networks = 127.0.0.0/8 ::1\n"
	    "auth_fail_delay = 0\n"
	    "pop3_timeout = 5m\n"
	    "imap_timeout = 1h\n"
	    "smtp_routes = Example.ORG=[127.0.0.1]:2526 relay.test=mx.relay.test "
	    "*=smarthost.example.net:587 v6.test=[::1]:25\n"
	    "dns_nameserver = 127.0.0.1:5353\n"
	    "remote_concurrency = 50\n"
	    "remote_destination_concurrency = 2\n"
	    "remote_tls = verify\n"
	    "remote_connect_timeout = 10s\n"
	    "remote_timeout = 2m\n"
	    "delay_warning = 4h\n", &err), 0);
	assert_int_equal(c.n_auth_backends, 2);
	assert_int_equal(c.auth_backends[0], CONF_AUTH_PAM);
	assert_int_equal(c.auth_backends[1], CONF_AUTH_CDB);
	assert_string_equal(c.pam_service, "quail-test");
	assert_true(conf_plaintext_auth_ok(&c, "127.0.0.5"));
	assert_true(conf_plaintext_auth_ok(&c, "::1"));
	assert_false(conf_plaintext_auth_ok(&c, "192.0.2.1"));
	assert_int_equal(c.auth_fail_delay, 0);
	assert_int_equal(c.pop3_timeout, 300);
	assert_int_equal(c.imap_timeout, 3600);
	r = conf_route_for(&c, "example.org");
	assert_non_null(r);
	assert_string_equal(r->host, "127.0.0.1");
	assert_true(r->host_is_ip);
	assert_int_equal(r->port, 2526);
	r = conf_route_for(&c, "RELAY.test");
	assert_non_null(r);
	assert_string_equal(r->host, "mx.relay.test");
	assert_false(r->host_is_ip);
	assert_int_equal(r->port, 25);
	r = conf_route_for(&c, "v6.test");
	assert_non_null(r);
	assert_string_equal(r->host, "::1");
	r = conf_route_for(&c, "anything.example");
	assert_non_null(r);
	assert_string_equal(r->domain, "*");
	assert_string_equal(r->host, "smarthost.example.net");
	assert_int_equal(r->port, 587);
	assert_string_equal(c.dns_nameserver, "127.0.0.1:5353");
	assert_int_equal(c.remote_concurrency, 50);
	assert_int_equal(c.remote_destination_concurrency, 2);
	assert_int_equal(c.remote_tls, CONF_REMOTE_TLS_VERIFY);
	assert_int_equal(c.remote_connect_timeout, 10);
	assert_int_equal(c.remote_timeout, 120);
	assert_int_equal(c.delay_warning, 4 * 3600);
	conf_free(&c);

	assert_int_equal(load_text(&c, "dns_nameserver = [::1]:53\n", &err), 0);
	assert_string_equal(c.dns_nameserver, "[::1]:53");
	conf_free(&c);
	assert_int_equal(load_text(&c, "dns_nameserver = ::1\n", &err), 0);
	conf_free(&c);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load_text(&c, bad[i].text, &err), -1);
		snprintf(want, sizeof(want), "%s:%s", path, bad[i].error);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err, want);
		conf_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_missing_file_and_dir),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_read_kv),
		cmocka_unit_test(test_login_and_remote_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
