"""Shared figure style: seaborn theme, one colour per method, PDF + PNG output."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files; no display on clusters or CI

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

THEORY_STYLE = {"linestyle": "--", "linewidth": 1.3, "alpha": 0.9}
MARKER_STYLE = {"color": "tab:red", "linestyle": "-", "linewidth": 1.2}


def setup() -> None:
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.15)
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 160,
            "savefig.bbox": "tight",
            "axes.titlesize": "medium",
            "legend.frameon": True,
            "legend.framealpha": 0.9,
            "pdf.fonttype": 42,  # editable text in the PDF
        }
    )


def palette(names: list[str]) -> dict[str, tuple]:
    colors = sns.color_palette("colorblind", n_colors=max(len(names), 3))
    return dict(zip(names, colors, strict=False))


def save(fig: plt.Figure, outputs: list[str] | tuple[str, ...]) -> None:
    """Save one figure to every requested path (e.g. ``fig1.pdf`` and ``fig1.png``)."""
    for out in outputs:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out)
    plt.close(fig)


def fit_scale(reference: np.ndarray, measured: np.ndarray) -> float:
    """Constant c minimizing the squared log error between c*reference and measured."""
    ok = np.isfinite(reference) & np.isfinite(measured) & (reference > 0) & (measured > 0)
    if not ok.any():
        return float("nan")
    return float(np.exp(np.mean(np.log(measured[ok]) - np.log(reference[ok]))))
