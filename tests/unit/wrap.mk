WRAP_test_maildir = -Wl,--wrap=fsync,--wrap=rename
WRAP_test_imap_mbox = -Wl,--wrap=uidlist_sync,--wrap=uidlist_add_names,--wrap=unlink
WRAP_test_dotlock = -Wl,--wrap=kill
