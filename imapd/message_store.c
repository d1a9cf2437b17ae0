/*
 * message_store.c -- STORE and UID STORE (RFC 3501 6.4.6, 6.4.8):
 * FLAGS, +FLAGS, -FLAGS, each with .SILENT, taking a flag list or flag
 * atoms. Keywords are created in the folder as needed (at most
 * IMAP_MBOX_KEYWORDS_MAX: then NO [LIMIT]); a new keyword is announced
 * with "* FLAGS" and "* OK [PERMANENTFLAGS]" before the FETCH responses,
 * as Dovecot does. Every message of the set gets "* n FETCH (FLAGS ...)"
 * unless .SILENT (with UID first for UID STORE, RFC 3501 6.4.8); only
 * messages whose flags change are renamed.
 *
 * On a read-only (EXAMINE'd) mailbox the store is ignored with OK, as
 * Dovecot answers. A message expunged by another session meanwhile is
 * skipped and the command still ends OK, with [EXPUNGEISSUED] (RFC 5530)
 * as a hint to sync: RFC 2180 4.2.1 allows either answer, and Dovecot
 * answers OK, so a client's flag change is not reported as an error (a
 * NO here pops up an error dialog in Thunderbird and Roundcube).
 *
 * SECURITY: the set and flags are untrusted input, parsed by
 * sess_seqset() and message_flags_parse(); keyword names reach the
 * keyword file only as validated atoms.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "imapd.h"
#include "log.h"
#include "message.h"

/* One FETCH line: "* 4294967295 FETCH (UID 4294967295 FLAGS (...))" with
 * at most 5 system flags, \Recent and 26 keywords of bounded length. */
#define MESSAGE_STORE_LINE_MAX_BYTES \
	(128 + 32 * (IMAP_MBOX_KEYWORD_MAX_BYTES + 2))

enum message_store_mode {
	MESSAGE_STORE_REPLACE,
	MESSAGE_STORE_ADD,
	MESSAGE_STORE_REMOVE,
};

struct message_store {
	enum message_store_mode mode;
	bool silent;
	bool uid;
	uint32_t flags;	   /* system flags of the command */
	uint32_t keywords; /* keyword bits in the selected mailbox */
	bool vanished;	   /* some message was expunged meanwhile */
	const char *error; /* an internal error stopped the store */
	struct buf line;
};

/* "FLAGS", "+FLAGS.SILENT" ... 0 / -1. */
static int
message_store_item(const char *item, struct message_store *st)
{
	st->mode = MESSAGE_STORE_REPLACE;
	if (item[0] == '+' || item[0] == '-') {
		st->mode = item[0] == '+' ? MESSAGE_STORE_ADD :
					    MESSAGE_STORE_REMOVE;
		item++;
	}
	if (strncasecmp(item, "FLAGS", 5) != 0)
		return -1;
	if (item[5] == '\0')
		st->silent = false;
	else if (strcasecmp(item + 5, ".SILENT") == 0)
		st->silent = true;
	else
		return -1;
	return 0;
}

/*
 * The keyword bits of f's names in the selected mailbox. Names not known
 * are created, except for -FLAGS, where they are simply not set. 0, or
 * -1 after sess_reply().
 */
static int
message_store_keywords(struct imapd_session *s, const struct message_flags *f,
		       struct message_store *st)
{
	const char *error;
	int k;

	st->keywords = 0;
	if (f->too_many) {
		sess_reply(s, IMAPD_NO, "[LIMIT] Too many keywords.");
		return -1;
	}
	for (size_t i = 0; i < f->nkw; i++) {
		bool create = st->mode != MESSAGE_STORE_REMOVE;

		k = imap_mbox_keyword(s->mb, f->kw[i], f->kw_len[i], create,
				      &error);
		if (k >= 0 && k < IMAP_MBOX_KEYWORDS_MAX) {
			st->keywords |= 1u << k;
			continue;
		}
		if (k >= 0 || errno == ENOSPC) {
			sess_reply(s, IMAPD_NO,
				   "[LIMIT] Too many keywords in this mailbox "
				   "(at most %d).",
				   IMAP_MBOX_KEYWORDS_MAX);
			return -1;
		}
		if (errno == ENOENT && !create)
			continue;
		message_internal_error(s, "STORE", s->mb->dir, error);
		return -1;
	}
	return 0;
}

/* "(\Answered \Flagged \Deleted \Seen \Draft kw...)" of the selected
 * mailbox, the FLAGS line and PERMANENTFLAGS (with \* while there is room
 * for another keyword). */
static int
message_store_announce_flags(struct imapd_session *s)
{
	struct buf b = BUF_INIT;
	const struct imap_mbox *mb = s->mb;
	size_t base;
	int ret = 0;

	if (buf_append_str(&b, "(\\Answered \\Flagged \\Deleted \\Seen \\Draft") <
	    0)
		goto fail;
	for (unsigned k = 0; k < mb->keyword_count; k++) {
		if (buf_printf(&b, " %s", mb->keywords[k]) < 0)
			goto fail;
	}
	base = b.len;
	if (buf_putc(&b, ')') < 0)
		goto fail;
	sess_untagged(s, "FLAGS %s", buf_cstr(&b));
	b.len = base;
	if (buf_append_str(&b, mb->keyword_count < IMAP_MBOX_KEYWORDS_MAX ?
				       " \\*)" :
				       ")") < 0)
		goto fail;
	sess_untagged(s, "OK [PERMANENTFLAGS %s] Flags permitted.",
		      buf_cstr(&b));
	buf_free(&b);
	return ret;
fail:
	buf_free(&b);
	return -1;
}

static int
message_store_one(struct imapd_session *s, size_t i, void *ctx)
{
	struct message_store *st = ctx;
	struct imap_mbox_msg *m = &s->mb->msgs[i];
	uint32_t uid = m->uid;
	enum imap_mbox_store_mode mode = IMAP_MBOX_STORE_SET;

	switch (st->mode) {
	case MESSAGE_STORE_REPLACE:
		mode = IMAP_MBOX_STORE_SET;
		break;
	case MESSAGE_STORE_ADD:
		mode = IMAP_MBOX_STORE_ADD;
		break;
	case MESSAGE_STORE_REMOVE:
		mode = IMAP_MBOX_STORE_REMOVE;
		break;
	}
	/* applied to the flags on disk (another session's changes are
	 * kept); msgs[i] then shows the result */
	if (imap_mbox_store_delta(s->mb, i, mode, st->flags, st->keywords,
				  &st->error) < 0) {
		if (errno == ENOENT) {
			st->vanished = true;
			st->error = NULL;
			return 0;
		}
		if (st->error == NULL)
			st->error = strerror(errno);
		return -1;
	}
	if (st->silent)
		return 0;
	buf_reset(&st->line);
	if (buf_printf(&st->line, "* %zu FETCH (", i + 1) < 0 ||
	    (st->uid && buf_printf(&st->line, "UID %u ", uid) < 0) ||
	    buf_append_str(&st->line, "FLAGS ") < 0 ||
	    sess_flags_append(s, i, &st->line) < 0 ||
	    buf_append(&st->line, ")\r\n", 3) < 0) {
		st->error = "out of memory";
		return -1;
	}
	sess_write(s, st->line.data, st->line.len);
	return 0;
}

/* The flag arguments of STORE: one list, or one or more flag atoms. */
static int
message_store_flag_args(const struct imap_arg *args, size_t n,
			struct message_flags *f, const char **error_r)
{
	if (n == 1 && args[0].type == IMAP_ARG_LIST)
		return message_flags_parse(args[0].list, args[0].n, f, error_r);
	if (n == 0) {
		*error_r = "Invalid arguments.";
		return -1;
	}
	return message_flags_parse(args, n, f, error_r);
}

void
cmd_store(struct imapd_session *s, const struct imap_arg *args, size_t n,
	  bool uid)
{
	struct imap_seqset set = IMAP_SEQSET_INIT;
	struct message_store st;
	struct message_flags f;
	const char *item, *error;
	unsigned keywords_before;
	int ret;

	memset(&st, 0, sizeof(st));
	st.uid = uid;
	/* CONDSTORE modifiers (a list before the item) are not offered. */
	if (n < 3 || !imap_arg_get_atom(&args[1], &item) ||
	    message_store_item(item, &st) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return;
	}
	if (message_store_flag_args(args + 2, n - 2, &f, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "%s", error);
		return;
	}
	if (sess_seqset(s, &args[0], uid, &set, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "%s", error);
		imap_seqset_free(&set);
		return;
	}
	st.flags = f.flags;
	if (s->readonly) {
		imap_seqset_free(&set);
		sess_reply(s, IMAPD_OK, "Store ignored with read-only mailbox.");
		return;
	}
	keywords_before = s->mb->keyword_count;
	if (message_store_keywords(s, &f, &st) < 0) {
		imap_seqset_free(&set);
		return;
	}
	if (s->mb->keyword_count != keywords_before &&
	    message_store_announce_flags(s) < 0) {
		imap_seqset_free(&set);
		message_internal_error(s, "STORE", s->mb->dir, "out of memory");
		return;
	}
	buf_init(&st.line, MESSAGE_STORE_LINE_MAX_BYTES);
	/* one pair of directory stats for the whole command */
	imap_mbox_batch_begin(s->mb);
	ret = sess_seqset_each(s, &set, uid, message_store_one, &st);
	imap_mbox_batch_end(s->mb);
	if (ret < 0)
		message_internal_error(s, "STORE", s->mb->dir, st.error);
	else if (st.vanished)
		sess_reply(s, IMAPD_OK,
			   "[EXPUNGEISSUED] Store completed; some of the "
			   "messages no longer exist.");
	else
		sess_reply(s, IMAPD_OK, "Store completed.");
	buf_free(&st.line);
	imap_seqset_free(&set);
}
