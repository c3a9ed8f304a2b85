r"""Weights per example (``sample_weight``) and per class (``class_weight``), as Keras 3 uses them.

With a weight ``w_i`` for each example ``i`` of a batch of ``n``, the batch loss is

.. math::

    C = \frac{1}{n} \sum_{i=1}^{n} w_i C_i \quad (\text{plus the regularization terms}),

divided by ``n``, the batch size, and not by ``sum_i w_i`` (Keras's default reduction
``"sum_over_batch_size"``). So a weight of 2 counts an example twice, a weight of 0 leaves
it out of the gradient but still in the ``n``, and all weights 1 give the plain mean. The
output delta of that ``C`` is the unweighted one with row ``i`` scaled by :math:`w_i`:

.. math::

    \Delta^L_{i,:} = \frac{w_i}{n} \, \frac{\partial C_i}{\partial z^L_i}

(:meth:`minnet.losses.Loss.delta` does it); backpropagation is unchanged from there.

The loss ``fit`` reports for an epoch is the mean of these batch values weighted by batch
size, which is ``sum_i w_i C_i / N`` over the ``N`` examples when every batch is full;
``evaluate`` returns exactly ``sum_i w_i C_i / N`` plus regularization. The ``metrics`` of
``compile`` ignore the weights; its ``weighted_metrics`` report ``sum_i w_i m_i / sum_i w_i``.

``class_weight={0: 1.0, 1: 5.0}`` gives each example the weight of its class: the integer
label, the one-hot target's ``argmax``, or a single 0/1 output rounded. A class missing
from the dict weighs 1. Keras does not take both ``sample_weight`` and ``class_weight``;
nor does minnet.
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import as_float_array
from .errors import ConfigError, ShapeError

__all__ = ["class_weights", "sample_weights"]


def class_weights(y, class_weight, dtype="float32"):
    """The weight of each example's class, ``class_weight.get(class, 1.0)``, shape ``(n,)``."""
    if not isinstance(class_weight, dict):
        raise ConfigError(
            f"class_weight is a dict mapping class indices to weights, e.g. {{0: 1.0, 1: 5.0}}; "
            f"got {type(class_weight).__name__}."
        )
    for key, value in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            raise ConfigError(f"class_weight's keys are integer class indices; got {key!r}.")
        if not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ConfigError(f"class_weight[{key}] must be a finite number; got {value!r}.")
    y = np.asarray(y)
    if y.ndim > 1:
        y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else y[..., 0]
    classes = np.round(y).astype(np.int64)
    weights = np.ones(len(classes), dtype=dtype)
    for key, value in class_weight.items():
        weights[classes == key] = value
    return weights


def sample_weights(y, sample_weight=None, class_weight=None, dtype="float32"):
    """One weight per example from ``sample_weight`` or ``class_weight`` (``None`` if
    neither is given), checked: shape ``(n,)`` or ``(n, 1)``, finite, in ``dtype``."""
    if sample_weight is not None and class_weight is not None:
        raise ConfigError(
            "Give sample_weight or class_weight, not both (Keras does not take both either). "
            "To combine them, multiply: sample_weight * minnet.weighting.class_weights(y, "
            "class_weight)."
        )
    if class_weight is not None:
        return class_weights(y, class_weight, dtype)
    if sample_weight is None:
        return None
    weights = as_float_array(sample_weight, "sample_weight", dtype)
    if weights.ndim == 2 and weights.shape[1] == 1:
        weights = weights[:, 0]
    if weights.shape != (len(y),):
        raise ShapeError(
            f"sample_weight needs one number per example, shape ({len(y)},); got shape "
            f"{weights.shape}."
        )
    return weights
