/*
 * imap_date.c -- IMAP date-time and date (RFC 3501 9 "date-time",
 * "date"): strict parsing and formatting. Calendar arithmetic is done
 * here (proleptic Gregorian, days since 1970-01-01) so that neither the
 * TZ environment nor mktime() normalisation ("31-Feb" becoming 3-Mar)
 * can change what a client's date means.
 *
 * SECURITY: input is untrusted client text; every function works on
 * (s, len) without relying on NUL termination, reads each field by its
 * exact digit count and refuses anything else.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "imap_date.h"

#define IMAP_DATE_YEAR_MIN 1
#define IMAP_DATE_YEAR_MAX 9999
#define IMAP_DATE_SECS_PER_DAY 86400

static const char *const imap_date_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

/* Days since 1970-01-01 of a proleptic Gregorian date (mon 1..12). */
static int64_t
imap_date_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of imap_date_days_from_civil(). */
static void
imap_date_civil_from_days(int64_t z, int64_t *y_r, int *m_r, int *d_r)
{
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d_r = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m_r = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y_r = y + (*m_r <= 2);
}

static int
imap_date_month_days(int year, int mon)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* n decimal digits at s[0..n) into *v. */
static bool
imap_date_digits(const char *s, size_t n, int *v)
{
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return true;
}

static bool
imap_date_month(const char *s, int *mon_r)
{
	for (int i = 0; i < 12; i++) {
		const char *m = imap_date_months[i];
		bool eq = true;

		for (size_t k = 0; k < 3 && eq; k++) {
			char c = s[k];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			eq = c == (m[k] >= 'a' ? m[k] - 'a' + 'A' : m[k]);
		}
		if (eq) {
			*mon_r = i + 1;
			return true;
		}
	}
	return false;
}

/*
 * Reads "<day>-Mon-yyyy" at the start of s[0..len): the day is "d", "dd"
 * or (when space_day) " d". *used_r gets the bytes read.
 */
static int
imap_date_text(const char *s, size_t len, bool space_day, int *year_r,
	       int *mon_r, int *mday_r, size_t *used_r)
{
	size_t p = 0;
	int day, year, mon;

	if (len >= 2 && s[0] == ' ' && space_day) {
		if (!imap_date_digits(s + 1, 1, &day))
			return -1;
		p = 2;
	} else if (len >= 2 && s[1] == '-') {
		if (!imap_date_digits(s, 1, &day))
			return -1;
		p = 1;
	} else if (len >= 2) {
		if (!imap_date_digits(s, 2, &day))
			return -1;
		p = 2;
	} else
		return -1;
	/* "-Mon-yyyy" */
	if (len - p < 9 || s[p] != '-' || s[p + 4] != '-')
		return -1;
	if (!imap_date_month(s + p + 1, &mon) ||
	    !imap_date_digits(s + p + 5, 4, &year))
		return -1;
	if (year < IMAP_DATE_YEAR_MIN || day < 1 ||
	    day > imap_date_month_days(year, mon))
		return -1;
	*year_r = year;
	*mon_r = mon;
	*mday_r = day;
	*used_r = p + 9;
	return 0;
}

int
imap_date_parse(const char *s, size_t len, int *year_r, int *mon_r,
		int *mday_r, time_t *day_r)
{
	int year, mon, day;
	size_t used;

	if (imap_date_text(s, len, false, &year, &mon, &day, &used) < 0 ||
	    used != len)
		return -1;
	*year_r = year;
	*mon_r = mon;
	*mday_r = day;
	if (day_r != NULL)
		*day_r = (time_t)(imap_date_days_from_civil(year, mon, day) *
				  IMAP_DATE_SECS_PER_DAY);
	return 0;
}

int
imap_date_time_parse(const char *s, size_t len, time_t *t_r, int *zone_r)
{
	int year, mon, day, hh, mm, ss, zh, zm, zone;
	size_t p;
	int64_t t;

	if (imap_date_text(s, len, true, &year, &mon, &day, &p) < 0)
		return -1;
	/* " hh:mm:ss +zzzz" */
	if (len - p != 15 || s[p] != ' ' || s[p + 3] != ':' ||
	    s[p + 6] != ':' || s[p + 9] != ' ' ||
	    (s[p + 10] != '+' && s[p + 10] != '-'))
		return -1;
	if (!imap_date_digits(s + p + 1, 2, &hh) ||
	    !imap_date_digits(s + p + 4, 2, &mm) ||
	    !imap_date_digits(s + p + 7, 2, &ss) ||
	    !imap_date_digits(s + p + 11, 2, &zh) ||
	    !imap_date_digits(s + p + 13, 2, &zm))
		return -1;
	if (hh > 23 || mm > 59 || ss > 60 || zh > 23 || zm > 59)
		return -1;
	if (ss == 60)
		ss = 59;
	zone = zh * 60 + zm;
	if (s[p + 10] == '-')
		zone = -zone;
	t = imap_date_days_from_civil(year, mon, day) * IMAP_DATE_SECS_PER_DAY +
	    hh * 3600 + mm * 60 + ss - (int64_t)zone * 60;
	*t_r = (time_t)t;
	if (zone_r != NULL)
		*zone_r = zone;
	return 0;
}

int
imap_date_day(time_t t, int zone_minutes, int *year_r, int *mon_r,
	      int *mday_r)
{
	int64_t local, days, year;

	if (zone_minutes < -IMAP_DATE_ZONE_MAX_MINUTES ||
	    zone_minutes > IMAP_DATE_ZONE_MAX_MINUTES)
		return -1;
	local = (int64_t)t + (int64_t)zone_minutes * 60;
	days = local / IMAP_DATE_SECS_PER_DAY;
	if (local % IMAP_DATE_SECS_PER_DAY < 0)
		days--;
	/* Keep the arithmetic far from overflow: 9999-12-31 is day
	 * 2932896; year 1 starts at day -719162. */
	if (days < -719162 || days > 2932896)
		return -1;
	imap_date_civil_from_days(days, &year, mon_r, mday_r);
	*year_r = (int)year;
	return 0;
}

int
imap_date_time_format_zone(time_t t, int zone_minutes, char *out,
			   size_t outlen)
{
	int year, mon, day, n, az;
	int64_t local, secs;

	if (imap_date_day(t, zone_minutes, &year, &mon, &day) < 0)
		return -1;
	local = (int64_t)t + (int64_t)zone_minutes * 60;
	secs = local % IMAP_DATE_SECS_PER_DAY;
	if (secs < 0)
		secs += IMAP_DATE_SECS_PER_DAY;
	az = zone_minutes < 0 ? -zone_minutes : zone_minutes;
	n = snprintf(out, outlen, "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d",
		     day, imap_date_months[mon - 1], year, (int)(secs / 3600),
		     (int)(secs / 60 % 60), (int)(secs % 60),
		     zone_minutes < 0 ? '-' : '+', az / 60, az % 60);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}

int
imap_date_time_format(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	return imap_date_time_format_zone(t, (int)(tm.tm_gmtoff / 60), out,
					  outlen);
}

int
imap_date_format_zone(time_t t, int zone_minutes, char *out, size_t outlen)
{
	int year, mon, day, n;

	if (imap_date_day(t, zone_minutes, &year, &mon, &day) < 0)
		return -1;
	n = snprintf(out, outlen, "%d-%s-%04d", day, imap_date_months[mon - 1],
		     year);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}
