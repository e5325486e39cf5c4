"""ImageNet-trained backbones (VGG-19, ResNet-50) for the methods that borrow their features.

The weights are torchvision's standard files, hundreds of MB, not shipped and
not downloadable on every machine. They are found like tlnet's VGG-19
(:mod:`methods.tlnet.vgg_transfer`), by :func:`find_checkpoint`: an explicit
path, the file's environment variable, the torch hub cache
(``torch.hub.get_dir()/checkpoints/<file>``), or a download into that cache
when asked; the SHA-256 must start with the 8 hex digits in the file name
(torchvision's convention). A missing file is a
:class:`ImagenetWeightsMissing` that says what to put where.

The networks are defined here (torchvision is not a dependency) with
torchvision's state-dict key names, so the standard files load as they are:

- :func:`vgg19_features`: ``features.0`` … ``features.20`` (conv1_1 … relu4_1);
- :func:`resnet50_trunk`: ``conv1``, ``bn1``, ``layer1`` … ``layer4`` (no ``fc``).

:func:`random_state_dict` fabricates seeded random weights of the same keys and
shapes (He-normal convolutions, identity batch norms): for testing the
mechanics only, the ``imagenet_weights="random"`` of the methods.

    >>> sd = random_state_dict("resnet50", seed=0)
    >>> len(sd), tuple(sd["layer4.2.conv3.weight"].shape)
    (318, (2048, 512, 1, 1))
    >>> net = resnet50_trunk().eval()
    >>> _ = net.load_state_dict(sd)
    >>> import torch
    >>> with torch.no_grad():
    ...     net(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 2048, 2, 2])
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench.errors import FusebenchError
from bench.weights import sha256_of
from methods.devices import cached_network, file_key

HUB_URL = "https://download.pytorch.org/models/"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImagenetWeightsMissing(FusebenchError):
    """An ImageNet backbone file (VGG-19, ResNet-50) is not available."""


@dataclass(frozen=True)
class HubCheckpoint:
    """A torchvision weights file: accepted names (first = the one downloaded), size, env var."""

    label: str
    files: tuple[str, ...]
    size_mb: int
    env: str

    @property
    def url(self) -> str:
        return HUB_URL + self.files[0]

    @staticmethod
    def prefix(file: str) -> str:
        """The SHA-256 prefix torchvision puts in the name: ``vgg19-dcbb9e9d.pth`` → ``dcbb9e9d``."""
        return file.rsplit("-", 1)[-1].split(".")[0]


VGG19 = HubCheckpoint("VGG-19", ("vgg19-dcbb9e9d.pth",), 548, "FUSEBENCH_VGG19")
RESNET50 = HubCheckpoint("ResNet-50", ("resnet50-0676ba61.pth", "resnet50-19c8e357.pth",
                                       "resnet50-11ad3fa6.pth"), 98, "FUSEBENCH_RESNET50")
CHECKPOINTS = {"vgg19": VGG19, "resnet50": RESNET50}


def hub_dir() -> Path:
    """torchvision's cache: ``torch.hub.get_dir()/checkpoints``."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def check_hash(spec: HubCheckpoint, path: str | os.PathLike) -> None:
    """Raise unless the file's SHA-256 starts with the prefix of one of ``spec``'s names."""
    digest = sha256_of(path)
    if not any(digest.startswith(spec.prefix(f)) for f in spec.files):
        wanted = " or ".join(spec.prefix(f) for f in spec.files)
        raise FusebenchError(
            f"{path}: SHA-256 {digest[:16]}… does not match the official {spec.label} file "
            f"({wanted}…); delete it and fetch {spec.url} again"
        )


def how_to_provide(spec: HubCheckpoint, tried: list[str], *, path_how: str, download_how: str,
                   extra: str = "") -> str:
    return (
        f"Looked in: {', '.join(tried)}. Provide the official file {spec.files[0]} "
        f"({spec.size_mb} MB, from {spec.url}, SHA-256 starting {spec.prefix(spec.files[0])}) by "
        f"either (a) copying it to {hub_dir() / spec.files[0]}, (b) {path_how} or setting "
        f"{spec.env}=PATH, or (c) {download_how}.{extra}"
    )


def find_checkpoint(spec: HubCheckpoint, path: str | os.PathLike | None = None,
                    download: bool = False, *, error: type[FusebenchError] = ImagenetWeightsMissing,
                    path_how: str = "passing its path", download_how: str = "allowing the download",
                    extra: str = "") -> Path:
    """Locate (or download) ``spec``: ``path``, ``$env``, the torch hub cache, a download."""
    import torch

    tried = []
    for cand in (path, os.environ.get(spec.env)):
        if cand:
            p = Path(cand).expanduser()
            if p.is_file():
                return p
            tried.append(str(p))
    for name in spec.files:
        cache = hub_dir() / name
        if cache.is_file():
            return cache
    tried.append(str(hub_dir() / spec.files[0]))
    advice = how_to_provide(spec, tried, path_how=path_how, download_how=download_how, extra=extra)
    if download:
        cache = hub_dir() / spec.files[0]
        cache.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(spec.url, str(cache), hash_prefix=spec.prefix(spec.files[0]))
        except Exception as exc:  # offline, proxy, hash mismatch
            raise error(f"could not download {spec.url} ({type(exc).__name__}: {exc}). " + advice) from exc
        return cache
    raise error(f"{spec.label} ImageNet weights not found. " + advice)


def load_checkpoint(spec: HubCheckpoint, path: str | os.PathLike | None = None,
                    download: bool = False, verify_hash: bool = True, **how) -> dict:
    """The state dict of ``spec`` (``torch.load(weights_only=True)``), hash-checked."""
    import torch

    p = find_checkpoint(spec, path, download, **how)
    if verify_hash:
        check_hash(spec, p)
    try:
        return torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise FusebenchError(f"{p}: cannot read as a torch state dict ({exc})") from exc


# --------------------------------------------------------------------------- networks
#: torchvision VGG-19 ``features`` up to relu4_1: conv (out, in) or "M" (2×2 max-pool); each
#: conv is followed by its ReLU, so indices run conv 0, relu 1, conv 2, relu 3, pool 4, ...
VGG19_TO_RELU4_1 = ((64, 3), (64, 64), "M", (128, 64), (128, 128), "M",
                    (256, 128), (256, 256), (256, 256), (256, 256), "M", (512, 256))
#: ``features`` indices of conv1_1, conv2_1, conv3_1, conv4_1 (their ReLUs are +1).
VGG19_BLOCK_FIRST_CONVS = (0, 5, 10, 19)
#: ResNet-50: bottleneck count and width of layer1..layer4 (output = 4 × width).
RESNET50_LAYERS = ((3, 64), (4, 128), (6, 256), (3, 512))


def vgg19_features():
    """VGG-19's ``features`` up to relu4_1 (index 20), torchvision keys ``features.<i>.*``."""
    from torch import nn

    layers: list = []
    for item in VGG19_TO_RELU4_1:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(item[1], item[0], 3, padding=1), nn.ReLU()]

    class VGG19Features(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(*layers)

        def forward(self, x, taps):
            """Outputs of the ``features`` indices ``taps`` (in order)."""
            out, last = [], max(taps)
            for i, layer in enumerate(self.features):
                x = layer(x)
                if i in taps:
                    out.append(x)
                if i == last:
                    break
            return out

    return VGG19Features()


def resnet50_trunk():
    """ResNet-50 up to ``layer4`` (torchvision v1.5: stride in the 3×3 conv), torchvision keys."""
    from torch import nn
    from torch.nn import functional as F

    class Bottleneck(nn.Module):
        def __init__(self, cin: int, width: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = nn.Conv2d(width, 4 * width, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(4 * width)
            self.downsample = None
            if stride != 1 or cin != 4 * width:
                self.downsample = nn.Sequential(nn.Conv2d(cin, 4 * width, 1, stride, bias=False),
                                                nn.BatchNorm2d(4 * width))

        def forward(self, x):
            y = F.relu(self.bn1(self.conv1(x)))
            y = F.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
            return F.relu(y + (x if self.downsample is None else self.downsample(x)))

    class ResNet50Trunk(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            cin = 64
            for n, (blocks, width) in enumerate(RESNET50_LAYERS, start=1):
                seq = []
                for k in range(blocks):
                    seq.append(Bottleneck(cin, width, 2 if (k == 0 and n > 1) else 1))
                    cin = 4 * width
                setattr(self, f"layer{n}", nn.Sequential(*seq))

        def forward(self, x, upto: int = 4):
            """Output of ``layer<upto>`` (4: torchvision's last block, MatConvNet's res5cx)."""
            x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
            for n in range(1, upto + 1):
                x = getattr(self, f"layer{n}")(x)
            return x

    return ResNet50Trunk()


BUILDERS = {"vgg19": vgg19_features, "resnet50": resnet50_trunk}


def random_state_dict(arch: str, seed: int = 0) -> dict:
    """Seeded random weights with ``arch``'s torchvision keys and shapes (mechanics tests only)."""
    import torch

    net = BUILDERS[arch]()
    gen = torch.Generator().manual_seed(seed)
    sd = {}
    for key, t in net.state_dict().items():
        if key.endswith("num_batches_tracked"):
            sd[key] = torch.zeros((), dtype=torch.long)
        elif t.ndim == 4:  # He-normal: activations keep their scale through the ReLUs
            fan_in = t.shape[1] * t.shape[2] * t.shape[3]
            sd[key] = torch.randn(t.shape, generator=gen) * (2.0 / fan_in) ** 0.5
        elif key.endswith("running_var") or (key.endswith("weight") and "bn" in key):
            sd[key] = torch.ones(t.shape)
        elif "downsample.1.weight" in key:
            sd[key] = torch.ones(t.shape)
        else:  # conv biases, bn biases and running means
            sd[key] = 0.01 * torch.randn(t.shape, generator=gen)
    return sd


def load_backbone(arch: str, weights: str | None, device, method: str):
    """``arch`` ("vgg19" / "resnet50") in eval mode on ``device`` with ``weights``: None = the
    standard file (:func:`find_checkpoint`), a path, ``"download"`` (fetch into the hub cache
    when absent) or ``"random"`` / ``"random:SEED"`` (fabricated; mechanics only). Cached."""
    spec = CHECKPOINTS[arch]
    how = dict(path_how=f"passing its path ({method}:imagenet_weights=PATH)",
               download_how=f"allowing the download ({method}:imagenet_weights=download)",
               extra=f" Method {method!r} cannot run without them.")
    w = weights or ""
    if w.startswith("random"):
        source, mtime = w, None
    else:
        source, mtime = file_key(find_checkpoint(spec, None if w in ("", "download") else w, w == "download",
                                                 **how))

    def build():
        net = BUILDERS[arch]()
        if w.startswith("random"):
            state = random_state_dict(arch, int(w.partition(":")[2] or 0))
        else:
            state = load_checkpoint(spec, source, **how)
        wanted = net.state_dict().keys()
        try:
            net.load_state_dict({k: v for k, v in state.items() if k in wanted})
        except Exception as exc:
            raise FusebenchError(
                f"method {method!r}: {source} is not a torchvision {spec.label} state dict ({exc})"
            ) from exc
        return net.eval().to(device)

    return cached_network(("imagenet", arch, source, mtime, str(device)), build)
