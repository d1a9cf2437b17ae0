/*
 * folders.c -- quail-imapd's folder commands: LIST (RFC 3501 6.3.8,
 * RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE,
 * RFC 3348 CHILDREN), LSUB, CREATE, DELETE, RENAME, SUBSCRIBE,
 * UNSUBSCRIBE, STATUS, and the folders every account gets at login.
 *
 * The store is Maildir++: INBOX is the Maildir root, folder "a.b" is the
 * directory ".a.b" beside it (a Maildir with the empty file
 * "maildirfolder"); a level "a" need not exist for "a.b" to (it is then
 * listed \Noselect, or \NonExistent under LIST-EXTENDED, as Dovecot
 * does). Subscriptions are "<root>/subscriptions" (lib/imap_list.h).
 *
 * Folders are created under a temporary name that is never a valid
 * folder name ("..CREATE.<unique>", since folder names cannot start with
 * ".") and renamed into place without replacing anything, so a folder
 * appears complete or not at all. DELETE first renames the folder away to
 * "..DELETED.<unique>", then removes its files. What an interrupted
 * CREATE or DELETE leaves is removed at a later session's first LIST
 * (folders_sweep).
 *
 * SECURITY: names come from the client and go through
 * sess_mailbox_path() (mutf7_maildir_name_check) before they touch the
 * file system; RENAME checks every derived name the same way. Removal
 * never follows symlinks (openat with O_NOFOLLOW, unlinkat) and descends
 * at most FOLDERS_RMTREE_DEPTH_MAX levels. The session runs as the
 * mailbox owner: nothing here can reach beyond what the owner can.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "dirsync.h"
#include "imap_list.h"
#include "imap_string.h"
#include "imapd.h"
#include "log.h"
#include "maildir.h"
#include "mutf7.h"

/* A "..CREATE.*" directory older than this was left by a CREATE that
 * was interrupted (a CREATE takes milliseconds); see folders_sweep(). */
#define FOLDERS_LEFTOVER_SECS 3600
/* Leftovers removed by one sweep (the next session takes the rest). */
#define FOLDERS_LEFTOVERS_MAX 16
/* Levels below a deleted folder we descend into (cur/new/tmp are 1). */
#define FOLDERS_RMTREE_DEPTH_MAX 4
/* Passes over a directory being emptied (another session may add). */
#define FOLDERS_RMTREE_PASSES 3
/* Patterns in one LIST (RFC 5258 pattern list). */
#define FOLDERS_LIST_PATTERNS_MAX 64
#define FOLDERS_MAILDIRFOLDER "maildirfolder"
/* Entries in the array a. */
#define FOLDERS_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* STATUS items (RFC 3501 6.3.10). */
#define FOLDERS_ST_MESSAGES 0x01u
#define FOLDERS_ST_RECENT 0x02u
#define FOLDERS_ST_UIDNEXT 0x04u
#define FOLDERS_ST_UIDVALIDITY 0x08u
#define FOLDERS_ST_UNSEEN 0x10u

/* Replies that several commands give. */
#define FOLDERS_ALREADY_EXISTS "[ALREADYEXISTS] Mailbox already exists."
#define FOLDERS_NONEXISTENT "[NONEXISTENT] Mailbox doesn't exist: %s"

/* The special-use folders (RFC 6154) by name; every account gets the
 * first FOLDERS_SPECIAL_CREATED of them at login. */
static const struct {
	const char *name;
	const char *use;
} folders_special[] = {
	{ "Sent", "\\Sent" },
	{ "Drafts", "\\Drafts" },
	{ "Trash", "\\Trash" },
	{ "Junk", "\\Junk" },
	{ "Archive", "\\Archive" },
};
#define FOLDERS_SPECIAL_COUNT FOLDERS_NELEM(folders_special)
#define FOLDERS_SPECIAL_CREATED 4
_Static_assert(FOLDERS_SPECIAL_CREATED <= FOLDERS_SPECIAL_COUNT,
	       "the folders made at login are special-use folders");

const char *
folders_special_use(const char *name)
{
	size_t i;

	for (i = 0; i < FOLDERS_SPECIAL_COUNT; i++)
		if (strcmp(name, folders_special[i].name) == 0)
			return folders_special[i].use;
	return NULL;
}

/* --- file system helpers --- */

/* dir + "/" + name into out (PATH_MAX bytes). 0, or -1 (ENAMETOOLONG). */
static int
folders_join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* path is a Maildir: path/cur is a directory. */
static bool
folders_exists(const char *path)
{
	char cur[PATH_MAX];
	struct stat st;
	int n = snprintf(cur, sizeof(cur), "%s/cur", path);

	if (n < 0 || (size_t)n >= sizeof(cur))
		return false;
	return stat(cur, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A unique name "<root>/..<what>.<pid>.<time>.<counter>": never a
 * folder (a folder name cannot start with "."). 0 / -1. */
static int
folders_tmp_path(const struct imapd_session *s, const char *what, char *out,
		 size_t outlen)
{
	static unsigned long counter;
	int n = snprintf(out, outlen, "%s/..%s.%ld.%lld.%lu", s->root, what,
			 (long)getpid(), (long long)time(NULL), ++counter);

	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
folders_fsync_dir(const char *dir)
{
	int r = dir_fsync(dir);

	if (r < 0 && (errno == EINVAL || errno == EROFS))
		r = 0;
	return r;
}

/* RENAME_NOREPLACE of <linux/fs.h> (not in musl's headers) */
#define FOLDERS_RENAME_NOREPLACE 1u

/* rename(2) that never replaces an existing target (EEXIST). */
static int
folders_rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	/* the system call itself: musl (quail-imapd-session) has no
	 * renameat2() wrapper */
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
		    FOLDERS_RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* the file system cannot do it: check, then rename (racy) */
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* Empties and removes name in the directory parentfd, never following
 * symlinks. 0 / -1. */
static int
folders_rmtree_at(int parentfd, const char *name, unsigned depth)
{
	struct dirent *de;
	struct stat st;
	unsigned pass;
	DIR *d;
	int fd, r = 0;

	for (pass = 0; pass < FOLDERS_RMTREE_PASSES; pass++) {
		fd = openat(parentfd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
			/* a symlink (or file): remove it, not its target */
			if (unlinkat(parentfd, name, 0) == 0 || errno == ENOENT)
				return 0;
			return -1;
		}
		if (fd < 0)
			return errno == ENOENT ? 0 : -1;
		d = fdopendir(fd);
		if (d == NULL) {
			close(fd);
			return -1;
		}
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0)
				continue;
			if (S_ISDIR(st.st_mode)) {
				if (depth >= FOLDERS_RMTREE_DEPTH_MAX ||
				    folders_rmtree_at(fd, de->d_name,
						      depth + 1) < 0)
					r = -1;
			} else if (unlinkat(fd, de->d_name, 0) < 0 &&
				   errno != ENOENT) {
				r = -1;
			}
		}
		closedir(d);
		if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != ENOTEMPTY && errno != EEXIST)
			return -1;
		if (r < 0)
			return -1;
	}
	return -1;
}

/* Removes a half-made temporary folder. */
static void
folders_tmp_cleanup(const char *tmp)
{
	(void)folders_rmtree_at(AT_FDCWD, tmp, 1);
}

/* Creates the Maildir++ folder path (cur/ new/ tmp/ maildirfolder)
 * atomically. 1 created, 0 it already existed, -1 error. */
static int
folders_make(const struct imapd_session *s, const char *path,
	     const char **error_r)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char tmp[PATH_MAX], p[PATH_MAX];
	size_t i;
	int fd, saved;

	if (folders_tmp_path(s, "CREATE", tmp, sizeof(tmp)) < 0) {
		*error_r = "path too long";
		return -1;
	}
	if (mkdir(tmp, MAILDIR_MODE) < 0) {
		*error_r = "cannot create the folder directory";
		return -1;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (folders_join(p, tmp, sub[i]) < 0) {
			*error_r = "path too long";
			goto fail;
		}
		if (mkdir(p, MAILDIR_MODE) < 0) {
			*error_r = "cannot create the folder's cur/new/tmp";
			goto fail;
		}
	}
	if (folders_join(p, tmp, FOLDERS_MAILDIRFOLDER) < 0) {
		*error_r = "path too long";
		goto fail;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || close(fd) < 0) {
		*error_r = "cannot create maildirfolder";
		goto fail;
	}
	if (folders_rename_noreplace(tmp, path) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			folders_tmp_cleanup(tmp);
			return 0;
		}
		*error_r = "cannot rename the new folder into place";
		goto fail;
	}
	if (folders_fsync_dir(s->root) < 0) {
		*error_r = "cannot sync the Maildir";
		return -1;
	}
	return 1;
fail:
	saved = errno;
	folders_tmp_cleanup(tmp);
	errno = saved;
	return -1;
}

/* --- argument helpers --- */

/* A mailbox argument (astring) into name (NUL-terminated). false: BAD. */
static bool
folders_name_arg(const struct imap_arg *arg, char *name, size_t *len_r)
{
	const char *str;
	size_t len;

	if (!imap_arg_get_astring(arg, &str, &len) ||
	    len > IMAPD_MAILBOX_NAME_MAX_BYTES)
		return false;
	memcpy(name, str, len);
	name[len] = '\0';
	*len_r = len;
	return true;
}

/* A command's arguments: n must be want and args[0] a mailbox name, put
 * into name (*len_r). false: answered BAD. */
static bool
folders_cmd_name(struct imapd_session *s, const struct imap_arg *args,
		 size_t n, size_t want, char *name, size_t *len_r)
{
	if (n == want && folders_name_arg(&args[0], name, len_r))
		return true;
	sess_reply(s, IMAPD_BAD, "Invalid arguments.");
	return false;
}

/* The path (PATH_MAX bytes) and, if canon is not NULL, the canonical
 * name (IMAPD_MAILBOX_NAME_MAX_BYTES + 1 bytes) of mailbox name[0..len).
 * false: answered NO, with code ("[CANNOT] " or "") before the reason. */
static bool
folders_cmd_path(struct imapd_session *s, const char *name, size_t len,
		 char *path, char *canon, const char *code)
{
	const char *error = NULL;

	if (sess_mailbox_path(s, name, len, path, PATH_MAX, canon,
			      canon != NULL ? IMAPD_MAILBOX_NAME_MAX_BYTES + 1
					    : 0,
			      &error) == 0)
		return true;
	sess_reply(s, IMAPD_NO, "%s%s", code, error);
	return false;
}

static bool
folders_is_inbox(const char *name, size_t len)
{
	return len == 5 && strncasecmp(name, "INBOX", 5) == 0;
}

/* --- login --- */

static int
folders_subs_add_defaults(struct imap_list_names *subs, void *ctx,
			  const char **error_r)
{
	size_t i;

	(void)ctx;
	if (imap_list_names_insert(subs, "INBOX", 5) < 0) {
		*error_r = "out of memory";
		return -1;
	}
	for (i = 0; i < FOLDERS_SPECIAL_CREATED; i++) {
		const char *name = folders_special[i].name;

		if (imap_list_names_insert(subs, name, strlen(name)) < 0) {
			*error_r = "out of memory";
			return -1;
		}
	}
	return 1;
}

/* Only a Maildir root that cannot be made fails the login; a special
 * folder or the subscriptions that cannot be written are logged (a full
 * disk must not keep the user from reading INBOX) and tried again at the
 * next login. Costs 8 stat(2) calls when everything exists. */
int
folders_ensure(struct imapd_session *s, const char **error_r)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	const char *error = NULL;
	char path[PATH_MAX];
	struct stat st;
	size_t i;
	int n;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (folders_join(path, s->root, sub[i]) < 0) {
			*error_r = "Maildir path too long";
			return -1;
		}
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			break;
	}
	if (i < sizeof(sub) / sizeof(sub[0]) &&
	    maildir_create(s->root, s->user.system_user ? 0 : 0700, error_r) <
		    0)
		return -1;
	for (i = 0; i < FOLDERS_SPECIAL_CREATED; i++) {
		n = snprintf(path, sizeof(path), "%s/.%s", s->root,
			     folders_special[i].name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			*error_r = "Maildir path too long";
			return -1;
		}
		if (folders_exists(path))
			continue;
		/* a full disk must not lock the user out of INBOX: log */
		if (folders_make(s, path, &error) < 0)
			log_msg(LOG_ERR, "cannot create folder %s: %s: %s",
				folders_special[i].name, error,
				strerror(errno));
	}
	if (folders_join(path, s->root, IMAP_LIST_SUBS_FILE) < 0) {
		*error_r = "Maildir path too long";
		return -1;
	}
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return 0;
	if (imap_list_subs_update(s->root, folders_subs_add_defaults, NULL,
				  &error) < 0)
		log_msg(LOG_ERR, "cannot write the subscriptions of %s: %s: %s",
			s->root, error, strerror(errno));
	return 0;
}

/* --- keyword lists: STATUS items, LIST options --- */

/* A keyword and the bits it sets: FOLDERS_ST_* or IMAP_LIST_SEL_* in
 * bits, FOLDERS_RET_* in ret. */
struct folders_keyword {
	const char *name;
	unsigned bits;
	unsigned ret;
};

/* The entry of the atom arg in the table of count, or NULL. */
static const struct folders_keyword *
folders_keyword(const struct folders_keyword *table, size_t count,
		const struct imap_arg *arg)
{
	size_t k;

	if (arg->type != IMAP_ARG_ATOM)
		return NULL;
	for (k = 0; k < count; k++)
		if (imap_arg_atom_equals(arg, table[k].name))
			return &table[k];
	return NULL;
}

/* --- STATUS --- */

static const struct folders_keyword folders_status_names[] = {
	{ "MESSAGES", FOLDERS_ST_MESSAGES, 0 },
	{ "RECENT", FOLDERS_ST_RECENT, 0 },
	{ "UIDNEXT", FOLDERS_ST_UIDNEXT, 0 },
	{ "UIDVALIDITY", FOLDERS_ST_UIDVALIDITY, 0 },
	{ "UNSEEN", FOLDERS_ST_UNSEEN, 0 },
};
#define FOLDERS_STATUS_NAMES FOLDERS_NELEM(folders_status_names)

static int
folders_status_items(const struct imap_arg *arg, unsigned *items_r)
{
	const struct folders_keyword *kw;
	const struct imap_arg *list;
	size_t n, i;

	*items_r = 0;
	if (!imap_arg_get_list(arg, &list, &n) || n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		kw = folders_keyword(folders_status_names, FOLDERS_STATUS_NAMES,
				     &list[i]);
		if (kw == NULL)
			return -1;
		*items_r |= kw->bits;
	}
	return 0;
}

/* The counts of mailbox canon at path: 1 found, 0 no such mailbox, -1
 * error (*error_r). The selected mailbox answers from memory. */
static int
folders_status_get(struct imapd_session *s, const char *canon, const char *path,
		   struct imap_mbox_status *st, const char **error_r)
{
	const struct imap_mbox *mb = s->mb;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (mb != NULL && strcmp(s->mb_name, canon) == 0) {
		st->messages = (uint32_t)mb->n;
		st->recent = (uint32_t)mb->recent;
		st->uidnext = mb->uidnext;
		st->uidvalidity = mb->uidvalidity;
		for (i = 0; i < mb->n; i++) {
			if ((mb->msgs[i].flags & IMAP_MBOX_SEEN) == 0)
				st->unseen++;
			st->size += mb->msgs[i].vsize;
		}
		return 1;
	}
	if (!folders_exists(path))
		return 0;
	if (imap_mbox_status(path, st, error_r) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	return 1;
}

static void
folders_status_send(struct imapd_session *s, const char *canon, unsigned items,
		    const struct imap_mbox_status *st)
{
	/* in the order of folders_status_names */
	const uint32_t values[FOLDERS_STATUS_NAMES] = {
		st->messages, st->recent, st->uidnext, st->uidvalidity,
		st->unseen,
	};
	struct buf b;
	const char *sp = "";
	size_t i;

	buf_init(&b, 0);
	buf_append_str(&b, "* STATUS ");
	imap_astring_append(&b, canon, strlen(canon));
	buf_append_str(&b, " (");
	for (i = 0; i < FOLDERS_STATUS_NAMES; i++) {
		if ((items & folders_status_names[i].bits) == 0)
			continue;
		buf_printf(&b, "%s%s %u", sp, folders_status_names[i].name,
			   (unsigned)values[i]);
		sp = " ";
	}
	buf_append_str(&b, ")\r\n");
	sess_write(s, b.data, b.len);
	buf_free(&b);
}

void
cmd_status(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	char name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char canon[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char path[PATH_MAX];
	struct imap_mbox_status st;
	const char *error = NULL;
	unsigned items;
	size_t len;
	int r;

	(void)uid;
	if (!folders_cmd_name(s, args, n, 2, name, &len))
		return;
	if (folders_status_items(&args[1], &items) < 0) {
		sess_reply(s, IMAPD_BAD, "Invalid status items.");
		return;
	}
	if (!folders_cmd_path(s, name, len, path, canon, ""))
		return;
	r = folders_status_get(s, canon, path, &st, &error);
	if (r == 0) {
		sess_reply(s, IMAPD_NO, FOLDERS_NONEXISTENT, canon);
		return;
	}
	if (r < 0) {
		log_msg(LOG_ERR, "status of %s: %s: %s", path,
			error != NULL ? error : "error", strerror(errno));
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Internal error.");
		return;
	}
	folders_status_send(s, canon, items, &st);
	sess_reply(s, IMAPD_OK, "Status completed.");
}

/* --- LIST, LSUB --- */

/* Return options. \HasChildren/\HasNoChildren are always sent (as
 * Dovecot does for LIST; RFC 5258 4 allows it), so CHILDREN changes
 * nothing; special-use attributes go with plain LIST, RETURN
 * (SPECIAL-USE) and the SPECIAL-USE selection (RFC 6154 2). */
#define FOLDERS_RET_SUBSCRIBED 0x1u
#define FOLDERS_RET_CHILDREN 0x2u
#define FOLDERS_RET_SPECIAL_USE 0x4u
#define FOLDERS_RET_STATUS 0x8u

struct folders_list {
	bool lsub;
	bool extended;	 /* LIST-EXTENDED syntax was used */
	unsigned select; /* IMAP_LIST_SEL_* */
	unsigned ret;	 /* FOLDERS_RET_* */
	unsigned status_items;
	const char *patterns[FOLDERS_LIST_PATTERNS_MAX];
	size_t pattern_lens[FOLDERS_LIST_PATTERNS_MAX];
	size_t n_patterns;
	/* LSUB: levels shown only for subscribed children need a
	 * pattern ending in "%" (RFC 3501 6.3.9) */
	bool lsub_percent;
};

static const struct folders_keyword folders_list_select_names[] = {
	{ "SUBSCRIBED", IMAP_LIST_SEL_SUBSCRIBED, FOLDERS_RET_SUBSCRIBED },
	{ "REMOTE", 0, 0 }, /* no remote mailboxes (RFC 2193) */
	{ "RECURSIVEMATCH", IMAP_LIST_SEL_RECURSIVEMATCH, 0 },
	{ "SPECIAL-USE", IMAP_LIST_SEL_SPECIAL_USE, FOLDERS_RET_SPECIAL_USE },
};
static const struct folders_keyword folders_list_return_names[] = {
	{ "SUBSCRIBED", 0, FOLDERS_RET_SUBSCRIBED },
	{ "CHILDREN", 0, FOLDERS_RET_CHILDREN },
	{ "SPECIAL-USE", 0, FOLDERS_RET_SPECIAL_USE },
};

#define FOLDERS_LIST_SELECT_NAMES FOLDERS_NELEM(folders_list_select_names)
#define FOLDERS_LIST_RETURN_NAMES FOLDERS_NELEM(folders_list_return_names)

/* Selection options (RFC 5258 3, RFC 6154), or with ret the return
 * options (RFC 5258 4, RFC 5819 STATUS, RFC 6154). 0, or -1 with
 * *error_r. */
static int
folders_list_opts(struct folders_list *l, const struct imap_arg *arg,
		  bool ret, const char **error_r)
{
	const struct folders_keyword *table =
		ret ? folders_list_return_names : folders_list_select_names;
	size_t count = ret ? FOLDERS_LIST_RETURN_NAMES
			   : FOLDERS_LIST_SELECT_NAMES;
	const struct folders_keyword *kw;
	const struct imap_arg *list;
	size_t n, i;

	if (!imap_arg_get_list(arg, &list, &n)) {
		*error_r = ret ? "Invalid return options."
			       : "Invalid selection options.";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (ret && imap_arg_atom_equals(&list[i], "STATUS") &&
		    i + 1 < n) {
			if (folders_status_items(&list[i + 1],
						 &l->status_items) < 0) {
				*error_r = "Invalid status items.";
				return -1;
			}
			l->ret |= FOLDERS_RET_STATUS;
			i++;
			continue;
		}
		kw = folders_keyword(table, count, &list[i]);
		if (kw == NULL) {
			*error_r = ret ? "Unknown return option."
				       : "Unknown selection option.";
			return -1;
		}
		l->select |= kw->bits;
		l->ret |= kw->ret;
	}
	if (!ret && (l->select & IMAP_LIST_SEL_RECURSIVEMATCH) != 0 &&
	    (l->select &
	     (IMAP_LIST_SEL_SUBSCRIBED | IMAP_LIST_SEL_SPECIAL_USE)) == 0) {
		*error_r = "RECURSIVEMATCH must not be the only selection "
			   "option.";
		return -1;
	}
	return 0;
}

/* Appends ref + pattern and a NUL to arena (reference and pattern are
 * simply joined, as Dovecot does for Maildir++). 0 / -1. */
static int
folders_list_join(struct buf *arena, const char *ref, size_t reflen,
		  const char *pat, size_t patlen, size_t *len_r)
{
	if (buf_append(arena, ref, reflen) < 0 ||
	    buf_append(arena, pat, patlen) < 0 || buf_putc(arena, '\0') < 0)
		return -1;
	*len_r = reflen + patlen;
	return 0;
}

static void
folders_list_attrs(const struct folders_list *l, const char *name, unsigned fl,
		   struct buf *b)
{
	const char *sp = "";
	const char *special;

	if ((fl & IMAP_LIST_F_SUBSCRIBED) != 0 &&
	    (l->ret & FOLDERS_RET_SUBSCRIBED) != 0) {
		buf_append_str(b, "\\Subscribed");
		sp = " ";
	}
	if ((fl & IMAP_LIST_F_NONEXISTENT) != 0) {
		buf_printf(b, "%s%s", sp,
			   l->extended ? "\\NonExistent" : "\\Noselect");
		sp = " ";
	}
	buf_printf(b, "%s%s", sp,
		   (fl & IMAP_LIST_F_CHILDREN) != 0 ? "\\HasChildren"
						    : "\\HasNoChildren");
	if ((!l->extended || (l->ret & FOLDERS_RET_SPECIAL_USE) != 0) &&
	    (fl & IMAP_LIST_F_NONEXISTENT) == 0 &&
	    (special = folders_special_use(name)) != NULL)
		buf_printf(b, " %s", special);
}

static void
folders_list_send(struct imapd_session *s, const struct folders_list *l,
		  const struct imap_list_result *res)
{
	struct imap_mbox_status st;
	char path[PATH_MAX];
	const char *error;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < res->names.n && !s->done; i++) {
		const char *name = res->names.names[i];
		unsigned fl = res->flags[i];

		buf_reset(&b);
		if (l->lsub) {
			if ((fl & IMAP_LIST_F_SUBSCRIBED) == 0 &&
			    !l->lsub_percent)
				continue;
			buf_append_str(&b, "* LSUB (");
			if ((fl & IMAP_LIST_F_SUBSCRIBED) == 0)
				buf_append_str(&b, "\\Noselect");
		} else {
			buf_append_str(&b, "* LIST (");
			folders_list_attrs(l, name, fl, &b);
		}
		buf_append_str(&b, ") \".\" ");
		imap_astring_append(&b, name, strlen(name));
		if (!l->lsub && (fl & IMAP_LIST_F_CHILD_MATCH) != 0)
			buf_printf(&b, " (\"CHILDINFO\" (\"%s\"))",
				   (l->select & IMAP_LIST_SEL_SUBSCRIBED) != 0
					   ? "SUBSCRIBED"
					   : "SPECIAL-USE");
		buf_append_str(&b, "\r\n");
		sess_write(s, b.data, b.len);
		/* RFC 5819: STATUS after the LIST of a selectable mailbox */
		if ((l->ret & FOLDERS_RET_STATUS) != 0 &&
		    (fl & IMAP_LIST_F_NONEXISTENT) == 0 &&
		    (fl & IMAP_LIST_F_SELECTED) != 0 &&
		    sess_mailbox_path(s, name, strlen(name), path, sizeof(path),
				      NULL, 0, &error) == 0) {
			error = NULL;
			if (folders_status_get(s, name, path, &st, &error) > 0)
				folders_status_send(s, name, l->status_items,
						    &st);
		}
	}
	buf_free(&b);
}

/* LIST/LSUB "" "": the hierarchy delimiter and the root of ref. */
static void
folders_list_root(struct imapd_session *s, const char *ref, size_t reflen)
{
	const char *dot = memchr(ref, '.', reflen);
	struct buf b;

	buf_init(&b, 0);
	buf_append_str(&b, "* LIST (\\Noselect) \".\" ");
	if (dot == NULL)
		buf_append_str(&b, "\"\"");
	else
		imap_string_append(&b, ref, (size_t)(dot - ref) + 1);
	buf_append_str(&b, "\r\n");
	sess_write(s, b.data, b.len);
	buf_free(&b);
}

static void
folders_list_run(struct imapd_session *s, bool lsub,
		 const struct imap_arg *args, size_t n)
{
	struct folders_list l;
	struct imap_list_names folders = { 0 }, subs = { 0 };
	struct imap_list_query q;
	struct imap_list_result res = { 0 };
	const struct imap_arg *pats;
	const char *ref, *pat, *error = "Invalid arguments.";
	size_t reflen, patlen, npats, i, a = 0;
	struct buf arena;

	memset(&l, 0, sizeof(l));
	l.lsub = lsub;
	buf_init(&arena, 0);
	if (!lsub && a < n && args[a].type == IMAP_ARG_LIST) {
		l.extended = true;
		if (folders_list_opts(&l, &args[a], false, &error) < 0)
			goto bad;
		a++;
	}
	if (a + 2 > n || !imap_arg_get_astring(&args[a], &ref, &reflen))
		goto bad;
	a++;
	if (!lsub && args[a].type == IMAP_ARG_LIST) {
		l.extended = true;
		pats = args[a].list;
		npats = args[a].n;
		if (npats == 0 || npats > FOLDERS_LIST_PATTERNS_MAX)
			goto bad;
	} else {
		pats = &args[a];
		npats = 1;
	}
	a++;
	if (!lsub && a < n) {
		if (a + 2 != n || !imap_arg_atom_equals(&args[a], "RETURN"))
			goto bad;
		l.extended = true;
		if (folders_list_opts(&l, &args[a + 1], true, &error) < 0)
			goto bad;
		a += 2;
	}
	if (a != n)
		goto bad;
	for (i = 0; i < npats; i++) {
		if (!imap_arg_get_astring(&pats[i], &pat, &patlen)) {
			error = "Invalid pattern.";
			goto bad;
		}
		if (!l.extended && !lsub && patlen == 0) {
			folders_list_root(s, ref, reflen);
			buf_free(&arena);
			sess_reply(s, IMAPD_OK, "List completed.");
			return;
		}
		if (lsub)
			l.lsub_percent = patlen > 0 && pat[patlen - 1] == '%';
		if (folders_list_join(&arena, ref, reflen, pat, patlen,
				      &l.pattern_lens[i]) < 0) {
			buf_free(&arena);
			sess_reply(s, IMAPD_NO, "[SERVERBUG] Out of memory.");
			return;
		}
	}
	/* the arena no longer moves: turn offsets into pointers */
	for (i = 0, patlen = 0; i < npats; i++) {
		l.patterns[i] = arena.data + patlen;
		patlen += l.pattern_lens[i] + 1;
	}
	l.n_patterns = npats;
	if (lsub)
		l.select = IMAP_LIST_SEL_SUBSCRIBED |
			   IMAP_LIST_SEL_RECURSIVEMATCH;

	if (imap_list_folders_read(s->root, &folders, &error) < 0 ||
	    imap_list_subs_read(s->root, &subs, NULL, &error) < 0) {
		log_msg(LOG_ERR, "list of %s: %s: %s", s->root, error,
			strerror(errno));
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Internal error.");
		goto out;
	}
	memset(&q, 0, sizeof(q));
	q.folders = &folders;
	q.subs = &subs;
	q.patterns = l.patterns;
	q.pattern_lens = l.pattern_lens;
	q.n_patterns = l.n_patterns;
	q.select = l.select;
	q.special_use = folders_special_use;
	if (imap_list_select(&q, &res) < 0) {
		sess_reply(s, IMAPD_NO,
			   errno == E2BIG ? "[LIMIT] Too many mailboxes."
					  : "[SERVERBUG] Out of memory.");
		goto out;
	}
	folders_list_send(s, &l, &res);
	sess_reply(s, IMAPD_OK, lsub ? "Lsub completed." : "List completed.");
out:
	imap_list_result_free(&res);
	imap_list_names_free(&folders);
	imap_list_names_free(&subs);
	buf_free(&arena);
	return;
bad:
	buf_free(&arena);
	sess_reply(s, IMAPD_BAD, "%s", error);
}

/* Removes what an interrupted CREATE or DELETE left in the root (the
 * process was killed between its steps): every "..DELETED.*" directory
 * (a folder already renamed away for deletion; another session deleting
 * it at the same time only races us to the same end) and "..CREATE.*"
 * directories not modified for FOLDERS_LEFTOVER_SECS (younger ones may
 * be a CREATE in progress). Neither is ever listed. Once per session, at
 * its first LIST, as Dovecot removes its leftover trash directories
 * while listing; failures are logged and left for the next session. */
static void
folders_sweep(struct imapd_session *s)
{
	static bool swept;
	char found[FOLDERS_LEFTOVERS_MAX][NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	size_t n = 0, i;
	DIR *d;
	int dfd;

	if (swept)
		return;
	swept = true;
	dfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	while (n < FOLDERS_LEFTOVERS_MAX && (de = readdir(d)) != NULL) {
		bool deleted = strncmp(de->d_name, "..DELETED.", 10) == 0;

		if (!deleted && strncmp(de->d_name, "..CREATE.", 9) != 0)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) ||
		    (!deleted && st.st_mtime > now - FOLDERS_LEFTOVER_SECS))
			continue;
		memcpy(found[n++], de->d_name, strlen(de->d_name) + 1);
	}
	for (i = 0; i < n; i++) {
		if (folders_rmtree_at(dfd, found[i], 1) < 0)
			log_msg(LOG_ERR, "cannot remove the leftover %s/%s: %s",
				s->root, found[i], strerror(errno));
		else
			log_msg(LOG_NOTICE,
				"removed %s/%s, left by an interrupted %s",
				s->root, found[i],
				found[i][2] == 'D' ? "DELETE" : "CREATE");
	}
	closedir(d);
}

void
cmd_list(struct imapd_session *s, const struct imap_arg *args, size_t n,
	 bool uid)
{
	(void)uid;
	folders_sweep(s);
	folders_list_run(s, false, args, n);
}

void
cmd_lsub(struct imapd_session *s, const struct imap_arg *args, size_t n,
	 bool uid)
{
	(void)uid;
	folders_list_run(s, true, args, n);
}

/* --- CREATE, DELETE --- */

void
cmd_create(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	char name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char path[PATH_MAX];
	const char *error = NULL;
	size_t len;
	int r;

	(void)uid;
	if (!folders_cmd_name(s, args, n, 1, name, &len))
		return;
	/* RFC 3501 6.3.3: a trailing separator only declares the intent
	 * to create children */
	if (len > 1 && name[len - 1] == IMAP_LIST_SEPARATOR)
		name[--len] = '\0';
	if (folders_is_inbox(name, len)) {
		sess_reply(s, IMAPD_NO, FOLDERS_ALREADY_EXISTS);
		return;
	}
	if (!folders_cmd_path(s, name, len, path, NULL, "[CANNOT] "))
		return;
	r = folders_make(s, path, &error);
	if (r == 0) {
		sess_reply(s, IMAPD_NO, FOLDERS_ALREADY_EXISTS);
		return;
	}
	if (r < 0) {
		log_msg(LOG_ERR, "create %s: %s: %s", path, error,
			strerror(errno));
		sess_reply(s, IMAPD_NO, "%s Cannot create mailbox.",
			   errno == ENOSPC || errno == EDQUOT ? "[OVERQUOTA]"
							      : "[SERVERBUG]");
		return;
	}
	sess_reply(s, IMAPD_OK, "Create completed.");
}

void
cmd_delete(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	char name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char canon[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char path[PATH_MAX], trash[PATH_MAX];
	size_t len;

	(void)uid;
	if (!folders_cmd_name(s, args, n, 1, name, &len))
		return;
	if (folders_is_inbox(name, len)) {
		sess_reply(s, IMAPD_NO, "[CANNOT] INBOX cannot be deleted.");
		return;
	}
	if (!folders_cmd_path(s, name, len, path, canon, "[CANNOT] "))
		return;
	if (!folders_exists(path)) {
		sess_reply(s, IMAPD_NO, FOLDERS_NONEXISTENT, canon);
		return;
	}
	if (folders_tmp_path(s, "DELETED", trash, sizeof(trash)) < 0 ||
	    folders_rename_noreplace(path, trash) < 0) {
		if (errno == ENOENT) {
			sess_reply(s, IMAPD_NO, FOLDERS_NONEXISTENT, canon);
			return;
		}
		log_msg(LOG_ERR, "delete %s: rename: %s", path,
			strerror(errno));
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Cannot delete mailbox.");
		return;
	}
	(void)folders_fsync_dir(s->root);
	/* the folder is gone for everyone now; what is left of its files
	 * is only disk space */
	if (folders_rmtree_at(AT_FDCWD, trash, 0) < 0)
		log_msg(LOG_ERR, "delete %s: cannot remove %s: %s", canon,
			trash, strerror(errno));
	sess_reply(s, IMAPD_OK, "Delete completed.");
}

/* --- RENAME --- */

struct folders_rename_ctx {
	const char *old, *new_name;
};

static int
folders_subs_rename(struct imap_list_names *subs, void *ctx,
		    const char **error_r)
{
	const struct folders_rename_ctx *c = ctx;
	int r = imap_list_names_rename_tree(subs, c->old, strlen(c->old),
					    c->new_name, strlen(c->new_name));

	if (r < 0)
		*error_r = "out of memory";
	return r;
}

/* Copies the file name from folder src to folder dst (keyword names:
 * the letters in the moved messages' names keep their meaning). A
 * missing source is fine. 0 / -1. */
static int
folders_copy_file(const char *src, const char *dst, const char *name)
{
	char from[PATH_MAX], to[PATH_MAX], tmp[PATH_MAX];
	char data[8192];
	ssize_t got, w;
	size_t off;
	int in, out, n, saved;

	if (folders_join(from, src, name) < 0 ||
	    folders_join(to, dst, name) < 0)
		return -1;
	n = snprintf(tmp, sizeof(tmp), "%s/tmp/%s.%ld.copy", dst, name,
		     (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return errno == ENOENT ? 0 : -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	if (out < 0) {
		saved = errno;
		close(in);
		errno = saved;
		return -1;
	}
	for (;;) {
		got = read(in, data, sizeof(data));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (off = 0; off < (size_t)got; off += (size_t)w) {
			w = write(out, data + off, (size_t)got - off);
			if (w < 0) {
				got = -1;
				break;
			}
		}
		if (got < 0)
			break;
	}
	saved = errno;
	close(in);
	if (got < 0 || fsync(out) < 0 || close(out) < 0 ||
	    rename(tmp, to) < 0) {
		if (got >= 0)
			saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Moves every file of src/sub to dst/sub. 0 / -1. */
static int
folders_move_files(const char *src, const char *dst, const char *sub)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct dirent *de;
	int sfd, dfd, r = 0;
	DIR *d;

	if (folders_join(from, src, sub) < 0 || folders_join(to, dst, sub) < 0)
		return -1;
	sfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return -1;
	dfd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (d = fdopendir(sfd)) == NULL) {
		close(sfd);
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (renameat(sfd, de->d_name, dfd, de->d_name) < 0 &&
		    errno != ENOENT)
			r = -1;
	}
	closedir(d);
	if (fsync(dfd) < 0 && errno != EINVAL)
		r = -1;
	close(dfd);
	return r;
}

/* RFC 3501 6.3.5: RENAME INBOX moves its messages to a new folder. */
static void
folders_rename_inbox(struct imapd_session *s, const char *new_path,
		     const char *new_canon)
{
	const char *error = NULL;
	int r;

	r = folders_make(s, new_path, &error);
	if (r == 0) {
		sess_reply(s, IMAPD_NO, FOLDERS_ALREADY_EXISTS);
		return;
	}
	if (r < 0 ||
	    folders_copy_file(s->root, new_path, IMAP_MBOX_KEYWORDS_FILE) < 0 ||
	    folders_move_files(s->root, new_path, "cur") < 0 ||
	    folders_move_files(s->root, new_path, "new") < 0) {
		log_msg(LOG_ERR, "rename INBOX to %s: %s: %s", new_canon,
			error != NULL ? error : "move", strerror(errno));
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Cannot rename INBOX.");
		return;
	}
	sess_reply(s, IMAPD_OK, "Rename completed.");
}

/* For a folder c of the listing: if it is a child of old_canon (oldlen
 * bytes), its name under new_canon into child and that name's path into
 * to (both PATH_MAX bytes). 1 done, 0 c is no child of old_canon, -1 the
 * new name is too long or invalid (*error_r). */
static int
folders_renamed_child(struct imapd_session *s, const char *c,
		      const char *old_canon, size_t oldlen,
		      const char *new_canon, char *child, char *to,
		      const char **error_r)
{
	int k;

	if (strncmp(c, old_canon, oldlen) != 0 ||
	    c[oldlen] != IMAP_LIST_SEPARATOR)
		return 0;
	k = snprintf(child, PATH_MAX, "%s%s", new_canon, c + oldlen);
	if (k < 0 || (size_t)k >= PATH_MAX) {
		*error_r = "Mailbox name too long.";
		return -1;
	}
	if (sess_mailbox_path(s, child, (size_t)k, to, PATH_MAX, NULL, 0,
			      error_r) < 0)
		return -1;
	return 1;
}

void
cmd_rename(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	char old[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char new_name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char old_canon[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char new_canon[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char old_path[PATH_MAX], new_path[PATH_MAX];
	char from[PATH_MAX], to[PATH_MAX], child[PATH_MAX];
	struct imap_list_names folders = { 0 };
	struct folders_rename_ctx ctx;
	const char *error = NULL;
	size_t oldlen, newlen, i, first, done;
	ssize_t fc;
	int k;

	(void)uid;
	if (n != 2 || !folders_name_arg(&args[0], old, &oldlen) ||
	    !folders_name_arg(&args[1], new_name, &newlen)) {
		sess_reply(s, IMAPD_BAD, "Invalid arguments.");
		return;
	}
	if (newlen > 1 && new_name[newlen - 1] == IMAP_LIST_SEPARATOR)
		new_name[--newlen] = '\0';
	if (folders_is_inbox(new_name, newlen)) {
		sess_reply(s, IMAPD_NO, FOLDERS_ALREADY_EXISTS);
		return;
	}
	if (sess_mailbox_path(s, old, oldlen, old_path, sizeof(old_path),
			      old_canon, sizeof(old_canon), &error) < 0 ||
	    sess_mailbox_path(s, new_name, newlen, new_path, sizeof(new_path),
			      new_canon, sizeof(new_canon), &error) < 0) {
		sess_reply(s, IMAPD_NO, "[CANNOT] %s", error);
		return;
	}
	if (folders_is_inbox(old, oldlen)) {
		folders_rename_inbox(s, new_path, new_canon);
		return;
	}
	if (!folders_exists(old_path)) {
		sess_reply(s, IMAPD_NO, FOLDERS_NONEXISTENT, old_canon);
		return;
	}
	if (strcmp(old_canon, new_canon) == 0 || folders_exists(new_path)) {
		sess_reply(s, IMAPD_NO, FOLDERS_ALREADY_EXISTS);
		return;
	}
	if (newlen > oldlen && strncmp(new_canon, old_canon, oldlen) == 0 &&
	    new_canon[oldlen] == IMAP_LIST_SEPARATOR) {
		sess_reply(s, IMAPD_NO,
			   "[CANNOT] Cannot move a mailbox under "
			   "itself.");
		return;
	}
	if (imap_list_folders_read(s->root, &folders, &error) < 0) {
		log_msg(LOG_ERR, "rename: list %s: %s: %s", s->root, error,
			strerror(errno));
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Internal error.");
		return;
	}
	/* the children move along: check all their new names first */
	fc = imap_list_names_first_child(&folders, old_canon, oldlen);
	first = fc < 0 ? folders.n : (size_t)fc;
	for (i = first; i < folders.n; i++) {
		k = folders_renamed_child(s, folders.names[i], old_canon,
					  oldlen, new_canon, child, to, &error);
		if (k == 0)
			break;
		if (k < 0) {
			sess_reply(s, IMAPD_NO, "[CANNOT] %s", error);
			goto out;
		}
		if (folders_exists(to)) {
			sess_reply(s, IMAPD_NO,
				   "[ALREADYEXISTS] Mailbox "
				   "already exists: %s",
				   child);
			goto out;
		}
	}
	if (folders_rename_noreplace(old_path, new_path) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			sess_reply(s, IMAPD_NO, FOLDERS_ALREADY_EXISTS);
		else if (errno == ENOENT)
			sess_reply(s, IMAPD_NO, FOLDERS_NONEXISTENT, old_canon);
		else
			sess_reply(s, IMAPD_NO,
				   "[SERVERBUG] Cannot rename "
				   "mailbox.");
		goto out;
	}
	for (done = first; done < folders.n; done++) {
		const char *c = folders.names[done];

		k = folders_renamed_child(s, c, old_canon, oldlen, new_canon,
					  child, to, &error);
		if (k == 0)
			break;
		if (k < 0 ||
		    sess_mailbox_path(s, c, strlen(c), from, sizeof(from), NULL,
				      0, &error) < 0 ||
		    folders_rename_noreplace(from, to) < 0) {
			log_msg(LOG_ERR, "rename %s: child %s: %s", old_canon,
				c, strerror(errno));
			/* a child that cannot follow stays where it is:
			 * it remains a visible folder of its own */
		}
	}
	(void)folders_fsync_dir(s->root);
	ctx.old = old_canon;
	ctx.new_name = new_canon;
	if (imap_list_subs_update(s->root, folders_subs_rename, &ctx, &error) <
	    0)
		log_msg(LOG_ERR, "rename %s: subscriptions: %s: %s", old_canon,
			error, strerror(errno));
	sess_reply(s, IMAPD_OK, "Rename completed.");
out:
	imap_list_names_free(&folders);
}

/* --- SUBSCRIBE, UNSUBSCRIBE --- */

struct folders_sub_ctx {
	const char *name;
	bool add;
};

static int
folders_subs_change(struct imap_list_names *subs, void *ctx,
		    const char **error_r)
{
	const struct folders_sub_ctx *c = ctx;
	size_t len = strlen(c->name);
	int r;

	if (!c->add)
		return imap_list_names_remove(subs, c->name, len);
	if (subs->n >= IMAP_LIST_SUBS_MAX &&
	    imap_list_names_find(subs, c->name, len) < 0) {
		errno = E2BIG;
		*error_r = "too many subscriptions";
		return -1;
	}
	r = imap_list_names_insert(subs, c->name, len);
	if (r < 0)
		*error_r = "out of memory";
	return r;
}

static void
folders_subscribe(struct imapd_session *s, const struct imap_arg *args,
		  size_t n, bool add)
{
	char name[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char canon[IMAPD_MAILBOX_NAME_MAX_BYTES + 1];
	char path[PATH_MAX];
	struct folders_sub_ctx ctx;
	const char *error = NULL;
	size_t len;

	if (!folders_cmd_name(s, args, n, 1, name, &len))
		return;
	/* an invalid name can never have been subscribed */
	if (!folders_cmd_path(s, name, len, path, canon, "[CANNOT] "))
		return;
	ctx.name = canon;
	ctx.add = add;
	if (imap_list_subs_update(s->root, folders_subs_change, &ctx, &error) <
	    0) {
		if (errno == E2BIG) {
			sess_reply(s, IMAPD_NO,
				   "[LIMIT] Too many "
				   "subscriptions.");
			return;
		}
		log_msg(LOG_ERR, "subscriptions of %s: %s: %s", s->root, error,
			strerror(errno));
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Internal error.");
		return;
	}
	sess_reply(s, IMAPD_OK, "%s completed.",
		   add ? "Subscribe" : "Unsubscribe");
}

void
cmd_subscribe(struct imapd_session *s, const struct imap_arg *args, size_t n,
	      bool uid)
{
	(void)uid;
	folders_subscribe(s, args, n, true);
}

void
cmd_unsubscribe(struct imapd_session *s, const struct imap_arg *args, size_t n,
		bool uid)
{
	(void)uid;
	folders_subscribe(s, args, n, false);
}
