/*
 * fuzz_imap_list.c -- libFuzzer target for lib/imap_list.c: the LIST
 * pattern matcher and the subscriptions parser. The first byte picks the
 * mode:
 *   even: matching. The second byte splits the rest into pattern and
 *     name. Short inputs are compared with a naive backtracking matcher
 *     (with the same INBOX rule); every input must finish (the matcher is
 *     an automaton: no input explodes). A pattern of "*" matches
 *     anything, a name without wildcards matches itself.
 *   odd: the subscriptions file. The parsed set must be sorted, unique,
 *     and hold only "INBOX" or valid folder names; written back as lines
 *     and parsed again it must be the same set; renaming a subtree of it
 *     keeps it sorted and unique.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "imap_list.h"
#include "mutf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs up to these sizes are checked against the naive matcher. */
#define FUZZ_NAIVE_PATTERN_MAX 8
#define FUZZ_NAIVE_NAME_MAX 12

static bool
naive(const char *p, size_t pl, const char *n, size_t nl)
{
	size_t k;

	if (pl == 0)
		return nl == 0;
	if (*p == '*' || *p == '%') {
		for (k = 0; k <= nl; k++) {
			if (naive(p + 1, pl - 1, n + k, nl - k))
				return true;
			if (k < nl && *p == '%' && n[k] == '.')
				return false;
		}
		return false;
	}
	return nl > 0 && *p == *n && naive(p + 1, pl - 1, n + 1, nl - 1);
}

static void
fuzz_match(const uint8_t *data, size_t size)
{
	char p[FUZZ_NAIVE_PATTERN_MAX];
	const char *pat, *name;
	size_t split, pl, nl;

	if (size < 1)
		return;
	split = data[0];
	data++;
	size--;
	if (split > size)
		split = size;
	pat = (const char *)data;
	pl = split;
	name = (const char *)data + split;
	nl = size - split;
	if (imap_list_match("*", 1, name, nl) != true)
		abort();
	if (memchr(name, '*', nl) == NULL && memchr(name, '%', nl) == NULL &&
	    nl <= IMAP_LIST_PATTERN_MAX_BYTES &&
	    !imap_list_match(name, nl, name, nl)) {
		/* only INBOX folding may make a name miss itself:
		 * "inbox" is folded to "INBOX" and misses "inbox" */
		if (!(nl >= 5 && strncasecmp(name, "INBOX", 5) == 0))
			abort();
	}
	if (pl <= FUZZ_NAIVE_PATTERN_MAX && nl <= FUZZ_NAIVE_NAME_MAX) {
		memcpy(p, pat, pl);
		if (pl >= 5 && strncasecmp(p, "INBOX", 5) == 0 &&
		    (pl == 5 || p[5] == '.'))
			memcpy(p, "INBOX", 5);
		if (imap_list_match(pat, pl, name, nl) !=
		    naive(p, pl, name, nl))
			abort();
	} else {
		(void)imap_list_match(pat, pl, name, nl);
	}
}

static void
check_set(const struct imap_list_names *l)
{
	const char *err;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const char *s = l->names[i];

		if (i > 0 && strcmp(l->names[i - 1], s) >= 0)
			abort();
		if (strcmp(s, "INBOX") != 0 &&
		    mutf7_maildir_name_check(s, strlen(s), &err) < 0)
			abort();
	}
}

static void
fuzz_subs(const uint8_t *data, size_t size)
{
	struct imap_list_names l, again;
	struct buf b;
	size_t i;

	if (imap_list_subs_parse((const char *)data, size, &l) < 0)
		return;
	if (l.n > IMAP_LIST_SUBS_MAX)
		abort();
	check_set(&l);
	buf_init(&b, 0);
	for (i = 0; i < l.n; i++) {
		buf_append_str(&b, l.names[i]);
		buf_putc(&b, '\n');
	}
	if (imap_list_subs_parse(b.data != NULL ? b.data : "", b.len, &again) <
	    0)
		abort();
	if (again.n != l.n)
		abort();
	for (i = 0; i < l.n; i++) {
		if (strcmp(again.names[i], l.names[i]) != 0)
			abort();
	}
	imap_list_names_free(&again);
	buf_free(&b);
	/* rename the first name's subtree to the last name */
	if (l.n >= 2) {
		const char *old = l.names[0];
		char *to = strdup(l.names[l.n - 1]);

		if (to != NULL) {
			char *from = strdup(old);

			if (from != NULL &&
			    imap_list_names_rename_tree(&l, from, strlen(from),
							to, strlen(to)) >= 0) {
				for (i = 1; i < l.n; i++) {
					if (strcmp(l.names[i - 1],
						   l.names[i]) >= 0)
						abort();
				}
			}
			free(from);
			free(to);
		}
	}
	imap_list_names_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_subs(data + 1, size - 1);
	else
		fuzz_match(data + 1, size - 1);
	return 0;
}
