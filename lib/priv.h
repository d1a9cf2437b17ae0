/*
 * priv.h -- dropping privileges for good: setgroups, setresgid, setresuid,
 * then verify that root cannot be regained.
 * Return convention: 0 ok, -1 error with *error_r set (static text).
 */
#ifndef QUAIL_PRIV_H
#define QUAIL_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

bool priv_is_root(void);
/* Drops to uid/gid with supplementary groups cleared (or initgroups when
 * user != NULL). Verifies setuid(0) fails afterwards. */
int priv_drop_ids(uid_t uid, gid_t gid, const char *user, const char **error_r);
/* Looks user up with getpwnam and drops to it. */
int priv_drop_user(const char *user, const char **error_r);

#endif
