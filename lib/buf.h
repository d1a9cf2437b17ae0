/*
 * buf.h -- growable, binary-safe byte string with a hard cap.
 *
 * Memory: a struct buf owns data (malloc'd); buf_free() releases it.
 * Growth is overflow-checked and never exceeds max (E2BIG past it).
 * Return convention: 0 ok, -1 error with errno (ENOMEM, E2BIG).
 * data is always NUL-terminated after a successful call (not counted in len),
 * but may contain NULs: use len.
 */
#ifndef QUAIL_BUF_H
#define QUAIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len; 0 means the default (1 GiB) */
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* Sets an empty buffer with cap max bytes (0: default). Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Ensures room for extra more bytes (+NUL). */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Replaces the content with p[0..n). */
int buf_set(struct buf *b, const void *p, size_t n);
/* Empties without freeing. */
void buf_reset(struct buf *b);
/* Returns data, never NULL ("" when empty and unallocated). */
const char *buf_cstr(const struct buf *b);
/* Frees and re-initialises (keeps max). */
void buf_free(struct buf *b);
/* Wipes the bytes (explicit_bzero) then frees: for secrets. */
void buf_free_secret(struct buf *b);

#endif
