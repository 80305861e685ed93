// The library's version, written once: CMakeLists.txt reads it from here for the package
// config, `qutibench --version` prints it and Python has it as qutibench.__version__.
#pragma once

#include <string_view>

namespace qutibench {

inline constexpr std::string_view version = "0.1.0";

}  // namespace qutibench
