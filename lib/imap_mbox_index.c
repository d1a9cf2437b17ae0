/*
 * imap_mbox_index.c -- the index snapshot file "quail-index" of a folder
 * (imap_mbox.h): its parser and its builder, both pure. When it is read
 * and written is lib/imap_mbox.c's (imb_index_load, imb_index_save).
 *
 * Layout (host byte order; the byte-order mark makes a file from another
 * machine fail the check): IMAP_MBOX_INDEX_HEAD_BYTES of header
 *     0  "quailidx"            magic
 *     8  u32 version           IMAP_MBOX_INDEX_VERSION
 *    12  u32 0x01020304        byte-order mark
 *    16  u64 checksum          of the bytes from offset 24 to the end
 *    24  u64 length            of the whole file
 *    32  u32 uidvalidity, u32 uidnext, u32 n, u32 ul_n
 *    48  u64 dev, new_ino, cur_ino; i64 new sec, nsec, cur sec, nsec
 *   104  u64 ul_dev, ul_ino, ul_size; i64 ul sec, nsec
 *   144  i64 written_ns, 8 bytes zero
 * then n records, each a multiple of 8 bytes:
 *     u32 uid, u32 flags, u32 keywords, u8 in_cur, u8 0, u16 name_len,
 *     u64 vsize, name_len bytes of name, NUL, zero padding to 8.
 * The checksum is a 64-bit multiply-xorshift hash in four lanes over
 * 8-byte words (a damaged or truncated file, not an attacker: the folder
 * is the user's own, written by the user's sessions only; it only has to
 * be fast on 10 MB).
 *
 * SECURITY: the file is read from the user's folder and may be anything:
 * every length is checked against the data before use, counts are
 * bounded by the data length, names must be NUL-terminated where their
 * length says, without '/' and not starting with '.' (they become paths
 * inside the folder: never "..", never another directory), and a file
 * that fails any check is ignored as a whole. The full Maildir syntax of
 * the names is not checked again here (it was when they were listed);
 * a name that is not one is a file the session cannot find, as after a
 * rename by another process.
 */
#include <errno.h>
#include <string.h>

#include "imap_mbox.h"
#include "maildir_list.h"

#define IMX_MAGIC "quailidx"
#define IMX_BOM 0x01020304u
/* Fixed part of a record (before the name). */
#define IMX_REC_BYTES 24
/* Longest name of a record (a file name). */
#define IMX_NAME_MAX_BYTES 255
#define IMX_OFF_CHECKSUM 16
#define IMX_OFF_SUMMED 24

static uint64_t
imx_rd64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
imx_rd32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t
imx_rd16(const char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
imx_wr64(char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
imx_wr32(char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* One step of a checksum lane. */
static inline uint64_t
imx_mix(uint64_t h, const char *p)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	h = (h ^ w) * k;
	return h ^ (h >> 29);
}

/* The checksum of p[0..len) (len a multiple of 8): four lanes over
 * interleaved words, so that the multiplications of one lane do not wait
 * for the others' (about four times faster than one chain on 7 MB). */
static uint64_t
imx_sum(const char *p, size_t len)
{
	uint64_t h0 = 0x243F6A8885A308D3ULL ^ len, h1 = 0x13198A2E03707344ULL,
		 h2 = 0xA4093822299F31D0ULL, h3 = 0x082EFA98EC4E6C89ULL;
	size_t i;

	for (i = 0; i + 32 <= len; i += 32) {
		h0 = imx_mix(h0, p + i);
		h1 = imx_mix(h1, p + i + 8);
		h2 = imx_mix(h2, p + i + 16);
		h3 = imx_mix(h3, p + i + 24);
	}
	for (; i + 8 <= len; i += 8)
		h0 = imx_mix(h0, p + i);
	h0 = imx_mix(h0 ^ h1, (const char *)&h2);
	return imx_mix(h0, (const char *)&h3);
}

static void
imx_rd_ts(const char *p, struct timespec *t)
{
	t->tv_sec = (time_t)(int64_t)imx_rd64(p);
	t->tv_nsec = (long)(int64_t)imx_rd64(p + 8);
}

static void
imx_wr_ts(char *p, const struct timespec *t)
{
	imx_wr64(p, (uint64_t)(int64_t)t->tv_sec);
	imx_wr64(p + 8, (uint64_t)(int64_t)t->tv_nsec);
}

int
imap_mbox_index_parse(const char *data, size_t len,
		      struct imap_mbox_index_head *h,
		      struct imap_mbox_msg *msgs)
{
	size_t off, i;
	uint32_t prev = 0;

	memset(h, 0, sizeof(*h));
	if (len < IMAP_MBOX_INDEX_HEAD_BYTES || len % 8 != 0 ||
	    memcmp(data, IMX_MAGIC, 8) != 0 ||
	    imx_rd32(data + 8) != IMAP_MBOX_INDEX_VERSION ||
	    imx_rd32(data + 12) != IMX_BOM || imx_rd64(data + 24) != len)
		goto bad;
	h->uidvalidity = imx_rd32(data + 32);
	h->uidnext = imx_rd32(data + 36);
	h->n = imx_rd32(data + 40);
	h->ul_n = imx_rd32(data + 44);
	h->dev = imx_rd64(data + 48);
	h->new_ino = imx_rd64(data + 56);
	h->cur_ino = imx_rd64(data + 64);
	imx_rd_ts(data + 72, &h->new_mtime);
	imx_rd_ts(data + 88, &h->cur_mtime);
	h->ul_dev = imx_rd64(data + 104);
	h->ul_ino = imx_rd64(data + 112);
	h->ul_size = imx_rd64(data + 120);
	imx_rd_ts(data + 128, &h->ul_mtime);
	h->written_ns = (int64_t)imx_rd64(data + 144);
	/* every record takes at least 32 bytes */
	if (h->uidvalidity == 0 || h->uidnext == 0 ||
	    h->n > (len - IMAP_MBOX_INDEX_HEAD_BYTES) / (IMX_REC_BYTES + 8) ||
	    h->n > MAILDIR_LIST_MAX_MSGS)
		goto bad;
	if (msgs == NULL)
		return 0;
	if (imx_rd64(data + IMX_OFF_CHECKSUM) !=
	    imx_sum(data + IMX_OFF_SUMMED, len - IMX_OFF_SUMMED))
		goto bad;
	off = IMAP_MBOX_INDEX_HEAD_BYTES;
	for (i = 0; i < h->n; i++) {
		struct imap_mbox_msg *m = &msgs[i];
		const char *r = data + off, *name;
		size_t nlen, rlen;
		uint8_t in_cur;

		if (len - off < IMX_REC_BYTES)
			goto bad;
		m->uid = imx_rd32(r);
		m->flags = imx_rd32(r + 4) & IMAP_MBOX_STORED_FLAGS;
		m->keywords = imx_rd32(r + 8);
		in_cur = (uint8_t)r[12];
		nlen = imx_rd16(r + 14);
		m->vsize = imx_rd64(r + 16);
		rlen = (IMX_REC_BYTES + nlen + 1 + 7) & ~(size_t)7;
		if (m->uid <= prev || m->uid >= h->uidnext || in_cur > 1 ||
		    nlen == 0 || nlen > IMX_NAME_MAX_BYTES ||
		    m->vsize > MAILDIR_LIST_SIZE_MAX || len - off < rlen)
			goto bad;
		/* what makes a name safe as a path in the folder (a NUL
		 * inside would only shorten it); the rest of its syntax was
		 * checked by the listing that found it before the builder
		 * wrote it (and the checksum covers damage) */
		name = r + IMX_REC_BYTES;
		if (name[0] == '.' || name[nlen] != '\0' ||
		    memchr(name, '/', nlen) != NULL)
			goto bad;
		m->name = name;
		m->in_cur = in_cur == 1;
		prev = m->uid;
		off += rlen;
	}
	if (off != len)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
imap_mbox_index_build(const struct imap_mbox_index_head *h,
		      const struct imap_mbox_msg *msgs, struct buf *out)
{
	size_t start = out->len, i, total = IMAP_MBOX_INDEX_HEAD_BYTES;
	char *p;

	for (i = 0; i < h->n; i++)
		total += (IMX_REC_BYTES + strlen(msgs[i].name) + 1 + 7) &
			 ~(size_t)7;
	if (buf_reserve(out, total) < 0)
		return -1;
	p = out->data + start;
	memset(p, 0, total);
	memcpy(p, IMX_MAGIC, 8);
	imx_wr32(p + 8, IMAP_MBOX_INDEX_VERSION);
	imx_wr32(p + 12, IMX_BOM);
	imx_wr64(p + 24, total);
	imx_wr32(p + 32, h->uidvalidity);
	imx_wr32(p + 36, h->uidnext);
	imx_wr32(p + 40, h->n);
	imx_wr32(p + 44, h->ul_n);
	imx_wr64(p + 48, h->dev);
	imx_wr64(p + 56, h->new_ino);
	imx_wr64(p + 64, h->cur_ino);
	imx_wr_ts(p + 72, &h->new_mtime);
	imx_wr_ts(p + 88, &h->cur_mtime);
	imx_wr64(p + 104, h->ul_dev);
	imx_wr64(p + 112, h->ul_ino);
	imx_wr64(p + 120, h->ul_size);
	imx_wr_ts(p + 128, &h->ul_mtime);
	imx_wr64(p + 144, (uint64_t)h->written_ns);
	for (i = 0, total = IMAP_MBOX_INDEX_HEAD_BYTES; i < h->n; i++) {
		const struct imap_mbox_msg *m = &msgs[i];
		size_t nlen = strlen(m->name);
		char *r = p + total;

		imx_wr32(r, m->uid);
		imx_wr32(r + 4, m->flags & IMAP_MBOX_STORED_FLAGS);
		imx_wr32(r + 8, m->keywords);
		r[12] = m->in_cur ? 1 : 0;
		memcpy(r + 14, &(uint16_t){ (uint16_t)nlen }, 2);
		imx_wr64(r + 16, m->vsize);
		memcpy(r + IMX_REC_BYTES, m->name, nlen);
		total += (IMX_REC_BYTES + nlen + 1 + 7) & ~(size_t)7;
	}
	imx_wr64(p + IMX_OFF_CHECKSUM,
		 imx_sum(p + IMX_OFF_SUMMED, total - IMX_OFF_SUMMED));
	out->len = start + total;
	return 0;
}
