"""The one exception type the project raises for problems a user can fix, and how to list them."""


class BookError(Exception):
    """A user-facing error: bad data, a bad parameter, a failed notebook or build.

    The message names the file, row/column or parameter involved, so the CLI prints it
    without a traceback and exits non-zero.
    """


MAX_REPORTED = 20


def summarise(problems: list[str]) -> str:
    """Problems as one message, at most ``MAX_REPORTED`` lines."""
    more = len(problems) - MAX_REPORTED
    return "\n".join(problems[:MAX_REPORTED] + ([f"... and {more} more problems"] if more > 0 else []))
