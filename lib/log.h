/*
 * log.h -- one line per event: syslog (facility mail, ident quail-<prog>),
 * or a file (append, one write per line), or stderr.
 *
 * Untrusted text must go through log_safe() before it is logged.
 * Passwords are never passed here (trace masks AUTH payloads first).
 */
#ifndef QUAIL_LOG_H
#define QUAIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* prog: "smtpd" -> ident "quail-smtpd". dest: NULL or "syslog", "stderr",
 * or an absolute file path (opened O_APPEND; falls back to stderr). */
void log_open(const char *prog, const char *dest);
/* Like log_open with a file, but the file is already open on fd (a
 * descriptor inherited across exec: quail-imapd-session). */
void log_open_fd(const char *prog, int fd);
/* The descriptor of the log file, or -1 when lines go elsewhere. */
int log_file_fd(void);
/* True while lines go to syslog. */
bool log_is_syslog(void);
/* A session tag added to every line ("sess=<tag>"), or NULL to clear. */
void log_set_session(const char *tag);
/* prio: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int prio, const char *fmt, va_list ap);
/* Escapes in[0..inlen) into out (always NUL-terminated): printable ASCII
 * kept, others as \xHH, truncated with "..." if it does not fit. Returns out. */
char *log_safe(char *out, size_t outlen, const void *in, size_t inlen);
/* The ident prefix ("quail-smtpd") for stderr diagnostics. */
const char *log_prog(void);
/* True while lines go to stderr (no log_open yet, "stderr", or a fallback):
 * die_temp/die_perm then print their diagnostic only once. */
bool log_is_stderr(void);

#endif
