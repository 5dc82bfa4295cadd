"""Sweep bookkeeping shared by all papers: seed batches and short, stable config ids.

A training job runs one configuration for a batch of seeds. Its output path holds a config
id and a seed-batch label, never a float rendered as text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence

_CHUNK = re.compile(r"^s\d+(_\d+)*$")


def seed_chunks(seeds: Sequence[int], per_job: int) -> list[list[int]]:
    """Split the seed list, in its order, into batches of at most ``per_job`` seeds."""
    if per_job < 1:
        raise ValueError(f"seeds_per_job must be >= 1, got {per_job}")
    seeds = [int(s) for s in seeds]
    return [seeds[i : i + per_job] for i in range(0, len(seeds), per_job)]


def chunk_label(seeds: Sequence[int]) -> str:
    """``[0, 1, 2]`` -> ``"s0_1_2"``: the file name of a seed batch."""
    if not seeds:
        raise ValueError("a seed batch cannot be empty")
    return "s" + "_".join(str(int(s)) for s in seeds)


def parse_chunk(label: str) -> list[int]:
    """Inverse of :func:`chunk_label`."""
    if not _CHUNK.match(label):
        raise ValueError(f"not a seed-batch label: {label!r} (expected like 's0_1_2')")
    return [int(s) for s in label[1:].split("_")]


def config_id(axes: Mapping[str, object]) -> str:
    """A short id for one point of a sweep: ``{"method": "ours", "d": 1000}`` -> ``ours_d1000``.

    Strings appear as themselves, integers as ``<name><value>``; floats as ``<name>-<6 hex>``
    of their exact value, so ids stay short, stable and free of float formatting.
    """
    parts = []
    for name, value in axes.items():
        if isinstance(value, str):
            if not re.fullmatch(r"[A-Za-z0-9]+(?:[-][A-Za-z0-9]+)*|[A-Za-z0-9_]+", value):
                raise ValueError(f"sweep value {name}={value!r} cannot be part of a file name")
            parts.append(value)
        elif isinstance(value, bool):
            parts.append(f"{name}{int(value)}")
        elif isinstance(value, int):
            parts.append(f"{name}{value}")
        elif isinstance(value, float):
            parts.append(f"{name}-{digest(value)[:6]}")
        else:
            raise TypeError(
                f"sweep value {name}={value!r} has unsupported type {type(value).__name__}"
            )
    return "_".join(parts)


def digest(obj: object) -> str:
    """SHA-256 of a JSON-serializable object in canonical form."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=float)
    return hashlib.sha256(text.encode()).hexdigest()


def leading_seeds(seeds: Sequence[int], reps: int | None) -> list[int]:
    """The first ``reps`` configured seeds (all of them when reps is None)."""
    return list(seeds if reps is None else seeds[:reps])


def experiment_record(settings: Mapping, experiment: str, seeds: Sequence[int]) -> dict:
    """What one experiment ran with (stored in its cube): only its own sweep, so a change to
    another experiment does not rebuild this cube."""
    return {
        "scale": settings["scale"],
        "model": settings["model"],
        experiment: settings["experiments"][experiment],
        "seeds": list(seeds),
        "experiment": experiment,
    }
