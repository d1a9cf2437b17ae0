/*
 * dirsync.c -- fsync of a directory (dirsync.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "dirsync.h"

int
dir_fsync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r, saved;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	saved = errno;
	(void)close(fd);
	errno = saved;
	return r;
}
