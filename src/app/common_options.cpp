#include "commands.hpp"

namespace bbp::app {

CLI::Validator non_empty() {
  return {[](const std::string& value) {
            return value.empty()
                       ? std::string("an empty value: name a file, or leave the option out")
                       : std::string();
          },
          "", "NON_EMPTY"};
}

void add_connection_options(CLI::App& app, ConnectionOptions& o) {
  app.add_option("--api-url", o.api_url,
                 "Bitbucket Cloud API base URL (plain http:// only for loopback hosts)")
      ->type_name("URL")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--token-url", o.token_url, "OAuth 2.0 token URL (client credentials)")
      ->type_name("URL")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--timeout", o.timeout_seconds, "Timeout for each request, in seconds")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--ca-bundle", o.ca_bundle,
                 "PEM file of CA certificates to trust (TLS verification is always on)")
      ->check(non_empty())
      ->type_name("FILE")
      ->group("Connection");
  app.add_option("--concurrency", o.concurrency, "Requests in flight at once (1-64)")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--max-requests-per-hour", o.max_requests_per_hour,
                 "Pace requests to stay under this rate (0: unlimited)")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--max-attempts", o.max_attempts,
                 "Attempts per request for 5xx and network errors (with backoff)")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--max-wait", o.max_wait,
                 "Longest the scan may wait on Bitbucket's rate limit (e.g. 90m, 6h; 0: never)")
      ->type_name("DURATION")
      ->capture_default_str()
      ->group("Connection");
}

void add_log_options(CLI::App& app, LogOptions& o) {
  app.add_flag("-q,--quiet", o.quiet, "Only log errors")->group("Logging");
  app.add_flag("-v,--verbose", o.verbose, "More log output (-v info, -vv debug)")->group("Logging");
  app.add_option("--log-level", o.log_level, "Log level (overrides -q/-v)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->group("Logging");
  app.add_flag("--no-progress", o.no_progress, "No progress line on stderr")->group("Logging");
}

}  // namespace bbp::app
