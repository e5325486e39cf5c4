"""The MST / MST-SR family (methods/mst): transforms, rules, methods, alias, released dictionary."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import methods
from bench.color import luma
from bench.errors import DataError
from methods.mst import dtcwt, dwt, lp, rp
from methods.mst.sr import RELEASED_SHA256, load_dictionary

MST = ["lp-mst", "rp-mst", "dwt-mst", "dtcwt-mst"]
SR = ["lp-sr", "rp-sr", "dwt-sr", "dtcwt-sr"]


@pytest.fixture(scope="module")
def crop(shared_datasets):
    from bench.io import read_image

    a, _ = read_image(shared_datasets / "lytro" / "lytro-01-A.jpg")
    return luma(a)[360:457, 192:303]  # 97×111, textured in both halves; odd sizes on purpose


@pytest.mark.parametrize("mod", [lp, rp, dwt, dtcwt], ids=lambda m: m.__name__.split(".")[-1])
def test_perfect_reconstruction(mod, crop):
    for levels in (1, 4):
        d = mod.forward(crop, levels)
        assert np.abs(mod.inverse(d) - crop).max() < 1e-10
    assert len(mod.forward(crop, 4).highs) > len(mod.forward(crop, 1).highs)


def test_lp_bands_carry_no_energy_on_a_ramp():
    # the [1 4 6 4 1]/16 kernel reproduces linear functions; mirrored borders break that only
    # at the edges, so the interior of every band-pass level vanishes on a ramp
    y, x = np.mgrid[0:64, 0:64]
    d = lp.forward(2.0 * x + 3.0 * y, 3)
    for band in d.highs:
        assert np.abs(band[6:-6, 6:-6]).max() < 1e-9
    r = rp.forward(np.full((32, 32), 40.0), 3)
    assert all(np.allclose(band, 1.0) for band in r.highs)  # ratio bands of a constant are 1


def test_dtcwt_separates_the_two_diagonals():
    # six oriented bands: gratings at +45° and −45° land in different bands (a real separable
    # DWT puts both in its single diagonal band)
    y, x = np.mgrid[0:128, 0:128]
    peaks = []
    for sign in (1, -1):
        d = dtcwt.forward(np.cos(2 * np.pi * 0.18 * (sign * x + y)), 3)
        e = np.array([np.sum(np.abs(d.highs[6 + k][8:-8, 8:-8]) ** 2) for k in range(6)])
        assert e.max() > 20 * np.sort(e)[-2]
        peaks.append(int(np.argmax(e)))
    assert peaks[0] != peaks[1]


@pytest.mark.parametrize("name", MST + SR)
def test_all_in_focus_from_two_half_blurred_sources(name, crop):
    sharp = crop[:96, :96]
    blurred = ndimage.gaussian_filter(sharp, 2.5)
    a, b = sharp.copy(), sharp.copy()
    a[:, 48:], b[:, :48] = blurred[:, 48:], blurred[:, :48]
    params = {}
    if name in SR:  # a 24×24 low-pass, so patches are coded (the DT-CWT keeps level 1 undecimated)
        params = {"levels": 3 if name == "dtcwt-sr" else 2}
    f = methods.get_method(name).fuse(a, b, **params).image
    err = np.mean((f - sharp) ** 2)
    assert err < 0.25 * min(np.mean((a - sharp) ** 2), np.mean((b - sharp) ** 2))
    if name in MST:
        same = methods.get_method(name).fuse(sharp, sharp).image
        assert np.abs(same - sharp).max() < 1e-9  # fusing an image with itself returns it


def test_mstsr_is_an_alias_of_lp_sr():
    assert methods.get_method("mstsr").name == "lp-sr"
    assert "mstsr" in methods.METHODS
    assert methods.list_methods("mstsr") == ["lp-sr"]
    assert "mstsr" not in methods.list_methods("*")
    assert methods.METHODS.get("lp-sr").info()["aliases"] == ["mstsr"]


def test_released_dictionary_and_its_hash_check(tmp_path, monkeypatch):
    d = load_dictionary()
    assert d.shape == (64, 256)
    np.testing.assert_allclose(np.linalg.norm(d, axis=0), 1.0, atol=1e-12)
    assert not np.allclose(d, load_dictionary("learned"))
    bad = tmp_path / "D_100000_256_8.mat"
    from scipy.io import savemat

    savemat(str(bad), {"D": d[:, ::-1]})
    monkeypatch.setenv("FUSEBENCH_MSTSR_DICTIONARY", str(bad))
    with pytest.raises(DataError, match=RELEASED_SHA256[:0] + "sha256"):
        load_dictionary()
    monkeypatch.setenv("FUSEBENCH_MSTSR_DICTIONARY", str(tmp_path / "absent.mat"))
    with pytest.raises(DataError, match="absent.mat"):
        methods.get_method("rp-sr").fuse(np.zeros((16, 16)), np.zeros((16, 16)))


def test_rp_sr_agrees_with_the_toolbox_output(shared_datasets):
    import metrics
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr, save_like_matlab_jpeg

    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "lytro_01_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_01_B.jpg")
    theirs, _ = read_image(root / "fused" / "RP_SR" / "lytro_01_RP_SR.jpg")
    saved = save_like_matlab_jpeg(methods.get_method("rp-sr").fuse(a, b).image)
    assert psnr(saved, theirs) > 50.0  # 55 dB measured
    dq = metrics.compute("qabf", a, b, saved) - metrics.compute("qabf", a, b, theirs)
    assert abs(dq) < 0.005
