/*
 * fuzz_mime.c -- libFuzzer target for lib/mime.c, mime_addr.c and
 * mime_decode.c.
 *
 * Checks, beyond "no crash": every part lies inside the input, its body
 * follows its header, vbytes >= bytes and lines <= bytes; children of a
 * multipart lie in order inside the parent's body without overlapping;
 * the child of a message/rfc822 part is exactly its body; the part count
 * and depth respect the limits; parsing twice gives the same tree; every
 * string is NUL-free up to its terminator; the decoders never write more
 * than their documented bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(const char *s)
{
	if (s != NULL && (strchr(s, '\r') != NULL || strchr(s, '\n') != NULL))
		abort();
}

static void
check_size(const struct mime_size *s)
{
	if (s->vbytes < s->bytes || s->vbytes > 2 * s->bytes ||
	    s->lines > s->bytes)
		abort();
}

static unsigned
check_part(const struct mime_part *p, size_t len, unsigned depth)
{
	const struct mime_part *c;
	size_t end = p->body_offset + p->body.bytes, pos;
	unsigned n = 1, k = 0, i;

	if (p->depth != depth || depth > MIME_DEPTH_MAX)
		abort();
	if (p->offset > len || p->body_offset != p->offset + p->hdr.bytes ||
	    end > len || end < p->body_offset)
		abort();
	check_size(&p->hdr);
	check_size(&p->body);
	if (p->type == NULL || p->subtype == NULL)
		abort();
	check_str(p->type);
	check_str(p->description);
	for (i = 0; i < p->param_count; i++) {
		check_str(p->params[i].name);
		check_str(p->params[i].value);
	}
	if (p->envelope != NULL)
		check_str(p->envelope->subject);
	pos = p->body_offset;
	for (c = p->children; c != NULL; c = c->next) {
		if (c->parent != p || c->offset < pos)
			abort();
		pos = c->body_offset + c->body.bytes;
		if (pos > end)
			abort();
		n += check_part(c, len, depth + 1);
		k++;
	}
	if (k != p->child_count)
		abort();
	if ((p->flags & MIME_PART_MESSAGE) != 0 &&
	    (k != 1 || p->children->offset != p->body_offset ||
	     p->children->hdr.bytes + p->children->body.bytes != p->body.bytes ||
	     p->children->hdr.lines + p->children->body.lines != p->body.lines))
		abort();
	if (k > 0 && (p->flags & (MIME_PART_MESSAGE | MIME_PART_MULTIPART)) == 0)
		abort();
	return n;
}

static void
same_part(const struct mime_part *a, const struct mime_part *b)
{
	if (a->offset != b->offset || a->hdr.bytes != b->hdr.bytes ||
	    a->hdr.lines != b->hdr.lines || a->body.bytes != b->body.bytes ||
	    a->body.vbytes != b->body.vbytes || a->flags != b->flags ||
	    a->child_count != b->child_count ||
	    strcmp(a->type, b->type) != 0 ||
	    strcmp(a->subtype, b->subtype) != 0 ||
	    a->param_count != b->param_count)
		abort();
	for (a = a->children, b = b->children; a != NULL && b != NULL;
	     a = a->next, b = b->next)
		same_part(a, b);
	if (a != NULL || b != NULL)
		abort();
}

static void
decoders(const char *p, size_t len)
{
	struct buf out;

	buf_init(&out, 0);
	if (mime_qp_decode(p, len, &out) < 0 || out.len > len)
		abort();
	buf_reset(&out);
	if (mime_base64_decode(p, len, &out) < 0 || out.len > len / 4 * 3 + 2)
		abort();
	buf_reset(&out);
	if (mime_decode_words(p, len, &out) < 0)
		abort();
	buf_reset(&out);
	if (mime_charset_to_utf8("windows-1252", p, len, &out) != 1 ||
	    out.len > 3 * len)
		abort();
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct mime_message *a, *b;
	struct mime_addr *list;
	const char *error;
	unsigned n;

	if (mime_parse(p, size, 0, &a, &error) < 0)
		return 0;
	if (mime_parse(p, size, 0, &b, &error) < 0) {
		mime_free(&a);
		return 0;
	}
	n = check_part(a->root, size, 0);
	if (n != a->part_count || n > MIME_PARTS_MAX)
		abort();
	same_part(a->root, b->root);
	if (mime_addr_parse_list(a, p, size, &list) < 0)
		abort();
	for (; list != NULL; list = list->next) {
		check_str(list->name);
		check_str(list->mailbox);
	}
	mime_free(&a);
	mime_free(&b);
	if (a != NULL)
		abort();
	if (size <= 65536)
		decoders(p, size);
	return 0;
}
