"""One house style for every figure, and the drawing primitives the chapters share.

The chapters' figure functions (in ``alliance_book.chapters``) take DataFrames and a ``Layout`` and
return a ``Figure``; they never read files. Every figure is drawn twice, for a wide column and for
a phone (``report.glue_figure``): text keeps its size and the plot reflows around it. Legends,
keys and the source line are stacked under the plot, so nothing covers the data or another text,
and an image saved on its own still says where its numbers come from.
"""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from alliance_book import i18n  # noqa: E402
from alliance_book.i18n import _  # noqa: E402

# Okabe & Ito (2008) without its yellow (too light for small marks), then Tol's "muted" hues: thirteen
# colours, so that no figure needs one colour for two categories.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
           "#882255", "#44AA99", "#999933", "#332288", "#CC6677", "#888888"]
PHASE_SHADES = ["#f2f2f2", "#e0e0e0"]
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "h"]

# Latin text in DejaVu Sans; Korean and Thai glyphs from Noto Sans CJK (Debian fonts-noto-cjk) and
# Loma (fonts-thai-tlwg). The SVG keeps text as text and names the same fonts for the browser.
FONTS = {"DejaVu Sans": None, "Noto Sans CJK KR": "fonts-noto-cjk", "Loma": "fonts-thai-tlwg"}
SMALLEST = 8.0  # points; the smallest text in a figure (at most one point of figure width per CSS px)

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.family": [*FONTS, "sans-serif"],  # each family in turn for a glyph the one before lacks
    "font.sans-serif": list(FONTS),
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    # Fixed ids and no dates, so the same data give the same image bytes.
    "svg.hashsalt": "alliance-book",
    "svg.fonttype": "none",
}


@dataclass(frozen=True)
class Layout:
    """How wide a figure is drawn (inches; one point of width is at least one CSS pixel on screen)."""

    name: str
    width: float
    columns: int  # legend and key columns

    @property
    def narrow(self) -> bool:
        return self.columns == 1

    def chars(self, size: float = SMALLEST, share: float = 1.0) -> int:
        """How many characters of text at ``size`` points fit across ``share`` of the figure."""
        return max(12, int(self.width * share * 72 / (size * 0.62)))

    def size(self, height: float, narrow_height: float | None = None) -> tuple[float, float]:
        return self.width, (narrow_height if self.narrow and narrow_height is not None else height)


# A book column of 672 CSS px holds the wide figure at its natural size; a 390 px phone, the narrow one.
WIDE = Layout("wide", 7.0, 2)
NARROW = Layout("narrow", 3.5, 1)


def _register_fonts() -> None:
    """Make the fonts of ``FONTS`` known to matplotlib, also when they were installed after its font cache."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    if set(FONTS) <= known:
        return
    for path in font_manager.findSystemFonts():
        name = path.rsplit("/", 1)[-1].lower()
        if any(key in name for key in ("notosanscjk", "loma")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):  # a font file matplotlib cannot read
                continue


def setup() -> None:
    """Apply the house style (call once at the top of a notebook)."""
    _register_fonts()
    plt.rcParams.update(STYLE)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg", "png", metadata={"Date": None, "Creator": None})
    except ImportError:  # outside IPython there is no inline backend to configure
        pass


def missing_fonts() -> list[str]:
    """The Debian packages of the figure fonts matplotlib cannot find."""
    _register_fonts()
    known = {f.name for f in font_manager.fontManager.ttflist}
    return [package for name, package in FONTS.items() if package and name not in known]


def thousands(value: float, _pos: int | None = None) -> str:
    """Axis tick label with a thousands separator."""
    return f"{value:,.0f}"


def wrap(text: str, layout: Layout, size: float = SMALLEST, share: float = 1.0) -> str:
    """``text`` broken into lines that fit ``share`` of the figure's width at ``size`` points."""
    return "\n".join(textwrap.wrap(str(text), layout.chars(size, share), break_long_words=False)) or str(text)


def colours(present: Iterable[str], order: Sequence[str] = (), universe: Iterable[str] = ()) -> dict[str, str]:
    """A colour for each category, fixed by the category and never shared within one figure.

    A category listed in ``order`` (a schema's list of values) takes the colour of its place there;
    another takes one chosen from its name. When two categories would share a colour, the later (by
    name) takes the next free one; ``universe`` (every value of the dataset's column) makes that
    choice the same in every figure and edition that reads the same table.
    """
    cats = list(dict.fromkeys(str(c) for c in present))
    everyone = list(dict.fromkeys([*cats, *(str(c) for c in universe)]))
    if len(everyone) > len(PALETTE):
        everyone = cats
    ranked = sorted(everyone, key=lambda c: (c not in order, list(order).index(c) if c in order else 0, c))
    found: dict[str, str] = {}
    # Okabe and Ito's hues are the most distinct: enough for most figures; Tol's only where needed.
    hues = 7 if len(everyone) <= 7 else len(PALETTE)
    for cat in ranked:
        start = list(order).index(cat) if cat in order else zlib.crc32(cat.encode("utf-8")) % hues
        free = [PALETTE[(start + step) % len(PALETTE)] for step in range(len(PALETTE))]
        found[cat] = next((c for c in free if c not in found.values()), free[0])
    return {c: found[c] for c in cats}


def year_axis(ax: plt.Axes, layout: Layout) -> None:
    """Whole years on the x-axis, as many ticks as the width holds, in the reader's era (Buddhist Era in Thai)."""
    from matplotlib.ticker import FuncFormatter

    from alliance_book import i18n

    ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if layout.narrow else 9, integer=True))
    offset = i18n.era_year(2000) - 2000  # 543 in Thai: the Buddhist Era
    if offset:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(round(x)) + offset}"))


def _free_below(fig: Figure, gap: float = 0.08) -> tuple[float, float]:
    """Left edge of what is drawn and a height just under it, in figure fractions; the layout is frozen."""
    fig.draw_without_rendering()
    box = fig.get_tightbbox()
    fig.set_layout_engine("none")
    width, height = fig.get_size_inches()
    return max(box.x0, 0.0) / width, (box.y0 - gap) / height


def legend_below(fig: Figure, handles: list, labels: list[str], layout: Layout, title: str | None = None,
                 columns: int | None = None) -> None:
    """A legend under everything drawn so far, its labels wrapped (never cut) to the columns' width."""
    columns = columns or layout.columns
    x, y = _free_below(fig)
    wrapped = [wrap(label, layout, 8.5, share=0.92 / columns - 0.06) for label in labels]
    fig.legend(handles, wrapped, loc="upper left", bbox_to_anchor=(x, y), ncol=columns, fontsize=8.5,
               title=title, title_fontsize=8.5, alignment="left", borderaxespad=0.0, handlelength=1.6,
               columnspacing=1.2, frameon=False)


def note_below(fig: Figure, text: str, layout: Layout, size: float = 8.5, colour: str = "#222222") -> None:
    """A block of text (a key, a note) under everything drawn so far, wrapped to the figure's width."""
    x, y = _free_below(fig)
    lines = [wrap(line, layout, size) for line in str(text).split("\n")]
    fig.text(x, y, "\n".join(lines), ha="left", va="top", fontsize=size, color=colour)


def add_source(fig: Figure, text: str, layout: Layout = WIDE) -> None:
    """The source line, last, under everything else in the figure."""
    # TRANSLATORS: the last line of every figure; {source} names the dataset and its producers.
    note_below(fig, _("Source: {source}").format(source=text), layout, size=SMALLEST, colour="#444444")


def shade_phases(ax: plt.Axes, phases: pd.DataFrame, start: int, end: int) -> list[str]:
    """Shade each phase's years on ``ax`` and number it above the plot; return the key, one line a phase.

    Phases are numbered in order of their first year among those given, as in the chapter's list.
    The key names each phase and its years in the current language.
    """
    key = []
    for number, row in enumerate(phases.sort_values("start_year").itertuples(), start=1):
        first = max(int(row.start_year), start)
        last = end if pd.isna(row.end_year) else min(int(row.end_year), end)
        if first > last:
            continue
        ax.axvspan(first - 0.5, last + 0.5, color=PHASE_SHADES[number % 2], zorder=0, lw=0)
        ax.text((first + last) / 2, 1.01, str(number), transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=8.5, fontweight="bold", color="#333333")
        phase = i18n.name("phase", row.phase)
        if pd.isna(row.end_year):
            # TRANSLATORS: a phase that is still going on: its number, its name, the year it began ("2023").
            key.append(_("{number} {phase} ({start}\u2013)").format(number=number, phase=phase,
                                                                    start=i18n.year(int(row.start_year))))
        else:
            # TRANSLATORS: a phase: its number, its name, its years ("1950–1954").
            key.append(_("{number} {phase} ({years})").format(
                number=number, phase=phase, years=i18n.year_span(int(row.start_year), int(row.end_year))))
    return key


def phase_key(fig: Figure, key: list[str], layout: Layout) -> None:
    """The numbered phases' names under the plot."""
    if key:
        # TRANSLATORS: the key of the shaded phases of a figure; {phases} lists them ("1 War and treaty (1950–1954); 2 ...").
        note_below(fig, _("Phases (shaded): {phases}").format(phases="; ".join(key)) if not layout.narrow
                   else _("Phases (shaded):") + "\n" + "\n".join(key), layout)


def year_position(date: str, at: str = "middle") -> float:
    """A date of any precision (``1998``, ``1998-06``, ``1998-06-25``) as a fractional year.

    ``at="middle"`` puts it in the middle of its span (a point for a date known to the year or
    month); ``at="start"`` at the start (where a bar begins).
    """
    offset = 0.5 if at == "middle" else 0.0
    parts = [int(x) for x in date.split("-")]
    if len(parts) == 1:
        return parts[0] + offset
    if len(parts) == 2:
        return parts[0] + (parts[1] - 1 + offset) / 12
    return parts[0] + (pd.Timestamp(date).day_of_year - 1 + offset) / 365.25


def consecutive_lines(ax: plt.Axes, years: list[int], values: list[float], **style: object) -> None:
    """Join points only where the years are consecutive: a missing year stays a gap."""
    for a in range(len(years) - 1):
        if years[a + 1] - years[a] == 1:
            ax.plot(years[a:a + 2], values[a:a + 2], **style)


def heading(fig: Figure, text: str, layout: Layout) -> None:
    """The figure's title, at its left edge above everything, wrapped to its width."""
    fig.suptitle(wrap(text, layout, 13), x=0.01, ha="left", fontsize=11.5, fontweight="bold")


def message_figure(title: str, message: str, source: str, layout: Layout = WIDE) -> Figure:
    """A figure that says why it has nothing to draw (an empty selection), with its title and source."""
    fig, ax = plt.subplots(figsize=layout.size(1.6), layout="constrained")
    ax.axis("off")
    ax.text(0.0, 0.5, wrap(message, layout, 10), fontsize=10, va="center")
    heading(fig, title, layout)
    add_source(fig, source, layout)
    return fig
