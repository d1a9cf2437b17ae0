/*
 * retry.h -- the retry schedule of quail-send as pure functions, so that
 * it can be tested without a clock: exponential backoff from retry_min,
 * doubled after every failed attempt, capped at retry_max, and never past
 * the end of the queue lifetime (the last attempt happens at expiry, so
 * that an expired message is bounced on time, not up to retry_max late).
 *
 * Owner: quail-send (queue/send_queue.c). Return convention: values, no
 * errors; every input is accepted (0 means "as small as possible") and
 * nothing overflows.
 */
#ifndef QUAIL_RETRY_H
#define QUAIL_RETRY_H

#include <stdbool.h>
#include <time.h>

/* Upper bound of any delay, whatever the configuration says. */
#define RETRY_DELAY_MAX_SECS (365UL * 86400)

struct retry_policy {
	unsigned long retry_min;        /* secs after the first failure (0 -> 1) */
	unsigned long retry_max;        /* secs, the cap (below retry_min -> retry_min) */
	unsigned long lifetime;         /* secs a message may stay queued */
};

/* The delay after `failures` failed attempts (failures >= 1; 0 counts as
 * 1): retry_min * 2^(failures - 1), at most retry_max, at least 1. */
unsigned long retry_delay(const struct retry_policy *p, unsigned failures);

/* True when a message that arrived at `arrival` has outlived the
 * lifetime at `now`: its next temporary failure is final. */
bool retry_expired(const struct retry_policy *p, time_t arrival, time_t now);

/* The time of the next attempt after `failures` failed attempts, the last
 * one at `last`: last + retry_delay(), but not after arrival + lifetime
 * (and not before last + 1). */
time_t retry_next(const struct retry_policy *p, time_t arrival, time_t last,
		  unsigned failures);

#endif
