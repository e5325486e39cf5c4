"""Structural-similarity metrics: windowed SSIM/UIQI of F to the sources and correlations (ssim, ms-ssim, qc, qy, qw, qe, scd)."""

from bench.registry import import_submodules

import_submodules(__name__)
