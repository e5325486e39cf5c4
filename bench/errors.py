"""Exception types. Every message names the file, method or metric involved."""


class FusebenchError(Exception):
    """Base class: errors the CLI reports as one clear line (no traceback)."""


class ImageError(FusebenchError):
    """An image file is missing, unreadable, truncated or of an unsupported mode."""


class ShapeMismatchError(FusebenchError, ValueError):
    """Source/fused images do not have the same size."""


class RegistryError(FusebenchError, KeyError):
    """Unknown or duplicate name in a registry."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ParameterError(FusebenchError, ValueError):
    """A method parameter or metric convention is invalid."""


class MethodOutputError(FusebenchError):
    """A fusion method returned NaN/inf or an array of the wrong shape."""


class DataError(FusebenchError):
    """A dataset is missing, incomplete or fails its checksum."""


class ImageTooSmallError(FusebenchError, ValueError):
    """An image is smaller than a metric's (or filter's) window needs; the message names both."""
