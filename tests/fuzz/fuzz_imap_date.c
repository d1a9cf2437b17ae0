/*
 * fuzz_imap_date.c -- libFuzzer target for lib/imap_date.c: the IMAP
 * date-time and date parsers on an exactly-sized copy (ASan catches any
 * overread). Every accepted date-time must format and parse back to the
 * same instant in its own zone; every accepted date must format back to
 * the same calendar day.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap_date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[IMAP_DATE_TIME_BYTES], d[IMAP_DATE_BYTES];
	int zone, y, m, md, y2, m2, md2;
	time_t t, back, day;
	char *copy;

	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (imap_date_time_parse(copy, size, &t, &zone) == 0) {
		if (imap_date_time_format_zone(t, zone, out, sizeof(out)) != 0)
			abort();
		if (imap_date_time_parse(out, strlen(out), &back, &zone) != 0 ||
		    back != t)
			abort();
	}
	if (imap_date_parse(copy, size, &y, &m, &md, &day) == 0) {
		if (imap_date_format_zone(day, 0, d, sizeof(d)) != 0)
			abort();
		if (imap_date_parse(d, strlen(d), &y2, &m2, &md2, &back) != 0 ||
		    back != day || y2 != y || m2 != m || md2 != md)
			abort();
	}
	free(copy);
	return 0;
}
