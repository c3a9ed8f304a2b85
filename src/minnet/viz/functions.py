"""An activation function and its derivative, side by side on one set of axes."""

from __future__ import annotations

import numpy as np

from .. import activations
from ..gradient_check import numerical_gradient
from ._common import get_ax, to_numpy

__all__ = ["numerical_derivative", "plot_activation"]


def _resolve(activation):
    """``(function, derivative or None, name)`` for a minnet activation, a name or a callable."""
    if isinstance(activation, str):
        activation = activations.get(activation)
    name = getattr(activation, "name", None) or getattr(activation, "__name__", "f")
    if name == "softmax" or hasattr(activation, "jacobian"):
        raise ValueError(
            "softmax maps a whole vector to a vector, so it has no single curve to draw; "
            "plot_activation draws elementwise functions. To see softmax, plot one of its "
            "outputs while you vary one logit, e.g. lambda z: softmax(np.stack([z, 0*z], -1))[..., 0]."
        )
    derivative = getattr(activation, "derivative", None)
    return activation, derivative, name


def numerical_derivative(f, z, eps=1e-5):
    """``f'(z)`` by central differences, element by element, in float64.

    For an element-wise ``f`` the derivative of ``sum(f(z))`` with respect to ``z_i`` is
    ``f'(z_i)``: that gradient is :func:`minnet.gradient_check.numerical_gradient`'s.
    """
    z = np.array(z, dtype=np.float64)
    return numerical_gradient(lambda: float(np.sum(to_numpy(f(z)), dtype=np.float64)), z, eps)


def plot_activation(activation, z=None, ax=None, *, derivative=True, title=None):
    """Plot an activation function ``a = f(z)`` and its derivative ``f'(z)``.

    What the plot shows: the activation (solid) and its derivative (dashed) over a range
    of pre-activations ``z``. Where the derivative is near zero the unit *saturates*: a
    change in ``z`` barely changes ``a``, so almost no gradient flows back through it.

    Parameters
    ----------
    activation : ~minnet.activations.Activation, str or callable
        A ``minnet.activations`` object (its ``.derivative`` is used), a name such as
        ``"tanh"`` (looked up with ``minnet.activations.get``), or any elementwise function
        of an array, e.g. ``keras.activations.relu``; without a ``.derivative`` the
        derivative is estimated by central differences and labelled so.
    z : ndarray, optional
        Where to evaluate; default 401 points from -6 to 6.
    ax : Axes, optional
        Where to draw; a new figure is created if omitted.
    derivative : bool
        Also draw the derivative.

    Returns
    -------
    matplotlib.axes.Axes
    """
    f, fprime, name = _resolve(activation)
    z = np.linspace(-6.0, 6.0, 401) if z is None else np.asarray(z, dtype=float)
    ax = get_ax(ax)
    ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.plot(z, to_numpy(f(z)).astype(float), lw=2, label=f"{name}(z)")
    if derivative:
        if fprime is not None:
            ax.plot(z, to_numpy(fprime(z)).astype(float), "--", lw=2, label=f"{name}'(z)")
        else:
            ax.plot(z, numerical_derivative(f, z), "--", lw=2,
                    label=f"{name}'(z) (numerical)")
    ax.set_xlabel("pre-activation z")
    ax.set_ylabel("value")
    ax.set_title(title if title is not None else f"{name} and its derivative")
    ax.grid(alpha=0.3)
    ax.legend()
    return ax
