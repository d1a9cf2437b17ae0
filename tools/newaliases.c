/*
 * newaliases.c -- quail-newaliases: compile <confdir>/aliases into
 * aliases.cdb (quail-newaliases(8), quail-aliases(5)).
 *
 * Every entry is checked before anything is written; the first error names
 * aliases:line and leaves the old aliases.cdb in place. Duplicate names are
 * errors (a silent "last one wins" hides typos). Entries for postmaster and
 * abuse are required (RFC 5321 4.5.1, RFC 2142): either the bare name,
 * which covers every local domain, or name@domain for every local domain.
 *
 * SECURITY: the file is admin-written; targets are validated as addresses
 * (pipes, files and :include: are refused: quail-deliver never runs
 * commands or writes files for an alias). The cdb is built by
 * cdbmap_build_* (tmp, fsync, rename), readers never see a partial map.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cdbmap.h"
#include "conf.h"
#include "exitcode.h"
#include "log.h"
#include "userdb.h"

#define NEWALIASES_MAX_ENTRIES 1000000

static const char usage_text[] = "quail-newaliases [-C dir]";

struct entry {
	char *key;
	char *targets;
	unsigned line;
};

struct aliases {
	struct entry *e;
	size_t n, cap;
};

static int
add_entry(void *ctx, unsigned line, const char *key, const char *targets,
	  const char **error_r)
{
	struct aliases *a = ctx;

	if (a->n == a->cap) {
		struct entry *ne;

		if (a->cap >= NEWALIASES_MAX_ENTRIES) {
			*error_r = "too many entries";
			return -1;
		}
		a->cap = a->cap ? a->cap * 2 : 64;
		ne = realloc(a->e, a->cap * sizeof(*ne));
		if (ne == NULL) {
			*error_r = "out of memory";
			return -1;
		}
		a->e = ne;
	}
	a->e[a->n].key = strdup(key);
	a->e[a->n].targets = strdup(targets);
	a->e[a->n].line = line;
	if (a->e[a->n].key == NULL || a->e[a->n].targets == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	a->n++;
	return 0;
}

static int
cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int r = strcmp(a->key, b->key);

	if (r != 0)
		return r;
	return a->line < b->line ? -1 : a->line > b->line;
}

static bool
has_key(const struct aliases *a, const char *key)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(a->e[mid].key, key);

		if (r == 0)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* postmaster/abuse: bare, or name@domain for every local domain. */
static void
require(const struct conf *c, const struct aliases *a, const char *name,
	const char *why)
{
	char key[ADDR_PATH_MAX_BYTES + 1];
	size_t i;

	if (has_key(a, name))
		return;
	for (i = 0; i < c->n_local_domains; i++) {
		snprintf(key, sizeof(key), "%s@%s", name, c->local_domains[i]);
		if (!has_key(a, key))
			die_perm("aliases: no entry for %s (%s requires it)", name, why);
	}
	if (c->n_local_domains == 0)
		die_perm("aliases: no entry for %s (%s requires it)", name, why);
}

static void
read_aliases(const char *path, struct buf *b)
{
	char chunk[8192];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_perm("cannot open %s: %s", path, strerror(errno));
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_temp("cannot read %s: %s", path, strerror(errno));
		if (buf_append(b, chunk, (size_t)r) < 0)
			die_perm("%s: file too large", path);
	}
	close(fd);
}

static void
build(const char *path, const struct aliases *a)
{
	struct cdbmap_builder b;
	size_t i;

	if (cdbmap_build_begin(&b, path, 0644) < 0)
		die_temp("cannot create %s: %s", path, strerror(errno));
	for (i = 0; i < a->n; i++) {
		if (cdbmap_build_add(&b, a->e[i].key, strlen(a->e[i].key),
				     a->e[i].targets, strlen(a->e[i].targets)) < 0) {
			cdbmap_build_abort(&b);
			die_temp("cannot write %s: %s", path, strerror(errno));
		}
	}
	if (cdbmap_build_commit(&b) < 0)
		die_temp("cannot install %s: %s", path, strerror(errno));
}

int
main(int argc, char **argv)
{
	struct conf c;
	struct aliases a = { NULL, 0, 0 };
	struct buf data;
	char src[PATH_MAX], dst[PATH_MAX];
	const char *dir = NULL, *err = NULL;
	size_t i;
	int ch;

	log_open("newaliases", "stderr");
	while ((ch = getopt(argc, argv, "C:")) != -1) {
		if (ch != 'C')
			die_usage(usage_text);
		dir = optarg;
	}
	if (optind != argc)
		die_usage(usage_text);
	if (conf_load(&c, dir, &err) < 0)
		die_temp("%s", err);
	if (strcmp(c.log_dest, "stderr") != 0)
		log_open("newaliases", c.log_dest);
	if (conf_path(&c, "aliases", src, sizeof(src)) < 0 ||
	    conf_path(&c, "aliases.cdb", dst, sizeof(dst)) < 0)
		die_perm("config dir path too long");
	buf_init(&data, USERDB_FILE_MAX_BYTES);
	read_aliases(src, &data);
	if (userdb_each_alias(data.data, data.len, "aliases", add_entry, &a, &err) != 0)
		die_perm("%s", err);
	qsort(a.e, a.n, sizeof(*a.e), cmp_entry);
	for (i = 1; i < a.n; i++) {
		if (strcmp(a.e[i].key, a.e[i - 1].key) == 0)
			die_perm("aliases:%u: duplicate entry for '%s' (first at line %u)",
				 a.e[i].line, a.e[i].key, a.e[i - 1].line);
	}
	require(&c, &a, "postmaster", "RFC 5321 4.5.1");
	require(&c, &a, "abuse", "RFC 2142");
	umask(022);
	build(dst, &a);
	log_msg(LOG_NOTICE, "aliases.cdb rebuilt: %zu entries", a.n);
	printf("quail-newaliases: %zu aliases compiled into %s\n", a.n, dst);
	for (i = 0; i < a.n; i++) {
		free(a.e[i].key);
		free(a.e[i].targets);
	}
	free(a.e);
	buf_free(&data);
	conf_free(&c);
	return fflush(stdout) == 0 ? 0 : EXIT_TEMP;
}
