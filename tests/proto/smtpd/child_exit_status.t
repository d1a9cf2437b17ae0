# The root monitor exits with the protocol child's status: a child that
# cannot become daemon_user answers 421 and exits 111, and so must the
# process inetd sees (it used to exit 0 whatever the child did).
@need-root
@conf daemon_user = quail-no-such-user
@exit-status 111
S: 421 4\.3\.0 Service temporarily unavailable
@expect-close
@log cannot start the login monitor: unknown user quail-no-such-user
