"""Callbacks: code that ``fit`` runs at the start and end of each epoch and batch.

They have Keras's names and meanings: ``History`` records the per-epoch logs,
``EarlyStopping`` stops when a monitored value stops improving, ``ReduceLROnPlateau``
lowers the learning rate on a plateau, ``LearningRateScheduler`` sets it every epoch,
``TerminateOnNaN`` stops training at the first non-finite loss, ``ModelCheckpoint`` saves
the model (or its weights) after each epoch or each improvement, and ``CSVLogger``
writes the logs of every epoch to a CSV file.
"""

from __future__ import annotations

import csv
import math
import os

import numpy as np

from .arguments import check_subclass_init
from .errors import ConfigError

__all__ = [
    "Callback",
    "History",
    "EarlyStopping",
    "ReduceLROnPlateau",
    "LearningRateScheduler",
    "TerminateOnNaN",
    "ModelCheckpoint",
    "CSVLogger",
]


class Callback:
    """Base class; ``self.model`` is set by ``fit``. Epochs are counted from 0, as in Keras.

    ``fit`` calls the hooks below through one :class:`minnet.training.CallbackList`. A
    callback with ``handles_nan = True`` deals with a non-finite loss itself, so ``fit``
    does not raise :class:`~minnet.errors.DivergenceError`.
    """

    model = None
    handles_nan = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    def set_model(self, model):
        """Give the callback the model being trained (``fit`` does, before anything else)."""
        self.model = model

    def on_train_begin(self, logs=None):
        """Called once when ``fit`` starts, before the first epoch."""
        pass

    def on_train_end(self, logs=None):
        """Called once when ``fit`` ends, after the last epoch (or an early stop)."""
        pass

    def on_epoch_begin(self, epoch, logs=None):
        """Called before epoch ``epoch`` (counted from 0, as in Keras)."""
        pass

    def on_epoch_end(self, epoch, logs=None):
        """Called after epoch ``epoch``, with ``logs`` holding its loss and metrics by name
        (``"loss"``, ``"accuracy"``, and ``"val_..."`` with validation data)."""
        pass

    def on_train_batch_begin(self, batch, logs=None):
        """Called before the update on batch ``batch`` (counted from 0 in every epoch)."""
        pass

    def on_train_batch_end(self, batch, logs=None):
        """Called after the update on batch ``batch``, with ``logs = {"loss": ...}``, the batch loss
        before the update."""
        pass


class History(Callback):
    """``history.history`` maps each logged name (``loss``, ``val_loss``, metrics) to a list
    with one value per epoch; ``history.epoch`` lists the epochs run."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _better(mode, monitor):
    """``(improves, initial_best)`` for a monitored quantity."""
    if mode == "auto":
        mode = "max" if "acc" in monitor else "min"
    if mode == "min":
        return (lambda current, best, delta: current < best - delta), math.inf
    if mode == "max":
        return (lambda current, best, delta: current > best + delta), -math.inf
    raise ConfigError(f"mode must be 'auto', 'min' or 'max', got {mode!r}.")


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best_weights`` the model ends training with the weights of its
    best epoch (whether or not it stopped early, as in Keras 3)."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto",
                 restore_best_weights=False, start_from_epoch=0):
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.improves, self.initial_best = _better(mode, monitor)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.best = self.initial_best
        self.wait = 0
        self.best_epoch = 0
        self.best_weights = None
        self.stopped_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self.improves(current, self.best, self.min_delta):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without
    improvement of ``monitor``, then wait ``cooldown`` epochs; never go below ``min_lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, verbose=0):
        if factor >= 1.0:
            raise ConfigError(f"factor must be < 1 to reduce the learning rate, got {factor}.")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.improves, self.initial_best = _better(mode, monitor)
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.verbose = verbose

    def on_train_begin(self, logs=None):
        self.best = self.initial_best
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = self.model.optimizer.learning_rate
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.improves(current, self.best, self.min_delta):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = self.model.optimizer.learning_rate
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:.4g}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)``."""

    def __init__(self, schedule, verbose=0):
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.schedule(epoch, self.model.optimizer.learning_rate)
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.4g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite.

    Without it, minnet's ``fit`` raises :class:`~minnet.errors.DivergenceError` instead,
    saying where the loss diverged and what to try.
    """

    handles_nan = True

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: invalid loss, terminating training")
            self.model.stop_training = True


class ModelCheckpoint(Callback):
    """Save the model at the end of every epoch, or only when ``monitor`` improves.

    ``filepath`` may hold Keras's fields, filled from the epoch (counted from 1) and its
    logs: ``"ckpt-{epoch:02d}-{val_loss:.3f}.minnet"``. With ``save_best_only`` a file is
    written only when ``monitor`` beats the best value so far (``mode`` as in
    ``EarlyStopping``; ``initial_value_threshold`` is the value to beat at first). With
    ``save_weights_only`` only the weights are written (:meth:`~minnet.model.Sequential.save_weights`,
    an ``.npz``), else the whole model (:meth:`~minnet.model.Sequential.save`, which
    :func:`minnet.saving.load_model` reads back and ``fit(..., initial_epoch=...)`` resumes).
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", initial_value_threshold=None):
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.improves, initial_best = _better(mode, monitor)
        self.best = initial_best if initial_value_threshold is None else initial_value_threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as error:
            raise ConfigError(
                f"ModelCheckpoint's filepath {self.filepath!r} names {error}, which is not "
                f"logged; the fields are epoch and {', '.join(logs)}."
            ) from None
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                raise ConfigError(
                    f"ModelCheckpoint monitors {self.monitor!r}, which fit does not log; it "
                    f"logs {', '.join(logs)}. Pass validation_data to log val_loss."
                )
            if not self.improves(current, self.best, 0.0):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` (counted from 0, as Keras writes it) and every
    logged value, the columns in alphabetical order. With ``append`` a resumed run adds its
    rows to the file (without a second header)."""

    def __init__(self, filename, separator=",", append=False):
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys = None

    def on_train_begin(self, logs=None):
        self.keys = None
        self.had_rows = self.append and os.path.exists(self.filename) and os.path.getsize(
            self.filename) > 0
        if not self.append:
            open(self.filename, "w").close()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not self.had_rows:
                self._write(["epoch", *self.keys])
        self._write([epoch, *(logs.get(key, "NA") for key in self.keys)])

    def _write(self, row):
        with open(self.filename, "a", newline="") as file:
            csv.writer(file, delimiter=self.separator).writerow(row)


def __getattr__(name):
    from .errors import not_in_minnet

    raise not_in_minnet("callbacks", name, [name for name, value in globals().items() if isinstance(value, type) and issubclass(value, Callback)])
