# error_limit bad commands end the session (without UPDATE).
@conf error_limit = 3
S: \+OK quail POP3 ready\.
C: XYZZY
S: -ERR Unknown command\.
C: XYZZY
S: -ERR Unknown command\.
C: XYZZY
S: -ERR Unknown command\.
S: -ERR Too many invalid commands, closing connection\.
@expect-close
@log too many errors \(3\) from 127\.0\.0\.1
