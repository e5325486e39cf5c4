"""``asr`` — adaptive sparse representation (Liu & Wang 2015).

Y. Liu, Z. Wang, "Simultaneous image fusion and denoising with adaptive sparse
representation", IET Image Processing 9(5):347–357, 2015.

Per colour channel (the release fuses R, G, B separately), every 8×8 patch on a
grid of step ``step`` (released: overlap 7, i.e. step 1; grid from the top-left
corner, so the last rows/columns may be left out):

1. **Classification.** Of the two source patches, the one with the larger
   variance (population variance; ties → B) gives the gradient
   D_x = P ⋆ [−1 0 1; −2 0 2; −1 0 1], D_y = P ⋆ D_xᵀ (correlation on the
   patch alone, zero outside it), magnitude m = √(D_x² + D_y²) and orientation
   θ = atan(D_y/D_x) in degrees, +180 where negative (so θ ∈ (0, 180]). A
   histogram of m over 6 orientation bins of 30° (bin ⌈θ/30⌉; θ = 0 and 0/0
   fall in no bin) picks bin j* = argmax; when h_j* / Σh > 1.5/6 the patch is
   coded over the sub-dictionary D_j*, otherwise over the general dictionary
   D_0 (the 7 released dictionaries: ``D_100000_256_8_0.mat`` holds D_0,
   ``D_100000_256_8_6.mat`` holds D_1..D_6; 256 atoms each, or 128 with
   ``atoms=128``).
2. **Sparse coding.** Each zero-mean patch x_i − m_i (column-major pixels) is
   coded by OMP until ‖x − Dα‖₂ ≤ ``epsilon`` (0.1, on 0..255 values: the release's
   ``omp2`` call, whose target is the residual's norm; :func:`methods.sparse.omp2`).
   Version 1 stopped at ‖x − Dα‖² ≤ 0.1.
3. **Fusion.** The code with the larger ‖α‖₁ wins (ties → A) — "max-L1";
   patch P_F = Dα_F + m_F where ``mean="average"`` (default since version 2; the
   release's mode 0) takes (m_A + m_B)/2 and ``mean="chosen"`` (the release's
   mode 1, its script's multi-focus setting) takes the mean of the chosen patch.
   (The paper fuses the means by the same max-L1 choice; the release's README
   states that its code averages them.) MFIFB's published ASR outputs were made
   with the average: on 96×96 crops of Lytro pairs 01 and 03 "average" gives 47.2
   and 44.8 dB against MFIFB's files (saved alike) and |ΔQ^AB/F| ≤ 0.001, "chosen"
   37.5 and 35.6 dB and ΔQ^AB/F +0.006 and +0.023.
4. Overlapping patches are averaged; pixels no patch covers take (A + B)/2.

Parameters: ``epsilon`` = 0.1, ``step`` = 1 (the release; a larger step codes
step² times fewer patches — ASR is slow: about 1.6 million OMP codes of ~58
atoms for a 520×520 colour pair at step 1, ≈ 130 CPU-s with the compiled OMP,
≈ 900 s with ``FUSEBENCH_NUMBA=0``; docs/performance-sparse.md), ``atoms`` = 256 (or 128),
``mean`` = "average", ``dictionary_dir`` = folder holding ``asr/`` (the
released ``sparse-dictionaries``; default: :func:`methods.sparse.released_dictionary`).

Colour: ``per-channel``.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((20, 18)) * 255
    >>> bool(np.allclose(methods.get_method("asr").fuse(a, a, step=2).image, a, atol=0.5))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import per_channel
from bench.errors import ParameterError
from bench.matlab import sobel
from methods.base import FusionMethod, FusionResult, register_method
from methods.sparse import add_patches, average_patches, omp2, released_dictionary

PATCH = 8
N_SUB = 6  # released sub-dictionaries D_1..D_6 (orientation bins of 30°)


def asr_dictionaries(atoms: int = 256, dictionary_dir: str = "") -> list[np.ndarray]:
    """[D_0, D_1, …, D_6]: the released dictionaries, unit-norm columns (64 × atoms each)."""
    if atoms not in (128, 256):
        raise ParameterError(f"asr: atoms must be 128 or 256 (the released sizes), got {atoms}")
    d0 = released_dictionary(f"asr/D_100000_{atoms}_8_0.mat", dictionary_dir)["D"]
    rest = released_dictionary(f"asr/D_100000_{atoms}_8_6.mat", dictionary_dir)
    n = int(np.asarray(rest["dic_number"]).ravel()[0])
    dn = np.asarray(rest["Dn"], dtype=np.float64)
    subs = np.split(dn, n, axis=1)
    return [d / np.linalg.norm(d, axis=0, keepdims=True) for d in [np.asarray(d0, float), *subs]]


def patch_classes(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Dictionary index (0 = general, 1..6 = orientation bin) of each patch pair (N × 8 × 8).

        >>> edge = np.triu(np.ones((8, 8))) * 9     # a diagonal edge: gradient along (1, −1)
        >>> patch_classes(np.stack([edge, edge[:, ::-1]]), np.zeros((2, 8, 8))).tolist()
        [5, 2]
    """
    use_a = pa.reshape(len(pa), -1).var(axis=1) > pb.reshape(len(pb), -1).var(axis=1)
    p = np.where(use_a[:, None, None], pa, pb)
    # patch-local zero padding: lay the patches out in one column with a zero row
    # and column between them, so one zero-border Sobel filters each on its own
    n = len(p)
    mosaic = np.zeros((n, PATCH + 1, PATCH + 1))
    mosaic[:, :PATCH, :PATCH] = p
    gx, gy = sobel(np.vstack([np.zeros((1, PATCH + 1)), mosaic.reshape(-1, PATCH + 1)]), "zero")
    # the release's dx is −(Sobel gx), dy = dxᵀ is −(Sobel gy): same ratio and magnitude
    gx = gx[1:].reshape(n, PATCH + 1, PATCH + 1)[:, :PATCH, :PATCH]
    gy = gy[1:].reshape(n, PATCH + 1, PATCH + 1)[:, :PATCH, :PATCH]
    dx, dy = -gx, -gy
    mag = np.sqrt(dx * dx + dy * dy)
    with np.errstate(divide="ignore", invalid="ignore"):
        ori = np.arctan(dy / dx) * 180 / np.pi
    ori = np.where(ori < 0, ori + 180, ori)
    with np.errstate(invalid="ignore"):
        bins = np.ceil(ori / (180 / N_SUB))
    ok = (bins >= 1) & (bins <= N_SUB)
    hist = np.zeros((n, N_SUB + 1))
    rows = np.broadcast_to(np.arange(n)[:, None, None], bins.shape)
    np.add.at(hist, (rows[ok], bins[ok].astype(np.intp)), mag[ok])
    hist = hist[:, 1:]
    best = np.argmax(hist, axis=1)
    total = hist.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        peaked = hist[np.arange(n), best] / total > 1.5 / N_SUB
    return np.where(peaked, best + 1, 0)


def asr_fuse_gray(a: np.ndarray, b: np.ndarray, dicts: list[np.ndarray], *, step: int = 1,
                  epsilon: float = 0.1, mean: str = "average", rows_per_block: int = 24) -> np.ndarray:
    """ASR fusion of two grey images (see the module docstring)."""
    h, w = a.shape
    if h < PATCH or w < PATCH:
        return (a + b) / 2.0
    ys, xs = np.arange(0, h - PATCH + 1, step), np.arange(0, w - PATCH + 1, step)
    grams = [d.T @ d for d in dicts]
    win_a = np.lib.stride_tricks.sliding_window_view(a, (PATCH, PATCH))
    win_b = np.lib.stride_tricks.sliding_window_view(b, (PATCH, PATCH))
    acc = np.zeros((h, w))
    cnt = np.zeros((h, w))
    for s in range(0, len(ys), rows_per_block):  # bounded memory: a block of grid rows
        yb = ys[s:s + rows_per_block]
        pa = win_a[yb][:, xs].reshape(-1, PATCH, PATCH)
        pb = win_b[yb][:, xs].reshape(-1, PATCH, PATCH)
        cls = patch_classes(pa, pb)
        va = pa.transpose(0, 2, 1).reshape(len(pa), -1).T  # columns, column-major pixels
        vb = pb.transpose(0, 2, 1).reshape(len(pb), -1).T
        ma, mb = va.mean(axis=0), vb.mean(axis=0)
        va, vb = va - ma, vb - mb
        fused = np.empty_like(va)
        for j in np.unique(cls):
            sel = cls == j
            ca = omp2(dicts[j], va[:, sel], epsilon, gram=grams[j])
            cb = omp2(dicts[j], vb[:, sel], epsilon, gram=grams[j])
            take_b = np.abs(ca).sum(axis=0) < np.abs(cb).sum(axis=0)
            if mean == "chosen":
                m = np.where(take_b, mb[sel], ma[sel])
            else:
                m = (ma[sel] + mb[sel]) / 2.0
            fused[:, sel] = dicts[j] @ np.where(take_b, cb, ca) + m
        add_patches(acc, cnt, fused, yb, xs)
    return average_patches(acc, cnt, (a + b) / 2.0)


@register_method
class ASR(FusionMethod):
    name = "asr"
    version = "2"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "per-channel"
    #: the contract checks run at step 8 (no overlap): step 1 takes minutes per check
    groups: ClassVar[tuple[str, ...]] = ("mfifb", "paper")
    published_names: ClassVar[dict[str, str]] = {"mfifb": "ASR", "paper": "ASR"}
    contract_params: ClassVar[dict] = {"step": 8}
    citation = (
        "Y. Liu, Z. Wang, Simultaneous image fusion and denoising with adaptive sparse "
        "representation, IET Image Processing 9(5):347-357, 2015"
    )

    @dataclass
    class Params:
        epsilon: float = 0.1
        step: int = 1
        atoms: int = 256
        mean: str = "average"
        dictionary_dir: str = ""

    def run(self, a, b, params):
        if params.mean not in ("chosen", "average"):
            raise ParameterError(f"asr: mean must be 'chosen' or 'average', got {params.mean!r}")
        if params.step < 1 or params.step > PATCH:
            raise ParameterError(f"asr: step must be 1..{PATCH}, got {params.step}")
        dicts = asr_dictionaries(params.atoms, params.dictionary_dir)
        fused = per_channel(
            lambda x, y: asr_fuse_gray(x, y, dicts, step=params.step, epsilon=params.epsilon,
                                       mean=params.mean), a, b)
        return FusionResult(image=fused)
