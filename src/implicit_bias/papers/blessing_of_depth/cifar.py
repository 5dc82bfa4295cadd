"""E7: Table 1 of paper 003 (ResNet-18/34/50 on CIFAR-10/100 with 10% label noise, l1 against
cross-entropy). It needs a GPU, PyTorch and the CIFAR files, none of which this project has or
downloads, so the pipeline keeps only its configuration (config/blessing_of_depth.yaml,
paper.cifar) and a rule that stops with one line; the claims table reports it as N/A and the
CPU proxy E7p (digits) exercises the loss code path.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

# Best test accuracy (%) with 10% label noise, paper's Table 1 (not re-run here).
PAPER_TABLE = {
    ("cifar10", "ce"): (91.52, 91.53, 90.87),
    ("cifar10", "l1"): (94.16, 93.13, 92.68),
    ("cifar100", "ce"): (70.17, 71.22, 71.30),
    ("cifar100", "l1"): (73.14, 74.86, 76.46),
}
KEY_PATH = "blessing_of_depth.paper.cifar.data_dir"


def require(scale: str, cifar: Mapping | None) -> str:
    """Why E7 cannot run with this configuration, as one line."""
    if scale != "paper" or not cifar:
        return f"runs at paper scale only (--config scale=paper; scale is {scale!r})"
    data_dir = Path(cifar["data_dir"])
    if not data_dir.is_dir():
        return (
            f"CIFAR data directory '{data_dir}' not found (set {KEY_PATH}; nothing is downloaded)"
        )
    if importlib.util.find_spec("torch") is None:
        return "needs PyTorch and a GPU, which this project does not depend on"
    return "ResNet training is not part of this package (Table 1 values are the paper's)"
