/*
 * qctl.h -- internals of quail-qctl(8) shared by tools/qctl*.c.
 *
 *   qctl.c        main: options, privileges, flush, remove
 *   qctl_list.c   list: queue files and state files (mail-queue(7))
 */
#ifndef QUAIL_QCTL_H
#define QUAIL_QCTL_H

#include "conf.h"

/* A state file is at most a few lines per recipient and attempt; a longer
 * one is read up to this size (the rest is not shown). */
#define QCTL_STATE_MAX_BYTES (16 * 1024 * 1024)
/* The reason of a state record (mail-queue(7): at most 511 bytes). */
#define QCTL_REASON_MAX_BYTES 511

/* Prints the queue (cwd = queue_dir) to stdout. Returns the exit code. */
int qctl_list(const struct conf *c);

#endif
