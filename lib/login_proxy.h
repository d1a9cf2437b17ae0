/*
 * login_proxy.h -- the TLS proxy of the privilege-separated login
 * (lib/login.h): used by login_handover() only, in its own file to keep
 * login.c short.
 * Return convention: see each function.
 */
#ifndef QUAIL_LOGIN_PROXY_H
#define QUAIL_LOGIN_PROXY_H

#include <stdbool.h>

#include "io.h"

/* True if io reads or writes through something other than plain
 * read(2)/write(2) (TLS, or any other wrapper): then a handover must
 * proxy, as only this process can speak to the client. */
bool login_proxy_needed(const struct io *io);

/* Moves plaintext between io (the client) and the stream socket s (the
 * session process) until the session closes s (0), or on an error or
 * when both sides stayed idle for io's timeout plus a grace (-1). */
int login_proxy_run(struct io *io, int s);

#endif
