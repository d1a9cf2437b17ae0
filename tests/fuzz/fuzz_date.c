/*
 * fuzz_date.c -- libFuzzer target for lib/date.c: the tolerant RFC 5322
 * date parser on an exactly-sized copy (ASan catches any overread); every
 * accepted date must survive a format/parse round trip unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tz_set;
	char out[DATE_RFC5322_MAX];
	time_t t, back;
	char *copy;

	if (!tz_set) {
		setenv("TZ", "UTC0", 1);
		tzset();
		tz_set = 1;
	}
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (date_parse_rfc5322(copy, size, &t) == 0) {
		if (date_rfc5322(t, out, sizeof(out)) != 0)
			abort();
		if (date_parse_rfc5322(out, strlen(out), &back) != 0 ||
		    back != t)
			abort();
	}
	free(copy);
	return 0;
}
