"""Input checks shared by the model, the losses and the optimizers.

They run once per call of ``fit``, ``evaluate`` or ``predict`` (never per batch), and turn
data that would give a silently wrong answer into an error that says what to do.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import (
    ConfigError,
    LabelError,
    NonFiniteError,
    NotBuiltError,
    NotCompiledError,
    ShapeError,
    UnknownNameError,
    WeightsError,
    unknown_name,
)

__all__ = [
    "to_numpy",
    "as_float_array",
    "check_inputs",
    "check_targets",
    "check_same_length",
    "positive_int",
    "float_dtype",
    "check_layer_to_add",
    "require_built",
    "require_compiled",
    "check_weights",
    "non_negative_float",
    "lookup",
]


def to_numpy(value) -> np.ndarray:
    """``value`` as a numpy array: lists, numbers, numpy arrays and TensorFlow tensors."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


def as_float_array(values, name: str, dtype) -> np.ndarray:
    """Return ``values`` as a finite, non-empty float array of ``dtype``."""
    array = np.asarray(values)
    if array.dtype.kind in "USO":
        raise (LabelError if name == "y" else ShapeError)(
            f"{name} holds {array.dtype.name} values such as {array.ravel()[:3].tolist()}, "
            "but a network computes with numbers. Convert them first, e.g. class names to "
            "integer labels with np.unique(y, return_inverse=True)."
        )
    if array.dtype.kind not in "biuf":
        raise ShapeError(f"{name} has dtype {array.dtype}; expected numbers.")
    if array.ndim == 0 or array.shape[0] == 0:
        raise ShapeError(
            f"{name} is empty (shape {array.shape}). Pass at least one example, with the "
            "examples along the first axis."
        )
    array = array.astype(dtype, copy=False)
    # A NaN or an infinity anywhere makes the float64 sum non-finite; summing needs no
    # array of the data's size, so only a bad input pays for finding where it is.
    if not np.isfinite(np.sum(array, dtype=np.float64)) and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise NonFiniteError(
            f"{name} contains NaN or infinity (first at index {tuple(int(i) for i in bad)}: "
            f"{array[tuple(bad)]}). Remove or impute those entries before training, e.g. with "
            "np.nan_to_num or by dropping the rows."
        )
    return array


def check_inputs(x, dtype, input_shape=None) -> np.ndarray:
    """``x`` as a finite float array of ``dtype``, shaped for a model expecting inputs of
    ``input_shape`` (``(None, *features)``; ``None`` for a model not built yet)."""
    x = as_float_array(x, "x", dtype)
    if input_shape is None:
        if x.ndim == 1:
            raise ShapeError(
                f"x has shape {x.shape}: one number per example but no feature axis. "
                "If each example is a single number, use x.reshape(-1, 1)."
            )
    elif x.shape[1:] != tuple(input_shape[1:]):
        expected = tuple(input_shape[1:])
        if x.shape == expected:
            hint = (" It looks like one example without the batch axis: pass "
                    "x[None] (or x.reshape(1, -1)) for a batch of one.")
        elif x.ndim != len(input_shape):
            hint = " Add a Flatten() layer first, or reshape x."
        else:
            if len(expected) == 1:
                seen = f"has {x.shape[1]} features but the model was built for {expected[0]}"
            else:
                seen = f"has shape {x.shape[1:]} but the model was built for {expected}"
            hint = (f" Each example {seen} (its first layer's weights were sized then)."
                    " Prepare x as the data the model was built and trained on (the same"
                    " columns, the same preprocessing), or build a new model for inputs of"
                    f" shape {(None, *x.shape[1:])}.")
        raise ShapeError(
            f"The model expects inputs of shape {input_shape} but got x of shape "
            f"{x.shape}.{hint}"
        )
    return x


def check_targets(y, x) -> np.ndarray:
    """``y`` as numbers, finite, one per example of ``x`` (the loss checks the rest)."""
    y = np.asarray(y)
    if y.dtype.kind in "USO":
        raise LabelError(
            f"y holds {y.dtype.name} values such as {y.ravel()[:3].tolist()}; losses need "
            "numbers. Encode classes as integers, e.g. "
            "classes, y = np.unique(y, return_inverse=True)."
        )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise NonFiniteError("y contains NaN or infinity; every target must be a finite number.")
    check_same_length(x, y)
    return y


def check_same_length(x: np.ndarray, y: np.ndarray) -> None:
    """Inputs and targets must have one row per example each."""
    if len(x) != len(y):
        raise ShapeError(
            f"x has {len(x)} examples but y has {len(y)}. Both need one entry per example "
            "along the first axis."
        )


def positive_int(value, name: str) -> int:
    """A strictly positive integer such as a batch size or a number of epochs."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def float_dtype(dtype) -> np.dtype:
    """``dtype`` as a numpy dtype, which must be float32 or float64."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ConfigError(f"dtype must be 'float32' or 'float64', got {dtype!r}.")
    return np.dtype(dtype)


def check_layer_to_add(layer, model) -> None:
    """A layer ``model.add`` can take: a minnet layer, and ``Input`` only first and once."""
    from .layers import InputLayer, Layer

    if isinstance(layer, InputLayer) and (model.layers or model.input_shape is not None):
        raise ConfigError(
            "Input(shape=...) goes first in a Sequential model, and only once; this "
            f"model already has {'layers' if model.layers else 'an input shape'}."
        )
    if not isinstance(layer, Layer):
        raise ConfigError(
            f"Sequential takes minnet layers, got {type(layer).__name__}. "
            "Use minnet.layers.Dense(...) and friends."
        )


def require_built(model) -> None:
    """Raise :class:`~minnet.errors.NotBuiltError` unless ``model`` has its weights."""
    if not model.built:
        raise NotBuiltError(
            "The model has no weights yet. Start it with minnet.Input(shape=(n_features,)), "
            "give the first layer input_dim=... or input_shape=..., call "
            "model.build((None, n_features)), or call the model on data first."
        )


def require_compiled(model, what: str) -> None:
    """Raise :class:`~minnet.errors.NotCompiledError` unless ``model`` has a loss, and
    check the loss fits the last layer's activation."""
    if model.loss is None:
        raise NotCompiledError(
            f"Call model.compile(optimizer=..., loss=...) before {what}: the model does "
            "not know which loss to compute yet."
        )
    model.loss.check_output(model.layers[-1].activation)


def check_weights(weights, params) -> list:
    """``weights`` as arrays, checked against ``params`` (count, then each shape) before
    anything is written: what ``set_weights`` and ``load_weights`` accept."""
    weights = list(weights)
    if len(weights) != len(params):
        raise WeightsError(
            f"set_weights got {len(weights)} arrays, but this model has {len(params)}: "
            f"shapes {[p.shape for p in params]} in the order [W1, b1, W2, b2, ...]."
        )
    weights = [np.asarray(w) for w in weights]
    for i, (p, w) in enumerate(zip(params, weights, strict=True)):
        if w.shape != p.shape:
            raise WeightsError(
                f"Weight {i} has shape {w.shape} but the model needs {p.shape}. Kernels "
                "are (n_in, n_out), as in Keras; transpose a (n_out, n_in) matrix with .T."
            )
    return weights


def non_negative_float(value, name: str) -> float:
    """A finite number >= 0, such as a learning rate or a regularization factor."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}.") from None
    if not np.isfinite(number) or number < 0:
        raise ConfigError(
            f"{name} must be a finite number >= 0, got {value!r}. A negative learning rate "
            "climbs the loss instead of descending it."
            if "learning" in name
            else f"{name} must be a finite number >= 0, got {value!r}."
        )
    return number


def lookup(kind: str, identifier, base, by_name: dict, also=()):
    """The object ``identifier`` stands for, behind every ``get()`` of the package.

    An instance of ``base`` is returned as it is. A name is looked up, ignoring case, in
    ``by_name``, whose values are classes (a new object with default settings is returned)
    or ready objects (returned as they are). Anything else raises
    :class:`~minnet.errors.UnknownNameError` listing the valid names (``also`` names valid
    ones the caller handles itself) and the closest matches.
    """
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in by_name:
        found = by_name[identifier.lower()]
        return found() if isinstance(found, type) else found
    if not isinstance(identifier, str):
        raise UnknownNameError(
            f"Expected a name ({', '.join(sorted([*also, *by_name]))}) or an instance of "
            f"{base.__name__} for the {kind}, got {_describe(identifier)}."
        )
    raise unknown_name(kind, identifier, [*also, *by_name])


def _describe(value) -> str:
    """``the function my_relu``, ``an object of type int (3)``: for messages, no memory address."""
    if isinstance(value, type):
        return f"the class {value.__name__} (pass an instance: {value.__name__}())"
    if callable(value) and hasattr(value, "__name__"):
        return f"the function {value.__name__}"
    text = repr(value)
    shown = f" ({text})" if len(text) <= 40 and " at 0x" not in text else ""
    return f"an object of type {type(value).__name__}{shown}"
