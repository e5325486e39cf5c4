"""The siamese patch network of Liu et al. 2017 ("Multi-focus image fusion with a
deep convolutional neural network", Information Fusion 36) — spec: ``cnn_patch.md``.

One branch (shared by both inputs), grey input scaled to 0..1::

    conv3×3 1→64, ReLU → conv3×3 64→128, ReLU → maxpool 2×2/2 → conv3×3 128→256, ReLU

('same' zero padding). For a 16×16 patch a branch gives 256×8×8 features; the two
branches' features are concatenated (512×8×8) → FC 256, ReLU → FC 2 → softmax.
Class 1 means "the first patch is the sharper one"; the *score* is P(class 1).

The same weights run two ways:

* :meth:`PatchCNN.forward` — patch classifier (training): ``(N,1,16,16)`` ×2 → logits ``(N,2)``.
* :meth:`PatchCNN.score_map` — fully convolutional (inference): the FC layers are
  reshaped into an 8×8 conv (512→256) and a 1×1 conv (256→2), so whole images give
  a dense score map of size (⌈H/2⌉ − 8 + 1) × (⌈W/2⌉ − 8 + 1), one score per
  16×16 patch pair at stride 2.

Each branch runs once per image. The 8×8 head conv (512→256 channels, 8.4 M
multiply-adds per output) dominates the cost on CPU, so there it is computed
exactly by FFT (overlap-save tiles, :func:`conv2d_valid_fft`, ~15× fewer
operations); on CUDA the direct convolution is used.

    >>> import torch
    >>> net = PatchCNN().eval()
    >>> net(torch.zeros(3, 1, 16, 16), torch.zeros(3, 1, 16, 16)).shape
    torch.Size([3, 2])
    >>> net.score_map(torch.zeros(1, 1, 37, 40), torch.zeros(1, 1, 37, 40)).shape
    torch.Size([1, 1, 12, 13])
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

PATCH = 16  # training patch size (pixels)
STRIDE = 2  # patch stride of the dense score map (one max-pool)
FEAT = PATCH // STRIDE  # 8: spatial size of a patch's branch features
FFT_TILE = 17  # output tile of the FFT head: 24×24 transforms


class Branch(nn.Module):
    """Feature extractor shared by both inputs: 3 convs + one 2×2 max-pool."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 3, padding=1)
        self.conv2 = nn.Conv2d(64, 128, 3, padding=1)
        self.conv3 = nn.Conv2d(128, 256, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        # ceil_mode: an odd-sized image gives ⌈H/2⌉ rows, as in the paper's formula.
        x = F.max_pool2d(x, 2, 2, ceil_mode=True)
        return F.relu(self.conv3(x))


def xavier_init(net: nn.Module, generator: torch.Generator | None = None) -> None:
    """Xavier (Glorot) uniform weights, bound √(6 / (fan_in + fan_out)), and zero biases for
    every convolution and linear layer of ``net``, in module order (Caffe's "xavier" filler
    as Liu et al. used it; the order makes a seeded ``generator`` reproducible)."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            w = m.weight
            fan_in = w[0].numel()
            fan_out = w.shape[0] * (w[0, 0].numel() if w.dim() > 2 else 1)
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            with torch.no_grad():
                w.uniform_(-bound, bound, generator=generator)
                m.bias.zero_()


class SiamesePatchClassifier(nn.Module):
    """A siamese 16×16 patch-pair focus classifier: ``branch`` (shared by both inputs, a patch →
    (C, 8, 8) features), ``fc1`` on the two branches' concatenated features, ``fc2`` to 2 classes.

    :class:`PatchCNN` and wavelet-cnn's ``WaveletCNN`` build those layers; this class trains
    them on patch pairs (:meth:`forward`) and runs them fully convolutionally on whole images
    (:meth:`score_map`). ``label`` names the method in errors.
    """

    label = "cnn-patch"

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """Xavier (Glorot) uniform weights and zero biases, as in Liu et al. (Caffe "xavier")."""
        xavier_init(self, generator)

    # -- training: patch classifier -----------------------------------------
    def forward(self, pa: torch.Tensor, pb: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, 2)`` for patch pairs ``pa``, ``pb`` of shape ``(N, 1, 16, 16)`` in 0..1."""
        if pa.shape[-2:] != (PATCH, PATCH) or pb.shape != pa.shape:
            raise ValueError(
                f"{self.label}: expected two (N,1,{PATCH},{PATCH}) patch batches, got "
                f"{tuple(pa.shape)} and {tuple(pb.shape)}"
            )
        n = pa.shape[0]
        f = self.branch(torch.cat([pa, pb], 0))  # one pass for both inputs
        f = torch.cat([f[:n], f[n:]], 1).flatten(1)
        return self.fc2(F.relu(self.fc1(f)))

    # -- inference: fully convolutional ---------------------------------------
    # fc1.weight (hidden, 2C·8·8) is laid out as torch.flatten of the (2C, 8, 8)
    # concatenation, so it reshapes to a (hidden, 2C, 8, 8) kernel whose first C
    # input channels see branch A and the rest branch B; fc2 becomes a 1×1 conv.
    def score_map(self, a: torch.Tensor, b: torch.Tensor, head: str = "auto") -> torch.Tensor:
        """Dense scores P(A sharper) ``(1, 1, ⌈H/2⌉−7, ⌈W/2⌉−7)`` for grey images ``(1,1,H,W)`` in 0..1.

        ``head``: ``"fft"`` (exact FFT convolution), ``"direct"`` (``conv2d``) or
        ``"auto"`` (direct on CUDA, FFT elsewhere).
        """
        label = self.label
        if a.shape != b.shape or a.dim() != 4 or a.shape[:2] != (1, 1):
            raise ValueError(f"{label}: expected two (1,1,H,W) images, got {tuple(a.shape)}, {tuple(b.shape)}")
        if min(a.shape[-2:]) < PATCH:
            raise ValueError(f"{label}: images must be at least {PATCH}×{PATCH}, got {tuple(a.shape[-2:])}")
        hidden = self.fc1.out_features
        w1 = self.fc1.weight.reshape(hidden, -1, FEAT, FEAT)
        w2 = self.fc2.weight.reshape(2, hidden, 1, 1)
        feats = torch.cat([self.branch(a), self.branch(b)], 1)
        if head == "auto":
            head = "direct" if feats.is_cuda else "fft"
        if head == "fft":
            h = conv2d_valid_fft(feats[0], w1, tile=FFT_TILE, spectrum=self._head_spectrum(w1))
            h = h[None] + self.fc1.bias[None, :, None, None]
        elif head == "direct":
            h = F.conv2d(feats, w1, self.fc1.bias)
        else:
            raise ValueError(f"{label}: unknown head mode {head!r} (auto, fft, direct)")
        logits = F.conv2d(F.relu(h), w2, self.fc2.bias)
        return torch.softmax(logits, dim=1)[:, 1:2]

    def _head_spectrum(self, w1: torch.Tensor) -> torch.Tensor:
        """FFT of the head kernel, cached while the weights are unchanged (PatchCNN: ~330 MB; eval
        use only)."""
        if self.training or torch.is_grad_enabled():
            return kernel_spectrum(w1, FFT_TILE + FEAT - 1)
        key = (w1.data_ptr(), w1._version, w1.device)
        cache = getattr(self, "_spectrum_cache", None)
        if cache is None or cache[0] != key:
            cache = (key, kernel_spectrum(w1, FFT_TILE + FEAT - 1))
            self._spectrum_cache = cache
        return cache[1]


class PatchCNN(SiamesePatchClassifier):
    """Siamese focus classifier; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.branch = Branch()
        self.fc1 = nn.Linear(2 * 256 * FEAT * FEAT, 256)
        self.fc2 = nn.Linear(256, 2)


class Liu2017Net(nn.Module):
    """The network of the authors' released ``cnnmodel.mat`` (Liu et al. 2017 / 2018).

    Same :class:`Branch` as :class:`PatchCNN`, but the 512×8×8 concatenated
    features go straight to the 2-class output (``weights_output`` is 512×64×2:
    an 8×8 convolution 512 → 2, no 256-unit hidden layer), then softmax. The
    score is P(class 2) (MATLAB's ``output_data(:,:,2)``), "A is the sharper".

        >>> net = Liu2017Net().eval()
        >>> net.score_map(torch.zeros(1, 1, 37, 40), torch.zeros(1, 1, 37, 40)).shape
        torch.Size([1, 1, 12, 13])
    """

    def __init__(self) -> None:
        super().__init__()
        self.branch = Branch()
        self.head = nn.Conv2d(2 * 256, 2, FEAT)

    def forward(self, pa: torch.Tensor, pb: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, 2)`` for ``(N, 1, 16, 16)`` patch pairs in 0..1."""
        return self.head(torch.cat([self.branch(pa), self.branch(pb)], 1)).flatten(1)

    def score_map(self, a: torch.Tensor, b: torch.Tensor, head: str = "auto") -> torch.Tensor:
        """Dense scores ``(1, 1, ⌈H/2⌉−7, ⌈W/2⌉−7)`` (``head`` is accepted for API parity)."""
        if min(a.shape[-2:]) < PATCH:
            raise ValueError(f"cnn-patch: images must be at least {PATCH}×{PATCH}, got {tuple(a.shape[-2:])}")
        logits = self.head(torch.cat([self.branch(a), self.branch(b)], 1))
        return torch.softmax(logits, dim=1)[:, 1:2]


def kernel_spectrum(w: torch.Tensor, n: int) -> torch.Tensor:
    """Conjugate spectra of the (O, C, k, k) kernel zero-padded to n×n, laid out (n·(n//2+1), O, C)."""
    o, c = w.shape[:2]
    return torch.fft.rfft2(w, s=(n, n)).conj().reshape(o, c, -1).permute(2, 0, 1).contiguous()


def conv2d_valid_fft(x: torch.Tensor, w: torch.Tensor, tile: int = 17, group: int = 48,
                     spectrum: torch.Tensor | None = None) -> torch.Tensor:
    """``conv2d(x[None], w)[0]`` (cross-correlation, no padding) computed by FFT, overlap-save.

    ``x``: (C, H, W); ``w``: (O, C, k, k). The output is cut into ``tile``×``tile``
    blocks; each needs an (tile+k−1)² input window whose spectrum is multiplied by
    the conjugate kernel spectra (circular correlation; the first ``tile`` rows and
    columns are free of wrap-around) and summed over channels with one batched
    complex matmul per frequency. Windows are processed ``group`` at a time to bound
    memory. ``spectrum``: :func:`kernel_spectrum` (w, tile+k−1), if already computed.
    Cost per output ≈ 4·n²/(2·tile²)·O·C real multiply-adds (n = tile+k−1)
    instead of k²·O·C.

        >>> x, w = torch.randn(3, 30, 26), torch.randn(4, 3, 8, 8)
        >>> bool(torch.allclose(conv2d_valid_fft(x, w), F.conv2d(x[None], w)[0], atol=1e-3))
        True
    """
    c, hgt, wid = x.shape
    o, _, k, _ = w.shape
    n = tile + k - 1
    ho, wo = hgt - k + 1, wid - k + 1
    ty, tx = -(-ho // tile), -(-wo // tile)
    xp = F.pad(x, (0, tx * tile + k - 1 - wid, 0, ty * tile + k - 1 - hgt))
    windows = xp.unfold(1, n, tile).unfold(2, n, tile).reshape(c, ty * tx, n, n)
    nf = n * (n // 2 + 1)
    wf = kernel_spectrum(w, n) if spectrum is None else spectrum
    out = x.new_empty(o, ty * tx, tile, tile)
    for s in range(0, ty * tx, group):
        xf = torch.fft.rfft2(windows[:, s : s + group])
        g = xf.shape[1]
        # bmm needs contiguous complex operands (a strided view is ~20× slower)
        of = torch.bmm(wf, xf.reshape(c, g, nf).permute(2, 0, 1).contiguous())  # (nf, O, g)
        of = of.permute(1, 2, 0).reshape(o, g, n, n // 2 + 1)
        out[:, s : s + g] = torch.fft.irfft2(of, s=(n, n))[..., :tile, :tile]
    out = out.reshape(o, ty, tx, tile, tile).permute(0, 1, 3, 2, 4).reshape(o, ty * tile, tx * tile)
    return out[:, :ho, :wo]
