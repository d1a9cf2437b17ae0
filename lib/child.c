/*
 * child.c -- hygiene for forked children (see child.h).
 *
 * SECURITY: every fork that execs a program of another privilege domain
 * (quail-queue setuid, quail-remote as daemon_user, a delivery as the
 * mailbox owner) closes the descriptors it does not hand over, so a
 * compromised child cannot reach the parent's queue files or sockets.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"

void
child_close_from(int from)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
		return;
#endif
	for (int fd = from; fd < 65536; fd++)
		(void)close(fd);
}

int
child_log_fd(const char *log_dest)
{
	int fd = -1;

	if (log_dest[0] == '/')
		fd = open(log_dest, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	else if (strcmp(log_dest, "stderr") == 0)
		fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}
