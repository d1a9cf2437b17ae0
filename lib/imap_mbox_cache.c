/*
 * imap_mbox_cache.c -- the folder's cache file "quail-cache": small
 * values per message (ENVELOPE, BODYSTRUCTURE, internal date, the CRLF
 * size of a name without W=...) so that a large folder is not re-read on
 * every session.
 *
 * Format: the header line "QUAILCACHE1\n", then records appended one
 * write(2) each flush:
 *     <field><base length> <value length> <base name><value>\n
 * field one byte 0x21..0x7e, lengths decimal (base 1..255 bytes, a valid
 * uid list base name; value at most IMAP_MBOX_CACHE_VALUE_MAX_BYTES,
 * binary). A later record of the same base and field replaces an
 * earlier one. The first damaged or truncated record ends the read; the
 * file is then rewritten (tmp/ file + rename) at the next flush, as it
 * is when more than half of its records belong to messages that are gone
 * or were replaced, or when it would pass IMAP_MBOX_CACHE_FILE_MAX_BYTES:
 * the file never grows without bound.
 *
 * SECURITY: a hint only. Every length is checked against the bytes
 * present; values are only ever sent back to the owner of the mailbox
 * (who could write the file anyway); nothing in it decides access or
 * paths. Opened with O_NOFOLLOW; no lock (two sessions appending at once
 * at worst lose or damage a record, which ends the next read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap_mbox_int.h"

#define IMC_HEADER "QUAILCACHE1\n"
#define IMC_HEADER_LEN (sizeof(IMC_HEADER) - 1)

/* Reads up to maxdig decimal digits at p[*pos..len); -1 if none or the
 * digits run past maxdig. */
static int
imc_num(const char *p, size_t len, size_t *pos, unsigned maxdig,
	uint64_t *v_r)
{
	uint64_t v = 0;
	unsigned d = 0;

	while (*pos < len && p[*pos] >= '0' && p[*pos] <= '9') {
		if (++d > maxdig)
			return -1;
		v = v * 10 + (uint64_t)(p[*pos] - '0');
		(*pos)++;
	}
	if (d == 0)
		return -1;
	*v_r = v;
	return 0;
}

int
imap_mbox_cache_parse(const char *data, size_t len,
		      int (*cb)(void *ctx, const char *base, size_t base_len,
				char field, const char *val, size_t val_len),
		      void *ctx, size_t *good_len_r)
{
	size_t pos;

	*good_len_r = 0;
	if (len < IMC_HEADER_LEN ||
	    memcmp(data, IMC_HEADER, IMC_HEADER_LEN) != 0)
		return 0;
	pos = IMC_HEADER_LEN;
	while (pos < len) {
		size_t p = pos;
		uint64_t blen, vlen;
		char field = data[p++];

		if (field < 0x21 || field > 0x7e)
			break;
		if (imc_num(data, len, &p, 3, &blen) < 0 || blen == 0 ||
		    blen > UIDLIST_NAME_MAX_BYTES || p >= len ||
		    data[p++] != ' ')
			break;
		if (imc_num(data, len, &p, 6, &vlen) < 0 ||
		    vlen > IMAP_MBOX_CACHE_VALUE_MAX_BYTES || p >= len ||
		    data[p++] != ' ')
			break;
		if (len - p < blen + vlen + 1 || data[p + blen + vlen] != '\n')
			break;
		if (!uidlist_valid_base(data + p, (size_t)blen))
			break;
		if (cb(ctx, data + p, (size_t)blen, field,
		       data + p + blen, (size_t)vlen) < 0)
			return -1;
		pos = p + blen + vlen + 1;
		*good_len_r = pos;
	}
	*good_len_r = pos;
	return pos == len ? 1 : 0;
}

static uint64_t
imc_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *
imc_base_name(const struct imap_mbox_cache *c, const struct imc_base *b)
{
	return (b->in_pend ? c->pend.data : c->fdata) + b->off;
}

uint32_t
imc_find(const struct imap_mbox_cache *c, const char *base, size_t len)
{
	uint64_t h;
	size_t i, mask;

	if (c->hash_cap == 0)
		return IMC_NONE;
	h = imc_hash(base, len);
	mask = c->hash_cap - 1;
	for (i = (size_t)h & mask; c->hash[i] != 0; i = (i + 1) & mask) {
		const struct imc_base *b = &c->bases[c->hash[i] - 1];

		if (b->hash == h && b->len == len &&
		    memcmp(imc_base_name(c, b), base, len) == 0)
			return c->hash[i] - 1;
	}
	return IMC_NONE;
}

static int
imc_grow_hash(struct imap_mbox_cache *c)
{
	size_t ncap = c->hash_cap == 0 ? 1024 : c->hash_cap * 2, i, j;
	uint32_t *nh;

	if (c->n_bases * 2 < c->hash_cap)
		return 0;
	nh = calloc(ncap, sizeof(*nh));
	if (nh == NULL)
		return -1;
	for (i = 0; i < c->n_bases; i++) {
		for (j = (size_t)c->bases[i].hash & (ncap - 1); nh[j] != 0;
		     j = (j + 1) & (ncap - 1))
			;
		nh[j] = (uint32_t)i + 1;
	}
	free(c->hash);
	c->hash = nh;
	c->hash_cap = ncap;
	return 0;
}

/* The base record of base (off/in_pend: where the name is), created if
 * missing. IMC_NONE on ENOMEM. */
static uint32_t
imc_base_get(struct imap_mbox_cache *c, const char *base, size_t len,
	     size_t off, bool in_pend)
{
	uint32_t b = imc_find(c, base, len);
	struct imc_base *nb;
	size_t j;

	if (b != IMC_NONE)
		return b;
	if (c->n_bases >= IMC_NONE - 1 || imc_grow_hash(c) < 0)
		return IMC_NONE;
	if (c->n_bases == c->cap_bases) {
		size_t ncap = c->cap_bases == 0 ? 256 : c->cap_bases * 2;

		nb = realloc(c->bases, ncap * sizeof(*nb));
		if (nb == NULL)
			return IMC_NONE;
		c->bases = nb;
		c->cap_bases = ncap;
	}
	nb = &c->bases[c->n_bases];
	nb->off = off;
	nb->len = (uint32_t)len;
	nb->first = IMC_NONE;
	nb->hash = imc_hash(base, len);
	nb->in_pend = in_pend;
	nb->live = false;
	for (j = (size_t)nb->hash & (c->hash_cap - 1); c->hash[j] != 0;
	     j = (j + 1) & (c->hash_cap - 1))
		;
	c->hash[j] = (uint32_t)c->n_bases + 1;
	return (uint32_t)c->n_bases++;
}

/* Sets field of base record b to the value at off (in_pend). 0 / -1. */
static int
imc_set(struct imap_mbox_cache *c, uint32_t b, char field, size_t off,
	size_t len, bool in_pend, bool unsaved)
{
	struct imc_ent *e;
	uint32_t k;

	for (k = c->bases[b].first; k != IMC_NONE; k = c->ents[k].next) {
		if (c->ents[k].field == field)
			break;
	}
	if (k == IMC_NONE) {
		if (c->n_ents >= IMC_NONE - 1)
			return -1;
		if (c->n_ents == c->cap_ents) {
			size_t ncap = c->cap_ents == 0 ? 256 : c->cap_ents * 2;

			e = realloc(c->ents, ncap * sizeof(*e));
			if (e == NULL)
				return -1;
			c->ents = e;
			c->cap_ents = ncap;
		}
		k = (uint32_t)c->n_ents++;
		c->ents[k].next = c->bases[b].first;
		c->ents[k].unsaved = false;
		c->bases[b].first = k;
	}
	e = &c->ents[k];
	e->field = field;
	e->off = off;
	e->len = (uint32_t)len;
	e->in_pend = in_pend;
	if (unsaved && !e->unsaved)
		c->n_unsaved++;
	else if (!unsaved && e->unsaved)
		c->n_unsaved--;
	e->unsaved = unsaved;
	return 0;
}

static int
imc_load_cb(void *ctx, const char *base, size_t base_len, char field,
	    const char *val, size_t val_len)
{
	struct imap_mbox_cache *c = ctx;
	uint32_t b = imc_base_get(c, base, base_len,
				  (size_t)(base - c->fdata), false);

	c->n_records++;
	if (b == IMC_NONE ||
	    imc_set(c, b, field, (size_t)(val - c->fdata), val_len, false,
		    false) < 0)
		return -1;
	return 0;
}

void
imc_free(struct imap_mbox_cache *c)
{
	free(c->fdata);
	buf_free(&c->pend);
	free(c->bases);
	free(c->ents);
	free(c->hash);
	memset(c, 0, sizeof(*c));
}

int
imc_load(struct imap_mbox_cache *c, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	size_t good;
	int r;

	if (c->loaded)
		return 0;
	memset(c, 0, sizeof(*c));
	buf_init(&c->pend, 0);
	c->loaded = true;
	if (imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_CACHE_FILE) < 0)
		return 0;
	r = imb_read_file(path, IMAP_MBOX_CACHE_FILE_MAX_BYTES, &c->fdata,
			  &c->flen, &st);
	if (r < 0 && errno == ENOMEM)
		return -1;
	if (r <= 0) {
		/* missing, unreadable or too large: start empty */
		c->rewrite = r < 0;
		return 0;
	}
	r = imap_mbox_cache_parse(c->fdata, c->flen, imc_load_cb, c, &good);
	if (r < 0) {
		imc_free(c);
		errno = ENOMEM;
		return -1;
	}
	if (r == 0)
		c->rewrite = true; /* damaged: the rest is ignored */
	return 0;
}

int
imc_get(struct imap_mbox_cache *c, uint32_t b, char field,
	const char **val_r, size_t *len_r)
{
	uint32_t k;

	if (b >= c->n_bases)
		return 0;
	for (k = c->bases[b].first; k != IMC_NONE; k = c->ents[k].next) {
		const struct imc_ent *e = &c->ents[k];

		if (e->field != field)
			continue;
		*val_r = (e->in_pend ? c->pend.data : c->fdata) + e->off;
		*len_r = e->len;
		return 1;
	}
	return 0;
}

int
imc_put(struct imap_mbox_cache *c, const char *base, size_t base_len,
	char field, const char *val, size_t len, uint32_t *b_r)
{
	uint32_t b;
	size_t boff, voff;

	if (len > IMAP_MBOX_CACHE_VALUE_MAX_BYTES ||
	    !uidlist_valid_base(base, base_len) || field < 0x21 || field > 0x7e)
		return 0; /* not cacheable: ignored */
	b = imc_find(c, base, base_len);
	if (b == IMC_NONE) {
		boff = c->pend.len;
		if (buf_append(&c->pend, base, base_len) < 0 ||
		    buf_putc(&c->pend, '\0') < 0)
			return -1;
		b = imc_base_get(c, c->pend.data + boff, base_len, boff, true);
		if (b == IMC_NONE) {
			errno = ENOMEM;
			return -1;
		}
	}
	voff = c->pend.len;
	if (buf_append(&c->pend, val, len) < 0 || buf_putc(&c->pend, '\0') < 0)
		return -1;
	if (imc_set(c, b, field, voff, len, true, true) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (b_r != NULL)
		*b_r = b;
	return 0;
}

/* Appends the record of entry k of base b to out. */
static int
imc_put_record(const struct imap_mbox_cache *c, const struct imc_base *b,
	       const struct imc_ent *e, struct buf *out)
{
	const char *val = (e->in_pend ? c->pend.data : c->fdata) + e->off;

	if (buf_printf(out, "%c%u %u ", e->field, (unsigned)b->len,
		       (unsigned)e->len) < 0 ||
	    buf_append(out, imc_base_name(c, b), b->len) < 0 ||
	    buf_append(out, val, e->len) < 0 || buf_putc(out, '\n') < 0)
		return -1;
	return 0;
}

/* Rewrites the file with the live bases only. 0 / -1. */
static int
imc_rewrite(struct imap_mbox_cache *c, const char *dir, struct buf *out,
	    const char **error_r)
{
	char tmp[PATH_MAX], path[PATH_MAX], uniq[300];
	size_t i, records = 0;
	int fd, saved;

	if (buf_append(out, IMC_HEADER, IMC_HEADER_LEN) < 0)
		goto nomem;
	for (i = 0; i < c->n_bases; i++) {
		const struct imc_base *b = &c->bases[i];
		uint32_t k;

		if (!b->live)
			continue;
		for (k = b->first; k != IMC_NONE; k = c->ents[k].next) {
			size_t before = out->len;

			if (imc_put_record(c, b, &c->ents[k], out) < 0)
				goto nomem;
			if (out->len > IMAP_MBOX_CACHE_FILE_MAX_BYTES) {
				out->len = before; /* full: keep the rest out */
				break;
			}
			records++;
		}
	}
	if (imb_unique(uniq, sizeof(uniq)) < 0 ||
	    imb_path(tmp, sizeof(tmp), dir, "tmp", uniq) < 0 ||
	    imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_CACHE_FILE) < 0) {
		errno = ENAMETOOLONG;
		*error_r = "folder path too long";
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		*error_r = "cannot create the cache file";
		return -1;
	}
	/* no fsync: a cache lost in a crash is rebuilt */
	if (imb_write_all(fd, out->data, out->len) < 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		goto fail;
	}
	for (i = 0; i < c->n_ents; i++)
		c->ents[i].unsaved = false;
	c->n_unsaved = 0;
	c->n_records = records;
	c->rewrite = false;
	return 0;
fail:
	unlink(tmp);
	errno = saved;
	*error_r = "cannot write the cache file";
	return -1;
nomem:
	errno = ENOMEM;
	*error_r = "out of memory";
	return -1;
}

/* Appends the unsaved entries (one write). 0 / -1. */
static int
imc_append(struct imap_mbox_cache *c, const char *dir, struct buf *out,
	   const char **error_r)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i, records = 0;
	int fd;

	if (imb_path(path, sizeof(path), dir, NULL, IMAP_MBOX_CACHE_FILE) < 0) {
		errno = ENAMETOOLONG;
		*error_r = "folder path too long";
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		*error_r = "cannot open the cache file";
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		*error_r = "the cache file is not a file";
		return -1;
	}
	if (st.st_size == 0 && buf_append(out, IMC_HEADER, IMC_HEADER_LEN) < 0)
		goto nomem;
	for (i = 0; i < c->n_bases; i++) {
		const struct imc_base *b = &c->bases[i];
		uint32_t k;

		for (k = b->first; k != IMC_NONE; k = c->ents[k].next) {
			if (!c->ents[k].unsaved)
				continue;
			if (imc_put_record(c, b, &c->ents[k], out) < 0)
				goto nomem;
			records++;
		}
	}
	if ((uint64_t)st.st_size + out->len > IMAP_MBOX_CACHE_FILE_MAX_BYTES) {
		close(fd);
		errno = EFBIG;
		*error_r = "the cache file is full";
		return -1;
	}
	if (imb_write_all(fd, out->data, out->len) < 0) {
		close(fd);
		*error_r = "cannot write the cache file";
		return -1;
	}
	if (close(fd) < 0) {
		*error_r = "cannot write the cache file";
		return -1;
	}
	for (i = 0; i < c->n_ents; i++)
		c->ents[i].unsaved = false;
	c->n_unsaved = 0;
	c->n_records += records;
	return 0;
nomem:
	close(fd);
	errno = ENOMEM;
	*error_r = "out of memory";
	return -1;
}

int
imc_flush(struct imap_mbox_cache *c, const char *dir, const char *const *live,
	  size_t n_live, const char **error_r)
{
	struct buf out;
	size_t i, live_ents = 0;
	int r;

	if (!c->loaded || (c->n_unsaved == 0 && !c->rewrite))
		return 0;
	for (i = 0; i < c->n_bases; i++)
		c->bases[i].live = false;
	for (i = 0; i < n_live; i++) {
		size_t len = uidlist_base_len(live[i]);
		uint32_t b = imc_find(c, live[i], len), k;

		if (b == IMC_NONE || c->bases[b].live)
			continue;
		c->bases[b].live = true;
		for (k = c->bases[b].first; k != IMC_NONE; k = c->ents[k].next)
			live_ents++;
	}
	buf_init(&out, 0);
	/* records in the file after an append: old ones plus the unsaved */
	if (c->rewrite || (c->n_records + c->n_unsaved) > 2 * live_ents) {
		r = imc_rewrite(c, dir, &out, error_r);
	} else {
		r = imc_append(c, dir, &out, error_r);
		if (r < 0 && errno == EFBIG) {
			buf_reset(&out);
			r = imc_rewrite(c, dir, &out, error_r);
		}
	}
	buf_free(&out);
	if (r < 0) {
		/* a hint: give up writing these rather than retry after
		 * every command (they stay in memory) */
		for (i = 0; i < c->n_ents; i++)
			c->ents[i].unsaved = false;
		c->n_unsaved = 0;
		c->rewrite = false;
	}
	return r;
}
