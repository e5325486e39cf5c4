"""The dictionary learned here (``dictionary='learned'``), OMP, the SR rule, ``mstsr`` = ``lp-sr``."""

from __future__ import annotations

import json

import numpy as np
from scipy import ndimage

import methods
from bench.color import luma
from bench.io import read_image
from methods.mst.rules import choose_max_consistent
from methods.mst.sr import sparse_codes as omp_codes
from methods.mst.sr import sparse_fusion
from methods.mstsr.dictionary import DEFAULT_PATH, load_dictionary


def test_shipped_dictionary_is_a_proper_dictionary():
    d = load_dictionary()
    assert d.shape == (64, 256)
    np.testing.assert_allclose(np.linalg.norm(d, axis=0), 1.0, atol=1e-6)
    gram = np.abs(d.T @ d - np.eye(256))
    assert gram.max() < 0.999  # no duplicated atoms
    with np.load(DEFAULT_PATH) as z:
        meta = json.loads(str(z["meta"]))
    assert meta["images"] >= 100 and "natural" in meta["data_dir"]


def test_omp_meets_the_error_target(lytro_pair):
    d = load_dictionary()
    x = luma(lytro_pair[0])[:8 * 12, :8 * 12]
    patches = x.reshape(12, 8, 12, 8).transpose(1, 3, 0, 2).reshape(64, -1)
    patches = patches - patches.mean(axis=0)
    codes = omp_codes(d, patches, 2.0)  # ε bounds the residual's norm (ompbox's omp2)
    resid = np.sum((patches - d @ codes) ** 2, axis=0)
    assert np.all(resid <= 4.0 + 1e-6)
    assert np.any(resid > 1.0)  # not the squared error ≤ ε (a code that stops later)
    assert np.median((codes != 0).sum(axis=0)) < 64  # sparse, not a full basis


def test_sparse_fusion_keeps_the_structured_source(lytro_pair):
    x = luma(lytro_pair[0])[120:160, 200:240]
    flat = ndimage.gaussian_filter(x, 6.0)
    f = sparse_fusion(flat, x, load_dictionary(), 6, 0.1)
    assert np.mean((f - x) ** 2) < 0.05 * np.mean((flat - x) ** 2)


def test_consistency_rule_takes_majority_source(lytro_pair):
    la = luma(lytro_pair[0])[:40, :40] - 128
    out = choose_max_consistent(la, 0.5 * la)
    np.testing.assert_array_equal(out, la)


def test_agreement_with_the_toolbox_output(shared_datasets):
    import metrics
    from bench.validate.mfifb_outputs import psnr, save_like_matlab_jpeg

    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "lytro_02_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_02_B.jpg")
    theirs, _ = read_image(root / "fused" / "MST_SR" / "lytro_02_MST_SR.jpg")
    ours = methods.get_method("mstsr").fuse(a, b).image  # the alias of lp-sr, released dictionary
    saved = save_like_matlab_jpeg(ours)
    assert psnr(saved, theirs) > 50.0  # 58 dB measured; 47 dB with the dictionary learned here
    dq = metrics.compute("qabf", a, b, saved) - metrics.compute("qabf", a, b, theirs)
    assert abs(dq) < 0.005


def test_learn_dictionary_small_run(shared_datasets, tmp_path):
    data = tmp_path / "imgs"
    data.mkdir()
    for src in sorted((shared_datasets / "natural" / "images").glob("*.jpg"))[:4]:
        (data / src.name).write_bytes(src.read_bytes())
    from bench.cli import main

    out = tmp_path / "d.npz"
    rc = main(["learn-dictionary", "--data-dir", str(data), "--out", str(out), "--atoms", "16",
               "--per-image", "100", "--max-iter", "1"])
    assert rc == 0
    d = load_dictionary(out)
    assert d.shape == (64, 16)
    np.testing.assert_allclose(np.linalg.norm(d, axis=0), 1.0, atol=1e-6)
