/*
 * imap_mbox.h -- one Maildir++ folder as quail-imapd sees it: the
 * messages in UID order (lib/uidlist.h, shared with quail-pop3d), their
 * flags and keywords (in the file names: ":2,<letters>"; keyword names in
 * the folder's keyword file), \Recent, and a per-folder cache of what
 * FETCH needs so that a large folder is not re-read on every session.
 *
 * Storage (Maildir, Maildir++):
 *   - system flags are the Maildir letters D (\Draft), F (\Flagged),
 *     R (\Answered), S (\Seen), T (\Deleted); letters a..z are keywords
 *     0..25 named by "<folder>/quail-keywords" (lines "<index> <name>",
 *     rewritten with tmp + rename under the uidlist lock).
 *   - \Recent (RFC 3501 2.3.2): "<folder>/quail-recent" holds
 *     "<uidvalidity> <uid>", the highest UID already claimed as \Recent.
 *     A read-write open or sync that finds messages above it claims them
 *     (they are \Recent for this session only) and raises it, under the
 *     uidlist lock (tmp + rename); a read-only one, and STATUS, report the
 *     UIDs above it as \Recent and claim nothing. So delivered, APPENDed
 *     and COPYed messages are \Recent for the first session that sees
 *     them read-write. A folder without the file (never claimed) keeps the
 *     old rule, "in new/"; APPEND and COPY create it (just below their
 *     first UID). A read-write open or sync also moves what it finds in
 *     new/ to cur/ (":2," added), as Dovecot and Courier do.
 *   - INTERNALDATE is the file's mtime (APPEND sets it).
 *   - the cache "<folder>/quail-cache" holds, per base name, small named
 *     values (one byte field id each: the callers choose, e.g. 'E'
 *     ENVELOPE, 'B' BODYSTRUCTURE, 'D' internal date); it is only a hint: a
 *     damaged cache is ignored and rewritten, entries of messages that are
 *     gone are dropped when it is compacted.
 *   - the index snapshot "<folder>/quail-index" (below) lets an open of
 *     an unchanged folder skip listing it; also only a hint.
 *
 * Sequence numbers: message i (0-based) of msgs[] is sequence number
 * i + 1; UIDs ascend along the array.
 *
 * Memory: struct imap_mbox owns everything it points to; imap_mbox_close().
 * A msg's name pointer is valid until the next call that changes the
 * folder (sync, store, expunge).
 * Return convention: 0 ok, -1 with errno and *error_r (static text);
 * ENOENT on a message means it was expunged by someone else.
 */
#ifndef QUAIL_IMAP_MBOX_H
#define QUAIL_IMAP_MBOX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "imap_seqset.h"

/* System flags (bits of imap_mbox_msg.flags). */
#define IMAP_MBOX_SEEN	   0x01u
#define IMAP_MBOX_ANSWERED 0x02u
#define IMAP_MBOX_FLAGGED  0x04u
#define IMAP_MBOX_DELETED  0x08u
#define IMAP_MBOX_DRAFT	   0x10u
#define IMAP_MBOX_RECENT   0x20u /* this session only; never stored */
#define IMAP_MBOX_STORED_FLAGS 0x1fu

/* Keywords per folder: the Maildir letters a..z. */
#define IMAP_MBOX_KEYWORDS_MAX 26
/* Longest keyword name (an IMAP atom). */
#define IMAP_MBOX_KEYWORD_MAX_BYTES 128

#define IMAP_MBOX_KEYWORDS_FILE "quail-keywords"
#define IMAP_MBOX_CACHE_FILE "quail-cache"
#define IMAP_MBOX_RECENT_FILE "quail-recent"
/* Largest cache value (a BODYSTRUCTURE of a huge MIME tree is not
 * cached). */
#define IMAP_MBOX_CACHE_VALUE_MAX_BYTES 65536

struct imap_mbox_msg { /* 32 bytes: 100,000 of them are 3.2 MB */
	uint32_t uid;
	uint32_t flags;	   /* IMAP_MBOX_* */
	uint32_t keywords; /* bit k: mb->keywords[k] */
	bool in_cur;
	uint64_t vsize;	   /* RFC822.SIZE: CRLF size (W=, else computed) */
	const char *name;  /* current file name in new/ or cur/ */
};

struct imap_mbox_priv;

struct imap_mbox {
	char dir[PATH_MAX];
	bool readonly;
	uint32_t uidvalidity;
	uint32_t uidnext;
	struct imap_mbox_msg *msgs; /* ascending UID; seq = index + 1 */
	size_t n;
	size_t recent; /* messages with IMAP_MBOX_RECENT */
	char *keywords[IMAP_MBOX_KEYWORDS_MAX];
	unsigned keyword_count;
	struct imap_mbox_priv *priv;
};

/* What imap_mbox_sync() found changed since the last open/sync. */
struct imap_mbox_changes {
	/* Sequence numbers to report as "* n EXPUNGE", in the order to
	 * send them (each valid when it is sent: descending). */
	uint32_t *expunged;
	size_t n_expunged;
	/* New messages appended at the end of msgs[] (EXISTS changes). */
	size_t n_new;
	/* Indexes (0-based, into the new msgs[]) of old messages whose
	 * flags or keywords changed (FETCH FLAGS). */
	size_t *flags_changed;
	size_t n_flags_changed;
	/* The keyword list grew (a new FLAGS line is due). */
	bool keywords_changed;
};

/* Opens the folder dir (it must be a Maildir: cur/ new/ tmp/). Lists it,
 * gives every message a UID (uidlist_sync), reads the keywords and the
 * cache; read-write: moves new/ to cur/ (\Recent). 0 / -1. */
int imap_mbox_open(struct imap_mbox **mb_r, const char *dir, bool readonly,
		   const char **error_r);
/* Writes pending cache entries (imap_mbox_cache_flush) and frees. */
void imap_mbox_close(struct imap_mbox **mb);
/* Whether folders opened from now on watch new/ and cur/ with inotify
 * (default on; lib/imap_mbox.c "own changes"). Off, own changes are
 * adopted by their directories' mtimes alone, with the periodic listing
 * as the net, as on a file system inotify cannot see (NFS): the unit
 * tests use it to prove by a hidden file that a sync did not list. */
void imap_mbox_set_watch(bool on);

/* Re-reads the folder (nothing is read when the directories did not
 * change) and applies the changes to msgs[]: expunged messages are
 * removed, new ones appended (read-write: moved to cur/ as \Recent), flag
 * changes taken. *ch is filled (free with imap_mbox_changes_free). 0 / -1
 * (the folder itself is gone: ENOENT). */
int imap_mbox_sync(struct imap_mbox *mb, struct imap_mbox_changes *ch,
		   const char **error_r);
void imap_mbox_changes_free(struct imap_mbox_changes *ch);

/* Index of the message with this UID, or -1. */
ssize_t imap_mbox_find_uid(const struct imap_mbox *mb, uint32_t uid);

/* Opens message i for reading (O_RDONLY, O_NOFOLLOW, O_CLOEXEC); finds
 * it again when another session renamed it. fd / -1 (ENOENT: gone). */
int imap_mbox_msg_open(struct imap_mbox *mb, size_t i, const char **error_r);
/* Appends the first max bytes of message i (SIZE_MAX: all) to out, as
 * stored. 0 / -1. */
int imap_mbox_msg_read(struct imap_mbox *mb, size_t i, size_t max,
		       struct buf *out, const char **error_r);
/* INTERNALDATE of message i (the file's mtime; cached). 0 / -1. */
int imap_mbox_msg_date(struct imap_mbox *mb, size_t i, time_t *t_r,
		       const char **error_r);

/* Sets the flags (IMAP_MBOX_RECENT is kept as it is) and keywords of
 * message i to exactly these, renaming the file; nothing happens when
 * they are unchanged. Read-only: EROFS. 0 / -1.
 * (imap_mbox_store_delta with IMAP_MBOX_STORE_SET.) */
int imap_mbox_store(struct imap_mbox *mb, size_t i, uint32_t flags,
		    uint32_t keywords, const char **error_r);

/* STORE FLAGS / +FLAGS / -FLAGS. */
enum imap_mbox_store_mode {
	IMAP_MBOX_STORE_SET,
	IMAP_MBOX_STORE_ADD,
	IMAP_MBOX_STORE_REMOVE,
};
/* Sets (SET), adds (ADD) or removes (REMOVE) these flags and keywords of
 * message i, applied to the flags the file has on disk, not to a stale
 * msgs[i]: the rename's source is the name we know, and a successful
 * rename proves that name (and so its flags) was current. If it fails
 * (ENOENT: another process changed the flags), the file's current name
 * is found (a listing), msgs[i] takes its flags and the change is applied
 * again (at most a few times). A change that changes nothing still checks
 * that the name is current (one lstat). Afterwards msgs[i].flags and
 * .keywords are what is on disk (report them). Read-only: EROFS if
 * something would change. 0 / -1 (ENOENT: expunged; EAGAIN: renamed by
 * others on every try). */
int imap_mbox_store_delta(struct imap_mbox *mb, size_t i,
			  enum imap_mbox_store_mode mode, uint32_t flags,
			  uint32_t keywords, const char **error_r);

/* A batch of changes (one STORE command over many messages): between
 * imap_mbox_batch_begin() and imap_mbox_batch_end() only stores and
 * expunges are made (no sync); the directories are stat'ed once before
 * the first change and once after the last instead of around each one.
 * Nested calls count; end without begin does nothing. */
void imap_mbox_batch_begin(struct imap_mbox *mb);
void imap_mbox_batch_end(struct imap_mbox *mb);

/* The index of keyword name[0..len) (ASCII case-insensitive match), or
 * -1: unknown and !create (errno ENOENT), or no room (ENOSPC), or an
 * error. create adds it to the keyword file. */
int imap_mbox_keyword(struct imap_mbox *mb, const char *name, size_t len,
		      bool create, const char **error_r);

/* Removes messages: with deleted_only, those with \Deleted, else all;
 * only UIDs in uids when uids != NULL (UID EXPUNGE, MOVE). cb(ctx, seq) is
 * called for each with the sequence number to report (descending, each
 * valid when reported) after it is gone. 0 / -1 (some could not be
 * removed; those stay). */
int imap_mbox_expunge(struct imap_mbox *mb, const struct imap_seqset *uids,
		      bool deleted_only, void (*cb)(void *ctx, uint32_t seq),
		      void *ctx, const char **error_r);

/* Adds a message to the folder dir (open or not; need not be this
 * process's selected one): written to tmp/ with LF line ends (CRLF in
 * data becomes LF), fsync'd, renamed into cur/ with its flags (":2,..."),
 * mtime set to date, given a UID (uidlist_sync; the uid list append is
 * fdatasync'd). keywords[0..nkw) are names, added to the folder's
 * keyword file as needed. *uidvalidity_r and *uid_r for UIDPLUS. 0 / -1
 * (ENOENT: no such folder, for [TRYCREATE]; ENOSPC/EDQUOT: disk full). */
int imap_mbox_append(const char *dir, const void *data, size_t len,
		     uint32_t flags, const char *const *keywords, size_t nkw,
		     time_t date, uint32_t *uidvalidity_r, uint32_t *uid_r,
		     const char **error_r);

/* Copies messages idx[0..n) of mb into the folder dest_dir (hard links
 * where possible, else copies; fsync'd), keeping flags (not \Recent),
 * keywords (by name) and INTERNALDATE; dest_uids_r[0..n) get the new UIDs
 * in the same order, *uidvalidity_r the destination's. A message that
 * vanished meanwhile gets UID 0 and is skipped. 0 / -1 (ENOENT: no such
 * folder). */
int imap_mbox_copy(struct imap_mbox *mb, const size_t *idx, size_t n,
		   const char *dest_dir, uint32_t *uidvalidity_r,
		   uint32_t *dest_uids_r, const char **error_r);

/* The cache: value of field for message i. 1 found (*val_r valid until
 * the next call on mb), 0 not cached. */
int imap_mbox_cache_get(struct imap_mbox *mb, size_t i, char field,
			const char **val_r, size_t *len_r);
/* Remembers a value (kept in memory, written by cache_flush). Values over
 * IMAP_MBOX_CACHE_VALUE_MAX_BYTES are ignored. 0 / -1 (ENOMEM). */
int imap_mbox_cache_put(struct imap_mbox *mb, size_t i, char field,
			const char *val, size_t len);
/* Appends new cache entries to the cache file (no fsync: a hint). 0 / -1
 * (the caller may ignore it). Read-only folders write nothing. */
int imap_mbox_cache_flush(struct imap_mbox *mb, const char **error_r);

/* Counts for STATUS without keeping the folder open: messages, \Recent
 * (UIDs not claimed yet, see above), unseen, uidnext, uidvalidity, total size (vsize). Gives
 * every message a UID as open does but moves nothing. 0 / -1. */
struct imap_mbox_status {
	uint32_t messages, recent, unseen, uidnext, uidvalidity;
	uint64_t size;
};
int imap_mbox_status(const char *dir, struct imap_mbox_status *st,
		     const char **error_r);

/* Maildir letters of flags and keywords in canonical order (system
 * letters, then keyword letters a..z) into out (at least 32 bytes). */
void imap_mbox_flag_letters(uint32_t flags, uint32_t keywords, char *out);
/* Parses ":2,<letters>" letters (pure). */
void imap_mbox_parse_letters(const char *letters, uint32_t *flags_r,
			     uint32_t *keywords_r);

/* Added by the module (storage): limits and the pure parsers, exported
 * for the unit tests and the fuzzer, and notes on the calls above:
 *   - imap_mbox_sync() fails with ESTALE when the folder's UIDVALIDITY
 *     changed under the session (its uid list was rebuilt): the session
 *     cannot go on with this selection (Dovecot disconnects).
 *   - keywords_changed is set (once) by a sync that finds keywords
 *     other processes (or other handles, or an APPEND/COPY) added to the
 *     keyword file; a keyword created through this handle by
 *     imap_mbox_keyword() is not reported (the caller announces it).
 *   - imap_mbox_append() fails with EMLINK (not ENOSPC, which is a full
 *     disk) when the folder already has IMAP_MBOX_KEYWORDS_MAX keywords
 *     and one of keywords[] is new (nothing is written); COPY instead
 *     copies the message without that keyword.
 *   - a sync after only this handle's own changes lists nothing: its
 *     STORE and EXPUNGE, and APPEND/COPY into the folder by this process
 *     while it is open (those messages are new at that sync); the rule
 *     and its safety net are in lib/imap_mbox.c ("own changes").
 *   - imap_mbox_expunge() calls cb after msgs[] is already compacted;
 *     the seqs passed are descending, each valid in the order sent.
 *   - APPEND and COPY put messages into cur/: a session that selected the
 *     destination sees them at its next sync as new, not \Recent.
 *   - the cache field letters of this module: 'D' (internal date,
 *     decimal seconds) and 'W' (a computed RFC822.SIZE).
 */

/* A cache file larger than this is not read (it is rewritten from what
 * the session caches); the live entries written are capped by it too. */
#define IMAP_MBOX_CACHE_FILE_MAX_BYTES (128UL * 1024 * 1024)
/* A keyword file larger than this is damaged (26 lines of at most
 * IMAP_MBOX_KEYWORD_MAX_BYTES). */
#define IMAP_MBOX_KEYWORDS_FILE_MAX_BYTES 16384
/* Files in tmp/ older than this (a delivery killed half way) are removed
 * by a read-write open. */
#define IMAP_MBOX_TMP_STALE_SECS (36 * 3600)

/* imap_mbox_close() keeps the folder closed last (memory as when open;
 * the cache written) so that opening the same dir in the same mode again
 * is one imap_mbox_sync(): \Recent then starts over (read-write: what that
 * sync moves from new/; read-only: what is in new/). This frees it (tests
 * that change files behind a session's back; memory). */
void imap_mbox_release(void);

/* Removes the files in dir/tmp/ whose mtime and ctime are both older than
 * now - IMAP_MBOX_TMP_STALE_SECS (at most 10000 entries looked at; a
 * read-write open calls it with time(NULL)). */
void imap_mbox_clean_tmp(const char *dir, time_t now);

/* True if name[0..len) is a keyword we store: 1..IMAP_MBOX_KEYWORD_MAX_BYTES
 * ATOM-CHARs (RFC 3501 9: no CTL, SP, '(', ')', '{', '%', '*', '"', '\\',
 * ']', no 8-bit), so never a system flag. */
bool imap_mbox_keyword_valid(const char *name, size_t len);

/* Parses keyword file text ("<index> <name>" lines, index 0..25): sets
 * names_r[k] (malloc'd) for each valid line, NULL where there is none;
 * bad lines, repeated indexes and names already given (ASCII
 * case-insensitive) are skipped. *count_r = highest index given + 1.
 * 0, or -1 (ENOMEM; nothing is left allocated). */
int imap_mbox_keywords_parse(const char *data, size_t len,
			     char *names_r[IMAP_MBOX_KEYWORDS_MAX],
			     unsigned *count_r);

/* Parses cache file text: the header line then records; calls cb for
 * each valid record in file order (a later record of the same base name
 * and field replaces an earlier one). 1 the whole text is valid, 0 it
 * stopped at a damaged or truncated record (*good_len_r = length of the
 * valid prefix; 0 for a bad header), -1 cb returned -1. */
int imap_mbox_cache_parse(const char *data, size_t len,
			  int (*cb)(void *ctx, const char *base,
				    size_t base_len, char field,
				    const char *val, size_t val_len),
			  void *ctx, size_t *good_len_r);

/*
 * The index snapshot "quail-index" (lib/imap_mbox_index.c, quail-maildir(5)):
 * what a read-write session knew of the folder when it last had it
 * certain, so that an open of a folder unchanged since then reads one
 * file instead of listing new/ and cur/ and parsing the uid list. A hint
 * only: used when new/, cur/ and the uid list stat exactly as recorded;
 * a damaged, short or foreign file is ignored; deleting it is safe.
 * Layout (host byte order, checked by a byte-order mark): a header of
 * IMAP_MBOX_INDEX_HEAD_BYTES (magic, version, checksum, the recorded
 * stats, uidvalidity, uidnext, message count), then per message (ascending
 * UID) uid, flags, keywords, vsize, in_cur, the name length and the
 * NUL-terminated full file name, padded to 8 bytes. The checksum covers
 * everything after it.
 */
#define IMAP_MBOX_INDEX_FILE "quail-index"
#define IMAP_MBOX_INDEX_VERSION 2
#define IMAP_MBOX_INDEX_HEAD_BYTES 160
/* A larger index file is not read (about 10 million messages). */
#define IMAP_MBOX_INDEX_FILE_MAX_BYTES (1024UL * 1024 * 1024)

/* What the header records: the folder's state the messages belong to. */
struct imap_mbox_index_head {
	uint32_t uidvalidity, uidnext;
	uint32_t n;	/* messages */
	uint32_t ul_n;	/* entries the uid list had */
	uint64_t dev;	/* of new/ and cur/ */
	uint64_t new_ino, cur_ino;
	struct timespec new_mtime, cur_mtime;
	uint64_t ul_dev, ul_ino, ul_size; /* the uid list file */
	struct timespec ul_mtime;
	int64_t written_ns; /* CLOCK_REALTIME when written */
};

/* Parses index file data (pure; for the loader and the fuzzer): checks
 * magic, version, byte order, length, checksum, then every record (inside
 * the data, UIDs ascending and below uidnext, names 1..255 bytes with a
 * valid base (uidlist_valid_base) and no '/' or NUL, vsize at most
 * MAILDIR_LIST_SIZE_MAX, in_cur 0 or 1). With msgs NULL only the header
 * is checked (not the checksum) and *h filled: h->n is then at most
 * len / 24, the room msgs needs for the full parse, which fills msgs[i]
 * (names pointing into data, flags masked to IMAP_MBOX_STORED_FLAGS).
 * 0, or -1 (EINVAL) when anything is wrong. */
int imap_mbox_index_parse(const char *data, size_t len,
			  struct imap_mbox_index_head *h,
			  struct imap_mbox_msg *msgs);

/* Builds index file data for h and msgs[0..h->n) into out (appended).
 * 0 / -1 (ENOMEM). */
int imap_mbox_index_build(const struct imap_mbox_index_head *h,
			  const struct imap_mbox_msg *msgs, struct buf *out);

#endif
