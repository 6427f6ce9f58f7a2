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


# Glued values in the book's other languages travel in their output under this MIME type, by
# language: the MIME bundle that replaces the English one in that language's book.
L10N_MIME = "application/x.alliance-book.l10n+json"


def bundle(value: Any) -> dict[str, Any]:
    """The MIME bundle IPython (and so myst-nb's glue) makes of a value."""
    import base64

    from IPython.core.formatters import format_display_data

    # Binary data (a PNG) as base64 text, as a notebook stores it.
    return {mime: base64.b64encode(data).decode("ascii") if isinstance(data, bytes) else data
            for mime, data in format_display_data(plain(value))[0].items()}


class Localised:
    """One glued value in every language of the book: myst-nb reads the English bundle, and the
    bundles that differ in other languages ride along under ``L10N_MIME`` (see ``localised.localise``)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from alliance_book import i18n

        english = bundle(self.values[i18n.SOURCE])
        others = {}
        for lang, value in self.values.items():
            if lang != i18n.SOURCE:
                theirs = bundle(value)
                if theirs != english:
                    others[lang] = theirs
        return english | ({L10N_MIME: others} if others else {})


def glue_all(values: Any, *args: Any, **kwargs: Any) -> None:
    """Glue every value without displaying it; prose refers to them with ``{glue:text}``.

    ``values`` is a dict of values, or a function that returns one: the function is called once in
    each language of the book (``i18n.each_language``), so text, tables and years it writes come
    out in every language from one execution.
    """
    from myst_nb import glue

    from alliance_book import i18n

    if not callable(values):
        for key, value in values.items():
            glue(key, plain(value), display=False)
        return
    per = i18n.each_language(values, *args, **kwargs)
    for key in per[i18n.SOURCE]:
        glue(key, Localised({lang: found[key] for lang, found in per.items()}), display=False)


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


# The narrow drawing is served to screens up to this width (CSS px); print and wider screens get the wide one.
NARROW_SCREEN = 600


def _svg_png(fig: Any) -> tuple[str, bytes]:
    import io

    svg, png = io.StringIO(), io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    fig.savefig(png, format="png", bbox_inches="tight")
    return stable_svg_ids(svg.getvalue()), png.getvalue()


def _svg_size(svg: str) -> tuple[int, int]:
    """An SVG's size in CSS pixels (matplotlib writes points)."""
    found = re.search(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', svg)
    return (round(float(found.group(1)) * 4 / 3), round(float(found.group(2)) * 4 / 3)) if found else (0, 0)


class Figure:
    """A figure drawn for a book column and for a phone, shown as one ``<picture>``.

    The page holds both drawings as SVG (text stays text, sharp at any zoom); the browser shows the
    narrow one on screens up to ``NARROW_SCREEN`` px. The wide drawing is also kept as SVG and PNG,
    for downloads and print.
    """

    def __init__(self, wide: Any, narrow: Any | None = None, alt: str = "") -> None:
        self.title = " ".join(wide.get_suptitle().split()) or alt
        self.svg, self.png = _svg_png(wide)
        self.narrow_svg = _svg_png(narrow)[0] if narrow is not None else None
        self.alt = alt

    def _repr_html_(self) -> str:
        import base64
        from html import escape

        def uri(svg: str) -> str:
            return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")

        width, height = _svg_size(self.svg)
        source = ""
        if self.narrow_svg is not None:
            n_width, n_height = _svg_size(self.narrow_svg)
            source = (f'<source media="(max-width: {NARROW_SCREEN}px)" srcset="{uri(self.narrow_svg)}" '
                      f'width="{n_width}" height="{n_height}">')
        return (f'<picture class="book-figure">{source}<img src="{uri(self.svg)}" alt="{escape(self.alt)}" '
                f'width="{width}" height="{height}"></picture>')

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return self.title or "<figure>"


def render(key: str, draw_fn: Any, *args: Any, alt: str = "", **kwargs: Any) -> Figure:
    """Draw a figure with ``draw_fn(*args, layout=..., **kwargs)`` for a column and for a phone.

    A character that no figure font has is an error naming the font package to install, never an
    empty box in the image.
    """
    import warnings

    import matplotlib.pyplot as plt

    from alliance_book import i18n, plotting
    from alliance_book.errors import BookError

    alt = i18n._(alt)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from")
        figs = []
        try:
            for layout in (plotting.WIDE, plotting.NARROW):
                figs.append(draw_fn(*args, layout=layout, **kwargs))
            return Figure(figs[0], figs[1], alt)
        except UserWarning as exc:
            missing = ", ".join(plotting.missing_fonts()) or "a font that has these characters"
            raise BookError(f"figure {key}: {exc} Install {missing} (Debian packages) so that no character "
                            "is drawn as an empty box.") from exc
        finally:
            for fig in figs:
                plt.close(fig)


def glue_figure(key: str, draw_fn: Any, *args: Any, alt: str = "", **kwargs: Any) -> None:
    """Glue a figure drawn by ``draw_fn`` (see ``render``) for a ``{glue:figure}`` directive, in every
    language of the book; ``alt`` (English, marked ``N_`` in the notebook) describes it to readers
    who cannot see it, and is translated like the figure's own text."""
    from myst_nb import glue

    from alliance_book import i18n

    glue(key, Localised(i18n.each_language(render, key, draw_fn, *args, alt=alt, **kwargs)), display=False)


LONG_TEXT = 80  # characters: a cell longer than this is long text


class Table:
    """A DataFrame shown without its index, integers with thousands separators, gaps as a dash.

    Build it in the language it is shown in (inside ``glue_all``'s function): its column headers
    and category cells are the caller's, and integers take the current language's separators.

    ``badges`` maps a cell's exact text to a CSS class: such cells (a verdict, say) are drawn as a
    labelled badge, so the word carries the meaning and the colour only repeats it.
    """

    def __init__(self, df: Any, badges: dict[str, str] | None = None) -> None:
        self.df = df
        self.badges = badges or {}

    def _formatted(self) -> Any:
        import pandas as pd

        from alliance_book import i18n

        shown = self.df.copy()
        for col in shown.columns:
            if pd.api.types.is_integer_dtype(shown[col]):
                shown[col] = shown[col].map(lambda v: "\u2014" if pd.isna(v) else i18n.number(int(v), 0))
        return shown.fillna("\u2014")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # The table as CSV travels with the glued value, for the chapter's downloads.
        return {"text/csv": self.df.to_csv(index=False)}

    def _repr_html_(self) -> str:
        from html import escape

        shown = self._formatted()
        html = shown.to_html(index=False, border=0, classes="dataframe table", escape=True)
        # A column of long texts (sources, reasons) gets room to read: a narrow column of long text
        # makes every row of a table screens tall. The table scrolls sideways instead.
        for col in shown.columns:
            longest = shown[col].astype(str).str.len().max() if len(shown) else 0
            if longest > LONG_TEXT:
                html = html.replace(f"<th>{escape(str(col))}</th>",
                                    f'<th style="min-width: {min(28, 8 + longest // 12)}rem">{escape(str(col))}</th>', 1)
        for text, css in self.badges.items():
            html = html.replace(f"<td>{escape(text)}</td>", f'<td><span class="badge {css}">{escape(text)}</span></td>')
        return html

    def __repr__(self) -> str:
        return self._formatted().to_string(index=False)


class LocalText(str):
    """Text written by code in the language current where it is used.

    It is a ``str`` (its value: the text in the language current when it was made), and ``str()``
    or ``format()`` write it again in the language current then: a source line made once, in
    English, and handed to a figure function that ``glue_figure`` runs in every language, is
    written in each figure's language.
    """

    def __new__(cls, write: Any) -> "LocalText":
        made = super().__new__(cls, write())
        made._write = write
        return made

    def __str__(self) -> str:
        return str(self._write())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self) -> Any:
        return (str, (str.__str__(self),))


def source_line(df: Any, most: int = 2) -> str:
    """Who the numbers of a table come from, for a figure's source line.

    The rows' own sources when there are at most ``most``; otherwise the producers the data
    package lists for the dataset, with a pointer to the per-row sources. Sources and producers are
    data (names as published); the words around them are in the current language (``LocalText``).
    """
    if "source" in df.columns:
        distinct = list(dict.fromkeys(df["source"].dropna().astype(str)))
        if len(distinct) <= most:
            return "; ".join(distinct)
    from alliance_book.datapackage import resource
    from alliance_book.i18n import _

    meta = resource(df.attrs["resource"])
    producers = "; ".join(dict.fromkeys(s.get("producer", s.get("title", "")) for s in meta.get("sources", [])))
    # TRANSLATORS: a figure's source line when the rows come from many sources; {producers} are names as published.
    return LocalText(lambda: _("{producers}; each row's source is listed on the data-sources page").format(
        producers=producers))


def source_of(df: Any, rows: Any = None) -> str:
    """A figure's source line: the dataset's title and file, then who the numbers (of ``rows``) come from."""
    from alliance_book.i18n import _

    line = source_line(df if rows is None else rows)
    title, file = df.attrs["title"], df.attrs["file"]
    # TRANSLATORS: a figure's source line: the dataset's title (as published), its file, then its sources.
    return LocalText(lambda: _("{title} ({file}): {sources}").format(title=title, file=file, sources=str(line)))
