# After login a non-synchronising literal {n+} over message_size_limit
# cannot be refused (the client sends it without waiting), not even by
# APPEND: BAD [TOOBIG], BYE, the end.
@conf auth_fail_delay = 0
@conf message_size_limit = 1000
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C-EVAL: b"b APPEND INBOX {1001+}\r\n" + b"y" * 1001 + b"\r\n"
S: b BAD \[TOOBIG\] .*
S: \* BYE .*
@expect-close
