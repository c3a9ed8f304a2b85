"""Gradient checking: compare backpropagation with finite differences.

For each weight ``w`` the central difference

    dC/dw  ~  (C(w + eps) - C(w - eps)) / (2 eps)

has an error of order ``eps**2``. The check runs in float64 (in float32 the rounding error
of ``C`` divided by ``eps`` would swamp the comparison) and reports the relative error

    e = ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||)

of the whole gradient: every weight array side by side as one vector. Below about 1e-7 the
backward pass is right; around 1e-2 or above, something is wrong. Per array (``return_all``)
the same ratio says *where* a bug is, but an array whose gradient is nearly zero measures
only the finite differences' own rounding noise (about 1e-10 per entry), so the verdict
uses the whole vector. Norms below ``FLOOR`` count as zero: a gradient that backprop and
finite differences both find to be zero is a match.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FLOOR", "numerical_gradient", "numerical_gradients", "relative_error", "gradcheck"]

FLOOR = 1e-8
"""Denominators below this are raised to it, so that zero against 1e-17 is a match."""


def numerical_gradient(f, w, eps=1e-6):
    r"""Central differences of the number ``f()`` with respect to every entry of the array ``w``.

    Each entry :math:`w_j` is nudged in place both ways and put back:

    .. math::

       \frac{\partial f}{\partial w_j} \approx \frac{f(w + \varepsilon e_j) - f(w - \varepsilon e_j)}{2 \varepsilon},

    with :math:`e_j` the unit array that is 1 at entry :math:`j`; the error is of order
    :math:`\varepsilon^2`. ``f`` takes no argument: it reads ``w`` (a weight of a model, an
    input of a function) where it lives. Returns a float64 array shaped like ``w``. This is the
    one numerical gradient of minnet: :func:`gradcheck`, the exercise checkers and the figures
    use it."""
    grad = np.zeros(np.shape(w), dtype=np.float64)
    for index in np.ndindex(grad.shape):
        original = w[index]
        w[index] = original + eps
        plus = f()
        w[index] = original - eps
        minus = f()
        w[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def numerical_gradients(model, x, y, eps=1e-6):
    """Central-difference gradients of ``model.loss_value(x, y)`` for every weight."""
    return [numerical_gradient(lambda: model.loss_value(x, y), w, eps) for w in model.params]


def relative_error(a, b) -> float:
    r"""The relative error of two arrays,

    .. math::

       e = \frac{\lVert a - b \rVert}{\lVert a \rVert + \lVert b \rVert},

    with the denominator at least :data:`FLOOR`."""
    denominator = max(np.linalg.norm(a) + np.linalg.norm(b), FLOOR)
    return float(np.linalg.norm(a - b) / denominator)


def gradcheck(model, x, y, eps=1e-6, return_all=False):
    """Relative error between ``model.gradients`` and central differences.

    Returns one number for the whole gradient, or with ``return_all=True`` the list of
    per-array errors in ``get_weights`` order (to locate a bug). The model is copied to
    float64 first and run in inference mode; the original is left untouched.
    """
    if not model.built:
        model.build(np.shape(x))
    model64 = model.astype("float64")
    x = np.asarray(x, dtype=np.float64)
    analytic = model64.gradients(x, y)
    numeric = numerical_gradients(model64, x, y, eps)
    if return_all:
        return [relative_error(a, n) for a, n in zip(analytic, numeric, strict=True)]
    return relative_error(np.concatenate([a.ravel() for a in analytic]),
                          np.concatenate([n.ravel() for n in numeric]))
