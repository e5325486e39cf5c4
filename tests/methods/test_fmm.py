"""fmm: network shapes and fusion variants, the chunked mutual mapping, the selected-SSIM loss,
the shipped checkpoint (weights_only, version tied to its hash), colour, device errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

import methods
from bench.color import rgb_to_ycbcr
from bench.errors import ParameterError
from bench.weights import WeightsError
from methods.fmm.model import FUSIONS, FMMNet, relate, selected_ssim_loss, weighted
from methods.fmm.plugin import PACKAGED_SHA256
from methods.fmm.weights import checkpoint_meta, load_model, packaged_weights_path


@pytest.mark.parametrize("fusion", FUSIONS)
@pytest.mark.parametrize("shape", [(8, 8), (12, 20), (36, 28)])
def test_every_fusion_variant_keeps_the_shape(fusion, shape):
    net = FMMNet((4, 6, 8), fusion).eval()
    net.reset_parameters(torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = net(torch.rand(2, 1, *shape), torch.rand(2, 1, *shape))
    assert out.shape == (2, 1, *shape) and torch.isfinite(out).all()


def test_relation_in_chunks_is_the_full_softmax_attention():
    g = torch.Generator().manual_seed(1)
    q, k, v = torch.randn(2, 3, 50, generator=g), torch.randn(2, 3, 13, generator=g), torch.randn(2, 5, 13, generator=g)
    att = torch.softmax(q.transpose(1, 2) @ k / np.sqrt(3), dim=2)  # (B, N, M), rows sum to 1
    expected = v @ att.transpose(1, 2)
    torch.testing.assert_close(relate(q, k, v, chunk=7), expected)
    torch.testing.assert_close(relate(q, k, v), expected)


def test_eq1_weights_are_a_convex_combination():
    fx, fy = torch.full((1, 2, 3, 3), 2.0), torch.full((1, 2, 3, 3), 6.0)
    logits = torch.cat([torch.full((1, 2, 3, 3), 5.0), torch.full((1, 2, 3, 3), -5.0)], 1)
    out = weighted(logits, fx, fy)
    assert float(out.min()) > 2.0 and float(out.max()) < 2.01  # X dominates, still a blend
    assert torch.equal(weighted(torch.zeros(1, 4, 3, 3), fx, fy), torch.full((1, 2, 3, 3), 4.0))


def test_variance_selected_ssim_picks_the_textured_source_mean_selected_the_bright_one():
    g = torch.Generator().manual_seed(2)
    texture = torch.rand(1, 1, 40, 40, generator=g) * 0.4  # high variance, dark
    bright = torch.full((1, 1, 40, 40), 0.9)  # zero variance, bright
    # F = the textured source: Eq. 4 compares it with itself in every window (SSIM 1)
    assert float(selected_ssim_loss(texture, bright, texture, "ssim-var")) < 1e-5
    # the mean rule compares it with the bright flat source instead: far from 0
    assert float(selected_ssim_loss(texture, bright, texture, "ssim-mean")) > 0.5
    assert float(selected_ssim_loss(texture, bright, bright, "ssim-mean")) < 1e-5
    with pytest.raises(ValueError, match="loss must be one of"):
        selected_ssim_loss(texture, bright, texture, "l2")


def test_shipped_checkpoint_is_plain_data_small_and_tied_to_the_version():
    path = packaged_weights_path()
    assert path.stat().st_size < 5_000_000
    raw = torch.load(path, map_location="cpu", weights_only=True)  # tensors and plain values only
    assert raw["arch"] == {"channels": [8, 16, 32], "fusion": "mapping"}
    assert all(v.dtype == torch.float16 for v in raw["state_dict"].values())
    meta = checkpoint_meta()
    assert meta["configuration"] == "cpu" and meta["imagenet_weights"] is False
    assert meta["data"]["train"] == "roadscene:train" and meta["data"]["validation"] == "roadscene:test"
    assert meta["loss"] == "ssim-var" and meta["val_pairs"] == 21
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert PACKAGED_SHA256 == sha
    assert methods.get_method("fmm").version == "1+cpu." + sha[:8]
    assert next(load_model().parameters()).dtype == torch.float32  # upcast for inference


def test_a_foreign_or_pickled_file_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "bad.pt"
    torch.save({"format": "fusebench-fmm", "state_dict": {}, "arch": object}, bad)
    with pytest.raises(WeightsError, match="bad.pt"):
        load_model(bad)
    other = tmp_path / "other.pt"
    torch.save({"format": "fusebench-fmm", "arch": {"channels": [4, 4, 4], "fusion": "add"},
                "state_dict": {"x": torch.zeros(1)}}, other)
    with pytest.raises(WeightsError, match="does not fit the network"):
        methods.get_method("fmm").fuse(np.zeros((8, 8)), np.zeros((8, 8)), weights=str(other), device="cpu")


def test_fuses_ir_visible_keeps_visible_chroma_and_both_sources_show(shared_datasets):
    from bench.datasets import load_dataset

    pair = load_dataset("roadscene:test", data_dir=shared_datasets).pairs[0]
    vis, ir = pair.a[:96, :128], pair.b[:96, :128]  # colour visible, grey infrared
    res = methods.get_method("fmm").fuse(vis, ir, device="cpu")
    assert res.image.shape == vis.shape
    # chroma: the grey infrared image has none, so the visible image's is kept
    out_c, vis_c = rgb_to_ycbcr(res.image)[..., 1:], rgb_to_ycbcr(vis)[..., 1:]
    inside = (res.image > 1).all(-1) & (res.image < 254).all(-1)
    assert np.abs(out_c - vis_c)[inside].max() < 1.0
    y = rgb_to_ycbcr(res.image)[..., 0]
    ya = rgb_to_ycbcr(vis)[..., 0]
    assert np.corrcoef(y.ravel(), ya.ravel())[0, 1] > 0.3 and np.corrcoef(y.ravel(), ir.ravel())[0, 1] > 0.3


def test_cuda_requested_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the error path cannot occur")
    with pytest.raises(ParameterError, match="CUDA is not available"):
        methods.get_method("fmm").fuse(np.zeros((8, 8)), np.zeros((8, 8)), device="cuda")
