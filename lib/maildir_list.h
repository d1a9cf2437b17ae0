/*
 * maildir_list.h -- listing the messages of one Maildir folder quickly,
 * for quail-pop3d and quail-imapd: the file names in new/ and cur/, the
 * sizes from the names (",S=<bytes>" as stored, ",W=<bytes>" with CRLF
 * line ends, as quail-deliver and Dovecot write them) and the flags from
 * ":2,<flags>". Listing opens and stats nothing but the two directories;
 * maildir_list_fill_sizes() falls back to stat(2) for a missing S= and to
 * reading the file for a missing W=, for that one message only.
 *
 * A message moving from new/ to cur/ while we list is seen once: new/ is
 * read before cur/, and duplicates (same base name) keep the cur/ entry.
 *
 * Memory: struct maildir_list owns its array and the names (one block);
 * maildir_list_free(). Pointers into it stay valid until then.
 * Return convention: 0 ok, -1 error with errno and *error_r (static).
 */
#ifndef QUAIL_MAILDIR_LIST_H
#define QUAIL_MAILDIR_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* More messages than this in one folder is refused (memory bound). */
#define MAILDIR_LIST_MAX_MSGS 10000000UL
/* S= or W= above this (1 TiB) is ignored as damaged: sums of sizes
 * cannot overflow. */
#define MAILDIR_LIST_SIZE_MAX (1ULL << 40)
/* Flag letters kept from ":2,<flags>" (the spec's flags are A-Z). */
#define MAILDIR_LIST_FLAGS_MAX 26

struct maildir_msg {
	const char *name;  /* file name in new/ or cur/ */
	size_t base_len;   /* name[0..base_len) is the base name */
	bool in_cur;	   /* cur/ (else new/) */
	bool has_size;	   /* size is known (S= or stat) */
	bool has_vsize;	   /* vsize is known (W= or read) */
	uint64_t size;	   /* bytes on disk */
	uint64_t vsize;	   /* bytes with every bare LF as CRLF */
	const char *flags; /* after ":2," ("" if none) */
	uint32_t uid;	   /* free for the caller (0 after listing) */
	bool mark;	   /* free for the caller (false after listing) */
};

struct maildir_list {
	struct maildir_msg *msgs;
	size_t n;
	char *names; /* all names, NUL-separated */
};

/* Parses one file name: base length, S=, W= and flags (pure). Sets the
 * fields of m except in_cur, uid and mark; m->name = name. */
void maildir_list_parse_name(const char *name, struct maildir_msg *m);

/* Lists dir/new and dir/cur (a missing subdirectory is an error; names
 * starting with '.' and subdirectories are skipped). Messages are sorted by
 * base name (which starts with the delivery time). 0 / -1. */
int maildir_list_read(struct maildir_list *l, const char *dir,
		      const char **error_r);
/* As maildir_list_read(), new/ only (all in_cur false): for a caller that
 * knows cur/ did not change. 0 / -1. */
int maildir_list_read_new(struct maildir_list *l, const char *dir,
			  const char **error_r);
void maildir_list_free(struct maildir_list *l);

/* Full path of m into out: "<dir>/cur/<name>" or ".../new/...". 0 / -1. */
int maildir_list_path(const char *dir, const struct maildir_msg *m, char *out,
		      size_t outlen);

/* Fills a missing size (stat) and a missing vsize (reads the file and
 * counts bare LFs; a last line without LF counts as if it had CRLF, as
 * POP3 and IMAP send it). 0, or -1 (ENOENT: the message is gone). */
int maildir_list_fill_sizes(const char *dir, struct maildir_msg *m,
			    const char **error_r);

#endif
