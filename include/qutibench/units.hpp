// Physical quantities of the QuTiBench model: operations, bytes, elements,
// inputs and time, as Boost.Units quantities so that mixing them up does not compile.
#pragma once

#include <cstdint>

#include <boost/units/base_dimension.hpp>
#include <boost/units/base_unit.hpp>
#include <boost/units/derived_dimension.hpp>
#include <boost/units/make_system.hpp>
#include <boost/units/quantity.hpp>
#include <boost/units/systems/si/time.hpp>
#include <boost/units/unit.hpp>

namespace qutibench::units {

// Base dimensions. Boost.Units reserves ordinals <= 0 for its own; ours are positive
// and unique. Elements are a dimension of their own: a model size in elements
// becomes bytes only through a datatype (thesis Section 2.2.4, "ME").
struct operation_dimension : boost::units::base_dimension<operation_dimension, 1101> {};
struct byte_dimension : boost::units::base_dimension<byte_dimension, 1102> {};
struct element_dimension : boost::units::base_dimension<element_dimension, 1103> {};
struct input_dimension : boost::units::base_dimension<input_dimension, 1104> {};

struct op_base_unit : boost::units::base_unit<op_base_unit, operation_dimension::dimension_type, 1201> {
  static constexpr const char* name() { return "operation"; }
  static constexpr const char* symbol() { return "op"; }
};
struct byte_base_unit : boost::units::base_unit<byte_base_unit, byte_dimension::dimension_type, 1202> {
  static constexpr const char* name() { return "byte"; }
  static constexpr const char* symbol() { return "B"; }
};
struct element_base_unit
    : boost::units::base_unit<element_base_unit, element_dimension::dimension_type, 1203> {
  static constexpr const char* name() { return "element"; }
  static constexpr const char* symbol() { return "el"; }
};
struct input_base_unit : boost::units::base_unit<input_base_unit, input_dimension::dimension_type, 1204> {
  static constexpr const char* name() { return "input"; }
  static constexpr const char* symbol() { return "in"; }
};

using system = boost::units::make_system<op_base_unit, byte_base_unit, element_base_unit, input_base_unit,
                                         boost::units::si::second_base_unit>::type;

using op_unit = boost::units::unit<operation_dimension::dimension_type, system>;
using byte_unit = boost::units::unit<byte_dimension::dimension_type, system>;
using element_unit = boost::units::unit<element_dimension::dimension_type, system>;
using input_unit = boost::units::unit<input_dimension::dimension_type, system>;
using second_unit = boost::units::unit<boost::units::time_dimension, system>;

inline constexpr op_unit op{};
inline constexpr byte_unit byte{};
inline constexpr element_unit element{};
inline constexpr input_unit input{};
inline constexpr second_unit second{};

}  // namespace qutibench::units

namespace qutibench {

template <class Unit, class Value = double>
using quantity = boost::units::quantity<Unit, Value>;

// Exact counts: integers, so an op or weight count survives to the last digit.
using op_count = quantity<units::op_unit, std::uint64_t>;
using element_count = quantity<units::element_unit, std::uint64_t>;

// Sizes and times: real-valued (a packed INT2 tensor of 3 elements is 0.75 bytes).
using bytes = quantity<units::byte_unit>;
using ops = quantity<units::op_unit>;
using elements = quantity<units::element_unit>;
using seconds = quantity<units::second_unit>;

// Derived quantities of the roofline model (thesis eqs. 4.1, 4.2).
using ops_per_s = quantity<decltype(units::op / units::second)>;
using bytes_per_s = quantity<decltype(units::byte / units::second)>;
using ops_per_byte = quantity<decltype(units::op / units::byte)>;
using inputs_per_s = quantity<decltype(units::input / units::second)>;
using ops_per_input = quantity<decltype(units::op / units::input)>;
using bytes_per_element = quantity<decltype(units::byte / units::element)>;

/// Makes an exact op count from a raw number of operations.
constexpr op_count make_ops(std::uint64_t n) { return op_count::from_value(n); }
/// Makes an exact element count from a raw number of elements.
constexpr element_count make_elements(std::uint64_t n) { return element_count::from_value(n); }

/// An exact count as a real-valued quantity of the same unit.
template <class Unit>
constexpr quantity<Unit> to_real(quantity<Unit, std::uint64_t> q) {
  return quantity<Unit>::from_value(static_cast<double>(q.value()));
}

}  // namespace qutibench
