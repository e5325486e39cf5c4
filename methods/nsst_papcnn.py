"""``nsst-papcnn`` — NSST with a parameter-adaptive PCNN (Yin, Liu, Liu & Chen 2019).

M. Yin, X. Liu, Y. Liu, X. Chen, "Medical image fusion with parameter-adaptive
pulse coupled neural network in nonsubsampled shearlet transform domain", IEEE
Trans. Instrumentation and Measurement 68(1):49–64, 2019.

On s = image/255 of each source:

1. **NSST** (:mod:`methods.mst.nsst`): 4 pyramid levels with 8, 8, 16, 16
   shearing directions (coarsest first), "maxflat" pyramid filters.
2. **High-pass bands: PA-PCNN.** Stimulus F = |c|; linking
   K = Y ∗ [½ 1 ½; 1 0 1; ½ 1 ½] (zero outside); for n = 1..``pcnn_iter`` (110):
   U ← e^(−α_f) U + F (1 + β K), Y = [U > E], E ← e^(−α_e) E + V_E Y, T ← T + Y
   (U = Y = T = 0, E = 1 at start). The parameters come from the band itself
   (S' = Otsu threshold of |c| through ``graythresh``, S_max = max |c|,
   σ = sample standard deviation of |c|): α_f = log10(1/σ),
   β = (S_max/S' − 1)/6, V_E = e^(−α_f) + S_max/S',
   α_e = ln(V_E / (S' · ((1 − e^(−3α_f))/(1 − e^(−α_f)) + (S_max/S' − 1) e^(−α_f)))).
   The fused coefficient is A's where T_A ≥ T_B (more firings), else B's.
3. **Low-pass band: WLE × WSEML.** WLE = c² smoothed by [1 2 1; 2 4 2; 1 2 1]/16
   (one-pixel mirror border without edge repeat; the toolbox's ``es2`` leaves the
   four corner pixels of that border at 0); WSEML = the eight-neighbour modified
   Laplacian Σ|c − c_nbr| (diagonals weighted 1/√2, symmetric border), its 3×3
   mean, square root, smoothed by the same kernel (symmetric border). The fused
   coefficient is A's where WLE_A·WSEML_A ≥ WLE_B·WSEML_B, else B's.
4. Inverse NSST; F = 255 · result.

Parameters: ``pcnn_iter`` = 110, ``dcomp`` = "3,3,4,4" (log2 of the directions per
level, coarsest first), ``dsize`` = "8,8,16,16" (shearing filter supports).
Colour: ``per-channel`` here (the release's colour script fuses the luma of YUV;
the PET/SPECT colour policy is the runner's).

    >>> import numpy as np, methods
    >>> a = np.add.outer(np.arange(24.0), np.arange(20.0)) * 5      # a smooth ramp
    >>> f = methods.get_method("nsst-papcnn").fuse(a, a, pcnn_iter=10, dcomp="1,2",
    ...                                            dsize="8,8").image
    >>> bool(np.abs(f - a).max() < 1e-6)
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import per_channel
from bench.errors import ParameterError
from bench.matlab import graythresh, imfilter
from methods.base import FusionMethod, FusionResult, register_method
from methods.mst import nsst

#: PA-PCNN linking weights (8-neighbourhood, diagonals ½)
LINK = np.array([[0.5, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.5]])
#: the 3×3 weighting kernel of WLE and WSEML
SMOOTH = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0


def pcnn_parameters(c: np.ndarray) -> tuple[float, float, float, float]:
    """(α_f, β, V_E, α_e) of the PA-PCNN for the band ``c`` (Yin et al. 2019, Sec. III-B).

    A band without an Otsu split (constant, or all |c| < 1/510) gets NaN/inf parameters, as
    in the release: its neurons then never fire (NaN > E is false), so the other source wins.
    """
    f = np.abs(c)
    sigma = np.float64(np.std(f, ddof=1)) if f.size > 1 else np.float64(0.0)
    s_max = np.float64(f.max())
    s_otsu = np.float64(graythresh(f))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        alpha_f = np.log10(1.0 / sigma)
        ratio = s_max / s_otsu
        beta = (ratio - 1.0) / 6.0
        v_e = np.exp(-alpha_f) + ratio
        m = (1 - np.exp(-3 * alpha_f)) / (1 - np.exp(-alpha_f)) + (ratio - 1) * np.exp(-alpha_f)
        alpha_e = np.log(v_e / (s_otsu * m))
    return float(alpha_f), float(beta), float(v_e), float(alpha_e)


def _link(y: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """Σ of the 8 neighbours of each pixel weighted by :data:`LINK`, zero outside.

    :data:`LINK` = ½ (1 2 1)ᵀ(1 2 1) − 2δ, so two separable passes do it (exactly: the
    sums are multiples of ½). ``buf``: a zero-bordered work array of shape (H+2, W+2).
    """
    buf[1:-1, 1:-1] = y
    rows = buf[:, :-2] + 2.0 * buf[:, 1:-1] + buf[:, 2:]
    return 0.5 * (rows[:-2] + 2.0 * rows[1:-1] + rows[2:]) - 2.0 * y


def pa_pcnn(c: np.ndarray, iterations: int = 110) -> np.ndarray:
    """Firing counts T of the parameter-adaptive PCNN fed with |c| (module docstring, step 2).

    ``c``: one band (H×W) or a stack of bands (N×H×W, each with its own parameters).
    """
    c = np.asarray(c, dtype=np.float64)
    if c.ndim == 3:  # band by band: arrays that stay in cache are ~2.5× faster than one stack
        return np.stack([pa_pcnn(band, iterations) for band in c])
    alpha_f, beta, v_e, alpha_e = pcnn_parameters(c)
    f = np.abs(c)
    with np.errstate(invalid="ignore", over="ignore"):
        decay_f, decay_e = np.exp(-alpha_f), np.exp(-alpha_e)
        u = np.zeros_like(f)
        y = np.zeros(f.shape, dtype=bool)
        e = np.ones_like(f)
        t = np.zeros(f.shape, dtype=np.int64)
        buf = np.zeros((f.shape[0] + 2, f.shape[1] + 2))
        for _ in range(iterations):
            k = _link(y, buf)
            u = decay_f * u + f * (1 + beta * k)
            np.greater(u, e, out=y)
            e = decay_e * e + v_e * y
            t += y
    return t.astype(np.float64)


def highpass_rule(ca: np.ndarray, cb: np.ndarray, iterations: int = 110) -> np.ndarray:
    """A's coefficient where its PA-PCNN fires at least as often as B's, else B's (per band)."""
    return np.where(pa_pcnn(ca, iterations) >= pa_pcnn(cb, iterations), ca, cb)


def wle(c: np.ndarray) -> np.ndarray:
    """Weighted local energy: c² smoothed by :data:`SMOOTH` (mirror border, zero corners)."""
    p = np.pad(c * c, 1, mode="reflect")
    p[0, 0] = p[0, -1] = p[-1, 0] = p[-1, -1] = 0.0  # the release's es2 leaves them unset
    return imfilter(p, SMOOTH, shape="valid")


def wseml(c: np.ndarray) -> np.ndarray:
    """Weighted sum of the eight-neighbour modified Laplacian (module docstring, step 3)."""
    p = np.pad(c, 1, mode="symmetric")
    h, w = c.shape
    centre = p[1:1 + h, 1:1 + w]
    eml = np.zeros_like(c)
    d = 1 / np.sqrt(2)
    for (di, dj), wt in (((-1, 0), 1.0), ((1, 0), 1.0), ((0, -1), 1.0), ((0, 1), 1.0),
                         ((-1, -1), d), ((1, 1), d), ((1, -1), d), ((-1, 1), d)):
        diff = np.abs(centre - p[1 + di:1 + di + h, 1 + dj:1 + dj + w])
        eml = eml + (diff if wt == 1.0 else wt * diff)
    mean = imfilter(eml, np.ones((3, 3)), border="symmetric") / 9.0
    return imfilter(np.sqrt(mean), SMOOTH, border="symmetric")


def lowpass_rule(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """A's coefficient where WLE·WSEML is at least B's, else B's."""
    return np.where(wle(ca) * wseml(ca) >= wle(cb) * wseml(cb), ca, cb)


def _levels(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in str(text).replace(" ", "").split(",") if v)
    except ValueError:
        values = ()
    if not values or min(values) < 0:
        raise ParameterError(f"nsst-papcnn: {what} must be comma-separated integers ≥ 0, got {text!r}")
    return values


def nsst_papcnn_fuse_gray(a: np.ndarray, b: np.ndarray, *, pcnn_iter: int = 110,
                          dcomp=nsst.DCOMP, dsize=nsst.DSIZE) -> np.ndarray:
    """NSST-PAPCNN fusion of two grey 0..255 images (see the module docstring)."""
    da = nsst.forward(a / 255.0, dcomp, dsize)
    db = nsst.forward(b / 255.0, dcomp, dsize)
    low = lowpass_rule(da.low, db.low)
    highs = list(highpass_rule(np.stack(da.highs), np.stack(db.highs), pcnn_iter))
    fused = nsst.inverse(nsst.Decomposition(low, highs, da.meta))
    return fused * 255.0


@register_method
class NSSTPAPCNN(FusionMethod):
    name = "nsst-papcnn"
    version = "1"
    kind = "classic"
    modalities = ("medical",)
    groups: ClassVar[tuple[str, ...]] = ("classic",)
    published_names: ClassVar[dict[str, str]] = {}
    colour = "per-channel"
    #: 110 PCNN iterations on 48 bands × 2 sources × 3 channels take about a minute on the
    #: contract's 333×417 colour crop; 20 iterations run the same code
    contract_params: ClassVar[dict] = {"pcnn_iter": 20}
    # fuse(X, X) = inverse(forward(X)) (both rules pick A on ties): X to rounding
    citation = (
        "M. Yin, X. Liu, Y. Liu, X. Chen, Medical image fusion with parameter-adaptive pulse "
        "coupled neural network in nonsubsampled shearlet transform domain, IEEE Transactions "
        "on Instrumentation and Measurement 68(1):49-64, 2019"
    )

    @dataclass
    class Params:
        pcnn_iter: int = 110
        dcomp: str = "3,3,4,4"
        dsize: str = "8,8,16,16"

    def run(self, a, b, params):
        dcomp, dsize = _levels(params.dcomp, "dcomp"), _levels(params.dsize, "dsize")
        if len(dcomp) != len(dsize):
            raise ParameterError(f"nsst-papcnn: dcomp {params.dcomp!r} and dsize "
                                 f"{params.dsize!r} need one entry per level each")
        if params.pcnn_iter < 1:
            raise ParameterError(f"nsst-papcnn: pcnn_iter must be ≥ 1, got {params.pcnn_iter}")
        fused = per_channel(
            lambda x, y: nsst_papcnn_fuse_gray(x, y, pcnn_iter=params.pcnn_iter, dcomp=dcomp,
                                               dsize=dsize), a, b)
        return FusionResult(image=fused)
