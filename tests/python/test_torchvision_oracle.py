"""Zoo networks against torchvision: exact Conv2d/Linear weights and MACs.

torchvision (0.14 here) is the oracle: each zoo network that claims to be a torchvision
model must count, at a 1x3x224x224 input, exactly torchvision's weight elements of its
Conv2d and Linear modules (biases excluded) and exactly its MACs (sum over Conv2d of
output elements x in_channels/groups x kH x kW, over Linear of in x out features),
counted with forward hooks. qutibench's figures come from its command line:
``$QUTIBENCH_CLI show <id> --format json``, where each layer's ``ops`` is 2 x MACs.

Run with ``QUTIBENCH_CLI=build/bin/qutibench /usr/bin/python3 -m pytest tests/python``.
"""

import collections
import json
import os
import subprocess

import pytest

# qutibench zoo id -> torchvision.models constructor.
PAIRS = {
    "resnet50-v1.5": "resnet50",
    "resnet18": "resnet18",
    "vgg16": "vgg16",
    "alexnet": "alexnet",
    "mobilenet-v2": "mobilenet_v2",
    "efficientnet-b0": "efficientnet_b0",
}

# The layer kinds whose weights and MACs torchvision's Conv2d and Linear modules count.
COUNTED_KINDS = {"conv2d", "conv2d_grouped", "dense"}


def torchvision_counts(constructor):
    """Per-layer (weights, MACs) of the Conv2d/Linear modules, in call order."""
    torch = pytest.importorskip("torch")
    models = pytest.importorskip("torchvision.models")
    model = getattr(models, constructor)(weights=None).eval()
    layers = []

    def hook(module, _inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            macs = output.numel() * (module.in_channels // module.groups) * kh * kw
        else:
            macs = module.in_features * module.out_features
        layers.append((module.weight.numel(), macs))

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))
    ]
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    for h in handles:
        h.remove()
    # A module called twice would add its MACs twice but its weights once; none of these
    # models reuses a module, which the hook count confirms.
    assert len(layers) == len(handles), f"torchvision {constructor}: a module ran more or less than once"
    return layers


def qutibench_counts(cli, topology_id):
    """Per-layer (weights, MACs) of the conv and dense layers of `qutibench show`."""
    run = subprocess.run(
        [cli, "show", topology_id, "--format", "json"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, f"{cli} show {topology_id} failed ({run.returncode}): {run.stderr.strip()}"
    report = json.loads(run.stdout)
    assert report["topology"] == topology_id, f"asked for {topology_id}, got {report['topology']}"
    assert report["batch"] == 1, f"{topology_id}: counts must be for batch 1, got {report['batch']}"
    layers = []
    for layer in report["layers"]:
        if layer["kind"] not in COUNTED_KINDS:
            continue
        assert layer["ops"] % 2 == 0, f"{topology_id}/{layer['name']}: ops {layer['ops']} is not 2 x MACs"
        layers.append((layer["weights"], layer["ops"] // 2))
    return layers


def multiset_difference(ours, theirs):
    """Per-layer (weights, MACs) pairs found on one side only, for the failure message."""
    a, b = collections.Counter(ours), collections.Counter(theirs)
    return f"only in qutibench: {sorted((a - b).elements())}; only in torchvision: {sorted((b - a).elements())}"


@pytest.fixture(scope="module")
def cli():
    path = os.environ.get("QUTIBENCH_CLI")
    if not path:
        pytest.skip("QUTIBENCH_CLI is not set; point it at the built qutibench executable (build/bin/qutibench)")
    assert os.access(path, os.X_OK), f"QUTIBENCH_CLI={path} is not an executable file"
    return path


@pytest.mark.parametrize("topology_id, constructor", list(PAIRS.items()), ids=list(PAIRS))
def test_conv_linear_weights_and_macs_equal_torchvision(cli, topology_id, constructor):
    ours = qutibench_counts(cli, topology_id)
    theirs = torchvision_counts(constructor)
    detail = (
        f"{len(ours)} qutibench conv/dense layers vs {len(theirs)} torchvision Conv2d/Linear; "
        + multiset_difference(ours, theirs)
    )
    assert sum(w for w, _ in ours) == sum(w for w, _ in theirs), f"{topology_id} weights differ: {detail}"
    assert sum(m for _, m in ours) == sum(m for _, m in theirs), f"{topology_id} MACs differ: {detail}"
