/*
 * fuzz_userdb.c -- libFuzzer target for lib/userdb.c: the input is walked
 * both as a users file and as an aliases file. Invariants checked on every
 * entry: keys and addresses are lowercase ASCII and contain no control
 * characters, ':', ',' or white space; a parsed users line formats back to
 * a line that parses to the same entry; alias targets re-split cleanly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_key(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || (c >= 'A' && c <= 'Z') || c == ',' ||
		    c == ' ' || c == '\t')
			abort();
	}
}

static int
on_user(void *ctx, unsigned line, const struct userdb_user *u, const char **error_r)
{
	struct buf b = BUF_INIT;
	struct userdb_user v;
	const char *err = NULL;

	(void)ctx;
	(void)line;
	(void)error_r;
	check_key(u->address);
	if (strchr(u->address, ':') != NULL || strchr(u->hash, ':') != NULL ||
	    strchr(u->maildir, '\n') != NULL)
		abort();
	if (userdb_format_user(u, &b) < 0)
		abort();
	if (b.len == 0 || b.data[b.len - 1] != '\n')
		abort();
	if (userdb_parse_user(b.data, b.len - 1, &v, &err) != 1)
		abort();
	if (memcmp(u, &v, sizeof(v)) != 0)
		abort();
	buf_free(&b);
	return 0;
}

static int
on_alias(void *ctx, unsigned line, const char *key, const char *targets,
	 const char **error_r)
{
	char t[ADDR_PATH_MAX_BYTES + 8];
	size_t pos = 0, len = strlen(targets), n = 0;
	int ret;

	(void)ctx;
	(void)line;
	(void)error_r;
	check_key(key);
	if (*key == '\0' || len == 0)
		abort();
	while ((ret = userdb_next_target(targets, len, &pos, t, sizeof(t))) > 0) {
		if (t[0] == '\0' || strchr(t, ',') != NULL || strchr(t, ' ') != NULL)
			abort();
		n++;
	}
	if (ret < 0 || n == 0 || n > USERDB_ALIAS_TARGETS_MAX)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err = NULL;
	const char *p = (const char *)data;

	if (userdb_each_user(p, size, "users", on_user, NULL, &err) < 0 && err == NULL)
		abort();
	err = NULL;
	if (userdb_each_alias(p, size, "aliases", on_alias, NULL, &err) < 0 &&
	    err == NULL)
		abort();
	return 0;
}
