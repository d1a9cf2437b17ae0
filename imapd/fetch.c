/*
 * fetch.c -- FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8, 7.4.2; RFC 5530
 * EXPUNGEISSUED). The data items are parsed once into a list; then, per
 * message, only what they need is read: flags, UID and RFC822.SIZE come
 * from the folder index (no file is opened), INTERNALDATE from its
 * cache, ENVELOPE / BODY / BODYSTRUCTURE from the per-folder cache ('E',
 * 'S', 'B') or else from the header alone (ENVELOPE) or a full MIME
 * parse, which is then cached. A header parsed for any of them also
 * yields SEARCH's header record ('h', lib/imap_search.h) when the
 * message has none, so that a SEARCH after FETCH ENVELOPE reads no file. BODY[] and RFC822 are streamed from the
 * file with LF turned into CR LF on the fly (the size is the folder's
 * vsize), so a large message is never held in memory for them.
 *
 * A message whose last byte is not LF gets a CR LF added at its end when
 * its recorded size (the name's W=, or lib/maildir_list's computed size,
 * which counts that CR LF) is the converted size + 2; with an exact W=
 * (quail-deliver, APPEND) it is sent as stored. lib/imap_render.h says
 * which sections carry that CR LF. RFC822.SIZE and the literal of BODY[]
 * are always the same number, and every literal carries exactly the
 * bytes it announces: a name whose W= cannot be right for the file
 * (checked against the file size before anything is announced) is
 * replaced by the size counted from the file, and a W= that is wrong
 * only within what the file size allows is corrected by padding with
 * spaces or truncating, logged (the last resort).
 *
 * Everything a message needs is gathered before its "* n FETCH" line is
 * started, so a message expunged by another session meanwhile is skipped
 * whole and the command ends NO [EXPUNGEISSUED]. A non-PEEK BODY[...],
 * RFC822 or RFC822.TEXT sets \Seen on a read-write mailbox and then sends
 * FLAGS, as Dovecot does.
 *
 * SECURITY: the data item list is client input (bounded by the command
 * line); message bytes are untrusted and reach the client only through
 * lib/imap_render (strings quoted or sent as literals of exact size).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hdr.h"
#include "imap_render.h"
#include "imap_search.h"
#include "imapd.h"
#include "log.h"
#include "mime.h"

/* Data items in one FETCH (the command line bounds them anyway). */
#define FETCH_ATTS_MAX 256
/* The first read for a header; doubled until the empty line is in. */
#define FETCH_HEADER_READ_BYTES 16384
/* A header larger than this is read with the whole message. */
#define FETCH_HEADER_READ_MAX_BYTES (4u * 1024 * 1024)
/* Chunk for streaming a message from its file. */
#define FETCH_STREAM_CHUNK_BYTES 65536
/* The response line is written out once it is this long. */
#define FETCH_LINE_FLUSH_BYTES 65536

enum fetch_kind {
	FETCH_UID,
	FETCH_FLAGS,
	FETCH_INTERNALDATE,
	FETCH_RFC822_SIZE,
	FETCH_ENVELOPE,
	FETCH_BODYSTRUCTURE,
	FETCH_BODY,
	FETCH_SECTION, /* BODY[..], BODY.PEEK[..], RFC822, RFC822.HEADER,
			  RFC822.TEXT */
};

struct fetch_att {
	enum fetch_kind kind;
	struct imap_section sec;
	bool sets_seen;
	bool partial;
	uint32_t offset, count;
	char *name; /* response name: "BODY[1.MIME]<0>", "RFC822" */
};

struct fetch_ctx {
	struct fetch_att atts[FETCH_ATTS_MAX];
	size_t n;
	unsigned seen_kinds; /* bit per enum fetch_kind (not sections) */
	bool sets_seen;
	bool need_header, need_tree, need_whole;
	bool expunged;	   /* some message was gone */
	const char *error; /* internal error: NO [SERVERBUG] */
	bool lost;	   /* a write failed: the client is gone */

	/* Per message. */
	struct buf line;
	struct buf data;
	struct buf envelope, body, bodystructure;
	struct buf record; /* SEARCH's header record */
	struct mime_message *mime;
	time_t date;	 /* INTERNALDATE */
	bool data_whole; /* data holds the whole message */
	int fd;
	uint64_t vsize; /* RFC822.SIZE = the size of BODY[] as sent */
	bool eof_crlf;	/* a CR LF is added after the last byte */
};

/* ---- parsing the data items ------------------------------------------ */

static void
fetch_atts_free(struct fetch_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		imap_section_free(&c->atts[i].sec);
		free(c->atts[i].name);
	}
	c->n = 0;
}

static struct fetch_att *
fetch_att_new(struct fetch_ctx *c, enum fetch_kind kind)
{
	struct fetch_att *a;

	if (kind != FETCH_SECTION) {
		if (c->seen_kinds & (1u << kind))
			return NULL; /* asked twice: sent once */
		c->seen_kinds |= 1u << kind;
	}
	a = &c->atts[c->n++];
	memset(a, 0, sizeof(*a));
	buf_init(&a->sec.fields, 0);
	a->kind = kind;
	return a;
}

/* RFC822, RFC822.HEADER, RFC822.TEXT: BODY[], BODY.PEEK[HEADER],
 * BODY[TEXT] under their own names. */
static int
fetch_att_rfc822(struct fetch_ctx *c, const char *name, const char *section,
		 bool seen)
{
	struct fetch_att *a = fetch_att_new(c, FETCH_SECTION);
	const char *error;

	if (imap_section_parse(section, strlen(section), &a->sec, &error) < 0 ||
	    (a->name = strdup(name)) == NULL)
		return -1;
	a->sets_seen = seen;
	return 0;
}

/* BODY[section]<o.n> and BODY.PEEK[...]. 0, or -1 with *error_r. */
static int
fetch_att_section(struct fetch_ctx *c, const struct imap_fetch_att *fa,
		  bool peek, const char **error_r)
{
	struct fetch_att *a = fetch_att_new(c, FETCH_SECTION);
	struct buf name = BUF_INIT;

	if (imap_section_parse(fa->section, fa->section_len, &a->sec, error_r) <
	    0)
		return -1;
	a->sets_seen = !peek;
	a->partial = fa->has_partial;
	a->offset = fa->partial_offset;
	a->count = fa->partial_len;
	if (buf_append_str(&name, "BODY[") < 0 ||
	    imap_section_format(&a->sec, &name) < 0 ||
	    buf_putc(&name, ']') < 0 ||
	    (a->partial && buf_printf(&name, "<%u>", a->offset) < 0)) {
		buf_free(&name);
		*error_r = "Out of memory";
		return -1;
	}
	a->name = name.data; /* owned now */
	return 0;
}

/* One data item atom. 0, or -1 with *error_r (BAD). */
static int
fetch_att_parse(struct fetch_ctx *c, const char *s, size_t len,
		const char **error_r)
{
	static const struct {
		const char *name;
		enum fetch_kind kind;
	} simple[] = {
		{ "UID", FETCH_UID },
		{ "FLAGS", FETCH_FLAGS },
		{ "INTERNALDATE", FETCH_INTERNALDATE },
		{ "RFC822.SIZE", FETCH_RFC822_SIZE },
		{ "ENVELOPE", FETCH_ENVELOPE },
		{ "BODYSTRUCTURE", FETCH_BODYSTRUCTURE },
		{ "BODY", FETCH_BODY },
	};
	struct imap_fetch_att fa;
	size_t i;

	if (c->n + 2 > FETCH_ATTS_MAX) {
		*error_r = "Too many FETCH data items";
		return -1;
	}
	if (imap_fetch_att_split(s, len, &fa, error_r) < 0)
		return -1;
	if (fa.has_section) {
		if (fa.name_len == 4 && strncasecmp(fa.name, "BODY", 4) == 0)
			return fetch_att_section(c, &fa, false, error_r);
		if (fa.name_len == 9 &&
		    strncasecmp(fa.name, "BODY.PEEK", 9) == 0)
			return fetch_att_section(c, &fa, true, error_r);
		*error_r = "Unknown FETCH data item";
		return -1;
	}
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (strlen(simple[i].name) == len &&
		    strncasecmp(s, simple[i].name, len) == 0) {
			(void)fetch_att_new(c, simple[i].kind);
			return 0;
		}
	*error_r = "Out of memory";
	if (len == 6 && strncasecmp(s, "RFC822", 6) == 0)
		return fetch_att_rfc822(c, "RFC822", "", true);
	if (len == 13 && strncasecmp(s, "RFC822.HEADER", 13) == 0)
		return fetch_att_rfc822(c, "RFC822.HEADER", "HEADER", false);
	if (len == 11 && strncasecmp(s, "RFC822.TEXT", 11) == 0)
		return fetch_att_rfc822(c, "RFC822.TEXT", "TEXT", true);
	*error_r = "Unknown FETCH data item";
	return -1;
}

/* The macros (RFC 3501 6.4.5), only as a single atom. */
static int
fetch_macro(struct fetch_ctx *c, const char *s, size_t len)
{
	static const enum fetch_kind fast[] = { FETCH_FLAGS, FETCH_INTERNALDATE,
						FETCH_RFC822_SIZE };
	size_t i;

	if (len == 4 && strncasecmp(s, "FAST", 4) == 0) {
		/* nothing more */
	} else if (len == 3 && strncasecmp(s, "ALL", 3) == 0) {
		(void)fetch_att_new(c, FETCH_FLAGS);
		(void)fetch_att_new(c, FETCH_INTERNALDATE);
		(void)fetch_att_new(c, FETCH_RFC822_SIZE);
		(void)fetch_att_new(c, FETCH_ENVELOPE);
		return 1;
	} else if (len == 4 && strncasecmp(s, "FULL", 4) == 0) {
		(void)fetch_att_new(c, FETCH_FLAGS);
		(void)fetch_att_new(c, FETCH_INTERNALDATE);
		(void)fetch_att_new(c, FETCH_RFC822_SIZE);
		(void)fetch_att_new(c, FETCH_ENVELOPE);
		(void)fetch_att_new(c, FETCH_BODY);
		return 1;
	} else {
		return 0;
	}
	for (i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
		(void)fetch_att_new(c, fast[i]);
	return 1;
}

/* Parses the data items argument and works out what messages need. */
static int
fetch_parse(struct fetch_ctx *c, const struct imap_arg *arg, bool uid,
	    const char **error_r)
{
	const struct imap_arg *list;
	size_t n, i;

	if (uid)
		(void)fetch_att_new(c, FETCH_UID);
	if (arg->type == IMAP_ARG_ATOM) {
		if (fetch_macro(c, arg->str, arg->len) == 0 &&
		    fetch_att_parse(c, arg->str, arg->len, error_r) < 0)
			return -1;
	} else if (imap_arg_get_list(arg, &list, &n)) {
		if (n == 0) {
			*error_r = "Empty FETCH data item list";
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (list[i].type != IMAP_ARG_ATOM) {
				*error_r = "Invalid FETCH data item";
				return -1;
			}
			if (fetch_att_parse(c, list[i].str, list[i].len,
					    error_r) < 0)
				return -1;
		}
	} else {
		*error_r = "Invalid FETCH data items";
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		const struct fetch_att *a = &c->atts[i];

		if (a->kind != FETCH_SECTION)
			continue;
		c->sets_seen |= a->sets_seen;
		switch (imap_section_needs(&a->sec)) {
		case IMAP_SECTION_NEED_WHOLE:
			c->need_whole = true;
			break;
		case IMAP_SECTION_NEED_HEADER:
			c->need_header = true;
			break;
		default:
			c->need_tree = true;
			break;
		}
	}
	return 0;
}

/* ---- reading a message ------------------------------------------------ */

/* The header of message i into c->data (at least up to its empty line,
 * or the whole message when it has none), parsed header-only. 0 / -1. */
static int
fetch_read_header(struct imapd_session *s, size_t i, struct fetch_ctx *c,
		  const char **error_r)
{
	size_t max = FETCH_HEADER_READ_BYTES;

	for (;;) {
		buf_reset(&c->data);
		if (imap_mbox_msg_read(s->mb, i, max, &c->data, error_r) < 0)
			return -1;
		if (c->data.len < max) {
			c->data_whole = true;
			break;
		}
		if (hdr_section_len(c->data.data, c->data.len) < c->data.len)
			break;
		if (max >= FETCH_HEADER_READ_MAX_BYTES) {
			max = SIZE_MAX;
			continue;
		}
		max *= 4;
	}
	return mime_parse(buf_cstr(&c->data), c->data.len,
			  MIME_PARSE_HEADER_ONLY, &c->mime, error_r);
}

static int
fetch_read_whole(struct imapd_session *s, size_t i, struct fetch_ctx *c,
		 const char **error_r)
{
	buf_reset(&c->data);
	if (imap_mbox_msg_read(s->mb, i, SIZE_MAX, &c->data, error_r) < 0)
		return -1;
	c->data_whole = true;
	return mime_parse(buf_cstr(&c->data), c->data.len, 0, &c->mime,
			  error_r);
}

/* A cached value copied out (the cache pointer lives until the next
 * call on the mailbox). SECURITY: it goes into the response as it is, so
 * a value that is not a parenthesised list without NUL (a damaged cache
 * file) is treated as missing and rendered again. 1 found, 0 not, -1
 * out of memory. */
static int
fetch_cache_get(struct imapd_session *s, size_t i, char field, struct buf *out)
{
	const char *v;
	size_t len;

	buf_reset(out);
	if (imap_mbox_cache_get(s->mb, i, field, &v, &len) != 1 || len < 2 ||
	    v[0] != '(' || v[len - 1] != ')' || memchr(v, '\0', len) != NULL)
		return 0;
	return buf_append(out, v, len) < 0 ? -1 : 1;
}

/* The sizes of message i, held whole in c->data: c->vsize and
 * c->eof_crlf from the recorded size, or from the bytes when the recorded
 * size cannot be right (logged). */
static void
fetch_size_mem(struct imapd_session *s, size_t i, struct fetch_ctx *c)
{
	const struct imap_mbox_msg *m = &s->mb->msgs[i];
	const char *p = buf_cstr(&c->data);
	uint64_t conv = imap_crlf_size(p, c->data.len, false);
	bool open_end = imap_eof_crlf_possible(p, c->data.len);

	if (open_end && m->vsize == conv + 2) {
		c->eof_crlf = true;
	} else if (m->vsize != conv) {
		/* A damaged name (W=): follow the convention. */
		c->eof_crlf = open_end;
		c->vsize = conv + (open_end ? 2 : 0);
		log_msg(LOG_WARNING,
			"FETCH: message %s has the wrong size %llu in its "
			"name; using %llu",
			m->name, (unsigned long long)m->vsize,
			(unsigned long long)c->vsize);
	}
}

/* Converted size of the file open as c->fd (read through once, then
 * rewound): *conv_r, and whether its last byte is not LF. 0 / -1. */
static int
fetch_count_fd(struct fetch_ctx *c, uint64_t *conv_r, bool *open_end_r,
	       const char **error_r)
{
	char in[FETCH_STREAM_CHUNK_BYTES];
	uint64_t conv = 0;
	bool prev_cr = false;
	char last = '\n';

	for (;;) {
		ssize_t got = read(c->fd, in, sizeof(in));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*error_r = "cannot read the message";
			return -1;
		}
		if (got == 0)
			break;
		conv += imap_crlf_size(in, (size_t)got, prev_cr);
		last = in[got - 1];
		prev_cr = last == '\r';
	}
	if (lseek(c->fd, 0, SEEK_SET) < 0) {
		*error_r = "cannot rewind the message";
		return -1;
	}
	*conv_r = conv;
	*open_end_r = last != '\n';
	return 0;
}

/* The sizes of message i, to be streamed from c->fd. SECURITY: the
 * recorded size comes from the file name; it announces the literal, so
 * one that cannot belong to a file of this size (converted: at least
 * the file size, at most twice it + 2) is replaced by the counted size,
 * and the streaming never pads or truncates more than the file allows.
 * eof_crlf is decided at the end of the stream. 0 / -1. */
static int
fetch_size_fd(struct imapd_session *s, size_t i, struct fetch_ctx *c,
	      const char **error_r)
{
	const struct imap_mbox_msg *m = &s->mb->msgs[i];
	struct stat st;
	uint64_t size, conv;
	bool open_end;

	if (fstat(c->fd, &st) < 0) {
		*error_r = "cannot stat the message";
		return -1;
	}
	size = (uint64_t)st.st_size;
	if (m->vsize >= size && m->vsize - size <= size + 2)
		return 0;
	if (fetch_count_fd(c, &conv, &open_end, error_r) < 0)
		return -1;
	c->vsize = conv + (open_end ? 2 : 0);
	log_msg(LOG_WARNING,
		"FETCH: message %s has the impossible size %llu in its name; "
		"using %llu",
		m->name, (unsigned long long)m->vsize,
		(unsigned long long)c->vsize);
	return 0;
}

/* The header parsed anyway (c->data): SEARCH's header record
 * (lib/imap_search.h) is cached from it when the message has none yet,
 * so that SEARCH FROM, SUBJECT ... after an ENVELOPE pass opens no file.
 * One more pass over the header fields. 0 / -1 (out of memory). */
static int
fetch_search_record(struct imapd_session *s, size_t i, struct fetch_ctx *c)
{
	const char *v, *h;
	size_t vlen;

	if (imap_mbox_cache_get(s->mb, i, IMAP_SEARCH_RECORD_CACHE_FIELD, &v,
				&vlen) == 1)
		return 0;
	buf_reset(&c->record);
	h = buf_cstr(&c->data);
	if (imap_search_header_record(h, hdr_section_len(h, c->data.len),
				      &c->record) < 0)
		return -1;
	(void)imap_mbox_cache_put(s->mb, i, IMAP_SEARCH_RECORD_CACHE_FIELD,
				  c->record.data, c->record.len);
	return 0;
}

/* Gathers everything message i needs. 1 ready, 0 expunged, -1 error. */
static int
fetch_prepare(struct imapd_session *s, size_t i, struct fetch_ctx *c)
{
	bool want_env = c->seen_kinds & (1u << FETCH_ENVELOPE);
	bool want_bs = c->seen_kinds & (1u << FETCH_BODYSTRUCTURE);
	bool want_body = c->seen_kinds & (1u << FETCH_BODY);
	bool need_tree = c->need_tree, need_header = c->need_header;
	const char *error = NULL;
	int r;

	mime_free(&c->mime);
	c->data_whole = false;
	buf_reset(&c->data);
	buf_reset(&c->envelope);
	buf_reset(&c->bodystructure);
	buf_reset(&c->body);
	/* Cached renderings first; what is missing needs the header
	 * (ENVELOPE) or the whole message (BODY, BODYSTRUCTURE). */
	if (want_env && (r = fetch_cache_get(s, i, 'E', &c->envelope)) <= 0) {
		if (r < 0)
			goto oom;
		need_header = true;
	}
	if (want_bs &&
	    (r = fetch_cache_get(s, i, 'B', &c->bodystructure)) <= 0) {
		if (r < 0)
			goto oom;
		need_tree = true;
	}
	if (want_body && (r = fetch_cache_get(s, i, 'S', &c->body)) <= 0) {
		if (r < 0)
			goto oom;
		need_tree = true;
	}
	if (need_tree)
		r = fetch_read_whole(s, i, c, &error);
	else if (need_header)
		r = fetch_read_header(s, i, c, &error);
	else
		r = 0;
	if (r < 0)
		goto fail;
	c->vsize = s->mb->msgs[i].vsize;
	c->eof_crlf = false;
	if (c->data_whole)
		fetch_size_mem(s, i, c);
	if (c->eof_crlf && c->mime != NULL)
		imap_render_eof_crlf(c->mime, c->data.len);
	if ((c->seen_kinds & (1u << FETCH_INTERNALDATE)) &&
	    imap_mbox_msg_date(s->mb, i, &c->date, &error) < 0)
		goto fail;
	if (c->need_whole && !c->data_whole) {
		c->fd = imap_mbox_msg_open(s->mb, i, &error);
		if (c->fd < 0 || fetch_size_fd(s, i, c, &error) < 0)
			goto fail;
	}
	if (c->mime != NULL) {
		if (fetch_search_record(s, i, c) < 0)
			goto oom;
		if (want_env && c->envelope.len == 0) {
			if (imap_render_envelope(c->mime->root->envelope,
						 &c->envelope) < 0)
				goto oom;
			(void)imap_mbox_cache_put(s->mb, i, 'E',
						  c->envelope.data,
						  c->envelope.len);
		}
		if (want_bs && c->bodystructure.len == 0) {
			if (imap_render_body(c->mime->root, true,
					     &c->bodystructure) < 0)
				goto oom;
			(void)imap_mbox_cache_put(s->mb, i, 'B',
						  c->bodystructure.data,
						  c->bodystructure.len);
		}
		if (want_body && c->body.len == 0) {
			if (imap_render_body(c->mime->root, false, &c->body) <
			    0)
				goto oom;
			(void)imap_mbox_cache_put(s->mb, i, 'S', c->body.data,
						  c->body.len);
		}
	}
	return 1;
oom:
	error = "out of memory";
	errno = ENOMEM;
fail:
	if (errno == ENOENT)
		return 0;
	c->error = error != NULL ? error : strerror(errno);
	return -1;
}

/* ---- writing ---------------------------------------------------------- */

/* Appends prefix, then n in decimal, then suffix (no printf: once per
 * message, 100000 times for "FETCH 1:*"). 0 / -1. */
static int
fetch_put_num(struct buf *b, const char *prefix, uint64_t n, const char *suffix)
{
	char num[24], *e = num + sizeof(num), *q = e;

	do
		*--q = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	if (buf_append_str(b, prefix) < 0 ||
	    buf_append(b, q, (size_t)(e - q)) < 0 ||
	    buf_append_str(b, suffix) < 0)
		return -1;
	return 0;
}

static int
fetch_flush_line(struct imapd_session *s, struct fetch_ctx *c)
{
	int r = sess_write(s, c->line.data, c->line.len);

	buf_reset(&c->line);
	return r;
}

/* "dd-Mon-yyyy hh:mm:ss +zzzz" in local time (RFC 3501 date-time). */
static int
fetch_internaldate(struct fetch_ctx *c)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t t = c->date;
	long off;

	/* A date-time has a 4-digit year: a file time (or cached value)
	 * outside years 0..9999 is sent as the epoch. */
	if (localtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		t = 0;
		if (localtime_r(&t, &tm) == NULL) {
			c->error = "localtime failed";
			return -1;
		}
	}
	off = tm.tm_gmtoff / 60;
	return buf_printf(&c->line,
			  "INTERNALDATE \"%02d-%s-%04d %02d:%02d:%02d "
			  "%c%02ld%02ld\"",
			  tm.tm_mday, mon[tm.tm_mon % 12], tm.tm_year + 1900,
			  tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
			  labs(off) / 60, labs(off) % 60);
}

/* Keeps a literal in step when its bytes ran out (or over) early: the
 * last resort against a size in a file name that was wrong. *sent is the
 * number of bytes written so far, want the announced number. */
static int
fetch_pad(struct imapd_session *s, const char *name, uint64_t sent,
	  uint64_t want)
{
	char sp[4096];
	int r = 0;

	if (sent == want)
		return 0;
	log_msg(LOG_WARNING,
		"FETCH: message %s is shorter than its recorded size; %llu "
		"bytes padded with spaces",
		name, (unsigned long long)(want - sent));
	memset(sp, ' ', sizeof(sp));
	while (r == 0 && sent < want) {
		uint64_t k = want - sent;

		if (k > sizeof(sp))
			k = sizeof(sp);
		r = sess_write(s, sp, (size_t)k);
		sent += k;
	}
	return r;
}

/* Streams the whole message from c->fd: window [start, end) of its
 * converted bytes (total of them in all, c->vsize), exactly end - start
 * bytes. At the end of the file, the eof_crlf CR LF is added when the
 * converted bytes fall 2 short of total and the last byte is not LF.
 * 0, or -1 (c->error set, or a write failed). */
static int
fetch_stream_fd(struct imapd_session *s, struct fetch_ctx *c, const char *name,
		uint64_t start, uint64_t end, uint64_t total)
{
	char in[FETCH_STREAM_CHUNK_BYTES];
	struct imap_crlf cv;
	struct buf out = BUF_INIT;
	uint64_t sent = 0;
	char last = '\n';
	bool eof = false;
	int r = 0;

	imap_crlf_init(&cv, false, start, end);
	while (!imap_crlf_done(&cv)) {
		ssize_t got = read(c->fd, in, sizeof(in));

		if (got < 0 && errno == EINTR)
			continue;
		buf_reset(&out);
		if (got < 0) {
			c->error = "read failed";
			r = -1;
			break;
		}
		if (got == 0) {
			eof = true;
			if (last != '\n' && cv.pos + 2 == total &&
			    imap_crlf_eol(&cv, &out) < 0) {
				c->error = "out of memory";
				r = -1;
			}
		} else {
			last = in[got - 1];
			if (imap_crlf_feed(&cv, in, (size_t)got, &out) < 0) {
				c->error = "out of memory";
				r = -1;
			}
		}
		if (r == 0 && out.len > 0) {
			sent += out.len;
			r = sess_write(s, out.data, out.len);
		}
		if (r < 0 || eof)
			break;
	}
	buf_free(&out);
	if (r < 0)
		return -1;
	/* More bytes than recorded: the window cut them. */
	if (end == total && !eof && (cv.pos > total || read(c->fd, in, 1) > 0))
		log_msg(LOG_WARNING,
			"FETCH: message %s is longer than its recorded "
			"size; truncated",
			name);
	return fetch_pad(s, name, sent, end - start);
}

/* Writes p[0..len) converted (then the eof_crlf CR LF when add_crlf),
 * window [start, end), in chunks, exactly end - start bytes. */
static int
fetch_stream_mem(struct imapd_session *s, const char *name, const char *p,
		 size_t len, bool prev_cr, bool add_crlf, uint64_t start,
		 uint64_t end)
{
	struct imap_crlf cv;
	struct buf out = BUF_INIT;
	size_t pos = 0;
	uint64_t sent = 0;
	int r = 0;

	imap_crlf_init(&cv, prev_cr, start, end);
	while ((pos < len || add_crlf) && !imap_crlf_done(&cv) && r == 0) {
		size_t n = len - pos;

		if (n > FETCH_STREAM_CHUNK_BYTES)
			n = FETCH_STREAM_CHUNK_BYTES;
		buf_reset(&out);
		if (n > 0) {
			r = imap_crlf_feed(&cv, p + pos, n, &out);
		} else {
			add_crlf = false;
			r = imap_crlf_eol(&cv, &out);
		}
		sent += out.len;
		if (r == 0)
			r = sess_write(s, out.data, out.len);
		pos += n;
	}
	buf_free(&out);
	if (r < 0)
		return -1;
	return fetch_pad(s, name, sent, end - start);
}

/* One BODY[...] / RFC822* item: name, literal size, then the bytes. */
static int
fetch_section(struct imapd_session *s, size_t i, struct fetch_ctx *c,
	      const struct fetch_att *a)
{
	const char *name = s->mb->msgs[i].name;
	bool whole = a->sec.n_nums == 0 && a->sec.text == IMAP_SECTION_NONE;
	struct imap_extract x;
	struct buf built = BUF_INIT;
	uint64_t start = 0, end, size;
	int r = -1;

	memset(&x, 0, sizeof(x));
	if (whole && !c->data_whole) {
		x.kind = IMAP_EXTRACT_REGION;
		x.vbytes = c->vsize;
	} else if (imap_section_locate(buf_cstr(&c->data), c->data.len, c->mime,
				       &a->sec, c->eof_crlf, &x, &built) < 0) {
		c->error = "cannot extract the section";
		goto out;
	}
	size = x.kind == IMAP_EXTRACT_EMPTY ? 0 : x.vbytes;
	/* BODY[] is RFC822.SIZE long (fetch_size_mem made them equal). */
	if (whole && size != c->vsize) {
		c->error = "BODY[] size differs from RFC822.SIZE";
		goto out;
	}
	/* SECURITY: offset and count are 32-bit client numbers, size is at
	 * most a message's size: start <= end <= size, no overflow. */
	end = size;
	if (a->partial) {
		start = a->offset < size ? a->offset : size;
		if ((uint64_t)a->count < size - start)
			end = start + a->count;
	}
	if (buf_printf(&c->line, "%s {%llu}\r\n", a->name,
		       (unsigned long long)(end - start)) < 0)
		goto out;
	if (fetch_flush_line(s, c) < 0)
		goto out;
	if (end == start) {
		r = 0;
	} else if (x.kind == IMAP_EXTRACT_BUILT) {
		r = sess_write(s, built.data + start, (size_t)(end - start));
	} else if (whole && !c->data_whole) {
		if (lseek(c->fd, 0, SEEK_SET) < 0) {
			c->error = "lseek failed";
			goto out;
		}
		r = fetch_stream_fd(s, c, name, start, end, size);
	} else {
		r = fetch_stream_mem(s, name, buf_cstr(&c->data) + x.offset,
				     x.len, x.prev_cr, x.add_crlf, start, end);
	}
out:
	buf_free(&built);
	return r;
}

/* Sets \Seen if this FETCH does so. 1 set now, 0 not, -1 error (errno
 * ENOENT: expunged). */
static int
fetch_set_seen(struct imapd_session *s, size_t i, struct fetch_ctx *c)
{
	const struct imap_mbox_msg *m = &s->mb->msgs[i];
	const char *error;

	if (!c->sets_seen || s->readonly || s->mb->readonly ||
	    (m->flags & IMAP_MBOX_SEEN) != 0)
		return 0;
	if (imap_mbox_store(s->mb, i,
			    (m->flags & IMAP_MBOX_STORED_FLAGS) |
				    IMAP_MBOX_SEEN,
			    m->keywords, &error) < 0) {
		if (errno != ENOENT)
			c->error = error;
		return -1;
	}
	return 1;
}

static int
fetch_one_att(struct imapd_session *s, size_t i, struct fetch_ctx *c,
	      const struct fetch_att *a)
{
	const struct imap_mbox_msg *m = &s->mb->msgs[i];

	switch (a->kind) {
	case FETCH_UID:
		return fetch_put_num(&c->line, "UID ", m->uid, "");
	case FETCH_FLAGS:
		return buf_append_str(&c->line, "FLAGS ") < 0 ||
				       sess_flags_append(s, i, &c->line) < 0
			       ? -1
			       : 0;
	case FETCH_INTERNALDATE:
		return fetch_internaldate(c);
	case FETCH_RFC822_SIZE:
		return fetch_put_num(&c->line, "RFC822.SIZE ", c->vsize, "");
	case FETCH_ENVELOPE:
		return buf_append_str(&c->line, "ENVELOPE ") < 0 ||
				       buf_append(&c->line, c->envelope.data,
						  c->envelope.len) < 0
			       ? -1
			       : 0;
	case FETCH_BODYSTRUCTURE:
		return buf_append_str(&c->line, "BODYSTRUCTURE ") < 0 ||
				       buf_append(&c->line,
						  c->bodystructure.data,
						  c->bodystructure.len) < 0
			       ? -1
			       : 0;
	case FETCH_BODY:
		return buf_append_str(&c->line, "BODY ") < 0 ||
				       buf_append(&c->line, c->body.data,
						  c->body.len) < 0
			       ? -1
			       : 0;
	default:
		return fetch_section(s, i, c, a);
	}
}

/* sess_seqset_each callback: one "* n FETCH (...)". */
static int
fetch_one(struct imapd_session *s, size_t i, void *ctx)
{
	struct fetch_ctx *c = ctx;
	size_t k;
	bool first = true;
	int r, seen;

	c->fd = -1;
	r = fetch_prepare(s, i, c);
	if (r <= 0) {
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		c->expunged |= r == 0;
		return r;
	}
	seen = fetch_set_seen(s, i, c);
	if (seen < 0) {
		r = c->error != NULL ? -1 : 0;
		c->expunged |= r == 0;
		goto out;
	}
	r = -1;
	buf_reset(&c->line);
	if (fetch_put_num(&c->line, "* ", (uint64_t)i + 1, " FETCH (") < 0)
		goto oom;
	/* UID first (UID FETCH puts it there), then FLAGS when \Seen was
	 * set as a side effect and FLAGS was not asked for: Dovecot's
	 * order. */
	for (k = 0; k < c->n; k++) {
		if (c->atts[k].kind != FETCH_UID)
			continue;
		if (fetch_one_att(s, i, c, &c->atts[k]) < 0)
			goto oom;
		first = false;
	}
	if (seen > 0 && !(c->seen_kinds & (1u << FETCH_FLAGS))) {
		if ((!first && buf_putc(&c->line, ' ') < 0) ||
		    buf_append_str(&c->line, "FLAGS ") < 0 ||
		    sess_flags_append(s, i, &c->line) < 0)
			goto oom;
		first = false;
	}
	for (k = 0; k < c->n; k++) {
		if (c->atts[k].kind == FETCH_UID)
			continue;
		if (!first && buf_putc(&c->line, ' ') < 0)
			goto oom;
		first = false;
		if (fetch_one_att(s, i, c, &c->atts[k]) < 0) {
			if (c->error != NULL || s->done)
				goto out;
			goto oom;
		}
		if (c->line.len >= FETCH_LINE_FLUSH_BYTES &&
		    fetch_flush_line(s, c) < 0)
			goto out;
	}
	if (buf_append(&c->line, ")\r\n", 3) < 0)
		goto oom;
	r = fetch_flush_line(s, c);
	goto out;
oom:
	if (c->error == NULL)
		c->error = "out of memory";
out:
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (s->done) {
		/* A write failed (conn.c sets done): not our error. */
		c->lost = c->error == NULL;
		return -1;
	}
	return r;
}

void
cmd_fetch(struct imapd_session *s, const struct imap_arg *args, size_t n,
	  bool uid)
{
	struct imap_seqset set;
	struct fetch_ctx *c;
	const char *error = NULL;
	int r;

	if (n != 2) {
		sess_reply(s, IMAPD_BAD,
			   "FETCH needs a sequence set and "
			   "data items.");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Out of memory.");
		return;
	}
	c->fd = -1;
	if (fetch_parse(c, &args[1], uid, &error) < 0) {
		sess_reply(s, IMAPD_BAD, "%s.", error);
		goto out;
	}
	if (sess_seqset(s, &args[0], uid, &set, &error) < 0) {
		imap_seqset_free(&set);
		sess_reply(s, IMAPD_BAD, "%s", error);
		goto out;
	}
	r = sess_seqset_each(s, &set, uid, fetch_one, c);
	imap_seqset_free(&set);
	if (c->lost) {
		/* The connection code logs the lost connection too. */
		log_msg(LOG_INFO,
			"FETCH in %s: lost connection to %s (write failed)",
			s->mb_name, s->env->remote_ip);
		sess_reply(s, IMAPD_NO, "Connection lost."); /* not sent */
	} else if (r < 0 || c->error != NULL) {
		log_msg(LOG_ERR, "FETCH failed in %s: %s", s->mb_name,
			c->error != NULL ? c->error : "internal error");
		sess_reply(s, IMAPD_NO, "[SERVERBUG] Internal error occurred.");
	} else if (c->expunged) {
		sess_reply(s, IMAPD_NO,
			   "[EXPUNGEISSUED] Some of the requested "
			   "messages no longer exist.");
	} else {
		sess_reply(s, IMAPD_OK, "Fetch completed.");
	}
out:
	fetch_atts_free(c);
	mime_free(&c->mime);
	buf_free(&c->line);
	buf_free(&c->data);
	buf_free(&c->envelope);
	buf_free(&c->body);
	buf_free(&c->bodystructure);
	buf_free(&c->record);
	free(c);
}
