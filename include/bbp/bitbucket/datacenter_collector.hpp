// The Data Center collector: reads a Bitbucket Data Center server into the same Snapshot the
// Cloud collector makes, from the rows of datacenter_reads() (bbp/bitbucket/datacenter_reads.hpp).
//
// The walk: (1) the server's version (a server that is not Data Center is said, exit 2, before
// anything else), then who is calling, on an endpoint anonymous callers cannot read (Data Center
// serves an unrecognised token as anonymous, which would otherwise scan nothing and look
// clean); (2) the repository listing; (3) each project's branch permissions and access keys;
// (4) each repository's reads, one task per repository, on `concurrency` threads; (5) the
// caller's SSH keys. Project-level permissions are added to each repository's restrictions when
// the snapshot is handed over. Every failed read is a gap; once the caller is known, a 401 is a
// permission the credential lacks (Data Center answers 401, not 403), named in the gap.
#pragma once

#include <atomic>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/collector.hpp"

namespace bbp::bitbucket {

class DataCenterCollector {
 public:
  // `username`: the Basic credential's user, when there is one (the identity when the server
  // does not name the caller in a header).
  DataCenterCollector(ApiClient& api, CollectOptions options, std::string username = {},
                      CollectProgress* progress = nullptr,
                      const std::atomic<bool>* cancel = nullptr);

  CollectResult run();

 private:
  class Run;

  ApiClient& api_;
  CollectOptions options_;
  std::string username_;
  CollectProgress* progress_;
  const std::atomic<bool>* cancel_;
};

}  // namespace bbp::bitbucket
