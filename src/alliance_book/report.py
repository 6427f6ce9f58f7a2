"""Glue computed values into the book (myst-nb ``glue``) as plain Python values."""

from __future__ import annotations

from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it holds (cross-page glue needs plain values)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def glue_all(values: dict[str, Any]) -> None:
    """Glue every value without displaying it; prose refers to them with ``{glue:text}``."""
    from myst_nb import glue

    for key, value in values.items():
        glue(key, plain(value), display=False)


def glue_figure(key: str, fig: Any) -> None:
    """Glue a figure for a ``{glue:figure}`` directive and close it, so it is not shown twice."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(key, fig, display=False)
    plt.close(fig)


class Table:
    """A DataFrame shown without its index, integers with thousands separators, gaps as a dash."""

    def __init__(self, df: Any) -> None:
        self.df = df

    def _formatted(self) -> Any:
        import pandas as pd

        shown = self.df.copy()
        for col in shown.columns:
            if pd.api.types.is_integer_dtype(shown[col]):
                shown[col] = shown[col].map(lambda v: "\u2014" if pd.isna(v) else f"{int(v):,}")
        return shown.fillna("\u2014")

    def _repr_html_(self) -> str:
        return self._formatted().to_html(index=False, border=0, classes="dataframe table", escape=True)

    def __repr__(self) -> str:
        return self._formatted().to_string(index=False)
