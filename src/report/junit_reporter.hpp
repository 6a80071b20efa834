// Internal to the report layer: other layers get a reporter from make_reporter (reporter.hpp).
#pragma once

#include <string>
#include <string_view>

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// JUnit XML as Jenkins, Ant and Bitbucket Pipelines read it (tests/data/schemas/junit.xsd): one
// <testsuite> per rule evaluated, one <testcase> per rule and resource checked. A finding is a
// <failure>, a suppressed finding and a check that does not apply or was left out are
// <skipped>, an unknown is an <error>, and every repository (or workspace, for workspace rules)
// without any of these passes. The counts on <testsuites> and each <testsuite> are those of
// the elements written. Timestamps come from the report, never from the clock.
class JunitReporter final : public Reporter {
 public:
  void write(const ScanReport& report, std::ostream& out) const override;
};

// `text` as XML 1.0 character data (`attribute` false) or as a double-quoted attribute value:
// & < > (and " ' in attributes) become entities, so does CR (and TAB and LF in attributes,
// which a parser would otherwise turn into spaces); a character XML 1.0 forbids (other C0
// controls, U+FFFE, U+FFFF) and invalid UTF-8 become U+FFFD.
std::string xml_escape(std::string_view text, bool attribute);

}  // namespace bbp::report
