/*
 * test_log.c -- lib/log.c: the file destination (line format, one line per
 * event, session tag, control bytes flattened, O_APPEND across reopen), the
 * stderr destination and its fallbacks, and log_safe() escaping and
 * truncation at every small output size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_log.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t
read_file(const char *path, char *out, size_t outlen)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, out, outlen - 1);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	return (size_t)n;
}

static void
assert_matches(const char *s, const char *re)
{
	regex_t rx;
	int r;

	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE), 0);
	r = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	if (r != 0)
		fail_msg("'%s' does not match /%s/", s, re);
}

static void
test_file(void **state)
{
	char path[128], data[4096], re[256];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/quail.log", tmpdir);
	log_open("smtpd", path);
	assert_string_equal(log_prog(), "quail-smtpd");
	assert_false(log_is_stderr());
	log_msg(LOG_INFO, "hello %d", 42);
	log_set_session("abc123");
	log_msg(LOG_WARNING, "with session");
	log_set_session(NULL);
	log_msg(LOG_ERR, "evil\r\nquail-smtpd[1]: forged");
	read_file(path, data, sizeof(data));
	snprintf(re, sizeof(re), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
	    "[0-9]{2}[+-][0-9]{2}:[0-9]{2} quail-smtpd\\[%ld\\]: hello 42\n"
	    "[^ ]+ quail-smtpd\\[%ld\\]: sess=abc123 with session\n"
	    "[^ ]+ quail-smtpd\\[%ld\\]: evil\\?\\?quail-smtpd\\[1\\]: forged\n$",
	    (long)getpid(), (long)getpid(), (long)getpid());
	assert_matches(data, re);
	/* reopen appends */
	log_open("quail-deliver", path);
	assert_string_equal(log_prog(), "quail-deliver");
	log_msg(LOG_INFO, "second");
	read_file(path, data, sizeof(data));
	assert_non_null(strstr(data, "forged\n"));
	assert_non_null(strstr(data, "quail-deliver["));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0640, 0);
}

static void
test_file_long_line(void **state)
{
	char path[128], *data, *big;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/long.log", tmpdir);
	big = malloc(10000);
	data = malloc(20000);
	assert_non_null(big);
	assert_non_null(data);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	log_open("t", path);
	log_msg(LOG_INFO, "%s", big);
	n = read_file(path, data, 20000);
	assert_true(n > 4000 && n < 5000);      /* truncated, still one line */
	assert_int_equal(data[n - 1], '\n');
	assert_null(memchr(data, '\n', n - 1));
	/* the message keeps its first 4095 bytes, after the whole prefix */
	assert_int_equal(strspn(strchr(data, 'x'), "x"), 4095);
	assert_non_null(strstr(data, "t["));
	free(big);
	free(data);
}

/* Captures what the stderr destination writes. */
static void
capture_stderr(void (*fn)(void), char *out, size_t outlen)
{
	int p[2], saved;
	ssize_t n;

	fflush(stderr);
	assert_int_equal(pipe(p), 0);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(p[1], 2), 2);
	close(p[1]);
	fn();
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = read(p[0], out, outlen - 1);
	assert_true(n >= 0);
	out[n] = '\0';
	close(p[0]);
}

static void
emit_stderr(void)
{
	log_open("pop3d", "stderr");
	log_set_session("s1");
	log_msg(LOG_INFO, "to stderr");
	log_set_session("bad\ntag");
	log_msg(LOG_INFO, "x");
	log_set_session(NULL);
}

static void
emit_relative(void)
{
	log_open("imapd", "relative/path.log");
	log_msg(LOG_INFO, "after fallback");
}

static char unwritable[160];

static void
emit_unwritable(void)
{
	log_open("imapd", unwritable);
	log_msg(LOG_INFO, "after fallback");
}

static void
test_stderr(void **state)
{
	char out[1024], re[256];

	(void)state;
	capture_stderr(emit_stderr, out, sizeof(out));
	assert_true(log_is_stderr());
	snprintf(re, sizeof(re), "^quail-pop3d\\[%ld\\]: sess=s1 to stderr\n"
	    "quail-pop3d\\[%ld\\]: sess=bad\\\\x0atag x\n$", (long)getpid(),
	    (long)getpid());
	assert_matches(out, re);

	capture_stderr(emit_relative, out, sizeof(out));
	assert_true(log_is_stderr());
	assert_non_null(strstr(out, "not an absolute path"));
	assert_non_null(strstr(out, "quail-imapd["));
	assert_non_null(strstr(out, "]: after fallback\n"));

	snprintf(unwritable, sizeof(unwritable), "%s/no/such/dir/x.log", tmpdir);
	capture_stderr(emit_unwritable, out, sizeof(out));
	assert_true(log_is_stderr());
	assert_non_null(strstr(out, "cannot open log file"));
	assert_non_null(strstr(out, "after fallback"));
}

static void
test_syslog(void **state)
{
	(void)state;
	/* Only that it does not crash or write to stderr/the old file. */
	log_open("test", "syslog");
	assert_false(log_is_stderr());
	log_set_session("q1");
	log_msg(LOG_DEBUG, "test_log syslog line");
	log_set_session(NULL);
	log_open("test", NULL);
	assert_false(log_is_stderr());
	log_open("test", "stderr");
}

struct safe_case {
	const char *in;
	size_t inlen;
	size_t outlen;
	const char *out;
};

#define S(x) x, sizeof(x) - 1

static const struct safe_case safe_cases[] = {
	{ S("hello"), 64, "hello" },
	{ S(""), 64, "" },
	{ S("a b~"), 64, "a b~" },
	{ S("a\r\nb"), 64, "a\\x0d\\x0ab" },
	{ S("\0\x7f\x80\xff"), 64, "\\x00\\x7f\\x80\\xff" },
	{ S("tab\there"), 64, "tab\\x09here" },
	/* sizes around the fit: "hello" needs 6 */
	{ S("hello"), 6, "hello" },
	{ S("hello"), 5, "h..." },
	{ S("hello"), 4, "..." },
	{ S("hello"), 3, ".." },
	{ S("hello"), 2, "." },
	{ S("hello"), 1, "" },
	/* an escape is never cut in half */
	{ S("ab\x01"), 6, "ab..." },
	{ S("ab\x01"), 7, "ab\\x01" },
	{ S("abcdefgh\x01"), 10, "abcdef..." },
};

static void
test_log_safe(void **state)
{
	char out[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(safe_cases) / sizeof(safe_cases[0]); i++) {
		memset(out, 'Z', sizeof(out));
		assert_ptr_equal(log_safe(out, safe_cases[i].outlen,
		    safe_cases[i].in, safe_cases[i].inlen), out);
		assert_string_equal(out, safe_cases[i].out);
		assert_true(strlen(out) < safe_cases[i].outlen);
	}
	/* outlen 0: nothing written */
	out[0] = 'Z';
	log_safe(out, 0, "abc", 3);
	assert_int_equal(out[0], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_long_line),
		cmocka_unit_test(test_stderr),
		cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_log_safe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
