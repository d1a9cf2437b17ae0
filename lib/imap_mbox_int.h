/*
 * imap_mbox_int.h -- private to lib/imap_mbox*.c: the parts of struct
 * imap_mbox_priv that the split files share (the cache, the keyword file,
 * paths). Nothing outside lib/imap_mbox*.c includes this.
 *
 * Return convention as in imap_mbox.h: 0 ok, -1 with errno and *error_r.
 */
#ifndef QUAIL_IMAP_MBOX_INT_H
#define QUAIL_IMAP_MBOX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "buf.h"
#include "imap_mbox.h"
#include "maildir_list.h"
#include "uidlist.h"

/* "not looked up yet" for a message's cache record. */
#define IMC_UNRESOLVED UINT32_MAX
/* no cache record / end of a field chain */
#define IMC_NONE (UINT32_MAX - 1)

/* One cached value. */
struct imc_ent {
	size_t off;    /* of the value in fdata (!in_pend) or pend */
	uint32_t len;
	uint32_t next; /* next field of the same base, IMC_NONE */
	char field;
	bool in_pend;  /* value in pend (put by this session) */
	bool unsaved;  /* not yet in the file */
};

/* One base name with cached values. */
struct imc_base {
	size_t off;	/* of the name in fdata (!in_pend) or pend */
	uint32_t len;
	uint32_t first; /* first field, IMC_NONE */
	uint64_t hash;
	bool in_pend;
	bool live; /* scratch for the flush */
};

struct imap_mbox_cache {
	bool loaded;
	bool rewrite;	   /* the file is damaged or too large */
	char *fdata;	   /* the file as read */
	size_t flen;
	struct buf pend;   /* names and values put by this session */
	struct imc_base *bases;
	size_t n_bases, cap_bases;
	struct imc_ent *ents;
	size_t n_ents, cap_ents;
	uint32_t *hash;	   /* base index + 1, 0 empty; open addressing */
	size_t hash_cap;   /* power of two */
	size_t n_records;  /* records in the file (incl. replaced ones) */
	size_t n_unsaved;
};

/* Per message, parallel to msgs[]. */
struct imap_mbox_mp {
	char *own;     /* malloc'd name (we renamed it), else NULL */
	/* cache base index + 1 (IMC_NONE + 1: none); 0: IMC_UNRESOLVED,
	 * so that a zeroed array (calloc: pages not even touched until
	 * used) is all unresolved. Through imb_mp_crec/imb_mp_set_crec. */
	uint32_t crec;
};

static inline uint32_t
imb_mp_crec(const struct imap_mbox_mp *mp)
{
	return mp->crec == 0 ? IMC_UNRESOLVED : mp->crec - 1;
}

static inline void
imb_mp_set_crec(struct imap_mbox_mp *mp, uint32_t b)
{
	mp->crec = b == IMC_UNRESOLVED ? 0 : b + 1;
}

/* What a sync compares: new/ and cur/ as stat'ed before a listing. */
struct imb_dirs {
	struct timespec new_mtime, cur_mtime;
	ino_t new_ino, cur_ino;
	dev_t dev;
};

/* Our own change to new/ and/or cur/: imb_own_begin() right before it,
 * imb_own_end() right after it. */
struct imb_own {
	bool ok; /* the dirs were as the last sync left them */
	struct imb_dirs before;
};

/* Bits of imap_mbox_priv.wpend. */
#define IMB_WP_NEW 1u	 /* an entry of new/ changed */
#define IMB_WP_CUR 2u	 /* an entry of cur/ changed */
#define IMB_WP_BROKEN 4u /* the watch overflowed or broke */

struct imap_mbox_priv {
	struct uidlist ul;
	struct maildir_list list; /* the names of the last listing */
	size_t names_mapped; /* list.names is the index snapshot mapped,
			      * this long (imb_list_release) */
	struct imap_mbox_mp *mp;
	size_t cap; /* of msgs and mp */
	/* the directories at the last listing */
	bool listed;
	struct imb_dirs dirs;
	bool unstable; /* listed within a second of a change: list again */
	bool cur_unstable; /* the same for cur/ alone (a listing of new/
			    * alone needs cur/ to be certain) */
	uint32_t max_uid; /* largest UID this session has reported */
	/* UIDs the uid list names whose files a trusted listing did not
	 * show (expunged), ascending; rebuilt by each listing (see
	 * imb_list: a listing missing other uid list names is repeated) */
	uint32_t *gone;
	size_t n_gone, cap_gone;
	/* 0, or the lowest UID the uid list gave out after the last
	 * listing began that the listing lacks: its file may have come
	 * after readdir passed. New messages above it are not taken from
	 * that listing (imb_apply), lest it end up below a reported UID
	 * for good; the next sync lists again (see imb_list). */
	uint32_t hold_above;
	/* UIDs whose flags a store found changed by another process: the
	 * next sync reports them (flags_changed), as for STORE .SILENT the
	 * store's own reply does not */
	uint32_t *report;
	size_t n_report, cap_report;
	/* the keyword file as last read */
	ino_t kw_ino;
	struct timespec kw_mtime;
	off_t kw_size;
	bool kw_grew; /* the keyword file grew by names not ours: report */
	struct imap_mbox_cache cache;
	/* --- our own changes (see imap_mbox.c, "own changes") --- */
	struct imap_mbox *next_open; /* the process's open folders */
	/* the uid list entries [0, ul_seen) of generation ul_gen are in
	 * msgs[] or were expunged */
	size_t ul_seen;
	uint64_t ul_gen;
	/* dirs was adopted after our own change at this CLOCK_MONOTONIC
	 * time (ns) without a listing since; 0: none */
	long long own_since;
	bool must_list; /* an own change could not be tracked: list */
	/* full names of the messages this process added to the folder
	 * (APPEND, COPY) since the last listing, in cur/ */
	char **own_new;
	size_t n_own_new, cap_own_new;
	/* --- the index snapshot (imap_mbox.c, "index snapshot") --- */
	bool snap_valid; /* snap: the file as we last loaded or wrote it */
	struct imap_mbox_index_head snap;
	/* msgs[] came from the snapshot and ul is not read yet: its first
	 * read (imb_ul_ready) takes entries [0, snap.ul_n) as accounted */
	bool ul_unread;
	/* --- a batch of own changes (imap_mbox_batch_begin/end) --- */
	unsigned batch_depth;
	bool batch_begun;   /* batch_o holds the stats before the first */
	struct imb_own batch_o;
	bool batch_new, batch_cur; /* the directories the batch changed */
	bool batch_lost;    /* a change not reported by imb_own_end */
	/* --- the watch on own-change windows (imap_mbox.c, "own changes")
	 * --- made at the first own change; wfd inotify on new/ and cur/,
	 * wdir[] those directories (for the barrier), -1 when closed */
	bool watch_made;    /* wfd and wdir[] are open */
	bool watch_failed;  /* inotify unavailable here: adopt by stat */
	int wfd, wdir[2], wd[2];
	/* IMB_WP_*: what the watch saw outside our windows since the last
	 * sync (which lists for it) */
	unsigned wpend;
	unsigned long own_events; /* entries our changes in this window
				   * made or removed in new/ and cur/ */
};

/* Keyword lists (imap_mbox_keywords.c). */
struct imap_kwlist {
	char *names[IMAP_MBOX_KEYWORDS_MAX];
	unsigned count;
};
void imk_free(struct imap_kwlist *kw);
/* Reads dir's keyword file (missing: empty); *st_r its stat (st_ino 0
 * when missing). Gaps get a placeholder name. 0 / -1. */
int imk_read(const char *dir, struct imap_kwlist *kw, struct stat *st_r,
	     const char **error_r);
/* Makes sure each of names[0..n) (valid keywords) is in dir's keyword
 * file, taking ul's lock for the rewrite; bits_r[i] gets its index (-1 if
 * there was no room: ENOSPC after all others were added). kw_r (if not
 * NULL) receives the list as written. 0 / -1. */
int imk_ensure(const char *dir, struct uidlist *ul, const char *const *names,
	       const size_t *lens, size_t n, int *idx_r,
	       struct imap_kwlist *kw_r, struct stat *st_r,
	       const char **error_r);
/* Index of name in kw (case-insensitive), -1. */
int imk_find(const struct imap_kwlist *kw, const char *name, size_t len);

/* The cache (imap_mbox_cache.c). */
void imc_free(struct imap_mbox_cache *c);
/* Loads dir's cache file if not loaded yet (a missing or bad file gives
 * an empty cache). 0 / -1 (ENOMEM). */
int imc_load(struct imap_mbox_cache *c, const char *dir);
/* The base record of a base name, IMC_NONE. */
uint32_t imc_find(const struct imap_mbox_cache *c, const char *base,
		  size_t len);
/* Looks up field in base record b. */
int imc_get(struct imap_mbox_cache *c, uint32_t b, char field,
	    const char **val_r, size_t *len_r);
/* Adds/replaces (base, field) = val as unsaved. 0 / -1. */
int imc_put(struct imap_mbox_cache *c, const char *base, size_t base_len,
	    char field, const char *val, size_t len, uint32_t *b_r);
/* Writes unsaved entries: appends, or rewrites only the live bases
 * (live[] of n_live names) when most records are dead. 0 / -1. */
int imc_flush(struct imap_mbox_cache *c, const char *dir,
	      const char *const *live, size_t n_live, const char **error_r);

/* Shared helpers (imap_mbox.c). */
/* "<dir>/<sub>/<name>" or "<dir>/<name>" (sub NULL). 0 / -1 ENAMETOOLONG. */
int imb_path(char *out, size_t outlen, const char *dir, const char *sub,
	     const char *name);
/* fsync a directory. 0 / -1. */
int imb_fsync_dir(const char *dir, const char *sub);
/* A fresh unique file name for dir into out (maildir_unique_name with our
 * own counter). 0 / -1. */
int imb_unique(char *out, size_t outlen);
/* Writes all of p to fd. 0 / -1. */
int imb_write_all(int fd, const void *p, size_t n);
/* Reads the whole regular file at path (O_NOFOLLOW) into *data_r (malloc,
 * NUL-terminated) if it is at most max bytes. 1 read, 0 missing, -1
 * error (EFBIG: too large). */
int imb_read_file(const char *path, size_t max, char **data_r, size_t *len_r,
		  struct stat *st_r);

/* The open folder of this process with this dir (the first opened), or
 * NULL. */
struct imap_mbox *imb_find_open(const char *dir);
/* Stats new/ and cur/ before our own change (o->ok: they are as the last
 * sync left them). */
void imb_own_begin(struct imap_mbox *mb, struct imb_own *o);
/* imb_own_begin() for a change that only renames files (STORE): the uid
 * list of a folder taken from the index snapshot stays unread. */
void imb_own_begin_renames(struct imap_mbox *mb, struct imb_own *o);
/* After our own change to new/ (new_dir) and/or cur/ (cur_dir): adopts
 * their new mtimes as seen if o->ok, so that the next sync does not list
 * for this change (msgs[] must already show it). tracked false: the
 * change is not in msgs[]; the next sync lists. */
void imb_own_end(struct imap_mbox *mb, const struct imb_own *o, bool new_dir,
		 bool cur_dir, bool tracked);
/* Remembers a message we put into mb's cur/ (full name), found in the uid
 * list at the next sync. 0 / -1 (ENOMEM: the next sync lists). */
int imb_own_added(struct imap_mbox *mb, const char *name);
/* A change was made between imb_own_begin() and where imb_own_end()
 * would be, but is not to be adopted (someone else renamed the file):
 * inside a batch, the batch then adopts nothing. */
void imb_own_lost(struct imap_mbox *mb);
/* Renames the message file name (in cur/ when from_cur, else new/; its
 * path from_path) to to_name in cur/ (to_path): by the directories the
 * watch holds open when it has them (no path walk per message), else
 * by the paths. 0 / -1 (errno of rename(2)). */
int imb_rename_in(struct imap_mbox *mb, bool from_cur, const char *name,
		  const char *from_path, const char *to_name,
		  const char *to_path);
/* Our change inside a window made n directory events in new/ and cur/:
 * a rename within them 2, a file renamed in from tmp/ 1, an unlink 1.
 * Counted only for calls that succeeded. */
void imb_own_count(struct imap_mbox *mb, unsigned n);

/* The folder's \Recent mark (the highest UID claimed as \Recent) for
 * this uidvalidity into *mark_r (0 when damaged or of another
 * uidvalidity). 1 read, 0 no file (*mark_r 0), -1 a read error. */
int imb_recent_read(const char *dir, uint32_t uidvalidity, uint32_t *mark_r);
/* After APPEND/COPY into dir: if the folder has no mark file yet, writes
 * one with mark (the UID before the first added one), under ul's lock,
 * so that the added messages are \Recent (not the old "in new/" rule).
 * Errors are ignored. */
void imb_recent_init(struct uidlist *ul, const char *dir,
		     uint32_t uidvalidity, uint32_t mark);

/* The next sync reports uid's flags (changed by someone else). */
void imb_report_flags(struct imap_mbox *mb, uint32_t uid);

/* Records that we expunged uid ourselves (no re-listing to confirm it;
 * imap_mbox.c). */
void imb_gone_add(struct imap_mbox *mb, uint32_t uid);

/* Frees the uid list APPEND/COPY keep for a folder not open
 * (imap_mbox_write.c). */
void imw_release(void);

/* imap_mbox_msg.c, for imap_mbox.c */
/* Flags and keywords (named ones only) of a file name. */
void imb_name_flags(const struct imap_mbox *mb, const char *name,
		    uint32_t *f_r, uint32_t *k_r);
/* Replaces mb's keyword list by kw (taken over); st: the file's stat. */
void imb_take_keywords(struct imap_mbox *mb, struct imap_kwlist *kw,
		       const struct stat *st);
/* Re-reads the keyword file if it changed. 1 the list grew, 0, -1. */
int imb_keywords_sync(struct imap_mbox *mb, const char **error_r);

#endif
