# The root monitor exits with the protocol child's status: a child that
# cannot become daemon_user answers "* BYE [UNAVAILABLE]" and exits 111,
# and so must the process inetd sees.
@need-root
@conf daemon_user = quail-no-such-user
@exit-status 111
S: \* BYE \[UNAVAILABLE\] Service temporarily unavailable\.
@expect-close
@log login: unknown user quail-no-such-user
