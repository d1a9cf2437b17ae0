/*
 * test_imap_list.c -- lib/imap_list.c: LIST pattern matching (a table,
 * INBOX case folding, the pattern length limit -1/limit/+1, a pattern
 * that explodes a backtracking matcher, and every small pattern/name pair
 * against a naive reference matcher), name sets (insert, remove, find,
 * children, renaming a subtree), the subscriptions parser (Dovecot's v1
 * and v2 formats, CRLF, INBOX in any case, invalid and overlong names,
 * the count limit), reading the folders of a Maildir++ root (skipping
 * non-folders, symlinks, hidden and invalid names), reading and writing
 * the subscriptions file (missing, too large, update under the lock), and
 * the selection of LIST entries with their attributes.
 */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imap_list.h"

/* --- matching --- */

struct mcase {
	const char *pattern, *name;
	bool match;
};

static const struct mcase mcases[] = {
	{ "*", "INBOX", true },
	{ "*", "a.b.c", true },
	{ "%", "a", true },
	{ "%", "a.b", false },
	{ "%.%", "a.b", true },
	{ "%.%", "a.b.c", false },
	{ "a.*", "a.b.c", true },
	{ "a.*", "a", false },
	{ "a*", "a", true },
	{ "a%", "ab", true },
	{ "a%", "a.b", false },
	{ "a.%", "a.b", true },
	{ "a.%", "a.b.c", false },
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "Sent", "Sent", true },
	{ "sent", "Sent", false }, /* only INBOX is case-insensitive */
	{ "inbox", "INBOX", true },
	{ "InBoX", "INBOX", true },
	{ "inbox*", "INBOX", false }, /* as Dovecot: INBOX + end or "." */
	{ "INBOX*", "INBOX", true },
	{ "inbox.*", "INBOX.x", true },
	{ "inbox", "inbox", false }, /* the name is always "INBOX" */
	{ "*b", "aaab", true },
	{ "*b", "aaaba", false },
	{ "%*%", "a.b", true },
	{ "**", "", true },
	{ "%%", "a.b", false },
	{ "*%", "a.b", true },
	{ "%*", "a.b", true },
	{ "a%b%c", "aXbYc", true },
	{ "a%b%c", "aX.bYc", false },
	{ "*.*", "a.b", true },
	{ "*.*", "ab", false },
	{ "&AOQ-*", "&AOQ-x", true },
	{ "a]b", "a]b", true },
};

static void
test_match_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		const struct mcase *c = &mcases[i];
		bool got = imap_list_match(c->pattern, strlen(c->pattern),
					   c->name, strlen(c->name));

		if (got != c->match)
			fail_msg("pattern \"%s\" name \"%s\": got %d",
				 c->pattern, c->name, got);
	}
}

/* The naive backtracking matcher (exponential, fine for tiny inputs). */
static bool
naive_match(const char *p, size_t pl, const char *n, size_t nl)
{
	size_t k;

	if (pl == 0)
		return nl == 0;
	if (*p == '*' || *p == '%') {
		for (k = 0; k <= nl; k++) {
			if (naive_match(p + 1, pl - 1, n + k, nl - k))
				return true;
			if (k < nl && *p == '%' && n[k] == '.')
				return false;
		}
		return false;
	}
	return nl > 0 && *p == *n && naive_match(p + 1, pl - 1, n + 1, nl - 1);
}

/* Every pattern over {a, ., *, %} up to 5 bytes against every name over
 * {a, b, .} up to 5 bytes. */
static void
test_match_exhaustive(void **state)
{
	static const char pa[] = "a.*%";
	static const char na[] = "ab.";
	char p[8], n[8];
	unsigned long pi, ni, x;
	size_t pl, nl, k;

	(void)state;
	for (pl = 0; pl <= 5; pl++) {
		unsigned long ptotal = 1;

		for (k = 0; k < pl; k++)
			ptotal *= 4;
		for (pi = 0; pi < ptotal; pi++) {
			for (x = pi, k = 0; k < pl; k++, x /= 4)
				p[k] = pa[x % 4];
			for (nl = 0; nl <= 5; nl++) {
				unsigned long ntotal = 1;

				for (k = 0; k < nl; k++)
					ntotal *= 3;
				for (ni = 0; ni < ntotal; ni++) {
					for (x = ni, k = 0; k < nl; k++, x /= 3)
						n[k] = na[x % 3];
					if (imap_list_match(p, pl, n, nl) !=
					    naive_match(p, pl, n, nl))
						fail_msg("\"%.*s\" vs \"%.*s\"",
							 (int)pl, p, (int)nl,
							 n);
				}
			}
		}
	}
}

static void
test_match_limits(void **state)
{
	char p[IMAP_LIST_PATTERN_MAX_BYTES + 2];
	char n[IMAP_LIST_PATTERN_MAX_BYTES + 2];
	size_t len;

	(void)state;
	memset(n, 'x', sizeof(n));
	for (len = IMAP_LIST_PATTERN_MAX_BYTES - 1;
	     len <= IMAP_LIST_PATTERN_MAX_BYTES + 1; len++) {
		memset(p, 'x', len);
		assert_int_equal(imap_list_match(p, len, n, len),
				 len <= IMAP_LIST_PATTERN_MAX_BYTES);
		assert_false(imap_list_match(p, len, n, len - 1));
	}
}

/* "*a*a*...*b" against "aaaa...": a backtracking matcher takes
 * exponential time; this one must be done at once. */
static void
test_match_pathological(void **state)
{
	char p[IMAP_LIST_PATTERN_MAX_BYTES];
	char n[1000];
	size_t pl = 0;
	clock_t start;
	int i;

	(void)state;
	while (pl + 3 < sizeof(p)) {
		p[pl++] = '*';
		p[pl++] = 'a';
	}
	p[pl++] = 'b';
	memset(n, 'a', sizeof(n));
	start = clock();
	for (i = 0; i < 5; i++)
		assert_false(imap_list_match(p, pl, n, sizeof(n)));
	n[sizeof(n) - 1] = 'b';
	assert_true(imap_list_match(p, pl, n, sizeof(n)));
	memcpy(p, "%a%a%a%a%a%a%a%a%a%a%b", 22);
	assert_true(imap_list_match(p, 22, n, sizeof(n)));
	n[500] = '.'; /* "%" does not cross a level */
	assert_false(imap_list_match(p, 22, n, sizeof(n)));
	/* generous: ~5 M steps each, sanitizers included */
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20.0);
}

/* --- name sets --- */

static void
assert_names(const struct imap_list_names *l, const char *joined)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_putc(&b, ' ');
		buf_append_str(&b, l->names[i]);
	}
	assert_string_equal(buf_cstr(&b), joined);
	buf_free(&b);
}

static void
test_names(void **state)
{
	struct imap_list_names l = { 0 };

	(void)state;
	assert_int_equal(imap_list_names_insert(&l, "b", 1), 1);
	assert_int_equal(imap_list_names_insert(&l, "a.b", 3), 1);
	assert_int_equal(imap_list_names_insert(&l, "a", 1), 1);
	assert_int_equal(imap_list_names_insert(&l, "a b", 3), 1);
	assert_int_equal(imap_list_names_insert(&l, "a", 1), 0);
	assert_int_equal(imap_list_names_insert(&l, "a.b.c", 5), 1);
	assert_int_equal(imap_list_names_insert(&l, "ab", 2), 1);
	assert_int_equal(imap_list_names_insert(&l, "x\0y", 3), -1);
	assert_names(&l, "a a b a.b a.b.c ab b");
	assert_int_equal(imap_list_names_find(&l, "a.b", 3), 2);
	assert_int_equal(imap_list_names_find(&l, "a.bx", 3), 2);
	assert_int_equal(imap_list_names_find(&l, "a.", 2), -1);
	assert_int_equal(imap_list_names_find(&l, "c", 1), -1);
	assert_int_equal(imap_list_names_first_child(&l, "a", 1), 2);
	assert_int_equal(imap_list_names_first_child(&l, "a.b", 3), 3);
	assert_int_equal(imap_list_names_first_child(&l, "a.b.c", 5), -1);
	assert_int_equal(imap_list_names_first_child(&l, "ab", 2), -1);
	assert_int_equal(imap_list_names_first_child(&l, "", 0), -1);
	assert_int_equal(imap_list_names_remove(&l, "a b", 3), 1);
	assert_int_equal(imap_list_names_remove(&l, "a b", 3), 0);
	assert_names(&l, "a a.b a.b.c ab b");

	/* a subtree moves; "ab" is not below "a" */
	assert_int_equal(imap_list_names_rename_tree(&l, "a", 1, "z", 1), 1);
	assert_names(&l, "ab b z z.b z.b.c");
	assert_int_equal(imap_list_names_rename_tree(&l, "q", 1, "r", 1), 0);
	/* onto existing names: the set stays unique */
	assert_int_equal(imap_list_names_rename_tree(&l, "z.b", 3, "b", 1), 1);
	assert_names(&l, "ab b b.c z");
	imap_list_names_free(&l);
	assert_int_equal(l.n, 0);

	assert_int_equal(imap_list_names_add(&l, "c", 1), 0);
	assert_int_equal(imap_list_names_add(&l, "a", 1), 0);
	assert_int_equal(imap_list_names_add(&l, "c", 1), 0);
	imap_list_names_sort(&l);
	assert_names(&l, "a c");
	imap_list_names_free(&l);
}

/* --- subscriptions parser --- */

struct pcase {
	const char *in;
	size_t len; /* 0: strlen */
	const char *names;
};

static const struct pcase pcases[] = {
	{ "", 0, "" },
	{ "Sent\nDrafts\n", 0, "Drafts Sent" },
	{ "Sent\r\nDrafts", 0, "Drafts Sent" },	 /* CRLF, no last LF */
	{ "\n\n\nSent\n\n", 0, "Sent" },	 /* blank lines */
	{ "inbox\nINBOX\nInBox\n", 0, "INBOX" }, /* canonical, once */
	{ "INBOX.x\ninbox.y\n", 0, "" },	 /* never below INBOX */
	{ "a.b\na..b\n.a\na.\n", 0, "a.b" },	 /* empty levels */
	{ "a*\nb%\nc/d\n", 0, "" },		 /* wildcards, "/" */
	{ "a\tb\n", 0, "" },			 /* control char (v1) */
	{ "V\t2\n\na\tb\nc\n", 0, "a.b c" },	 /* Dovecot v2 */
	{ "x\nV\t2\na\tb\n", 0, "x" },		 /* header only first */
	{ "&AOQ-\n&Jjo\n", 0, "&AOQ-" },	 /* bad modified UTF-7 */
	{ "a\0b\nc\n", 6, "c" },		 /* NUL */
	{ "\xc3\xa4\n", 0, "" },		 /* 8-bit */
};

static void
test_subs_parse(void **state)
{
	struct imap_list_names l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];

		assert_int_equal(imap_list_subs_parse(
					 c->in, c->len ? c->len : strlen(c->in),
					 &l),
				 0);
		assert_names(&l, c->names);
		imap_list_names_free(&l);
	}
}

static void
test_subs_parse_limits(void **state)
{
	struct imap_list_names l;
	struct buf b;
	char name[256];
	size_t len;
	int i;

	(void)state;
	/* the longest folder name (200 bytes) and one more */
	buf_init(&b, 0);
	for (len = 199; len <= 201; len++) {
		memset(name, 'n', len);
		name[0] = (char)('a' + (len - 199));
		buf_append(&b, name, len);
		buf_putc(&b, '\n');
	}
	assert_int_equal(imap_list_subs_parse(b.data, b.len, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(strlen(l.names[0]), 199);
	assert_int_equal(strlen(l.names[1]), 200);
	imap_list_names_free(&l);
	/* a line over IMAP_LIST_NAME_MAX_BYTES is skipped whole */
	buf_reset(&b);
	for (i = 0; i < IMAP_LIST_NAME_MAX_BYTES + 1; i++)
		buf_putc(&b, 'x');
	buf_append_str(&b, "\nok\n");
	assert_int_equal(imap_list_subs_parse(b.data, b.len, &l), 0);
	assert_names(&l, "ok");
	imap_list_names_free(&l);
	/* the count limit */
	buf_reset(&b);
	for (i = 0; i < IMAP_LIST_SUBS_MAX + 1; i++)
		buf_printf(&b, "f%d\n", i);
	assert_int_equal(imap_list_subs_parse(b.data, b.len, &l), 0);
	assert_int_equal(l.n, IMAP_LIST_SUBS_MAX);
	assert_int_equal(imap_list_names_find(&l, "f0", 2) >= 0, 1);
	imap_list_names_free(&l);
	buf_free(&b);
}

/* --- on disk --- */

struct fixture {
	char root[64];
};

static int
setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->root, "/tmp/test_imap_list.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
mkpath(const struct fixture *f, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", f->root, rel);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void
putfile(const struct fixture *f, const char *rel, const char *data, size_t len)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", f->root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
test_folders_read(void **state)
{
	struct fixture *f = *state;
	struct imap_list_names l;
	const char *err = NULL;
	char p[256], t[256];

	mkpath(f, "cur");
	mkpath(f, ".a");
	mkpath(f, ".a/cur");
	mkpath(f, ".a.b");
	mkpath(f, ".a.b/cur");
	mkpath(f, ".c.d");
	mkpath(f, ".c.d/cur");
	mkpath(f, ".nocur");
	mkpath(f, ".INBOX");
	mkpath(f, ".INBOX/cur");
	mkpath(f, ".inbox.x");
	mkpath(f, ".inbox.x/cur");
	mkpath(f, "..DELETED.1");
	mkpath(f, "..DELETED.1/cur");
	mkpath(f, ".bad%");
	mkpath(f, ".bad%/cur");
	mkpath(f, ".e.");
	mkpath(f, ".e./cur");
	mkpath(f, "plain");
	mkpath(f, "plain/cur");
	mkpath(f, ".curfile");
	putfile(f, ".curfile/cur", "x", 1);
	putfile(f, ".file", "x", 1);
	snprintf(p, sizeof(p), "%s/.link", f->root);
	assert_int_equal(symlink(".a", p), 0);
	snprintf(p, sizeof(p), "%s/.curlink", f->root);
	snprintf(t, sizeof(t), "%s/.curlink", f->root);
	mkpath(f, ".curlink");
	snprintf(p, sizeof(p), "%s/.curlink/cur", f->root);
	snprintf(t, sizeof(t), "%s/.a/cur", f->root);
	assert_int_equal(symlink(t, p), 0);

	assert_int_equal(imap_list_folders_read(f->root, &l, &err), 0);
	assert_names(&l, "a a.b c.d");
	imap_list_names_free(&l);

	snprintf(p, sizeof(p), "%s/missing", f->root);
	assert_int_equal(imap_list_folders_read(p, &l, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(l.n, 0);
}

static int
add_name(struct imap_list_names *subs, void *ctx, const char **error_r)
{
	(void)error_r;
	return imap_list_names_insert(subs, ctx, strlen(ctx));
}

static int
fail_update(struct imap_list_names *subs, void *ctx, const char **error_r)
{
	(void)subs;
	(void)ctx;
	*error_r = "test failure";
	errno = EPERM;
	return -1;
}

static void
test_subs_file(void **state)
{
	struct fixture *f = *state;
	struct imap_list_names l = { 0 }, r;
	const char *err = NULL;
	char p[256];
	struct buf b;
	bool exists = true;
	struct stat st;
	size_t i;

	/* missing: empty, not existing */
	assert_int_equal(imap_list_subs_read(f->root, &r, &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(r.n, 0);

	/* write, read back */
	imap_list_names_insert(&l, "Sent", 4);
	imap_list_names_insert(&l, "INBOX", 5);
	imap_list_names_insert(&l, "a.b", 3);
	assert_int_equal(imap_list_subs_write(f->root, &l, &err), 0);
	assert_int_equal(imap_list_subs_read(f->root, &r, &exists, &err), 0);
	assert_true(exists);
	assert_names(&r, "INBOX Sent a.b");
	imap_list_names_free(&r);
	imap_list_names_free(&l);
	snprintf(p, sizeof(p), "%s/subscriptions", f->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* update under the lock: added; an unchanged or failed update
	 * writes nothing; the lock is gone afterwards */
	assert_int_equal(imap_list_subs_update(f->root, add_name, "New", &err),
			 0);
	assert_int_equal(imap_list_subs_update(f->root, add_name, "New", &err),
			 0);
	assert_int_equal(
		imap_list_subs_update(f->root, fail_update, NULL, &err), -1);
	assert_int_equal(errno, EPERM);
	assert_string_equal(err, "test failure");
	assert_int_equal(imap_list_subs_read(f->root, &r, NULL, &err), 0);
	assert_names(&r, "INBOX New Sent a.b");
	imap_list_names_free(&r);
	snprintf(p, sizeof(p), "%s/subscriptions.lock", f->root);
	assert_int_equal(stat(p, &st), -1);

	/* too large: read up to the limit, the cut line dropped */
	buf_init(&b, 0);
	for (i = 0; b.len < IMAP_LIST_SUBS_MAX_BYTES + 100; i++)
		buf_printf(&b, "%s%zu\n", i % 2 ? "folder" : "f", i);
	putfile(f, "subscriptions", b.data, b.len);
	assert_int_equal(imap_list_subs_read(f->root, &r, NULL, &err), 0);
	assert_true(r.n > 0 && r.n <= IMAP_LIST_SUBS_MAX);
	imap_list_names_free(&r);
	buf_free(&b);

	/* not a regular file */
	snprintf(p, sizeof(p), "%s/subscriptions", f->root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(imap_list_subs_read(f->root, &r, NULL, &err), -1);
	assert_int_equal(unlink(p), 0);
	/* a symlink is not followed */
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(imap_list_subs_read(f->root, &r, NULL, &err), -1);
	assert_int_equal(errno, ELOOP);
}

/* --- selection --- */

static const char *
special(const char *name)
{
	return strcmp(name, "Sent") == 0 ? "\\Sent" : NULL;
}

struct sel_expect {
	const char *name;
	unsigned flags;
};

#define F_NX IMAP_LIST_F_NONEXISTENT
#define F_CH IMAP_LIST_F_CHILDREN
#define F_SU IMAP_LIST_F_SUBSCRIBED
#define F_CM IMAP_LIST_F_CHILD_MATCH
#define F_SE IMAP_LIST_F_SELECTED

static void
check_select(const char *const *pats, size_t npats, unsigned sel,
	     const struct sel_expect *want, size_t nwant)
{
	static const char *const folder_names[] = { "Sent", "a.b", "a.b.c", "c",
						    "x.y.z" };
	static const char *const sub_names[] = { "INBOX", "a.b.c", "c", "gone",
						 "Sent" };
	struct imap_list_names folders = { 0 }, subs = { 0 };
	struct imap_list_query q;
	struct imap_list_result r;
	size_t lens[8], i;

	for (i = 0; i < sizeof(folder_names) / sizeof(folder_names[0]); i++)
		imap_list_names_insert(&folders, folder_names[i],
				       strlen(folder_names[i]));
	for (i = 0; i < sizeof(sub_names) / sizeof(sub_names[0]); i++)
		imap_list_names_insert(&subs, sub_names[i],
				       strlen(sub_names[i]));
	for (i = 0; i < npats; i++)
		lens[i] = strlen(pats[i]);
	memset(&q, 0, sizeof(q));
	q.folders = &folders;
	q.subs = &subs;
	q.patterns = pats;
	q.pattern_lens = lens;
	q.n_patterns = npats;
	q.select = sel;
	q.special_use = special;
	assert_int_equal(imap_list_select(&q, &r), 0);
	for (i = 0; i < r.names.n && i < nwant; i++) {
		if (strcmp(r.names.names[i], want[i].name) != 0 ||
		    r.flags[i] != want[i].flags)
			fail_msg("entry %zu: got %s %#x, want %s %#x", i,
				 r.names.names[i], r.flags[i], want[i].name,
				 want[i].flags);
	}
	assert_int_equal(r.names.n, nwant);
	imap_list_result_free(&r);
	imap_list_names_free(&folders);
	imap_list_names_free(&subs);
}

static void
test_select(void **state)
{
	static const char *const star[] = { "*" };
	static const char *const pct[] = { "%" };
	static const char *const two[] = { "a.%", "inbox" };
	static const char *const none[] = { "nomatch" };
	static const struct sel_expect all[] = {
		{ "INBOX", F_SE | F_SU },    { "Sent", F_SE | F_SU },
		{ "a", F_SE | F_NX | F_CH }, { "a.b", F_SE | F_CH },
		{ "a.b.c", F_SE | F_SU },    { "c", F_SE | F_SU },
		{ "x", F_SE | F_NX | F_CH }, { "x.y", F_SE | F_NX | F_CH },
		{ "x.y.z", F_SE },
	};
	static const struct sel_expect top[] = {
		{ "INBOX", F_SE | F_SU },    { "Sent", F_SE | F_SU },
		{ "a", F_SE | F_NX | F_CH }, { "c", F_SE | F_SU },
		{ "x", F_SE | F_NX | F_CH },
	};
	static const struct sel_expect multi[] = {
		{ "INBOX", F_SE | F_SU },
		{ "a.b", F_SE | F_CH },
	};
	static const struct sel_expect subscribed[] = {
		{ "INBOX", F_SE | F_SU },	{ "Sent", F_SE | F_SU },
		{ "a.b.c", F_SE | F_SU },	{ "c", F_SE | F_SU },
		{ "gone", F_SE | F_SU | F_NX },
	};
	static const struct sel_expect subscribed_top[] = {
		{ "INBOX", F_SE | F_SU },
		{ "Sent", F_SE | F_SU },
		{ "c", F_SE | F_SU },
		{ "gone", F_SE | F_SU | F_NX },
	};
	static const struct sel_expect recursive_top[] = {
		{ "INBOX", F_SE | F_SU },	{ "Sent", F_SE | F_SU },
		{ "a", F_NX | F_CH | F_CM },	{ "c", F_SE | F_SU },
		{ "gone", F_SE | F_SU | F_NX },
	};
	static const struct sel_expect recursive_all[] = {
		{ "INBOX", F_SE | F_SU },	{ "Sent", F_SE | F_SU },
		{ "a", F_NX | F_CH | F_CM },	{ "a.b", F_CH | F_CM },
		{ "a.b.c", F_SE | F_SU },	{ "c", F_SE | F_SU },
		{ "gone", F_SE | F_SU | F_NX },
	};
	static const struct sel_expect special_use[] = {
		{ "Sent", F_SE | F_SU },
	};

	(void)state;
	check_select(star, 1, 0, all, sizeof(all) / sizeof(all[0]));
	check_select(pct, 1, 0, top, sizeof(top) / sizeof(top[0]));
	check_select(two, 2, 0, multi, sizeof(multi) / sizeof(multi[0]));
	check_select(none, 1, 0, NULL, 0);
	check_select(star, 1, IMAP_LIST_SEL_SUBSCRIBED, subscribed,
		     sizeof(subscribed) / sizeof(subscribed[0]));
	check_select(pct, 1, IMAP_LIST_SEL_SUBSCRIBED, subscribed_top,
		     sizeof(subscribed_top) / sizeof(subscribed_top[0]));
	check_select(pct, 1,
		     IMAP_LIST_SEL_SUBSCRIBED | IMAP_LIST_SEL_RECURSIVEMATCH,
		     recursive_top,
		     sizeof(recursive_top) / sizeof(recursive_top[0]));
	check_select(star, 1,
		     IMAP_LIST_SEL_SUBSCRIBED | IMAP_LIST_SEL_RECURSIVEMATCH,
		     recursive_all,
		     sizeof(recursive_all) / sizeof(recursive_all[0]));
	check_select(star, 1, IMAP_LIST_SEL_SPECIAL_USE, special_use,
		     sizeof(special_use) / sizeof(special_use[0]));
	check_select(star, 1,
		     IMAP_LIST_SEL_SPECIAL_USE | IMAP_LIST_SEL_SUBSCRIBED,
		     special_use, sizeof(special_use) / sizeof(special_use[0]));
}

/* Deep names: every level above is listed once, in order. */
static void
test_select_deep(void **state)
{
	static const char *const star[] = { "*" };
	struct imap_list_names folders = { 0 }, subs = { 0 };
	struct imap_list_query q;
	struct imap_list_result r;
	size_t len = 1, i;
	char name[200];

	(void)state;
	memset(name, 'a', sizeof(name));
	for (i = 1; i < 100; i++)
		name[2 * i - 1] = '.';
	len = 199; /* a.a.a...a: 100 levels */
	imap_list_names_insert(&folders, name, len);
	imap_list_names_insert(&folders, name, 5);
	memset(&q, 0, sizeof(q));
	q.folders = &folders;
	q.subs = &subs;
	q.patterns = star;
	len = 1;
	q.pattern_lens = &len;
	q.n_patterns = 1;
	assert_int_equal(imap_list_select(&q, &r), 0);
	assert_int_equal(r.names.n, 101); /* INBOX + 100 levels */
	for (i = 1; i <= 100; i++) {
		assert_int_equal(strlen(r.names.names[i]), 2 * i - 1);
		assert_int_equal(r.flags[i] & F_NX,
				 i == 3 || i == 100 ? 0 : F_NX);
		assert_int_equal(r.flags[i] & F_CH, i == 100 ? 0 : F_CH);
	}
	imap_list_result_free(&r);
	imap_list_names_free(&folders);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_match_exhaustive),
		cmocka_unit_test(test_match_limits),
		cmocka_unit_test(test_match_pathological),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_subs_parse),
		cmocka_unit_test(test_subs_parse_limits),
		cmocka_unit_test_setup_teardown(test_folders_read, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_subs_file, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_select_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
