"""ONNX import speed and memory against onnx-tool: for resnet50 and vgg16 (torchvision, opset
13) and a BERT-base export (12 layers, 768 wide, 12 heads, vocabulary 30522, 128 tokens,
built from torch modules) and a model whose 2.5 GB of weights are external data never
written (it must import in under a second), times `qutibench predict --topology FILE --per-layer --model
realistic` (the C++ import and a per-layer prediction, the whole process) against
onnx-tool's `model_profile` on the same file (load, shape inference and profile, timed
inside its process), best of --runs, and reads our process's peak resident set (the
models are exported in a child process, so torch never loads in this driver). Prints
per model the file size, both times, the ratio and our peak memory as a share of the
file; exit status 1 unless ours is at least 10x faster and below half the file size.

onnx-tool is not a Debian package: pass a checkout's directory with --onnx-tool (its
onnx_tool/ package needs python3-onnx, python3-numpy and python3-tabulate), else the
comparison is skipped and only our figures are printed. Run after building:
/usr/bin/python3 benchmarks/onnx_import.py [--cli build/bin/qutibench] [--onnx-tool DIR] [--runs 3]"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

SPEEDUP_MIN, MEMORY_SHARE_MAX = 10.0, 0.5


def export_models(directory: str) -> dict:
    import torch
    import torchvision

    warnings.simplefilter("ignore")
    paths = {}
    for name in ("resnet50", "vgg16"):
        paths[name] = os.path.join(directory, f"{name}.onnx")
        model = getattr(torchvision.models, name)(weights=None).eval()
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), paths[name], opset_version=13)

    class Bert(torch.nn.Module):
        def __init__(self, vocab=30522, width=768, heads=12, layers=12, tokens=128):
            super().__init__()
            self.tok, self.pos = torch.nn.Embedding(vocab, width), torch.nn.Embedding(512, width)
            self.ln = torch.nn.LayerNorm(width)
            layer = torch.nn.TransformerEncoderLayer(width, heads, 4 * width, dropout=0.0, activation="gelu", batch_first=True)
            self.enc = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.tokens = tokens

        def forward(self, ids):
            return self.enc(self.ln(self.tok(ids) + self.pos.weight[: self.tokens]))

    paths["bert-base"] = os.path.join(directory, "bert-base.onnx")
    torch.onnx.export(Bert().eval(), torch.zeros(1, 128, dtype=torch.long), paths["bert-base"], opset_version=13)
    return paths


def external_2_5_gb(directory: str) -> str:
    """x [N, 25000] -> Gemm with a 25000 x 25000 float32 weight (2.5 GB) in a side file
    that is never written."""
    from onnx import TensorProto, helper

    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[25000, 25000], data_location=TensorProto.EXTERNAL)
    entry = w.external_data.add()
    entry.key, entry.value = "location", "weights.bin"
    graph = helper.make_graph([helper.make_node("Gemm", ["x", "w"], ["y"], transB=1)], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 25000])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    path = os.path.join(directory, "external-2.5GB.onnx")
    with open(path, "wb") as f:
        f.write(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    return path


def ours(cli: str, path: str, directory: str) -> tuple[float, int]:
    """Seconds and peak resident kilobytes of one CLI run. GNU time (/usr/bin/time, Debian's
    `time`) reads the peak of the CLI alone; without it, wait4's figure also counts this
    driver's pages at the fork."""
    command = [cli, "predict", "--topology", path, "--platform", "a100-sxm", "--datatype", "fp16", "--per-layer",
               "--model", "realistic", "--format", "csv"]
    report = os.path.join(directory, "time.txt")
    gnu_time = os.access("/usr/bin/time", os.X_OK)
    if gnu_time:
        command = ["/usr/bin/time", "-f", "%M", "-o", report] + command
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"qutibench failed on {path}")
    if gnu_time:
        with open(report) as f:
            return seconds, int(f.read().split()[-1])
    return seconds, usage.ru_maxrss


def onnx_tool_seconds(directory: str, path: str) -> float:
    script = ("import sys, time\nsys.path.insert(0, sys.argv[1])\nimport onnx_tool\n"
              "t = time.perf_counter()\nonnx_tool.model_profile(sys.argv[2])\n"
              "print(time.perf_counter() - t, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", script, directory, path], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True)
    return float(run.stderr.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/bin/qutibench")
    parser.add_argument("--onnx-tool", default=os.environ.get("QUTIBENCH_ONNX_TOOL"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--export-to", help=argparse.SUPPRESS)  # the exporting child process
    args = parser.parse_args()
    if args.export_to:
        for name, path in export_models(args.export_to).items():
            print(name, path)
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as directory:
        listed = subprocess.run([sys.executable, __file__, "--export-to", directory], capture_output=True, text=True,
                                check=True).stdout
        paths = dict(line.split(" ", 1) for line in listed.splitlines())
        big = external_2_5_gb(directory)
        seconds = min(ours(args.cli, big, directory)[0] for _ in range(args.runs))
        print(f"external data, 2.5 GB of weights: imported and predicted in {seconds:.3f} s (limit 1 s)")
        ok &= seconds < 1.0
        print(f"{'model':10} {'file_MB':>8} {'ours_s':>8} {'peak_MB':>8} {'peak/file':>9} {'onnx_tool_s':>11} {'speedup':>8}")
        for name, path in paths.items():
            size = os.path.getsize(path)
            runs = [ours(args.cli, path, directory) for _ in range(args.runs)]
            seconds, peak_kb = min(r[0] for r in runs), max(r[1] for r in runs)
            share = peak_kb * 1024 / size
            line = f"{name:10} {size / 1e6:8.1f} {seconds:8.3f} {peak_kb / 1024:8.1f} {share:9.3f}"
            ok &= share < MEMORY_SHARE_MAX
            if args.onnx_tool:
                theirs = min(onnx_tool_seconds(args.onnx_tool, path) for _ in range(args.runs))
                line += f" {theirs:11.3f} {theirs / seconds:8.1f}"
                ok &= theirs / seconds >= SPEEDUP_MIN
            else:
                line += f" {'(skipped)':>11}"
            print(line, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
