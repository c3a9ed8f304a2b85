"""Activation functions and their derivatives.

A layer computes ``a = f(z)``. During backpropagation it needs ``dC/dz`` from ``dC/da``;
for a function applied element by element that is the product ``dC/da * f'(z)``
(chapter 5, equation BP2). Softmax mixes the entries of a row, so it multiplies by its
Jacobian instead.

Each activation is an object you can call like a function::

    >>> from minnet import activations
    >>> float(activations.sigmoid(0.0)), float(activations.sigmoid.derivative(0.0))
    (0.5, 0.25)

Names are Keras's: ``activations.get("relu")`` returns :data:`relu`.
"""

from __future__ import annotations

import numpy as np

from .arguments import check_subclass_init
from .checks import lookup
from .errors import UnknownNameError


class Activation:
    """An activation ``a = f(z)`` with its derivative ``f'(z)``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    name = "activation"

    def __call__(self, z):
        raise NotImplementedError

    def derivative(self, z):
        """Element-wise derivative ``f'(z)``."""
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """Return ``dC/dz`` given ``dC/da``: the element-wise product ``grad_a * f'(z)``.

        ``a = f(z)`` is passed too, so activations whose derivative is cheapest in terms of
        their output (sigmoid, tanh) can use it.
        """
        return grad_a * self.derivative(z)

    def __repr__(self):
        return f"<activation {self.name}>"


class Linear(Activation):
    """``f(z) = z``, ``f'(z) = 1``: what a ``Dense`` layer without activation computes."""

    name = "linear"

    def __call__(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z)

    def backward(self, z, a, grad_a):
        return grad_a


class Step(Activation):
    """Heaviside step, the perceptron's activation: ``f(z) = 1 if z > 0 else 0``.

    Its derivative is 0 wherever it exists, which is why a network of step units cannot be
    trained by gradient descent (chapter 2).
    """

    name = "step"

    def __call__(self, z):
        z = np.asarray(z)
        return (z > 0).astype(z.dtype if z.dtype.kind == "f" else float)

    def derivative(self, z):
        z = np.asarray(z)
        return np.zeros(z.shape, dtype=z.dtype if z.dtype.kind == "f" else float)


_LOWEST = {}


def _lowest_exponent(dtype):
    """The most negative ``z`` (a whole number) for which ``exp(-z)`` is still finite."""
    if dtype not in _LOWEST:
        _LOWEST[dtype] = float(np.ceil(-np.log(np.finfo(dtype).max)))  # -88 or -709
    return _LOWEST[dtype]


class Sigmoid(Activation):
    """Logistic sigmoid ``s(z) = 1 / (1 + exp(-z))``, with ``s'(z) = s(z) (1 - s(z))``.

    ``exp(-z)`` overflows for very negative ``z`` (below about -88.7 in float32), where
    ``s(z)`` is smaller than the smallest normal float anyway. So ``z`` is first raised to
    that limit: the result is exact to rounding wherever it is a normal float, and below the
    smallest normal float (never ``nan``, never a warning) where the true value is too.
    """

    name = "sigmoid"

    def __call__(self, z):
        z = np.asarray(z)
        if z.dtype.kind != "f":
            z = z.astype(float)
        return 1 / (1 + np.exp(-np.maximum(z, _lowest_exponent(z.dtype), dtype=z.dtype)))

    def derivative(self, z):
        s = self(z)
        return s * (1 - s)

    def backward(self, z, a, grad_a):
        return grad_a * a * (1 - a)


class Tanh(Activation):
    """Hyperbolic tangent ``t(z) = tanh(z)``, with ``t'(z) = 1 - t(z)**2``."""

    name = "tanh"

    def __call__(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return 1 - np.tanh(z) ** 2

    def backward(self, z, a, grad_a):
        return grad_a * (1 - a * a)


class ReLU(Activation):
    """Rectified linear unit ``f(z) = max(0, z)``; ``f'(z) = 1`` for ``z > 0``, else 0.

    At the kink ``z = 0`` the derivative is taken as 0, as in Keras and TensorFlow.
    """

    name = "relu"

    def __call__(self, z):
        return np.maximum(z, 0)

    def derivative(self, z):
        z = np.asarray(z)
        return (z > 0).astype(z.dtype if z.dtype.kind == "f" else float)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    """``f(z) = z`` for ``z > 0``, else ``negative_slope * z``; the slope keeps units alive.

    Keras's default ``negative_slope`` is 0.2 (``keras.activations.leaky_relu``).
    """

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = negative_slope

    def __call__(self, z):
        z = np.asarray(z)
        return np.where(z > 0, z, z * np.asarray(self.negative_slope, dtype=z.dtype))

    def derivative(self, z):
        z = np.asarray(z)
        dtype = z.dtype if z.dtype.kind == "f" else float
        return np.where(z > 0, 1, self.negative_slope).astype(dtype)


class Softmax(Activation):
    """``softmax(z)_j = exp(z_j) / sum_k exp(z_k)``, over the last axis.

    Subtracting ``max(z)`` first changes nothing mathematically (the factor
    ``exp(-max z)`` cancels) and keeps ``exp`` from overflowing. The Jacobian is
    ``da_j/dz_k = a_j (delta_jk - a_k)``, so for an upstream gradient ``g = dC/da``::

        dC/dz = a * (g - sum(g * a))      (row by row)
    """

    name = "softmax"

    def __call__(self, z):
        z = np.asarray(z)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def jacobian(self, z):
        """The matrix ``da_j/dz_k = a_j (delta_jk - a_k)`` for each row of ``z``: shape ``(..., k, k)``."""
        a = self(z)
        return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])

    def derivative(self, z):
        """The diagonal of the Jacobian, ``a_j (1 - a_j)``.

        Softmax is not element-wise: use :meth:`jacobian` or :meth:`backward` for gradients.
        """
        a = self(z)
        return a * (1 - a)

    def backward(self, z, a, grad_a):
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


linear = Linear()
step = Step()
sigmoid = Sigmoid()
tanh = Tanh()
relu = ReLU()
leaky_relu = LeakyReLU()
softmax = Softmax()

_BY_NAME = {f.name: f for f in (linear, step, sigmoid, tanh, relu, leaky_relu, softmax)}


def get(identifier) -> Activation:
    """Look an activation up by its Keras name (``None`` means linear), or pass one through.

    A plain function is refused: backpropagation needs its derivative too. Wrap it in a
    subclass of :class:`Activation` that defines ``__call__`` and ``derivative``.
    """
    if identifier is None:
        return linear
    if callable(identifier) and not isinstance(identifier, (Activation, type)):
        name = getattr(identifier, "__name__", type(identifier).__name__)
        raise UnknownNameError(
            f"activations.get takes the name of an activation ({', '.join(sorted(_BY_NAME))}) "
            f"or an Activation object, got the plain function {name}. Backpropagation needs "
            "its derivative as well: subclass Activation, e.g.\n"
            "    class Swish(Activation):\n"
            "        name = 'swish'\n"
            "        def __call__(self, z): return z * sigmoid(z)\n"
            "        def derivative(self, z): s = sigmoid(z); return s * (1 + z * (1 - s))\n"
            "and pass an instance: Dense(10, activation=Swish())."
        )
    return lookup("activation", identifier, Activation, _BY_NAME)
