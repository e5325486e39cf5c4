"""Difference of the fused image from the sources: PSNR and RMSE.

* ``psnr`` ↑ — 10·log10(255² / MSE), MSE = (MSE(A,F) + MSE(B,F)) / 2.
* ``rmse`` ↓ — (RMSE(A,F) + RMSE(B,F)) / 2.

Conventions ``vifb`` and ``mefb`` reproduce VIFB's ``metricsPsnr.m`` and
``metricsRmse.m``; VIFB's "MSE" of two images is ``sqrt(Σ(a−b)²)/(M·N)``
(not a mean square), which its PSNR and RMSE then use. ``mefb`` differs only
in channel handling (see :mod:`metrics.channels`).

    >>> import numpy as np
    >>> mse(np.zeros((2, 2)), np.full((2, 2), 3.0))
    9.0
"""

from __future__ import annotations

import numpy as np

from metrics.base import Convention, register_metric


def mse(x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of two equally shaped arrays."""
    d = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.mean(d * d))


def _vifb_mse(x: np.ndarray, y: np.ndarray) -> float:
    """VIFB's ``mse``: sqrt(Σ(x−y)²) / (M·N) — a root of a sum, not a mean square."""
    d = x - y
    return float(np.sqrt(np.sum(d * d)) / d.size)


def _psnr(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """10·log10(255² / MSE), MSE = (MSE(A,F) + MSE(B,F)) / 2 (inf when F equals both)."""
    m = (mse(a, f) + mse(b, f)) / 2.0
    return float(10.0 * np.log10(255.0**2 / m)) if m > 0 else float("inf")


def _psnr_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """VIFB: 20·log10(255 / sqrt(m)), m = (e(A,F) + e(B,F)) / 2, e = sqrt(Σ(X−F)²)/(M·N)."""
    m = (_vifb_mse(a, f) + _vifb_mse(b, f)) / 2.0
    with np.errstate(divide="ignore"):
        return float(20.0 * np.log10(255.0 / np.sqrt(m)))


def _rmse(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """(sqrt(MSE(A,F)) + sqrt(MSE(B,F))) / 2, in grey levels."""
    return float((np.sqrt(mse(a, f)) + np.sqrt(mse(b, f))) / 2.0)


def _rmse_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """VIFB: (e(A,F) + e(B,F)) / 2 with e(X,F) = sqrt(Σ(X−F)²)/(M·N) (values ~0.1)."""
    return (_vifb_mse(a, f) + _vifb_mse(b, f)) / 2.0


_CITE = "P. Jagalingam, A. V. Hegde, Aquatic Procedia 4, 2015"

psnr = register_metric(
    "psnr",
    latex=r"\mathrm{PSNR}",
    higher_is_better=True,
    description="PSNR of F against both sources (dB); toolkit conventions use VIFB's root-sum MSE",
    citation=f"{_CITE} (fusion PSNR)",
    conventions={
        "default": Convention(_psnr, "luma", identity=float("inf")),
        "vifb": Convention(_psnr_toolkit, "vifb_channels", identity=float("inf")),
        "mefb": Convention(_psnr_toolkit, "mefb_channels", identity=float("inf")),
    },
)
rmse = register_metric(
    "rmse",
    latex=r"\mathrm{RMSE}",
    higher_is_better=False,
    description="RMSE of F against the sources, mean of the two; toolkit conventions as VIFB",
    citation=_CITE,
    conventions={
        "default": Convention(_rmse, "luma", identity=0.0),
        "vifb": Convention(_rmse_toolkit, "vifb_channels", identity=0.0),
        "mefb": Convention(_rmse_toolkit, "mefb_channels", identity=0.0),
    },
)
