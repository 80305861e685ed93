#include <catch2/catch.hpp>

#include <vector>

#include "qutibench/layer.hpp"

using namespace qutibench;

namespace {
layer_cost run(const layer& l, std::vector<tensor_shape> in) { return analyze(l, in, "node 'x'"); }
}  // namespace

TEST_CASE("layers: conv2d output shape, weights and MACs by hand", "[layers]") {
  // ResNet50's stem: 3x224x224, 64 filters 7x7, stride 2, pad 3 -> 64x112x112.
  const layer_cost c = run(conv2d{.out_channels = 64, .kernel = 7, .stride = 2, .padding = 3}, {{3, 224, 224}});
  CHECK(c.out == tensor_shape{64, 112, 112});
  CHECK(c.weights == 3 * 64 * 7 * 7);
  CHECK(c.macs == 112ULL * 112 * 9408);
  CHECK(c.act_in == 3 * 224 * 224);
  // Depthwise 3x3: one filter per channel.
  const layer_cost dw = run(conv2d{.out_channels = 32, .kernel = 3, .padding = 1, .groups = 32}, {{32, 112, 112}});
  CHECK(dw.weights == 32 * 9);
  CHECK(dw.macs == 112ULL * 112 * 32 * 9);
  // Dilation 2 widens a 3x3 to a 5x5 window: 10 -> 6 without padding.
  CHECK(run(conv2d{.out_channels = 1, .kernel = 3, .dilation = 2}, {{1, 10, 10}}).out == tensor_shape{1, 6, 6});
  // Grouped 1x1 with 4 groups: 16/4 x 8 weights.
  CHECK(run(conv2d{.out_channels = 8, .kernel = 1, .groups = 4}, {{16, 5, 5}}).weights == 4 * 8);
  const layer_cost biased = run(conv2d{.out_channels = 4, .kernel = 1, .bias = true}, {{2, 3, 3}});
  CHECK(biased.biases == 4);
  CHECK(biased.other_ops == 4 * 3 * 3);
}

TEST_CASE("layers: pooling floor and ceil modes", "[layers]") {
  CHECK(run(pool2d{.kernel = 2}, {{3, 5, 5}}).out == tensor_shape{3, 2, 2});
  CHECK(run(pool2d{.kernel = 2, .ceil_mode = true}, {{3, 5, 5}}).out == tensor_shape{3, 3, 3});
  // Caffe's GoogLeNet pool1: 112 -> 56 with a 3x3/2 ceil-mode window.
  CHECK(run(pool2d{.kernel = 3, .stride = 2, .ceil_mode = true}, {{64, 112, 112}}).out == tensor_shape{64, 56, 56});
  // ceil mode never starts a window in the padding: 4 + pad 1, 2x2/2 -> 3.
  CHECK(run(pool2d{.kernel = 2, .stride = 2, .padding = 1, .ceil_mode = true}, {{1, 4, 4}}).out == tensor_shape{1, 3, 3});
  CHECK(run(pool2d{.kind = pool_kind::avg, .kernel = 3, .stride = 1, .padding = 1}, {{2, 7, 7}}).other_ops == 2 * 7 * 7 * 9);
  CHECK(run(global_pool{}, {{512, 7, 7}}).out == tensor_shape{512, 1, 1});
}

TEST_CASE("layers: dense, embedding, matmul, recurrent, attention by hand", "[layers]") {
  const layer_cost fc = run(dense{.out_features = 3072}, {{128, 768}});
  CHECK(fc.out == tensor_shape{128, 3072});
  CHECK(fc.weights == 768 * 3072);
  CHECK(fc.macs == 128ULL * 768 * 3072);
  CHECK(fc.biases == 3072);
  CHECK(run(embedding{.vocabulary = 100, .dim = 16}, {{7}}).out == tensor_shape{7, 16});
  CHECK(run(embedding{.vocabulary = 100, .dim = 16}, {{7}}).weights == 1600);
  const layer_cost mm = run(matmul{}, {{2, 3, 4}, {2, 4, 5}});
  CHECK(mm.out == tensor_shape{2, 3, 5});
  CHECK(mm.macs == 2 * 3 * 4 * 5);
  CHECK(run(matmul{.transpose_b = true}, {{3, 4}, {6, 4}}).out == tensor_shape{3, 6});
  // LSTM: 4 gates x H x (D + H) weights, per step; state h and c.
  const layer_cost lstm = run(recurrent{.hidden = 30}, {{10, 20}});
  CHECK(lstm.weights == 4 * 30 * 50);
  CHECK(lstm.macs == 10 * 6000);
  CHECK(lstm.biases == 120);
  CHECK(lstm.state == 60);
  CHECK(lstm.out == tensor_shape{10, 30});
  const layer_cost gru = run(recurrent{.cell = recurrent_cell::gru, .hidden = 30, .return_sequences = false}, {{10, 20}});
  CHECK(gru.weights == 3 * 30 * 50);
  CHECK(gru.state == 30);
  CHECK(gru.out == tensor_shape{30});
  // Attention, L = 4, D = 8, 2 heads: projections 4 x 4 x 8 x 8, scores and context 2 x 4 x 4 x 8.
  const layer_cost att = run(attention{.heads = 2}, {{4, 8}});
  CHECK(att.weights == 256);
  CHECK(att.macs == 1024 + 256);
  CHECK(att.state == 2 * 4 * 8);
  CHECK(att.other_ops == 3 * 2 * 4 * 4);
  // One decode step over 9 cached tokens: L = 1, keys = 10.
  const layer_cost step = run(attention{.heads = 2, .kv_cache = 9}, {{1, 8}});
  CHECK(step.macs == 256 + 2 * 1 * 10 * 8);
  CHECK(step.state == 2 * 10 * 8);
}

TEST_CASE("layers: element-wise, concat, norms, views", "[layers]") {
  CHECK(run(eltwise{.kind = eltwise_kind::mul}, {{16, 8, 8}, {16, 1, 1}}).out == tensor_shape{16, 8, 8});
  CHECK(run(eltwise{}, {{16, 8, 8}, {16, 8, 8}, {16, 8, 8}}).other_ops == 2 * 16 * 8 * 8);
  CHECK(run(concat{}, {{3, 8, 8}, {5, 8, 8}}).out == tensor_shape{8, 8, 8});
  CHECK(run(concat{.axis = 1}, {{4, 3}, {4, 5}}).out == tensor_shape{4, 8});
  CHECK(run(batch_norm{}, {{32, 4, 4}}).biases == 64);
  CHECK(run(layer_norm{}, {{128, 768}}).biases == 2 * 768);
  const layer_cost fl = run(flatten{}, {{256, 1, 1}});
  CHECK(fl.out == tensor_shape{256});
  CHECK(fl.is_view);
  CHECK(run(reshape{{4, 64}}, {{256}}).out == tensor_shape{4, 64});
  CHECK(run(softmax{}, {{1000}}).other_ops == 3000);
  CHECK(run(activation{.kind = activation_kind::gelu}, {{10, 10}}).other_ops == 100);
}

TEST_CASE("layers: bad parameters and shapes are ID'd errors naming the node", "[layers][errors]") {
  auto id_of = [](const layer& l, std::vector<tensor_shape> in) {
    try {
      (void)run(l, in);
    } catch (const spec_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("node 'x'"));
      return e.id();
    }
    FAIL("no error");
    return error_id::unknown_id;
  };
  CHECK(id_of(conv2d{.out_channels = 0, .kernel = 3}, {{3, 8, 8}}) == error_id::nonpositive_dimension);
  CHECK(id_of(conv2d{.out_channels = -4, .kernel = 3}, {{3, 8, 8}}) == error_id::nonpositive_dimension);
  CHECK(id_of(dense{.out_features = 10}, {{0}}) == error_id::nonpositive_dimension);
  CHECK(id_of(conv2d{.out_channels = 4, .kernel = 1, .stride = 9}, {{3, 8, 8}}) == error_id::window_too_large);
  CHECK(id_of(pool2d{.kernel = 5}, {{3, 4, 4}}) == error_id::window_too_large);
  CHECK(id_of(eltwise{}, {{3, 8, 8}, {4, 8, 8}}) == error_id::shape_mismatch);
  CHECK(id_of(concat{}, {{3, 8, 8}, {5, 7, 8}}) == error_id::shape_mismatch);
  CHECK(id_of(conv2d{.out_channels = 6, .kernel = 3, .groups = 4}, {{6, 8, 8}}) == error_id::shape_mismatch);
  CHECK(id_of(reshape{{5, 5}}, {{24}}) == error_id::shape_mismatch);
  CHECK(id_of(dense{.out_features = 10}, {{256, 1, 1}}) == error_id::rank_mismatch);
  CHECK(id_of(attention{.heads = 5}, {{4, 8}}) == error_id::shape_mismatch);
  CHECK(id_of(eltwise{}, {{3, 8, 8}}) == error_id::input_arity);
  // 65536 x 65536 x 65536 input, 65536 3x3 filters: MACs of about 2^66 cannot be counted in 64 bits.
  CHECK(id_of(conv2d{.out_channels = 65536, .kernel = 3, .padding = 1}, {{65536, 65536, 65536}}) == error_id::count_overflow);
}
