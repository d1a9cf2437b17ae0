/*
 * date.h -- RFC 5322 section 3.3 dates.
 */
#ifndef QUAIL_DATE_H
#define QUAIL_DATE_H

#include <stddef.h>
#include <time.h>

#define DATE_RFC5322_MAX 40
/* "Mon, 23 Nov 2026 14:22:18 +0000" in local time with numeric zone.
 * Returns 0, or -1 if out is too small. */
int date_rfc5322(time_t t, char *out, size_t outlen);
/* Parses an RFC 5322 date (obsolete forms accepted: 2-digit years, named
 * zones, missing day-of-week, comments). Returns 0 and the UTC time, or -1. */
int date_parse_rfc5322(const char *s, size_t len, time_t *t_r);

#endif
