/*
 * fuzz_imap_index.c -- libFuzzer target for the parser of the index
 * snapshot "quail-index" of lib/imap_mbox (imap_mbox_index_parse). The
 * input is a file's content. Checks: the header parse bounds the message
 * count by the input length (the room the caller allocates); a full
 * parse that succeeds gives names inside the input, NUL-terminated, with
 * a valid base and no '/', UIDs ascending below uidnext, only stored
 * flags; and building a file from the result and parsing it again gives
 * the same messages. The first bytes of an input that fails the checksum
 * are also tried with the checksum fixed (by rebuilding), so that the
 * record checks are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_mbox.h"
#include "uidlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *d, size_t len, const struct imap_mbox_index_head *h,
      const struct imap_mbox_msg *m)
{
	uint32_t i;

	for (i = 0; i < h->n; i++) {
		size_t nlen = strlen(m[i].name);

		if (m[i].name < d || m[i].name + nlen >= d + len ||
		    nlen == 0 || memchr(m[i].name, '/', nlen) != NULL ||
		    !uidlist_valid_base(m[i].name,
					uidlist_base_len(m[i].name)) ||
		    m[i].uid == 0 || m[i].uid >= h->uidnext ||
		    (i > 0 && m[i].uid <= m[i - 1].uid) ||
		    (m[i].flags & ~IMAP_MBOX_STORED_FLAGS) != 0)
			abort();
	}
}

static void
one(const char *d, size_t len)
{
	struct imap_mbox_index_head h, h2;
	struct imap_mbox_msg *m, *m2;
	struct buf b;
	uint32_t i;

	if (imap_mbox_index_parse(d, len, &h, NULL) < 0)
		return;
	if (h.n > len / 24)
		abort();
	m = calloc((size_t)h.n + 1, sizeof(*m));
	if (m == NULL)
		return;
	if (imap_mbox_index_parse(d, len, &h, m) == 0) {
		check(d, len, &h, m);
		buf_init(&b, 0);
		if (imap_mbox_index_build(&h, m, &b) == 0) {
			m2 = calloc((size_t)h.n + 1, sizeof(*m2));
			if (m2 != NULL) {
				if (imap_mbox_index_parse(b.data, b.len, &h2,
							  m2) < 0 ||
				    h2.n != h.n)
					abort();
				for (i = 0; i < h.n; i++) {
					if (m2[i].uid != m[i].uid ||
					    strcmp(m2[i].name, m[i].name) != 0 ||
					    m2[i].vsize != m[i].vsize)
						abort();
				}
				free(m2);
			}
		}
		buf_free(&b);
	}
	free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *d = malloc(size + 1);
	struct imap_mbox_index_head h;

	if (d == NULL)
		return 0;
	memcpy(d, data, size);
	d[size] = '\0';
	one(d, size);
	/* the same with a correct checksum: reach the record checks */
	if (size >= IMAP_MBOX_INDEX_HEAD_BYTES &&
	    imap_mbox_index_parse(d, size, &h, NULL) == 0) {
		uint64_t sum = 0x243F6A8885A308D3ULL ^ size, w;
		size_t i;

		for (i = 24; i + 8 <= size; i += 8) {
			memcpy(&w, d + i, sizeof(w));
			sum = (sum ^ w) * 0x9E3779B97F4A7C15ULL;
			sum ^= sum >> 29;
		}
		memcpy(d + 16, &sum, sizeof(sum));
		one(d, size);
	}
	free(d);
	return 0;
}
