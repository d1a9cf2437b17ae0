/*
 * test_handover.c -- lib/handover.c: the monitor's handover to
 * quail-imapd-session. The text round-trips; the parser refuses each kind
 * of damage with its own error (magic, order, missing field, control
 * byte, long value, number out of range or malformed, unknown log,
 * missing empty line, wrong input length); format refuses what cannot be
 * written; receive reads fd 3, and refuses root and anyone but the owner.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handover.h"

static const char sample[] =
	"quail-handover 1\n"
	"user alice@mycompany.com\n"
	"uid 1001\n"
	"gid 1002\n"
	"system_user 0\n"
	"maildir /var/mail/quail/mycompany.com/alice/Maildir\n"
	"ip 192.0.2.7\n"
	"trace 1\n"
	"imap_timeout 1800\n"
	"message_size_limit 10485760\n"
	"error_limit 10\n"
	"log file\n"
	"input 12\n"
	"\n"
	"Pa1\na NOOP\r\n";

static int
parse_str(struct handover *h, const char *s, const char **error_r)
{
	return handover_parse(h, (const unsigned char *)s, strlen(s), error_r);
}

static void
test_roundtrip(void **state)
{
	struct handover h;
	struct buf out;
	const char *error = NULL;

	(void)state;
	assert_int_equal(parse_str(&h, sample, &error), 0);
	assert_string_equal(h.user, "alice@mycompany.com");
	assert_int_equal(h.uid, 1001);
	assert_int_equal(h.gid, 1002);
	assert_false(h.system_user);
	assert_string_equal(h.maildir,
			    "/var/mail/quail/mycompany.com/alice/Maildir");
	assert_string_equal(h.remote_ip, "192.0.2.7");
	assert_true(h.trace);
	assert_int_equal(h.imap_timeout, 1800);
	assert_int_equal(h.message_size_limit, 10485760);
	assert_int_equal(h.error_limit, 10);
	assert_int_equal(h.log, HANDOVER_LOG_FILE);
	assert_int_equal(h.input_len, 12);
	assert_memory_equal(h.input, "Pa1\na NOOP\r\n", 12);

	buf_init(&out, HANDOVER_MAX_BYTES);
	assert_int_equal(handover_format(&h, &out), 0);
	assert_int_equal(out.len, strlen(sample));
	assert_memory_equal(out.data, sample, out.len);
	buf_free(&out);
}

/* sample with the first occurrence of from replaced by to */
static char *
damaged(const char *from, const char *to)
{
	static char s[1024];
	const char *p = strstr(sample, from);
	size_t n;

	assert_non_null(p);
	n = (size_t)(p - sample);
	assert_true(n + strlen(to) + strlen(p + strlen(from)) < sizeof(s));
	memcpy(s, sample, n);
	strcpy(s + n, to);
	strcat(s, p + strlen(from));
	return s;
}

static void
expect_error(const char *s, const char *error)
{
	struct handover h;
	const char *e = NULL;

	if (parse_str(&h, s, &e) == 0)
		fail_msg("accepted: %s", s);
	assert_non_null(e);
	assert_string_equal(e, error);
}

static void
test_refused(void **state)
{
	char longuser[400];

	(void)state;
	expect_error(damaged("quail-handover 1", "quail-handover 2"),
		     "not a handover of this version");
	expect_error("", "not a handover of this version");
	expect_error(damaged("uid 1001\ngid 1002\n", "gid 1002\nuid 1001\n"),
		     "a field is missing or out of order");
	expect_error(damaged("trace 1\n", ""),
		     "a field is missing or out of order");
	expect_error(damaged("user alice@mycompany.com", "user "),
		     "a field is missing or out of order");
	expect_error(damaged("ip 192.0.2.7", "ip 192.0.2.7\r"),
		     "a control byte in a value");
	expect_error(damaged("alice@", "al\x7f" "ice@"),
		     "a control byte in a value");
	memset(longuser, 'u', sizeof(longuser) - 1);
	longuser[sizeof(longuser) - 1] = '\0';
	expect_error(damaged("alice@mycompany.com", longuser),
		     "a value is too long");
	expect_error(damaged("uid 1001", "uid 01001"),
		     "a number is malformed or out of range");
	expect_error(damaged("uid 1001", "uid -1"),
		     "a number is malformed or out of range");
	expect_error(damaged("uid 1001", "uid 4294967295"),
		     "a number is malformed or out of range");
	expect_error(damaged("trace 1", "trace 2"),
		     "a number is malformed or out of range");
	expect_error(damaged("error_limit 10", "error_limit 4294967296"),
		     "a number is malformed or out of range");
	expect_error(damaged("imap_timeout 1800", "imap_timeout 18x0"),
		     "a number is malformed or out of range");
	expect_error(damaged("input 12", "input 16385"),
		     "a number is malformed or out of range");
	expect_error(damaged("log file", "log mail"), "unknown log destination");
	expect_error(damaged("input 12\n\n", "input 12\n"),
		     "no empty line after the fields");
	expect_error(damaged("input 12", "input 11"),
		     "the input's length is wrong");
	expect_error(damaged("input 12", "input 13"),
		     "the input's length is wrong");
	expect_error("quail-handover 1\nuser alice", "truncated");
}

static void
test_format_refuses(void **state)
{
	struct handover h;
	struct buf out;
	const char *error = NULL;

	(void)state;
	buf_init(&out, HANDOVER_MAX_BYTES);
	assert_int_equal(parse_str(&h, sample, &error), 0);
	strcpy(h.maildir, "/home/a\nuid 0");
	assert_int_equal(handover_format(&h, &out), -1);

	assert_int_equal(parse_str(&h, sample, &error), 0);
	h.user[0] = '\0';
	assert_int_equal(handover_format(&h, &out), -1);

	assert_int_equal(parse_str(&h, sample, &error), 0);
	h.input_len = IO_RBUF_BYTES + 1;
	assert_int_equal(handover_format(&h, &out), -1);

	assert_int_equal(parse_str(&h, sample, &error), 0);
	h.log = (enum handover_log)7;
	assert_int_equal(handover_format(&h, &out), -1);
	buf_free(&out);
}

/* Puts s on fd 3 (a pipe, written whole before the read). */
static void
put_on_fd3(const char *s)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], s, strlen(s)), (ssize_t)strlen(s));
	close(p[1]);
	if (p[0] != HANDOVER_FD) {
		assert_int_equal(dup2(p[0], HANDOVER_FD), HANDOVER_FD);
		close(p[0]);
	}
}

/* handover_receive in a child that runs as uid/gid; its exit status: 0
 * received, 1 refused with error, 2 refused with another error. */
static int
receive_as(uid_t uid, gid_t gid, const char *s, const char *error)
{
	struct handover h;
	struct buf store;
	const char *e = NULL;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		put_on_fd3(s);
		if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(3);
		if (handover_receive(&h, &store, &e) == 0)
			_exit(fcntl(HANDOVER_FD, F_GETFD) < 0 && h.uid == uid &&
			      h.input_len == 12 ? 0 : 4);
		if (error == NULL || strcmp(e, error) != 0) {
			fprintf(stderr, "receive: %s\n", e);
			_exit(2);
		}
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_receive(void **state)
{
	char *s;

	(void)state;
	if (geteuid() != 0)
		skip();
	s = strdup(damaged("uid 1001\ngid 1002", "uid 65534\ngid 65534"));
	assert_non_null(s);
	/* the owner: received, fd 3 closed */
	assert_int_equal(receive_as(65534, 65534, s, NULL), 0);
	/* anyone else, root included */
	assert_int_equal(receive_as(65533, 65534, s,
				    "not running as the mailbox owner"), 1);
	assert_int_equal(receive_as(65534, 65533, s,
				    "not running as the mailbox owner"), 1);
	assert_int_equal(receive_as(0, 0, s,
				    "not running as the mailbox owner"), 1);
	free(s);
	/* a handover naming root is refused even as root */
	assert_int_equal(receive_as(0, 0, damaged("uid 1001\ngid 1002",
						  "uid 0\ngid 0"),
				    "not running as the mailbox owner"), 1);
	/* damage is reported */
	assert_int_equal(receive_as(65534, 65534, "garbage",
				    "not a handover of this version"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_receive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
