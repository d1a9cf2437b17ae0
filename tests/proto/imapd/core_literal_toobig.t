# After login a command whose non-synchronising literals {n+}, each
# within message_size_limit, add up to more than the largest command
# (message_size_limit + 64 KiB, give or take one 16 KiB input buffer:
# 100 KiB here) cannot be refused (the client sends them
# without waiting): BAD [TOOBIG], BYE, the end. Literals within the
# limits work, synchronising or not.
@conf auth_fail_delay = 0
@conf message_size_limit = 1000
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b LIST "" {1}
S: \+ OK
C: *
S: \* LIST .*
S: \* LIST .*
S: \* LIST .*
S: \* LIST .*
S: \* LIST .*
S: b OK .*
C-EVAL: b"c ID (" + b"\"x\" {1000+}\r\n" + b"y" * 1000 + b" " + b"\"x\" {1000+}\r\n" + b"y" * 1000 + b")\r\n"
S: \* ID .*
S: c OK ID completed\.
C-EVAL: b"e SEARCH" + (b" TEXT {1000+}\r\n" + b"y" * 1000) * 100 + b"\r\n"
S: e BAD \[TOOBIG\] Command too large
S: \* BYE Too long command\.
@expect-close
