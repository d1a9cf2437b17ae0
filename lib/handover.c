/*
 * handover.c -- the monitor's handover to the post-login session program
 * (see handover.h): its text, its parser, the exec and the receipt.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handover.h"
#include "log.h"

#define HANDOVER_MAGIC "quail-handover 1"

static const char *const handover_log_names[] = {
	[HANDOVER_LOG_SYSLOG] = "syslog",
	[HANDOVER_LOG_STDERR] = "stderr",
	[HANDOVER_LOG_FILE] = "file",
};

/* A value may hold any byte but the control bytes (one line each). */
static bool
handover_value_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] == 0x7f)
			return false;
	return n > 0 && n < max;
}

int
handover_format(const struct handover *h, struct buf *out)
{
	buf_reset(out);
	if (!handover_value_ok(h->user, sizeof(h->user)) ||
	    !handover_value_ok(h->maildir, sizeof(h->maildir)) ||
	    !handover_value_ok(h->remote_ip, sizeof(h->remote_ip)) ||
	    (unsigned)h->log > HANDOVER_LOG_FILE ||
	    h->input_len > IO_RBUF_BYTES)
		return -1;
	if (buf_printf(out,
		       HANDOVER_MAGIC "\n"
		       "user %s\nuid %lu\ngid %lu\nsystem_user %d\n"
		       "maildir %s\nip %s\ntrace %d\n"
		       "imap_timeout %u\nmessage_size_limit %lu\n"
		       "error_limit %u\nlog %s\ninput %zu\n\n",
		       h->user, (unsigned long)h->uid, (unsigned long)h->gid,
		       h->system_user ? 1 : 0, h->maildir, h->remote_ip,
		       h->trace ? 1 : 0, h->imap_timeout,
		       h->message_size_limit, h->error_limit,
		       handover_log_names[h->log], h->input_len) < 0 ||
	    buf_append(out, h->input, h->input_len) < 0)
		return -1;
	return 0;
}

/* The parser's position in the bytes. */
struct handover_in {
	const unsigned char *p;
	size_t len, pos;
	const char *error;
};

/* The next line, which must be "key value": the value (NUL-terminated
 * copy in val, at most max-1 bytes, no control bytes). 0 / -1. */
static int
handover_field(struct handover_in *in, const char *key, char *val, size_t max)
{
	const unsigned char *line = in->p + in->pos, *lf;
	size_t klen = strlen(key), n, i;

	lf = memchr(line, '\n', in->len - in->pos);
	if (lf == NULL) {
		in->error = "truncated";
		return -1;
	}
	n = (size_t)(lf - line);
	if (n <= klen + 1 || memcmp(line, key, klen) != 0 ||
	    line[klen] != ' ') {
		in->error = "a field is missing or out of order";
		return -1;
	}
	n -= klen + 1;
	if (n >= max) {
		in->error = "a value is too long";
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = line[klen + 1 + i];

		if (c < 0x20 || c == 0x7f) {
			in->error = "a control byte in a value";
			return -1;
		}
		val[i] = (char)c;
	}
	val[n] = '\0';
	in->pos += (size_t)(lf - line) + 1;
	return 0;
}

/* A "key N" line with N decimal (no sign, no leading zero but "0") in
 * [0, max]. 0 / -1. */
static int
handover_number(struct handover_in *in, const char *key, uintmax_t max,
		uintmax_t *r)
{
	char v[24];
	uintmax_t n = 0;
	size_t i;

	if (handover_field(in, key, v, sizeof(v)) < 0)
		return -1;
	if (v[0] == '0' && v[1] != '\0')
		goto bad;
	for (i = 0; v[i] != '\0'; i++) {
		uintmax_t d = (uintmax_t)(v[i] - '0');

		if (v[i] < '0' || v[i] > '9' || d > max ||
		    n > (max - d) / 10)
			goto bad;
		n = n * 10 + d;
	}
	*r = n;
	return 0;
bad:
	in->error = "a number is malformed or out of range";
	return -1;
}

static int
handover_bool(struct handover_in *in, const char *key, bool *r)
{
	uintmax_t n;

	if (handover_number(in, key, 1, &n) < 0)
		return -1;
	*r = n == 1;
	return 0;
}

int
handover_parse(struct handover *h, const unsigned char *p, size_t len,
	       const char **error_r)
{
	struct handover_in in = { p, len, 0, NULL };
	char v[sizeof(HANDOVER_MAGIC)];
	uintmax_t n;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (len < sizeof(HANDOVER_MAGIC) ||
	    memcmp(p, HANDOVER_MAGIC "\n", sizeof(HANDOVER_MAGIC)) != 0) {
		*error_r = "not a handover of this version";
		return -1;
	}
	in.pos = sizeof(HANDOVER_MAGIC);
	if (handover_field(&in, "user", h->user, sizeof(h->user)) < 0 ||
	    handover_number(&in, "uid", (uid_t)-1 - 1, &n) < 0)
		goto fail;
	h->uid = (uid_t)n;
	if (handover_number(&in, "gid", (gid_t)-1 - 1, &n) < 0)
		goto fail;
	h->gid = (gid_t)n;
	if (handover_bool(&in, "system_user", &h->system_user) < 0 ||
	    handover_field(&in, "maildir", h->maildir, sizeof(h->maildir)) < 0 ||
	    handover_field(&in, "ip", h->remote_ip, sizeof(h->remote_ip)) < 0 ||
	    handover_bool(&in, "trace", &h->trace) < 0 ||
	    handover_number(&in, "imap_timeout", UINT_MAX, &n) < 0)
		goto fail;
	h->imap_timeout = (unsigned)n;
	if (handover_number(&in, "message_size_limit", ULONG_MAX, &n) < 0)
		goto fail;
	h->message_size_limit = (unsigned long)n;
	if (handover_number(&in, "error_limit", UINT_MAX, &n) < 0)
		goto fail;
	h->error_limit = (unsigned)n;
	if (handover_field(&in, "log", v, sizeof(v)) < 0)
		goto fail;
	for (i = 0; i <= HANDOVER_LOG_FILE; i++)
		if (strcmp(v, handover_log_names[i]) == 0)
			break;
	if (i > HANDOVER_LOG_FILE) {
		in.error = "unknown log destination";
		goto fail;
	}
	h->log = (enum handover_log)i;
	if (handover_number(&in, "input", IO_RBUF_BYTES, &n) < 0)
		goto fail;
	if (in.pos >= len || p[in.pos] != '\n') {
		in.error = "no empty line after the fields";
		goto fail;
	}
	in.pos++;
	if (len - in.pos != n) {
		in.error = "the input's length is wrong";
		goto fail;
	}
	h->input = p + in.pos;
	h->input_len = (size_t)n;
	return 0;
fail:
	*error_r = in.error;
	return -1;
}

/* Moves fd to want (closing what was there); fd stays open if it is
 * want already. The descriptor is left without FD_CLOEXEC. 0 / -1. */
static int
handover_move_fd(int fd, int want)
{
	if (fd == want)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, want) < 0 ? -1 : 0;
}

int
handover_exec(const char *path, const char *name, const struct handover *h,
	      int client_fd, int log_fd, const char **error_r)
{
	struct buf text;
	char *const argv[] = { (char *)(uintptr_t)name, NULL };
	char ident[64];
	int mfd, lfd = -1, r;

	buf_init(&text, HANDOVER_MAX_BYTES);
	if (handover_format(h, &text) < 0) {
		buf_free_secret(&text);
		*error_r = "the session cannot be described (a field too long)";
		return -1;
	}
	/* A memfd, not a pipe: a pipe's capacity can be one page under
	 * /proc/sys/fs/pipe-user-pages-soft, and nobody reads it before
	 * the exec. */
	mfd = memfd_create("quail-handover", MFD_CLOEXEC);
	r = mfd >= 0 && write(mfd, text.data, text.len) == (ssize_t)text.len &&
	    lseek(mfd, 0, SEEK_SET) == 0 ? 0 : -1;
	buf_free_secret(&text);
	if (r < 0) {
		*error_r = "cannot write the handover";
		return -1;
	}
	/* Out of the way of 0, 1, 3 and 4 first, then into place. */
	if (h->log == HANDOVER_LOG_FILE &&
	    (lfd = fcntl(log_fd, F_DUPFD_CLOEXEC, 10)) < 0) {
		*error_r = "cannot pass the log file";
		return -1;
	}
	if ((mfd = fcntl(mfd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (client_fd = fcntl(client_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    handover_move_fd(client_fd, STDIN_FILENO) < 0 ||
	    handover_move_fd(client_fd, STDOUT_FILENO) < 0 ||
	    handover_move_fd(mfd, HANDOVER_FD) < 0 ||
	    (lfd >= 0 && handover_move_fd(lfd, HANDOVER_LOG_FD) < 0)) {
		*error_r = "cannot arrange the descriptors";
		return -1;
	}
	/* Every other descriptor (the login's socket, syslog's) ends here;
	 * the system call itself, as musl has no close_range(). */
	if (lfd < 0)
		(void)close(HANDOVER_LOG_FD);
	if (syscall(SYS_close_range, HANDOVER_LOG_FD + 1, ~0U, 0) < 0) {
		*error_r = "cannot close the other descriptors";
		return -1;
	}
	execv(path, argv);
	*error_r = strerror(errno);
	/* the caller logs the failure: the log's descriptor has moved */
	snprintf(ident, sizeof(ident), "%s", log_prog());
	if (h->log == HANDOVER_LOG_FILE)
		log_open_fd(ident, HANDOVER_LOG_FD);
	else if (h->log == HANDOVER_LOG_SYSLOG)
		log_open(ident, "syslog");
	return -1;
}

int
handover_receive(struct handover *h, struct buf *store, const char **error_r)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	ssize_t n;
	int r = -1;

	buf_init(store, HANDOVER_MAX_BYTES + 4096);
	for (;;) {
		if (store->len > HANDOVER_MAX_BYTES ||
		    buf_reserve(store, 4096) < 0) {
			*error_r = "the handover is too large";
			goto out;
		}
		n = read(HANDOVER_FD, store->data + store->len, 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error_r = "cannot read the handover (fd 3)";
			goto out;
		}
		if (n == 0)
			break;
		store->len += (size_t)n;
	}
	if (handover_parse(h, (const unsigned char *)store->data, store->len,
			   error_r) < 0)
		goto out;
	/* SECURITY: the monitor dropped to the owner before the exec; a
	 * session never runs as root or as anyone but the owner. */
	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0 || h->uid == 0 ||
	    h->gid == 0 || ruid != h->uid || euid != h->uid ||
	    suid != h->uid || rgid != h->gid || egid != h->gid ||
	    sgid != h->gid) {
		*error_r = "not running as the mailbox owner";
		goto out;
	}
	r = 0;
out:
	(void)close(HANDOVER_FD);
	return r;
}
