"""The numpy sweep's speed: one topology over 1000 platform variants x 8 batches x 4
datatypes in one call (target: under 50 ms). Run by hand after building:
PYTHONPATH=build/python /usr/bin/python3 benchmarks/python_sweep.py"""
import time

import numpy as np

import qutibench as qb


def main() -> None:
    net = qb.zoo.get("resnet50")
    base = qb.select_platforms("epyc-9654")[0]  # runs all four datatypes (fp16 in its fp32 carrier)
    # 1000 design variants of one platform: peaks and bandwidth scaled from 0.5x to 2x.
    variants = [base.scaled(peak=p, bandwidth=b, id=f"variant{i}")
                for i, (p, b) in enumerate(zip(np.linspace(0.5, 2, 1000), np.linspace(2, 0.5, 1000)))]
    batches = [1, 2, 4, 8, 16, 32, 64, 128]
    types = ["int8", "fp16", "bf16", "fp32"]
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        out = qb.sweep(net, variants, batches, types)
        times.append(time.perf_counter() - t0)
    shape = out["inputs_per_s"].shape
    points = np.count_nonzero(~np.isnan(out["inputs_per_s"]))
    print(f"sweep of resnet50 ({len(net)} nodes) over {shape} = {np.prod(shape)} points "
          f"({points} supported), per-layer roofline: median {1e3 * np.median(times):.2f} ms, "
          f"best {1e3 * min(times):.2f} ms")


if __name__ == "__main__":
    main()
