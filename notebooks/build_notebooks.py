"""Write the investigation notebooks of ``notebooks/`` from their paired scripts.

Each notebook is kept as a script in the jupytext "percent" format (``01_load_a_case.py``:
``# %%`` starts a code cell, ``# %% [markdown]`` a text cell), so that ruff and mypy check its
code like the rest of the project and a review reads plain text. This script writes the
``.ipynb`` beside each script, reproducibly: cell ids are derived from the notebook number and
the cell position, and no outputs are stored. Run from the project root::

    python notebooks/build_notebooks.py            # (re)writes notebooks/*.ipynb
    python notebooks/build_notebooks.py --check    # exit 1 if a notebook differs from its script

Editing in Jupyter instead: open the ``.ipynb`` with jupytext's pairing (``jupytext --sync``)
or edit the script and rebuild. Open a notebook in Jupyter with ``notebooks/`` as the working
directory (Jupyter's default when you open it from there); each reads its case from
``../fixtures/``. The test suite runs every notebook top to bottom (``tests/test_notebooks.py``)
and then checks, in the notebook's kernel, the numbers its "What we found" cell quotes. The
checks live in the test, not in the cells, so that an analyst can copy any cell as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent

KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def scripts() -> list[Path]:
    """The notebook scripts: ``NN_name.py`` in ``notebooks/``, in order."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def build(script: Path) -> nbformat.NotebookNode:
    """The notebook of ``script``: its cells, stable cell ids, no outputs, the python3 kernel."""
    read = jupytext.read(script, fmt="py:percent")
    nb = nbformat.v4.new_notebook()
    nb.metadata = KERNEL
    stem = script.name.split("_", 1)[0]
    for number, cell in enumerate(read.cells):
        made = (nbformat.v4.new_markdown_cell(cell.source) if cell.cell_type == "markdown"
                else nbformat.v4.new_code_cell(cell.source))
        made.id = f"nb{stem}-{number:02d}"
        nb.cells.append(made)
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the notebooks on disk match their scripts")
    args = parser.parse_args(argv)
    stale = []
    for script in scripts():
        path = script.with_suffix(".ipynb")
        text = render(build(script))
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote notebooks/{path.name}")
    orphans = sorted({p.stem for p in HERE.glob("[0-9][0-9]_*.ipynb")}
                     - {s.stem for s in scripts()})
    if orphans:
        print("notebooks without a script (keep each notebook as notebooks/NN_name.py): "
              + ", ".join(f"{o}.ipynb" for o in orphans), file=sys.stderr)
        return 1
    if stale:
        print("out of date (run python notebooks/build_notebooks.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
