/*
 * imap_arg.c -- helpers on parsed IMAP command arguments (see imapparse.h):
 * typed access to atoms, strings, astrings, nstrings and lists, and the
 * splitting of FETCH attribute atoms ("BODY.PEEK[HEADER]<0.100>").
 *
 * Pure functions over the argument tree built by imapparse.c; nothing here
 * allocates.
 *
 * SECURITY: the arguments are untrusted client input; every index stays
 * within the given lengths and numbers are overflow-checked.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "imapparse.h"

/* Bytes allowed in an atom as read by the parser: ATOM-CHAR plus ']'
 * (resp-specials), '%' '*' (list-wildcards) and '\' (flags). No 8-bit, no
 * CTL. Kept identical to imapparse.c's class. */
static bool
imap_is_atom_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return c != '(' && c != ')' && c != '{' && c != '"';
}

/* --- argument helpers --- */

bool
imap_arg_atom_equals(const struct imap_arg *arg, const char *s)
{
	if (arg == NULL ||
	    (arg->type != IMAP_ARG_ATOM && arg->type != IMAP_ARG_NIL))
		return false;
	return strlen(s) == arg->len && strcasecmp(arg->str, s) == 0;
}

bool
imap_arg_get_atom(const struct imap_arg *arg, const char **str_r)
{
	if (arg == NULL || arg->type != IMAP_ARG_ATOM)
		return false;
	*str_r = arg->str;
	return true;
}

bool
imap_arg_get_string(const struct imap_arg *arg, const char **str_r,
		    size_t *len_r)
{
	if (arg == NULL ||
	    (arg->type != IMAP_ARG_STRING && arg->type != IMAP_ARG_LITERAL))
		return false;
	*str_r = arg->str;
	*len_r = arg->len;
	return true;
}

bool
imap_arg_get_astring(const struct imap_arg *arg, const char **str_r,
		     size_t *len_r)
{
	size_t i;

	if (arg == NULL)
		return false;
	if (arg->type == IMAP_ARG_ATOM) {
		/* ASTRING-CHAR and list-wildcards only: no bracketed
		 * section content (SP, parens, quotes) and no '\' */
		for (i = 0; i < arg->len; i++) {
			unsigned char c = (unsigned char)arg->str[i];

			if (!imap_is_atom_char(c) || c == '\\')
				return false;
		}
	} else if (arg->type != IMAP_ARG_NIL) {
		return imap_arg_get_string(arg, str_r, len_r);
	}
	*str_r = arg->str;
	*len_r = arg->len;
	return true;
}

bool
imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r,
		     size_t *len_r)
{
	if (arg != NULL && arg->type == IMAP_ARG_NIL) {
		*str_r = NULL;
		*len_r = 0;
		return true;
	}
	return imap_arg_get_string(arg, str_r, len_r);
}

bool
imap_arg_get_list(const struct imap_arg *arg, const struct imap_arg **list_r,
		  size_t *n_r)
{
	if (arg == NULL || arg->type != IMAP_ARG_LIST)
		return false;
	*list_r = arg->list;
	*n_r = arg->n;
	return true;
}

/* --- FETCH attributes --- */

/* Strict uint32 decimal in s[0..len). */
static int
imap_number32(const char *s, size_t len, uint32_t *r)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*r = (uint32_t)v;
	return 0;
}

/* Index of the ']' closing the '[' at atom[start - 1], quotes honoured;
 * len when there is none. */
static size_t
imap_section_end(const char *atom, size_t start, size_t len)
{
	bool quoted = false;
	size_t i;

	for (i = start; i < len; i++) {
		if (quoted && atom[i] == '\\' && i + 1 < len)
			i++;
		else if (atom[i] == '"')
			quoted = !quoted;
		else if (!quoted && atom[i] == ']')
			return i;
	}
	return len;
}

int
imap_fetch_att_split(const char *atom, size_t len, struct imap_fetch_att *att_r,
		     const char **error_r)
{
	size_t i, end, dot;

	memset(att_r, 0, sizeof(*att_r));
	att_r->name = atom;
	for (i = 0; i < len && atom[i] != '[' && atom[i] != '<'; i++)
		;
	att_r->name_len = i;
	if (i == 0) {
		*error_r = "Missing fetch attribute name";
		return -1;
	}
	if (i == len)
		return 0;
	if (atom[i] == '<') {
		*error_r = "Partial without a section";
		return -1;
	}
	end = imap_section_end(atom, i + 1, len);
	if (end == len) {
		*error_r = "Missing ']'";
		return -1;
	}
	att_r->has_section = true;
	att_r->section = atom + i + 1;
	att_r->section_len = end - i - 1;
	i = end + 1;
	if (i == len)
		return 0;
	if (atom[i] != '<' || atom[len - 1] != '>') {
		*error_r = "Invalid characters after section";
		return -1;
	}
	for (dot = i + 1; dot < len - 1 && atom[dot] != '.'; dot++)
		;
	if (dot >= len - 1 ||
	    imap_number32(atom + i + 1, dot - i - 1, &att_r->partial_offset) <
		    0 ||
	    imap_number32(atom + dot + 1, len - 1 - dot - 1,
			  &att_r->partial_len) < 0 ||
	    att_r->partial_len == 0) {
		*error_r = "Invalid partial <offset.length>";
		return -1;
	}
	att_r->has_partial = true;
	return 0;
}
