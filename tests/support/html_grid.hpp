// Reading the HTML report's grid (repositories x rules) one row at a time, so that an assertion
// about a repository's cell cannot be satisfied by another repository's row.
#pragma once

#include <string>

namespace bbp::test {

// The grid row of `repository`, from its <tr data-repository="..."> to its </tr>; "" when the
// page has no such row.
inline std::string grid_row(const std::string& html, const std::string& repository) {
  const auto start = html.find("<tr data-repository=\"" + repository + "\"");
  if (start == std::string::npos) {
    return {};
  }
  const auto end = html.find("</tr>", start);
  return end == std::string::npos ? std::string() : html.substr(start, end + 5 - start);
}

// The cell of `rule` in a grid row, the whole element, e.g.
// <td class="cell fail" data-rule="public-repository" title="public-repository: fail">✗</td>;
// "" when the row has none.
inline std::string grid_cell(const std::string& row, const std::string& rule) {
  const auto rule_at = row.find(" data-rule=\"" + rule + "\"");
  if (rule_at == std::string::npos) {
    return {};
  }
  const auto start = row.rfind("<td ", rule_at);
  const auto end = row.find("</td>", rule_at);
  if (start == std::string::npos || end == std::string::npos) {
    return {};
  }
  return row.substr(start, end + 5 - start);
}

// What the cell of `rule` in a grid row says: its class after "cell " (fail, pass, unknown,
// clear, na, left-out); "" when the row has no such cell.
inline std::string grid_state(const std::string& row, const std::string& rule) {
  const auto cell = grid_cell(row, rule);
  const std::string prefix = "<td class=\"cell ";
  if (!cell.starts_with(prefix)) {
    return {};
  }
  return cell.substr(prefix.size(), cell.find('"', prefix.size()) - prefix.size());
}

}  // namespace bbp::test
