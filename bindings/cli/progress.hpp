// Progress of a long run on stderr: a line rewritten in place on a terminal, a line per
// tenth of the work otherwise (CI logs).
#pragma once

#include <cstddef>
#include <string>

namespace qutibench::cli {

class progress {
 public:
  progress(std::string what, std::size_t total);
  /// Reports that item `done` (1-based) of the total, called `name`, is finished.
  void step(std::size_t done, const std::string& name);
  /// Ends the line.
  ~progress();

 private:
  std::string what_;
  std::size_t total_;
  bool tty_;
  std::size_t last_tenth_ = 0;
};

}  // namespace qutibench::cli
