/*
 * priv.c -- dropping privileges for good (os:queue.c, dc:imap/main.c).
 *
 * Order matters: supplementary groups first (needs root), then the gid
 * (needs root), then the uid (after which nothing else can change). The
 * result is verified with getres[ug]id and by checking that setuid(0)
 * fails, so a partially failed drop can never go unnoticed.
 *
 * Supplementary groups: priv_drop_ids() clears them (user == NULL) or
 * takes the user's own from the group database (initgroups, for mailbox
 * owners); priv_drop_user(), used for quail's own daemon accounts, keeps
 * only the account's primary group, like Postfix's set_ugid()
 * (pf:util/set_ugid.c). initgroups() asks every "group:" source of
 * nsswitch.conf, which on Debian loads libnss_systemd (and libm, libcap):
 * about 0.7 MB in every quail-smtpd session and a dlopen per connection,
 * for groups a daemon account does not need.
 *
 * SECURITY: dropping to uid 0 or gid 0 is refused: that would not drop
 * anything and usually means a broken passwd entry or config.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"

#define PRIV_ERROR_MAX_BYTES 256

static char priv_error[PRIV_ERROR_MAX_BYTES];

static int
priv_fail(const char **error_r, const char *what, int err)
{
	if (err != 0)
		snprintf(priv_error, sizeof(priv_error), "%s: %s", what,
		    strerror(err));
	else
		snprintf(priv_error, sizeof(priv_error), "%s", what);
	if (error_r != NULL)
		*error_r = priv_error;
	errno = err != 0 ? err : EPERM;
	return -1;
}

bool
priv_is_root(void)
{
	return geteuid() == 0;
}

/* True if every real, effective and saved id already equals uid/gid. */
static bool
priv_already(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return false;
	return ru == uid && eu == uid && su == uid && rg == gid && eg == gid &&
	    sg == gid;
}

/* How the supplementary groups are set. */
enum priv_groups {
	PRIV_GROUPS_NONE,       /* cleared */
	PRIV_GROUPS_PRIMARY,    /* only the primary gid */
	PRIV_GROUPS_USER,       /* initgroups(user) */
};

static int
priv_drop(uid_t uid, gid_t gid, enum priv_groups groups, const char *user,
    const char **error_r)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (uid == 0)
		return priv_fail(error_r, "refusing to run as uid 0", 0);
	if (gid == 0)
		return priv_fail(error_r, "refusing to run as gid 0", 0);
	/* Not root and already the target (lab, tests): nothing to drop. */
	if (!priv_is_root() && priv_already(uid, gid))
		return 0;
	if (groups == PRIV_GROUPS_USER) {
		if (initgroups(user, gid) < 0)
			return priv_fail(error_r, "initgroups", errno);
	} else if (groups == PRIV_GROUPS_PRIMARY) {
		if (setgroups(1, &gid) < 0)
			return priv_fail(error_r, "setgroups", errno);
	} else if (setgroups(0, NULL) < 0) {
		return priv_fail(error_r, "setgroups", errno);
	}
	if (setresgid(gid, gid, gid) < 0)
		return priv_fail(error_r, "setresgid", errno);
	if (setresuid(uid, uid, uid) < 0)
		return priv_fail(error_r, "setresuid", errno);
	/* Verify: all three ids changed, and root cannot be regained. */
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return priv_fail(error_r, "getresuid", errno);
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid)
		return priv_fail(error_r, "ids did not change", 0);
	if (setuid(0) == 0 || seteuid(0) == 0)
		return priv_fail(error_r, "root could be regained after the "
		    "drop", 0);
	if (setgid(0) == 0 || setegid(0) == 0)
		return priv_fail(error_r, "gid 0 could be regained after the "
		    "drop", 0);
	return 0;
}

int
priv_drop_ids(uid_t uid, gid_t gid, const char *user, const char **error_r)
{
	return priv_drop(uid, gid, user != NULL ? PRIV_GROUPS_USER :
	    PRIV_GROUPS_NONE, user, error_r);
}

int
priv_drop_user(const char *user, const char **error_r)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno != 0)
			return priv_fail(error_r, "getpwnam", errno);
		snprintf(priv_error, sizeof(priv_error), "unknown user %.64s",
		    user);
		if (error_r != NULL)
			*error_r = priv_error;
		errno = ENOENT;
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	/* A daemon account: its primary group only, no group database
	 * lookup (see the top of this file). */
	return priv_drop(uid, gid, PRIV_GROUPS_PRIMARY, NULL, error_r);
}
