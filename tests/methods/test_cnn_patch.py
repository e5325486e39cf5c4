"""cnn-patch: network equivalences, weights loading errors, fusion steps, focus on real data."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import methods
from bench.errors import FusebenchError
from methods.cnn_patch.model import PatchCNN, conv2d_valid_fft
from methods.cnn_patch.plugin import focus_map, remove_small_regions
from methods.cnn_patch.weights import (
    WeightsError,
    checkpoint_meta,
    load_model,
    packaged_weights_path,
    save_checkpoint,
)


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    m = PatchCNN()
    m.reset_parameters(torch.Generator().manual_seed(3))
    return m.eval()


def test_dense_score_equals_patch_classifier_on_one_patch(net):
    g = torch.Generator().manual_seed(1)
    pa, pb = torch.rand(1, 1, 16, 16, generator=g), torch.rand(1, 1, 16, 16, generator=g)
    with torch.inference_mode():
        prob = torch.softmax(net(pa, pb), 1)[0, 1]
        for head in ("fft", "direct"):
            dense = net.score_map(pa, pb, head=head)
            assert dense.shape == (1, 1, 1, 1)
            assert abs(float(dense) - float(prob)) < 1e-5


@pytest.mark.parametrize("h,w", [(16, 16), (37, 40), (61, 23)])
def test_score_map_size_follows_paper_and_fft_matches_direct(net, h, w):
    g = torch.Generator().manual_seed(h * w)
    a, b = torch.rand(1, 1, h, w, generator=g), torch.rand(1, 1, h, w, generator=g)
    with torch.inference_mode():
        s_fft, s_dir = net.score_map(a, b, head="fft"), net.score_map(a, b, head="direct")
    assert s_fft.shape[-2:] == (-(-h // 2) - 7, -(-w // 2) - 7)
    torch.testing.assert_close(s_fft, s_dir, atol=1e-5, rtol=0)


def test_fft_convolution_matches_conv2d_across_tiles():
    g = torch.Generator().manual_seed(5)
    x, w = torch.randn(6, 45, 52, generator=g), torch.randn(3, 6, 8, 8, generator=g)
    torch.testing.assert_close(conv2d_valid_fft(x, w, tile=9, group=5), F.conv2d(x[None], w)[0],
                               atol=1e-3, rtol=1e-4)


def test_focus_map_averages_overlapping_patches():
    s = np.array([[1.0, 0.0, 1.0]])  # three patches in a row, 20 rows × 20 cols image
    m = focus_map(s, (16, 20))
    np.testing.assert_allclose(m[:, :2], 1.0)  # only patch 0
    np.testing.assert_allclose(m[:, 2:4], 0.5)  # patches 0 and 1
    np.testing.assert_allclose(m[:, 4:16], 2 / 3)  # all three
    np.testing.assert_allclose(m[:, 16:18], 0.5)  # patches 1 and 2


def test_small_region_removal_flips_specks_and_holes_not_large_regions():
    t = np.zeros((40, 40), bool)
    t[:, 20:] = True  # two large halves
    t[5, 5] = True  # speck in the 0 half
    t[30:32, 30:32] = False  # hole in the 1 half
    out = remove_small_regions(t, 0.01 * 40 * 40)
    expected = np.zeros((40, 40), bool)
    expected[:, 20:] = True
    np.testing.assert_array_equal(out, expected)


def test_missing_weights_file_is_a_clear_error(tmp_path, lytro_pair):
    a, b = (x[:40, :40] for x in lytro_pair)
    missing = tmp_path / "nope.pt"
    with pytest.raises(WeightsError, match="nope.pt.*not found"):
        methods.get_method("cnn-patch").fuse(a, b, weights=str(missing))


def test_wrong_shapes_are_named(tmp_path):
    bad = PatchCNN()
    bad.fc2 = torch.nn.Linear(256, 3)
    path = save_checkpoint(tmp_path / "bad.pt", bad, {})
    with pytest.raises(WeightsError, match=r"bad\.pt.*fc2\.weight has shape \(3, 256\)"):
        load_model(path)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsError, match="junk.pt"):
        load_model(tmp_path / "junk.pt")
    assert issubclass(WeightsError, FusebenchError)


def test_compact_checkpoint_round_trip(tmp_path, net):
    path = save_checkpoint(tmp_path / "c.pt", net, {"note": "x"}, compact=True)
    back = load_model(path)
    for k, v in net.state_dict().items():
        w = back.state_dict()[k]
        tol = 1e-3 * float(v.abs().max()) + 1e-6 if k != "fc1.weight" else float(v.abs().max()) / 127
        assert float((w - v).abs().max()) <= tol, k
    assert checkpoint_meta(path) == {"note": "x"}


def test_packaged_weights_and_model_card_ship_together():
    path = packaged_weights_path()
    assert path.is_file() and path.stat().st_size < 12e6
    meta = checkpoint_meta()
    card = path.with_name("model_card.json")
    assert card.is_file() and path.with_name("MODEL_CARD.md").is_file()
    import json

    assert json.loads(card.read_text())["val_accuracy"] == pytest.approx(meta["val_accuracy"])


def test_decision_map_finds_the_sharp_source_on_mfvoc(shared_datasets):
    """Two MF-VOC pairs, each also with the sources swapped: the decision map D > 0.5 must
    agree with the focus map derived from ground truth on ≥ 88 % of the pixels away from a
    5-pixel band at mask edges (pooled; the benchmark asks 90 % over the data set). The
    first pair has a large flat sky where focus is undecidable, so it is a hard case."""
    from scipy import ndimage

    from bench.datasets import load_dataset

    ds = load_dataset("mf-voc", data_dir=str(shared_datasets))
    m = methods.get_method("cnn-patch")
    agree = valid_total = 0
    for pair in (ds[0], ds[len(ds) // 2]):
        mask = pair.mask
        truth = mask > 0.5
        band = ndimage.binary_dilation(truth, iterations=5) & ndimage.binary_dilation(~truth, iterations=5)
        valid = ~band & (mask != 0.5)
        a, b = pair.a, pair.b
        for x, y, t in ((a, b, truth), (b, a, ~truth)):
            d = m.fuse(x, y).decision_map > 0.5
            agree += int((d == t)[valid].sum())
            valid_total += int(valid.sum())
    assert agree / valid_total >= 0.88, f"decision maps agree on only {100 * agree / valid_total:.1f} % of pixels"


def test_result_exposes_maps_and_blends_with_the_decision_map(lytro_pair):
    a, b = (x[100:164, 200:280] for x in lytro_pair)
    res = methods.get_method("cnn-patch").fuse(a, b, area_ratio=0.0)
    ex = res.extras
    assert ex["score_map"].shape == (32 - 7, 40 - 7)
    assert ex["focus_map"].shape == a.shape[:2]
    np.testing.assert_array_equal(ex["binary_map"], ex["focus_map"] > 0.5)
    np.testing.assert_array_equal(ex["refined_map"], ex["binary_map"])  # no region removal asked
    d = res.decision_map[..., None]
    np.testing.assert_allclose(res.image, np.clip(d * a + (1 - d) * b, 0, 255), atol=1e-9)


# -- the authors' released model (weights="liu2017", the default) -------------------------------


def test_liu2017_reproduces_mfifb_cnn_output(shared_datasets):
    """savic_01 (178×134, the smallest MFIFB pair): ours vs the published CNN file > 45 dB,
    and the trained-here weights are measurably further away (the check can fail)."""
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr

    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "savic_01_A.jpg")
    b, _ = read_image(root / "sources" / "savic_01_B.jpg")
    theirs, _ = read_image(root / "fused" / "CNN" / "savic_01_CNN.jpg")
    m = methods.get_method("cnn-patch")
    assert m.make_params().weights == "liu2017"
    ours = psnr(np.rint(m.fuse(a, b).image), theirs)
    assert ours > 45.0
    assert psnr(np.rint(m.fuse(a, b, weights="trained").image), theirs) < ours - 3


def test_liu2017_mat_layout_and_shape_errors(published_weights_dir):
    from scipy import io as sio

    from methods.cnn_patch.weights import LIU2017_SHAPES, liu2017_state

    mat = sio.loadmat(published_weights_dir / "liu2017-cnn" / "cnnmodel.mat")
    assert {k: tuple(mat[k].shape) for k in LIU2017_SHAPES} == LIU2017_SHAPES
    state = liu2017_state(mat)
    # conv1 applied to a one-hot image at (row 5, col 7) gives the rotated kernel: check one
    # filter against a MATLAB-style reading of the column (reshape column-major, rot90 twice,
    # convolve = correlate with the unrotated kernel)
    k = mat["weights_b1_1"][:, 10].reshape(3, 3, order="F")
    np.testing.assert_array_equal(state["branch.conv1.weight"][10, 0].numpy(), k)
    mat["weights_output"] = mat["weights_output"][:, :, :1]
    with pytest.raises(WeightsError, match=r"weights_output has shape \(512, 64, 1\), expected \(512, 64, 2\)"):
        liu2017_state(mat, "x.mat")


def test_liu2017_wrong_file_is_refused(tmp_path, lytro_pair):
    a, b = (x[:40, :40] for x in lytro_pair)
    fake = tmp_path / "cnnmodel.mat"
    fake.write_bytes(b"not the model")
    with pytest.raises(WeightsError, match=r"cnnmodel\.mat \(given path\) is not the published"):
        methods.get_method("cnn-patch").fuse(a, b, weights=f"liu2017:{fake}")
