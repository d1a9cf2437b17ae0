/*
 * fuzz_hdr.c -- libFuzzer target for lib/hdr.c.
 *
 * Checks, beyond "no crash": the push scanner gives the same result fed
 * whole, split at one point, and one byte at a time; it agrees with
 * hdr_next_field (Received count, Date/Message-ID/From/To) and with
 * hdr_section_len; hdr_next_field always advances and stays in bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
scan(const uint8_t *data, size_t size, size_t first, size_t step,
     struct hdr_scan *s)
{
	size_t pos = 0, n = first;

	hdr_scan_init(s);
	do {
		if (n > size - pos)
			n = size - pos;
		hdr_scan_feed(s, data + pos, n);
		pos += n;
		n = step;
	} while (pos < size);
}

static void
same_scan(const struct hdr_scan *a, const struct hdr_scan *b)
{
	if (a->received != b->received || a->in_body != b->in_body ||
	    a->has_date != b->has_date ||
	    a->has_message_id != b->has_message_id ||
	    a->has_from != b->has_from || a->has_to != b->has_to ||
	    a->bytes != b->bytes)
		abort();
}

static void
check_fields(const char *p, size_t len, const struct hdr_scan *s)
{
	struct hdr_field f;
	unsigned received = 0;
	bool date = false, msgid = false, from = false, to = false;
	size_t pos = 0, last = 0, vlen;
	char value[128];
	int r;

	while ((r = hdr_next_field(p, len, &pos, &f)) != 0) {
		if (pos <= last || pos > len)
			abort();
		last = pos;
		if (r != 1)
			continue;
		if (f.name < p || f.name + f.name_len > p + len ||
		    f.value < p || f.value + f.value_len > p + len ||
		    f.name_len == 0)
			abort();
		received += hdr_name_is(&f, "Received");
		date |= hdr_name_is(&f, "Date");
		msgid |= hdr_name_is(&f, "Message-ID");
		from |= hdr_name_is(&f, "From");
		to |= hdr_name_is(&f, "To");
		if (hdr_value_unfold(&f, value, sizeof(value), &vlen) == 0 &&
		    (vlen >= sizeof(value) || strlen(value) > vlen))
			abort();
	}
	if (received != s->received || date != s->has_date ||
	    msgid != s->has_message_id || from != s->has_from ||
	    to != s->has_to)
		abort();
	if (hdr_section_len(p, len) != s->bytes)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr_scan whole, split, bytes;
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;

	scan(data, size, size, size, &whole);
	scan(data, size, cut, size, &split);
	same_scan(&whole, &split);
	if (size <= 4096) {
		scan(data, size, 1, 1, &bytes);
		same_scan(&whole, &bytes);
	}
	check_fields((const char *)data, size, &whole);
	return 0;
}
