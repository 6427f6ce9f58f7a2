"""The chapter "Checking the sources": every claim of the chosen articles, checked against the data.

The verdicts come from ``claims``; this module chooses the articles, loads the datasets the claims
refer to (with any files swapped in by the ``datasets`` parameter) and lays out the chapter's
lists and tables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from alliance_book import claims, paths
from alliance_book.errors import BookError
from alliance_book.i18n import _


def for_articles(ledger: pd.DataFrame, articles: list[str]) -> pd.DataFrame:
    """The claims of the articles asked for; an article with no claim is an error naming the parameter."""
    unknown = [a for a in articles if a not in set(ledger["article"])]
    if unknown:
        raise BookError(f"parameter articles: no claims for {', '.join(unknown)} in {ledger.attrs.get('file')}; "
                        f"articles there: {', '.join(sorted(ledger['article'].unique()))}")
    return ledger[ledger["article"].isin(articles)]


def load_datasets(ledger: pd.DataFrame, files: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Every dataset the claims refer to, from ``files`` where given (by dataset name), else from data/."""
    from alliance_book import data, datapackage

    names = sorted(ledger["dataset"].dropna().unique())
    known = datapackage.resource_names()
    unknown = [n for n in files if n not in known]
    if unknown:
        raise BookError(f"parameter datasets: unknown datasets {', '.join(unknown)}; datasets: {', '.join(known)}")
    related = {n: paths.data_file(p) for n, p in files.items()}
    return {n: data.load(n, related.get(n), related=related) for n in names}


def differs_markdown(checked: pd.DataFrame) -> Any:
    """The claims that differ from the data, each with the data value and why, as a Markdown list (in
    the current language: our rendering of each claim translated, the article's Thai words as they are)."""
    from IPython.display import Markdown

    rows = checked[checked["verdict"] == claims.DIFFERS]
    if rows.empty:
        return Markdown(_("No claim differs from the data."))
    # TRANSLATORS: one item of a list: our rendering of a claim, the article's own (Thai) words, and why the data differ.
    item = _("{claim} (the article: \u201c{fragment}\u201d) {why}")
    lines = ["- " + item.format(claim=claims.rendering(r["paraphrase_en"]), fragment=r["fragment_th"], why=claims.why(r))
             for r in rows.to_dict("records")]
    return Markdown("\n".join(lines))


def article_labels(bib: Path | None = None) -> dict[str, str]:
    """Article key -> author-year label (``park2024`` -> ``Park (2024)``), from ``book/references.bib``, in
    the current language (the year as the bibliography gives it)."""
    from pybtex.database import parse_file

    from alliance_book.datapackage import record_read

    bib = bib or paths.BOOK / "references.bib"
    record_read(bib)  # the chapter depends on it: a changed entry re-runs the chapter
    entries = parse_file(str(bib)).entries
    labels = {}
    for key, entry in entries.items():
        people = entry.persons.get("author", [])
        name = " ".join(people[0].last_names) if people else entry.fields.get("title", key)
        name = re.sub(r"[{}]", "", name)
        # TRANSLATORS: "no date", in an author-year label.
        year = entry.fields.get("year", _("n.d."))
        # TRANSLATORS: an author-year label of an article with more than two authors: Allen et al. (2020).
        labels[key] = (_("{name} et al. ({year})") if len(people) > 2 else "{name} ({year})").format(name=name, year=year)
    return labels


def ledger_table(checked: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Every checked claim, with the article it comes from, as readers see it."""
    return pd.concat([checked["article"].map(lambda a: labels.get(a, a)).rename(_("Article")).reset_index(drop=True),
                      claims.table(checked).reset_index(drop=True)], axis=1)


def ledger_glue(checked: pd.DataFrame, labels: dict[str, str]) -> Any:
    """The ledger table as the chapter glues it: verdicts as badges."""
    from alliance_book import report

    return report.Table(ledger_table(checked, labels), claims.BADGES)
