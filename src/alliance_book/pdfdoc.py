"""One HTML document of a whole built book, ready for paged media: the source of its PDF.

The pages are taken from the built HTML in the order of its navigation (the root page, then every
page the sidebar lists), each page's article only. Ids are prefixed with the page's name so that
they stay unique, and links between pages become links inside the document. What only makes sense
on screen (buttons, hidden code, the downloads section, narrow figure variants) is dropped.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import yaml
from bs4 import BeautifulSoup, Tag

from alliance_book.errors import BookError

# Dropped from every page: what a reader uses on screen only.
SCREEN_ONLY = ["a.headerlink", "script", "button", "#searchbox", "section.chapter-downloads", "#downloads",
               "details.above-input", "details.below-input", "picture > source", ".toggle-details", ".copybtn"]
ID_ATTRS = ("id", "for", "aria-labelledby", "aria-describedby", "aria-controls")


@dataclass(frozen=True)
class Page:
    """One page of the book: its path from the HTML root, its title, and its content as HTML."""

    path: str
    title: str
    body: str

    @property
    def anchor(self) -> str:
        return anchor_of(self.path)


def anchor_of(path: str, fragment: str = "") -> str:
    """The id a page (or an anchor in it) has in the combined document."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.removesuffix(".html"))
    return f"{slug}--{fragment}" if fragment else f"page-{slug}"


def _soup(file: Path) -> BeautifulSoup:
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def root_page(source: Path) -> str:
    """The root page's path in the built HTML, from ``_toc.yml`` (e.g. ``book/intro.html``)."""
    toc = yaml.safe_load((source / "_toc.yml").read_text(encoding="utf-8"))
    return f"{toc['root']}.html"


def page_order(html: Path, root: str) -> list[str]:
    """Every page of the book in reading order: the root page, then the navigation's links."""
    nav = _soup(html / root).select("nav.bd-docs-nav a.reference.internal[href]")
    order = [root]
    for link in nav:
        href = urldefrag(link["href"]).url
        if href and not urlsplit(href).scheme:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(root), href))
            if path not in order:
                order.append(path)
    return order


def stylesheets(html: Path, root: str) -> list[str]:
    """The theme's stylesheets (paths from the HTML root), as the root page links them."""
    links = _soup(html / root).select('head link[rel="stylesheet"][href]')
    return [posixpath.normpath(posixpath.join(posixpath.dirname(root), link["href"].split("?")[0])) for link in links]


def _resolve(page: str, url: str) -> str:
    """A relative URL of ``page`` as a path from the HTML root (fragment kept)."""
    path, fragment = urldefrag(url)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
    return joined + (f"#{fragment}" if fragment else "")


def _rewrite_link(a: Tag, page: str, included: set[str]) -> None:
    """An internal link points into the combined document; an external one stays; any other loses its link."""
    href = a["href"]
    if urlsplit(href).scheme or href.startswith("//"):
        return
    path, fragment = urldefrag(_resolve(page, href))
    if path in included:
        a["href"] = "#" + anchor_of(path, fragment)
    else:
        a.unwrap()  # a file that is not in the PDF (a download, the index): keep the text only


def _rewrite_ids(article: Tag, page: str) -> None:
    for tag in article.find_all(True):
        for attr in ID_ATTRS:
            if tag.has_attr(attr):
                tag[attr] = " ".join(anchor_of(page, value) for value in str(tag[attr]).split())


def _rewrite_images(article: Tag, page: str) -> None:
    """Images load from the HTML root (the document is served from another folder), eagerly, and the wide variant (``src``) is the one printed."""
    for img in article.find_all("img"):
        if img.has_attr("src") and not urlsplit(img["src"]).scheme:
            img["src"] = "/" + _resolve(page, img["src"])
        for attr in ("srcset", "sizes", "loading"):
            if img.has_attr(attr):
                del img[attr]


def read_page(html: Path, path: str, included: set[str]) -> Page:
    """A built page's article, cleaned for print, with its ids and links rewritten."""
    article = _soup(html / path).select_one("article.bd-article")
    if article is None:
        raise BookError(f"{path}: no <article class=\"bd-article\"> in the built page; is it a Jupyter Book page?")
    for tag in article.select(", ".join(SCREEN_ONLY)):
        tag.decompose()
    for details in article.find_all("details"):  # dropdowns print open: paper has no click
        details["open"] = ""
    _rewrite_ids(article, path)
    for a in article.find_all("a", href=True):
        _rewrite_link(a, path, included)
    _rewrite_images(article, path)
    heading = article.find("h1")
    title = " ".join(heading.get_text(" ", strip=True).split()) if heading else path
    return Page(path, title, article.decode_contents())


def read_book(html: Path, source: Path) -> list[Page]:
    """Every page of a built book in reading order."""
    order = page_order(html, root_page(source))
    return [read_page(html, path, set(order)) for path in order]


def toc(pages: list[Page]) -> str:
    """The table of contents: every page after the first, with its page number (filled in by Paged.js)."""
    from alliance_book.i18n import _

    items = "".join(f'<li><a href="#{p.anchor}">{escape(p.title)}</a></li>' for p in pages[1:])
    # TRANSLATORS: the title of the PDF's table of contents.
    contents = escape(_("Contents"))
    return (f'<nav class="pdf-toc" aria-label="{contents}"><h1 class="pdf-toc-title">{contents}</h1>'
            f'<ol>{items}</ol></nav>')


def document(title: str, front: str, pages: list[Page], theme: list[str], own: list[str], scripts: list[str],
             lang: str = "en") -> str:
    """The whole book as one HTML document: title page, contents, then each page as an article.

    The theme's stylesheets are applied by the browser as they are (Paged.js does not parse them:
    ``data-pagedjs-ignore``); ``own`` stylesheets, with the ``@page`` rules, go through Paged.js.
    ``lang`` is the book's language; the contents' title is written in the current language.
    """
    links = "".join(f'<link rel="stylesheet" href="{escape(s)}" data-pagedjs-ignore>' for s in theme)
    links += "".join(f'<link rel="stylesheet" href="{escape(s)}">' for s in own)
    tags = "".join(f'<script src="{escape(s)}"></script>' for s in scripts)
    body = "".join(f'<article class="bd-article pdf-page" id="{p.anchor}">{p.body}</article>' for p in pages)
    return (f'<!DOCTYPE html><html lang="{escape(lang)}" data-theme="light" data-mode="light"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title>{links}{tags}</head>"
            f'<body class="pdf-book">{front}{toc(pages)}<main>{body}</main></body></html>')
