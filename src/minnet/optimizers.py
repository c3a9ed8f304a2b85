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
times a float32 array stays float32, but a ``np.float64`` scalar turns the result into
float64 (numpy 2): an update that built new arrays would silently make the parameters
float64, and an in-place one computes every intermediate in float64, at twice the memory
traffic.

The updates compute these formulas term by term, as Keras does, except that a step is
divided before it is scaled by the learning rate (a rounding apart). Each intermediate is
written into one work array kept from step to step (numpy's ``out=`` and in-place ``*=``,
``+=``): a step allocates no memory and touches as few arrays as it can, so that those of a
large weight matrix stay in the processor's cache. Each line of an update is one pass over
the array; the formula it computes stands beside it.

Subnormal numbers. A state that decays geometrically (Adam's ``m`` by ``beta_1`` = 0.9 a
step, RMSprop's ``v`` by ``rho``, SGD's momentum) for a weight whose gradient is 0 for a
while (a weight fed by an MNIST border pixel, which is 0 in most images) falls below the
smallest normal float (``np.finfo(np.float32).tiny``, about 1.2e-38) after a few hundred
steps. Below it, in the *subnormal* range, the processor computes each operation in
microcode, tens to hundreds of times slower; a few percent of such entries made Adam's step
three times slower. TensorFlow sets the processor to flush them to zero; numpy cannot, so
these optimizers set such entries to 0 themselves (:meth:`Optimizer.flush_subnormals`)
every :data:`FLUSH_EVERY` steps. Those entries are over 1e30 times smaller than a gradient
that moves a weight, so the trajectory does not change.
"""

from __future__ import annotations

import math

import numpy as np

from .arguments import check_subclass_init
from .checks import lookup, non_negative_float
from .errors import ConfigError

__all__ = ["FLUSH_EVERY", "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "get"]

#: Steps between two flushes of subnormal numbers to zero. A state that decays by 0.9 a step
#: stays subnormal for about 150 steps before it reaches 0 on its own; flushing every 8th
#: step removes nearly all of that slow arithmetic for an eighth of the flush's cost.
FLUSH_EVERY = 8


class Optimizer:
    r"""Base class: ``apply(params, grads)`` updates each array of ``params`` in place.

    Each parameter array :math:`w` takes a step against its gradient
    :math:`g = \partial C / \partial w`; plain gradient descent with learning rate :math:`\eta` is
    :math:`w \leftarrow w - \eta\, g`, and the subclasses change how :math:`g` becomes the step.
    Before the step, ``clipnorm`` :math:`c` rescales each gradient array,
    :math:`g \leftarrow g \min\bigl(1, c / \lVert g \rVert\bigr)` (as Keras does, per array), and
    ``clipvalue`` :math:`c` clips each entry to :math:`[-c, c]`."""

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
        self.flush_due = False
        self.slots = None
        self._work = {}

    @property
    def learning_rate(self) -> float:
        """The learning rate; set it to a non-negative number between steps (as
        ``ReduceLROnPlateau`` and ``LearningRateScheduler`` do)."""
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
        self.flush_due = self.iterations % FLUSH_EVERY == 0
        self.prepare_step()
        clipping = self.clipnorm is not None or self.clipvalue is not None
        for w, g, slots in zip(params, grads, self.slots, strict=True):
            self.update(w, self.clip(g) if clipping else g, slots)

    def create_slots(self, w):
        """The per-parameter state (velocities, accumulators) this optimizer keeps."""
        return ()

    def prepare_step(self):
        """Compute what is the same for every parameter of this step (Adam's ``alpha``)."""

    def work(self, w, count=1):
        """``count`` scratch arrays shaped like ``w``, reused by every step (and by every
        parameter of that shape): somewhere to write intermediates with ``out=``."""
        arrays = self._work.setdefault((w.shape, w.dtype), [])
        while len(arrays) < count:
            arrays.append(np.empty_like(w))
        return arrays[:count]

    def flush_subnormals(self, x):
        """On every :data:`FLUSH_EVERY`-th step, set the entries of ``x`` smaller in size
        than the smallest normal float to 0, in place: ``x[|x| < tiny] = 0`` (see the
        module's docstring for why), in three passes that allocate nothing."""
        if not self.flush_due:
            return
        key = ("flush", x.shape, x.dtype)
        if key not in self._work:
            self._work[key] = (np.empty_like(x), np.empty(x.shape, dtype=bool),
                               x.dtype.type(np.finfo(x.dtype).tiny))
        size, small, tiny = self._work[key]
        np.abs(x, out=size)
        np.less(size, tiny, out=small)
        np.copyto(x, 0, where=small)

    def divide_by_root(self, w, g, s, step):
        """``w -= lr g / sqrt(s + eps)``, the step of Adagrad (``s`` the sum of squared
        gradients) and RMSprop (``s`` their running mean), written through ``step``."""
        np.add(s, w.dtype.type(self.epsilon), out=step)  # step = s + eps
        np.sqrt(step, out=step)  # step = sqrt(s + eps)
        np.divide(g, step, out=step)  # step = g / sqrt(s + eps)
        step *= w.dtype.type(self.learning_rate)  # step = lr g / sqrt(s + eps)
        w -= step  # w -= lr g / sqrt(s + eps)

    def update(self, w, g, slots):
        """Update one parameter array ``w`` in place from its gradient ``g`` and its state
        ``slots`` (from :meth:`create_slots`): the subclass's rule."""
        raise NotImplementedError

    def reset(self):
        """Forget the state (momentum, accumulators) and the step count."""
        self.iterations = 0
        self.slots = None
        self._work = {}


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional (Nesterov) momentum :math:`\mu` = ``momentum``.

    Without momentum, :math:`w \leftarrow w - \eta\, g`. With momentum, a velocity :math:`m`
    (starting at 0) accumulates the steps:

    .. math::

       m \leftarrow \mu m - \eta\, g, \qquad w \leftarrow w + m,

    and with ``nesterov=True`` the parameter looks one step ahead,
    :math:`w \leftarrow w + \mu m - \eta\, g` (with the new :math:`m`), as in Keras 3."""

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
        np.multiply(g, lr, out=step)  # step = lr g
        if not self.momentum:
            w -= step  # w -= lr g
            return
        (m,) = slots
        momentum = w.dtype.type(self.momentum)
        m *= momentum
        m -= step  # m = momentum m - lr g
        self.flush_subnormals(m)
        if self.nesterov:
            scratch = self.work(w, 2)[1]
            step -= np.multiply(m, momentum, out=scratch)  # step = lr g - momentum m
            w -= step  # w += momentum m - lr g
        else:
            w += m  # w += m


class Adagrad(Optimizer):
    r"""Per-parameter learning rates that shrink with the sum of squared gradients:

    .. math::

       s \leftarrow s + g \odot g, \qquad w \leftarrow w - \eta \frac{g}{\sqrt{s + \epsilon}},

    with :math:`s` starting at ``initial_accumulator_value`` (0.1) and :math:`\epsilon = 10^{-7}`
    inside the root, as in Keras."""

    name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def create_slots(self, w):
        return (np.full_like(w, self.initial_accumulator_value),)

    def update(self, w, g, slots):
        (acc,) = slots
        (step,) = self.work(w)
        acc += np.multiply(g, g, out=step)  # acc += g**2
        self.divide_by_root(w, g, acc, step)  # w -= lr g / sqrt(acc + eps)


class RMSprop(Optimizer):
    r"""Divides the step by a running root-mean-square of recent gradients:

    .. math::

       v \leftarrow \rho\, v + (1 - \rho)\, g \odot g, \qquad
       w \leftarrow w - \eta \frac{g}{\sqrt{v + \epsilon}},

    with :math:`\rho` = ``rho`` (0.9), :math:`v` starting at 0, and :math:`\epsilon = 10^{-7}`
    inside the root, as in Keras."""

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
        (step,) = self.work(w)
        v *= rho  # v = rho v
        np.multiply(g, g, out=step)  # step = g**2
        step *= 1 - rho  # step = (1 - rho) g**2
        v += step  # v = rho v + (1 - rho) g**2
        self.flush_subnormals(v)
        self.divide_by_root(w, g, v, step)  # w -= lr g / sqrt(v + eps)


class Adam(Optimizer):
    r"""Momentum (first moment :math:`m`) and RMSprop (second moment :math:`v`), bias-corrected.

    At step :math:`t = 1, 2, \dots`, with :math:`m` and :math:`v` starting at 0:

    .. math::

       m &\leftarrow m + (1 - \beta_1)(g - m), \qquad
       v \leftarrow v + (1 - \beta_2)(g \odot g - v),

       \alpha_t &= \eta \frac{\sqrt{1 - \beta_2^{\,t}}}{1 - \beta_1^{\,t}}, \qquad
       w \leftarrow w - \alpha_t \frac{m}{\sqrt{v} + \epsilon},

    Keras's form, with :math:`\epsilon = 10^{-7}` outside the root; the bias correction sits in
    :math:`\alpha_t`."""

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.alpha = learning_rate  # the step size of step t, set by prepare_step

    def create_slots(self, w):
        return (np.zeros_like(w), np.zeros_like(w))

    def prepare_step(self):
        t = self.iterations
        # the bias correction, once per step; converted to the parameter's dtype in update
        self.alpha = self.learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)

    def update(self, w, g, slots):
        m, v = slots
        dtype = w.dtype.type
        (step,) = self.work(w)
        np.subtract(g, m, out=step)  # step = g - m
        step *= dtype(1 - self.beta_1)  # step = (g - m)(1 - beta_1)
        m += step  # m += (g - m)(1 - beta_1)
        self.flush_subnormals(m)
        np.multiply(g, g, out=step)  # step = g**2
        step -= v  # step = g**2 - v
        step *= dtype(1 - self.beta_2)  # step = (g**2 - v)(1 - beta_2)
        v += step  # v += (g**2 - v)(1 - beta_2)
        np.sqrt(v, out=step)  # step = sqrt(v)
        step += dtype(self.epsilon)  # step = sqrt(v) + eps
        np.divide(m, step, out=step)  # step = m / (sqrt(v) + eps)
        step *= dtype(self.alpha)  # step = alpha m / (sqrt(v) + eps)
        w -= step  # w -= alpha m / (sqrt(v) + eps)


_BY_NAME = {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam)}


def get(identifier) -> Optimizer:
    """An optimizer from its Keras name (``"adam"``) with default settings, or the object."""
    return lookup("optimizer", identifier, Optimizer, _BY_NAME)


def __getattr__(name):
    from .errors import not_in_minnet

    raise not_in_minnet("optimizers", name, [*(cls.__name__ for cls in _BY_NAME.values())])
