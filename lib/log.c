/*
 * log.c -- one line per event to syslog (LOG_MAIL, ident quail-<prog>,
 * LOG_PID), to an append-only file, or to stderr.
 *
 * File line:   "<YYYY-MM-DDTHH:MM:SS+hh:mm> quail-<prog>[pid]: [sess=<tag> ]msg"
 * stderr line: "quail-<prog>[pid]: [sess=<tag> ]msg"
 * Each file/stderr line goes out in ONE write(2) on an O_APPEND descriptor,
 * so lines of concurrent processes sharing the file never interleave.
 *
 * SECURITY: the formatted message has CR, LF and other control bytes
 * replaced by '?' so that a caller who forgot log_safe() still cannot forge
 * log lines. Untrusted text should nevertheless go through log_safe().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX_BYTES 4096  /* longer messages are truncated */
#define LOG_IDENT_MAX_BYTES 64
#define LOG_SESSION_MAX_BYTES 64

enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_SYSLOG,
	LOG_DEST_FILE,
};

static enum log_dest log_dest = LOG_DEST_STDERR;
static int log_fd = -1;
static char log_ident[LOG_IDENT_MAX_BYTES] = "quail";
static char log_session[LOG_SESSION_MAX_BYTES];

static void
log_set_ident(const char *prog)
{
	if (prog == NULL || *prog == '\0')
		snprintf(log_ident, sizeof(log_ident), "quail");
	else if (strncmp(prog, "quail", 5) == 0)
		snprintf(log_ident, sizeof(log_ident), "%s", prog);
	else
		snprintf(log_ident, sizeof(log_ident), "quail-%s", prog);
}

void
log_open(const char *prog, const char *dest)
{
	int fd, saved;

	log_set_ident(prog);
	if (log_fd >= 0) {
		close(log_fd);
		log_fd = -1;
	}
	if (log_dest == LOG_DEST_SYSLOG)
		closelog();
	if (dest == NULL || strcmp(dest, "syslog") == 0) {
		/* ident must stay valid: log_ident is static storage. */
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
		log_dest = LOG_DEST_SYSLOG;
		return;
	}
	log_dest = LOG_DEST_STDERR;
	if (strcmp(dest, "stderr") == 0)
		return;
	if (dest[0] != '/') {
		log_msg(LOG_WARNING, "log destination is not an absolute path; "
		    "logging to stderr");
		return;
	}
	/* O_APPEND: every write lands at the end even with many writers.
	 * O_CLOEXEC: exec'd helpers open their own log. */
	fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640);
	if (fd < 0) {
		saved = errno;
		log_msg(LOG_WARNING, "cannot open log file %s: %s; logging to stderr",
		    dest, strerror(saved));
		return;
	}
	log_fd = fd;
	log_dest = LOG_DEST_FILE;
}

void
log_open_fd(const char *prog, int fd)
{
	log_set_ident(prog);
	if (log_fd >= 0 && log_fd != fd)
		close(log_fd);
	if (log_dest == LOG_DEST_SYSLOG)
		closelog();
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	log_fd = fd;
	log_dest = LOG_DEST_FILE;
}

int
log_file_fd(void)
{
	return log_dest == LOG_DEST_FILE ? log_fd : -1;
}

bool
log_is_syslog(void)
{
	return log_dest == LOG_DEST_SYSLOG;
}

void
log_set_session(const char *tag)
{
	if (tag == NULL) {
		log_session[0] = '\0';
		return;
	}
	log_safe(log_session, sizeof(log_session), tag, strlen(tag));
}

const char *
log_prog(void)
{
	return log_ident;
}

/* Replaces control bytes by '?' so one event stays one line. */
static void
log_flatten(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static size_t
log_timestamp(char *out, size_t outlen)
{
	struct timespec ts;
	struct tm tm;
	long off;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) == NULL)
		return 0;
	n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return 0;
	off = tm.tm_gmtoff / 60;
	n += (size_t)snprintf(out + n, outlen - n, "%c%02ld:%02ld ",
	    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	    (off < 0 ? -off : off) % 60);
	return n < outlen ? n : outlen - 1;
}

static void
log_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	/* One write(2) per line; retried only on EINTR and for the rest of
	 * a short write (which O_APPEND on a regular file does not produce). */
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One buffer on the stack (a second one for the message alone made every
 * log call 4 KB deeper, and the stack pages it touched stay with the
 * process: the login's log line alone left an idle session 8 KB). */
void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX_BYTES + 256];
	size_t n = 0, room;
	int saved = errno;
	int r;

	if (log_dest != LOG_DEST_SYSLOG) {
		if (log_dest == LOG_DEST_FILE)
			n = log_timestamp(line, sizeof(line));
		r = snprintf(line + n, sizeof(line) - n, "%s[%ld]: %s%s%s",
		    log_ident, (long)getpid(), log_session[0] ? "sess=" : "",
		    log_session, log_session[0] ? " " : "");
		if (r > 0)
			n += (size_t)r < sizeof(line) - n ? (size_t)r
							  : sizeof(line) - n - 1;
	}
	/* the message: at most LOG_LINE_MAX_BYTES - 1 bytes, and room for
	 * the newline after it */
	room = sizeof(line) - n - 1;
	if (room > LOG_LINE_MAX_BYTES)
		room = LOG_LINE_MAX_BYTES;
	r = vsnprintf(line + n, room, fmt, ap);
	if (r < 0)
		snprintf(line + n, room, "(unformattable log message)");
	log_flatten(line + n);

	if (log_dest == LOG_DEST_SYSLOG) {
		if (log_session[0] != '\0')
			syslog(LOG_MAIL | prio, "sess=%s %s", log_session, line);
		else
			syslog(LOG_MAIL | prio, "%s", line);
		errno = saved;
		return;
	}
	n += strlen(line + n);
	line[n++] = '\n';
	log_write_all(log_dest == LOG_DEST_FILE ? log_fd : STDERR_FILENO,
	    line, n);
	errno = saved;
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

bool
log_is_stderr(void)
{
	return log_dest == LOG_DEST_STDERR;
}

char *
log_safe(char *out, size_t outlen, const void *in, size_t inlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t pos = 0, mark = 0, i, rl, k;
	bool truncated = false;

	if (outlen == 0)
		return out;
	for (i = 0; i < inlen; i++) {
		rl = (p[i] >= 0x20 && p[i] < 0x7f) ? 1 : 4;
		if (pos + rl + 1 > outlen) {
			truncated = true;
			break;
		}
		if (rl == 1) {
			out[pos] = (char)p[i];
		} else {
			out[pos] = '\\';
			out[pos + 1] = 'x';
			out[pos + 2] = hex[p[i] >> 4];
			out[pos + 3] = hex[p[i] & 0xf];
		}
		pos += rl;
		/* Remember the last char boundary that leaves room for "...". */
		if (pos + 4 <= outlen)
			mark = pos;
	}
	if (truncated) {
		pos = mark;
		for (k = 0; k < 3 && pos + 1 < outlen; k++)
			out[pos++] = '.';
	}
	out[pos] = '\0';
	return out;
}
