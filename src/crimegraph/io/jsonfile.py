"""Case files: the JSON form of :class:`~crimegraph.Case`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from .._gc import gc_paused
from ..errors import CaseFileError, InvalidCase
from ..model import Case
from ..model._json import parse_case_json

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
        raw = file.read_bytes()
    except FileNotFoundError:
        raise CaseFileError(f"case file not found: {file}") from None
    except OSError as exc:
        raise CaseFileError(f"cannot read case file {file}: {exc}") from exc
    with gc_paused():  # one pause over parsing and validation: millions of new objects
        data: Any = parse_case_json(raw, str(file))
        del raw
        try:
            return Case.model_validate(data)
        except InvalidCase as exc:
            raise InvalidCase(exc.problems, source=str(file)) from None


def case_to_json(case: Case) -> str:
    """The case file text for ``case``: stable key order, UTF-8, two-space indents.

    Records are immutable, but the lists of a case and of its records are not: something
    appended after the case was built has not been checked. So the case is validated again
    first, as reading the file would, and a case that would not read back is never written.

    Raises
    ------
    InvalidCase
        If the case, as it is now, has problems (listed by record, field and value).
    """
    checked = Case.model_validate(
        case.model_dump(exclude_defaults=True, round_trip=True, warnings=False)
    )
    data = checked.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_case(case: Case, path: PathLike) -> Path:
    """Write ``case`` as a JSON case file; the same case always gives the same bytes.

    Reading the file back with :func:`read_case` gives an equal case: the case is checked
    again before anything is written (see :func:`case_to_json`), so a file is never written
    that would not read back. NaN and infinity never reach the file (strict JSON).

    The file is replaced whole or not at all: the text goes to a temporary file beside it,
    which then takes its name in one step. A write that fails (disk full, killed process)
    leaves the file as it was, never a half-written case.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InvalidCase
        If the case has problems; nothing is written.
    CaseFileError
        If the file cannot be written (missing folder, a folder of that name, no
        permission, disk full); the message names the file, which is left as it was.
    """
    file = Path(path)
    text = case_to_json(case)  # before opening: a rejected case leaves no file behind
    if file.is_dir():
        raise CaseFileError(f"cannot write case file {file}: it is a folder; give a file name")
    if not file.parent.is_dir():
        raise CaseFileError(f"cannot write case file {file}: folder {file.parent} does not "
                            "exist; create it first")
    real = Path(os.path.realpath(file))  # through a link, replace the file it points to
    temp = real.with_name(f".{real.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        # opened as the file itself would be (permissions follow the umask), never reused
        with temp.open("xb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        if real.exists():  # keep the permissions of the file it replaces
            with contextlib.suppress(OSError):
                shutil.copymode(real, temp)
        os.replace(temp, real)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise CaseFileError(f"cannot write case file {file}: {exc.strerror or exc}; the "
                                "file was left as it was") from exc
        raise
    return file
