"""wavelet-cnn: Haar front end against PyWavelets, dense map = patch classifier, the shipped
checkpoint (weights_only, record), decision map on a synthetic multi-focus pair, device param."""

from __future__ import annotations

import numpy as np
import pytest
import pywt
import torch
from scipy import ndimage

import methods
from bench.errors import ParameterError
from bench.weights import WeightsError
from methods.wavelet_cnn.model import WaveletCNN, haar_dwt, polyphase
from methods.wavelet_cnn.plugin import checkpoint_version
from methods.wavelet_cnn.weights import checkpoint_meta, load_model, packaged_weights_path


@pytest.mark.parametrize("shape", [(16, 16), (21, 30), (33, 17)])
def test_haar_front_end_is_pywavelets_dwt2(shape):
    x = np.random.default_rng(1).random(shape)
    ours = haar_dwt(torch.from_numpy(x)[None, None])[0].numpy()
    ca, (ch, cv, cd) = pywt.dwt2(x, "haar", mode="symmetric")
    np.testing.assert_allclose(ours, np.stack([ca, ch, cv, cd]), atol=1e-12)
    # the pixel-domain ablation sees the same samples, untransformed
    pp = polyphase(torch.from_numpy(x[:16, :16])[None, None])[0].numpy()
    np.testing.assert_array_equal(pp[1], x[:16:2, 1:16:2])


def test_dense_score_map_is_the_patch_classifier():
    torch.manual_seed(0)
    net = WaveletCNN().eval()
    net.reset_parameters(torch.Generator().manual_seed(3))
    a, b = torch.rand(1, 1, 16, 16), torch.rand(1, 1, 16, 16)
    with torch.no_grad():
        p = torch.softmax(net(a, b), 1)[0, 1]
        s = net.score_map(a, b, head="direct")
    assert s.shape == (1, 1, 1, 1) and float(abs(s[0, 0, 0, 0] - p)) < 1e-6
    big_a, big_b = torch.rand(1, 1, 45, 38), torch.rand(1, 1, 45, 38)
    with torch.no_grad():
        fft, direct = net.score_map(big_a, big_b, "fft"), net.score_map(big_a, big_b, "direct")
    assert fft.shape == (1, 1, 16, 12)
    assert float((fft - direct).abs().max()) < 1e-5


def test_shipped_checkpoint_is_plain_data_small_and_documented():
    path = packaged_weights_path()
    assert path.stat().st_size < 2_000_000
    raw = torch.load(path, map_location="cpu", weights_only=True)  # tensors and plain values only
    assert raw["arch"] == {"widths": [16, 32, 32, 64], "domain": "wavelet"}
    meta = checkpoint_meta()
    assert meta["configuration"] == "cpu" and meta["imagenet_weights"] is False
    assert meta["data"]["corpus"] == "natural" and meta["val_accuracy"] >= 0.97
    assert methods.get_method("wavelet-cnn").version == checkpoint_version() == "1+cpu"


def test_a_pickled_object_is_refused(tmp_path):
    bad = tmp_path / "bad.pt"
    torch.save({"format": "fusebench-wavelet-cnn", "state_dict": {}, "arch": object}, bad)
    with pytest.raises(WeightsError, match="bad.pt"):
        load_model(bad)


def _pair():
    from skimage import data

    sharp = data.camera()[100:228, 150:278].astype(np.float64)
    blurred = sharp
    for _ in range(3):  # the training blur recipe, level 3
        blurred = ndimage.gaussian_filter(blurred, 2.0, truncate=1.5, mode="reflect")
    a, b = sharp.copy(), sharp.copy()
    a[:, 64:] = blurred[:, 64:]  # A sharp on the left half
    b[:, :64] = blurred[:, :64]  # B sharp on the right half
    return a, b


def test_decision_map_finds_the_sharp_halves_and_is_deterministic():
    a, b = _pair()
    m = methods.get_method("wavelet-cnn")
    res = m.fuse(a, b, device="cpu")
    d = res.decision_map
    # away from the seam (patch + guided-filter reach) the right source is chosen
    assert (d[:, :48] > 0.5).mean() > 0.95 and (d[:, 80:] < 0.5).mean() > 0.95
    again = m.fuse(a, b, device="cpu")
    np.testing.assert_array_equal(res.image, again.image)
    # and the fused image is closer to the all-sharp one than either source
    from skimage import data

    sharp = data.camera()[100:228, 150:278].astype(np.float64)
    err = [np.abs(x - sharp).mean() for x in (res.image, a, b)]
    assert err[0] < 0.5 * min(err[1:]), err


def test_device_parameter():
    a, b = _pair()
    m = methods.get_method("wavelet-cnn")
    with pytest.raises(ParameterError, match="device"):
        m.fuse(a, b, device="tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ParameterError, match="CUDA is not available"):
            m.fuse(a, b, device="cuda")
    else:
        cpu, gpu = m.fuse(a, b, device="cpu"), m.fuse(a, b, device="cuda")
        assert np.abs(cpu.decision_map - gpu.decision_map).max() < 1e-3
