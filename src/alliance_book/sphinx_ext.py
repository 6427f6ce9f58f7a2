"""Sphinx extension for the book: tables numbered as tables, and author-year references.

- A table glued with myst-nb's ``glue:figure`` is a figure node; when its name starts with ``tbl-``
  it becomes a ``book_table`` node, numbered and captioned "Table 2.1" apart from the figures.
- The bibliography labels its entries by author and year ("Park 2024"), keeps titles in their own
  case and prints months as words (the default styles print "[Par24]" and lower-case titles).

Loaded by Jupyter Book through ``sphinx.extra_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, sentence

TABLE_PREFIX = "tbl-"


class book_table(nodes.figure):  # noqa: N801 - docutils names node classes in lower case
    """A glued table, numbered as a table."""


def _tables_as_tables(_app: Any, doctree: nodes.document) -> None:
    for figure in list(doctree.findall(nodes.figure)):
        if not isinstance(figure, book_table) and any(i.startswith(TABLE_PREFIX) for i in figure["ids"]):
            table = book_table(figure.rawsource, *figure.children, **figure.attributes)
            table.source, table.line = figure.source, figure.line
            figure.replace_self(table)


def _caption(node: nodes.Element) -> str:
    return next((c.astext() for c in node.children if isinstance(c, nodes.caption)), "")


def _visit(self: Any, node: nodes.Element) -> None:
    self.visit_figure(node)


def _depart(self: Any, node: nodes.Element) -> None:
    self.depart_figure(node)


def _plain(text: str) -> str:
    return re.sub(r"[{}]", "", text)


class AuthorYearLabels(BaseLabelStyle):
    """Labels such as "Park 2024", "Allen et al. 2022"; a letter tells apart one author's works of one year."""

    def format_labels(self, sorted_entries: Any) -> Any:
        labels = [self._label(entry) for entry in sorted_entries]
        for i, label in enumerate(labels):
            same = [j for j, other in enumerate(labels) if other == label]
            yield label if len(same) == 1 else f"{label}{'abcdefghij'[same.index(i)]}"

    @staticmethod
    def _label(entry: Any) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        if people:
            names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
            who = names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        else:
            who = _plain(entry.fields.get("organization", entry.fields.get("institution", entry.key)))
        return f"{who} {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(AlphaStyle):
    """The alpha style with author-year labels and titles in their own case."""

    default_label_style = AuthorYearLabels

    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        title = field(which_field, apply_func=lambda text: text)
        return sentence[title] if as_sentence else title


register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def setup(app: Any) -> dict[str, Any]:
    app.add_enumerable_node(book_table, "table", _caption, html=(_visit, _depart), latex=(_visit, _depart))
    app.connect("doctree-read", _tables_as_tables)
    app.config.numfig = True
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
