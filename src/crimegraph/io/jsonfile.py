"""Case files: the JSON form of :class:`~crimegraph.Case`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import CaseFileError, InvalidCase
from ..model import Case

__all__ = ["case_to_json", "read_case", "write_case"]

PathLike = str | os.PathLike[str]


def read_case(path: PathLike) -> Case:
    """Read and validate a case file.

    Parameters
    ----------
    path : str or path-like
        A JSON case file, as written by :func:`write_case`.

    Returns
    -------
    Case
        The validated case.

    Raises
    ------
    CaseFileError
        If the file is missing or is not valid JSON (the message gives line and column).
    InvalidCase
        If records are invalid; the message lists every problem and names the file.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.read_case(cg.example_path("fake_liquor"))
    >>> case.id
    'fake-liquor-zhou'
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"case file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"cannot read case file {file}: {exc}") from exc
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(
            f"{file}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    try:
        return Case.model_validate(data)
    except InvalidCase as exc:
        raise InvalidCase(exc.problems, source=str(file)) from None


def case_to_json(case: Case) -> str:
    """The case file text for ``case``: stable key order, UTF-8, two-space indents."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_case(case: Case, path: PathLike) -> Path:
    """Write ``case`` as a JSON case file; the same case always gives the same bytes.

    Reading the file back with :func:`read_case` gives an equal case.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    file = Path(path)
    file.write_text(case_to_json(case), encoding="utf-8")
    return file
