/*
 * auth.c -- the login backends: passwd.cdb + crypt(3) for virtual users,
 * Linux-PAM for system users (see auth.h). Modelled on Dovecot's
 * passdb-pam.c (conversation) and qmail-popup/checkpassword (wiping).
 *
 * SECURITY: runs in the root monitor on credentials sent by the
 * unprivileged protocol child, so every input is treated as hostile:
 * lengths are checked before use, names are validated before they reach
 * a cdb key or getpwnam(), and the password only goes to crypt_rn() or to
 * the PAM conversation. Timing: an unknown virtual user is hashed against
 * a dummy yescrypt hash of the default cost, and PAM's own fail delay is
 * replaced by a no-op so that auth_fail_sleep() is the only delay anyone
 * pays. No mailbox is ever returned for uid 0 or a system account.
 * The daemons verify through auth_verify_forked() (below): the hashing,
 * libcrypt, PAM and the password-derived state stay in a child process
 * that exits, never in the process that goes on to run the session.
 */
#include <crypt.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "auth.h"
#include "buf.h"
#include "cdbmap.h"
#include "log.h"
#include "userdb.h"

/* users.cdb values are "uid:gid:maildir": a path plus two numbers. */
#define AUTH_USERS_VALUE_MAX_BYTES (PATH_MAX + 32)
/* System login names as useradd allows them (rcpt.c uses the same). */
#define AUTH_SYSTEM_NAME_MAX_BYTES 32
/* Prompts a whole PAM transaction may issue: pam_unix asks once; a stack
 * that keeps asking is broken or hostile. */
#define AUTH_PAM_PROMPTS_MAX 16
/* "cannot load libcrypt.so.1: <dlerror text>" and then some. */
#define AUTH_LOAD_ERROR_MAX_BYTES 512
/* The error text a verifying child (auth_verify_forked) reports back:
 * the longest this module makes is a load error. */
#define AUTH_CHILD_ERROR_MAX_BYTES AUTH_LOAD_ERROR_MAX_BYTES

/*
 * libcrypt and libpam are not linked: each is dlopen()ed the first time a
 * login needs it (auth_crypt_load, auth_pam_load), as lib/tls.c does
 * with OpenSSL. The per-connection daemons (quail-smtpd, quail-pop3d)
 * call auth only for AUTH/USER+PASS, in the root monitor; a session
 * without a login then never maps libcrypt (80 kB of touched pages) nor
 * libpam with libaudit and libcap-ng (136 kB), and the dynamic linker
 * does not load and relocate them at every exec (root monitor of a
 * plaintext quail-smtpd session: 2164 kB peak RSS linked, 1940 kB;
 * bench/README.md). Every function used
 * below goes through the tables; the #defines after them make the code
 * read as ordinary calls. The types come from the headers we compile
 * against; the sonames carry the ABI versions.
 *
 * A library that cannot be loaded (or lacks a function) makes its backend
 * answer -1, a temporary failure naming the library: the client sees the
 * same "try again later" as for an unreadable map. The failure is not
 * remembered: the next login tries again. A loaded library is never
 * closed (PAM modules keep pointers into libpam).
 *
 * SECURITY: the libraries are found as the dynamic linker finds any other
 * (ld.so.cache, system directories; the same environment, e.g.
 * LD_LIBRARY_PATH unless the program runs setuid, that already decided
 * how this program itself was linked). They are loaded in the root
 * monitor, where libpam was mapped before, and only when a client tries
 * to log in. The error text (dlerror) goes to the log, never to the
 * client.
 */
#define AUTH_LIBCRYPT_SONAME "libcrypt.so.1"
#define AUTH_LIBPAM_SONAME "libpam.so.0"

#define AUTH_CRYPT_FUNCTIONS(X) \
	X(crypt_rn)
#define AUTH_PAM_FUNCTIONS(X) \
	X(pam_acct_mgmt) \
	X(pam_authenticate) \
	X(pam_end) \
	X(pam_set_item) \
	X(pam_start) \
	X(pam_strerror)

#define AUTH_LIB_MEMBER(name) __typeof__(&name) name;
static struct {
	AUTH_CRYPT_FUNCTIONS(AUTH_LIB_MEMBER)
} auth_crypt;
static struct {
	AUTH_PAM_FUNCTIONS(AUTH_LIB_MEMBER)
} auth_pam;
#undef AUTH_LIB_MEMBER
static bool auth_crypt_loaded, auth_pam_loaded;

/* dlopen()s soname. NULL with *error_r (in msg) on failure. */
static void *
auth_lib_open(const char *soname, char *msg, size_t msglen,
	      const char **error_r)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		const char *e = dlerror();

		snprintf(msg, msglen, "cannot load %s: %s", soname,
			 e != NULL ? e : "dlopen failed");
		*error_r = msg;
	}
	return h;
}

/* Records that soname lacks name. Returns -1 with *error_r. */
static int
auth_lib_missing(const char *soname, const char *name, char *msg,
		 size_t msglen, const char **error_r)
{
	snprintf(msg, msglen, "cannot load %s: it lacks %s", soname, name);
	*error_r = msg;
	return -1;
}

/* A data pointer converted to a function pointer: POSIX guarantees this
 * works for dlsym. Stops at the first missing function. */
#define AUTH_LIB_LOOKUP(table, name) \
	if (missing == NULL) { \
		*(void **)&table.name = dlsym(h, #name); \
		if (table.name == NULL) \
			missing = #name; \
	}
#define AUTH_CRYPT_LOOKUP(name) AUTH_LIB_LOOKUP(auth_crypt, name)
#define AUTH_PAM_LOOKUP(name) AUTH_LIB_LOOKUP(auth_pam, name)

/* Loads libcrypt once. 0 / -1 with *error_r (static text). */
static int
auth_crypt_load(const char **error_r)
{
	static char msg[AUTH_LOAD_ERROR_MAX_BYTES];
	const char *missing = NULL;
	void *h;

	if (auth_crypt_loaded)
		return 0;
	h = auth_lib_open(AUTH_LIBCRYPT_SONAME, msg, sizeof(msg), error_r);
	if (h == NULL)
		return -1;
	AUTH_CRYPT_FUNCTIONS(AUTH_CRYPT_LOOKUP)
	if (missing != NULL) {
		memset(&auth_crypt, 0, sizeof(auth_crypt));
		return auth_lib_missing(AUTH_LIBCRYPT_SONAME, missing, msg,
					sizeof(msg), error_r);
	}
	auth_crypt_loaded = true;
	return 0;
}

/* Loads libpam once. 0 / -1 with *error_r (static text). */
static int
auth_pam_load(const char **error_r)
{
	static char msg[AUTH_LOAD_ERROR_MAX_BYTES];
	const char *missing = NULL;
	void *h;

	if (auth_pam_loaded)
		return 0;
	h = auth_lib_open(AUTH_LIBPAM_SONAME, msg, sizeof(msg), error_r);
	if (h == NULL)
		return -1;
	AUTH_PAM_FUNCTIONS(AUTH_PAM_LOOKUP)
	if (missing != NULL) {
		memset(&auth_pam, 0, sizeof(auth_pam));
		return auth_lib_missing(AUTH_LIBPAM_SONAME, missing, msg,
					sizeof(msg), error_r);
	}
	auth_pam_loaded = true;
	return 0;
}
#undef AUTH_CRYPT_LOOKUP
#undef AUTH_PAM_LOOKUP
#undef AUTH_LIB_LOOKUP

/* From here on, libcrypt and libpam are called through the tables. */
#define crypt_rn (*auth_crypt.crypt_rn)
#define pam_acct_mgmt (*auth_pam.pam_acct_mgmt)
#define pam_authenticate (*auth_pam.pam_authenticate)
#define pam_end (*auth_pam.pam_end)
#define pam_set_item (*auth_pam.pam_set_item)
#define pam_start (*auth_pam.pam_start)
#define pam_strerror (*auth_pam.pam_strerror)

/* Hashes of "quail-dummy-password" with quail-users' default settings
 * (yescrypt, else SHA-512 crypt): verifying an unknown user against them
 * costs what a real verification costs. */
static const char auth_dummy_hash_y[] =
	"$y$j9T$AgPdRoU6bwcpxys.j2nPv1$AVreZ89QsWWbkn11mgHE7wJ7IqtSg2oG6hFKD4JqzVD";
static const char auth_dummy_hash_6[] =
	"$6$LaR4INR.JTk64tMQ$od9rCMJJIyETX/JaBrqaVylJns3ASDzzkbHoSlZF.D6Oxd9t"
	"TC2XmKSDqXAtT37l3doPXQKduFV/ez6ht7kCD.";

/* Compares two NUL-terminated hashes without an early exit on the first
 * differing byte. */
static bool
hash_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* crypt_rn(pass, hash) == hash. A hash crypt(3) cannot use ("!", "*",
 * unknown method) never matches. libcrypt must be loaded. */
static bool
crypt_check(const char *pass, const char *hash)
{
	struct crypt_data *cd;
	const char *out;
	bool ok = false;

	/* struct crypt_data is ~32 KiB: heap, not stack */
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return false;
	out = crypt_rn(pass, hash, cd, (int)sizeof(*cd));
	if (out != NULL && out[0] != '*')
		ok = hash_equal(out, hash);
	/* the intermediate state is derived from the password */
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* Spends the time of one verification on nothing; nothing at all when
 * libcrypt cannot be loaded (the caller then fails every login alike). */
static void
crypt_dummy(const char *pass)
{
	struct crypt_data *cd;
	const char *err;

	if (auth_crypt_load(&err) < 0)
		return;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return;
	if (crypt_rn(pass, auth_dummy_hash_y, cd, (int)sizeof(*cd)) == NULL)
		(void)crypt_rn(pass, auth_dummy_hash_6, cd, (int)sizeof(*cd));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
}

/* users.cdb value "uid:gid:maildir" into u (uid/gid resolved to the
 * vmail_user's when empty). 1 ok, 0 refused (uid 0), -1 malformed. */
static int
users_value(const struct conf *c, const char *v, size_t len,
	    struct auth_user *u, const char **error_r)
{
	unsigned long uid, gid;

	*error_r = "users.cdb: malformed entry (run quail-users rebuild)";
	if (userdb_parse_user_value(v, len, &uid, &gid, u->maildir,
				    sizeof(u->maildir)) < 0)
		return -1;
	if (uid == (unsigned long)-1) {
		struct passwd *pw;

		errno = 0;
		pw = getpwnam(c->vmail_user);
		if (pw == NULL) {
			*error_r = "vmail_user does not exist";
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (uid == 0 || gid == 0) {
		log_msg(LOG_WARNING, "auth: refusing login to a mailbox owned "
			"by root (uid or gid 0): fix users or vmail_user");
		return 0;
	}
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	return 1;
}

/* Looks key up in the cdb file name of the config dir. 1 / 0 / -1. */
static int
map_get(const struct conf *c, const char *name, const char *key,
	struct buf *val, const char **error_r)
{
	static char msg[128];
	struct cdbmap m;
	char path[PATH_MAX];
	int ret;

	snprintf(msg, sizeof(msg), "cannot read %s", name);
	if (conf_path(c, name, path, sizeof(path)) < 0) {
		*error_r = "config dir path too long";
		return -1;
	}
	ret = cdbmap_open(&m, path);
	if (ret <= 0) {
		/* absent: nobody is found, which fails closed */
		if (ret < 0)
			*error_r = msg;
		return ret;
	}
	ret = cdbmap_lookup(&m, key, strlen(key), val);
	cdbmap_close(&m);
	if (ret < 0)
		*error_r = msg;
	return ret;
}

int
auth_verify_cdb(const struct conf *c, const char *user, const char *pass,
		struct auth_user *u_r, const char **error_r)
{
	char key[ADDR_PATH_MAX_BYTES + 1];
	const char *err;
	struct buf hash, val;
	int ret;

	/* Before anything else: known and unknown users fail alike. */
	if (auth_crypt_load(error_r) < 0)
		return -1;
	buf_init(&hash, USERDB_HASH_MAX_BYTES);
	buf_init(&val, AUTH_USERS_VALUE_MAX_BYTES);
	/* A name that cannot be a users key is an unknown user: same cost. */
	if (userdb_address(user, strlen(user), key, &err) < 0) {
		crypt_dummy(pass);
		ret = 0;
		goto out;
	}
	ret = map_get(c, "passwd.cdb", key, &hash, error_r);
	if (ret < 0)
		goto out;
	if (ret == 0) {
		crypt_dummy(pass);
		goto out;
	}
	if (!crypt_check(pass, buf_cstr(&hash))) {
		ret = 0;
		goto out;
	}
	/* The password is right: from here on failures are the admin's. */
	ret = map_get(c, "users.cdb", key, &val, error_r);
	if (ret == 0) {
		*error_r = "user in passwd.cdb but not in users.cdb "
			   "(run quail-users rebuild)";
		ret = -1;
	}
	if (ret < 0)
		goto out;
	memset(u_r, 0, sizeof(*u_r));
	ret = users_value(c, val.data, val.len, u_r, error_r);
	if (ret > 0) {
		memcpy(u_r->name, key, strlen(key) + 1);
		u_r->system_user = false;
	}
out:
	buf_free_secret(&hash);
	buf_free(&val);
	return ret;
}

/* State of one PAM transaction, handed to the conversation function. */
struct auth_pam_ctx {
	const char *user;
	const char *pass;
	unsigned prompts;       /* prompts answered so far */
};

static void
pam_responses_free(struct pam_response *r, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

/* Answers password prompts with the password and echoed prompts with the
 * user name; informational messages get no answer; anything else, too
 * many messages or too many prompts fail the conversation. */
static int
pam_conv_fn(int num_msg, const struct pam_message **msg,
	    struct pam_response **resp_r, void *appdata)
{
	struct auth_pam_ctx *ctx = appdata;
	struct pam_response *r;
	int i;

	*resp_r = NULL;
	if (num_msg <= 0 || num_msg > AUTH_PAM_MSG_MAX)
		return PAM_CONV_ERR;
	r = calloc((size_t)num_msg, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		const char *answer = NULL;

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			answer = ctx->pass;
			break;
		case PAM_PROMPT_ECHO_ON:
			answer = ctx->user;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			continue;
		default:
			pam_responses_free(r, num_msg);
			return PAM_CONV_ERR;
		}
		if (++ctx->prompts > AUTH_PAM_PROMPTS_MAX) {
			pam_responses_free(r, num_msg);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(answer);
		if (r[i].resp == NULL) {
			pam_responses_free(r, num_msg);
			return PAM_BUF_ERR;
		}
	}
	*resp_r = r;
	return PAM_SUCCESS;
}

/* Replaces pam_unix's own failure delay: auth_fail_sleep() is the one
 * delay, the same for every backend and for unknown users. */
static void
pam_no_delay(int retval, unsigned usec, void *appdata)
{
	(void)retval;
	(void)usec;
	(void)appdata;
}

/* A plausible system login name (same rule as rcpt.c). */
static bool
system_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > AUTH_SYSTEM_NAME_MAX_BYTES || s[0] == '.' ||
	    s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(isalnum(ch) || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* "name" or "name@<local domain>" -> "name" in out. 0 / -1. */
static int
pam_name(const struct conf *c, const char *user, char *out, size_t outlen)
{
	const char *at = strchr(user, '@');
	size_t n = at == NULL ? strlen(user) : (size_t)(at - user);

	if (at != NULL && !conf_is_local_domain(c, at + 1))
		return -1;
	if (n >= outlen || !system_name_ok(user, n))
		return -1;
	memcpy(out, user, n);
	out[n] = '\0';
	return 0;
}

/* Runs pam_authenticate + pam_acct_mgmt. Returns the PAM result. */
static int
pam_check(const struct conf *c, const char *name, const char *pass,
	  const char *remote_ip)
{
	struct auth_pam_ctx ctx = { name, pass, 0 };
	struct pam_conv conv = { pam_conv_fn, &ctx };
	pam_handle_t *h = NULL;
	int rc;

	rc = pam_start(c->pam_service, name, &conv, &h);
	if (rc != PAM_SUCCESS)
		return rc;
	if (remote_ip != NULL && remote_ip[0] != '\0')
		rc = pam_set_item(h, PAM_RHOST, remote_ip);
	/* GNU C: a function pointer through PAM's void * item */
	if (rc == PAM_SUCCESS)
		rc = pam_set_item(h, PAM_FAIL_DELAY, (const void *)pam_no_delay);
	if (rc == PAM_SUCCESS)
		rc = pam_authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	(void)pam_end(h, rc);
	return rc;
}

int
auth_verify_pam(const struct conf *c, const char *user, const char *pass,
		const char *remote_ip, struct auth_user *u_r,
		const char **error_r)
{
	static char msg[160];
	char name[AUTH_SYSTEM_NAME_MAX_BYTES + 1];
	struct passwd *pw;
	int rc, n;

	if (pam_name(c, user, name, sizeof(name)) < 0)
		return 0;
	/* SECURITY: never let PAM check root's or a daemon's password: the
	 * answer would be "no" anyway, but the attempt itself would turn
	 * the mail login into a password oracle (and trip lockouts). Which
	 * accounts exist is no secret (/etc/passwd is world-readable). */
	errno = 0;
	pw = getpwnam(name);
	if (pw != NULL && pw->pw_uid < AUTH_SYSTEM_UID_MIN)
		return 0;
	if (auth_pam_load(error_r) < 0)
		return -1;
	rc = pam_check(c, name, pass, remote_ip);
	switch (rc) {
	case PAM_SUCCESS:
		break;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_ACCT_EXPIRED:
	case PAM_PERM_DENIED:
	case PAM_NEW_AUTHTOK_REQD: /* expired password: no way to change it */
		return 0;
	default:
		snprintf(msg, sizeof(msg), "PAM service %s: %s", c->pam_service,
			 pam_strerror(NULL, rc));
		*error_r = msg;
		return -1;
	}
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		*error_r = "PAM accepted a user without a passwd entry";
		return -1;
	}
	/* SECURITY: root and daemon accounts never get a mail session. */
	if (pw->pw_uid < AUTH_SYSTEM_UID_MIN || pw->pw_gid == 0 ||
	    pw->pw_dir == NULL || pw->pw_dir[0] != '/') {
		log_msg(LOG_WARNING, "auth: refusing PAM login of system "
			"account uid=%lu (below %u, gid 0 or no home)",
			(unsigned long)pw->pw_uid, AUTH_SYSTEM_UID_MIN);
		return 0;
	}
	memset(u_r, 0, sizeof(*u_r));
	n = snprintf(u_r->maildir, sizeof(u_r->maildir), "%s%sMaildir",
		     pw->pw_dir,
		     pw->pw_dir[strlen(pw->pw_dir) - 1] == '/' ? "" : "/");
	if (n < 0 || (size_t)n >= sizeof(u_r->maildir)) {
		*error_r = "home directory path too long";
		return -1;
	}
	snprintf(u_r->name, sizeof(u_r->name), "%s", pw->pw_name);
	u_r->uid = pw->pw_uid;
	u_r->gid = pw->pw_gid;
	u_r->system_user = true;
	return 1;
}

int
auth_verify(const struct conf *c, const char *user, const char *pass,
	    const char *remote_ip, struct auth_user *u_r,
	    const char **error_r)
{
	const char *err = NULL;
	bool temp = false;
	size_t i, ulen = strnlen(user, AUTH_USER_MAX_BYTES + 1);
	size_t plen = strnlen(pass, AUTH_PASS_MAX_BYTES + 1);
	int ret = 0;

	*error_r = NULL;
	/* Out-of-bounds input is refused like a bad password, after a
	 * dummy verification so it does not stand out by speed. */
	if (ulen == 0 || ulen > AUTH_USER_MAX_BYTES || plen == 0 ||
	    plen > AUTH_PASS_MAX_BYTES) {
		crypt_dummy("");
		return 0;
	}
	for (i = 0; i < c->n_auth_backends && ret != 1; i++) {
		switch (c->auth_backends[i]) {
		case CONF_AUTH_CDB:
			ret = auth_verify_cdb(c, user, pass, u_r, &err);
			break;
		case CONF_AUTH_PAM:
			ret = auth_verify_pam(c, user, pass, remote_ip, u_r,
					      &err);
			break;
		default:
			ret = -1;
			err = "unknown auth backend";
			break;
		}
		if (ret < 0) {
			/* remember, but let a later backend still accept */
			temp = true;
			*error_r = err;
		}
	}
	if (ret == 1)
		return 1;
	return temp ? -1 : 0;
}

/*
 * auth_verify_forked: the verification in a child process.
 *
 * The child runs auth_verify() and writes one report (the verdict, the
 * user, the error text) into a pipe, then _exit()s; the caller reads it
 * whole and reaps the child. Whatever the verification maps, allocates
 * or dirties dies with the child: libcrypt (~150 kB of touched pages:
 * yescrypt's tables), libpam with its modules and their libraries, the
 * 32 KiB crypt_data, the stack and heap that hashing grew. A root
 * monitor that becomes the session after the login (quail-imapd,
 * quail-pop3d) or a non-root daemon that runs the session itself so
 * keeps none of it for the whole session (quail-imapd idle session:
 * bench/README.md). The cost is one fork() per verification (well
 * under a millisecond for these small processes; a hash costs tens of
 * milliseconds).
 *
 * SECURITY: the password and everything derived from it (crypt state,
 * PAM conversation buffers) live only in the child's memory, which the
 * kernel frees on exit: none of it can be read later by the session
 * that parses client commands in the same process. The report is made
 * by the same binary with the same privileges but is still checked: the
 * exact size, a verdict of -1/0/1, NUL-terminated strings, never uid or
 * gid 0 for an accepted login. A child that dies, is killed or reports
 * anything else is a temporary failure.
 */
struct auth_child_report {
	int ret;
	struct auth_user user;
	char error[AUTH_CHILD_ERROR_MAX_BYTES];
};

/* CHILD: verifies, reports on fd, exits (never returns). */
static _Noreturn void
auth_child_run(const struct conf *c, const char *user, const char *pass,
	       const char *remote_ip, int fd)
{
	struct auth_child_report rep;
	const char *err = NULL, *p;
	size_t left;
	ssize_t n;

	memset(&rep, 0, sizeof(rep));
	rep.ret = auth_verify(c, user, pass, remote_ip, &rep.user, &err);
	if (rep.ret < 0)
		snprintf(rep.error, sizeof(rep.error), "%s",
			 err != NULL ? err : "unknown error");
	p = (const char *)&rep;
	left = sizeof(rep);
	while (left > 0) {
		n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		p += n;
		left -= (size_t)n;
	}
	/* _exit: no atexit handlers, no stdio flushing of the parent's
	 * buffers a second time */
	_exit(0);
}

/* Reads the child's whole report from fd. 0, or -1 when it is short. */
static int
auth_child_read(int fd, struct auth_child_report *rep)
{
	char *p = (char *)rep;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*rep)) {
		n = read(fd, p + got, sizeof(*rep) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int
auth_verify_forked(const struct conf *c, const char *user, const char *pass,
		   const char *remote_ip, struct auth_user *u_r,
		   const char **error_r)
{
	static char error[AUTH_CHILD_ERROR_MAX_BYTES];
	struct auth_child_report rep;
	int pfd[2], status = 0, rd, ret;
	pid_t pid, w;

	*error_r = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*error_r = "cannot make a pipe for the password check";
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		*error_r = "cannot fork the password check";
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		auth_child_run(c, user, pass, remote_ip, pfd[1]);
	}
	close(pfd[1]);
	memset(&rep, 0, sizeof(rep));
	rd = auth_child_read(pfd[0], &rep);
	close(pfd[0]);
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	/* w < 0 (ECHILD): SIGCHLD is ignored and the kernel reaped the
	 * child; then the whole report is all there is to go by. */
	if (rd < 0 || (w == pid && !(WIFEXITED(status) &&
				     WEXITSTATUS(status) == 0))) {
		explicit_bzero(&rep, sizeof(rep));
		*error_r = "the password check process failed";
		return -1;
	}
	if (rep.ret < -1 || rep.ret > 1 ||
	    memchr(rep.user.name, '\0', sizeof(rep.user.name)) == NULL ||
	    memchr(rep.user.maildir, '\0', sizeof(rep.user.maildir)) == NULL ||
	    memchr(rep.error, '\0', sizeof(rep.error)) == NULL ||
	    (rep.ret == 1 && (rep.user.uid == 0 || rep.user.gid == 0))) {
		explicit_bzero(&rep, sizeof(rep));
		*error_r = "malformed report from the password check process";
		return -1;
	}
	ret = rep.ret;
	if (ret == 1)
		*u_r = rep.user;
	if (ret < 0) {
		memcpy(error, rep.error, sizeof(error));
		*error_r = error;
	}
	explicit_bzero(&rep, sizeof(rep));
	return ret;
}

void
auth_fail_sleep(const struct conf *c)
{
	struct timespec ts = { (time_t)c->auth_fail_delay, 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
