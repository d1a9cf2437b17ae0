/*
 * fuzz_imap_cache.c -- libFuzzer target for the parsers of the two
 * per-folder files of lib/imap_mbox: the cache "quail-cache"
 * (imap_mbox_cache_parse) and the keyword file "quail-keywords"
 * (imap_mbox_keywords_parse). The input is a file's content; both
 * parsers read it. Checks: every cache record lies inside the input,
 * has a valid base name, a printable field and a value within
 * IMAP_MBOX_CACHE_VALUE_MAX_BYTES; the valid prefix ends inside the input
 * (all of it when the parse says the file is whole); every keyword is a
 * valid atom, no name appears twice (case-insensitively), the count
 * covers the names given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_mbox.h"
#include "uidlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const char *p;
	size_t len;
	size_t records;
};

static int
check_record(void *ctx, const char *base, size_t base_len, char field,
	     const char *val, size_t val_len)
{
	struct span *s = ctx;

	if (base < s->p || base + base_len > s->p + s->len ||
	    val < base + base_len || val + val_len > s->p + s->len ||
	    !uidlist_valid_base(base, base_len) || field < 0x21 ||
	    field > 0x7e || val_len > IMAP_MBOX_CACHE_VALUE_MAX_BYTES)
		abort();
	s->records++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = { (const char *)data, size, 0 };
	char *names[IMAP_MBOX_KEYWORDS_MAX];
	size_t good = (size_t)-1;
	unsigned count, k, j;
	int r;

	r = imap_mbox_cache_parse(s.p, size, check_record, &s, &good);
	if (r < 0 || r > 1 || good > size || (r == 1 && good != size))
		abort();
	if (imap_mbox_keywords_parse(s.p, size, names, &count) < 0)
		return 0; /* ENOMEM */
	if (count > IMAP_MBOX_KEYWORDS_MAX)
		abort();
	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++) {
		if (names[k] == NULL)
			continue;
		if (k >= count ||
		    !imap_mbox_keyword_valid(names[k], strlen(names[k])))
			abort();
		for (j = 0; j < k; j++) {
			if (names[j] != NULL &&
			    strcasecmp(names[j], names[k]) == 0)
				abort();
		}
	}
	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++)
		free(names[k]);
	return 0;
}
