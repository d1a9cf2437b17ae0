/*
 * mime_fields.c -- the header fields of one MIME part: Content-Type with
 * its parameters (RFC 2045 5.1; RFC 2231 continuations, charsets and
 * languages), Content-Transfer-Encoding (RFC 2045 6.1), Content-ID and
 * Content-Description (RFC 2045 7, 8), Content-Disposition (RFC 2183),
 * Content-Language (RFC 3282), Content-Location (RFC 2557), Content-MD5
 * (RFC 1864), and the ENVELOPE fields of RFC 3501 7.4.2 for message
 * parts. The lexical rules are RFC 5322 3.2 (CFWS, quoted strings) and
 * RFC 2045 5.1 (tokens), read leniently the way Dovecot's
 * lib-mail/rfc822-parser.c does: junk is skipped up to the next ';'.
 *
 * SECURITY: header text is untrusted. At most MIME_PARAMS_MAX parameters
 * are read per field and at most MIME_2231_SECTIONS_MAX sections joined
 * per parameter; every string is copied into the message arena with CR,
 * LF and NUL removed (also after %XX decoding), so nothing downstream
 * (IMAP responses, logs) can be split by a decoded line end. Field names
 * longer than HDR_NAME_MAX_BYTES match nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"
#include "mime.h"

/* RFC 2231 sections joined per parameter. */
#define MIME_2231_SECTIONS_MAX 100

/* Like mime_strndup, dropping CR, LF and NUL (decoded or folded text). */
static char *
mime_strndup_clean(struct mime_message *m, const char *p, size_t n)
{
	char *s = mime_alloc(m, n + 1);
	size_t i, o = 0;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != '\0')
			s[o++] = p[i];
	s[o] = '\0';
	return s;
}


/* ---- small lexical helpers ------------------------------------------ */

static bool
mime_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

size_t
mime_skip_cfws(const char *p, size_t len, size_t pos)
{
	unsigned depth = 0;

	while (pos < len) {
		char c = p[pos];

		if (depth > 0) {
			if (c == '\\' && pos + 1 < len)
				pos++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
		} else if (c == '(') {
			depth = 1;
		} else if (!mime_is_wsp(c) && c != '\r' && c != '\n') {
			break;
		}
		pos++;
	}
	return pos;
}

static void
mime_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* RFC 2045 token character (tspecials excluded). */
static bool
mime_is_token(char c)
{
	unsigned char u = (unsigned char)c;

	if (u <= 32 || u >= 127)
		return false;
	/* the tspecials of RFC 2045 5.1 */
	switch (c) {
	case '(': case ')': case '<': case '>': case '@': case ',':
	case ';': case ':': case '\\': case '"': case '/': case '[':
	case ']': case '?': case '=':
		return false;
	default:
		return true;
	}
}

/* An unfolded, trimmed copy of a field value: CR, LF and NUL dropped. */
static char *
mime_unfold(struct mime_message *m, const char *v, size_t n)
{
	char *s;
	size_t i, o = 0;

	while (n > 0 && (mime_is_wsp(v[0]) || v[0] == '\r' || v[0] == '\n')) {
		v++;
		n--;
	}
	while (n > 0 && (mime_is_wsp(v[n - 1]) || v[n - 1] == '\r' ||
			 v[n - 1] == '\n'))
		n--;
	s = mime_alloc(m, n + 1);
	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (v[i] != '\r' && v[i] != '\n' && v[i] != '\0')
			s[o++] = v[i];
	s[o] = '\0';
	return s;
}

/* Reads a token at *pos (after CFWS); NULL (no allocation) if none. */
static char *
mime_token(struct mime_message *m, const char *v, size_t n, size_t *pos,
	   bool *oom)
{
	size_t i = mime_skip_cfws(v, n, *pos), start = i;
	char *s;

	while (i < n && mime_is_token(v[i]))
		i++;
	*pos = i;
	if (i == start)
		return NULL;
	s = mime_strndup(m, v + start, i - start);
	if (s == NULL)
		*oom = true;
	else
		mime_lower(s);
	return s;
}

/* ---- parameters (RFC 2045 5.1, RFC 2231) ---------------------------- */

struct mime_raw_param {
	const char *name;  /* without "*..." */
	size_t name_len;
	int section;       /* -1: no section */
	bool extended;     /* trailing "*" */
	char *value;       /* unquoted, in the arena */
	size_t value_len;
};

/* The position after the quoted string at v[pos] == '"'. */
static size_t
mime_skip_quoted(const char *v, size_t n, size_t pos)
{
	for (pos++; pos < n && v[pos] != '"'; pos++)
		if (v[pos] == '\\')
			pos++;
	return pos < n ? pos + 1 : n;
}

/* A quoted string at v[*pos] == '"' unquoted into the arena. */
static char *
mime_quoted(struct mime_message *m, const char *v, size_t n, size_t *pos,
	    size_t *len_r)
{
	size_t i = *pos + 1, o = 0;
	/* Sized to this string, not to the rest of the field: a field of
	 * many quoted parameters must not cost quadratic memory. */
	char *s = mime_alloc(m, mime_skip_quoted(v, n, *pos) - *pos + 1);

	if (s == NULL)
		return NULL;
	while (i < n && v[i] != '"') {
		if (v[i] == '\\' && i + 1 < n)
			i++;
		if (v[i] != '\r' && v[i] != '\n' && v[i] != '\0')
			s[o++] = v[i];
		i++;
	}
	*pos = i < n ? i + 1 : n;
	s[o] = '\0';
	*len_r = o;
	return s;
}

/* Splits "name*N*" into the raw param's name, section and extended. */
static void
mime_param_name(const char *v, size_t start, size_t end,
		struct mime_raw_param *r)
{
	const char *star = memchr(v + start, '*', end - start);
	size_t i;
	int sec = 0;

	r->name = v + start;
	r->section = -1;
	r->extended = false;
	if (star == NULL) {
		r->name_len = end - start;
		return;
	}
	r->name_len = (size_t)(star - (v + start));
	i = (size_t)(star - v) + 1;
	if (i < end && v[i] >= '0' && v[i] <= '9') {
		while (i < end && v[i] >= '0' && v[i] <= '9' &&
		       sec <= MIME_2231_SECTIONS_MAX)
			sec = sec * 10 + (v[i++] - '0');
		r->section = sec;
		if (i < end && v[i] == '*') {
			r->extended = true;
			i++;
		}
	} else {
		r->extended = true;
	}
	if (i != end) /* "a*b": not RFC 2231; keep it as a plain name */
		r->name_len = end - start, r->section = -1,
		r->extended = false;
}

/* The raw parameters after the type in v[pos..n). */
static unsigned
mime_raw_params(struct mime_message *m, const char *v, size_t n, size_t pos,
		struct mime_raw_param *raw, bool *oom)
{
	unsigned count = 0;

	while (pos < n && count < MIME_PARAMS_MAX && !*oom) {
		size_t ns, ne, vs;

		/* Skip to the next ';' (junk after a value is ignored). */
		while (pos < n && v[pos] != ';') {
			if (v[pos] == '"')
				pos = mime_skip_quoted(v, n, pos);
			else
				pos++;
		}
		if (pos >= n)
			break;
		ns = mime_skip_cfws(v, n, pos + 1);
		ne = ns;
		while (ne < n && mime_is_token(v[ne]))
			ne++;
		pos = mime_skip_cfws(v, n, ne);
		if (ne == ns || pos >= n || v[pos] != '=')
			continue;
		pos = mime_skip_cfws(v, n, pos + 1);
		mime_param_name(v, ns, ne, &raw[count]);
		if (pos < n && v[pos] == '"') {
			raw[count].value = mime_quoted(m, v, n, &pos,
						       &raw[count].value_len);
		} else {
			/* Lenient: unquoted values often hold tspecials
			 * ("boundary=----=_Part_1"); end at ';', WSP, '(' */
			vs = pos;
			while (pos < n && v[pos] != ';' && v[pos] != '(' &&
			       !mime_is_wsp(v[pos]) && v[pos] != '"' &&
			       v[pos] != '\r' && v[pos] != '\n')
				pos++;
			raw[count].value = mime_strndup_clean(m, v + vs,
							      pos - vs);
			raw[count].value_len = raw[count].value != NULL ?
				strlen(raw[count].value) : 0;
		}
		if (raw[count].value == NULL) {
			*oom = true;
			break;
		}
		if (raw[count].name_len > 0)
			count++;
	}
	return count;
}

static int
mime_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends an RFC 2231 extended value, %XX decoded (a bad escape is kept). */
static int
mime_pct_decode(const char *s, size_t n, struct buf *out)
{
	size_t i;
	int h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (h = mime_hexval(s[i + 1])) >= 0 &&
		    (l = mime_hexval(s[i + 2])) >= 0) {
			if (buf_putc(out, (char)(h * 16 + l)) < 0)
				return -1;
			i += 2;
		} else if (buf_putc(out, s[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool
mime_raw_same(const struct mime_raw_param *a, const struct mime_raw_param *b)
{
	return a->name_len == b->name_len &&
	       strncasecmp(a->name, b->name, a->name_len) == 0;
}

/* Joins the RFC 2231 sections of raw[first]'s name into *out. Returns 1
 * done, 0 if there is no section 0 (use the plain value), -1 error. */
static int
mime_join_2231(struct mime_message *m, const struct mime_raw_param *raw,
	       unsigned count, unsigned first, struct mime_param *out)
{
	struct buf b;
	const char *charset = NULL, *lang = NULL;
	size_t charset_len = 0, lang_len = 0;
	int sec, r = 1;
	unsigned i, joined = 0;

	buf_init(&b, 0);
	for (sec = 0; sec <= MIME_2231_SECTIONS_MAX; sec++) {
		const struct mime_raw_param *found = NULL;
		const char *v;
		size_t vl;

		for (i = first; i < count && found == NULL; i++)
			if (mime_raw_same(&raw[i], &raw[first]) &&
			    (raw[i].section == sec ||
			     (sec == 0 && raw[i].section == -1 &&
			      raw[i].extended)))
				found = &raw[i];
		if (found == NULL)
			break;
		v = found->value;
		vl = found->value_len;
		if (sec == 0 && found->extended) {
			const char *q1 = memchr(v, '\'', vl), *q2;

			if (q1 != NULL &&
			    (q2 = memchr(q1 + 1, '\'',
					 vl - (size_t)(q1 + 1 - v))) != NULL) {
				charset = v;
				charset_len = (size_t)(q1 - v);
				lang = q1 + 1;
				lang_len = (size_t)(q2 - lang);
				vl -= (size_t)(q2 + 1 - v);
				v = q2 + 1;
			}
		}
		if (found->extended ? mime_pct_decode(v, vl, &b) < 0
				    : buf_append(&b, v, vl) < 0) {
			r = -1;
			goto out;
		}
		joined++;
		if (found->section == -1)
			break; /* "name*=" has no continuations */
	}
	if (joined == 0) {
		r = 0;
		goto out;
	}
	if (charset != NULL && charset_len > 0) {
		struct buf conv;
		char *cs = mime_strndup(m, charset, charset_len);

		buf_init(&conv, 0);
		if (cs == NULL ||
		    mime_charset_to_utf8(cs, b.data, b.len, &conv) < 0) {
			buf_free(&conv);
			r = -1;
			goto out;
		}
		mime_lower(cs);
		out->charset = cs;
		out->value = mime_strndup_clean(m, conv.data, conv.len);
		buf_free(&conv);
	} else {
		out->value = mime_strndup_clean(m, b.data, b.len);
	}
	if (lang != NULL && lang_len > 0)
		out->language = mime_strndup_clean(m, lang, lang_len);
	if (out->value == NULL || (lang_len > 0 && out->language == NULL))
		r = -1;
out:
	buf_free(&b);
	return r;
}

/* Parses the parameters of a Content-Type / Content-Disposition value. */
static int
mime_params(struct mime_message *m, const char *v, size_t n, size_t pos,
	    struct mime_param **params_r, unsigned *count_r)
{
	struct mime_raw_param raw[MIME_PARAMS_MAX];
	struct mime_param *out;
	bool oom = false;
	unsigned count, i, j, o = 0;

	count = mime_raw_params(m, v, n, pos, raw, &oom);
	if (oom)
		return -1;
	*params_r = NULL;
	*count_r = 0;
	if (count == 0)
		return 0;
	out = mime_alloc(m, count * sizeof(*out));
	if (out == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		bool seen = false;
		int r = 0;

		for (j = 0; j < o && !seen; j++)
			seen = strlen(out[j].name) == raw[i].name_len &&
			       strncasecmp(out[j].name, raw[i].name,
					   raw[i].name_len) == 0;
		if (seen)
			continue; /* first one wins; sections were joined */
		out[o].name = mime_strndup(m, raw[i].name, raw[i].name_len);
		if (out[o].name == NULL)
			return -1;
		mime_lower(out[o].name);
		if (raw[i].section >= 0 || raw[i].extended)
			r = mime_join_2231(m, raw, count, i, &out[o]);
		if (r < 0)
			return -1;
		if (r == 0) {
			/* plain; or sections without a section 0: prefer a
			 * plain parameter of that name if there is one */
			const struct mime_raw_param *use = &raw[i];

			for (j = i; j < count; j++)
				if (mime_raw_same(&raw[j], &raw[i]) &&
				    raw[j].section == -1 && !raw[j].extended) {
					use = &raw[j];
					break;
				}
			out[o].value = use->value;
		}
		o++;
	}
	*params_r = out;
	*count_r = o;
	return 0;
}

const char *
mime_param_get(const struct mime_param *params, unsigned count,
	       const char *name)
{
	unsigned i;

	for (i = 0; i < count; i++)
		if (strcmp(params[i].name, name) == 0)
			return params[i].value;
	return NULL;
}

/* ---- content fields ------------------------------------------------- */

static int
mime_set_default_type(struct mime_message *m, struct mime_part *part)
{
	bool digest = part->parent != NULL &&
		      (part->parent->flags & MIME_PART_MULTIPART) != 0 &&
		      strcmp(part->parent->subtype, "digest") == 0;

	part->flags |= MIME_PART_DEFAULT_TYPE;
	part->params = NULL;
	part->param_count = 0;
	part->type = mime_strndup(m, digest ? "message" : "text",
				  digest ? 7 : 4);
	part->subtype = mime_strndup(m, digest ? "rfc822" : "plain",
				     digest ? 6 : 5);
	if (part->type == NULL || part->subtype == NULL)
		return -1;
	if (digest)
		return 0;
	part->params = mime_alloc(m, sizeof(*part->params));
	if (part->params == NULL)
		return -1;
	part->params->name = mime_strndup(m, "charset", 7);
	part->params->value = mime_strndup(m, "us-ascii", 8);
	part->param_count = 1;
	return part->params->name != NULL && part->params->value != NULL ? 0
									 : -1;
}

static int
mime_content_type(struct mime_message *m, struct mime_part *part,
		  const char *v, size_t n)
{
	size_t pos = 0;
	bool oom = false;
	char *type, *sub = NULL;

	type = mime_token(m, v, n, &pos, &oom);
	pos = mime_skip_cfws(v, n, pos);
	if (type != NULL && pos < n && v[pos] == '/') {
		pos++;
		sub = mime_token(m, v, n, &pos, &oom);
	}
	if (oom)
		return -1;
	if (type == NULL || sub == NULL)
		return 0; /* invalid: the default stays (RFC 2045 5.2) */
	part->type = type;
	part->subtype = sub;
	part->flags &= ~MIME_PART_DEFAULT_TYPE;
	return mime_params(m, v, n, pos, &part->params, &part->param_count);
}

static int
mime_disposition(struct mime_message *m, struct mime_part *part,
		 const char *v, size_t n)
{
	size_t pos = 0;
	bool oom = false;

	part->disposition = mime_token(m, v, n, &pos, &oom);
	if (oom)
		return -1;
	if (part->disposition == NULL)
		return 0;
	return mime_params(m, v, n, pos, &part->disp_params,
			   &part->disp_param_count);
}

/* Content-Language: a comma-separated list of tags (RFC 3282). */
static int
mime_languages(struct mime_message *m, struct mime_part *part, const char *v,
	       size_t n)
{
	size_t pos = 0, count = 0, i;
	bool oom = false;

	for (i = 0; i < n; i++)
		count += v[i] == ',';
	count++;
	if (count > MIME_PARAMS_MAX)
		count = MIME_PARAMS_MAX;
	part->languages = mime_alloc(m, count * sizeof(char *));
	if (part->languages == NULL)
		return -1;
	while (pos < n && part->language_count < count) {
		char *tag = mime_token(m, v, n, &pos, &oom);

		if (oom)
			return -1;
		if (tag != NULL)
			part->languages[part->language_count++] = tag;
		while (pos < n && v[pos] != ',')
			pos++;
		pos++;
	}
	return 0;
}

static char **
mime_envelope_slot(struct mime_envelope *e, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} slots[] = {
		{ "date", offsetof(struct mime_envelope, date) },
		{ "subject", offsetof(struct mime_envelope, subject) },
		{ "in-reply-to", offsetof(struct mime_envelope, in_reply_to) },
		{ "message-id", offsetof(struct mime_envelope, message_id) },
	};
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (strcasecmp(name, slots[i].name) == 0)
			/* UNSAFE: offsetof of a char * member */
			return (char **)(void *)((char *)e + slots[i].off);
	return NULL;
}

static struct mime_addr **
mime_envelope_addr_slot(struct mime_envelope *e, const char *name)
{
	if (strcasecmp(name, "from") == 0)
		return &e->from;
	if (strcasecmp(name, "sender") == 0)
		return &e->sender;
	if (strcasecmp(name, "reply-to") == 0)
		return &e->reply_to;
	if (strcasecmp(name, "to") == 0)
		return &e->to;
	if (strcasecmp(name, "cc") == 0)
		return &e->cc;
	if (strcasecmp(name, "bcc") == 0)
		return &e->bcc;
	return NULL;
}

/* An ENVELOPE field; the first occurrence of each wins. */
static int
mime_envelope_field(struct mime_message *m, struct mime_envelope *e,
		    bool *seen_addr, const char *name, const char *v, size_t n)
{
	char **s = mime_envelope_slot(e, name);
	struct mime_addr **a;
	static const char *const addr_names[] = {
		"from", "sender", "reply-to", "to", "cc", "bcc"
	};
	size_t i;

	if (s != NULL) {
		if (*s == NULL && (*s = mime_unfold(m, v, n)) == NULL)
			return -1;
		return 0;
	}
	a = mime_envelope_addr_slot(e, name);
	if (a == NULL)
		return 0;
	for (i = 0; i < 6; i++)
		if (strcasecmp(name, addr_names[i]) == 0)
			break;
	if (seen_addr[i])
		return 0;
	seen_addr[i] = true;
	return mime_addr_parse_list(m, v, n, a);
}

/* One header field of a part. */
static int
mime_field(struct mime_message *m, struct mime_part *part, bool *seen,
	   bool *seen_addr, const struct hdr_field *f)
{
	static const char *const names[] = {
		"content-type", "content-transfer-encoding", "content-id",
		"content-description", "content-disposition",
		"content-language", "content-location", "content-md5",
	};
	char name[HDR_NAME_MAX_BYTES + 1];
	size_t i, pos = 0;
	bool oom = false;

	if (f->name_len > HDR_NAME_MAX_BYTES)
		return 0;
	memcpy(name, f->name, f->name_len);
	name[f->name_len] = '\0';
	if (part->envelope != NULL)
		if (mime_envelope_field(m, part->envelope, seen_addr, name,
					f->value, f->value_len) < 0)
			return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0]) || seen[i])
		return 0;
	seen[i] = true;
	switch (i) {
	case 0:
		return mime_content_type(m, part, f->value, f->value_len);
	case 1:
		part->encoding = mime_token(m, f->value, f->value_len, &pos,
					    &oom);
		return oom ? -1 : 0;
	case 2:
		return (part->id = mime_unfold(m, f->value, f->value_len)) ?
			0 : -1;
	case 3:
		return (part->description = mime_unfold(m, f->value,
							f->value_len)) ? 0 : -1;
	case 4:
		return mime_disposition(m, part, f->value, f->value_len);
	case 5:
		return mime_languages(m, part, f->value, f->value_len);
	case 6:
		return (part->location = mime_unfold(m, f->value,
						     f->value_len)) ? 0 : -1;
	default:
		return (part->md5 = mime_unfold(m, f->value, f->value_len)) ?
			0 : -1;
	}
}

/* ---- the whole header ---------------------------------------------- */

int
mime_fields_parse(struct mime_message *m, struct mime_part *part,
		  const char *h, size_t hlen)
{
	size_t pos = 0;
	bool seen[8] = { false }, seen_addr[6] = { false };
	struct hdr_field f;
	int r;

	if (mime_set_default_type(m, part) < 0)
		return -1;
	if (part->parent == NULL ||
	    (part->parent->flags & MIME_PART_MESSAGE) != 0) {
		part->envelope = mime_alloc(m, sizeof(*part->envelope));
		if (part->envelope == NULL)
			return -1;
	}
	while ((r = hdr_next_field(h, hlen, &pos, &f)) != 0)
		if (r == 1 && mime_field(m, part, seen, seen_addr, &f) < 0)
			return -1;
	if (strcmp(part->type, "text") == 0)
		part->flags |= MIME_PART_TEXT;
	if (part->envelope != NULL) {
		/* RFC 3501 7.4.2: absent or empty Sender / Reply-To are
		 * the From value. */
		if (part->envelope->sender == NULL)
			part->envelope->sender = part->envelope->from;
		if (part->envelope->reply_to == NULL)
			part->envelope->reply_to = part->envelope->from;
	}
	return 0;
}
