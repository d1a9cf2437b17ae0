/*
 * session.c -- the IMAP authenticated and selected states (RFC 3501 6.1,
 * 6.3, 6.4): the command table and dispatcher for every state, the
 * untagged updates after each command (7.3, 7.4; RFC 3501 5.5: no EXPUNGE
 * after FETCH, STORE or SEARCH without UID), and the commands CAPABILITY,
 * NOOP, LOGOUT, ID (RFC 2971), CHECK, SELECT, EXAMINE (with [CLOSED] of
 * RFC 7162 3.2.11), CLOSE, UNSELECT (RFC 3691), EXPUNGE, UID EXPUNGE
 * (RFC 4315), NAMESPACE (RFC 2342), ENABLE (RFC 5161); plus the helpers
 * of imapd.h (mailbox paths, flags, sequence sets). IDLE is idle.c.
 *
 * SECURITY: runs as the mailbox owner, never root. Mailbox names are
 * checked by mutf7_maildir_name_check() before they become paths (no
 * "/", no "..", no control characters), and every path stays under the
 * user's Maildir; sequence numbers are checked against the message
 * count before they index anything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imapd.h"
#include "log.h"
#include "mutf7.h"

/* Longest command name we echo in an error ("Error in IMAP command X"). */
#define SESS_NAME_ECHO_MAX_BYTES 32

enum sess_cmd_flags {
	SESS_CMD_UID = 0x1,	   /* may follow "UID" */
	SESS_CMD_NO_EXPUNGE = 0x2, /* FETCH, STORE, SEARCH: RFC 3501 7.4.1 */
};

struct sess_cmd {
	const char *name;
	imapd_cmd_fn *fn; /* NULL: handled by auth.c before login */
	unsigned states;  /* IMAPD_STATE_* bits */
	unsigned flags;
};

#define ANY (IMAPD_STATE_NOAUTH | IMAPD_STATE_AUTH | IMAPD_STATE_SELECTED)
#define AUTHED (IMAPD_STATE_AUTH | IMAPD_STATE_SELECTED)
#define SEL IMAPD_STATE_SELECTED

static const struct sess_cmd sess_cmds[] = {
	{ "CAPABILITY", cmd_capability, ANY, 0 },
	{ "NOOP", cmd_noop, ANY, 0 },
	{ "LOGOUT", cmd_logout, ANY, 0 },
	{ "ID", cmd_id, ANY, 0 },
	{ "STARTTLS", NULL, IMAPD_STATE_NOAUTH, 0 },
	{ "LOGIN", NULL, IMAPD_STATE_NOAUTH, 0 },
	{ "AUTHENTICATE", NULL, IMAPD_STATE_NOAUTH, 0 },
	{ "SELECT", cmd_select, AUTHED, 0 },
	{ "EXAMINE", cmd_examine, AUTHED, 0 },
	{ "CREATE", cmd_create, AUTHED, 0 },
	{ "DELETE", cmd_delete, AUTHED, 0 },
	{ "RENAME", cmd_rename, AUTHED, 0 },
	{ "SUBSCRIBE", cmd_subscribe, AUTHED, 0 },
	{ "UNSUBSCRIBE", cmd_unsubscribe, AUTHED, 0 },
	{ "LIST", cmd_list, AUTHED, 0 },
	{ "LSUB", cmd_lsub, AUTHED, 0 },
	{ "STATUS", cmd_status, AUTHED, 0 },
	{ "APPEND", cmd_append, AUTHED, 0 },
	{ "NAMESPACE", cmd_namespace, AUTHED, 0 },
	{ "ENABLE", cmd_enable, AUTHED, 0 },
	{ "IDLE", cmd_idle, AUTHED, 0 },
	{ "CHECK", cmd_check, SEL, 0 },
	{ "CLOSE", cmd_close, SEL, 0 },
	{ "UNSELECT", cmd_unselect, SEL, 0 },
	{ "EXPUNGE", cmd_expunge, SEL, SESS_CMD_UID },
	{ "SEARCH", cmd_search, SEL, SESS_CMD_UID | SESS_CMD_NO_EXPUNGE },
	{ "FETCH", cmd_fetch, SEL, SESS_CMD_UID | SESS_CMD_NO_EXPUNGE },
	{ "STORE", cmd_store, SEL, SESS_CMD_UID | SESS_CMD_NO_EXPUNGE },
	{ "COPY", cmd_copy, SEL, SESS_CMD_UID },
	{ "MOVE", cmd_move, SEL, SESS_CMD_UID },
	{ "UID", NULL, SEL, 0 },
};

static const struct sess_cmd *
sess_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sess_cmds) / sizeof(sess_cmds[0]); i++)
		if (strcasecmp(sess_cmds[i].name, name) == 0)
			return &sess_cmds[i];
	return NULL;
}

/* The name as the client sent it, upper-cased and bounded, for replies
 * (an atom: printable ASCII without spaces). */
static const char *
sess_name_echo(const char *name, char *out, size_t outlen)
{
	size_t i;

	for (i = 0;
	     name[i] != '\0' && i + 1 < outlen && i < SESS_NAME_ECHO_MAX_BYTES;
	     i++) {
		char ch = name[i];

		out[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
	}
	out[i] = '\0';
	return out;
}

/* Why a known command cannot run in this state. */
static const char *
sess_state_error(const struct imapd_session *s, const struct sess_cmd *c)
{
	if (s->state == IMAPD_STATE_NOAUTH)
		return "Login first.";
	if (c->states == IMAPD_STATE_NOAUTH)
		return "Already logged in.";
	return "No mailbox selected.";
}

void
sess_dispatch(struct imapd_session *s, const struct imap_command *cmd)
{
	const struct sess_cmd *c = sess_cmd_find(cmd->name);
	const struct imap_arg *args = cmd->args;
	char echo[SESS_NAME_ECHO_MAX_BYTES + 1];
	size_t n = cmd->n;
	bool uid = false;

	s->replied = false;
	if (c == NULL) {
		sess_reply(s, IMAPD_BAD,
			   "Error in IMAP command %s: Unknown "
			   "command.",
			   sess_name_echo(cmd->name, echo, sizeof(echo)));
		goto out;
	}
	if (!(c->states & s->state)) {
		sess_reply(s, IMAPD_BAD, "Error in IMAP command %s: %s",
			   sess_name_echo(cmd->name, echo, sizeof(echo)),
			   sess_state_error(s, c));
		goto out;
	}
	if (strcasecmp(c->name, "UID") == 0) {
		/* "UID <command> ..." (RFC 3501 6.4.8) */
		if (n == 0 || args[0].type != IMAP_ARG_ATOM ||
		    (c = sess_cmd_find(args[0].str)) == NULL ||
		    !(c->flags & SESS_CMD_UID)) {
			sess_reply(s, IMAPD_BAD,
				   "Error in IMAP command UID: "
				   "Unknown command.");
			goto out;
		}
		uid = true;
		args++;
		n--;
	}
	if (c->fn == NULL) { /* auth.c's, reached in another state */
		sess_reply(s, IMAPD_BAD,
			   "Error in IMAP command %s: Not valid "
			   "now.",
			   c->name);
		goto out;
	}
	c->fn(s, args, n, uid);
	if (!s->replied && s->done)
		return; /* the session ended inside (EOF, BYE): no reply */
	/* Untagged updates: never EXPUNGE after FETCH, STORE or SEARCH
	 * without UID (RFC 3501 7.4.1); the simplest correct choice is to
	 * send none then, the next command reports them. */
	if (!s->done && s->mb != NULL)
		sess_sync(s, uid || !(c->flags & SESS_CMD_NO_EXPUNGE));
	if (s->mb != NULL) {
		const char *error = NULL;

		/* writes only new entries: cheap when there are none */
		if (imap_mbox_cache_flush(s->mb, &error) < 0)
			log_msg(LOG_WARNING, "cache of %s: %s", s->mb->dir,
				error != NULL ? error : strerror(errno));
	}
out:
	conn_tagged(s);
}

/* --- helpers for handlers --- */

int
sess_mailbox_path(const struct imapd_session *s, const char *name, size_t len,
		  char *path, size_t pathlen, char *canon_r, size_t canonlen,
		  const char **error_r)
{
	int n;

	if (memchr(name, '\0', len) != NULL) {
		*error_r = "Invalid mailbox name.";
		return -1;
	}
	if (len == 5 && strncasecmp(name, "INBOX", 5) == 0) {
		n = snprintf(path, pathlen, "%s", s->root);
		if (n < 0 || (size_t)n >= pathlen) {
			*error_r = "Mailbox path too long.";
			return -1;
		}
		if (canon_r != NULL)
			snprintf(canon_r, canonlen, "INBOX");
		return 0;
	}
	if (len > 6 && strncasecmp(name, "INBOX.", 6) == 0) {
		*error_r = "Mailboxes cannot be children of INBOX.";
		return -1;
	}
	if (mutf7_maildir_name_check(name, len, error_r) < 0)
		return -1;
	n = snprintf(path, pathlen, "%s/.%.*s", s->root, (int)len, name);
	if (n < 0 || (size_t)n >= pathlen) {
		*error_r = "Mailbox path too long.";
		return -1;
	}
	if (canon_r != NULL) {
		if (len >= canonlen) {
			*error_r = "Mailbox name too long.";
			return -1;
		}
		memcpy(canon_r, name, len);
		canon_r[len] = '\0';
	}
	return 0;
}

/* The flag list of the mailbox: system flags, then its keywords. */
static void
sess_flag_list(const struct imap_mbox *mb, struct buf *b)
{
	unsigned k;

	buf_append_str(b, "\\Answered \\Flagged \\Deleted \\Seen \\Draft");
	for (k = 0; k < mb->keyword_count && k < IMAP_MBOX_KEYWORDS_MAX; k++)
		if (mb->keywords[k] != NULL)
			buf_printf(b, " %s", mb->keywords[k]);
}

/* "* FLAGS (...)" and the PERMANENTFLAGS line of the selected mailbox. */
static void
sess_send_flags(struct imapd_session *s)
{
	struct buf b;

	buf_init(&b, 0);
	sess_flag_list(s->mb, &b);
	sess_untagged(s, "FLAGS (%s)", buf_cstr(&b));
	if (s->readonly)
		sess_untagged(s, "OK [PERMANENTFLAGS ()] Read-only mailbox.");
	else /* \* while another keyword can be created (as STORE says) */
		sess_untagged(s, "OK [PERMANENTFLAGS (%s%s)] Flags permitted.",
			      buf_cstr(&b),
			      s->mb->keyword_count < IMAP_MBOX_KEYWORDS_MAX
				      ? " \\*"
				      : "");
	buf_free(&b);
}

int
sess_flags_append(const struct imapd_session *s, size_t i, struct buf *out)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} sys[] = {
		{ IMAP_MBOX_ANSWERED, "\\Answered" },
		{ IMAP_MBOX_FLAGGED, "\\Flagged" },
		{ IMAP_MBOX_DELETED, "\\Deleted" },
		{ IMAP_MBOX_SEEN, "\\Seen" },
		{ IMAP_MBOX_DRAFT, "\\Draft" },
		{ IMAP_MBOX_RECENT, "\\Recent" },
	};
	const struct imap_mbox_msg *m;
	bool first = true;
	size_t k;

	if (s->mb == NULL || i >= s->mb->n)
		return -1;
	m = &s->mb->msgs[i];
	if (buf_putc(out, '(') < 0)
		return -1;
	for (k = 0; k < sizeof(sys) / sizeof(sys[0]); k++) {
		if (!(m->flags & sys[k].bit))
			continue;
		if ((!first && buf_putc(out, ' ') < 0) ||
		    buf_append_str(out, sys[k].name) < 0)
			return -1;
		first = false;
	}
	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX && k < s->mb->keyword_count;
	     k++) {
		if (!(m->keywords & (1u << k)) || s->mb->keywords[k] == NULL)
			continue;
		if ((!first && buf_putc(out, ' ') < 0) ||
		    buf_append_str(out, s->mb->keywords[k]) < 0)
			return -1;
		first = false;
	}
	return buf_putc(out, ')');
}

int
sess_seqset(const struct imapd_session *s, const struct imap_arg *arg, bool uid,
	    struct imap_seqset *set, const char **error_r)
{
	uint32_t star;
	size_t n = s->mb != NULL ? s->mb->n : 0;

	*set = (struct imap_seqset)IMAP_SEQSET_INIT;
	if (arg == NULL || arg->type != IMAP_ARG_ATOM) {
		*error_r = "Invalid messageset.";
		return -1;
	}
	if (imap_seqset_parse(arg->str, arg->len, set, error_r) < 0) {
		*error_r = "Invalid messageset.";
		return -1;
	}
	if (uid)
		star = n > 0 ? s->mb->msgs[n - 1].uid : 0;
	else
		star = (uint32_t)n;
	imap_seqset_resolve(set, star);
	/* Message numbers beyond the count are a client error (RFC 3501
	 * 7.1 BAD); UIDs that do not exist are simply skipped (6.4.8). */
	if (!uid && imap_seqset_max(set) > n) {
		*error_r = "Invalid messageset.";
		return -1;
	}
	return 0;
}

/* The first index whose UID is >= uid (n if none): binary search. */
static size_t
sess_uid_lower_bound(const struct imap_mbox *mb, uint32_t uid)
{
	size_t lo = 0, hi = mb->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mb->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
sess_seqset_each(struct imapd_session *s, const struct imap_seqset *set,
		 bool uid, int (*fn)(struct imapd_session *, size_t, void *),
		 void *ctx)
{
	size_t r, i;

	if (s->mb == NULL || !set->resolved)
		return 0;
	for (r = 0; r < set->n; r++) {
		uint64_t lo = set->ranges[r].lo, hi = set->ranges[r].hi;

		if (uid) {
			for (i = sess_uid_lower_bound(s->mb, (uint32_t)lo);
			     s->mb != NULL && i < s->mb->n &&
			     s->mb->msgs[i].uid <= hi;
			     i++)
				if (fn(s, i, ctx) < 0)
					return -1;
		} else {
			for (i = (size_t)lo;
			     s->mb != NULL && i <= hi && i <= s->mb->n; i++)
				if (fn(s, i - 1, ctx) < 0)
					return -1;
		}
	}
	return 0;
}

/* Sends "* n EXPUNGE" for imap_mbox_expunge() and sess_sync(). */
static void
sess_expunged(void *ctx, uint32_t seq)
{
	struct imapd_session *s = ctx;

	sess_untagged(s, "%u EXPUNGE", (unsigned)seq);
	if (s->told_exists > 0)
		s->told_exists--;
}

int
sess_sync(struct imapd_session *s, bool allow_expunge)
{
	struct imap_mbox_changes ch;
	const char *error = NULL;
	struct buf b;
	size_t k;

	if (s->mb == NULL || !allow_expunge)
		return 0;
	memset(&ch, 0, sizeof(ch));
	if (imap_mbox_sync(s->mb, &ch, &error) < 0) {
		if (errno == ENOENT) {
			log_msg(LOG_NOTICE, "selected mailbox %s was deleted",
				s->mb->dir);
			sess_untagged(s, "BYE Selected mailbox was deleted, "
					 "have to disconnect.");
			s->done = true;
			return -1;
		}
		if (errno == ESTALE) {
			/* the uid list was rebuilt: every UID the client
			 * holds is void, and there is no way to say so to
			 * a selected mailbox (as Dovecot: disconnect) */
			log_msg(LOG_NOTICE,
				"UIDVALIDITY of the selected mailbox %s "
				"changed",
				s->mb->dir);
			sess_untagged(s, "BYE Mailbox UIDVALIDITY changed, "
					 "have to disconnect.");
			s->done = true;
			return -1;
		}
		log_msg(LOG_WARNING, "sync of %s: %s", s->mb->dir,
			error != NULL ? error : strerror(errno));
		return 0;
	}
	for (k = 0; k < ch.n_expunged; k++)
		sess_expunged(s, ch.expunged[k]);
	/* ch.keywords_changed also reports keywords this session created
	 * (STORE), which the handler announced itself, possibly commands
	 * ago (the sync is skipped after FETCH, STORE, SEARCH): the list
	 * only grows, so what is due is a FLAGS line when the client knows
	 * fewer keywords than there are (conn.c counts every FLAGS line). */
	if (s->mb->keyword_count != s->told_keywords)
		sess_send_flags(s);
	buf_init(&b, 0);
	for (k = 0; k < ch.n_flags_changed; k++) {
		size_t i = ch.flags_changed[k];

		if (i >= s->mb->n - ch.n_new)
			continue; /* new to the client: EXISTS tells */
		buf_reset(&b);
		if (sess_flags_append(s, i, &b) == 0)
			sess_untagged(s, "%zu FETCH (UID %u FLAGS %s)", i + 1,
				      (unsigned)s->mb->msgs[i].uid,
				      buf_cstr(&b));
	}
	buf_free(&b);
	/* EXISTS never goes down: expunges were reported one by one. RECENT
	 * goes with it, and on its own when the count changed. */
	if (ch.n_new > 0 || s->mb->n > s->told_exists) {
		sess_untagged(s, "%zu EXISTS", s->mb->n);
		sess_untagged(s, "%zu RECENT", s->mb->recent);
	} else if (s->mb->recent != s->told_recent) {
		sess_untagged(s, "%zu RECENT", s->mb->recent);
	}
	s->told_exists = (uint32_t)s->mb->n;
	s->told_recent = s->mb->recent;
	imap_mbox_changes_free(&ch);
	return 0;
}

/* --- commands of any state --- */

void
cmd_capability(struct imapd_session *s, const struct imap_arg *args, size_t n,
	       bool uid)
{
	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "CAPABILITY takes no arguments.");
		return;
	}
	sess_untagged(s, "CAPABILITY %s", conn_capability(s));
	sess_reply(s, IMAPD_OK, "Capability completed.");
}

void
cmd_noop(struct imapd_session *s, const struct imap_arg *args, size_t n,
	 bool uid)
{
	sess_reply(s, IMAPD_OK, "NOOP completed.");
}

void
cmd_logout(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	sess_untagged(s, "BYE Logging out");
	sess_reply(s, IMAPD_OK, "Logout completed.");
	if (s->mb != NULL)
		imap_mbox_close(&s->mb);
	s->state = IMAPD_STATE_LOGOUT;
	s->done = true;
}

/* RFC 2971: the client's parameters are NIL or a list of string pairs
 * (at most 30 pairs, names of at most 30 bytes, values of 1024). */
void
cmd_id(struct imapd_session *s, const struct imap_arg *args, size_t n, bool uid)
{
	const struct imap_arg *list;
	size_t len, k, cnt;
	const char *str;

	if (n != 1) {
		sess_reply(s, IMAPD_BAD, "Invalid ID arguments.");
		return;
	}
	if (args[0].type != IMAP_ARG_NIL) {
		if (!imap_arg_get_list(&args[0], &list, &cnt) || cnt % 2 != 0 ||
		    cnt > 60) {
			sess_reply(s, IMAPD_BAD, "Invalid ID arguments.");
			return;
		}
		for (k = 0; k < cnt; k++) {
			if (!imap_arg_get_nstring(&list[k], &str, &len) ||
			    (k % 2 == 0 && (str == NULL || len > 30)) ||
			    len > 1024) {
				sess_reply(s, IMAPD_BAD,
					   "Invalid ID arguments.");
				return;
			}
		}
	}
	sess_untagged(s, "ID (\"name\" \"quail\")");
	sess_reply(s, IMAPD_OK, "ID completed.");
}

/* --- authenticated state --- */

void
cmd_namespace(struct imapd_session *s, const struct imap_arg *args, size_t n,
	      bool uid)
{
	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "NAMESPACE takes no arguments.");
		return;
	}
	sess_untagged(s, "NAMESPACE ((\"\" \".\")) NIL NIL");
	sess_reply(s, IMAPD_OK, "Namespace completed.");
}

/* RFC 5161: nothing quail offers can be enabled; the names are checked
 * as atoms and ignored (3.1: unknown ones are not an error). */
void
cmd_enable(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	const char *atom;
	size_t k;

	if (n == 0) {
		sess_reply(s, IMAPD_BAD, "ENABLE needs capability names.");
		return;
	}
	for (k = 0; k < n; k++) {
		if (!imap_arg_get_atom(&args[k], &atom)) {
			sess_reply(s, IMAPD_BAD, "Invalid capability name.");
			return;
		}
	}
	sess_untagged(s, "ENABLED");
	sess_reply(s, IMAPD_OK, "Enabled.");
}

/* Closes the selected mailbox (CLOSE, UNSELECT, a new SELECT). */
static void
sess_unselect(struct imapd_session *s)
{
	if (s->mb != NULL)
		imap_mbox_close(&s->mb);
	s->mb_name[0] = '\0';
	s->readonly = false;
	s->told_exists = 0;
	s->told_recent = 0;
	s->told_keywords = 0;
	s->state = IMAPD_STATE_AUTH;
}

/* SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2). */
static void
sess_select(struct imapd_session *s, const struct imap_arg *args, size_t n,
	    bool examine)
{
	char path[PATH_MAX], canon[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	const char *name, *error = NULL;
	struct imap_mbox *mb = NULL;
	size_t len, i;

	if (n != 1 || !imap_arg_get_astring(&args[0], &name, &len)) {
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return;
	}
	if (s->mb != NULL) {
		/* RFC 7162 3.2.11: the old mailbox is closed first, even
		 * when the new one cannot be opened */
		sess_unselect(s);
		sess_untagged(s, "OK [CLOSED] Previous mailbox closed.");
	}
	if (sess_mailbox_path(s, name, len, path, sizeof(path), canon,
			      sizeof(canon), &error) < 0) {
		sess_reply(s, IMAPD_NO, "%s", error);
		return;
	}
	if (imap_mbox_open(&mb, path, examine, &error) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			sess_reply(s, IMAPD_NO,
				   "[NONEXISTENT] Mailbox doesn't "
				   "exist: %s",
				   canon);
		} else {
			log_msg(LOG_ERR, "cannot open %s: %s", path,
				error != NULL ? error : strerror(errno));
			sess_reply(s, IMAPD_NO,
				   "[SERVERBUG] Cannot open "
				   "mailbox %s.",
				   canon);
		}
		return;
	}
	s->mb = mb;
	snprintf(s->mb_name, sizeof(s->mb_name), "%s", canon);
	s->readonly = examine || mb->readonly;
	s->state = IMAPD_STATE_SELECTED;
	s->told_exists = (uint32_t)mb->n;
	sess_send_flags(s);
	sess_untagged(s, "%zu EXISTS", mb->n);
	sess_untagged(s, "%zu RECENT", mb->recent);
	s->told_recent = mb->recent;
	for (i = 0; i < mb->n; i++) {
		if (!(mb->msgs[i].flags & IMAP_MBOX_SEEN)) {
			sess_untagged(s, "OK [UNSEEN %zu] First unseen.",
				      i + 1);
			break;
		}
	}
	sess_untagged(s, "OK [UIDVALIDITY %u] UIDs valid",
		      (unsigned)mb->uidvalidity);
	sess_untagged(s, "OK [UIDNEXT %u] Predicted next UID",
		      (unsigned)mb->uidnext);
	if (s->readonly)
		sess_reply(s, IMAPD_OK, "[READ-ONLY] %s completed.",
			   examine ? "Examine" : "Select");
	else
		sess_reply(s, IMAPD_OK, "[READ-WRITE] Select completed.");
}

void
cmd_select(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	sess_select(s, args, n, false);
}

void
cmd_examine(struct imapd_session *s, const struct imap_arg *args, size_t n,
	    bool uid)
{
	sess_select(s, args, n, true);
}

/* --- selected state --- */

void
cmd_check(struct imapd_session *s, const struct imap_arg *args, size_t n,
	  bool uid)
{
	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "CHECK takes no arguments.");
		return;
	}
	sess_reply(s, IMAPD_OK, "Check completed.");
}

/* Ignores the EXPUNGE reports of CLOSE (RFC 3501 6.4.2: none sent). */
static void
sess_expunged_silently(void *ctx, uint32_t seq)
{
}

void
cmd_close(struct imapd_session *s, const struct imap_arg *args, size_t n,
	  bool uid)
{
	const char *error = NULL;

	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "CLOSE takes no arguments.");
		return;
	}
	if (!s->readonly &&
	    imap_mbox_expunge(s->mb, NULL, true, sess_expunged_silently, NULL,
			      &error) < 0)
		log_msg(LOG_WARNING, "expunge of %s at CLOSE: %s", s->mb->dir,
			error != NULL ? error : strerror(errno));
	sess_unselect(s);
	sess_reply(s, IMAPD_OK, "Close completed.");
}

void
cmd_unselect(struct imapd_session *s, const struct imap_arg *args, size_t n,
	     bool uid)
{
	if (n != 0) {
		sess_reply(s, IMAPD_BAD, "UNSELECT takes no arguments.");
		return;
	}
	sess_unselect(s);
	sess_reply(s, IMAPD_OK, "Unselect completed.");
}

/* EXPUNGE and UID EXPUNGE <uid set> (RFC 3501 6.4.3, RFC 4315 2.1). */
void
cmd_expunge(struct imapd_session *s, const struct imap_arg *args, size_t n,
	    bool uid)
{
	struct imap_seqset set = IMAP_SEQSET_INIT;
	const char *error = NULL;
	int r;

	if (n != (uid ? 1u : 0u)) {
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return;
	}
	if (uid && sess_seqset(s, &args[0], true, &set, &error) < 0) {
		imap_seqset_free(&set);
		sess_reply(s, IMAPD_BAD,
			   "Error in IMAP command UID EXPUNGE: %s", error);
		return;
	}
	if (s->readonly) {
		imap_seqset_free(&set);
		sess_reply(s, IMAPD_NO, "[READ-ONLY] Mailbox is read-only.");
		return;
	}
	r = imap_mbox_expunge(s->mb, uid ? &set : NULL, true, sess_expunged, s,
			      &error);
	imap_seqset_free(&set);
	if (r < 0) {
		log_msg(LOG_WARNING, "expunge of %s: %s", s->mb->dir,
			error != NULL ? error : strerror(errno));
		sess_reply(s, IMAPD_NO,
			   "[SERVERBUG] Some messages could not "
			   "be expunged.");
		return;
	}
	sess_reply(s, IMAPD_OK, "Expunge completed.");
}

/* --- the session --- */

int
session_run(struct imapd_session *s, const struct login_user *u,
	    const char *tag)
{
	const struct imap_command *cmd;
	char safe[LOGIN_USER_MAX_BYTES * 4 + 4];
	const char *error = NULL;

	s->user = *u;
	s->root = s->user.maildir;
	s->state = IMAPD_STATE_AUTH;
	conn_set_postauth(s);
	log_safe(safe, sizeof(safe), u->name, strlen(u->name));
	if (folders_ensure(s, &error) < 0) {
		log_msg(LOG_ERR, "login of %s from %s: %s: %s", safe,
			s->env->remote_ip, u->maildir,
			error != NULL ? error : strerror(errno));
		sess_printf(s,
			    "%s NO [SERVERBUG] Cannot set up the "
			    "mailbox.\r\n",
			    tag);
		s->done = true;
		return -1;
	}
	log_msg(LOG_INFO, "login of %s from %s%s", safe, s->env->remote_ip,
		conn_tls_on(s) ? " (TLS)" : "");
	sess_printf(s, "%s OK [CAPABILITY %s] Logged in\r\n", tag,
		    IMAPD_CAPABILITY_POSTAUTH);
	while (!s->done) {
		if (conn_read_command(s, &cmd) <= 0)
			continue;
		sess_dispatch(s, cmd);
		conn_command_done(s);
	}
	if (s->mb != NULL)
		imap_mbox_close(&s->mb);
	log_msg(LOG_INFO, "logout of %s", safe);
	return 0;
}
