// {fmt} formatters for quantities and records, the text their operator<< gives
// (qutibench/print.hpp): `fmt::print("{}\n", prediction.latency)`. Opt-in: link fmt::fmt
// (Debian's libfmt-dev) beside qutibench::qutibench.
#pragma once

#include <fmt/ostream.h>

#include "qutibench/print.hpp"

template <class Unit, class Value>
struct fmt::formatter<boost::units::quantity<Unit, Value>> : fmt::ostream_formatter {};

template <qutibench::record R>
struct fmt::formatter<R> : fmt::ostream_formatter {};
