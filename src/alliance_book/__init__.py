"""Shared logic for the ROK-US alliance analysis book: paths, data, parameters, execution, build."""

__version__ = "0.1.0"
