"""The training loop behind ``Sequential.fit``: epochs, mini-batches, shuffling, progress
reports and callbacks; and the batched forward pass behind ``predict`` and ``evaluate``.

One training step on a batch ``(x, y)`` is the whole book in four lines (:func:`train_step`)::

    a = model.forward(x, training=True)           # forward propagation (chapter 4)
    losses, delta = loss.delta(y, z, a, f)         # the loss and Delta^L = dC/dz (chapter 3)
    model.backward(delta, from_logits=True)        # backpropagation (chapter 5)
    optimizer.apply(model.params, model.grads)     # a gradient step (chapter 6)

``Sequential`` holds the network; this module runs it. Callbacks are called through one
:class:`CallbackList`, in the order given, with ``History`` last (as in Keras).
"""

from __future__ import annotations

import math
import time

import numpy as np

from .callbacks import History
from .checks import positive_int
from .errors import ConfigError, DivergenceError
from .progress import progress_for


class CallbackList:
    """The callbacks of one ``fit``, ``History`` appended last so that it sees every log.

    ``call("on_epoch_end", epoch, logs)`` runs that hook of every callback, in order.
    """

    def __init__(self, callbacks, model):
        self.callbacks = [*(callbacks or []), History()]
        for callback in self.callbacks:
            callback.set_model(model)

    @property
    def history(self) -> History:
        return self.callbacks[-1]

    @property
    def handle_nan(self) -> bool:
        """Whether a callback (``TerminateOnNaN``) deals with a non-finite loss itself."""
        return any(getattr(callback, "handles_nan", False) for callback in self.callbacks)

    def call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)


def train_step(model, x, y, training=True):
    """Forward pass, loss, backward pass on one checked batch (no update).

    Leaves the gradients in the layers; returns ``(batch loss with regularization, output)``.
    """
    output = model.forward(x, training=training)
    per_example, delta = model.loss.delta(y, *model.output_parts(output))
    model.backward(delta, from_logits=True)
    return float(per_example.sum()) / len(per_example) + model.regularization_loss(), output


def fit(model, x, y, epochs=1, batch_size=32, validation_data=None, validation_split=0.0,
        shuffle=True, verbose=1, callbacks=None):
    """Train ``model`` (see :meth:`minnet.model.Sequential.fit`); returns the ``History``."""
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    x, y = model.check_data(x, y)
    x, y, validation = _split(model, x, y, validation_data, validation_split)
    trainer = Trainer(model, batch_size, shuffle, CallbackList(callbacks, model),
                      model.metric_functions(y))
    return trainer.run(x, y, epochs, validation, verbose)


def _split(model, x, y, validation_data, validation_split):
    """``(x, y, (x_val, y_val) or None)`` from ``validation_data`` or ``validation_split``."""
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ConfigError("validation_data must be a pair (x_val, y_val).")
        return x, y, model.check_data(*validation_data)
    if not validation_split:
        return x, y, None
    if not 0 < validation_split < 1:
        raise ConfigError(f"validation_split is a fraction in (0, 1), got {validation_split!r}.")
    split_at = int(np.ceil(len(x) * (1 - validation_split)))
    return x[:split_at], y[:split_at], (x[split_at:], y[split_at:])


class Trainer:
    """One ``fit``: a model trained in mini-batches of ``batch_size``, reshuffled every
    epoch when ``shuffle``, reporting ``metrics`` and calling ``callbacks``."""

    def __init__(self, model, batch_size, shuffle, callbacks, metrics):
        self.model = model
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.callbacks = callbacks
        self.metrics = metrics

    def run(self, x, y, epochs, validation=None, verbose=1):
        """The epoch loop; returns the ``History``."""
        model, callbacks = self.model, self.callbacks
        steps = -(-len(x) // self.batch_size)
        model.stop_training = False
        callbacks.call("on_train_begin")
        for epoch in range(epochs):
            callbacks.call("on_epoch_begin", epoch)
            progress = progress_for(verbose, epoch, epochs, steps)
            start_time = time.perf_counter()
            try:
                logs = self.epoch(x, y, epoch, progress)
            finally:
                progress.close()
            if validation is not None:
                val = evaluate(model, *validation, self.batch_size, self.metrics)
                logs.update({f"val_{k}": v for k, v in val.items()})
            callbacks.call("on_epoch_end", epoch, logs)
            progress.report(logs, time.perf_counter() - start_time)
            if model.stop_training:
                break
        callbacks.call("on_train_end")
        return callbacks.history

    def epoch(self, x, y, epoch, progress):
        """One pass over the data in mini-batches; returns the epoch's mean loss and
        metrics, each the mean of its batch values (taken before each update) weighted by
        batch size, as Keras reports them."""
        model, callbacks = self.model, self.callbacks
        order = model.rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
        params, handle_nan = model.params, callbacks.handle_nan
        totals, seen = dict.fromkeys(["loss", *self.metrics], 0.0), 0
        # Overflow shows up as a non-finite loss, which is reported below.
        with np.errstate(over="ignore", invalid="ignore"):
            for step, start in enumerate(range(0, len(x), self.batch_size)):
                index = order[start:start + self.batch_size]
                xb, yb = x[index], y[index]
                callbacks.call("on_train_batch_begin", step)
                loss, output = train_step(model, xb, yb)
                seen += len(xb)
                totals["loss"] += loss * len(xb)
                for name, fn in self.metrics.items():
                    totals[name] += float(np.sum(fn(yb, output)))
                if math.isfinite(loss):
                    model.optimizer.apply(params, model.grads)
                    progress.update(step, totals, seen)
                elif not handle_nan:
                    raise _divergence(model, loss, epoch, step, xb)
                callbacks.call("on_train_batch_end", step, {"loss": loss})
                if model.stop_training:
                    break
        return {name: total / seen for name, total in totals.items()}


def _divergence(model, loss, epoch, step, xb):
    lr = model.optimizer.learning_rate
    scale = float(np.max(np.abs(xb)))
    return DivergenceError(
        f"The loss became {loss} at epoch {epoch + 1}, step {step + 1}: training diverged. "
        f"Try a smaller learning rate (it is {lr:g}; try {lr / 10:g}), make sure the inputs "
        f"are scaled (this batch's largest |x| is {scale:.3g}; aim for about 1), or clip "
        "gradients with the optimizer's clipnorm=1.0. Pass "
        "callbacks=[minnet.callbacks.TerminateOnNaN()] to stop without an error.",
        epoch=epoch + 1,
        step=step + 1,
    )


# ------------------------------------------------------------------ inference


def forward_batches(model, x, batch_size):
    """The inference-mode forward pass in batches: yields ``(start, output)`` per batch.

    No gradient is computed; ``predict`` and ``evaluate`` both read the outputs from here.
    """
    for start in range(0, len(x), batch_size):
        yield start, model.forward(x[start:start + batch_size])


def predict(model, x, batch_size):
    """The outputs for checked inputs ``x``, batch after batch, as one array."""
    return np.concatenate([output for _, output in forward_batches(model, x, batch_size)])


def evaluate(model, x, y, batch_size, metrics):
    """Mean loss (with regularization) and metrics on checked ``(x, y)``, as a dict."""
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    for start, output in forward_batches(model, x, batch_size):
        yb = y[start:start + len(output)]
        totals["loss"] += float(np.sum(model.loss.output_values(yb, *model.output_parts(output))))
        for name, fn in metrics.items():
            totals[name] += float(np.sum(fn(yb, output)))
    results = {name: total / len(x) for name, total in totals.items()}
    results["loss"] += model.regularization_loss()
    return results
