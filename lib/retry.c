/*
 * retry.c -- the retry schedule (see retry.h).
 *
 * Example with the defaults (retry_min 5m, retry_max 4h, lifetime 5d):
 * attempts at 0, 5m, 15m, 35m, 1h15m, 2h35m, 5h15m, then every 4h until
 * the fifth day, one last attempt at exactly 5d, then the bounce.
 */
#include "retry.h"

unsigned long
retry_delay(const struct retry_policy *p, unsigned failures)
{
	unsigned long d = p->retry_min ? p->retry_min : 1;
	unsigned long max = p->retry_max > d ? p->retry_max : d;

	if (max > RETRY_DELAY_MAX_SECS)
		max = RETRY_DELAY_MAX_SECS;
	if (d > max)
		d = max;
	/* Doubling stops at the cap, so d never exceeds 2 * max. */
	for (unsigned i = 1; i < failures && d < max; i++)
		d *= 2;
	return d < max ? d : max;
}

bool
retry_expired(const struct retry_policy *p, time_t arrival, time_t now)
{
	if (now <= arrival)
		return p->lifetime == 0;
	return (unsigned long long)(now - arrival) >= (unsigned long long)p->lifetime;
}

time_t
retry_next(const struct retry_policy *p, time_t arrival, time_t last,
	   unsigned failures)
{
	unsigned long d = retry_delay(p, failures);
	unsigned long life = p->lifetime > RETRY_DELAY_MAX_SECS * 10
		? RETRY_DELAY_MAX_SECS * 10 : p->lifetime;
	time_t next = last + (time_t)d;
	time_t expiry = arrival + (time_t)life;

	/* The final attempt happens when the lifetime ends. */
	if (next > expiry)
		next = expiry;
	if (next <= last)
		next = last + 1;
	return next;
}
