"""Q_P: phase-congruency feature metric (Zhao, Laganière & Liu 2007).

J. Zhao, R. Laganière, Z. Liu, "Performance assessment of combinative
pixel-level image fusion based on an absolute feature measurement",
Int. J. Innovative Computing, Information and Control 3(6A):1433-1447, 2007.
Higher is better; 1 when the fused image's features match the sources'.

Features: Kovesi's phase congruency PC and the maximum / minimum moments
M, m of its orientation covariance (edge and corner strength), computed with
a log-Gabor filter bank of 4 scales × 6 orientations (minimum wavelength 3,
scale factor 2.1, σ_f/f₀ = 0.55, angular spread π/6/1.2, noise threshold k = 2,
frequency-spread cut-off 0.5, sigmoid gain 10) — P. Kovesi, "Image features
from phase congruency", Videre 1(3), 1999; "Phase congruency detects corners
and edges", DICTA 2003. All convolutions are FFT products (periodic borders).

For each feature map k ∈ {PC, M, m} of sources A, B, of their pixel-wise
"max" image S (A's value where PC_A > PC_B, else B's) and of the fused F::

    r_XF(x) = σ_XF / sqrt(σ_X² σ_F²)   (local correlation coefficient; 0 where
              σ_X² σ_F² ≤ 1e-12), statistics in an 11×11 Gaussian window
              (σ = 1.5, zero padding), X's feature map set to 0 where PC_X ≤ 0.1;
    P_k = Σ_x max(r_AF·[PC_A>0.1], r_BF·[PC_B>0.1], r_SF·[PC_S>0.1]) / #{PC_S > 0.1}
    Q_P = P_PC · P_M · P_m

(the exponents α = β = γ = 1 of the paper). This windowed form is the one of
Z. Liu's fusion-metric toolbox (``metricZhao.m``), which MEFB ships as
``metricsQp.m``; it is the de-facto definition the literature reports.

``default`` vs ``mefb``: the toolbox stabilises the correlation as
(σ_XF + c)/(sqrt(|σ_X² σ_F²|) + c) with c = 1e-4. Feature maps live in
[0, 1], so c is not small against their local variances, and where the fused
feature map is locally flat the ratio becomes c/c = 1: a constant fused image
scores Q_P ≈ 1 in the toolbox form. The ``default`` uses the paper's plain
correlation coefficient (undefined → 0), so a featureless fused image scores 0.
Everything else (filters, thresholds, masks, windows) is identical.

    >>> import numpy as np
    >>> y, x = np.mgrid[0:64, 0:64]
    >>> a = 255.0 * (x > 32); b = 255.0 * (y > 32); f = (a + b) / 2
    >>> 0.0 < qp_channel(a, b, f) <= 1.0
    True

Conventions: ``default`` scores BT.601 luma; ``mefb`` reproduces MEFB's
``metricsQp.m`` (toolbox correlation; per RGB channel then the mean; grey
sources with an RGB fused image use the fused red channel). Sources without any feature above
the threshold give NaN (the ratio is undefined).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
from scipy import fft as sfft

from bench.matlab import gaussian_taps
from metrics.base import Convention, register_metric
from metrics.features import memo

try:  # ducc0 (pocketfft's successor, same author): the inverse FFTs in ~0.6× scipy's time
    from ducc0 import fft as _ducc_fft
except ImportError:  # pragma: no cover - scipy's pocketfft gives the same values to ~1e-16
    _ducc_fft = None

FEATURE_THRESHOLD = 0.1
_EPSILON = 1e-4  # Kovesi's division guard
_FLAT_PRODUCT = 1e-12  # σ_X² σ_F² at or below this: correlation undefined, taken as 0


@dataclass(frozen=True)
class LogGaborBank:
    """Frequency-domain log-Gabor filters (radial × angular) for one image size."""

    radial: np.ndarray  # (nscale, H, W), zero frequency at [0, 0]
    spread: np.ndarray  # (norient, H, W)
    em_n: np.ndarray  # (norient,) Σ filter² at the finest scale
    sum_an2: np.ndarray  # (norient,) Σ_s Σ_x (spatial filter)²
    sum_aiaj: np.ndarray  # (norient,) Σ_{s<t} Σ_x spatial_s · spatial_t

    @property
    def nscale(self) -> int:
        return self.radial.shape[0]

    @property
    def norient(self) -> int:
        return self.spread.shape[0]


def _normalised_axis(n: int) -> np.ndarray:
    """Frequency coordinates in [-0.5, 0.5] with Kovesi's odd/even rule (centred)."""
    if n % 2:
        return np.arange(-(n - 1) / 2, (n - 1) / 2 + 1) / (n - 1)
    return np.arange(-n / 2, n / 2) / n


def _lowpass(rows: int, cols: int, cutoff: float = 0.45, order: int = 15) -> np.ndarray:
    """Butterworth low-pass 1 / (1 + (r/cutoff)^(2·order)), quadrant-shifted like Kovesi's."""
    x = (np.arange(cols) - cols // 2) / cols
    y = (np.arange(rows) - rows // 2) / rows
    radius = np.hypot(x[None, :], y[:, None])
    return np.fft.fftshift(1.0 / (1.0 + (radius / cutoff) ** (2 * order)))


@lru_cache(maxsize=2)
def log_gabor_bank(
    rows: int,
    cols: int,
    nscale: int = 4,
    norient: int = 6,
    min_wavelength: float = 3.0,
    mult: float = 2.1,
    sigma_on_f: float = 0.55,
    dtheta_on_sigma: float = 1.2,
) -> LogGaborBank:
    """Build (and cache per image size) the filter bank and its noise statistics."""
    xr, yr = _normalised_axis(cols), _normalised_axis(rows)
    x, y = xr[None, :], yr[:, None]
    radius = np.hypot(x, y)
    radius[rows // 2, cols // 2] = 1.0  # avoid log(0); the DC term is zeroed below
    theta = np.fft.ifftshift(np.arctan2(-y, x))
    radius = np.fft.ifftshift(radius)
    sin_t, cos_t = np.sin(theta), np.cos(theta)

    lp = _lowpass(rows, cols)
    fo = 1.0 / (min_wavelength * mult ** np.arange(nscale))
    radial = np.exp(
        -(np.log(radius[None] / fo[:, None, None]) ** 2) / (2 * np.log(sigma_on_f) ** 2)
    )
    radial *= lp
    radial[:, 0, 0] = 0.0

    angl = np.arange(norient) * np.pi / norient
    ds = sin_t[None] * np.cos(angl)[:, None, None] - cos_t[None] * np.sin(angl)[:, None, None]
    dc = cos_t[None] * np.cos(angl)[:, None, None] + sin_t[None] * np.sin(angl)[:, None, None]
    theta_sigma = np.pi / norient / dtheta_on_sigma
    spread = np.exp(-(np.arctan2(ds, dc) ** 2) / (2 * theta_sigma**2))

    em_n = np.empty(norient)
    sum_an2 = np.empty(norient)
    sum_aiaj = np.empty(norient)
    for o in range(norient):
        filt = radial * spread[o]
        em_n[o] = np.sum(filt[0] ** 2)
        spatial = sfft.ifft2(filt, axes=(-2, -1), workers=1).real * np.sqrt(rows * cols)
        total = spatial.sum(axis=0)
        sq = np.sum(spatial**2)
        sum_an2[o] = sq
        sum_aiaj[o] = (np.sum(total**2) - sq) / 2.0  # Σ_{s<t} a_s a_t
    for arr in (radial, spread, em_n, sum_an2, sum_aiaj):
        arr.setflags(write=False)
    return LogGaborBank(radial, spread, em_n, sum_an2, sum_aiaj)


def phase_congruency(
    img: np.ndarray, *, k: float = 2.0, cutoff: float = 0.5, g: float = 10.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kovesi's PC_2 phase congruency and its covariance moments ``(pc, M, m)``.

    ``pc = Σ_o W_o ⌊E_o − T_o⌋ / (Σ_o Σ_s A_so + ε)`` with the energy
    ``E_o = Σ_s (e_so·ē + o_so·ō − |e_so·ō − o_so·ē|)`` against the mean phase
    vector (ē, ō), the noise threshold ``T_o`` from the median response at the
    finest scale (Rayleigh model, divided by 1.7) and the frequency-spread
    sigmoid ``W_o``. ``M``, ``m`` are the largest / smallest eigenvalues of the
    covariance of the per-orientation PC vectors (edge / corner strength).

    >>> pc, M, m = phase_congruency(np.tile(255.0 * (np.arange(64) > 31), (64, 1)))
    >>> bool(pc[:, 31:33].mean() > 0.5 > pc[:, :20].mean())
    True
    """
    from metrics.perceptual import _pc_kernels as kern  # numba: imported on first use

    img = np.asarray(img, dtype=np.float64)
    if img.ndim != 2:
        raise ValueError(f"phase congruency needs a single-channel image, got shape {img.shape}")
    rows, cols = img.shape
    bank = log_gabor_bank(rows, cols)
    ns = bank.nscale
    image_fft = sfft.fft2(img, workers=1)
    total_energy = np.zeros((rows, cols))
    total_sum_an = np.zeros((rows, cols))
    covx2 = np.zeros((rows, cols))
    covy2 = np.zeros((rows, cols))
    covxy = np.zeros((rows, cols))
    # buffers reused by every orientation; the compiled loops perform numpy's operations
    eo = np.empty((ns, rows, cols), dtype=np.complex128)
    sum_an, max_an, energy, an0sq = (np.empty((rows, cols)) for _ in range(4))
    for o in range(bank.norient):
        kern.fill_responses(image_fft, bank.radial, bank.spread[o], eo)
        _ifft2_stack(eo)  # (scale, H, W): even (real) and odd (imaginary) responses
        kern.orientation_energy(eo, _EPSILON, sum_an, max_an, an0sq, energy)
        mean_e2n = -kern.median(an0sq.reshape(-1)) / np.log(0.5)
        noise_power = mean_e2n / bank.em_n[o]
        noise_energy2 = 2 * noise_power * bank.sum_an2[o] + 4 * noise_power * bank.sum_aiaj[o]
        tau = np.sqrt(noise_energy2 / 2)
        threshold = (tau * np.sqrt(np.pi / 2) + k * np.sqrt((2 - np.pi / 2) * tau**2)) / 1.7
        angl = o * np.pi / bank.norient
        kern.orientation_accumulate(energy, sum_an, max_an, float(threshold), _EPSILON, float(ns),
                                    float(cutoff), float(g), float(np.cos(angl)), float(np.sin(angl)),
                                    total_energy, total_sum_an, covx2, covy2, covxy)
    pc = total_energy / (total_sum_an + _EPSILON)
    covx2 /= bank.norient / 2
    covy2 /= bank.norient / 2
    covxy /= bank.norient
    denom = np.sqrt(covxy**2 + (covx2 - covy2) ** 2) + _EPSILON
    return pc, (covy2 + covx2 + denom) / 2, (covy2 + covx2 - denom) / 2


def _ifft2_stack(x: np.ndarray) -> np.ndarray:
    """In-place inverse 2-D FFT over the last two axes (normalised by 1/(H·W))."""
    if _ducc_fft is not None:
        return _ducc_fft.c2c(x, axes=(1, 2), forward=False, inorm=2, nthreads=1, out=x)
    x[...] = sfft.ifft2(x, axes=(-2, -1), workers=1, overwrite_x=True)
    return x


_WINDOW = gaussian_taps(11, 1.5)  # the local statistics' window: outer(_WINDOW, _WINDOW)


def _feature_agreement(f1, f2, fmax, ff, mask1, mask2, mask3, c: float | None = 1e-4) -> float:
    """P_k: mean over PC_S > 0.1 of the best local correlation with the fused feature map.

    ``c``: the toolbox's stabiliser (σ_XF + c)/(sqrt(|σ_X² σ_F²|) + c); ``None``: the
    plain correlation coefficient, 0 where σ_X² σ_F² ≤ 1e-12 (a locally flat map).
    The 11 local means (of F, F², and of X, X², X·F for X = A, B, S) are one compiled
    pass (:func:`metrics.perceptual._pc_kernels.feature_best`), the same operations as
    ``bench.matlab.imfilter_separable(x, _WINDOW)`` (11×11 Gaussian, σ = 1.5, 'same',
    zero padding: MATLAB ``filter2``) on each product map.
    """
    from metrics.perceptual import _pc_kernels as kern  # numba: imported on first use

    masks = np.stack([mask1, mask2, mask3])
    feats = np.stack([f1 * mask1, f2 * mask2, fmax * mask3])
    best = np.empty(ff.shape)
    kern.feature_best(np.ascontiguousarray(ff, dtype=np.float64), feats, masks, _WINDOW,
                      0.0 if c is None else float(c), c is not None, _FLAT_PRODUCT, best)
    n = int(mask3.sum())
    return float(best.sum() / n) if n else float("nan")


def qp_channel(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, toolbox: bool = False) -> float:
    """Q_P of one channel: P_PC · P_M · P_m (``toolbox``: Liu's/MEFB's stabilised correlation)."""
    # once per image and scoring session: a job computes the sources' maps once per pair
    pc1, big1, small1 = memo(phase_congruency, a)
    pc2, big2, small2 = memo(phase_congruency, b)
    pcf, bigf, smallf = memo(phase_congruency, f)
    take1 = pc1 > pc2
    pc_max = np.where(take1, pc1, pc2)
    masks = (pc1 > FEATURE_THRESHOLD, pc2 > FEATURE_THRESHOLD, pc_max > FEATURE_THRESHOLD)
    result = 1.0
    c = 1e-4 if toolbox else None
    for x1, x2, xf in ((pc1, pc2, pcf), (big1, big2, bigf), (small1, small2, smallf)):
        result *= _feature_agreement(x1, x2, np.where(take1, x1, x2), xf, *masks, c=c)
    return result + 0.0  # no negative zero


_TIES = "the 'max' feature image S takes B's features where PC_A = PC_B (ties go to B)"

qp = register_metric(
    "qp",
    latex=r"Q_{P}",
    higher_is_better=True,
    description="Q_P (Zhao et al.): phase-congruency feature (PC, edge, corner) agreement of F with A, B",
    citation="J. Zhao, R. Laganiere, Z. Liu, IJICIC 3(6A):1433-1447, 2007",
    conventions={
        "default": Convention(qp_channel, "luma", asymmetric=_TIES),
        "mefb": Convention(partial(qp_channel, toolbox=True), "mefb_channels", asymmetric=_TIES),
    },
    blur_worse=True,
)
