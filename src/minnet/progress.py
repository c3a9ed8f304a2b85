"""What ``fit`` prints: a progress bar (``verbose=1``), a line per epoch (``verbose=2``),
or nothing (``verbose=0``); and the table ``summary`` prints. tqdm is imported only when a
bar is shown."""

from __future__ import annotations

__all__ = ["Silent", "EpochLine", "Bar", "progress_for", "print_summary"]


def _format(logs):
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class Silent:
    """``verbose=0``: report nothing."""

    def update(self, step, totals, seen):
        """After each training step: the epoch's summed loss and metrics over ``seen`` examples."""

    def close(self):
        """When the epoch's last step is done (or training stopped with an error)."""

    def report(self, logs, seconds):
        """At the end of the epoch, with validation results included."""


class EpochLine(Silent):
    """``verbose=2``: one line per epoch with the epoch's loss and metrics."""

    def __init__(self, epoch, epochs):
        self.label = f"Epoch {epoch + 1}/{epochs}"

    def report(self, logs, seconds):
        print(f"{self.label} - {seconds:.2f}s - {_format(logs)}")


class Bar(Silent):
    """``verbose=1``: a tqdm bar over the epoch's steps showing the running loss."""

    def __init__(self, epoch, epochs, steps):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=steps, desc=f"Epoch {epoch + 1}/{epochs}", unit="step",
                        leave=True, dynamic_ncols=True)
        self.every = max(1, steps // 50)

    def update(self, step, totals, seen):
        self.bar.update(1)
        if step % self.every == 0:
            running = {k: v / seen for k, v in totals.items()}
            self.bar.set_postfix_str(_format(running), refresh=False)

    def close(self):
        self.bar.close()


def progress_for(verbose, epoch, epochs, steps):
    """The reporter ``fit`` uses for this ``verbose`` level."""
    if verbose == 1:
        return Bar(epoch, epochs, steps)
    if verbose == 2:
        return EpochLine(epoch, epochs)
    return Silent()


def print_summary(model):
    """Print each layer's output shape and parameter count, as Keras's ``summary`` does."""
    header = ("Layer (type)", "Output Shape", "Param #")
    rows = [(f"{layer.name} ({type(layer).__name__})", str(layer.output_shape),
             str(layer.count_params())) for layer in model.layers]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]

    def line(row):
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))

    rule = "-" * (sum(widths) + 4)
    print(f'Model: "{model.name}"', line(header), rule, *map(line, rows), rule,
          f"Total params: {model.count_params():,}", sep="\n")
