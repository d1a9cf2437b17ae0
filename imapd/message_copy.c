/*
 * message_copy.c -- COPY, UID COPY (RFC 3501 6.4.7, 6.4.8) and MOVE,
 * UID MOVE (RFC 6851), with COPYUID (RFC 4315 UIDPLUS).
 *
 * imap_mbox_copy() hard-links (or copies) the messages into the target
 * folder and assigns their UIDs in the order given, so the source and
 * destination uid-sets of COPYUID correspond element by element. MOVE
 * then expunges exactly the moved source UIDs: "* OK [COPYUID ...] Moved
 * UIDs." comes first, then "* n EXPUNGE" for each, then the tagged OK
 * (RFC 6851 3.3 and 4.3). A message expunged by another session meanwhile
 * is skipped and the command ends NO [EXPUNGEISSUED] (RFC 5530); what was
 * copied (and, for MOVE, removed) stays so.
 *
 * SECURITY: the set and the mailbox name are untrusted input, parsed by
 * sess_seqset() and resolved by sess_mailbox_path() (message_target()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "imapd.h"
#include "log.h"
#include "message.h"

/* The messages of a command, in ascending order. */
struct message_copy_list {
	size_t *idx;
	uint32_t *src_uids;
	size_t n, cap;
};

static int
message_copy_collect(struct imapd_session *s, size_t i, void *ctx)
{
	struct message_copy_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 64 : l->cap * 2;
		size_t *idx;
		uint32_t *uids;

		/* Never more than the messages of the mailbox. */
		if (cap > s->mb->n)
			cap = s->mb->n;
		if (cap <= l->n)
			return -1;
		idx = reallocarray(l->idx, cap, sizeof(*idx));
		if (idx == NULL)
			return -1;
		l->idx = idx;
		uids = reallocarray(l->src_uids, cap, sizeof(*uids));
		if (uids == NULL)
			return -1;
		l->src_uids = uids;
		l->cap = cap;
	}
	l->idx[l->n] = i;
	l->src_uids[l->n] = s->mb->msgs[i].uid;
	l->n++;
	return 0;
}

static void
message_copy_list_free(struct message_copy_list *l)
{
	free(l->idx);
	free(l->src_uids);
	memset(l, 0, sizeof(*l));
}

/* "[COPYUID <uidvalidity> <src> <dst>]" into out, only the messages
 * copied (dest UID not 0). 0 / -1 (ENOMEM). */
static int
message_copyuid(struct buf *out, uint32_t uidvalidity,
		const struct message_copy_list *l, const uint32_t *dest)
{
	uint32_t *src;
	int ret = 0;

	src = reallocarray(NULL, l->n, sizeof(*src));
	if (src == NULL)
		return -1;
	for (size_t k = 0; k < l->n; k++)
		src[k] = dest[k] != 0 ? l->src_uids[k] : 0;
	if (buf_printf(out, "[COPYUID %u ", uidvalidity) < 0 ||
	    message_uidset_append(out, src, l->n) < 0 || buf_putc(out, ' ') < 0 ||
	    message_uidset_append(out, dest, l->n) < 0 || buf_putc(out, ']') < 0)
		ret = -1;
	free(src);
	return ret;
}

struct message_move_ctx {
	struct imapd_session *s;
};

static void
message_move_expunged(void *ctx, uint32_t seq)
{
	struct message_move_ctx *m = ctx;

	sess_untagged(m->s, "%u EXPUNGE", seq);
	if (m->s->told_exists > 0)
		m->s->told_exists--;
}

/* Expunges the moved source messages (dest UID not 0). 0 / -1 after
 * sess_reply(). */
static int
message_move_expunge(struct imapd_session *s,
		     const struct message_copy_list *l, const uint32_t *dest)
{
	struct imap_seqset uids = IMAP_SEQSET_INIT;
	struct message_move_ctx m = { s };
	const char *error = NULL;
	int ret = 0;

	for (size_t k = 0; k < l->n && ret == 0; k++) {
		if (dest[k] != 0 &&
		    imap_seqset_add(&uids, l->src_uids[k], l->src_uids[k]) < 0)
			ret = -1;
	}
	if (ret == 0) {
		imap_seqset_resolve(&uids, 0);
		if (uids.n > 0)
			ret = imap_mbox_expunge(s->mb, &uids, false,
						message_move_expunged, &m,
						&error);
	}
	imap_seqset_free(&uids);
	if (ret < 0)
		message_internal_error(s, "MOVE", s->mb->dir, error);
	return ret;
}

static void
message_copy_run(struct imapd_session *s, const struct imap_arg *args,
		 size_t n, bool uid, bool move)
{
	struct imap_seqset set = IMAP_SEQSET_INIT;
	struct message_copy_list l = { 0 };
	char path[PATH_MAX], name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	const char *cmd = move ? "MOVE" : "COPY", *error = NULL;
	struct buf code = BUF_INIT;
	uint32_t uidvalidity = 0, *dest = NULL;
	size_t copied = 0;

	if (n != 2 || args[0].type != IMAP_ARG_ATOM) {
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return;
	}
	if (sess_seqset(s, &args[0], uid, &set, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "%s", error);
		goto out;
	}
	if (message_target(s, &args[1], path, name) < 0)
		goto out;
	if (move && s->readonly) {
		sess_reply(s, IMAPD_NO, "Mailbox is read-only.");
		goto out;
	}
	if (sess_seqset_each(s, &set, uid, message_copy_collect, &l) < 0) {
		message_internal_error(s, cmd, s->mb->dir, "out of memory");
		goto out;
	}
	if (l.n == 0) {
		sess_reply(s, IMAPD_OK, "No messages found.");
		goto out;
	}
	dest = calloc(l.n, sizeof(*dest));
	if (dest == NULL) {
		message_internal_error(s, cmd, s->mb->dir, "out of memory");
		goto out;
	}
	if (imap_mbox_copy(s->mb, l.idx, l.n, path, &uidvalidity, dest,
			   &error) < 0) {
		message_write_error(s, cmd, path, name, errno, error);
		goto out;
	}
	for (size_t k = 0; k < l.n; k++)
		copied += dest[k] != 0;
	if (copied > 0 && message_copyuid(&code, uidvalidity, &l, dest) < 0) {
		message_internal_error(s, cmd, s->mb->dir, "out of memory");
		goto out;
	}
	if (move && copied > 0) {
		sess_untagged(s, "OK %s Moved UIDs.", buf_cstr(&code));
		if (message_move_expunge(s, &l, dest) < 0)
			goto out;
	}
	if (copied < l.n)
		sess_reply(s, IMAPD_NO,
			   "[EXPUNGEISSUED] Some of the requested messages no "
			   "longer exist.");
	else if (move)
		sess_reply(s, IMAPD_OK, "Move completed.");
	else
		sess_reply(s, IMAPD_OK, "%s Copy completed.", buf_cstr(&code));
out:
	free(dest);
	buf_free(&code);
	message_copy_list_free(&l);
	imap_seqset_free(&set);
}

void
cmd_copy(struct imapd_session *s, const struct imap_arg *args, size_t n,
	 bool uid)
{
	message_copy_run(s, args, n, uid, false);
}

void
cmd_move(struct imapd_session *s, const struct imap_arg *args, size_t n,
	 bool uid)
{
	message_copy_run(s, args, n, uid, true);
}
