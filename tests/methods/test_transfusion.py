"""transfusion: the network, its losses, checkpoint I/O and the plugin (seconds, tiny images)."""

from __future__ import annotations

from pathlib import PurePosixPath

import numpy as np
import pytest
import torch

import methods
from bench.errors import FusebenchError, ParameterError
from bench.weights import WeightsError
from methods.transfusion import losses
from methods.transfusion.model import (
    CONFIGS,
    VGG19_BLOCKS,
    VGG19_CONV_INDICES,
    NetConfig,
    TransFusionNet,
    imagenet_encoder_state,
    init_encoder_from_imagenet,
    pad_multiple,
)
from methods.transfusion.weights import load_model, read_checkpoint, save_checkpoint


def _toy_net(seed=0, **switches):
    torch.manual_seed(seed)
    net = TransFusionNet(CONFIGS["cpu"].with_switches(**switches))
    with torch.no_grad():  # non-trivial fusion modules (the refinement starts as identity)
        for r in net.refine:
            r.conv2.weight.normal_(0, 0.01)
        net.head[2].bias.fill_(0.5)  # mid-grey output, so that no tiny image clamps to 0
    return net.eval()


@pytest.fixture(scope="module")
def toy_ckpt(tmp_path_factory):
    path = tmp_path_factory.mktemp("tf") / "toy.pt"
    save_checkpoint(path, _toy_net(), {"configuration": "cpu", "switches": {}})
    return str(path)


def _pair(h, w, colour=False, seed=0):
    rng = np.random.default_rng(seed)
    vis = rng.random((h, w, 3) if colour else (h, w)) * 255
    yy, xx = np.mgrid[:h, :w]
    ir = np.where((yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (min(h, w) / 4) ** 2, 230.0, 40.0)
    return vis, ir


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (17, 23), (32, 32), (45, 70)])
def test_any_size_and_range(toy_ckpt, shape):
    vis, ir = _pair(*shape)
    res = methods.get_method("transfusion").fuse(vis, ir, weights=toy_ckpt, device="cpu")
    assert res.image.shape == shape
    assert 0.0 <= res.image.min() and res.image.max() <= 255.0
    assert res.decision_map.shape == shape
    assert ((res.decision_map >= 0) & (res.decision_map <= 1)).all()


def test_colour_keeps_visible_chroma(toy_ckpt):
    from bench.color import rgb_to_ycbcr

    vis, ir = _pair(20, 28, colour=True)
    ir3 = np.repeat(ir[..., None], 3, axis=2)  # grey infrared stored as RGB: neutral chroma
    out = methods.get_method("transfusion").fuse(vis, ir3, weights=toy_ckpt, device="cpu").image
    assert out.shape == (20, 28, 3)
    c_out, c_vis = rgb_to_ycbcr(out)[..., 1:], rgb_to_ycbcr(vis)[..., 1:]
    inside = (out > 1).all(-1) & (out < 254).all(-1)  # clipping changes chroma
    assert np.abs(c_out - c_vis)[inside].max() < 1.0


def test_infrared_order_and_cpu_determinism(toy_ckpt):
    m = methods.get_method("transfusion")
    vis, ir = _pair(24, 40)
    r1 = m.fuse(vis, ir, weights=toy_ckpt, device="cpu")
    r2 = m.fuse(ir, vis, weights=toy_ckpt, device="cpu", infrared="a")
    r3 = m.fuse(vis, ir, weights=toy_ckpt, device="cpu")
    np.testing.assert_array_equal(r1.image, r2.image)
    np.testing.assert_allclose(r1.decision_map, 1.0 - r2.decision_map, atol=1e-12)
    np.testing.assert_array_equal(r1.image, r3.image)
    # the infrared is not interchangeable with the visible image (separate channel attention)
    assert not np.array_equal(r1.image, m.fuse(ir, vis, weights=toy_ckpt, device="cpu").image)


def test_cuda_requested_without_cuda(toy_ckpt, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    vis, ir = _pair(16, 16)
    with pytest.raises(ParameterError, match="transfusion.*CUDA is not available"):
        methods.get_method("transfusion").fuse(vis, ir, weights=toy_ckpt, device="cuda")
    with pytest.raises(ParameterError, match="infrared"):
        methods.get_method("transfusion").fuse(vis, ir, weights=toy_ckpt, infrared="c")


def test_switches_change_the_fusion():
    t = torch.rand(1, 1, 16, 24), torch.rand(1, 1, 16, 24)
    full, no_sa = _toy_net(), _toy_net(spatial_attention=False)
    no_sa.load_state_dict(full.state_dict())
    with torch.no_grad():
        fa, fb = full.encode(t[0]), full.encode(t[1])
        fused_sa, maps = full.fuse_features(fa, fb, return_maps=True)
        fused_mean, maps_mean = no_sa.fuse_features(fa, fb, return_maps=True)
    assert maps_mean[0] is None and maps[0].shape == (1, 1, 16, 24)
    assert not torch.allclose(fused_sa[0], fused_mean[0])
    # guidance: the finest level's map depends on the deeper levels' saliency
    no_g = _toy_net(spatial_guidance=False)
    no_g.load_state_dict(full.state_dict())
    with torch.no_grad():
        _, maps_ng = no_g.fuse_features(fa, fb, return_maps=True)
    assert torch.allclose(maps_ng[-1], maps[-1]) and not torch.allclose(maps_ng[0], maps[0])


def test_mi_loss_is_differentiable_and_reaches_the_fusion_modules():
    net = TransFusionNet(CONFIGS["cpu"]).train()
    ir, vis = torch.rand(2, 1, 32, 32), torch.rand(2, 1, 32, 32)
    f_ir, f_vis = net.encode(ir), net.encode(vis)
    fused = net.fuse_features(f_ir, f_vis)
    loss, mi = losses.mi_loss(fused, f_ir, f_vis, 0.5)
    loss.backward()
    grads = [p.grad for p in net.fusion_parameters() if p.grad is not None and p.grad.abs().sum() > 0]
    assert float(mi.detach()) > 0 and grads
    # independent noise carries less information than a copy
    x = torch.rand(1, 8, 16, 16)
    assert float(losses.soft_mutual_information(x, x)) > 5 * float(
        losses.soft_mutual_information(x, torch.rand(1, 8, 16, 16)))


def test_stage2_loss_prefers_the_stronger_edges():
    ir = torch.zeros(1, 1, 24, 24)
    ir[..., 8:16, 8:16] = 1.0
    vis = torch.full((1, 1, 24, 24), 0.5)
    good, _ = losses.stage2_loss(torch.maximum(ir, vis), ir, vis, intensity_weight=100, grad_weight=10)
    flat, _ = losses.stage2_loss(0.5 * (ir + vis) * 0 + 0.5, ir, vis, intensity_weight=100, grad_weight=10)
    assert float(good) < float(flat)


def test_imagenet_init_with_fabricated_vgg19():
    state = imagenet_encoder_state("random:3")
    assert len(state) == 2 * len(VGG19_CONV_INDICES)
    net = TransFusionNet(CONFIGS["paper"])
    assert init_encoder_from_imagenet(net, state) == 16
    convs = [m for m in net.encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    assert torch.equal(convs[0].weight, state["features.0.weight"])
    assert torch.equal(convs[-1].bias, state["features.34.bias"])
    with pytest.raises(FusebenchError, match="VGG-19 widths and 3 input channels"):
        init_encoder_from_imagenet(TransFusionNet(CONFIGS["cpu"]), state)
    two_blocks = NetConfig(blocks=VGG19_BLOCKS[:2], reductions=(1, 1))  # a trunk cut early fits
    partial = {k: v for k, v in state.items() if k != "features.7.weight"}
    with pytest.raises(FusebenchError, match="features.7.weight"):
        init_encoder_from_imagenet(TransFusionNet(two_blocks), partial)
    assert init_encoder_from_imagenet(TransFusionNet(two_blocks), state) == 4


def test_imagenet_missing_says_where(monkeypatch, tmp_path):
    from methods import imagenet

    monkeypatch.delenv("FUSEBENCH_VGG19", raising=False)
    monkeypatch.setattr(imagenet, "hub_dir", lambda: tmp_path)
    with pytest.raises(imagenet.ImagenetWeightsMissing, match="vgg19-dcbb9e9d.pth.*FUSEBENCH_VGG19"):
        imagenet_encoder_state("hub")


def test_checkpoint_roundtrip_and_refusals(tmp_path, toy_ckpt):
    net = load_model(toy_ckpt)
    ref = _toy_net()
    for k, v in ref.state_dict().items():
        assert torch.equal(net.state_dict()[k], v)
    compact = save_checkpoint(tmp_path / "c.pt", ref, {}, compact=True)
    assert all(t.dtype == torch.float16 for t in read_checkpoint(compact)["state_dict"].values())
    assert load_model(compact).head[0].weight.dtype == torch.float32  # upcast
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsError, match="junk.pt"):
        load_model(tmp_path / "junk.pt")

    # any other object (here a PurePosixPath) could be planted code: weights_only=True refuses it
    torch.save({"format": "fusebench-transfusion", "state_dict": {}, "x": PurePosixPath("x")},
               tmp_path / "evil.pt")
    with pytest.raises(WeightsError, match="evil.pt"):
        load_model(tmp_path / "evil.pt")
    wrong = TransFusionNet(CONFIGS["cpu"].with_switches())
    sd = {k: v for k, v in wrong.state_dict().items() if not k.startswith("head")}
    torch.save({"format": "fusebench-transfusion", "version": 1, "arch": CONFIGS["cpu"].to_dict(),
                "state_dict": sd, "meta": {}}, tmp_path / "short.pt")
    with pytest.raises(WeightsError, match="missing head"):
        load_model(tmp_path / "short.pt")


def test_pad_multiple():
    assert pad_multiple(CONFIGS["cpu"]) == 4 and pad_multiple(CONFIGS["paper"]) == 16
