"""Sphinx extension for the book: tables numbered as tables, and author-year references.

- A table glued with myst-nb's ``glue:figure`` is a figure node; when its name starts with ``tbl-``
  it becomes a ``book_table`` node, numbered and captioned "Table 2.1" apart from the figures.
- The bibliography labels its entries by author and year ("Park 2024"), keeps titles in their own
  case and prints months as words (the default styles print "[Par24]" and lower-case titles); its
  entries are items of a list (``role="listitem"``; docutils' ``doc-biblioentry`` is deprecated and
  not a valid child of a list).
- Each numbered figure and table ends with a suggested citation: its number and title, the book,
  the edition and its address (``html_baseurl`` when set, else the page from the book's root).
- A table scrolls sideways in its own region, which a keyboard can reach (``tabindex="0"``) and a
  screen reader names after the table.
- An edition (not the default book) shows a banner on every page naming it and the parameters it
  changes, with a link to its front page. The build writes what the extension needs to know of the
  edition in ``book/_generated/edition.json`` (``alliance_book.pages.edition_record``).

Languages (translated pages, glue in translations, the language switcher) are set up by
``alliance_book.sphinx_i18n``. The interface (the theme's buttons and labels, the search page) is
translated by the catalogs ``locales/LANG/LC_MESSAGES/sphinx.po``, which Sphinx reads before its own
and the themes'; this extension also translates with them the few labels the themes write without
asking the catalogs, and gives the search page its messages in a language Sphinx has no script for.

Loaded by Jupyter Book through ``sphinx.extra_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, sentence

TABLE_PREFIX = "tbl-"
EDITION_RECORD = Path("book") / "_generated" / "edition.json"
LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
DEFAULT_EDITION = {"name": "default", "label": "default edition", "default": True, "differences": []}


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


class scroll_region(nodes.General, nodes.Element):  # noqa: N801
    """A table's scrolling box: focusable, so that a keyboard can scroll it, and named after the table."""


def _visit_scroll_region(self: Any, node: nodes.Element) -> None:
    self.body.append(f'<div class="table-scroll" tabindex="0" role="region" aria-label="{escape(node["label"])}">\n')


def _depart_scroll_region(self: Any, node: nodes.Element) -> None:
    self.body.append("</div>\n")


def _visit_citation(self: Any, node: nodes.Element) -> None:
    """docutils' citation, with its entries as list items of the list that holds them."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def _depart_citation(self: Any, node: nodes.Element) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


# Not after an abbreviation: e.g., i.e., cf., vs., nor a Thai one such as พ.ศ. (Buddhist Era) or พ.ท.
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bcf\.)(?<!\bvs\.)(?<![\u0e00-\u0e7f]\.[\u0e00-\u0e7f]\.)(?<=[.!?])\s+(?=\S)")


def first_sentence(text: str) -> str:
    """A caption's first sentence, on one line, without its final full stop."""
    text = re.sub(r"\s+", " ", text).strip()
    return _SENTENCE_END.split(text, maxsplit=1)[0].rstrip(".")


def _year(copyright_: str) -> str:
    years = re.findall(r"\b(?:19|20)\d\d\b", copyright_ or "")
    return years[-1] if years else (copyright_ or "n.d.")


def _edition(config: Any) -> dict[str, Any]:
    return config.book_edition or DEFAULT_EDITION


def _citation(app: Any, docname: str, kind: str, number: str, title: str, anchor: str) -> nodes.paragraph:
    """"Cite this figure: The alliance-book contributors (2026). *Figure 2.3: ...*. In *Book*, edition. URL. CC BY 4.0."

    Written in the book's language (``i18n``'s language is the book's in the Sphinx process).
    """
    from alliance_book.i18n import _

    config = app.config
    page = app.builder.get_target_uri(docname)
    if config.html_baseurl:
        shown = href = f"{config.html_baseurl.rstrip('/')}/{page}#{anchor}"
    else:
        shown, href = f"{page}#{anchor}", f"#{anchor}"
    book = config.html_title or config.project
    para = nodes.paragraph(classes=["suggested-citation"])
    # TRANSLATORS: the start of the suggested citation under each figure and each table.
    para += nodes.strong(text=(_("Cite this figure:") if kind == "figure" else _("Cite this table:")) + " ")
    para += nodes.Text(f"{config.author} ({_year(config.copyright)}). ")
    # TRANSLATORS: in a citation: the figure's or table's number ("Figure 2.3") and its title.
    para += nodes.emphasis(text=_("{number}: {title}").format(number=number, title=title) if title else number)
    # TRANSLATORS: "In {book}, {edition}." in a citation; {book} is the book's title (shown in italics), {edition}
    # the edition ("default edition"). Keep the "{book}" placeholder where the title goes.
    before, _sep, after = _("In {book}, {edition}.").format(
        book="\0", edition=_edition_label(_edition(config))).partition("\0")
    para += nodes.Text(". " + before)
    para += nodes.emphasis(text=book)
    para += nodes.Text(after + " ")
    para += nodes.reference("", shown, refuri=href, internal=not config.html_baseurl)
    para += nodes.Text(". ")
    para += nodes.reference("", LICENCE[0], refuri=LICENCE[1])
    para += nodes.Text(".")
    return para


def _edition_label(edition: dict[str, Any]) -> str:
    """How a citation names the edition, in the book's language (``pages.edition_label``)."""
    from alliance_book.i18n import _

    if edition.get("default", True):
        return _("default edition")
    # TRANSLATORS: how a citation names an edition other than the default book; {name} is its file name.
    return _("edition {name}").format(name=edition["name"])


def _numbered(app: Any, doctree: nodes.document, docname: str) -> None:
    """After numbering: a suggested citation under each figure and table; each table in a scroll region."""
    numbers = getattr(app.env, "toc_fignumbers", {}).get(docname, {})
    formats = app.config.numfig_format
    for node in list(doctree.findall(nodes.figure)):
        caption = next((c for c in node.children if isinstance(c, nodes.caption)), None)
        kind = "table" if isinstance(node, book_table) else "figure"
        anchor = next(iter(node["ids"]), None)
        if caption is None or anchor is None:
            continue  # no caption, no number and no anchor to cite
        number = numbers.get(kind, {}).get(anchor)
        label = formats[kind] % ".".join(map(str, number)) if number else _unnumbered(kind)
        title = first_sentence(caption.astext())
        if kind == "table":
            body = [c for c in node.children if not isinstance(c, (nodes.caption, nodes.legend))]
            region = scroll_region(label=f"{label}: {title}" if title else label)
            for child in body:
                node.remove(child)
                region += child
            node.insert(0, region)
        node += _citation(app, docname, kind, label, title, anchor)


def _unnumbered(kind: str) -> str:
    from alliance_book.i18n import _

    return _("Figure") if kind == "figure" else _("Table")


def _read_edition(app: Any, config: Any) -> None:
    """What the build recorded of this edition (book/_generated/edition.json), for citations and banner."""
    record = Path(app.srcdir) / EDITION_RECORD
    try:
        config.book_edition = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        config.book_edition = dict(DEFAULT_EDITION)


def banner(edition: dict[str, Any], front_page: str) -> str:
    """The edition banner's HTML: the edition's name and what it changes, linking to its front page.

    Written in the book's language; chapter titles, parameters and values are shown as recorded.
    """
    from alliance_book.i18n import _

    by_chapter: dict[str, list[str]] = {}
    for d in edition.get("differences", []):
        # TRANSLATORS: in the edition banner: a parameter, its value in this edition, and its value in the default book.
        by_chapter.setdefault(d["chapter"], []).append(_("{parameter} {value} (default book: {default})").format(
            parameter=escape(d["parameter"]), value=escape(d["value"]), default=escape(d["default"])))
    changed = [f"<em>{escape(chapter)}</em>: {', '.join(items)}" for chapter, items in by_chapter.items()]
    name = f"<strong>{escape(edition['name'])}</strong>"
    about = escape(_("About this edition"))
    link = f'<a href="{escape(front_page)}#this-edition">{about}</a>'
    if changed:
        # TRANSLATORS: the banner of an edition; {name} is its name, {changes} the parameters it changes, by chapter.
        what = _("Edition {name} \u2014 {changes}.").format(name=name, changes="; ".join(changed))
    else:
        what = _("Edition {name}, with the parameters of the default book.").format(name=name)
    return f'<p class="edition-banner">{what} {link}.</p>'


def _page_banner(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    edition = _edition(app.config)
    if not edition.get("default", True):
        front = context["pathto"](app.config.root_doc)
        context["theme_announcement"] = banner(edition, "" if front.startswith("#") else front)


# Labels the themes write into their templates as they are, not through the catalogs (attribute, English).
FIXED_LABELS = [("aria-label", "Main"), ("aria-label", "Page"), ("title", "Toggle primary sidebar"),
                ("title", "Toggle secondary sidebar")]
# The search field's text, a theme option Jupyter Book sets; translated when it is this.
SEARCH_BAR_TEXT = "Search this book..."
SEARCH_SCRIPT = "translations.js"


def _interface() -> Any:
    """The interface catalogs' translation (Sphinx's ``sphinx`` domain: the project's catalogs, then Sphinx's
    and the themes')."""
    from sphinx.locale import get_translation

    return get_translation("sphinx")


def _search_bar(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if (app.config.language or "en") != "en" and context.get("theme_search_bar_text") == SEARCH_BAR_TEXT:
        context["theme_search_bar_text"] = _interface()(SEARCH_BAR_TEXT)


def _own_search_script(app: Any) -> Path | None:
    """The project's interface catalog for the book's language when Sphinx has no search script for it."""
    lang = app.config.language or "en"
    builder = app.builder
    if lang == "en" or not hasattr(builder, "_get_translations_js") or builder._get_translations_js():
        return None
    for folder in app.config.locale_dirs:
        po = Path(app.srcdir) / folder / lang / "LC_MESSAGES" / "sphinx.po"
        if po.is_file():
            return po
    return None


def _add_search_script(app: Any) -> None:
    if _own_search_script(app) is not None:
        app.add_js_file(SEARCH_SCRIPT)


def search_script(po: Path, lang: str) -> str:
    """Sphinx's ``translations.js`` (the messages of its scripts: search results, highlights) from a catalog."""
    from babel.messages.pofile import read_po

    with open(po, "rb") as fh:
        catalog = read_po(fh)
    messages = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog
                if m.id and m.string and not m.fuzzy}
    data = {"locale": lang, "messages": messages, "plural_expr": "0"}
    return f"Documentation.addTranslations({json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)});\n"


def translate_fixed_labels(html: str, translate: Any) -> str:
    """``FIXED_LABELS`` in a page, translated (those the catalogs do not translate stay as they are)."""
    for attribute, english in FIXED_LABELS:
        theirs = translate(english)
        if theirs != english:
            html = html.replace(f'{attribute}="{escape(english)}"', f'{attribute}="{escape(theirs)}"')
    return html


_AUTHOR = re.compile(r'(<p class="component-author">)\s*.*?\s*(</p>)', re.S)


def translate_author(html: str, author: str, translate: Any) -> str:
    """The theme's "By AUTHOR" line in the language (the theme's own catalogs word it badly in Korean)."""
    theirs = translate("By %(author)s")
    if theirs == "By %(author)s" or not author:
        return html
    return _AUTHOR.sub(lambda m: f"{m.group(1)}\n{escape(theirs % {'author': author}, quote=False)}\n{m.group(2)}", html)


def _finish_interface(app: Any, exception: Exception | None) -> None:
    lang = app.config.language or "en"
    if exception is not None or lang == "en" or app.builder.format != "html":
        return
    po = _own_search_script(app)
    if po is not None:
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / SEARCH_SCRIPT).write_text(search_script(po, lang), encoding="utf-8")
    translate = _interface()
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        done = translate_author(translate_fixed_labels(text, translate), app.config.author, translate)
        if done != text:
            page.write_text(done, encoding="utf-8")


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
    app.add_node(scroll_region, html=(_visit_scroll_region, _depart_scroll_region))
    app.add_node(nodes.citation, override=True, html=(_visit_citation, _depart_citation))
    app.add_config_value("book_edition", {}, "html", types=[dict])
    app.connect("config-inited", _read_edition)
    app.connect("doctree-read", _tables_as_tables)
    app.connect("doctree-resolved", _numbered)
    app.connect("html-page-context", _page_banner)
    app.connect("html-page-context", _search_bar)
    app.connect("builder-inited", _add_search_script)
    app.connect("build-finished", _finish_interface)
    app.config.numfig = True
    from alliance_book import sphinx_i18n

    sphinx_i18n.setup(app)
    sphinx_i18n.setup_directives(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
