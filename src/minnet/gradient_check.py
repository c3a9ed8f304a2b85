"""Gradient checking: compare backpropagation with finite differences.

For each weight ``w`` the central difference

    dC/dw  ~  (C(w + eps) - C(w - eps)) / (2 eps)

has an error of order ``eps**2``. The check runs in float64 (in float32 the rounding error
of ``C`` divided by ``eps`` would swamp the comparison) and reports, for each weight array,
the relative error ``||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||)``.
Below about 1e-7 the backward pass is right; around 1e-2 or above, something is wrong.
"""

from __future__ import annotations

import numpy as np


def numerical_gradients(model, x, y, eps=1e-6):
    """Central-difference gradients of ``model.loss_value(x, y)`` for every weight."""
    grads = []
    for w in model.params:
        g = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            original = w[index]
            w[index] = original + eps
            plus = model.loss_value(x, y)
            w[index] = original - eps
            minus = model.loss_value(x, y)
            w[index] = original
            g[index] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def relative_error(a, b) -> float:
    """``||a - b|| / (||a|| + ||b||)``, and 0 when both are zero."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradcheck(model, x, y, eps=1e-6, return_all=False):
    """The largest relative error between ``model.gradients`` and finite differences.

    The model is copied to float64 first; the original is left untouched. With
    ``return_all=True`` the list of per-array errors (``get_weights`` order) is returned.
    """
    if not model.built:
        model.build(np.shape(x))
    model64 = model.astype("float64")
    x = np.asarray(x, dtype=np.float64)
    analytic = model64.gradients(x, y)
    numeric = numerical_gradients(model64, x, y, eps)
    errors = [relative_error(a, n) for a, n in zip(analytic, numeric, strict=True)]
    return errors if return_all else max(errors)
