#include "progress.hpp"

#include <unistd.h>

#include <iostream>

namespace qutibench::cli {

progress::progress(std::string what, std::size_t total) : what_(std::move(what)), total_(total), tty_(isatty(2) != 0) {}

void progress::step(std::size_t done, const std::string& name) {
  if (tty_) {
    std::cerr << "\r\033[K" << what_ << " [" << done << "/" << total_ << "] " << name << std::flush;
    return;
  }
  const std::size_t tenth = total_ ? done * 10 / total_ : 10;
  if (tenth != last_tenth_ || done == total_) {
    std::cerr << what_ << " [" << done << "/" << total_ << "] " << name << '\n';
    last_tenth_ = tenth;
  }
}

progress::~progress() {
  if (tty_) std::cerr << '\n';
}

}  // namespace qutibench::cli
