"""Kumar / Petrovic objective fusion performance: Q^AB/F, L^AB/F, N^AB/F (both forms)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from bench.validate.mefb import metrics_vs_mefb
from metrics.edge.loss_artefacts import mirror_gradients, objective_performance

FAMILY = ("qabf-petrovic", "qlabf", "qnabf", "qnabf-petrovic")
# one colour, one grey, one grey-sources-with-RGB-fused image (MEFB red-channel rule)
CALIBRATION_IMAGES = [("savic_01", "GFF"), ("savic_10", "MSVD"), ("aymaz_01", "CSR")]


@pytest.fixture(scope="module")
def crop(lytro_pair):
    """A 256×256 corner of Lytro pair 01 (keeps the tests fast)."""
    return tuple(x[:256, :256] for x in lytro_pair)


@pytest.fixture(scope="module")
def candidates(crop):
    a, b = crop
    avg = (a + b) / 2
    return {
        "average": avg,
        "blurred": ndimage.gaussian_filter(avg, sigma=(2, 2, 0)),
        "noisy": np.clip(avg + np.random.default_rng(7).normal(0, 12, avg.shape), 0, 255),
        "source_a": a,
    }


def test_q_plus_l_plus_n_is_exactly_one(crop, candidates):
    a, b = crop
    for name, f in candidates.items():
        for conv in ("default", "mefb"):
            q, l, n = (metrics.compute(m, a, b, f, convention=conv) for m in ("qabf-petrovic", "qlabf", "qnabf"))
            assert q + l + n == pytest.approx(1.0, abs=1e-12), (name, conv)


def test_petrovic_artefacts_differ_from_kumars(crop, candidates):
    a, b = crop
    r = objective_performance(luma(a), luma(b), luma(candidates["noisy"]))
    assert r.n_petrovic > r.n > 0  # Petrovic's N double-counts: Q + L + N_P > 1
    assert r.q + r.l + r.n_petrovic > 1.0


def test_identical_images_lose_and_add_nothing_beyond_the_sigmoid_ceiling(lytro_pair):
    x = luma(lytro_pair[0])
    r = objective_performance(x, x, x)
    assert r.n == 0.0 and r.n_petrovic == 0.0
    assert r.q > 0.99 and r.l == pytest.approx(1.0 - r.q, abs=1e-14)


def test_blur_loses_information_and_noise_adds_artefacts(crop, candidates):
    a, b = crop

    def score(m, key):
        return metrics.compute(m, a, b, candidates[key])

    assert score("qlabf", "blurred") > score("qlabf", "average") + 0.1
    assert score("qabf-petrovic", "blurred") < score("qabf-petrovic", "average") - 0.1
    assert score("qnabf", "noisy") > 3 * score("qnabf", "average")
    assert score("qnabf-petrovic", "noisy") > 3 * score("qnabf-petrovic", "average")


def test_sobel_mirror_matches_scipy_sobel_on_mirrored_image(lytro_pair):
    x = luma(lytro_pair[0])[:40, :50]
    gv, gh = mirror_gradients(x)
    np.testing.assert_allclose(gv, ndimage.sobel(x, axis=1, mode="mirror") / 8, atol=1e-12)
    np.testing.assert_allclose(gh, ndimage.sobel(x, axis=0, mode="mirror") / 8, atol=1e-12)


def test_default_is_luma_and_equals_mefb_for_grey(crop, candidates):
    a, b = crop
    f = candidates["average"]
    ref = objective_performance(luma(a), luma(b), luma(f))
    assert metrics.compute("qlabf", a, b, f) == pytest.approx(ref.l, rel=1e-13)
    ga, gb, gf = luma(a), luma(b), luma(f)
    for m in ("qlabf", "qnabf"):
        assert metrics.compute(m, ga, gb, gf) == metrics.compute(m, ga, gb, gf, convention="mefb")


def test_flat_images_are_defined():
    z = np.full((16, 16), 80.0)
    r = objective_performance(z, z, z)
    assert all(np.isfinite(r)) and r.n == 0.0


def test_reproduces_octave_calibration_rows(shared_reference):
    df = metrics_vs_mefb(shared_reference, subset=CALIBRATION_IMAGES, metrics=list(FAMILY))
    assert len(df) == len(FAMILY) * len(CALIBRATION_IMAGES)
    bad = df[~df["ok"]]
    assert bad.empty, bad[["fused_file", "fusebench_metric", "ours", "reference"]].to_string()
