"""Docker-free Neo4j Community 5.26 test server for crimegraph.

Builds (once) and runs ``tools/neo4j`` -- a tiny Java launcher around the real
Neo4j Community 5.26 LTS jars from Maven Central -- and exposes it as a context
manager with a Bolt URI.  Standard library only; the optional ``neo4j`` Python
driver is imported lazily to double-check connectivity.  Does not import
crimegraph.

Usage from tests/notebooks::

    # from the repo root (tests/ is a package); or sys.path.insert(0, "tests")
    from tests.neo4j_launcher import Neo4jServer, java_tools_missing

    reason = java_tools_missing()
    if reason:
        pytest.skip(reason)
    with Neo4jServer() as server:          # builds on first use, then starts
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None)
        ...

For humans: ``python tests/neo4j_launcher.py [--port 7687]`` builds, starts,
prints the URI and stays up until Ctrl-C.

The server listens on 127.0.0.1 only, has auth disabled and plain-text Bolt,
and keeps its data in a fresh temp dir that ``stop()`` deletes.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _find_project_root() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent, *here.parents, Path.cwd(), *Path.cwd().parents):
        if (candidate / "tools" / "neo4j" / "pom.xml").is_file():
            return candidate
    return here.parent


PROJECT_ROOT: Path = _find_project_root()
TOOLS_DIR: Path = PROJECT_ROOT / "tools" / "neo4j"
POM: Path = TOOLS_DIR / "pom.xml"
JAVA_SOURCES: Path = TOOLS_DIR / "src" / "main" / "java"
TARGET_DIR: Path = TOOLS_DIR / "target"
CLASSES_DIR: Path = TARGET_DIR / "classes"
LIB_DIR: Path = TARGET_DIR / "lib"
PLUGINS_DIR: Path = TARGET_DIR / "plugins"
"""The server-side procedures (``crimegraph.trace``) as a Neo4j plugin jar."""
MAIN_CLASS = "crimegraph.neo4j.TestServer"
COMPILED_CLASS: Path = CLASSES_DIR / "crimegraph" / "neo4j" / "TestServer.class"
BUILD_STAMP: Path = TARGET_DIR / ".crimegraph-build-stamp"
READY_MARKER = "CRIMEGRAPH_NEO4J_READY"

# Neo4j 5.26 runs on Java 17 and 21 only (not on 25).
PREFERRED_JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
MIN_JAVA = 17
MAX_JAVA = 21

DEFAULT_JVM_OPTS = ("-Xms512m", "-Xmx2g", "-XX:+UseParallelGC")


# --------------------------------------------------------------------------- java / maven


def _java_major_of_home(java_home: Path) -> int | None:
    release = java_home / "release"
    try:
        text = release.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    m = re.search(r'^JAVA_VERSION="([^"]+)"', text, re.MULTILINE)
    if m:
        return _parse_major(m.group(1))
    java = java_home / "bin" / "java"
    if java.is_file():
        return _java_major_of_exe(str(java))
    return None


def _parse_major(version: str) -> int | None:
    m = re.match(r"(\d+)(?:\.(\d+))?", version)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_292" style
        major = int(m.group(2))
    return major


def _java_major_of_exe(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "([^"]+)"', out.stderr + out.stdout)
    return _parse_major(m.group(1)) if m else None


def _preferred_java17_home() -> Path | None:
    candidates = [PREFERRED_JAVA_HOME]
    jvm_dir = Path("/usr/lib/jvm")
    if jvm_dir.is_dir():
        candidates += sorted(jvm_dir.glob("java-17-openjdk-*"))
    for c in candidates:
        if (c / "bin" / "java").is_file():
            return c
    return None


def java_env(base: dict | None = None) -> dict:
    """Environment for running java/mvn: pins JAVA_HOME to a JDK 17 when needed.

    If a JDK 17 exists under /usr/lib/jvm and JAVA_HOME is unset or points to a
    non-17 JDK, JAVA_HOME is set to it and its bin/ is put first on PATH.
    Otherwise the environment is returned unchanged (``java`` on PATH is used).
    """
    env = dict(os.environ if base is None else base)
    current = env.get("JAVA_HOME")
    if current and _java_major_of_home(Path(current)) == 17:
        return env
    jdk17 = _preferred_java17_home()
    if jdk17 is not None:
        env["JAVA_HOME"] = str(jdk17)
        env["PATH"] = str(jdk17 / "bin") + os.pathsep + env.get("PATH", "")
    return env


def java_executable(env: dict | None = None) -> str | None:
    env = java_env() if env is None else env
    home = env.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java", path=env.get("PATH"))


def _launcher_is_built() -> bool:
    if not (COMPILED_CLASS.is_file() and LIB_DIR.is_dir() and BUILD_STAMP.is_file()):
        return False
    if not any(LIB_DIR.glob("neo4j-*.jar")) or not any(PLUGINS_DIR.glob("*.jar")):
        return False
    try:
        return BUILD_STAMP.read_text(encoding="utf-8").strip() == _source_digest()
    except OSError:
        return False


def _source_digest() -> str:
    h = hashlib.sha256()
    for p in (POM, *sorted(JAVA_SOURCES.rglob("*.java"))):
        h.update(str(p.relative_to(TOOLS_DIR)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def java_tools_missing() -> str | None:
    """Why the Neo4j test server can't run here, or None if it can.

    Checks for a ``java`` of version 17..21 (after JAVA_HOME pinning, see
    :func:`java_env`) and, unless the launcher is already built and up to
    date, for ``mvn`` on PATH.
    """
    if not POM.is_file():
        return f"Neo4j launcher project not found ({POM})"
    env = java_env()
    java = java_executable(env)
    if not java:
        return "java (JDK 17) not found on PATH; install openjdk-17-jdk to run the Neo4j tests"
    major = _java_major_of_exe(java)
    if major is None:
        return f"could not determine the version of {java}"
    if major < MIN_JAVA:
        return f"{java} is Java {major}; Neo4j 5.26 needs Java 17 or 21"
    if major > MAX_JAVA:
        return (
            f"{java} is Java {major}; Neo4j 5.26 supports only Java 17 and 21 "
            "(set JAVA_HOME to a JDK 17)"
        )
    if not _launcher_is_built() and not shutil.which("mvn", path=env.get("PATH")):
        return "mvn (Maven) not found on PATH; it is needed once to build tools/neo4j"
    return None


@contextlib.contextmanager
def _build_lock():
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    lock_path = TARGET_DIR / ".build.lock"
    with open(lock_path, "a+") as fh:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):  # non-POSIX: best effort, no lock
            pass
        yield


def build_launcher(quiet: bool = True, timeout: float = 1800.0) -> Path:
    """Build tools/neo4j with Maven if needed; return the target dir.

    The target dir holds ``classes/`` (the launcher), ``lib/`` (Neo4j jars) and
    ``plugins/`` (crimegraph's server-side procedures). Maven runs only when one of
    them is missing or pom.xml / a Java source changed since the last successful build.  Safe to call
    from several processes at once (file lock).  Raises RuntimeError with the
    tail of Maven's output if the build fails.
    """
    if _launcher_is_built():
        return TARGET_DIR
    with _build_lock():
        if _launcher_is_built():  # another process built it while we waited
            return TARGET_DIR
        env = java_env()
        mvn = shutil.which("mvn", path=env.get("PATH"))
        if not mvn:
            raise RuntimeError("mvn (Maven) not found on PATH; cannot build tools/neo4j")
        cmd = [mvn, "-B"]
        if quiet:
            cmd.append("-q")
        cmd += ["-Dstyle.color=never", "-f", str(POM), "package"]
        log_path = TARGET_DIR / "maven-build.log"
        with open(log_path, "w", encoding="utf-8", errors="replace") as log:
            try:
                if quiet:
                    proc = subprocess.run(
                        cmd,
                        cwd=str(TOOLS_DIR),
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        timeout=timeout,
                    )
                else:
                    proc = subprocess.Popen(
                        cmd,
                        cwd=str(TOOLS_DIR),
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                        errors="replace",
                    )
                    assert proc.stdout is not None
                    for line in proc.stdout:
                        sys.stderr.write(line)
                        log.write(line)
                    proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(
                    f"Maven build of tools/neo4j timed out after {timeout:.0f}s:\n"
                    + _tail(log_path)
                ) from None
        if proc.returncode != 0 or not COMPILED_CLASS.is_file() or not LIB_DIR.is_dir():
            raise RuntimeError(
                f"Maven build of tools/neo4j failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                + _tail(log_path)
            )
        BUILD_STAMP.write_text(_source_digest() + "\n", encoding="utf-8")
    return TARGET_DIR


def launcher_classpath() -> str:
    return os.pathsep.join([str(CLASSES_DIR), str(LIB_DIR / "*")])


# --------------------------------------------------------------------------- server


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(_ANSI.sub("", text).splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", port))
            return True
        except OSError:
            return False


_LIVE_SERVERS: set[Neo4jServer] = set()
_LIVE_LOCK = threading.Lock()


def _stop_all_at_exit() -> None:
    with _LIVE_LOCK:
        servers = list(_LIVE_SERVERS)
    for s in servers:
        with contextlib.suppress(Exception):
            s.stop()


atexit.register(_stop_all_at_exit)


class Neo4jServer:
    """A throwaway Neo4j Community 5.26 server on 127.0.0.1 (auth off).

    Usage::

        with Neo4jServer() as srv:
            print(srv.uri)          # bolt://127.0.0.1:<free port>
    """

    def __init__(
        self,
        port: int | None = None,
        jvm_opts: tuple = DEFAULT_JVM_OPTS,
        pagecache_mb: int = 256,
        keep_home: bool = False,
    ) -> None:
        self.requested_port = port
        self.jvm_opts = tuple(jvm_opts)
        self.pagecache_mb = pagecache_mb
        self.keep_home = keep_home
        self.port: int | None = None
        self.uri: str | None = None
        self.home: Path | None = None
        self.log_path: Path | None = None
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen | None = None
        self._log = None

    # -- lifecycle -----------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 120.0) -> Neo4jServer:
        if self.is_running():
            return self
        reason = java_tools_missing()
        if reason:
            raise RuntimeError(reason)
        build_launcher()
        t0 = time.monotonic()
        attempts = 1 if self.requested_port else 3
        last_error: RuntimeError | None = None
        for _ in range(attempts):
            try:
                self._start_once(timeout - (time.monotonic() - t0))
                self.start_seconds = time.monotonic() - t0
                return self
            except RuntimeError as e:
                last_error = e
                port_race = "Address already in use" in str(e)
                self.stop()
                if not port_race or time.monotonic() - t0 >= timeout:
                    break
        assert last_error is not None
        raise last_error

    def _start_once(self, timeout: float) -> None:
        self.port = self.requested_port or _free_port()
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self.home = Path(tempfile.mkdtemp(prefix="crimegraph-neo4j-"))
        self.log_path = self.home / "neo4j-launcher.log"
        env = java_env()
        env["CRIMEGRAPH_NEO4J_PARENT_PID"] = str(os.getpid())
        env["CRIMEGRAPH_NEO4J_PAGECACHE_MB"] = str(self.pagecache_mb)
        env["CRIMEGRAPH_NEO4J_PLUGINS"] = str(PLUGINS_DIR)
        java = java_executable(env) or "java"
        cmd = [
            java,
            *self.jvm_opts,
            "-cp",
            launcher_classpath(),
            MAIN_CLASS,
            str(self.home),
            str(self.port),
        ]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            cmd,
            cwd=str(self.home),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal must not hit java before stop()
        )
        with _LIVE_LOCK:
            _LIVE_SERVERS.add(self)
        deadline = time.monotonic() + max(timeout, 1.0)
        ready = False
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"Neo4j test server exited with code {self._proc.returncode} during startup "
                    f"(cmd: {' '.join(cmd)}); log tail:\n{_tail(self.log_path)}"
                )
            if not ready:
                ready = READY_MARKER in _read(self.log_path) or _port_open(self.port)
            if ready and self._driver_ok():
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"Neo4j test server did not become ready within {timeout:.0f}s; log tail:\n"
            + _tail(self.log_path)
        )

    def _driver_ok(self) -> bool:
        try:
            import neo4j  # optional dependency
        except ImportError:
            return READY_MARKER in _read(self.log_path)
        try:
            # Short timeouts: something else may hold the port (then java dies with a bind
            # error, which the caller's poll() notices) and must not stall the wait loop.
            with neo4j.GraphDatabase.driver(
                self.uri, auth=None, connection_timeout=2.0, connection_acquisition_timeout=3.0
            ) as drv:
                drv.verify_connectivity()
            return True
        except Exception:
            return False

    def stop(self, timeout: float = 30.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(timeout=30)
        with _LIVE_LOCK:
            _LIVE_SERVERS.discard(self)
        if self._log is not None:
            with contextlib.suppress(Exception):
                self._log.close()
            self._log = None
        if self.home is not None and not self.keep_home:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    # -- helpers ---------------------------------------------------------------

    def driver(self, **kwargs):
        """A ``neo4j`` driver for this server (caller closes it)."""
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=None, **kwargs)

    def rss_bytes(self) -> int | None:
        """Resident set size of the java process (Linux /proc), or None."""
        if not self.is_running():
            return None
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines) if self.log_path else ""

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<Neo4jServer {self.uri or '-'} {state}>"


def _read(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------- CLI


def main(argv: list | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        description="Build and run a throwaway Neo4j Community 5.26 server for crimegraph "
        "(127.0.0.1 only, auth off, data in a temp dir deleted on exit)."
    )
    ap.add_argument("--port", type=int, default=None, help="Bolt port (default: a free one)")
    ap.add_argument("--timeout", type=float, default=180.0, help="startup timeout in seconds")
    ap.add_argument("--verbose-build", action="store_true", help="show Maven output")
    args = ap.parse_args(argv)

    reason = java_tools_missing()
    if reason:
        print(f"cannot start Neo4j: {reason}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    build_launcher(quiet=not args.verbose_build)
    print(f"launcher built/checked in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    server = Neo4jServer(port=args.port)

    def _on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        server.start(timeout=args.timeout)
        print(server.uri, flush=True)
        print(
            f"Neo4j up in {server.start_seconds:.1f}s (pid {server.pid}, home {server.home}); "
            "auth is off: neo4j.GraphDatabase.driver(uri, auth=None). Ctrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )
        while server.is_running():
            time.sleep(1.0)
        print("Neo4j exited unexpectedly; log tail:\n" + server.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping Neo4j...", file=sys.stderr)
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
