"""Publish a built book atomically, with each chapter's downloads.

The target's ``html`` is a link to a complete copy (``html-<id>``) beside it; replacing the link
is atomic, so at every moment it points to a whole book, the old one or the new one.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from alliance_book import pages, paths, report
from alliance_book.i18n import N_
from alliance_book.paths import Target

_IMAGE_REF = re.compile(r'_images/([^"\'?#)\s]+)')


_GLUE_FIGURE = re.compile(r"```\{glue(?::figure)?\}\s+(\S+)\n(?::[^\n]*\n)*", re.S)
_NAME = re.compile(r"^:name:\s*(\S+)", re.M)


def _numbers(nb: Any, page_html: str) -> dict[str, str]:
    """The number each glued figure or table has on its page ("Figure 2.1"), by glue key."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for m in _GLUE_FIGURE.finditer(cell.source):
            name = _NAME.search(m.group(0))
            shown = name and re.search(rf'id="{re.escape(name.group(1))}".*?<span class="caption-number">([^<]+)</span>',
                                       page_html, re.S)
            if shown:
                found[m.group(1)] = shown.group(1).strip()
    return found


def export_downloads(chapter: Path, folder: Path, page_html: str = "") -> list[tuple[str, str]]:
    """A chapter's figures (SVG and PNG), tables (CSV) and executed notebook as files; (label, name) each.

    A label names a figure or table by its number on the page (``page_html``), as readers know it.
    """
    import base64

    import nbformat

    from alliance_book.i18n import _

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chapter, folder / chapter.name)
    made = [(_("Executed notebook"), chapter.name)]
    nb = nbformat.read(chapter, as_version=4)
    numbers = _numbers(nb, page_html)
    for key, bundle in report.outputs(nb).items():
        # Named for readers: by the number on the page ("Figure 2.1"), and a figure also by its title.
        number = numbers.get(key)
        title = bundle.get("text/plain", "").strip("'\"")
        if "image/svg+xml" in bundle:
            # TRANSLATORS: a figure's download: its number on the page ("Figure 2.1") and its title.
            name = _("{number}: {title}").format(number=number or _("Figure, not shown on the page"), title=title)
            (folder / f"{key}.svg").write_text(bundle["image/svg+xml"], encoding="utf-8")
            # TRANSLATORS: a download's label and its file format ("Figure 2.1: Title (SVG)").
            made.append((_("{name} ({format})").format(name=name, format="SVG"), f"{key}.svg"))
        if "image/png" in bundle:
            (folder / f"{key}.png").write_bytes(base64.b64decode(bundle["image/png"]))
            made.append((_("{name} ({format})").format(name=name, format="PNG"), f"{key}.png"))
        if "text/csv" in bundle:
            (folder / f"{key}.csv").write_text(bundle["text/csv"], encoding="utf-8")
            made.append((_("{name} ({format})").format(name=number or _("Table, not shown on the page"), format="CSV"),
                         f"{key}.csv"))
    return made


INTRO = N_("This chapter's figures, tables and executed notebook, under the licences stated in the footer and on the "
           "data-sources page.")


def _add_downloads(html: Path, target: Target) -> None:
    """Write each chapter's downloads next to its page and link them at the end of the page."""
    from html import escape

    from alliance_book.i18n import _

    for chapter in pages.toc_chapters(target):
        page = html / chapter.relative_to(target.source).with_suffix(".html")
        if not page.is_file():
            continue
        made = export_downloads(chapter, page.parent / "downloads" / chapter.stem, page.read_text(encoding="utf-8"))
        items = "".join(f'<li><a href="downloads/{chapter.stem}/{escape(name)}" download>{escape(label)}</a></li>'
                        for label, name in made)
        heading, intro = escape(_("Downloads")), escape(_(INTRO), quote=False)
        block = (f'<section id="downloads" class="chapter-downloads"><h2>{heading}</h2>'
                 f"<p>{intro}</p><ul>{items}</ul></section>")
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("</article>", block + "</article>", 1), encoding="utf-8")


def publish(built: Path, target: Target) -> None:
    """Make the target's ``html`` the book in ``built`` in one atomic step.

    ``html`` is a symbolic link to a complete copy (``html-<id>``) beside it; replacing the link
    is atomic, so at every moment it points to a whole book, the old one or the new one, even if
    the process is killed.
    """
    staging_root = target.base / ".staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="html-", dir=staging_root))
    copy = staging / "html"
    used = {m for page in built.rglob("*.html") for m in _IMAGE_REF.findall(page.read_text(encoding="utf-8"))}

    def skip(folder: str, names: list[str]) -> set[str]:
        # .buildinfo records Sphinx's configuration, absolute paths included; readers do not need it.
        # Sphinx never deletes images of earlier builds: publish only those a page shows.
        unused = {n for n in names if Path(folder).name == "_images" and n not in used}
        return unused | ({".buildinfo"} & set(names))

    shutil.copytree(built, copy, ignore=skip)
    _add_downloads(copy, target)
    final = target.base / f"html-{staging.name.removeprefix('html-')}"
    os.replace(copy, final)
    link = target.base / ".html-link"
    link.unlink(missing_ok=True)
    os.symlink(final.name, link)
    if target.html.is_dir() and not target.html.is_symlink():
        shutil.rmtree(target.html)  # an older layout held the book in the folder itself
    os.replace(link, target.html)
    clean_stale(target)


def clean_stale(target: Target | None = None) -> None:
    """Remove what killed or failed builds left: unused book copies and staging folders."""
    target = target or paths.default_target()
    current = os.readlink(target.html) if target.html.is_symlink() else None
    for old in target.base.glob("html-*"):
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(target.base / ".staging", ignore_errors=True)
