// Shape inference for the operators that rearrange, index or create tensors (and fold
// their values when small), and for reductions and recurrent layers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "qutibench/io/onnx/shapes.hpp"

namespace qutibench::onnx {

/// Axes from the attribute (older opsets) or the input `index` (newer ones), as positions;
/// none given is every axis if `all_by_default`.
inline dims axes_of(const operands& a, std::size_t index, std::size_t rank, bool all_by_default) {
  dims axes = a.site.n.find("axes") ? a.site.integers("axes") : a.has(index) ? a.values(index, "axes") : dims{};
  if (axes.empty() && all_by_default)
    for (std::size_t i = 0; i < rank; ++i) axes.push_back(static_cast<std::int64_t>(i));
  for (std::int64_t& axis : axes) axis = a.site.axis(axis, rank);
  return axes;
}

/// Resize's (and the older Upsample's) output: `sizes` when given, otherwise
/// floor(extent x scale) per axis; opset 18's `axes` name the axes they apply to.
inline dims resized(const operands& a) {
  const shape_site& s = a.site;
  const dims& x = a.shape(0);
  const bool upsample = s.n.op_type == "Upsample";
  dims axes = s.integers("axes");
  if (axes.empty())
    for (std::size_t i = 0; i < x.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  for (std::int64_t& axis : axes) axis = s.axis(axis, x.size());
  dims sizes = !upsample && s.opset >= 11 && a.has(3) ? a.values(3, "sizes") : dims{};
  std::vector<double> scales;
  if (sizes.empty()) {
    if (const attribute* given = s.n.find("scales")) {  // Upsample before opset 9
      scales = given->floats;
    } else {
      const std::size_t at = upsample || s.opset < 11 ? 1 : 2;
      if (!a.has(at)) s.fail(error_id::missing_field, s.n.op_type + " needs scales or sizes");
      a.values(at, "scales");  // a constant, or an error naming it
      scales = *a.in[at]->values;
    }
  }
  // Opset 18's keep_aspect_ratio_policy: one scale for all the axes, the smallest
  // (not_larger) or largest (not_smaller) of sizes / extent, rounded to the nearest.
  const attribute* policy = s.n.find("keep_aspect_ratio_policy");
  if (!sizes.empty() && policy && (policy->s == "not_larger" || policy->s == "not_smaller") && sizes.size() == axes.size()) {
    double scale = policy->s == "not_larger" ? HUGE_VAL : 0;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      if (x[axes[k]] == 0) s.fail(error_id::invalid_value, "keep_aspect_ratio_policy on an empty axis");
      const double r = static_cast<double>(sizes[k]) / static_cast<double>(x[axes[k]]);
      scale = policy->s == "not_larger" ? std::min(scale, r) : std::max(scale, r);
    }
    scales.assign(axes.size(), scale);
    for (std::size_t k = 0; k < axes.size(); ++k) {
      const double extent = std::round(scale * static_cast<double>(x[axes[k]]));
      if (!(extent >= 0 && extent <= static_cast<double>(max_dimension))) s.fail(error_id::invalid_value, "an output extent outside 0..2^31");
      sizes[k] = static_cast<std::int64_t>(extent);
    }
  }
  const std::size_t given = sizes.empty() ? scales.size() : sizes.size();
  if (given != axes.size())
    s.fail(error_id::invalid_value, std::to_string(given) + (sizes.empty() ? " scales" : " sizes") + " for " + std::to_string(axes.size()) +
                                        " axes of the input " + shown(x));
  dims y = x;
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const double extent = sizes.empty() ? std::floor(static_cast<double>(x[axes[k]]) * scales[k]) : static_cast<double>(sizes[k]);
    if (!(extent >= 0 && extent <= static_cast<double>(max_dimension)))
      s.fail(error_id::invalid_value, "output extent " + std::to_string(extent) + " of axis " + std::to_string(axes[k]) + " outside 0..2^31");
    y[axes[k]] = static_cast<std::int64_t>(extent);
  }
  return y;
}

inline bool infer_views(const operands& a, value& y, std::vector<value>& out) {
  const shape_site& s = a.site;
  const std::string& op = s.n.op_type;
  auto checked = [&](const dims& d, const char* what) {
    for (std::int64_t v : d)
      if (v < 0) s.fail(error_id::invalid_value, std::string(what) + " " + shown(d) + " has a negative dimension");
    return d;
  };
  if (op == "Reshape") {
    const dims& x = a.shape(0);
    dims target = a.values(1, "the target shape");
    const bool allowzero = s.integer("allowzero", 0) != 0;
    std::uint64_t known = 1;
    std::int64_t infer_at = -1;
    for (std::size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0 && !allowzero) {
        if (i >= x.size()) s.fail(error_id::invalid_value, "target " + shown(target) + " copies a dimension that " + shown(x) + " lacks");
        target[i] = x[i];
      }
      if (target[i] == -1 && infer_at < 0) infer_at = static_cast<std::int64_t>(i);
      else if (target[i] < 0) s.fail(error_id::invalid_value, "target shape " + shown(target) + " has more than one -1 or a negative size");
      else known = checked_mul(known, static_cast<std::uint64_t>(target[i]), "Reshape");
    }
    const std::uint64_t total = element_count(x, "Reshape");
    if (infer_at >= 0) {
      if (known == 0 || total % known || total / known > static_cast<std::uint64_t>(max_dimension))
        s.fail(error_id::shape_mismatch, "cannot reshape " + shown(x) + " to " + shown(target));
      target[static_cast<std::size_t>(infer_at)] = static_cast<std::int64_t>(total / known);
    }
    if (element_count(target, "Reshape") != total) s.fail(error_id::shape_mismatch, "cannot reshape " + shown(x) + " to " + shown(target));
    y.shape = target;
    y.values = a.in[0]->values;
  } else if (op == "Expand") {
    y.shape = broadcast(a.shape(0), checked(a.values(1, "the shape"), "shape"), s);
    const dims& x = a.shape(0);
    const std::size_t offset = y.shape->size() - x.size();
    y.values = gathered(*a.in[0], *y.shape, [&](const dims& c) {
      dims at(x.size());
      for (std::size_t k = 0; k < x.size(); ++k) at[k] = x[k] == 1 ? 0 : c[k + offset];
      return at;
    });
  } else if (op == "ConstantOfShape") {
    y.shape = checked(a.values(0, "the shape"), "shape");
    y.constant = true;
    y.type = float32;
    double fill = 0;
    if (const attribute* v = s.n.find("value"); v && v->t) {
      y.type = v->t->type;
      const auto filled = decode(*v->t);
      if (filled && !filled->empty()) fill = filled->front();
    }
    if (element_count(*y.shape, "ConstantOfShape") <= max_folded_elements) y.values = std::vector<double>(element_count(*y.shape, "fold"), fill);
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    const dims& x = a.shape(0);
    dims r;
    if (op == "Squeeze") {
      const dims axes = axes_of(a, 1, x.size(), false);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const bool listed = std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end();
        if (listed && x[i] != 1) s.fail(error_id::invalid_value, "cannot squeeze axis " + std::to_string(i) + " of " + shown(x));
        if (!(listed || (axes.empty() && x[i] == 1))) r.push_back(x[i]);
      }
    } else {
      const dims raw = s.n.find("axes") ? s.integers("axes") : a.values(1, "axes");
      const std::size_t rank = x.size() + raw.size();
      std::vector<bool> inserted(rank, false);
      for (std::int64_t axis : raw) {
        const auto at = static_cast<std::size_t>(s.axis(axis, rank));
        if (inserted[at]) s.fail(error_id::invalid_value, "axes " + shown(raw) + " name an axis twice");
        inserted[at] = true;
      }
      for (std::size_t i = 0, k = 0; i < rank; ++i) r.push_back(inserted[i] ? 1 : x[k++]);
    }
    y.shape = r;
    y.values = a.in[0]->values;
  } else if (op == "Transpose") {
    const dims& x = a.shape(0);
    dims perm = s.integers("perm");
    if (perm.empty())
      for (std::size_t i = x.size(); i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
    dims sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i)
      if (sorted.size() != x.size() || sorted[i] != static_cast<std::int64_t>(i))
        s.fail(error_id::invalid_value, "perm " + shown(perm) + " is not a permutation of " + std::to_string(x.size()) + " axes");
    y.shape.emplace();
    for (std::int64_t p : perm) y.shape->push_back(x[static_cast<std::size_t>(p)]);
    y.values = gathered(*a.in[0], *y.shape, [&](const dims& c) {
      dims at(x.size());
      for (std::size_t k = 0; k < perm.size(); ++k) at[static_cast<std::size_t>(perm[k])] = c[k];
      return at;
    });
  } else if (op == "Slice") {
    const dims& x = a.shape(0);
    const bool attrs = s.opset < 10;
    const dims starts = attrs ? s.integers("starts") : a.values(1, "starts");
    const dims ends = attrs ? s.integers("ends") : a.values(2, "ends");
    dims axes = attrs ? s.integers("axes") : a.has(3) ? a.values(3, "axes") : dims{};
    const dims steps = !attrs && a.has(4) ? a.values(4, "steps") : dims(starts.size(), 1);
    if (axes.empty())
      for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      s.fail(error_id::invalid_value, "starts, ends, axes and steps differ in length");
    dims first(x.size(), 0), step(x.size(), 1), r = x;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const auto k = static_cast<std::size_t>(s.axis(axes[i], x.size()));
      const std::int64_t d = x[k], st = steps[i];
      if (st == 0) s.fail(error_id::invalid_value, "step 0");
      auto clamp = [&](std::int64_t v, std::int64_t low, std::int64_t high) { return std::clamp(v < 0 ? v + d : v, low, high); };
      if (d == 0) {
        r[k] = 0;
        continue;
      }
      const std::int64_t b = st > 0 ? clamp(starts[i], 0, d) : clamp(starts[i], 0, d - 1);
      const std::int64_t e = st > 0 ? clamp(ends[i], 0, d) : clamp(ends[i], -1, d - 1);
      first[k] = b;
      step[k] = st;
      r[k] = st > 0 ? std::max<std::int64_t>(0, (e - b + st - 1) / st) : std::max<std::int64_t>(0, (b - e - st - 1) / -st);
    }
    y.shape = r;
    y.values = gathered(*a.in[0], r, [&](const dims& c) {
      dims at(x.size());
      for (std::size_t k = 0; k < x.size(); ++k) at[k] = first[k] + c[k] * step[k];
      return at;
    });
  } else if (op == "Gather") {
    const dims& x = a.shape(0);
    const dims& idx = a.shape(1);
    const auto axis = static_cast<std::size_t>(s.axis(s.integer("axis", 0), x.size()));
    dims r(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(axis));
    r.insert(r.end(), idx.begin(), idx.end());
    r.insert(r.end(), x.begin() + static_cast<std::ptrdiff_t>(axis) + 1, x.end());
    y.shape = r;
    if (a.in[1]->values) {
      const dims picks = a.values(1, "indices");
      for (std::int64_t p : picks)
        if (p < -x[axis] || p >= x[axis]) s.fail(error_id::invalid_value, "index " + std::to_string(p) + " outside axis " + std::to_string(axis) + " of " + shown(x));
      y.values = gathered(*a.in[0], r, [&](const dims& c) {
        dims at(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(axis));
        std::uint64_t flat = 0;
        for (std::size_t k = 0; k < idx.size(); ++k) flat = flat * static_cast<std::uint64_t>(idx[k]) + static_cast<std::uint64_t>(c[axis + k]);
        const std::int64_t p = picks[flat];
        at.push_back(p < 0 ? p + x[axis] : p);
        at.insert(at.end(), c.begin() + static_cast<std::ptrdiff_t>(axis + idx.size()), c.end());
        return at;
      });
    }
  } else if (op == "Shape") {
    const dims& x = a.shape(0);
    const auto rank = static_cast<std::int64_t>(x.size());
    auto at = [&](std::int64_t v) { return std::clamp(v < 0 ? v + rank : v, std::int64_t{0}, rank); };
    const std::int64_t b = at(s.integer("start", 0)), e = std::max(b, at(s.integer("end", rank)));
    y.values = std::vector<double>(x.begin() + b, x.begin() + e);
    y.shape = dims{e - b};
    y.type = int64;
    y.constant = true;  // needs only the input's shape, not its values
  } else if (op == "Constant") {
    const attribute* v = s.n.attributes.empty() ? nullptr : &s.n.attributes.front();
    if (!v) s.fail(error_id::missing_field, "Constant without a value");
    if (v->t) {
      y = constant_value(*v->t);
    } else {
      const bool list = v->name == "value_ints" || v->name == "value_floats";
      const bool integer = v->name == "value_int" || v->name == "value_ints";
      if (!integer && v->name != "value_float" && v->name != "value_floats") return false;  // strings, sparse
      y.constant = true;
      y.type = integer ? int64 : float32;
      y.values = integer ? (list ? std::vector<double>(v->ints.begin(), v->ints.end()) : std::vector<double>{static_cast<double>(v->i)})
                         : (list ? v->floats : std::vector<double>{v->f});
      y.shape = list ? dims{static_cast<std::int64_t>(y.values->size())} : dims{};
    }
  } else if (op == "Range") {
    a.values(0, "start"), a.values(1, "limit"), a.values(2, "delta");  // constants, or an error naming them
    const std::vector<double>& start = *a.in[0]->values;
    const std::vector<double>& limit = *a.in[1]->values;
    const std::vector<double>& delta = *a.in[2]->values;
    if (start.size() != 1 || limit.size() != 1 || delta.size() != 1 || !(delta[0] != 0))
      s.fail(error_id::invalid_value, "start, limit and delta must be scalars, delta non-zero");
    const double n = std::max(0.0, std::ceil((limit[0] - start[0]) / delta[0]));
    if (!(n <= static_cast<double>(max_folded_elements))) s.fail(error_id::invalid_value, "a range of " + std::to_string(n) + " elements");
    y.shape = dims{static_cast<std::int64_t>(n)};
    y.values.emplace();
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) y.values->push_back(start[0] + static_cast<double>(i) * delta[0]);
  } else if (op == "Resize" || op == "Upsample") {
    y.shape = resized(a);
  } else if (op.starts_with("Reduce")) {
    const dims& x = a.shape(0);
    const bool input_axes = (op == "ReduceSum" && s.opset >= 13) || s.opset >= 18;
    const dims axes = axes_of(a, input_axes ? 1 : a.in.size(), x.size(), s.integer("noop_with_empty_axes", 0) == 0);
    const bool keep = s.integer("keepdims", 1) != 0;
    y.shape.emplace();
    for (std::size_t i = 0; i < x.size(); ++i) {
      const bool reduced = std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end();
      if (!reduced) y.shape->push_back(x[i]);
      else if (keep) y.shape->push_back(1);
    }
  } else if (op == "LSTM" || op == "GRU") {
    const dims& x = a.shape(0);
    if (x.size() != 3) s.fail(error_id::rank_mismatch, "input " + shown(x) + " is not [sequence, batch, features]");
    const std::int64_t hidden = s.integer("hidden_size", 0);
    if (hidden <= 0) s.fail(error_id::invalid_value, "hidden_size " + std::to_string(hidden) + ": must be >= 1");
    const attribute* direction = s.n.find("direction");
    const std::int64_t dirs = direction && direction->s == "bidirectional" ? 2 : 1;
    const bool batch_first = s.integer("layout", 0) == 1;
    const std::int64_t seq = batch_first ? x[1] : x[0], batch = batch_first ? x[0] : x[1];
    y.shape = batch_first ? dims{batch, seq, dirs, hidden} : dims{seq, dirs, batch, hidden};
    for (std::size_t i = 1; i < out.size(); ++i) out[i].shape = batch_first ? dims{batch, dirs, hidden} : dims{dirs, batch, hidden};
  } else if (op == "Split") {
    const dims& x = a.shape(0);
    const auto axis = static_cast<std::size_t>(s.axis(s.integer("axis", 0), x.size()));
    dims parts = s.n.find("split") ? s.integers("split") : a.has(1) ? a.values(1, "split") : dims{};
    if (parts.empty()) parts.assign(out.size(), (x[axis] + static_cast<std::int64_t>(out.size()) - 1) / static_cast<std::int64_t>(out.size()));
    if (parts.size() != out.size()) s.fail(error_id::invalid_value, "split " + shown(parts) + " for " + std::to_string(out.size()) + " outputs");
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (parts[i] < 0 || parts[i] > max_dimension) s.fail(error_id::invalid_value, "split " + shown(parts) + " has a size outside 0..2^31");
      out[i].shape = x;
      (*out[i].shape)[axis] = std::clamp<std::int64_t>(x[axis] - offset, 0, parts[i]);  // the last part of an uneven split is short
      offset += parts[i];
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace qutibench::onnx
