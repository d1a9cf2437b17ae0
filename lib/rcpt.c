/*
 * rcpt.c -- the local recipient lookup shared by quail-smtpd and
 * quail-deliver (see rcpt.h for the order of the lookups).
 *
 * Local parts are matched case-insensitively: the whole address is
 * lowercased (ASCII only) before any lookup, and quail-users /
 * quail-newaliases store lowercased keys. The +extension is split at the
 * first recipient_delimiter, unless that would leave an empty local part.
 *
 * SECURITY: the address comes from the network (RCPT TO). It is only used
 * as a cdb key and, for system users, as a getpwnam() argument after the
 * checks in system_name_ok(); it never becomes a path component here.
 * System accounts (uid below RCPT_SYSTEM_UID_MIN, root included) and
 * accounts whose home directory does not exist are never recipients:
 * their mail must come through an alias. Map read errors are temporary (-1), never "unknown".
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cdbmap.h"
#include "rcpt.h"
#include "userdb.h"

/* Raw alias target lists and users.cdb values are at most this long. */
#define RCPT_VALUE_MAX_BYTES (64 * 1024)
/* Longest login name we pass to getpwnam (LOGIN_NAME_MAX is 256 on Linux;
 * useradd limits names to 32). */
#define RCPT_SYSTEM_NAME_MAX_BYTES 32
/* System accounts (daemons, nobody) below this uid never receive mail
 * directly (Debian's FIRST_UID / login.defs UID_MIN); alias them. */
#define RCPT_SYSTEM_UID_MIN 1000

void
rcpt_info_init(struct rcpt_info *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RCPT_UNKNOWN;
	buf_init(&r->aliases, RCPT_VALUE_MAX_BYTES);
	r->uid = (uid_t)-1;
	r->gid = (gid_t)-1;
}

void
rcpt_info_free(struct rcpt_info *r)
{
	buf_free(&r->aliases);
	r->kind = RCPT_UNKNOWN;
}

/* Lowercases ASCII letters only (UTF-8 bytes are left alone). */
static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

static int
copy_str(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (n >= dstlen)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* users.cdb value "uid:gid:maildir" into r. 0 / -1. */
static int
parse_user_value(const char *v, size_t len, struct rcpt_info *r)
{
	unsigned long uid, gid;

	if (userdb_parse_user_value(v, len, &uid, &gid, r->maildir,
				    sizeof(r->maildir)) < 0)
		return -1;
	if (uid == 0)
		return -1; /* never deliver as root */
	r->uid = uid == (unsigned long)-1 ? (uid_t)-1 : (uid_t)uid;
	r->gid = gid == (unsigned long)-1 ? (gid_t)-1 : (gid_t)gid;
	return 0;
}

/* Looks key up in an open map. 1 / 0 / -1 like cdbmap_lookup. */
static int
map_get(struct cdbmap *m, const char *key, struct buf *val)
{
	if (!m->present)
		return 0;
	buf_reset(val);
	return cdbmap_lookup(m, key, strlen(key), val);
}

/* A plausible login name: not empty, no '/', not starting with '.' or '-',
 * printable ASCII without quotes or spaces. */
static bool
system_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > RCPT_SYSTEM_NAME_MAX_BYTES || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(isalnum(ch) || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* Step 5. 1 found, 0 not, -1 error. */
static int
lookup_system(const char *name, struct rcpt_info *r, const char **error_r)
{
	struct passwd *pw;
	struct stat st;
	int n;

	if (!system_name_ok(name))
		return 0;
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		if (errno == 0 || errno == ENOENT || errno == ESRCH ||
		    errno == EBADF || errno == EPERM)
			return 0;
		*error_r = "cannot read the user database (getpwnam)";
		return -1;
	}
	/* root's and daemons' mail goes through an alias, never straight to
	 * their homes; an account without a home ("nobody") is no mailbox */
	if (pw->pw_uid < RCPT_SYSTEM_UID_MIN || pw->pw_dir == NULL ||
	    pw->pw_dir[0] != '/' || stat(pw->pw_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	n = snprintf(r->maildir, sizeof(r->maildir), "%s%sMaildir", pw->pw_dir,
		     pw->pw_dir[strlen(pw->pw_dir) - 1] == '/' ? "" : "/");
	if (n < 0 || (size_t)n >= sizeof(r->maildir))
		return 0;
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	r->kind = RCPT_SYSTEM;
	(void)copy_str(r->key, sizeof(r->key), name, strlen(name));
	return 1;
}

/* Tries key in aliases.cdb; on a hit fills r. 1 / 0 / -1. */
static int
try_alias(struct cdbmap *m, const char *key, struct rcpt_info *r,
	  const char **error_r)
{
	int ret = map_get(m, key, &r->aliases);

	if (ret < 0) {
		*error_r = "cannot read aliases.cdb";
		return -1;
	}
	if (ret == 0)
		return 0;
	r->kind = RCPT_ALIAS;
	(void)copy_str(r->key, sizeof(r->key), key, strlen(key));
	return 1;
}

struct rcpt_names {
	char full[ADDR_PATH_MAX_BYTES + 1];   /* lowercased address */
	char base[ADDR_PATH_MAX_BYTES + 1];   /* without +extension */
	char local[ADDR_PATH_MAX_BYTES + 1];  /* local part with extension */
	char base_local[ADDR_PATH_MAX_BYTES + 1]; /* local part without */
	const char *domain;                   /* points into full */
};

/* Splits address into the lookup keys. 0, or -1 (not a local candidate). */
static int
rcpt_names(const struct conf *c, const char *address, struct rcpt_names *n,
	   struct rcpt_info *r)
{
	char *at, *delim = NULL;
	size_t local_len;

	if (copy_str(n->full, sizeof(n->full), address, strlen(address)) < 0)
		return -1;
	lower_ascii(n->full);
	at = strrchr(n->full, '@');
	if (at == NULL || at == n->full || at[1] == '\0')
		return -1;
	n->domain = at + 1;
	if (!conf_is_local_domain(c, n->domain))
		return -1;
	local_len = (size_t)(at - n->full);
	(void)copy_str(n->local, sizeof(n->local), n->full, local_len);
	(void)copy_str(n->base_local, sizeof(n->base_local), n->full, local_len);
	if (c->recipient_delimiter != '\0')
		delim = strchr(n->base_local, c->recipient_delimiter);
	/* "+foo@x" keeps its name: an empty base would match nothing useful */
	if (delim != NULL && delim != n->base_local) {
		if (copy_str(r->ext, sizeof(r->ext), delim + 1, strlen(delim + 1)) < 0)
			r->ext[0] = '\0';
		*delim = '\0';
	}
	if (snprintf(n->base, sizeof(n->base), "%s@%s", n->base_local,
		     n->domain) >= (int)sizeof(n->base))
		return -1;
	return 0;
}

/* Steps 1-3. 1 / 0 / -1. */
static int
lookup_aliases(const struct conf *c, const struct rcpt_names *n,
	       struct rcpt_info *r, const char **error_r)
{
	struct cdbmap m;
	char path[PATH_MAX];
	bool has_ext = r->ext[0] != '\0';
	int ret;

	if (conf_path(c, "aliases.cdb", path, sizeof(path)) < 0) {
		*error_r = "config dir path too long";
		return -1;
	}
	ret = cdbmap_open(&m, path);
	if (ret < 0) {
		*error_r = "cannot open aliases.cdb";
		return -1;
	}
	if (ret == 0)
		return 0;
	ret = try_alias(&m, n->full, r, error_r);
	if (ret == 0 && has_ext)
		ret = try_alias(&m, n->base, r, error_r);
	if (ret == 0)
		ret = try_alias(&m, n->local, r, error_r);
	if (ret == 0 && has_ext)
		ret = try_alias(&m, n->base_local, r, error_r);
	cdbmap_close(&m);
	return ret;
}

/* Step 4. 1 / 0 / -1. */
static int
lookup_virtual(const struct conf *c, const struct rcpt_names *n,
	       struct rcpt_info *r, const char **error_r)
{
	struct cdbmap m;
	struct buf val;
	char path[PATH_MAX];
	int ret;

	if (conf_path(c, "users.cdb", path, sizeof(path)) < 0) {
		*error_r = "config dir path too long";
		return -1;
	}
	ret = cdbmap_open(&m, path);
	if (ret < 0) {
		*error_r = "cannot open users.cdb";
		return -1;
	}
	if (ret == 0)
		return 0;
	buf_init(&val, RCPT_VALUE_MAX_BYTES);
	ret = map_get(&m, n->base, &val);
	cdbmap_close(&m);
	if (ret < 0) {
		*error_r = "cannot read users.cdb";
	} else if (ret > 0) {
		if (parse_user_value(val.data, val.len, r) < 0) {
			*error_r = "users.cdb: malformed entry (run quail-users rebuild)";
			ret = -1;
		} else {
			r->kind = RCPT_VIRTUAL;
			(void)copy_str(r->key, sizeof(r->key), n->base, strlen(n->base));
		}
	}
	buf_free(&val);
	return ret;
}

int
rcpt_lookup(const struct conf *c, const char *address, struct rcpt_info *r,
	    const char **error_r)
{
	struct rcpt_names n;
	int ret;

	*error_r = NULL;
	r->kind = RCPT_UNKNOWN;
	r->key[0] = '\0';
	r->ext[0] = '\0';
	r->maildir[0] = '\0';
	r->uid = (uid_t)-1;
	r->gid = (gid_t)-1;
	buf_reset(&r->aliases);
	if (rcpt_names(c, address, &n, r) < 0) {
		r->ext[0] = '\0';
		return 0;
	}
	ret = lookup_aliases(c, &n, r, error_r);
	if (ret == 0)
		ret = lookup_virtual(c, &n, r, error_r);
	if (ret == 0 && c->system_users)
		ret = lookup_system(n.base_local, r, error_r);
	if (ret <= 0) {
		r->kind = RCPT_UNKNOWN;
		if (ret == 0)
			r->ext[0] = '\0';
	}
	return ret;
}
