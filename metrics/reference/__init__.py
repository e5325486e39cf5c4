"""Difference from a reference: the sources (psnr, rmse) or the ground truth (psnr-gt, ssim-gt, rmse-gt, map-accuracy, map-iou)."""

from bench.registry import import_submodules

import_submodules(__name__)
