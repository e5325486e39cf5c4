"""``asr``: patch classification and fusion against a literal per-patch transcription of the paper."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

import methods
from bench.color import luma
from methods.asr import asr_dictionaries, asr_fuse_gray, patch_classes
from methods.sparse import omp_reference as omp_codes

DX = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def _class_loop(pa, pb):
    """One patch pair at a time, as the paper describes it (independent of the mosaic trick)."""
    p = pa if pa.var() > pb.var() else pb
    dx = ndimage.correlate(p, DX, mode="constant")
    dy = ndimage.correlate(p, DX.T, mode="constant")
    hist = np.zeros(6)
    for gx, gy in zip(dx.ravel(), dy.ravel()):
        if gx == 0 and gy == 0:
            continue
        theta = 90.0 if gx == 0 else np.degrees(np.arctan(gy / gx))
        theta = theta + 180 if theta < 0 else theta
        k = int(np.ceil(theta / 30.0))
        if 1 <= k <= 6:
            hist[k - 1] += np.hypot(gx, gy)
    j = int(np.argmax(hist))
    return j + 1 if hist.sum() > 0 and hist[j] / hist.sum() > 0.25 else 0


def _windows(img, step):
    v = np.lib.stride_tricks.sliding_window_view(img, (8, 8))[::step, ::step]
    return v.reshape(-1, 8, 8)


def test_classes_match_the_per_patch_histogram(lytro_pair):
    a, b = (luma(x)[150:190, 180:230] for x in lytro_pair)
    pa, pb = _windows(a, 2), _windows(b, 2)
    got = patch_classes(pa, pb)
    expected = [_class_loop(x, y) for x, y in zip(pa, pb)]
    assert got.tolist() == expected
    assert len(set(expected)) >= 4  # real content: several orientations and the general class


def test_fusion_equals_the_per_patch_transcription(lytro_pair):
    a, b = (luma(x)[170:186, 200:220] for x in lytro_pair)
    dicts = asr_dictionaries()
    got = asr_fuse_gray(a, b, dicts, step=1, epsilon=0.1, mean="chosen")
    acc, cnt = np.zeros_like(a), np.zeros_like(a)
    for y in range(a.shape[0] - 7):
        for x in range(a.shape[1] - 7):
            pa, pb = a[y:y + 8, x:x + 8], b[y:y + 8, x:x + 8]
            d = dicts[_class_loop(pa, pb)]
            va, vb = pa.T.ravel() - pa.mean(), pb.T.ravel() - pb.mean()
            # the release's omp2(D, x, G, 0.1) stops at ‖r‖₂ ≤ 0.1; omp_reference takes ‖r‖²
            ca, cb = (omp_codes(d, v[:, None], 0.1 ** 2)[:, 0] for v in (va, vb))
            code, m = (cb, pb.mean()) if np.abs(ca).sum() < np.abs(cb).sum() else (ca, pa.mean())
            acc[y:y + 8, x:x + 8] += (d @ code).reshape(8, 8).T + m
            cnt[y:y + 8, x:x + 8] += 1
    np.testing.assert_allclose(got, acc / cnt, atol=1e-8)


def test_multifocus_crop_keeps_the_sharp_source(lytro_pair):
    # the fused crop follows the source that is sharper there (more gradient energy)
    a, b = (x[150:190, 180:230] for x in lytro_pair)
    sharp, blurred = (a, b) if np.abs(np.diff(a, axis=1)).sum() > np.abs(np.diff(b, axis=1)).sum() \
        else (b, a)
    assert np.abs(np.diff(sharp, axis=1)).sum() > 1.3 * np.abs(np.diff(blurred, axis=1)).sum()
    f = methods.get_method("asr").fuse(a, b, step=2).image
    err_sharp, err_blurred = np.abs(f - sharp).mean(), np.abs(f - blurred).mean()
    assert err_sharp < 0.5 * err_blurred, (err_sharp, err_blurred)
