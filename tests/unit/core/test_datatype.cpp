#include <catch2/catch.hpp>

#include <vector>

#include "qutibench/datatype.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

TEST_CASE("datatype: stable names parse and format back", "[datatype]") {
  for (const char* name : {"int2", "int4", "int8", "int16", "fp16", "bf16", "fp32", "int1", "int32", "uint7", "binary",
                           "bipolar", "fp8_e4m3", "fp8_e5m2", "fp64", "tf32"})
    CHECK(datatype::parse(name).name() == name);
  CHECK(datatype::parse("INT8") == dt::int8);  // the thesis writes datatypes in capitals
  CHECK(datatype::parse("int5").bits == 5);
  CHECK(datatype::parse("uint12") == datatype::unsigned_int(12));
  // TF32 computes with FP16's 10-bit mantissa and FP32's 8-bit exponent, stored in 32 bits
  // (A100 whitepaper): FP32 holds it, FP16 (5-bit exponent) does not.
  CHECK(dt::tf32.size().value() == 4.0);
  CHECK(dt::fp32.holds(dt::tf32));
  CHECK_FALSE(dt::fp16.holds(dt::tf32));
}

TEST_CASE("datatype: unknown names and widths are ID'd errors", "[datatype][errors]") {
  // One spelling per type (case aside): no leading zero, sign or space in a width.
  for (const char* bad : {"int33", "int0", "uint", "fp7", "float", "int4x", "", "int08", "uint04", "INT008", "int00", "int+8",
                          "int-8", "int 8", " int8", "int8 ", "fp016"}) {
    try {
      (void)datatype::parse(bad);
      FAIL("no error for '" << bad << "'");
    } catch (const spec_error& e) {
      CHECK(e.id() == error_id::unknown_datatype);
      CHECK_THAT(e.what(), Catch::Contains("[qutibench.spec_error.101]"));
    }
  }
}

TEST_CASE("datatype: a width with a leading zero is refused by name", "[datatype][errors]") {
  CHECK_THROWS_WITH(datatype::parse("int08"), Catch::Contains("[qutibench.spec_error.101] datatype 'int08': integer width '08' "
                                                              "has a leading zero"));
  CHECK(datatype::parse("uint4") == datatype::unsigned_int(4));
  CHECK(datatype::parse("int10").bits == 10);  // a zero that is not leading stays
}

TEST_CASE("datatype: sizes, packed sub-byte storage", "[datatype]") {
  CHECK(dt::int2.size().value() == 0.25);  // thesis Section 2.2.4: INT2 = 0.25 byte
  CHECK(dt::int4.size().value() == 0.5);
  CHECK(dt::fp16.size().value() == 2.0);
  CHECK(dt::bf16.bits == 16);
  CHECK(dt::fp8_e4m3.bits == 8);
  CHECK(dt::int4.size_of(make_elements(3)).value() == 1.5);
  CHECK(dt::int2.storage_bytes(3) == 1);
  CHECK(datatype::signed_int(3).storage_bytes(8) == 3);
  CHECK(dtype_tag<dt::int4>::storage_bytes(5) == 3);
  STATIC_REQUIRE(dtype_tag<dt::int2>::bits == 2);
}

TEST_CASE("datatype: pack and unpack round-trip at every integer width", "[datatype]") {
  for (unsigned w = 1; w <= 32; ++w) {
    const datatype t = datatype::signed_int(w);
    std::vector<std::int32_t> v;
    for (std::int64_t x : {t.min_value(), t.max_value(), std::int64_t{0}, t.min_value() / 2}) v.push_back(static_cast<std::int32_t>(x));
    const auto packed = pack(v, t);
    CHECK(packed.size() == t.storage_bytes(v.size()));
    CHECK(unpack(packed, v.size(), t) == v);
  }
  const std::vector<std::int32_t> pm = {-1, 1, 1, -1, 1};
  CHECK(unpack(pack(pm, dt::bipolar), pm.size(), dt::bipolar) == pm);
  // Two int4 values share a byte, low nibble first: 3 and -1 (0xF) -> 0xF3.
  CHECK(pack(std::vector<std::int32_t>{3, -1}, dt::int4) == std::vector<std::uint8_t>{0xF3});
  CHECK_THROWS_AS(pack(std::vector<std::int32_t>{8}, dt::int4), std::out_of_range);
}

TEST_CASE("datatype: carrier is the smallest native type that holds the value range", "[datatype]") {
  const datatype a53[] = {dt::int8};  // thesis Section 6.3: INT2/INT4 run in INT8 on the Cortex-A53
  CHECK(carrier(dt::int2, a53) == dt::int8);
  CHECK(carrier(dt::int4, a53) == dt::int8);
  CHECK(carrier(dt::int16, a53) == std::nullopt);
  const datatype finn[] = {dt::int8, dt::int4, dt::int2};
  CHECK(carrier(dt::int2, finn) == dt::int2);
  CHECK(carrier(datatype::signed_int(3), finn) == dt::int4);
  CHECK(carrier(dt::bipolar, finn) == dt::int2);
  const datatype ints[] = {dt::uint8, dt::int8, dt::int16};
  CHECK(carrier(dt::uint8, ints) == dt::uint8);
  CHECK(carrier(datatype::unsigned_int(8), std::vector<datatype>{dt::int8, dt::int16}) == dt::int16);
  const datatype gpu[] = {dt::fp16, dt::fp32};
  CHECK(carrier(dt::bf16, gpu) == dt::fp32);  // bf16's 8-bit exponent does not fit fp16
  CHECK(carrier(dt::fp8_e4m3, gpu) == dt::fp16);
  CHECK(carrier(dt::int8, gpu) == std::nullopt);  // integers stay in integer carriers
}
