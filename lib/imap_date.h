/*
 * imap_date.h -- the IMAP date formats (RFC 3501 9):
 *
 *   date-time  "dd-Mon-yyyy hh:mm:ss +zzzz"   INTERNALDATE, APPEND
 *              (the day is "dd" or " d"; "d" alone is accepted too)
 *   date       "d-Mon-yyyy" or "dd-Mon-yyyy"  SEARCH BEFORE/ON/SINCE...
 *
 * Months are English abbreviations, matched case-insensitively; years
 * have four digits (1..9999 here). The strings are passed without the
 * surrounding DQUOTEs (the IMAP parser already removed them).
 *
 * Pure functions: no I/O, no globals, no dependency on the TZ
 * environment except imap_date_time_format(), which shows local time as
 * Dovecot does.
 *
 * Memory: callers supply every buffer.
 * Return convention: 0 ok, -1 malformed input or a buffer too small.
 */
#ifndef QUAIL_IMAP_DATE_H
#define QUAIL_IMAP_DATE_H

#include <stddef.h>
#include <time.h>

/* "dd-Mon-yyyy hh:mm:ss +zzzz" plus NUL. */
#define IMAP_DATE_TIME_BYTES 27
/* "dd-Mon-yyyy" plus NUL. */
#define IMAP_DATE_BYTES 12
/* Largest zone offset accepted: +/-2359. */
#define IMAP_DATE_ZONE_MAX_MINUTES (23 * 60 + 59)

/*
 * Parses a date-time s[0..len) into *t_r (seconds since the epoch, UTC:
 * the zone offset applied) and, when zone_r is not NULL, the zone offset
 * in minutes east of UTC (-0130 is -90). Invalid calendar dates
 * (31-Apr, 29-Feb of a common year) are refused; a leap second ":60"
 * counts as ":59". 0 / -1.
 */
int imap_date_time_parse(const char *s, size_t len, time_t *t_r,
			 int *zone_r);

/*
 * Parses a date s[0..len) ("1-Feb-1994", "01-Feb-1994") into the
 * calendar day: *year_r (1..9999), *mon_r (1..12), *mday_r (1..31); and,
 * when day_r is not NULL, midnight UTC of that day as a time_t (SEARCH
 * compares days: add the offset of the zone it compares in). 0 / -1.
 */
int imap_date_parse(const char *s, size_t len, int *year_r, int *mon_r,
		    int *mday_r, time_t *day_r);

/*
 * Formats t as a date-time shown in the zone zone_minutes east of UTC
 * (-IMAP_DATE_ZONE_MAX_MINUTES..+IMAP_DATE_ZONE_MAX_MINUTES) into out
 * (at least IMAP_DATE_TIME_BYTES): "05-Mar-2024 17:04:09 +0100". The day
 * has two digits (zero padded), as Dovecot sends it. 0 / -1.
 */
int imap_date_time_format_zone(time_t t, int zone_minutes, char *out,
			       size_t outlen);

/* As imap_date_time_format_zone() in the local time zone of the process
 * (the zone in effect at t). 0 / -1. */
int imap_date_time_format(time_t t, char *out, size_t outlen);

/* Formats the calendar day of t in the zone zone_minutes east of UTC as
 * a date "5-Mar-2024" (day not padded) into out (at least
 * IMAP_DATE_BYTES). 0 / -1. */
int imap_date_format_zone(time_t t, int zone_minutes, char *out,
			  size_t outlen);

/* The calendar day of t in the zone zone_minutes east of UTC as
 * year/month (1..12)/day (pure, no TZ). 0 / -1 (out of range). */
int imap_date_day(time_t t, int zone_minutes, int *year_r, int *mon_r,
		  int *mday_r);

#endif
