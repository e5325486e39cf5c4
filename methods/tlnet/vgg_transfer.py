"""Transfer of VGG-19 ImageNet weights onto tlnet's encoder.

torchvision's VGG-19 ``features`` holds 16 convolutions at indices
0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34 (ReLUs and
max-pools in between). They map, in order, onto the encoders' VGG convs
(block 1: conv1_1, conv1_2; block 2: conv2_1, conv2_2; blocks 3-5: four
each). Only those 32 tensors (weight + bias) are copied; every other layer
keeps its Xavier initialisation.

The standard file is ``vgg19-dcbb9e9d.pth`` (PyTorch project); ``dcbb9e9d``
is the first 8 hex digits of its SHA-256. :func:`find_vgg19_weights` looks
for it at an explicit path, then in the torch hub cache
(``torch.hub.get_dir()/checkpoints/``), then downloads it when allowed
(:mod:`methods.imagenet`, the one finder of ImageNet backbone files).

Use (needs the 548 MB VGG-19 file, so not run as a doctest)::

    from methods.tlnet.model import TLNet
    net = TLNet("paper")
    report = transfer_vgg19(net, load_vgg19_state_dict())
    len(report["copied"])   # 32
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from bench.errors import FusebenchError
from methods import imagenet
from methods.imagenet import ImagenetWeightsMissing, hub_dir, sha256_of  # noqa: F401 (re-exported)

VGG19_FILE = "vgg19-dcbb9e9d.pth"
VGG19_URL = "https://download.pytorch.org/models/" + VGG19_FILE
VGG19_SHA256_PREFIX = "dcbb9e9d"
#: torchvision ``features`` indices of VGG-19's 16 convolutions, in order.
VGG19_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34)
#: (out, in) channels of those convolutions.
VGG19_CONV_SHAPES = (
    (64, 3), (64, 64), (128, 64), (128, 128),
    (256, 128), (256, 256), (256, 256), (256, 256),
    (512, 256), (512, 512), (512, 512), (512, 512),
    (512, 512), (512, 512), (512, 512), (512, 512),
)


class VGGWeightsMissing(ImagenetWeightsMissing):
    """The VGG-19 ImageNet file is not available."""


def hub_cache_path() -> Path:
    """Where torchvision caches the file: ``torch.hub.get_dir()/checkpoints/vgg19-dcbb9e9d.pth``."""
    return hub_dir() / VGG19_FILE


def check_hash(path: str | os.PathLike) -> None:
    """Raise if the file's SHA-256 does not start with ``dcbb9e9d`` (torchvision's convention)."""
    imagenet.check_hash(imagenet.VGG19, path)


_HOW = dict(path_how="passing its path (--vgg-weights PATH)",
            download_how="allowing the download (--download-vgg)",
            extra=" Or train without transfer (--no-transfer), the paper's non-TL variant.")


def find_vgg19_weights(path: str | os.PathLike | None = None, download: bool = False) -> Path:
    """Locate (or download) the VGG-19 file; raise :class:`VGGWeightsMissing` with instructions.

    Order: ``path`` if given; ``$FUSEBENCH_VGG19``; the torch hub cache;
    download into the cache when ``download`` is true
    (:func:`methods.imagenet.find_checkpoint`, shared with dlf).
    """
    return imagenet.find_checkpoint(imagenet.VGG19, path, download, error=VGGWeightsMissing, **_HOW)


def load_vgg19_state_dict(path: str | os.PathLike | None = None, download: bool = False,
                          verify_hash: bool = True) -> dict[str, torch.Tensor]:
    """The torchvision VGG-19 state dict (``features.*`` and ``classifier.*`` keys)."""
    return imagenet.load_checkpoint(imagenet.VGG19, path, download, verify_hash,
                                    error=VGGWeightsMissing, **_HOW)


def transfer_vgg19(net, state_dict: dict[str, torch.Tensor], freeze: bool = False) -> dict:
    """Copy VGG-19 conv weights into ``net``'s VGG layers; return ``{"copied": [...], ...}``.

    Raises when a key is missing or a shape differs (e.g. a width multiplier
    ≠ 1 or fewer VGG convs than VGG-19 has). ``freeze`` stops gradients to the
    copied tensors (the ``freeze_vgg`` option).
    """
    convs = net.vgg_convs()
    if len(convs) != len(VGG19_CONV_INDICES):
        raise FusebenchError(
            f"tlnet config {net.config.name!r} has {len(convs)} VGG convs; VGG-19 transfer needs 16 "
            "(vgg_convs = 2, 2, 4, 4, 4)"
        )
    copied = []
    with torch.no_grad():
        for conv, idx in zip(convs, VGG19_CONV_INDICES):
            for kind, param in (("weight", conv.weight), ("bias", conv.bias)):
                key = f"features.{idx}.{kind}"
                if key not in state_dict:
                    raise FusebenchError(f"VGG-19 state dict lacks {key!r}")
                src = state_dict[key]
                if tuple(src.shape) != tuple(param.shape):
                    raise FusebenchError(
                        f"VGG-19 {key} has shape {tuple(src.shape)} but tlnet config "
                        f"{net.config.name!r} expects {tuple(param.shape)} (VGG transfer needs width=1.0)"
                    )
                param.copy_(src.to(param.dtype))
                param.requires_grad_(not freeze)
                copied.append(key)
    return {"copied": copied, "frozen": bool(freeze)}
