/*
 * date.c -- RFC 5322 section 3.3 date-time: formatting, and a tolerant
 * parser that also takes the obsolete forms of section 4.3 (two- and
 * three-digit years, named zones, missing day-of-week, comments and folding
 * white space anywhere, seconds omitted) and a few common deviations (full
 * day/month names, '-' between date parts, a zone name after a numeric
 * zone, no zone at all = UTC).
 *
 * SECURITY: input is untrusted header text; the parser works on (s, len),
 * never relies on NUL termination, bounds every number by its digit count
 * and returns -1 on anything it does not understand.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"

static const char *const date_days[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const date_days_full[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char *const date_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};
static const char *const date_months_full[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

int
date_rfc5322(time_t t, char *out, size_t outlen)
{
	struct tm tm;
	long off;
	int n;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	off = tm.tm_gmtoff / 60;
	/* Day names from our table, not strftime: the locale must not leak
	 * into a protocol field. */
	n = snprintf(out, outlen, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    date_days[tm.tm_wday % 7], tm.tm_mday, date_months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	    (off < 0 ? -off : off) % 60);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}

/* ---- parser ---------------------------------------------------------------- */

struct date_scan {
	const char *s;
	size_t len, pos;
};

#define DATE_WORD_MAX_BYTES 16

/* Skips white space and (possibly nested) comments. -1 on an unclosed
 * comment. */
static int
date_skip_cfws(struct date_scan *d)
{
	unsigned long depth = 0;
	size_t start = d->pos;
	char ch;

	while (d->pos < d->len) {
		ch = d->s[d->pos];
		if (depth > 0) {
			if (ch == '\\')
				d->pos++;       /* quoted-pair: skip next */
			else if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
			d->pos++;
			continue;
		}
		if (ch == '(') {
			depth++;
			d->pos++;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			d->pos++;
		} else {
			break;
		}
	}
	if (depth != 0) {
		d->pos = start;         /* unclosed: leave it to fail the parse */
		return -1;
	}
	return 0;
}

static bool
date_peek(struct date_scan *d, char ch)
{
	return d->pos < d->len && d->s[d->pos] == ch;
}

/* Consumes ch (after CFWS) if present. */
static bool
date_accept(struct date_scan *d, char ch)
{
	if (date_skip_cfws(d) < 0 || !date_peek(d, ch))
		return false;
	d->pos++;
	return true;
}

/* Reads 1..maxdigits digits; -1 if none or more than maxdigits. */
static int
date_number(struct date_scan *d, size_t maxdigits, int *r, size_t *ndigits_r)
{
	size_t n = 0;
	int v = 0;

	if (date_skip_cfws(d) < 0)
		return -1;
	while (d->pos < d->len && d->s[d->pos] >= '0' && d->s[d->pos] <= '9') {
		if (++n > maxdigits)
			return -1;
		v = v * 10 + (d->s[d->pos] - '0');
		d->pos++;
	}
	if (n == 0)
		return -1;
	*r = v;
	if (ndigits_r != NULL)
		*ndigits_r = n;
	return 0;
}

/* Reads an alphabetic word into w; 0 if there is none. */
static size_t
date_word(struct date_scan *d, char *w, size_t wlen)
{
	size_t n = 0, start;

	if (date_skip_cfws(d) < 0)
		return 0;
	start = d->pos;
	while (d->pos < d->len && isalpha((unsigned char)d->s[d->pos]) &&
	    (unsigned char)d->s[d->pos] < 0x80) {
		if (n + 1 >= wlen) {
			d->pos = start;
			return 0;
		}
		w[n++] = d->s[d->pos++];
	}
	w[n] = '\0';
	return n;
}

static int
date_lookup(const char *w, const char *const *shortn,
    const char *const *longn, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (strcasecmp(w, shortn[i]) == 0 || strcasecmp(w, longn[i]) == 0)
			return i;
	return -1;
}

struct date_zone {
	const char *name;
	int minutes;
};

/* RFC 5322 4.3 obs-zone; military letters count as -0000 (unknown). */
static const struct date_zone date_zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -5 * 60 }, { "EDT", -4 * 60 },
	{ "CST", -6 * 60 }, { "CDT", -5 * 60 },
	{ "MST", -7 * 60 }, { "MDT", -6 * 60 },
	{ "PST", -8 * 60 }, { "PDT", -7 * 60 },
};

/* Zone: "+hhmm" / "-hhmm" or a name. Sets minutes east of UTC. */
static int
date_zone(struct date_scan *d, int *minutes_r)
{
	char w[DATE_WORD_MAX_BYTES];
	int sign = 1, v, i;
	size_t n, k;

	if (date_skip_cfws(d) < 0)
		return -1;
	if (d->pos >= d->len) {
		*minutes_r = 0;         /* no zone: read as UTC */
		return 0;
	}
	if (date_peek(d, '+') || date_peek(d, '-')) {
		sign = d->s[d->pos] == '-' ? -1 : 1;
		d->pos++;
		/* exactly four digits, no CFWS inside */
		for (k = 0, v = 0; k < 4; k++) {
			if (d->pos >= d->len || d->s[d->pos] < '0' ||
			    d->s[d->pos] > '9')
				return -1;
			v = v * 10 + (d->s[d->pos++] - '0');
		}
		if (v % 100 > 59)
			return -1;
		*minutes_r = sign * ((v / 100) * 60 + v % 100);
		/* Tolerated: "+0000 GMT", "-0500 EST" (a redundant name). */
		(void)date_word(d, w, sizeof(w));
		return 0;
	}
	n = date_word(d, w, sizeof(w));
	if (n == 0)
		return -1;
	for (i = 0; i < (int)(sizeof(date_zones) / sizeof(date_zones[0])); i++) {
		if (strcasecmp(w, date_zones[i].name) == 0) {
			*minutes_r = date_zones[i].minutes;
			return 0;
		}
	}
	/* Military and other alphabetic zones: meaning unknown, so UTC
	 * ("-0000", RFC 5322 4.3). */
	*minutes_r = 0;
	return 0;
}

static bool
date_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long
date_days_from_civil(long y, unsigned m, unsigned d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (long)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (long)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (long long)era * 146097 + doe - 719468;
}

int
date_parse_rfc5322(const char *s, size_t len, time_t *t_r)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct date_scan d = { s, len, 0 };
	char w[DATE_WORD_MAX_BYTES];
	int day, mon, year, hour, min, sec = 0, zone;
	size_t ydigits;
	long long t;

	if (s == NULL)
		return -1;
	/* [day-of-week ","] */
	if (date_word(&d, w, sizeof(w)) > 0) {
		if (date_lookup(w, date_days, date_days_full, 7) < 0)
			return -1;
		(void)date_accept(&d, ',');
	}
	if (date_number(&d, 2, &day, NULL) < 0)
		return -1;
	(void)date_accept(&d, '-');
	if (date_word(&d, w, sizeof(w)) == 0)
		return -1;
	mon = date_lookup(w, date_months, date_months_full, 12);
	if (mon < 0)
		return -1;
	(void)date_accept(&d, '-');
	if (date_number(&d, 4, &year, &ydigits) < 0)
		return -1;
	if (ydigits == 2)
		year += year < 50 ? 2000 : 1900;        /* RFC 5322 4.3 */
	else if (ydigits == 3)
		year += 1900;
	else if (year < 1900)
		return -1;
	if (date_number(&d, 2, &hour, NULL) < 0 || !date_accept(&d, ':') ||
	    date_number(&d, 2, &min, NULL) < 0)
		return -1;
	if (date_accept(&d, ':') && date_number(&d, 2, &sec, NULL) < 0)
		return -1;
	if (date_zone(&d, &zone) < 0)
		return -1;
	if (date_skip_cfws(&d) < 0 || d.pos != d.len)
		return -1;
	if (day < 1 || day > mdays[mon] + (mon == 1 && date_leap(year)) ||
	    hour > 23 || min > 59 || sec > 60)
		return -1;
	if (sec == 60)
		sec = 59;       /* leap second: time_t cannot say it */
	t = date_days_from_civil(year, (unsigned)mon + 1, (unsigned)day) * 86400 +
	    hour * 3600 + min * 60 + sec - (long long)zone * 60;
	if ((long long)(time_t)t != t)
		return -1;
	*t_r = (time_t)t;
	return 0;
}
