"""Reading and writing case files, and the bundled example cases."""

from __future__ import annotations

from .examples import example_names, load_example
from .jsonfile import read_case, write_case

__all__ = ["example_names", "load_example", "read_case", "write_case"]
