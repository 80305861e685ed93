#!/usr/bin/python3
"""A minimal device runtime for qutibench's `command` adapter (docs/command_protocol.md).

qutibench runs this program once per kernel: it writes one request line of JSON to
stdin and reads one JSON measurement from stdout. Here the "measurement" is a model,
latency = ops / 1e11 s per batch (a device of 100 GOP/s) with a tiny spread, so the
protocol can be tried without hardware. A real device runtime would, at the marked
place, build the kernel (the request names the topology, the layers for levels 1 and 2,
the datatype, batch and thread count), run it a few times after a warm-up, and report
the measured latencies instead. Log to stderr: stdout must hold the answer only.
"""
import json
import platform
import sys

PEAK_OPS_PER_S = 1e11
RUNS = 5


def main():
    request = json.load(sys.stdin)
    if request.get("protocol") != "qutibench-measure/1":
        print(f"command_adapter.py: unsupported protocol {request.get('protocol')!r}", file=sys.stderr)
        return 2
    kernel, ops = request["kernel"], request["ops"]

    # A real device would run the kernel here; the model stands in for its timings.
    base = max(ops, 1) / PEAK_OPS_PER_S
    samples = sorted(base * (1 + 0.01 * i) for i in range(RUNS))

    json.dump({
        "protocol": "qutibench-measure/1",
        "kernel": kernel,
        "platform": request["platform"],
        "carrier": kernel["datatype"],
        "kernel_path": "command_adapter.py model (ops / 1e11 s)",
        "host": platform.node() or "unknown",
        "ops": ops,
        "compute": {"median_s": samples[RUNS // 2], "min_s": samples[0], "max_s": samples[-1],
                    "q1_s": samples[1], "q3_s": samples[3], "runs": RUNS},
        # Pre- and post-processing around the kernels: here a fixed 10 us per batch.
        "system": {"median_s": samples[RUNS // 2] + 1e-5, "min_s": samples[0] + 1e-5,
                   "max_s": samples[-1] + 1e-5, "q1_s": samples[1] + 1e-5,
                   "q3_s": samples[3] + 1e-5, "runs": RUNS},
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
