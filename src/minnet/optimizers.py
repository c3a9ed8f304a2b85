"""Optimizers: how a gradient ``g`` becomes a step for a parameter ``w``.

Update rules and defaults are Keras 3's, so that minnet and Keras, fed the same gradients,
follow the same trajectory step for step (chapter 6):

- SGD: ``w -= lr g``; with momentum ``m = momentum m - lr g``, ``w += m``;
  Nesterov: ``m = momentum m - lr g``, ``w += momentum m - lr g``.
- Adagrad: ``acc += g**2`` (``acc`` starts at 0.1), ``w -= lr g / sqrt(acc + eps)``.
- RMSprop: ``v = rho v + (1 - rho) g**2``, ``w -= lr g / sqrt(v + eps)``.
- Adam: ``m += (1 - beta_1)(g - m)``, ``v += (1 - beta_2)(g**2 - v)``,
  ``alpha = lr sqrt(1 - beta_2**t) / (1 - beta_1**t)``, ``w -= alpha m / (sqrt(v) + eps)``.

``eps`` is ``1e-7``. With ``clipnorm`` each gradient array is rescaled to norm at most
``clipnorm``; with ``clipvalue`` each entry is clipped to ``[-clipvalue, clipvalue]``.

Every hyper-parameter is converted to the parameter's dtype before use: a Python float
times a float32 array stays float32, but a ``np.float64`` scalar would silently turn the
parameters into float64.

The updates compute these formulas term by term, in the order Keras does (so the rounding
is the same), but write each intermediate into a work array kept from step to step
(numpy's ``out=`` and in-place ``*=``, ``+=``): a step then allocates no memory, which for
large weight matrices is most of what a naive update costs.
"""

from __future__ import annotations

import numpy as np

from .arguments import check_subclass_init
from .checks import lookup, non_negative_float
from .errors import ConfigError


class Optimizer:
    """Base class: ``apply(params, grads)`` updates each array of ``params`` in place."""

    name = "optimizer"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None):
        self.learning_rate = learning_rate
        if clipnorm is not None and clipvalue is not None:
            raise ConfigError("Give clipnorm or clipvalue, not both.")
        self.clipnorm = None if clipnorm is None else non_negative_float(clipnorm, "clipnorm")
        self.clipvalue = None if clipvalue is None else non_negative_float(clipvalue, "clipvalue")
        self.iterations = 0
        self.slots = None
        self._work = {}

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = non_negative_float(value, "learning_rate")

    def clip(self, g):
        """Apply ``clipnorm`` (per array, as Keras does) or ``clipvalue``."""
        if self.clipnorm is not None:
            norm = np.sqrt(np.sum(g * g))
            if norm > self.clipnorm:
                g = g * g.dtype.type(self.clipnorm / norm)
        elif self.clipvalue is not None:
            g = np.clip(g, -self.clipvalue, self.clipvalue)
        return g

    def apply(self, params, grads):
        """One step: update every parameter array in ``params`` in place."""
        if self.slots is None:
            self.slots = [self.create_slots(p) for p in params]
        self.iterations += 1
        clipping = self.clipnorm is not None or self.clipvalue is not None
        for w, g, slots in zip(params, grads, self.slots, strict=True):
            self.update(w, self.clip(g) if clipping else g, slots)

    def create_slots(self, w):
        """The per-parameter state (velocities, accumulators) this optimizer keeps."""
        return ()

    def work(self, w, count=1):
        """``count`` scratch arrays shaped like ``w``, reused by every step (and by every
        parameter of that shape): somewhere to write intermediates with ``out=``."""
        arrays = self._work.setdefault((w.shape, w.dtype), [])
        while len(arrays) < count:
            arrays.append(np.empty_like(w))
        return arrays[:count]

    def update(self, w, g, slots):
        raise NotImplementedError

    def reset(self):
        """Forget the state (momentum, accumulators) and the step count."""
        self.iterations = 0
        self.slots = None
        self._work = {}


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum."""

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **clip):
        super().__init__(learning_rate, **clip)
        if not 0 <= momentum <= 1:
            raise ConfigError(f"momentum must be between 0 and 1, got {momentum!r}.")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def create_slots(self, w):
        return (np.zeros_like(w),) if self.momentum else ()

    def update(self, w, g, slots):
        lr = w.dtype.type(self.learning_rate)
        (step,) = self.work(w)
        np.multiply(g, lr, out=step)  # lr g
        if not self.momentum:
            w -= step  # w -= lr g
            return
        (m,) = slots
        momentum = w.dtype.type(self.momentum)
        m *= momentum
        m -= step  # m = momentum m - lr g
        if self.nesterov:
            w += momentum * m - step  # w += momentum m - lr g
        else:
            w += m


class Adagrad(Optimizer):
    """Per-parameter learning rates that shrink with the sum of squared gradients."""

    name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def create_slots(self, w):
        return (np.full_like(w, self.initial_accumulator_value),)

    def update(self, w, g, slots):
        (acc,) = slots
        step, root = self.work(w, 2)
        acc += np.multiply(g, g, out=step)  # acc += g**2
        np.sqrt(np.add(acc, w.dtype.type(self.epsilon), out=root), out=root)
        np.multiply(g, w.dtype.type(self.learning_rate), out=step)
        step /= root
        w -= step  # w -= lr g / sqrt(acc + eps)


class RMSprop(Optimizer):
    """Divides the step by a running root-mean-square of recent gradients."""

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.rho = rho
        self.epsilon = epsilon

    def create_slots(self, w):
        return (np.zeros_like(w),)

    def update(self, w, g, slots):
        (v,) = slots
        rho = w.dtype.type(self.rho)
        step, root = self.work(w, 2)
        v *= rho
        np.multiply(g, g, out=step)
        step *= 1 - rho
        v += step  # v = rho v + (1 - rho) g**2
        np.sqrt(np.add(v, w.dtype.type(self.epsilon), out=root), out=root)
        np.multiply(g, w.dtype.type(self.learning_rate), out=step)
        step /= root
        w -= step  # w -= lr g / sqrt(v + eps)


class Adam(Optimizer):
    """Momentum (first moment ``m``) and RMSprop (second moment ``v``), bias-corrected."""

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def create_slots(self, w):
        return (np.zeros_like(w), np.zeros_like(w))

    def update(self, w, g, slots):
        m, v = slots
        t = self.iterations
        dtype = w.dtype.type
        alpha = dtype(self.learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t))
        step, root = self.work(w, 2)
        np.subtract(g, m, out=step)
        step *= dtype(1 - self.beta_1)
        m += step  # m += (g - m)(1 - beta_1)
        np.multiply(g, g, out=step)
        step -= v
        step *= dtype(1 - self.beta_2)
        v += step  # v += (g**2 - v)(1 - beta_2)
        np.sqrt(v, out=root)
        root += dtype(self.epsilon)
        np.multiply(m, alpha, out=step)
        step /= root
        w -= step  # w -= alpha m / (sqrt(v) + eps)


_BY_NAME = {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam)}


def get(identifier) -> Optimizer:
    """An optimizer from its Keras name (``"adam"``) with default settings, or the object."""
    return lookup("optimizer", identifier, Optimizer, _BY_NAME)


def __getattr__(name):
    from .errors import not_in_minnet

    raise not_in_minnet("optimizers", name, [*(cls.__name__ for cls in _BY_NAME.values())])
