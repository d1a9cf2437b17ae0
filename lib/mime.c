/*
 * mime.c -- the MIME part tree of a message in memory: RFC 5322 2.1 (header
 * and body), RFC 2046 5.1.1 (multipart boundaries) and 5.2.1
 * (message/rfc822), the part numbers of RFC 3501 6.4.5, and the arena all
 * results live in. The fields of each header are read by mime_fields.c,
 * address lists by mime_addr.c. Modelled on the ideas of Dovecot's
 * lib-mail/message-parser.c (a stack of active boundaries, innermost
 * first) but over a buffer in one pass: one line cursor that only moves
 * forward counts LFs and bare LFs, so sizes and line counts cost nothing
 * extra.
 *
 * A boundary line is "--" boundary, optionally "--", then only WSP (and
 * the CR of CR LF) up to the line end; a line that merely begins with the
 * delimiter is body text. The line end before a boundary line belongs to
 * the boundary. A boundary of an enclosing multipart also ends every part
 * inside it, so a missing closing boundary loses nothing.
 *
 * SECURITY: the input is untrusted. The parser is recursive only up to
 * MIME_DEPTH_MAX levels, makes at most MIME_PARTS_MAX parts, compares a
 * line with at most MIME_DEPTH_MAX boundaries of at most
 * MIME_BOUNDARY_MAX_BYTES each, and allocates memory proportional to the
 * header bytes it parses. No NUL termination is assumed; every index is
 * checked against len.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"
#include "mime.h"

/* The arena: chunks of at least MIME_ARENA_CHUNK_BYTES, never freed
 * before the message. */
#define MIME_ARENA_CHUNK_BYTES 8192

struct mime_arena_chunk {
	struct mime_arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

/* A position with the counts of LFs and bare LFs before it. */
struct mime_mark {
	size_t pos, lines, bare;
};

struct mime_bound {
	const char *s;
	size_t len;
};

struct mime_ctx {
	struct mime_message *m;
	const char *p;
	size_t len;
	struct mime_mark cur; /* always at a line start (or len) */
	struct mime_bound bounds[MIME_DEPTH_MAX + 1];
	unsigned nbounds;
	bool oom;
};

/* ---- arena ---------------------------------------------------------- */

/* One chunk of the default size kept from the last message freed, for
 * the next one: SEARCH and FETCH parse message after message, and a new
 * chunk each time cost a calloc of 8 KB -- and with musl's malloc
 * (quail-imapd-session), which gives a freed chunk's pages back at once,
 * a madvise and page faults per message. Single-threaded programs only,
 * as all of quail. */
static struct mime_arena_chunk *mime_spare_chunk;

void *
mime_alloc(struct mime_message *m, size_t size)
{
	struct mime_arena_chunk *c = m->arena_;
	size_t align = alignof(max_align_t), need, csize;

	if (size > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	need = (size + align - 1) / align * align;
	if (need == 0)
		need = align;
	if (c == NULL || c->size - c->used < need) {
		csize = need > MIME_ARENA_CHUNK_BYTES ? need
						      : MIME_ARENA_CHUNK_BYTES;
		if (csize == MIME_ARENA_CHUNK_BYTES && mime_spare_chunk != NULL) {
			/* zeroed as calloc would: only what was used */
			c = mime_spare_chunk;
			mime_spare_chunk = NULL;
			memset(c->data, 0, c->used);
			c->used = 0;
		} else {
			c = calloc(1, sizeof(*c) + csize);
			if (c == NULL)
				return NULL;
		}
		c->size = csize;
		c->next = m->arena_;
		m->arena_ = c;
	}
	c->used += need;
	return c->data + c->used - need;
}

char *
mime_strndup(struct mime_message *m, const char *p, size_t n)
{
	char *s = n < SIZE_MAX ? mime_alloc(m, n + 1) : NULL;

	if (s != NULL && n > 0)
		memcpy(s, p, n);
	return s;
}

void
mime_free(struct mime_message **msg)
{
	struct mime_arena_chunk *c, *next;

	if (*msg == NULL)
		return;
	for (c = (*msg)->arena_; c != NULL; c = next) {
		next = c->next;
		if (c->size == MIME_ARENA_CHUNK_BYTES && mime_spare_chunk == NULL)
			mime_spare_chunk = c;
		else
			free(c);
	}
	free(*msg);
	*msg = NULL;
}

static bool
mime_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses the header of part (already sized). */
static int
mime_header(struct mime_ctx *ctx, struct mime_part *part)
{
	return mime_fields_parse(ctx->m, part, ctx->p + part->offset,
				 part->hdr.bytes);
}

/* ---- the line cursor ------------------------------------------------ */

static void
mime_next_line(struct mime_ctx *ctx)
{
	size_t pos = ctx->cur.pos;
	const char *lf = memchr(ctx->p + pos, '\n', ctx->len - pos);
	size_t i;

	if (lf == NULL) {
		ctx->cur.pos = ctx->len;
		return;
	}
	i = (size_t)(lf - ctx->p);
	ctx->cur.lines++;
	if (i == 0 || ctx->p[i - 1] != '\r')
		ctx->cur.bare++;
	ctx->cur.pos = i + 1;
}

/* Index in ctx->bounds of the boundary whose delimiter the line at the
 * cursor is, innermost first; -1 if none. */
static int
mime_bound_match(const struct mime_ctx *ctx, bool *closing_r)
{
	const char *l = ctx->p + ctx->cur.pos;
	size_t n = ctx->len - ctx->cur.pos, i, k;
	const char *lf;
	int b;

	if (ctx->nbounds == 0 || n < 2 || l[0] != '-' || l[1] != '-')
		return -1;
	lf = memchr(l, '\n', n);
	if (lf != NULL)
		n = (size_t)(lf - l);
	for (b = (int)ctx->nbounds - 1; b >= 0; b--) {
		const struct mime_bound *bd = &ctx->bounds[b];

		if (n - 2 < bd->len || memcmp(l + 2, bd->s, bd->len) != 0)
			continue;
		i = 2 + bd->len;
		*closing_r = n - i >= 2 && l[i] == '-' && l[i + 1] == '-';
		if (*closing_r)
			i += 2;
		for (k = i; k < n; k++)
			if (!mime_is_wsp(l[k]) && l[k] != '\r')
				break;
		if (k == n)
			return b;
	}
	return -1;
}

/* Moves the cursor to the next boundary line (returns its index) or to
 * the end (-1). */
static int
mime_scan(struct mime_ctx *ctx, bool *closing_r)
{
	int b;

	if (ctx->nbounds == 0) {
		while (ctx->cur.pos < ctx->len)
			mime_next_line(ctx);
		return -1;
	}
	while (ctx->cur.pos < ctx->len) {
		if (ctx->p[ctx->cur.pos] == '-' &&
		    (b = mime_bound_match(ctx, closing_r)) >= 0)
			return b;
		mime_next_line(ctx);
	}
	return -1;
}

/* The end of a region starting at floor when the cursor is at a boundary
 * line: the line end before the boundary line is not part of it. */
static struct mime_mark
mime_end_mark(const struct mime_ctx *ctx, size_t floor)
{
	struct mime_mark e = ctx->cur;

	/* UNSAFE: e.pos is a line start > floor >= 0, so p[e.pos - 1] is
	 * the LF ending the line before. At the end of input nothing is
	 * taken off. */
	if (e.pos < ctx->len && e.pos > floor) {
		e.pos--;
		e.lines--;
		if (e.pos > floor && ctx->p[e.pos - 1] == '\r')
			e.pos--;
		else
			e.bare--;
	}
	return e;
}

static void
mime_size_set(struct mime_size *s, const struct mime_mark *a,
	      const struct mime_mark *b)
{
	s->bytes = b->pos - a->pos;
	s->lines = b->lines - a->lines;
	s->vbytes = s->bytes + (b->bare - a->bare);
}

/* ---- the tree ------------------------------------------------------- */

/* A new part, appended to parent's children after prev (its last child,
 * or NULL for the first). */
static struct mime_part *
mime_new_part(struct mime_ctx *ctx, struct mime_part *parent,
	      struct mime_part *prev)
{
	struct mime_part *part;

	if (ctx->m->part_count >= MIME_PARTS_MAX)
		return NULL;
	part = mime_alloc(ctx->m, sizeof(*part));
	if (part == NULL) {
		ctx->oom = true;
		return NULL;
	}
	ctx->m->part_count++;
	part->parent = parent;
	if (parent != NULL) {
		part->depth = parent->depth + 1;
		if (prev != NULL)
			prev->next = part;
		else
			parent->children = part;
		parent->child_count++;
	}
	return part;
}

static int mime_parse_part(struct mime_ctx *ctx, struct mime_part *part,
			   bool *closing_r);

/* The body of a multipart part with boundary bd, cursor at the body. */
static int
mime_parse_multipart(struct mime_ctx *ctx, struct mime_part *part,
		     const struct mime_mark *body, bool *closing_r)
{
	unsigned me = ctx->nbounds;
	struct mime_part *child, *last = NULL;
	struct mime_mark end;
	bool closing = false;
	size_t floor = body->pos;
	int b;

	ctx->nbounds++;
	b = mime_scan(ctx, &closing); /* the preamble */
	while (b == (int)me && !closing) {
		mime_next_line(ctx); /* the delimiter line */
		child = mime_new_part(ctx, part, last);
		if (ctx->oom)
			return -1;
		if (child == NULL) {
			/* Part limit: the rest goes to the epilogue. */
			part->flags |= MIME_PART_TRUNCATED;
			b = mime_scan(ctx, &closing);
			continue;
		}
		last = child;
		b = mime_parse_part(ctx, child, &closing);
		if (ctx->oom)
			return -1;
		/* A line end the child kept (the empty line ending its
		 * header) is not taken off again for the parent. */
		floor = child->body_offset + child->body.bytes;
	}
	ctx->nbounds = me;
	if (b == (int)me) {
		/* The closing delimiter; then the epilogue, in which only
		 * outer boundaries count. */
		mime_next_line(ctx);
		b = mime_scan(ctx, &closing);
	} else {
		part->flags |= MIME_PART_NO_CLOSE;
	}
	end = mime_end_mark(ctx, floor);
	mime_size_set(&part->body, body, &end);
	*closing_r = closing;
	return b;
}

/* How the body of a part is to be parsed. */
enum mime_body_kind {
	MIME_BODY_LEAF,
	MIME_BODY_MULTIPART,
	MIME_BODY_MESSAGE,
};

static enum mime_body_kind
mime_body_kind(struct mime_ctx *ctx, struct mime_part *part)
{
	const char *bd;
	bool too_deep = part->depth >= MIME_DEPTH_MAX ||
			ctx->nbounds >= MIME_DEPTH_MAX;

	if (strcmp(part->type, "multipart") == 0) {
		bd = mime_param_get(part->params, part->param_count,
				    "boundary");
		if (bd == NULL || bd[0] == '\0' ||
		    strlen(bd) > MIME_BOUNDARY_MAX_BYTES)
			return MIME_BODY_LEAF;
		if (too_deep)
			goto leaf;
		ctx->bounds[ctx->nbounds].s = bd;
		ctx->bounds[ctx->nbounds].len = strlen(bd);
		part->flags |= MIME_PART_MULTIPART;
		return MIME_BODY_MULTIPART;
	}
	if (strcmp(part->type, "message") == 0 &&
	    strcmp(part->subtype, "rfc822") == 0 &&
	    (part->encoding == NULL || strcmp(part->encoding, "7bit") == 0 ||
	     strcmp(part->encoding, "8bit") == 0 ||
	     strcmp(part->encoding, "binary") == 0)) {
		if (too_deep || ctx->m->part_count >= MIME_PARTS_MAX)
			goto leaf;
		part->flags |= MIME_PART_MESSAGE;
		return MIME_BODY_MESSAGE;
	}
	return MIME_BODY_LEAF;
leaf:
	/* Too deep (or too many parts) to look inside: a text/plain leaf. */
	part->flags |= MIME_PART_TRUNCATED | MIME_PART_TEXT;
	part->type = "text";
	part->subtype = "plain";
	part->params = NULL;
	part->param_count = 0;
	return MIME_BODY_LEAF;
}

/* Parses a part at the cursor up to the next boundary line of an
 * enclosing multipart (returned, not consumed) or the end (-1). */
static int
mime_parse_part(struct mime_ctx *ctx, struct mime_part *part,
		bool *closing_r)
{
	struct mime_mark start = ctx->cur, hend, end;
	struct mime_part *child;
	int b = -1;

	part->offset = start.pos;
	*closing_r = false;
	/* The header: up to the empty line, a boundary line or the end. */
	for (;;) {
		const char *l = ctx->p + ctx->cur.pos;
		size_t rest = ctx->len - ctx->cur.pos;

		if (rest == 0) {
			part->flags |= MIME_PART_NO_BLANK_LINE;
			hend = ctx->cur;
			break;
		}
		if (l[0] == '\n' || (rest > 1 && l[0] == '\r' && l[1] == '\n')) {
			mime_next_line(ctx);
			hend = ctx->cur;
			break;
		}
		if (l[0] == '-' && (b = mime_bound_match(ctx, closing_r)) >= 0) {
			part->flags |= MIME_PART_NO_BLANK_LINE;
			hend = mime_end_mark(ctx, start.pos);
			break;
		}
		mime_next_line(ctx);
	}
	mime_size_set(&part->hdr, &start, &hend);
	part->body_offset = hend.pos;
	if (mime_header(ctx, part) < 0) {
		ctx->oom = true;
		return -1;
	}
	if (b >= 0) {
		part->body = (struct mime_size){ 0, 0, 0 };
		if (strcmp(part->type, "multipart") == 0)
			part->flags |= MIME_PART_NO_CLOSE;
		return b;
	}
	switch (mime_body_kind(ctx, part)) {
	case MIME_BODY_MULTIPART:
		return mime_parse_multipart(ctx, part, &hend, closing_r);
	case MIME_BODY_MESSAGE:
		child = mime_new_part(ctx, part, NULL);
		if (child == NULL)
			return -1;
		b = mime_parse_part(ctx, child, closing_r);
		part->body.bytes = child->hdr.bytes + child->body.bytes;
		part->body.vbytes = child->hdr.vbytes + child->body.vbytes;
		part->body.lines = child->hdr.lines + child->body.lines;
		return b;
	default:
		b = mime_scan(ctx, closing_r);
		end = mime_end_mark(ctx, hend.pos);
		mime_size_set(&part->body, &hend, &end);
		if (memchr(ctx->p + hend.pos, '\0', end.pos - hend.pos))
			part->flags |= MIME_PART_HAS_NUL;
		return b;
	}
}

int
mime_parse(const char *p, size_t len, unsigned flags,
	   struct mime_message **msg_r, const char **error_r)
{
	struct mime_ctx *ctx;
	struct mime_message *m;
	struct mime_part *root;
	bool closing;

	*msg_r = NULL;
	m = calloc(1, sizeof(*m));
	ctx = calloc(1, sizeof(*ctx));
	if (m == NULL || ctx == NULL)
		goto oom;
	ctx->m = m;
	ctx->p = p;
	ctx->len = len;
	root = mime_new_part(ctx, NULL, NULL);
	if (root == NULL)
		goto oom;
	m->root = root;
	if (flags & MIME_PARSE_HEADER_ONLY) {
		root->hdr.bytes = hdr_section_len(p, len);
		root->body_offset = root->hdr.bytes;
		root->body.bytes = len - root->hdr.bytes;
		if (mime_header(ctx, root) < 0)
			goto oom;
	} else {
		(void)mime_parse_part(ctx, root, &closing);
		if (ctx->oom)
			goto oom;
	}
	free(ctx);
	*msg_r = m;
	return 0;
oom:
	free(ctx);
	mime_free(&m);
	*error_r = "out of memory";
	errno = ENOMEM;
	return -1;
}

/* A part that is a message: the root or an encapsulated message. */
static bool
mime_is_message(const struct mime_part *part)
{
	return part->parent == NULL ||
	       (part->parent->flags & MIME_PART_MESSAGE) != 0;
}

const struct mime_part *
mime_part_find(const struct mime_message *m, const unsigned *nums, size_t n)
{
	const struct mime_part *part = m->root, *c;
	size_t i;
	unsigned k;
	bool at_body = false;

	for (i = 0; i < n; i++) {
		if (nums[i] == 0 ||
		    (at_body && (part->flags & MIME_PART_MESSAGE) == 0))
			return NULL;
		/* A message/rfc822 part named by the previous number: go on
		 * inside the encapsulated message. */
		if (i > 0 && (part->flags & MIME_PART_MESSAGE) != 0)
			part = part->children;
		if (part->flags & MIME_PART_MULTIPART) {
			for (c = part->children, k = 1; c != NULL && k < nums[i];
			     c = c->next)
				k++;
			if (c == NULL)
				return NULL;
			part = c;
			at_body = false;
		} else if (nums[i] != 1 || !mime_is_message(part)) {
			return NULL; /* a leaf has no sub-parts */
		} else {
			/* Part 1 of a non-multipart message is its body: the
			 * message part itself is returned. */
			at_body = true;
		}
	}
	return part;
}
