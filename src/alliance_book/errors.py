"""The one exception type the project raises for problems a user can fix."""


class BookError(Exception):
    """A user-facing error: bad data, a bad parameter, a failed notebook or build.

    The message names the file, row/column or parameter involved, so the CLI prints it
    without a traceback and exits non-zero.
    """
