"""dlf and resnet (VIFB's DLF and ResNet): backbone keys, weights finding, and the fusion
mechanics with fabricated ImageNet weights (the real ones are not available here, so the
outputs themselves are not validated; see docs/methods/imagenet-feature-methods.md)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import methods
from bench.errors import FusebenchError
from bench.io import read_image
from bench.matlab import round_half_away
from methods import imagenet
from methods.dlf import tikhonov_split
from methods.resnet import l1_activity, zca
from methods.tlnet import vgg_transfer as vt


def torchvision_resnet50_shapes() -> dict[str, tuple[int, ...]]:
    """torchvision's resnet50() state-dict shapes, from the architecture (He et al. 2016 +
    torchvision's naming), written out independently of methods.imagenet."""
    out: dict[str, tuple[int, ...]] = {"conv1.weight": (64, 3, 7, 7)}

    def bn(prefix, c):
        for k in ("weight", "bias", "running_mean", "running_var"):
            out[f"{prefix}.{k}"] = (c,)
        out[f"{prefix}.num_batches_tracked"] = ()

    bn("bn1", 64)
    cin = 64
    for n, (blocks, width) in enumerate(((3, 64), (4, 128), (6, 256), (3, 512)), start=1):
        for k in range(blocks):
            p = f"layer{n}.{k}"
            out[f"{p}.conv1.weight"] = (width, cin, 1, 1)
            bn(f"{p}.bn1", width)
            out[f"{p}.conv2.weight"] = (width, width, 3, 3)
            bn(f"{p}.bn2", width)
            out[f"{p}.conv3.weight"] = (4 * width, width, 1, 1)
            bn(f"{p}.bn3", 4 * width)
            if k == 0:
                out[f"{p}.downsample.0.weight"] = (4 * width, cin, 1, 1)
                bn(f"{p}.downsample.1", 4 * width)
            cin = 4 * width
    out["fc.weight"], out["fc.bias"] = (1000, 2048), (1000,)
    return out


def test_backbones_have_torchvision_keys_and_shapes():
    shapes = torchvision_resnet50_shapes()
    # torchvision documents 25,557,032 parameters for resnet50 (buffers excluded)
    n_params = sum(int(np.prod(s)) for k, s in shapes.items()
                   if not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
    assert n_params == 25_557_032
    trunk = {k: tuple(v.shape) for k, v in imagenet.resnet50_trunk().state_dict().items()}
    assert trunk == {k: s for k, s in shapes.items() if not k.startswith("fc.")}
    fabricated = imagenet.random_state_dict("resnet50", seed=3)
    assert {k: tuple(v.shape) for k, v in fabricated.items()} == trunk

    vgg = {k: tuple(v.shape) for k, v in imagenet.vgg19_features().state_dict().items()}
    want = {}
    for idx, (cout, cin) in zip(vt.VGG19_CONV_INDICES[:9], vt.VGG19_CONV_SHAPES[:9]):
        want[f"features.{idx}.weight"], want[f"features.{idx}.bias"] = (cout, cin, 3, 3), (cout,)
    assert vgg == want


def test_vgg_taps_are_the_pre_and_post_relu_outputs():
    net = imagenet.vgg19_features().eval()
    net.load_state_dict(imagenet.random_state_dict("vgg19", seed=1))
    x = torch.randn(1, 3, 32, 40, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        pre = net(x, (0, 5, 10, 19))
        post = net(x, (1, 6, 11, 20))
    assert [tuple(t.shape[2:]) for t in pre] == [(32, 40), (16, 20), (8, 10), (4, 5)]
    for a, b in zip(pre, post):
        assert float(a.min()) < 0 and torch.equal(torch.relu(a), b)


def test_missing_imagenet_weights_say_what_and_where(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.delenv("FUSEBENCH_RESNET50", raising=False)
    monkeypatch.delenv("FUSEBENCH_VGG19", raising=False)
    x = np.zeros((32, 32))
    with pytest.raises(imagenet.ImagenetWeightsMissing) as err:
        methods.get_method("resnet").fuse(x, x, device="cpu")
    msg = str(err.value)
    assert "resnet50-0676ba61.pth" in msg and str(tmp_path / "hub" / "checkpoints") in msg
    assert "FUSEBENCH_RESNET50" in msg and "resnet:imagenet_weights=PATH" in msg
    with pytest.raises(imagenet.ImagenetWeightsMissing, match="vgg19-dcbb9e9d.pth.*FUSEBENCH_VGG19"):
        methods.get_method("dlf").fuse(x, x, device="cpu")
    # a file in the cache that is not the official one is refused by its hash
    fake = tmp_path / "hub" / "checkpoints" / "resnet50-0676ba61.pth"
    fake.parent.mkdir(parents=True)
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7)}, fake)
    with pytest.raises(FusebenchError, match="SHA-256.*ResNet-50"):
        methods.get_method("resnet").fuse(x, x, device="cpu")


@pytest.mark.parametrize("name", ("dlf", "resnet"))
def test_marked_not_validated(name):
    info = methods.METHODS.get(name).info()
    assert info["validation_note"].startswith("not validated: needs ImageNet")
    assert methods.METHODS.get(name).published_names == {"vifb": {"dlf": "DLF", "resnet": "ResNet"}[name]}


@pytest.fixture(scope="module")
def vifb_crop(shared_datasets):
    root = shared_datasets / "vifb" / "sources"
    ir, _ = read_image(root / "IR" / "kettle.jpg")
    vi, _ = read_image(root / "VI" / "kettle.jpg")
    ys, xs = slice(150, 211), slice(200, 285)  # 61×85: not multiples of 8
    return ir[ys, xs, 0].copy(), vi[ys, xs].copy()


RANDOM = {"imagenet_weights": "random", "device": "cpu"}


def test_dlf_identical_sources_come_back_except_the_releases_border_strips(vifb_crop):
    _, vi = vifb_crop
    g = np.rint(vi[..., 1])
    out = methods.get_method("dlf").fuse(g, g, **RANDOM).image
    h8, w8 = (g.shape[0] // 8) * 8, (g.shape[1] // 8) * 8
    np.testing.assert_array_equal(out[:h8, :w8], g[:h8, :w8])
    # beyond the relu4_1 map the candidates are 0: max(detail, 0) is added back
    _, detail = tikhonov_split(g / 255.0)
    strip = np.zeros(g.shape, bool)
    strip[h8:, :] = True
    strip[:, w8:] = True
    want = np.clip(round_half_away((g / 255.0 + np.maximum(-detail, 0.0)) * 255.0), 0, 255)
    np.testing.assert_array_equal(out[strip], want[strip])
    assert (out[strip] > g[strip]).any()


def test_dlf_constant_sources_give_their_mean_and_colour_is_per_channel(vifb_crop):
    ir, vi = (x[:40, :56] for x in vifb_crop)
    m = methods.get_method("dlf")
    flat = m.fuse(np.full((24, 30), 40.0), np.full((24, 30), 100.0), **RANDOM).image
    np.testing.assert_array_equal(flat, 70.0)
    out = m.fuse(ir, vi, **RANDOM).image
    assert out.shape == vi.shape
    np.testing.assert_array_equal(out[..., 2], m.fuse(ir, vi[..., 2], **RANDOM).image)
    assert not np.array_equal(out[..., 2], m.fuse(ir, vi[..., 2], relu=True, **RANDOM).image)


def test_zca_and_l1_activity_follow_the_releases_formulas():
    rng = np.random.default_rng(5)
    f = rng.random((4, 6, 7))
    f[2] = 0.0  # a dead channel (mean 0) is kept
    z = zca(f)
    for c in (0, 1, 3):  # zca.m with MATLAB's svd
        t = f[c] - f[c].mean()
        u, s, _ = np.linalg.svd(t @ t.T)
        np.testing.assert_allclose(z[c], u @ np.diag(1 / np.sqrt(s + 1e-5)) @ u.T @ t, atol=1e-8)
    np.testing.assert_array_equal(z[2], 0.0)
    # l1_norm: sum over channels of |z| over a 5×5 block (zero padding) / 25, as their loop
    act = l1_activity(z, 5)
    pad = np.pad(np.abs(z).sum(0), 2)
    loop = np.array([[pad[i:i + 5, j:j + 5].sum() / 25 for j in range(7)] for i in range(6)])
    np.testing.assert_allclose(act, loop, atol=1e-12)


def test_resnet_weights_sum_to_one_and_are_shared_by_the_channels(vifb_crop):
    ir, vi = vifb_crop
    m = methods.get_method("resnet")
    g = vi[..., 0]
    np.testing.assert_array_equal(m.fuse(g, g, **RANDOM).image, np.rint(g))
    res = m.fuse(ir, vi, layer=4, **RANDOM)  # res4fx: a 4×6 map here (res5cx: 2×3)
    ca, cb = res.extras["activity_a"], res.extras["activity_b"]
    assert ca.shape == ir.shape
    w = (ca / (ca + cb))[..., None]
    want = np.clip(round_half_away(ir[..., None] * w + vi * (1 - w)), 0, 255)
    np.testing.assert_array_equal(res.image, want)
    # a real map, if a flat one: ZCA equalises the channels' energy, so the l1 activities of
    # the two sources differ little (the published ResNet results look like averages too)
    assert float(w.max() - w.min()) > 1e-3
    assert not np.array_equal(m.fuse(ir, vi, **RANDOM).image, res.image)


def test_bench_methods_prints_the_note(capsys):
    from bench.cli import main

    assert main(["methods", "dlf,resnet"]) == 0
    out = capsys.readouterr().out
    assert out.count("[not validated: needs ImageNet") == 2
