/*
 * child.c -- hygiene for forked children (see child.h).
 *
 * SECURITY: every fork that execs a program of another privilege domain
 * (quail-queue setuid, quail-remote as daemon_user, a delivery as the
 * mailbox owner) closes the descriptors it does not hand over, so a
 * compromised child cannot reach the parent's queue files or sockets.
 */
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
