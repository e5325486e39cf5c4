"""Learning and loading the 8×8, 256-atom patch dictionary of ``mstsr``.

The dictionary is learned with scikit-learn's online dictionary learning
(Mairal et al. 2009, ``MiniBatchDictionaryLearning``, LARS lasso coding) from
zero-mean, unit-norm 8×8 patches of grey natural images (the BSDS500 corpus in
``../shared/datasets/natural/images``), as a stand-in for the K-SVD
dictionary of Liu et al. (trained on natural-image patches too). Atoms are
unit-norm columns of a 64×256 matrix D (patch pixels in column-major order,
like MATLAB's ``patch(:)``).

Regenerate the shipped file with::

    python -m bench learn-dictionary --data-dir ../shared/datasets/natural/images \\
        --out methods/mstsr/dictionary.npz

    >>> D = load_dictionary()
    >>> D.shape
    (64, 256)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from bench.errors import DataError

DEFAULT_PATH = Path(__file__).with_name("dictionary.npz")


def sample_patches(images: list[np.ndarray], patch: int = 8, per_image: int = 200,
                   min_std: float = 2.0, seed: int = 0) -> np.ndarray:
    """Random zero-mean patch×patch patches (rows, column-major pixels) from grey images.

    Near-flat patches (std < ``min_std`` grey levels) are skipped: they carry
    no structure to learn.
    """
    rng = np.random.default_rng(seed)
    out = []
    for img in images:
        h, w = img.shape
        ys = rng.integers(0, h - patch + 1, size=per_image * 2)
        xs = rng.integers(0, w - patch + 1, size=per_image * 2)
        idx = np.arange(patch)
        p = img[ys[:, None, None] + idx[None, :, None], xs[:, None, None] + idx[None, None, :]]
        p = p.transpose(0, 2, 1).reshape(len(ys), -1)  # column-major within the patch
        p = p - p.mean(axis=1, keepdims=True)
        keep = p.std(axis=1) >= min_std
        out.append(p[keep][:per_image])
    return np.concatenate(out, axis=0)


def learn_dictionary(data_dir: str | Path, out: str | Path = DEFAULT_PATH, *, atoms: int = 256,
                     patch: int = 8, per_image: int = 200, max_iter: int = 3, alpha: float = 0.15,
                     seed: int = 0, progress: bool = True) -> Path:
    """Learn the dictionary from every image in ``data_dir`` and save it to ``out`` (.npz).

    The .npz holds ``D`` (patch²×atoms, unit-norm columns) and ``meta`` (JSON:
    data folder, image count, patch count, parameters).
    """
    from sklearn.decomposition import MiniBatchDictionaryLearning

    from bench.color import luma
    from bench.io import SUPPORTED_SUFFIXES, read_image

    data_dir = Path(data_dir)
    files = sorted(p for p in data_dir.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    if not files:
        raise DataError(f"learn_dictionary: no images in {data_dir}")
    images = [luma(read_image(f)[0]) for f in files]
    x = sample_patches(images, patch, per_image, seed=seed)
    if progress:
        print(f"learning {atoms} atoms of {patch}x{patch} from {len(x)} patches "
              f"of {len(files)} images in {data_dir}", flush=True)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)  # unit-norm patches: scale-free atoms
    model = MiniBatchDictionaryLearning(
        n_components=atoms, alpha=alpha, batch_size=256, max_iter=max_iter,
        random_state=seed, fit_algorithm="lars", transform_algorithm="omp", verbose=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # per-batch convergence chatter
        model.fit(x)
    d = model.components_.T.copy()
    d /= np.maximum(np.linalg.norm(d, axis=0, keepdims=True), 1e-12)
    meta = {
        "data_dir": str(data_dir), "images": len(files), "patches": int(len(x)), "atoms": atoms,
        "patch": patch, "per_image": per_image, "max_iter": max_iter, "alpha": alpha, "seed": seed,
        "algorithm": "sklearn MiniBatchDictionaryLearning (lars), zero-mean unit-norm grey patches",
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, D=d.astype(np.float32), meta=np.array(json.dumps(meta)))
    return out


_CACHE: dict[str, np.ndarray] = {}


def load_dictionary(path: str | Path = DEFAULT_PATH) -> np.ndarray:
    """The dictionary as a float64 patch²×atoms array with unit-norm columns (cached)."""
    key = str(Path(path).resolve())
    if key not in _CACHE:
        p = Path(path)
        if not p.is_file():
            raise DataError(
                f"mstsr dictionary {p} not found: regenerate it with 'python -m bench "
                "learn-dictionary --data-dir ../shared/datasets/natural/images --out "
                "methods/mstsr/dictionary.npz'"
            )
        with np.load(p) as z:
            d = np.asarray(z["D"], dtype=np.float64)
        _CACHE[key] = d / np.linalg.norm(d, axis=0, keepdims=True)
    return _CACHE[key]
