"""What an executed chapter was made from: notebook, parameters, data files read, code, environment.

Each is recorded as a content hash in the executed notebook's metadata (``alliance_book.inputs``),
so a change report can say why a chapter changed and a cache can tell when it must run again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from alliance_book import paths

KEY = "alliance_book"
PACKAGE = Path(__file__).resolve().parent


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (or 'missing')."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def code_hash() -> str:
    """One hash over the package's own source files, the book's languages and the catalogs of the
    text that code writes (``locales/LANG/LC_MESSAGES/code/``): a chapter writes its text in every language."""
    from alliance_book import i18n

    digest = hashlib.sha256(" ".join(i18n.languages()).encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + path.read_bytes())
    for lang in i18n.languages():
        for po in i18n.code_catalogs(lang):
            digest.update(po.relative_to(paths.LOCALES).as_posix().encode() + po.read_bytes())
    return digest.hexdigest()


def environment_hash() -> str:
    """Hash of the pinned environment (requirements.lock), or 'unpinned'."""
    lock = paths.ROOT / "requirements.lock"
    return file_hash(lock) if lock.is_file() else "unpinned"


def notebook_hash(path: Path) -> str:
    """Hash of a source notebook's cells (sources and metadata), ignoring outputs and notebook metadata."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [{"type": c["cell_type"], "source": c["source"], "tags": c.get("metadata", {}).get("tags", [])}
             for c in nb["cells"]]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def data_hashes(files: list[Path]) -> dict[str, str]:
    """Content hashes of the data files a chapter read, by the path a user would read."""
    return {paths.display(f): file_hash(f) for f in sorted(set(files), key=str)}


def inputs(notebook: Path, parameters: dict[str, Any], data_files: list[Path]) -> dict[str, Any]:
    """Everything an executed chapter depends on, as hashes."""
    return {
        "notebook": notebook_hash(notebook),
        "parameters": json.loads(json.dumps(parameters, sort_keys=True, default=str)),
        "data": data_hashes(data_files),
        "code": code_hash(),
        "environment": environment_hash(),
    }


def recorded(nb: Any) -> dict[str, Any]:
    """The inputs recorded in an executed notebook (empty if none)."""
    return dict(nb.get("metadata", {}).get(KEY, {}).get("inputs", {}))


def recorded_in(path: Path) -> dict[str, Any]:
    """The inputs recorded in an executed notebook's file (empty if it has none or cannot be read)."""
    try:
        return recorded(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError):
        return {}


def what_changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a chapter's inputs differ, in words: code, parameters, or which data files."""
    if not old:
        return ["first run"]
    reasons = []
    if old.get("notebook") != new.get("notebook"):
        reasons.append("notebook changed")
    old_p, new_p = old.get("parameters", {}), new.get("parameters", {})
    changed = sorted(k for k in set(old_p) | set(new_p) if old_p.get(k) != new_p.get(k))
    if changed:
        reasons.append("parameters changed: " + ", ".join(changed))
    old_d, new_d = old.get("data", {}), new.get("data", {})
    files = sorted(f for f in set(old_d) | set(new_d) if old_d.get(f) != new_d.get(f))
    if files:
        reasons.append("data changed: " + ", ".join(files))
    if old.get("code") != new.get("code"):
        reasons.append("package code changed")
    if old.get("environment") != new.get("environment"):
        reasons.append("environment changed")
    return reasons
