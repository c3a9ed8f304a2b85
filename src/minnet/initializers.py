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

_TRUNCATION_CORRECTION = 0.87962566103423978  # stddev of a unit normal truncated at +-2


def _fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[-2], shape[-1]


def truncated_normal(shape, stddev, rng, dtype):
    """Normal samples with values beyond two standard deviations drawn again."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while np.any(outside):
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return (values * stddev).astype(dtype)


class Initializer:
    """Call with ``(shape, rng, dtype)`` to get a new array."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    name = "initializer"

    def __call__(self, shape, rng, dtype="float32"):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Zeros(Initializer):
    name = "zeros"

    def __call__(self, shape, rng=None, dtype="float32"):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    name = "ones"

    def __call__(self, shape, rng=None, dtype="float32"):
        return np.ones(shape, dtype=dtype)


class RandomNormal(Initializer):
    """``N(mean, stddev**2)``; Keras's defaults are ``mean=0``, ``stddev=0.05``."""

    name = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, rng, dtype="float32"):
        return (self.mean + self.stddev * rng.standard_normal(shape)).astype(dtype)

    def __repr__(self):
        return f"RandomNormal(mean={self.mean}, stddev={self.stddev})"


class RandomUniform(Initializer):
    """``U(minval, maxval)``; Keras's defaults are ``-0.05`` and ``0.05``."""

    name = "random_uniform"

    def __init__(self, minval=-0.05, maxval=0.05):
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, rng, dtype="float32"):
        return rng.uniform(self.minval, self.maxval, shape).astype(dtype)


class GlorotUniform(Initializer):
    """``U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``."""

    name = "glorot_uniform"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, fan_out = _fans(shape)
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype(dtype)


class GlorotNormal(Initializer):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``."""

    name = "glorot_normal"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, fan_out = _fans(shape)
        stddev = np.sqrt(2 / (fan_in + fan_out)) / _TRUNCATION_CORRECTION
        return truncated_normal(shape, stddev, rng, dtype)


class HeUniform(Initializer):
    """``U(-limit, limit)`` with ``limit = sqrt(6 / fan_in)``, for ReLU layers."""

    name = "he_uniform"

    def __call__(self, shape, rng, dtype="float32"):
        fan_in, _ = _fans(shape)
        limit = np.sqrt(6 / fan_in)
        return rng.uniform(-limit, limit, shape).astype(dtype)


class HeNormal(Initializer):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``, for ReLU layers."""

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
