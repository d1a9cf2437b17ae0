/*
 * imap_seqset.c -- IMAP sequence sets (RFC 3501 9 sequence-set, seq-range,
 * seq-number, nz-number; 6.4.8 UID ranges). See imap_seqset.h.
 *
 * SECURITY: the text is client input. Numbers are checked digit by digit
 * against 4294967295 before use; the range array grows overflow-checked
 * and is bounded by the input length (one range needs at least one byte);
 * resolution sorts in place and never allocates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "imap_seqset.h"

void
imap_seqset_free(struct imap_seqset *set)
{
	free(set->ranges);
	set->ranges = NULL;
	set->n = set->cap = 0;
	set->resolved = false;
}

int
imap_seqset_add(struct imap_seqset *set, uint32_t lo, uint32_t hi)
{
	struct imap_seq_range *nr;
	size_t ncap;

	if (set->n == set->cap) {
		ncap = set->cap ? set->cap * 2 : 8;
		if (ncap > SIZE_MAX / sizeof(*nr)) {
			errno = ENOMEM;
			return -1;
		}
		nr = realloc(set->ranges, ncap * sizeof(*nr));
		if (nr == NULL)
			return -1;
		set->ranges = nr;
		set->cap = ncap;
	}
	set->ranges[set->n].lo = lo;
	set->ranges[set->n].hi = hi;
	set->n++;
	set->resolved = false;
	return 0;
}

/* seq-number = nz-number / "*" at s[*i]; advances *i. */
static int
imap_seq_number(const char *s, size_t len, size_t *i, uint32_t *r,
		const char **error_r)
{
	uint64_t v = 0;

	if (*i < len && s[*i] == '*') {
		(*i)++;
		*r = IMAP_SEQ_STAR;
		return 0;
	}
	if (*i >= len || s[*i] < '1' || s[*i] > '9') {
		*error_r = *i < len && s[*i] == '0' ? "Invalid sequence number "
						      "0 or leading zero"
						    : "Invalid sequence set";
		return -1;
	}
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (uint64_t)(s[*i] - '0');
		if (v > UINT32_MAX) {
			*error_r = "Sequence number too large";
			return -1;
		}
		(*i)++;
	}
	*r = (uint32_t)v;
	return 0;
}

int
imap_seqset_parse(const char *s, size_t len, struct imap_seqset *set,
		  const char **error_r)
{
	size_t i = 0;
	uint32_t lo, hi;

	set->ranges = NULL;
	set->n = set->cap = 0;
	set->resolved = false;
	for (;;) {
		if (imap_seq_number(s, len, &i, &lo, error_r) < 0)
			return -1;
		hi = lo;
		if (i < len && s[i] == ':') {
			i++;
			if (imap_seq_number(s, len, &i, &hi, error_r) < 0)
				return -1;
		}
		if (imap_seqset_add(set, lo, hi) < 0) {
			*error_r = "Out of memory";
			return -1;
		}
		if (i == len)
			return 0;
		if (s[i] != ',') {
			*error_r = "Invalid sequence set";
			return -1;
		}
		i++;
	}
}

static int
imap_seq_range_cmp(const void *a, const void *b)
{
	const struct imap_seq_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

void
imap_seqset_resolve(struct imap_seqset *set, uint32_t star)
{
	size_t i, out = 0;

	for (i = 0; i < set->n; i++) {
		uint32_t lo = set->ranges[i].lo, hi = set->ranges[i].hi, t;

		if (lo == IMAP_SEQ_STAR)
			lo = star;
		if (hi == IMAP_SEQ_STAR)
			hi = star;
		if (lo > hi) {
			t = lo;
			lo = hi;
			hi = t;
		}
		if (hi == 0)
			continue; /* only '*' in an empty mailbox */
		if (lo == 0)
			lo = 1;
		set->ranges[out].lo = lo;
		set->ranges[out].hi = hi;
		out++;
	}
	set->n = out;
	if (set->n > 1)
		qsort(set->ranges, set->n, sizeof(*set->ranges),
		      imap_seq_range_cmp);
	/* merge overlapping and adjacent ranges; hi + 1 computed in 64 bits */
	out = 0;
	for (i = 0; i < set->n; i++) {
		if (out > 0 && (uint64_t)set->ranges[i].lo <=
				       (uint64_t)set->ranges[out - 1].hi + 1) {
			if (set->ranges[i].hi > set->ranges[out - 1].hi)
				set->ranges[out - 1].hi = set->ranges[i].hi;
			continue;
		}
		set->ranges[out++] = set->ranges[i];
	}
	set->n = out;
	set->resolved = true;
}

bool
imap_seqset_contains(const struct imap_seqset *set, uint32_t n)
{
	size_t lo = 0, hi;

	if (!set->resolved)
		return false;
	hi = set->n;
	while (lo < hi) { /* binary search over sorted disjoint ranges */
		size_t mid = lo + (hi - lo) / 2;

		if (n < set->ranges[mid].lo)
			hi = mid;
		else if (n > set->ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

uint64_t
imap_seqset_count(const struct imap_seqset *set)
{
	uint64_t total = 0;
	size_t i;

	if (!set->resolved)
		return 0;
	for (i = 0; i < set->n; i++)
		total += (uint64_t)set->ranges[i].hi - set->ranges[i].lo + 1;
	return total;
}

uint32_t
imap_seqset_max(const struct imap_seqset *set)
{
	if (!set->resolved || set->n == 0)
		return 0;
	return set->ranges[set->n - 1].hi;
}

void
imap_seqset_iter_init(struct imap_seqset_iter *it,
		      const struct imap_seqset *set)
{
	it->set = set;
	it->range = 0;
	it->next = set->resolved && set->n > 0 ? set->ranges[0].lo : 0;
}

bool
imap_seqset_iter_next(struct imap_seqset_iter *it, uint32_t *n_r)
{
	const struct imap_seqset *set = it->set;

	if (!set->resolved || it->range >= set->n)
		return false;
	*n_r = (uint32_t)it->next;
	if (it->next >= set->ranges[it->range].hi) {
		it->range++;
		if (it->range < set->n)
			it->next = set->ranges[it->range].lo;
	} else {
		it->next++;
	}
	return true;
}

static int
imap_seq_format_number(struct buf *out, uint32_t n)
{
	if (n == IMAP_SEQ_STAR)
		return buf_putc(out, '*');
	return buf_printf(out, "%lu", (unsigned long)n);
}

int
imap_seqset_format(const struct imap_seqset *set, struct buf *out)
{
	size_t i;

	if (set->n == 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < set->n; i++) {
		const struct imap_seq_range *r = &set->ranges[i];

		if ((i > 0 && buf_putc(out, ',') < 0) ||
		    imap_seq_format_number(out, r->lo) < 0)
			return -1;
		if (r->hi != r->lo && (buf_putc(out, ':') < 0 ||
				       imap_seq_format_number(out, r->hi) < 0))
			return -1;
	}
	return 0;
}
