"""densefuse: the plugin against an independent re-statement of the authors' forward pass.

The authors' ``test_image.py`` (hli1221/densefuse-pytorch @ 4394b63e) cannot run here
(CUDA, scipy.misc, torch.utils.serialization), so the reference below re-states their
forward pass from their ``net.py`` with plain ``torch.nn.functional`` calls over the
published state dict (no nn.Module, no code shared with methods/densefuse.py): every
conv is ``ReflectionPad2d(1)`` + conv + ReLU (``is_last`` is never set, so conv5 too),
the dense block concatenates [x, conv(x)] three times, ``fusion()`` is (en1 + en2) / 2,
inputs in 0..255, output ``clamp(0, 255)`` then ``astype('uint8')``.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import methods
from bench.io import read_image
from bench.weights import WeightsError
from methods.densefuse import fuse_tensors, load_network


@pytest.fixture(scope="module")
def state_dicts(published_weights_dir):
    root = published_weights_dir / "densefuse"
    return {m: torch.load(root / f"densefuse_{m}.model", map_location="cpu", weights_only=True)
            for m in ("gray", "rgb")}


@pytest.fixture(scope="module")
def vifb_crop(shared_datasets):
    """A 72×96 crop of VIFB's ``kettle`` pair (IR stored as three equal channels)."""
    root = shared_datasets / "vifb" / "sources"
    ir, _ = read_image(root / "IR" / "kettle.jpg")
    vi, _ = read_image(root / "VI" / "kettle.jpg")
    ys, xs = slice(150, 222), slice(200, 296)
    return ir[ys, xs, 0].copy(), vi[ys, xs].copy()


def _layer(sd, name, x):
    w, b = sd[name + ".conv2d.weight"], sd[name + ".conv2d.bias"]
    return F.relu(F.conv2d(F.pad(x, [1, 1, 1, 1], mode="reflect"), w, b))


def _reference(sd, x1, x2, strategy="addition", radius=1):
    """Their encoder -> fusion -> decoder, re-stated; x1, x2: (1, C, H, W) float 0..255."""
    def encode(x):
        x = _layer(sd, "conv1", x)
        for i in range(3):
            x = torch.cat([x, _layer(sd, f"DB1.denseblock.{i}.dense_conv", x)], 1)
        return x

    e1, e2 = encode(x1), encode(x2)
    if strategy == "addition":
        f = (e1 + e2) / 2
    else:  # paper's l1-norm rule: window mean (zeros outside) of ||phi||_1, ratio weights
        k = torch.ones(1, 1, 2 * radius + 1, 2 * radius + 1, dtype=e1.dtype) / (2 * radius + 1) ** 2
        c1 = F.conv2d(e1.abs().sum(1, keepdim=True), k, padding=radius)
        c2 = F.conv2d(e2.abs().sum(1, keepdim=True), k, padding=radius)
        f = (c1 * e1 + c2 * e2) / (c1 + c2)
    for name in ("conv2", "conv3", "conv4", "conv5"):
        f = _layer(sd, name, f)
    return f


def _t(x):
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def test_gray_network_matches_restated_forward_pass_within_1e_4(state_dicts, vifb_crop):
    ir, vi = vifb_crop
    gvi = np.rint(vi @ [0.299, 0.587, 0.114])  # their mode 'L' (PIL ITU-R 601 luma)
    x1, x2 = _t(ir)[None, None], _t(gvi)[None, None]
    with torch.no_grad():
        ref = _reference(state_dicts["gray"], x1, x2)
        ours = fuse_tensors(load_network("gray"), x1, x2, "addition")
    assert float((ours - ref).abs().max()) <= 1e-4
    assert float(ref.std()) > 5.0  # a real image, not a constant

    # the plugin's 8-bit output is their clamp + uint8 truncation of that forward pass
    img = methods.get_method("densefuse").fuse(ir, gvi, device="cpu").image
    r = ref[0, 0].double().numpy()
    want = np.floor(np.clip(r, 0, 255))
    safe = np.abs(r - np.round(r)) > 1e-3  # away from integer boundaries
    np.testing.assert_array_equal(img[safe], want[safe])


def test_l1_strategy_matches_restated_paper_rule(state_dicts, vifb_crop):
    ir, vi = vifb_crop
    # in float64: the two ways of writing the weighted sum differ by ~10 float32 ulps at 200
    x1, x2 = _t(ir)[None, None].double(), _t(vi[..., 1])[None, None].double()
    net = copy.deepcopy(load_network("gray")).double()
    sd = {k: v.double() for k, v in state_dicts["gray"].items()}
    with torch.no_grad():
        for radius in (0, 1, 2):
            ref = _reference(sd, x1, x2, "l1", radius)
            ours = fuse_tensors(net, x1, x2, "l1", radius)
            assert float((ours - ref).abs().max()) <= 1e-4, radius


def test_rgb_network_matches_restated_forward_pass(state_dicts, vifb_crop):
    ir, vi = vifb_crop
    irc = np.repeat(ir[..., None], 3, axis=2)  # their RGB mode converts the IR image to RGB
    x1, x2 = _t(irc.transpose(2, 0, 1))[None], _t(vi.transpose(2, 0, 1))[None]
    with torch.no_grad():
        ref = _reference(state_dicts["rgb"], x1, x2)
    img = methods.get_method("densefuse").fuse(ir, vi, model="rgb", device="cpu").image
    r = ref[0].double().numpy().transpose(1, 2, 0)
    safe = np.abs(r - np.round(r)) > 1e-3
    np.testing.assert_array_equal(img[safe], np.floor(np.clip(r, 0, 255))[safe])


def test_colour_with_gray_model_is_fused_channel_by_channel(vifb_crop):
    ir, vi = vifb_crop
    m = methods.get_method("densefuse")
    out = m.fuse(ir, vi, device="cpu").image  # grey IR + RGB visible -> RGB
    assert out.shape == vi.shape
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], m.fuse(ir, vi[..., c], device="cpu").image)


def test_strategies_differ_and_l1_follows_the_stronger_source(vifb_crop):
    ir, vi = vifb_crop
    g = vi[..., 1]
    m = methods.get_method("densefuse")
    add = m.fuse(ir, g, device="cpu").image
    l1 = m.fuse(ir, g, strategy="l1", device="cpu").image
    summ = m.fuse(ir, g, strategy="sum", device="cpu").image
    assert np.abs(add - l1).mean() > 1.0
    # the paper's sum doubles the features: brighter than the release's mean
    assert summ.mean() > add.mean() + 10
    # with a flat source B, the l1 weights favour textured A: l1 output is closer to A
    flat = np.full_like(g, 128.0)
    d_add = np.abs(m.fuse(g, flat, device="cpu").image - g).mean()
    d_l1 = np.abs(m.fuse(g, flat, strategy="l1", device="cpu").image - g).mean()
    assert d_l1 < d_add


def test_identical_sources_are_reconstructed(vifb_crop):
    _, vi = vifb_crop
    g = vi[..., 1]
    out = methods.get_method("densefuse").fuse(g, g, device="cpu").image
    assert np.abs(out - g).mean() < 3.0  # the auto-encoder's reconstruction (truncated)


def test_missing_weights_offline_names_file_and_env_var(tmp_path, monkeypatch, vifb_crop):
    ir, vi = vifb_crop
    monkeypatch.setenv("FUSEBENCH_WEIGHTS", str(tmp_path))
    monkeypatch.setenv("FUSEBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FUSEBENCH_OFFLINE", "1")
    with pytest.raises(WeightsError, match=r"densefuse/densefuse_rgb\.model.*FUSEBENCH_DENSEFUSE_RGB"):
        methods.get_method("densefuse").fuse(ir, vi, model="rgb", device="cpu")


def test_wrong_file_is_refused(tmp_path, vifb_crop):
    ir, vi = vifb_crop
    bad = tmp_path / "densefuse_gray.model"
    bad.write_bytes(b"not a model")
    with pytest.raises(WeightsError, match="sha256"):
        methods.get_method("densefuse").fuse(ir, vi[..., 0], weights=str(bad), device="cpu")


def test_declared_files_match_the_shared_manifest(published_weights_dir):
    import json

    from bench.weights import declared, locate

    manifest = json.loads((published_weights_dir / "densefuse" / "MANIFEST.json").read_text())
    mine = {s.relpath: s for s in declared()}
    for entry in manifest["files"]:
        spec = mine[entry["path"]]
        assert (spec.sha256, spec.size) == (entry["sha256"], entry["bytes"])
        assert (spec.repo, spec.commit, spec.source_path) == (
            manifest["source_repo"], manifest["source_commit"], entry["source_path"])
        assert locate(spec) == published_weights_dir / entry["path"]
