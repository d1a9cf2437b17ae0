/*
 * mime_addr.c -- RFC 5322 3.4 address lists (with the obsolete syntax of
 * 4.4: routes, empty list members, phrases with dots, CFWS anywhere) into
 * the address tuples of an IMAP ENVELOPE (RFC 3501 7.4.2), the way
 * Dovecot's lib-mail/message-address.c reads them: the display name is
 * the phrase (quotes removed, encoded words kept), or the comment after an
 * addr-spec when there is no phrase; groups become start and end markers.
 *
 * SECURITY: the value is untrusted. Every loop advances or stops; at most
 * MIME_ADDRS_MAX tuples are made per list; all strings are copied into the
 * message arena with CR, LF and NUL removed, so their total size is
 * bounded by a small multiple of the value length.
 */
#include <errno.h>
#include <string.h>

#include "mime.h"

struct mime_addr_ctx {
	struct mime_message *m;
	const char *p;
	size_t len, pos;
	unsigned count;
	struct mime_addr **tail;
	char *tmp;		/* scratch of len + 1 bytes */
	const char *comment;	/* last comment skipped (inside the parens) */
	size_t comment_len;
	size_t comment_at;	/* where that comment started */
	size_t token_end;	/* end of the last word or domain token */
};

/* RFC 5322 atext, plus '.' (obs-phrase, obs-local-part) and 8-bit bytes
 * (RFC 6532; also what broken mailers send). */
static bool
mime_addr_atext(char c)
{
	unsigned char u = (unsigned char)c;

	if (u >= 128)
		return true;
	if (u <= 32 || u == 127)
		return false;
	/* the specials of RFC 5322 3.2.3 (a switch: this runs for every
	 * byte of every address SEARCH and ENVELOPE parse) */
	switch (c) {
	case '(': case ')': case '<': case '>': case '[': case ']':
	case ':': case ';': case '@': case '\\': case ',': case '"':
		return false;
	default:
		return true;
	}
}

/* Skips CFWS, remembering the last top-level comment. */
static void
mime_addr_cfws(struct mime_addr_ctx *c)
{
	for (;;) {
		size_t start = c->pos;

		while (c->pos < c->len &&
		       (c->p[c->pos] == ' ' || c->p[c->pos] == '\t' ||
			c->p[c->pos] == '\r' || c->p[c->pos] == '\n'))
			c->pos++;
		if (c->pos >= c->len || c->p[c->pos] != '(') {
			if (c->pos == start)
				return;
			continue;
		}
		start = c->pos;
		c->comment_at = start;
		c->pos = mime_skip_cfws(c->p, c->len, c->pos);
		/* The comment text: from after '(' to before the ')' that
		 * closed it (or the end). */
		c->comment = c->p + start + 1;
		c->comment_len = c->pos - start - 1;
		while (c->comment_len > 0 &&
		       c->comment[c->comment_len - 1] != ')')
			c->comment_len--;
		if (c->comment_len > 0)
			c->comment_len--;
	}
}

/* Appends v[0..n) to the scratch string at *o, dropping CR LF NUL and
 * unescaping quoted-pairs when quoted. */
static void
mime_addr_put(struct mime_addr_ctx *c, size_t *o, const char *v, size_t n,
	      bool quoted)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (quoted && v[i] == '\\' && i + 1 < n)
			i++;
		if (v[i] != '\r' && v[i] != '\n' && v[i] != '\0')
			c->tmp[(*o)++] = v[i];
	}
}

/* Reads a word (atom or quoted string) into tmp at *o. false if none. */
static bool
mime_addr_word(struct mime_addr_ctx *c, size_t *o)
{
	size_t start = c->pos;

	if (c->pos < c->len && c->p[c->pos] == '"') {
		start = ++c->pos;
		while (c->pos < c->len && c->p[c->pos] != '"') {
			if (c->p[c->pos] == '\\' && c->pos + 1 < c->len)
				c->pos++;
			c->pos++;
		}
		mime_addr_put(c, o, c->p + start, c->pos - start, true);
		if (c->pos < c->len)
			c->pos++;
		c->token_end = c->pos;
		return true;
	}
	while (c->pos < c->len && mime_addr_atext(c->p[c->pos]))
		c->pos++;
	mime_addr_put(c, o, c->p + start, c->pos - start, false);
	if (c->pos == start)
		return false;
	c->token_end = c->pos;
	return true;
}

/* A phrase (display name or group name, or a local part as words): words
 * separated by CFWS, joined with one space. NULL (no allocation) if empty;
 * *local_r gets the same words joined without spaces. */
static int
mime_addr_phrase(struct mime_addr_ctx *c, char **phrase_r, char **local_r)
{
	size_t o = 0, lo = 0, before;
	char *local = c->tmp + c->len + 1; /* second half of the scratch */
	unsigned words = 0;

	*phrase_r = NULL;
	if (local_r != NULL)
		*local_r = NULL;
	for (;;) {
		mime_addr_cfws(c);
		before = o;
		if (words > 0)
			c->tmp[o++] = ' ';
		if (!mime_addr_word(c, &o)) {
			o = before;
			break;
		}
		/* The same word without the separator, for a local part. */
		memcpy(local + lo, c->tmp + before + (words > 0),
		       o - before - (words > 0));
		lo += o - before - (words > 0);
		words++;
	}
	if (words == 0)
		return 0;
	*phrase_r = mime_strndup(c->m, c->tmp, o);
	if (local_r != NULL)
		*local_r = mime_strndup(c->m, local, lo);
	if (*phrase_r == NULL || (local_r != NULL && *local_r == NULL))
		return -1;
	return 0;
}

/* A domain: dot-atom or domain literal, CFWS removed. NULL if none. */
static int
mime_addr_domain(struct mime_addr_ctx *c, char **host_r)
{
	size_t o = 0, start;

	*host_r = NULL;
	mime_addr_cfws(c);
	if (c->pos < c->len && c->p[c->pos] == '[') {
		start = c->pos;
		while (c->pos < c->len && c->p[c->pos] != ']') {
			if (c->p[c->pos] == '\\' && c->pos + 1 < c->len)
				c->pos++;
			c->pos++;
		}
		if (c->pos < c->len)
			c->pos++;
		mime_addr_put(c, &o, c->p + start, c->pos - start, false);
		c->token_end = c->pos;
	} else {
		/* Atoms joined by dots; CFWS may surround a dot (obs-domain)
		 * but two atoms without a dot between them end the domain. */
		bool dot = true;

		for (;;) {
			size_t save = c->pos;

			mime_addr_cfws(c);
			start = c->pos;
			if (!dot && (start >= c->len || c->p[start] != '.')) {
				if (start > save && c->comment_at < save)
					c->comment = NULL;
				break;
			}
			while (c->pos < c->len && mime_addr_atext(c->p[c->pos]))
				c->pos++;
			if (c->pos == start)
				break;
			c->token_end = c->pos;
			dot = c->p[c->pos - 1] == '.';
			mime_addr_put(c, &o, c->p + start, c->pos - start,
				      false);
		}
	}
	if (o == 0)
		return 0;
	*host_r = mime_strndup(c->m, c->tmp, o);
	return *host_r != NULL ? 0 : -1;
}

static int
mime_addr_add(struct mime_addr_ctx *c, char *name, char *adl, char *mailbox,
	      char *host)
{
	struct mime_addr *a;

	if (c->count >= MIME_ADDRS_MAX)
		return 0;
	a = mime_alloc(c->m, sizeof(*a));
	if (a == NULL)
		return -1;
	a->name = name;
	a->adl = adl;
	a->mailbox = mailbox;
	a->host = host;
	*c->tail = a;
	c->tail = &a->next;
	c->count++;
	return 0;
}

/* "<" [route] addr-spec ">" with the cursor after '<'. */
static int
mime_addr_angle(struct mime_addr_ctx *c, char *name)
{
	char *adl = NULL, *mailbox = NULL, *host = NULL, *phrase;
	size_t o = 0, start;

	mime_addr_cfws(c);
	if (c->pos < c->len && c->p[c->pos] == '@') {
		/* obs-route: "@a,@b:" */
		start = c->pos;
		while (c->pos < c->len && c->p[c->pos] != ':' &&
		       c->p[c->pos] != '>')
			c->pos++;
		if (c->pos < c->len && c->p[c->pos] == ':') {
			size_t i;

			for (i = start; i < c->pos; i++)
				if (c->p[i] != ' ' && c->p[i] != '\t' &&
				    c->p[i] != '\r' && c->p[i] != '\n')
					c->tmp[o++] = c->p[i];
			adl = mime_strndup(c->m, c->tmp, o);
			if (adl == NULL)
				return -1;
			c->pos++;
		} else {
			c->pos = start;
		}
	}
	if (mime_addr_phrase(c, &phrase, &mailbox) < 0)
		return -1;
	mime_addr_cfws(c);
	if (c->pos < c->len && c->p[c->pos] == '@') {
		c->pos++;
		if (mime_addr_domain(c, &host) < 0)
			return -1;
	}
	/* Skip to the '>' (junk inside the brackets is dropped). */
	while (c->pos < c->len && c->p[c->pos] != '>')
		c->pos++;
	if (c->pos < c->len)
		c->pos++;
	if (mailbox == NULL && host == NULL) {
		/* "<>": the null address */
		mailbox = mime_strndup(c->m, "", 0);
		host = mime_strndup(c->m, "", 0);
	} else {
		if (mailbox == NULL)
			mailbox = mime_strndup(c->m, "MISSING_MAILBOX", 15);
		if (host == NULL)
			host = mime_strndup(c->m, "MISSING_DOMAIN", 14);
	}
	if (mailbox == NULL || host == NULL)
		return -1;
	return mime_addr_add(c, name, adl, mailbox, host);
}

/* Skips junk up to the next ',' (or ';' ending a group). */
static void
mime_addr_skip_junk(struct mime_addr_ctx *c, bool in_group)
{
	while (c->pos < c->len && c->p[c->pos] != ',' &&
	       !(in_group && c->p[c->pos] == ';')) {
		if (c->p[c->pos] == '(' || c->p[c->pos] == '"') {
			size_t before = c->pos;

			if (c->p[c->pos] == '(') {
				c->pos = mime_skip_cfws(c->p, c->len, c->pos);
			} else {
				size_t o = 0;

				(void)mime_addr_word(c, &o);
			}
			if (c->pos > before)
				continue;
		}
		c->pos++;
	}
}

static int mime_addr_group(struct mime_addr_ctx *c, char *group);

/* One mailbox or group at the cursor. */
static int
mime_addr_one(struct mime_addr_ctx *c, bool in_group)
{
	char *phrase, *local, *host = NULL, *name = NULL;
	char ch;

	c->comment = NULL;
	if (mime_addr_phrase(c, &phrase, &local) < 0)
		return -1;
	mime_addr_cfws(c);
	ch = c->pos < c->len ? c->p[c->pos] : '\0';
	if (ch == '<') {
		c->pos++;
		return mime_addr_angle(c, phrase);
	}
	if (ch == ':' && !in_group) {
		c->pos++;
		return mime_addr_group(c, phrase != NULL ? phrase :
					  mime_strndup(c->m, "", 0));
	}
	if (phrase == NULL && ch != '@') {
		mime_addr_skip_junk(c, in_group);
		return 0;
	}
	/* An addr-spec: the words were the local part. */
	if (ch == '@') {
		c->pos++;
		if (mime_addr_domain(c, &host) < 0)
			return -1;
	}
	/* A comment after the address is the name (RFC 822 style). */
	mime_addr_cfws(c);
	if (c->comment != NULL && c->comment_len > 0 &&
	    c->comment_at >= c->token_end) {
		size_t o = 0;

		mime_addr_put(c, &o, c->comment, c->comment_len, true);
		name = mime_strndup(c->m, c->tmp, o);
		if (name == NULL)
			return -1;
	}
	if (local == NULL)
		local = mime_strndup(c->m, "MISSING_MAILBOX", 15);
	if (host == NULL)
		host = mime_strndup(c->m, "MISSING_DOMAIN", 14);
	if (local == NULL || host == NULL)
		return -1;
	if (mime_addr_add(c, name, NULL, local, host) < 0)
		return -1;
	mime_addr_skip_junk(c, in_group);
	return 0;
}

/* The members of a group after its ':' and the ';'. */
static int
mime_addr_group(struct mime_addr_ctx *c, char *group)
{
	if (group == NULL || mime_addr_add(c, NULL, NULL, group, NULL) < 0)
		return -1;
	for (;;) {
		size_t before;

		mime_addr_cfws(c);
		if (c->pos >= c->len)
			break;
		if (c->p[c->pos] == ';') {
			c->pos++;
			break;
		}
		if (c->p[c->pos] == ',') {
			c->pos++;
			continue;
		}
		before = c->pos;
		if (mime_addr_one(c, true) < 0)
			return -1;
		if (c->pos == before)
			c->pos++; /* cannot happen; keeps the loop finite */
	}
	return mime_addr_add(c, NULL, NULL, NULL, NULL);
}

int
mime_addr_parse_list(struct mime_message *m, const char *p, size_t len,
		     struct mime_addr **list_r)
{
	struct mime_addr_ctx c;
	int r = 0;

	*list_r = NULL;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.p = p;
	c.len = len;
	c.tail = list_r;
	/* Scratch: two strings each at most len bytes (phrase and local). */
	c.tmp = mime_alloc(m, 2 * len + 2);
	if (c.tmp == NULL)
		return -1;
	while (c.pos < c.len && r == 0) {
		size_t before;

		mime_addr_cfws(&c);
		if (c.pos >= c.len)
			break;
		if (c.p[c.pos] == ',' || c.p[c.pos] == ';') {
			c.pos++;
			continue;
		}
		before = c.pos;
		r = mime_addr_one(&c, false);
		if (c.pos == before)
			c.pos++;
	}
	if (r < 0) {
		*list_r = NULL;
		errno = ENOMEM;
	}
	return r;
}
