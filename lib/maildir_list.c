/*
 * maildir_list.c -- fast listing of a Maildir folder (see maildir_list.h):
 * two readdir(3) passes, sizes and flags parsed from the names (the
 * Maildir spec's ":2,<flags>", and the ",S=" / ",W=" fields of Courier,
 * Dovecot and quail-deliver), so that STAT or SELECT on 100,000 messages
 * costs two directory reads and no per-message system call.
 *
 * SECURITY: names come from the user's own Maildir; S=/W= are parsed with
 * overflow checks and a bad field is simply ignored (the size is then
 * taken from the file). Only regular entries are listed; files are opened
 * O_NOFOLLOW when a size has to be computed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_list.h"

/* Read size when counting LFs of a message without W=. */
#define MAILDIR_LIST_READ_BYTES 65536

/* Strict decimal of s up to the next ',' or ':' or NUL; -1 if not a
 * number or above MAILDIR_LIST_SIZE_MAX. */
static int
maildir_list_num(const char *s, uint64_t *r)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > MAILDIR_LIST_SIZE_MAX)
			return -1; /* not a size we believe */
	}
	if (i == 0 || (s[i] != '\0' && s[i] != ',' && s[i] != ':'))
		return -1;
	*r = v;
	return 0;
}

void
maildir_list_parse_name(const char *name, struct maildir_msg *m)
{
	const char *colon = strchr(name, ':');
	const char *p;
	size_t fields_end = colon != NULL ? (size_t)(colon - name)
					  : strlen(name);

	m->name = name;
	m->base_len = strcspn(name, ":,");
	m->has_size = m->has_vsize = false;
	m->size = m->vsize = 0;
	m->flags = "";
	/* ",S=" and ",W=" fields live between the base name and ':'. */
	for (p = name + m->base_len; p < name + fields_end; p++) {
		if (*p != ',' || p + 3 > name + fields_end || p[2] != '=')
			continue;
		if (p[1] == 'S' && maildir_list_num(p + 3, &m->size) == 0)
			m->has_size = true;
		else if (p[1] == 'W' && maildir_list_num(p + 3, &m->vsize) == 0)
			m->has_vsize = true;
	}
	if (colon != NULL && colon[1] == '2' && colon[2] == ',')
		m->flags = colon + 3;
}

struct maildir_list_raw {
	size_t off; /* of the name in the names buffer */
	bool in_cur;
};

/* Appends the regular entries of dir/sub to names/raw. */
static int
maildir_list_dir(const char *dir, const char *sub, bool in_cur,
		 struct buf *names, struct maildir_list_raw **raw, size_t *n,
		 size_t *cap, const char **error_r)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		*error_r = "Maildir path too long";
		return -1;
	}
	d = opendir(path);
	if (d == NULL) {
		*error_r = in_cur ? "cannot open Maildir cur/"
				  : "cannot open Maildir new/";
		return -1;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if (*n == *cap) {
			size_t ncap = *cap == 0 ? 1024 : *cap * 2;
			struct maildir_list_raw *r;

			if (ncap > MAILDIR_LIST_MAX_MSGS) {
				closedir(d);
				errno = EFBIG;
				*error_r = "too many messages in the folder";
				return -1;
			}
			r = realloc(*raw, ncap * sizeof(**raw));
			if (r == NULL)
				goto nomem;
			*raw = r;
			*cap = ncap;
		}
		(*raw)[*n].off = names->len;
		(*raw)[*n].in_cur = in_cur;
		if (buf_append(names, de->d_name, strlen(de->d_name) + 1) < 0)
			goto nomem;
		(*n)++;
		errno = 0;
	}
	if (errno != 0) {
		int e = errno;

		closedir(d);
		errno = e;
		*error_r = "cannot read the Maildir";
		return -1;
	}
	closedir(d);
	return 0;
nomem:
	closedir(d);
	errno = ENOMEM;
	*error_r = "out of memory";
	return -1;
}

static int
maildir_list_cmp(const void *a, const void *b)
{
	const struct maildir_msg *x = a, *y = b;
	size_t len = x->base_len < y->base_len ? x->base_len : y->base_len;
	int c = memcmp(x->name, y->name, len);

	if (c != 0)
		return c;
	if (x->base_len != y->base_len)
		return x->base_len < y->base_len ? -1 : 1;
	/* the same message in new/ and cur/: cur/ first, kept by dedupe */
	return (int)y->in_cur - (int)x->in_cur;
}

int
maildir_list_read(struct maildir_list *l, const char *dir, const char **error_r)
{
	struct maildir_list_raw *raw = NULL;
	struct buf names;
	size_t n = 0, cap = 0, i, out;

	memset(l, 0, sizeof(*l));
	buf_init(&names, 0);
	/* new/ before cur/: a message moved meanwhile is seen at least once */
	if (maildir_list_dir(dir, "new", false, &names, &raw, &n, &cap,
			     error_r) < 0 ||
	    maildir_list_dir(dir, "cur", true, &names, &raw, &n, &cap,
			     error_r) < 0)
		goto fail;
	l->msgs = calloc(n + 1, sizeof(*l->msgs));
	if (l->msgs == NULL) {
		*error_r = "out of memory";
		goto fail;
	}
	/* The buffer is complete: pointers into it stay valid now. */
	l->names = names.data;
	names.data = NULL;
	for (i = 0; i < n; i++) {
		maildir_list_parse_name(l->names + raw[i].off, &l->msgs[i]);
		l->msgs[i].in_cur = raw[i].in_cur;
	}
	free(raw);
	qsort(l->msgs, n, sizeof(*l->msgs), maildir_list_cmp);
	for (i = 0, out = 0; i < n; i++) {
		if (out > 0 &&
		    l->msgs[out - 1].base_len == l->msgs[i].base_len &&
		    memcmp(l->msgs[out - 1].name, l->msgs[i].name,
			   l->msgs[i].base_len) == 0)
			continue; /* duplicate base name: keep the first (cur/) */
		l->msgs[out++] = l->msgs[i];
	}
	l->n = out;
	return 0;
fail:
	free(raw);
	buf_free(&names);
	free(l->msgs);
	l->msgs = NULL;
	return -1;
}

void
maildir_list_free(struct maildir_list *l)
{
	free(l->msgs);
	free(l->names);
	l->msgs = NULL;
	l->names = NULL;
	l->n = 0;
}

int
maildir_list_path(const char *dir, const struct maildir_msg *m, char *out,
		  size_t outlen)
{
	int r = snprintf(out, outlen, "%s/%s/%s", dir,
			 m->in_cur ? "cur" : "new", m->name);

	if (r < 0 || (size_t)r >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Counts LFs not preceded by CR; *last_r = the last byte (or -1). */
static int
maildir_list_count(int fd, uint64_t *size_r, uint64_t *bare_lf_r, int *last_r)
{
	unsigned char b[MAILDIR_LIST_READ_BYTES];
	int prev = -1;
	ssize_t r, i;

	*size_r = *bare_lf_r = 0;
	for (;;) {
		r = read(fd, b, sizeof(b));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (i = 0; i < r; i++) {
			if (b[i] == '\n' && prev != '\r')
				(*bare_lf_r)++;
			prev = b[i];
		}
		*size_r += (uint64_t)r;
	}
	*last_r = prev;
	return 0;
}

int
maildir_list_fill_sizes(const char *dir, struct maildir_msg *m,
			const char **error_r)
{
	char path[4096];
	struct stat st;
	uint64_t size, bare_lf;
	int fd, last;

	if (m->has_size && m->has_vsize)
		return 0;
	if (maildir_list_path(dir, m, path, sizeof(path)) < 0) {
		*error_r = "Maildir path too long";
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*error_r = "cannot open a message";
		return -1;
	}
	if (!m->has_vsize) {
		if (maildir_list_count(fd, &size, &bare_lf, &last) < 0) {
			close(fd);
			*error_r = "cannot read a message";
			return -1;
		}
		m->vsize =
			size + bare_lf + (last != -1 && last != '\n' ? 2 : 0);
		m->has_vsize = true;
		if (!m->has_size) {
			m->size = size;
			m->has_size = true;
		}
	} else if (!m->has_size) {
		if (fstat(fd, &st) < 0) {
			close(fd);
			*error_r = "cannot stat a message";
			return -1;
		}
		m->size = (uint64_t)st.st_size;
		m->has_size = true;
	}
	close(fd);
	return 0;
}
