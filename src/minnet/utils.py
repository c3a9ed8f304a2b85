"""Keras's ``keras.utils`` helpers that a network of Dense layers needs.

``to_categorical(y, num_classes)`` turns integer class labels into one-hot rows: label
``c`` becomes the row with a 1 in column ``c`` and 0 elsewhere, ``Y[i, y_i] = 1``. The
labels' shape gains a last axis of ``num_classes`` (a trailing axis of 1 is replaced).
"""

from __future__ import annotations

import numbers

import numpy as np

from .arguments import checked
from .errors import LabelError, NotInMinnetError

__all__ = ["to_categorical"]


@checked(where="to_categorical")
def to_categorical(x, num_classes=None):
    """One-hot encode integer labels ``x`` (any shape) into ``num_classes`` columns
    (``max(x) + 1`` when not given), as float64, as Keras returns it for numpy labels."""
    labels = np.asarray(x)
    if labels.dtype.kind == "f" and np.any(labels != np.round(labels)):
        raise LabelError(
            f"to_categorical needs whole-number class labels; got {labels[labels != np.round(labels)][:3].tolist()}."
        )
    if labels.dtype.kind not in "biuf":
        raise LabelError(
            f"to_categorical needs integer class labels; got dtype {labels.dtype}. Encode "
            "names first: classes, y = np.unique(y, return_inverse=True)."
        )
    labels = labels.astype(np.int64)
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    labels = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise LabelError(f"num_classes must be a positive integer; got {num_classes!r}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise LabelError(
            f"Class labels must lie in 0..{num_classes - 1} for num_classes={num_classes}; "
            f"they range from {int(labels.min())} to {int(labels.max())}."
        )
    onehot = np.zeros((labels.size, int(num_classes)), dtype=np.float64)
    onehot[np.arange(labels.size), labels] = 1
    return onehot.reshape(*shape, int(num_classes))


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module 'minnet.utils' has no attribute {name!r}")
    raise NotInMinnetError(f"minnet.utils has no {name!r}; it has to_categorical.")
