// The protobuf wire format, read as a stream: an ONNX file is a ModelProto, and qutibench
// needs only its graph structure and tensor shapes, never the weight payloads. The reader
// reads a message in chunks and skips a long field (a weight's raw_data) by its length,
// never reading it, so memory stays a few chunks whatever the file's size. The generated
// ONNX classes cannot do that: they copy each raw_data into a string, so their peak memory
// is at least the file's size (docs/onnx.md, "What it reads").
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "qutibench/error.hpp"

namespace qutibench::onnx {

/// Raised by the reader for bytes that are not protobuf; the importer reports it as
/// spec_error 501 naming the file.
struct wire_error {
  std::string what;
};

/// Where a model's bytes come from: memory (Python's bytes, a loaded field) or a file.
class byte_source {
 public:
  virtual ~byte_source() = default;
  virtual std::uint64_t size() const = 0;
  /// The `n` bytes at `offset` (in range): a view into the source, or into `scratch`.
  virtual std::span<const std::uint8_t> view(std::uint64_t offset, std::size_t n, std::vector<std::uint8_t>& scratch) const = 0;
};

class memory_source final : public byte_source {
 public:
  explicit memory_source(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  std::span<const std::uint8_t> view(std::uint64_t offset, std::size_t n, std::vector<std::uint8_t>&) const override {
    return bytes_.subspan(static_cast<std::size_t>(offset), n);
  }

 private:
  std::span<const std::uint8_t> bytes_;
};

/// A file read with pread: only the chunks the reader asks for are ever read.
class file_source final : public byte_source {
 public:
  explicit file_source(const std::filesystem::path& file) : where_(file.string()) {
    std::error_code ec;
    struct stat st {};
    if (!std::filesystem::is_regular_file(file, ec) || (fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC)) < 0 || ::fstat(fd_, &st) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw spec_error(error_id::malformed_json, where_, "cannot open (not a readable file)");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    if (size_ == 0) {
      ::close(fd_);
      throw spec_error(error_id::malformed_json, where_, "empty file, not an ONNX model");
    }
  }
  file_source(const file_source&) = delete;
  file_source& operator=(const file_source&) = delete;
  ~file_source() override { ::close(fd_); }
  std::uint64_t size() const override { return size_; }
  std::span<const std::uint8_t> view(std::uint64_t offset, std::size_t n, std::vector<std::uint8_t>& scratch) const override {
    scratch.resize(n);
    for (std::size_t done = 0; done < n;) {
      const ssize_t got = ::pread(fd_, scratch.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw spec_error(error_id::malformed_json, where_, got < 0 ? "cannot read: " + std::string(std::strerror(errno)) : "the file shrank while being read");
      done += static_cast<std::size_t>(got);
    }
    return scratch;
  }

 private:
  std::string where_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// Decodes the varint at `p` (advancing it); protobuf's base-128, least significant group first.
inline std::uint64_t read_varint(const std::uint8_t*& p, const std::uint8_t* end) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) throw wire_error{"a varint runs past the end"};
    const std::uint8_t b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw wire_error{"a varint longer than 10 bytes"};
}

/// The little-endian value of `bytes` bytes at `p` (protobuf's fixed32/fixed64).
inline std::uint64_t read_fixed(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

/// Length-delimited fields up to this size are read with their message; a longer one
/// (a payload, a large sub-message) is only located, and read or skipped by its extent.
inline constexpr std::uint64_t inline_limit = 4096;

/// One field of a message: its number, wire type and value (a varint or fixed value in
/// `value`; a length-delimited one at [offset, offset + length) of the source, and as a
/// view in `data`, valid until the reader's next field, when `loaded`).
struct wire_field {
  std::uint32_t number = 0;
  std::uint8_t type = 0;  ///< 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  std::uint64_t value = 0;
  std::uint64_t offset = 0, length = 0;
  bool loaded = false;
  std::span<const std::uint8_t> data;

  /// A short length-delimited field's bytes (a string, a small message, a packed run).
  std::span<const std::uint8_t> body() const {
    if (type != 2) throw wire_error{"field " + std::to_string(number) + " should be length-delimited, has wire type " + std::to_string(type)};
    if (!loaded) throw wire_error{"field " + std::to_string(number) + " of " + std::to_string(length) + " bytes is too long for a name or a list"};
    return data;
  }
  std::string text() const {
    const auto b = body();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }
  std::int64_t int64() const { return static_cast<std::int64_t>(value); }
  /// A float (fixed32) field's value.
  float real() const { return std::bit_cast<float>(static_cast<std::uint32_t>(value)); }
};

/// Walks the fields of the message at [begin, end) of a source, a chunk at a time. Group
/// wire types (3, 4; deprecated and absent from ONNX) and any field running past the end
/// are errors.
class wire_reader {
 public:
  wire_reader(const byte_source& source, std::uint64_t begin, std::uint64_t end) : source_(source), pos_(begin), end_(end) {
    if (begin > end || end > source.size()) throw wire_error{"a message runs past the end"};
  }

  /// Reads the next field into `f`; false at the end of the message.
  bool next(wire_field& f) {
    if (pos_ == end_) return false;
    const std::uint64_t tag = varint();
    f.number = static_cast<std::uint32_t>(tag >> 3);
    f.type = static_cast<std::uint8_t>(tag & 7);
    if (f.number == 0) throw wire_error{"field number 0"};
    f.data = {};
    f.loaded = false;
    switch (f.type) {
      case 0: f.value = varint(); break;
      case 1: f.value = fixed(8); break;
      case 5: f.value = fixed(4); break;
      case 2: {
        f.length = varint();
        if (f.length > end_ - pos_) throw wire_error{"a field of " + std::to_string(f.length) + " bytes runs past the end"};
        f.offset = pos_;
        if (f.length <= inline_limit) {
          f.data = bytes(static_cast<std::size_t>(f.length));
          f.loaded = true;
        }
        pos_ += f.length;
        break;
      }
      default: throw wire_error{"wire type " + std::to_string(f.type) + " of field " + std::to_string(f.number)};
    }
    return true;
  }

 private:
  static constexpr std::size_t chunk = 1 << 16;

  /// The `n` bytes at the position (not advancing), from the current chunk or a new one.
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (pos_ < window_begin_ || pos_ + n > window_begin_ + window_.size()) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max(n, chunk), end_ - pos_));
      window_ = source_.view(pos_, want, scratch_);
      window_begin_ = pos_;
    }
    return window_.subspan(static_cast<std::size_t>(pos_ - window_begin_), n);
  }
  std::uint64_t varint() {
    const auto avail = bytes(static_cast<std::size_t>(std::min<std::uint64_t>(10, end_ - pos_)));
    const std::uint8_t* p = avail.data();
    const std::uint64_t v = read_varint(p, avail.data() + avail.size());
    pos_ += static_cast<std::uint64_t>(p - avail.data());
    return v;
  }
  std::uint64_t fixed(int n) {
    if (end_ - pos_ < static_cast<std::uint64_t>(n)) throw wire_error{"a fixed-width value runs past the end"};
    const std::uint64_t v = read_fixed(bytes(static_cast<std::size_t>(n)).data(), n);
    pos_ += static_cast<std::uint64_t>(n);
    return v;
  }

  const byte_source& source_;
  std::uint64_t pos_, end_;
  std::vector<std::uint8_t> scratch_;
  std::span<const std::uint8_t> window_;
  std::uint64_t window_begin_ = 0;
};

/// A reader over a short field's bytes (a small nested message).
class span_reader {
 public:
  explicit span_reader(const wire_field& f) : bytes_(f.body()), reader_(bytes_, 0, bytes_.size()) {}
  bool next(wire_field& f) { return reader_.next(f); }

 private:
  memory_source bytes_;
  wire_reader reader_;
};

/// Parses the message in field `f` with `parse(source, begin, end)`: from the bytes read
/// with it when short, else from the source by its extent.
template <class Parse>
auto descend(const byte_source& source, const wire_field& f, Parse parse) {
  if (f.type != 2) throw wire_error{"field " + std::to_string(f.number) + " should be a message"};
  if (f.loaded) {
    const memory_source bytes(f.data);
    return parse(bytes, 0, f.data.size());
  }
  return parse(source, f.offset, f.offset + f.length);
}

/// Appends a repeated integer field's values: one varint, or a packed run of them.
inline void append_varints(const wire_field& f, std::vector<std::int64_t>& out) {
  if (f.type == 0) {
    out.push_back(f.int64());
    return;
  }
  if (f.type != 2) throw wire_error{"field " + std::to_string(f.number) + " should hold integers"};
  const auto run = f.body();
  const std::uint8_t* p = run.data();
  const std::uint8_t* end = p + run.size();
  while (p != end) out.push_back(static_cast<std::int64_t>(read_varint(p, end)));
}

/// Appends a repeated float field's values: one fixed32, or a packed run of them.
inline void append_floats(const wire_field& f, std::vector<double>& out) {
  if (f.type == 5) {
    out.push_back(f.real());
    return;
  }
  if (f.type != 2 || f.body().size() % 4) throw wire_error{"field " + std::to_string(f.number) + " should hold floats"};
  for (std::size_t i = 0; i < f.data.size(); i += 4)
    out.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(read_fixed(f.data.data() + i, 4))));
}

}  // namespace qutibench::onnx
