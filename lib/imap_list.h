/*
 * imap_list.h -- the folder hierarchy of a Maildir++ mailbox as quail-imapd
 * lists it (LIST, LSUB, RFC 3501 6.3.8/6.3.9, RFC 5258 LIST-EXTENDED):
 *
 *   - LIST pattern matching: "*" matches any run of bytes, "%" any run
 *     without the hierarchy separator "."; a pattern starting with "INBOX"
 *     in any case (followed by its end or ".") matches the name INBOX.
 *     The matcher simulates the pattern as an automaton: time is at most
 *     pattern length x name length, whatever the wildcards.
 *   - the folders of a Maildir++ root: directories ".<name>" (not
 *     symlinks) holding a cur/ directory whose name passes
 *     mutf7_maildir_name_check() and is not INBOX or below it;
 *   - the subscriptions file "<root>/subscriptions": one mailbox name per
 *     line as Dovecot writes it (its "V\t2" format, with TAB as the
 *     hierarchy separator, is read too); rewritten with tmp + rename under
 *     a dot-lock;
 *   - the selection of LIST/LSUB entries from the folders, the
 *     subscriptions and the patterns, with their attributes.
 *
 * Names are modified UTF-7 as on the wire and on disk; "INBOX" is the
 * Maildir root and always spelled so.
 *
 * Memory: struct imap_list_names owns its strings; imap_list_names_free().
 * Return convention: 0 ok, -1 with errno (and *error_r, static text,
 * where given); lookups return bool or an index.
 */
#ifndef QUAIL_IMAP_LIST_H
#define QUAIL_IMAP_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The hierarchy separator (Maildir++). */
#define IMAP_LIST_SEPARATOR '.'
/* Longer patterns never match anything (bounds the matcher's state). */
#define IMAP_LIST_PATTERN_MAX_BYTES 1024
/* Longest mailbox name kept from the subscriptions file. */
#define IMAP_LIST_NAME_MAX_BYTES 1024
/* More folders than this in one Maildir is refused (E2BIG): memory bound. */
#define IMAP_LIST_FOLDERS_MAX 100000
/* The subscriptions file: bytes read (the rest is ignored) and names kept
 * (subscribing more is refused with E2BIG). */
#define IMAP_LIST_SUBS_FILE "subscriptions"
#define IMAP_LIST_SUBS_MAX_BYTES (1024 * 1024)
#define IMAP_LIST_SUBS_MAX 10000
/* The dot-lock around a subscriptions update: wait at most, stale after. */
#define IMAP_LIST_SUBS_LOCK_WAIT_SECS 10
#define IMAP_LIST_SUBS_LOCK_STALE_SECS 120

/* True if name[0..nlen) matches pattern[0..plen) (see above). */
bool imap_list_match(const char *pattern, size_t plen, const char *name,
		     size_t nlen);

/* A set of names. Sorted by strcmp and without duplicates after
 * imap_list_names_sort() and when built with imap_list_names_insert(). */
struct imap_list_names {
	char **names; /* NUL-terminated copies, owned */
	size_t n, cap;
};

void imap_list_names_free(struct imap_list_names *l);
/* Appends a copy of name[0..len) (NUL refused: EINVAL). 0 / -1. */
int imap_list_names_add(struct imap_list_names *l, const char *name,
			size_t len);
/* Sorts and drops duplicates. */
void imap_list_names_sort(struct imap_list_names *l);
/* Sorted sets only: the index of name, or -1. */
ssize_t imap_list_names_find(const struct imap_list_names *l, const char *name,
			     size_t len);
/* Sorted sets only: the index of the first name below name (starting
 * with name + "."), or -1. */
ssize_t imap_list_names_first_child(const struct imap_list_names *l,
				    const char *name, size_t len);
/* Sorted sets only: inserts name in order. 1 added, 0 already there, -1
 * (ENOMEM, EINVAL for NUL). */
int imap_list_names_insert(struct imap_list_names *l, const char *name,
			   size_t len);
/* Sorted sets only: 1 removed, 0 not there. */
int imap_list_names_remove(struct imap_list_names *l, const char *name,
			   size_t len);
/* Sorted sets only: renames old and every name below it ("old.x") to new
 * ("new.x"), keeping the set sorted and unique. 1 changed, 0 nothing to
 * rename, -1 (ENOMEM). */
int imap_list_names_rename_tree(struct imap_list_names *l, const char *old,
				size_t oldlen, const char *new_name,
				size_t newlen);

/* The folders of the Maildir++ root (see above) into *f, sorted; INBOX
 * is not among them. 0 / -1. */
int imap_list_folders_read(const char *root, struct imap_list_names *f,
			   const char **error_r);

/* Parses subscriptions file content (pure): names one per line; blank
 * lines, lines over IMAP_LIST_NAME_MAX_BYTES and names that are neither
 * INBOX (any case: kept as "INBOX") nor valid folder names are skipped;
 * at most IMAP_LIST_SUBS_MAX are kept. *subs gets them sorted. 0 / -1
 * (ENOMEM). */
int imap_list_subs_parse(const char *data, size_t len,
			 struct imap_list_names *subs);
/* Reads "<root>/subscriptions" (at most IMAP_LIST_SUBS_MAX_BYTES; a line
 * cut there is dropped). A missing file gives an empty set and
 * *exists_r = false (exists_r may be NULL). 0 / -1. */
int imap_list_subs_read(const char *root, struct imap_list_names *subs,
			bool *exists_r, const char **error_r);
/* Writes subs as the subscriptions file: a unique tmp file, fsync,
 * rename, fsync of the root. 0 / -1. */
int imap_list_subs_write(const char *root, const struct imap_list_names *subs,
			 const char **error_r);
/* Read-modify-write under the dot-lock "<root>/subscriptions.lock": fn
 * gets the current set and returns 1 (changed: written back), 0
 * (unchanged) or -1 (error: nothing written; fn sets errno and may set
 * *error_r). 0 / -1. */
int imap_list_subs_update(const char *root,
			  int (*fn)(struct imap_list_names *subs, void *ctx,
				    const char **error_r),
			  void *ctx, const char **error_r);

/* --- selecting LIST entries --- */

/* Selection options (RFC 5258, RFC 6154). LSUB is SUBSCRIBED |
 * RECURSIVEMATCH. */
#define IMAP_LIST_SEL_SUBSCRIBED 0x1u
#define IMAP_LIST_SEL_RECURSIVEMATCH 0x2u
#define IMAP_LIST_SEL_SPECIAL_USE 0x4u

/* Attributes of an entry:
 *   NONEXISTENT  no such folder: a hierarchy level with children only, or
 *                a name that is only subscribed;
 *   CHILDREN     some folder below it exists;
 *   SUBSCRIBED   it is subscribed;
 *   CHILD_MATCH  RECURSIVEMATCH: some name below it meets the selection
 *                options (the CHILDINFO data);
 *   SELECTED     it meets them itself (else it is listed for CHILD_MATCH
 *                only). */
#define IMAP_LIST_F_NONEXISTENT 0x01u
#define IMAP_LIST_F_CHILDREN 0x02u
#define IMAP_LIST_F_SUBSCRIBED 0x04u
#define IMAP_LIST_F_CHILD_MATCH 0x08u
#define IMAP_LIST_F_SELECTED 0x10u

struct imap_list_query {
	const struct imap_list_names *folders; /* sorted, without INBOX */
	const struct imap_list_names *subs;    /* sorted */
	const char *const *patterns;	       /* reference already joined */
	const size_t *pattern_lens;
	size_t n_patterns;
	unsigned select; /* IMAP_LIST_SEL_* */
	/* The special-use attribute of an existing folder, or NULL
	 * (SEL_SPECIAL_USE only; may be NULL otherwise). */
	const char *(*special_use)(const char *name);
};

struct imap_list_result {
	struct imap_list_names names; /* INBOX first, then sorted */
	unsigned *flags;	      /* IMAP_LIST_F_*, per name */
};

/* The entries matching some pattern and the selection options, with
 * their attributes: without SEL_SUBSCRIBED every folder and every
 * hierarchy level above one (NONEXISTENT) and INBOX; with it the
 * subscribed names; SEL_SPECIAL_USE keeps existing folders with a
 * special use; with SEL_RECURSIVEMATCH also the levels above the
 * selected names (CHILD_MATCH). 0 / -1 (ENOMEM). */
int imap_list_select(const struct imap_list_query *q,
		     struct imap_list_result *r);
void imap_list_result_free(struct imap_list_result *r);

#endif
