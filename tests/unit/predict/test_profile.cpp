#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "qutibench/predict/profile.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

namespace {

/// The profile is per input at uniform precision; requirements() at datatype `d` and
/// batch `b` must be the same counts scaled by the batch and sized by the datatype.
void check_agreement(const topology& t, const network_profile& p, datatype d, std::uint64_t b) {
  const network_requirements r = requirements(t, precision::uniform(d), batch_size{b});
  const double batch = static_cast<double>(b);
  REQUIRE(r.layers.size() == p.size());
  double written = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const layer_requirements& l = r.layers[i];
    INFO("layer " << std::string(l.name));
    CHECK(p.names[i] == l.name);
    CHECK(p.kinds[i] == l.kind);
    CHECK(p.ops[i] * batch == static_cast<double>(l.ops.value()));
    CHECK(p.weights[i] == static_cast<double>(l.weights.value()));
    const bool moves = moves_data(t.nodes()[i]);
    const double moved = moves ? static_cast<double>(l.activations_in.value() + l.activations_out.value()) : 0.0;
    CHECK(p.activations[i] * batch == moved);
    if (moves) written += static_cast<double>(l.activations_out.value());
  }
  CHECK(p.total_ops * batch == static_cast<double>(r.total.ops.value()));
  CHECK(p.total_weights == static_cast<double>(r.total.weights.value()));
  CHECK(p.total_activations * batch == static_cast<double>(r.total.activations.value()) + written);
  CHECK(p.peak_live * batch == static_cast<double>(r.total.peak_live.value()));
  CHECK(p.peak_live * d.size().value() * batch == r.total.peak_live_bytes.value());
  CHECK(p.total_weights * d.size().value() == r.total.weight_bytes.value());
}

}  // namespace

TEST_CASE("profile: agrees with requirements() per layer and in total for every zoo network", "[profile][requirements]") {
  for (const zoo::entry& e : zoo::catalogue) {
    INFO("topology " << std::string(e.id));
    const topology t = e.make();
    const network_profile p = profile(t);
    for (datatype d : {dt::int2, dt::int8, dt::fp32})
      for (std::uint64_t b : {1, 8, 64}) {
        INFO("datatype " << d.name() << ", batch " << b);
        check_agreement(t, p, d, b);
      }
  }
}
