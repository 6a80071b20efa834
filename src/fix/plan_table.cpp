#include <ostream>

#include "bbp/fix/plan.hpp"

namespace bbp::fix {
namespace {

void write_header(const Plan& plan, std::ostream& out) {
  out << "Plan for " << plan.api_url << " as "
      << (plan.identity.name ? *plan.identity.name : plan.identity.uuid.value_or("(unknown)"))
      << ", made " << core::format_timestamp(plan.created_at) << ": " << plan.steps.size()
      << (plan.steps.size() == 1 ? " step" : " steps");
  if (const auto blocked = plan.steps.size() - applicable_steps(plan); blocked > 0) {
    out << " (" << blocked << " cannot apply)";
  }
  out << ", " << plan.left_alone.size() << " left to people, " << plan.unread.size()
      << " not read.\n";
  if (!plan.flags.empty()) {
    out << "Allowed by:";
    for (const auto& flag : plan.flags) {
      out << ' ' << flag;
    }
    out << '\n';
  }
}

void write_step(const Step& s, std::ostream& out) {
  out << '\n' << s.id << "  " << s.target << ": " << s.summary << '\n';
  out << "          fixes " << s.rules.size() << (s.rules.size() == 1 ? " rule:" : " rules:");
  for (const auto& rule : s.rules) {
    out << ' ' << rule;
  }
  out << "\n          now: " << (s.current.is_null() ? "absent" : s.current.dump())
      << "\n          to:  " << (s.desired.is_null() ? "absent" : s.desired.dump()) << '\n';
  out << "          " << s.request.method << ' ' << s.request.path;
  if (s.request.body) {
    out << ' ' << s.request.body->dump();
  }
  const char* reversible = s.permission ? "reversible" : "reversible (--undo)";
  out << "\n          " << (s.reversible ? reversible : "IRREVERSIBLE");
  if (s.flag) {
    out << "; allowed by " << *s.flag;
  }
  out << '\n';
  for (const auto& r : s.removes) {
    out << "          removes the " << r.type << " " << r.name << " (" << r.id
        << ") from those who may push\n";
  }
  for (const auto& l : s.limitations) {
    out << "          note: " << l << '\n';
  }
  if (s.permission) {
    out << "          needs " << *s.permission << '\n';
  }
  if (s.cannot_apply && !s.permission) {
    out << "          CANNOT APPLY: " << *s.cannot_apply << '\n';
  }
}

void write_rest(const Plan& plan, std::ostream& out) {
  if (!plan.left_alone.empty()) {
    out << "\nLeft to people (not written):\n";
    for (const auto& l : plan.left_alone) {
      out << "  " << l.rule << "  " << l.target << ": " << l.why << '\n';
    }
  }
  if (!plan.unread.empty()) {
    out << "\nNot read (no step; run again once they can be read):\n";
    for (const auto& u : plan.unread) {
      out << "  " << u.target << ": " << u.reason << '\n';
    }
  }
  if (plan.platform == "datacenter") {
    out << "\nNothing was written. bbposture does not write to Bitbucket Data Center: each step "
           "shows the request that makes its change, for review and to make by hand.\n";
  } else if (applicable_steps(plan) > 0) {
    out << "\nNothing was written. Save the plan with -o plan.json, review it, then apply it "
           "with: bbposture fix --apply plan.json\n";
  } else {
    out << "\nNothing to apply; nothing was written.\n";
  }
}

}  // namespace

void write_plan_table(const Plan& plan, std::ostream& out) {
  write_header(plan, out);
  for (const auto& s : plan.steps) {
    write_step(s, out);
  }
  write_rest(plan, out);
}

}  // namespace bbp::fix
