"""Datasets of source pairs: the Python API used by the runner and notebooks.

    >>> from bench.datasets import load_dataset, list_datasets
    >>> ds = load_dataset("lytro", data_dir=data_dir)   # data_dir: the shared datasets folder
    >>> len(ds), ds["lytro-01"].a.shape
    (20, (520, 520, 3))

A dataset name may carry an argument after a colon: ``mfifb:lytro``,
``folder:/path/to/pairs``.
"""

from bench.datasets.base import (
    DATASETS,
    Dataset,
    Pair,
    list_datasets,
    load_dataset,
    register_dataset,
)

__all__ = ["DATASETS", "Dataset", "Pair", "list_datasets", "load_dataset", "register_dataset"]
