"""Rate-limited progress lines for long training loops.

A kernel loop of 10^7 steps inside one Numba call logs nothing until it ends, so a user tailing a
cluster log cannot tell a slow job from a stuck one. Training drivers take an optional
``progress`` (a :class:`Progress`; None, the default, keeps them silent and runs the kernel in one
call): they run the loop in segments that resume from the carried state and call
:meth:`Progress.update` between segments. An update costs one clock read until a line is due: the
first after ``first_after_s`` (5 s), then at most one every ``min_interval_s`` (30 s). Lines go
through :mod:`logging`, so in a workflow job they land in the rule's log file::

    progress fig2/ours_d1000 seed 3: step 1200000/10000000 (12%), loss 3.20e-04, 41 s elapsed
    done fig2/ours_d1000 seed 3: 2345678 steps, loss 1.00e-08, status converged, 80 s
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

__all__ = ["Progress", "run_label"]

_LOG = logging.getLogger(__name__)

# Segments of a chunked kernel call start this long and then aim at ``segment_s`` of work each,
# growing at most this factor per segment (the first call may include loading the kernel).
FIRST_CHUNK = 1000
MAX_GROWTH = 16


class Progress:
    """Progress reporter of one run (or one batch of runs) of ``total_steps`` steps.

    ``clock`` (seconds, monotonic) can be replaced in tests. ``chunk`` fixes the segment length
    of chunked kernel drivers (tests use tiny chunks); by default segments adapt to about
    ``segment_s`` seconds of work each, so the Python call between two segments is noise.
    """

    def __init__(
        self,
        label: str,
        total_steps: int | None = None,
        *,
        min_interval_s: float = 30.0,
        first_after_s: float = 5.0,
        logger: logging.Logger | logging.LoggerAdapter | None = None,
        clock: Callable[[], float] = time.monotonic,
        chunk: int | None = None,
        segment_s: float = 1.0,
        unit: str = "step",
    ):
        if chunk is not None and int(chunk) < 1:
            raise ValueError(f"chunk must be >= 1, got {chunk}")
        self.label = str(label)
        self.total_steps = None if total_steps is None else int(total_steps)
        self.min_interval_s = float(min_interval_s)
        self.segment_s = float(segment_s)
        self.unit = unit
        self.logger = _LOG if logger is None else logger
        self._clock = clock
        self.start = clock()
        self._next = self.start + float(first_after_s)
        self._fixed = None if chunk is None else int(chunk)
        self._chunk = self._fixed or FIRST_CHUNK
        self._seg_t = -1
        self._seg_clock = 0.0
        self.lines = 0  # progress lines written so far

    def due(self) -> bool:
        """True if the next :meth:`update` would write a line (one clock read)."""
        return self._clock() >= self._next

    def update(self, step: int, loss=None) -> bool:
        """Write a progress line if one is due; returns whether it did.

        ``loss`` is a number, an array (one value per run of a batch; NaN for stopped runs) or a
        callable returning either, called only when a line is written.
        """
        now = self._clock()
        if now < self._next:
            return False
        self._next = now + self.min_interval_s
        if callable(loss):
            loss = loss()
        total = ""
        if self.total_steps:
            total = f"/{self.total_steps} ({100.0 * step / self.total_steps:.0f}%)"
        self.lines += 1
        self.logger.info(
            "progress %s: %s %d%s%s, %.0f s elapsed",
            self.label,
            self.unit,
            int(step),
            total,
            _format_loss(loss),
            now - self.start,
        )
        return True

    def finish(self, steps: int, loss=None, status=None) -> None:
        """One line for the finished run or batch: steps run, final loss and status."""
        self.logger.info(
            "done %s: %d %ss%s%s, %.1f s",
            self.label,
            int(steps),
            self.unit,
            _format_loss(loss),
            _format_status(status),
            self._clock() - self.start,
        )

    def next_stop(self, t: int, limit: int) -> int:
        """End (exclusive) of the next kernel segment that starts at step t, at most ``limit``.

        Sized from the speed of the previous segment (the time between two calls), so that a
        segment is about ``segment_s`` seconds of work.
        """
        now = self._clock()
        if self._fixed is None and 0 <= self._seg_t < t:
            took = now - self._seg_clock
            grown = self._chunk * MAX_GROWTH
            if took > 0.0:
                grown = min(grown, int((t - self._seg_t) * self.segment_s / took))
            self._chunk = max(1, grown)
        self._seg_t, self._seg_clock = t, now
        return min(t + self._chunk, limit)


def _format_loss(loss) -> str:
    if loss is None:
        return ""
    a = np.asarray(loss, dtype=np.float64).ravel()
    if a.size == 1:
        return f", loss {a[0]:.2e}"
    ok = a[np.isfinite(a)]
    if ok.size == 0:
        return f", loss nan ({a.size} runs)"
    if ok.min() == ok.max():
        return f", loss {ok[0]:.2e} ({ok.size} of {a.size} runs)"
    return f", loss {ok.min():.2e}..{ok.max():.2e} ({ok.size} of {a.size} runs)"


def _format_status(status) -> str:
    if status is None:
        return ""
    if isinstance(status, str):
        return f", status {status}"
    from .store import STATUS_CODES

    names = {v: k for k, v in STATUS_CODES.items()}
    codes = [int(s) for s in np.asarray(status).ravel()]
    if len(codes) == 1:
        return f", status {names.get(codes[0], codes[0])}"
    counts: dict = {}
    for c in codes:
        counts[names.get(c, c)] = counts.get(names.get(c, c), 0) + 1
    return ", status " + ", ".join(f"{k} x{v}" for k, v in counts.items())


def run_label(job: Mapping, id_axes: Sequence[str], **extra) -> str:
    """``<experiment>/<config id>`` of a training job plus ``extra`` as ``name value``.

    The config id is the one that names the job's output folder (see sweeps.config_id).
    """
    from .sweeps import config_id

    axes = {a: job[a] for a in id_axes if a in job}
    try:
        cid = config_id(axes)
    except (TypeError, ValueError):
        cid = "_".join(f"{k}{v}" for k, v in axes.items())
    head = f"{job['experiment']}/{cid}" if "experiment" in job else cid
    tail = " ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in extra.items())
    return f"{head} {tail}".strip()
