/*
 * imap_string.c -- atoms, quoted strings and literals for IMAP output
 * (RFC 3501 4.3, 9).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imap_string.h"

bool
imap_string_quotable(const char *s, size_t len)
{
	size_t i;

	if (len > IMAP_STRING_QUOTED_MAX_BYTES)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\0' || ch == '\r' || ch == '\n' || ch >= 0x80)
			return false;
	}
	return true;
}

int
imap_string_append(struct buf *out, const char *s, size_t len)
{
	char head[32];
	size_t i, start;

	if (!imap_string_quotable(s, len)) {
		snprintf(head, sizeof(head), "{%zu}\r\n", len);
		if (buf_append(out, head, strlen(head)) < 0)
			return -1;
		return buf_append(out, s, len);
	}
	if (buf_append(out, "\"", 1) < 0)
		return -1;
	for (i = start = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		if (buf_append(out, s + start, i - start) < 0 ||
		    buf_append(out, "\\", 1) < 0)
			return -1;
		start = i;
	}
	if (buf_append(out, s + start, len - start) < 0)
		return -1;
	return buf_append(out, "\"", 1);
}

int
imap_nstring_append(struct buf *out, const char *s, size_t len)
{
	if (s == NULL)
		return buf_append(out, "NIL", 3);
	return imap_string_append(out, s, len);
}

/* ASTRING-CHAR: ATOM-CHAR or "]" (RFC 3501 9). */
static bool
imap_astring_char(unsigned char ch)
{
	if (ch <= 0x20 || ch >= 0x7f)
		return false;
	return strchr("(){%*\"\\", ch) == NULL;
}

int
imap_astring_append(struct buf *out, const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (len == 3 && strncasecmp(s, "NIL", 3) == 0))
		return imap_string_append(out, s, len);
	for (i = 0; i < len; i++) {
		if (!imap_astring_char((unsigned char)s[i]))
			return imap_string_append(out, s, len);
	}
	return buf_append(out, s, len);
}
