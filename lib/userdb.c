/*
 * userdb.c -- parsers for the users and aliases text files (userdb.h,
 * quail-users(5), quail-aliases(5)).
 *
 * SECURITY: the files are written by the admin (aliases) or by quail-users
 * (users), but a hand-edited file must never produce a cdb entry that other
 * programs would misread: every field is checked (no NUL, no control
 * characters, no ':' where ':' separates fields, ids in range, uid 0
 * refused, Maildir paths absolute without ".."), and every length is
 * bounded. Pure functions over (ptr, len); nothing here opens a file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "userdb.h"

/* Lines are counted in unsigned; files are capped well below that. */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

/* Trims spaces/tabs (and a trailing CR) from both ends of p[0..*len). */
static const char *
trim(const char *p, size_t *len)
{
	size_t n = *len;

	while (n > 0 && is_space(*p)) {
		p++;
		n--;
	}
	while (n > 0 && (is_space(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	*len = n;
	return p;
}

static bool
has_ctl(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

/* Control characters other than TAB (continuations are joined with ' '
 * but a TAB may separate a name from its colon). */
static bool
has_ctl_notab(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

int
userdb_address(const char *in, size_t len, char *out, const char **error_r)
{
	struct addr a;
	size_t i;

	if (len == 0) {
		*error_r = "empty address";
		return -1;
	}
	if (addr_parse_mailbox(in, len, ADDR_UTF8, &a, error_r) < 0)
		return -1;
	if (a.at >= a.len) {
		*error_r = "address needs a domain (local@domain)";
		return -1;
	}
	for (i = 0; i < a.len; i++) {
		if (a.str[i] == ':' || is_space(a.str[i]) || a.str[i] == ',') {
			*error_r = "address must not contain ':', ',' or white space";
			return -1;
		}
	}
	memcpy(out, a.str, a.len + 1);
	lower_ascii(out);
	return 0;
}

int
userdb_maildir_ok(const char *path, const char **error_r)
{
	size_t len = strlen(path);
	const char *p;

	if (len == 0)
		return 0;
	if (path[0] != '/') {
		*error_r = "Maildir path must be absolute";
		return -1;
	}
	if (len >= PATH_MAX - 64) {
		*error_r = "Maildir path too long";
		return -1;
	}
	if (has_ctl(path, len) || strchr(path, ':') != NULL) {
		*error_r = "Maildir path must not contain ':' or control characters";
		return -1;
	}
	for (p = path; (p = strstr(p, "..")) != NULL; p += 2) {
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0')) {
			*error_r = "Maildir path must not contain '..'";
			return -1;
		}
	}
	return 0;
}

int
userdb_hash_ok(const char *hash, size_t len, const char **error_r)
{
	size_t i;

	if (len > USERDB_HASH_MAX_BYTES) {
		*error_r = "password hash too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)hash[i];

		if (c <= 0x20 || c >= 0x7f || c == ':') {
			*error_r = "password hash contains an invalid character";
			return -1;
		}
	}
	return 0;
}

/* Decimal id, 1..2^32-2 (0 is root: refused; -1 is "no id"). */
static int
parse_id(const char *s, size_t len, unsigned long *v_r, const char **error_r)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 10) {
		*error_r = "uid/gid must be a decimal number";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*error_r = "uid/gid must be a decimal number";
			return -1;
		}
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0xfffffffeUL) {
		*error_r = "uid/gid out of range";
		return -1;
	}
	*v_r = v;
	return 0;
}

/* Next ':'-separated field of p[*pos..len). */
static int
next_field(const char *p, size_t len, size_t *pos, const char **f_r, size_t *flen_r)
{
	const char *c;

	if (*pos > len)
		return -1;
	c = memchr(p + *pos, ':', len - *pos);
	if (c == NULL)
		return -1;
	*f_r = p + *pos;
	*flen_r = (size_t)(c - (p + *pos));
	*pos += *flen_r + 1;
	return 0;
}

static int
parse_ids(const char *us, size_t ulen, const char *gs, size_t glen,
	  struct userdb_user *u, const char **error_r)
{
	unsigned long uid, gid;

	u->has_ids = false;
	u->uid = (uid_t)-1;
	u->gid = (gid_t)-1;
	if (ulen == 0 && glen == 0)
		return 0;
	if (ulen == 0 || glen == 0) {
		*error_r = "uid and gid must both be given or both be empty";
		return -1;
	}
	if (parse_id(us, ulen, &uid, error_r) < 0 ||
	    parse_id(gs, glen, &gid, error_r) < 0)
		return -1;
	if (uid == 0) {
		*error_r = "uid 0 (root) is not allowed for a mailbox";
		return -1;
	}
	u->has_ids = true;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	return 0;
}

int
userdb_parse_user(const char *line, size_t len, struct userdb_user *u,
		  const char **error_r)
{
	const char *f[4];
	size_t flen[4], pos = 0, i;

	memset(u, 0, sizeof(*u));
	line = trim(line, &len);
	if (len == 0 || line[0] == '#')
		return 0;
	if (len > USERDB_LINE_MAX_BYTES) {
		*error_r = "line too long";
		return -1;
	}
	if (memchr(line, '\0', len) != NULL) {
		*error_r = "NUL byte in line";
		return -1;
	}
	for (i = 0; i < 4; i++) {
		if (next_field(line, len, &pos, &f[i], &flen[i]) < 0) {
			*error_r = "expected address:hash:uid:gid:maildir";
			return -1;
		}
	}
	if (userdb_address(f[0], flen[0], u->address, error_r) < 0)
		return -1;
	if (userdb_hash_ok(f[1], flen[1], error_r) < 0)
		return -1;
	memcpy(u->hash, f[1], flen[1]);
	u->hash[flen[1]] = '\0';
	if (parse_ids(f[2], flen[2], f[3], flen[3], u, error_r) < 0)
		return -1;
	if (len - pos >= sizeof(u->maildir)) {
		*error_r = "Maildir path too long";
		return -1;
	}
	memcpy(u->maildir, line + pos, len - pos);
	u->maildir[len - pos] = '\0';
	if (userdb_maildir_ok(u->maildir, error_r) < 0)
		return -1;
	return 1;
}

static int
append_ids(const struct userdb_user *u, struct buf *out)
{
	if (!u->has_ids)
		return buf_append_str(out, ":");
	return buf_printf(out, "%lu:%lu", (unsigned long)u->uid,
			  (unsigned long)u->gid);
}

int
userdb_format_user(const struct userdb_user *u, struct buf *out)
{
	if (buf_printf(out, "%s:%s:", u->address, u->hash) < 0 ||
	    append_ids(u, out) < 0 ||
	    buf_printf(out, ":%s\n", u->maildir) < 0)
		return -1;
	return 0;
}

int
userdb_format_user_value(const struct userdb_user *u, struct buf *out)
{
	if (append_ids(u, out) < 0 || buf_printf(out, ":%s", u->maildir) < 0)
		return -1;
	return 0;
}

/* A uid or gid of the value: empty -> (unsigned long)-1, else at most 10
 * digits and below 2^32 - 1 (which is (uid_t)-1). 0 / -1. */
static int
parse_value_id(const char *s, size_t len, unsigned long *id_r)
{
	unsigned long v = 0;
	size_t i;

	*id_r = (unsigned long)-1;
	if (len == 0)
		return 0;
	if (len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0xfffffffeUL)
		return -1;
	*id_r = v;
	return 0;
}

int
userdb_parse_user_value(const char *v, size_t len, unsigned long *uid_r,
			unsigned long *gid_r, char *maildir, size_t maildir_len)
{
	const char *c1, *c2;
	size_t mlen;

	c1 = memchr(v, ':', len);
	c2 = c1 == NULL ? NULL : memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - v));
	if (c2 == NULL || parse_value_id(v, (size_t)(c1 - v), uid_r) < 0 ||
	    parse_value_id(c1 + 1, (size_t)(c2 - c1 - 1), gid_r) < 0)
		return -1;
	/* both or neither: half an owner is a broken map */
	if ((*uid_r == (unsigned long)-1) != (*gid_r == (unsigned long)-1))
		return -1;
	mlen = len - (size_t)(c2 + 1 - v);
	if (mlen == 0 || mlen >= maildir_len || c2[1] != '/' ||
	    memchr(c2 + 1, '\0', mlen) != NULL)
		return -1;
	memcpy(maildir, c2 + 1, mlen);
	maildir[mlen] = '\0';
	return 0;
}

int
userdb_next_target(const char *list, size_t len, size_t *pos, char *out,
		   size_t outlen)
{
	size_t start, end, n;
	const char *t;

	while (*pos < len && (is_space(list[*pos]) || list[*pos] == ',' ||
			      list[*pos] == '\n' || list[*pos] == '\r'))
		(*pos)++;
	if (*pos >= len)
		return 0;
	start = *pos;
	while (*pos < len && list[*pos] != ',')
		(*pos)++;
	end = *pos;
	n = end - start;
	t = trim(list + start, &n);
	if (n + 1 > outlen)
		return -1;
	memcpy(out, t, n);
	out[n] = '\0';
	return 1;
}

/* Checks one target and appends its canonical form to out. 0 / -1. */
static int
add_target(const char *t, size_t len, struct buf *out, const char **error_r)
{
	struct addr a;
	size_t i;

	if (t[0] == '|' || t[0] == '/') {
		*error_r = "pipe and file targets are not supported";
		return -1;
	}
	if (t[0] == ':') {
		*error_r = "':include:' targets are not supported";
		return -1;
	}
	if (addr_parse_mailbox(t, len, ADDR_UTF8 | ADDR_NO_DOMAIN, &a, error_r) < 0)
		return -1;
	if (a.len == 0) {
		*error_r = "empty target";
		return -1;
	}
	for (i = 0; i < a.len; i++) {
		if (a.str[i] == ',' || is_space(a.str[i])) {
			*error_r = "target must not contain ',' or white space";
			return -1;
		}
	}
	if ((out->len > 0 && buf_append_str(out, ", ") < 0) ||
	    buf_append(out, a.str, a.len) < 0) {
		*error_r = "alias entry too long";
		return -1;
	}
	return 0;
}

int
userdb_parse_alias(const char *entry, size_t len, struct buf *key_r,
		   struct buf *targets_r, const char **error_r)
{
	char target[ADDR_PATH_MAX_BYTES + 8];
	const char *colon, *name;
	size_t nlen, pos, count = 0;
	struct addr a;
	int ret;

	buf_reset(key_r);
	buf_reset(targets_r);
	entry = trim(entry, &len);
	if (len == 0 || entry[0] == '#')
		return 0;
	if (len > USERDB_ALIAS_MAX_BYTES) {
		*error_r = "alias entry too long";
		return -1;
	}
	if (has_ctl_notab(entry, len)) {
		*error_r = "control character in entry";
		return -1;
	}
	colon = memchr(entry, ':', len);
	if (colon == NULL) {
		*error_r = "expected 'name: target, target'";
		return -1;
	}
	nlen = (size_t)(colon - entry);
	name = trim(entry, &nlen);
	if (nlen == 0) {
		*error_r = "empty alias name";
		return -1;
	}
	if (addr_parse_mailbox(name, nlen, ADDR_UTF8 | ADDR_NO_DOMAIN, &a, error_r) < 0)
		return -1;
	if (memchr(a.str, ',', a.len) != NULL || memchr(a.str, ' ', a.len) != NULL) {
		*error_r = "alias name must not contain ',' or white space";
		return -1;
	}
	if (buf_set(key_r, a.str, a.len) < 0) {
		*error_r = "out of memory";
		return -1;
	}
	lower_ascii(key_r->data);
	pos = (size_t)(colon + 1 - entry);
	while ((ret = userdb_next_target(entry, len, &pos, target, sizeof(target))) > 0) {
		if (++count > USERDB_ALIAS_TARGETS_MAX) {
			*error_r = "too many targets";
			return -1;
		}
		if (add_target(target, strlen(target), targets_r, error_r) < 0)
			return -1;
	}
	if (ret < 0) {
		*error_r = "target too long";
		return -1;
	}
	if (count == 0) {
		*error_r = "alias has no targets";
		return -1;
	}
	return 1;
}

static const char *
with_line(const char *name, unsigned line, const char *error)
{
	static char msg[512];

	snprintf(msg, sizeof(msg), "%s:%u: %s", name, line,
		 error != NULL ? error : "error");
	return msg;
}

int
userdb_each_user(const char *data, size_t len, const char *name,
		 userdb_user_fn *fn, void *ctx, const char **error_r)
{
	struct userdb_user u;
	const char *err = NULL, *nl;
	size_t pos = 0, llen;
	unsigned line = 0;
	int ret;

	if (len > USERDB_FILE_MAX_BYTES) {
		*error_r = with_line(name, 0, "file too large");
		return -1;
	}
	while (pos < len) {
		line++;
		nl = memchr(data + pos, '\n', len - pos);
		llen = nl != NULL ? (size_t)(nl - (data + pos)) : len - pos;
		ret = userdb_parse_user(data + pos, llen, &u, &err);
		pos += llen + (nl != NULL ? 1 : 0);
		if (ret < 0) {
			*error_r = with_line(name, line, err);
			return -1;
		}
		if (ret == 0)
			continue;
		err = NULL;
		ret = fn(ctx, line, &u, &err);
		if (ret != 0) {
			*error_r = with_line(name, line, err);
			return ret;
		}
	}
	return 0;
}

struct alias_walk {
	const char *name;
	userdb_alias_fn *fn;
	void *ctx;
	struct buf entry, key, targets;
	unsigned first_line;
};

/* Parses and hands over the accumulated entry. 0 / nonzero. */
static int
alias_flush(struct alias_walk *w, const char **error_r)
{
	const char *err = NULL;
	int ret;

	if (w->entry.len == 0)
		return 0;
	ret = userdb_parse_alias(w->entry.data, w->entry.len, &w->key,
				 &w->targets, &err);
	buf_reset(&w->entry);
	if (ret < 0) {
		*error_r = with_line(w->name, w->first_line, err);
		return -1;
	}
	if (ret == 0)
		return 0;
	err = NULL;
	ret = w->fn(w->ctx, w->first_line, buf_cstr(&w->key),
		    buf_cstr(&w->targets), &err);
	if (ret != 0)
		*error_r = with_line(w->name, w->first_line, err);
	return ret;
}

/* One physical line. 0 / nonzero. */
static int
alias_line(struct alias_walk *w, unsigned line, const char *p, size_t len,
	   const char **error_r)
{
	size_t tlen = len;
	const char *t = trim(p, &tlen);
	int ret;

	if (memchr(p, '\0', len) != NULL) {
		*error_r = with_line(w->name, line, "NUL byte in line");
		return -1;
	}
	if (tlen > 0 && t[0] == '#')
		return 0; /* comments may sit between continuation lines */
	if (tlen == 0)
		return alias_flush(w, error_r);
	if (is_space(p[0])) {
		if (w->entry.len == 0) {
			*error_r = with_line(w->name, line,
					     "continuation line without an entry");
			return -1;
		}
		if (buf_putc(&w->entry, ' ') < 0 || buf_append(&w->entry, t, tlen) < 0) {
			*error_r = with_line(w->name, w->first_line, "alias entry too long");
			return -1;
		}
		return 0;
	}
	ret = alias_flush(w, error_r);
	if (ret != 0)
		return ret;
	w->first_line = line;
	if (buf_set(&w->entry, t, tlen) < 0) {
		*error_r = with_line(w->name, line, "alias entry too long");
		return -1;
	}
	return 0;
}

int
userdb_each_alias(const char *data, size_t len, const char *name,
		  userdb_alias_fn *fn, void *ctx, const char **error_r)
{
	struct alias_walk w;
	const char *nl;
	size_t pos = 0, llen;
	unsigned line = 0;
	int ret = 0;

	if (len > USERDB_FILE_MAX_BYTES) {
		*error_r = with_line(name, 0, "file too large");
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.name = name;
	w.fn = fn;
	w.ctx = ctx;
	buf_init(&w.entry, USERDB_ALIAS_MAX_BYTES);
	buf_init(&w.key, USERDB_ALIAS_MAX_BYTES);
	buf_init(&w.targets, USERDB_ALIAS_MAX_BYTES);
	while (ret == 0 && pos < len) {
		line++;
		nl = memchr(data + pos, '\n', len - pos);
		llen = nl != NULL ? (size_t)(nl - (data + pos)) : len - pos;
		ret = alias_line(&w, line, data + pos, llen, error_r);
		pos += llen + (nl != NULL ? 1 : 0);
	}
	if (ret == 0)
		ret = alias_flush(&w, error_r);
	buf_free(&w.entry);
	buf_free(&w.key);
	buf_free(&w.targets);
	return ret;
}
