/*
 * imap_seqset.h -- IMAP sequence sets (RFC 3501 9 "sequence-set", 6.4.8
 * for UIDs): "1:*", "3,5:7,9:*", "*:4", "7:5".
 *
 * imap_seqset_parse() keeps the ranges as sent, with '*' as
 * IMAP_SEQ_STAR; imap_seqset_resolve() replaces '*' by the largest number
 * in use, orders each range, then sorts and merges them, after which
 * contains(), count() and the iterator work. A reversed range means the
 * same as its reverse (RFC 3501 9: "4:2" is 2,3,4), so "200:*" on a
 * mailbox whose largest UID is 100 is 100:200.
 *
 * Memory: a set owns its range array; imap_seqset_free() releases it.
 * Return convention: 0 ok, -1 error (*error_r static, or errno ENOMEM).
 */
#ifndef QUAIL_IMAP_SEQSET_H
#define QUAIL_IMAP_SEQSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* '*' before resolution (0 is never a valid nz-number). */
#define IMAP_SEQ_STAR 0u

struct imap_seq_range {
	uint32_t lo, hi; /* as sent until resolved; then 1 <= lo <= hi */
};

struct imap_seqset {
	struct imap_seq_range *ranges;
	size_t n, cap;
	bool resolved; /* sorted, merged, no '*' */
};

#define IMAP_SEQSET_INIT          \
	{                         \
		NULL, 0, 0, false \
	}

/* Parses s[0..len) into *set (initialised here; free it even on error).
 * Numbers are nz-number: no 0, no leading zeros, at most 4294967295. */
int imap_seqset_parse(const char *s, size_t len, struct imap_seqset *set,
		      const char **error_r);

/* Appends the range lo:hi (either may be IMAP_SEQ_STAR); clears resolved. */
int imap_seqset_add(struct imap_seqset *set, uint32_t lo, uint32_t hi);

/* Replaces '*' by star (the message count, or the largest UID; 0 for an
 * empty mailbox, when ranges that are only '*' vanish and "n:*" means
 * 1:n), orders, sorts and merges, in place. */
void imap_seqset_resolve(struct imap_seqset *set, uint32_t star);

/* Resolved sets only (false otherwise). */
bool imap_seqset_contains(const struct imap_seqset *set, uint32_t n);
/* Number of members of a resolved set (0 otherwise). */
uint64_t imap_seqset_count(const struct imap_seqset *set);
/* Largest member of a resolved set, 0 if empty. */
uint32_t imap_seqset_max(const struct imap_seqset *set);

/* Iteration over a resolved set, ascending:
 *   struct imap_seqset_iter it; uint32_t n;
 *   imap_seqset_iter_init(&it, set);
 *   while (imap_seqset_iter_next(&it, &n)) ... */
struct imap_seqset_iter {
	const struct imap_seqset *set;
	size_t range;
	uint64_t next; /* 64-bit so that 4294967295 ends cleanly */
};
void imap_seqset_iter_init(struct imap_seqset_iter *it,
			   const struct imap_seqset *set);
bool imap_seqset_iter_next(struct imap_seqset_iter *it, uint32_t *n_r);

/* Appends "a", "a:b" and "*" elements joined by "," (the form parse()
 * reads; resolved sets give the canonical ascending form). -1 ENOMEM /
 * E2BIG from buf, or EINVAL for an empty set. */
int imap_seqset_format(const struct imap_seqset *set, struct buf *out);

void imap_seqset_free(struct imap_seqset *set);

#endif
