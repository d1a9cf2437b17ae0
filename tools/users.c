/*
 * users.c -- quail-users: manage virtual mail users (quail-users(8)).
 *
 * The text file <confdir>/users ("address:hash:uid:gid:maildir", mode
 * 0600, quail-users(5)) is the source; every change rewrites it atomically
 * (users.tmp, fsync, rename, fsync dir) and recompiles users.cdb (0644,
 * address -> "uid:gid:maildir", no hash: smtpd and deliver read it) and
 * passwd.cdb (0600, address -> crypt(3) hash). A lock file serialises
 * concurrent runs.
 *
 * SECURITY: passwords are hashed with yescrypt (libxcrypt, "$y$"; "$6$"
 * when yescrypt is unavailable) and wiped from memory after hashing. A
 * password given with -p is visible in ps(1) to other local users; stdin
 * or the tty prompt avoid that. Addresses are validated and lowercased
 * (local part too). uid 0 is refused as a mailbox owner.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "cdbmap.h"
#include "conf.h"
#include "exitcode.h"
#include "log.h"
#include "maildir.h"
#include "priv.h"
#include "userdb.h"

#define USERS_PASSWORD_MAX_BYTES 1024
#define USERS_MAX_ENTRIES 1000000
/* Missing parents of a Maildir (-c), as quail-deliver creates them. */
#define USERS_PARENT_MODE 0700

static const char usage_text[] =
	"quail-users [-C dir] add ADDRESS [-p PASSWORD] [-m MAILDIR] [-u UID -g GID] [-c]\n"
	"       quail-users [-C dir] del ADDRESS\n"
	"       quail-users [-C dir] passwd ADDRESS [-p PASSWORD]\n"
	"       quail-users [-C dir] list\n"
	"       quail-users [-C dir] rebuild";

/* One line of the users file: an entry, or a comment/blank line kept
 * verbatim so an admin's notes survive a rewrite. */
struct item {
	bool is_entry;
	unsigned line;
	struct userdb_user u;
	char *raw;
};

struct users {
	struct conf conf;
	char path[PATH_MAX];
	struct item *items;
	size_t n, cap;
};

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die_temp("out of memory");
	return p;
}

/* Reads a whole file; 1 read, 0 absent. Dies on errors. */
static int
read_file(const char *path, struct buf *b)
{
	char chunk[8192];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		die_temp("cannot open %s: %s", path, strerror(errno));
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die_temp("cannot read %s: %s", path, strerror(errno));
		}
		if (buf_append(b, chunk, (size_t)r) < 0)
			die_temp("%s: too large", path);
	}
	close(fd);
	return 1;
}

static struct item *
new_item(struct users *us)
{
	if (us->n == us->cap) {
		if (us->cap >= USERS_MAX_ENTRIES)
			die_perm("users: too many lines");
		us->cap = us->cap ? us->cap * 2 : 64;
		us->items = xrealloc(us->items, us->cap * sizeof(*us->items));
	}
	memset(&us->items[us->n], 0, sizeof(us->items[0]));
	return &us->items[us->n++];
}

static struct item *
find(struct users *us, const char *address)
{
	size_t i;

	for (i = 0; i < us->n; i++) {
		if (us->items[i].is_entry && strcmp(us->items[i].u.address, address) == 0)
			return &us->items[i];
	}
	return NULL;
}

/* Loads and parses the users file; errors name users:line. */
static void
load_users(struct users *us)
{
	struct buf b;
	const char *err = NULL, *p, *nl;
	size_t pos = 0, len;
	unsigned line = 0;
	struct item *it;
	int ret;

	buf_init(&b, USERDB_FILE_MAX_BYTES);
	if (read_file(us->path, &b) == 0)
		return;
	while (pos < b.len) {
		line++;
		p = b.data + pos;
		nl = memchr(p, '\n', b.len - pos);
		len = nl != NULL ? (size_t)(nl - p) : b.len - pos;
		pos += len + (nl != NULL ? 1 : 0);
		it = new_item(us);
		it->line = line;
		ret = userdb_parse_user(p, len, &it->u, &err);
		if (ret < 0)
			die_perm("%s:%u: %s", us->path, line, err);
		if (ret == 0) {
			it->raw = strndup(p, len);
			if (it->raw == NULL)
				die_temp("out of memory");
			continue;
		}
		it->is_entry = true;
		us->n--; /* look for an earlier entry without finding itself */
		if (find(us, it->u.address) != NULL)
			die_perm("%s:%u: duplicate entry for %s", us->path, line,
				 it->u.address);
		us->n++;
	}
	buf_free(&b);
}

/* Writes the users file atomically: tmp (O_EXCL, 0600), fsync, rename,
 * fsync the directory; a crash leaves the old or the new file. */
static void
write_users(struct users *us)
{
	char tmp[PATH_MAX + 8];
	struct buf b;
	size_t i;
	int fd, dfd;

	buf_init(&b, 0);
	for (i = 0; i < us->n; i++) {
		struct item *it = &us->items[i];
		int r = it->is_entry ? userdb_format_user(&it->u, &b)
				     : buf_printf(&b, "%s\n", it->raw);

		if (r < 0)
			die_temp("out of memory");
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", us->path);
	(void)unlink(tmp); /* a stale one from a crash; we hold the lock */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_temp("cannot create %s: %s", tmp, strerror(errno));
	for (i = 0; i < b.len;) {
		ssize_t w = write(fd, b.data + i, b.len - i);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die_temp("cannot write %s: %s", tmp, strerror(errno));
		i += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		die_temp("cannot write %s: %s", tmp, strerror(errno));
	if (rename(tmp, us->path) < 0)
		die_temp("cannot rename %s: %s", tmp, strerror(errno));
	/* the rename is only durable once the directory is */
	dfd = open(us->conf.confdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0)
			die_temp("cannot fsync %s: %s", us->conf.confdir, strerror(errno));
		close(dfd);
	}
	buf_free(&b);
}

/* Default Maildir <mail_dir>/<domain>/<local>/Maildir. */
static void
default_maildir(const struct conf *c, const char *address, char *out, size_t outlen)
{
	const char *at = strrchr(address, '@'), *err = NULL;
	int n;

	if (at == NULL || at == address)
		die_perm("%s: no local part", address);
	if (memchr(address, '/', (size_t)(at - address)) != NULL ||
	    memchr(address, '"', (size_t)(at - address)) != NULL || address[0] == '.' ||
	    strchr(at, '/') != NULL)
		die_perm("%s: cannot derive a Maildir path from this address; give -m",
			 address);
	n = snprintf(out, outlen, "%s/%s/%.*s/Maildir", c->mail_dir, at + 1,
		     (int)(at - address), address);
	if (n < 0 || (size_t)n >= outlen)
		die_perm("%s: Maildir path too long", address);
	if (userdb_maildir_ok(out, &err) < 0)
		die_perm("%s: %s", out, err);
}

static void
effective_maildir(const struct conf *c, const struct userdb_user *u, char *out,
		  size_t outlen)
{
	if (u->maildir[0] != '\0')
		snprintf(out, outlen, "%s", u->maildir);
	else
		default_maildir(c, u->address, out, outlen);
}

/* Recompiles users.cdb and passwd.cdb from the parsed file. */
static void
compile(struct users *us)
{
	struct cdbmap_builder ub, pb;
	char upath[PATH_MAX], ppath[PATH_MAX];
	struct buf v;
	size_t i;

	if (conf_path(&us->conf, "users.cdb", upath, sizeof(upath)) < 0 ||
	    conf_path(&us->conf, "passwd.cdb", ppath, sizeof(ppath)) < 0)
		die_perm("config dir path too long");
	if (cdbmap_build_begin(&ub, upath, 0644) < 0)
		die_temp("cannot create %s: %s", upath, strerror(errno));
	if (cdbmap_build_begin(&pb, ppath, 0600) < 0)
		die_temp("cannot create %s: %s", ppath, strerror(errno));
	buf_init(&v, 0);
	for (i = 0; i < us->n; i++) {
		struct userdb_user u;

		if (!us->items[i].is_entry)
			continue;
		u = us->items[i].u;
		effective_maildir(&us->conf, &us->items[i].u, u.maildir,
				  sizeof(u.maildir));
		buf_reset(&v);
		if (userdb_format_user_value(&u, &v) < 0)
			die_temp("out of memory");
		if (cdbmap_build_add(&ub, u.address, strlen(u.address), v.data, v.len) < 0)
			die_temp("cannot write %s: %s", upath, strerror(errno));
		if (u.hash[0] != '\0' &&
		    cdbmap_build_add(&pb, u.address, strlen(u.address), u.hash,
				     strlen(u.hash)) < 0)
			die_temp("cannot write %s: %s", ppath, strerror(errno));
	}
	buf_free(&v);
	if (cdbmap_build_commit(&ub) < 0)
		die_temp("cannot install %s: %s", upath, strerror(errno));
	if (cdbmap_build_commit(&pb) < 0)
		die_temp("cannot install %s: %s", ppath, strerror(errno));
}

/* Reads a line from fd 0 (no echo when it is a tty). 0 / -1 (EOF). */
static int
read_secret_line(struct buf *pw, const char *prompt)
{
	struct termios old, noecho;
	bool tty = isatty(STDIN_FILENO);
	char c;
	ssize_t r;
	int ret = 0;

	buf_reset(pw);
	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) < 0)
			die_temp("cannot read the terminal settings: %s", strerror(errno));
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		noecho.c_lflag |= ECHONL;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	}
	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = pw->len > 0 ? 0 : -1;
			break;
		}
		if (c == '\n')
			break;
		if (buf_putc(pw, c) < 0) {
			ret = -1;
			break;
		}
	}
	if (tty)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (pw->len > 0 && pw->data[pw->len - 1] == '\r')
		pw->data[--pw->len] = '\0';
	return ret;
}

/* The password from -p, stdin (not a tty) or a twice-asked prompt. */
static void
get_password(const char *opt, struct buf *pw)
{
	struct buf again;

	buf_init(pw, USERS_PASSWORD_MAX_BYTES);
	if (opt != NULL) {
		if (buf_set(pw, opt, strlen(opt)) < 0)
			die_perm("password too long");
	} else if (!isatty(STDIN_FILENO)) {
		if (read_secret_line(pw, "") < 0)
			die_perm("no password on stdin (or longer than %d bytes)",
				 USERS_PASSWORD_MAX_BYTES);
	} else {
		buf_init(&again, USERS_PASSWORD_MAX_BYTES);
		if (read_secret_line(pw, "Password: ") < 0 ||
		    read_secret_line(&again, "Again: ") < 0)
			die_perm("no password given");
		if (pw->len != again.len || memcmp(pw->data, again.data, pw->len) != 0) {
			buf_free_secret(&again);
			buf_free_secret(pw);
			die_perm("the passwords do not match");
		}
		buf_free_secret(&again);
	}
	if (pw->len == 0)
		die_perm("empty password");
	if (memchr(pw->data, '\0', pw->len) != NULL)
		die_perm("password contains a NUL byte");
}

/* yescrypt hash (or SHA-512 crypt) of the password into u->hash; wipes
 * the password. */
static void
hash_password(struct buf *pw, struct userdb_user *u)
{
	struct crypt_data *cd;
	const char *salt, *h, *err = NULL;

	salt = crypt_gensalt("$y$", 0, NULL, 0);
	if (salt == NULL)
		salt = crypt_gensalt("$6$", 0, NULL, 0);
	if (salt == NULL)
		die_temp("crypt_gensalt failed: %s", strerror(errno));
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		die_temp("out of memory");
	h = crypt_r(pw->data, salt, cd);
	buf_free_secret(pw);
	if (h == NULL || h[0] == '*')
		die_temp("crypt failed: %s", strerror(errno));
	if (userdb_hash_ok(h, strlen(h), &err) < 0)
		die_temp("crypt: %s", err);
	snprintf(u->hash, sizeof(u->hash), "%s", h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
}

/* UID/GID given as a number or a name. */
static unsigned long
parse_owner(const char *s, bool group)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] != '\0' && *end == '\0' && errno == 0 && s[0] != '-') {
		if (v > 0xfffffffeUL)
			die_perm("%s: out of range", s);
		return v;
	}
	if (group) {
		struct group *gr = getgrnam(s);

		if (gr == NULL)
			die_perm("%s: no such group", s);
		return gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(s);

		if (pw == NULL)
			die_perm("%s: no such user", s);
		return pw->pw_uid;
	}
}

/* Creates the Maildir now (-c). As root this is done by a child that has
 * become the mailbox owner first, exactly as quail-deliver would do it:
 * parents it creates belong to the owner, and root never writes into a
 * directory tree the owner controls. */
static void
create_maildir(const struct conf *c, const struct userdb_user *u)
{
	char path[PATH_MAX];
	const char *err = NULL;
	uid_t uid = u->uid;
	gid_t gid = u->gid;
	pid_t pid;
	int status;

	effective_maildir(c, u, path, sizeof(path));
	if (geteuid() != 0) {
		if (maildir_create(path, USERS_PARENT_MODE, &err) < 0)
			die_temp("%s: %s: %s", path, err, strerror(errno));
		return;
	}
	if (!u->has_ids) {
		struct passwd *pw = getpwnam(c->vmail_user);

		if (pw == NULL)
			die_temp("vmail_user %s does not exist", c->vmail_user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_temp("fork: %s", strerror(errno));
	if (pid == 0) {
		if (priv_drop_ids(uid, gid, NULL, &err) < 0)
			die_temp("cannot change to uid %lu: %s", (unsigned long)uid, err);
		if (maildir_create(path, USERS_PARENT_MODE, &err) < 0)
			die_temp("%s: %s (as uid %lu): %s", path, err, (unsigned long)uid,
				 strerror(errno));
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die_temp("waitpid: %s", strerror(errno));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die_temp("%s: the Maildir was not created (the user entry is saved; "
			 "quail-deliver creates it on first delivery)", path);
}

static void
check_address(const struct conf *c, const char *in, char *out)
{
	const char *err = NULL, *at;

	if (userdb_address(in, strlen(in), out, &err) < 0)
		die_perm("%s: %s", in, err);
	at = strrchr(out, '@');
	if (c->recipient_delimiter != '\0' &&
	    memchr(out, c->recipient_delimiter, (size_t)(at - out)) != NULL)
		die_perm("%s: the local part contains the recipient delimiter '%c'",
			 out, c->recipient_delimiter);
	if (!conf_is_local_domain(c, at + 1))
		fprintf(stderr, "quail-users: warning: %s is not in local_domains\n",
			at + 1);
}

static int
cmd_add(struct users *us, int argc, char **argv)
{
	const char *pass = NULL, *maildir = NULL, *uid = NULL, *gid = NULL, *err = NULL;
	bool create = false;
	struct item *it;
	struct buf pw;
	int ch;

	while ((ch = getopt(argc, argv, "p:m:u:g:c")) != -1) {
		switch (ch) {
		case 'p': pass = optarg; break;
		case 'm': maildir = optarg; break;
		case 'u': uid = optarg; break;
		case 'g': gid = optarg; break;
		case 'c': create = true; break;
		default: die_usage(usage_text);
		}
	}
	if (optind + 1 != argc || (uid == NULL) != (gid == NULL))
		die_usage(usage_text);
	it = new_item(us);
	it->is_entry = true;
	check_address(&us->conf, argv[optind], it->u.address);
	us->n--;
	if (find(us, it->u.address) != NULL)
		die_perm("%s: already exists", it->u.address);
	us->n++;
	if (uid != NULL) {
		unsigned long u = parse_owner(uid, false), g = parse_owner(gid, true);

		if (u == 0)
			die_perm("uid 0 (root) cannot own a mailbox");
		it->u.has_ids = true;
		it->u.uid = (uid_t)u;
		it->u.gid = (gid_t)g;
	}
	if (maildir != NULL && maildir[0] != '\0') {
		if (userdb_maildir_ok(maildir, &err) < 0)
			die_perm("%s: %s", maildir, err);
		if (strlen(maildir) >= sizeof(it->u.maildir))
			die_perm("%s: too long", maildir);
		snprintf(it->u.maildir, sizeof(it->u.maildir), "%s", maildir);
	} else {
		default_maildir(&us->conf, it->u.address, it->u.maildir,
				sizeof(it->u.maildir));
	}
	get_password(pass, &pw);
	hash_password(&pw, &it->u);
	write_users(us);
	compile(us);
	if (create)
		create_maildir(&us->conf, &it->u);
	log_msg(LOG_NOTICE, "user added: %s maildir=%s", it->u.address, it->u.maildir);
	return 0;
}

static struct item *
find_arg(struct users *us, const char *arg)
{
	char address[ADDR_PATH_MAX_BYTES + 1];
	const char *err = NULL;
	struct item *it;

	if (userdb_address(arg, strlen(arg), address, &err) < 0)
		die_perm("%s: %s", arg, err);
	it = find(us, address);
	if (it == NULL)
		die_perm("%s: no such user", address);
	return it;
}

static int
cmd_del(struct users *us, int argc, char **argv)
{
	struct item *it;
	char address[ADDR_PATH_MAX_BYTES + 1];

	if (argc != 2)
		die_usage(usage_text);
	it = find_arg(us, argv[1]);
	snprintf(address, sizeof(address), "%s", it->u.address);
	memmove(it, it + 1, (size_t)(&us->items[us->n] - (it + 1)) * sizeof(*it));
	us->n--;
	write_users(us);
	compile(us);
	log_msg(LOG_NOTICE, "user deleted: %s (the Maildir is kept)", address);
	return 0;
}

static int
cmd_passwd(struct users *us, int argc, char **argv)
{
	const char *pass = NULL;
	struct item *it;
	struct buf pw;
	int ch;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		if (ch != 'p')
			die_usage(usage_text);
		pass = optarg;
	}
	if (optind + 1 != argc)
		die_usage(usage_text);
	it = find_arg(us, argv[optind]);
	get_password(pass, &pw);
	hash_password(&pw, &it->u);
	write_users(us);
	compile(us);
	log_msg(LOG_NOTICE, "password changed: %s", it->u.address);
	return 0;
}

static int
cmd_list(struct users *us)
{
	char md[PATH_MAX];
	size_t i;

	for (i = 0; i < us->n; i++) {
		const struct userdb_user *u = &us->items[i].u;

		if (!us->items[i].is_entry)
			continue;
		effective_maildir(&us->conf, u, md, sizeof(md));
		if (u->has_ids)
			printf("%s\t%lu:%lu\t%s\n", u->address, (unsigned long)u->uid,
			       (unsigned long)u->gid, md);
		else
			printf("%s\t%s\t%s\n", u->address, us->conf.vmail_user, md);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die_temp("write error on stdout");
	return 0;
}

/* Takes the lock for the whole run (released at exit). */
static void
lock_users(const struct conf *c)
{
	char path[PATH_MAX];
	int fd;

	if (conf_path(c, "users.lock", path, sizeof(path)) < 0)
		die_perm("config dir path too long");
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_temp("cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) < 0)
		die_temp("cannot lock %s: %s", path, strerror(errno));
}

int
main(int argc, char **argv)
{
	static struct users us;
	const char *dir = NULL, *err = NULL, *cmd;
	int ch;

	log_open("users", "stderr");
	while ((ch = getopt(argc, argv, "+C:")) != -1) {
		if (ch != 'C')
			die_usage(usage_text);
		dir = optarg;
	}
	if (optind >= argc)
		die_usage(usage_text);
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 0; /* glibc: rescan from scratch */
	if (conf_load(&us.conf, dir, &err) < 0)
		die_temp("%s", err);
	if (strcmp(us.conf.log_dest, "stderr") != 0)
		log_open("users", us.conf.log_dest);
	if (conf_path(&us.conf, "users", us.path, sizeof(us.path)) < 0)
		die_perm("config dir path too long");
	umask(022);
	lock_users(&us.conf);
	load_users(&us);
	if (strcmp(cmd, "add") == 0)
		return cmd_add(&us, argc, argv);
	if (strcmp(cmd, "del") == 0)
		return cmd_del(&us, argc, argv);
	if (strcmp(cmd, "passwd") == 0)
		return cmd_passwd(&us, argc, argv);
	if (strcmp(cmd, "list") == 0 && argc == 1)
		return cmd_list(&us);
	if (strcmp(cmd, "rebuild") == 0 && argc == 1) {
		compile(&us);
		log_msg(LOG_NOTICE, "users.cdb and passwd.cdb rebuilt");
		return 0;
	}
	die_usage(usage_text);
}
