/*
 * imap_search.c -- SEARCH programs: parsing RFC 3501 6.4.4 search keys
 * (and the RFC 4731 RETURN options and CHARSET) into a tree of keys,
 * ordering each AND and OR cheapest key first, and binding the tree to a
 * mailbox ('*' of sequence sets, keyword names). Evaluation is in
 * imap_search_match.c; what is folded and searched is described in
 * imap_search.h.
 *
 * SECURITY: the keys are client input. Parsing recursion and the tree
 * size are bounded (IMAP_SEARCH_DEPTH_MAX, IMAP_SEARCH_KEYS_MAX), which
 * bounds evaluation too (same tree). Numbers are overflow-checked; dates
 * are checked against the calendar; nothing assumes NUL termination of
 * argument strings beyond what lib/imapparse guarantees.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "imap_mbox.h"
#include "imap_search.h"
#include "imap_search_int.h"
#include "imap_seqset.h"
#include "mime.h"

/* RFC 3501 date: date-day "-" date-month "-" date-year, day 1 or 2
 * digits. */
static int
imap_search_parse_date(const char *s, size_t len, int64_t *day_r)
{
	static const char months[12][4] = { "jan", "feb", "mar", "apr",
					    "may", "jun", "jul", "aug",
					    "sep", "oct", "nov", "dec" };
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30,
					    31, 31, 30, 31, 30, 31 };
	unsigned day = 0, year = 0, m;
	size_t i = 0, nd = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 2) {
		day = day * 10 + (unsigned)(s[i++] - '0');
		nd++;
	}
	if (nd == 0 || i + 5 >= len || s[i] != '-' || s[i + 4] != '-')
		return -1;
	for (m = 0; m < 12; m++)
		if (strncasecmp(s + i + 1, months[m], 3) == 0)
			break;
	if (m == 12)
		return -1;
	i += 5;
	if (len - i != 4)
		return -1;
	for (nd = 0; nd < 4; nd++) {
		if (s[i + nd] < '0' || s[i + nd] > '9')
			return -1;
		year = year * 10 + (unsigned)(s[i + nd] - '0');
	}
	if (day < 1 || day > mdays[m] ||
	    (m == 1 && day == 29 &&
	     !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))))
		return -1;
	*day_r = imap_search_days_from_civil(year, m + 1, day);
	return 0;
}

/* ---- parsing ---- */

struct imap_search_parser {
	struct imap_search_program *prog;
	const struct imap_arg *args;
	size_t n, pos;
	const char *error;
};

static struct isk *
imap_search_node(struct imap_search_parser *p, enum isk_type type)
{
	struct isk *k;

	if (p->prog->nkeys >= IMAP_SEARCH_KEYS_MAX) {
		p->error = "Too many search keys";
		return NULL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		p->error = "Out of memory";
		return NULL;
	}
	p->prog->nkeys++;
	k->type = type;
	k->kw_bit = -1;
	return k;
}

static void
imap_search_node_free(struct isk *k)
{
	struct isk *c, *next;

	if (k == NULL)
		return;
	for (c = k->children; c != NULL; c = next) {
		next = c->next;
		imap_search_node_free(c);
	}
	free(k->str);
	free(k->field);
	imap_seqset_free(&k->parsed);
	imap_seqset_free(&k->set);
	free(k);
}

static const struct imap_arg *
imap_search_next_arg(struct imap_search_parser *p, const char *what)
{
	if (p->pos >= p->n) {
		p->error = what;
		return NULL;
	}
	return &p->args[p->pos++];
}

/* A search string argument (astring), folded into k->str. */
static int
imap_search_string_arg(struct imap_search_parser *p, struct isk *k)
{
	const struct imap_arg *a = imap_search_next_arg(p, "Missing search "
							   "string");
	struct buf b = BUF_INIT;
	const char *s;
	size_t len;

	if (a == NULL)
		return -1;
	if (!imap_arg_get_astring(a, &s, &len)) {
		p->error = "Invalid search string";
		return -1;
	}
	if (imap_search_fold(s, len, &b) < 0) {
		p->error = "Out of memory";
		return -1;
	}
	k->str = b.data != NULL ? b.data : strdup("");
	k->len = b.len;
	if (k->str == NULL) {
		p->error = "Out of memory";
		return -1;
	}
	return 0;
}

static int
imap_search_field_name(struct imap_search_parser *p, struct isk *k,
		       const char *name, size_t len)
{
	size_t i;

	if ((k->field = malloc(len + 1)) == NULL) {
		p->error = "Out of memory";
		return -1;
	}
	for (i = 0; i < len; i++)
		k->field[i] = (name[i] >= 'A' && name[i] <= 'Z')
				      ? (char)(name[i] + 32)
				      : name[i];
	k->field[len] = '\0';
	return 0;
}

static int
imap_search_date_arg(struct imap_search_parser *p, struct isk *k)
{
	const struct imap_arg *a = imap_search_next_arg(p, "Missing date");
	const char *s;
	size_t len;

	if (a == NULL)
		return -1;
	if (a->type == IMAP_ARG_LIST || a->type == IMAP_ARG_NIL ||
	    !imap_arg_get_astring(a, &s, &len) ||
	    imap_search_parse_date(s, len, &k->day) < 0) {
		p->error = "Invalid date (expected e.g. 1-Feb-1994)";
		return -1;
	}
	return 0;
}

static int
imap_search_number_arg(struct imap_search_parser *p, struct isk *k)
{
	const struct imap_arg *a = imap_search_next_arg(p, "Missing number");
	const char *s;
	uint64_t v = 0;
	size_t i;

	if (a == NULL)
		return -1;
	if (!imap_arg_get_atom(a, &s) || a->len == 0)
		goto bad;
	for (i = 0; i < a->len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	k->number = v;
	return 0;
bad:
	p->error = "Invalid number";
	return -1;
}

static int
imap_search_keyword_arg(struct imap_search_parser *p, struct isk *k)
{
	const struct imap_arg *a = imap_search_next_arg(p, "Missing keyword");
	const char *s;

	if (a == NULL)
		return -1;
	if (!imap_arg_get_atom(a, &s) || a->len == 0 || s[0] == '\\' ||
	    a->len > IMAP_MBOX_KEYWORD_MAX_BYTES) {
		p->error = "Invalid keyword";
		return -1;
	}
	if ((k->str = strndup(s, a->len)) == NULL) {
		p->error = "Out of memory";
		return -1;
	}
	k->len = a->len;
	return 0;
}

static int imap_search_parse_key(struct imap_search_parser *p, unsigned depth,
				 struct isk **k_r);

/* Keys of a parenthesised list into an AND node. */
static int
imap_search_parse_list(struct imap_search_parser *p, const struct imap_arg *a,
		       unsigned depth, struct isk **k_r)
{
	struct imap_search_parser sub = { p->prog, a->list, a->n, 0, NULL };
	struct isk *k, *c, **tail;

	if (a->n == 0) {
		p->error = "Empty search key list";
		return -1;
	}
	if ((k = imap_search_node(p, ISK_AND)) == NULL)
		return -1;
	tail = &k->children;
	while (sub.pos < sub.n) {
		int r = imap_search_parse_key(&sub, depth + 1, &c);

		if (c != NULL) {
			*tail = c;
			tail = &c->next;
		}
		if (r < 0) {
			p->error = sub.error;
			imap_search_node_free(k);
			return -1;
		}
	}
	*k_r = k;
	return 0;
}

static const struct {
	const char *name;
	uint32_t mask, want;
} imap_search_flag_keys[] = {
	{ "ANSWERED", IMAP_MBOX_ANSWERED, IMAP_MBOX_ANSWERED },
	{ "DELETED", IMAP_MBOX_DELETED, IMAP_MBOX_DELETED },
	{ "DRAFT", IMAP_MBOX_DRAFT, IMAP_MBOX_DRAFT },
	{ "FLAGGED", IMAP_MBOX_FLAGGED, IMAP_MBOX_FLAGGED },
	{ "SEEN", IMAP_MBOX_SEEN, IMAP_MBOX_SEEN },
	{ "RECENT", IMAP_MBOX_RECENT, IMAP_MBOX_RECENT },
	{ "UNANSWERED", IMAP_MBOX_ANSWERED, 0 },
	{ "UNDELETED", IMAP_MBOX_DELETED, 0 },
	{ "UNDRAFT", IMAP_MBOX_DRAFT, 0 },
	{ "UNFLAGGED", IMAP_MBOX_FLAGGED, 0 },
	{ "UNSEEN", IMAP_MBOX_SEEN, 0 },
	{ "NEW", IMAP_MBOX_RECENT | IMAP_MBOX_SEEN, IMAP_MBOX_RECENT },
	{ "OLD", IMAP_MBOX_RECENT, 0 },
};

/* Keys taking one argument of a kind, with their node type. */
enum isk_arg { ISK_ARG_STRING, ISK_ARG_DATE, ISK_ARG_NUMBER, ISK_ARG_KW };
static const struct {
	const char *name;
	enum isk_type type;
	enum isk_arg arg;
	const char *field; /* header keys */
	bool addr;	   /* address keys (struct isk) */
} imap_search_arg_keys[] = {
	{ "BCC", ISK_HEADER, ISK_ARG_STRING, "bcc", true },
	{ "CC", ISK_HEADER, ISK_ARG_STRING, "cc", true },
	{ "FROM", ISK_HEADER, ISK_ARG_STRING, "from", true },
	{ "SUBJECT", ISK_HEADER, ISK_ARG_STRING, "subject", false },
	{ "TO", ISK_HEADER, ISK_ARG_STRING, "to", true },
	{ "BODY", ISK_BODY, ISK_ARG_STRING, NULL, false },
	{ "TEXT", ISK_TEXT, ISK_ARG_STRING, NULL, false },
	{ "BEFORE", ISK_BEFORE, ISK_ARG_DATE, NULL, false },
	{ "ON", ISK_ON, ISK_ARG_DATE, NULL, false },
	{ "SINCE", ISK_SINCE, ISK_ARG_DATE, NULL, false },
	{ "SENTBEFORE", ISK_SENTBEFORE, ISK_ARG_DATE, NULL, false },
	{ "SENTON", ISK_SENTON, ISK_ARG_DATE, NULL, false },
	{ "SENTSINCE", ISK_SENTSINCE, ISK_ARG_DATE, NULL, false },
	{ "LARGER", ISK_LARGER, ISK_ARG_NUMBER, NULL, false },
	{ "SMALLER", ISK_SMALLER, ISK_ARG_NUMBER, NULL, false },
	{ "KEYWORD", ISK_KEYWORD, ISK_ARG_KW, NULL, false },
	{ "UNKEYWORD", ISK_UNKEYWORD, ISK_ARG_KW, NULL, false },
};

static int
imap_search_parse_arg_key(struct imap_search_parser *p, size_t idx,
			  struct isk *k)
{
	switch (imap_search_arg_keys[idx].arg) {
	case ISK_ARG_STRING:
		k->addr = imap_search_arg_keys[idx].addr;
		if (imap_search_arg_keys[idx].field != NULL &&
		    imap_search_field_name(
			    p, k, imap_search_arg_keys[idx].field,
			    strlen(imap_search_arg_keys[idx].field)) < 0)
			return -1;
		return imap_search_string_arg(p, k);
	case ISK_ARG_DATE:
		return imap_search_date_arg(p, k);
	case ISK_ARG_NUMBER:
		return imap_search_number_arg(p, k);
	case ISK_ARG_KW:
		return imap_search_keyword_arg(p, k);
	}
	return -1;
}

/* NOT, OR, HEADER, UID and sequence sets. 1 parsed, 0 not one of them,
 * -1 error. */
static int
imap_search_parse_special(struct imap_search_parser *p,
			  const struct imap_arg *a, unsigned depth,
			  struct isk *k)
{
	const char *s;
	size_t len, i;

	if (imap_arg_atom_equals(a, "NOT") || imap_arg_atom_equals(a, "OR")) {
		k->type = imap_arg_atom_equals(a, "NOT") ? ISK_NOT : ISK_OR;
		if (imap_search_parse_key(p, depth + 1, &k->children) < 0)
			return -1;
		if (k->type == ISK_OR &&
		    imap_search_parse_key(p, depth + 1, &k->children->next) < 0)
			return -1;
		return 1;
	}
	if (imap_arg_atom_equals(a, "HEADER")) {
		const struct imap_arg *f = imap_search_next_arg(p, "Missing "
								   "header "
								   "field "
								   "name");

		k->type = ISK_HEADER;
		if (f == NULL)
			return -1;
		if (!imap_arg_get_astring(f, &s, &len) || len == 0) {
			p->error = "Invalid header field name";
			return -1;
		}
		if (imap_search_field_name(p, k, s, len) < 0)
			return -1;
		return imap_search_string_arg(p, k) < 0 ? -1 : 1;
	}
	if (imap_arg_atom_equals(a, "UID")) {
		const struct imap_arg *u = imap_search_next_arg(p, "Missing "
								   "UID set");

		k->type = ISK_UIDSET;
		if (u == NULL)
			return -1;
		if (!imap_arg_get_atom(u, &s) ||
		    imap_seqset_parse(s, u->len, &k->parsed, &p->error) < 0) {
			p->error = "Invalid UID set";
			return -1;
		}
		return 1;
	}
	if (a->type == IMAP_ARG_ATOM && a->len > 0 &&
	    ((a->str[0] >= '0' && a->str[0] <= '9') || a->str[0] == '*')) {
		k->type = ISK_SEQSET;
		for (i = 0; i < a->len; i++)
			if (a->str[i] == '$')
				break;
		if (i < a->len || imap_seqset_parse(a->str, a->len, &k->parsed,
						    &p->error) < 0) {
			p->error = "Invalid sequence set";
			return -1;
		}
		return 1;
	}
	return 0;
}

static int
imap_search_parse_key(struct imap_search_parser *p, unsigned depth,
		      struct isk **k_r)
{
	const struct imap_arg *a = imap_search_next_arg(p, "Missing search "
							   "key");
	struct isk *k;
	size_t i;
	int r;

	*k_r = NULL;
	if (a == NULL)
		return -1;
	if (depth > IMAP_SEARCH_DEPTH_MAX) {
		p->error = "Search keys nested too deeply";
		return -1;
	}
	if (a->type == IMAP_ARG_LIST)
		return imap_search_parse_list(p, a, depth, k_r);
	if (a->type != IMAP_ARG_ATOM) {
		p->error = "Unknown search key (a string where a key was "
			   "expected)";
		return -1;
	}
	if ((k = imap_search_node(p, ISK_ALL)) == NULL)
		return -1;
	*k_r = k; /* freed by the caller's tree even on error */
	if (imap_arg_atom_equals(a, "ALL"))
		return 0;
	for (i = 0; i < sizeof(imap_search_flag_keys) /
				sizeof(imap_search_flag_keys[0]);
	     i++) {
		if (imap_arg_atom_equals(a, imap_search_flag_keys[i].name)) {
			k->type = ISK_FLAGS;
			k->mask = imap_search_flag_keys[i].mask;
			k->want = imap_search_flag_keys[i].want;
			return 0;
		}
	}
	for (i = 0;
	     i < sizeof(imap_search_arg_keys) / sizeof(imap_search_arg_keys[0]);
	     i++) {
		if (imap_arg_atom_equals(a, imap_search_arg_keys[i].name)) {
			k->type = imap_search_arg_keys[i].type;
			return imap_search_parse_arg_key(p, i, k);
		}
	}
	if ((r = imap_search_parse_special(p, a, depth, k)) != 0)
		return r < 0 ? -1 : 0;
	p->error = "Unknown search key";
	return -1;
}

/* Costs, and children ordered cheapest first (stable). */
static enum isk_cost
imap_search_order(struct isk *k, unsigned *needs)
{
	struct isk *c, *sorted = NULL, **pp, *next;
	enum isk_cost cost = ISK_COST_CHEAP, cc;

	switch (k->type) {
	case ISK_AND:
	case ISK_OR:
	case ISK_NOT:
		for (c = k->children; c != NULL; c = next) {
			next = c->next;
			cc = imap_search_order(c, needs);
			if (cc > cost)
				cost = cc;
			/* insertion after every child of equal cost */
			for (pp = &sorted; *pp != NULL && (*pp)->cost <= cc;
			     pp = &(*pp)->next)
				;
			c->next = *pp;
			*pp = c;
		}
		k->children = sorted;
		break;
	case ISK_BEFORE:
	case ISK_ON:
	case ISK_SINCE:
		*needs |= IMAP_SEARCH_NEEDS_DATE;
		cost = ISK_COST_DATE;
		break;
	case ISK_SENTBEFORE:
	case ISK_SENTON:
	case ISK_SENTSINCE:
		*needs |= IMAP_SEARCH_NEEDS_FIELD | IMAP_SEARCH_NEEDS_DATE;
		cost = ISK_COST_FIELD;
		break;
	case ISK_HEADER:
		*needs |= IMAP_SEARCH_NEEDS_FIELD;
		cost = ISK_COST_FIELD;
		break;
	case ISK_BODY:
	case ISK_TEXT:
		*needs |= IMAP_SEARCH_NEEDS_MESSAGE;
		cost = ISK_COST_MESSAGE;
		break;
	default:
		break;
	}
	k->cost = cost;
	return cost;
}

/* [RETURN (opts)] */
static int
imap_search_parse_return(struct imap_search_parser *p, bool esearch)
{
	const struct imap_arg *list;
	size_t n, i;

	if (!imap_arg_atom_equals(&p->args[p->pos], "RETURN"))
		return 0;
	if (!esearch) {
		p->error = "RETURN is not allowed here";
		return -1;
	}
	p->pos++;
	if (p->pos >= p->n || !imap_arg_get_list(&p->args[p->pos], &list, &n)) {
		p->error = "RETURN needs a list of options";
		return -1;
	}
	p->pos++;
	p->prog->ret = n == 0 ? IMAP_SEARCH_RETURN_ALL : 0;
	for (i = 0; i < n; i++) {
		if (imap_arg_atom_equals(&list[i], "MIN"))
			p->prog->ret |= IMAP_SEARCH_RETURN_MIN;
		else if (imap_arg_atom_equals(&list[i], "MAX"))
			p->prog->ret |= IMAP_SEARCH_RETURN_MAX;
		else if (imap_arg_atom_equals(&list[i], "ALL"))
			p->prog->ret |= IMAP_SEARCH_RETURN_ALL;
		else if (imap_arg_atom_equals(&list[i], "COUNT"))
			p->prog->ret |= IMAP_SEARCH_RETURN_COUNT;
		else {
			p->error = "Unknown RETURN option";
			return -1;
		}
	}
	return 0;
}

/* [CHARSET name] */
static int
imap_search_parse_charset(struct imap_search_parser *p, bool *badcharset_r)
{
	const char *cs;
	size_t len;

	if (p->pos >= p->n || !imap_arg_atom_equals(&p->args[p->pos], "CHARSE"
								      "T"))
		return 0;
	p->pos++;
	if (p->pos >= p->n ||
	    !imap_arg_get_astring(&p->args[p->pos], &cs, &len)) {
		p->error = "CHARSET needs a charset name";
		return -1;
	}
	p->pos++;
	if ((len == 5 && strncasecmp(cs, "UTF-8", 5) == 0) ||
	    (len == 8 && strncasecmp(cs, "US-ASCII", 8) == 0))
		return 0;
	*badcharset_r = true;
	p->error = "Unsupported charset";
	return -1;
}

int
imap_search_parse(const struct imap_arg *args, size_t n, bool esearch,
		  struct imap_search_program **prog_r, bool *badcharset_r,
		  const char **error_r)
{
	struct imap_search_program *prog;
	struct imap_search_parser p = { NULL, args, n, 0, NULL };
	struct isk *c, **tail;

	*prog_r = NULL;
	*badcharset_r = false;
	if (n == 0) {
		*error_r = "Missing search keys";
		return -1;
	}
	if ((prog = calloc(1, sizeof(*prog))) == NULL) {
		*error_r = "Out of memory";
		return -1;
	}
	p.prog = prog;
	buf_init(&prog->htext, IMAP_SEARCH_SCRATCH_MAX_BYTES);
	buf_init(&prog->vals, IMAP_SEARCH_SCRATCH_MAX_BYTES);
	buf_init(&prog->tmp, IMAP_SEARCH_SCRATCH_MAX_BYTES);
	buf_init(&prog->fold, IMAP_SEARCH_SCRATCH_MAX_BYTES);
	buf_init(&prog->render, IMAP_SEARCH_SCRATCH_MAX_BYTES);
	if (imap_search_parse_return(&p, esearch) < 0 ||
	    imap_search_parse_charset(&p, badcharset_r) < 0)
		goto fail;
	if (p.pos >= p.n) {
		p.error = "Missing search keys";
		goto fail;
	}
	if ((prog->root = imap_search_node(&p, ISK_AND)) == NULL)
		goto fail;
	prog->nkeys = 0; /* the implicit top-level AND is no client key */
	tail = &prog->root->children;
	while (p.pos < p.n) {
		int r = imap_search_parse_key(&p, 1, &c);

		if (c != NULL) {
			*tail = c;
			tail = &c->next;
		}
		if (r < 0)
			goto fail;
	}
	imap_search_order(prog->root, &prog->needs);
	*prog_r = prog;
	return 0;
fail:
	*error_r = p.error != NULL ? p.error : "Invalid search";
	imap_search_free(&prog);
	return -1;
}

void
imap_search_free(struct imap_search_program **progp)
{
	struct imap_search_program *prog = *progp;

	if (prog == NULL)
		return;
	imap_search_node_free(prog->root);
	mime_free(&prog->mime);
	buf_free(&prog->htext);
	buf_free(&prog->vals);
	buf_free(&prog->tmp);
	buf_free(&prog->fold);
	buf_free(&prog->render);
	mime_free(&prog->addr_arena);
	free(prog);
	*progp = NULL;
}

unsigned
imap_search_return(const struct imap_search_program *prog)
{
	return prog->ret;
}

unsigned
imap_search_needs(const struct imap_search_program *prog)
{
	return prog->needs;
}

/* k->set = k->parsed resolved with star; on allocation failure the set
 * stays empty (matches nothing). */
static void
imap_search_bind_set(struct isk *k, uint32_t star)
{
	size_t i;

	imap_seqset_free(&k->set);
	for (i = 0; i < k->parsed.n; i++)
		if (imap_seqset_add(&k->set, k->parsed.ranges[i].lo,
				    k->parsed.ranges[i].hi) < 0) {
			imap_seqset_free(&k->set);
			break;
		}
	imap_seqset_resolve(&k->set, star);
}

static void
imap_search_bind_node(struct isk *k, uint32_t msg_count, uint32_t max_uid,
		      int (*kw_index)(void *ctx, const char *name), void *ctx)
{
	struct isk *c;

	for (c = k->children; c != NULL; c = c->next)
		imap_search_bind_node(c, msg_count, max_uid, kw_index, ctx);
	if (k->type == ISK_SEQSET)
		imap_search_bind_set(k, msg_count);
	else if (k->type == ISK_UIDSET)
		imap_search_bind_set(k, max_uid);
	else if (k->type == ISK_KEYWORD || k->type == ISK_UNKEYWORD)
		k->kw_bit = kw_index != NULL ? kw_index(ctx, k->str) : -1;
}

void
imap_search_bind(struct imap_search_program *prog, uint32_t msg_count,
		 uint32_t max_uid, int (*kw_index)(void *ctx, const char *name),
		 void *ctx)
{
	imap_search_bind_node(prog->root, msg_count, max_uid, kw_index, ctx);
}
