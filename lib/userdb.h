/*
 * userdb.h -- parsers for the two admin text files compiled to cdb:
 *
 *   users    "address:hash:uid:gid:maildir" (quail-users(5)); uid and gid
 *            are both empty (the vmail_user's) or both decimal; maildir is
 *            the rest of the line (absolute path, or empty for the default).
 *   aliases  "name: target, target, ..." (quail-aliases(5)); a line that
 *            starts with a space or tab continues the previous entry; name
 *            is a local part ("postmaster", all local domains) or an
 *            address; targets are addresses or bare local parts (resolved
 *            in the recipient's domain by quail-deliver).
 * In both, '#' starts a comment line and blank lines are ignored.
 *
 * Pure functions: no I/O, input given as (ptr, len), never NUL-terminated
 * by assumption. Keys and addresses come out lowercased (local part too:
 * quail treats local parts case-insensitively).
 * Return convention: userdb_parse_* return 1 (entry), 0 (nothing: blank or
 * comment) or -1 with a short reason in *error_r; userdb_each_* return 0
 * or -1 with "file:line: reason" in *error_r (static storage, valid until
 * the next call).
 */
#ifndef QUAIL_USERDB_H
#define QUAIL_USERDB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "addr.h"
#include "buf.h"

#define USERDB_LINE_MAX_BYTES 8192          /* one users line */
#define USERDB_HASH_MAX_BYTES 512           /* crypt(3) output */
#define USERDB_ALIAS_MAX_BYTES (64 * 1024)  /* one alias entry, continuations included */
#define USERDB_ALIAS_TARGETS_MAX 1000       /* targets per alias */
#define USERDB_FILE_MAX_BYTES (64UL * 1024 * 1024) /* whole users/aliases file */

struct userdb_user {
	char address[ADDR_PATH_MAX_BYTES + 1];  /* lowercased local@domain */
	char hash[USERDB_HASH_MAX_BYTES + 1];   /* crypt(3) hash; "" = no login */
	bool has_ids;                           /* uid/gid given */
	uid_t uid;
	gid_t gid;
	char maildir[PATH_MAX];                 /* "" = default */
};

/* Checks and canonicalises a user address (full address required, domain
 * required, no ':' or whitespace); lowercased into out (ADDR_PATH_MAX+1). */
int userdb_address(const char *in, size_t len, char *out, const char **error_r);
/* Checks a Maildir path: "" or absolute, no control characters, no ':' and
 * no ".." component. 0 / -1. */
int userdb_maildir_ok(const char *path, const char **error_r);
/* Checks a crypt(3) hash: printable, no ':' and no whitespace. 0 / -1. */
int userdb_hash_ok(const char *hash, size_t len, const char **error_r);

/* One users line (without its LF). 1 / 0 / -1. */
int userdb_parse_user(const char *line, size_t len, struct userdb_user *u,
		      const char **error_r);
/* Appends the users-file line for u (with LF). 0 / -1 (errno). */
int userdb_format_user(const struct userdb_user *u, struct buf *out);
/* Appends the users.cdb value "uid:gid:maildir" for u (no NUL). 0 / -1. */
int userdb_format_user_value(const struct userdb_user *u, struct buf *out);
/* Parses a users.cdb value "uid:gid:maildir" (what userdb_format_user_value
 * writes). Empty uid and gid (both, or neither) come back as
 * (unsigned long)-1: the vmail_user's. The maildir must be absolute and
 * fit maildir_len with its NUL. 0, or -1 on a malformed value. */
int userdb_parse_user_value(const char *v, size_t len, unsigned long *uid_r,
			    unsigned long *gid_r, char *maildir, size_t maildir_len);

/* One logical alias entry (continuations joined by the caller or by
 * userdb_each_alias). On 1: *key_r is the lowercased name, *targets_r the
 * canonical value "target, target" (lowercased domains) for aliases.cdb. */
int userdb_parse_alias(const char *entry, size_t len, struct buf *key_r,
		       struct buf *targets_r, const char **error_r);

/* Walks a whole file held in memory. name is used in error messages
 * ("users"). fn is called per entry with its line number; a nonzero return
 * from fn stops the walk and is returned (fn sets *error_r; it is
 * prefixed with "name:line: "). */
typedef int userdb_user_fn(void *ctx, unsigned line, const struct userdb_user *u,
			   const char **error_r);
int userdb_each_user(const char *data, size_t len, const char *name,
		     userdb_user_fn *fn, void *ctx, const char **error_r);
typedef int userdb_alias_fn(void *ctx, unsigned line, const char *key,
			    const char *targets, const char **error_r);
int userdb_each_alias(const char *data, size_t len, const char *name,
		      userdb_alias_fn *fn, void *ctx, const char **error_r);

/* Splits a canonical or raw target list ("a@x, b") into its next target:
 * skips separators from *pos, copies the target (trimmed) into out.
 * Returns 1 with a target, 0 at the end, -1 if a target is too long. */
int userdb_next_target(const char *list, size_t len, size_t *pos, char *out,
		       size_t outlen);

#endif
