"""Exception types. Every message names the file, method or metric involved.

Everything a user can trigger (a bad option, file, dataset, plugin or
checkpoint) raises a subclass of :class:`FusebenchError`; the CLI prints it
as one line ``error: <message>`` and exits with status 2 (``-v`` shows the
traceback). Anything else escaping to the CLI is a bug in fusebench.

The hierarchy::

    FusebenchError
    ├── ImageError            unreadable, truncated, oversized (pixel limit) or unsupported image
    ├── ShapeMismatchError    (also ValueError) source/fused sizes differ
    ├── RegistryError         (also KeyError) unknown name in a registry
    │   └── RegistrationError a plugin declaration is invalid: bad or duplicate name,
    │                         wrong kind/modality/colour, Params not a dataclass,
    │                         conventions not starting with "default"
    ├── ParameterError        (also ValueError) invalid method parameter, metric
    │                         convention, option or setting (e.g. FUSEBENCH_MAX_PIXELS)
    ├── ImageTooSmallError    (also ValueError) image smaller than a metric's window
    ├── MethodOutputError     a method returned NaN/inf, the wrong shape, dtype or range,
    │                         or wrote into its read-only inputs
    ├── DataError             dataset or manifest missing, incomplete or unsafe
    │   ├── ChecksumError     (bench.datasets.manifest) sha256 mismatch
    │   └── OfflineError      (bench.datasets.download) download host unreachable
    ├── RunDirectoryError     run directory locked by another run, holding another
    │                         run, or not writable
    ├── CheckpointError       training checkpoint unreadable, or refused because it
    │                         holds objects other than plain data
    ├── WeightsError          (methods.cnn_patch.weights) bad cnn-patch weights file
    └── ImagenetWeightsMissing (methods.imagenet) torchvision VGG-19 / ResNet-50 file absent
        └── VGGWeightsMissing  (methods.tlnet.vgg_transfer) VGG-19 weights not available

Catch :class:`FusebenchError` to handle them all:

    >>> try:
    ...     raise RegistrationError("method 'x' is already registered")
    ... except FusebenchError as exc:
    ...     print(f"error: {exc}")
    error: method 'x' is already registered
"""


class FusebenchError(Exception):
    """Base class: errors the CLI reports as one clear line (no traceback)."""


class ImageError(FusebenchError):
    """An image file is missing, unreadable, truncated, too large or of an unsupported mode."""


class ShapeMismatchError(FusebenchError, ValueError):
    """Source/fused images do not have the same size."""


class RegistryError(FusebenchError, KeyError):
    """Unknown name in a registry (the message suggests close matches)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class RegistrationError(RegistryError):
    """A method, metric or other plugin cannot be registered: its declaration is invalid."""


class ParameterError(FusebenchError, ValueError):
    """A method parameter, metric convention, option or setting value is invalid."""


class MethodOutputError(FusebenchError):
    """A fusion method returned NaN/inf or an array of the wrong shape."""


class DataError(FusebenchError):
    """A dataset or manifest is missing, incomplete, unsafe or fails its checksum."""


class CheckpointError(FusebenchError):
    """A training checkpoint is unreadable, or holds objects other than plain data (refused)."""


class RunDirectoryError(FusebenchError):
    """A run directory is locked by another run, holds another run, or cannot be written."""


class ImageTooSmallError(FusebenchError, ValueError):
    """An image is smaller than a metric's (or filter's) window needs; the message names both."""
