/*
 * message.h -- helpers shared by the message commands of quail-imapd:
 * message.c (APPEND, the flag-list parser, mailbox targets),
 * message_store.c (STORE) and message_copy.c (COPY, MOVE). Private to
 * those files; handlers are declared in imapd.h.
 *
 * Memory: struct message_flags points into the command's argument tree
 * (valid while the command runs).
 * Return convention: 0 ok, -1 with the reply already given (targets) or
 * with *error_r for BAD (flags).
 */
#ifndef QUAIL_IMAPD_MESSAGE_H
#define QUAIL_IMAPD_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imapd.h"

/* The tagged text of an internal error (the details go to the log). */
#define MESSAGE_SERVERBUG \
	"[SERVERBUG] Internal error occurred. Refer to server log for more " \
	"information."

/* A parsed flag list: system flags and distinct keyword names. */
struct message_flags {
	uint32_t flags; /* IMAP_MBOX_SEEN ... IMAP_MBOX_DRAFT */
	const char *kw[IMAP_MBOX_KEYWORDS_MAX]; /* NUL-terminated atoms */
	size_t kw_len[IMAP_MBOX_KEYWORDS_MAX];
	size_t nkw;
	/* More distinct keywords than a folder can hold: the command
	 * answers NO [LIMIT]. */
	bool too_many;
};

/*
 * Parses flags args[0..n) (the elements of a flag list, or the flag atoms
 * of STORE): system flags in any case, keyword atoms (duplicates, in any
 * case, kept once; NIL is the keyword "NIL"). \Recent, other backslash
 * flags, non-atoms and keywords over IMAP_MBOX_KEYWORD_MAX_BYTES are
 * refused. 0, or -1 with *error_r (static) for BAD.
 */
int message_flags_parse(const struct imap_arg *args, size_t n,
			struct message_flags *f, const char **error_r);

/*
 * Resolves the mailbox argument arg of APPEND, COPY or MOVE into its
 * directory path (PATH_MAX bytes) and the name to show (name_r,
 * IMAPD_MAILBOX_NAME_MAX_BYTES + 1 bytes), and checks that it exists.
 * 0, or -1 after sess_reply(): NO [TRYCREATE] when it does not exist, NO
 * for an invalid name, BAD when arg is not an astring.
 */
int message_target(struct imapd_session *s, const struct imap_arg *arg,
		   char *path, char *name_r);

/* Logs an internal error of cmd on dir and answers NO [SERVERBUG]. */
void message_internal_error(struct imapd_session *s, const char *cmd,
			    const char *dir, const char *error);

/* Answers NO for a failed write into dir with errno err: [TRYCREATE]
 * (ENOENT), [OVERQUOTA] (ENOSPC, EDQUOT), else [SERVERBUG]. */
void message_write_error(struct imapd_session *s, const char *cmd,
			 const char *dir, const char *name, int err,
			 const char *error);

/* Appends uids[0..n) (UID 0 entries skipped) in the given order as a
 * uid-set, consecutive runs compressed: "1:3,5". 0 / -1 (ENOMEM). */
int message_uidset_append(struct buf *out, const uint32_t *uids, size_t n);

#endif
