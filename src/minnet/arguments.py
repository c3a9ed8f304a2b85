"""Keyword arguments checked by name: one helper behind every public constructor and method.

A misspelled keyword argument should not end in a bare ``TypeError`` from deep inside the
package, and a Keras argument that minnet does not have should say so. :func:`checked`
wraps a function so that an unknown keyword raises
:class:`~minnet.errors.UnknownArgumentError` (also a ``TypeError``) naming

- the closest valid argument (``imput_dim`` -> ``input_dim``, by ``difflib``), and
- for a Keras argument minnet does not support (``jit_compile``, ``kernel_constraint``,
  ...), what minnet lacks and what to do instead (:data:`KERAS_ONLY`).

The base classes (``Layer``, ``Optimizer``, ``Callback``) wrap every subclass's
``__init__`` through ``__init_subclass__``; ``Sequential``'s methods carry ``@checked``.
"""

from __future__ import annotations

import difflib
import functools
import inspect

from .errors import UnknownArgumentError

__all__ = [
    "KERAS_ONLY",
    "accepted_names",
    "init_names",
    "unknown_argument",
    "check",
    "checked",
    "check_subclass_init",
]

#: Keras arguments minnet deliberately does not take, and why.
KERAS_ONLY = {
    "jit_compile": "minnet runs plain numpy, with no compiler; drop the argument",
    "run_eagerly": "minnet always runs eagerly; drop the argument",
    "steps_per_execution": "minnet runs one step at a time; drop the argument",
    "loss_weights": "a Sequential model has a single output and a single loss",
    "auto_scale_loss": "minnet has no mixed precision",
    "steps_per_epoch": "minnet's fit takes arrays and makes one pass over them per epoch",
    "validation_steps": "minnet validates on all of validation_data",
    "validation_batch_size": "minnet validates in batches of batch_size",
    "validation_freq": "minnet validates after every epoch",
    "steps": "minnet's predict and evaluate take arrays and use all of them",
    "bias_regularizer": "minnet regularizes kernels only (kernel_regularizer)",
    "activity_regularizer": "minnet regularizes kernels only (kernel_regularizer)",
    "kernel_constraint": "minnet has no weight constraints",
    "bias_constraint": "minnet has no weight constraints",
    "lora_rank": "minnet has no LoRA",
    "lora_alpha": "minnet has no LoRA",
    "quantization_config": "minnet has no quantization",
    "noise_shape": "minnet's Dropout draws an independent mask for every entry",
    "data_format": "minnet's layers are batch-first, channels last",
    "trainable": "every minnet layer is trainable",
    "autocast": "minnet computes in the model's dtype: Sequential(dtype=...)",
    "dtype": "a minnet layer computes in its model's dtype: Sequential(dtype='float64')",
    "sparse": "minnet has dense inputs only",
    "ragged": "minnet has dense inputs only",
    "tensor": "minnet's Input describes a shape; pass arrays to fit and predict",
    "optional": "minnet's Input is never optional",
    "weight_decay": "minnet's optimizers have no decoupled weight decay; use "
                    "kernel_regularizer=minnet.regularizers.L2(...)",
    "global_clipnorm": "minnet clips each array (clipnorm) or each entry (clipvalue)",
    "use_ema": "minnet's optimizers keep no moving average of the weights",
    "ema_momentum": "minnet's optimizers keep no moving average of the weights",
    "ema_overwrite_frequency": "minnet's optimizers keep no moving average of the weights",
    "loss_scale_factor": "minnet has no mixed precision",
    "gradient_accumulation_steps": "minnet steps after every batch",
    "amsgrad": "minnet's Adam is Adam without the AMSGrad variant",
    "centered": "minnet's RMSprop is not centered",
    "custom_objects": "minnet saves only its own layers, losses and optimizers",
    "safe_mode": "minnet's files never hold code (no lambdas, no pickle)",
    "zipped": "a minnet model file is always one zip file",
    "save_freq": "minnet's ModelCheckpoint saves at the end of epochs",
    "use_multiprocessing": "minnet reads arrays in the main process",
    "workers": "minnet reads arrays in the main process",
    "max_queue_size": "minnet reads arrays in the main process",
}


def accepted_names(function, also=()) -> list[str]:
    """The keyword arguments ``function`` accepts (``also`` adds those a ``**kwargs``
    forwards elsewhere)."""
    parameters = inspect.signature(function).parameters.values()
    names = [p.name for p in parameters
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"]
    return [*names, *(n for n in also if n not in names)]


def init_names(cls) -> list[str]:
    """The keyword arguments of ``cls(...)``: its ``__init__``'s, and, where that takes
    ``**kwargs``, those of the next ``__init__`` up the class hierarchy it passes them to."""
    names = []
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        init = inspect.unwrap(vars(klass)["__init__"])
        names += [n for n in accepted_names(init) if n not in names]
        if not any(p.kind == p.VAR_KEYWORD for p in inspect.signature(init).parameters.values()):
            break
    return names


def unknown_argument(where: str, name: str, valid) -> UnknownArgumentError:
    """The error for keyword ``name`` given to ``where``, which takes ``valid``."""
    message = f"{where} got an unexpected keyword argument {name!r}."
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    if name in KERAS_ONLY:
        message += f" It is a Keras argument that minnet does not support: {KERAS_ONLY[name]}."
    elif close:
        message += f" Did you mean {close[0]!r}?"
    return UnknownArgumentError(f"{message} Valid keyword arguments: {', '.join(valid)}.")


def check(where: str, kwargs, valid) -> None:
    """Raise :func:`unknown_argument` for the first name in ``kwargs`` not in ``valid``."""
    for name in kwargs:
        if name not in valid:
            raise unknown_argument(where, name, valid)


def checked(function=None, *, also=(), where=None):
    """Decorate ``function`` so that unknown keyword arguments raise a clear error.

    ``also`` lists names a ``**kwargs`` of ``function`` passes on (to a base class);
    ``where`` is the name shown in the message (``"Dense()"``, ``"Sequential.fit"``).
    """
    if function is None:
        return functools.partial(checked, also=also, where=where)
    if getattr(function, "_minnet_checked", False):
        return function
    valid = accepted_names(function, also)
    label = where or function.__qualname__.replace(".__init__", "()")

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        check(label, kwargs, valid)
        return function(*args, **kwargs)

    wrapper._minnet_checked = True
    return wrapper


def check_subclass_init(cls):
    """Wrap ``cls.__init__`` (its own or the one it inherits) with :func:`checked`,
    accepting what :func:`init_names` finds; for the base classes' ``__init_subclass__``."""
    init = inspect.unwrap(cls.__init__)
    if init is not object.__init__:
        cls.__init__ = checked(init, also=init_names(cls), where=f"{cls.__name__}()")
