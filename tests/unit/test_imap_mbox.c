/*
 * test_imap_mbox.c -- lib/imap_mbox*.c: flag letters, the keyword and
 * cache parsers (hostile, damaged and truncated input), and real folders
 * under /tmp: open (new/ -> cur/ and \Recent, read-only moves nothing),
 * sync (nothing changed, another handle's store/expunge/delivery seen
 * exactly, our own changes not reported back), store, expunge, append
 * (CRLF, flags, keywords, date), copy (links, keywords by name, dates),
 * keywords (26 + 1: ENOSPC), the cache (persisted, damaged, compacted),
 * status, tmp/ cleanup, names that are not Maildir names, symlinks, a
 * message renamed by someone else, EROFS; +FLAGS/-FLAGS applied to the
 * flags on disk from a stale view (store_delta), \Recent claimed for
 * APPENDed and COPYed messages, and listings racing a process that
 * renames messages (none may be missed), or another session's APPEND
 * whose UID comes before one the listing gives (no message may end up
 * below a reported UID).
 */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imap_mbox.h"
#include "uidlist.h"

struct fixture {
	char dir[64];
	char dir2[80];
};

static void
mkmaildir(const char *d)
{
	char p[256];

	assert_int_equal(mkdir(d, 0700) == 0 || errno == EEXIST, 1);
	snprintf(p, sizeof(p), "%s/new", d);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/cur", d);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/tmp", d);
	assert_int_equal(mkdir(p, 0700), 0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_imap_mbox.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	mkmaildir(f->dir);
	snprintf(f->dir2, sizeof(f->dir2), "%s/.Other", f->dir);
	mkmaildir(f->dir2);
	*state = f;
	return 0;
}

/* test_expunge_renamed_meanwhile's --wrap=unlink hook (below) */
static unsigned unlink_races;

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	unlink_races = 0;
	imap_mbox_set_watch(true);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
put(const char *dir, const char *sub, const char *name, const char *data)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, strlen(data), fp), strlen(data));
	assert_int_equal(fclose(fp), 0);
}

/* A delivery as quail-deliver names it. */
static void
deliver(const char *dir, unsigned n, const char *data)
{
	char name[128];
	size_t lf = 0, i;

	for (i = 0; data[i] != '\0'; i++)
		lf += data[i] == '\n';
	snprintf(name, sizeof(name), "1700000000.M%06uP1Q%u.host,S=%zu,W=%zu",
		 n, n, strlen(data), strlen(data) + lf);
	put(dir, "new", name, data);
}

static bool
exists(const char *dir, const char *sub, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	return lstat(path, &st) == 0;
}

static size_t
count_dir(const char *dir, const char *sub)
{
	char path[512];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_letters(void **state)
{
	static const struct {
		uint32_t flags, kw;
		const char *letters;
	} cases[] = {
		{ 0, 0, "" },
		{ IMAP_MBOX_SEEN, 0, "S" },
		{ IMAP_MBOX_STORED_FLAGS, 0, "DFRST" },
		{ IMAP_MBOX_SEEN | IMAP_MBOX_ANSWERED, 1u, "RSa" },
		{ 0, (1u << 26) - 1, "abcdefghijklmnopqrstuvwxyz" },
		{ IMAP_MBOX_DRAFT | IMAP_MBOX_FLAGGED, 1u << 25, "DFz" },
	};
	char out[40];
	uint32_t f, k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		imap_mbox_flag_letters(cases[i].flags, cases[i].kw, out);
		assert_string_equal(out, cases[i].letters);
		imap_mbox_parse_letters(cases[i].letters, &f, &k);
		assert_int_equal(f, cases[i].flags);
		assert_int_equal(k, cases[i].kw);
	}
	/* \Recent is never stored; unknown letters are ignored */
	imap_mbox_flag_letters(IMAP_MBOX_RECENT, 0, out);
	assert_string_equal(out, "");
	imap_mbox_parse_letters("PSX1,a", &f, &k);
	assert_int_equal(f, IMAP_MBOX_SEEN);
	assert_int_equal(k, 1u);
}

static void
test_keyword_valid(void **state)
{
	char big[IMAP_MBOX_KEYWORD_MAX_BYTES + 2];

	(void)state;
	assert_true(imap_mbox_keyword_valid("$Label1", 7));
	assert_true(imap_mbox_keyword_valid("a", 1));
	assert_false(imap_mbox_keyword_valid("", 0));
	assert_false(imap_mbox_keyword_valid("\\Seen", 5));
	assert_false(imap_mbox_keyword_valid("a b", 3));
	assert_false(imap_mbox_keyword_valid("a(", 2));
	assert_false(imap_mbox_keyword_valid("a]", 2));
	assert_false(imap_mbox_keyword_valid("a%", 2));
	assert_false(imap_mbox_keyword_valid("a*", 2));
	assert_false(imap_mbox_keyword_valid("a\"", 2));
	assert_false(imap_mbox_keyword_valid("a{", 2));
	assert_false(imap_mbox_keyword_valid("a\x7f", 2));
	assert_false(imap_mbox_keyword_valid("a\x80", 2));
	assert_false(imap_mbox_keyword_valid("a\0b", 3));
	memset(big, 'k', sizeof(big));
	assert_true(imap_mbox_keyword_valid(big, IMAP_MBOX_KEYWORD_MAX_BYTES - 1));
	assert_true(imap_mbox_keyword_valid(big, IMAP_MBOX_KEYWORD_MAX_BYTES));
	assert_false(
		imap_mbox_keyword_valid(big, IMAP_MBOX_KEYWORD_MAX_BYTES + 1));
}

static void
free_names(char **names)
{
	unsigned k;

	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++)
		free(names[k]);
}

static void
test_keywords_parse(void **state)
{
	static const struct {
		const char *text;
		unsigned count;
		const char *want[4]; /* indexes 0..3, NULL: none */
	} cases[] = {
		{ "", 0, { NULL } },
		{ "0 $Label1\n1 Junk\n", 2, { "$Label1", "Junk" } },
		{ "1 Junk\n", 2, { NULL, "Junk" } },
		{ "0 a\n0 b\n", 1, { "a" } },		  /* index twice */
		{ "0 a\n1 A\n", 1, { "a" } },		  /* name twice */
		{ "0 a\n1 b", 1, { "a" } },		  /* partial line */
		{ "0 \\Seen\n1 ok\n", 2, { NULL, "ok" } }, /* not an atom */
		{ "26 x\n0 y\n", 1, { "y" } },		  /* index too big */
		{ "00 x\n", 0, { NULL } },		  /* leading zero */
		{ "x 0\n-1 y\n 0 z\n0  z\n0\n", 0, { NULL } },
		{ "3 d\r\n", 0, { NULL } }, /* CR is not an atom char */
		{ "2 c\n\n\n", 3, { NULL, NULL, "c" } },
		{ "25 z\n", 26, { NULL } },
	};
	char *names[IMAP_MBOX_KEYWORDS_MAX];
	unsigned count, k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(imap_mbox_keywords_parse(cases[i].text,
							  strlen(cases[i].text),
							  names, &count),
				 0);
		if (count != cases[i].count)
			fail_msg("case %zu: count %u", i, count);
		for (k = 0; k < 4; k++) {
			if (cases[i].want[k] == NULL)
				assert_null(names[k]);
			else
				assert_string_equal(names[k], cases[i].want[k]);
		}
		free_names(names);
	}
	/* every prefix of a good file parses */
	{
		const char *t = "0 one\n1 two\n2 three\n";
		size_t n;

		for (n = 0; n <= strlen(t); n++) {
			assert_int_equal(
				imap_mbox_keywords_parse(t, n, names, &count),
				0);
			assert_true(count <= 3);
			free_names(names);
		}
	}
}

struct cache_rec {
	char base[64];
	char field;
	char val[64];
	size_t vlen;
};

struct cache_ctx {
	struct cache_rec recs[16];
	size_t n;
};

static int
cache_cb(void *ctx, const char *base, size_t base_len, char field,
	 const char *val, size_t val_len)
{
	struct cache_ctx *c = ctx;

	assert_true(c->n < 16);
	assert_true(base_len < 64 && val_len < 64);
	memcpy(c->recs[c->n].base, base, base_len);
	c->recs[c->n].base[base_len] = '\0';
	c->recs[c->n].field = field;
	memcpy(c->recs[c->n].val, val, val_len);
	c->recs[c->n].vlen = val_len;
	c->n++;
	return 0;
}

static int
cache_fail_cb(void *ctx, const char *base, size_t base_len, char field,
	      const char *val, size_t val_len)
{
	(void)ctx;
	(void)base;
	(void)base_len;
	(void)field;
	(void)val;
	(void)val_len;
	return -1;
}

static void
test_cache_parse(void **state)
{
	static const char good[] = "QUAILCACHE1\n"
				   "E3 5 abchello\n"
				   "D3 0 abc\n"
				   "B1 3 x\n\0\n\n";
	static const struct {
		const char *text;
		size_t len;
		int r;
		size_t n, good;
	} cases[] = {
		{ "", 0, 0, 0, 0 },
		{ "QUAILCACHE2\n", 12, 0, 0, 0 },
		{ "QUAILCACHE1\n", 12, 1, 0, 12 },
		{ "QUAILCACHE1\nE3 5 abchello", 25, 0, 0, 12 }, /* no LF */
		{ "QUAILCACHE1\nE3 5 abchelloX", 26, 0, 0, 12 },
		{ "QUAILCACHE1\nE0 1 x\n", 19, 0, 0, 12 },   /* empty base */
		{ "QUAILCACHE1\nE256 0 x\n", 21, 0, 0, 12 }, /* base > 255 */
		{ "QUAILCACHE1\nE1 65537 x\n", 23, 0, 0, 12 },
		{ "QUAILCACHE1\nE1 9999999 x\n", 25, 0, 0, 12 },
		{ "QUAILCACHE1\nE1 99999999999999999999 x\n", 38, 0, 0, 12 },
		{ "QUAILCACHE1\n E1 0 x\n", 20, 0, 0, 12 }, /* bad field */
		{ "QUAILCACHE1\nE3 0 a/b\n", 21, 0, 0, 12 }, /* bad base */
		{ "QUAILCACHE1\nE1 0 .\n", 19, 0, 0, 12 },
		{ "QUAILCACHE1\nE1 2 xab\nE1 1 y", 27, 0, 1, 21 },
	};
	struct cache_ctx c;
	size_t i, good_len, cut;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(imap_mbox_cache_parse(good, sizeof(good) - 1,
					       cache_cb, &c, &good_len),
			 1);
	assert_int_equal(good_len, sizeof(good) - 1);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.recs[0].base, "abc");
	assert_int_equal(c.recs[0].field, 'E');
	assert_memory_equal(c.recs[0].val, "hello", 5);
	assert_int_equal(c.recs[1].vlen, 0);
	assert_int_equal(c.recs[2].vlen, 3);
	assert_memory_equal(c.recs[2].val, "\n\0\n", 3); /* binary value */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&c, 0, sizeof(c));
		if (imap_mbox_cache_parse(cases[i].text, cases[i].len,
					  cache_cb, &c, &good_len) !=
			    cases[i].r ||
		    c.n != cases[i].n || good_len != cases[i].good)
			fail_msg("case %zu: n %zu good %zu", i, c.n, good_len);
	}
	/* every truncation of the good file stops at a record boundary */
	for (cut = 0; cut < sizeof(good) - 1; cut++) {
		int r;

		memset(&c, 0, sizeof(c));
		r = imap_mbox_cache_parse(good, cut, cache_cb, &c, &good_len);
		assert_true(r == 0 || (r == 1 && (cut == 12 || cut == 26 ||
						  cut == 35)));
		assert_true(good_len <= cut);
	}
	assert_int_equal(imap_mbox_cache_parse(good, sizeof(good) - 1,
					       cache_fail_cb, NULL, &good_len),
			 -1);
}

/* Opens dir or fails the test. */
static struct imap_mbox *
xopen(const char *dir, bool ro)
{
	struct imap_mbox *mb = NULL;
	const char *err = NULL;

	if (imap_mbox_open(&mb, dir, ro, &err) < 0)
		fail_msg("open %s: %s", dir, err);
	return mb;
}

static void
xsync(struct imap_mbox *mb, struct imap_mbox_changes *ch)
{
	const char *err = NULL;

	if (imap_mbox_sync(mb, ch, &err) < 0)
		fail_msg("sync: %s", err);
}

static void
test_open_recent(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb, *ro;
	struct imap_mbox_changes ch;
	uint32_t uidv;

	deliver(f->dir, 1, "Subject: one\n\nbody\n");
	deliver(f->dir, 2, "Subject: two\n\nbody\n");
	put(f->dir, "cur", "1600000000.M1P1Q1.host,S=5,W=6:2,S", "x:y\n\n");
	/* not Maildir names: skipped */
	put(f->dir, "cur", ".hidden", "x");
	put(f->dir, "cur", "bad name", "x");
	put(f->dir, "new", ",S=1", "x");

	/* read-only: reports new/ as \Recent, moves nothing */
	ro = xopen(f->dir, true);
	assert_int_equal(ro->n, 3);
	assert_int_equal(ro->recent, 2);
	assert_int_equal(count_dir(f->dir, "new"), 3);
	assert_true(ro->msgs[0].in_cur);
	assert_int_equal(ro->msgs[0].flags, IMAP_MBOX_SEEN);
	assert_int_equal(ro->msgs[0].vsize, 6);
	assert_int_equal(ro->msgs[1].flags, IMAP_MBOX_RECENT);
	assert_int_equal(ro->msgs[1].vsize, 22);
	uidv = ro->uidvalidity;
	assert_int_equal(ro->uidnext, 4);
	assert_int_equal(ro->msgs[0].uid, 1);
	assert_int_equal(ro->msgs[2].uid, 3);
	imap_mbox_close(&ro);
	assert_null(ro);

	/* read-write: moved to cur/ with ":2,", \Recent for us only */
	mb = xopen(f->dir, false);
	assert_int_equal(mb->n, 3);
	assert_int_equal(mb->recent, 2);
	assert_int_equal(mb->uidvalidity, uidv);
	assert_int_equal(count_dir(f->dir, "new"), 1); /* ",S=1" stays */
	assert_true(mb->msgs[1].in_cur);
	assert_string_equal(mb->msgs[1].name,
			    "1700000000.M000001P1Q1.host,S=19,W=22:2,");
	assert_true(exists(f->dir, "cur", mb->msgs[1].name));
	assert_int_equal(mb->msgs[2].flags, IMAP_MBOX_RECENT);
	xsync(mb, &ch);
	assert_int_equal(ch.n_new + ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	imap_mbox_close(&mb);

	mb = xopen(f->dir, false);
	assert_int_equal(mb->recent, 0);
	assert_int_equal(mb->msgs[1].flags, 0);
	assert_int_equal(mb->msgs[2].uid, 3);
	imap_mbox_close(&mb);
}

struct seqs {
	uint32_t seq[16];
	size_t n;
};

static void
expunge_cb(void *ctx, uint32_t seq)
{
	struct seqs *s = ctx;

	assert_true(s->n < 16);
	s->seq[s->n++] = seq;
}

static void
test_two_handles(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	struct imap_seqset set = IMAP_SEQSET_INIT;
	struct seqs s = { { 0 }, 0 };
	const char *err = NULL;
	unsigned i;

	for (i = 1; i <= 5; i++)
		deliver(f->dir, i, "Subject: x\n\nbody\n");
	a = xopen(f->dir, false);
	b = xopen(f->dir, false);
	assert_int_equal(a->n, 5);
	assert_int_equal(b->n, 5);
	assert_int_equal(a->recent, 5);
	assert_int_equal(b->recent, 0);

	/* a stores: a's own sync reports nothing, b's exactly that */
	assert_int_equal(imap_mbox_store(a, 1, IMAP_MBOX_SEEN |
						       IMAP_MBOX_FLAGGED,
					 0, &err),
			 0);
	assert_int_equal(a->msgs[1].flags,
			 IMAP_MBOX_SEEN | IMAP_MBOX_FLAGGED | IMAP_MBOX_RECENT);
	assert_true(exists(f->dir, "cur", a->msgs[1].name));
	/* unchanged: nothing happens */
	assert_int_equal(imap_mbox_store(a, 1, IMAP_MBOX_SEEN |
						       IMAP_MBOX_FLAGGED |
						       IMAP_MBOX_RECENT,
					 0, &err),
			 0);
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged + ch.n_new, 0);
	imap_mbox_changes_free(&ch);
	xsync(b, &ch);
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.flags_changed[0], 1);
	assert_int_equal(ch.n_expunged + ch.n_new, 0);
	assert_int_equal(b->msgs[1].flags, IMAP_MBOX_SEEN | IMAP_MBOX_FLAGGED);
	imap_mbox_changes_free(&ch);

	/* b expunges messages 2 and 4 (\Deleted): a sees 4 then 2 */
	assert_int_equal(imap_mbox_store(b, 1, IMAP_MBOX_DELETED, 0, &err), 0);
	assert_int_equal(imap_mbox_store(b, 3, IMAP_MBOX_DELETED, 0, &err), 0);
	assert_int_equal(imap_mbox_expunge(b, NULL, true, expunge_cb, &s, &err),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.seq[0], 4);
	assert_int_equal(s.seq[1], 2);
	assert_int_equal(b->n, 3);
	assert_int_equal(b->msgs[1].uid, 3);
	xsync(b, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged + ch.n_new, 0);
	imap_mbox_changes_free(&ch);
	xsync(a, &ch);
	assert_int_equal(ch.n_expunged, 2);
	assert_int_equal(ch.expunged[0], 4);
	assert_int_equal(ch.expunged[1], 2);
	assert_int_equal(ch.n_flags_changed, 0);
	assert_int_equal(a->n, 3);
	assert_int_equal(a->recent, 3);
	imap_mbox_changes_free(&ch);

	/* a new delivery: both see it, only the first to sync gets it
	 * \Recent */
	deliver(f->dir, 9, "Subject: new\n\nbody\n");
	xsync(b, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(b->n, 4);
	assert_int_equal(b->msgs[3].uid, 6);
	assert_int_equal(b->recent, 1);
	imap_mbox_changes_free(&ch);
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(a->msgs[3].uid, 6);
	assert_int_equal(a->msgs[3].flags & IMAP_MBOX_RECENT, 0);
	imap_mbox_changes_free(&ch);

	/* a renamed it (store); b still finds it to read and store */
	assert_int_equal(imap_mbox_store(a, 3, IMAP_MBOX_ANSWERED, 0, &err), 0);
	{
		struct buf out = BUF_INIT;
		int fd = imap_mbox_msg_open(b, 3, &err);

		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(imap_mbox_msg_read(b, 3, SIZE_MAX, &out, &err),
				 0);
		assert_string_equal(buf_cstr(&out), "Subject: new\n\nbody\n");
		buf_reset(&out);
		assert_int_equal(imap_mbox_msg_read(b, 3, 7, &out, &err), 0);
		assert_int_equal(out.len, 7);
		buf_free(&out);
	}
	assert_int_equal(imap_mbox_store(b, 3, IMAP_MBOX_SEEN, 0, &err), 0);
	assert_int_equal(count_dir(f->dir, "cur"), 4);

	/* UID EXPUNGE of a set: only those */
	assert_int_equal(imap_seqset_parse("6", 1, &set, &err), 0);
	imap_seqset_resolve(&set, 6);
	s.n = 0;
	assert_int_equal(imap_mbox_expunge(a, &set, false, expunge_cb, &s,
					   &err),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.seq[0], 4);
	imap_seqset_free(&set);
	/* b's message 4 is gone: ENOENT */
	assert_int_equal(imap_mbox_msg_open(b, 3, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(imap_mbox_store(b, 3, 0, 0, &err), -1);
	assert_int_equal(errno, ENOENT);
	xsync(b, &ch);
	assert_int_equal(ch.n_expunged, 1);
	assert_int_equal(ch.expunged[0], 4);
	imap_mbox_changes_free(&ch);
	assert_int_equal(imap_mbox_find_uid(b, 3), 1);
	assert_int_equal(imap_mbox_find_uid(b, 2), -1);
	assert_int_equal(imap_mbox_find_uid(b, 6), -1);
	imap_mbox_close(&a);
	imap_mbox_close(&b);
}

static void
test_readonly(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;
	const char *err = NULL;

	deliver(f->dir, 1, "a\n");
	mb = xopen(f->dir, true);
	assert_int_equal(imap_mbox_store(mb, 0, IMAP_MBOX_SEEN, 0, &err), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(imap_mbox_expunge(mb, NULL, false, NULL, NULL, &err),
			 -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(imap_mbox_keyword(mb, "x", 1, true, &err), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(imap_mbox_cache_put(mb, 0, 'E', "v", 1), 0);
	assert_int_equal(imap_mbox_cache_flush(mb, &err), 0);
	imap_mbox_close(&mb);
	assert_false(exists(f->dir, "", "quail-cache"));
	assert_int_equal(count_dir(f->dir, "new"), 1);
}

static void
test_keywords(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	const char *err = NULL;
	char name[16];
	int k;

	deliver(f->dir, 1, "a\n");
	a = xopen(f->dir, false);
	b = xopen(f->dir, false);
	assert_int_equal(imap_mbox_keyword(a, "$Label1", 7, false, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(imap_mbox_keyword(a, "\\Seen", 5, true, &err), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(imap_mbox_keyword(a, "$Label1", 7, true, &err), 0);
	assert_int_equal(imap_mbox_keyword(a, "$label1", 7, false, &err), 0);
	assert_int_equal(imap_mbox_keyword(a, "Junk", 4, true, &err), 1);
	assert_int_equal(a->keyword_count, 2);
	assert_string_equal(a->keywords[1], "Junk");
	assert_int_equal(imap_mbox_store(a, 0, 0, 2u, &err), 0);
	assert_non_null(strstr(a->msgs[0].name, ":2,b"));
	/* a's next sync does not announce a's own new keywords (the
	 * caller did) */
	xsync(a, &ch);
	assert_false(ch.keywords_changed);
	assert_int_equal(ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	/* b learns both the names and the flag */
	xsync(b, &ch);
	assert_true(ch.keywords_changed);
	assert_int_equal(b->keyword_count, 2);
	assert_string_equal(b->keywords[0], "$Label1");
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(b->msgs[0].keywords, 2u);
	imap_mbox_changes_free(&ch);
	/* b finds a's keyword without creating it */
	assert_int_equal(imap_mbox_keyword(b, "JUNK", 4, false, &err), 1);
	/* b creates one, then a another: a's sync reports b's (once), b's
	 * reports a's, neither its own */
	assert_int_equal(imap_mbox_keyword(b, "Other", 5, true, &err), 2);
	assert_int_equal(imap_mbox_keyword(a, "Mine", 4, true, &err), 3);
	assert_string_equal(a->keywords[2], "Other");
	xsync(a, &ch);
	assert_true(ch.keywords_changed);
	imap_mbox_changes_free(&ch);
	xsync(a, &ch);
	assert_false(ch.keywords_changed);
	imap_mbox_changes_free(&ch);
	xsync(b, &ch);
	assert_true(ch.keywords_changed);
	assert_int_equal(b->keyword_count, 4);
	imap_mbox_changes_free(&ch);
	xsync(b, &ch);
	assert_false(ch.keywords_changed);
	imap_mbox_changes_free(&ch);
	/* fill up to 26, then ENOSPC */
	for (k = 4; k < IMAP_MBOX_KEYWORDS_MAX; k++) {
		snprintf(name, sizeof(name), "kw%d", k);
		assert_int_equal(imap_mbox_keyword(b, name, strlen(name), true,
						   &err),
				 k);
	}
	assert_int_equal(imap_mbox_keyword(b, "one-more", 8, true, &err), -1);
	assert_int_equal(errno, ENOSPC);
	/* existing ones still found */
	assert_int_equal(imap_mbox_keyword(b, "kw25", 4, true, &err), 25);
	assert_int_equal(imap_mbox_store(b, 0, IMAP_MBOX_SEEN, 1u << 25, &err),
			 0);
	assert_non_null(strstr(b->msgs[0].name, ":2,Sz"));
	xsync(a, &ch);
	assert_true(ch.keywords_changed);
	assert_int_equal(a->keyword_count, 26);
	assert_int_equal(a->msgs[0].keywords, 1u << 25);
	imap_mbox_changes_free(&ch);
	imap_mbox_close(&a);
	imap_mbox_close(&b);
}

static void
test_damaged_keyword_file(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;
	const char *err = NULL;

	put(f->dir, "", "quail-keywords",
	    "0 good\n1 \\bad\nnonsense\n2 fine\n\x01\x02\n3 x");
	put(f->dir, "cur", "1700000000.M1P1Q1.host,S=2,W=3:2,abcdz", "a\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->keyword_count, 3);
	assert_string_equal(mb->keywords[0], "good");
	assert_non_null(mb->keywords[1]); /* a placeholder keeps index 1 */
	assert_true(imap_mbox_keyword_valid(mb->keywords[1],
					    strlen(mb->keywords[1])));
	assert_string_equal(mb->keywords[2], "fine");
	/* letters without a name are not reported, but kept by a store */
	assert_int_equal(mb->msgs[0].keywords, 7u);
	assert_int_equal(imap_mbox_store(mb, 0, IMAP_MBOX_SEEN, 1u, &err), 0);
	assert_string_equal(mb->msgs[0].name,
			    "1700000000.M1P1Q1.host,S=2,W=3:2,Sadz");
	/* a new keyword takes index 3 */
	assert_int_equal(imap_mbox_keyword(mb, "new", 3, true, &err), 3);
	imap_mbox_close(&mb);
	/* a file that is too large is no keyword file */
	{
		char *big = malloc(IMAP_MBOX_KEYWORDS_FILE_MAX_BYTES + 2);

		assert_non_null(big);
		memset(big, '\n', IMAP_MBOX_KEYWORDS_FILE_MAX_BYTES + 1);
		memcpy(big, "0 k\n", 4);
		big[IMAP_MBOX_KEYWORDS_FILE_MAX_BYTES + 1] = '\0';
		put(f->dir, "", "quail-keywords", big);
		free(big);
	}
	/* a session keeps what it knows (indexes must not move under it);
	 * a fresh one reads the file */
	mb = xopen(f->dir, false);
	assert_int_equal(mb->keyword_count, 4);
	imap_mbox_close(&mb);
	imap_mbox_release();
	mb = xopen(f->dir, false);
	assert_int_equal(mb->keyword_count, 0);
	imap_mbox_close(&mb);
}

static void
test_append_copy(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb, *dst;
	const char *kws[] = { "$Forwarded", "Work" };
	const char *err = NULL;
	uint32_t uidv, uid, uids[3];
	size_t idx[3];
	time_t t;
	struct buf out = BUF_INIT;

	/* into a folder that does not exist: ENOENT (TRYCREATE) */
	{
		char missing[128];

		snprintf(missing, sizeof(missing), "%s/.Nope", f->dir);
		assert_int_equal(imap_mbox_append(missing, "a", 1, 0, NULL, 0,
						  0, &uidv, &uid, &err),
				 -1);
		assert_int_equal(errno, ENOENT);
	}
	assert_int_equal(imap_mbox_append(f->dir, "A: b\r\n\r\nx\ry\r\n", 13,
					  IMAP_MBOX_SEEN | IMAP_MBOX_RECENT,
					  kws, 2, 1000000000, &uidv, &uid,
					  &err),
			 0);
	assert_int_equal(uid, 1);
	assert_true(uidv != 0);
	assert_int_equal(imap_mbox_append(f->dir, "second\n", 7, 0, NULL, 0, 0,
					  &uidv, &uid, &err),
			 0);
	assert_int_equal(uid, 2);
	assert_int_equal(count_dir(f->dir, "cur"), 2);
	mb = xopen(f->dir, false);
	assert_int_equal(mb->n, 2);
	assert_int_equal(mb->uidvalidity, uidv);
	/* appended: \Recent for the first session that selects */
	assert_int_equal(mb->recent, 2);
	assert_int_equal(mb->msgs[0].flags, IMAP_MBOX_SEEN | IMAP_MBOX_RECENT);
	assert_int_equal(mb->msgs[0].keywords, 3u);
	assert_string_equal(mb->keywords[0], "$Forwarded");
	assert_int_equal(mb->msgs[0].vsize, 13);
	assert_int_equal(imap_mbox_msg_read(mb, 0, SIZE_MAX, &out, &err), 0);
	assert_string_equal(buf_cstr(&out), "A: b\n\nx\ry\n");
	buf_free(&out);
	assert_int_equal(imap_mbox_msg_date(mb, 0, &t, &err), 0);
	assert_int_equal(t, 1000000000);
	/* appending to the open folder: the next sync sees it */
	assert_int_equal(imap_mbox_append(f->dir, "3\n", 2, 0, NULL, 0, 0,
					  &uidv, &uid, &err),
			 0);
	assert_int_equal(uid, 3);
	{
		struct imap_mbox_changes ch;

		xsync(mb, &ch);
		assert_int_equal(ch.n_new, 1);
		assert_int_equal(mb->msgs[2].uid, 3);
		imap_mbox_changes_free(&ch);
	}
	/* copy 1 and 3 into the other folder, in that order */
	assert_int_equal(imap_mbox_append(f->dir2, "pre\n", 4, 0, kws + 1, 1, 0,
					  &uidv, &uid, &err),
			 0);
	idx[0] = 2;
	idx[1] = 0;
	assert_int_equal(imap_mbox_copy(mb, idx, 2, f->dir2, &uidv, uids, &err),
			 0);
	assert_int_equal(uids[0], 2);
	assert_int_equal(uids[1], 3);
	dst = xopen(f->dir2, true);
	assert_int_equal(dst->uidvalidity, uidv);
	assert_int_equal(dst->n, 3);
	assert_string_equal(dst->keywords[0], "Work");
	assert_string_equal(dst->keywords[1], "$Forwarded");
	/* keywords mapped by name: $Forwarded=b, Work=a */
	assert_int_equal(dst->msgs[2].keywords, 3u);
	assert_int_equal(dst->msgs[2].flags, IMAP_MBOX_SEEN | IMAP_MBOX_RECENT);
	assert_int_equal(dst->msgs[2].vsize, 13);
	assert_int_equal(imap_mbox_msg_date(dst, 2, &t, &err), 0);
	assert_int_equal(t, 1000000000);
	assert_int_equal(imap_mbox_msg_read(dst, 1, SIZE_MAX, &out, &err), 0);
	assert_string_equal(buf_cstr(&out), "3\n");
	buf_free(&out);
	imap_mbox_close(&dst);
	/* a vanished source gets UID 0 */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/cur/%s", f->dir,
			 mb->msgs[1].name);
		assert_int_equal(unlink(path), 0);
	}
	idx[0] = 1;
	idx[1] = 0;
	assert_int_equal(imap_mbox_copy(mb, idx, 2, f->dir2, &uidv, uids, &err),
			 0);
	assert_int_equal(uids[0], 0);
	assert_int_equal(uids[1], 4);
	/* copy to a missing folder */
	{
		char missing[128];

		snprintf(missing, sizeof(missing), "%s/.Nope", f->dir);
		assert_int_equal(imap_mbox_copy(mb, idx, 1, missing, &uidv,
						uids, &err),
				 -1);
		assert_int_equal(errno, ENOENT);
	}
	imap_mbox_close(&mb);
}

static void
test_cache(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;
	const char *err = NULL, *val;
	size_t len, i;
	char path[512], big[100];
	struct stat st;
	unsigned n;

	for (n = 1; n <= 8; n++)
		deliver(f->dir, n, "Subject: c\n\nbody\n");
	/* a name without W=: computed once, then from the cache */
	put(f->dir, "cur", "1700000001.M1P1Q1.host:2,S", "l1\nl2\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->n, 9);
	assert_int_equal(mb->msgs[8].vsize, 8);
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'E', &val, &len), 0);
	for (i = 0; i < mb->n; i++) {
		snprintf(big, sizeof(big), "env%zu", i);
		assert_int_equal(imap_mbox_cache_put(mb, i, 'E', big,
						     strlen(big)),
				 0);
	}
	assert_int_equal(imap_mbox_cache_put(mb, 0, 'B', "", 0), 0);
	assert_int_equal(imap_mbox_cache_put(mb, 0, 'E', "env0b", 5), 0);
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'E', &val, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(val, "env0b", 5);
	/* too large values are ignored */
	{
		char *huge = calloc(1, IMAP_MBOX_CACHE_VALUE_MAX_BYTES + 1);

		assert_non_null(huge);
		assert_int_equal(imap_mbox_cache_put(
					 mb, 1, 'B', huge,
					 IMAP_MBOX_CACHE_VALUE_MAX_BYTES + 1),
				 0);
		assert_int_equal(imap_mbox_cache_get(mb, 1, 'B', &val, &len),
				 0);
		assert_int_equal(imap_mbox_cache_put(
					 mb, 1, 'B', huge,
					 IMAP_MBOX_CACHE_VALUE_MAX_BYTES),
				 0);
		assert_int_equal(imap_mbox_cache_get(mb, 1, 'B', &val, &len),
				 1);
		assert_int_equal(len, IMAP_MBOX_CACHE_VALUE_MAX_BYTES);
		free(huge);
	}
	assert_int_equal(imap_mbox_cache_flush(mb, &err), 0);
	imap_mbox_close(&mb);

	/* the W= computed is not computed again: change the file and the
	 * cached size stays */
	snprintf(path, sizeof(path), "%s/cur/1700000001.M1P1Q1.host:2,S",
		 f->dir);
	put(f->dir, "cur", "1700000001.M1P1Q1.host:2,S", "l1\nl2\nl3\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->msgs[8].vsize, 8);
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'E', &val, &len), 1);
	assert_memory_equal(val, "env0b", 5);
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'B', &val, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(imap_mbox_cache_get(mb, 7, 'E', &val, &len), 1);
	assert_memory_equal(val, "env7", 4);
	/* expunge most: the next flush compacts */
	for (i = 0; i < 7; i++)
		assert_int_equal(imap_mbox_store(mb, i, IMAP_MBOX_DELETED, 0,
						 &err),
				 0);
	assert_int_equal(imap_mbox_expunge(mb, NULL, true, NULL, NULL, &err),
			 0);
	assert_int_equal(mb->n, 2);
	snprintf(path, sizeof(path), "%s/quail-cache", f->dir);
	assert_int_equal(stat(path, &st), 0);
	{
		off_t before = st.st_size;

		assert_int_equal(imap_mbox_cache_put(mb, 0, 'S', "1", 1), 0);
		assert_int_equal(imap_mbox_cache_flush(mb, &err), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size < before / 4);
	}
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'E', &val, &len), 1);
	assert_memory_equal(val, "env7", 4);
	imap_mbox_close(&mb);

	/* damaged: the good prefix is used, the file rewritten */
	assert_int_equal(truncate(path, st.st_size - 3), 0);
	imap_mbox_release();
	mb = xopen(f->dir, false);
	{
		int got = imap_mbox_cache_get(mb, 0, 'E', &val, &len);

		assert_true(got == 0 || (got == 1 && len == 4));
	}
	assert_int_equal(imap_mbox_cache_flush(mb, &err), 0);
	imap_mbox_close(&mb);
	{
		FILE *fp = fopen(path, "r");
		char data[4096];
		size_t dl, good;

		assert_non_null(fp);
		dl = fread(data, 1, sizeof(data), fp);
		fclose(fp);
		struct cache_ctx cc;

		/* rewritten whole: the damaged tail is gone */
		memset(&cc, 0, sizeof(cc));
		assert_int_equal(imap_mbox_cache_parse(data, dl, cache_cb, &cc,
						       &good),
				 1);
		assert_int_equal(good, dl);
	}
	/* garbage: ignored entirely */
	put(f->dir, "", "quail-cache", "\x01garbage");
	imap_mbox_release();
	mb = xopen(f->dir, false);
	assert_int_equal(mb->msgs[1].vsize, 12); /* read again */
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'E', &val, &len), 0);
	assert_int_equal(imap_mbox_cache_put(mb, 0, 'E', "z", 1), 0);
	imap_mbox_close(&mb); /* flushes */
	imap_mbox_release();
	mb = xopen(f->dir, true);
	assert_int_equal(imap_mbox_cache_get(mb, 0, 'E', &val, &len), 1);
	assert_memory_equal(val, "z", 1);
	imap_mbox_close(&mb);
}

static void
test_status(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox_status st;
	struct imap_mbox *mb;
	const char *err = NULL;
	char missing[128];

	deliver(f->dir, 1, "a\n");
	deliver(f->dir, 2, "bb\n");
	put(f->dir, "cur", "1600000000.M1P1Q1.host,S=2,W=3:2,S", "c\n");
	put(f->dir, "cur", "1600000000.M2P1Q1.host:2,", "d\ne\n");
	assert_int_equal(imap_mbox_status(f->dir, &st, &err), 0);
	assert_int_equal(st.messages, 4);
	assert_int_equal(st.recent, 2);
	assert_int_equal(st.unseen, 3);
	assert_int_equal(st.uidnext, 5);
	assert_true(st.uidvalidity != 0);
	assert_int_equal(st.size, 3 + 3 + 4 + 6);
	assert_int_equal(count_dir(f->dir, "new"), 2); /* nothing moved */
	mb = xopen(f->dir, true);
	assert_int_equal(mb->uidvalidity, st.uidvalidity);
	assert_int_equal(mb->uidnext, 5);
	imap_mbox_close(&mb);
	snprintf(missing, sizeof(missing), "%s/.Nope", f->dir);
	assert_int_equal(imap_mbox_status(missing, &st, &err), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_tmp_and_hostile(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;
	struct imap_mbox_changes ch;
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char path[512], target[512];
	const char *err = NULL;

	put(f->dir, "tmp", "stale", "x");
	put(f->dir, "tmp", "fresh", "x");
	snprintf(path, sizeof(path), "%s/tmp/stale", f->dir);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	/* read-only removes nothing; read-write only what is old (the
	 * ctime cannot be set back: now is moved forward instead) */
	mb = xopen(f->dir, true);
	imap_mbox_close(&mb);
	assert_true(exists(f->dir, "tmp", "stale"));
	imap_mbox_clean_tmp(f->dir, time(NULL) + IMAP_MBOX_TMP_STALE_SECS - 60);
	assert_true(exists(f->dir, "tmp", "stale"));
	imap_mbox_clean_tmp(f->dir, time(NULL) + IMAP_MBOX_TMP_STALE_SECS + 60);
	assert_false(exists(f->dir, "tmp", "stale"));
	assert_false(exists(f->dir, "tmp", "fresh"));
	put(f->dir, "tmp", "fresh", "x");
	/* a symlink in cur/ is not listed; one that replaces a message
	 * after the listing is never followed */
	snprintf(target, sizeof(target), "%s/secret", f->dir);
	put(f->dir, "", "secret", "secret\n");
	snprintf(path, sizeof(path), "%s/cur/1700000000.M1P1Q1.host:2,S",
		 f->dir);
	assert_int_equal(symlink(target, path), 0);
	put(f->dir, "cur", "1700000000.M2P1Q1.host:2,S", "m\n");
	mb = xopen(f->dir, false);
	assert_true(exists(f->dir, "tmp", "fresh"));
	assert_int_equal(mb->n, 1);
	snprintf(path, sizeof(path), "%s/cur/1700000000.M2P1Q1.host:2,S",
		 f->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(imap_mbox_msg_open(mb, 0, &err), -1);
	assert_int_equal(errno, ELOOP);
	/* the folder vanishes: sync says ENOENT */
	snprintf(path, sizeof(path), "rm -rf '%s/cur' '%s/new'", f->dir,
		 f->dir);
	assert_int_equal(system(path), 0);
	assert_int_equal(imap_mbox_sync(mb, &ch, &err), -1);
	assert_int_equal(errno, ENOENT);
	imap_mbox_close(&mb);
	{
		struct imap_mbox *none = NULL;

		assert_int_equal(imap_mbox_open(&none, f->dir, false, &err),
				 -1);
		assert_null(none);
	}
}

/* Sets the mtimes of new/ and cur/ to t (a listing is then "stable"). */
static void
set_dir_times(const char *dir, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };
	char path[512];

	snprintf(path, sizeof(path), "%s/new", dir);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	snprintf(path, sizeof(path), "%s/cur", dir);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* A sync lists nothing while new/ and cur/ keep their mtimes (seen by
 * hiding a change behind the old mtimes), and lists again when they move
 * or when the last listing was close to a change. */
static void
test_sync_skips_listing(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;
	struct imap_mbox_changes ch;
	time_t old = time(NULL) - 3600;

	deliver(f->dir, 1, "a\n");
	mb = xopen(f->dir, false); /* moves it: dirs changed just now */
	set_dir_times(f->dir, old);
	xsync(mb, &ch); /* lists (last listing was unstable) */
	imap_mbox_changes_free(&ch);
	put(f->dir, "cur", "1700000000.M2P1Q2.host,S=2,W=3:2,", "b\n");
	set_dir_times(f->dir, old);
	xsync(mb, &ch);
	assert_int_equal(ch.n_new, 0); /* not listed: mtimes unchanged */
	imap_mbox_changes_free(&ch);
	set_dir_times(f->dir, old + 1);
	xsync(mb, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(mb->n, 2);
	imap_mbox_changes_free(&ch);
	/* a fresh mtime: listed again even when it does not move */
	put(f->dir, "cur", "1700000000.M3P1Q3.host,S=2,W=3:2,", "c\n");
	xsync(mb, &ch);
	assert_int_equal(ch.n_new, 1);
	imap_mbox_changes_free(&ch);
	{
		/* the mtimes the last listing saw, put back after a change:
		 * that listing was less than a second after a change, so it
		 * is not trusted and the folder is listed again */
		struct stat st;
		char path[512];
		struct timespec ts[2];

		snprintf(path, sizeof(path), "%s/cur", f->dir);
		assert_int_equal(stat(path, &st), 0);
		put(f->dir, "cur", "1700000000.M4P1Q4.host,S=2,W=3:2,", "d\n");
		ts[0] = ts[1] = st.st_mtim;
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
	xsync(mb, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(mb->n, 4);
	imap_mbox_changes_free(&ch);
	/* a rebuilt uid list (new UIDVALIDITY) is an error for the open
	 * folder */
	put(f->dir, "", "quail-uidlist", "V1 12345 100\n");
	assert_int_equal(imap_mbox_sync(mb, &ch, &(const char *){ NULL }), -1);
	assert_int_equal(errno, ESTALE);
	imap_mbox_close(&mb);
}

/* Expunging a message another session renamed; COPY across file systems
 * (no link(2)): the bytes are copied, the date kept. */
static void
test_expunge_moved_copy_exdev(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b, *dst;
	const char *err = NULL;
	char shm[64], cmd[128];
	uint32_t uidv, uids[2];
	size_t idx[2] = { 0, 1 };
	time_t t;
	struct buf out = BUF_INIT;

	deliver(f->dir, 1, "one\n");
	deliver(f->dir, 2, "two\n");
	a = xopen(f->dir, false);
	b = xopen(f->dir, false);
	assert_int_equal(imap_mbox_store(a, 0, IMAP_MBOX_DELETED, 0, &err), 0);
	assert_int_equal(imap_mbox_expunge(b, NULL, false, NULL, NULL, &err), 0);
	assert_int_equal(b->n, 0);
	assert_int_equal(count_dir(f->dir, "cur"), 0);
	assert_int_equal(count_dir(f->dir, "new"), 0);
	imap_mbox_close(&a);
	imap_mbox_close(&b);

	assert_int_equal(imap_mbox_append(f->dir, "x\r\n", 3, IMAP_MBOX_FLAGGED,
					  NULL, 0, 1234567890, &uidv, uids,
					  &err),
			 0);
	assert_int_equal(imap_mbox_append(f->dir, "y\r\n", 3, 0, NULL, 0,
					  1234567891, &uidv, uids, &err),
			 0);
	a = xopen(f->dir, false);
	snprintf(shm, sizeof(shm), "/dev/shm/test_imap_mbox.XXXXXX");
	if (mkdtemp(shm) == NULL)
		skip();
	assert_int_equal(rmdir(shm), 0);
	mkmaildir(shm);
	assert_int_equal(imap_mbox_copy(a, idx, 2, shm, &uidv, uids, &err), 0);
	assert_int_equal(uids[0], 1);
	assert_int_equal(uids[1], 2);
	dst = xopen(shm, true);
	assert_int_equal(dst->n, 2);
	/* copied: \Recent (read-only: not claimed) */
	assert_int_equal(dst->msgs[0].flags,
			 IMAP_MBOX_FLAGGED | IMAP_MBOX_RECENT);
	assert_int_equal(imap_mbox_msg_date(dst, 0, &t, &err), 0);
	assert_int_equal(t, 1234567890);
	assert_int_equal(imap_mbox_msg_date(dst, 1, &t, &err), 0);
	assert_int_equal(t, 1234567891);
	assert_int_equal(imap_mbox_msg_read(dst, 1, SIZE_MAX, &out, &err), 0);
	assert_string_equal(buf_cstr(&out), "y\n");
	buf_free(&out);
	assert_int_equal(count_dir(shm, "tmp"), 0);
	imap_mbox_close(&dst);
	imap_mbox_close(&a);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", shm);
	assert_int_equal(system(cmd), 0);
}

/* APPEND with a keyword when the folder has 26: ENOSPC, nothing
 * written. */
static void
test_append_keywords_full(void **state)
{
	struct fixture *f = *state;
	const char *kw[] = { "k0" }, *more[] = { "another" }, *bad[] = { "a b" };
	const char *err = NULL;
	struct buf text = BUF_INIT;
	uint32_t uidv, uid;
	int k;

	for (k = 0; k < IMAP_MBOX_KEYWORDS_MAX; k++)
		assert_int_equal(buf_printf(&text, "%d k%d\n", k, k), 0);
	put(f->dir, "", "quail-keywords", buf_cstr(&text));
	buf_free(&text);
	assert_int_equal(imap_mbox_append(f->dir, "a\n", 2, 0, kw, 1, 0, &uidv,
					  &uid, &err),
			 0);
	assert_int_equal(imap_mbox_append(f->dir, "a\n", 2, 0, more, 1, 0,
					  &uidv, &uid, &err),
			 -1);
	assert_int_equal(errno, EMLINK); /* not ENOSPC: no disk full */
	assert_int_equal(imap_mbox_append(f->dir, "a\n", 2, 0, bad, 1, 0,
					  &uidv, &uid, &err),
			 -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(count_dir(f->dir, "cur"), 1);
	assert_int_equal(count_dir(f->dir, "tmp"), 0);
}

/* UIDs given out of name order (another program's list): msgs[] is in
 * UID order all the same, and find_uid works on it. */
static void
test_uid_order(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;

	put(f->dir, "", "quail-uidlist",
	    "V1 1000 10\n3 1700000009.M1P1Q1.zz\n7 1700000001.M1P1Q1.aa\n");
	put(f->dir, "cur", "1700000001.M1P1Q1.aa,S=2:2,S", "a\n");
	put(f->dir, "cur", "1700000009.M1P1Q1.zz,S=2:2,", "z\n");
	put(f->dir, "cur", "1700000005.M1P1Q1.mm,S=2:2,", "m\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->uidvalidity, 1000);
	assert_int_equal(mb->n, 3);
	assert_int_equal(mb->msgs[0].uid, 3);
	assert_int_equal(mb->msgs[1].uid, 7);
	assert_int_equal(mb->msgs[2].uid, 10);
	assert_int_equal(mb->uidnext, 11);
	assert_int_equal(mb->msgs[1].flags, IMAP_MBOX_SEEN);
	assert_int_equal(imap_mbox_find_uid(mb, 7), 1);
	assert_int_equal(imap_mbox_find_uid(mb, 10), 2);
	assert_int_equal(imap_mbox_find_uid(mb, 1), -1);
	imap_mbox_close(&mb);
}

/* Re-opening the folder closed last: one sync, \Recent starts over,
 * changes made meanwhile are there, a folder re-created under the same
 * name is read afresh. */
static void
test_reopen(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb, *first;
	time_t old = time(NULL) - 3600;
	char cmd[256];
	uint32_t uidv;

	/* hidden files prove below that a sync did not list: no watch */
	imap_mbox_set_watch(false);
	deliver(f->dir, 1, "a\n");
	deliver(f->dir, 2, "b\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->recent, 2);
	uidv = mb->uidvalidity;
	first = mb;
	imap_mbox_close(&mb);
	/* reused: the same object, nothing recent any more */
	mb = xopen(f->dir, false);
	assert_ptr_equal(mb, first);
	assert_int_equal(mb->n, 2);
	assert_int_equal(mb->recent, 0);
	assert_int_equal(mb->msgs[0].flags & IMAP_MBOX_RECENT, 0);
	imap_mbox_close(&mb);
	/* a delivery meanwhile: recent for the re-opened session */
	deliver(f->dir, 3, "c\n");
	mb = xopen(f->dir, false);
	assert_ptr_equal(mb, first);
	assert_int_equal(mb->n, 3);
	assert_int_equal(mb->recent, 1);
	assert_int_equal(mb->msgs[2].flags, IMAP_MBOX_RECENT);
	assert_true(mb->msgs[2].in_cur);
	imap_mbox_close(&mb);
	/* proof that it is not listed again: a change hidden behind the
	 * old mtimes stays unseen until they move */
	mb = xopen(f->dir, false);
	set_dir_times(f->dir, old);
	imap_mbox_close(&mb);
	mb = xopen(f->dir, false); /* lists: mtimes moved */
	imap_mbox_close(&mb);
	put(f->dir, "cur", "1700000000.M9P1Q9.host,S=2,W=3:2,", "d\n");
	set_dir_times(f->dir, old);
	mb = xopen(f->dir, false);
	assert_int_equal(mb->n, 3);
	imap_mbox_close(&mb);
	/* another mode: opened afresh (read-only: what no read-write
	 * session claimed is recent: the delivery and the message hidden
	 * from the last read-write open) */
	deliver(f->dir, 4, "e\n");
	mb = xopen(f->dir, true);
	assert_ptr_not_equal(mb, first);
	assert_int_equal(mb->n, 5);
	assert_int_equal(mb->recent, 2);
	imap_mbox_close(&mb);
	mb = xopen(f->dir, true); /* read-only reused: still recent */
	assert_int_equal(mb->recent, 2);
	/* the hidden one and the delivery got their UIDs together, in
	 * name order: "M000004" before "M9" */
	assert_false(mb->msgs[3].in_cur);
	assert_int_equal(mb->msgs[3].flags, IMAP_MBOX_RECENT);
	imap_mbox_close(&mb);
	/* deleted and created again under the same name: a new folder */
	mb = xopen(f->dir2, false);
	imap_mbox_close(&mb);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir2);
	assert_int_equal(system(cmd), 0);
	mkmaildir(f->dir2);
	deliver(f->dir2, 7, "new folder\n");
	mb = xopen(f->dir2, false);
	assert_int_equal(mb->n, 1);
	assert_int_equal(mb->msgs[0].uid, 1);
	assert_int_equal(mb->recent, 1);
	assert_true(mb->uidvalidity != uidv || mb->uidvalidity != 0);
	imap_mbox_close(&mb);
	/* deleted: ENOENT */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir2);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(imap_mbox_open(&mb, f->dir2, false, &(const char *){ NULL }),
			 -1);
	assert_int_equal(errno, ENOENT);
	assert_null(mb);
	imap_mbox_release();
}

static void
test_many(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb, *b;
	struct imap_mbox_changes ch;
	const char *err = NULL;
	struct timespec t0, t1;
	unsigned i, n = 2000;
	double open_s, sync_s, store_s;

	for (i = 0; i < n; i++)
		deliver(f->dir, i, "Subject: many\n\nbody\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mb = xopen(f->dir, false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	open_s = (double)(t1.tv_sec - t0.tv_sec) +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(mb->n, n);
	assert_int_equal(mb->recent, n);
	for (i = 0; i < n; i++)
		assert_int_equal(mb->msgs[i].uid, i + 1);
	b = xopen(f->dir, false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i += 2)
		assert_int_equal(imap_mbox_store(mb, i, IMAP_MBOX_SEEN, 0,
						 &err),
				 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	store_s = (double)(t1.tv_sec - t0.tv_sec) +
		  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	xsync(b, &ch);
	assert_int_equal(ch.n_flags_changed, n / 2);
	for (i = 0; i < n / 2; i++)
		assert_int_equal(ch.flags_changed[i], 2 * i);
	imap_mbox_changes_free(&ch);
	xsync(mb, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_new + ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	xsync(mb, &ch);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sync_s = (double)(t1.tv_sec - t0.tv_sec) +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	imap_mbox_changes_free(&ch);
	printf("# %u messages: open %.1f ms, %u stores %.1f ms, sync %.2f ms\n",
	       n, open_s * 1e3, n / 2, store_s * 1e3, sync_s * 1e3);
	imap_mbox_close(&mb);
	imap_mbox_close(&b);
}

/* The mtime of dir/sub. */
static struct timespec
dir_mtime(const char *dir, const char *sub)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	assert_int_equal(stat(path, &st), 0);
	return st.st_mtim;
}

static void
set_dir_mtime(const char *dir, const char *sub, struct timespec t)
{
	struct timespec ts[2] = { t, t };
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Three messages in dir's cur/, both directories' mtimes set 10 s back
 * (older than the unstable window, *old_r), opened read-write. */
static struct imap_mbox *
open_three_settled(const char *dir, struct timespec *old_r)
{
	struct imap_mbox *mb;
	char name[128];
	unsigned i;

	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name),
			 "1700000000.M%uP1Q%u.host,S=2,W=3:2,", i, i);
		put(dir, "cur", name, "x\n");
	}
	clock_gettime(CLOCK_REALTIME, old_r);
	old_r->tv_sec -= 10;
	set_dir_mtime(dir, "cur", *old_r);
	set_dir_mtime(dir, "new", *old_r);
	mb = xopen(dir, false);
	assert_int_equal(mb->n, 3);
	return mb;
}

/* A file put into cur/ behind the session's back with cur/'s mtime put
 * back: found only by a listing (shows whether a sync listed). */
static void
hide_msg(const char *dir, const char *name)
{
	struct timespec t = dir_mtime(dir, "cur");

	put(dir, "cur", name, "h\n");
	set_dir_mtime(dir, "cur", t);
}

/* Own changes (lib/imap_mbox.c "own changes"): a sync after only this
 * handle's STORE, EXPUNGE, or this process's APPEND/COPY into the folder
 * lists nothing and reports nothing for them (APPEND/COPY: new messages
 * with the right UIDs); a change by someone else before, between or
 * after ours still makes the sync list and report exactly that. */
static void
test_own_changes(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	const char *err = NULL;
	uint32_t uidv, uid, uid2, cuid;
	size_t idx;
	unsigned i;

	/* hidden files prove below that a sync did not list: no watch */
	imap_mbox_set_watch(false);
	for (i = 1; i <= 5; i++) {
		char name[64];

		snprintf(name, sizeof(name),
			 "1700000000.M%uP1Q%u.host,S=2,W=3:2,", i, i);
		put(f->dir, "cur", name, "x\n");
	}
	a = xopen(f->dir, false);
	b = xopen(f->dir, false);
	assert_int_equal(a->n, 5);

	/* a's STORE, then a's sync: not listed (the hidden file stays
	 * hidden), nothing reported */
	assert_int_equal(imap_mbox_store(a, 0, IMAP_MBOX_SEEN, 0, &err), 0);
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged + ch.n_new, 0);
	assert_false(ch.keywords_changed);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 5);

	/* someone else (b) before a's next STORE: a's sync lists, reports
	 * b's change and the hidden file, not its own */
	assert_int_equal(imap_mbox_store(b, 1, IMAP_MBOX_FLAGGED, 0, &err), 0);
	assert_int_equal(imap_mbox_store(a, 2, IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.flags_changed[0], 1);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 6);

	/* someone else after a's STORE, before a's sync: listed */
	assert_int_equal(imap_mbox_store(a, 3, IMAP_MBOX_SEEN, 0, &err), 0);
	assert_int_equal(imap_mbox_store(b, 4, IMAP_MBOX_DRAFT, 0, &err), 0);
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.flags_changed[0], 4);
	assert_int_equal(ch.n_new + ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);

	/* b reports exactly a's and the hidden file */
	xsync(b, &ch);
	assert_int_equal(ch.n_flags_changed, 3);
	assert_int_equal(ch.n_new, 1);
	imap_mbox_changes_free(&ch);

	/* a's EXPUNGE: a's sync lists nothing; b sees it */
	assert_int_equal(imap_mbox_store(a, 5, IMAP_MBOX_DELETED, 0, &err), 0);
	assert_int_equal(imap_mbox_expunge(a, NULL, true, NULL, NULL, &err), 0);
	assert_int_equal(a->n, 5);
	hide_msg(f->dir, "1700000002.M2P1Q2.hidden,S=2,W=3:2,");
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged + ch.n_new, 0);
	imap_mbox_changes_free(&ch);
	xsync(b, &ch);
	assert_int_equal(ch.n_expunged, 1);
	assert_int_equal(ch.expunged[0], 6);
	assert_int_equal(ch.n_new, 1); /* b lists: the hidden one too */
	imap_mbox_changes_free(&ch);
	/* b's listing gave the hidden file a UID: a name a did not add in
	 * the uid list, so a lists */
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 6);

	/* APPEND by this process into a's folder (a is the first handle
	 * open on it): new at a's sync with its UID, \Recent, flags
	 * from the name; not listed (the second hidden file stays hidden) */
	assert_int_equal(imap_mbox_append(f->dir, "Subject: a\r\n\r\nb\r\n", 17,
					  IMAP_MBOX_FLAGGED, NULL, 0, 0, &uidv,
					  &uid, &err),
			 0);
	assert_int_equal(uidv, a->uidvalidity);
	hide_msg(f->dir, "1700000004.M4P1Q4.hidden,S=2,W=3:2,");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 7);
	assert_int_equal(a->msgs[6].uid, uid);
	assert_int_equal(a->msgs[6].flags, IMAP_MBOX_FLAGGED | IMAP_MBOX_RECENT);
	assert_int_equal(a->msgs[6].vsize, 17);
	assert_int_equal(a->uidnext, uid + 1);
	{
		struct buf out = BUF_INIT;

		assert_int_equal(imap_mbox_msg_read(a, 6, SIZE_MAX, &out, &err),
				 0);
		assert_string_equal(buf_cstr(&out), "Subject: a\n\nb\n");
		buf_free(&out);
	}
	/* its STORE works on the name we remembered */
	assert_int_equal(imap_mbox_store(a, 6, IMAP_MBOX_SEEN, 0, &err), 0);
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged + ch.n_new, 0);
	imap_mbox_changes_free(&ch);

	/* COPY from a into a itself, twice with an APPEND in between: all
	 * three new at the next sync, in UID order */
	idx = 6;
	assert_int_equal(imap_mbox_copy(a, &idx, 1, f->dir, &uidv, &cuid, &err),
			 0);
	assert_int_equal(imap_mbox_append(f->dir, "c\n", 2, 0, NULL, 0, 0,
					  &uidv, &uid2, &err),
			 0);
	assert_int_equal(cuid, uid + 1);
	assert_int_equal(uid2, uid + 2);
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 2);
	assert_int_equal(a->msgs[7].uid, cuid);
	assert_int_equal(a->msgs[8].uid, uid2);
	assert_int_equal(a->msgs[7].flags, IMAP_MBOX_SEEN | IMAP_MBOX_RECENT);
	imap_mbox_changes_free(&ch);

	/* our APPEND, and a message added by another process (a file and
	 * its uid list line, the cur/ mtime hidden): the name we do not
	 * know makes a's sync list, which finds both hidden files too */
	assert_int_equal(imap_mbox_append(f->dir, "d\n", 2, 0, NULL, 0, 0,
					  &uidv, &uid, &err),
			 0);
	{
		char path[512], line[128];
		struct timespec t = dir_mtime(f->dir, "cur");
		FILE *fp;

		put(f->dir, "cur", "1700000003.M3P1Q3.other,S=2,W=3:2,", "o\n");
		set_dir_mtime(f->dir, "cur", t);
		snprintf(path, sizeof(path), "%s/quail-uidlist", f->dir);
		fp = fopen(path, "a");
		assert_non_null(fp);
		snprintf(line, sizeof(line), "%u 1700000003.M3P1Q3.other\n",
			 (unsigned)uid + 1);
		fputs(line, fp);
		assert_int_equal(fclose(fp), 0);
	}
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 3); /* ours, the other, hidden #4 */
	assert_int_equal(ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 12);
	assert_int_equal(imap_mbox_find_uid(a, uid) >= 0, 1);
	assert_int_equal(imap_mbox_find_uid(a, uid + 1) >= 0, 1);

	/* b (no own changes) sees all of it */
	xsync(b, &ch);
	assert_int_equal(b->n, 12);
	imap_mbox_changes_free(&ch);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->msgs[i].uid, b->msgs[i].uid);
		assert_int_equal(a->msgs[i].flags & IMAP_MBOX_STORED_FLAGS,
				 b->msgs[i].flags & IMAP_MBOX_STORED_FLAGS);
	}
	imap_mbox_close(&a);
	imap_mbox_close(&b);
}

/* Deliveries (lib/imap_mbox.c "Deliveries"): when only new/ changed, a
 * sync lists new/ alone -- shown by a file hidden in cur/ (hide_msg) that
 * stays hidden -- and reports exactly the delivered messages; cur/ moved,
 * or the uid list replaced, makes it list the whole folder again (the
 * hidden files appear). An expunge in new/ is still reported. */
static void
test_delivery_new_only(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *ro;
	struct imap_mbox_changes ch;
	struct timespec old;
	char path[512], tmp[512];

	a = open_three_settled(f->dir, &old);

	/* a delivery: reported, cur/ not listed */
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	deliver(f->dir, 10, "Subject: ten\n\nbody\n");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 4);
	assert_true(a->msgs[3].in_cur); /* moved to cur/ */
	assert_true(a->msgs[3].flags & IMAP_MBOX_RECENT);
	assert_int_equal(a->recent, 1);
	assert_true(a->msgs[3].uid > a->msgs[2].uid);
	/* our move to cur/ does not make the next sync list */
	xsync(a, &ch);
	assert_int_equal(ch.n_new + ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	/* two more deliveries at once: still new/ alone */
	deliver(f->dir, 11, "Subject: eleven\n\nbody\n");
	deliver(f->dir, 12, "Subject: twelve\n\nbody\n");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 2);
	assert_int_equal(ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 6);
	assert_int_equal(a->recent, 3);

	/* cur/ changed (mtime) with a delivery: the whole folder is listed,
	 * the hidden file appears */
	old.tv_sec -= 5;
	set_dir_mtime(f->dir, "cur", old);
	deliver(f->dir, 13, "Subject: thirteen\n\nbody\n");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 2);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 8);

	/* the uid list replaced (as a compaction by another process does):
	 * listed whole */
	clock_gettime(CLOCK_REALTIME, &old);
	old.tv_sec -= 10;
	set_dir_mtime(f->dir, "cur", old);
	xsync(a, &ch); /* settles cur/ (listed: its mtime moved) */
	imap_mbox_changes_free(&ch);
	hide_msg(f->dir, "1700000002.M2P1Q2.hidden,S=2,W=3:2,");
	snprintf(path, sizeof(path), "%s/quail-uidlist", f->dir);
	snprintf(tmp, sizeof(tmp), "%s/quail-uidlist.copy", f->dir);
	assert_int_equal(link(path, tmp), 0);
	{
		char cmd[2200];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s.2' && mv '%s.2' '%s'",
			 tmp, tmp, tmp, path);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(unlink(tmp), 0);
	deliver(f->dir, 14, "Subject: fourteen\n\nbody\n");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 2); /* the delivery and the hidden one */
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 10);
	imap_mbox_close(&a);
	imap_mbox_release();

	/* read-only: a message in new/ expunged by someone else is
	 * reported (the verification against the uid list still runs) */
	deliver(f->dir, 20, "Subject: twenty\n\nbody\n");
	deliver(f->dir, 21, "Subject: twenty-one\n\nbody\n");
	clock_gettime(CLOCK_REALTIME, &old);
	old.tv_sec -= 10;
	set_dir_mtime(f->dir, "cur", old);
	set_dir_mtime(f->dir, "new", old);
	ro = xopen(f->dir, true);
	assert_int_equal(ro->n, 12);
	assert_false(ro->msgs[10].in_cur);
	snprintf(path, sizeof(path), "%s/new/%s", f->dir, ro->msgs[10].name);
	assert_int_equal(unlink(path), 0);
	deliver(f->dir, 22, "Subject: twenty-two\n\nbody\n");
	xsync(ro, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_expunged, 1);
	assert_int_equal(ch.expunged[0], 11);
	imap_mbox_changes_free(&ch);
	assert_int_equal(ro->n, 12);
	assert_false(ro->msgs[11].in_cur); /* read-only: left in new/ */
	imap_mbox_close(&ro);
	imap_mbox_release();
}

/* --- the index snapshot (lib/imap_mbox.c "Index snapshot") --- */

static char *
slurp(const char *path, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len_r = (size_t)n;
	return data;
}

static void
spill(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static ino_t
ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Three messages in cur/, the dirs older than the unstable window; a
 * read-write open and close writes the snapshot. */
static void
snap_folder(const char *dir)
{
	struct imap_mbox *a;
	struct timespec old;
	char name[128];
	unsigned i;

	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name),
			 "1700000000.M%uP1Q%u.host,S=2,W=3:2,%s", i, i,
			 i == 2 ? "FS" : "");
		put(dir, "cur", name, "x\n");
	}
	clock_gettime(CLOCK_REALTIME, &old);
	old.tv_sec -= 10;
	set_dir_mtime(dir, "cur", old);
	set_dir_mtime(dir, "new", old);
	a = xopen(dir, false);
	assert_int_equal(a->n, 3);
	imap_mbox_close(&a);
	imap_mbox_release();
}

/* An unchanged folder opens from the snapshot (a file hidden in cur/ is
 * not seen: nothing was listed), with the UIDs, flags and sizes of the
 * listing; the session then works (store, sync, delivery); an unchanged
 * close does not write the file again. */
static void
test_index_load(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	const char *err = NULL;
	char path[512];
	uint32_t uids[3];
	ino_t ino;
	unsigned i;

	snap_folder(f->dir);
	snprintf(path, sizeof(path), "%s/quail-index", f->dir);
	ino = ino_of(path);
	assert_true(ino != 0);
	a = xopen(f->dir, true);
	for (i = 0; i < 3; i++)
		uids[i] = a->msgs[i].uid;
	imap_mbox_close(&a);
	imap_mbox_release();
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	a = xopen(f->dir, false);
	assert_int_equal(a->n, 3); /* from the snapshot */
	for (i = 0; i < 3; i++) {
		assert_int_equal(a->msgs[i].uid, uids[i]);
		assert_int_equal(a->msgs[i].vsize, 3);
		assert_true(a->msgs[i].in_cur);
	}
	assert_int_equal(a->msgs[1].flags & IMAP_MBOX_STORED_FLAGS,
			 IMAP_MBOX_FLAGGED | IMAP_MBOX_SEEN);
	assert_int_equal(a->msgs[0].flags & IMAP_MBOX_STORED_FLAGS, 0);
	assert_int_equal(a->uidnext, uids[2] + 1);
	/* nothing changed: the sync reports nothing, lists nothing */
	xsync(a, &ch);
	assert_int_equal(ch.n_new + ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 3);
	/* an own store, then someone else's (b): reported */
	assert_int_equal(imap_mbox_store(a, 0, IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	xsync(a, &ch);
	assert_int_equal(ch.n_new + ch.n_expunged + ch.n_flags_changed, 0);
	imap_mbox_changes_free(&ch);
	b = xopen(f->dir, false); /* not parked: lists (a's change) */
	assert_int_equal(b->n, 4); /* the hidden one too */
	assert_int_equal(imap_mbox_store(b, 2, IMAP_MBOX_DELETED, 0, &err),
			 0);
	imap_mbox_close(&b);
	deliver(f->dir, 30, "Subject: thirty\n\nbody\n");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 2); /* the hidden one and the delivery */
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 5);
	assert_true(a->msgs[3].uid > uids[2] && a->msgs[4].uid > uids[2]);
	imap_mbox_close(&a);
	imap_mbox_release();

	/* opened and closed unchanged: the file is not written again */
	{
		struct timespec old;

		clock_gettime(CLOCK_REALTIME, &old);
		old.tv_sec -= 10;
		set_dir_mtime(f->dir, "cur", old);
		set_dir_mtime(f->dir, "new", old);
	}
	a = xopen(f->dir, false); /* lists (dirs moved), writes */
	assert_int_equal(a->n, 5);
	imap_mbox_close(&a);
	imap_mbox_release();
	ino = ino_of(path);
	a = xopen(f->dir, false); /* from the snapshot */
	assert_int_equal(a->n, 5);
	imap_mbox_close(&a);
	imap_mbox_release();
	assert_true(ino_of(path) == ino);
}

/* A folder changed just before the open (the listing within the
 * unstable window) is saved at close after one more listing that finds
 * exactly what the session has; one that finds more is not saved. (The
 * waits let the directories' mtimes age past the 1 s window: time, not
 * synchronisation.) */
static void
test_index_confirm(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a;
	char path[512], name[128];
	unsigned i;

	snprintf(path, sizeof(path), "%s/quail-index", f->dir);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name),
			 "1700000000.M%uP1Q%u.host,S=2,W=3:2,", i, i);
		put(f->dir, "cur", name, "x\n");
	}
	a = xopen(f->dir, false); /* just changed: not saved at open */
	assert_int_equal(a->n, 3);
	assert_int_equal(access(path, F_OK), -1);
	usleep(1100 * 1000);
	imap_mbox_close(&a); /* settled by a listing: saved */
	imap_mbox_release();
	assert_int_equal(access(path, F_OK), 0);
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	a = xopen(f->dir, false);
	assert_int_equal(a->n, 3); /* from the snapshot */
	imap_mbox_close(&a);
	imap_mbox_release();

	/* the listing at close finds a file the session lacks: not saved */
	assert_int_equal(unlink(path), 0);
	put(f->dir, "cur", "1700000003.M3P1Q3.host,S=2,W=3:2,", "x\n");
	a = xopen(f->dir, false);
	assert_int_equal(a->n, 5);
	hide_msg(f->dir, "1700000002.M2P1Q2.hidden,S=2,W=3:2,");
	usleep(1100 * 1000);
	imap_mbox_close(&a);
	assert_int_equal(access(path, F_OK), -1);
	/* the parked folder lists at its next sync: the hidden one */
	a = xopen(f->dir, false);
	assert_int_equal(a->n, 6);
	imap_mbox_close(&a);
	imap_mbox_release();
}

/* Any change of new/, cur/ or the uid list, a damaged or short file, or
 * a snapshot written within the unstable window of the dirs' change
 * makes the open list (the hidden file appears). */
static void
test_index_ignored(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a;
	struct imap_mbox_index_head h;
	struct imap_mbox_msg *msgs;
	struct timespec old, ul_old;
	struct buf b;
	char path[512], ul[512], *good, *bad, *ul_data;
	size_t len, ul_len;
	unsigned round;

	snap_folder(f->dir);
	snprintf(path, sizeof(path), "%s/quail-index", f->dir);
	snprintf(ul, sizeof(ul), "%s/quail-uidlist", f->dir);
	good = slurp(path, &len);
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	old = dir_mtime(f->dir, "cur");
	ul_old = dir_mtime(f->dir, "quail-uidlist");
	ul_data = slurp(ul, &ul_len);
	for (round = 0; round < 7; round++) {
		struct timespec t = old;
		struct imap_mbox *c;

		spill(path, good, len); /* the good file back each round */
		/* and the uid list (a listing gave the hidden file a UID) */
		spill(ul, ul_data, ul_len);
		set_dir_mtime(f->dir, "quail-uidlist", ul_old);
		switch (round) {
		case 0: /* control: loads */
			break;
		case 1: /* new/ changed */
			t.tv_nsec = (t.tv_nsec + 1) % 1000000000L;
			set_dir_mtime(f->dir, "new", t);
			break;
		case 2: /* cur/ changed */
			t.tv_nsec = (t.tv_nsec + 1) % 1000000000L;
			set_dir_mtime(f->dir, "cur", t);
			break;
		case 3: /* the uid list changed (mtime only) */
			set_dir_mtime(f->dir, "quail-uidlist", t);
			break;
		case 4: /* damaged: one byte in a name */
			bad = malloc(len);
			assert_non_null(bad);
			memcpy(bad, good, len);
			bad[len - 12] ^= 0x01;
			spill(path, bad, len);
			free(bad);
			break;
		case 5: /* short */
			spill(path, good, len - 8);
			break;
		case 6: /* written within the unstable window */
			msgs = calloc(len / 24 + 1, sizeof(*msgs));
			assert_non_null(msgs);
			assert_int_equal(
				imap_mbox_index_parse(good, len, &h, NULL), 0);
			assert_int_equal(
				imap_mbox_index_parse(good, len, &h, msgs), 0);
			h.written_ns = (int64_t)h.cur_mtime.tv_sec *
					       1000000000LL +
				       h.cur_mtime.tv_nsec + 500000000LL;
			buf_init(&b, 0);
			assert_int_equal(imap_mbox_index_build(&h, msgs, &b), 0);
			spill(path, b.data, b.len);
			buf_free(&b);
			free(msgs);
			break;
		}
		c = xopen(f->dir, true); /* read-only: writes nothing */
		assert_int_equal(c->n, round == 0 ? 3 : 4);
		imap_mbox_close(&c);
		imap_mbox_release();
		/* put back what the round changed */
		set_dir_mtime(f->dir, "new", old);
		set_dir_mtime(f->dir, "cur", old);
	}
	/* the uid list replaced (new inode, same content): listed */
	spill(path, good, len);
	{
		char cmd[2200];

		snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s.2' && mv '%s.2' '%s'",
			 ul, ul, ul, ul);
		assert_int_equal(system(cmd), 0);
	}
	a = xopen(f->dir, true);
	assert_int_equal(a->n, 4);
	imap_mbox_close(&a);
	imap_mbox_release();
	free(good);
	free(ul_data);
}

/* The parser on hostile input: every truncation, every single bit flip
 * (the checksum), and well-formed files (rebuilt with a good checksum)
 * with a bad name, UIDs out of order, a UID at uidnext, in_cur 2. */
static void
test_index_parse(void **state)
{
	struct imap_mbox_index_head h, h2;
	struct imap_mbox_msg m[3], out[3];
	struct buf b;
	size_t i, len;
	char *data;
	int bit;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.uidvalidity = 1700000000;
	h.uidnext = 10;
	h.n = 3;
	h.ul_n = 4;
	h.dev = 5;
	h.new_ino = 6;
	h.cur_ino = 7;
	h.new_mtime.tv_sec = 100;
	h.cur_mtime.tv_nsec = 99;
	h.ul_size = 1234;
	h.written_ns = 1;
	memset(m, 0, sizeof(m));
	m[0] = (struct imap_mbox_msg){ .uid = 1, .flags = IMAP_MBOX_SEEN,
				       .keywords = 3, .vsize = 100,
				       .name = "1.M1.h,S=1:2,S",
				       .in_cur = true };
	m[1] = (struct imap_mbox_msg){ .uid = 4, .name = "2.M2.h",
				       .in_cur = true };
	m[2] = (struct imap_mbox_msg){ .uid = 9,
				       .flags = IMAP_MBOX_RECENT |
						IMAP_MBOX_DRAFT,
				       .vsize = 7, .name = "3.M3.h:2,D",
				       .in_cur = false };
	buf_init(&b, 0);
	assert_int_equal(imap_mbox_index_build(&h, m, &b), 0);
	data = b.data;
	len = b.len;
	assert_int_equal(imap_mbox_index_parse(data, len, &h2, NULL), 0);
	assert_int_equal(h2.n, 3);
	assert_true(h2.n <= len / 24);
	assert_int_equal(imap_mbox_index_parse(data, len, &h2, out), 0);
	assert_int_equal(h2.uidvalidity, h.uidvalidity);
	assert_int_equal(h2.uidnext, 10);
	assert_int_equal(h2.ul_n, 4);
	assert_int_equal(h2.ul_size, 1234);
	assert_int_equal(h2.cur_mtime.tv_nsec, 99);
	assert_int_equal(h2.new_mtime.tv_sec, 100);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].uid, m[i].uid);
		assert_string_equal(out[i].name, m[i].name);
		assert_int_equal(out[i].vsize, m[i].vsize);
		assert_int_equal(out[i].in_cur, m[i].in_cur);
		assert_int_equal(out[i].keywords, m[i].keywords);
	}
	assert_int_equal(out[2].flags, IMAP_MBOX_DRAFT); /* no \Recent */
	for (i = 0; i < len; i++)
		assert_int_equal(imap_mbox_index_parse(data, i, &h2, out), -1);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			data[i] ^= (char)(1 << bit);
			/* anything but the written time and the padding must
			 * fail; those still fail the checksum */
			assert_int_equal(imap_mbox_index_parse(data, len, &h2,
							       out),
					 -1);
			data[i] ^= (char)(1 << bit);
		}
	}
	buf_free(&b);
	{
		static const char *const badnames[] = { "a/b", ".hidden",
							"x:2,/S", "" };

		for (i = 0; i < 4; i++) {
			struct imap_mbox_msg mm[3];

			memcpy(mm, m, sizeof(mm));
			mm[1].name = badnames[i];
			buf_init(&b, 0);
			assert_int_equal(imap_mbox_index_build(&h, mm, &b), 0);
			assert_int_equal(imap_mbox_index_parse(b.data, b.len,
							       &h2, out),
					 -1);
			buf_free(&b);
		}
	}
	for (i = 0; i < 3; i++) {
		struct imap_mbox_msg mm[3];
		struct imap_mbox_index_head hh = h;

		memcpy(mm, m, sizeof(mm));
		if (i == 0)
			mm[1].uid = 1; /* not ascending */
		else if (i == 1)
			hh.uidnext = 9; /* a UID at uidnext */
		else
			hh.n = 4; /* more than there are: the builder reads
				   * only 3 below */
		if (i == 2) {
			buf_init(&b, 0);
			assert_int_equal(imap_mbox_index_build(&h, mm, &b), 0);
			/* claim 4 messages in the header: the checksum fails,
			 * and so would the records */
			memcpy(b.data + 40, &hh.n, 4);
		} else {
			buf_init(&b, 0);
			assert_int_equal(imap_mbox_index_build(&hh, mm, &b),
					 0);
		}
		assert_int_equal(imap_mbox_index_parse(b.data, b.len, &h2,
						       out),
				 -1);
		buf_free(&b);
	}
}

/* The safety net of own changes: a change by someone else hidden by an
 * adopted mtime (here: a file put into cur/ with cur/'s mtime put back,
 * as a change in the same instant as ours would look) is reported by a
 * sync within IMB_OWN_RELIST_NSEC (5 s) while the session keeps
 * syncing. */
static void
test_own_changes_net(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a;
	struct imap_mbox_changes ch;
	const char *err = NULL;
	struct timespec t0, t1;
	size_t got = 0;
	int tries;

	/* hidden files prove below that a sync did not list: no watch */
	imap_mbox_set_watch(false);
	put(f->dir, "cur", "1700000000.M1P1Q1.host,S=2,W=3:2,", "x\n");
	a = xopen(f->dir, false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(imap_mbox_store(a, 0, IMAP_MBOX_SEEN, 0, &err), 0);
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	/* bounded: 200 x 50 ms */
	for (tries = 0; tries < 200 && got == 0; tries++) {
		xsync(a, &ch);
		got = ch.n_new;
		assert_int_equal(ch.n_flags_changed + ch.n_expunged, 0);
		imap_mbox_changes_free(&ch);
		if (got == 0)
			usleep(50 * 1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(got, 1);
	assert_int_equal(a->n, 2);
	/* not at once: the adopted mtime hid it until the net */
	assert_true(tries > 1);
	assert_true(t1.tv_sec - t0.tv_sec <= 7);
	imap_mbox_close(&a);
}

/* Another process renames messages (STORE: flags in cur/; delivery:
 * new/ -> cur/) while we list again and again: no listing may miss a
 * message (reported expunged, or hidden for good below a higher UID). */
#define RACE_MSGS 3000
#define RACE_SECS 2

static void
race_renamer(const char *dir, const char (*names)[64], size_t n)
{
	char from[512], to[512];
	struct timespec t0, t;
	unsigned long round;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (round = 0; round < 1000000; round++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= RACE_SECS + 1)
			break;
		i = (round * 7919) % n;
		snprintf(from, sizeof(from), "%s/cur/%s:2,%s", dir, names[i],
			 round / n % 2 == 0 ? "" : "S");
		snprintf(to, sizeof(to), "%s/cur/%s:2,%s", dir, names[i],
			 round / n % 2 == 0 ? "S" : "");
		(void)rename(from, to);
	}
	_exit(0);
}

static void
test_listing_race(void **state)
{
	struct fixture *f = *state;
	static char names[RACE_MSGS][64];
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	struct timespec t0, t;
	const char *err = NULL;
	unsigned rounds = 0;
	char why[128] = "";
	pid_t pid;
	size_t i, n;
	int status;

	for (i = 0; i < RACE_MSGS; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "1700000000.M%06zuP1Q%zu.host,S=2,W=3", i, i);
		{
			char full[128];

			snprintf(full, sizeof(full), "%s:2,", names[i]);
			put(f->dir, "cur", full, "x\n");
		}
	}
	a = xopen(f->dir, false);
	assert_int_equal(a->n, RACE_MSGS);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		race_renamer(f->dir, (const char (*)[64])names, RACE_MSGS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* a fresh listing (no parked folder) */
		imap_mbox_release();
		if (imap_mbox_open(&b, f->dir, rounds % 2 == 1, &err) < 0) {
			snprintf(why, sizeof(why), "open: %s", err);
			break;
		}
		n = b->n;
		imap_mbox_close(&b);
		if (n != RACE_MSGS) {
			snprintf(why, sizeof(why),
				 "round %u: a fresh open lists %zu of %u",
				 rounds, n, RACE_MSGS);
			break;
		}
		if (imap_mbox_sync(a, &ch, &err) < 0) {
			snprintf(why, sizeof(why), "sync: %s", err);
			break;
		}
		n = ch.n_expunged;
		imap_mbox_changes_free(&ch);
		if (n != 0 || a->n != RACE_MSGS) {
			snprintf(why, sizeof(why),
				 "round %u: sync reports %zu expunged, %zu left",
				 rounds, n, a->n);
			break;
		}
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < RACE_SECS && rounds < 100000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (why[0] != '\0')
		fail_msg("%s", why);
	/* quiet now: everything there, with the flags on disk */
	xsync(a, &ch);
	assert_int_equal(ch.n_expunged, 0);
	assert_int_equal(a->n, RACE_MSGS);
	imap_mbox_changes_free(&ch);
	imap_mbox_close(&a);
	imap_mbox_release();
	print_message("%u listing rounds\n", rounds);
}

/* uidlist_sync() and uidlist_add_names() are wrapped (tests/unit/wrap.mk):
 * sync_hook / add_hook, when set, run at each call, i.e. between a
 * listing's readdir and its UID lookup, where another session's APPEND
 * or listing may come in. add_hook is off while it runs. */
int __real_uidlist_sync(struct uidlist *ul, const char *const *names,
			size_t n, uint32_t *uids_r, const char **error_r);
int __real_uidlist_add_names(struct uidlist *ul, const char *const *names,
			     size_t n, uint32_t *uids_r, const char **error_r);

static void (*sync_hook)(unsigned call, const char *dir);
static void (*add_hook)(unsigned call, const char *dir);
static const char *sync_hook_dir;
static unsigned sync_hook_calls;

int
__wrap_uidlist_sync(struct uidlist *ul, const char *const *names, size_t n,
		    uint32_t *uids_r, const char **error_r)
{
	if (sync_hook != NULL)
		sync_hook(++sync_hook_calls, sync_hook_dir);
	return __real_uidlist_sync(ul, names, n, uids_r, error_r);
}

int
__wrap_uidlist_add_names(struct uidlist *ul, const char *const *names,
			 size_t n, uint32_t *uids_r, const char **error_r)
{
	void (*hook)(unsigned, const char *) = add_hook;

	if (hook != NULL) {
		add_hook = NULL;
		hook(++sync_hook_calls, sync_hook_dir);
		add_hook = hook;
	}
	return __real_uidlist_add_names(ul, names, n, uids_r, error_r);
}

/* --wrap=unlink: while unlink_races > 0 (declared at the top, cleared by
 * teardown), an unlink of a message file is beaten by another session
 * renaming it (its flags toggled 'F'): the file moves, our unlink finds
 * nothing (ENOENT). */
int __real_unlink(const char *path);
int __wrap_unlink(const char *path);

int
__wrap_unlink(const char *path)
{
	char to[1024];
	size_t n = strlen(path);

	if (unlink_races == 0 || strstr(path, "/cur/") == NULL ||
	    n + 2 > sizeof(to))
		return __real_unlink(path);
	unlink_races--;
	memcpy(to, path, n + 1);
	if (to[n - 1] == 'F')
		to[n - 1] = '\0';
	else
		memcpy(to + n, "F", 2);
	assert_int_equal(rename(path, to), 0);
	errno = ENOENT;
	return -1;
}

/* EXPUNGE of a message that other sessions keep renaming: found again
 * after each rename, up to 10 tries; past that, the error says why and
 * the message stays (reported by no EXPUNGE). */
static void
test_expunge_renamed_meanwhile(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *mb;
	const char *err = NULL;
	struct seqs s = { 0 };

	put(f->dir, "cur", "1700000000.M1P1Q1.host,S=2:2,T", "a\n");
	put(f->dir, "cur", "1700000000.M2P1Q2.host,S=2:2,T", "b\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->n, 2);
	/* 9 renames in a row: the 10th try removes it */
	unlink_races = 9;
	assert_int_equal(imap_mbox_expunge(mb, NULL, true, expunge_cb, &s,
					   &err), 0);
	assert_int_equal(unlink_races, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(mb->n, 0);
	assert_int_equal(count_dir(f->dir, "cur"), 0);
	imap_mbox_close(&mb);

	/* renamed at every one of the 10 tries: an error that says so */
	put(f->dir, "cur", "1700000000.M3P1Q3.host,S=2:2,T", "c\n");
	mb = xopen(f->dir, false);
	assert_int_equal(mb->n, 1);
	unlink_races = 10;
	assert_int_equal(imap_mbox_expunge(mb, NULL, true, NULL, NULL, &err),
			 -1);
	unlink_races = 0;
	assert_string_equal(err, "some messages could not be expunged: "
				 "a message keeps being renamed");
	assert_int_equal(mb->n, 1);
	assert_int_equal(count_dir(f->dir, "cur"), 1);
	imap_mbox_close(&mb);
}

/* Another session's APPEND of name into dir's cur/: the file, then its
 * UID (expected: uid). */
static void
late_append(const char *dir, const char *name, uint32_t want)
{
	struct uidlist ul;
	const char *err = NULL;
	uint32_t uid = 0;

	put(dir, "cur", name, "x\n");
	assert_int_equal(uidlist_init(&ul, dir, &err), 0);
	if (uidlist_add_names(&ul, &name, 1, &uid, &err) < 0)
		fail_msg("add_names: %s", err);
	uidlist_free(&ul);
	assert_int_equal(uid, want);
}

#define LATE_X "1700000003.M3P3Q3.host,S=2,W=3"
#define LATE_Y "1700000004.M4P4Q4.host,S=2,W=3"

/* The listings of one sync (imb_list tries three while the uid list
 * names a message they lack; here one expunged by someone else): Y
 * (no UID yet) comes into cur/ before the third readdir, X right after
 * it, and X's APPEND gives it its UID (3) before the third listing
 * gives Y one (4). */
static void
late_hook(unsigned call, const char *dir)
{
	if (call == 2)
		put(dir, "cur", LATE_Y ":2,", "y\n");
	if (call == 3)
		late_append(dir, LATE_X ":2,", 3);
}

/* A message that got its UID while a listing ran, but whose file came
 * after the listing's readdir, must not end up below a UID the sync
 * reports (it could never be reported then: new messages get higher
 * UIDs than the session has seen). The sync that lacks it holds back
 * what came after it; the next one reports both, in UID order. */
static void
test_listing_late_uid(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	char path[512];

	put(f->dir, "cur", "1700000001.M1P1Q1.host,S=2,W=3:2,", "a\n");
	put(f->dir, "cur", "1700000002.M2P2Q2.host,S=2,W=3:2,", "b\n");
	a = xopen(f->dir, false);
	assert_int_equal(a->n, 2);
	assert_int_equal(a->msgs[1].uid, 2);
	/* another session expunges UID 1 (its uid list line stays) */
	snprintf(path, sizeof(path), "%s/cur/%s", f->dir,
		 "1700000001.M1P1Q1.host,S=2,W=3:2,");
	assert_int_equal(unlink(path), 0);

	sync_hook = late_hook;
	sync_hook_dir = f->dir;
	sync_hook_calls = 0;
	xsync(a, &ch);
	sync_hook = NULL;
	assert_int_equal(sync_hook_calls, 3);
	assert_int_equal(ch.n_expunged, 1);
	/* Y (4) is not reported while X (3) is not seen */
	assert_int_equal(a->n, 1 + ch.n_new);
	if (ch.n_new > 0)
		assert_int_equal(a->msgs[1].uid, 3);
	assert_true(a->uidnext <= 3 || ch.n_new == 2);
	imap_mbox_changes_free(&ch);

	/* the next sync reports what the first held back */
	xsync(a, &ch);
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 3);
	assert_int_equal(a->msgs[0].uid, 2);
	assert_int_equal(a->msgs[1].uid, 3);
	assert_int_equal(a->msgs[2].uid, 4);
	assert_int_equal(a->uidnext, 5);

	/* a fresh session agrees */
	imap_mbox_release();
	b = xopen(f->dir, true);
	assert_int_equal(b->n, 3);
	assert_int_equal(b->msgs[1].uid, 3);
	imap_mbox_close(&b);
	imap_mbox_close(&a);
	imap_mbox_release();
}

/* The same race on the sync that lists new/ alone (cur/ as the last
 * listing left it): a delivery Y in new/ has no UID yet; while the sync
 * gives it one, another session's APPEND puts X into cur/ and gives it
 * its UID first. Y must wait for X. */
static void
late_new_hook(unsigned call, const char *dir)
{
	if (call == 1)
		late_append(dir, LATE_X ":2,", 4);
}

static void
test_listing_new_late_uid(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a;
	struct imap_mbox_changes ch;
	struct timespec old;

	a = open_three_settled(f->dir, &old);

	put(f->dir, "new", LATE_Y, "y\n");
	old.tv_sec += 1; /* moved, but not within the window */
	set_dir_mtime(f->dir, "new", old);
	add_hook = late_new_hook;
	sync_hook_dir = f->dir;
	sync_hook_calls = 0;
	xsync(a, &ch);
	add_hook = NULL;
	assert_int_equal(sync_hook_calls, 1); /* new/ alone was listed */
	assert_int_equal(ch.n_expunged, 0);
	assert_int_equal(a->n, 3 + ch.n_new);
	if (ch.n_new > 0)
		assert_int_equal(a->msgs[3].uid, 4);
	imap_mbox_changes_free(&ch);

	xsync(a, &ch);
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 5);
	assert_int_equal(a->msgs[3].uid, 4);
	assert_int_equal(a->msgs[4].uid, 5);
	imap_mbox_close(&a);
	imap_mbox_release();
}

/* +FLAGS/-FLAGS apply to the flags on disk, not to a stale view. */
static void
test_store_delta(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	const char *err = NULL;

	deliver(f->dir, 1, "Subject: x\n\nbody\n");
	deliver(f->dir, 2, "Subject: y\n\nbody\n");
	a = xopen(f->dir, false);
	assert_int_equal(imap_mbox_store(a, 0, IMAP_MBOX_SEEN, 0, &err), 0);
	b = xopen(f->dir, false);
	assert_int_equal(b->msgs[0].flags & IMAP_MBOX_STORED_FLAGS,
			 IMAP_MBOX_SEEN);
	/* a adds \Answered; b (not synced) removes \Seen */
	assert_int_equal(imap_mbox_store_delta(a, 0, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	assert_int_equal(imap_mbox_store_delta(b, 0, IMAP_MBOX_STORE_REMOVE,
					       IMAP_MBOX_SEEN, 0, &err),
			 0);
	assert_int_equal(b->msgs[0].flags & IMAP_MBOX_STORED_FLAGS,
			 IMAP_MBOX_ANSWERED);
	assert_true(exists(f->dir, "cur", b->msgs[0].name));
	assert_non_null(strstr(b->msgs[0].name, ":2,R"));
	assert_null(strchr(strstr(b->msgs[0].name, ":2,"), 'S'));
	/* a's change is reported to b by its next sync (STORE .SILENT) */
	{
		struct imap_mbox_changes ch;

		xsync(b, &ch);
		assert_int_equal(ch.n_flags_changed, 1);
		assert_int_equal(ch.flags_changed[0], 0);
		imap_mbox_changes_free(&ch);
		xsync(b, &ch);
		assert_int_equal(ch.n_flags_changed, 0);
		imap_mbox_changes_free(&ch);
	}
	/* a (stale: \Seen \Answered) removes \Answered: b's removal of
	 * \Seen stays */
	assert_int_equal(imap_mbox_store_delta(a, 0, IMAP_MBOX_STORE_REMOVE,
					       IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	assert_int_equal(a->msgs[0].flags & IMAP_MBOX_STORED_FLAGS, 0);
	/* b thinks \Answered is set, adds it: a no-op in b's view, but the
	 * file lost it: it is set again */
	assert_int_equal(imap_mbox_store_delta(b, 0, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	assert_int_equal(b->msgs[0].flags & IMAP_MBOX_STORED_FLAGS,
			 IMAP_MBOX_ANSWERED);
	assert_true(exists(f->dir, "cur", b->msgs[0].name));
	/* SET replaces whatever is there */
	assert_int_equal(imap_mbox_store_delta(a, 0, IMAP_MBOX_STORE_SET,
					       IMAP_MBOX_FLAGGED, 0, &err),
			 0);
	assert_int_equal(a->msgs[0].flags & IMAP_MBOX_STORED_FLAGS,
			 IMAP_MBOX_FLAGGED);
	assert_true(exists(f->dir, "cur", a->msgs[0].name));
	assert_int_equal(count_dir(f->dir, "cur"), 2);
	/* expunged by a: ENOENT for b */
	assert_int_equal(imap_mbox_expunge(a, NULL, false, NULL, NULL, &err),
			 0);
	assert_int_equal(imap_mbox_store_delta(b, 1, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_SEEN, 0, &err),
			 -1);
	assert_int_equal(errno, ENOENT);
	imap_mbox_close(&a);
	imap_mbox_close(&b);
	imap_mbox_release();
}

/* \Recent of APPENDed and COPYed messages: for the first read-write
 * session that sees them; read-only sessions and STATUS report what no
 * read-write session claimed. */
static void
test_recent_claims(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b, *ro;
	struct imap_mbox_changes ch;
	struct imap_mbox_status st;
	const char *err = NULL;
	uint32_t uidv, uid, uids[2];
	size_t idx[2] = { 0, 1 };

	/* a selects the empty folder; an APPEND (as by another session)
	 * is \Recent at a's next sync, for a alone */
	a = xopen(f->dir2, false);
	assert_int_equal(a->n, 0);
	assert_int_equal(imap_mbox_append(f->dir2, "m\n", 2, 0, NULL, 0, 0,
					  &uidv, &uid, &err),
			 0);
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 1);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->recent, 1);
	assert_int_equal(a->msgs[0].flags, IMAP_MBOX_RECENT);
	imap_mbox_release();
	b = xopen(f->dir2, false);
	assert_int_equal(b->recent, 0);
	ro = xopen(f->dir2, true);
	assert_int_equal(ro->recent, 0);
	imap_mbox_close(&ro);
	assert_int_equal(imap_mbox_status(f->dir2, &st, &err), 0);
	assert_int_equal(st.messages, 1);
	assert_int_equal(st.recent, 0);

	/* two more APPENDs: both a and b sync; one of them has them */
	assert_int_equal(imap_mbox_append(f->dir2, "n\n", 2, 0, NULL, 0, 0,
					  &uidv, &uid, &err),
			 0);
	assert_int_equal(imap_mbox_append(f->dir2, "o\n", 2, 0, NULL, 0, 0,
					  &uidv, &uid, &err),
			 0);
	assert_int_equal(imap_mbox_status(f->dir2, &st, &err), 0);
	assert_int_equal(st.recent, 2);
	xsync(b, &ch);
	imap_mbox_changes_free(&ch);
	xsync(a, &ch);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 3);
	assert_int_equal(b->n, 3);
	assert_int_equal(b->recent, 2);
	assert_int_equal(a->recent, 1); /* its first one only */
	assert_int_equal(a->msgs[2].flags & IMAP_MBOX_RECENT, 0);
	assert_int_equal(b->msgs[2].flags, IMAP_MBOX_RECENT);
	imap_mbox_close(&a);
	imap_mbox_close(&b);
	imap_mbox_release();

	/* COPY into a folder nobody has open: STATUS and a read-only open
	 * count them, the first read-write open claims them */
	deliver(f->dir, 1, "x\n");
	deliver(f->dir, 2, "y\n");
	a = xopen(f->dir, false);
	assert_int_equal(imap_mbox_copy(a, idx, 2, f->dir2, &uidv, uids, &err),
			 0);
	imap_mbox_close(&a);
	imap_mbox_release();
	assert_int_equal(imap_mbox_status(f->dir2, &st, &err), 0);
	assert_int_equal(st.messages, 5);
	assert_int_equal(st.recent, 2);
	ro = xopen(f->dir2, true);
	assert_int_equal(ro->recent, 2);
	imap_mbox_close(&ro);
	imap_mbox_release();
	b = xopen(f->dir2, false);
	assert_int_equal(b->recent, 2);
	assert_int_equal(b->msgs[3].flags, IMAP_MBOX_RECENT);
	assert_int_equal(b->msgs[4].flags, IMAP_MBOX_RECENT);
	imap_mbox_close(&b);
	imap_mbox_release();
	b = xopen(f->dir2, false);
	assert_int_equal(b->recent, 0);
	imap_mbox_close(&b);
	imap_mbox_release();
	assert_int_equal(imap_mbox_status(f->dir2, &st, &err), 0);
	assert_int_equal(st.recent, 0);
}

/* A batch (imap_mbox_batch_begin/end, one STORE command): the stats
 * before its first change and after its last bound it; a sync after it
 * lists nothing, and a change by someone else before the batch's first
 * change still makes the sync list and report it. */
static void
test_own_batch(void **state)
{
	struct fixture *f = *state;
	struct imap_mbox *a, *b;
	struct imap_mbox_changes ch;
	const char *err = NULL;
	unsigned i;

	/* hidden files prove below that a sync did not list: no watch */
	imap_mbox_set_watch(false);
	for (i = 1; i <= 6; i++) {
		char name[64];

		snprintf(name, sizeof(name),
			 "1700000000.M%uP1Q%u.host,S=2,W=3:2,", i, i);
		put(f->dir, "cur", name, "x\n");
	}
	a = xopen(f->dir, false);
	b = xopen(f->dir, false);
	assert_int_equal(a->n, 6);

	/* end without begin: nothing */
	imap_mbox_batch_end(a);

	/* a batch of a's stores (nested, one unchanged): not listed */
	imap_mbox_batch_begin(a);
	imap_mbox_batch_begin(a);
	for (i = 0; i < 3; i++)
		assert_int_equal(imap_mbox_store_delta(a, i,
						       IMAP_MBOX_STORE_ADD,
						       IMAP_MBOX_FLAGGED, 0,
						       &err),
				 0);
	assert_int_equal(imap_mbox_store_delta(a, 0, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_FLAGGED, 0, &err),
			 0);
	imap_mbox_batch_end(a);
	imap_mbox_batch_end(a);
	for (i = 0; i < 3; i++) {
		assert_int_equal(a->msgs[i].flags & IMAP_MBOX_FLAGGED,
				 IMAP_MBOX_FLAGGED);
		assert_true(exists(f->dir, "cur", a->msgs[i].name));
	}
	hide_msg(f->dir, "1700000001.M1P1Q1.hidden,S=2,W=3:2,");
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed + ch.n_expunged + ch.n_new, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 6);

	/* b changes a message after the batch began, before its first
	 * change: a's sync lists and reports b's change and the hidden
	 * file, not a's own */
	imap_mbox_batch_begin(a);
	assert_int_equal(imap_mbox_store(b, 5, IMAP_MBOX_DRAFT, 0, &err), 0);
	assert_int_equal(imap_mbox_store_delta(a, 3, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_SEEN, 0, &err),
			 0);
	assert_int_equal(imap_mbox_store_delta(a, 4, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_SEEN, 0, &err),
			 0);
	imap_mbox_batch_end(a);
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.flags_changed[0], 5);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 7);

	/* a message b renamed during a's batch (a relocates it): the
	 * batch adopts nothing, a's sync lists and reports b's flags */
	imap_mbox_batch_begin(a);
	assert_int_equal(imap_mbox_store_delta(a, 0, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_SEEN, 0, &err),
			 0);
	assert_int_equal(imap_mbox_store(b, 1, IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	assert_int_equal(imap_mbox_store_delta(a, 1, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_SEEN, 0, &err),
			 0);
	imap_mbox_batch_end(a);
	assert_int_equal(a->msgs[1].flags & (IMAP_MBOX_ANSWERED |
					     IMAP_MBOX_SEEN),
			 IMAP_MBOX_ANSWERED | IMAP_MBOX_SEEN);
	hide_msg(f->dir, "1700000002.M2P1Q2.hidden,S=2,W=3:2,");
	xsync(a, &ch);
	assert_int_equal(ch.n_new, 1);
	assert_int_equal(ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 8);

	/* from here on with the watch (made at a's next change) */
	imap_mbox_set_watch(true);

	/* b renames a message a does not touch, between two of the
	 * batch's changes: the stats before and after the batch cannot
	 * tell (the mtime after is taken for a's), the watch on the window
	 * can (events a did not make): the batch adopts nothing and a's
	 * sync lists and reports b's change at once, not after the net */
	imap_mbox_batch_begin(a);
	assert_int_equal(imap_mbox_store_delta(a, 2, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_DELETED, 0, &err),
			 0);
	assert_int_equal(imap_mbox_store(b, 5, IMAP_MBOX_FLAGGED, 0, &err),
			 0);
	assert_int_equal(imap_mbox_store_delta(a, 3, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_DELETED, 0, &err),
			 0);
	imap_mbox_batch_end(a);
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.flags_changed[0], 5);
	assert_int_equal(ch.n_new + ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->msgs[5].flags & IMAP_MBOX_FLAGGED,
			 IMAP_MBOX_FLAGGED);

	/* after a's change is adopted, b renames a message and a file
	 * appears, both in the same clock tick (cur/'s mtime put back): no
	 * mtime shows them, a's watch does; a's sync reports both, and a's
	 * index snapshot is not written with the stale state */
	assert_int_equal(imap_mbox_store_delta(a, 0, IMAP_MBOX_STORE_ADD,
					       IMAP_MBOX_ANSWERED, 0, &err),
			 0);
	xsync(a, &ch); /* the window adopted: nothing to report */
	assert_int_equal(ch.n_flags_changed + ch.n_new + ch.n_expunged, 0);
	imap_mbox_changes_free(&ch);
	{
		struct timespec t = dir_mtime(f->dir, "cur");

		assert_int_equal(imap_mbox_store(b, 4, IMAP_MBOX_FLAGGED, 0,
						 &err),
				 0);
		set_dir_mtime(f->dir, "cur", t);
	}
	hide_msg(f->dir, "1700000003.M3P1Q3.hidden,S=2,W=3:2,");
	xsync(a, &ch);
	assert_int_equal(ch.n_flags_changed, 1);
	assert_int_equal(ch.flags_changed[0], 4);
	assert_int_equal(ch.n_new, 1);
	imap_mbox_changes_free(&ch);
	assert_int_equal(a->n, 9);

	imap_mbox_close(&b);
	imap_mbox_close(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_keyword_valid),
		cmocka_unit_test(test_keywords_parse),
		cmocka_unit_test(test_cache_parse),
		cmocka_unit_test_setup_teardown(test_open_recent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_handles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keywords, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_keyword_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_and_hostile, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_skips_listing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expunge_moved_copy_exdev,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_keywords_full,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_uid_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_changes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recent_claims, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_delta, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listing_race, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expunge_renamed_meanwhile,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_listing_late_uid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listing_new_late_uid,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_new_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_index_load, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_index_confirm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_index_ignored, setup,
						teardown),
		cmocka_unit_test(test_index_parse),
		cmocka_unit_test_setup_teardown(test_own_changes_net, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_own_batch, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
