"""The plots of `make evaluate` (matplotlib, PNG files next to the report)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def bar_chart(path: Path, labels: Sequence[str], values: Sequence[float], title: str, xlabel: str) -> None:
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.28 * len(labels) + 1)))
    ax.barh(list(labels), list(values), color="#0b5d7a")
    ax.set_xlim(0, 1.0)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def line_chart(
    path: Path, x: Sequence[float], series: Mapping[str, Sequence[float]], mark: float, title: str, xlabel: str
) -> None:
    """Curves over a threshold, with the value in use marked."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values in series.items():
        ax.plot(list(x), list(values), marker="o", label=label)
    ax.axvline(mark, color="grey", linestyle="--", label=f"in use: {mark}")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def confidence_histogram(
    path: Path, right: Sequence[float], wrong: Sequence[float], fallback: float, ambiguity: float
) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(
        [list(right), list(wrong)],
        bins=20,
        range=(0, 1),
        stacked=True,
        label=["right", "wrong"],
        color=["#0b5d7a", "#d9534f"],
    )
    ax.axvline(fallback, color="black", linestyle="--", label=f"FallbackClassifier threshold {fallback}")
    ax.set_xlabel(f"DIET's confidence in its top intent (ambiguity threshold {ambiguity})")
    ax.set_ylabel("held-out test messages")
    ax.set_title("Confidence on the held-out test set")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
