# trace = yes in quail.conf does what -v does; control bytes are escaped.
@conf trace = yes
S: 220 .*
C-RAW: NOOP \x1b[31mred\r\n
S: 250 2\.0\.0 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@log < NOOP \\x1B\[31mred|< NOOP \\x1b\[31mred
