/*
 * test_buf.c -- lib/buf.c: growth, the hard cap (limit-1/limit/limit+1),
 * binary safety, printf, set from inside itself, reset/free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void
test_empty(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	buf_free(&b);
	buf_free_secret(&b);
	assert_null(b.data);
}

static void
test_append_binary(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	assert_int_equal(b.data[3], '\0');
	assert_int_equal(buf_append_str(&b, "cd"), 0);
	assert_int_equal(buf_putc(&b, '\0'), 0);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "a\0bcd\0", 7);
	/* many small appends through several reallocations */
	buf_reset(&b);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	assert_int_equal(b.data[10000], '\0');
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	buf_free(&b);
}

static void
test_cap(void **state)
{
	struct buf b;
	char big[101];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, big, 99), 0);       /* limit-1 */
	assert_int_equal(buf_putc(&b, 'y'), 0);             /* limit */
	assert_int_equal(b.len, 100);
	errno = 0;
	assert_int_equal(buf_putc(&b, 'z'), -1);            /* limit+1 */
	assert_int_equal(errno, E2BIG);
	assert_int_equal(b.len, 100);                       /* unchanged */
	assert_int_equal(b.data[99], 'y');
	assert_int_equal(b.data[100], '\0');
	buf_reset(&b);
	assert_int_equal(buf_append(&b, big, 101), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(buf_append(&b, big, 100), 0);
	buf_free(&b);
	assert_int_equal(b.max, 100);                       /* kept */
	/* overflow of len + extra */
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "ab", 2), 0);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 1), -1);
	assert_int_equal(buf_reserve(&b, ((size_t)1 << 30) + 1), -1);
	buf_free(&b);
}

static void
test_printf(void **state)
{
	struct buf b;
	char big[5000];

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(buf_cstr(&b), "42-x");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "%s", big), 0);
	assert_int_equal(b.len, 4 + 4999);
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);

	buf_init(&b, 10);
	assert_int_equal(buf_printf(&b, "%s", "0123456789"), 0);
	assert_int_equal(buf_printf(&b, "%s", "a"), -1);
	assert_int_equal(errno, E2BIG);
	assert_string_equal(buf_cstr(&b), "0123456789");
	buf_free(&b);
}

static void
test_set(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_set(&b, "hello world", 11), 0);
	assert_string_equal(buf_cstr(&b), "hello world");
	/* source inside the buffer itself */
	assert_int_equal(buf_set(&b, b.data + 6, 5), 0);
	assert_string_equal(buf_cstr(&b), "world");
	assert_int_equal(buf_set(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);

	buf_init(&b, 4);
	assert_int_equal(buf_set(&b, "abcd", 4), 0);
	assert_int_equal(buf_set(&b, "abcde", 5), -1);
	assert_string_equal(buf_cstr(&b), "abcd");
	buf_free(&b);
}

static void
test_secret(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append_str(&b, "password"), 0);
	buf_free_secret(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_binary),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
