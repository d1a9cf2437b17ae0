/*
 * test_dotlock.c -- lib/dotlock.c: take and release; a held lock times
 * out (EWOULDBLOCK) within the wait; stale locks (a dead pid on this
 * host, an old lock from another host) are broken while a fresh foreign
 * one is not; a temporary file of our own name left by a killed process
 * does not block us; release never removes a lock that is no longer ours;
 * names too long are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dotlock.h"

static char dir[64];
static char lock[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_dotlock.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(lock, sizeof(lock), "%s/x.lock", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_lock(const char *text)
{
	FILE *f = fopen(lock, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
host_name(char *host, size_t size)
{
	if (gethostname(host, size) < 0)
		snprintf(host, size, "localhost");
	host[size - 1] = '\0';
	host[strcspn(host, "/ \t\n")] = '\0';
	if (host[0] == '\0')
		snprintf(host, size, "localhost");
}

/* Only the lock itself may be left in dir (no temporary files). */
static void
assert_no_tmp(void)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | grep -v '^x.lock$' "
		 "| wc -l) -eq 0", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_take_release(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;
	char text[128], host[64];
	int fd;
	ssize_t n;

	(void)state;
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), 0);
	assert_true(exists(lock));
	assert_no_tmp();
	/* the content names us */
	fd = open(lock, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n > 0);
	text[n] = '\0';
	host_name(host, sizeof(host));
	{
		char want[128];

		snprintf(want, sizeof(want), "%ld %s\n", (long)getpid(), host);
		assert_string_equal(text, want);
	}
	dotlock_release(lock, &id);
	assert_false(exists(lock));
	/* releasing twice is harmless */
	dotlock_release(lock, &id);
}

static void
test_held_times_out(void **state)
{
	struct dotlock_id id, id2;
	const char *err = NULL;
	time_t t0;

	(void)state;
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), 0);
	/* held by a live process (us): wait 0 gives up at once */
	errno = 0;
	assert_int_equal(dotlock_take(lock, 0, 120, &id2, &err), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_non_null(err);
	/* wait 1: gives up after about a second, not earlier, not never */
	t0 = time(NULL);
	assert_int_equal(dotlock_take(lock, 1, 120, &id2, &err), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_true(time(NULL) - t0 >= 1 && time(NULL) - t0 <= 3);
	assert_no_tmp();
	dotlock_release(lock, &id);
	assert_false(exists(lock));
}

static void
test_stale_dead_pid(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;
	char text[128], host[64];
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	host_name(host, sizeof(host));
	snprintf(text, sizeof(text), "%ld %s\n", (long)pid, host);
	write_lock(text);
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), 0);
	dotlock_release(lock, &id);
	assert_false(exists(lock));
}

/* --wrap=kill (wrap.mk): when race_pid is asked about, the lock is
 * released and a new holder (pid 1 on this host, alive) takes it right
 * then, as when the old holder released it and exited between our look
 * and the liveness check; race_pid is reported dead. */
static pid_t race_pid;
static ino_t race_new_ino;
int __real_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig);

int
__wrap_kill(pid_t pid, int sig)
{
	char text[128], host[64];
	struct stat st;

	if (race_pid == 0 || pid != race_pid)
		return __real_kill(pid, sig);
	race_pid = 0;
	host_name(host, sizeof(host));
	snprintf(text, sizeof(text), "1 %s\n", host);
	assert_int_equal(unlink(lock), 0);
	write_lock(text);
	assert_int_equal(lstat(lock, &st), 0);
	race_new_ino = st.st_ino;
	errno = ESRCH;
	return -1;
}

static void
test_stale_replaced_meanwhile(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;
	char text[128], host[64];
	struct stat st;
	int i;

	(void)state;
	host_name(host, sizeof(host));
	/* many rounds: the new lock often gets the inode number of the one
	 * just removed (ext4), in the same second */
	for (i = 0; i < 50; i++) {
		race_pid = 99999999;
		snprintf(text, sizeof(text), "%ld %s\n", (long)race_pid, host);
		write_lock(text);
		assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), -1);
		assert_int_equal(errno, EWOULDBLOCK);
		/* the new holder's lock is still there */
		assert_int_equal(lstat(lock, &st), 0);
		assert_true(st.st_ino == race_new_ino);
		assert_int_equal(unlink(lock), 0);
	}
}

static void
test_foreign_host(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;
	struct timeval old[2];

	(void)state;
	/* another host: cannot be checked, so it holds while fresh */
	write_lock("1 some.other.host\n");
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_true(exists(lock));
	/* ... and is broken once older than the stale limit */
	memset(old, 0, sizeof(old));
	old[0].tv_sec = old[1].tv_sec = time(NULL) - 121;
	assert_int_equal(utimes(lock, old), 0);
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), 0);
	dotlock_release(lock, &id);
	assert_false(exists(lock));
	/* garbage content: not ours to judge while fresh */
	write_lock("\x01\xff not a lock");
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), -1);
	assert_int_equal(unlink(lock), 0);
}

static void
test_leftover_tmp(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;
	char tmp[256], host[64];
	FILE *f;

	(void)state;
	/* a process with our pid was killed between creating its temporary
	 * file and removing it */
	host_name(host, sizeof(host));
	snprintf(tmp, sizeof(tmp), "%s.%s.%ld", lock, host, (long)getpid());
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("1 old\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), 0);
	assert_false(exists(tmp));
	dotlock_release(lock, &id);
	assert_false(exists(lock));
}

static void
test_release_not_ours(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;

	(void)state;
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), 0);
	/* someone broke ours as stale and took the lock */
	assert_int_equal(unlink(lock), 0);
	write_lock("1 some.other.host\n");
	dotlock_release(lock, &id);
	assert_true(exists(lock));
	assert_int_equal(unlink(lock), 0);
}

static void
test_bad_paths(void **state)
{
	struct dotlock_id id;
	const char *err = NULL;
	char *big;

	(void)state;
	big = malloc(PATH_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', PATH_MAX);
	big[0] = '/';
	big[PATH_MAX] = '\0';
	assert_int_equal(dotlock_take(big, 0, 120, &id, &err), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	free(big);
	/* a directory that does not exist: an error, not a wait */
	errno = 0;
	assert_int_equal(dotlock_take("/nonexistent/dir/x.lock", 5, 120, &id,
				      &err), -1);
	assert_int_equal(errno, ENOENT);
	/* the lock name is a symlink: not followed, held like any lock */
	assert_int_equal(symlink("/nonexistent-target", lock), 0);
	assert_int_equal(dotlock_take(lock, 0, 120, &id, &err), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_false(exists("/nonexistent-target"));
	assert_int_equal(unlink(lock), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_release),
		cmocka_unit_test(test_held_times_out),
		cmocka_unit_test(test_stale_dead_pid),
		cmocka_unit_test(test_stale_replaced_meanwhile),
		cmocka_unit_test(test_foreign_host),
		cmocka_unit_test(test_leftover_tmp),
		cmocka_unit_test(test_release_not_ours),
		cmocka_unit_test(test_bad_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
