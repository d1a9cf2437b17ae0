/*
 * child.h -- hygiene for a forked child before it execs another quail
 * program or runs in another privilege domain.
 */
#ifndef QUAIL_CHILD_H
#define QUAIL_CHILD_H

/* Closes every file descriptor >= from (close_range(2) where the kernel
 * has it, else one by one up to 65535), so nothing the parent holds (the
 * queue, sockets, pipes of other children) leaks into the child. */
void child_close_from(int from);

/* A descriptor for a child's stderr that follows the log setting
 * log_dest (lib/log.h): the log file opened for appending, a duplicate of
 * our stderr for "stderr", else /dev/null (with syslog the child logs
 * there itself). O_CLOEXEC; the caller dup2()s it to 2. -1 only if even
 * /dev/null cannot be opened. */
int child_log_fd(const char *log_dest);

#endif
