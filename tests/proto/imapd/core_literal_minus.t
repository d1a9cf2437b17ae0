# Before login a {n+} literal over 4096 bytes is a fatal error (the
# client sends it regardless: it cannot be skipped safely).
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C-RAW: a ID ("name" {4097+}\r\n
S: a BAD .*
S: \* BYE Too long command\.
@expect-close
