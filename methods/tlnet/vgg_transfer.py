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
(``torch.hub.get_dir()/checkpoints/``), then downloads it when allowed.

Use (needs the 548 MB VGG-19 file, so not run as a doctest)::

    from methods.tlnet.model import TLNet
    net = TLNet("paper")
    report = transfer_vgg19(net, load_vgg19_state_dict())
    len(report["copied"])   # 32
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from bench.errors import FusebenchError

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


class VGGWeightsMissing(FusebenchError):
    """The VGG-19 ImageNet file is not available."""


def hub_cache_path() -> Path:
    """Where torchvision caches the file: ``torch.hub.get_dir()/checkpoints/vgg19-dcbb9e9d.pth``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG19_FILE


def sha256_of(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_hash(path: str | os.PathLike) -> None:
    """Raise if the file's SHA-256 does not start with ``dcbb9e9d`` (torchvision's convention)."""
    digest = sha256_of(path)
    if not digest.startswith(VGG19_SHA256_PREFIX):
        raise FusebenchError(
            f"{path}: SHA-256 {digest[:16]}… does not match the official VGG-19 file "
            f"({VGG19_SHA256_PREFIX}…); delete it and fetch {VGG19_URL} again"
        )


def find_vgg19_weights(path: str | os.PathLike | None = None, download: bool = False) -> Path:
    """Locate (or download) the VGG-19 file; raise :class:`VGGWeightsMissing` with instructions.

    Order: ``path`` if given; ``$FUSEBENCH_VGG19``; the torch hub cache;
    download into the cache when ``download`` is true.
    """
    tried = []
    for cand in (path, os.environ.get("FUSEBENCH_VGG19")):
        if cand:
            p = Path(cand).expanduser()
            if p.is_file():
                return p
            tried.append(str(p))
    cache = hub_cache_path()
    if cache.is_file():
        return cache
    tried.append(str(cache))
    if download:
        cache.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(VGG19_URL, str(cache), hash_prefix=VGG19_SHA256_PREFIX)
        except Exception as exc:  # offline, proxy, hash mismatch
            raise VGGWeightsMissing(
                f"could not download {VGG19_URL} ({type(exc).__name__}: {exc}). "
                + _how_to_provide(tried)
            ) from exc
        return cache
    raise VGGWeightsMissing("VGG-19 ImageNet weights not found. " + _how_to_provide(tried))


def _how_to_provide(tried: list[str]) -> str:
    return (
        f"Looked in: {', '.join(tried)}. Provide the official file {VGG19_FILE} "
        f"(548 MB, from {VGG19_URL}, SHA-256 starting {VGG19_SHA256_PREFIX}) by either "
        f"(a) copying it to {hub_cache_path()}, (b) passing its path (--vgg-weights PATH) or "
        f"setting FUSEBENCH_VGG19=PATH, or (c) allowing the download (--download-vgg). "
        f"Or train without transfer (--no-transfer), the paper's non-TL variant."
    )


def load_vgg19_state_dict(path: str | os.PathLike | None = None, download: bool = False,
                          verify_hash: bool = True) -> dict[str, torch.Tensor]:
    """The torchvision VGG-19 state dict (``features.*`` and ``classifier.*`` keys)."""
    p = find_vgg19_weights(path, download)
    if verify_hash:
        check_hash(p)
    try:
        sd = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise FusebenchError(f"{p}: cannot read as a torch state dict ({exc})") from exc
    return sd


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
