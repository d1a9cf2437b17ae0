/*
 * imap_mbox_keywords.c -- the folder's keyword file "quail-keywords":
 * which keyword the Maildir letters a..z stand for (imap_mbox.h).
 *
 * Format: one "<index> <name>\n" line per keyword, index 0..25 (letter
 * 'a' + index). Written only under the uid list lock, as a whole (tmp/
 * file, fsync, rename), so readers take no lock. A damaged file is read
 * as far as it makes sense: bad lines are skipped, an index without a
 * line gets a placeholder name so that letters in file names keep their
 * index.
 *
 * SECURITY: the file is the user's own but still parsed strictly: names
 * must be IMAP atoms (they are sent to the client as flags), at most
 * IMAP_MBOX_KEYWORD_MAX_BYTES, the file at most
 * IMAP_MBOX_KEYWORDS_FILE_MAX_BYTES; opened with O_NOFOLLOW.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap_mbox_int.h"

bool
imap_mbox_keyword_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > IMAP_MBOX_KEYWORD_MAX_BYTES)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return false;
	}
	return true;
}

/* The name of a placeholder for index k (an atom clients can show). */
static char *
imk_placeholder(unsigned k)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "$QuailKeyword-%c", 'a' + (int)k);
	return strdup(tmp);
}

int
imap_mbox_keywords_parse(const char *data, size_t len,
			 char *names_r[IMAP_MBOX_KEYWORDS_MAX],
			 unsigned *count_r)
{
	size_t pos = 0;
	unsigned k, count = 0;

	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++)
		names_r[k] = NULL;
	while (pos < len) {
		const char *line = data + pos, *nl, *name;
		size_t llen, nlen, j;
		unsigned idx = 0;
		bool dup = false;

		nl = memchr(line, '\n', len - pos);
		llen = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += llen + (nl != NULL ? 1 : 0);
		if (nl == NULL)
			break; /* a partial last line */
		/* one or two digits, a space, the name */
		for (j = 0; j < llen && j < 3 && line[j] >= '0' &&
			    line[j] <= '9'; j++)
			idx = idx * 10 + (unsigned)(line[j] - '0');
		if (j == 0 || j > 2 || (j == 2 && line[0] == '0') ||
		    j >= llen || line[j] != ' ' ||
		    idx >= IMAP_MBOX_KEYWORDS_MAX)
			continue;
		name = line + j + 1;
		nlen = llen - j - 1;
		if (!imap_mbox_keyword_valid(name, nlen) ||
		    names_r[idx] != NULL)
			continue;
		for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX && !dup; k++)
			dup = names_r[k] != NULL &&
			      strlen(names_r[k]) == nlen &&
			      strncasecmp(names_r[k], name, nlen) == 0;
		if (dup)
			continue;
		names_r[idx] = strndup(name, nlen);
		if (names_r[idx] == NULL)
			goto nomem;
		if (idx + 1 > count)
			count = idx + 1;
	}
	*count_r = count;
	return 0;
nomem:
	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++) {
		free(names_r[k]);
		names_r[k] = NULL;
	}
	errno = ENOMEM;
	return -1;
}

void
imk_free(struct imap_kwlist *kw)
{
	unsigned k;

	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++) {
		free(kw->names[k]);
		kw->names[k] = NULL;
	}
	kw->count = 0;
}

int
imk_find(const struct imap_kwlist *kw, const char *name, size_t len)
{
	unsigned k;

	for (k = 0; k < kw->count; k++) {
		if (kw->names[k] != NULL && strlen(kw->names[k]) == len &&
		    strncasecmp(kw->names[k], name, len) == 0)
			return (int)k;
	}
	return -1;
}

int
imk_read(const char *dir, struct imap_kwlist *kw, struct stat *st_r,
	 const char **error_r)
{
	char path[PATH_MAX], *data = NULL;
	size_t len = 0;
	unsigned k;
	int r;

	memset(kw, 0, sizeof(*kw));
	memset(st_r, 0, sizeof(*st_r));
	if (imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_KEYWORDS_FILE) <
	    0) {
		*error_r = "folder path too long";
		return -1;
	}
	r = imb_read_file(path, IMAP_MBOX_KEYWORDS_FILE_MAX_BYTES, &data, &len,
			  st_r);
	if (r < 0 && errno != EFBIG) {
		*error_r = "cannot read the keyword file";
		return -1;
	}
	if (r <= 0)
		return 0; /* missing, or too large to be ours: none */
	r = imap_mbox_keywords_parse(data, len, kw->names, &kw->count);
	free(data);
	if (r < 0) {
		*error_r = "out of memory";
		return -1;
	}
	for (k = 0; k < kw->count; k++) {
		if (kw->names[k] == NULL &&
		    (kw->names[k] = imk_placeholder(k)) == NULL) {
			imk_free(kw);
			errno = ENOMEM;
			*error_r = "out of memory";
			return -1;
		}
	}
	return 0;
}

/* Writes kw as the keyword file (tmp/ file, fsync, rename). Caller holds
 * the lock. 0 / -1. */
static int
imk_write(const char *dir, const struct imap_kwlist *kw, struct stat *st_r,
	  const char **error_r)
{
	char tmp[PATH_MAX], path[PATH_MAX], uniq[300];
	struct buf b;
	unsigned k;
	int fd, saved;

	buf_init(&b, 0);
	for (k = 0; k < kw->count; k++) {
		if (buf_printf(&b, "%u %s\n", k, kw->names[k]) < 0) {
			buf_free(&b);
			*error_r = "out of memory";
			return -1;
		}
	}
	if (imb_unique(uniq, sizeof(uniq)) < 0 ||
	    imb_path(tmp, sizeof(tmp), dir, "tmp", uniq) < 0 ||
	    imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_KEYWORDS_FILE) <
		    0) {
		buf_free(&b);
		errno = ENAMETOOLONG;
		*error_r = "folder path too long";
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		buf_free(&b);
		*error_r = "cannot create the keyword file";
		return -1;
	}
	if (imb_write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0 ||
	    fstat(fd, st_r) < 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		goto fail;
	}
	buf_free(&b);
	return 0;
fail:
	unlink(tmp);
	buf_free(&b);
	errno = saved;
	*error_r = "cannot write the keyword file";
	return -1;
}

int
imk_ensure(const char *dir, struct uidlist *ul, const char *const *names,
	   const size_t *lens, size_t n, int *idx_r, struct imap_kwlist *kw_r,
	   struct stat *st_r, const char **error_r)
{
	struct imap_kwlist kw;
	struct stat st;
	size_t i;
	bool missing = false, added = false, full = false;
	int r = -1;

	/* without the lock first: nothing to do in the usual case */
	if (imk_read(dir, &kw, &st, error_r) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		idx_r[i] = imk_find(&kw, names[i], lens[i]);
		if (idx_r[i] < 0)
			missing = true;
	}
	if (missing) {
		imk_free(&kw);
		if (uidlist_lock(ul, error_r) < 0)
			return -1;
		if (imk_read(dir, &kw, &st, error_r) < 0)
			goto unlock;
		for (i = 0; i < n; i++) {
			idx_r[i] = imk_find(&kw, names[i], lens[i]);
			if (idx_r[i] >= 0)
				continue;
			if (kw.count >= IMAP_MBOX_KEYWORDS_MAX) {
				full = true;
				continue;
			}
			kw.names[kw.count] = strndup(names[i], lens[i]);
			if (kw.names[kw.count] == NULL) {
				errno = ENOMEM;
				*error_r = "out of memory";
				goto unlock;
			}
			idx_r[i] = (int)kw.count++;
			added = true;
		}
		if (added && imk_write(dir, &kw, &st, error_r) < 0)
			goto unlock;
		uidlist_unlock(ul);
	}
	if (st_r != NULL)
		*st_r = st;
	if (kw_r != NULL)
		*kw_r = kw;
	else
		imk_free(&kw);
	if (full) {
		errno = ENOSPC;
		*error_r = "too many keywords in this folder";
	}
	return 0;
unlock:
	uidlist_unlock(ul);
	imk_free(&kw);
	return r;
}
