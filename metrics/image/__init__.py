"""Properties of the fused image alone: sharpness, activity, contrast (qag, ei, qsf, sd)."""

from bench.registry import import_submodules

import_submodules(__name__)
