/*
 * qctl.c -- quail-qctl: look at and steer the queue (quail-qctl(8)).
 *
 *   list            every message: id, age, size, sender, and each
 *                   recipient with its state from state/<id>
 *   flush           asks quail-send to retry every deferred recipient now
 *                   (writes 'F' to the trigger FIFO, HACKING.md)
 *   remove ID...    unlinks mess/<id>, then state/<id>
 *
 * The queue format and the state records are mail-queue(7).
 *
 * SECURITY: the queue belongs to the queue user and is mode 0700, so
 * reading it needs that user's rights. Started as root, quail-qctl drops
 * to the owner of queue_dir (the queue user; lib/priv.h) before touching
 * anything, so it never acts on the queue as root and files it creates
 * never belong to root. Ids are checked against the id syntax before they
 * become path names. Text from the queue (addresses, and reasons that may
 * quote remote servers) is printed through log_safe(): no control
 * characters reach the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "qctl.h"
#include "qfile.h"

/* The caller, for the log (before privileges are dropped). */
static uid_t caller_uid;

static const char usage_text[] =
	"quail-qctl [-C dir] list | flush | remove id ...";

/* Permission problems say what to do about them. what: a path inside
 * queue_dir, or NULL for queue_dir itself. */
static _Noreturn void
die_access(const struct conf *c, const char *what, int err)
{
	const char *sep = what != NULL ? "/" : "";

	if (what == NULL)
		what = "";
	if (err == EACCES || err == EPERM)
		die_perm("%s%s%s: permission denied: run as root or %s",
			 c->queue_dir, sep, what, c->queue_user);
	die_temp("%s%s%s: %s", c->queue_dir, sep, what, strerror(err));
}

/* As root: become the owner of queue_dir (refusing root itself), so the
 * queue is read and changed with the queue user's rights only. */
static void
become_queue_owner(const struct conf *c)
{
	struct stat st;
	const char *error = NULL;
	struct passwd *pw;

	if (!priv_is_root())
		return;
	if (stat(c->queue_dir, &st) < 0)
		die_temp("%s: %s", c->queue_dir, strerror(errno));
	if (st.st_uid == 0)
		die_perm("%s belongs to root, not to the queue user %s",
			 c->queue_dir, c->queue_user);
	pw = getpwnam(c->queue_user);
	if (pw != NULL && pw->pw_uid == st.st_uid) {
		if (priv_drop_ids(pw->pw_uid, pw->pw_gid, NULL, &error) < 0)
			die_temp("cannot become %s: %s", c->queue_user, error);
		return;
	}
	/* A queue made by an unprivileged instance belongs to its user. */
	if (priv_drop_ids(st.st_uid, st.st_gid, NULL, &error) < 0)
		die_temp("cannot become uid %ld: %s", (long)st.st_uid, error);
}

static void
enter_queue(const struct conf *c)
{
	become_queue_owner(c);
	if (chdir(c->queue_dir) < 0)
		die_access(c, NULL, errno);
}

/* ---- flush ------------------------------------------------------------- */

/* Writes one byte to the trigger FIFO. Returns 0, or -1 with errno
 * (ENXIO: nobody reads it, i.e. quail-send is not running). */
static int
poke(char byte)
{
	struct stat st;
	int fd = open("trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	ssize_t w;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	do
		w = write(fd, &byte, 1);
	while (w < 0 && errno == EINTR);
	int saved = errno;
	close(fd);
	errno = saved;
	return w == 1 ? 0 : -1;
}

static int
cmd_flush(const struct conf *c)
{
	enter_queue(c);
	if (poke('F') == 0) {
		printf("quail-qctl: flush requested: quail-send retries every "
		       "deferred recipient now\n");
		return 0;
	}
	switch (errno) {
	case ENXIO:
		die_temp("quail-send is not running (nothing reads %s/trigger)",
			 c->queue_dir);
	case EAGAIN:
		die_temp("%s/trigger is full: quail-send is busy; try again",
			 c->queue_dir);
	case EINVAL:
		die_temp("%s/trigger is not a FIFO", c->queue_dir);
	default:
		die_access(c, "trigger", errno);
	}
}

/* ---- remove ------------------------------------------------------------ */

static int
cmd_remove(const struct conf *c, int n, char **ids)
{
	char path[16 + QFILE_ID_MAX_BYTES];
	int i, failed = 0;

	if (n == 0)
		die_usage(usage_text);
	/* Every id is checked before anything is removed. */
	for (i = 0; i < n; i++)
		if (!qfile_valid_id(ids[i], strlen(ids[i])))
			die_perm("not a queue id: '%s' (8 to %d characters 0-9 A-F)",
				 ids[i], QFILE_ID_MAX_BYTES);
	enter_queue(c);
	log_open("qctl", c->log_dest);
	for (i = 0; i < n; i++) {
		/* mess/ first: a state file without its queue file is an
		 * orphan that quail-send cleans up (mail-queue(7)). */
		snprintf(path, sizeof(path), "mess/%s", ids[i]);
		if (unlink(path) < 0) {
			if (errno != ENOENT)
				die_access(c, path, errno);
			fprintf(stderr, "quail-qctl: %s: no such message\n", ids[i]);
			failed = 1;
			continue;
		}
		snprintf(path, sizeof(path), "state/%s", ids[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			fprintf(stderr, "quail-qctl: %s: %s (quail-send removes "
				"the orphan)\n", path, strerror(errno));
		log_msg(LOG_NOTICE, "id=%s removed by quail-qctl (uid %ld)", ids[i],
			(long)caller_uid);
		printf("removed %s\n", ids[i]);
	}
	/* Let a running quail-send look at the queue now; without one there
	 * is nobody to tell (ENXIO). */
	(void)poke('R');
	return failed ? EXIT_PERM : 0;
}

int
main(int argc, char **argv)
{
	struct conf c;
	const char *dir = NULL, *error = NULL;
	int ch;

	caller_uid = getuid();
	log_open("qctl", "stderr");
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "+C:")) != -1) {
		if (ch != 'C')
			die_usage(usage_text);
		dir = optarg;
	}
	if (optind >= argc)
		die_usage(usage_text);
	if (conf_load(&c, dir, &error) < 0)
		die_temp("%s", error);
	const char *cmd = argv[optind++];
	int rc;

	if (strcmp(cmd, "list") == 0) {
		if (optind != argc)
			die_usage(usage_text);
		enter_queue(&c);
		rc = qctl_list(&c);
	} else if (strcmp(cmd, "flush") == 0) {
		if (optind != argc)
			die_usage(usage_text);
		rc = cmd_flush(&c);
	} else if (strcmp(cmd, "remove") == 0) {
		rc = cmd_remove(&c, argc - optind, argv + optind);
	} else {
		die_usage(usage_text);
	}
	conf_free(&c);
	if (fflush(stdout) != 0)
		return EXIT_TEMP;
	return rc;
}
