#!/usr/bin/env python3
"""How far qutibench's LLM predictions are from the published measurements.

Reads ../shared/reference/public/measured_llm_dev.csv (the development set; its README
describes the columns) and compares each single-device row, whose device id resolves as a
shipped platform and whose model and weight format map onto the zoo, with ``qb.llm`` under
both the plain and the realistic model. Prints the median |log10(predicted / measured)| per
device and per family (Apple, NVIDIA data-center, NVIDIA consumer including the RTX
workstation cards, CPU, AMD and Intel GPUs), decode beside prefill, and counts the rows used and skipped.

Row mapping:
- ``tg_tokens_per_s`` (decode). llama-bench's tgN starts from an empty context and reports
  the average over its N decode steps, while the KV cache grows from 0 to N; the predictor's
  ``decode_tokens_per_s`` for ``prompt=1, output=N`` is the same average (one token of
  context instead of none, since a request needs a prompt). A row with a prompt P > 0
  (batched-bench, ExLlama) maps to ``prompt=P, output=N``. A row that states neither length
  is skipped as unmapped: the average depends on the context the steps run at.
- ``pp_tokens_per_s`` (prefill): ``prefill_tokens_per_s`` for ``prompt=P, output=1``. A
  llama-bench run "@ dK" with K > 0 prefills on top of K cached tokens, which the predictor's
  request does not express: skipped as unmapped.
- ``batch`` > 1 (llama-batched-bench): the source's rate is the aggregate over the batch's
  independent sequences, and the predictor's rates are per sequence, so the prediction is
  multiplied by the batch.
- KV cache f16, llama.cpp's default and what every source states or implies. Activations
  fp16 (llama.cpp's GPU compute type); a device without an fp16 peak (a CPU spec) is asked
  with fp32 activations instead, the type its kernels compute in.
- Models: the exact zoo architecture only (Llama-2-13B-chat is Llama-2-13B's architecture;
  the original LLaMA 7B-65B, OpenLLaMA, TinyLlama, CodeLlama and Llama 3.2 are not in the
  zoo and are skipped as unmapped). Weight formats: F16 -> f16, Q8_0 / Q4_0 / Q4_K_M ->
  the llama.cpp block formats, GPTQ 4-bit group 128 / 32 -> int4-g128 / int4-g32; EXL2's
  mixed bit widths and Ollama tags that do not name their quantization are unmapped.
- Several devices (``device_count`` N > 1, llama-bench): llama.cpp splits the layers over
  the GPUs by default (``--split-mode layer``), a single request passing the stages one
  after another: ``pp=N`` with one micro-batch, the spec's interconnect carrying the
  activations between stages. Printed per device as "ID xN" and per family as "..., several".

Few-shot (``qb.llm_few_shot``, the fit of ``qutibench llm --calibrate``): each device's
rows are written as the CSV that ``--calibrate`` takes (per-sequence tokens/s, the
activations and pipeline stages asked of the predictor), and per phase the realistic
model's efficiency (k = 1) and a fixed time per dispatch (k >= 2) are fitted on every k of
the device's networks (a network is a model in a weight format, at every length
measured), its other networks predicted; a family's median pools its devices'
predictions. It needs the device's own measurements, so it answers "I measured these,
what will the others give", not an unmeasured device.

Skips: ``unmapped`` (model, format or lengths), ``no-spec`` (the device id is not a shipped
platform or alias), ``multi-device`` (mixed devices, or several devices under a framework other than
llama.cpp), and per model the predictor's own
``does-not-fit`` / ``unsupported`` statuses. Run from the repository root with the built
package on PYTHONPATH:

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/llm_fidelity.py
"""
import csv
import functools
import math
import os
import re
import statistics
import tempfile
from collections import Counter, defaultdict

import qutibench as qb

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "..", "..", "shared", "reference", "public", "measured_llm_dev.csv")

MODELS = {
    "Meta-Llama-3-8B": "llama-3-8b",
    "Meta-Llama-3-70B": "llama-3-70b",
    "Llama-2-7B": "llama-2-7b",
    "Llama-2-13B-chat": "llama-2-13b",
    "Llama-2-70B": "llama-2-70b",
    "Llama-3.1-8B": "llama-3.1-8b",
    "Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "Qwen2.5-Coder-7B": "qwen2.5-coder-7b",
}

FAMILIES = ("Apple", "NVIDIA data-center", "NVIDIA consumer", "CPU", "AMD and Intel GPUs")
# Rows of several devices of one kind, each family on its own line: llama-bench splits a
# model's layers over the GPUs by default (--split-mode layer, llama.cpp's README), one
# stage after another for a single request: a pipeline of device_count stages, one micro-batch.
FAMILIES = FAMILIES + tuple(f + ", several" for f in FAMILIES)
MODELS_RUN = ("plain", "realistic")
FEW_SHOT = (1, 2)
PHASES = ("decode", "prefill")


def weight_format(text):
    """The storage format a CSV weight_format names, or None where it names none exactly."""
    t = text.upper()
    for prefix, fmt in (("Q4_K_M", "q4_k_m"), ("Q8_0", "q8_0"), ("Q4_0", "q4_0"), ("F16", "f16"), ("BF16", "bf16")):
        if t.startswith(prefix):
            return fmt
    if t.startswith("GPTQ 4-BIT"):
        group = re.search(r"GROUP SIZE (\d+)", t)
        if group and group.group(1) in ("128", "32"):
            return "int4-g" + group.group(1)
    return None


def family(device):
    if device.startswith("apple-"):
        return "Apple"
    if re.match(r"nvidia-(a100|h100|h200|gh200|b200|a40|l40s|a10g)", device):
        return "NVIDIA data-center"
    if device.startswith("nvidia-"):
        return "NVIDIA consumer"
    if device.startswith(("amd-ryzen", "amd-threadripper", "amd-epyc", "intel-xeon", "raspberry-pi")):
        return "CPU"
    if device.startswith(("amd-", "intel-arc")):
        return "AMD and Intel GPUs"
    return "other"


def lengths(row):
    """(phase, prompt, output, result key) for the predictor, or a reason the row is unmapped."""
    prompt = int(row["prompt_tokens"]) if row["prompt_tokens"].strip() else None
    output = int(row["output_tokens"]) if row["output_tokens"].strip() else None
    if row["metric"] == "tg_tokens_per_s":
        if prompt is None or not output:
            return "unmapped: decode lengths not stated"
        return "decode", max(prompt, 1), output, "decode_tokens_per_s"
    if row["metric"] == "pp_tokens_per_s":
        depth = re.search(r"'@ d(\d+)'", row["notes"])
        if depth and int(depth.group(1)) > 0:
            return "unmapped: prefill on a filled KV cache"
        if not prompt:
            return "unmapped: prompt length not stated"
        return "prefill", prompt, 1, "prefill_tokens_per_s"
    return "unmapped: metric " + row["metric"]


@functools.lru_cache(maxsize=None)
def resolves(device):
    """Whether the id names a shipped platform (or an alias of one)."""
    try:
        qb.platform(device)
    except Exception:
        return False
    return True


def predict(topology, device, fmt, batch, prompt, output, model, key, stages=1):
    """(status, predicted aggregate rate or None, the activations' datatype asked)."""
    for activations in ("fp16", "fp32"):
        r = qb.llm(topology, device, weights=fmt, kv="f16", activations=activations, batch=batch,
                   prompt=prompt, output=output, model=model, pp=stages)
        if r["status"] != "unsupported":
            break
    if r["status"] != "ok":
        return r["status"], None, activations
    return "ok", r[key] * batch, activations


def few_shot(rows_by_scope, devices):
    """``qb.llm_few_shot`` on each scope's rows, written as the CSV ``--calibrate`` takes:
    {(scope, phase, "k=K"): held-out errors}."""
    out = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for scope, rows in rows_by_scope.items():
            path = os.path.join(tmp, "rows.csv")
            with open(path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["topology", "weights", "metric", "value", "activations", "batch", "prompt", "output", "pp"])
                w.writerows(rows)
            for r in qb.llm_few_shot(devices[scope], path, FEW_SHOT):
                out[(scope, r["phase"], f"k={r['k']}")] += r["errors"]
    return out


def main():
    rows = list(csv.DictReader(open(CSV)))
    skipped = Counter()
    no_spec = set()
    # errors[(scope, phase, model)] -> list of |log10(pred/measured)|, scope = device or family
    errors = defaultdict(list)
    fams = {}
    rows_by_scope = defaultdict(list)  # the rows both models predict, per device (or device group)
    scope_device = {}
    for row in rows:
        device = row["device"]
        devices = int(row["device_count"])
        if devices > 1 and ("+" in device or not row["framework"].startswith("llama.cpp") or row["tp"] or row["pp"]):
            skipped["multi-device: mixed devices or not llama.cpp's layer split"] += 1
            continue
        topology = MODELS.get(row["model"])
        fmt = weight_format(row["weight_format"])
        mapped = lengths(row)
        if topology is None:
            skipped["unmapped: model " + row["model"]] += 1
            continue
        if fmt is None:
            skipped["unmapped: format " + row["weight_format"].split(" (")[0].split(";")[0]] += 1
            continue
        if isinstance(mapped, str):
            skipped[mapped] += 1
            continue
        if not resolves(device):
            skipped["no-spec"] += 1
            no_spec.add(device)
            continue
        phase, prompt, output, key = mapped
        batch = int(row["batch"] or 1)
        measured = float(row["value"])
        scope = device if devices == 1 else f"{device} x{devices}"
        fam = fams.setdefault(scope, family(device) if devices == 1 else family(device) + ", several")
        predicted_by_both = True
        for model in MODELS_RUN:
            status, predicted, activations = predict(topology, device, fmt, batch, prompt, output, model, key, stages=devices)
            if predicted is None:
                skipped[f"{status} ({model})"] += 1
                predicted_by_both = False
                continue
            err = abs(math.log10(predicted / measured))
            errors[(scope, phase, model)].append(err)
            errors[(fam, phase, model)].append(err)
        if predicted_by_both:  # per sequence, as the CSV's metrics are
            rows_by_scope[scope].append([topology, fmt, key, repr(measured / batch), activations, batch, prompt, output, devices])
            scope_device[scope] = device
    # Few-shot: per device and phase, factors fitted on k of its networks (a model in a
    # weight format) predict its other networks; a device with k networks or fewer has none.
    for (scope, phase, k), errs in few_shot(rows_by_scope, scope_device).items():
        errors[(scope, phase, k)] += errs
        errors[(fams[scope], phase, k)] += errs

    def line(label, scope):
        cells = []
        for phase in PHASES:
            real = errors.get((scope, phase, "realistic"), [])
            meds = [errors.get((scope, phase, m), []) for m in MODELS_RUN + tuple(f"k={k}" for k in FEW_SHOT)]
            cells.append(f"{len(real):4d} " + " ".join(f"{statistics.median(v):6.3f}" if v else "     -" for v in meds))
        print(f"{label:30s} " + "   ".join(cells))

    print("median |log10(predicted / measured)|; n = rows used (realistic); k=1, k=2: few-shot, the device's")
    print("other networks (a model in a weight format) predicted from k of them, per phase")
    head = "n  plain realis    k=1    k=2"
    print(f"{'':30s} {'decode: ' + head:>35s}   {'prefill: ' + head:>36s}")
    for fam in FAMILIES:
        line(fam, fam)
    print()
    for device in sorted(fams, key=lambda d: (FAMILIES.index(fams[d]) if fams[d] in FAMILIES else 9, d)):
        line(device, device)
    print()
    used = sum(len(v) for k, v in errors.items() if k[0] in FAMILIES and k[2] == "realistic")
    print(f"rows used (realistic): {used}; skipped rows, by reason:")
    for reason, count in sorted(skipped.items()):
        print(f"  {count:4d}  {reason}")
    print("  no-spec devices:", ", ".join(sorted(no_spec)))


if __name__ == "__main__":
    main()
