/*
 * dirsync.h -- making a rename or link in a directory durable: fsync(2) of
 * the directory itself (write the file, fsync it, rename it, then this).
 *
 * Return convention: 0 ok, -1 with errno (open or fsync; errno is kept
 * across the close).
 */
#ifndef QUAIL_DIRSYNC_H
#define QUAIL_DIRSYNC_H

/* Opens dir read-only and fsyncs it. */
int dir_fsync(const char *dir);

#endif
