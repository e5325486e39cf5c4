"""``dwt`` — discrete wavelet transform fusion (PyWavelets).

H. Li, B. S. Manjunath, S. K. Mitra, "Multisensor Image Fusion Using the
Wavelet Transform", Graphical Models and Image Processing 57(3):235–245, 1995.

Each source is decomposed with ``pywt.wavedec2`` (``wavelet``, ``levels``,
symmetric extension). Fusion rules:

- approximation (``approx_rule``): ``"mean"`` (default) or ``"max-abs"``;
- details (``detail_rule``), per sub-band:
  ``"max-abs-window"`` (default): activity = Σ |c| over a ``window``×``window``
  neighbourhood; the binary decision d = [act_A ≥ act_B] is then smoothed by
  *consistency verification* (``consistency=True``: a ``window``×``window``
  majority filter, so a coefficient follows its neighbours' source), and
  D_F = d·D_A + (1 − d)·D_B;
  ``"max-abs"``: per-coefficient choice of the larger |c|;
  ``"mean"``: average.

Parameters: ``wavelet`` = "db2", ``levels`` = 3 (reduced when the image is too
small), ``approx_rule``, ``detail_rule``, ``window`` = 3, ``consistency`` = True.

Colour: ``per-channel``.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((31, 40)) * 255
    >>> bool(np.allclose(methods.get_method("dwt").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pywt
from scipy import ndimage

from bench.color import per_channel
from bench.errors import ParameterError
from methods.base import FusionMethod, FusionResult, register_method

APPROX_RULES = ("mean", "max-abs")
DETAIL_RULES = ("max-abs-window", "max-abs", "mean")


def detail_decision(da: np.ndarray, db: np.ndarray, window: int = 3,
                    consistency: bool = True) -> np.ndarray:
    """Binary map (1 = take A) from windowed |coefficient| activity + majority filter.

    Works on H×W bands and on H×W×C stacks (windows span the two image axes only).
    """
    size = (window, window) + (1,) * (da.ndim - 2)
    act_a = ndimage.uniform_filter(np.abs(da), size, mode="reflect")
    act_b = ndimage.uniform_filter(np.abs(db), size, mode="reflect")
    d = (act_a >= act_b).astype(np.float64)
    if consistency:
        d = (ndimage.uniform_filter(d, size, mode="reflect") > 0.5).astype(np.float64)
    return d


def _fuse_band(da, db, rule, window, consistency):
    if rule == "mean":
        return (da + db) / 2.0
    if rule == "max-abs":
        return np.where(np.abs(da) >= np.abs(db), da, db)
    d = detail_decision(da, db, window, consistency)
    return d * da + (1.0 - d) * db


def dwt_fuse_gray(a: np.ndarray, b: np.ndarray, wavelet: str = "db2", levels: int = 3,
                  approx_rule: str = "mean", detail_rule: str = "max-abs-window",
                  window: int = 3, consistency: bool = True) -> np.ndarray:
    """DWT fusion of two H×W (or H×W×C, channels independent) images; see the module docstring."""
    w = pywt.Wavelet(wavelet)
    n = max(0, min(levels, pywt.dwt_max_level(min(a.shape[:2]), w.dec_len)))
    if n == 0:
        return (a + b) / 2.0 if approx_rule == "mean" else np.where(np.abs(a) >= np.abs(b), a, b)
    ca = pywt.wavedec2(a, w, mode="symmetric", level=n, axes=(0, 1))
    cb = pywt.wavedec2(b, w, mode="symmetric", level=n, axes=(0, 1))
    if approx_rule == "mean":
        fused = [(ca[0] + cb[0]) / 2.0]
    else:
        fused = [np.where(np.abs(ca[0]) >= np.abs(cb[0]), ca[0], cb[0])]
    for band_a, band_b in zip(ca[1:], cb[1:]):
        fused.append(tuple(_fuse_band(x, y, detail_rule, window, consistency)
                           for x, y in zip(band_a, band_b)))
    out = pywt.waverec2(fused, w, mode="symmetric", axes=(0, 1))
    return out[: a.shape[0], : a.shape[1]]


@register_method
class DWT(FusionMethod):
    name = "dwt"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    groups = ("paper",)
    published_names = {"paper": "DWT"}
    colour = "per-channel"
    citation = (
        "H. Li, B. S. Manjunath, S. K. Mitra, Multisensor Image Fusion Using the Wavelet "
        "Transform, Graph. Models Image Process. 57(3):235-245, 1995"
    )

    @dataclass
    class Params:
        wavelet: str = "db2"
        levels: int = 3
        approx_rule: str = "mean"
        detail_rule: str = "max-abs-window"
        window: int = 3
        consistency: bool = True

    def run(self, a, b, params):
        if params.wavelet not in pywt.wavelist(kind="discrete"):
            raise ParameterError(f"method 'dwt': unknown discrete wavelet {params.wavelet!r}")
        if params.approx_rule not in APPROX_RULES:
            raise ParameterError(f"method 'dwt': approx_rule must be one of {APPROX_RULES}")
        if params.detail_rule not in DETAIL_RULES:
            raise ParameterError(f"method 'dwt': detail_rule must be one of {DETAIL_RULES}")
        if params.window < 1 or params.window % 2 == 0:
            raise ParameterError(f"method 'dwt': window must be a positive odd integer, got {params.window}")

        def fuse(x, y):
            return dwt_fuse_gray(x, y, params.wavelet, params.levels, params.approx_rule,
                                 params.detail_rule, params.window, params.consistency)

        return FusionResult(image=per_channel(fuse, a, b))
