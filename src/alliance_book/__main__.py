"""``python -m alliance_book`` runs the command-line interface."""

from alliance_book.cli import app

app(prog_name="alliance-book")
