"""The training loop behind ``Sequential.fit``: epochs, mini-batches, shuffling, progress
reports and callbacks; the batched forward pass behind ``predict`` and ``evaluate``; and
what ``compile`` and ``train_on_batch`` run.

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

from . import losses, optimizers, weighting
from . import metrics as metrics_module
from .callbacks import History
from .checks import positive_int, require_compiled
from .errors import ConfigError, DivergenceError
from .progress import progress_for

__all__ = [
    "CallbackList",
    "train_step",
    "compile",
    "train_on_batch",
    "fit",
    "Trainer",
    "forward_batches",
    "predict",
    "evaluate",
    "evaluate_data",
    "loss_value",
    "gradients",
]


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
        """The :class:`~minnet.callbacks.History` that records every epoch's logs (the last
        callback)."""
        return self.callbacks[-1]

    @property
    def handle_nan(self) -> bool:
        """Whether a callback (``TerminateOnNaN``) deals with a non-finite loss itself."""
        return any(getattr(callback, "handles_nan", False) for callback in self.callbacks)

    def call(self, hook, *args):
        """Run the hook named ``hook`` (``"on_epoch_end"``, ...) of every callback, in order,
        with ``args``."""
        for callback in self.callbacks:
            getattr(callback, hook)(*args)


def train_step(model, x, y, training=True, sample_weight=None):
    """Forward pass, loss, backward pass on one checked batch (no update).

    Leaves the gradients in the layers; returns ``(batch loss with regularization, output)``.
    With ``sample_weight`` the batch loss is ``sum_i w_i C_i / n`` (:mod:`minnet.weighting`).
    """
    output = model.forward(x, training=training)
    per_example, delta = model.loss.delta(y, *model.output_parts(output),
                                          sample_weight=sample_weight)
    model.backward(delta, from_logits=True)
    return float(per_example.sum()) / len(per_example) + model.regularization_loss(), output


def compile(model, optimizer="rmsprop", loss=None, metrics=None, weighted_metrics=None):  # noqa: A001 (Keras's name)
    """Give ``model`` its optimizer, loss and metrics (what ``Sequential.compile`` runs)."""
    if loss is None:
        raise ConfigError(
            "compile needs a loss, e.g. loss='mse' for regression or "
            "loss='sparse_categorical_crossentropy' for integer class labels."
        )
    model.optimizer = optimizers.get(optimizer)
    model.loss = losses.get(loss)
    model.metric_names = metrics_module.check_names(metrics)
    model.weighted_metric_names = metrics_module.check_names(weighted_metrics)
    return model


def train_on_batch(model, x, y, sample_weight=None, class_weight=None) -> float:
    """One gradient step on one batch; returns the batch loss before the step."""
    require_compiled(model, "train_on_batch")
    x, y = model.check_data(x, y)
    weights = weighting.sample_weights(y, sample_weight, class_weight, model.dtype)
    loss, _ = train_step(model, x, y, sample_weight=weights)
    model.optimizer.apply(model.params, model.grads)
    return loss


def fit(model, x, y, epochs=1, batch_size=32, validation_data=None, validation_split=0.0,
        shuffle=True, verbose=1, callbacks=None, sample_weight=None, class_weight=None,
        initial_epoch=0):
    """Train ``model`` for ``epochs`` passes over the data in mini-batches of ``batch_size``.

    What :meth:`minnet.model.Sequential.fit` runs, with Keras's arguments. ``sample_weight``
    (one number per example) or ``class_weight`` (a dict ``{class: weight}``) weight each
    example's loss, as :mod:`minnet.weighting` describes; ``validation_data`` may be
    ``(x_val, y_val, sample_weight_val)``. ``initial_epoch`` resumes an interrupted run:
    the epochs counted ``initial_epoch .. epochs - 1`` are run (``epochs`` is the index to
    stop at, not a count, as in Keras).

    Returns a :class:`~minnet.callbacks.History`, also kept as ``model.history``. Each
    epoch's ``loss`` (and metric) is the mean over the epoch of the batch values computed
    before each update, as Keras reports it. A NaN or infinite loss raises
    :class:`~minnet.errors.DivergenceError`, unless a
    :class:`~minnet.callbacks.TerminateOnNaN` callback is given, which stops quietly. The
    loop itself is :class:`Trainer`.
    """
    require_compiled(model, "fit")
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not (
            0 <= initial_epoch < epochs):
        raise ConfigError(
            f"initial_epoch is the index of the epoch to resume at, from 0 to epochs - 1 = "
            f"{epochs - 1}; got {initial_epoch!r}. To train 3 more epochs after 2, pass "
            "epochs=5, initial_epoch=2, as in Keras."
        )
    x, y = model.check_data(x, y)
    if sample_weight is not None and class_weight is not None:
        weighting.sample_weights(y, sample_weight, class_weight)  # raises: not both
    weights = weighting.sample_weights(y, sample_weight, None, model.dtype)
    x, y, weights, validation = _split(model, x, y, weights, validation_data, validation_split)
    if class_weight is not None:  # as in Keras, for the training data only
        weights = weighting.sample_weights(y, None, class_weight, model.dtype)
    trainer = Trainer(model, batch_size, shuffle, CallbackList(callbacks, model),
                      model.metric_functions(y), model.weighted_metric_functions(y))
    model.history = trainer.run(x, y, epochs, validation, verbose, weights, initial_epoch)
    return model.history


def _split(model, x, y, weights, validation_data, validation_split):
    """``(x, y, weights, (x_val, y_val, weights_val) or None)`` from ``validation_data``
    (a pair, or a triple with sample weights) or ``validation_split``."""
    if validation_data is not None:
        if len(validation_data) not in (2, 3):
            raise ConfigError(
                "validation_data must be a pair (x_val, y_val) or a triple (x_val, y_val, "
                "sample_weight_val)."
            )
        x_val, y_val = model.check_data(*validation_data[:2])
        w_val = validation_data[2] if len(validation_data) == 3 else None
        return x, y, weights, (x_val, y_val,
                               weighting.sample_weights(y_val, w_val, None, model.dtype))
    if not validation_split:
        return x, y, weights, None
    if not 0 < validation_split < 1:
        raise ConfigError(f"validation_split is a fraction in (0, 1), got {validation_split!r}.")
    split_at = int(np.ceil(len(x) * (1 - validation_split)))
    if weights is None:
        return x[:split_at], y[:split_at], None, (x[split_at:], y[split_at:], None)
    return (x[:split_at], y[:split_at], weights[:split_at],
            (x[split_at:], y[split_at:], weights[split_at:]))


class Trainer:
    """One ``fit``: a model trained in mini-batches of ``batch_size``, reshuffled every
    epoch when ``shuffle``, reporting ``metrics`` and calling ``callbacks``."""

    def __init__(self, model, batch_size, shuffle, callbacks, metrics, weighted_metrics=None):
        self.model = model
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.callbacks = callbacks
        self.metrics = metrics
        self.weighted_metrics = weighted_metrics or {}

    def run(self, x, y, epochs, validation=None, verbose=1, sample_weight=None,
            initial_epoch=0):
        """The epoch loop over epochs ``initial_epoch .. epochs - 1``; returns the
        ``History``. ``validation`` is ``(x_val, y_val, weights_val or None)``."""
        model, callbacks = self.model, self.callbacks
        steps = -(-len(x) // self.batch_size)
        model.stop_training = False
        callbacks.call("on_train_begin")
        for epoch in range(initial_epoch, epochs):
            callbacks.call("on_epoch_begin", epoch)
            progress = progress_for(verbose, epoch, epochs, steps)
            start_time = time.perf_counter()
            try:
                logs = self.epoch(x, y, epoch, progress, sample_weight)
            finally:
                progress.close()
            if validation is not None:
                val = evaluate(model, *validation[:2], self.batch_size, self.metrics,
                               validation[2], self.weighted_metrics)
                logs.update({f"val_{k}": v for k, v in val.items()})
            callbacks.call("on_epoch_end", epoch, logs)
            progress.report(logs, time.perf_counter() - start_time)
            if model.stop_training:
                break
        callbacks.call("on_train_end")
        return callbacks.history

    def epoch(self, x, y, epoch, progress, sample_weight=None):
        """One pass over the data in mini-batches; returns the epoch's mean loss and
        metrics, each the mean of its batch values (taken before each update) weighted by
        batch size, as Keras reports them (weighted metrics: by the sample weights)."""
        model, callbacks = self.model, self.callbacks
        order = model.rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
        params, handle_nan = model.params, callbacks.handle_nan
        totals, seen = dict.fromkeys(["loss", *self.metrics], 0.0), 0
        weighted = dict.fromkeys(self.weighted_metrics, 0.0)
        weight_total = 0.0
        # Overflow shows up as a non-finite loss, which is reported below.
        with np.errstate(over="ignore", invalid="ignore"):
            for step, start in enumerate(range(0, len(x), self.batch_size)):
                index = order[start:start + self.batch_size]
                xb, yb = x[index], y[index]
                wb = None if sample_weight is None else sample_weight[index]
                callbacks.call("on_train_batch_begin", step)
                loss, output = train_step(model, xb, yb, sample_weight=wb)
                seen += len(xb)
                totals["loss"] += loss * len(xb)
                for name, fn in self.metrics.items():
                    totals[name] += float(np.sum(fn(yb, output)))
                if weighted:
                    wsum = len(xb) if wb is None else float(np.sum(wb, dtype=np.float64))
                    weight_total += wsum
                    for name, fn in self.weighted_metrics.items():
                        values = fn(yb, output)
                        weighted[name] += float(np.sum(values if wb is None else values * wb))
                if math.isfinite(loss):
                    model.optimizer.apply(params, model.grads)
                    progress.update(step, totals, seen)
                elif not handle_nan:
                    raise _divergence(model, loss, epoch, step, xb)
                callbacks.call("on_train_batch_end", step, {"loss": loss})
                if model.stop_training:
                    break
        logs = {name: total / seen for name, total in totals.items()}
        logs.update({name: _ratio(total, weight_total) for name, total in weighted.items()})
        return logs


def _ratio(total, weight_total):
    """``total / weight_total``, 0 when every weight is 0 (Keras's ``divide_no_nan``)."""
    return total / weight_total if weight_total else 0.0


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


def evaluate(model, x, y, batch_size, metrics, sample_weight=None, weighted_metrics=None):
    """Mean loss (with regularization) and metrics on checked ``(x, y)``, as a dict.

    With ``sample_weight`` the loss is ``sum_i w_i C_i / n``; ``metrics`` ignore the
    weights and ``weighted_metrics`` are ``sum_i w_i m_i / sum_i w_i``, as in Keras.
    """
    weighted_metrics = weighted_metrics or {}
    totals = dict.fromkeys(["loss", *metrics, *weighted_metrics], 0.0)
    for start, output in forward_batches(model, x, batch_size):
        end = start + len(output)
        yb = y[start:end]
        wb = None if sample_weight is None else sample_weight[start:end]
        totals["loss"] += float(np.sum(model.loss.output_values(
            yb, *model.output_parts(output), sample_weight=wb)))
        for name, fn in metrics.items():
            totals[name] += float(np.sum(fn(yb, output)))
        for name, fn in weighted_metrics.items():
            values = fn(yb, output)
            totals[name] += float(np.sum(values if wb is None else values * wb))
    results = {name: totals[name] / len(x) for name in ["loss", *metrics]}
    weight_total = len(x) if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
    results.update({name: _ratio(totals[name], weight_total) for name in weighted_metrics})
    results["loss"] += model.regularization_loss()
    return results


def evaluate_data(model, x, y, batch_size=None, verbose=0, sample_weight=None,
                  return_dict=False):
    """What ``Sequential.evaluate`` runs: check ``(x, y)``, :func:`evaluate`, and return
    the loss alone, ``[loss, metric, ...]`` or (``return_dict=True``) a dict, as Keras does."""
    require_compiled(model, "evaluate")
    batch_size = positive_int(batch_size or 32, "batch_size")
    x, y = model.check_data(x, y)
    weights = weighting.sample_weights(y, sample_weight, None, model.dtype)
    results = evaluate(model, x, y, batch_size, model.metric_functions(y), weights,
                       model.weighted_metric_functions(y))
    if verbose:
        print(" - ".join(f"{k}: {v:.4f}" for k, v in results.items()))
    if return_dict:
        return results
    return results["loss"] if len(results) == 1 else list(results.values())


def loss_value(model, x, y) -> float:
    """The mean loss on ``(x, y)`` plus regularization, in inference mode."""
    require_compiled(model, "loss_value")
    x, y = model.check_data(x, y)
    return evaluate(model, x, y, len(x), {})["loss"]


def gradients(model, x, y, training=False):
    """Copies of the gradients of the batch's mean loss plus regularization."""
    require_compiled(model, "gradients")
    train_step(model, *model.check_data(x, y), training=training)
    return [g.copy() for g in model.grads]
