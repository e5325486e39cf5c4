"""``methods.sparse.omp_batch``: the batched OMP against the per-signal one on real patches."""

from __future__ import annotations

import numpy as np
import pytest

from bench.color import luma
from methods.mstsr.dictionary import load_dictionary
from methods.sparse import omp_batch
from methods.sparse import omp_reference as omp_codes


def _patches(img, y0, x0, size):
    """Zero-mean 8×8 sliding patches (step 3) of a size×size window, column-major pixels."""
    v = np.lib.stride_tricks.sliding_window_view(img[y0:y0 + size, x0:x0 + size], (8, 8))
    v = v[::3, ::3].transpose(0, 1, 3, 2).reshape(-1, 64).T
    return v - v.mean(axis=0)


@pytest.mark.parametrize("epsilon", [0.1, 25.0])
def test_codes_equal_the_per_signal_omp(lytro_pair, epsilon):
    d = load_dictionary()
    g = luma(lytro_pair[0])
    # a sharp and a flat region of the real image: long and short codes
    x = np.concatenate([_patches(g, 120, 200, 31), _patches(g, 0, 0, 31)], axis=1)
    ref = omp_codes(d, x, epsilon)
    got = omp_batch(d, x, epsilon, chunk=64)  # several chunks, several compactions
    assert np.array_equal(ref != 0, got != 0)  # same atoms for every signal
    scale = np.abs(ref).max(axis=0, keepdims=True) + 1e-300
    assert np.max(np.abs(got - ref) / scale) < 1e-9
    nnz = (ref != 0).sum(axis=0)
    assert nnz.max() >= nnz.min() + 10  # the sample mixes easy and hard signals
    resid = np.sum((x - d @ got) ** 2, axis=0)
    assert np.all(resid <= epsilon * (1 + 1e-9))


def test_small_signals_get_zero_codes_and_max_atoms_caps(lytro_pair):
    d = load_dictionary()
    x = _patches(luma(lytro_pair[0]), 120, 200, 20)
    x[:, 0] = 0.01  # ‖x‖² = 0.0064 ≤ epsilon
    codes = omp_batch(d, x, 0.1, max_atoms=5)
    assert not codes[:, 0].any()
    assert (codes != 0).sum(axis=0).max() == 5
    # a 1-D signal gives a 1-D code, equal to its column in the batch
    np.testing.assert_allclose(omp_batch(d, x[:, 3], 0.1, max_atoms=5), codes[:, 3], rtol=1e-12)


def test_released_dictionaries_are_declared_as_in_the_shared_manifest(published_weights_dir):
    """Every file of sparse-dictionaries/MANIFEST.json is declared with its sha256, size and source."""
    import json

    from methods.sparse import RELEASED

    manifest = json.loads((published_weights_dir / "sparse-dictionaries" / "MANIFEST.json").read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    assert {spec.relpath for spec in RELEASED.values()} == set(listed)
    for spec in RELEASED.values():
        f = listed[spec.relpath]
        assert (spec.sha256, spec.size, spec.repo, spec.commit, spec.source_path) == (
            f["sha256"], f["bytes"], f["source_repo"], f["source_commit"], f["source_path"])


def test_released_dictionary_loads_checks_and_explains(published_weights_dir, tmp_path, monkeypatch):
    from scipy.io import savemat

    from bench.errors import ParameterError
    from bench.weights import WeightsError
    from methods.sparse import released_dictionary

    d = released_dictionary("csr/dict.mat")["D"]
    assert d.shape == (8, 8, 32)  # the released 32 filters of 8×8
    asr = released_dictionary("asr/D_100000_256_8_6.mat")
    assert asr["Dn"].shape == (64, 6 * 256) and int(asr["dic_number"].ravel()[0]) == 6
    # a folder with a wrong file: refused, naming the file and the expected hash
    (tmp_path / "csr").mkdir()
    savemat(str(tmp_path / "csr" / "dict.mat"), {"D": d[:, :, ::-1]})
    with pytest.raises(WeightsError, match=r"csr/dict\.mat.*sha256.*2cf35f24bc727099"):
        released_dictionary("csr/dict.mat", tmp_path)
    # not found anywhere and offline: names the file's variable, the folder and the URL
    monkeypatch.delenv("FUSEBENCH_SPARSE_DICTIONARIES", raising=False)
    monkeypatch.setenv("FUSEBENCH_WEIGHTS", str(tmp_path / "none"))
    monkeypatch.setenv("FUSEBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FUSEBENCH_OFFLINE", "1")
    with pytest.raises(WeightsError, match=r"FUSEBENCH_CSMCA_DC_8_8_32.*raw\.githubusercontent"):
        released_dictionary("csmca/Dc_8_8_32.mat")
    with pytest.raises(ParameterError, match="known"):
        released_dictionary("csr/other.mat")
