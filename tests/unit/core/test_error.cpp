// Error messages are one line of valid UTF-8, whatever bytes the input held.
#include <catch2/catch.hpp>

#include <string>

#include "qutibench/error.hpp"

using namespace qutibench;

TEST_CASE("error messages: control characters are escaped", "[error]") {
  CHECK(one_line("a\nb\tc\rd") == "a\\nb\\tc\\rd");
  CHECK(one_line(std::string("x\0y\x1b\x7f", 5)) == "x\\x00y\\x1b\\x7f");
}

TEST_CASE("error messages: UTF-8 stays, other bytes are escaped", "[error]") {
  // Well-formed sequences of two, three and four bytes: micro sign, euro sign, G clef.
  CHECK(one_line("\xc2\xb5s \xe2\x82\xac \xf0\x9d\x84\x9e") == "\xc2\xb5s \xe2\x82\xac \xf0\x9d\x84\x9e");
  // A Latin-1 byte, an overlong '/', a UTF-16 surrogate, a code point past U+10FFFF, a
  // sequence cut short and a stray continuation byte (Unicode Table 3-7): each byte escaped.
  CHECK(one_line("f16\xff") == "f16\\xff");
  CHECK(one_line("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(one_line("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(one_line("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
  CHECK(one_line("\xe2\x82") == "\\xe2\\x82");
  CHECK(one_line("a\x80z") == "a\\x80z");
  // Well-formed, but line breaks to Python's splitlines(): NEL (U+0085), another C1 control
  // (U+009B) and the line and paragraph separators (U+2028, U+2029).
  CHECK(one_line("a\xc2\x85" "b\xc2\x9b" "c\xe2\x80\xa8" "d\xe2\x80\xa9" "e\xc2\xa0") ==
        "a\\xc2\\x85b\\xc2\\x9bc\\xe2\\x80\\xa8d\\xe2\\x80\\xa9e\xc2\xa0");  // U+00A0 stays
  const spec_error e(error_id::invalid_value, "p.csv:2", "weights 'f16\xff' unknown");
  CHECK(std::string(e.what()) == "[qutibench.spec_error.503] p.csv:2: weights 'f16\\xff' unknown");
}
