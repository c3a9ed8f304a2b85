"""``Sequential``: a stack of layers trained by backpropagation, with Keras's interface.

One training step on a batch ``(x, y)`` is the whole book in four lines::

    a = model.forward(x, training=True)          # forward propagation (chapter 4)
    loss, grad = loss_fn(y, a) and dC/da          # the loss and its gradient (chapter 3)
    model.backward(grad)                          # backpropagation (chapter 5)
    optimizer.apply(params, grads)                # a gradient step (chapter 6)

When the last layer ends in a sigmoid or softmax and the loss is a cross-entropy, the loss
is computed from the logits ``z`` the activation received, as Keras does: the value stays
finite however saturated the output, and the gradient is the clean ``(a - y) / n``.
"""

from __future__ import annotations

import copy
import math
import os
import time
import warnings

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import History, TerminateOnNaN
from .checks import as_float_array, check_same_length, positive_int
from .errors import (
    ConfigError,
    DivergenceError,
    LabelError,
    NonFiniteError,
    NotBuiltError,
    NotCompiledError,
    ShapeError,
    WeightsError,
)
from .layers import Dense, Layer
from .progress import progress_for

_CROSS_ENTROPIES = (
    losses_module.BinaryCrossentropy,
    losses_module.CategoricalCrossentropy,
    losses_module.SparseCategoricalCrossentropy,
)


class Sequential:
    """A linear stack of layers.

    ``seed`` fixes every random choice (initial weights, shuffling, dropout masks): the same
    seed gives bit-identical results run after run. ``dtype`` is ``"float32"`` (as Keras) or
    ``"float64"``.
    """

    def __init__(self, layers=None, seed=None, dtype="float32", name="sequential"):
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ConfigError(f"dtype must be 'float32' or 'float64', got {dtype!r}.")
        self.name = name
        self.dtype = np.dtype(dtype)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.layers = []
        self.built = False
        self.input_shape = None
        self.optimizer = None
        self.loss = None
        self.metric_names = []
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ building
    def add(self, layer):
        """Append a layer. A first layer with ``input_dim`` builds the model at once; a layer
        added to a built model is built on top of it."""
        if not isinstance(layer, Layer):
            raise ConfigError(
                f"Sequential takes minnet layers, got {type(layer).__name__}. "
                "Use minnet.layers.Dense(...) and friends."
            )
        taken = {existing.name for existing in self.layers}
        base, i = layer.name, 0
        while layer.name in taken:
            i += 1
            layer.name = f"{base}_{i}"
        self.layers.append(layer)
        if self.built:
            layer.build(self.output_shape, self.rng, self.dtype)
            self.output_shape = layer.output_shape
        elif len(self.layers) == 1 and getattr(layer, "input_dim", None):
            self.build((None, layer.input_dim))

    def build(self, input_shape):
        """Create every layer's weights for inputs of shape ``(batch, *input_shape[1:])``."""
        if not self.layers:
            raise ConfigError("The model has no layers: add at least one before using it.")
        shape = (None, *tuple(input_shape)[1:])
        self.input_shape = shape
        for layer in self.layers:
            layer.build(shape, self.rng, self.dtype)
            shape = layer.output_shape
        self.output_shape = shape
        self.built = True

    def _inputs(self, x):
        """Check ``x`` once, build the model on first use, return it in the model's dtype."""
        x = as_float_array(x, "x", self.dtype)
        if not self.built:
            if x.ndim == 1:
                raise ShapeError(
                    f"x has shape {x.shape}: one number per example but no feature axis. "
                    "If each example is a single number, use x.reshape(-1, 1)."
                )
            self.build(x.shape)
        elif x.shape[1:] != self.input_shape[1:]:
            if x.shape == self.input_shape[1:]:
                hint = (" It looks like one example without the batch axis: pass "
                        "x[None] (or x.reshape(1, -1)) for a batch of one.")
            elif x.ndim != len(self.input_shape):
                hint = " Add a Flatten() layer first, or reshape x."
            else:
                hint = ""
            raise ShapeError(
                f"The model expects inputs of shape {self.input_shape} but got x of shape "
                f"{x.shape}.{hint}"
            )
        return x

    # ----------------------------------------------------------------- compiling
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to report (Keras names work)."""
        if loss is None:
            raise ConfigError(
                "compile needs a loss, e.g. loss='mse' for regression or "
                "loss='sparse_categorical_crossentropy' for integer class labels."
            )
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        self.metric_names = list(metrics or [])
        for name in self.metric_names:
            if str(name).lower() not in ("accuracy", "acc"):
                metrics_module.get(name)
        return self

    def _require_compiled(self, what):
        if self.loss is None:
            raise NotCompiledError(
                f"Call model.compile(optimizer=..., loss=...) before {what}: the model does "
                "not know which loss to compute yet."
            )

    def _training_loss(self):
        """The loss actually evaluated, and whether it works on the last layer's logits."""
        activation = getattr(self.layers[-1], "activation", None)
        fused = isinstance(self.loss, _CROSS_ENTROPIES) and getattr(
            activation, "name", None
        ) in ("sigmoid", "softmax")
        if fused and self.loss.from_logits:
            warnings.warn(
                f"{self.loss.name} was given from_logits=True, but the last layer applies "
                f"{activation.name}: as in Keras, the loss uses the logits before the "
                f"{activation.name}. Drop from_logits=True or the activation.",
                stacklevel=3,
            )
        return (self.loss.with_logits() if fused else self.loss), fused

    def _targets(self, y, x):
        """Check ``y`` once against the loss and the model's output shape."""
        y = np.asarray(y)
        if y.dtype.kind in "USO":
            raise LabelError(
                f"y holds {y.dtype.name} values such as {y.ravel()[:3].tolist()}; losses need "
                "numbers. Encode classes as integers, e.g. "
                "classes, y = np.unique(y, return_inverse=True)."
            )
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise NonFiniteError(
                "y contains NaN or infinity; every target must be a finite number."
            )
        check_same_length(x, y)
        if y.dtype.kind in "biu" and not isinstance(
            self.loss, losses_module.SparseCategoricalCrossentropy
        ):
            y = y.astype(self.dtype)
        probe = np.empty((len(y), *self.output_shape[1:]), dtype=self.dtype)
        return self.loss.prepare(y, probe)[0]

    # ------------------------------------------------------- forward and backward
    def forward(self, x, training=False):
        """Run a (checked) batch through every layer; returns the last activation."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def __call__(self, x, training=False):
        return self.forward(self._inputs(x), training=training)

    def backward(self, grad, from_logits=False):
        """Backpropagate ``grad = dC/d(output)`` (``dC/dz`` of the last layer if
        ``from_logits``) through every layer, leaving each layer's gradients in place.
        The gradient with respect to the data itself is not needed, so not computed."""
        layers = self.layers
        if from_logits:
            last = layers[-1]
            if isinstance(last, Dense):
                grad = last.backward_delta(grad, input_gradient=len(layers) > 1)
            layers = layers[:-1]
        for depth in range(len(layers) - 1, -1, -1):
            if depth == 0 and isinstance(layers[0], Dense):
                layers[0].backward(grad, input_gradient=False)  # no gradient for the data
            else:
                grad = layers[depth].backward(grad)

    @property
    def params(self):
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self):
        return [g for layer in self.layers for g in layer.grads]

    def regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))

    def _loss_and_gradients(self, x, y, loss_fn, fused, training):
        """Forward pass, loss of the batch, backward pass. Returns ``(loss, output)``."""
        output = self.forward(x, training=training)
        logits_or_output = self.layers[-1].z if fused else output
        per_example, grad = loss_fn.values_and_gradient(y, logits_or_output)
        self.backward(grad, from_logits=fused)
        return float(per_example.sum()) / len(per_example) + self.regularization_loss(), output

    # ---------------------------------------------------------------- training
    def train_on_batch(self, x, y) -> float:
        """One gradient step on one batch; returns the batch loss before the step."""
        self._require_compiled("train_on_batch")
        x = self._inputs(x)
        y = self._targets(y, x)
        loss_fn, fused = self._training_loss()
        loss, _ = self._loss_and_gradients(x, y, loss_fn, fused, training=True)
        self.optimizer.apply(self.params, self.grads)
        return loss

    def fit(self, x, y, epochs=1, batch_size=32, validation_data=None, validation_split=0.0,
            shuffle=True, verbose=1, callbacks=None):
        """Train for ``epochs`` passes over the data in mini-batches of ``batch_size``.

        Returns a :class:`~minnet.callbacks.History`. Each epoch's ``loss`` (and metric) is
        the mean over the epoch of the batch values computed before each update, as Keras
        reports it. A NaN or infinite loss raises
        :class:`~minnet.errors.DivergenceError`, unless a
        :class:`~minnet.callbacks.TerminateOnNaN` callback is given, which stops quietly.
        """
        self._require_compiled("fit")
        epochs = positive_int(epochs, "epochs")
        batch_size = positive_int(batch_size, "batch_size")
        x = self._inputs(x)
        y = self._targets(y, x)
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ConfigError("validation_data must be a pair (x_val, y_val).")
            x_val = self._inputs(validation_data[0])
            y_val = self._targets(validation_data[1], x_val)
        elif validation_split:
            if not 0 < validation_split < 1:
                raise ConfigError(
                    f"validation_split is a fraction in (0, 1), got {validation_split!r}."
                )
            split_at = int(np.ceil(len(x) * (1 - validation_split)))
            x, x_val, y, y_val = x[:split_at], x[split_at:], y[:split_at], y[split_at:]
        else:
            x_val = y_val = None

        loss_fn, fused = self._training_loss()
        metric_fns = self._metric_functions(y, x)
        history = History()
        callbacks = [*(callbacks or []), history]  # History last, as in Keras: it sees every log
        for callback in callbacks:
            callback.set_model(self)
        self.stop_training = False
        steps = -(-len(x) // batch_size)
        for callback in callbacks:
            callback.on_train_begin()
        for epoch in range(epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            progress = progress_for(verbose, epoch, epochs, steps)
            start_time = time.perf_counter()
            try:
                logs = self._train_epoch(x, y, batch_size, shuffle, loss_fn, fused, metric_fns,
                                         callbacks, progress, epoch)
            finally:
                progress.close()
            if x_val is not None:
                val = self.evaluate(x_val, y_val, batch_size=batch_size, return_dict=True)
                logs.update({f"val_{k}": v for k, v in val.items()})
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            progress.report(logs, time.perf_counter() - start_time)
            if self.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end()
        self.history = history
        return history

    def _train_epoch(self, x, y, batch_size, shuffle, loss_fn, fused, metric_fns, callbacks,
                     progress, epoch):
        """One pass over the data in mini-batches; returns the epoch's mean loss and metrics."""
        n = len(x)
        order = self.rng.permutation(n) if shuffle else np.arange(n)
        stop_on_nan = any(isinstance(c, TerminateOnNaN) for c in callbacks)
        params = self.params
        total_loss, totals, seen = 0.0, dict.fromkeys(metric_fns, 0.0), 0
        # Overflow shows up as a non-finite loss, which is reported below.
        with np.errstate(over="ignore", invalid="ignore"):
            for step, start in enumerate(range(0, n, batch_size)):
                index = order[start:start + batch_size]
                xb, yb = x[index], y[index]
                loss, output = self._loss_and_gradients(xb, yb, loss_fn, fused, training=True)
                seen += len(xb)
                total_loss += loss * len(xb)
                for name, fn in metric_fns.items():
                    totals[name] += float(np.sum(fn(yb, output)))
                finite = math.isfinite(loss)
                if not finite and not stop_on_nan:
                    raise self._divergence(loss, epoch, step, xb)
                if finite:
                    self.optimizer.apply(params, self.grads)
                    progress.update(step, total_loss, totals, seen)
                for callback in callbacks:
                    callback.on_train_batch_end(step, {"loss": loss})
                if self.stop_training:
                    break
        return {"loss": total_loss / seen, **{k: v / seen for k, v in totals.items()}}

    def _metric_functions(self, y, x):
        probe_shape = (len(y), *self.output_shape[1:])
        # Logged under the name given to compile, as Keras does ("acc" stays "acc").
        return {str(name): metrics_module.get(name, y.shape, probe_shape)
                for name in self.metric_names}

    def _divergence(self, loss, epoch, step, xb):
        lr = self.optimizer.learning_rate
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

    # -------------------------------------------------------------- inference
    def predict(self, x, batch_size=None):
        """The network's outputs for ``x``, computed in batches (32 by default)."""
        x = self._inputs(x)
        batch_size = positive_int(batch_size or 32, "batch_size")
        return np.concatenate(
            [self.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
        )

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=False):
        """Loss (with regularization) and metrics on ``(x, y)``, in inference mode.

        Returns the loss alone when no metrics were compiled, else ``[loss, metric, ...]``,
        or a dict with ``return_dict=True``: what Keras returns.
        """
        self._require_compiled("evaluate")
        x = self._inputs(x)
        y = self._targets(y, x)
        batch_size = positive_int(batch_size or 32, "batch_size")
        loss_fn, fused = self._training_loss()
        metric_fns = self._metric_functions(y, x)
        total_loss, totals = 0.0, dict.fromkeys(metric_fns, 0.0)
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size], y[i:i + batch_size]
            output = self.forward(xb)
            logits_or_output = self.layers[-1].z if fused else output
            per_example, _ = loss_fn.values_and_gradient(yb, logits_or_output)
            total_loss += float(np.sum(per_example))
            for name, fn in metric_fns.items():
                totals[name] += float(np.sum(fn(yb, output)))
        results = {"loss": total_loss / len(x) + self.regularization_loss()}
        results.update({k: v / len(x) for k, v in totals.items()})
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in results.items()))
        if return_dict:
            return results
        return results["loss"] if len(results) == 1 else list(results.values())

    # --------------------------------------------------------------- gradients
    def loss_value(self, x, y) -> float:
        """The mean loss on ``(x, y)`` plus regularization, in inference mode."""
        self._require_compiled("loss_value")
        x = self._inputs(x)
        y = self._targets(y, x)
        loss_fn, fused = self._training_loss()
        output = self.forward(x)
        per_example, _ = loss_fn.values_and_gradient(y, self.layers[-1].z if fused else output)
        return float(np.mean(per_example)) + self.regularization_loss()

    def gradients(self, x, y, training=False):
        """Gradients of the batch's mean loss plus regularization with respect to every
        weight, as a list ordered and shaped like :meth:`get_weights`."""
        self._require_compiled("gradients")
        x = self._inputs(x)
        y = self._targets(y, x)
        loss_fn, fused = self._training_loss()
        self._loss_and_gradients(x, y, loss_fn, fused, training=training)
        return [g.copy() for g in self.grads]

    # ----------------------------------------------------------------- weights
    def _require_built(self):
        if not self.built:
            raise NotBuiltError(
                "The model has no weights yet. Give the first layer input_dim=..., call "
                "model.build((None, n_features)), or call the model on data first."
            )

    def get_weights(self):
        """Copies of every weight array, ``[W1, b1, W2, b2, ...]``, shaped as in Keras."""
        self._require_built()
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        """Overwrite every weight; ``weights`` is ordered and shaped like ``get_weights()``."""
        self._require_built()
        params = self.params
        weights = list(weights)
        if len(weights) != len(params):
            raise WeightsError(
                f"set_weights got {len(weights)} arrays, but this model has {len(params)}: "
                f"shapes {[p.shape for p in params]} in the order [W1, b1, W2, b2, ...]."
            )
        for i, (p, w) in enumerate(zip(params, weights, strict=True)):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise WeightsError(
                    f"Weight {i} has shape {w.shape} but the model needs {p.shape}. Kernels "
                    "are (n_in, n_out), as in Keras; transpose a (n_out, n_in) matrix with .T."
                )
            np.copyto(p, w.astype(p.dtype, copy=False))

    def count_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def save_weights(self, path):
        """Save the weights to an ``.npz`` file (plain arrays, no pickle)."""
        self._require_built()
        np.savez(path, *self.get_weights())

    def load_weights(self, path):
        """Load weights saved by :meth:`save_weights`."""
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        with np.load(path, allow_pickle=False) as data:
            self.set_weights([data[f"arr_{i}"] for i in range(len(data.files))])

    def astype(self, dtype):
        """A copy of the model (weights, compiled loss and optimizer) in another dtype."""
        self._require_built()
        clone = copy.deepcopy(self)
        clone.dtype = np.dtype(dtype)
        for layer in clone.layers:
            layer.dtype = clone.dtype
            for name, value in vars(layer).items():  # parameters, gradients, cached values
                if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                    setattr(layer, name, value.astype(clone.dtype))
        if clone.optimizer is not None:
            clone.optimizer.reset()
        return clone

    def summary(self):
        """Print each layer's output shape and parameter count, as Keras does."""
        self._require_built()
        header = ("Layer (type)", "Output Shape", "Param #")
        rows = [(f"{layer.name} ({type(layer).__name__})", str(layer.output_shape),
                 str(layer.count_params())) for layer in self.layers]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]

        def line(row):
            return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))

        rule = "-" * (sum(widths) + 4)
        print(f'Model: "{self.name}"', line(header), rule, *map(line, rows), rule,
              f"Total params: {self.count_params():,}", sep="\n")

    def __repr__(self):
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"
