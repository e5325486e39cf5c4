"""``ifcnn-max``, ``ifcnn-mean``, ``ifcnn-sum`` — IFCNN (Zhang et al. 2020) with the authors' weights.

Y. Zhang, Y. Liu, P. Sun, H. Yan, X. Zhao, L. Zhang, "IFCNN: A general image
fusion framework based on convolutional neural network", Information Fusion 54
(2020) 99–118. Released code and snapshots: ``uzeful/IFCNN`` @ 8fe59c2b.

Network (every source through the same feature extractor, an element-wise
fusion rule, then the reconstruction layers):

1. CONV1: ResNet-101's first convolution (7×7, 3 → 64, no bias, frozen
   ImageNet weights) with stride 1 on the source replicate-padded by 3;
   no activation.
2. CONV2: replicate pad 1, 3×3 conv 64 → 64 (no bias), batch norm, ReLU.
3. Fusion rule over the sources' CONV2 features: element-wise maximum
   (IFCNN-MAX: multi-focus, infrared-visible, medical), mean (IFCNN-MEAN:
   multi-exposure) or sum (IFCNN-SUM). Each rule has its own trained snapshot.
4. CONV3: as CONV2; CONV4: 1×1 conv 64 → 3 with bias.

Pre/post-processing as in the authors' demo: colour sources are RGB in 0..1
normalised with the ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224,
0.225); grey sources are repeated to 3 channels and not normalised (their
infrared-visible and medical settings: mean 0, std 1), and the output is turned
back to grey (BT.601). The output is de-normalised, clamped to 0..1, times 255
and truncated to 8 bits (their ``astype('uint8')``). ``normalize`` overrides
the choice ("auto", "imagenet", "none").

Variants are separate methods, not one method with a rule parameter: the three
snapshots were trained with their rule, so the rule and the weights go together.

Weights: ``ifcnn/IFCNN-{MAX,MEAN,SUM}.pth`` (337 KB each, plain state dicts,
conv1 included), found by :mod:`bench.weights` (``weights`` parameter,
``FUSEBENCH_IFCNN_{MAX,MEAN,SUM}``, ``FUSEBENCH_WEIGHTS``, cache, download).

Colour: ``per-channel`` is the closest declared policy (RGB in, RGB out; the
network mixes the channels in CONV1). ``fuse(X, X)`` is the network's
reconstruction of X, not X (``identity_exempt``).

    >>> import torch
    >>> net = build_network().eval()          # weights: load_network("max") reads the snapshot
    >>> sorted(net.state_dict())[:3]
    ['conv1.weight', 'conv2.bn.bias', 'conv2.bn.num_batches_tracked']
    >>> with torch.no_grad():
    ...     net("max", torch.zeros(1, 3, 24, 32), torch.ones(1, 3, 24, 32)).shape
    torch.Size([1, 3, 24, 32])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import luma
from bench.errors import ParameterError
from bench.weights import declare, locate
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, load_state, torch_device

_SOURCE = "uzeful/IFCNN@8fe59c2b1553e52acc793986208ca479d134a8da:Code/snapshots/"
SNAPSHOTS = {
    "max": declare("ifcnn/IFCNN-MAX.pth",
                   "6022b44c88a2f0367ba9b08fcdf0d663745d9a966fca0ee1f41867797b6ff53f", 337094,
                   _SOURCE + "IFCNN-MAX.pth", env="FUSEBENCH_IFCNN_MAX", method="ifcnn-max"),
    "mean": declare("ifcnn/IFCNN-MEAN.pth",
                    "fd2ee9361f1d428fc9749e28e8a2c5c5ef6ce6528ab6f5ad8ef5def42e7ffa4b", 337079,
                    _SOURCE + "IFCNN-MEAN.pth", env="FUSEBENCH_IFCNN_MEAN", method="ifcnn-mean"),
    "sum": declare("ifcnn/IFCNN-SUM.pth",
                   "a8c1d293f1bf16a93e6244a4bf8f7a7bd300dc10555c8597ad7ef3320b0410cb", 337107,
                   _SOURCE + "IFCNN-SUM.pth", env="FUSEBENCH_IFCNN_SUM", method="ifcnn-sum"),
}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def build_network():
    """The IFCNN module (torch imported lazily); state-dict keys match the authors' snapshots."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class ConvBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(64, 64, 3, bias=False)
            self.bn = nn.BatchNorm2d(64)

        def forward(self, x):
            return F.relu(self.bn(self.conv(F.pad(x, (1, 1, 1, 1), mode="replicate"))))

    class IFCNNNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, bias=False)
            self.conv2 = ConvBlock()
            self.conv3 = ConvBlock()
            self.conv4 = nn.Conv2d(64, 3, 1)

        def features(self, x):
            return self.conv2(self.conv1(F.pad(x, (3, 3, 3, 3), mode="replicate")))

        def forward(self, rule: str, *sources):
            feats = [self.features(s) for s in sources]
            if rule == "max":
                f = torch.stack(feats).amax(0)
            elif rule == "sum":
                f = torch.stack(feats).sum(0)
            else:
                f = torch.stack(feats).mean(0)
            return self.conv4(self.conv3(f))

    return IFCNNNet()


def load_network(rule: str, path: str | None = None, device="cpu"):
    """IFCNN with the snapshot of ``rule`` (eval mode, on ``device``), cached per file and device."""
    p = locate(SNAPSHOTS[rule], path)
    return cached_network(("ifcnn", rule, *file_key(p), str(device)),
                          lambda: load_state(build_network(), p, f"ifcnn-{rule}", "IFCNN").to(device))


class _IFCNN(FusionMethod):
    rule: ClassVar[str] = "max"
    version = "1"
    kind = "deep"
    colour = "per-channel"
    identity_exempt: ClassVar[str] = (
        "the output is the network's reconstruction of the fused features, which for two "
        "identical sources approximates the source (a few grey levels off), not an identity"
    )
    citation = (
        "Y. Zhang, Y. Liu, P. Sun, H. Yan, X. Zhao, L. Zhang, IFCNN: A general image fusion "
        "framework based on convolutional neural network, Information Fusion 54 (2020) 99-118"
    )

    @dataclass
    class Params:
        weights: str | None = None  # snapshot path; None = found by bench.weights
        normalize: str = "auto"  # auto (ImageNet for colour, none for grey), imagenet, none
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N

    def run(self, a, b, params):
        import torch

        if params.normalize not in ("auto", "imagenet", "none"):
            raise ParameterError(
                f"method {self.name!r}: normalize must be auto, imagenet or none, got {params.normalize!r}"
            )
        grey = a.ndim == 2
        imagenet = params.normalize == "imagenet" or (params.normalize == "auto" and not grey)
        mean = np.array(IMAGENET_MEAN if imagenet else (0.0, 0.0, 0.0), np.float32)
        std = np.array(IMAGENET_STD if imagenet else (1.0, 1.0, 1.0), np.float32)
        dev = torch_device(params.device, self.name)
        net = load_network(self.rule, params.weights, dev)

        def tensor(x):
            x = np.repeat(x[..., None], 3, axis=2) if grey else x
            x = (x.astype(np.float32) / 255.0 - mean) / std  # a copy: the inputs stay untouched
            return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None].to(dev)

        with torch.inference_mode():
            out = net(self.rule, tensor(a), tensor(b))[0].cpu().numpy().transpose(1, 2, 0)
        out = np.floor(np.clip(out * std + mean, 0.0, 1.0) * 255.0).astype(np.float64)
        return FusionResult(image=np.rint(luma(out)) if grey else out)


@register_method
class IFCNNMax(_IFCNN):
    """IFCNN-MAX: element-wise maximum of the features (multi-focus, IR-visible, medical)."""

    name = "ifcnn-max"
    rule = "max"
    modalities = ("multi-focus", "ir-visible", "medical")
    groups = ("mfifb",)
    published_names = {"mfifb": "IFCNN"}


@register_method
class IFCNNMean(_IFCNN):
    """IFCNN-MEAN: element-wise mean of the features (trained for multi-exposure)."""

    name = "ifcnn-mean"
    rule = "mean"
    modalities = ("multi-focus", "ir-visible", "medical")


@register_method
class IFCNNSum(_IFCNN):
    """IFCNN-SUM: element-wise sum of the features."""

    name = "ifcnn-sum"
    rule = "sum"
    modalities = ("multi-focus", "ir-visible", "medical")
