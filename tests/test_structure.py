"""The package's structure, drawn from its imports: one direction, no cycles, each chapter in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import alliance_book

PACKAGE = Path(alliance_book.__file__).resolve().parent
CHAPTERS = "alliance_book.chapters."
STAGES = {"alliance_book.pipeline", "alliance_book.cli", "alliance_book.pages", "alliance_book.sphinxbuild",
          "alliance_book.publish", "alliance_book.execute", "alliance_book.params", "alliance_book.changes"}


def imports() -> dict[str, set[str]]:
    """Module -> the project modules it imports (at the top or inside functions)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("alliance_book", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("alliance_book"):
                if node.module in ("alliance_book", "alliance_book.chapters"):
                    deps |= {f"{node.module}.{alias.name}" for alias in node.names}
                else:
                    deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("alliance_book")}
        found[name] = deps - {name}
    return found


def test_imports_have_no_cycle():
    graph, done, active = imports(), set(), []

    def visit(module: str) -> None:
        active.append(module)
        for dep in graph.get(module, ()):
            assert dep not in active, " -> ".join([*active[active.index(dep):], dep])
            if dep not in done:
                visit(dep)
        active.pop()
        done.add(module)

    for module in graph:
        if module not in done:
            visit(module)


def test_chapter_modules_import_shared_layers_only():
    """A chapter never imports another chapter or a stage of the pipeline; no shared layer imports a chapter."""
    graph = imports()
    for module, deps in graph.items():
        if module.startswith(CHAPTERS):
            chapter = CHAPTERS + module[len(CHAPTERS):].split(".")[0]  # a chapter may be a package of modules
            assert not {d for d in deps if d.startswith(CHAPTERS) and d.split(".")[:3] != chapter.split(".")}, module
            assert not deps & STAGES, module
        else:
            assert not {d for d in deps if d.startswith(CHAPTERS)}, module


def test_the_command_line_only_calls_the_pipeline():
    deps = imports()["alliance_book.cli"]
    # The whole operations it calls: build (pipeline), print (pdf), sweep and the translation
    # catalogs (translations), each an API of its own.
    assert deps <= {"alliance_book.pipeline", "alliance_book.pdf", "alliance_book.sweep", "alliance_book.translations",
                    "alliance_book.paths",
                    "alliance_book.errors", "alliance_book.changes", "alliance_book.claims", "alliance_book.params",
                    "alliance_book.explain"}, deps


def test_every_notebook_has_its_chapter_module_or_uses_shared_layers_only():
    """Notebooks import chapter code only from alliance_book.chapters."""
    import nbformat

    from alliance_book import params

    for path in params.notebooks():
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "alliance_book":
                names = {a.name for a in node.names}
                assert names <= {"claims", "data", "plotting", "report", "i18n"}, (path.name, names)


def test_every_module_says_its_job_in_its_first_line():
    for path in PACKAGE.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and doc.splitlines()[0].strip(), path.name
