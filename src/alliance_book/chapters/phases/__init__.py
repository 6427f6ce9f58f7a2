"""The chapter "Phases of the alliance": one package, used by its notebook as ``phases``.

``core`` selects the host country's tables and computes their numbers, ``law`` what US law says
about the force and who pays for it, ``figures`` draws the chapter's figures.
"""

from alliance_book.chapters.phases.core import *  # noqa: F403
from alliance_book.chapters.phases.figures import *  # noqa: F403
from alliance_book.chapters.phases.law import *  # noqa: F403
