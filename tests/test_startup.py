"""Start-up: ``import crimegraph`` and the command's ``--help`` load no heavy library, the public
names still resolve, and a second process's first trace loads the compiled kernels from disk.

These are behaviours (which modules load, whether numba compiles), not timings: the times are in
``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import crimegraph as cg

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
HEAVY = ("numba", "llvmlite", "igraph", "scipy", "matplotlib", "neo4j", "networkx", "pandas",
         "numpy", "pydantic")
MARK = "---modules---"


def _run(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter that imports the crimegraph under test."""
    base = {**os.environ, "MPLBACKEND": "Agg"}
    base["PYTHONPATH"] = os.pathsep.join([str(SRC), base.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            env={**base, **(env or {})}, capture_output=True, text=True,
                            encoding="utf-8", timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _loaded_after(code: str) -> set[str]:
    out = _run(textwrap.dedent(code) + f"\nimport sys\nprint({MARK!r})\nprint(' '.join(sys.modules))\n")
    modules = out.split(MARK, 1)[1].split()
    return {name.split(".")[0] for name in modules}


def test_import_crimegraph_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import crimegraph\nassert crimegraph.__version__")
    assert "crimegraph" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["trace", "--help"],
                                  ["validate", "--help"]])
def test_cli_help_and_version_load_no_heavy_library(argv: list[str]) -> None:
    loaded = _loaded_after(f"""
        from crimegraph.cli import main
        try:
            main({argv!r})
        except SystemExit as exc:
            assert exc.code == 0, exc.code
    """)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_numba_loads_on_the_first_trace_not_before() -> None:
    out = _run("""
        import sys
        import crimegraph as cg
        from crimegraph import CaseGraph, trace_chain
        graph = CaseGraph(cg.load_example("counterfeit_oil"))
        print("numba" in sys.modules, "networkx" in sys.modules, "matplotlib" in sys.modules)
        chain = trace_chain(graph, "W-DEN-01")
        print("numba" in sys.modules, len(chain.transactions))
    """)
    before, after = out.splitlines()
    assert before == "False False False"
    assert after.startswith("True ")


def test_every_public_name_resolves_to_its_home_object() -> None:
    import importlib

    from crimegraph import _EXPORTS, _SUBMODULES

    assert set(_EXPORTS) == set(cg.__all__) - {"__version__"}
    for name in cg.__all__:
        value = getattr(cg, name)
        if name != "__version__":
            home = importlib.import_module(f"crimegraph.{_EXPORTS[name]}")
            assert value is getattr(home, name), name
    assert set(cg.__all__) | set(_SUBMODULES) <= set(dir(cg))
    assert cg.store.case_to_networkx is importlib.import_module("crimegraph.model.projection").case_to_networkx
    with pytest.raises(AttributeError, match="no attribute 'trace_chian'"):
        cg.trace_chian  # type: ignore[attr-defined]  # noqa: B018


def test_star_import_and_from_import_work_in_a_fresh_process() -> None:
    out = _run("""
        from crimegraph import *  # noqa: F403
        from crimegraph import trace_chain, Case, InvalidCase, plot_chain, example_path
        import crimegraph as cg
        assert trace_chain is cg.trace_chain and Case is cg.Case
        print(len(cg.__all__), Neo4jStore.__name__)
    """)
    assert out.split() == [str(len(cg.__all__)), "Neo4jStore"]


TRACES = """
    import numba.core.event as event
    import crimegraph as cg

    case = cg.load_example("counterfeit_oil")
    with event.install_recorder("numba:compile") as compiled:
        cg.trace_chain(case, "W-DEN-01")
        cg.trace_chain(case, "SHOP-17", direction="upstream", max_hops=3)
        cg.trace_chain(case, "W-DEN-01", time_respecting=False)
    print(len(compiled.buffer))
"""


@pytest.mark.slow
def test_a_second_process_loads_the_kernels_from_the_disk_cache(tmp_path: Path) -> None:
    env = {"NUMBA_CACHE_DIR": str(tmp_path)}
    assert int(_run(TRACES, env)) > 0  # a cold cache: the first process compiles
    assert list(tmp_path.rglob("*_jit.*.nbi")), "no kernel was written to the cache"
    assert int(_run(TRACES, env)) == 0  # the next process compiles nothing
