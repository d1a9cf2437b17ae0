/*
 * inject_msg.c -- quail-inject: reads the message, completes its header
 * and submits it (quail-inject(8)).
 *
 * The input goes through the sendmail input filter (lib/inject_hdr.c: CR
 * LF to LF, and without -i a "." line ends it). The header section is
 * collected (at most INJECT_HDR_MAX_BYTES), then written out as:
 *   Received: (ours) / the caller's fields without Bcc: / From:, Date:,
 *   Message-ID: when missing (RFC 5322 3.6: Date and From are required,
 *   Message-ID should be there) / the empty line / the body, streamed.
 * With -t the recipients come from To:, Cc: and Bcc: (RFC 5322 3.6.3).
 * Bcc: fields are always removed: they must not reach the recipients.
 *
 * SECURITY: the input is the caller's own message; it is parsed with the
 * bounded functions of lib/inject_hdr.c. Nothing is queued unless
 * quail-queue answered K (qsubmit.h); any failure before that exits
 * non-zero with nothing in the queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "hdr.h"
#include "inject.h"
#include "inject_hdr.h"
#include "qsubmit.h"

/* The fields quail-inject adds when they are missing. */
struct seen {
	bool date, message_id, from;
};

/* Reads up to INJECT_READ_BYTES; exits on a read error. 0 means EOF. */
static size_t
read_some(int fd, char *p)
{
	for (;;) {
		ssize_t r = read(fd, p, INJECT_READ_BYTES);

		if (r >= 0)
			return (size_t)r;
		if (errno != EINTR)
			inject_fail(EX_IOERR, "cannot read the message: %s",
				    strerror(errno));
	}
}

/* Copies the caller's header fields to out, without Bcc:, noting which
 * fields exist; with -t collects the recipients. */
static void
copy_fields(struct inject *in, const char *h, size_t hlen, struct buf *out,
	    struct seen *seen)
{
	struct hdr_field f;
	size_t pos = 0, start;
	int r;

	for (;;) {
		start = pos;
		r = hdr_next_field(h, hlen, &pos, &f);
		if (r == 0)
			break;
		bool keep = true;

		if (r > 0) {
			bool to = hdr_name_is(&f, "To"), cc = hdr_name_is(&f, "Cc");
			bool bcc = hdr_name_is(&f, "Bcc");

			if (in->extract && (to || cc || bcc))
				inject_add_rcpts(in, f.value, f.value_len,
						 to ? "To" : cc ? "Cc" : "Bcc");
			keep = !bcc;
			seen->date |= hdr_name_is(&f, "Date");
			seen->message_id |= hdr_name_is(&f, "Message-ID");
			seen->from |= hdr_name_is(&f, "From");
		}
		/* inject_hdr_split() let only fields through, so r < 0 does
		 * not happen; such a line would be kept as it is. */
		if (keep && buf_append(out, h + start, pos - start) < 0)
			inject_fail(EX_OSERR, "out of memory");
	}
}

static void
add_received(const struct inject *in, struct buf *out, const char *date)
{
	int r;

	if (in->login[0] != '\0')
		r = buf_printf(out, "Received: from %s by %s (quail-inject, uid %ld);\n\t%s\n",
			       in->login, in->conf->hostname, (long)in->uid, date);
	else
		r = buf_printf(out, "Received: by %s (quail-inject, uid %ld);\n\t%s\n",
			       in->conf->hostname, (long)in->uid, date);
	if (r < 0)
		inject_fail(EX_OSERR, "out of memory");
}

/* From:, Date:, Message-ID: where the caller gave none. */
static void
add_missing(const struct inject *in, struct buf *out, const struct seen *seen,
	    time_t now, const char *date)
{
	char name[INJECT_HDR_NAME_OUT_BYTES];
	unsigned char rnd[8];
	size_t nlen = 0;
	int r = 0;

	if (!seen->from) {
		if (in->fullname != NULL)
			nlen = inject_hdr_display_name(in->fullname, name, sizeof(name));
		if (nlen > 0)
			r |= buf_printf(out, "From: %.*s <%s>\n", (int)nlen, name,
					in->from_addr);
		else
			r |= buf_printf(out, "From: %s\n", in->from_addr);
	}
	if (!seen->date)
		r |= buf_printf(out, "Date: %s\n", date);
	if (!seen->message_id) {
		/* <time.pid.random@hostname>: unique without any state. */
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			inject_fail(EX_OSERR, "getrandom: %s", strerror(errno));
		r |= buf_printf(out, "Message-ID: <%lld.%ld.", (long long)now,
				(long)getpid());
		for (size_t i = 0; i < sizeof(rnd); i++)
			r |= buf_printf(out, "%02x", rnd[i]);
		r |= buf_printf(out, "@%s>\n", in->conf->hostname);
	}
	if (r != 0)
		inject_fail(EX_OSERR, "out of memory");
}

/* Builds the new header section from h[0..hlen) into out. */
static void
build_header(struct inject *in, const char *h, size_t hlen, struct buf *out)
{
	struct seen seen = { false, false, false };
	char date[DATE_RFC5322_MAX + 1];
	time_t now = time(NULL);

	if (date_rfc5322(now, date, sizeof(date)) < 0)
		inject_fail(EX_SOFTWARE, "cannot format the date");
	add_received(in, out, date);
	copy_fields(in, h, hlen, out, &seen);
	add_missing(in, out, &seen, now, date);
	if (buf_putc(out, '\n') < 0)
		inject_fail(EX_OSERR, "out of memory");
}

/* Starts quail-queue and writes the header and what is buffered of the
 * body. Returns false if quail-queue is already gone. */
static bool
start_submit(struct inject *in, struct qsubmit *q, const struct buf *hdr,
	     size_t hdr_len, size_t body)
{
	struct buf out;
	const char *error = NULL;
	bool ok;

	buf_init(&out, 0);
	build_header(in, hdr->data, hdr_len, &out);
	if (in->n_rcpts == 0)
		inject_fail(EX_USAGE, "no recipients found (-t: none in To:, Cc:, Bcc:)");
	if (qsubmit_start(q, in->conf, &error) < 0)
		inject_fail(EX_TEMPFAIL, "cannot start quail-queue: %s", error);
	ok = qsubmit_write(q, out.data, out.len) == 0 &&
	     qsubmit_write(q, hdr->data + body, hdr->len - body) == 0;
	buf_free(&out);
	return ok;
}

static void
finish_submit(struct inject *in, struct qsubmit *q)
{
	char id[QSUBMIT_ID_MAX];
	const char *error = NULL;
	int r;

	r = qsubmit_finish(q, in->null_sender ? "" : in->sender,
			   (const char *const *)in->rcpts, in->n_rcpts, NULL, id,
			   sizeof(id), &error);
	if (r == -2)
		inject_fail(EX_DATAERR, "message refused: %s", error);
	if (r < 0)
		inject_fail(EX_TEMPFAIL, "message not queued: %s", error);
}

void
inject_message(struct inject *in, int fd)
{
	struct inject_input filt;
	struct qsubmit *q;
	struct buf hdr;
	char *raw, *cooked;
	size_t n, used, hdr_len = 0, body = 0, resume = 0;
	bool started = false, eof = false, alive = true;

	raw = malloc(INJECT_READ_BYTES);
	cooked = malloc(INJECT_READ_BYTES + INJECT_INPUT_SLACK_BYTES + 1);
	q = malloc(sizeof(*q));
	if (raw == NULL || cooked == NULL || q == NULL)
		inject_fail(EX_OSERR, "out of memory");
	buf_init(&hdr, INJECT_HDR_MAX_BYTES);
	inject_input_init(&filt, in->dot_ends);
	while (alive && !eof) {
		size_t got = filt.done ? 0 : read_some(fd, raw);

		if (got > 0) {
			n = inject_input_feed(&filt, raw, got, cooked, &used);
		} else {
			n = inject_input_finish(&filt, cooked);
			eof = true;
		}
		if (started) {
			alive = qsubmit_write(q, cooked, n) == 0;
			continue;
		}
		if (buf_append(&hdr, cooked, n) < 0)
			inject_fail(EX_DATAERR, "header section longer than %d bytes",
				    INJECT_HDR_MAX_BYTES);
		if (inject_hdr_split(hdr.data, hdr.len, eof, &resume, &hdr_len,
				     &body) == 1) {
			alive = start_submit(in, q, &hdr, hdr_len, body);
			started = true;
		}
	}
	/* A quail-queue that went away early says why in its reply. */
	finish_submit(in, q);
	buf_free(&hdr);
	free(raw);
	free(cooked);
	free(q);
}
