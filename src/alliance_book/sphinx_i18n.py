"""The book's languages in Sphinx: translated pages keep their glued values, and a switcher.

- **Glue in translations.** Sphinx parses a translated paragraph (from ``locales/``) as a document
  of its own, which myst-nb's glue roles cannot read the notebook's values from. The page's
  notebook renderer is kept while the page is read (``_patch_parser``), and the glue look-up falls
  back to it, so ``{glue:text}`` in a Thai sentence pastes the same computed value.
- **Generated text is not extracted.** Markdown pasted from a notebook (``glue:md``) and pages
  written by the build (``book/_generated/``) are written by code in every language
  (``alliance_book.i18n``); their English is not a message of the page catalogs.
- **Numbers.** A pasted number is written with the page language's separators (Babel).
- **Switcher.** Every page links to the same page in the book's other languages, which are built
  beside it: ``_build/html`` (English), ``_build/th/html``, ``_build/ko/html``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.transforms import Transform

from alliance_book import i18n

_RENDERER = "alliance_book_nb_renderer"
TEMPLATES = Path(__file__).with_name("templates")
SWITCHER = "language-switcher.html"


class _KeptAttributes(dict):
    """A document's attributes that keep the notebook renderer myst-nb removes after parsing."""

    kept: Any = None

    def pop(self, key: str, *default: Any) -> Any:
        value = super().pop(key, *default)
        if key == "nb_renderer":
            self.kept = value
        return value


def _patch_parser() -> None:
    """Keep the page's notebook renderer (``env.temp_data``) after myst-nb parsed the page."""
    from myst_nb import sphinx_ as nb_sphinx

    original = nb_sphinx.Parser.parse
    if getattr(original, "alliance_book", False):
        return

    def parse(self: Any, inputstring: str, document: nodes.document) -> None:
        attributes = document.attributes
        document.attributes = _KeptAttributes(attributes)
        try:
            original(self, inputstring, document)
        finally:
            kept, document.attributes = document.attributes.kept, dict(document.attributes)
            env = getattr(document.settings, "env", None)
            # A translated message is parsed by this parser too, with no renderer of its own: the
            # page's stays.
            if env is not None and kept is not None:
                env.temp_data[_RENDERER] = kept

    parse.alliance_book = True  # type: ignore[attr-defined]
    nb_sphinx.Parser.parse = parse


def _patch_glue() -> None:
    """myst-nb's glue look-up, falling back to the renderer of the page being read."""
    from myst_nb.ext.glue import directives, roles, utils

    original = utils.retrieve_glue_data
    if getattr(original, "alliance_book", False):
        return

    def retrieve(document: nodes.document, key: str) -> Any:
        if "nb_renderer" in document:
            return original(document, key)
        env = getattr(document.settings, "env", None)
        renderer = env.temp_data.get(_RENDERER) if env is not None else None
        if renderer is None:
            return original(document, key)
        document["nb_renderer"] = renderer  # only for this look-up: a doctree must stay picklable
        try:
            return original(document, key)
        finally:
            del document["nb_renderer"]

    retrieve.alliance_book = True  # type: ignore[attr-defined]
    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve


def _untranslatable(tree: nodes.Node) -> None:
    for node in tree.findall(nodes.TextElement):
        node["translatable"] = False


def _generated_markdown_directive() -> type:
    from myst_nb.ext.glue.directives import PasteMarkdownDirective

    class GeneratedMarkdown(PasteMarkdownDirective):
        """``glue:md``: Markdown a notebook wrote in every language, not a message of the page."""

        def run(self) -> list[nodes.Node]:
            found = super().run()
            for node in found:
                _untranslatable(node)
            return found

    return GeneratedMarkdown


class _GeneratedPages(Transform):
    """Text included from ``book/_generated/`` is written by the build in each language."""

    default_priority = 15

    def apply(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.TextElement):
            if node.source and "/_generated/" in str(node.source).replace("\\", "/"):
                node["translatable"] = False


_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?")


def localise_numbers(app: Any, doctree: nodes.document, _docname: str = "") -> None:
    """Write pasted numbers (``{glue:text}``) with the separators of the page's language."""
    lang = app.config.language or i18n.SOURCE
    if lang == i18n.SOURCE:
        return
    from babel.numbers import format_decimal

    for node in list(doctree.findall(nodes.inline)):
        if "pasted-text" not in node.get("classes", []):
            continue
        text = node.astext()
        if not _NUMBER.fullmatch(text) or (len(text) == 4 and text.isdigit()):
            continue  # not a number, or a year (written by the chapter as the reader's era)
        decimals = len(text.split(".")[1]) if "." in text else 0
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") if "," in text else (
            "0" + ("." + "0" * decimals if decimals else ""))
        shown = format_decimal(float(text.replace(",", "")), format=pattern, locale=lang, decimal_quantization=True)
        if shown != text:
            node.replace(node.children[0], nodes.Text(shown)) if node.children else node.append(nodes.Text(shown))


def _page_messages(srcdir: str, lang: str, docname: str) -> dict[str, str]:
    """A page's translated messages (its catalog in the language's ``locales``), msgid -> msgstr."""
    from babel.messages.pofile import read_po

    po = Path(srcdir) / "locales" / lang / "LC_MESSAGES" / f"{docname}.po"
    if not po.is_file():
        return {}
    with open(po, "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


def translate_toc_captions(app: Any, doctree: nodes.document) -> None:
    """The table of contents' captions ("Chapters"), which sphinx-external-toc adds after Sphinx
    translated the page, from the page's catalog."""
    from sphinx import addnodes

    lang = app.config.language or i18n.SOURCE
    if lang == i18n.SOURCE:
        return
    messages = None
    for toctree in doctree.findall(addnodes.toctree):
        caption = toctree.get("caption")
        if caption:
            if messages is None:
                messages = _page_messages(app.srcdir, lang, app.env.docname)
            if caption in messages:
                toctree["caption"] = toctree["rawcaption"] = messages[caption]


def _html_root(lang: str) -> str:
    """A language's book, relative to the English one's folder (``BASE/html``)."""
    return "html" if lang == i18n.SOURCE else f"{lang}/html"


def switcher_links(current: str, pagename: str, languages: list[str]) -> list[dict[str, Any]]:
    """The same page in every language, as links relative to ``pagename`` in ``current``'s book."""
    up = "../" * pagename.count("/")
    # From this book's root to the build folder (BASE) that holds every language's book.
    to_base = "../" if current == i18n.SOURCE else "../../"
    return [{"code": lang, "name": i18n.NAMES.get(lang, lang), "current": lang == current,
             "url": f"{up}{to_base}{_html_root(lang)}/{pagename}.html"} for lang in languages]


def _switcher_context(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    languages = i18n.languages()
    if len(languages) > 1:
        context["book_languages"] = switcher_links(app.config.language or i18n.SOURCE, pagename, languages)


def _config(app: Any, config: Any) -> None:
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    sidebars = dict(config.html_sidebars or {})
    if not sidebars:
        sidebars = {"**": ["navbar-logo.html", "icon-links.html", "search-button-field.html", SWITCHER,
                           "sbt-sidebar-nav.html"]}
    config.html_sidebars = sidebars
    # Code-written text in this process (the banner, citations) in the page language.
    i18n._active.set(config.language or i18n.SOURCE)


def setup(app: Any) -> None:
    _patch_parser()
    _patch_glue()
    app.add_transform(_GeneratedPages)
    app.connect("config-inited", _config)
    app.connect("doctree-resolved", localise_numbers)
    app.connect("doctree-read", translate_toc_captions, priority=900)  # after sphinx-external-toc
    app.connect("html-page-context", _switcher_context)


def setup_directives(app: Any) -> None:
    """After myst-nb's glue domain exists: ``glue:md`` as generated text."""
    app.add_directive_to_domain("glue", "md", _generated_markdown_directive(), override=True)
