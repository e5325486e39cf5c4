"""``nsst-papcnn``: the released CT/MR example (exact), the PA-PCNN parameters and both rules."""

from __future__ import annotations

import numpy as np
import pytest

import methods
from bench.io import read_image
from methods import nsst_papcnn as npp


def _released(shared_reference, folder):
    d = shared_reference / "released-examples" / folder
    return [read_image(d / f"{n}.tif")[0] for n in ("A", "B", "fused")]


@pytest.mark.slow
def test_reproduces_the_released_fused_image_exactly(shared_reference):
    """The authors' MATLAB output (uint8(255·F)) for their s01 CT/MR-T2 pair, pixel for pixel."""
    a, b, fused = _released(shared_reference, "nsst-papcnn_s01")
    out = methods.get_method("nsst-papcnn").fuse(a, b).image
    ours = np.floor(out + 0.5)  # MATLAB's uint8(): round half up, saturate
    assert np.array_equal(ours, fused)


def _otsu_mean_of_ties(q: np.ndarray) -> float:
    """Otsu on uint8 data by brute force: w0·w1·(μ0 − μ1)² for every split after level k;
    MATLAB's graythresh takes the mean k of the maximisers (empty bins make plateaus)."""
    v = q.ravel().astype(float)
    score = []
    for k in range(255):
        lo, hi = v[v <= k], v[v > k]
        score.append(0.0 if not len(lo) or not len(hi) else
                     len(lo) * len(hi) / len(v) ** 2 * (lo.mean() - hi.mean()) ** 2)
    score = np.array(score)
    return float(np.mean(np.flatnonzero(np.isclose(score, score.max(), rtol=1e-12)))) / 255


def test_pcnn_parameters_follow_the_paper_formulas(shared_reference):
    a, _, _ = _released(shared_reference, "nsst-papcnn_s01")
    band = np.diff(a[96:160, 96:160] / 255.0, axis=1)  # a real detail band
    f = np.abs(band)
    s = _otsu_mean_of_ties(np.floor(np.clip(f, 0, 1) * 255 + 0.5).astype(np.uint8))
    assert s == 44.5 / 255  # bins 44 and 45 tie (bin 45 is empty): MATLAB's mean of the two
    ratio = f.max() / s
    alpha_f = np.log10(1 / f.std(ddof=1))
    m = (1 - np.exp(-3 * alpha_f)) / (1 - np.exp(-alpha_f)) + (ratio - 1) * np.exp(-alpha_f)
    v_e = np.exp(-alpha_f) + ratio
    want = (alpha_f, (ratio - 1) / 6, v_e, np.log(v_e / (s * m)))
    assert np.allclose(npp.pcnn_parameters(band), want, rtol=1e-12)


def test_pcnn_fires_more_for_stronger_stimulus(shared_reference):
    a, b, _ = _released(shared_reference, "nsst-papcnn_s01")
    ca = np.diff(a[64:128, 64:128] / 255.0, axis=0)
    t = npp.pa_pcnn(ca)
    assert t.min() >= 0 and t.max() <= 110 and np.array_equal(t, np.round(t))
    mag = np.abs(ca)
    strong, weak = mag >= np.quantile(mag, 0.9), mag <= np.quantile(mag, 0.25)
    assert strong.sum() > 100 and weak.sum() > 100
    assert t[strong].mean() > 2 * t[weak].mean()
    assert np.array_equal(npp.highpass_rule(ca, -ca), ca)  # ties (|c| equal) go to A


def test_pcnn_band_without_otsu_split_never_fires():
    assert npp.pa_pcnn(np.zeros((6, 7))).max() == 0
    flat = np.full((6, 7), 1e-4)  # |c| < 1/510: one histogram bin
    assert npp.pa_pcnn(flat).max() == 0


def test_weighted_local_energy_with_the_release_border():
    e = npp.wle(np.ones((5, 6)))
    # the 3×3 kernel sums to 1; the release's border leaves the 4 outer corners at 0
    assert np.allclose(e[1:-1, :], 1.0) and np.allclose(e[:, 1:-1], 1.0)
    assert np.allclose(e[[0, 0, -1, -1], [0, -1, 0, -1]], 15 / 16)
    assert np.allclose(npp.wle(np.full((4, 4), 3.0))[1:-1, 1:-1], 9.0)


def test_wseml_of_a_ramp():
    ramp = np.tile(np.arange(12.0), (9, 1))  # c(i, j) = j
    v = npp.wseml(ramp)
    # EML = 2 (left/right) + 4/√2 (diagonals) away from the borders; mean, √, smoothing keep it
    assert np.allclose(v[3:-3, 3:-3], np.sqrt(2 + 4 / np.sqrt(2)))
    assert np.allclose(npp.wseml(np.full((5, 5), 7.0)), 0.0)


def test_lowpass_rule_prefers_the_textured_source(rng):
    smooth = np.full((20, 20), 0.5)
    textured = 0.5 + 0.1 * rng.standard_normal((20, 20))
    assert np.array_equal(npp.lowpass_rule(smooth, textured), textured)


def test_bad_parameters_are_refused():
    from bench.errors import ParameterError

    m = methods.get_method("nsst-papcnn")
    x = np.zeros((16, 16))
    with pytest.raises(ParameterError, match="one entry per level"):
        m.fuse(x, x, dcomp="3,3", dsize="8")
    with pytest.raises(ParameterError, match="dcomp"):
        m.fuse(x, x, dcomp="a,b")
