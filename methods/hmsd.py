"""Hybrid multi-scale decomposition (HMSD) fusion of infrared and visible images.

Four VIFB classic methods from Zhou's group (Beijing Institute of Technology), with
their shared building blocks in this one module:

* ``hybrid-msd`` — Z. Zhou, B. Wang, S. Li, M. Dong, "Perceptual fusion of infrared
  and visible images through a hybrid multi-scale decomposition with Gaussian and
  bilateral filters", Information Fusion 30:15–26, 2016 (VIFB ``Hybrid_MSD``).
* ``hmsd-gf`` — the same fusion rule on a guided-filter decomposition, Z. Zhou,
  M. Dong, X. Xie, Z. Gao, "Fusion of infrared and visible images for night-vision
  context enhancement", Applied Optics 55(23):6480–6490, 2016 (VIFB ``HMSD_GF``).
* ``gfce`` — the context enhancement of that paper: the visible image is first
  enhanced (log-domain base compression, :func:`enhance_visibility`), the infrared
  image stretched to 0..255, then fused by ``hmsd-gf`` (VIFB ``GFCE``).
* ``vsmwls`` — J. Ma, Z. Zhou, B. Wang, H. Zong, "Infrared and visible image fusion
  based on visual saliency map and weighted least square optimization", Infrared
  Physics & Technology 82:8–17, 2017 (VIFB ``VSMWLS``).

Hybrid decomposition (``hybrid-msd``, ``hmsd-gf``), per source, levels j = 1…N (N = 4):
a strong smoother S (Gaussian σ_j = 2^j, or a guided filter with ε = 10⁴ ≈ a double box
mean) and an edge-preserving one E (bilateral σ_s = 2^j, σ_r = 0.05/2^(j−1) on 0..1
values, or a guided filter r_j = 2^j, ε_j = (0.1/2^(j−1))²), each iterated on its own
chain (M_j = S(M_{j−1}), L_j = E(L_{j−1}), M_0 = L_0 = I). Two detail layers per level,
D_j = M_{j−1} − L_j (small-scale texture) and E_j = L_j − M_j (edges), so that
I = M_N + Σ_j (D_j + E_j).

Perceptual combination (IR = source 2, visible = source 1): at the coarse levels
j = 2…N the IR detail is injected where it exceeds the visible one,

    R_j = max(|E²_j| − |E¹_j|, 0),  P_j = R_j / max R_j,  C_j = atan(λ P_j) / atan(λ),

C_j smoothed by a Gaussian σ = 1 and used for both D_j and E_j; the base M_N takes
C_N smoothed by a Gaussian σ = 2^(N+2); level 1 uses the choose-max of |E_1| (smoothed,
σ = 1 for hmsd-gf, 0.2 for hybrid-msd) and of |D_1|. λ = 30 for ``hybrid-msd``; for
``hmsd-gf``/``gfce`` it follows the relative perceptual saliency Rs = PS(IR)/PS(VI)
(:func:`perceptual_saliency`): λ = 100 (Rs < 0.8), 2500 Rs − 1900, 2000 (Rs > 1.6).
The authors' guided-filter code writes round(275·F) for F on 0..1 (a 7.8 % gain,
parameter ``output_scale``), so fuse(X, X) is X brightened (``identity_exempt``).

VSMWLS: rolling guidance filter (Zhang et al. 2014, 4 guided-filter iterations, r = 2, 4, 8,
ε = 0.05²) for levels 1–3, a Gaussian (σ = 2) for the last; the base is fused with
the histogram visual saliency maps V (:func:`visual_saliency`),
B = (½ + ½(V¹ − V²))·B¹ + (½ + ½(V² − V¹))·B²; level 1 detail by choose-max; levels 2–4 by
the WLS rule of the paper, which the authors' code solves with a diagonal system:
d = (M + λ a⁻¹ D_IR)/(1 + λ a⁻¹), M the Gaussian-smoothed (σ = 2) choose-max,
a = |mean₇ₓ₇(D_VI)| + 10⁻⁶, λ = 0.01.

Colour: ``per-channel`` (VIFB's wrappers fuse each visible channel with the IR
image). Sources: A = visible, B = infrared.

    >>> import numpy as np, methods
    >>> x = np.random.default_rng(0).random((24, 30)) * 200
    >>> bool(np.allclose(methods.get_method("hybrid-msd").fuse(x, x).image, x))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import per_channel
from bench.matlab import gaussian_taps, imfilter_separable, imresize, mat2gray, round_half_away
from methods.base import FusionMethod, FusionResult, register_method
from methods.filters import box_mean, guided_filter

__all__ = [
    "bilateral_grid",
    "enhance_visibility",
    "fast_guided_filter",
    "hmsd_combine",
    "perceptual_saliency",
    "rolling_guidance",
    "visual_saliency",
]


# --------------------------------------------------------------------------- filters
def gaussian_blur(x: np.ndarray, sigma: float, border: str = "symmetric",
                  half: int | None = None) -> np.ndarray:
    """``imfilter(x, fspecial('gaussian', 2w+1, σ), border)`` with w = ⌊3σ⌋ (or ``half``).

        >>> bool(np.allclose(gaussian_blur(np.ones((5, 6)), 64.0), 1.0))
        True
    """
    w = int(np.floor(3.0 * sigma)) if half is None else int(half)
    if w == 0:
        return np.asarray(x, dtype=np.float64).copy()
    g = gaussian_taps(2 * w + 1, sigma)
    return imfilter_separable(x, g, g, border)


def bilateral_grid(x: np.ndarray, sigma_s: float, sigma_r: float) -> np.ndarray:
    """Fast bilateral filter of Paris & Durand (ECCV 2006), as in the authors' C++ code.

    The image is splatted into a grid of cells σ_s × σ_s × σ_r (nearest cell,
    2 cells of zero padding on every side), each of (Σ value, count) is blurred by
    [1 2 1]/4 twice along each axis (inside the padding), and the result is read
    back by trilinear interpolation at each pixel's (x/σ_s, y/σ_s, (I − min)/σ_r)
    as Σ value / count. Interpolation weights are single precision, as in that code.

        >>> step = np.r_[np.zeros(20), np.ones(20)][None, :].repeat(8, 0)
        >>> out = bilateral_grid(step, 4.0, 0.1)      # edge kept: no mixing across it
        >>> float(abs(out - step).max()) < 1e-9
        True
    """
    x = np.asarray(x, dtype=np.float64)
    h, w = x.shape
    pad = 2
    lo = float(x.min())
    delta = float(x.max()) - lo
    gw = int((w - 1) / sigma_s) + 1 + 2 * pad
    gh = int((h - 1) / sigma_s) + 1 + 2 * pad
    gd = int(delta / sigma_r) + 1 + 2 * pad
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    z = x - lo
    sx = (xx / sigma_s + 0.5).astype(np.int64) + pad
    sy = (yy / sigma_s + 0.5).astype(np.int64) + pad
    sz = (z / sigma_r + 0.5).astype(np.int64) + pad
    # splat, adding pixels column by column as the C++ loops do (x outer, y inner)
    flat = ((sy * gw + sx) * gd + sz).ravel(order="F")
    size = gh * gw * gd
    sums = np.bincount(flat, weights=x.ravel(order="F"), minlength=size).reshape(gh, gw, gd)
    counts = np.bincount(flat, minlength=size).astype(np.float64).reshape(gh, gw, gd)
    sums, counts = _grid_blur(sums), _grid_blur(counts)
    # trilinear read-back (indices clamped, weights in float32)
    fx, fy, fz = xx / sigma_s + pad, yy / sigma_s + pad, z / sigma_r + pad
    ix, iy, iz = (np.clip(f.astype(np.int64), 0, m - 1) for f, m in ((fx, gw), (fy, gh), (fz, gd)))
    jx, jy, jz = np.minimum(ix + 1, gw - 1), np.minimum(iy + 1, gh - 1), np.minimum(iz + 1, gd - 1)
    one = np.float32(1.0)
    ax = (fx - ix).astype(np.float32)
    ay = (fy - iy).astype(np.float32)
    az = (fz - iz).astype(np.float32)
    num = np.zeros((h, w))
    den = np.zeros((h, w))
    sums, counts = sums.ravel(), counts.ravel()
    # the 8 corners summed in the C++ order (x fastest, then y, then z)
    for cz, wz in ((iz, one - az), (jz, az)):
        for cy, wy in ((iy, one - ay), (jy, ay)):
            for cx, wx in ((ix, one - ax), (jx, ax)):
                k = (cy * gw + cx) * gd + cz
                wt = (wx * wy * wz).astype(np.float64)
                num += wt * np.take(sums, k)
                den += wt * np.take(counts, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return out


def _grid_blur(g: np.ndarray) -> np.ndarray:
    """[1 2 1]/4 twice along x, y, z of a 3-D grid (y, x, z axes), outer cells kept at 0."""
    inner = (slice(1, -1),) * 3
    for axis in (1, 0, 2):  # x, y, z: the C++ order
        for _ in range(2):
            lo = [slice(1, -1)] * 3
            hi = [slice(1, -1)] * 3
            lo[axis], hi[axis] = slice(0, -2), slice(2, None)
            out = np.zeros_like(g)
            out[inner] = (g[tuple(lo)] + g[tuple(hi)] + 2.0 * g[inner]) / 4.0
            g = out
    return g


def fast_guided_filter(guide: np.ndarray, src: np.ndarray, r: int, eps: float,
                       s: float) -> np.ndarray:
    """Fast guided filter (He & Sun 2015) as the GFCE code uses it: guide and input
    subsampled by MATLAB ``imresize(·, 1/s, 'nearest')``, the guided-filter coefficients
    computed there with radius r/s, upsampled with ``imresize(·, [H W], 'bilinear')``.

        >>> x = np.tile(np.r_[np.zeros(16), np.ones(16)], (24, 1))
        >>> q = fast_guided_filter(x, x, 8, 1e-4, 2.0)
        >>> bool(abs(q[:, :14]).max() < 0.02 and abs(q[:, 18:] - 1).max() < 0.02)
        True
    """
    h, w = guide.shape
    if s > 1:
        small = (int(np.ceil(h / s)), int(np.ceil(w / s)))
        g_sub = imresize(guide, small, "nearest", scale=(1.0 / s, 1.0 / s))
        p_sub = imresize(src, small, "nearest", scale=(1.0 / s, 1.0 / s))
    else:
        g_sub, p_sub = guide, src
    r_sub = int(round(r / s))
    mean_i = box_mean(g_sub, r_sub)
    mean_p = box_mean(p_sub, r_sub)
    cov = box_mean(g_sub * p_sub, r_sub) - mean_i * mean_p
    var = box_mean(g_sub * g_sub, r_sub) - mean_i * mean_i
    a = cov / (var + eps)
    b = mean_p - a * mean_i
    mean_a, mean_b = box_mean(a, r_sub), box_mean(b, r_sub)
    if s > 1:
        mean_a, mean_b = imresize(mean_a, (h, w), "bilinear"), imresize(mean_b, (h, w), "bilinear")
    return mean_a * guide + mean_b


def rolling_guidance(x: np.ndarray, sigma_s: float, sigma_r: float, iterations: int = 4) -> np.ndarray:
    """Rolling guidance filter (Zhang, Xu & Jia, ECCV 2014) with a guided filter as the
    joint filter: J⁰ = Gaussian_σs(I) (replicated borders), Jᵗ⁺¹ = GF(guide Jᵗ, input I,
    r = σ_s, ε = σ_r²).

        >>> step = np.tile(np.r_[np.zeros(20), np.ones(20)], (24, 1))
        >>> fine = 0.05 * (np.indices(step.shape).sum(0) % 2 * 2 - 1)   # 1-pixel texture
        >>> out = rolling_guidance(step + fine, 2, 0.05)
        >>> bool(abs(out - step)[:, :15].max() < 0.01 and abs(out - step).max() < 0.1)
        True
    """
    res = _gauss_filter(x, sigma_s)
    for _ in range(iterations):
        res = guided_filter(res, x, int(sigma_s), sigma_r * sigma_r)
    return res


def _gauss_filter(x: np.ndarray, sigma: float) -> np.ndarray:
    """The VSMWLS ``gaussFilter``: window 2·round(3σ)+1, replicated borders."""
    return gaussian_blur(x, sigma, "replicate", half=int(round_half_away(np.array(3.0 * sigma))))


# --------------------------------------------------------------------------- saliency
def _window_energy(block: np.ndarray, r: float) -> float:
    """Per-pixel perceptual energy of a block: the Mannos–Sakrison CSF
    2.6 (0.0192 + 0.114 f) e^{−(0.114 f)^1.1} applied to its centred spectrum, with
    f = (R/2)·|normalised frequency|; ‖·‖₂ / (m n)."""
    m, n = block.shape
    spec = np.fft.fftshift(np.fft.fft2(block))
    f1 = (np.arange(n) - n // 2) * (2.0 / n)
    f2 = (np.arange(m) - m // 2) * (2.0 / m)
    u, v = np.meshgrid(f1 / 2 * r, f2 / 2 * r)
    f = np.sqrt(u * u + v * v)
    csf = 2.6 * (0.0192 + 0.114 * f) * np.exp(-((0.114 * f) ** 1.1))
    e = np.abs(spec * csf)
    return float(np.sqrt(np.sum(e * e)) / (m * n))


def perceptual_saliency(img: np.ndarray, r: float = 32.0, block: int = 40, alpha: float = 2.0) -> float:
    """Perceptual saliency PS (Zhou et al. 2016, Applied Optics): the mean over 40×40
    blocks of the CSF-weighted spectral energy, each block weighted by Σ|∇I|^α
    (Sobel, interior pixels); NaN for an image without gradient.

        >>> flat = np.zeros((50, 50)); flat[:, 25:] = 100.0
        >>> perceptual_saliency(flat) > perceptual_saliency(flat / 2) > 0
        True
    """
    img = np.asarray(img, dtype=np.float64)
    gx = (img[:-2, 2:] + 2 * img[1:-1, 2:] + img[2:, 2:]) - (img[:-2, :-2] + 2 * img[1:-1, :-2] + img[2:, :-2])
    gy = (img[2:, :-2] + 2 * img[2:, 1:-1] + img[2:, 2:]) - (img[:-2, :-2] + 2 * img[:-2, 1:-1] + img[:-2, 2:])
    g = np.sqrt(gx * gx + gy * gy)
    core = img[1:-1, 1:-1]
    num = den = 0.0
    for i in range(0, core.shape[0], block):
        for j in range(0, core.shape[1], block):
            lam = float(np.sum(g[i:i + block, j:j + block] ** alpha))
            num += _window_energy(core[i:i + block, j:j + block], r) * lam
            den += lam
    return num / den if den > 0 else float("nan")


def adaptive_lambda(ir: np.ndarray, vis: np.ndarray) -> float:
    """λ of the IR injection from Rs = PS(IR)/PS(VI): 100 below 0.8, 2000 above 1.6,
    2500 Rs − 1900 between (an image without gradient counts as PS = 0: Rs = 0 or ∞;
    both flat gives 100)."""
    p_ir, p_vi = perceptual_saliency(ir), perceptual_saliency(vis)
    p_ir = 0.0 if np.isnan(p_ir) else p_ir
    p_vi = 0.0 if np.isnan(p_vi) else p_vi
    rs = p_ir / p_vi if p_vi > 0 else (np.inf if p_ir > 0 else 0.0)
    if rs < 0.8:
        return 100.0
    if rs > 1.6:
        return 2000.0
    return 2500.0 * rs - 1900.0


def visual_saliency(x: np.ndarray) -> np.ndarray:
    """Histogram-contrast visual saliency (VSMWLS): V(p) = Σ_i h(i)|I_p − i| over the
    256 grey levels of the 8-bit image (x in 0..1), scaled to 0..1 (``mat2gray``).

        >>> visual_saliency(np.array([[0.0, 0.0, 0.0, 1.0]])).tolist()   # the rare level is salient
        [[0.0, 0.0, 0.0, 1.0]]
    """
    img = np.clip(round_half_away(255.0 * np.asarray(x, dtype=np.float64)), 0, 255).astype(np.int64)
    count = np.bincount(img.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256.0)
    table = np.abs(levels[:, None] - levels[None, :]) @ count
    return mat2gray(table[img])


def enhance_visibility(img: np.ndarray) -> np.ndarray:
    """GFCE's visibility enhancement of the visible image (0..255 in and out).

    Stretch to 0..255, split log(1 + I) into a base (fast guided filter, r = ⌊0.04·max(H, W)⌋,
    ε = 0.1², subsampling max(1, r/4)) and a detail; compress the base's log range to
    log 4 keeping its maximum; recombine, exponentiate, cap at 255.

        >>> x = np.tile(np.linspace(0, 60, 50), (40, 1))
        >>> y = enhance_visibility(x)
        >>> bool(y.max() <= 255 and np.all(np.diff(y[20]) > 0))   # order of grey levels kept
        True
    """
    img = np.asarray(img, dtype=np.float64)
    mi, ma = float(img.min()), float(img.max())
    img1 = (img - mi) / (ma - mi) * 255.0 if ma > mi else np.zeros_like(img)
    log_img = np.log(img1 + 1.0)
    r = int(np.floor(0.04 * max(img.shape)))
    base = 255.0 * fast_guided_filter(img1 / 255.0, img1 / 255.0, r, 0.1**2, max(1.0, r / 4.0))
    log_base = np.log(np.maximum(base + 1.0, 1e-12))
    spread = float(log_base.max() - log_base.min())
    factor = np.log(4.0) / spread if spread > 0 else 1.0
    offset = (1.0 - factor) * float(log_base.max())
    out = np.exp(factor * log_base + (log_img - log_base) + offset)
    return np.minimum(out, 255.0)


# --------------------------------------------------------------------------- HMSD
def _decompose(x: np.ndarray, smooth, edge, levels: int):
    """Hybrid decomposition: base M_N and per-level (D_j, E_j), j = 1…N (index 0 unused)."""
    m, lyr = x, x
    dd, ee = [None], [None]
    for j in range(1, levels + 1):
        m_next = smooth(m, j)
        l_next = edge(lyr, j)
        dd.append(m - l_next)
        ee.append(l_next - m_next)
        m, lyr = m_next, l_next
    return m, dd, ee


def hmsd_combine(vis: tuple, ir: tuple, lam: float, sigma_base: float, sigma_small_e: float,
                 sigma_small_d: float | None) -> np.ndarray:
    """Perceptual combination of two hybrid decompositions ``(M_N, D, E)`` (see the module
    docstring). Where the IR never exceeds the visible detail at a level (max R_j = 0, e.g.
    identical sources) nothing is injected there (the authors' code divides 0/0)."""
    m1, d1, e1 = vis
    m2, d2, e2 = ir
    levels = len(d1) - 1
    fused = None
    atan_l = np.arctan(lam)
    for j in range(levels, 1, -1):
        r = np.maximum(np.abs(e2[j]) - np.abs(e1[j]), 0.0)
        rmax = float(r.max())
        p = r / rmax if rmax > 0 else np.zeros_like(r)
        c = np.arctan(lam * p) / atan_l
        if j == levels:
            cb = gaussian_blur(c, sigma_base)
            fused = cb * m2 + (1.0 - cb) * m1
        c = gaussian_blur(c, 1.0)
        fused = fused + (c * e2[j] + (1.0 - c) * e1[j])
        fused = fused + (c * d2[j] + (1.0 - c) * d1[j])
    c = gaussian_blur((np.abs(e1[1]) < np.abs(e2[1])).astype(np.float64), sigma_small_e)
    fused = fused + (c * e2[1] + (1.0 - c) * e1[1])
    c = (np.abs(d1[1]) < np.abs(d2[1])).astype(np.float64)
    if sigma_small_d is not None:
        c = gaussian_blur(c, sigma_small_d)
    return fused + (c * d2[1] + (1.0 - c) * d1[1])


def _gf_decompose(x: np.ndarray, levels: int):
    """Guided-filter HMSD of a 0..1 image: smooth r_j = 2^j, ε = 100²; edge ε = (0.1/2^(j−1))²."""
    return _decompose(
        x,
        lambda m, j: guided_filter(m, m, 2**j, 100.0**2),
        lambda y, j: guided_filter(y, y, 2**j, (0.1 / 2 ** (j - 1)) ** 2),
        levels,
    )


def hmsd_gf_fuse_gray(vis: np.ndarray, ir: np.ndarray, levels: int = 4, lam: float | None = None,
                      output_scale: float = 275.0) -> tuple[np.ndarray, float]:
    """HMSD-GF of one visible channel and the IR image (0..255); returns (fused, λ)."""
    if lam is None:
        lam = adaptive_lambda(ir, vis)
    fused = hmsd_combine(_gf_decompose(vis / 255.0, levels), _gf_decompose(ir / 255.0, levels),
                         lam, 2.0 ** (levels + 2), 1.0, None)
    return np.clip(round_half_away(fused * output_scale), 0.0, 255.0), lam


def hybrid_msd_fuse_gray(vis: np.ndarray, ir: np.ndarray, levels: int = 4, lam: float = 30.0,
                         sigma: float = 2.0, sigma_r: float = 0.05) -> np.ndarray:
    """Hybrid-MSD (Gaussian + fast bilateral) of one visible channel and the IR image (0..255)."""
    def smooth(m, j):
        return gaussian_blur(m, sigma * 2 ** (j - 1))

    def edge(y, j):
        return 255.0 * bilateral_grid(y / 255.0, sigma * 2 ** (j - 1), sigma_r / 2 ** (j - 1))

    fused = hmsd_combine(_decompose(vis, smooth, edge, levels), _decompose(ir, smooth, edge, levels),
                         lam, sigma * 2.0 ** (levels + 1), 0.2, 0.2)
    return np.clip(fused, 0.0, 255.0)


def vsmwls_fuse_gray(vis: np.ndarray, ir: np.ndarray, levels: int = 4, sigma_s: float = 2.0,
                     sigma_r: float = 0.05, iterations: int = 4, lam: float = 0.01) -> np.ndarray:
    """VSMWLS of one visible channel and the IR image (0..255 in and out)."""
    def layers(x):
        g, out, s = x, [], sigma_s
        for _ in range(levels - 1):
            nxt = rolling_guidance(g, s, sigma_r, iterations)
            out.append(g - nxt)
            g, s = nxt, 2 * s
        base = _gauss_filter(g, sigma_s)
        out.append(g - base)
        return out, base

    x1, x2 = ir / 255.0, vis / 255.0
    l1, b1 = layers(x1)
    l2, b2 = layers(x2)
    w1, w2 = visual_saliency(x1), visual_saliency(x2)
    fused = (0.5 + 0.5 * (w1 - w2)) * b1 + (0.5 + 0.5 * (w2 - w1)) * b2
    c = (np.abs(l1[0]) < np.abs(l2[0])).astype(np.float64)
    detail = c * l2[0] + (1.0 - c) * l1[0]
    for i in range(levels - 1, 0, -1):
        c = gaussian_blur((np.abs(l1[i]) < np.abs(l2[i])).astype(np.float64), 2.0)
        m = c * l2[i] + (1.0 - c) * l1[i]
        a = 1.0 / (np.abs(imfilter_separable(l2[i], np.full(7, 1 / 7), np.full(7, 1 / 7), "replicate"))
                   + 1e-6)
        detail = detail + (2.0 * m + lam * (2.0 * a) * l1[i]) / (2.0 + lam * (2.0 * a))
    return 255.0 * (fused + detail)


# --------------------------------------------------------------------------- plugins
class _VifbIR(FusionMethod):
    kind = "classic"
    modalities = ("ir-visible",)
    colour = "per-channel"
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {}


_GAIN = ("the authors' code writes round(275·F) for F on 0..1 (output_scale = 275): "
         "identical sources come back 7.8 % brighter")


@register_method
class HMSDGF(_VifbIR):
    name = "hmsd-gf"
    version = "1"
    citation = ("Z. Zhou, M. Dong, X. Xie, Z. Gao, Fusion of infrared and visible images for "
                "night-vision context enhancement, Applied Optics 55(23):6480-6490, 2016 (HMSD-GF)")
    published_names: ClassVar[dict[str, str]] = {"vifb": "HMSD_GF"}
    identity_exempt: ClassVar[str] = _GAIN

    @dataclass
    class Params:
        levels: int = 4
        lam: float | None = None
        output_scale: float = 275.0

    def run(self, a, b, params):
        lams = []

        def one(v, i):
            f, lam = hmsd_gf_fuse_gray(v, i, params.levels, params.lam, params.output_scale)
            lams.append(lam)
            return f

        return FusionResult(image=per_channel(one, a, b), extras={"lambda": lams})


@register_method
class GFCE(_VifbIR):
    name = "gfce"
    version = "1"
    citation = ("Z. Zhou, M. Dong, X. Xie, Z. Gao, Fusion of infrared and visible images for "
                "night-vision context enhancement, Applied Optics 55(23):6480-6490, 2016")
    published_names: ClassVar[dict[str, str]] = {"vifb": "GFCE"}
    identity_exempt: ClassVar[str] = ("enhances the visible image before fusing (its purpose); "
                                      + _GAIN)

    @dataclass
    class Params:
        levels: int = 4
        lam: float | None = None
        output_scale: float = 275.0

    def run(self, a, b, params):
        lams = []

        def one(v, i):
            v = enhance_visibility(v)
            mi, ma = float(i.min()), float(i.max())
            i = (i - mi) / (ma - mi) * 255.0 if ma > mi else np.zeros_like(i)
            f, lam = hmsd_gf_fuse_gray(v, i, params.levels, params.lam, params.output_scale)
            lams.append(lam)
            return f

        return FusionResult(image=per_channel(one, a, b), extras={"lambda": lams})


@register_method
class HybridMSD(_VifbIR):
    name = "hybrid-msd"
    version = "1"
    citation = ("Z. Zhou, B. Wang, S. Li, M. Dong, Perceptual fusion of infrared and visible images "
                "through a hybrid multi-scale decomposition with Gaussian and bilateral filters, "
                "Information Fusion 30:15-26, 2016")
    published_names: ClassVar[dict[str, str]] = {"vifb": "Hybrid_MSD"}

    @dataclass
    class Params:
        levels: int = 4
        lam: float = 30.0
        sigma: float = 2.0
        sigma_r: float = 0.05

    def run(self, a, b, params):
        fused = per_channel(lambda v, i: hybrid_msd_fuse_gray(
            v, i, params.levels, params.lam, params.sigma, params.sigma_r), a, b)
        return FusionResult(image=fused)


@register_method
class VSMWLS(_VifbIR):
    name = "vsmwls"
    version = "1"
    citation = ("J. Ma, Z. Zhou, B. Wang, H. Zong, Infrared and visible image fusion based on "
                "visual saliency map and weighted least square optimization, Infrared Physics & "
                "Technology 82:8-17, 2017")
    published_names: ClassVar[dict[str, str]] = {"vifb": "VSMWLS"}

    @dataclass
    class Params:
        levels: int = 4
        sigma_s: float = 2.0
        sigma_r: float = 0.05
        iterations: int = 4
        lam: float = 0.01

    def run(self, a, b, params):
        fused = per_channel(lambda v, i: vsmwls_fuse_gray(
            v, i, params.levels, params.sigma_s, params.sigma_r, params.iterations, params.lam), a, b)
        return FusionResult(image=fused)
