// The only translation unit of bbposture that includes <curl/curl.h>.
#include "bbp/http/curl_transport.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "bbp/http/redact.hpp"
#include "bbp/text/text.hpp"

namespace bbp::http {

namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct ShareDeleter {
  void operator()(CURLSH* handle) const { curl_share_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SharePtr = std::unique_ptr<CURLSH, ShareDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

using ShareLocks = std::array<std::mutex, CURL_LOCK_DATA_LAST>;

void share_lock(CURL* /*handle*/, curl_lock_data data, curl_lock_access /*access*/, void* userptr) {
  (*static_cast<ShareLocks*>(userptr))[static_cast<std::size_t>(data)].lock();
}

void share_unlock(CURL* /*handle*/, curl_lock_data data, void* userptr) {
  (*static_cast<ShareLocks*>(userptr))[static_cast<std::size_t>(data)].unlock();
}

// State of one transfer, shared with the libcurl callbacks.
struct Transfer {
  std::size_t max_bytes = 0;
  const std::atomic<bool>* cancel = nullptr;
  std::string body;
  Headers headers;
  bool too_large = false;
  bool cancelled = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};  // libcurl's detail for a failed transfer

  bool cancel_requested() const { return cancel != nullptr && cancel->load(); }
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata) noexcept {
  auto& transfer = *static_cast<Transfer*>(userdata);
  const std::size_t bytes = size * count;
  if (bytes > transfer.max_bytes - transfer.body.size()) {
    transfer.too_large = true;
    return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
  }
  try {
    transfer.body.append(data, bytes);
  } catch (...) {  // never let an exception unwind through libcurl
    transfer.too_large = true;
    return 0;
  }
  return bytes;
}

void collect_header(Transfer& transfer, std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (line.starts_with("HTTP/")) {
    // A new status line: keep only the headers of the last response (e.g. not of a 100).
    transfer.headers.clear();
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!transfer.headers.empty()) {  // obsolete line folding
      transfer.headers.back().second.append(" ").append(text::trim(line));
    }
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    transfer.headers.emplace_back(std::string(text::trim(line.substr(0, colon))),
                                  std::string(text::trim(line.substr(colon + 1))));
  }
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata) noexcept {
  try {
    collect_header(*static_cast<Transfer*>(userdata), std::string_view(data, size * count));
  } catch (...) {  // never let an exception unwind through libcurl
    return 0;
  }
  return size * count;
}

int on_progress(void* clientp, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
                curl_off_t /*ulnow*/) {
  auto& transfer = *static_cast<Transfer*>(clientp);
  if (transfer.cancel_requested()) {
    transfer.cancelled = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

// CURLcode is libcurl's enum: most of its ~100 values mean "other", so this one switch lists the
// values that mean something else and leaves the rest to `default:` (-Wswitch-enum is for the
// project's own enums, whose switches list every case).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wswitch-enum"
TransportErrorKind classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorKind::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_PROXY:
      return TransportErrorKind::connect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return TransportErrorKind::tls;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportErrorKind::dns;
    case CURLE_FILESIZE_EXCEEDED:
      return TransportErrorKind::too_large;
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportErrorKind::interrupted;
    default:
      return TransportErrorKind::other;
  }
}
#pragma GCC diagnostic pop

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) {
    return;
  }
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

// Belt and braces: curl's messages name hosts, not credentials, but make sure that neither the
// raw URL nor its userinfo can leak through them.
std::string scrub(std::string message, const std::string& url) {
  replace_all(message, url, redact_url(url));
  const std::size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
    const std::size_t at = url.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      replace_all(message, std::string_view(url).substr(start, at - start), kRedacted);
    }
  }
  return message;
}

bool valid_header(const std::string& name, const std::string& value) {
  const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  return !name.empty() && name.find(':') == std::string::npos &&
         std::none_of(name.begin(), name.end(), bad) &&
         std::none_of(value.begin(), value.end(), bad);
}

Result fail(const Request& request, TransportError error) {
  spdlog::debug("{} -> {} error: {}", describe(request), to_string(error.kind), error.message);
  return tl::unexpected(std::move(error));
}

// Request headers as a libcurl list, refusing anything that could smuggle extra header lines.
tl::expected<SlistPtr, TransportError> build_header_list(const Request& request) {
  SlistPtr header_list;
  for (const auto& [name, value] : request.headers) {
    if (!valid_header(name, value)) {
      return tl::unexpected(
          TransportError{TransportErrorKind::local, "invalid request header '" +
                                                        (is_sensitive_header(name) ? "?" : name) +
                                                        "' for " + describe(request)});
    }
    // "Name;" is libcurl's way of sending a header with an empty value.
    std::string line = name;
    line += value.empty() ? ";" : ": ";
    line += value;
    curl_slist* appended = curl_slist_append(header_list.get(), line.c_str());
    if (appended == nullptr) {
      return tl::unexpected(
          TransportError{TransportErrorKind::local, "out of memory building headers"});
    }
    static_cast<void>(header_list.release());
    header_list.reset(appended);
  }
  return header_list;
}

// Sets easy handle options in order, skipping the rest after the first failure, so that a run
// of settings reads as a list and is checked once.
class EasyOptions {
 public:
  explicit EasyOptions(CURL* easy) : easy_(easy) {}

  template <typename Value>
  void set(CURLoption option, Value value) {
    if (rc_ == CURLE_OK) {
      rc_ = curl_easy_setopt(easy_, option, value);
    }
  }
  CURL* easy() const { return easy_; }
  CURLcode result() const { return rc_; }

 private:
  CURL* easy_;
  CURLcode rc_ = CURLE_OK;
};

// Everything the easy handle is pointed at; all of it must outlive the transfer.
struct EasySetup {
  const Request& request;
  const CurlTransportOptions& options;
  CURLSH* share;
  curl_slist* headers;
  Transfer& transfer;
};

void set_connection_options(EasyOptions& easy, const EasySetup& setup) {
  easy.set(CURLOPT_URL, setup.request.url.c_str());
  easy.set(CURLOPT_PROTOCOLS_STR, "http,https");
  easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  easy.set(CURLOPT_FOLLOWLOCATION, 0L);
  easy.set(CURLOPT_NOSIGNAL, 1L);
  // HTTP/2 when the server offers it over TLS. Not fatal on a libcurl built without HTTP/2.
  static_cast<void>(curl_easy_setopt(easy.easy(), CURLOPT_HTTP_VERSION,
                                     static_cast<long>(CURL_HTTP_VERSION_2TLS)));
  // TLS verification is always on; there is no option to weaken it.
  easy.set(CURLOPT_SSL_VERIFYPEER, 1L);
  easy.set(CURLOPT_SSL_VERIFYHOST, 2L);
  easy.set(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
  easy.set(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
  if (setup.options.ca_bundle) {
    easy.set(CURLOPT_CAINFO, setup.options.ca_bundle->c_str());
  }
  // Proxies: CURLOPT_PROXY is left unset so libcurl honours http_proxy/https_proxy/no_proxy.
  easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  easy.set(CURLOPT_ACCEPT_ENCODING, "");
  if (!setup.options.user_agent.empty()) {
    easy.set(CURLOPT_USERAGENT, setup.options.user_agent.c_str());
  }
}

void set_limits(EasyOptions& easy, const EasySetup& setup) {
  const auto timeout = setup.request.timeout.value_or(setup.options.timeout);
  easy.set(CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(timeout.count(), 1)));
  easy.set(CURLOPT_CONNECTTIMEOUT_MS,
           static_cast<long>(std::max<std::int64_t>(setup.options.connect_timeout.count(), 1)));
  easy.set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(setup.options.max_response_bytes));
}

void set_callbacks(EasyOptions& easy, Transfer& transfer) {
  easy.set(CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
  easy.set(CURLOPT_WRITEFUNCTION, on_body);
  easy.set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  easy.set(CURLOPT_HEADERFUNCTION, on_header);
  easy.set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  easy.set(CURLOPT_NOPROGRESS, 0L);
  easy.set(CURLOPT_XFERINFOFUNCTION, on_progress);
  easy.set(CURLOPT_XFERINFODATA, static_cast<void*>(&transfer));
}

// The body is sent from the request itself, not copied: the request outlives the transfer. Its
// size is given rather than left to strlen, so that a body holding a NUL byte is sent whole.
void set_body(EasyOptions& easy, const std::string& body) {
  easy.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  easy.set(CURLOPT_POSTFIELDS, body.data());
}

void set_message(EasyOptions& easy, const EasySetup& setup) {
  easy.set(CURLOPT_SHARE, setup.share);
  easy.set(CURLOPT_HTTPHEADER, setup.headers);
  const std::string& body = setup.request.body;
  switch (setup.request.method) {
    case Method::get:
      easy.set(CURLOPT_HTTPGET, 1L);
      break;
    case Method::post:
      easy.set(CURLOPT_POST, 1L);
      set_body(easy, body);
      break;
    case Method::put:
      // A POST's body under another name: CURLOPT_UPLOAD would want a read callback.
      easy.set(CURLOPT_CUSTOMREQUEST, "PUT");
      set_body(easy, body);
      break;
    case Method::del:
      easy.set(CURLOPT_CUSTOMREQUEST, "DELETE");
      if (!body.empty()) {  // without one, no Content-Length nor Content-Type is sent
        set_body(easy, body);
      }
      break;
  }
}

// Configures a freshly reset easy handle; the first failing option's code, or CURLE_OK.
CURLcode configure(CURL* handle, const EasySetup& setup) {
  EasyOptions easy(handle);
  set_connection_options(easy, setup);
  set_limits(easy, setup);
  set_callbacks(easy, setup.transfer);
  set_message(easy, setup);
  return easy.result();
}

// How the multi loop ended when it was not cancelled.
struct Completion {
  CURLcode result = CURLE_OK;
  bool multi_failed = false;
};

// Drains the multi handle's messages; the result of `easy` if its transfer is done.
std::optional<CURLcode> read_completion(CURLM* multi, CURL* easy) {
  std::optional<CURLcode> result;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
      result = message->data.result;
    }
  }
  return result;
}

// Runs the attached transfer to its end, a multi error or a cancellation (which it records
// in transfer.cancelled). Polls briefly when cancellable, so that a cancellation request is
// noticed within one short poll even when the server sends nothing.
Completion drive(CURLM* multi, CURL* easy, Transfer& transfer) {
  const int poll_ms = transfer.cancel != nullptr ? 50 : 1000;
  Completion completion;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      completion.multi_failed = true;
      return completion;
    }
    if (const auto result = read_completion(multi, easy)) {
      completion.result = *result;
      return completion;
    }
    if (transfer.cancel_requested()) {
      transfer.cancelled = true;
      return completion;
    }
    if (curl_multi_poll(multi, nullptr, 0, poll_ms, nullptr) != CURLM_OK) {
      completion.multi_failed = true;
      return completion;
    }
  }
}

// Attaches the easy handle to its multi handle for the duration of one transfer.
tl::expected<Completion, TransportError> run_transfer(CURLM* multi, CURL* easy, Transfer& transfer,
                                                      const Request& request) {
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
    return tl::unexpected(TransportError{TransportErrorKind::local,
                                         "cannot start transfer for " + describe(request)});
  }
  const Completion completion = drive(multi, easy, transfer);
  curl_multi_remove_handle(multi, easy);
  return completion;
}

// The error a finished transfer amounts to, if any. Cancellation and the size cap come first:
// libcurl reports them as generic aborts and write errors.
std::optional<TransportError> transfer_error(const Transfer& transfer, const Completion& completion,
                                             const Request& request) {
  const CURLcode result = completion.result;
  if (transfer.cancelled || (result == CURLE_ABORTED_BY_CALLBACK && transfer.cancel_requested())) {
    return TransportError{TransportErrorKind::interrupted, "cancelled: " + describe(request)};
  }
  if (transfer.too_large || result == CURLE_FILESIZE_EXCEEDED) {
    return TransportError{TransportErrorKind::too_large, "response larger than " +
                                                             std::to_string(transfer.max_bytes) +
                                                             " bytes: " + describe(request)};
  }
  if (completion.multi_failed) {
    return TransportError{TransportErrorKind::other, "libcurl multi error: " + describe(request)};
  }
  if (result != CURLE_OK) {
    std::string message = curl_easy_strerror(result);
    const std::string detail(transfer.error_buffer.data());
    if (!detail.empty()) {
      message += ": " + scrub(detail, request.url);
    }
    message += " (" + describe(request) + ")";
    return TransportError{classify(result), std::move(message)};
  }
  return std::nullopt;
}

Response take_response(CURL* easy, Transfer& transfer) {
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  Response response;
  response.status = static_cast<int>(status);
  response.headers = std::move(transfer.headers);
  response.body = std::move(transfer.body);
  return response;
}

void log_response(const Request& request, const Response& response,
                  std::chrono::milliseconds elapsed) {
  spdlog::debug("{} -> {} in {} ms, {} bytes", describe(request), response.status, elapsed.count(),
                response.body.size());
  if (spdlog::should_log(spdlog::level::trace)) {
    for (const auto& [name, value] : redact_headers(response.headers)) {
      spdlog::trace("  < {}: {}", name, value);
    }
  }
}

// One reusable transfer slot. The easy handle is attached to its own multi handle only while a
// transfer runs; the multi handle keeps the connection cache, so keep-alive connections are
// reused by the next request that gets this slot.
struct Handle {
  MultiPtr multi;
  EasyPtr easy;
};

}  // namespace

CurlGlobal::CurlGlobal() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("curl_global_init failed");
  }
}

CurlGlobal::~CurlGlobal() {
  curl_global_cleanup();
}

struct CurlTransport::Impl {
  // Declaration order matters: handles go before the share, the share before its locks.
  ShareLocks share_locks;
  SharePtr share;
  std::mutex pool_mutex;
  std::vector<Handle> pool;  // idle handles, guarded by pool_mutex

  // An idle handle from the pool, or a new one; nullopt if libcurl cannot create one.
  std::optional<Handle> acquire() {
    {
      const std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        Handle handle = std::move(pool.back());
        pool.pop_back();
        return handle;
      }
    }
    Handle handle{MultiPtr(curl_multi_init()), EasyPtr(curl_easy_init())};
    if (!handle.multi || !handle.easy) {
      return std::nullopt;
    }
    return handle;
  }
};

namespace {

// Returns the handle to the pool however send() is left.
class Lease {
 public:
  Lease(std::vector<Handle>& pool, std::mutex& mutex, Handle handle)
      : pool_(pool), mutex_(mutex), handle_(std::move(handle)) {}
  ~Lease() {
    // Drop every option (they point at this call's stack: error buffer, callback data) but
    // keep the live connections, DNS cache and TLS sessions for the next request.
    curl_easy_reset(handle_.easy.get());
    const std::lock_guard lock(mutex_);
    try {
      pool_.push_back(std::move(handle_));
    } catch (...) {  // out of memory: the handle is simply closed instead of pooled
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Lease(Lease&&) = delete;
  Lease& operator=(Lease&&) = delete;

  CURL* easy() const { return handle_.easy.get(); }
  CURLM* multi() const { return handle_.multi.get(); }

 private:
  std::vector<Handle>& pool_;
  std::mutex& mutex_;
  Handle handle_;
};

}  // namespace

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->share.reset(curl_share_init());
  if (!impl_->share) {
    throw std::runtime_error("curl_share_init failed");
  }
  CURLSH* share = impl_->share.get();
  // Only DNS and TLS sessions are shared between handles: libcurl does not support sharing
  // the connection cache between concurrently running threads (see CURLSHOPT_SHARE(3)).
  // Connections are reused through the handle pool instead.
  if (curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
      curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
      curl_share_setopt(share, CURLSHOPT_USERDATA, &impl_->share_locks) != CURLSHE_OK ||
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
    throw std::runtime_error("cannot configure the libcurl share handle");
  }
}

CurlTransport::~CurlTransport() = default;

Result CurlTransport::send(const Request& request) {
  const auto started = std::chrono::steady_clock::now();
  if (options_.cancel != nullptr && options_.cancel->load()) {
    return fail(request,
                {TransportErrorKind::interrupted, "cancelled before sending " + describe(request)});
  }
  auto header_list = build_header_list(request);
  if (!header_list) {
    return fail(request, std::move(header_list.error()));
  }
  std::optional<Handle> handle = impl_->acquire();
  if (!handle) {
    return fail(request, {TransportErrorKind::local, "cannot create a libcurl handle"});
  }
  // Declared after the header list and before the transfer: the lease resets the easy handle,
  // which still points at both, after the transfer is gone and before the list is freed.
  Lease lease(impl_->pool, impl_->pool_mutex, std::move(*handle));
  curl_easy_reset(lease.easy());

  Transfer transfer;
  transfer.max_bytes = options_.max_response_bytes;
  transfer.cancel = options_.cancel;
  const EasySetup setup{request, options_, impl_->share.get(), header_list->get(), transfer};
  if (const CURLcode rc = configure(lease.easy(), setup); rc != CURLE_OK) {
    return fail(request, {TransportErrorKind::local,
                          std::string("cannot configure libcurl: ") + curl_easy_strerror(rc)});
  }
  auto completion = run_transfer(lease.multi(), lease.easy(), transfer, request);
  if (!completion) {
    return fail(request, std::move(completion.error()));
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (auto error = transfer_error(transfer, *completion, request)) {
    return fail(request, std::move(*error));
  }
  Response response = take_response(lease.easy(), transfer);
  log_response(request, response, elapsed);
  return response;
}

}  // namespace bbp::http
