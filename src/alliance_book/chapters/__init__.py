"""One module per chapter: what the chapter computes from its tables and the figures it draws.

A chapter is its notebook (``notebooks/NN_name.ipynb``), its module here, its block in
``params/default.yaml`` and its datasets in ``data/``. Chapter modules import the shared layers
(``data``, ``plotting``, ``report``, ``claims``), never each other.
"""
