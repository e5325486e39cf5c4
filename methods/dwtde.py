"""``dwtde`` — DWT fusion with adaptive blocks sized by differential evolution (Liu & Wang 2013).

Y. Liu, Z. Wang, "Multi-focus image fusion based on wavelet transform and adaptive
block", Journal of Image and Graphics 18(11):1435–1444, 2013 (in Chinese; authors'
MATLAB release: DWTDE-Fusion). Each channel on its own (``per-channel``):

1. ``levels``-level DWT (``db4``, periodized borders = MATLAB ``'per'``) of both sources,
   whose size is first made a multiple of 2^levels (see "Deviations").
2. **Block size by differential evolution** (:func:`de_block_size`): the low-pass bands
   L_A, L_B are cut into m×n blocks (the last row/column of blocks takes the
   remainder); each block of the candidate C(m, n) comes from the source with the
   larger energy of gradient (EOG: Σ ∂x² + ∂y², MATLAB ``gradient`` inside the block);
   the fitness of (m, n) ∈ [4, 14]² is −SML(C) (Σ |[−1 2 −1] ∗ C| over both axes, zero
   borders). The DE is the release's integer DE/rand/1/bin: NP = 10, F = 0.5, CR = 0.2,
   G = 20 generations, mutant ⌊x_r1 + F(x_r2 − x_r3)⌋, an out-of-range mutant replaced
   by a random *square* size (both components one random integer, as released), the
   crossover's forced component redrawn per component, greedy selection (≤), best of
   the last population.
3. **Low-pass decision** E (1 coefficient ↔ one 2^levels × 2^levels block of the image):
   the block choice of the best (m, n); a block whose four neighbours all chose the
   other source flips; on blocks next to the other source's blocks, each coefficient is
   decided by the EOG of its 2^levels × 2^levels spatial block of the sources. E is
   median-filtered twice with an m×n window (MATLAB ``medfilt2``: zero borders, the mean
   of the two middle values for an even window), so E ∈ {0, ¼, ½, ¾, 1};
   L_F = (1 − E)·L_A + E·L_B.
4. **Details**: at level k (coarsest first), with E replicated to the band's size and
   window energy S = Σ c² over (2e + 1)², e = 2^(levels−k+1) − 1 (zero borders):
   A's coefficient where S_A ≥ 0.7·S_B and E = 0, B's where S_B ≥ 0.7·S_A and E = 1,
   else the mean.
5. Inverse DWT, rounded half away from zero (MATLAB ``uint8``).

Randomness: one ``numpy.random.RandomState(seed)`` per call, drawn in the release's
order (channels in turn). Its default ``seed`` = 5489 is MATLAB's start-up ``rand``
stream (RandomState(5489) draws 0.8147, 0.9058, 0.1270, … like MATLAB's fresh
``rand``), so the default run is the release's Script.m in a fresh MATLAB session.
``search="exhaustive"`` evaluates all 121 sizes instead (the global optimum; no
randomness). The fitness is memoised per size (it is deterministic).

Deviations: an image whose size is not a multiple of 2^levels is padded by symmetric
reflection and cropped back (the release resizes bicubically to the next multiple and
back); block-size bounds are clipped to the low-pass band's size for tiny images.

Parameters: ``levels`` = 3, ``seed`` = 5489, ``search`` = "de" | "exhaustive",
``population`` = 10, ``generations`` = 20, ``f_weight`` = 0.5, ``crossover`` = 0.2,
``min_block`` = 4, ``max_block`` = 14.

    >>> import numpy as np, methods
    >>> x = np.random.default_rng(0).integers(0, 256, (40, 48)).astype(float)
    >>> bool(np.array_equal(methods.get_method("dwtde").fuse(x, x).image, x))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import ndimage

from bench.errors import ParameterError
from bench.matlab import round_half_away
from methods.base import FusionMethod, FusionResult, register_method
from methods.mst import dwt as mst_dwt

WAVELET = "db4"
SEARCHES = ("de", "exhaustive")
SML_KERNEL = np.array([-1.0, 2.0, -1.0])
DETAIL_SLACK = 0.7  # T of the detail rule


def _block_edges(n: int, size: int) -> np.ndarray:
    """Start index of each block along an axis of length n (last block takes the rest)."""
    count = max(n // size, 1)
    return np.arange(count) * size


def _grad_sq(x: np.ndarray, starts: np.ndarray, axis: int) -> np.ndarray:
    """Squared MATLAB ``gradient`` along ``axis``, computed inside each block (starts given)."""
    x = np.moveaxis(x, axis, 0)
    n = x.shape[0]
    g = np.zeros_like(x)
    if n > 2:
        g[1:-1] = (x[2:] - x[:-2]) / 2.0
    ends = np.append(starts[1:], n) - 1  # last index of each block
    for s, e in zip(starts, ends):
        if e == s:
            g[s] = 0.0
            continue
        g[s] = x[s + 1] - x[s]
        g[e] = x[e] - x[e - 1]
    return np.moveaxis(g * g, 0, axis)


def block_eog(x: np.ndarray, m: int, n: int) -> np.ndarray:
    """EOG (Σ ∂x² + ∂y², gradient inside the block) of each m×n block of ``x``.

    Blocks tile ``x`` from the top-left; the last row/column of blocks takes the remainder.

    >>> block_eog(np.tile(np.arange(6.0), (4, 1)), 4, 3).tolist()   # unit ramp: 4·3 ones
    [[12.0, 12.0]]
    """
    rs, cs = _block_edges(x.shape[0], m), _block_edges(x.shape[1], n)
    e = _grad_sq(x, cs, 1) + _grad_sq(x, rs, 0)
    return np.add.reduceat(np.add.reduceat(e, rs, axis=0), cs, axis=1)


def _expand(blocks: np.ndarray, shape: tuple[int, int], m: int, n: int) -> np.ndarray:
    """Block values painted over their m×n blocks (last blocks take the remainder)."""
    ry = np.minimum(np.arange(shape[0]) // m, blocks.shape[0] - 1)
    rx = np.minimum(np.arange(shape[1]) // n, blocks.shape[1] - 1)
    return blocks[ry][:, rx]


def sml(x: np.ndarray) -> float:
    """Σ |[−1 2 −1] ∗ x| along rows plus along columns (zero borders)."""
    gx = ndimage.correlate1d(x, SML_KERNEL, axis=1, mode="constant")
    gy = ndimage.correlate1d(x, SML_KERNEL, axis=0, mode="constant")
    return float(np.abs(gx).sum() + np.abs(gy).sum())


def block_choice(la: np.ndarray, lb: np.ndarray, m: int, n: int) -> np.ndarray:
    """True where an m×n block of ``la`` has the larger (or equal) EOG."""
    return block_eog(la, m, n) >= block_eog(lb, m, n)


def fitness(la: np.ndarray, lb: np.ndarray, m: int, n: int) -> float:
    """−SML of the low-pass band fused block by block with m×n blocks (lower is better)."""
    take_a = _expand(block_choice(la, lb, m, n), la.shape, m, n)
    return -sml(np.where(take_a, la, lb))


def de_block_size(cost, lo: int, hi: int, rng: np.random.RandomState, population: int = 10,
                  generations: int = 20, f_weight: float = 0.5,
                  crossover: float = 0.2) -> tuple[int, int]:
    """The release's integer differential evolution over (m, n) ∈ [lo, hi]² (see step 2).

    ``cost(m, n)`` is minimised; ``rng.random_sample()`` is drawn in the release's order.

    >>> de_block_size(lambda m, n: (m - 9) ** 2 + (n - 6) ** 2, 4, 14, np.random.RandomState(0))
    (9, 6)
    """
    span = hi - lo + 1
    dim = 2

    def draw_int():
        return int(np.ceil(rng.random_sample() * span)) + lo - 1

    x = np.array([[draw_int() for _ in range(dim)] for _ in range(population)])
    memo: dict[tuple[int, int], float] = {}

    def f(v):
        key = (int(v[0]), int(v[1]))
        if key not in memo:
            memo[key] = cost(*key)
        return memo[key]

    for _ in range(generations):
        mutants = x.copy()
        for i in range(population):
            while True:
                r = [int(np.ceil(rng.random_sample() * population)) - 1 for _ in range(3)]
                if len({*r, i}) == 4:
                    break
            v = np.floor(x[r[0]] + f_weight * (x[r[1]] - x[r[2]])).astype(int)
            if (v < lo).any() or (v > hi).any():
                v[:] = draw_int()  # the release resets both components to one random value
            mutants[i] = v
        trials = x.copy()
        for i in range(population):
            for j in range(dim):
                forced = int(np.ceil(rng.random_sample() * dim)) - 1
                if rng.random_sample() <= crossover or j == forced:
                    trials[i, j] = mutants[i, j]
        for i in range(population):
            if f(trials[i]) <= f(x[i]):
                x[i] = trials[i]
    scores = [f(v) for v in x]
    best = x[int(np.argmin(scores))]
    return int(best[0]), int(best[1])


def _flip_isolated(choice: np.ndarray) -> np.ndarray:
    """Blocks whose 4 neighbours (outside the grid counts as different) all differ flip."""
    lab = np.pad(np.where(choice, 1, 2), 1)  # 0 outside
    c = lab[1:-1, 1:-1]
    alone = ((c != lab[:-2, 1:-1]) & (c != lab[2:, 1:-1])
             & (c != lab[1:-1, :-2]) & (c != lab[1:-1, 2:]))
    return np.where(alone, ~choice, choice)


def _edge_blocks(choice: np.ndarray) -> np.ndarray:
    """Blocks with a 4-neighbour (inside the grid) that chose the other source."""
    lab = np.pad(np.where(choice, 1, 2), 1)
    c = lab[1:-1, 1:-1]
    other = 3 - c
    return ((lab[:-2, 1:-1] == other) | (lab[2:, 1:-1] == other)
            | (lab[1:-1, :-2] == other) | (lab[1:-1, 2:] == other))


def medfilt2(x: np.ndarray, m: int, n: int) -> np.ndarray:
    """MATLAB ``medfilt2(x, [m n])``: zero borders; for an even m·n the mean of the two middle
    values; an even window reaches one pixel further down/right than up/left."""
    origin = (-1 if m % 2 == 0 else 0, -1 if n % 2 == 0 else 0)
    k = m * n
    if k % 2:
        return ndimage.rank_filter(x, k // 2, size=(m, n), mode="constant", origin=origin)
    lo = ndimage.rank_filter(x, k // 2 - 1, size=(m, n), mode="constant", origin=origin)
    hi = ndimage.rank_filter(x, k // 2, size=(m, n), mode="constant", origin=origin)
    return 0.5 * lo + 0.5 * hi


def _window_energy(c: np.ndarray, e: int) -> np.ndarray:
    return ndimage.correlate(c * c, np.ones((2 * e + 1, 2 * e + 1)), mode="constant")


def fuse_details(ca: np.ndarray, cb: np.ndarray, e_map: np.ndarray, e: int) -> np.ndarray:
    """Detail rule of step 4 for one band (``e_map`` already at the band's size)."""
    sa, sb = _window_energy(ca, e), _window_energy(cb, e)
    take_a = (sa >= DETAIL_SLACK * sb) & (e_map == 0)
    take_b = ~take_a & (sb >= DETAIL_SLACK * sa) & (e_map == 1)
    return np.where(take_a, ca, np.where(take_b, cb, (ca + cb) / 2.0))


def lowpass_bands(a: np.ndarray, b: np.ndarray, levels: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The two low-pass bands the block size is searched on (sizes a multiple of 2^levels)."""
    return (mst_dwt.forward(a, levels, WAVELET).low, mst_dwt.forward(b, levels, WAVELET).low)


def dwtde_gray(a: np.ndarray, b: np.ndarray, levels: int = 3, rng=None, search: str = "de",
               de_options: dict | None = None, bounds: tuple[int, int] = (4, 14),
               block_size: tuple[int, int] | None = None):
    """Fuse two H×W images; returns (fused, low-pass decision E, block size (m, n)).

    ``block_size`` given: that size, no search (to replay a run whose sizes are known)."""
    rng = np.random.RandomState(5489) if rng is None else rng
    h, w = a.shape
    k = 2**levels
    hh, ww = -(-h // k) * k, -(-w // k) * k
    pad = ((0, hh - h), (0, ww - w))
    a, b = np.pad(a, pad, mode="symmetric"), np.pad(b, pad, mode="symmetric")
    da, db = mst_dwt.forward(a, levels, WAVELET), mst_dwt.forward(b, levels, WAVELET)
    la, lb = da.low, db.low
    lo, hi = min(bounds[0], *la.shape), min(bounds[1], *la.shape)

    def cost(m, n):
        return fitness(la, lb, m, n)

    if block_size is not None:
        m, n = block_size
    elif search == "exhaustive":
        sizes = [(m, n) for m in range(lo, hi + 1) for n in range(lo, hi + 1)]
        m, n = sizes[int(np.argmin([cost(*s) for s in sizes]))]
    else:
        m, n = de_block_size(cost, lo, hi, rng, **(de_options or {}))
    choice = _flip_isolated(block_choice(la, lb, m, n))
    edge = _expand(_edge_blocks(choice), la.shape, m, n)
    # edge coefficients: EOG of their k×k block of the (padded) sources
    fine_a = block_eog(a, k, k)[: la.shape[0], : la.shape[1]]
    fine_b = block_eog(b, k, k)[: la.shape[0], : la.shape[1]]
    take_b = np.where(edge, fine_a < fine_b, ~_expand(choice, la.shape, m, n)).astype(np.float64)
    e_map = medfilt2(medfilt2(take_b, m, n), m, n)
    da.low = (1.0 - e_map) * la + e_map * lb
    cur = e_map
    highs = list(da.highs)
    for lev in range(levels - 1, -1, -1):  # coarsest level first; highs are finest first
        e = 2 ** (levels - lev) - 1
        for j in range(3):
            idx = 3 * lev + j
            band = highs[idx]
            highs[idx] = fuse_details(band, db.highs[idx], cur[: band.shape[0], : band.shape[1]], e)
        cur = np.repeat(np.repeat(cur, 2, axis=0), 2, axis=1)
    da.highs = highs
    fused = mst_dwt.inverse(da)[:h, :w]
    return fused, e_map, (m, n)


@register_method
class DWTDE(FusionMethod):
    name = "dwtde"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus",)
    groups: ClassVar[tuple[str, ...]] = ("mfifb", "classic")
    published_names: ClassVar[dict[str, str]] = {"mfifb": "DWTDE"}
    colour = "per-channel"
    citation = (
        "Y. Liu, Z. Wang, Multi-focus image fusion based on wavelet transform and adaptive "
        "block, Journal of Image and Graphics 18(11) (2013) 1435-1444"
    )

    @dataclass
    class Params:
        levels: int = 3  # DWT levels (db4, periodized)
        seed: int = 5489  # RandomState seed of the DE (5489 = MATLAB's start-up stream)
        search: str = "de"  # "de" (the release's DE) or "exhaustive" (all sizes)
        population: int = 10  # DE population NP
        generations: int = 20  # DE generations G
        f_weight: float = 0.5  # DE mutation factor F
        crossover: float = 0.2  # DE crossover rate CR
        min_block: int = 4  # block-size bounds (low-pass coefficients)
        max_block: int = 14

    def run(self, a, b, params):
        if params.search not in SEARCHES:
            raise ParameterError(f"method 'dwtde': search must be one of {SEARCHES}, "
                                 f"got {params.search!r}")
        if params.levels < 1:
            raise ParameterError(f"method 'dwtde': levels must be >= 1, got {params.levels}")
        if not 1 <= params.min_block <= params.max_block:
            raise ParameterError("method 'dwtde': need 1 <= min_block <= max_block")
        if params.population < 4:
            raise ParameterError("method 'dwtde': population must be >= 4 (DE/rand/1 needs 3 others)")
        rng = np.random.RandomState(params.seed)
        de = {"population": params.population, "generations": params.generations,
              "f_weight": params.f_weight, "crossover": params.crossover}
        chans_a = [a] if a.ndim == 2 else [a[..., c] for c in range(a.shape[2])]
        chans_b = [b] if b.ndim == 2 else [b[..., c] for c in range(b.shape[2])]
        out, maps, sizes = [], [], []
        for ca, cb in zip(chans_a, chans_b):
            f, e_map, size = dwtde_gray(ca, cb, params.levels, rng, params.search, de,
                                        (params.min_block, params.max_block))
            out.append(f)
            maps.append(e_map)
            sizes.append(size)
        fused = out[0] if a.ndim == 2 else np.stack(out, axis=-1)
        return FusionResult(image=round_half_away(fused),
                            extras={"block_sizes": sizes, "lowpass_decision_b": maps})
