# A broken quail.conf: the client gets 421 (never a diagnostic on the
# socket) and quail-smtpd exits 111 (temporary).
@stderr-socket
@conf no_such_key = 1
@exit-status 111
S: 421 4\.3\.0 Service temporarily unavailable
@expect-close
