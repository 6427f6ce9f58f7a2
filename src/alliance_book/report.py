"""Glue computed values, figures and tables into the book (myst-nb ``glue``), and read them back."""

from __future__ import annotations

import re
from typing import Any


def plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it holds (cross-page glue needs plain values)."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    return value


def outputs(nb: Any) -> dict[str, dict[str, Any]]:
    """Every output glued in an executed notebook, by key: its MIME bundle (texts joined)."""
    found: dict[str, dict[str, Any]] = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            if meta.get("name"):
                prefix = meta.get("mime_prefix", "")
                found[meta["name"]] = {mime.removeprefix(prefix): "".join(v) if isinstance(v, list) else v
                                       for mime, v in out.get("data", {}).items()}
    return found


def glue_all(values: dict[str, Any]) -> None:
    """Glue every value without displaying it; prose refers to them with ``{glue:text}``."""
    from myst_nb import glue

    for key, value in values.items():
        glue(key, plain(value), display=False)


_SVG_ID = re.compile(r'id="([a-zA-Z])([0-9a-f]{8,})"')


def stable_svg_ids(svg: str) -> str:
    """Number the ids matplotlib derives from memory addresses (clip paths), in order of appearance.

    ``svg.hashsalt`` fixes most ids, but a clip path's id also hashes the Python ``id()`` of its
    path, which differs between runs; renumbering makes the same figure give the same file.
    """
    mapping: dict[str, str] = {}
    for prefix, digest in _SVG_ID.findall(svg):
        mapping.setdefault(prefix + digest, f"{prefix}{len(mapping):05d}")
    for old, new in mapping.items():
        svg = svg.replace(old, new)
    return svg


class Figure:
    """A matplotlib figure rendered once as SVG (shown in the book) and PNG (for downloads)."""

    def __init__(self, fig: Any) -> None:
        import io

        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
        fig.savefig(png, format="png", bbox_inches="tight")
        self.svg, self.png = stable_svg_ids(svg.getvalue()), png.getvalue()

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return "<figure>"


def glue_figure(key: str, fig: Any) -> None:
    """Glue a figure (as SVG and PNG) for a ``{glue:figure}`` directive and close it."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(key, Figure(fig), display=False)
    plt.close(fig)


class Table:
    """A DataFrame shown without its index, integers with thousands separators, gaps as a dash.

    ``badges`` maps a cell's exact text to a CSS class: such cells (a verdict, say) are drawn as a
    labelled badge, so the word carries the meaning and the colour only repeats it.
    """

    def __init__(self, df: Any, badges: dict[str, str] | None = None) -> None:
        self.df = df
        self.badges = badges or {}

    def _formatted(self) -> Any:
        import pandas as pd

        shown = self.df.copy()
        for col in shown.columns:
            if pd.api.types.is_integer_dtype(shown[col]):
                shown[col] = shown[col].map(lambda v: "\u2014" if pd.isna(v) else f"{int(v):,}")
        return shown.fillna("\u2014")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # The table as CSV travels with the glued value, for the chapter's downloads.
        return {"text/csv": self.df.to_csv(index=False)}

    def _repr_html_(self) -> str:
        from html import escape

        html = self._formatted().to_html(index=False, border=0, classes="dataframe table", escape=True)
        for text, css in self.badges.items():
            html = html.replace(f"<td>{escape(text)}</td>", f'<td><span class="badge {css}">{escape(text)}</span></td>')
        return html

    def __repr__(self) -> str:
        return self._formatted().to_string(index=False)


def source_line(df: Any, most: int = 2) -> str:
    """Who the numbers of a table come from, for a figure's source line.

    The rows' own sources when there are at most ``most``; otherwise the producers the data
    package lists for the dataset, with a pointer to the per-row sources.
    """
    if "source" in df.columns:
        distinct = list(dict.fromkeys(df["source"].dropna().astype(str)))
        if len(distinct) <= most:
            return "; ".join(distinct)
    from alliance_book.datapackage import resource

    meta = resource(df.attrs["resource"])
    producers = "; ".join(dict.fromkeys(s.get("producer", s.get("title", "")) for s in meta.get("sources", [])))
    return f"{producers}; each row's source is listed on the data-sources page"



def source_of(df: Any, rows: Any = None) -> str:
    """A figure's source line: the dataset's title and file, then who the numbers (of ``rows``) come from."""
    return f"{df.attrs['title']} ({df.attrs['file']}): {source_line(df if rows is None else rows)}"
