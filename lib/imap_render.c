/*
 * imap_render.c -- FETCH data from a MIME tree: ENVELOPE and
 * BODY/BODYSTRUCTURE (RFC 3501 7.4.2), BODY[section] names and contents
 * (RFC 3501 6.4.5, 9 "section-spec"), and the LF -> CR LF conversion
 * that makes stored messages into IMAP literals. The output follows what
 * Dovecot sends where RFC 3501 leaves a choice (lower-case media types,
 * "7bit" for a missing Content-Transfer-Encoding, an empty text/plain for
 * a multipart without parts, RFC 2231 parameters sent as "name*" with the
 * charset'language'%XX value, an empty string for a missing part).
 *
 * SECURITY: the message and the section text are untrusted. Strings from
 * the message go out through lib/imap_string (quoted only when they hold
 * no CR, LF, NUL or 8-bit byte, else a literal), so no header can inject
 * protocol syntax; recursion over the tree is bounded by MIME_DEPTH_MAX;
 * the section parser bounds part numbers and field names; every index is
 * checked against the lengths given, nothing relies on NUL termination.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imap_render.h"
#include "imap_string.h"

/* ---- strings -------------------------------------------------------- */

static int
render_nstring(struct buf *out, const char *s)
{
	return imap_nstring_append(out, s, s != NULL ? strlen(s) : 0);
}

static int
render_string(struct buf *out, const char *s)
{
	return imap_string_append(out, s, strlen(s));
}

/* ---- ENVELOPE ------------------------------------------------------- */

/* An address list: NIL, or "((name adl mailbox host)...)" with group
 * markers as (NIL NIL "group" NIL) ... (NIL NIL NIL NIL). */
static int
render_addrs(struct buf *out, const struct mime_addr *a)
{
	if (a == NULL)
		return buf_append(out, "NIL", 3);
	if (buf_putc(out, '(') < 0)
		return -1;
	for (; a != NULL; a = a->next) {
		if (buf_putc(out, '(') < 0 ||
		    render_nstring(out, a->name) < 0 ||
		    buf_putc(out, ' ') < 0 || render_nstring(out, a->adl) < 0 ||
		    buf_putc(out, ' ') < 0 ||
		    render_nstring(out, a->mailbox) < 0 ||
		    buf_putc(out, ' ') < 0 ||
		    render_nstring(out, a->host) < 0 || buf_putc(out, ')') < 0)
			return -1;
	}
	return buf_putc(out, ')');
}

int
imap_render_envelope(const struct mime_envelope *env, struct buf *out)
{
	static const struct mime_envelope empty;

	if (env == NULL)
		env = &empty;
	if (buf_putc(out, '(') < 0 || render_nstring(out, env->date) < 0 ||
	    buf_putc(out, ' ') < 0 || render_nstring(out, env->subject) < 0 ||
	    buf_putc(out, ' ') < 0 || render_addrs(out, env->from) < 0 ||
	    buf_putc(out, ' ') < 0 || render_addrs(out, env->sender) < 0 ||
	    buf_putc(out, ' ') < 0 || render_addrs(out, env->reply_to) < 0 ||
	    buf_putc(out, ' ') < 0 || render_addrs(out, env->to) < 0 ||
	    buf_putc(out, ' ') < 0 || render_addrs(out, env->cc) < 0 ||
	    buf_putc(out, ' ') < 0 || render_addrs(out, env->bcc) < 0 ||
	    buf_putc(out, ' ') < 0 ||
	    render_nstring(out, env->in_reply_to) < 0 ||
	    buf_putc(out, ' ') < 0 || render_nstring(out, env->message_id) < 0)
		return -1;
	return buf_putc(out, ')');
}

/* ---- BODY / BODYSTRUCTURE ------------------------------------------- */

static bool
render_all_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool
render_valid_utf8(const unsigned char *s)
{
	while (*s != '\0') {
		unsigned n, i;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 1;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 2;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 3;
		else
			return false;
		for (i = 1; i <= n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n + 1;
	}
	return true;
}

/* RFC 2231 attribute-char: a token character other than * ' %. */
static bool
render_attr_char(unsigned char c)
{
	if (c <= 32 || c >= 127)
		return false;
	return strchr("()<>@,;:\\\"/[]?=*'%", c) == NULL;
}

/* An RFC 2231 parameter as Dovecot sends it: "name*" and the value
 * re-encoded as charset'language'%XX. lib/mime has decoded the value to
 * UTF-8 when it knew the charset; then the label says so. */
static int
render_param_2231(struct buf *out, const struct mime_param *p)
{
	struct buf v = BUF_INIT;
	const char *cs = p->charset;
	const unsigned char *s;
	int r = -1;

	if (!render_all_ascii(p->value) &&
	    render_valid_utf8((const unsigned char *)p->value))
		cs = "utf-8";
	if (buf_printf(&v, "%s'%s'", cs,
		       p->language != NULL ? p->language : "") < 0)
		goto out;
	for (s = (const unsigned char *)p->value; *s != '\0'; s++) {
		if (render_attr_char(*s) ? buf_putc(&v, (char)*s) < 0
					 : buf_printf(&v, "%%%02X", *s) < 0)
			goto out;
	}
	if (buf_putc(out, '"') < 0 || buf_append_str(out, p->name) < 0 ||
	    buf_append(out, "*\" ", 3) < 0 ||
	    imap_string_append(out, v.data, v.len) < 0)
		goto out;
	r = 0;
out:
	buf_free(&v);
	return r;
}

/* body-fld-param: NIL or ("name" "value" ...). */
static int
render_params(struct buf *out, const struct mime_param *params, unsigned count)
{
	unsigned i;

	if (count == 0)
		return buf_append(out, "NIL", 3);
	if (buf_putc(out, '(') < 0)
		return -1;
	for (i = 0; i < count; i++) {
		if (i > 0 && buf_putc(out, ' ') < 0)
			return -1;
		if (params[i].charset != NULL) {
			if (render_param_2231(out, &params[i]) < 0)
				return -1;
		} else if (render_string(out, params[i].name) < 0 ||
			   buf_putc(out, ' ') < 0 ||
			   render_string(out, params[i].value) < 0) {
			return -1;
		}
	}
	return buf_putc(out, ')');
}

/* body-fld-dsp SP body-fld-lang SP body-fld-loc */
static int
render_dsp_lang_loc(struct buf *out, const struct mime_part *part)
{
	unsigned i;

	if (part->disposition == NULL) {
		if (buf_append(out, "NIL", 3) < 0)
			return -1;
	} else if (buf_putc(out, '(') < 0 ||
		   render_string(out, part->disposition) < 0 ||
		   buf_putc(out, ' ') < 0 ||
		   render_params(out, part->disp_params,
				 part->disp_param_count) < 0 ||
		   buf_putc(out, ')') < 0) {
		return -1;
	}
	if (buf_putc(out, ' ') < 0)
		return -1;
	if (part->language_count == 0) {
		if (buf_append(out, "NIL", 3) < 0)
			return -1;
	} else {
		if (buf_putc(out, '(') < 0)
			return -1;
		for (i = 0; i < part->language_count; i++)
			if ((i > 0 && buf_putc(out, ' ') < 0) ||
			    render_string(out, part->languages[i]) < 0)
				return -1;
		if (buf_putc(out, ')') < 0)
			return -1;
	}
	if (buf_putc(out, ' ') < 0)
		return -1;
	return render_nstring(out, part->location);
}

static int render_part(const struct mime_part *part, bool extended,
		       struct buf *out);

static int
render_multipart(const struct mime_part *part, bool extended, struct buf *out)
{
	const struct mime_part *c;

	if (buf_putc(out, '(') < 0)
		return -1;
	if (part->children == NULL) {
		/* RFC 3501 needs at least one part: Dovecot's stand-in. */
		if (buf_append_str(out,
				   "(\"text\" \"plain\" (\"charset\" "
				   "\"us-ascii\") NIL NIL \"7bit\" 0 0") < 0 ||
		    (extended && buf_append_str(out, " NIL NIL NIL NIL") < 0) ||
		    buf_putc(out, ')') < 0)
			return -1;
	}
	for (c = part->children; c != NULL; c = c->next)
		if (render_part(c, extended, out) < 0)
			return -1;
	if (buf_putc(out, ' ') < 0 || render_string(out, part->subtype) < 0)
		return -1;
	if (extended &&
	    (buf_putc(out, ' ') < 0 ||
	     render_params(out, part->params, part->param_count) < 0 ||
	     buf_putc(out, ' ') < 0 || render_dsp_lang_loc(out, part) < 0))
		return -1;
	return buf_putc(out, ')');
}

static int
render_leaf(const struct mime_part *part, bool extended, struct buf *out)
{
	const struct mime_part *child = part->children;

	if (buf_putc(out, '(') < 0 || render_string(out, part->type) < 0 ||
	    buf_putc(out, ' ') < 0 || render_string(out, part->subtype) < 0 ||
	    buf_putc(out, ' ') < 0 ||
	    render_params(out, part->params, part->param_count) < 0 ||
	    buf_putc(out, ' ') < 0 || render_nstring(out, part->id) < 0 ||
	    buf_putc(out, ' ') < 0 ||
	    render_nstring(out, part->description) < 0 ||
	    buf_putc(out, ' ') < 0 ||
	    render_string(out, part->encoding != NULL ? part->encoding
						      : "7bit") < 0 ||
	    buf_printf(out, " %zu", part->body.vbytes) < 0)
		return -1;
	if ((part->flags & MIME_PART_MESSAGE) != 0 && child != NULL) {
		if (buf_putc(out, ' ') < 0 ||
		    imap_render_envelope(child->envelope, out) < 0 ||
		    buf_putc(out, ' ') < 0 ||
		    render_part(child, extended, out) < 0 ||
		    buf_printf(out, " %zu", part->body.lines) < 0)
			return -1;
	} else if ((part->flags & MIME_PART_TEXT) != 0) {
		if (buf_printf(out, " %zu", part->body.lines) < 0)
			return -1;
	}
	if (extended &&
	    (buf_putc(out, ' ') < 0 || render_nstring(out, part->md5) < 0 ||
	     buf_putc(out, ' ') < 0 || render_dsp_lang_loc(out, part) < 0))
		return -1;
	return buf_putc(out, ')');
}

/* Recursion: one level per MIME level, at most MIME_DEPTH_MAX. */
static int
render_part(const struct mime_part *part, bool extended, struct buf *out)
{
	if (part->flags & MIME_PART_MULTIPART)
		return render_multipart(part, extended, out);
	return render_leaf(part, extended, out);
}

int
imap_render_body(const struct mime_part *part, bool extended, struct buf *out)
{
	return render_part(part, extended, out);
}

/* ---- section parsing ------------------------------------------------ */

static bool
section_word(const char *s, size_t len, size_t *pos, const char *word)
{
	size_t n = strlen(word);

	if (len - *pos < n || strncasecmp(s + *pos, word, n) != 0)
		return false;
	*pos += n;
	return true;
}

/* ASTRING-CHAR without ')' is not excluded by RFC 3501, but inside the
 * list ')' ends the name: Dovecot reads it the same way. */
static bool
section_atom_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("(){%*\"\\", c) == NULL;
}

static int
section_add_field(struct imap_section *sec, const char *name, size_t n,
		  const char **error_r)
{
	size_t i;

	if (sec->n_fields >= IMAP_SECTION_FIELDS_MAX) {
		*error_r = "Too many header field names";
		return -1;
	}
	if (n > IMAP_SECTION_FIELD_MAX_BYTES) {
		*error_r = "Header field name too long";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (buf_putc(&sec->fields, c) < 0)
			goto oom;
	}
	if (buf_putc(&sec->fields, '\0') < 0)
		goto oom;
	sec->n_fields++;
	return 0;
oom:
	*error_r = "Out of memory";
	return -1;
}

/* " (name name ...)" at *pos up to the end of s. */
static int
section_fields(const char *s, size_t len, size_t pos, struct imap_section *sec,
	       const char **error_r)
{
	char name[IMAP_SECTION_FIELD_MAX_BYTES + 1];

	if (pos + 1 >= len || s[pos] != ' ' || s[pos + 1] != '(') {
		*error_r = "Missing header field list";
		return -1;
	}
	pos += 2;
	for (;;) {
		size_t n = 0;

		while (pos < len && s[pos] == ' ')
			pos++;
		if (pos < len && s[pos] == ')')
			break;
		if (pos >= len) {
			*error_r = "Missing ')'";
			return -1;
		}
		if (s[pos] == '"') {
			for (pos++; pos < len && s[pos] != '"'; pos++) {
				if (s[pos] == '\\' && pos + 1 < len)
					pos++;
				/* No field name has these (RFC 5322
				 * 3.6.8), and the answer could not name
				 * them as a quoted string. */
				if ((unsigned char)s[pos] >= 0x80 ||
				    s[pos] == '\r' || s[pos] == '\n' ||
				    s[pos] == '\0') {
					*error_r = "Invalid header field name";
					return -1;
				}
				if (n < sizeof(name))
					name[n] = s[pos];
				n++;
			}
			if (pos >= len) {
				*error_r = "Unterminated quoted string";
				return -1;
			}
			pos++;
		} else {
			for (; pos < len &&
			       section_atom_char((unsigned char)s[pos]);
			     pos++) {
				if (n < sizeof(name))
					name[n] = s[pos];
				n++;
			}
			if (n == 0) {
				*error_r = "Invalid header field name";
				return -1;
			}
		}
		if (section_add_field(sec, name, n, error_r) < 0)
			return -1;
		if (pos < len && s[pos] != ' ' && s[pos] != ')') {
			*error_r = "Invalid header field name";
			return -1;
		}
	}
	if (sec->n_fields == 0) {
		*error_r = "Empty header field list";
		return -1;
	}
	if (pos + 1 != len) {
		*error_r = "Junk after the header field list";
		return -1;
	}
	return 0;
}

/* nz-number at *pos (RFC 3501 9: no leading zero). */
static int
section_number(const char *s, size_t len, size_t *pos, unsigned *n_r)
{
	unsigned long long v = 0;
	size_t i = *pos;

	if (i >= len || s[i] < '1' || s[i] > '9')
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 4294967295ULL)
			return -1;
	}
	*n_r = (unsigned)v;
	*pos = i;
	return 0;
}

int
imap_section_parse(const char *s, size_t len, struct imap_section *sec,
		   const char **error_r)
{
	size_t pos = 0;

	memset(sec, 0, sizeof(*sec));
	buf_init(&sec->fields, 0);
	*error_r = "Invalid BODY[..] section";
	/* section-part: nz-number *("." nz-number) */
	while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
		if (sec->n_nums >= IMAP_SECTION_PARTS_MAX) {
			*error_r = "Too many section part numbers";
			return -1;
		}
		if (section_number(s, len, &pos, &sec->nums[sec->n_nums]) < 0)
			return -1;
		sec->n_nums++;
		if (pos == len)
			return 0;
		if (s[pos] != '.' || pos + 1 == len)
			return -1;
		pos++;
	}
	if (pos == len)
		return sec->n_nums == 0 ? 0 : -1;
	if (section_word(s, len, &pos, "HEADER.FIELDS.NOT")) {
		sec->text = IMAP_SECTION_FIELDS_NOT;
		return section_fields(s, len, pos, sec, error_r);
	}
	if (section_word(s, len, &pos, "HEADER.FIELDS")) {
		sec->text = IMAP_SECTION_FIELDS;
		return section_fields(s, len, pos, sec, error_r);
	}
	if (section_word(s, len, &pos, "HEADER"))
		sec->text = IMAP_SECTION_HEADER;
	else if (section_word(s, len, &pos, "TEXT"))
		sec->text = IMAP_SECTION_TEXT;
	else if (sec->n_nums > 0 && section_word(s, len, &pos, "MIME"))
		sec->text = IMAP_SECTION_MIME;
	else
		return -1;
	return pos == len ? 0 : -1;
}

void
imap_section_free(struct imap_section *sec)
{
	buf_free(&sec->fields);
	sec->n_fields = 0;
}

int
imap_section_format(const struct imap_section *sec, struct buf *out)
{
	static const char *const words[] = {
		[IMAP_SECTION_NONE] = "",
		[IMAP_SECTION_HEADER] = "HEADER",
		[IMAP_SECTION_FIELDS] = "HEADER.FIELDS",
		[IMAP_SECTION_FIELDS_NOT] = "HEADER.FIELDS.NOT",
		[IMAP_SECTION_TEXT] = "TEXT",
		[IMAP_SECTION_MIME] = "MIME",
	};
	const char *name = sec->fields.data;
	size_t i;

	for (i = 0; i < sec->n_nums; i++)
		if (buf_printf(out, i > 0 ? ".%u" : "%u", sec->nums[i]) < 0)
			return -1;
	if (sec->text == IMAP_SECTION_NONE)
		return 0;
	if ((sec->n_nums > 0 && buf_putc(out, '.') < 0) ||
	    buf_append_str(out, words[sec->text]) < 0)
		return -1;
	if (sec->text != IMAP_SECTION_FIELDS &&
	    sec->text != IMAP_SECTION_FIELDS_NOT)
		return 0;
	if (buf_append(out, " (", 2) < 0)
		return -1;
	for (i = 0; i < sec->n_fields; i++) {
		size_t n = strlen(name);

		if ((i > 0 && buf_putc(out, ' ') < 0) ||
		    imap_astring_append(out, name, n) < 0)
			return -1;
		name += n + 1;
	}
	return buf_putc(out, ')');
}

enum imap_section_need
imap_section_needs(const struct imap_section *sec)
{
	if (sec->n_nums > 0)
		return IMAP_SECTION_NEED_TREE;
	switch (sec->text) {
	case IMAP_SECTION_NONE:
		return IMAP_SECTION_NEED_WHOLE;
	case IMAP_SECTION_HEADER:
	case IMAP_SECTION_FIELDS:
	case IMAP_SECTION_FIELDS_NOT:
		return IMAP_SECTION_NEED_HEADER;
	default:
		return IMAP_SECTION_NEED_TREE;
	}
}

/* ---- section contents ----------------------------------------------- */

/* Is the field name h[0..n) in the section's list? */
static bool
section_field_listed(const struct imap_section *sec, const char *h, size_t n)
{
	const char *name = sec->fields.data;
	size_t i, k;

	for (i = 0; i < sec->n_fields; i++) {
		size_t len = strlen(name);

		if (len == n) {
			for (k = 0; k < n; k++) {
				char c = h[k];

				if (c >= 'a' && c <= 'z')
					c = (char)(c - 'a' + 'A');
				if (c != name[k])
					break;
			}
			if (k == n)
				return true;
		}
		name += len + 1;
	}
	return false;
}

/* HEADER.FIELDS[.NOT] of the header h[0..hlen) (which starts at a line
 * start; prev_cr for the first byte): the chosen fields, each with its
 * continuation lines (a last one without line end gets CR LF), then the
 * empty line if the header has one. */
static int
section_fields_build(const char *h, size_t hlen, bool prev_cr,
		     const struct imap_section *sec, struct buf *out)
{
	struct imap_crlf c;
	size_t pos = 0;
	bool want_not = sec->text == IMAP_SECTION_FIELDS_NOT;

	bool blank = false;

	imap_crlf_init(&c, prev_cr, 0, UINT64_MAX);
	while (pos < hlen) {
		size_t start = pos, end, colon, name_end;
		const char *lf;

		/* The empty line ends the header. */
		if (h[pos] == '\n' ||
		    (h[pos] == '\r' && pos + 1 < hlen && h[pos + 1] == '\n')) {
			blank = true;
			break;
		}
		/* The field: this line and the continuation lines. */
		end = pos;
		do {
			lf = memchr(h + end, '\n', hlen - end);
			end = lf != NULL ? (size_t)(lf - h) + 1 : hlen;
		} while (end < hlen && (h[end] == ' ' || h[end] == '\t'));
		pos = end;
		lf = memchr(h + start, '\n', end - start);
		name_end = lf != NULL ? (size_t)(lf - h) : end;
		for (colon = start; colon < name_end && h[colon] != ':';
		     colon++)
			;
		name_end = colon;
		while (name_end > start &&
		       (h[name_end - 1] == ' ' || h[name_end - 1] == '\t'))
			name_end--;
		if (colon == end || (h[start] == ' ' || h[start] == '\t')) {
			/* Not a field: only HEADER.FIELDS.NOT keeps it. */
			if (!want_not)
				continue;
		} else if (section_field_listed(sec, h + start,
						name_end - start) == want_not) {
			continue;
		}
		c.prev_cr = start > 0 ? h[start - 1] == '\r' : prev_cr;
		if (imap_crlf_feed(&c, h + start, end - start, out) < 0)
			return -1;
		if (h[end - 1] != '\n' && buf_append(out, "\r\n", 2) < 0)
			return -1;
	}
	/* RFC 3501 6.4.5: the blank line is always included, except for
	 * a message that has none. */
	return blank ? buf_append(out, "\r\n", 2) : 0;
}

int
imap_section_locate(const char *msg, size_t len, const struct mime_message *m,
		    const struct imap_section *sec, bool eof_crlf,
		    struct imap_extract *x, struct buf *built)
{
	const struct mime_part *part = m->root, *target;
	size_t off = 0, n = len, blen;

	memset(x, 0, sizeof(*x));
	x->kind = IMAP_EXTRACT_EMPTY;
	if (sec->n_nums > 0) {
		part = mime_part_find(m, sec->nums, sec->n_nums);
		if (part == NULL)
			return 0;
	}
	target = part;
	if (sec->n_nums > 0 && sec->text != IMAP_SECTION_NONE &&
	    sec->text != IMAP_SECTION_MIME) {
		/* n.HEADER, n.TEXT: only of a message/rfc822 part. */
		if ((part->flags & MIME_PART_MESSAGE) == 0 ||
		    part->children == NULL)
			return 0;
		target = part->children;
	}
	switch (sec->text) {
	case IMAP_SECTION_NONE:
		if (sec->n_nums > 0) {
			off = part->body_offset;
			n = part->body.bytes;
		}
		break;
	case IMAP_SECTION_MIME:
	case IMAP_SECTION_HEADER:
		off = target->offset;
		n = target->hdr.bytes;
		break;
	case IMAP_SECTION_TEXT:
		off = target->body_offset;
		n = target->body.bytes;
		break;
	case IMAP_SECTION_FIELDS:
	case IMAP_SECTION_FIELDS_NOT:
		off = target->offset;
		n = target->hdr.bytes;
		if (off > len || n > len - off) {
			errno = EINVAL;
			return -1;
		}
		blen = built->len;
		if (section_fields_build(msg + off, n,
					 off > 0 && msg[off - 1] == '\r', sec,
					 built) < 0)
			return -1;
		x->kind = IMAP_EXTRACT_BUILT;
		x->vbytes = built->len - blen;
		return 0;
	}
	/* A header-only parse may describe more body than msg holds. */
	if (off > len || n > len - off) {
		errno = EINVAL;
		return -1;
	}
	x->kind = IMAP_EXTRACT_REGION;
	x->offset = off;
	x->len = n;
	x->prev_cr = off > 0 && msg[off - 1] == '\r';
	x->vbytes = imap_crlf_size(msg + off, n, x->prev_cr);
	if (eof_crlf && n > 0 && off + n == len &&
	    imap_eof_crlf_possible(msg, len)) {
		x->add_crlf = true;
		x->vbytes += 2;
	}
	return 0;
}

bool
imap_eof_crlf_possible(const char *msg, size_t len)
{
	return len > 0 && msg[len - 1] != '\n';
}

/* imap_render_eof_crlf() for part and its descendants. The depth is
 * bounded by MIME_DEPTH_MAX; siblings are walked in a loop. */
static void
eof_crlf_part(struct mime_part *part, size_t len)
{
	struct mime_part *c;

	if (part->body.bytes > 0 &&
	    part->body_offset + part->body.bytes == len) {
		part->body.vbytes += 2;
		part->body.lines++;
	} else if (part->body.bytes == 0 && part->hdr.bytes > 0 &&
		   part->offset + part->hdr.bytes == len) {
		part->hdr.vbytes += 2;
		part->hdr.lines++;
	}
	for (c = part->children; c != NULL; c = c->next)
		eof_crlf_part(c, len);
}

void
imap_render_eof_crlf(struct mime_message *m, size_t len)
{
	if (m != NULL && m->root != NULL)
		eof_crlf_part(m->root, len);
}

int
imap_section_extract(const char *msg, size_t len, const struct mime_message *m,
		     const struct imap_section *sec, bool eof_crlf,
		     bool partial, uint64_t offset, uint64_t count,
		     struct buf *out)
{
	struct imap_extract x;
	struct buf built = BUF_INIT;
	struct imap_crlf c;
	uint64_t start = 0, end = UINT64_MAX;
	int r;

	if (partial) {
		start = offset;
		end = count > UINT64_MAX - offset ? UINT64_MAX : offset + count;
	}
	if (imap_section_locate(msg, len, m, sec, eof_crlf, &x, &built) < 0) {
		buf_free(&built);
		return -1;
	}
	switch (x.kind) {
	case IMAP_EXTRACT_EMPTY:
		r = 0;
		break;
	case IMAP_EXTRACT_BUILT:
		/* Already converted: only the window is applied. */
		r = 0;
		if (start < built.len)
			r = buf_append(out, built.data + start,
				       (end < built.len ? end : built.len) -
					       start);
		break;
	default:
		imap_crlf_init(&c, x.prev_cr, start, end);
		r = imap_crlf_feed(&c, msg + x.offset, x.len, out);
		if (r == 0 && x.add_crlf)
			r = imap_crlf_eol(&c, out);
		break;
	}
	buf_free(&built);
	return r;
}

/* ---- LF -> CR LF ---------------------------------------------------- */

void
imap_crlf_init(struct imap_crlf *c, bool prev_cr, uint64_t start, uint64_t end)
{
	c->pos = 0;
	c->start = start;
	c->end = end;
	c->prev_cr = prev_cr;
}

/* Output p[0..n) at output position c->pos, clipped to the window. */
static int
crlf_emit(struct imap_crlf *c, const char *p, size_t n, struct buf *out)
{
	uint64_t s = c->pos, e = c->pos + n;

	if (n > 0 && e > c->start && s < c->end) {
		uint64_t a = s < c->start ? c->start - s : 0;
		uint64_t b = e > c->end ? c->end - s : n;

		/* UNSAFE: a < b <= n, so p + a .. p + b is inside p[0..n). */
		if (buf_append(out, p + a, (size_t)(b - a)) < 0)
			return -1;
	}
	c->pos = e;
	return 0;
}

int
imap_crlf_feed(struct imap_crlf *c, const char *p, size_t len, struct buf *out)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		char ch = p[i];

		if (ch == '\n' && !c->prev_cr) {
			if (crlf_emit(c, p + start, i - start, out) < 0 ||
			    crlf_emit(c, "\r\n", 2, out) < 0)
				return -1;
			start = i + 1;
		} else if (ch == '\0') {
			/* A literal may not carry NUL (RFC 3501 9 CHAR8). */
			if (crlf_emit(c, p + start, i - start, out) < 0 ||
			    crlf_emit(c, "\x80", 1, out) < 0)
				return -1;
			start = i + 1;
		}
		c->prev_cr = ch == '\r';
	}
	return crlf_emit(c, p + start, i - start, out);
}

int
imap_crlf_eol(struct imap_crlf *c, struct buf *out)
{
	c->prev_cr = false;
	return crlf_emit(c, "\r\n", 2, out);
}

bool
imap_crlf_done(const struct imap_crlf *c)
{
	return c->pos >= c->end;
}

uint64_t
imap_crlf_size(const char *p, size_t len, bool prev_cr)
{
	uint64_t size = len;
	const char *lf;
	size_t pos = 0;

	while (pos < len && (lf = memchr(p + pos, '\n', len - pos)) != NULL) {
		size_t i = (size_t)(lf - p);

		if (i == 0 ? !prev_cr : p[i - 1] != '\r')
			size++;
		pos = i + 1;
	}
	return size;
}
