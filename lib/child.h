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

#endif
