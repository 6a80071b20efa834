// `bbposture scan --plan`: identify the caller, list workspaces and repositories with the scan's
// scope, and print what the scan would read, how many requests that takes and how long.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/datacenter_reads.hpp"
#include "bbp/bitbucket/reads.hpp"
#include "commands.hpp"
#include "output_file.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

using bitbucket::Owner;
using bitbucket::Read;

// The requests one of the scan's reads makes for the owners the listing showed.
struct ReadCount {
  const Read* read = nullptr;
  std::uint64_t requests = 0;
};

// The requests a scan with this scope makes, from what the listing showed and the reads table:
// each read's requests per owner, as long as no list spans pages and no restriction refers to
// the branching model.
struct PlanCounts {
  std::uint64_t listing = 0;  // made now, and again by the scan
  std::uint64_t repositories = 0;
  // The default scan's reads, each even when the scope does not make it, in table order.
  std::vector<ReadCount> default_reads;
  // The extended rules' reads: a repository's webhooks, variables and environments (not the
  // variables of each environment: the listing does not show how many there are), and a
  // workspace's settings, webhooks, variables, members and owners.
  std::uint64_t extended_reads = 0;

  std::uint64_t total() const {
    std::uint64_t sum = listing + extended_reads;
    for (const auto& c : default_reads) {
      sum += c.requests;
    }
    return sum;
  }
};

// The owners the scan makes `read` for, as the listing showed them (none for a deployment
// environment: the listing does not show them).
std::uint64_t owners_of(const Read& read, const core::Snapshot& snapshot) {
  std::uint64_t n = 0;
  switch (read.owner) {
    case Owner::user:  // the caller, when /user showed a user whose SSH keys are read
      if (snapshot.platform == core::Platform::datacenter) {
        return 1U;  // made when the scope reads the caller's keys (needed() says)
      }
      return snapshot.ssh_keys_status == core::SshKeysStatus::read ? 1U : 0U;
    case Owner::workspace:
      return snapshot.workspaces.size();
    case Owner::project:
      for (const auto& ws : snapshot.workspaces) {
        n += ws.projects.size();
      }
      return n;
    case Owner::repository:
      for (const auto& ws : snapshot.workspaces) {
        n += static_cast<std::uint64_t>(std::count_if(
            ws.repositories.begin(), ws.repositories.end(), [&](const core::Repository& repo) {
              // Data Center's listing does not say which repositories are empty: all count.
              return read.when != bitbucket::When::default_branch || repo.mainbranch.has_value() ||
                     snapshot.platform == core::Platform::datacenter;
            }));
      }
      return n;
    case Owner::environment:
      return 0;
  }
  return 0;
}

// Whether a Data Center scan with `scope` makes `read` for every owner (the caller's SSH keys
// only when the scope includes them).
bool needed_on_datacenter(const core::Scope& scope, const Read& read) {
  if (read.subject == core::GapSubject::ssh_keys) {
    return scope.reads_user_keys();
  }
  return bitbucket::datacenter_needs(scope, read);
}

PlanCounts count(const core::Snapshot& snapshot, const bitbucket::CollectOptions& options,
                 std::uint64_t listing) {
  PlanCounts c;
  c.listing = listing;
  for (const auto& ws : snapshot.workspaces) {
    c.repositories += ws.repositories.size();
  }
  const bool datacenter = snapshot.platform == core::Platform::datacenter;
  for (const auto& read : datacenter ? bitbucket::datacenter_reads() : bitbucket::reads()) {
    if (read.role != bitbucket::Role::data || read.when == bitbucket::When::referred_to) {
      continue;  // the listing (made now), or a read the listing cannot foresee
    }
    const bool needed =
        datacenter ? needed_on_datacenter(options.scope, read) : options.scope.reads(read.subject);
    const std::uint64_t requests =
        needed ? static_cast<std::uint64_t>(read.requests) * owners_of(read, snapshot) : 0U;
    if (datacenter || bitbucket::read_by_default(read)) {
      c.default_reads.push_back({&read, requests});
    } else {
      c.extended_reads += requests;
    }
  }
  return c;
}

// Seconds the scan takes at `per_hour`: paced evenly when --max-requests-per-hour was given;
// otherwise on a rolling hourly budget, where the first hour's worth goes at once and each
// further hour's worth one hour later.
std::uint64_t estimated_seconds(std::uint64_t requests, std::uint64_t per_hour, bool paced) {
  if (paced) {
    return requests * 3600 / per_hour;
  }
  const auto hours = (requests + per_hour - 1) / per_hour;
  return hours > 0 ? (hours - 1) * 3600 : 0;
}

std::string duration_text(std::uint64_t seconds) {
  std::ostringstream out;
  if (seconds >= 3600) {
    out << seconds / 3600 << " h ";
  }
  out << (seconds % 3600 + 59) / 60 << " min";
  return out.str();
}

nlohmann::json plan_json(const core::Snapshot& snapshot, const PlanCounts& c,
                         std::uint64_t per_hour, bool paced) {
  nlohmann::json workspaces = nlohmann::json::array();
  for (const auto& ws : snapshot.workspaces) {
    nlohmann::json repos = nlohmann::json::array();
    for (const auto& repo : ws.repositories) {
      repos.push_back(repo.full_name);
    }
    nlohmann::json projects = nlohmann::json::array();
    for (const auto& project : ws.projects) {
      projects.push_back(project.key);
    }
    workspaces.push_back({{"workspace", ws.slug},
                          {"listed", ws.listed},
                          {"repositories", repos},
                          {"projects", projects}});
  }
  nlohmann::json plan{{"api_url", snapshot.api_url},
                      {"workspaces", workspaces},
                      {"repositories", c.repositories},
                      {"requests", {{"total", c.total()}, {"listing", c.listing}}},
                      {"max_requests_per_hour", per_hour},
                      {"paced", paced},
                      {"estimated_seconds", estimated_seconds(c.total(), per_hour, paced)}};
  for (const auto& [read, requests] : c.default_reads) {
    plan["requests"][std::string(core::to_string(read->subject))] = requests;
  }
  if (c.extended_reads > 0) {
    plan["requests"]["extended_rules"] = c.extended_reads;
  }
  return plan;
}

void print_plan(std::ostream& out, const core::Snapshot& snapshot, const PlanCounts& c,
                std::uint64_t per_hour, bool paced) {
  out << "A scan of " << snapshot.api_url << " with these settings would read:\n";
  for (const auto& ws : snapshot.workspaces) {
    out << "\n  " << ws.slug << ": " << ws.repositories.size() << " repositories, "
        << ws.projects.size() << " projects" << (ws.listed ? "" : " (listing incomplete)") << "\n";
    for (const auto& repo : ws.repositories) {
      out << "    " << repo.full_name << "\n";
    }
  }
  out << "\nRequests: " << c.total() << " (" << c.listing << " to sign in and list, made now";
  const char* separator = "; ";
  for (const auto& [read, requests] : c.default_reads) {
    out << separator << requests << " " << read->noun;
    separator = ", ";
  }
  out << (c.extended_reads > 0 ? ", " + std::to_string(c.extended_reads) +
                                     " for the extended rules, and one per deployment environment"
                               : std::string())
      << ")\n"
      << "  more when a list spans pages or restrictions refer to the branching model\n";
  const auto seconds = estimated_seconds(c.total(), per_hour, paced);
  if (snapshot.platform == core::Platform::datacenter && !paced) {
    out << "Time: Data Center limits requests only when an administrator turned its rate "
           "limiting on (a token bucket per user); pass --max-requests-per-hour to pace and "
           "estimate\n";
  } else if (paced) {
    out << "Time: about " << duration_text(seconds) << " at --max-requests-per-hour " << per_hour
        << "\n";
  } else if (seconds == 0) {
    out << "Time: within one hour's budget of " << per_hour
        << " requests (Bitbucket's for OAuth consumers and API tokens): no rate-limit wait\n";
  } else {
    out << "Time: about " << duration_text(seconds) << " on a rolling budget of " << per_hour
        << " requests an hour (Bitbucket's for OAuth consumers and API tokens; an access token "
           "on a large plan has more: pass --max-requests-per-hour)\n";
  }
}

}  // namespace

int run_plan(const ScanConfig& config, const std::atomic<bool>& cancel) {
  auto credentials = credentials_for(config.connection.platform);
  if (!credentials) {
    std::cerr << "bbposture: " << credentials.error() << '\n';
    return kExitUsage;
  }
  // --max-requests-per-hour is the rate to estimate for: the listing itself is not paced.
  auto connection = config.connection;
  connection.max_requests_per_hour = 0;
  TransportStack stack(connection, cancel);
  const auto tokens = bitbucket::make_token_source(*credentials, stack.token_transport(),
                                                   config.connection.token_url, stack.clock());
  bitbucket::ApiClient api(stack.transport(), *tokens, config.connection.api_url, &cancel,
                           &stack.limiter());
  auto options = collect_options(config, credentials->kind);
  options.plan_only = true;
  const auto collected = collect(config.connection.platform, api, options, credentials->username);
  if (collected.auth_failure) {
    return say_auth_failure(*collected.auth_failure, *credentials);
  }
  if (collected.wrong_platform) {
    std::cerr << "bbposture: " << *collected.wrong_platform << '\n';
    return kExitUsage;
  }
  const auto counts = count(collected.snapshot, options, stack.requests());
  const bool paced = config.connection.max_requests_per_hour > 0;
  const std::uint64_t per_hour = paced ? config.connection.max_requests_per_hour : 1000;
  std::ostringstream text;
  if (config.format == report::Format::json) {
    text << plan_json(collected.snapshot, counts, per_hour, paced).dump(2) << '\n';
  } else {
    print_plan(text, collected.snapshot, counts, per_hour, paced);
  }
  if (auto written = write_output(config.output, text.str()); !written) {
    std::cerr << "bbposture: " << written.error() << '\n';
    return kExitUsage;
  }
  if (report_missing_workspaces(collected)) {
    return kExitUsage;  // as the scan: a usage problem, not an incomplete listing
  }
  const bool complete = collected.snapshot.gaps.empty() && !collected.interrupted;
  return complete ? kExitClean : kExitIncomplete;
}

}  // namespace bbp::app
