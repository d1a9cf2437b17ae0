/*
 * fuzz_imap_seqset.c -- libFuzzer target for lib/imap_seqset.c. The first
 * four bytes are the value of "*", the rest a sequence set. Checks:
 * format(parse(x)) parses back to the same ranges; a resolved set is
 * sorted, disjoint, non-adjacent, within 1..max(star, largest number);
 * count agrees with the ranges and, for small sets, with iteration and
 * contains().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_seqset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_seqset set, again;
	struct imap_seqset_iter it;
	const char *error = NULL;
	uint64_t count, seen = 0;
	uint32_t star, n, prev = 0;
	struct buf b;
	size_t i;

	if (size < 4)
		return 0;
	star = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	       (uint32_t)data[2] << 8 | data[3];
	if (imap_seqset_parse((const char *)data + 4, size - 4, &set, &error) <
	    0) {
		if (error == NULL)
			abort();
		imap_seqset_free(&set);
		return 0;
	}
	if (set.n == 0)
		abort();
	buf_init(&b, 0);
	if (imap_seqset_format(&set, &b) < 0 ||
	    imap_seqset_parse(b.data, b.len, &again, &error) < 0 ||
	    again.n != set.n ||
	    memcmp(again.ranges, set.ranges, set.n * sizeof(*set.ranges)) != 0)
		abort();
	imap_seqset_free(&again);
	imap_seqset_resolve(&set, star);
	count = 0;
	for (i = 0; i < set.n; i++) {
		if (set.ranges[i].lo == 0 ||
		    set.ranges[i].lo > set.ranges[i].hi)
			abort();
		if (i > 0 &&
		    (uint64_t)set.ranges[i - 1].hi + 1 >= set.ranges[i].lo)
			abort();
		count += (uint64_t)set.ranges[i].hi - set.ranges[i].lo + 1;
	}
	if (count != imap_seqset_count(&set))
		abort();
	if (count <= 100000) {
		imap_seqset_iter_init(&it, &set);
		while (imap_seqset_iter_next(&it, &n)) {
			if ((seen > 0 && n <= prev) ||
			    !imap_seqset_contains(&set, n))
				abort();
			if (n > 1 && n - 1 != prev &&
			    imap_seqset_contains(&set, n - 1))
				abort();
			prev = n;
			seen++;
		}
		if (seen != count ||
		    (count > 0 && prev != imap_seqset_max(&set)))
			abort();
	}
	buf_free(&b);
	imap_seqset_free(&set);
	return 0;
}
