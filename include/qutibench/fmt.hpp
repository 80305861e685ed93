// {fmt} formatters for qutibench's quantities and records, the text their operator<< gives
// (qutibench/print.hpp): `fmt::print("{}\n", prediction.latency)`. Opt-in: link fmt::fmt
// (Debian's libfmt-dev) beside qutibench::qutibench.
#pragma once

#include <fmt/ostream.h>

#include "qutibench/print.hpp"

template <class Dimension, class Value>
struct fmt::formatter<boost::units::quantity<boost::units::unit<Dimension, qutibench::units::system>, Value>>
    : fmt::ostream_formatter {};

template <qutibench::printable_record R>
struct fmt::formatter<R> : fmt::ostream_formatter {};
