/*
 * qfile.c -- queue file records (mail-queue(7)): formatting, parsing and
 * validating the envelope of a queue file and of a submission.
 *
 * Model: Postfix rec_type.h / mail_stream.c (typed records, explicit END,
 * readers reject what they do not know) in qmail's plain-text spirit.
 *
 * SECURITY: queue files are written by quail-queue (setuid queue owner)
 * from data sent by less privileged callers, and read by quail-send and
 * by the root delivery launcher. Every field is validated on write and
 * again on read, so a damaged or forged file cannot smuggle control
 * characters, path components (ids are hex) or bad addresses further.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qfile.h"

/* Read the envelope in chunks of this size (most envelopes fit in one). */
#define QFILE_READ_CHUNK_BYTES 8192

void
qfile_env_init(struct qfile_env *e)
{
	memset(e, 0, sizeof(*e));
}

void
qfile_env_free(struct qfile_env *e)
{
	for (size_t i = 0; i < e->n_rcpts; i++)
		free(e->rcpts[i]);
	free(e->rcpts);
	qfile_env_init(e);
}

bool
qfile_valid_id(const char *s, size_t len)
{
	if (len < QFILE_ID_MIN_BYTES || len > QFILE_ID_MAX_BYTES)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* No C0 control characters and no DEL: values are one text line each. */
static bool
no_controls(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

bool
qfile_valid_auth(const char *s, size_t len)
{
	return len > 0 && len <= QFILE_AUTH_MAX_BYTES && no_controls(s, len);
}

int
qfile_check_rcpt(const char *s, size_t len, char *out, const char **error_r)
{
	struct addr a;

	if (!no_controls(s, len)) {
		*error_r = "control character in address";
		return -1;
	}
	if (addr_parse_mailbox(s, len, ADDR_UTF8, &a, error_r) < 0)
		return -1;
	/* Delivery needs a domain to route on; local injection qualifies
	 * addresses before submitting. */
	if (a.is_null || a.at >= a.len) {
		*error_r = "address without domain";
		return -1;
	}
	memcpy(out, a.str, a.len + 1);
	return 0;
}

int
qfile_check_sender(const char *s, size_t len, char *out, const char **error_r)
{
	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	return qfile_check_rcpt(s, len, out, error_r);
}

int
qfile_make_id(time_t sec, long usec, ino_t ino, char *out, size_t outlen)
{
	int n;

	if (usec < 0 || usec > 999999)
		usec = 0;
	n = snprintf(out, outlen, "%08" PRIX32 "%05lX%" PRIX64,
		     (uint32_t)sec, usec, (uint64_t)ino);
	if (n < 0 || (size_t)n >= outlen || n > QFILE_ID_MAX_BYTES)
		return -1;
	return 0;
}

int
qfile_env_set_sender(struct qfile_env *e, const char *s, size_t len,
		     const char **error_r)
{
	return qfile_check_sender(s, len, e->sender, error_r);
}

int
qfile_env_add_rcpt(struct qfile_env *e, const char *s, size_t len,
		   const char **error_r)
{
	char canon[ADDR_PATH_MAX_BYTES + 1];

	if (e->n_rcpts >= QFILE_RCPTS_MAX) {
		*error_r = "too many recipients";
		return -1;
	}
	if (qfile_check_rcpt(s, len, canon, error_r) < 0)
		return -1;
	if (e->n_rcpts == e->cap_rcpts) {
		size_t ncap = e->cap_rcpts ? e->cap_rcpts * 2 : 8;
		char **n = realloc(e->rcpts, ncap * sizeof(*n));
		if (n == NULL) {
			*error_r = "out of memory";
			return -1;
		}
		e->rcpts = n;
		e->cap_rcpts = ncap;
	}
	e->rcpts[e->n_rcpts] = strdup(canon);
	if (e->rcpts[e->n_rcpts] == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	e->n_rcpts++;
	return 0;
}

int
qfile_format(const struct qfile_env *e, struct buf *out, const char **error_r)
{
	char canon[ADDR_PATH_MAX_BYTES + 1];
	int rc = 0;

	if (!qfile_valid_id(e->id, strnlen(e->id, sizeof(e->id)))) {
		*error_r = "invalid queue id";
		return -1;
	}
	if (e->arrival < 0) {
		*error_r = "invalid arrival time";
		return -1;
	}
	if (qfile_check_sender(e->sender, strlen(e->sender), canon, error_r) < 0)
		return -1;
	if (e->has_auth && !qfile_valid_auth(e->auth, strlen(e->auth))) {
		*error_r = "invalid auth user";
		return -1;
	}
	if (e->n_rcpts == 0 || e->n_rcpts > QFILE_RCPTS_MAX) {
		*error_r = e->n_rcpts ? "too many recipients" : "no recipients";
		return -1;
	}
	rc |= buf_printf(out, "V%d\nI%s\nT%lld\nF%s\n", QFILE_VERSION, e->id,
			 e->arrival, e->sender);
	if (e->has_auth)
		rc |= buf_printf(out, "A%s\n", e->auth);
	for (size_t i = 0; i < e->n_rcpts; i++) {
		if (qfile_check_rcpt(e->rcpts[i], strlen(e->rcpts[i]), canon,
				     error_r) < 0)
			return -1;
		rc |= buf_printf(out, "R%s\n", e->rcpts[i]);
	}
	rc |= buf_printf(out, "S%llu\nE\n", e->msg_bytes);
	if (rc != 0) {
		*error_r = "out of memory";
		return -1;
	}
	return 0;
}

/* Strict decimal: 1..19 digits, no sign, no leading zero unless "0". */
static int
parse_u64(const char *s, size_t len, unsigned long long *r)
{
	unsigned long long v = 0;

	if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	*r = v;
	return 0;
}

/*
 * Iterates records of p[0..len) from *pos: returns 1 with the type in
 * *type_r and the value in (*val_r, *vlen_r), 0 if no complete line is
 * left (need more), -1 if a line exceeds QFILE_LINE_MAX_BYTES.
 */
static int
next_record(const char *p, size_t len, size_t *pos, char *type_r,
	    const char **val_r, size_t *vlen_r, const char **error_r)
{
	size_t start = *pos;
	size_t avail = len - start;
	size_t scan = avail < QFILE_LINE_MAX_BYTES ? avail : QFILE_LINE_MAX_BYTES;
	const char *nl = memchr(p + start, '\n', scan);

	if (nl == NULL) {
		if (avail >= QFILE_LINE_MAX_BYTES) {
			*error_r = "record too long";
			return -1;
		}
		return 0;
	}
	/* UNSAFE: nl points inside p[start..start+scan), so the difference
	 * is within bounds. */
	size_t linelen = (size_t)(nl - (p + start));
	if (linelen == 0) {
		*error_r = "empty record";
		return -1;
	}
	*type_r = p[start];
	*val_r = p + start + 1;
	*vlen_r = linelen - 1;
	*pos = start + linelen + 1;
	if (!no_controls(*val_r, *vlen_r)) {
		*error_r = "control character in record";
		return -1;
	}
	return 1;
}

/* Copies a checked value into a fixed field. */
static void
copy_value(char *dst, const char *v, size_t vlen)
{
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
}

/* Bits for records that may occur once. */
enum {
	SEEN_V = 1 << 0, SEEN_I = 1 << 1, SEEN_T = 1 << 2, SEEN_F = 1 << 3,
	SEEN_A = 1 << 4, SEEN_S = 1 << 5,
};

/* One queue file record; updates *seen. 0 / -1. */
static int
parse_qfile_record(struct qfile_env *e, char type, const char *v, size_t vlen,
		   unsigned *seen, const char **error_r)
{
	unsigned long long num;
	unsigned bit;

	if (*seen == 0 && type != 'V') {
		*error_r = "version record missing";
		return -1;
	}
	switch (type) {
	case 'V': bit = SEEN_V; break;
	case 'I': bit = SEEN_I; break;
	case 'T': bit = SEEN_T; break;
	case 'F': bit = SEEN_F; break;
	case 'A': bit = SEEN_A; break;
	case 'S': bit = SEEN_S; break;
	case 'R': bit = 0; break;
	default:
		*error_r = "unknown record type";
		return -1;
	}
	if (*seen & bit) {
		*error_r = "duplicate record";
		return -1;
	}
	if (type != 'R' && type != 'V' && (*seen & SEEN_S)) {
		*error_r = "record after size";
		return -1;
	}
	*seen |= bit;
	switch (type) {
	case 'V':
		if (parse_u64(v, vlen, &num) < 0 || num != QFILE_VERSION) {
			*error_r = "unsupported queue file version";
			return -1;
		}
		return 0;
	case 'I':
		if (!qfile_valid_id(v, vlen)) {
			*error_r = "invalid queue id";
			return -1;
		}
		copy_value(e->id, v, vlen);
		return 0;
	case 'T':
		if (parse_u64(v, vlen, &num) < 0 || num > (unsigned long long)INT64_MAX) {
			*error_r = "invalid arrival time";
			return -1;
		}
		e->arrival = (long long)num;
		return 0;
	case 'F':
		return qfile_check_sender(v, vlen, e->sender, error_r);
	case 'A':
		if (!qfile_valid_auth(v, vlen)) {
			*error_r = "invalid auth user";
			return -1;
		}
		copy_value(e->auth, v, vlen);
		e->has_auth = true;
		return 0;
	case 'S':
		if (parse_u64(v, vlen, &num) < 0) {
			*error_r = "invalid message size";
			return -1;
		}
		e->msg_bytes = num;
		return 0;
	default: /* 'R' */
		return qfile_env_add_rcpt(e, v, vlen, error_r);
	}
}

int
qfile_parse(const char *p, size_t len, struct qfile_env *e, const char **error_r)
{
	const unsigned need = SEEN_V | SEEN_I | SEEN_T | SEEN_F | SEEN_S;
	size_t pos = 0;
	unsigned seen = 0;
	const char *v;
	size_t vlen;
	char type;
	int r;

	qfile_env_free(e);
	for (;;) {
		if (pos > QFILE_ENV_MAX_BYTES) {
			*error_r = "envelope too long";
			return -1;
		}
		r = next_record(p, len, &pos, &type, &v, &vlen, error_r);
		if (r <= 0)
			return r;
		if (type == 'E') {
			if (vlen != 0) {
				*error_r = "malformed end record";
				return -1;
			}
			if ((seen & need) != need || e->n_rcpts == 0) {
				*error_r = "envelope incomplete before end record";
				return -1;
			}
			e->msg_offset = pos;
			return 1;
		}
		if (parse_qfile_record(e, type, v, vlen, &seen, error_r) < 0)
			return -1;
	}
}

int
qfile_read(int fd, struct qfile_env *e, const char **error_r)
{
	struct buf b;
	struct stat st;
	int r = 0;

	buf_init(&b, QFILE_ENV_MAX_BYTES + QFILE_READ_CHUNK_BYTES);
	for (;;) {
		if (buf_reserve(&b, QFILE_READ_CHUNK_BYTES) < 0) {
			*error_r = "envelope too long";
			r = -1;
			break;
		}
		ssize_t n = pread(fd, b.data + b.len, QFILE_READ_CHUNK_BYTES,
				  (off_t)b.len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*error_r = "read error";
			r = -1;
			break;
		}
		size_t old = b.len;
		b.len += (size_t)n;
		/* Parse only once END can be there: re-parsing every chunk of a
		 * long envelope would be quadratic. */
		size_t from = old > 2 ? old - 2 : 0;
		if (n > 0 && memmem(b.data + from, b.len - from, "\nE\n", 3) == NULL
		    && b.len <= QFILE_ENV_MAX_BYTES)
			continue;
		r = qfile_parse(b.data, b.len, e, error_r);
		if (r != 0)
			break;
		if (n == 0) {
			*error_r = "end record missing";
			r = -1;
			break;
		}
	}
	buf_free(&b);
	if (r < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		*error_r = "stat error";
		return -1;
	}
	if ((unsigned long long)st.st_size != e->msg_offset + e->msg_bytes) {
		*error_r = "message size does not match the file (truncated?)";
		return -1;
	}
	return 0;
}

int
qfile_parse_submission(const char *p, size_t len, struct qfile_env *e,
		       size_t *used_r, const char **error_r)
{
	size_t pos = 0;
	bool seen_f = false;
	const char *v;
	size_t vlen;
	char type;
	int r;

	qfile_env_free(e);
	for (;;) {
		if (pos > QFILE_ENV_MAX_BYTES) {
			*error_r = "envelope too long";
			return -1;
		}
		r = next_record(p, len, &pos, &type, &v, &vlen, error_r);
		if (r <= 0)
			return r;
		if (!seen_f && type != 'F') {
			*error_r = "envelope must start with the sender";
			return -1;
		}
		switch (type) {
		case 'F':
			if (seen_f) {
				*error_r = "duplicate sender";
				return -1;
			}
			seen_f = true;
			if (qfile_env_set_sender(e, v, vlen, error_r) < 0)
				return -1;
			break;
		case 'A':
			if (e->has_auth || !qfile_valid_auth(v, vlen)) {
				*error_r = "invalid auth user";
				return -1;
			}
			copy_value(e->auth, v, vlen);
			e->has_auth = true;
			break;
		case 'R':
			if (qfile_env_add_rcpt(e, v, vlen, error_r) < 0)
				return -1;
			break;
		case 'E':
			if (vlen != 0) {
				*error_r = "malformed end record";
				return -1;
			}
			if (e->n_rcpts == 0) {
				*error_r = "no recipients";
				return -1;
			}
			*used_r = pos;
			return 1;
		default:
			*error_r = "unknown envelope record";
			return -1;
		}
	}
}
