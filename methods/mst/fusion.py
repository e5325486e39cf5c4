"""The MST and MST-SR fusion methods of Liu, Liu & Wang 2015 (their toolbox's combinations).

Y. Liu, S. Liu, Z. Wang, "A general framework for image fusion based on
multi-scale transform and sparse representation", Information Fusion
24:147–164, 2015; code: github.com/yuliu316316/MST-SR-Fusion-Toolbox.

Per colour channel, both sources are decomposed by one multi-scale transform
T (``levels`` = 4), then

- every high-pass band: :func:`methods.mst.rules.choose_max_consistent`
  (3×3 max-|c| activity, 3×3 majority vote: the toolbox's ``selc(·, ·, 3)``);
- the low-pass band: ``<T>-mst``: the average (L_A + L_B)/2;
  ``<T>-sr``: sparse-representation fusion (:mod:`methods.mst.sr`, 8×8 patches,
  ``overlap`` = 6, ``epsilon`` = 0.1, the released dictionary by default);
- F = T⁻¹(fused bands).

Transforms: ``lp`` (:mod:`methods.mst.lp`), ``rp`` (:mod:`methods.mst.rp`),
``dwt`` (:mod:`methods.mst.dwt`, Haar, periodized), ``dtcwt``
(:mod:`methods.mst.dtcwt`, LeGall 5/3 + q-shift 10-tap; its six complex bands
per level are fused by their moduli), ``nsct`` (:mod:`methods.mst.nsct`,
"pyrexc" pyramid + "vk" directional filters; instead of ``levels`` it takes
``directions`` = "2,3,3,4", log2 of the directional band counts from the
coarsest level to the finest), ``cvt`` (:mod:`methods.mst.cvt`, the wrapping
curvelet transform with real curvelets, ``levels`` + 1 scales and 16 angles at
the second-coarsest scale, as the toolbox's ``curvelet_fuse(A, B, level+1)``;
every cosine and sine wedge array is one high-pass band).

Ties follow the argument order, as in the toolbox: the SR rule keeps the first
source's patch when ‖α_A‖₁ = ‖α_B‖₁ (e.g. both flat: both codes empty), the
consistency check takes the second where act_A = act_B. ``swap=True`` fuses
(B, A) instead: VIFB's wrappers (``run_LP_SR.m``, ``run_RP_SR.m``,
``run_NSCT_SR.m``) pass the infrared image first, while VIFB pairs here are
A = visible, B = infrared (``--param lp-sr:swap=true`` reproduces VIFB's files;
MFIFB's multi-focus runs keep A first).

``rp-*`` outputs are clipped to the sources' range: the ratios explode where
a low-pass band is near zero (dark areas of infrared images), and the toolbox's
result is clipped too when it is saved as uint8.

Why new names: today's ``lp`` (Burt's a = 0.4 kernel, per-pixel max-abs) and
``dwt`` (db2, windowed activity ≥) are other published variants and stay as
they are; ``lp-mst`` / ``dwt-mst`` are the toolbox's. ``mstsr`` is an alias of
``lp-sr`` (results carry the canonical name).

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((40, 36)) * 255
    >>> bool(np.allclose(methods.get_method("rp-mst").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.color import per_channel
from bench.errors import ParameterError
from methods.base import FusionMethod, FusionResult, register_method
from methods.mst import cvt, dtcwt, dwt, lp, nsct, rp
from methods.mst.rules import average, choose_max_consistent
from methods.mst.sr import load_dictionary, sparse_fusion

__all__ = ["TRANSFORMS", "mst_fuse_gray"]

#: transform name -> (module with forward/inverse, reference)
TRANSFORMS = {
    "lp": (lp, "Burt & Adelson 1983, Laplacian pyramid"),
    "rp": (rp, "Toet 1989, ratio of low-pass pyramid"),
    "dwt": (dwt, "Mallat 1989, discrete wavelet transform (Haar)"),
    "dtcwt": (dtcwt, "Kingsbury 2001, dual-tree complex wavelet transform"),
    "nsct": (nsct, "da Cunha, Zhou & Do 2006, nonsubsampled contourlet transform"),
    "cvt": (cvt, "Candès, Demanet, Donoho & Ying 2006, fast discrete curvelet transform (wrapping)"),
}
_CITATION = (
    "Y. Liu, S. Liu, Z. Wang, A general framework for image fusion based on multi-scale "
    "transform and sparse representation, Information Fusion 24:147-164, 2015"
)


def mst_fuse_gray(a: np.ndarray, b: np.ndarray, transform: str, levels=4,
                  lowpass=average) -> np.ndarray:
    """Fuse two grey images: consistency-checked max-abs high-pass, ``lowpass(L_A, L_B)``.

    ``levels``: the level count (a tuple of directional levels for ``nsct``).
    """
    mod = TRANSFORMS[transform][0]
    da, db = mod.forward(a, levels), mod.forward(b, levels)
    da.highs = [choose_max_consistent(x, y) for x, y in zip(da.highs, db.highs)]
    da.low = lowpass(da.low, db.low)
    return mod.inverse(da)


class _MST(FusionMethod):
    """Shared body: subclasses set ``transform`` and ``sr``."""

    transform = ""
    sr = False
    version = "2"  # 2: es2 borders (zero corners), SR stop at ‖r‖₂ ≤ ε, as the toolbox
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "per-channel"
    citation = _CITATION

    @dataclass
    class Params:
        levels: int = 4
        swap: bool = False

    def run(self, a, b, params):
        if params.swap:  # ties go by argument order (module docstring)
            a, b = b, a
        if self.transform == "nsct":
            try:
                levels = tuple(int(v) for v in str(params.directions).split(","))
            except ValueError:
                levels = ()
            if not levels or min(levels) < 0 or max(levels) > 5:
                raise ParameterError(f"method {self.name!r}: directions must be a comma list of "
                                     f"integers 0..5, got {params.directions!r}")
        else:
            levels = params.levels
            if levels < 1:
                raise ParameterError(f"method {self.name!r}: levels must be >= 1, got {levels}")
        lowpass = average
        if self.sr:
            if params.overlap < 0 or params.epsilon <= 0:
                raise ParameterError(f"method {self.name!r}: need overlap >= 0 and epsilon > 0")
            d = load_dictionary(params.dictionary)
            if params.overlap >= int(round(np.sqrt(d.shape[0]))):
                raise ParameterError(f"method {self.name!r}: overlap must be < the patch size")

            def lowpass(x, y):
                return sparse_fusion(x, y, d, params.overlap, params.epsilon)

        fused = per_channel(
            lambda x, y: mst_fuse_gray(x, y, self.transform, levels, lowpass), a, b)
        if self.transform == "rp":
            # ratio bands explode where a low-pass is near 0 (dark areas); the toolbox's result
            # is clipped when saved as uint8; we clip to the sources' range
            fused = np.clip(fused, min(a.min(), b.min()), max(a.max(), b.max()))
        return FusionResult(image=fused)


@dataclass
class _SRParams:
    levels: int = 4
    overlap: int = 6
    epsilon: float = 0.1
    dictionary: str = ""
    swap: bool = False


@dataclass
class _NSCTParams:
    directions: str = "2,3,3,4"
    swap: bool = False


@dataclass
class _NSCTSRParams:
    directions: str = "2,3,3,4"
    overlap: int = 6
    epsilon: float = 0.1
    dictionary: str = ""
    swap: bool = False


def _define(transform: str, sr: bool, aliases: tuple[str, ...] = (), **declared) -> type[FusionMethod]:
    """The registered class of one transform × low-pass rule; ``declared``: further class
    attributes (``groups``, ``published_names``)."""
    name = f"{transform}-{'sr' if sr else 'mst'}"
    body = {"name": name, "transform": transform, "sr": sr, "aliases": aliases,
            "__doc__": f"``{name}``: {TRANSFORMS[transform][1]}, "
                       f"{'sparse-representation' if sr else 'averaged'} low-pass (module docstring)."}
    body.update(declared)
    if transform == "nsct":
        body["Params"] = _NSCTSRParams if sr else _NSCTParams
        if sr:  # NSCT's low-pass band is full size: code every 8th patch in the contract checks
            body["contract_params"] = {"overlap": 0}
    elif sr:
        body["Params"] = _SRParams
    cls = type(name.replace("-", "_").upper(), (_MST,), body)
    cls.__module__ = __name__
    return register_method(cls)


LP_MST = _define("lp", False)
LP_SR = _define("lp", True, aliases=("mstsr",), groups=("vifb-classic", "mfifb", "paper"),
                published_names={"vifb": "LP_SR", "mfifb": "MST_SR", "paper": "MSTSR"})
RP_MST = _define("rp", False)
RP_SR = _define("rp", True, groups=("vifb-classic", "mfifb"),
                published_names={"vifb": "RP_SR", "mfifb": "RP_SR"})
DWT_MST = _define("dwt", False)
DWT_SR = _define("dwt", True)
DTCWT_MST = _define("dtcwt", False)
DTCWT_SR = _define("dtcwt", True)
NSCT_MST = _define("nsct", False)
NSCT_SR = _define("nsct", True, groups=("vifb-classic", "mfifb"),
                  published_names={"vifb": "NSCT_SR", "mfifb": "NSCT_SR"})
CVT_MST = _define("cvt", False)
CVT_SR = _define("cvt", True)
