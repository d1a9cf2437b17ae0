/*
 * cdbmap.c -- tinycdb lookups (tri-state) and atomic rebuilds.
 *
 * Rebuild protocol (nq:qmail-newmrh.c): create <path>.tmp with O_EXCL,
 * fchmod it to the final mode, write the cdb, fsync, close, rename over
 * <path>, fsync the directory. Readers that have the old file mmap'd keep
 * it; new readers see the complete new file. A crash leaves at worst a
 * stale .tmp, which the next rebuild removes.
 *
 * SECURITY: the tmp file is created O_EXCL|O_NOFOLLOW, so a symlink planted
 * at <path>.tmp is removed (unlink does not follow it), never written
 * through. Concurrent rebuilders of the same map must be serialised by the
 * caller (the second one would remove the first one's tmp file).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirsync.h"
#include "cdbmap.h"

int
cdbmap_open(struct cdbmap *m, const char *path)
{
	int fd, saved;

	m->fd = -1;
	m->present = false;
	memset(&m->cdb, 0, sizeof(m->cdb));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;       /* absent: the caller decides */
		return -1;
	}
	if (cdb_init(&m->cdb, fd) != 0) {
		saved = errno;
		close(fd);
		errno = saved ? saved : EPROTO;
		return -1;
	}
	m->fd = fd;
	m->present = true;
	return 1;
}

int
cdbmap_lookup(struct cdbmap *m, const void *key, size_t klen, struct buf *val_r)
{
	unsigned dlen, dpos;
	int r;

	if (!m->present)
		return 0;
	if (klen > UINT_MAX) {
		errno = EINVAL;
		return -1;
	}
	r = cdb_find(&m->cdb, key, (unsigned)klen);
	if (r < 0) {
		if (errno == 0)
			errno = EPROTO;
		return -1;
	}
	if (r == 0)
		return 0;
	dlen = cdb_datalen(&m->cdb);
	dpos = cdb_datapos(&m->cdb);
	if (val_r == NULL)
		return 1;
	buf_reset(val_r);
	if (buf_reserve(val_r, dlen) < 0)
		return -1;
	if (cdb_read(&m->cdb, val_r->data, dlen, dpos) < 0) {
		if (errno == 0)
			errno = EPROTO;
		return -1;
	}
	val_r->len = dlen;
	val_r->data[dlen] = '\0';
	return 1;
}

void
cdbmap_close(struct cdbmap *m)
{
	if (m->present)
		cdb_free(&m->cdb);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	m->present = false;
}

int
cdbmap_build_begin(struct cdbmap_builder *b, const char *path, mode_t mode)
{
	int saved;

	b->fd = -1;
	if (strlen(path) >= sizeof(b->path) || *path == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(b->path, sizeof(b->path), "%s", path);
	snprintf(b->tmp, sizeof(b->tmp), "%s.tmp", path);
	/* A stale tmp is left by a crashed rebuild: remove it so O_EXCL works. */
	if (unlink(b->tmp) < 0 && errno != ENOENT)
		return -1;
	b->fd = open(b->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode & 07777);
	if (b->fd < 0)
		return -1;
	/* fchmod: the umask must not change the documented mode. */
	if (fchmod(b->fd, mode & 07777) < 0 ||
	    cdb_make_start(&b->cm, b->fd) < 0) {
		saved = errno;
		close(b->fd);
		unlink(b->tmp);
		b->fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

int
cdbmap_build_add(struct cdbmap_builder *b, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	if (b->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (klen > UINT_MAX / 2 || vlen > UINT_MAX / 2) {
		errno = E2BIG;
		return -1;
	}
	if (cdb_make_add(&b->cm, key, (unsigned)klen, val, (unsigned)vlen) < 0)
		return -1;
	return 0;
}

/* fsync the directory holding path, so that the rename is durable. */
static int
cdbmap_fsync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return dir_fsync(dir);
}

int
cdbmap_build_commit(struct cdbmap_builder *b)
{
	int saved;

	if (b->fd < 0) {
		errno = EBADF;
		return -1;
	}
	/* finish writes the tables; fsync before rename so that the name
	 * never points at blocks that are not on disk yet. */
	if (cdb_make_finish(&b->cm) < 0 || fsync(b->fd) < 0)
		goto fail;
	if (close(b->fd) < 0) {
		b->fd = -1;
		goto fail;
	}
	b->fd = -1;
	if (rename(b->tmp, b->path) < 0)
		goto fail;
	if (cdbmap_fsync_dir(b->path) < 0)
		return -1;      /* in place, but durability unknown */
	return 0;
fail:
	saved = errno;
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	unlink(b->tmp);
	errno = saved;
	return -1;
}

void
cdbmap_build_abort(struct cdbmap_builder *b)
{
	int saved = errno;

	if (b->fd >= 0) {
		/* finish is the only way tinycdb frees its tables. */
		(void)cdb_make_finish(&b->cm);
		close(b->fd);
		unlink(b->tmp);
	}
	b->fd = -1;
	errno = saved;
}
