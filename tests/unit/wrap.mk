WRAP_test_maildir = -Wl,--wrap=fsync,--wrap=rename
