"""``Sequential``: a stack of layers, with Keras's interface.

``Sequential`` is the structure of a network: its layers, how they are built, the forward
pass, the backward pass and the weights. Training runs in :mod:`minnet.training`, which
``fit``, ``evaluate`` and ``predict`` hand their work to; the loss, given the last layer's
:meth:`Sequential.output_parts`, decides how the backward pass starts
(:meth:`minnet.losses.Loss.delta`).
"""

from __future__ import annotations

import copy
import os

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import training as training_module
from . import weighting
from .arguments import checked
from .checks import check_inputs, check_targets, positive_int
from .errors import ConfigError, NotBuiltError, NotCompiledError, WeightsError
from .layers import InputLayer, Layer


class Sequential:
    """A linear stack of layers.

    ``seed`` fixes every random choice (initial weights, shuffling, dropout masks): the same
    seed gives bit-identical results run after run. ``dtype`` is ``"float32"`` (as Keras) or
    ``"float64"``.
    """

    @checked(where="Sequential()")
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
        self.weighted_metric_names = []
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ building
    @checked(where="Sequential.add")
    def add(self, layer):
        """Append a layer. ``Input(shape=...)`` first, or a first layer given ``input_dim=``
        or ``input_shape=`` (Keras's spellings), builds the model at once; a layer added
        to a built model is built on top of it. ``Input`` is not kept in ``layers``, as in
        Keras."""
        if isinstance(layer, InputLayer):
            if self.layers or self.input_shape is not None:
                raise ConfigError(
                    "Input(shape=...) goes first in a Sequential model, and only once; this "
                    f"model already has {'layers' if self.layers else 'an input shape'}."
                )
            self.input_shape = layer.batch_input_shape
            if layer.input_dtype is not None:
                self.dtype = layer.input_dtype
            return
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
        elif len(self.layers) == 1:
            shape = self.input_shape or layer.batch_input_shape
            if shape is None and getattr(layer, "input_dim", None):
                shape = (None, layer.input_dim)
            if shape is not None:
                self.build(shape)

    def pop(self):
        """Remove the last layer (as Keras's ``pop``); the others keep their weights. A
        compiled optimizer forgets its state, which was for the old list of weights."""
        if not self.layers:
            raise ConfigError("pop() on a model with no layers.")
        layer = self.layers.pop()
        if self.built:
            self.output_shape = self.layers[-1].output_shape if self.layers else self.input_shape
            self.built = bool(self.layers)
        if self.optimizer is not None:
            self.optimizer.reset()
        return layer

    @checked(where="Sequential.build")
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
        x = check_inputs(x, self.dtype, self.input_shape if self.built else None)
        if not self.built:
            self.build(x.shape)
        return x

    # ----------------------------------------------------------------- compiling
    @checked(where="Sequential.compile")
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, weighted_metrics=None):
        """Choose the optimizer, the loss and the metrics to report (Keras names work).

        ``metrics`` ignore sample weights; ``weighted_metrics`` are averaged with them,
        ``sum_i w_i m_i / sum_i w_i`` (as in Keras; the name gets a ``weighted_`` prefix if
        it is also in ``metrics``)."""
        if loss is None:
            raise ConfigError(
                "compile needs a loss, e.g. loss='mse' for regression or "
                "loss='sparse_categorical_crossentropy' for integer class labels."
            )
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        self.metric_names = list(metrics or [])
        self.weighted_metric_names = list(weighted_metrics or [])
        for name in [*self.metric_names, *self.weighted_metric_names]:
            if str(name).lower() not in ("accuracy", "acc"):
                metrics_module.get(name)
        return self

    def check_data(self, x, y):
        """``(x, y)`` checked once against the model and its loss, ready for training: in
        the model's dtype, class labels left as integers."""
        x = self._inputs(x)
        y = check_targets(y, x)
        probe = np.empty((len(y), *self.output_shape[1:]), dtype=self.dtype)
        return x, self.loss.prepare(y, probe)[0]

    def metric_functions(self, y):
        """The compiled metrics for targets like ``y``, by the name given to ``compile``
        (as in Keras, ``"acc"`` stays ``"acc"``)."""
        probe_shape = (len(y), *self.output_shape[1:])
        return {str(name): metrics_module.get(name, y.shape, probe_shape)
                for name in self.metric_names}

    def weighted_metric_functions(self, y):
        """The ``weighted_metrics``, by the name Keras reports them under."""
        probe_shape = (len(y), *self.output_shape[1:])
        return {(f"weighted_{name}" if name in self.metric_names else str(name)):
                metrics_module.get(name, y.shape, probe_shape)
                for name in self.weighted_metric_names}

    # ------------------------------------------------------- forward and backward
    def forward(self, x, training=False):
        """Run a (checked) batch through every layer; returns the last activation."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def __call__(self, x, training=False):
        return self.forward(self._inputs(x), training=training)

    def output_parts(self, output):
        """``(z, a, f)`` of the last layer after a forward pass that returned ``output``: what
        the loss needs to start the backward pass (:meth:`minnet.losses.Loss.delta`)."""
        last = self.layers[-1]
        return (output if last.z is None else last.z), output, last.activation

    def backward(self, grad, from_logits=False):
        """Backpropagate ``grad = dC/d(output)`` (``dC/dz`` of the last layer, the loss's
        ``Delta^L``, if ``from_logits``) through every layer, leaving each layer's gradients
        in place. The gradient with respect to the data itself is not needed, so not computed."""
        last = len(self.layers) - 1
        if from_logits:
            grad = self.layers[last].backward_delta(grad, input_gradient=last > 0)
            last -= 1
        for depth in range(last, -1, -1):
            grad = self.layers[depth].backprop(grad, input_gradient=depth > 0)

    @property
    def params(self):
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self):
        return [g for layer in self.layers for g in layer.grads]

    def regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))

    # ---------------------------------------------------------------- training
    def _require_compiled(self, what):
        if self.loss is None:
            raise NotCompiledError(
                f"Call model.compile(optimizer=..., loss=...) before {what}: the model does "
                "not know which loss to compute yet."
            )
        self.loss.check_output(self.layers[-1].activation)

    @checked(where="Sequential.train_on_batch")
    def train_on_batch(self, x, y, sample_weight=None, class_weight=None) -> float:
        """One gradient step on one batch; returns the batch loss before the step."""
        self._require_compiled("train_on_batch")
        x, y = self.check_data(x, y)
        weights = weighting.sample_weights(y, sample_weight, class_weight, self.dtype)
        loss, _ = training_module.train_step(self, x, y, sample_weight=weights)
        self.optimizer.apply(self.params, self.grads)
        return loss

    @checked(where="Sequential.fit")
    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0):
        """Train for ``epochs`` passes over the data in mini-batches of ``batch_size``.

        The arguments are Keras's, in Keras's order. ``sample_weight`` (one number per
        example) or ``class_weight`` (a dict ``{class: weight}``) weight each example's
        loss, as :mod:`minnet.weighting` describes; ``validation_data`` may be
        ``(x_val, y_val, sample_weight_val)``. ``initial_epoch`` resumes an interrupted
        run: the epochs counted ``initial_epoch .. epochs - 1`` are run (``epochs`` is the
        index to stop at, not a count, as in Keras).

        Returns a :class:`~minnet.callbacks.History`. Each epoch's ``loss`` (and metric) is
        the mean over the epoch of the batch values computed before each update, as Keras
        reports it. A NaN or infinite loss raises
        :class:`~minnet.errors.DivergenceError`, unless a
        :class:`~minnet.callbacks.TerminateOnNaN` callback is given, which stops quietly.
        The loop itself is :class:`minnet.training.Trainer`.
        """
        self._require_compiled("fit")
        self.history = training_module.fit(
            self, x, y, epochs, batch_size, validation_data, validation_split, shuffle,
            verbose, callbacks, sample_weight=sample_weight, class_weight=class_weight,
            initial_epoch=initial_epoch)
        return self.history

    @checked(where="Sequential.predict")
    def predict(self, x, batch_size=None, verbose=0):
        """The network's outputs for ``x``, computed in batches (32 by default).
        ``verbose`` is accepted for Keras's sake; minnet's predict prints nothing."""
        batch_size = positive_int(batch_size or 32, "batch_size")
        return training_module.predict(self, self._inputs(x), batch_size)

    @checked(where="Sequential.evaluate")
    def evaluate(self, x, y, batch_size=None, verbose=0, sample_weight=None,
                 return_dict=False):
        """Loss (with regularization) and metrics on ``(x, y)``, in inference mode.

        With ``sample_weight`` the loss is ``sum_i w_i L_i / n`` plus regularization, as in
        Keras (:mod:`minnet.weighting`).

        Returns the loss alone when no metrics were compiled, else ``[loss, metric, ...]``,
        or a dict with ``return_dict=True``: what Keras returns.
        """
        self._require_compiled("evaluate")
        batch_size = positive_int(batch_size or 32, "batch_size")
        x, y = self.check_data(x, y)
        weights = weighting.sample_weights(y, sample_weight, None, self.dtype)
        results = training_module.evaluate(self, x, y, batch_size, self.metric_functions(y),
                                           weights, self.weighted_metric_functions(y))
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in results.items()))
        if return_dict:
            return results
        return results["loss"] if len(results) == 1 else list(results.values())

    @checked(where="Sequential.loss_value")
    def loss_value(self, x, y) -> float:
        """The mean loss on ``(x, y)`` plus regularization, in inference mode."""
        self._require_compiled("loss_value")
        x, y = self.check_data(x, y)
        return training_module.evaluate(self, x, y, len(x), {})["loss"]

    @checked(where="Sequential.gradients")
    def gradients(self, x, y, training=False):
        """Gradients of the batch's mean loss plus regularization with respect to every
        weight, as a list ordered and shaped like :meth:`get_weights`."""
        self._require_compiled("gradients")
        training_module.train_step(self, *self.check_data(x, y), training=training)
        return [g.copy() for g in self.grads]

    # ----------------------------------------------------------------- weights
    def _require_built(self):
        if not self.built:
            raise NotBuiltError(
                "The model has no weights yet. Start it with minnet.Input(shape=(n_features,)), "
                "give the first layer input_dim=... or input_shape=..., call "
                "model.build((None, n_features)), or call the model on data first."
            )

    @property
    def weights(self):
        """The weight arrays themselves (not copies), ``[W1, b1, W2, b2, ...]``."""
        return self.params if self.built else []

    @property
    def trainable_weights(self):
        """Every weight: all of minnet's weights are trained (Keras's name)."""
        return self.weights

    @property
    def non_trainable_weights(self):
        """None: minnet has no frozen weights (Keras's name)."""
        return []

    @checked(where="Sequential.get_layer")
    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or at position ``index`` of ``layers``, as in Keras."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ConfigError(
            f"No layer is called {name!r}; the layers are {[layer.name for layer in self.layers]}."
        )

    def get_weights(self):
        """Copies of every weight array, ``[W1, b1, W2, b2, ...]``, shaped as in Keras."""
        self._require_built()
        return [p.copy() for p in self.params]

    @checked(where="Sequential.set_weights")
    def set_weights(self, weights):
        """Overwrite every weight; ``weights`` is ordered and shaped like ``get_weights()``.
        Every shape is checked before anything is written: a mismatch changes nothing."""
        self._require_built()
        params = self.params
        weights = list(weights)
        if len(weights) != len(params):
            raise WeightsError(
                f"set_weights got {len(weights)} arrays, but this model has {len(params)}: "
                f"shapes {[p.shape for p in params]} in the order [W1, b1, W2, b2, ...]."
            )
        weights = [np.asarray(w) for w in weights]
        for i, (p, w) in enumerate(zip(params, weights, strict=True)):
            if w.shape != p.shape:
                raise WeightsError(
                    f"Weight {i} has shape {w.shape} but the model needs {p.shape}. Kernels "
                    "are (n_in, n_out), as in Keras; transpose a (n_out, n_in) matrix with .T."
                )
        for p, w in zip(params, weights, strict=True):
            np.copyto(p, w.astype(p.dtype, copy=False))

    def count_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def get_config(self) -> dict:
        """The architecture as JSON-ready data: name, seed, dtype, the input shape once
        known, and each layer's class and :meth:`~minnet.layers.Layer.get_config`."""
        return {
            "name": self.name,
            "seed": self.seed,
            "dtype": self.dtype.name,
            "build_input_shape": None if self.input_shape is None else list(self.input_shape),
            "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config):
        """A new model, built if the config has an input shape, from :meth:`get_config`'s
        dict (fresh weights: copy them with ``set_weights``)."""
        from . import layers as layers_module

        layers = []
        for entry in config["layers"]:
            layer_class = getattr(layers_module, entry["class_name"], None)
            if not (isinstance(layer_class, type) and issubclass(layer_class, Layer)):
                raise ConfigError(f"minnet has no layer class {entry['class_name']!r}.")
            layers.append(layer_class.from_config(entry["config"]))
        model = cls(seed=config.get("seed"), dtype=config.get("dtype", "float32"),
                    name=config.get("name", "sequential"))
        shape = config.get("build_input_shape")
        if shape is not None:
            model.input_shape = (None, *shape[1:])
        for layer in layers:
            model.add(layer)
        if shape is not None and not model.built:
            model.build(model.input_shape)
        return model

    @checked(where="Sequential.save")
    def save(self, filepath, overwrite=True):
        """Save the whole model to one file: architecture, weights, compiled loss, metrics
        and optimizer with its state, and the random state, so that
        :func:`minnet.saving.load_model` resumes training exactly. The format is in
        :mod:`minnet.saving`."""
        from .saving import save_model

        save_model(self, filepath, overwrite=overwrite)

    @checked(where="Sequential.save_weights")
    def save_weights(self, path):
        """Save the weights to an ``.npz`` file (plain arrays, no pickle)."""
        self._require_built()
        np.savez(path, *self.get_weights())

    @checked(where="Sequential.load_weights")
    def load_weights(self, path):
        """Load weights saved by :meth:`save_weights`."""
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        with np.load(path, allow_pickle=False) as data:
            self.set_weights([data[f"arr_{i}"] for i in range(len(data.files))])

    @checked(where="Sequential.astype")
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
