// How a command-line error is said: every line starts with "bbposture:", and a word the parser
// did not know is answered with the nearest option or subcommand it does know.
#include <algorithm>
#include <numeric>
#include <sstream>

#include "commands.hpp"

namespace bbp::app {
namespace {

// Edits between two short words: insertions, deletions, substitutions and swaps of two
// neighbours ("scna" is one edit from "scan").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  std::iota(d[0].begin(), d[0].end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The subcommand being parsed when the error came: the deepest one that was named.
const CLI::App* innermost(const CLI::App* app) {
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (const auto* sub : app->get_subcommands()) {
      if (sub->parsed()) {
        app = sub;
        deeper = true;
        break;
      }
    }
  }
  return app;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const auto* option : app->get_options()) {
    for (const auto& name : option->get_lnames()) {
      names.push_back("--" + name);
    }
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const auto* sub : app->get_subcommands({})) {
    names.push_back(sub->get_name());
  }
  return names;
}

// "'--wrkspace' is not an option of bbposture scan (did you mean --workspace?)".
std::string unknown_word(const CLI::App* app, const std::string& word) {
  const bool option = word.rfind('-', 0) == 0;
  const std::string name = option ? word.substr(0, word.find('=')) : word;
  const auto candidates = option ? option_names(app) : subcommand_names(app);
  const std::string command = (app->get_parent() != nullptr ? "bbposture " : "") + app->get_name();
  if (!option && candidates.empty()) {
    return "unexpected argument '" + word + "' for " + command;
  }
  std::string line =
      "'" + name + "' is not " + (option ? "an option" : "a command") + " of " + command;
  if (const auto suggestion = nearest(name, candidates)) {
    line += " (did you mean " + *suggestion + "?)";
  }
  return line;
}

}  // namespace

std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    // Close enough to be a typo: a third of the word at most, and never a different short word.
    if (d <= std::max<std::size_t>(1, candidate.size() / 3) && (!best || d < best_distance)) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string failure_message(const CLI::App* app, const CLI::Error& error) {
  const CLI::App* where = innermost(app);
  std::vector<std::string> unknown = where->remaining(false);
  std::ostringstream out;
  if (!unknown.empty()) {
    bool value_of_unknown_option = false;
    for (const auto& word : unknown) {
      // The word after an unknown "--option" is most likely its value: not said again.
      if (!(value_of_unknown_option && word.rfind('-', 0) != 0)) {
        out << "bbposture: " << unknown_word(where, word) << '\n';
      }
      value_of_unknown_option = word.rfind("--", 0) == 0 && word.find('=') == std::string::npos;
    }
  } else {
    out << "bbposture: " << error.what() << '\n';
  }
  std::string command = "bbposture";
  for (const auto* a = where; a->get_parent() != nullptr; a = a->get_parent()) {
    command.insert(std::string("bbposture").size(), " " + a->get_name());
  }
  out << "bbposture: see '" << command << " --help'\n";
  return out.str();
}

}  // namespace bbp::app
