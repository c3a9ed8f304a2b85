"""Metrics: numbers reported during training that are not optimised directly.

Each metric returns one value per example; ``fit`` and ``evaluate`` average them over all
examples, as Keras's stateful metrics do. ``"accuracy"`` means what it means in Keras:

- one output unit: binary accuracy, ``p > 0.5`` compared with ``y``;
- targets of lower rank than the outputs (or a last dimension of 1): sparse categorical
  accuracy, ``argmax(p) == y``;
- otherwise categorical accuracy, ``argmax(p) == argmax(y)``.
"""

from __future__ import annotations

import numpy as np

from .checks import lookup

__all__ = [
    "binary_accuracy",
    "sparse_categorical_accuracy",
    "categorical_accuracy",
    "mean_absolute_error",
    "accuracy_for",
    "get",
    "check_names",
    "compiled",
]


def binary_accuracy(y_true, y_pred, threshold=0.5):
    r"""1 where the thresholded prediction matches the target, averaged over the last axis:
    :math:`\frac{1}{n_L} \sum_j [\,(\hat Y_{ij} > \theta) = (Y_{ij} > 0.5)\,]`, with
    :math:`\theta` = ``threshold``."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true).reshape(y_pred.shape)
    hits = (y_pred > threshold) == (y_true > 0.5)
    return hits.mean(axis=-1) if hits.ndim > 1 else hits.astype(float)


def sparse_categorical_accuracy(y_true, y_pred):
    r"""1 where the most probable class is the integer label:
    :math:`[\arg\max_k \hat Y_{ik} = y_i]`."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true).reshape(y_pred.shape[:-1])
    return (np.argmax(y_pred, axis=-1) == y_true).astype(float)


def categorical_accuracy(y_true, y_pred):
    r"""1 where the most probable class is the one-hot target's class:
    :math:`[\arg\max_k \hat Y_{ik} = \arg\max_k Y_{ik}]`."""
    return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype(float)


def mean_absolute_error(y_true, y_pred):
    r"""The mean absolute error of each example, :math:`\frac{1}{n_L} \sum_j |Y_{ij} - \hat Y_{ij}|`."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true).reshape(y_pred.shape)
    diff = np.abs(y_true - y_pred)
    return diff.mean(axis=-1) if diff.ndim > 1 else diff


def accuracy_for(y_true_shape, y_pred_shape):
    """The accuracy Keras means by ``"accuracy"`` for targets and outputs of these shapes."""
    if y_pred_shape[-1] == 1:
        return binary_accuracy
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
        return sparse_categorical_accuracy
    return categorical_accuracy


_BY_NAME = {
    "binary_accuracy": binary_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}


def get(name, y_true_shape=None, y_pred_shape=None):
    """Resolve a metric name; ``"accuracy"``/``"acc"`` needs the shapes to decide which."""
    if callable(name):
        return name
    if str(name).lower() in ("accuracy", "acc"):
        return accuracy_for(y_true_shape, y_pred_shape)
    return lookup("metric", name, (), _BY_NAME, also=["accuracy"])


def check_names(names) -> list:
    """The metric names given to ``compile``, as a list, each checked to exist."""
    names = list(names or [])
    for name in names:
        if str(name).lower() not in ("accuracy", "acc"):
            get(name)
    return names


def compiled(names, y_true_shape, y_pred_shape, unweighted=()):
    """The metrics ``names`` for these shapes, by the name Keras reports them under: the
    name given to ``compile`` (``"acc"`` stays ``"acc"``), with a ``weighted_`` prefix
    for a weighted metric whose name is also in ``unweighted``."""
    return {(f"weighted_{name}" if name in unweighted else str(name)):
            get(name, y_true_shape, y_pred_shape) for name in names}
