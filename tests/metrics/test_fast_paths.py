"""The fast Q_P and FMI code equals the straightforward code it replaced (issue 18).

The oracles below are the previous implementations, kept verbatim in spirit:
phase congruency with one ``scipy.fft.ifft2`` per orientation and plain
temporaries (no buffers reused, no ducc0), the feature agreement with one
``imfilter_separable`` per local statistic, and FMI's window loop with the
copula's second differences Δ²C over all 9×9 cells and the joint entropy
summed cell by cell. The fast code (numba kernels in
``metrics/perceptual/_pc_kernels.py`` and ``metrics/information/_fmi_kernels.py``)
must agree to 1e-9 (relative) on real images: Lytro crops, scikit-image's
camera and astronaut; without ducc0, phase congruency and Q_P to the bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft as sfft
from skimage import data

from bench.color import luma
from bench.matlab import imfilter_separable
from metrics.information import fmi as fmi_mod
from metrics.perceptual import phase_congruency as pc_mod

REL = 1e-9


# -- oracle: phase congruency as it was ---------------------------------------------------------
def _oracle_phase_congruency(img, k=2.0, cutoff=0.5, g=10.0):
    eps = pc_mod._EPSILON
    img = np.asarray(img, dtype=np.float64)
    rows, cols = img.shape
    bank = pc_mod.log_gabor_bank(rows, cols)
    image_fft = sfft.fft2(img)
    total_energy = np.zeros((rows, cols))
    total_sum_an = np.zeros((rows, cols))
    covx2, covy2, covxy = np.zeros((rows, cols)), np.zeros((rows, cols)), np.zeros((rows, cols))
    for o in range(bank.norient):
        eo = sfft.ifft2(image_fft[None] * (bank.radial * bank.spread[o]), axes=(-2, -1))
        an = np.abs(eo)
        sum_an = an.sum(axis=0)
        sum_eo = eo.sum(axis=0)
        mean_dir = sum_eo / (np.abs(sum_eo) + eps)
        proj = eo * np.conj(mean_dir)
        energy = proj.real.sum(axis=0) - np.abs(proj.imag).sum(axis=0)
        mean_e2n = -np.median(an[0] ** 2) / np.log(0.5)
        noise_power = mean_e2n / bank.em_n[o]
        noise_energy2 = 2 * noise_power * bank.sum_an2[o] + 4 * noise_power * bank.sum_aiaj[o]
        tau = np.sqrt(noise_energy2 / 2)
        threshold = (tau * np.sqrt(np.pi / 2) + k * np.sqrt((2 - np.pi / 2) * tau**2)) / 1.7
        energy = np.maximum(energy - threshold, 0.0)
        width = sum_an / (an.max(axis=0) + eps) / bank.nscale
        weight = 1.0 / (1.0 + np.exp((cutoff - width) * g))
        weighted = weight * energy
        total_sum_an += sum_an
        total_energy += weighted
        with np.errstate(divide="ignore", invalid="ignore"):
            pc_o = np.where(sum_an > 0, weighted / sum_an, 0.0)
        angl = o * np.pi / bank.norient
        covx, covy = pc_o * np.cos(angl), pc_o * np.sin(angl)
        covx2 += covx**2
        covy2 += covy**2
        covxy += covx * covy
    pc = total_energy / (total_sum_an + eps)
    covx2 /= bank.norient / 2
    covy2 /= bank.norient / 2
    covxy /= bank.norient
    denom = np.sqrt(covxy**2 + (covx2 - covy2) ** 2) + eps
    return pc, (covy2 + covx2 + denom) / 2, (covy2 + covx2 - denom) / 2


def _oracle_feature_agreement(f1, f2, fmax, ff, mask1, mask2, mask3, c):
    def local_mean(x):
        return imfilter_separable(x, pc_mod._WINDOW)

    ff_mu = local_mean(ff)
    ff_var = local_mean(ff * ff) - ff_mu**2
    best = None
    for feat, mask in ((f1, mask1), (f2, mask2), (fmax, mask3)):
        x = feat * mask
        mu = local_mean(x)
        var = local_mean(x * x) - mu**2
        cov = local_mean(x * ff) - mu * ff_mu
        if c is None:
            prod = var * ff_var
            ok = mask & (prod > 1e-12)
            r = np.zeros_like(cov)
            r[ok] = cov[ok] / np.sqrt(prod[ok])
        else:
            r = np.where(mask, (cov + c) / (np.sqrt(np.abs(var * ff_var)) + c), 0.0)
        best = r if best is None else np.maximum(best, r)
    n = int(mask3.sum())
    return float(best.sum() / n) if n else float("nan")


def _oracle_qp(a, b, f, toolbox):
    (pc1, b1, s1), (pc2, b2, s2), (pcf, bf, sf) = (_oracle_phase_congruency(x) for x in (a, b, f))
    take1 = pc1 > pc2
    pc_max = np.where(take1, pc1, pc2)
    t = pc_mod.FEATURE_THRESHOLD
    masks = (pc1 > t, pc2 > t, pc_max > t)
    c = 1e-4 if toolbox else None
    out = 1.0
    for x1, x2, xf in ((pc1, pc2, pcf), (b1, b2, bf), (s1, s2, sf)):
        out *= _oracle_feature_agreement(x1, x2, np.where(take1, x1, x2), xf, *masks, c=c)
    return out


# -- oracle: FMI with the copula's second differences over every cell --------------------------
def _oracle_entropy(p):
    logs = np.zeros_like(p)
    np.log2(np.abs(p), out=logs, where=p != 0)
    return -np.sum(p * logs, axis=tuple(range(p.ndim - 1)))


def _oracle_fmi(a, b, f):
    def windows(x):
        v = sliding_window_view(fmi_mod.gradient_feature(x), (3, 3))
        return np.swapaxes(v, -1, -2).reshape(-1, 9).T

    def stats(x):
        lo, hi = x.min(axis=0), x.max(axis=0)
        rng = hi - lo
        norm = np.where(rng > 0, (x - lo) / np.where(rng > 0, rng, 1.0), 1.0)
        pdf = norm / norm.sum(axis=0)
        cdf0 = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(pdf, axis=0)])
        idx = np.arange(1.0, 10.0)
        sd = np.sqrt(np.abs(idx**2 @ pdf - (idx @ pdf) ** 2))
        return x, pdf, cdf0, pdf - pdf.mean(axis=0), sd, _oracle_entropy(pdf)

    def pair(xs, fs):
        xr, px, cx0, xc, sdx, hx = xs
        fr, pf, cf0, fc, sdf, hf = fs
        num = np.sum(xc * fc, axis=0)
        den = np.sqrt(np.sum(xc * xc, axis=0) * np.sum(fc * fc, axis=0))
        c = np.divide(num, den, out=np.zeros_like(num), where=num != 0)
        cf, cx = cf0[:, None, :], cx0[None, :, :]
        cop = np.minimum(cf, cx)
        neg = c < 0
        cop[:, :, neg] = np.maximum(cf[:, :, neg] + cx[:, :, neg] - 1.0, 0.0)
        inner = cop[1:, 1:]
        cov = inner.sum(axis=(0, 1)) - cf0[1:].sum(axis=0) * cx0[1:].sum(axis=0)
        sds = sdx * sdf
        ok = (c != 0) & (sds > 0)
        phi = np.zeros_like(c)
        phi[ok] = c[ok] * sds[ok] / cov[ok]
        mass = inner - cop[:-1, 1:] - cop[1:, :-1] + cop[:-1, :-1]
        joint = phi * mass + (1.0 - phi) * (pf[:, None, :] * px[None, :, :])
        mi = hx + hf - _oracle_entropy(joint)
        out = np.divide(2.0 * mi, hx + hf, out=np.zeros_like(mi), where=mi != 0)
        return np.where(np.all(xr == fr, axis=0), 1.0, out)

    wa, wb, wf = (np.ascontiguousarray(windows(x)) for x in (a, b, f))
    total, n = 0.0, wa.shape[1]
    for s in range(0, n, 4096):  # batches of 4096 windows, as the previous code
        sl = (slice(None), slice(s, s + 4096))
        sf = stats(wf[sl])
        total += float(np.sum(pair(stats(wa[sl]), sf) + pair(stats(wb[sl]), sf)))
    return total / (2.0 * n)


# -- real images ---------------------------------------------------------------------------------
def _skimage_triples():
    cam = data.camera().astype(np.float64)[150:246, 200:296]
    ast = luma(data.astronaut().astype(np.float64))[40:136, 180:276]
    out = []
    for sharp in (cam, ast):
        blur = (sharp + np.roll(sharp, 1, 0) + np.roll(sharp, 1, 1) + np.roll(sharp, (1, 1), (0, 1))) / 4
        a, b = sharp.copy(), sharp.copy()
        a[:, 48:] = blur[:, 48:]
        b[:, :48] = blur[:, :48]
        out.append((a, b, (a + b) / 2))
    return out


@pytest.fixture(scope="module")
def triples(lytro_pair):
    a, b = (luma(x)[200:328, 190:319] for x in lytro_pair)  # 128×129: odd width too
    return [(a, b, np.maximum(a, b)), *_skimage_triples()]


def test_phase_congruency_maps_equal_the_oracle(triples):
    for a, _, f in triples[:2]:
        for x in (a, f):
            for fast, slow in zip(pc_mod.phase_congruency(x), _oracle_phase_congruency(x)):
                assert np.max(np.abs(fast - slow)) <= REL * np.max(np.abs(slow))


@pytest.mark.parametrize("toolbox", [False, True])
def test_qp_equals_the_oracle(triples, toolbox):
    for a, b, f in triples:
        fast = pc_mod.qp_channel(a, b, f, toolbox=toolbox)
        assert fast == pytest.approx(_oracle_qp(a, b, f, toolbox), rel=REL, abs=1e-12)


def test_qp_without_ducc0_is_bit_identical_to_the_oracle(triples, monkeypatch):
    # the compiled loops perform the same floating-point operations as the oracle (numpy's
    # complex abs/product/division, scipy's correlate1d order); only a different FFT
    # library (ducc0) moves the last bits
    monkeypatch.setattr(pc_mod, "_ducc_fft", None)
    a, b, f = triples[0]
    for fast, slow in zip(pc_mod.phase_congruency(a), _oracle_phase_congruency(a)):
        assert np.array_equal(fast, slow)
    for toolbox in (False, True):
        assert pc_mod.qp_channel(a, b, f, toolbox=toolbox) == _oracle_qp(a, b, f, toolbox)


def test_fmi_equals_the_oracle(triples):
    for a, b, f in triples:
        fast = fmi_mod.feature_mutual_information(a, b, f)
        assert fast == pytest.approx(_oracle_fmi(a, b, f), rel=REL)
    # negatively correlated windows (the lower Fréchet bound) and flat windows
    a, b, _ = triples[1]
    f = 255.0 - a
    f[:20, :20] = 7.0
    assert fmi_mod.feature_mutual_information(a, b, f) == pytest.approx(_oracle_fmi(a, b, f), rel=REL)


def test_qp_median_is_numpys_median():
    # the noise threshold's median: a bracket from a sample, then selection; ties, zeros,
    # heavy tails, both parities, and a sample that misses the middle (falls back)
    from metrics.perceptual._pc_kernels import median

    rng = np.random.default_rng(3)
    a = luma(data.astronaut().astype(np.float64)).ravel()
    skewed = np.r_[np.zeros(40000), np.full(40000, 5.0)]  # stride sample hits only zeros
    for x in (a, a[:-1], rng.random(30001) ** 8, np.round(rng.random(50000) * 3),
              np.zeros(20000), skewed, rng.random(99)):
        assert median(x.copy()) == np.median(x)
