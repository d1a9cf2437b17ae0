/*
 * search.c -- SEARCH and UID SEARCH (RFC 3501 6.4.4, 7.2.5) with the
 * RFC 4731 ESEARCH RETURN options MIN, MAX, ALL, COUNT.
 *
 * The search program (lib/imap_search.h) is evaluated on every message
 * of the selected mailbox through lazy accessors: flags, UIDs, sizes and
 * sequence numbers come from the mailbox index and open no file;
 * INTERNALDATE comes from imap_mbox_msg_date (cached by storage); header
 * fields from our own cache entries (lowercase letters, below) or from a
 * bounded prefix of the file that grows until the empty line ending the
 * header; BODY and TEXT read the whole file once per message.
 *
 * The cache (imap_mbox_cache_*): one record per message, field 'h',
 * holding the folded, decoded values of From, To, Cc, Bcc, Subject and
 * Date (lib/imap_search.h: imap_search_header_record; FETCH stores it too
 * when it parses a header for ENVELOPE and the like). A record of another
 * version or malformed is ignored and rewritten. A miss on any of the six
 * fills in the whole record from the header just read; one record
 * instead of six saves the per-record overhead of the cache file (its
 * base name), which dominates the time a new session needs to load it.
 * New records reach the cache file after the command (imapd/session.c
 * flushes the cache once the command is done) or when the mailbox is
 * closed.
 *
 * SECURITY: message files are untrusted; they are only read here and
 * handed to the bounded parsers of lib/imap_search. A message expunged by
 * another session meanwhile simply does not match.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hdr.h"
#include "imap_search.h"
#include "imapd.h"

/* The first read of a header; then x8 until the empty line shows up or
 * the whole file was read. */
#define SEARCH_HEADER_FIRST_READ_BYTES 8192

struct search_msg_ctx {
	struct imapd_session *s;
	size_t i;
	struct buf hdr, msg;
	bool hdr_ok, msg_ok;
	bool gone; /* expunged by someone else meanwhile */
};

/* Notes ENOENT (the message vanished) for the caller. */
static int
search_fail(struct search_msg_ctx *c, const char *error, const char **error_r)
{
	if (errno == ENOENT)
		c->gone = true;
	*error_r = error;
	return -1;
}

static int
search_internal_date(void *ctx, time_t *t_r, const char **error_r)
{
	struct search_msg_ctx *c = ctx;
	const char *error;

	if (imap_mbox_msg_date(c->s->mb, c->i, t_r, &error) < 0)
		return search_fail(c, error, error_r);
	return 0;
}

static int
search_message(void *ctx, const char **p_r, size_t *len_r, const char **error_r)
{
	struct search_msg_ctx *c = ctx;
	const char *error;

	if (!c->msg_ok) {
		buf_reset(&c->msg);
		if (imap_mbox_msg_read(c->s->mb, c->i, SIZE_MAX, &c->msg,
				       &error) < 0)
			return search_fail(c, error, error_r);
		c->msg_ok = true;
	}
	*p_r = buf_cstr(&c->msg);
	*len_r = c->msg.len;
	return 0;
}

static int
search_header(void *ctx, const char **p_r, size_t *len_r, const char **error_r)
{
	struct search_msg_ctx *c = ctx;
	size_t want = SEARCH_HEADER_FIRST_READ_BYTES;
	const char *error;

	if (c->msg_ok)
		return search_message(ctx, p_r, len_r, error_r);
	while (!c->hdr_ok) {
		buf_reset(&c->hdr);
		if (imap_mbox_msg_read(c->s->mb, c->i, want, &c->hdr, &error) <
		    0)
			return search_fail(c, error, error_r);
		/* done when the file was shorter than asked for, or the
		 * empty line ending the header is in what we have */
		if (c->hdr.len < want ||
		    hdr_section_len(c->hdr.data, c->hdr.len) < c->hdr.len)
			c->hdr_ok = true;
		else if (want > SIZE_MAX / 8)
			want = SIZE_MAX;
		else
			want *= 8;
	}
	*p_r = buf_cstr(&c->hdr);
	*len_r = c->hdr.len;
	return 0;
}

/*
 * Builds the header record of h[0..hlen) (lib/imap_search.h), caches it
 * (a record the cache refuses, over IMAP_MBOX_CACHE_VALUE_MAX_BYTES, is
 * just not remembered) and appends the values of field name to out.
 * 1 done, 0 name is not a field of the record, -1 out of memory.
 */
static int
search_record_fill(struct search_msg_ctx *c, const char *h, size_t hlen,
		   const char *name, struct buf *out, bool *found_r)
{
	struct buf rec = BUF_INIT;
	const char *v;
	size_t vlen;
	int r = -1;

	if (imap_search_header_record(h, hlen, &rec) < 0)
		goto out;
	r = imap_search_record_find(rec.data, rec.len, name, &v, &vlen,
				    found_r);
	if (r == 1 && buf_append(out, v, vlen) < 0) {
		r = -1;
		goto out;
	}
	(void)imap_mbox_cache_put(c->s->mb, c->i,
				  IMAP_SEARCH_RECORD_CACHE_FIELD, rec.data,
				  rec.len);
out:
	buf_free(&rec);
	return r;
}

static int
search_field(void *ctx, const char *name, struct buf *out, bool *found_r,
	     const char **error_r)
{
	struct search_msg_ctx *c = ctx;
	const char *rec, *v, *h;
	size_t len, vlen, hlen;
	int r;

	if (imap_mbox_cache_get(c->s->mb, c->i, IMAP_SEARCH_RECORD_CACHE_FIELD,
				&rec, &len) == 1 &&
	    imap_search_record_find(rec, len, name, &v, &vlen, found_r) == 1) {
		if (buf_append(out, v, vlen) < 0)
			return search_fail(c, "Out of memory", error_r);
		return 0;
	}
	if (search_header(ctx, &h, &hlen, error_r) < 0)
		return -1;
	if ((r = search_record_fill(c, h, hlen, name, out, found_r)) < 0)
		return search_fail(c, "Out of memory", error_r);
	if (r == 1)
		return 0;
	if ((r = imap_search_header_values(h, hlen, name, out)) < 0)
		return search_fail(c, "Out of memory", error_r);
	*found_r = r > 0;
	return 0;
}

static const struct imap_search_msg_ops search_ops = {
	search_internal_date,
	search_field,
	search_header,
	search_message,
};

static int
search_kw_index(void *ctx, const char *name)
{
	struct imap_mbox *mb = ctx;
	const char *error;

	return imap_mbox_keyword(mb, name, strlen(name), false, &error);
}

/* Appends " n" for every result, or the ESEARCH sequence set "2,5:7". */
static int
search_append_set(struct buf *out, const uint32_t *res, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && res[j + 1] == res[j] + 1; j++)
			;
		if (buf_printf(out, i == 0 ? "%u" : ",%u", res[i]) < 0)
			return -1;
		if (j > i && buf_printf(out, ":%u", res[j]) < 0)
			return -1;
		i = j + 1;
	}
	return 0;
}

static int
search_respond(struct imapd_session *s, unsigned ret, bool uid,
	       const uint32_t *res, size_t n)
{
	struct buf out = BUF_INIT;
	const char *t;
	size_t i;
	int r = -1;

	if (ret == 0) {
		if (buf_append_str(&out, "* SEARCH") < 0)
			goto done;
		for (i = 0; i < n; i++)
			if (buf_printf(&out, " %u", res[i]) < 0)
				goto done;
	} else {
		if (buf_append_str(&out, "* ESEARCH (TAG \"") < 0)
			goto done;
		for (t = s->tag; *t != '\0'; t++)
			if ((*t == '"' || *t == '\\' ? buf_putc(&out, '\\')
						     : 0) < 0 ||
			    buf_putc(&out, *t) < 0)
				goto done;
		if (buf_append_str(&out, uid ? "\") UID" : "\")") < 0)
			goto done;
		if (n > 0 && (ret & IMAP_SEARCH_RETURN_MIN) != 0 &&
		    buf_printf(&out, " MIN %u", res[0]) < 0)
			goto done;
		if (n > 0 && (ret & IMAP_SEARCH_RETURN_MAX) != 0 &&
		    buf_printf(&out, " MAX %u", res[n - 1]) < 0)
			goto done;
		if ((ret & IMAP_SEARCH_RETURN_COUNT) != 0 &&
		    buf_printf(&out, " COUNT %zu", n) < 0)
			goto done;
		if (n > 0 && (ret & IMAP_SEARCH_RETURN_ALL) != 0 &&
		    (buf_append_str(&out, " ALL ") < 0 ||
		     search_append_set(&out, res, n) < 0))
			goto done;
	}
	if (buf_append(&out, "\r\n", 2) < 0)
		goto done;
	r = sess_write(s, out.data, out.len);
done:
	buf_free(&out);
	return r;
}

/* Runs prog over the selected mailbox; results (UIDs or sequence
 * numbers, ascending) in *res_r[0..*n_r). 0, or -1 with *error_r. */
static int
search_run(struct imapd_session *s, struct imap_search_program *prog, bool uid,
	   uint32_t **res_r, size_t *n_r, const char **error_r)
{
	struct imap_mbox *mb = s->mb;
	struct search_msg_ctx c = { s,	   0,	  BUF_INIT, BUF_INIT,
				    false, false, false };
	struct imap_search_msg m;
	uint32_t *res;
	size_t i, n = 0;
	int r = 0;

	*res_r = NULL;
	*n_r = 0;
	if (mb->n == 0)
		return 0;
	if ((res = malloc(mb->n * sizeof(*res))) == NULL) {
		*error_r = "Out of memory";
		return -1;
	}
	for (i = 0; i < mb->n; i++) {
		const struct imap_mbox_msg *msg = &mb->msgs[i];

		c.i = i;
		c.hdr_ok = c.msg_ok = c.gone = false;
		m.seq = (uint32_t)(i + 1);
		m.uid = msg->uid;
		m.flags = msg->flags;
		m.keywords = msg->keywords;
		m.vsize = msg->vsize;
		m.ops = &search_ops;
		m.ctx = &c;
		r = imap_search_match(prog, &m, error_r);
		if (r < 0 && c.gone) {
			r = 0; /* expunged meanwhile: no match */
			continue;
		}
		if (r < 0)
			break;
		if (r > 0)
			res[n++] = uid ? msg->uid : (uint32_t)(i + 1);
		r = 0;
	}
	buf_free(&c.hdr);
	buf_free(&c.msg);
	/* New cache entries are written after the command (imapd/session.c)
	 * or when the mailbox is closed, not here. */
	if (r < 0) {
		free(res);
		return -1;
	}
	*res_r = res;
	*n_r = n;
	return 0;
}

void
cmd_search(struct imapd_session *s, const struct imap_arg *args, size_t n,
	   bool uid)
{
	struct imap_search_program *prog = NULL;
	const char *error;
	uint32_t *res = NULL;
	size_t nres = 0;
	bool badcharset;

	if (s->mb == NULL) {
		sess_reply(s, IMAPD_BAD, "No mailbox selected");
		return;
	}
	if (imap_search_parse(args, n, true, &prog, &badcharset, &error) < 0) {
		if (badcharset)
			sess_reply(s, IMAPD_NO,
				   "[BADCHARSET (UTF-8 US-ASCII)] %s", error);
		else
			sess_reply(s, IMAPD_BAD, "%s", error);
		return;
	}
	imap_search_bind(prog, (uint32_t)s->mb->n,
			 s->mb->n > 0 ? s->mb->msgs[s->mb->n - 1].uid : 0,
			 search_kw_index, s->mb);
	if (search_run(s, prog, uid, &res, &nres, &error) < 0) {
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Search failed: %s", error);
	} else if (search_respond(s, imap_search_return(prog), uid, res, nres) <
		   0) {
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Search failed");
	} else {
		sess_reply(s, IMAPD_OK, "Search completed.");
	}
	free(res);
	imap_search_free(&prog);
}
