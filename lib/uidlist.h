/*
 * uidlist.h -- the per-folder UID list shared by quail-pop3d and
 * quail-imapd: persistent IMAP UIDs (RFC 3501 2.3.1.1) and POP3 UIDLs
 * (RFC 1939 7) for the messages of one Maildir folder.
 *
 * File "<folder>/quail-uidlist", text, one record per line:
 *     V1 <uidvalidity> <uidnext>           the header (first line)
 *     <uid> <base name>                    one line per known message
 * The base name is the Maildir file name up to the first ':' or ','
 * (flag changes and S=/W= never change it). UIDs are strictly
 * increasing down the file and below uidnext; a UID is never reused:
 * uidnext only grows, also across compactions. UIDVALIDITY is the time the
 * list was created (and is bumped only if the file had to be rebuilt),
 * or one more than the last UIDVALIDITY handed out in the same Maildir if
 * that is not less (RFC 3501 2.3.1.1: a folder deleted and created again
 * in the same second must not get its old value back): the Maildir root
 * keeps the last value in "quail-uidvalidity" (decimal, one line;
 * updated under flock(2)).
 *
 * Writers hold "<folder>/quail-uidlist.lock", an NFS-safe dotlock made
 * with link(2) (a unique file linked to the lock name; success is judged
 * by the link count, as NFS may report a lost reply). A lock older than
 * UIDLIST_LOCK_STALE_SECS, or one left by a dead process on this host, is
 * broken. New messages are appended (one write, fdatasync: a UID a client
 * has seen must not be handed out again after a crash); when most entries
 * are gone the file is rewritten (tmp + fsync + rename). Readers need no
 * lock: a partial last line (an append in progress) is ignored.
 *
 * Memory: struct uidlist owns its entries and names; uidlist_free().
 * Return convention: 0 ok, -1 error with errno and *error_r (static).
 */
#ifndef QUAIL_UIDLIST_H
#define QUAIL_UIDLIST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

#define UIDLIST_FILE "quail-uidlist"
#define UIDLIST_LOCK_FILE "quail-uidlist.lock"
/* In the Maildir root: the last UIDVALIDITY handed out to any folder. */
#define UIDLIST_VALIDITY_FILE "quail-uidvalidity"
/* A lock file older than this is considered left behind and broken. */
#define UIDLIST_LOCK_STALE_SECS 120
/* How long uidlist_lock() waits for another holder before giving up. */
#define UIDLIST_LOCK_WAIT_SECS 30
/* Longest base name kept (a file name is at most NAME_MAX bytes). */
#define UIDLIST_NAME_MAX_BYTES 255
/* Largest list file read (about 10 million messages). */
#define UIDLIST_FILE_MAX_BYTES (1024UL * 1024 * 1024)
/* Rewrite when at least this many entries are gone and they are at least
 * half of the file: bounded file size, rare rewrites. */
#define UIDLIST_COMPACT_MIN_GONE 64

struct uidlist_entry {
	uint32_t uid;
	size_t name_off; /* offset of the NUL-terminated base name in names */
	size_t name_len;
	uint64_t hash; /* of the name, once hashed (0 while sorted) */
};

struct uidlist {
	char dir[PATH_MAX];	       /* the folder (Maildir) */
	uint32_t uidvalidity;	       /* 0 until read or created */
	uint32_t uidnext;	       /* next UID to hand out (>= 1) */
	struct uidlist_entry *entries; /* ascending uid */
	size_t n, cap;
	/* The base names, NUL-terminated: after a read, the file's text
	 * itself (each name's LF replaced by NUL), then names added. */
	struct buf names;
	/* The entries are also in ascending base name order (memcmp, then
	 * the shorter first: the order of maildir_list_read()), as a list
	 * written from a sorted listing is. Lookups are then a binary
	 * search, or one comparison when the names come in that order, and
	 * there is no hash. An entry out of that order builds the hash. */
	bool sorted;
	uint64_t *hash;	 /* open addressing: hash tag | entry index + 1 */
	size_t hash_cap; /* 0 while sorted; else power of two, > 2 * n */
	bool exists;	 /* the file was found by the last read */
	/* The last sync found a bad file and rebuilt it with a new
	 * uidvalidity (log it). */
	bool rebuilt;
	bool locked;
	dev_t lock_dev; /* identity of the lock file we created */
	ino_t lock_ino;
	struct timespec lock_mtime; /* (inode numbers get reused) */
	dev_t file_dev;		    /* identity of the file we read last */
	ino_t file_ino;
	off_t file_size;
	struct timespec file_mtime;
	/* Counts the reads that replaced the whole list (uidlist_read of
	 * the whole file, uidlist_parse, a rewrite read back). Entries keep
	 * their index while it stays the same: a read of appended lines
	 * only adds entries at the end (uidlist_read). */
	uint64_t generation;
	/* Set by the caller of uidlist_sync(), 0 for none: entries with a
	 * UID >= keep_from are never dropped by its compaction. Set it to
	 * uidnext as read (uidlist_read) before listing the folder: a
	 * message added after the listing began (APPEND, COPY, another
	 * session's listing) gets a UID >= that, and a listing that does not
	 * show it must not drop it. */
	uint32_t keep_from;
};

/* Returns the base name of a Maildir file name: its length up to the
 * first ':' or ','. */
size_t uidlist_base_len(const char *name);
/* True if s[0..len) may be stored as a base name: 1..UIDLIST_NAME_MAX_BYTES
 * bytes of visible ASCII or 8-bit, no '/', ':', ',', not starting '.'. */
bool uidlist_valid_base(const char *s, size_t len);

/* The Maildir root of folder dir into out: its parent when dir's last
 * component starts with '.' and the parent is a Maildir (has cur/), else
 * dir itself (INBOX). 0 / -1 (ENAMETOOLONG). */
int uidlist_root(const char *dir, char *out, size_t outlen);
/* A UIDVALIDITY for a new uid list of folder dir: max(time(NULL), above +
 * 1, the root's last one + 1), recorded in the root's
 * UIDLIST_VALIDITY_FILE (if that cannot be written: the first two). */
uint32_t uidlist_new_uidvalidity(const char *dir, uint32_t above);

/* Initialises an empty list for folder dir (nothing is read). 0 / -1. */
int uidlist_init(struct uidlist *ul, const char *dir, const char **error_r);
void uidlist_free(struct uidlist *ul);

/* Reads the list file (one read of the whole file). A missing file gives
 * an empty list with exists = false. Skips the read when the file did
 * not change since the last call; when it only grew (same inode, same
 * header line, the old end on a line boundary: an append, as writers
 * never rewrite in place), reads and adds just the appended lines, so
 * entries already there keep their index and generation stays. A
 * malformed file is an error (EINVAL); uidlist_sync() rebuilds it.
 * 0 / -1. */
int uidlist_read(struct uidlist *ul, const char **error_r);

/* Parses list text (pure; exported for tests and the fuzzer): replaces
 * the content of ul. A trailing line without LF is ignored. 0, or -1
 * with *error_r (EINVAL). */
int uidlist_parse(struct uidlist *ul, const char *data, size_t len,
		  const char **error_r);

/* The UID of a base name (len bytes), or 0 if unknown. */
uint32_t uidlist_lookup(const struct uidlist *ul, const char *base, size_t len);

/* Takes the dotlock (waits up to UIDLIST_LOCK_WAIT_SECS; EWOULDBLOCK on
 * timeout). 0 / -1. */
int uidlist_lock(struct uidlist *ul, const char **error_r);
/* Releases the lock if it is still ours. */
void uidlist_unlock(struct uidlist *ul);

/* The folder's messages are the n names (full Maildir file names or base
 * names, in the order new UIDs should be given). Makes sure each has a
 * UID: reads the list, and if a name is unknown, or the file is missing
 * or bad, or worth compacting, takes the lock, re-reads, appends the new
 * names (or rewrites the file) and releases the lock. Fills uids_r[i]
 * (n entries) when uids_r != NULL. Lock-free when nothing is new. A
 * compaction keeps the entries from ul->keep_from on. 0 / -1. */
int uidlist_sync(struct uidlist *ul, const char *const *names, size_t n,
		 uint32_t *uids_r, const char **error_r);

/* Gives the n new names (full Maildir file names or base names, e.g.
 * just delivered by APPEND or COPY) UIDs, in order, without the rest of
 * the folder: takes the lock, re-reads the file only if it changed
 * (only the appended lines when it grew), keeps the UID of a name that
 * is already listed (another process's listing may have given it one),
 * appends the others in one write, fdatasyncs and unlocks. Never
 * compacts. A missing or damaged file is started over (new uidvalidity,
 * rebuilt = true) with just these names: the folder's other messages get
 * UIDs at its next listing. Names that are not valid bases get UID 0.
 * A handle that never read the list, given few names (up to 16: one
 * APPEND), does not parse it: the file is searched for the names and its
 * last UID, and the handle stays unread (uidvalidity and uidnext set, no
 * entries); damage elsewhere in the file is then left to the next full
 * read, which rebuilds it. Fills uids_r[i] (n entries) when uids_r !=
 * NULL. 0 / -1. */
int uidlist_add_names(struct uidlist *ul, const char *const *names, size_t n,
		      uint32_t *uids_r, const char **error_r);

#endif
