/*
 * message.c -- APPEND (RFC 3501 6.3.11; RFC 4315 UIDPLUS APPENDUID;
 * RFC 7888 LITERAL+; RFC 7889 / 4469 [TOOBIG]) and the helpers the
 * message commands share: the flag-list parser, the target mailbox of
 * APPEND/COPY/MOVE, error replies, uid-set formatting. STORE is in
 * message_store.c, COPY and MOVE in message_copy.c.
 *
 * APPEND never opens or lists the target folder: imap_mbox_append()
 * writes one file and appends one line to its UID list, so appending to a
 * folder of 100k messages costs the same as to an empty one. When the
 * target is the selected mailbox the dispatcher's sync announces the new
 * message (EXISTS) after the tagged reply is built.
 *
 * SECURITY: every argument is untrusted client input, already split by
 * lib/imapparse; mailbox names only become paths through
 * sess_mailbox_path() (which refuses "..", "/" and the like); keyword
 * names are checked to be atoms of bounded length before they reach the
 * folder's keyword file; the message size is bounded by
 * message_size_limit (the parser bounds the literal as well).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "imap_date.h"
#include "imapd.h"
#include "log.h"
#include "message.h"

/* The system flags a client may set, as RFC 3501 2.3.2 names them. */
static const struct {
	const char *name;
	uint32_t flag;
} message_system_flags[] = {
	{ "\\Answered", IMAP_MBOX_ANSWERED }, { "\\Flagged", IMAP_MBOX_FLAGGED },
	{ "\\Deleted", IMAP_MBOX_DELETED },   { "\\Seen", IMAP_MBOX_SEEN },
	{ "\\Draft", IMAP_MBOX_DRAFT },
};

/* ATOM-CHAR of RFC 3501 9: CHAR except atom-specials. The parser's atoms
 * also allow '%', '*', '\' and ']', which a keyword may not hold. */
static bool
message_atom_char(unsigned char c)
{
	if (c <= 0x1f || c >= 0x7f)
		return false;
	return strchr("(){ %*\"\\]", c) == NULL;
}

static int
message_flag_one(const struct imap_arg *arg, struct message_flags *f,
		 const char **error_r)
{
	const char *str;

	/* NIL is an atom (RFC 3501 9: flag-keyword = atom) that the parser
	 * types apart: it is the keyword "NIL" as sent (as Dovecot). */
	if (arg->type == IMAP_ARG_NIL) {
		str = arg->str;
	} else if (!imap_arg_get_atom(arg, &str)) {
		*error_r = "Flags list contains non-atoms.";
		return -1;
	}
	if (str[0] == '\\') {
		for (size_t i = 0; i < sizeof(message_system_flags) /
					    sizeof(message_system_flags[0]);
		     i++) {
			if (strcasecmp(str, message_system_flags[i].name) ==
			    0) {
				f->flags |= message_system_flags[i].flag;
				return 0;
			}
		}
		*error_r = strcasecmp(str, "\\Recent") == 0 ?
				   "\\Recent flag cannot be set." :
				   "Invalid system flag.";
		return -1;
	}
	if (arg->len > IMAP_MBOX_KEYWORD_MAX_BYTES) {
		*error_r = "Keyword too long.";
		return -1;
	}
	for (size_t i = 0; i < arg->len; i++) {
		if (!message_atom_char((unsigned char)str[i])) {
			*error_r = "Invalid characters in keyword.";
			return -1;
		}
	}
	for (size_t k = 0; k < f->nkw; k++) {
		if (f->kw_len[k] == arg->len &&
		    strncasecmp(f->kw[k], str, arg->len) == 0)
			return 0;
	}
	if (f->nkw == IMAP_MBOX_KEYWORDS_MAX) {
		f->too_many = true;
		return 0;
	}
	f->kw[f->nkw] = str;
	f->kw_len[f->nkw] = arg->len;
	f->nkw++;
	return 0;
}

int
message_flags_parse(const struct imap_arg *args, size_t n,
		    struct message_flags *f, const char **error_r)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		if (message_flag_one(&args[i], f, error_r) < 0)
			return -1;
	}
	return 0;
}

/* The mailbox name for a reply: printable ASCII only (a modified UTF-7
 * name always is; anything else is not echoed). */
static const char *
message_name_shown(const char *name)
{
	for (const char *p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return "(unprintable)";
	}
	return name;
}

static bool
message_dir_exists(const char *path)
{
	char cur[PATH_MAX];
	struct stat st;
	int len;

	len = snprintf(cur, sizeof(cur), "%s/cur", path);
	if (len < 0 || (size_t)len >= sizeof(cur))
		return false;
	return stat(cur, &st) == 0 && S_ISDIR(st.st_mode);
}

int
message_target(struct imapd_session *s, const struct imap_arg *arg,
	       char *path, char *name_r)
{
	const char *name, *error;
	size_t len;

	if (!imap_arg_get_astring(arg, &name, &len)) {
		sess_reply(s, IMAPD_BAD, "Invalid mailbox name argument.");
		return -1;
	}
	name_r[0] = '\0';
	if (sess_mailbox_path(s, name, len, path, PATH_MAX, name_r,
			      IMAPD_MAILBOX_NAME_MAX_BYTES + 1, &error) < 0) {
		sess_reply(s, IMAPD_NO, "%s", error);
		return -1;
	}
	if (name_r[0] == '\0' && len <= IMAPD_MAILBOX_NAME_MAX_BYTES &&
	    memchr(name, '\0', len) == NULL) {
		memcpy(name_r, name, len);
		name_r[len] = '\0';
	}
	if (!message_dir_exists(path)) {
		sess_reply(s, IMAPD_NO, "[TRYCREATE] Mailbox doesn't exist: %s",
			   message_name_shown(name_r));
		return -1;
	}
	return 0;
}

void
message_internal_error(struct imapd_session *s, const char *cmd,
		       const char *dir, const char *error)
{
	log_msg(LOG_ERR, "%s %s: %s", cmd, dir,
		error != NULL ? error : strerror(errno));
	sess_reply(s, IMAPD_NO, MESSAGE_SERVERBUG);
}

void
message_write_error(struct imapd_session *s, const char *cmd,
		    const char *dir, const char *name, int err,
		    const char *error)
{
	switch (err) {
	case ENOENT:
		sess_reply(s, IMAPD_NO, "[TRYCREATE] Mailbox doesn't exist: %s",
			   message_name_shown(name));
		break;
	case EMLINK:
		/* the folder's 26 keyword letters are all taken */
		sess_reply(s, IMAPD_NO,
			   "[LIMIT] Too many keywords in this mailbox.");
		break;
	case ENOSPC:
	case EDQUOT:
		log_msg(LOG_WARNING, "%s %s: %s", cmd, dir,
			error != NULL ? error : strerror(err));
		sess_reply(s, IMAPD_NO, "[OVERQUOTA] Not enough disk space.");
		break;
	default:
		errno = err;
		message_internal_error(s, cmd, dir, error);
		break;
	}
}

int
message_uidset_append(struct buf *out, const uint32_t *uids, size_t n)
{
	bool first = true;
	size_t i = 0;

	while (i < n) {
		uint32_t lo, hi;

		if (uids[i] == 0) {
			i++;
			continue;
		}
		lo = hi = uids[i++];
		/* Extend the run over consecutive UIDs (vanished ones, UID 0,
		 * do not break it: they are not in either set). */
		while (i < n && (uids[i] == 0 || (hi < UINT32_MAX &&
						  uids[i] == hi + 1))) {
			if (uids[i] != 0)
				hi = uids[i];
			i++;
		}
		if (buf_printf(out, first ? "%u" : ",%u", lo) < 0)
			return -1;
		if (hi != lo && buf_printf(out, ":%u", hi) < 0)
			return -1;
		first = false;
	}
	return 0;
}

/* ---- APPEND ---------------------------------------------------------- */

/* The size limit of one message in bytes, 0 for none. */
static uint64_t
message_size_limit(const struct imapd_session *s)
{
	return s->env->conf->message_size_limit;
}

static void
message_reply_toobig(struct imapd_session *s)
{
	sess_reply(s, IMAPD_NO,
		   "[TOOBIG] Message is larger than the size limit (%llu "
		   "bytes).",
		   (unsigned long long)message_size_limit(s));
}

static bool
message_too_big(const struct imapd_session *s, uint64_t size)
{
	uint64_t limit = message_size_limit(s);

	return limit != 0 && size > limit;
}

int
append_check(struct imapd_session *s, const struct imap_command *partial,
	     uint64_t literal_size)
{
	char path[PATH_MAX], name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	const char *str;
	size_t len;

	/* With no complete argument yet, the literal is the mailbox name;
	 * with a mailbox that is not even an astring, the command will get
	 * its BAD once complete. */
	if (partial == NULL || partial->n == 0 ||
	    strcasecmp(partial->name, "APPEND") != 0 ||
	    !imap_arg_get_astring(&partial->args[0], &str, &len))
		return 0;
	if (message_target(s, &partial->args[0], path, name) < 0)
		return -1;
	if (message_too_big(s, literal_size)) {
		message_reply_toobig(s);
		return -1;
	}
	return 0;
}

/* APPEND's arguments after the mailbox. */
struct message_append_args {
	const struct imap_arg *flags; /* the list, or NULL */
	const char *date;	      /* NULL: now */
	size_t date_len;
	const char *data;
	size_t len;
};

static int
message_append_syntax(const struct imap_arg *args, size_t n,
		      struct message_append_args *a, const char **error_r)
{
	size_t i = 1;

	memset(a, 0, sizeof(*a));
	*error_r = "Invalid arguments.";
	if (n < 2)
		return -1;
	if (args[i].type == IMAP_ARG_LIST)
		a->flags = &args[i++];
	if (i < n && args[i].type == IMAP_ARG_STRING) {
		a->date = args[i].str;
		a->date_len = args[i].len;
		i++;
	}
	if (i >= n || args[i].type != IMAP_ARG_LITERAL)
		return -1;
	a->data = args[i].str;
	a->len = args[i].len;
	/* MULTIAPPEND (RFC 3502) is not offered: one message only. */
	if (i + 1 != n)
		return -1;
	return 0;
}

void
cmd_append(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	char path[PATH_MAX], name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	struct message_append_args a;
	struct message_flags f;
	const char *error;
	uint32_t uidvalidity, new_uid;
	time_t date;

	if (uid || message_append_syntax(args, n, &a, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return;
	}
	memset(&f, 0, sizeof(f));
	if (a.flags != NULL &&
	    message_flags_parse(a.flags->list, a.flags->n, &f, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "%s", error);
		return;
	}
	if (a.date == NULL)
		date = time(NULL);
	else if (imap_date_time_parse(a.date, a.date_len, &date, NULL) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid internal date.");
		return;
	}
	if (message_target(s, &args[0], path, name) < 0)
		return;
	if (f.too_many) {
		sess_reply(s, IMAPD_NO, "[LIMIT] Too many keywords.");
		return;
	}
	if (a.len == 0) {
		sess_reply(s, IMAPD_NO, "Can't save a zero byte message.");
		return;
	}
	if (message_too_big(s, a.len)) {
		message_reply_toobig(s);
		return;
	}
	if (imap_mbox_append(path, a.data, a.len, f.flags, f.kw, f.nkw, date,
			     &uidvalidity, &new_uid, &error) < 0) {
		message_write_error(s, "APPEND", path, name, errno, error);
		return;
	}
	sess_reply(s, IMAPD_OK, "[APPENDUID %u %u] Append completed.",
		   uidvalidity, new_uid);
}
