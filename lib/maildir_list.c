/*
 * maildir_list.c -- fast listing of a Maildir folder (see maildir_list.h):
 * two readdir(3) passes, sizes and flags parsed from the names (the
 * Maildir spec's ":2,<flags>", and the ",S=" / ",W=" fields of Courier,
 * Dovecot and quail-deliver), so that STAT or SELECT on 100,000 messages
 * costs two directory reads and no per-message system call. The names
 * are parsed while they are in the cache (in directory order), and
 * sorted through short fixed-size keys (see maildir_list_sort_keys()).
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

/* Strict decimal of s up to the next ',' or ':' or NUL (*end_r: there);
 * -1 if not a number or above MAILDIR_LIST_SIZE_MAX. */
static int
maildir_list_num(const char *s, uint64_t *r, const char **end_r)
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
	*end_r = s + i;
	return 0;
}

/* The length of the base name of s (len bytes): up to the first ':' or
 * ','. Eight bytes at a time (the usual "has a zero byte" test on the
 * word XOR the character): this runs for every name of the folder. */
static size_t
maildir_list_base_len(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL,
		       highs = 0x8080808080808080ULL;
	uint64_t w, c, k;
	size_t i;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		c = w ^ (ones * ':');
		k = w ^ (ones * ',');
		if ((((c - ones) & ~c) | ((k - ones) & ~k)) & highs)
			break; /* in this word: found below */
	}
	while (i < len && s[i] != ':' && s[i] != ',')
		i++;
	return i;
}

/* maildir_list_parse_name() with the base length known. */
static void
maildir_list_parse_fields(const char *name, size_t base_len,
			  struct maildir_msg *m)
{
	const char *p = name + base_len;

	m->name = name;
	m->has_size = m->has_vsize = false;
	m->size = m->vsize = 0;
	m->flags = "";
	m->base_len = base_len;
	/* ",S=" and ",W=" fields live between the base name and ':'; one
	 * pass, comma by comma (a later good field wins, a bad one is
	 * ignored). */
	while (*p == ',') {
		const char *end;

		if (p[1] == 'S' && p[2] == '=' &&
		    maildir_list_num(p + 3, &m->size, &end) == 0) {
			m->has_size = true;
			p = end;
			continue;
		}
		if (p[1] == 'W' && p[2] == '=' &&
		    maildir_list_num(p + 3, &m->vsize, &end) == 0) {
			m->has_vsize = true;
			p = end;
			continue;
		}
		/* another field, or a bad one: skip it */
		for (p++; *p != '\0' && *p != ':' && *p != ','; p++)
			;
	}
	if (*p == ':' && p[1] == '2' && p[2] == ',')
		m->flags = p + 3;
}

void
maildir_list_parse_name(const char *name, struct maildir_msg *m)
{
	maildir_list_parse_fields(name,
				  maildir_list_base_len(name, strlen(name)), m);
}

/* One directory entry while listing: where its name is, and what the
 * name says, parsed while the name is in the cache (the sorted order
 * visits the names at random). */
struct maildir_list_raw {
	size_t off;    /* of the name in the names buffer */
	uint64_t size; /* as in struct maildir_msg */
	uint64_t vsize;
	uint16_t base_len;  /* bytes up to the first ':' or ',' */
	uint16_t flags_off; /* of the flags in the name, 0: none */
	bool in_cur;
	bool has_size;
	bool has_vsize;
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
		const char *s = de->d_name;
		struct maildir_list_raw *e;
		struct maildir_msg m;
		size_t len;

		if (s[0] == '.' ||
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
		/* d_name is at most NAME_MAX (255) bytes: 16 bits hold
		 * every offset into it */
		len = strlen(s);
		maildir_list_parse_fields(s, maildir_list_base_len(s, len), &m);
		e = &(*raw)[*n];
		e->off = names->len;
		e->size = m.size;
		e->vsize = m.vsize;
		e->base_len = (uint16_t)m.base_len;
		e->flags_off = m.flags[0] != '\0' ? (uint16_t)(m.flags - s) : 0;
		e->in_cur = in_cur;
		e->has_size = m.has_size;
		e->has_vsize = m.has_vsize;
		if (buf_append(names, s, len + 1) < 0)
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

/*
 * Sorting by base name. A comparison through qsort(3) on 100,000 names
 * costs more than the directory reads, so each name gets a sort key: the
 * 16 bytes of its base name that follow the prefix common to all names
 * (delivery names share the leading digits of the time), big-endian and
 * zero-padded, so that comparing the two words compares the names
 * (a name never contains a NUL, so a shorter base sorts first as with
 * memcmp-then-length). Only equal keys compare the rest of the names.
 * The keys are sorted by an LSD radix sort over their 16 bytes (a pass
 * only for the bytes that differ between names: the digits of a
 * delivery time mostly do not), then each run of equal keys by a merge
 * sort with the full comparison (n log n in the worst case).
 */
struct maildir_list_key {
	uint64_t k0, k1;
	uint32_t idx; /* into raw */
};
/* maildir_list_read() sorts in the message array's space. */
_Static_assert(sizeof(struct maildir_list_key) <= sizeof(struct maildir_msg),
	       "a sort key must fit in a message slot");

/* Bytes of base name held in a key. */
#define MAILDIR_LIST_KEY_BYTES 16
/* Entries fetched ahead while copying in sorted order. */
#define MAILDIR_LIST_PREFETCH 8
/* Runs sorted by insertion before merging. */
#define MAILDIR_LIST_RUN 16

struct maildir_list_sort {
	const char *names;
	const struct maildir_list_raw *raw;
	size_t prefix; /* bytes common to all base names (not in keys) */
};

static uint64_t
maildir_list_be64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void
maildir_list_make_key(const struct maildir_list_sort *s, uint32_t idx,
		      struct maildir_list_key *k)
{
	const struct maildir_list_raw *r = &s->raw[idx];
	unsigned char b[MAILDIR_LIST_KEY_BYTES] = { 0 };
	size_t avail = r->base_len - s->prefix;

	memcpy(b, s->names + r->off + s->prefix,
	       avail < sizeof(b) ? avail : sizeof(b));
	k->k0 = maildir_list_be64(b);
	k->k1 = maildir_list_be64(b + 8);
	k->idx = idx;
}

/* Base names only: <0, 0 (the same base name), >0. */
static int
maildir_list_key_cmp_base(const struct maildir_list_sort *s,
			  const struct maildir_list_key *a,
			  const struct maildir_list_key *b)
{
	const struct maildir_list_raw *x, *y;
	size_t skip, len;
	int c;

	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	x = &s->raw[a->idx];
	y = &s->raw[b->idx];
	/* equal keys: equal up to the key's end (or both bases shorter) */
	skip = s->prefix + MAILDIR_LIST_KEY_BYTES;
	if (x->base_len > skip && y->base_len > skip) {
		len = (x->base_len < y->base_len ? x->base_len : y->base_len) -
		      skip;
		c = memcmp(s->names + x->off + skip, s->names + y->off + skip,
			   len);
		if (c != 0)
			return c;
	}
	if (x->base_len != y->base_len)
		return x->base_len < y->base_len ? -1 : 1;
	return 0;
}

/* Base name, then cur/ before new/ (the copy kept by the dedupe). */
static int
maildir_list_key_cmp(const struct maildir_list_sort *s,
		     const struct maildir_list_key *a,
		     const struct maildir_list_key *b)
{
	int c = maildir_list_key_cmp_base(s, a, b);

	if (c != 0)
		return c;
	return (int)s->raw[b->idx].in_cur - (int)s->raw[a->idx].in_cur;
}

/* Merge sort of k[0..n) using tmp[0..n); the result is in k. */
static void
maildir_list_merge_keys(const struct maildir_list_sort *s,
			struct maildir_list_key *k,
			struct maildir_list_key *tmp, size_t n)
{
	struct maildir_list_key *from = k, *to = tmp, *sw, v;
	size_t i, j, lo, mid, hi, width, a, b, o;

	for (lo = 0; lo < n; lo += MAILDIR_LIST_RUN) {
		hi = lo + MAILDIR_LIST_RUN < n ? lo + MAILDIR_LIST_RUN : n;
		for (i = lo + 1; i < hi; i++) {
			v = k[i];
			for (j = i; j > lo &&
				    maildir_list_key_cmp(s, &v, &k[j - 1]) < 0;
			     j--)
				k[j] = k[j - 1];
			k[j] = v;
		}
	}
	for (width = MAILDIR_LIST_RUN; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			a = lo;
			b = mid;
			o = lo;
			/* already in order (delivery order): copy */
			if (mid < hi && maildir_list_key_cmp(s, &from[mid - 1],
							     &from[mid]) <= 0)
				a = mid, b = mid;
			while (a < mid && b < hi)
				to[o++] = maildir_list_key_cmp(s, &from[b],
							       &from[a]) < 0
						  ? from[b++]
						  : from[a++];
			if (a == mid && b == mid) {
				memcpy(&to[lo], &from[lo],
				       (hi - lo) * sizeof(*to));
				continue;
			}
			if (a < mid)
				memcpy(&to[o], &from[a],
				       (mid - a) * sizeof(*to));
			if (b < hi)
				memcpy(&to[o], &from[b],
				       (hi - b) * sizeof(*to));
		}
		sw = from;
		from = to;
		to = sw;
	}
	if (from != k)
		memcpy(k, from, n * sizeof(*k));
}

/* Byte b (0: the last) of the 16 bytes of key k. */
static unsigned
maildir_list_key_byte(const struct maildir_list_key *k, unsigned b)
{
	uint64_t w = b < 8 ? k->k1 : k->k0;

	return (unsigned)(w >> (8 * (b & 7))) & 0xff;
}

/* Sorts k[0..n) using tmp[0..n); the result is in k. */
static void
maildir_list_sort_keys(const struct maildir_list_sort *s,
		       struct maildir_list_key *k, struct maildir_list_key *tmp,
		       size_t n)
{
	/* 16 KiB of stack; counts fit: n <= MAILDIR_LIST_MAX_MSGS */
	uint32_t count[MAILDIR_LIST_KEY_BYTES][256];
	struct maildir_list_key *from = k, *to = tmp, *sw;
	uint32_t sum, c;
	size_t i, j;
	unsigned b, v;

	if (n < 2)
		return;
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++) {
		uint64_t lo = k[i].k1, hi = k[i].k0;

		for (b = 0; b < 8; b++) {
			count[b][lo & 0xff]++;
			count[b + 8][hi & 0xff]++;
			lo >>= 8;
			hi >>= 8;
		}
	}
	for (b = 0; b < MAILDIR_LIST_KEY_BYTES; b++) {
		if (count[b][maildir_list_key_byte(&k[0], b)] == n)
			continue; /* the same byte in every key */
		for (v = 0, sum = 0; v < 256; v++) {
			c = count[b][v];
			count[b][v] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[b][maildir_list_key_byte(&from[i], b)]++] =
				from[i];
		sw = from;
		from = to;
		to = sw;
	}
	if (from != k)
		memcpy(k, from, n * sizeof(*k));
	/* runs of equal keys: the rest of the names, then cur/ first */
	for (i = 0; i < n; i = j) {
		for (j = i + 1;
		     j < n && k[j].k0 == k[i].k0 && k[j].k1 == k[i].k1; j++)
			;
		if (j - i > 1)
			maildir_list_merge_keys(s, k + i, tmp, j - i);
	}
}

/* maildir_list_read(), or new/ alone when !with_cur. */
static int
maildir_list_read_subs(struct maildir_list *l, const char *dir, bool with_cur,
		       const char **error_r)
{
	struct maildir_list_raw *raw = NULL;
	struct maildir_list_key *keys = NULL;
	struct maildir_list_sort s;
	struct buf names;
	size_t n = 0, cap = 0, i, out, prefix;

	memset(l, 0, sizeof(*l));
	buf_init(&names, 0);
	/* new/ before cur/: a message moved meanwhile is seen at least once */
	if (maildir_list_dir(dir, "new", false, &names, &raw, &n, &cap,
			     error_r) < 0 ||
	    (with_cur && maildir_list_dir(dir, "cur", true, &names, &raw, &n,
					  &cap, error_r) < 0))
		goto fail;
	l->msgs = calloc(n + 1, sizeof(*l->msgs));
	keys = malloc((n + 1) * sizeof(*keys));
	if (l->msgs == NULL || keys == NULL) {
		errno = ENOMEM;
		*error_r = "out of memory";
		goto fail;
	}
	/* The buffer is complete: pointers into it stay valid now. */
	l->names = names.data;
	names.data = NULL;
	/* the prefix common to all base names */
	prefix = n > 0 ? raw[0].base_len : 0;
	for (i = 1; i < n && prefix > 0; i++) {
		const char *a = l->names + raw[0].off,
			   *b = l->names + raw[i].off;
		size_t j,
			m = raw[i].base_len < prefix ? raw[i].base_len : prefix;

		for (j = 0; j < m && a[j] == b[j]; j++)
			;
		prefix = j;
	}
	s.names = l->names;
	s.raw = raw;
	s.prefix = prefix;
	for (i = 0; i < n; i++)
		maildir_list_make_key(&s, (uint32_t)i, &keys[i]);
	/* msgs is larger than the keys and not yet used: the sort's
	 * scratch space (fewer fresh pages to fault in) */
	maildir_list_sort_keys(&s, keys, (struct maildir_list_key *)l->msgs, n);
	for (i = 0, out = 0; i < n; i++) {
		const struct maildir_list_raw *r = &raw[keys[i].idx];
		struct maildir_msg *m;

		/* the reads of raw are random: ask for them early */
		if (i + MAILDIR_LIST_PREFETCH < n)
			__builtin_prefetch(
				&raw[keys[i + MAILDIR_LIST_PREFETCH].idx]);

		/* duplicate base name: keep the first (cur/) */
		if (i > 0 &&
		    maildir_list_key_cmp_base(&s, &keys[i - 1], &keys[i]) == 0)
			continue;
		m = &l->msgs[out++];
		m->name = l->names + r->off;
		m->base_len = r->base_len;
		m->in_cur = r->in_cur;
		m->has_size = r->has_size;
		m->has_vsize = r->has_vsize;
		m->size = r->size;
		m->vsize = r->vsize;
		m->flags = r->flags_off != 0 ? m->name + r->flags_off : "";
		m->uid = 0;
		m->mark = false;
	}
	/* the rest of the scratch space, as calloc left it */
	memset(&l->msgs[out], 0, (n + 1 - out) * sizeof(*l->msgs));
	l->n = out;
	free(keys);
	free(raw);
	return 0;
fail:
	free(keys);
	free(raw);
	buf_free(&names);
	free(l->msgs);
	free(l->names);
	l->msgs = NULL;
	l->names = NULL;
	return -1;
}

int
maildir_list_read(struct maildir_list *l, const char *dir, const char **error_r)
{
	return maildir_list_read_subs(l, dir, true, error_r);
}

int
maildir_list_read_new(struct maildir_list *l, const char *dir,
		      const char **error_r)
{
	return maildir_list_read_subs(l, dir, false, error_r);
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
