"""Start a real Neo4j 5.26 community server from Maven Central jars (no Docker, no tarball).

    python -m graph.neo4j_server fetch   # only download the jars (~123 MB, once)
    python -m graph.neo4j_server start   # print NEO4J_URI/USER/PASSWORD, run until Ctrl-C

The jars of org.neo4j:neo4j contain the server entry point and neo4j-admin, so
`java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint --home-dir=...` is a full server,
configured here with `-c key=value` settings. Needs Java 17+ and (for the first fetch) Maven.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
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
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neo4j import Driver

POM_PATH = Path(__file__).with_name("neo4j_pom.xml")
SERVER_MAIN = "org.neo4j.server.CommunityEntryPoint"
ADMIN_MAIN = "org.neo4j.cli.AdminTool"
DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "policykg-test"
CONSOLE_LOG = "console.log"
_COMPLETE_MARKER = ".complete"

# JVM flags from Neo4j's default neo4j.conf that matter here: without the add-opens the
# page cache falls back to a slower path and netty cannot use direct buffers.
_JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dlog4j2.disable.jmx=true",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    # Not Neo4j's default (G1). A flight recording of batched pushes showed G1 pausing ~13% of the
    # time; with the throughput collector a warm push of 109k relationships went from 22.0k/26.3k to
    # 27.9k/29.9k rels/s (servers alternated, 2 cores). Pauses are longer, which a development,
    # CI or benchmark server does not mind.
    "-XX:+UseParallelGC",
]

# Written to <home>/conf/neo4j.conf so that neo4j-admin (run_admin) sees them as well.
_STATIC_SETTINGS = {
    # Otherwise every database preallocates 256 MB transaction log files.
    "db.tx_log.preallocate": "false",
    "dbms.usage_report.enabled": "false",
    "server.default_listen_address": "127.0.0.1",
}


class Neo4jServerError(RuntimeError):
    """The server (or neo4j-admin, or Maven) failed; the message carries the log tail."""


# ---------------------------------------------------------------- jars


def neo4j_version() -> str:
    """The Neo4j version pinned in graph/neo4j_pom.xml."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(POM_PATH).getroot().find("m:properties/m:neo4j.version", ns)
    if node is None or not node.text:
        raise Neo4jServerError(f"{POM_PATH} has no <neo4j.version> property")
    return node.text.strip()


def default_cache_dir() -> Path:
    env = os.environ.get("POLICYKG_NEO4J_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "policykg" / f"neo4j-{neo4j_version()}"


def ensure_jars(cache_dir: Path | None = None) -> Path:
    """Download the server jars with Maven once; return the directory holding them."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lib = cache / "lib"
    marker = cache / _COMPLETE_MARKER
    if marker.exists():
        return lib
    cache.mkdir(parents=True, exist_ok=True)
    # A lock so that parallel test workers do not run Maven into the same directory.
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            _copy_dependencies(lib)
            marker.write_text(neo4j_version() + "\n")
    return lib


def _copy_dependencies(lib: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError("Maven (mvn) is needed once to download the Neo4j jars")
    cmd = [mvn, "-q", "-B", "-f", str(POM_PATH), "dependency:copy-dependencies",
           f"-DoutputDirectory={lib}"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not any(lib.glob("neo4j-server-*.jar")):
        raise Neo4jServerError(
            f"{' '.join(cmd)} failed (exit {result.returncode}):\n"
            + _tail(result.stdout + result.stderr))


# ---------------------------------------------------------------- java


def wipe_database(driver: Driver) -> None:
    """Delete all nodes, relationships, constraints and (non-lookup) indexes."""
    with driver.session() as session:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction (session.run).
        session.run(
            "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
        # Constraints first: dropping one also drops the index that backs it.
        for record in session.run("SHOW CONSTRAINTS YIELD name").data():
            session.run(f"DROP CONSTRAINT `{_escape(record['name'])}` IF EXISTS").consume()
        # The built-in token lookup indexes stay: they are part of a fresh database.
        indexes = session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").data()
        for record in indexes:
            session.run(f"DROP INDEX `{_escape(record['name'])}` IF EXISTS").consume()


def _escape(name: str) -> str:
    return name.replace("`", "``")


def java_available() -> bool:
    """True when `java` on PATH is version 17 or newer."""
    java = shutil.which("java")
    if java is None:
        return False
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if match is None:
        return False
    major = int(match.group(1))
    if major == 1:  # "1.8.0" style
        major = int(match.group(2) or 0)
    return major >= 17


def _java_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    return env


def _classpath(lib: Path) -> str:
    return str(lib / "*")


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM the JVM when its parent dies (no orphaned servers)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


# ---------------------------------------------------------------- home + admin


def prepare_home(home: Path) -> Path:
    """Create conf/data/logs/plugins/import under home and (over)write conf/neo4j.conf."""
    home = Path(home).resolve()
    for name in ("conf", "data", "logs", "plugins", "import", "run"):
        (home / name).mkdir(parents=True, exist_ok=True)
    conf = "".join(f"{key}={value}\n" for key, value in _STATIC_SETTINGS.items())
    (home / "conf" / "neo4j.conf").write_text(conf)
    return home


def run_admin(home: Path, *args: str, heap: str = "512m",
              check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run neo4j-admin (e.g. `database import full ...`) against the given home."""
    home = prepare_home(home)
    lib = ensure_jars()
    # No _JVM_FLAGS here: with the add-opens, `database import full` ignores
    # db.tx_log.preallocate=false and writes a 256 MB transaction log per import.
    cmd = ["java", f"-Xmx{heap}", "-cp", _classpath(lib), ADMIN_MAIN, *args]
    result = subprocess.run(cmd, capture_output=True, text=True, env=_java_env(home))
    if check and result.returncode != 0:
        raise Neo4jServerError(
            f"neo4j-admin {' '.join(args)} failed (exit {result.returncode}):\n"
            + _tail(result.stdout + result.stderr))
    return result


# ---------------------------------------------------------------- server


@dataclass
class Neo4jServer:
    uri: str
    user: str
    password: str
    home: Path
    process: subprocess.Popen[bytes]
    remove_home: bool = field(default=False, repr=False)

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM (clean shutdown), then SIGKILL after timeout; idempotent."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.remove_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        return _tail_file(self.home / "logs" / CONSOLE_LOG, lines)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_settings(bolt_port: int, pagecache: str) -> dict[str, str]:
    return {
        **_STATIC_SETTINGS,
        "server.bolt.listen_address": f"127.0.0.1:{bolt_port}",
        "server.bolt.advertised_address": f"127.0.0.1:{bolt_port}",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "server.memory.pagecache.size": pagecache,
        # Without this every stop waits ~10 s for netty; the value is seconds, not "0s".
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
    }


def start_server(home: Path | None = None, password: str = DEFAULT_PASSWORD,
                 heap: str = "512m", pagecache: str = "128m",
                 timeout: float = 120) -> Neo4jServer:
    """Start a Neo4j server on a free 127.0.0.1 port and wait until Bolt answers.

    With home=None a temporary home is created and removed again by stop().
    An existing home (e.g. one filled by `run_admin(home, "database", "import", ...)`)
    is reused; the initial password only takes effect before the first start.
    """
    lib = ensure_jars()
    remove_home = home is None
    home = prepare_home(Path(tempfile.mkdtemp(prefix="policykg-neo4j-")) if home is None
                        else home)
    run_admin(home, "dbms", "set-initial-password", password)

    port = free_port()
    # No -Xms: an initial heap equal to -Xmx kept ~640 MB resident at idle instead of
    # ~370 MB (Neo4j only logs a warning about it in debug.log).
    cmd = ["java", f"-Xmx{heap}", *_JVM_FLAGS, "-cp", _classpath(lib),
           SERVER_MAIN, f"--home-dir={home}", f"--config-dir={home / 'conf'}",
           "--console-mode"]
    for key, value in server_settings(port, pagecache).items():
        cmd += ["-c", f"{key}={value}"]

    # PR_SET_PDEATHSIG fires when the forking *thread* exits, so only use it from the
    # main thread (a server started from e.g. a Streamlit script thread must outlive it).
    in_main_thread = threading.current_thread() is threading.main_thread()
    with open(home / "logs" / CONSOLE_LOG, "ab") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=_java_env(home), cwd=home,
                                   preexec_fn=_die_with_parent if in_main_thread else None)
    server = Neo4jServer(uri=f"bolt://127.0.0.1:{port}", user=DEFAULT_USER,
                         password=password, home=home, process=process,
                         remove_home=remove_home)
    try:
        _wait_until_ready(server, timeout)
    except BaseException:
        server.stop(timeout=10)
        raise
    return server


def _wait_until_ready(server: Neo4jServer, timeout: float) -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise Neo4jServerError(
                f"Neo4j exited with code {server.process.returncode} during start "
                f"(home {server.home}):\n{server.log_tail()}")
        try:
            with GraphDatabase.driver(server.uri, auth=(server.user, server.password),
                                      connection_timeout=5) as driver:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1")  # default database is online too
            return
        except AuthError as err:
            raise Neo4jServerError(
                f"Neo4j rejected the password (was this home started before with "
                f"another one?): {err}\n{server.log_tail()}") from err
        except (DriverError, Neo4jError, OSError) as err:
            last_error = err
            time.sleep(0.25)
    raise Neo4jServerError(
        f"Neo4j did not answer on {server.uri} within {timeout:.0f}s "
        f"(last error: {last_error}); home {server.home}:\n{server.log_tail()}")


# ---------------------------------------------------------------- helpers


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail_file(path: Path, lines: int = 40) -> str:
    try:
        return _tail(path.read_text(errors="replace"), lines)
    except OSError:
        return f"(no log at {path})"


# ---------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.neo4j_server",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download the Neo4j jars only")
    start = sub.add_parser("start", help="start a server and run until Ctrl-C/SIGTERM")
    start.add_argument("--home", type=Path, default=None,
                       help="server home (default: a temporary directory, removed on stop)")
    start.add_argument("--password", default=DEFAULT_PASSWORD)
    start.add_argument("--heap", default="512m")
    start.add_argument("--pagecache", default="128m")
    args = parser.parse_args(argv)

    if args.command == "fetch":
        print(ensure_jars())
        return 0

    # Turn SIGTERM into KeyboardInterrupt so both stop the server the same way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = start_server(home=args.home, password=args.password, heap=args.heap,
                          pagecache=args.pagecache)
    try:
        print(f"NEO4J_URI={server.uri}")
        print(f"NEO4J_USER={server.user}")
        print(f"NEO4J_PASSWORD={server.password}", flush=True)
        print(f"# home {server.home}; Ctrl-C to stop", file=sys.stderr, flush=True)
        server.process.wait()
        print(f"Neo4j exited by itself:\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
