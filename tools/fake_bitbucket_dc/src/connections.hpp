// Socket-level tweaks cpp-httplib 0.11 does not offer.
#pragma once

namespace bbp::fake_dc::detail {

// cpp-httplib listens with a backlog of 5: a burst of concurrent connects (16 scanner workers)
// overflows it and the extra SYNs are retried by the kernel only after a second. Calling
// listen() again on the bound socket raises the backlog to SOMAXCONN.
void widen_listen_backlog(int listening_fd);

// cpp-httplib keeps an idle keep-alive connection (and its worker thread) until the
// keep-alive timeout expires, even after the server was told to stop. To make stop() prompt,
// this shuts down (without closing: httplib still owns the descriptors) every socket of this
// process whose local port is `port`. Call it only after the listening socket is closed.
// Linux-only (walks /proc/self/fd); elsewhere it does nothing and stop() just waits longer.
void shutdown_server_connections(int port);

}  // namespace bbp::fake_dc::detail
