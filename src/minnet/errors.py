"""The exceptions minnet raises.

Every error is a :class:`MinnetError`, and also the built-in exception that fits
(a wrong shape is a ``ValueError``, fitting before compiling a ``RuntimeError``), so
code written for numpy or Keras catches it as it would theirs. Each message says what
went wrong, the values that were seen, and how to fix it.
"""

from __future__ import annotations

import difflib

__all__ = [
    "MinnetError",
    "ShapeError",
    "LabelError",
    "NonFiniteError",
    "DivergenceError",
    "NotCompiledError",
    "NotBuiltError",
    "UnsupportedLayerError",
    "UnknownNameError",
    "WeightsError",
    "ConfigError",
    "DataUnavailableError",
    "UnknownArgumentError",
    "ModelFileError",
    "NotInMinnetError",
    "unknown_name",
    "not_in_minnet",
]


class MinnetError(Exception):
    """Base class of every error minnet raises on purpose."""


class ShapeError(MinnetError, ValueError):
    """An array has the wrong shape, or is empty, for what it is used for."""


class LabelError(MinnetError, ValueError):
    """Targets that do not fit the loss: strings, classes out of range, one-hot vs sparse."""


class NonFiniteError(MinnetError, ValueError):
    """Inputs or targets contain NaN or infinity."""


class DivergenceError(MinnetError, FloatingPointError):
    """The loss became NaN or infinite during training.

    ``epoch`` and ``step`` (both counted from 1) say where it happened.
    """

    def __init__(self, message: str, epoch: int | None = None, step: int | None = None):
        super().__init__(message)
        self.epoch = epoch
        self.step = step


class NotCompiledError(MinnetError, RuntimeError):
    """``fit``, ``evaluate`` or ``gradients`` called before ``compile``."""


class NotBuiltError(MinnetError, RuntimeError):
    """Weights asked for before the model knows its input shape."""


class UnsupportedLayerError(MinnetError, TypeError):
    """A model holds a kind of layer that this function does not handle."""


class UnknownNameError(MinnetError, ValueError):
    """A string that names no activation, loss, optimizer, initializer, ... ."""


class WeightsError(MinnetError, ValueError):
    """``set_weights`` or ``load_weights`` given the wrong number or shapes of arrays."""


class ConfigError(MinnetError, ValueError):
    """A hyper-parameter outside its valid range (batch size 0, negative learning rate, ...)."""


class DataUnavailableError(MinnetError, OSError):
    """A data set is neither on disk nor downloadable."""


class UnknownArgumentError(MinnetError, TypeError):
    """A keyword argument the function does not take (a misspelling, or a Keras argument
    minnet does not support)."""


class ModelFileError(MinnetError, ValueError):
    """A file that is not a readable minnet model: damaged, foreign, incomplete, or whose
    weights do not fit its architecture."""


class NotInMinnetError(MinnetError, AttributeError):
    """A Keras name (a layer, an optimizer, ...) that minnet does not have."""


def unknown_name(kind: str, name: object, valid: list[str]) -> UnknownNameError:
    """Build an :class:`UnknownNameError` that suggests the closest valid names."""
    close = difflib.get_close_matches(str(name).lower(), valid, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return UnknownNameError(
        f"Unknown {kind} {name!r}.{hint} Valid names: {', '.join(sorted(valid))}."
    )


def not_in_minnet(module: str, name: str, has) -> AttributeError:
    """The error for ``minnet.<module>.<name>``, a Keras name minnet does not have (a
    module's ``__getattr__`` raises it; private names stay plain ``AttributeError``)."""
    if name.startswith("_"):
        return AttributeError(f"module 'minnet.{module}' has no attribute {name!r}")
    return NotInMinnetError(
        f"minnet.{module} has no {name!r}; it has {', '.join(has)}. Keep code that needs "
        "it in Keras."
    )
