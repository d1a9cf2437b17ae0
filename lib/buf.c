/*
 * buf.c -- growable, binary-safe byte string with a hard cap.
 *
 * Growth doubles the capacity, every size computation is checked for
 * overflow, and len never passes max (E2BIG). data stays NUL-terminated
 * after every successful call so that text users can pass buf_cstr().
 *
 * SECURITY: the cap is what bounds memory use for untrusted input; callers
 * that read protocol data size it to their documented limit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_DEFAULT_MAX_BYTES ((size_t)1 << 30) /* 1 GiB */
#define BUF_MIN_ALLOC_BYTES 64

static size_t
buf_max(const struct buf *b)
{
	return b->max ? b->max : BUF_DEFAULT_MAX_BYTES;
}

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > buf_max(b) || b->len > buf_max(b) - extra) {
		errno = E2BIG;
		return -1;
	}
	if (b->len + extra == SIZE_MAX) {
		errno = E2BIG;
		return -1;
	}
	need = b->len + extra + 1; /* +1 for the NUL */
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : BUF_MIN_ALLOC_BYTES;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	/* Do not allocate far past the cap: the largest useful size is max+1. */
	if (buf_max(b) < SIZE_MAX && ncap > buf_max(b) + 1)
		ncap = buf_max(b) + 1; /* >= need, since len + extra <= max */
	p = realloc(b->data, ncap);
	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_copy(aq, ap);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, aq);
	va_end(aq);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int
buf_set(struct buf *b, const void *p, size_t n)
{
	size_t old = b->len;

	/* p may point into b->data: reserve first (may move data), so copy
	 * via memmove from the possibly relocated source. */
	if (b->data != NULL && (const char *)p >= b->data &&
	    (const char *)p < b->data + b->cap) {
		size_t off = (size_t)((const char *)p - b->data);

		memmove(b->data, b->data + off, n);
		b->len = n;
		b->data[n] = '\0';
		return 0;
	}
	b->len = 0;
	if (buf_reserve(b, n) < 0) {
		b->len = old;
		return -1;
	}
	if (n > 0)
		memcpy(b->data, p, n);
	b->len = n;
	b->data[n] = '\0';
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

const char *
buf_cstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free_secret(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}
