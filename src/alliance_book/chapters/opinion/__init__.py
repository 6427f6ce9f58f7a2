"""The chapter on public opinion: one package, used by its notebook as ``opinion``.

``core`` selects and summarises the survey series, ``text`` says what they found in sentences,
``figures`` draws them.
"""

from alliance_book.chapters.opinion.core import *  # noqa: F403
from alliance_book.chapters.opinion.figures import *  # noqa: F403
from alliance_book.chapters.opinion.text import *  # noqa: F403
