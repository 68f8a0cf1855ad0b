"""The example cases bundled with crimegraph (synthetic; every name is invented)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import CrimeGraphError
from ..model import Case

__all__ = ["example_names", "example_path", "load_example"]

_EXAMPLES = ("counterfeit_oil", "fake_liquor")


def example_names() -> list[str]:
    """Names accepted by :func:`load_example`."""
    return list(_EXAMPLES)


def example_path(name: str) -> Path:
    """Path of a bundled example case file (inside the installed package or the checkout)."""
    if name not in _EXAMPLES:
        raise CrimeGraphError(
            f"no example case named {name!r}; available: {', '.join(_EXAMPLES)}"
        )
    packaged = resources.files("crimegraph").joinpath("examples").joinpath(f"{name}.json")
    if packaged.is_file():
        return Path(str(packaged))
    # An editable install or a plain checkout: the files live in the project's fixtures/.
    checkout = Path(__file__).resolve().parents[3] / "fixtures" / f"{name}.json"
    if checkout.is_file():
        return checkout
    raise CrimeGraphError(
        f"example case {name!r} is missing from this installation (looked in the package and "
        f"in {checkout.parent}); reinstall crimegraph"
    )


def load_example(name: str) -> Case:
    """A bundled example case: ``"counterfeit_oil"`` or ``"fake_liquor"``.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.load_example("counterfeit_oil")
    >>> len(case.warehouses)
    7
    """
    from .jsonfile import read_case

    return read_case(example_path(name))
