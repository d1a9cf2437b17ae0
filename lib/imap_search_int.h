/*
 * imap_search_int.h -- private to lib/imap_search.c (parsing) and
 * lib/imap_search_match.c (evaluation): the key tree and the program.
 */
#ifndef QUAIL_IMAP_SEARCH_INT_H
#define QUAIL_IMAP_SEARCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "imap_search.h"
#include "imap_seqset.h"
#include "mime.h"

enum isk_type {
	ISK_ALL = 0,
	ISK_AND,
	ISK_OR,
	ISK_NOT,
	ISK_FLAGS,     /* (flags & mask) == want */
	ISK_KEYWORD,   /* keyword set */
	ISK_UNKEYWORD, /* keyword not set */
	ISK_SEQSET,
	ISK_UIDSET,
	ISK_LARGER,
	ISK_SMALLER,
	ISK_BEFORE,
	ISK_ON,
	ISK_SINCE,
	ISK_SENTBEFORE,
	ISK_SENTON,
	ISK_SENTSINCE,
	ISK_HEADER,
	ISK_BODY,
	ISK_TEXT,
};

/* Evaluation cost classes: the children of AND and OR run cheapest
 * first. */
enum isk_cost {
	ISK_COST_CHEAP = 0, /* struct imap_search_msg fields */
	ISK_COST_DATE,	    /* internal_date() */
	ISK_COST_FIELD,	    /* field() */
	ISK_COST_MESSAGE,   /* message() */
};

struct isk {
	enum isk_type type;
	enum isk_cost cost;
	struct isk *children; /* AND, OR (two), NOT (one) */
	struct isk *next;
	uint32_t mask, want; /* ISK_FLAGS */
	char *str;	     /* folded needle; keyword name */
	size_t len;
	char *field; /* ISK_HEADER: lowercase field name */
	bool addr;   /* FROM, TO, CC, BCC: the envelope's address list too */
	int kw_bit;  /* bound keyword index, -1 unknown */
	uint64_t number;	   /* LARGER, SMALLER */
	int64_t day;		   /* date keys */
	struct imap_seqset parsed; /* SEQSET, UIDSET: as sent ('*') */
	struct imap_seqset set;	   /* ... resolved by imap_search_bind */
};

struct imap_search_program {
	struct isk *root;
	unsigned ret;	/* IMAP_SEARCH_RETURN_* */
	unsigned needs; /* IMAP_SEARCH_NEEDS_* */
	unsigned nkeys;

	/* The message being matched and what was fetched of it. */
	const struct imap_search_msg *msg;
	bool have_iday, have_sday, have_hdr, have_msg, have_htext;
	int64_t iday, sday;
	const char *hdr, *mp;
	size_t hdr_len, mlen;
	struct mime_message *mime;
	struct buf htext; /* TEXT: the folded header */
	struct buf vals;  /* field values */
	struct buf tmp;	  /* decoding */
	struct buf fold;  /* folding */
	/* Address keys: the lists parsed (arena, renewed now and then) and
	 * rendered. */
	struct mime_message *addr_arena;
	size_t addr_arena_bytes; /* value bytes parsed into addr_arena */
	struct buf render;
};

/* The arena of parsed address lists is dropped and made anew once the
 * values parsed into it exceed this (it only grows; its size is a small
 * multiple of the bytes parsed, lib/mime_addr.c). */
#define IMAP_SEARCH_ADDR_ARENA_MAX_BYTES (64u * 1024)

/* Scratch buffers never hold more than one message plus its decoding;
 * the cap only keeps a pathological base64 part from growing without
 * bound. */
#define IMAP_SEARCH_SCRATCH_MAX_BYTES (512u * 1024 * 1024)

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
int64_t imap_search_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
