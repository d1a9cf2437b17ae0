/*
 * cdbmap.h -- lookups in tinycdb files, and atomic rebuilds.
 *
 * Lookup: tri-state (1 found, 0 not found, -1 error). A missing cdb file
 * opens as "absent" (cdbmap_open returns 0) and then finds nothing: the
 * caller decides whether absent is fine (security-relevant maps fail closed).
 * Build: writes <path>.tmp, fsync, close, rename over <path>: readers see
 * the old or the new file, never a partial one.
 */
#ifndef QUAIL_CDBMAP_H
#define QUAIL_CDBMAP_H

#include <cdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

struct cdbmap {
	int fd;
	bool present;
	struct cdb cdb;
};

/* 1 opened, 0 file absent, -1 error (errno). */
int cdbmap_open(struct cdbmap *m, const char *path);
/* 1 found (value in val_r), 0 not found, -1 error. */
int cdbmap_lookup(struct cdbmap *m, const void *key, size_t klen, struct buf *val_r);
void cdbmap_close(struct cdbmap *m);

struct cdbmap_builder {
	int fd;
	struct cdb_make cm;
	char path[4096];
	char tmp[4100];
};
/* mode: permissions of the final file (e.g. 0644, 0600). 0 / -1. */
int cdbmap_build_begin(struct cdbmap_builder *b, const char *path, mode_t mode);
int cdbmap_build_add(struct cdbmap_builder *b, const void *key, size_t klen,
		     const void *val, size_t vlen);
/* Finishes, fsyncs, renames into place, fsyncs the directory. 0 / -1. */
int cdbmap_build_commit(struct cdbmap_builder *b);
void cdbmap_build_abort(struct cdbmap_builder *b);

#endif
