// fake_bitbucket_dc: serves a scenario file as a fake Bitbucket Data Center REST API until
// SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "fake_bitbucket_dc/server.hpp"

namespace {

struct Options {
  std::string scenario;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  std::string tls_cert;
  std::string tls_key;
  int latency_ms = 0;
  bool log = false;
  bool help = false;
};

constexpr std::string_view kUsage =
    "usage: fake_bitbucket_dc --scenario FILE [--host 127.0.0.1] [--port 0] [--port-file PATH]\n"
    "                         [--latency-ms N] [--log] [--tls-cert PEM --tls-key PEM]\n"
    "Serves a fake Bitbucket Data Center REST API (under /rest) until SIGINT or SIGTERM.\n"
    "  --scenario FILE   scenario JSON (see tools/fake_bitbucket_dc/README.md)\n"
    "  --host ADDR       address to bind (default 127.0.0.1)\n"
    "  --port N          port to bind; 0 picks a free one (default 0)\n"
    "  --port-file PATH  write the bound port to PATH (atomically) once listening\n"
    "  --latency-ms N    add N ms to every request\n"
    "  --log             print one line per request to stderr\n"
    "  --tls-cert PEM    serve HTTPS with this certificate (needs --tls-key)\n"
    "  --tls-key PEM     private key of --tls-cert\n";

std::optional<int> parse_int(const std::string& text) {
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used == text.size() && value >= 0) {
      return value;
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Returns nullopt (after printing why) when the command line is invalid.
std::optional<Options> parse_args(const std::vector<std::string>& args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        std::cerr << "fake_bitbucket_dc: " << arg << " needs a value\n";
        return std::nullopt;
      }
      return args[++i];
    };
    auto number = [&]() -> std::optional<int> {
      const auto text = value();
      if (!text) {
        return std::nullopt;
      }
      const auto parsed = parse_int(*text);
      if (!parsed) {
        std::cerr << "fake_bitbucket_dc: " << arg << " expects a non-negative integer\n";
      }
      return parsed;
    };
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    } else if (arg == "--log") {
      options.log = true;
    } else if (arg == "--scenario" || arg == "--host" || arg == "--port-file" ||
               arg == "--tls-cert" || arg == "--tls-key") {
      const auto text = value();
      if (!text) {
        return std::nullopt;
      }
      (arg == "--scenario"   ? options.scenario
       : arg == "--host"     ? options.host
       : arg == "--tls-cert" ? options.tls_cert
       : arg == "--tls-key"  ? options.tls_key
                             : options.port_file) = *text;
    } else if (arg == "--port" || arg == "--latency-ms") {
      const auto parsed = number();
      if (!parsed) {
        return std::nullopt;
      }
      (arg == "--port" ? options.port : options.latency_ms) = *parsed;
    } else {
      std::cerr << "fake_bitbucket_dc: unknown argument " << arg << "\n";
      return std::nullopt;
    }
  }
  if (options.scenario.empty()) {
    std::cerr << "fake_bitbucket_dc: --scenario is required\n";
    return std::nullopt;
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::cerr << "fake_bitbucket_dc: --tls-cert and --tls-key go together\n";
    return std::nullopt;
  }
  return options;
}

// Writes `port` to `path` via a temporary file and rename, so readers never see a partial file.
void write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + temporary);
    }
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_args(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << kUsage;
    return 0;
  }

  // Block the stop signals before any thread starts, so that every thread inherits the mask
  // and only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    auto server = bbp::fake_dc::FakeDataCenter::from_file(options->scenario);
    if (options->latency_ms > 0) {
      server.set_latency(std::chrono::milliseconds(options->latency_ms));
    }
    if (!options->tls_cert.empty()) {
      server.use_tls(options->tls_cert, options->tls_key);
    }
    if (options->log) {
      server.set_request_observer([](const bbp::fake_dc::RequestRecord& r) {
        std::string line = std::to_string(r.status) + " " + r.method + " " + r.path;
        if (!r.query.empty()) {
          line += "?" + r.query;
        }
        if (!r.auth_scheme.empty()) {
          line += " [" + r.auth_scheme + (r.user.empty() ? "" : " " + r.user) + "]";
        }
        std::fprintf(stderr, "%s\n", line.c_str());  // one call per line: no interleaving
      });
    }
    server.start(options->host, options->port);
    if (!options->port_file.empty()) {
      write_port_file(options->port_file, server.port());
    }
    std::cout << "fake_bitbucket_dc listening on " << server.base_url() << std::endl;

    int received = 0;
    sigwait(&stop_signals, &received);
    server.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "fake_bitbucket_dc: " << error.what() << "\n";
    return 1;
  }
}
