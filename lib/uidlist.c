/*
 * uidlist.c -- the per-folder UID list (see uidlist.h for the format and
 * the rules). Parsing, the lookup from base name to UID, the lock (the
 * link(2) dotlock of lib/dotlock.c), appends and compacting rewrites.
 *
 * Speed (a login to 100,000 messages reads and checks the whole list):
 * the file is read in one read(2) into the names buffer and parsed in
 * place (no copy of the names); a list written from a sorted listing is
 * sorted by name too, so it needs no hash: uidlist_sync() walks it along
 * the sorted names with one comparison per name, and other lookups are a
 * binary search. Only a list out of name order gets the hash table.
 *
 * SECURITY: the file lives in the user's Maildir and is written by the
 * user's own processes, but it is still parsed strictly: every line is
 * checked (numbers overflow-checked, UIDs strictly increasing and below
 * uidnext, base names free of '/', whitespace and control bytes), so a
 * damaged file is rebuilt rather than trusted. The lock and temp files are
 * created with O_EXCL | O_NOFOLLOW; the lock is only removed if it is
 * still the inode we created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dirsync.h"
#include "dotlock.h"
#include "uidlist.h"

/* Room for "V1 4294967295 4294967295\n" and similar. */
#define UIDLIST_HEADER_MAX_BYTES 64
/* uidlist_add_names() without parsing the list: up to this many names. */
#define UIDLIST_LIGHT_MAX_NAMES 16

size_t
uidlist_base_len(const char *name)
{
	return strcspn(name, ":,");
}

/* The bytes a base name must not contain, as a bitmap of 128 bits (the
 * bytes 0x80-0xff are all allowed): 0x00-0x20 (controls, space), ',' (44),
 * '/' (47), ':' (58) and DEL (127). One test per byte: this runs for every
 * line of a list of 100,000 names at each login. */
static const uint64_t uidlist_bad_bytes[2] = {
	0x00000001ffffffffULL | 1ULL << ',' | 1ULL << '/' | 1ULL << ':',
	1ULL << (0x7f - 64),
};

/* Eight bytes at a time: the usual bit tricks, exact as a yes/no answer.
 * hasless(x, n) = (x - n*ONES) & ~x & HIGHS is a byte below n (n <= 128;
 * bytes 0x80-0xff never count), haszero(x ^ c*ONES) a byte equal to c. */
#define UIDLIST_ONES 0x0101010101010101ULL
#define UIDLIST_HIGHS 0x8080808080808080ULL
#define UIDLIST_HASZERO(v) (((v)-UIDLIST_ONES) & ~(v))

static bool
uidlist_word_bad(uint64_t x)
{
	uint64_t comma = x ^ (UIDLIST_ONES * ','),
		 slash = x ^ (UIDLIST_ONES * '/'),
		 colon = x ^ (UIDLIST_ONES * ':'),
		 del = x ^ (UIDLIST_ONES * 0x7f);
	uint64_t t = ((x - UIDLIST_ONES * 0x21) & ~x) | UIDLIST_HASZERO(comma) |
		     UIDLIST_HASZERO(slash) | UIDLIST_HASZERO(colon) |
		     UIDLIST_HASZERO(del);

	return (t & UIDLIST_HIGHS) != 0;
}

bool
uidlist_valid_base(const char *s, size_t len)
{
	size_t i;
	uint64_t w;

	if (len == 0 || len > UIDLIST_NAME_MAX_BYTES || s[0] == '.')
		return false;
	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w)); /* byte order does not matter */
		if (uidlist_word_bad(w))
			return false;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 128 && (uidlist_bad_bytes[c >> 6] >> (c & 63) & 1))
			return false;
	}
	return true;
}

int
uidlist_init(struct uidlist *ul, const char *dir, const char **error_r)
{
	memset(ul, 0, sizeof(*ul));
	ul->uidnext = 1;
	ul->sorted = true;
	buf_init(&ul->names, 0);
	if (snprintf(ul->dir, sizeof(ul->dir), "%s", dir) >=
	    (int)sizeof(ul->dir)) {
		errno = ENAMETOOLONG;
		*error_r = "folder path too long";
		return -1;
	}
	return 0;
}

static void
uidlist_clear(struct uidlist *ul)
{
	free(ul->entries);
	free(ul->hash);
	ul->entries = NULL;
	ul->hash = NULL;
	ul->n = ul->cap = ul->hash_cap = 0;
	ul->sorted = true;
	buf_reset(&ul->names);
	ul->uidvalidity = 0;
	ul->uidnext = 1;
	ul->generation++;
}

void
uidlist_free(struct uidlist *ul)
{
	uidlist_unlock(ul);
	uidlist_clear(ul);
	buf_free(&ul->names);
}

/* FNV-1a with a final mix: multiplication only carries upwards, so the
 * low bits we mask with would depend on few input bits without it. The
 * names are our own delivery names, not chosen to collide. */
static uint64_t
uidlist_hash_str(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static const char *
uidlist_name(const struct uidlist *ul, size_t i)
{
	return ul->names.data + ul->entries[i].name_off;
}

/* A hash slot: the high 32 bits of the name's hash (compared before the
 * entry is touched: fewer cache misses on 100,000 names), and the entry
 * index + 1 in the low 32 bits; 0 is a free slot. */
#define UIDLIST_SLOT(hash, idx) \
	(((uint64_t)((hash) >> 32) << 32) | (uint64_t)((idx) + 1))
#define UIDLIST_SLOT_IDX(slot) ((size_t)((slot)&0xffffffffu) - 1)
#define UIDLIST_SLOT_TAG(slot) ((slot) >> 32)

static void
uidlist_hash_insert(struct uidlist *ul, size_t idx)
{
	size_t mask = ul->hash_cap - 1;
	uint64_t hv = ul->entries[idx].hash;
	size_t h = (size_t)hv & mask;

	while (ul->hash[h] != 0)
		h = (h + 1) & mask;
	ul->hash[h] = UIDLIST_SLOT(hv, idx);
}

/* Makes the hash hold all n entries with a load factor below 1/2. */
static int
uidlist_hash_rebuild(struct uidlist *ul, size_t want)
{
	size_t cap = 64, i;

	while (cap < want * 2 + 2) {
		if (cap > ((size_t)-1) / 4) {
			errno = ENOMEM;
			return -1;
		}
		cap *= 2;
	}
	if (cap != ul->hash_cap) {
		uint64_t *h = calloc(cap, sizeof(*h));

		if (h == NULL)
			return -1;
		free(ul->hash);
		ul->hash = h;
		ul->hash_cap = cap;
	} else {
		memset(ul->hash, 0, cap * sizeof(*ul->hash));
	}
	for (i = 0; i < ul->n; i++)
		uidlist_hash_insert(ul, i);
	return 0;
}

/* Base name order: memcmp, then the shorter first (the order of
 * maildir_list_read(), so a listing and a list can be merged). */
static int
uidlist_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
uidlist_entry_cmp(const struct uidlist *ul, size_t i, const char *base,
		  size_t len)
{
	return uidlist_name_cmp(uidlist_name(ul, i), ul->entries[i].name_len,
				base, len);
}

/* The entry index of base, or (size_t)-1: by the hash when there is one,
 * else by binary search (the entries are then sorted by name). */
static size_t
uidlist_find(const struct uidlist *ul, const char *base, size_t len)
{
	size_t mask, h, lo, hi, mid;
	uint64_t slot, hv;
	int c;

	if (ul->hash_cap == 0) {
		lo = 0;
		hi = ul->n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			c = uidlist_entry_cmp(ul, mid, base, len);
			if (c == 0)
				return mid;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return (size_t)-1;
	}
	hv = uidlist_hash_str(base, len);
	mask = ul->hash_cap - 1;
	h = (size_t)hv & mask;
	while ((slot = ul->hash[h]) != 0) {
		if (UIDLIST_SLOT_TAG(slot) == hv >> 32) {
			const struct uidlist_entry *e =
				&ul->entries[UIDLIST_SLOT_IDX(slot)];

			if (e->name_len == len &&
			    memcmp(ul->names.data + e->name_off, base, len) ==
				    0)
				return UIDLIST_SLOT_IDX(slot);
		}
		h = (h + 1) & mask;
	}
	return (size_t)-1;
}

/* uidlist_find() that tries entry *cursor first and leaves *cursor after
 * the entry found: names looked up in name order against a list written
 * in name order (the usual case) cost one comparison each. */
static size_t
uidlist_find_next(const struct uidlist *ul, const char *base, size_t len,
		  size_t *cursor)
{
	size_t idx = *cursor;

	if (idx >= ul->n || ul->entries[idx].name_len != len ||
	    memcmp(uidlist_name(ul, idx), base, len) != 0)
		idx = uidlist_find(ul, base, len);
	if (idx != (size_t)-1)
		*cursor = idx + 1;
	return idx;
}

uint32_t
uidlist_lookup(const struct uidlist *ul, const char *base, size_t len)
{
	size_t idx = uidlist_find(ul, base, len);

	return idx == (size_t)-1 ? 0 : ul->entries[idx].uid;
}

/* Leaves the sorted state: hashes every entry (the entries are then in
 * UID order only). 0 / -1 (ENOMEM; the list stays sorted, unchanged). */
static int
uidlist_hash_enable(struct uidlist *ul)
{
	size_t i;

	for (i = 0; i < ul->n; i++)
		ul->entries[i].hash = uidlist_hash_str(uidlist_name(ul, i),
						       ul->entries[i].name_len);
	if (uidlist_hash_rebuild(ul, ul->n) < 0) {
		/* still sorted: binary search keeps working */
		free(ul->hash);
		ul->hash = NULL;
		ul->hash_cap = 0;
		return -1;
	}
	ul->sorted = false;
	return 0;
}

/* Grows entries to hold at least want. 0 / -1 (ENOMEM). */
static int
uidlist_reserve(struct uidlist *ul, size_t want)
{
	struct uidlist_entry *e;
	size_t cap = ul->cap == 0 ? 256 : ul->cap;

	if (want <= ul->cap)
		return 0;
	while (cap < want) {
		if (cap > ((size_t)-1) / 4 / sizeof(*e)) {
			errno = ENOMEM;
			return -1;
		}
		cap *= 2;
	}
	e = realloc(ul->entries, cap * sizeof(*e));
	if (e == NULL)
		return -1;
	ul->entries = e;
	ul->cap = cap;
	return 0;
}

/* Adds an entry whose name is at names.data[off..off+len), NUL-terminated
 * (already in the buffer). 0, 1 if the name is there already (nothing
 * added), or -1 (ENOMEM). */
static int
uidlist_add_at(struct uidlist *ul, uint32_t uid, size_t off, size_t len)
{
	const char *base = ul->names.data + off;
	struct uidlist_entry *e;

	/* Sorted and above the last name: new, and still sorted. */
	if (!ul->sorted || ul->n == 0 ||
	    uidlist_entry_cmp(ul, ul->n - 1, base, len) >= 0) {
		if (uidlist_find(ul, base, len) != (size_t)-1)
			return 1;
		if (ul->sorted && ul->n > 0 && uidlist_hash_enable(ul) < 0)
			return -1;
	}
	if (ul->n >= 0xfffffffeu) {
		errno = ENOMEM; /* the slot holds a 32-bit index */
		return -1;
	}
	if (uidlist_reserve(ul, ul->n + 1) < 0)
		return -1;
	e = &ul->entries[ul->n];
	e->uid = uid;
	e->name_off = off;
	e->name_len = len;
	e->hash = 0;
	ul->n++;
	if (ul->sorted)
		return 0;
	e->hash = uidlist_hash_str(base, len);
	if (ul->n * 2 + 2 > ul->hash_cap)
		return uidlist_hash_rebuild(ul, ul->n);
	uidlist_hash_insert(ul, ul->n - 1);
	return 0;
}

/* Adds an entry (the name is copied). 0, 1 if the name is there already
 * (nothing added), or -1 (ENOMEM). */
static int
uidlist_add(struct uidlist *ul, uint32_t uid, const char *base, size_t len)
{
	size_t off = ul->names.len;
	int r;

	if (buf_append(&ul->names, base, len) < 0 ||
	    buf_putc(&ul->names, '\0') < 0)
		return -1;
	r = uidlist_add_at(ul, uid, off, len);
	if (r == 1)
		ul->names.len = off; /* not kept */
	return r;
}

/* Strict decimal uint32 of s[0..len): no sign, no leading zero, >0 digits. */
static int
uidlist_parse_u32(const char *s, size_t len, uint32_t *r)
{
	unsigned long long v = 0;
	size_t i;

	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*r = (uint32_t)v;
	return 0;
}

static int
uidlist_bad(const char **error_r, const char *why)
{
	errno = EINVAL;
	*error_r = why;
	return -1;
}

/* "V1 <uidvalidity> <uidnext>" */
static int
uidlist_parse_header(struct uidlist *ul, const char *p, size_t len,
		     const char **error_r)
{
	const char *sp;

	if (len < 3 || memcmp(p, "V1 ", 3) != 0)
		return uidlist_bad(error_r, "uid list: unknown version");
	p += 3;
	len -= 3;
	sp = memchr(p, ' ', len);
	if (sp == NULL ||
	    uidlist_parse_u32(p, (size_t)(sp - p), &ul->uidvalidity) < 0 ||
	    uidlist_parse_u32(sp + 1, len - (size_t)(sp + 1 - p),
			      &ul->uidnext) < 0 ||
	    ul->uidvalidity == 0 || ul->uidnext == 0)
		return uidlist_bad(error_r, "uid list: bad header");
	return 0;
}

/* Parses the list text in ul->names (data, len bytes) in place: each
 * name's LF becomes its NUL. Entries already there are replaced. */
static int
uidlist_parse_names(struct uidlist *ul, const char **error_r)
{
	char *data = ul->names.data;
	size_t len = ul->names.len;
	char *p, *end = data + len, *nl, *sp;
	size_t lines = 0, keep = 0;
	uint32_t uid, last = 0;
	int r;

	free(ul->entries);
	free(ul->hash);
	ul->entries = NULL;
	ul->hash = NULL;
	ul->n = ul->cap = ul->hash_cap = 0;
	ul->sorted = true;
	ul->uidvalidity = 0;
	ul->uidnext = 1;
	ul->generation++;
	nl = len > 0 ? memchr(data, '\n', len) : NULL;
	if (nl == NULL)
		return uidlist_bad(error_r, "uid list: no header");
	if (uidlist_parse_header(ul, data, (size_t)(nl - data), error_r) < 0)
		return -1;
	/* one allocation for as many entries as lines */
	p = nl + 1;
	while (p < end && (sp = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p = sp + 1;
	}
	if (uidlist_reserve(ul, lines) < 0) {
		*error_r = "uid list: out of memory";
		return -1;
	}
	keep = (size_t)(nl + 1 - data);
	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break; /* an append in progress: not ours to see yet */
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (sp == NULL ||
		    uidlist_parse_u32(p, (size_t)(sp - p), &uid) < 0)
			return uidlist_bad(error_r, "uid list: bad line");
		if (uid <= last)
			return uidlist_bad(error_r, "uid list: UIDs not "
						    "increasing");
		if (!uidlist_valid_base(sp + 1, (size_t)(nl - sp - 1)))
			return uidlist_bad(error_r, "uid list: bad name");
		*nl = '\0';
		r = uidlist_add_at(ul, uid, (size_t)(sp + 1 - data),
				   (size_t)(nl - sp - 1));
		if (r < 0) {
			*error_r = "uid list: out of memory";
			return -1;
		}
		if (r == 1)
			return uidlist_bad(error_r, "uid list: duplicate name");
		last = uid;
		keep = (size_t)(nl + 1 - data);
	}
	/* a partial last line is dropped: names added later follow */
	ul->names.len = keep;
	/* Appends do not rewrite the header: the last UID implies uidnext. */
	if (last != 0 && last >= ul->uidnext) {
		if (last == UINT32_MAX)
			return uidlist_bad(error_r, "uid list: UIDs exhausted");
		ul->uidnext = last + 1;
	}
	return 0;
}

int
uidlist_parse(struct uidlist *ul, const char *data, size_t len,
	      const char **error_r)
{
	if (buf_set(&ul->names, data, len) < 0) {
		uidlist_clear(ul);
		*error_r = "uid list: out of memory";
		return -1;
	}
	/* on error the entries parsed so far stay (and the header: a
	 * rebuild picks a uidvalidity above it) */
	return uidlist_parse_names(ul, error_r);
}

static void
uidlist_path(const struct uidlist *ul, const char *name, char *out,
	     size_t outlen)
{
	/* dir was checked against PATH_MAX at init; names are short. */
	snprintf(out, outlen, "%s/%s", ul->dir, name);
}

/* Reads fd (size bytes per fstat) into ul->names in one go. 0 / -1. */
static int
uidlist_slurp(struct uidlist *ul, int fd, size_t size)
{
	size_t got = 0;

	buf_reset(&ul->names);
	if (buf_reserve(&ul->names, size) < 0) /* and a NUL */
		return -1;
	while (got < size) {
		ssize_t r = read(fd, ul->names.data + got, size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break; /* truncated under us: a rename replaces, so rare */
		got += (size_t)r;
	}
	ul->names.len = got;
	ul->names.data[got] = '\0';
	return 0;
}

/* pread of exactly len bytes at off. 0 / -1 (short: EIO). */
static int
uidlist_pread_all(int fd, char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

/* The file (fd, st) grew since the last read: if it is the same file
 * with lines appended (same inode, the same header line, a line end just
 * before the old end), parses just those lines and adds them. Writers
 * append or replace the file by rename, never rewrite it in place: a
 * rewrite that reused the inode would have to keep the header (its
 * uidnext only grows and is written at each rewrite) and still be
 * larger, which a compaction without new names is not. 1 done, 0 not
 * an append or damaged (read it all), -1 error. */
static int
uidlist_read_tail(struct uidlist *ul, int fd, const struct stat *st)
{
	char hdr[UIDLIST_HEADER_MAX_BYTES], c;
	const char *hnl;
	char *p, *end, *nl, *sp;
	size_t hlen, old = (size_t)ul->file_size, add, off, keep;
	uint32_t uid, last;
	int r;

	if (!ul->exists || ul->file_ino == 0 || st->st_dev != ul->file_dev ||
	    st->st_ino != ul->file_ino || st->st_size <= ul->file_size ||
	    old == 0 || ul->names.len == 0 ||
	    (unsigned long long)st->st_size > UIDLIST_FILE_MAX_BYTES)
		return 0;
	hnl = memchr(ul->names.data, '\n', ul->names.len);
	if (hnl == NULL)
		return 0;
	hlen = (size_t)(hnl - ul->names.data) + 1;
	if (hlen > sizeof(hdr) || hlen > old)
		return 0;
	if (uidlist_pread_all(fd, hdr, hlen, 0) < 0 ||
	    memcmp(hdr, ul->names.data, hlen) != 0 ||
	    uidlist_pread_all(fd, &c, 1, (off_t)old - 1) < 0 || c != '\n')
		return 0;
	add = (size_t)(st->st_size - ul->file_size);
	off = ul->names.len;
	if (buf_reserve(&ul->names, add) < 0)
		return -1;
	if (uidlist_pread_all(fd, ul->names.data + off, add, (off_t)old) < 0)
		return 0;
	ul->names.len = off + add;
	ul->names.data[off + add] = '\0';
	last = ul->n > 0 ? ul->entries[ul->n - 1].uid : 0;
	keep = off;
	end = ul->names.data + off + add;
	for (p = ul->names.data + off; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break; /* an append in progress */
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (sp == NULL ||
		    uidlist_parse_u32(p, (size_t)(sp - p), &uid) < 0 ||
		    uid <= last ||
		    !uidlist_valid_base(sp + 1, (size_t)(nl - sp - 1)))
			return 0; /* the full read says what is wrong */
		*nl = '\0';
		r = uidlist_add_at(ul, uid, (size_t)(sp + 1 - ul->names.data),
				   (size_t)(nl - sp - 1));
		if (r != 0)
			return r < 0 ? -1 : 0;
		last = uid;
		keep = (size_t)(nl + 1 - ul->names.data);
	}
	if (last != 0 && last >= ul->uidnext) {
		if (last == UINT32_MAX)
			return 0;
		ul->uidnext = last + 1;
	}
	/* the next read starts after the last whole line */
	ul->file_size = (off_t)(old + (keep - off));
	ul->names.len = keep;
	ul->names.data[keep] = '\0';
	ul->file_mtime = st->st_mtim;
	return 1;
}

int
uidlist_read(struct uidlist *ul, const char **error_r)
{
	char path[PATH_MAX + 32];
	struct stat st;
	size_t len;
	int fd, r;

	uidlist_path(ul, UIDLIST_FILE, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT) {
			*error_r = "cannot open the uid list";
			return -1;
		}
		uidlist_clear(ul);
		ul->exists = false;
		ul->file_ino = 0;
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		*error_r = "cannot stat the uid list";
		return -1;
	}
	if (ul->exists && st.st_dev == ul->file_dev &&
	    st.st_ino == ul->file_ino && st.st_size == ul->file_size &&
	    st.st_mtim.tv_sec == ul->file_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == ul->file_mtime.tv_nsec) {
		close(fd);
		return 0; /* unchanged since we read it */
	}
	r = uidlist_read_tail(ul, fd, &st);
	if (r != 0) {
		close(fd);
		if (r < 0) {
			ul->file_ino = 0; /* half added: read it all next */
			*error_r = "uid list: out of memory";
			return -1;
		}
		return 0;
	}
	if ((unsigned long long)st.st_size > UIDLIST_FILE_MAX_BYTES) {
		close(fd);
		errno = EFBIG;
		*error_r = "uid list too large";
		return -1;
	}
	r = uidlist_slurp(ul, fd, (size_t)st.st_size);
	close(fd);
	if (r < 0) {
		uidlist_clear(ul);
		ul->exists = false;
		ul->file_ino = 0;
		*error_r = "cannot read the uid list";
		return -1;
	}
	len = ul->names.len;
	/* the entries point into the text we read: no copy */
	r = uidlist_parse_names(ul, error_r);
	ul->exists = true;
	ul->file_ino = 0; /* force a re-read after an error */
	if (r < 0)
		return -1;
	ul->file_dev = st.st_dev;
	ul->file_ino = st.st_ino;
	ul->file_size = (off_t)len;
	ul->file_mtime = st.st_mtim;
	return 0;
}

/* ---- the dotlock (lib/dotlock.c) -------------------------------------- */

int
uidlist_lock(struct uidlist *ul, const char **error_r)
{
	char lock[PATH_MAX + 32];
	struct dotlock_id id;

	if (ul->locked)
		return 0;
	uidlist_path(ul, UIDLIST_LOCK_FILE, lock, sizeof(lock));
	if (dotlock_take(lock, UIDLIST_LOCK_WAIT_SECS, UIDLIST_LOCK_STALE_SECS,
			 &id, error_r) < 0) {
		*error_r = errno == EWOULDBLOCK ? "timed out waiting for the "
						  "uid list lock"
						: "cannot create the uid list "
						  "lock";
		return -1;
	}
	ul->lock_dev = id.dev;
	ul->lock_ino = id.ino;
	ul->lock_mtime = id.mtime;
	ul->locked = true;
	return 0;
}

void
uidlist_unlock(struct uidlist *ul)
{
	char lock[PATH_MAX + 32];
	struct dotlock_id id;

	if (!ul->locked)
		return;
	uidlist_path(ul, UIDLIST_LOCK_FILE, lock, sizeof(lock));
	id.dev = ul->lock_dev;
	id.ino = ul->lock_ino;
	id.mtime = ul->lock_mtime;
	dotlock_release(lock, &id);
	ul->locked = false;
}

/* ---- writing ---------------------------------------------------------- */

static int
uidlist_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Appends the line "<uid> <name>\n" of entry i to out (a rewrite of
 * 100,000 entries: no printf per line). 0 / -1. */
static int
uidlist_put_record(struct buf *out, const struct uidlist *ul, size_t i)
{
	char digits[10]; /* UINT32_MAX has 10 */
	uint32_t v = ul->entries[i].uid;
	size_t nd = 0, len = ul->entries[i].name_len;
	char *p;

	do {
		digits[sizeof(digits) - ++nd] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (buf_reserve(out, nd + 1 + len + 1) < 0)
		return -1;
	p = out->data + out->len;
	memcpy(p, digits + sizeof(digits) - nd, nd);
	p[nd] = ' ';
	memcpy(p + nd + 1, uidlist_name(ul, i), len);
	p[nd + 1 + len] = '\n';
	out->len += nd + 1 + len + 1;
	out->data[out->len] = '\0';
	return 0;
}

/* Writes the whole list (entries with keep[i], or all when keep == NULL)
 * to a temp file and renames it over the list. Under the lock. */
static int
uidlist_rewrite(struct uidlist *ul, const bool *keep, const char **error_r)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 64];
	struct buf out;
	size_t i;
	int fd, r = -1;

	buf_init(&out, 0);
	if (buf_printf(&out, "V1 %u %u\n", (unsigned)ul->uidvalidity,
		       (unsigned)ul->uidnext) < 0)
		goto out;
	for (i = 0; i < ul->n; i++) {
		if (keep != NULL && !keep[i])
			continue;
		if (uidlist_put_record(&out, ul, i) < 0)
			goto out;
	}
	uidlist_path(ul, UIDLIST_FILE, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp); /* a leftover of a crashed process with our pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		goto out;
	/* The list must be on disk before it replaces the old one: a crash
	 * must leave either list, never an empty file. */
	if (uidlist_write_all(fd, out.data, out.len) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		goto out;
	}
	dir_fsync(ul->dir);
	ul->exists = true;
	ul->file_ino = 0; /* re-read (and re-index) next time */
	r = 0;
out:
	if (r < 0)
		*error_r = "cannot write the uid list";
	buf_free(&out);
	return r;
}

/* A last line without its line end (a writer that crashed in its
 * append; readers ignore it) is cut off before we append, else our first
 * line would be glued to it. Under the lock. 0 / -1. */
static int
uidlist_drop_partial(int fd)
{
	char tail[UIDLIST_NAME_MAX_BYTES + 16];
	struct stat st;
	size_t len;
	off_t from;
	const char *nl;

	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size == 0)
		return 0;
	len = (size_t)st.st_size < sizeof(tail) ? (size_t)st.st_size
						 : sizeof(tail);
	from = st.st_size - (off_t)len;
	if (uidlist_pread_all(fd, tail, len, from) < 0)
		return -1;
	if (tail[len - 1] == '\n')
		return 0;
	nl = memrchr(tail, '\n', len);
	if (nl == NULL)
		return 0; /* no line that long: damaged, rebuilt by a read */
	return ftruncate(fd, from + (off_t)(nl + 1 - tail));
}

/* Appends the entries from index first on to the file. Under the lock. */
static int
uidlist_append(struct uidlist *ul, size_t first, const char **error_r)
{
	char path[PATH_MAX + 32];
	struct buf out;
	struct stat st;
	size_t i;
	int fd, r = -1;

	buf_init(&out, 0);
	for (i = first; i < ul->n; i++) {
		if (uidlist_put_record(&out, ul, i) < 0)
			goto out;
	}
	uidlist_path(ul, UIDLIST_FILE, path, sizeof(path));
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		goto out;
	if (uidlist_drop_partial(fd) < 0) {
		close(fd);
		goto out;
	}
	/* fdatasync: a UID a client saw must survive a crash, else it could
	 * be handed out again to another message. */
	if (uidlist_write_all(fd, out.data, out.len) < 0 || fdatasync(fd) < 0 ||
	    fstat(fd, &st) < 0) {
		close(fd);
		goto out;
	}
	if (close(fd) < 0)
		goto out;
	/* We know the content: remember the new state to skip a re-read. */
	ul->file_dev = st.st_dev;
	ul->file_ino = st.st_ino;
	ul->file_size = st.st_size;
	ul->file_mtime = st.st_mtim;
	r = 0;
out:
	if (r < 0)
		*error_r = "cannot append to the uid list";
	buf_free(&out);
	return r;
}

/* Looks every name up into uids (n entries); returns how many could get
 * a UID but have none yet. */
static size_t
uidlist_lookup_all(const struct uidlist *ul, const char *const *names, size_t n,
		   uint32_t *uids)
{
	size_t i, idx, len, cursor = 0, unknown = 0;

	for (i = 0; i < n; i++) {
		len = uidlist_base_len(names[i]);
		idx = uidlist_find_next(ul, names[i], len, &cursor);
		uids[i] = idx == (size_t)-1 ? 0 : ul->entries[idx].uid;
		if (uids[i] == 0 && uidlist_valid_base(names[i], len))
			unknown++;
	}
	return unknown;
}

/* Marks the entries still present in keep[]; returns how many are gone. */
static size_t
uidlist_mark_present(const struct uidlist *ul, const char *const *names,
		     size_t n, bool *keep)
{
	size_t i, idx, len, cursor = 0, present = 0;

	for (i = 0; i < n; i++) {
		len = uidlist_base_len(names[i]);
		idx = uidlist_find_next(ul, names[i], len, &cursor);
		if (idx != (size_t)-1 && !keep[idx]) {
			keep[idx] = true;
			present++;
		}
	}
	return ul->n - present;
}

int
uidlist_root(const char *dir, char *out, size_t outlen)
{
	const char *slash = strrchr(dir, '/');
	char cur[PATH_MAX];
	struct stat st;
	size_t plen;
	int n;

	/* a Maildir++ folder "<root>/.name" lives in a Maildir */
	if (slash != NULL && slash[1] == '.' && slash > dir) {
		plen = (size_t)(slash - dir);
		n = snprintf(cur, sizeof(cur), "%.*s/cur", (int)plen, dir);
		if (n > 0 && (size_t)n < sizeof(cur) && stat(cur, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (plen >= outlen) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(out, dir, plen);
			out[plen] = '\0';
			return 0;
		}
	}
	n = snprintf(out, outlen, "%s", dir);
	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

uint32_t
uidlist_new_uidvalidity(const char *dir, uint32_t above)
{
	char root[PATH_MAX], path[PATH_MAX + 32], text[32];
	uint32_t now = (uint32_t)time(NULL), last = 0, v;
	ssize_t r;
	int fd, n;

	v = now > above ? now : above + 1;
	if (uidlist_root(dir, root, sizeof(root)) < 0)
		goto out;
	n = snprintf(path, sizeof(path), "%s/%s", root, UIDLIST_VALIDITY_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (flock(fd, LOCK_EX) == 0) {
		r = pread(fd, text, sizeof(text) - 1, 0);
		if (r > 0) {
			text[r] = '\0';
			last = (uint32_t)strtoul(text, NULL, 10);
		}
		if (last != 0 && last != UINT32_MAX && v <= last)
			v = last + 1;
		n = snprintf(text, sizeof(text), "%u\n", (unsigned)v);
		if (pwrite(fd, text, (size_t)n, 0) == n &&
		    ftruncate(fd, n) < 0) {
			/* a longer old value stays behind the newline: the
			 * reader stops there */
		}
		(void)fdatasync(fd);
	}
	close(fd); /* releases the flock */
out:
	return v == 0 ? 1 : v;
}

/* A fresh list: new uidvalidity (above the old one, if any, and above
 * every one handed out in this Maildir). */
static void
uidlist_restart(struct uidlist *ul)
{
	uint32_t old = ul->uidvalidity;

	uidlist_clear(ul);
	ul->uidvalidity = uidlist_new_uidvalidity(ul->dir, old);
	ul->uidnext = 1;
}

/* The part of uidlist_sync() that runs under the lock. */
static int
uidlist_sync_locked(struct uidlist *ul, const char *const *names, size_t n,
		    const char **error_r)
{
	size_t i, first, gone;
	bool *keep = NULL, rewrite = false;
	const char *err;
	int r;

	ul->file_ino = 0; /* re-read for sure: we hold the lock now */
	if (uidlist_read(ul, &err) < 0) {
		if (errno != EINVAL) {
			*error_r = err;
			return -1;
		}
		uidlist_restart(ul); /* bad file: start over, visibly */
		ul->rebuilt = true;
		rewrite = true;
	} else if (!ul->exists) {
		uidlist_restart(ul);
		rewrite = true;
	}
	if (!rewrite && ul->n > 0) {
		keep = calloc(ul->n, sizeof(*keep));
		if (keep == NULL) {
			*error_r = "out of memory";
			return -1;
		}
		gone = uidlist_mark_present(ul, names, n, keep);
		/* added after the caller's listing began: not gone */
		for (i = 0; ul->keep_from != 0 && i < ul->n; i++) {
			if (!keep[i] && ul->entries[i].uid >= ul->keep_from) {
				keep[i] = true;
				gone--;
			}
		}
		if (gone < UIDLIST_COMPACT_MIN_GONE || gone * 2 < ul->n) {
			free(keep);
			keep = NULL;
		} else {
			rewrite = true;
		}
	}
	first = ul->n;
	for (i = 0; i < n; i++) {
		size_t len = uidlist_base_len(names[i]);

		if (!uidlist_valid_base(names[i], len))
			continue;
		if (ul->uidnext == UINT32_MAX) {
			free(keep);
			errno = EOVERFLOW;
			*error_r = "UIDs exhausted";
			return -1;
		}
		r = uidlist_add(ul, ul->uidnext, names[i], len);
		if (r < 0) {
			free(keep);
			*error_r = "out of memory";
			return -1;
		}
		if (r == 1)
			continue; /* known (or given twice) */
		ul->uidnext++;
		if (keep != NULL) {
			bool *k = realloc(keep, ul->n * sizeof(*keep));

			if (k == NULL) {
				free(keep);
				*error_r = "out of memory";
				return -1;
			}
			keep = k;
			keep[ul->n - 1] = true;
		}
	}
	if (rewrite)
		r = uidlist_rewrite(ul, keep, error_r);
	else if (first < ul->n)
		r = uidlist_append(ul, first, error_r);
	else
		r = 0;
	free(keep);
	return r;
}

int
uidlist_sync(struct uidlist *ul, const char *const *names, size_t n,
	     uint32_t *uids_r, const char **error_r)
{
	const char *err = NULL;
	uint32_t *uids = uids_r;
	size_t unknown = 0;
	int r;

	ul->rebuilt = false;
	if (uids == NULL) {
		uids = calloc(n + 1, sizeof(*uids));
		if (uids == NULL) {
			*error_r = "out of memory";
			return -1;
		}
	}
	r = uidlist_read(ul, &err);
	if (r < 0 && errno != EINVAL) {
		*error_r = err;
		goto out;
	}
	if (r == 0 && ul->exists)
		unknown = uidlist_lookup_all(ul, names, n, uids);
	if (r < 0 || !ul->exists || unknown > 0 ||
	    (ul->n >= n + UIDLIST_COMPACT_MIN_GONE && ul->n >= 2 * n)) {
		r = uidlist_lock(ul, error_r);
		if (r == 0) {
			r = uidlist_sync_locked(ul, names, n, error_r);
			uidlist_unlock(ul);
		}
		/* a rewrite forgot the file identity: read our own result */
		if (r == 0 && ul->file_ino == 0)
			r = uidlist_read(ul, error_r);
		if (r == 0)
			uidlist_lookup_all(ul, names, n, uids);
	}
out:
	if (uids != uids_r)
		free(uids);
	return r < 0 ? -1 : 0;
}

/* uidlist_add_names() for a handle that never read the list, with at
 * most UIDLIST_LIGHT_MAX_NAMES names (an APPEND or COPY by a session
 * that does not have the folder open): the file is read but not parsed
 * (for 100,000 messages parsing is most of the cost). uidnext comes from
 * the header and the last line; a name already listed is found by
 * searching for its line. The handle stays unread (no entries, exists
 * false); uidvalidity and uidnext are set. Under the lock. 1 done, 0 use
 * the full way (missing file, bad header or last line, no line end at
 * the end), -1 error. */
static int
uidlist_add_light(struct uidlist *ul, const char *const *names, size_t n,
		  uint32_t *uids_r, const char **error_r)
{
	char path[PATH_MAX + 32], pat[UIDLIST_NAME_MAX_BYTES + 3];
	const char *data, *end, *nl, *line, *m, *q;
	struct uidlist_entry e[UIDLIST_LIGHT_MAX_NAMES];
	uint32_t last = 0, uid;
	struct buf out;
	struct stat st;
	size_t i, j, len, hlen, size;
	int fd, r = 0;

	uidlist_path(ul, UIDLIST_FILE, path, sizeof(path));
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size > UIDLIST_FILE_MAX_BYTES) {
		close(fd);
		return 0;
	}
	size = (size_t)st.st_size;
	{
		/* read through a second descriptor: fd is write-only */
		int rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

		if (rfd < 0) {
			close(fd);
			return 0;
		}
		r = uidlist_slurp(ul, rfd, size);
		close(rfd);
		if (r < 0) {
			close(fd);
			buf_reset(&ul->names);
			*error_r = "cannot read the uid list";
			return -1;
		}
	}
	data = ul->names.data;
	len = ul->names.len;
	end = data + len;
	buf_init(&out, 0);
	r = 0;
	nl = len > 0 ? memchr(data, '\n', len) : NULL;
	if (nl == NULL || data[len - 1] != '\n' ||
	    uidlist_parse_header(ul, data, (size_t)(nl - data), error_r) < 0)
		goto out; /* the full way says what is wrong */
	hlen = (size_t)(nl + 1 - data);
	if (len > hlen) {
		const char *sp;

		line = memrchr(data, '\n', len - 1);
		line = line != NULL ? line + 1 : data;
		sp = memchr(line, ' ', (size_t)(end - line));
		if (line < data + hlen || sp == NULL ||
		    uidlist_parse_u32(line, (size_t)(sp - line), &last) < 0 ||
		    last == UINT32_MAX)
			goto out;
		if (last >= ul->uidnext)
			ul->uidnext = last + 1;
	}
	for (i = 0; i < n; i++) {
		size_t blen = uidlist_base_len(names[i]);

		e[i].uid = 0;
		e[i].name_len = blen;
		if (!uidlist_valid_base(names[i], blen))
			continue;
		for (j = 0; j < i; j++) {
			if (e[j].uid != 0 && e[j].name_len == blen &&
			    memcmp(names[j], names[i], blen) == 0)
				break;
		}
		if (j < i) {
			e[i].uid = e[j].uid; /* given twice */
			continue;
		}
		/* " <base>\n" after the header, preceded by a UID from the
		 * line start: names hold no space or line end */
		pat[0] = ' ';
		memcpy(pat + 1, names[i], blen);
		pat[blen + 1] = '\n';
		for (m = data + hlen;
		     (m = memmem(m, (size_t)(end - m), pat, blen + 2)) != NULL;
		     m++) {
			for (q = m; q > data && q[-1] != '\n'; q--)
				;
			if (q >= data + hlen &&
			    uidlist_parse_u32(q, (size_t)(m - q), &uid) == 0) {
				e[i].uid = uid;
				break;
			}
		}
		if (e[i].uid != 0)
			continue;
		if (ul->uidnext == UINT32_MAX) {
			errno = EOVERFLOW;
			*error_r = "UIDs exhausted";
			r = -1;
			goto out;
		}
		e[i].uid = ul->uidnext++;
		if (buf_printf(&out, "%u ", (unsigned)e[i].uid) < 0 ||
		    buf_append(&out, names[i], blen) < 0 ||
		    buf_putc(&out, '\n') < 0) {
			*error_r = "out of memory";
			r = -1;
			goto out;
		}
	}
	/* fdatasync: a UID a client saw must survive a crash */
	if (out.len > 0 && (uidlist_write_all(fd, out.data, out.len) < 0 ||
			    fdatasync(fd) < 0)) {
		*error_r = "cannot append to the uid list";
		r = -1;
		goto out;
	}
	for (i = 0; uids_r != NULL && i < n; i++)
		uids_r[i] = e[i].uid;
	r = 1;
out:
	if (close(fd) < 0 && r == 1) {
		*error_r = "cannot append to the uid list";
		r = -1;
	}
	buf_free(&out);
	buf_reset(&ul->names); /* stays unread */
	if (r == 0) {
		ul->uidvalidity = 0;
		ul->uidnext = 1;
	}
	return r;
}

int
uidlist_add_names(struct uidlist *ul, const char *const *names, size_t n,
		  uint32_t *uids_r, const char **error_r)
{
	const char *err;
	size_t i, idx, len, first;
	bool rewrite = false;
	int r = -1;

	ul->rebuilt = false;
	for (i = 0; uids_r != NULL && i < n; i++)
		uids_r[i] = 0;
	if (uidlist_lock(ul, error_r) < 0)
		return -1;
	if (!ul->exists && ul->file_ino == 0 && ul->n == 0 &&
	    n <= UIDLIST_LIGHT_MAX_NAMES) {
		r = uidlist_add_light(ul, names, n, uids_r, error_r);
		if (r != 0) {
			uidlist_unlock(ul);
			return r < 0 ? -1 : 0;
		}
		r = -1;
	}
	if (uidlist_read(ul, &err) < 0) {
		if (errno != EINVAL) {
			*error_r = err;
			goto out;
		}
		uidlist_restart(ul); /* bad file: start over, visibly */
		ul->rebuilt = true;
		rewrite = true;
	} else if (!ul->exists) {
		uidlist_restart(ul);
		rewrite = true;
	}
	first = ul->n;
	for (i = 0; i < n; i++) {
		len = uidlist_base_len(names[i]);
		if (!uidlist_valid_base(names[i], len))
			continue;
		idx = uidlist_find(ul, names[i], len);
		if (idx != (size_t)-1) {
			/* listed meanwhile (or given twice): keep it */
			if (uids_r != NULL)
				uids_r[i] = ul->entries[idx].uid;
			continue;
		}
		if (ul->uidnext == UINT32_MAX) {
			errno = EOVERFLOW;
			*error_r = "UIDs exhausted";
			goto out;
		}
		if (uidlist_add(ul, ul->uidnext, names[i], len) < 0) {
			*error_r = "out of memory";
			goto out;
		}
		if (uids_r != NULL)
			uids_r[i] = ul->uidnext;
		ul->uidnext++;
	}
	if (rewrite)
		r = uidlist_rewrite(ul, NULL, error_r);
	else if (first < ul->n)
		r = uidlist_append(ul, first, error_r);
	else
		r = 0;
out:
	if (r < 0) {
		/* what is in memory may not be in the file: read it all
		 * next time */
		int saved = errno;

		ul->file_ino = 0;
		uidlist_unlock(ul);
		errno = saved;
		return -1;
	}
	uidlist_unlock(ul);
	/* a rewrite forgot the file identity: read our own result */
	if (ul->file_ino == 0 && uidlist_read(ul, error_r) < 0)
		return -1;
	return 0;
}
