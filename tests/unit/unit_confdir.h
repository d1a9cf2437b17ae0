/*
 * unit_confdir.h -- helpers for unit tests that need a config directory:
 * write a text file into it, build a cdb from key/value pairs. Include it
 * after <cmocka.h> and "cdbmap.h". Static inline: each test links only
 * what it uses.
 */
#ifndef QUAIL_UNIT_CONFDIR_H
#define QUAIL_UNIT_CONFDIR_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* Writes text as dir/name (replacing it). */
static inline void
unit_write_file(const char *dir, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Builds dir/name from kv = { key, value, key, value, ..., NULL } with the
 * given file mode, through lib/cdbmap (atomic rebuild, as the tools do). */
static inline void
unit_build_cdb(const char *dir, const char *name, const char *const *kv,
	       mode_t mode)
{
	struct cdbmap_builder b;
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(cdbmap_build_begin(&b, p, mode), 0);
	for (; kv[0] != NULL; kv += 2)
		assert_int_equal(cdbmap_build_add(&b, kv[0], strlen(kv[0]), kv[1],
						  strlen(kv[1])), 0);
	assert_int_equal(cdbmap_build_commit(&b), 0);
}

#endif
