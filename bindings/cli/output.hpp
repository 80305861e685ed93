// Files the commands write (--output): whole or not at all, every step checked.
#pragma once

#include <string>
#include <string_view>

namespace qutibench::cli {

/// Writes `text` to `path`: into a temporary file in the same directory, checking the
/// open, every write, the sync and the close, then renamed over `path` (atomic within a
/// directory), so that `path` ends up either complete or as it was. A device or pipe
/// (/dev/stdout) is written in place, checked the same. On any failure the temporary is
/// removed and spec_error 508 names the path and the system's reason.
void write_file(const std::string& path, std::string_view text);

}  // namespace qutibench::cli
