"""Weight initializers, with Keras's names and definitions.

For a ``Dense`` kernel of shape ``(fan_in, fan_out)``:

- Glorot (Xavier) uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``;
- Glorot normal: truncated normal, ``stddev = sqrt(2 / (fan_in + fan_out))``;
- He uniform: ``limit = sqrt(6 / fan_in)``; He normal: ``stddev = sqrt(2 / fan_in)``.

Both choices keep the variance of the signal roughly constant from layer to layer (Glorot
and Bengio, 2010; He et al., 2015): chapter 9 derives them. Keras's truncated normal draws
again any value more than two standard deviations from the mean, and scales its
``stddev`` by ``1 / 0.87962566103423978`` so that the truncated distribution keeps the
intended variance.
"""

from __future__ import annotations

import numpy as np

from .arguments import check_subclass_init
from .checks import lookup

__all__ = [
    "truncated_normal",
    "Initializer",
    "Zeros",
    "Ones",
    "RandomNormal",
    "RandomUniform",
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "get",
]

_TRUNCATION_CORRECTION = 0.87962566103423978  # stddev of a unit normal truncated at +-2


def _fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[-2], shape[-1]


def truncated_normal(shape, stddev, rng, dtype):
    r"""Samples of the standard normal :math:`\mathcal N(0, 1)`, with any value beyond two
    standard deviations (:math:`|x| > 2`) drawn again."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while np.any(outside):
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return (values * stddev).astype(dtype)


class Initializer:
    """Call with ``(shape, rng, dtype)`` to get a new array.

    For a ``Dense`` kernel :math:`W^l` of shape :math:`(n_{l-1}, n_l)`, ``fan_in`` is
    :math:`n_{l-1}` and ``fan_out`` is :math:`n_l`; the variance-scaling initializers draw each
    entry :math:`W^l_{jk}` independently with a variance set by them."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    name = "initializer"

    def __call__(self, shape, rng, dtype="float32"):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Zeros(Initializer):
    """Every entry 0: :math:`W_{jk} = 0` (Keras's default for biases, :math:`b^l = 0`)."""

    name = "zeros"

    def __call__(self, shape, rng=None, dtype="float32"):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """Every entry 1: :math:`W_{jk} = 1`."""

    name = "ones"

    def __call__(self, shape, rng=None, dtype="float32"):
        return np.ones(shape, dtype=dtype)


class RandomNormal(Initializer):
    r""":math:`W_{jk} \sim \mathcal N(\mu, s^2)` with :math:`\mu` = ``mean`` and :math:`s` = ``stddev``;
    Keras's defaults are ``mean=0``, ``stddev=0.05``."""

    name = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, rng, dtype="float32"):
        return (self.mean + self.stddev * rng.standard_normal(shape)).astype(dtype)

    def __repr__(self):
        return f"RandomNormal(mean={self.mean}, stddev={self.stddev})"


class RandomUniform(Initializer):
    r""":math:`W_{jk} \sim \mathcal U(a, b)` with :math:`a` = ``minval`` and :math:`b` = ``maxval``;
    Keras's defaults are ``-0.05`` and ``0.05``."""

    name = "random_uniform"

    def __init__(self, minval=-0.05, maxval=0.05):
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, rng, dtype="float32"):
        return rng.uniform(self.minval, self.maxval, shape).astype(dtype)


class GlorotUniform(Initializer):
    r"""Glorot (Xavier) uniform, Keras's default kernel initializer:

    .. math::

       W^l_{jk} \sim \mathcal U(-r, r), \qquad r = \sqrt{\frac{6}{n_{l-1} + n_l}},

    so that :math:`\operatorname{Var} W^l_{jk} = r^2 / 3 = 2 / (n_{l-1} + n_l)`."""

    name = "glorot_uniform"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, fan_out = _fans(shape)
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype(dtype)


class GlorotNormal(Initializer):
    r"""Glorot (Xavier) normal: a truncated normal whose variance is

    .. math::

       \operatorname{Var} W^l_{jk} = s^2 = \frac{2}{n_{l-1} + n_l} .

    As in Keras, the normal is drawn with standard deviation :math:`s / 0.8796` and truncated at
    two of its standard deviations (:func:`truncated_normal`), which brings the variance back to
    :math:`s^2`."""

    name = "glorot_normal"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, fan_out = _fans(shape)
        stddev = np.sqrt(2 / (fan_in + fan_out)) / _TRUNCATION_CORRECTION
        return truncated_normal(shape, stddev, rng, dtype)


class HeUniform(Initializer):
    r"""He uniform, for ReLU layers:

    .. math::

       W^l_{jk} \sim \mathcal U(-r, r), \qquad r = \sqrt{\frac{6}{n_{l-1}}},

    so that :math:`\operatorname{Var} W^l_{jk} = 2 / n_{l-1}`."""

    name = "he_uniform"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, _ = _fans(shape)
        limit = np.sqrt(6 / fan_in)
        return rng.uniform(-limit, limit, shape).astype(dtype)


class HeNormal(Initializer):
    r"""He normal, for ReLU layers: a truncated normal (as in :class:`GlorotNormal`) with

    .. math::

       \operatorname{Var} W^l_{jk} = s^2 = \frac{2}{n_{l-1}} ."""

    name = "he_normal"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, _ = _fans(shape)
        stddev = np.sqrt(2 / fan_in) / _TRUNCATION_CORRECTION
        return truncated_normal(shape, stddev, rng, dtype)


_BY_NAME = {
    cls.name: cls
    for cls in (Zeros, Ones, RandomNormal, RandomUniform, GlorotUniform, GlorotNormal,
                HeUniform, HeNormal)
}


def get(identifier) -> Initializer:
    """An initializer from its Keras name (``"he_normal"``), or the object itself."""
    return lookup("initializer", identifier, Initializer, _BY_NAME)
