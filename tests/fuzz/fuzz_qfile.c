/*
 * fuzz_qfile.c -- libFuzzer target for the queue file and submission
 * envelope parsers (lib/qfile.c). Property: whatever parses, formats back
 * (qfile_format re-validates every field) and parses again to the same
 * envelope.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qfile.h"

static void
check_roundtrip(const struct qfile_env *e)
{
	struct qfile_env back;
	struct buf b;
	const char *err;

	buf_init(&b, 0);
	qfile_env_init(&back);
	if (qfile_format(e, &b, &err) != 0)
		abort();
	if (qfile_parse(b.data, b.len, &back, &err) != 1)
		abort();
	if (strcmp(back.id, e->id) != 0 || strcmp(back.sender, e->sender) != 0
	    || back.n_rcpts != e->n_rcpts || back.msg_offset != b.len
	    || back.has_auth != e->has_auth || back.arrival != e->arrival)
		abort();
	for (size_t i = 0; i < e->n_rcpts; i++)
		if (strcmp(back.rcpts[i], e->rcpts[i]) != 0)
			abort();
	qfile_env_free(&back);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qfile_env e;
	const char *err;
	size_t used;
	/* Not NUL-terminated on purpose: the parsers must not need it. */
	char *p = malloc(size ? size : 1);

	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	qfile_env_init(&e);
	if (qfile_parse(p, size, &e, &err) == 1) {
		if (e.msg_offset > size)
			abort();
		check_roundtrip(&e);
	}
	if (qfile_parse_submission(p, size, &e, &used, &err) == 1) {
		if (used > size || e.n_rcpts == 0)
			abort();
		memcpy(e.id, "0123456789ABCDEF", 17);
		check_roundtrip(&e);
	}
	qfile_env_free(&e);
	free(p);
	return 0;
}
