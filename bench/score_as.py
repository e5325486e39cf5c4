"""How a run scores its fused images: as stored (default) or as a benchmark saved them.

A published benchmark table was computed on the files the benchmark wrote, not on the
methods' floating-point outputs. VIFB (Zhang et al. 2020) wrote every fused image with
MATLAB's ``imwrite(F, 'x.jpg')`` (``F`` rounded to uint8; JPEG baseline, quality 75,
4:2:0 chroma subsampling, the IJG tables scaled to 75) and scored those decoded JPEGs.
``bench run --score-as jpeg75`` scores ``round(clip(F, 0, 255))`` after the same JPEG
round trip, so the run's means can be laid beside the published table. The fused image
stored in the cache and the run directory is unchanged; the option is part of each
score's cache key (:func:`bench.runner.tasks.score_key`), recorded in ``run.json``
(``score_as``) and named in the report's captions (:func:`caption`).

=========  ==================================================================
``stored`` the fused image as the run stores it (8-bit PNG; 16-bit for 16-bit sources)
``jpeg75`` ``round(clip(F))`` written as MATLAB's ``imwrite`` writes a JPEG
           (quality 75, 4:2:0) and decoded: how VIFB (and MFIFB's Lytro results) were saved
=========  ==================================================================

The encoder is libjpeg(-turbo) through Pillow with the standard quality-75 tables, the
tables MATLAB's libjpeg uses: a method whose 8-bit output equals VIFB's comes back
bit-identical to VIFB's file (``bench validate --against vifb-outputs``: ``psnr_saved``
∞ on 21/21 pairs for adf, fpde, msvd, mgff, gfce, ...).

    >>> f = np.tile(np.linspace(0.0, 255.0, 16), (16, 1))
    >>> bool(np.array_equal(as_scored(f, "stored"), f))
    True
    >>> j = as_scored(f + 0.3, "jpeg75")
    >>> j.shape, j.dtype.name, bool(np.array_equal(j, np.rint(j))), float(np.abs(j - f).max()) < 4
    ((16, 16), 'float64', True, True)
    >>> caption("jpeg75")
    'scored as saved by MATLAB imwrite: JPEG quality 75, 4:2:0'
"""

from __future__ import annotations

import io

import numpy as np

from bench.errors import ParameterError

DEFAULT = "stored"
#: option value -> what it means (``bench run --help``, captions)
SCORE_AS: dict[str, str] = {
    "stored": "the fused image as the run stores it (PNG)",
    "jpeg75": "saved by MATLAB imwrite: JPEG quality 75, 4:2:0",
}


def check(how: str) -> str:
    """``how`` if it is a known ``--score-as`` value, else a :class:`ParameterError`.

    >>> check("jpeg75")
    'jpeg75'
    """
    if how not in SCORE_AS:
        raise ParameterError(f"--score-as {how!r}: unknown (available: {', '.join(SCORE_AS)})")
    return how


def jpeg_round_trip(img: np.ndarray, **opts) -> np.ndarray:
    """``img`` (0..255, H×W or H×W×3) rounded to 8 bits, JPEG-encoded by Pillow with
    ``opts`` (``quality``, ``qtables``, ``subsampling``) and decoded, as float64."""
    from PIL import Image

    u8 = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, format="JPEG", **opts)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im, dtype=np.float64)


def as_scored(image: np.ndarray, how: str) -> np.ndarray:
    """The image the metrics see for the fused ``image`` under ``--score-as how``."""
    if check(how) == "stored":
        return image
    return jpeg_round_trip(image, quality=75)  # Pillow's default subsampling: 4:2:0


def caption(how: str) -> str:
    """Caption phrase for a run scored with ``how`` ("" for the default)."""
    return "" if check(how) == DEFAULT else f"scored as {SCORE_AS[how]}"
