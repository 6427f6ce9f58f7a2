"""Build a target's HTML with Jupyter Book, incrementally, and hand it to publishing.

Sphinx keeps its environment in the target's ``.sphinx`` folder and re-reads only the pages whose
files changed (and the pages that glue from a chapter that changed). When no input changed,
Sphinx is not started at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from alliance_book import pages, paths, provenance, publish
from alliance_book.errors import BookError
from alliance_book.paths import Target


def _jupyter_book() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "jupyter_book.cli.main"]


def html_inputs(target: Target | None = None) -> dict[str, str]:
    """Hash of every file the HTML is built from: configuration, pages, executed chapters, environment."""
    target = target or paths.default_target()
    files = [target.source / "_config.yml", target.source / "_toc.yml", paths.ROOT / "requirements.lock"]
    files += sorted(p for p in target.book.rglob("*") if p.is_file() and not p.name.startswith("."))
    files += sorted((target.source / "locales").rglob("*.po")) if not target.is_source_language else []
    return {str(f.relative_to(target.source)) if f.is_relative_to(target.source) else f.name: provenance.file_hash(f)
            for f in files}


_CROSS_PAGE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)::")


def _touch_cross_page_readers(old: dict[str, str], new: dict[str, str], target: Target | None = None) -> list[Path]:
    """Mark for re-reading every page that glues (``path::key``) from a chapter whose file changed.

    Sphinx re-reads a page only when its own file changed; a value glued from another page would
    otherwise stay stale.
    """
    book, chapters = (target.book, target.chapters) if target else (paths.BOOK, paths.CHAPTERS)
    changed = {Path(f).stem for f in new if f.startswith("book/chapters/") and old.get(f) != new[f]}
    touched: list[Path] = []
    if not changed:
        return touched
    for page in sorted(book.rglob("*.md")) + sorted(chapters.glob("*.ipynb")):
        text = page.read_text(encoding="utf-8")
        if any(Path(ref).stem in changed for ref in _CROSS_PAGE.findall(text)):
            page.touch()
            touched.append(page)
    return touched


def build_html(force: bool = False, target: Target | None = None) -> bool:
    """Build the book into the target's ``html``; return False when nothing it is made from changed.

    Sphinx keeps its environment in the target's ``.sphinx`` and re-reads only the pages whose
    files changed (and the pages that glue from them). The result is copied, with each chapter's
    downloads, and published only after a build with no warning; on failure the last good book
    stays and the next build starts from scratch.
    """
    target = target or paths.default_target()
    if not target.is_default and target.is_source_language:
        pages.sync_edition_source(target)
    missing = [p for p in pages.toc_chapters(target) if not p.is_file()]
    if missing:
        names = ", ".join(paths.display(p) for p in missing)
        raise BookError(f"executed chapters missing: {names}; run `alliance-book run` first")
    pages.write_generated(target=target)
    stamp = target.sphinx / "inputs.json"
    new = html_inputs(target)
    try:
        old = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        old = {}
    if not force and old == new and (target.html / "index.html").is_file():
        return False
    building = target.sphinx / "BUILDING"
    # Sphinx re-reads a page when the page's catalog changes, but not when an interface catalog
    # (sphinx.po: the theme's words on every page) does: then every page is written afresh.
    interface = any(old.get(f) != h for f, h in new.items() if f.startswith("locales/") and "/LC_MESSAGES/book/" not in f)
    if force or building.exists() or (interface and old):
        # Forced, or a build was interrupted: its environment may be half written; start afresh.
        shutil.rmtree(target.sphinx, ignore_errors=True)
    _touch_cross_page_readers(old, new, target)
    target.sphinx.mkdir(parents=True, exist_ok=True)
    building.write_text(str(os.getpid()), encoding="utf-8")
    cmd = _jupyter_book() + ["build", str(target.source), "--path-output", str(target.sphinx), "-W", "--keep-going", "-q"]
    result = subprocess.run(cmd, cwd=target.source, capture_output=True, text=True)
    built = target.sphinx / "_build" / "html"
    if result.returncode != 0 or not (built / "index.html").is_file():
        shutil.rmtree(target.sphinx, ignore_errors=True)  # a half-updated environment is not reused
        log = (result.stdout + result.stderr).strip()
        raise BookError(
            f"jupyter-book build failed (exit {result.returncode}); the last good book in "
            f"{paths.display(target.html)} is unchanged.\n{log[-6000:]}"
        )
    # Sphinx's environment is complete: the marker goes before publishing, and the stamp that says
    # "up to date" only after, so a kill at any point here is repaired by the next build.
    building.unlink()
    publish.publish(built, target)
    stamp.write_text(json.dumps(new, indent=1, sort_keys=True), encoding="utf-8")
    return True
