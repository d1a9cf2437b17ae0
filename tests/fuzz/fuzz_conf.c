/*
 * fuzz_conf.c -- libFuzzer target for the quail.conf parser (lib/conf.c):
 * the input is written to <tmpdir>/quail.conf and loaded. On success the
 * result must satisfy the documented invariants; on failure the message must
 * name the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

static char dir[64];
static char path[96];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	const char *err = NULL;
	FILE *f;
	size_t i;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_conf.%ld", (long)getpid());
		snprintf(path, sizeof(path), "%s/quail.conf", dir);
	}
	/* Created and removed per input: libFuzzer may end with _exit, so
	 * nothing is left behind in /tmp. */
	(void)mkdir(dir, 0700);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	if (conf_load(&c, dir, &err) == 0) {
		if (c.retry_min > c.retry_max || c.local_concurrency == 0 ||
		    c.message_size_limit == 0 || c.smtp_timeout == 0)
			abort();
		if (c.queue_dir[0] != '/' || c.mail_dir[0] != '/' ||
		    c.libexec_dir[0] != '/')
			abort();
		for (i = 0; i < c.n_local_domains; i++)
			if (!conf_valid_domain(c.local_domains[i]) ||
			    !conf_is_local_domain(&c, c.local_domains[i]))
				abort();
		(void)cidr_match_any(c.relay_networks, c.n_relay_networks,
		    "127.0.0.1");
	} else if (err == NULL || strncmp(err, path, strlen(path)) != 0) {
		abort();
	}
	conf_free(&c);
	unlink(path);
	rmdir(dir);
	return 0;
}
