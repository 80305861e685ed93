"""qutibench.llm_plot: the LLM figures plot what qutibench.llm predicts, leave out what does not
fit, and mark the capacity limits where a hand count of the memory puts them.

The hand counts use Llama-2-7B in FP16 (docs/llm.md, Capacity) on the H100 SXM's 80 GB:
weights 6,738,415,616 x 2 B = 13,476,831,232 B; KV cache 2 (K, V) x 32 layers x 32 KV heads x
128 head_dim x 2 B = 524,288 B per token; a prefill's peak activations (the residual, its
normalized copy and the gate/up output) (4096 + 4096 + 2 x 11008) x 2 B = 60,416 B per prompt
token.
"""
import math

import pytest

import qutibench as qb
from qutibench import llm_plot, plot

WEIGHTS = 6_738_415_616 * 2
KV_PER_TOKEN = 2 * 32 * 32 * 128 * 2
ACTIVATIONS_PER_TOKEN = (4096 + 4096 + 2 * 11008) * 2
H100 = 80e9
H100_BANDWIDTH = 3.35e12


def with_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def rendered(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=40)
    assert path.stat().st_size > 0


def test_the_llm_figures_are_reached_from_qutibench_plot():
    for name in ("llm_tokens_vs_batch", "llm_ttft_vs_prompt", "llm_roofline", "llm_throughput_latency",
                 "llm_capacity_map"):
        assert name in plot.__all__ and getattr(plot, name) is getattr(llm_plot, name)
    with pytest.raises(AttributeError):
        plot.llm_nothing


def test_tokens_vs_batch_is_batch_over_tpot_up_to_the_largest_batch_that_fits(tmp_path):
    from matplotlib.figure import Figure

    given = Figure().add_subplot()
    fig, ax = plot.llm_tokens_vs_batch([("llama-2-7b", "h100-sxm"), ("llama-2-70b", "h100-sxm")],
                                       batches=(1, 64, 256), model="plain", ax=given)
    assert ax is given
    rendered(fig, tmp_path, "tokens_vs_batch")
    aggregate, per_sequence = with_gid(ax.lines, "aggregate"), with_gid(ax.lines, "per_sequence")
    # Batch 256 does not fit (below); Llama-2-70B's 137.95 GB of FP16 weights never fit 80 GB.
    assert list(aggregate[0].get_xdata()) == [1, 64] and len(aggregate[1].get_xdata()) == 0
    assert any("llama-2-70b h100-sxm f16 (does not fit at any batch)" == t.get_text()
               for t in ax.get_legend().get_texts())
    # Batch 1 under the plain model: a decode step reads every weight but the embedding table
    # (one row) and the KV cache of 576 tokens (the mean context 512 + 63 plus the new token),
    # all over 3.35 TB/s; norms and activations add 0.05 %.
    tpot = (2 * (6_738_415_616 - 32000 * 4096) + 576 * KV_PER_TOKEN) / H100_BANDWIDTH
    assert aggregate[0].get_ydata()[0] == pytest.approx(1 / tpot, rel=1e-3)
    r = qb.llm("llama-2-7b", "h100-sxm", batch=64, model="plain")
    assert aggregate[0].get_ydata()[1] == pytest.approx(64 / r["tpot_s"], rel=1e-12)
    assert per_sequence[0].get_ydata()[1] == pytest.approx(1 / r["tpot_s"], rel=1e-12)
    # Each sequence holds 640 tokens of KV cache and its 512-token prefill's activations:
    # (80e9 - 13,476,831,232) / (640 x 524,288 + 512 x 60,416) = 181.5 sequences.
    largest = math.floor((H100 - WEIGHTS) / (640 * KV_PER_TOKEN + 512 * ACTIVATIONS_PER_TOKEN))
    assert largest == 181
    assert [line.get_xdata()[0] for line in with_gid(ax.lines, "capacity")] == [largest]


def test_ttft_vs_prompt_marks_the_longest_prompt_that_fits(tmp_path):
    fig, ax = plot.llm_ttft_vs_prompt([{"topology": "llama-2-7b", "platform": "h100-sxm", "model": "plain"}],
                                      prompts=(512, 4096, 131072))
    rendered(fig, tmp_path, "ttft")
    (line,) = with_gid(ax.lines, "ttft")
    assert list(line.get_xdata()) == [512, 4096]
    assert line.get_ydata()[1] == pytest.approx(qb.llm("llama-2-7b", "h100-sxm", prompt=4096, model="plain")["ttft_s"],
                                                rel=1e-12)
    # Weights + (P + 128) x 524,288 + P x 60,416 <= 80e9: P <= 113,657.6.
    longest = math.floor((H100 - WEIGHTS - 128 * KV_PER_TOKEN) / (KV_PER_TOKEN + ACTIVATIONS_PER_TOKEN))
    assert [c.get_xdata()[0] for c in with_gid(ax.lines, "capacity")] == [longest] == [113_657]
    assert ax.get_xlabel() == "prompt (tokens)" and ax.get_ylabel() == "time to first token (s)"


def test_a_legend_says_from_which_prompt_requests_are_unsupported(tmp_path):
    # GPT-2 reads positions 0..P+126 for a prompt P and 128 outputs: 896 fits its 1024
    # learned positions, 2048 does not; the line stops there and the legend says why.
    fig, ax = plot.llm_ttft_vs_prompt([("gpt2", "h100-sxm")], prompts=(512, 896, 2048, 4096))
    rendered(fig, tmp_path, "gpt2")
    (line,) = with_gid(ax.lines, "ttft")
    assert list(line.get_xdata()) == [512, 896]
    assert ax.get_legend().get_texts()[0].get_text() == "gpt2 h100-sxm f16 (unsupported from prompt 2,048)"


def test_a_sweep_figure_with_nothing_to_draw_still_saves(tmp_path):
    # Llama-3.1-405B's 810 GB of FP16 weights never fit one 80 GB H100: no point, a linear y
    # axis (a log one over no value cannot be drawn) and the legend says why.
    for draw in (plot.llm_tokens_vs_batch, plot.llm_ttft_vs_prompt):
        fig, ax = draw([("llama-3.1-405b", "h100-sxm")])
        rendered(fig, tmp_path, draw.__name__)
        assert ax.get_yscale() == "linear"
        assert any("(does not fit at any" in t.get_text() for t in ax.get_legend().get_texts())


def test_a_calibrated_setting_is_named_so(tmp_path):
    # Decode 2x slower than realistic: the figure plots the calibrated points and says so.
    tpot = qb.llm("llama-2-7b", "h100-sxm", prompt=1, output=128)["tpot_s"]
    path = tmp_path / "mine.csv"
    path.write_text(f"topology,weights,metric,value,batch,prompt,output\nllama-2-7b,f16,decode_tokens_per_s,{1 / (2 * tpot)!r},1,1,128\n")
    calibrated = {"topology": "llama-2-7b", "platform": "h100-sxm", "calibrate": str(path)}
    fig, ax = plot.llm_tokens_vs_batch([calibrated], batches=(1, 2))
    rendered(fig, tmp_path, "calibrated")
    assert ax.get_title().endswith(", calibrated model")
    (aggregate,) = with_gid(ax.lines, "aggregate")
    assert aggregate.get_ydata()[0] == pytest.approx(1 / qb.llm("llama-2-7b", "h100-sxm", calibrate=path)["tpot_s"], rel=1e-12)
    fig, ax = plot.llm_tokens_vs_batch([calibrated, ("llama-2-7b", "h100-sxm")], batches=(1, 2))
    assert ax.get_title().endswith(", realistic model, calibrated where marked")
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["llama-2-7b h100-sxm f16 calibrated", "llama-2-7b h100-sxm f16"]


@pytest.mark.parametrize("weights,bytes_per_weight,rel", [("f16", 2, 5e-3), ("fp8", 1, 1e-2)])
def test_roofline_decode_of_gpt2_reads_each_weight_for_two_ops(tmp_path, weights, bytes_per_weight, rel):
    fig, ax = plot.llm_roofline("gpt2", "h100-sxm", weights=weights, prompt=1, output=1, model="plain")
    rendered(fig, tmp_path, f"roofline_{weights}")
    # A decode step multiplies each projection weight once: 2 ops over its bytes. GPT-2 small's
    # products: per block QKV 768 x 2304, output 768 x 768, MLP 2 x 768 x 3072, and the tied
    # LM head 50257 x 768; attention over 2 keys adds 73,728 ops. Biases, norms, the
    # activations in and out and the logits (16-bit) add 0.35 % of the FP16 weights' bytes.
    weights_n = 12 * (768 * 2304 + 768 * 768 + 2 * 768 * 3072) + 50257 * 768
    ops = 2 * weights_n + 12 * 2 * 12 * 64 * 2 * 2
    (decode,) = with_gid(ax.lines, "decode")
    oi, attained = decode.get_xydata()[0]
    assert oi == pytest.approx(ops / (bytes_per_weight * weights_n), rel=rel)
    # Far below the ridge (989.4 TFLOPS / 3.35 TB/s = 295 ops/B) every operation is memory
    # bound: the point lies on the slope.
    assert attained == pytest.approx(H100_BANDWIDTH * oi, rel=1e-9)
    roofs = [line.get_label().split()[0] for line in with_gid(ax.lines, "roof")]
    # FP8 weights multiply at the FP8 peak (1978.9 TFLOPS): its roof is drawn too.
    assert roofs == (["fp16"] if weights == "f16" else ["fp16", "fp8_e4m3"])
    assert max(with_gid(ax.lines, "roof")[0].get_ydata()) == 989.4e12
    assert len(with_gid(ax.lines, "prefill")) == 1


def test_roofline_leaves_out_a_request_that_does_not_fit():
    _, ax = plot.llm_roofline("llama-2-70b", "h100-sxm", batch=(1, 2))
    assert not with_gid(ax.lines, "decode") and not with_gid(ax.lines, "prefill")
    assert "left out: batch 1 does-not-fit, batch 2 does-not-fit" in ax.get_title()


def test_throughput_latency_frontier_holds_the_non_dominated_configurations(tmp_path):
    fig, ax = plot.llm_throughput_latency("llama-2-7b", "h100-sxm", batches=(1, 8, 64, 256), weights=("f16", "q4_0"),
                                          model="plain")
    rendered(fig, tmp_path, "frontier")
    points = [tuple(xy) for c in with_gid(ax.collections, "configuration") for xy in c.get_offsets()]
    # Batch 256 fits neither: q4_0's 3.8 GB of weights leave 76 GB for 256 x 366 MB of KV and activations.
    assert len(points) == 6 and "2 of 8 configurations left out" in ax.get_title()
    results = {(w, b): qb.llm("llama-2-7b", "h100-sxm", weights=w, batch=b, model="plain")
               for w in ("f16", "q4_0") for b in (1, 8, 64)}
    assert sorted(points) == sorted((r["tpot_s"], r["throughput_tokens_per_s"]) for r in results.values())
    # Decode stays memory bound at these batches (q4_0 at batch 64: 128 ops per 0.56 B, below
    # the 295 ops/B ridge), so q4_0's 4.5-bit weights beat FP16 at the same batch on both
    # axes; among q4_0 a larger batch costs TPOT and gains throughput: its three points are
    # the frontier.
    (front,) = with_gid(ax.lines, "frontier")
    assert sorted(set(front.get_xdata())) == sorted(results[("q4_0", b)]["tpot_s"] for b in (1, 8, 64))
    with pytest.raises(ValueError, match="latency 'ttft': valid: tpot, latency"):
        plot.llm_throughput_latency("gpt2", "h100-sxm", latency="ttft")


def test_capacity_map_boundary_is_the_hand_counted_longest_context(tmp_path):
    fig, ax = plot.llm_capacity_map("llama-2-7b", "h100-sxm", batches=(1, 2), contexts=(65536, 131072))
    rendered(fig, tmp_path, "capacity")

    def memory(batch, context):  # a prompt of context - 128 tokens, then 128 output tokens
        return WEIGHTS + batch * (context * KV_PER_TOKEN + (context - 128) * ACTIVATIONS_PER_TOKEN)

    # Batch 1: 584,704 C - 7,733,248 <= 80e9 - 13,476,831,232, C <= 113,785.6. Batch 2 fits
    # neither context (its longest is 56,899, outside the map): no boundary in its row.
    longest = math.floor((H100 - WEIGHTS + 128 * ACTIVATIONS_PER_TOKEN) / (KV_PER_TOKEN + ACTIVATIONS_PER_TOKEN))
    (boundary,) = with_gid(ax.lines, "boundary")
    assert [tuple(xy) for xy in boundary.get_xydata()] == [(longest, 1)] == [(113_785, 1)]
    cells = {(t.get_position()[1], t.get_position()[0]): t.get_text() for t in with_gid(ax.texts, "cell")}
    assert cells == {(b, c): f"{memory(b, c) / H100:.2g}" for b in (1, 2) for c in (65536, 131072)}
    assert cells[(1, 65536)] == "0.65" and cells[(2, 65536)] == "1.1"  # 51.8 GB, 90.1 GB
    with pytest.raises(ValueError, match="contexts must exceed output"):
        plot.llm_capacity_map("gpt2", "h100-sxm", contexts=(128,))
    with pytest.raises(ValueError, match="hailo-8: the spec gives no memory capacity"):
        plot.llm_capacity_map("gpt2", "hailo-8", batches=(1,), contexts=(256,))
    # Llama-2-7B's 32 attention heads do not split over 3 devices.
    with pytest.raises(ValueError, match="batch 1, context 256: tp 3 does not divide the model's 32 attention heads"):
        plot.llm_capacity_map("llama-2-7b", "h100-sxm", tp=3, batches=(1,), contexts=(256,))
    # Qwen2.5-7B's 28 attention heads split over 7 devices, its 4 key/value heads do not.
    with pytest.raises(ValueError, match="tp 7 and the model's 4 key/value heads: one must divide the other"):
        plot.llm_capacity_map("qwen2.5-7b", "h100-sxm", tp=7, batches=(1,), contexts=(256,))
    # GPT-2's 1024 learned positions: a context of 2048 (prompt 1920 + 128 outputs) has no
    # place on a map of what fits; 1025 (1024 positions read) still has.
    with pytest.raises(ValueError, match="batch 1, context 2,048: prompt \\+ output - 1 tokens exceed the model's 1024 learned positions"):
        plot.llm_capacity_map("gpt2", "h100-sxm", batches=(1,), contexts=(1025, 2048))
    plot.llm_capacity_map("gpt2", "h100-sxm", batches=(1,), contexts=(1025,))
