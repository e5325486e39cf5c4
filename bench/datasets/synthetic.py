"""``synthetic``: multi-focus pairs made with the paper's recipe, with ground truth and mask.

Works with no download at all: the default source images are photographs
bundled inside scikit-image (astronaut, chelsea, coffee, rocket,
motorcycle). Pair ``i`` takes source image ``i mod n``, a random
``size``×``size`` crop, a random mask covering 20–60 % of it and blur level
``levels[i mod len(levels)]`` (level k = k passes of a ``kernel``×``kernel``
Gaussian, σ = ``sigma``), then :func:`bench.datasets.synthesis.make_pair`.
A is sharp where the mask is 1; ``pair.mask`` is that mask and
``pair.ground_truth`` is the clear crop.

Options (keyword arguments of ``load_dataset`` or ``synthetic:key=value,...``):

=========  =============================================  ==========
option     meaning                                        default
=========  =============================================  ==========
count      number of pairs                                6
size       crop side in pixels (0 = whole image)          256
levels     blur levels cycled over pairs: ``5`` = 1..5,   ``1-5``
           ``2-4``, or a list ``1;3;5``
kernel     Gaussian kernel side                           3
sigma      Gaussian σ                                     2.0
mask       ``auto`` | ``region`` | ``blob`` | ``slic``    auto
source     ``skimage`` | ``natural`` | a folder of images skimage
seed       random seed                                    0
quantize   round A and B to whole grey levels (8-bit)     true
=========  =============================================  ==========

``mask=auto`` uses the BSDS region maps when the source is ``natural``
(``region``: a union of regions covering 20–60 %, falling back to SLIC
superpixels for images where no union fits) and smooth random blobs
otherwise. The same options and seed give identical bytes.

    >>> from bench.datasets import load_dataset
    >>> ds = load_dataset("synthetic:count=2,size=64")
    >>> len(ds), ds[0].a.shape
    (2, (64, 64, 3))
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from bench.datasets.base import Dataset, Pair, register_dataset
from bench.datasets.synthesis import blob_mask, blur_levels, make_pair, region_mask, slic_mask
from bench.errors import DataError, ParameterError

# Colour photographs shipped inside the scikit-image wheel (no network needed).
SKIMAGE_IMAGES = {
    "astronaut": "astronaut.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "motorcycle": "motorcycle_left.png",
}
MASK_KINDS = ("auto", "region", "blob", "slic")
RECIPE_VERSION = "synthetic-v1"


@dataclass(frozen=True)
class SyntheticRecipe:
    """All parameters that determine the synthetic pairs (hashable, picklable)."""

    count: int = 6
    size: int = 256
    levels: tuple[int, ...] = (1, 2, 3, 4, 5)
    kernel: int = 3
    sigma: float = 2.0
    mask: str = "auto"
    source: str = "skimage"
    seed: int = 0
    quantize: bool = True
    lo: float = 0.2
    hi: float = 0.6

    def __post_init__(self):
        if self.count < 1:
            raise ParameterError(f"synthetic: count must be >= 1, got {self.count}")
        if self.size < 0:
            raise ParameterError(f"synthetic: size must be >= 0, got {self.size}")
        if not self.levels or min(self.levels) < 1:
            raise ParameterError(f"synthetic: blur levels must be >= 1, got {self.levels}")
        if self.mask not in MASK_KINDS:
            raise ParameterError(
                f"synthetic: mask must be one of {', '.join(MASK_KINDS)}, got {self.mask!r}"
            )
        if self.kernel < 1 or self.kernel % 2 == 0:
            raise ParameterError(
                f"synthetic: kernel must be a positive odd integer, got {self.kernel}"
            )
        if self.sigma <= 0:
            raise ParameterError(f"synthetic: sigma must be > 0, got {self.sigma}")

    def key(self) -> str:
        """Stable text of the recipe (used in content hashes)."""
        return json.dumps({"v": RECIPE_VERSION, **asdict(self)}, sort_keys=True)


def parse_levels(value) -> tuple[int, ...]:
    """``5`` → (1..5); ``"2-4"`` → (2, 3, 4); ``"1;3;5"`` or ``[1, 3, 5]`` → (1, 3, 5).

    >>> parse_levels("2-4"), parse_levels(3), parse_levels("1;5")
    ((2, 3, 4), (1, 2, 3), (1, 5))
    """
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    if isinstance(value, int):
        return tuple(range(1, value + 1))
    text = str(value).strip()
    try:
        if "-" in text:
            lo, hi = (int(t) for t in text.split("-", 1))
            return tuple(range(lo, hi + 1))
        if ";" in text or "|" in text:
            return tuple(int(t) for t in text.replace("|", ";").split(";") if t.strip())
        return tuple(range(1, int(text) + 1))
    except ValueError:
        raise ParameterError(
            f"synthetic: cannot parse levels {value!r} (use 5, 2-4 or 1;3;5)"
        ) from None


def parse_options(arg: str | None) -> dict[str, str]:
    """``"count=10,size=128"`` → ``{"count": "10", "size": "128"}``."""
    out: dict[str, str] = {}
    for part in (arg or "").split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ParameterError(
                f"synthetic:{arg}: expected key=value items separated by commas, got {part!r}"
            )
        k, v = part.split("=", 1)
        out[k.strip().lower()] = v.strip()
    return out


def make_recipe(**options) -> SyntheticRecipe:
    """Build a :class:`SyntheticRecipe` from loose (string or typed) options."""
    known = {f for f in SyntheticRecipe.__dataclass_fields__}
    unknown = set(options) - known
    if unknown:
        raise ParameterError(
            f"synthetic: unknown option(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
        )
    kw: dict = {}
    try:
        for k, v in options.items():
            if v is None:
                continue
            if k == "levels":
                kw[k] = parse_levels(v)
            elif k in ("count", "size", "kernel", "seed"):
                kw[k] = int(v)
            elif k in ("sigma", "lo", "hi"):
                kw[k] = float(v)
            elif k == "quantize":
                kw[k] = v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes", "on")
            else:
                kw[k] = str(v)
    except ValueError as exc:
        raise ParameterError(f"synthetic: bad option value ({exc})") from None
    return replace(SyntheticRecipe(), **kw)


# -- source images ---------------------------------------------------------


def _source_list(source: str, data_dir: str | None) -> list[tuple[str, str, str | None]]:
    """``[(name, locator, label_map_path)]`` for the recipe's source images."""
    if source == "skimage":
        return [(n, f"skimage:{n}", None) for n in SKIMAGE_IMAGES]
    if source == "natural":
        from bench.datasets.natural import natural_images

        return [(i, str(p), str(m) if m else None) for i, p, m in natural_images(data_dir)]
    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise DataError(
            f"synthetic: source {source!r} is not 'skimage', 'natural' or an existing folder"
        )
    from bench.io import SUPPORTED_SUFFIXES

    files = sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file()
    )
    if not files:
        raise DataError(
            f"synthetic: folder {folder} holds no images ({', '.join(SUPPORTED_SUFFIXES)})"
        )
    return [(p.stem, str(p), None) for p in files]


def _read_source(locator: str) -> np.ndarray:
    if locator.startswith("skimage:"):
        import skimage.data

        from bench.io import read_image

        name = locator.split(":", 1)[1]
        path = Path(skimage.data.__file__).parent / SKIMAGE_IMAGES[name]
        if not path.is_file():
            raise DataError(
                f"synthetic: scikit-image's bundled photo {path} is missing (reinstall scikit-image)"
            )
        img, _ = read_image(path)
    else:
        from bench.io import read_image

        img, _ = read_image(locator)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    return img


def _fit(img: np.ndarray, labels: np.ndarray | None, size: int, rng: np.random.Generator):
    """Random ``size``×``size`` crop (upscaling first if the image is smaller)."""
    if size == 0:
        return img, labels
    h, w = img.shape[:2]
    if min(h, w) < size:
        from skimage.transform import resize

        scale = size / min(h, w)
        shape = (max(size, round(h * scale)), max(size, round(w * scale)))
        img = resize(img, shape + img.shape[2:], order=1, preserve_range=True, anti_aliasing=False)
        if labels is not None:
            labels = resize(
                labels, shape, order=0, preserve_range=True, anti_aliasing=False
            ).astype(np.int32)
        h, w = shape
    y = int(rng.integers(0, h - size + 1))
    x = int(rng.integers(0, w - size + 1))
    img = img[y : y + size, x : x + size]
    return img, None if labels is None else labels[y : y + size, x : x + size]


def _make_mask(recipe: SyntheticRecipe, clear, labels, rng) -> tuple[np.ndarray, str]:
    kind = recipe.mask
    if kind == "auto":
        kind = "region" if labels is not None else "blob"
    if kind == "region":
        if labels is not None:
            try:
                return region_mask(labels, rng, recipe.lo, recipe.hi), "region"
            except ValueError:
                pass  # no union of regions fits: use superpixels of the same picture
        kind = "slic"
    if kind == "slic":
        try:
            return slic_mask(clear, rng, recipe.lo, recipe.hi), "slic"
        except ValueError:
            pass
    return blob_mask(clear.shape, rng, recipe.lo, recipe.hi), "blob"


@functools.lru_cache(maxsize=4)  # a, b, ground truth and mask of one pair are read in turn
def _sample(recipe: SyntheticRecipe, index: int, data_dir: str | None) -> dict:
    sources = _source_list(recipe.source, data_dir)
    rng = np.random.default_rng([recipe.seed, index])
    order = np.random.default_rng([recipe.seed, 1 << 20]).permutation(len(sources))
    name, locator, label_path = sources[int(order[index % len(sources)])]
    img = _read_source(locator)
    labels = None
    if label_path is not None and recipe.mask in ("auto", "region"):
        from bench.datasets.natural import read_label_map

        labels = read_label_map(label_path)
    clear, labels = _fit(img, labels, recipe.size, rng)
    clear = np.ascontiguousarray(clear, dtype=np.float64)
    mask, kind = _make_mask(recipe, clear, labels, rng)
    level = recipe.levels[index % len(recipe.levels)]
    blurred = blur_levels(clear, level, recipe.kernel, recipe.sigma)[-1]
    a, b = make_pair(clear, mask, blurred)
    if recipe.quantize:
        a, b = np.rint(a), np.rint(b)
    return {
        "a": a,
        "b": b,
        "ground_truth": clear,
        "mask": mask.astype(np.float64),
        "source": name,
        "mask_kind": kind,
    }


@dataclass(frozen=True)
class _Part:
    """Picklable lazy loader of one array of synthetic pair ``index``."""

    recipe: SyntheticRecipe
    index: int
    part: str
    data_dir: str | None = None

    def __call__(self) -> np.ndarray:
        return _sample(self.recipe, self.index, self.data_dir)[self.part].copy()


@dataclass(frozen=True)
class _RecipeHash:
    recipe: SyntheticRecipe
    index: int

    def __call__(self) -> str:
        return hashlib.sha256(f"{self.recipe.key()}#{self.index}".encode()).hexdigest()


def synthetic_dataset(
    recipe: SyntheticRecipe | None = None, data_dir: str | os.PathLike | None = None
) -> Dataset:
    """The :class:`Dataset` of ``recipe`` (listing decodes nothing)."""
    recipe = recipe or SyntheticRecipe()
    dd = str(data_dir) if data_dir else None
    names = [s[0] for s in _source_list(recipe.source, dd)]
    order = np.random.default_rng([recipe.seed, 1 << 20]).permutation(len(names))
    pairs = []
    for i in range(recipe.count):
        level = recipe.levels[i % len(recipe.levels)]
        src = names[int(order[i % len(names)])]
        pairs.append(
            Pair(
                id=f"synthetic-{i:03d}-{src}-k{level}",
                modality="multi-focus",
                load_a=_Part(recipe, i, "a", dd),
                load_b=_Part(recipe, i, "b", dd),
                load_ground_truth=_Part(recipe, i, "ground_truth", dd),
                load_mask=_Part(recipe, i, "mask", dd),
                hash_fn=_RecipeHash(recipe, i),
                meta={
                    "source_image": src,
                    "level": level,
                    "seed": recipe.seed,
                    "width": recipe.size or None,
                    "height": recipe.size or None,
                    "mode": "RGB" if recipe.source == "skimage" else None,
                },
            )
        )
    return Dataset(
        "synthetic",
        pairs,
        modality="multi-focus",
        citation="Recipe: natural image + binary mask, k-fold 3x3 Gaussian (sigma=2) blur (see docs/datasets.md)",
        location="scikit-image bundled photographs"
        if recipe.source == "skimage"
        else recipe.source,
        description=f"{recipe.count} synthetic multi-focus pairs with ground truth and focus mask",
    )


@register_dataset("synthetic")
def _factory(arg: str | None, data_dir: str | None, **options) -> Dataset:
    opts = parse_options(arg)
    opts.update({k: v for k, v in options.items() if v is not None})
    return synthetic_dataset(make_recipe(**opts), data_dir)
