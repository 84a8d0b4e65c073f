"""Real SPARQL servers for tests: OpenLink Virtuoso Open Source 7 and Oxigraph, each started
on free loopback ports with its database in a folder the caller gives (a pytest tmp_path).

    from tests.servers import start_virtuoso, virtuoso_available

    @pytest.fixture(scope="module")
    def virtuoso(tmp_path_factory):
        reason = virtuoso_available()
        if reason:
            pytest.skip(reason)
        with start_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
            yield server          # server.query_url, server.update_url, server.gsp_url, ...

Not a conftest: a plain module that test modules import. `.ci/install-virtuoso` installs the
Debian package (virtuoso-opensource, 7.2.5.1) that provides `virtuoso-t` and `isql-vt`.

Virtuoso as set up here (see notes-virtuoso.md for the probes behind these):
- /sparql answers queries and, for anyone, SPARQL Update (SPARQL_UPDATE granted to "SPARQL");
  /sparql-graph-crud is the Graph Store Protocol endpoint, likewise open to anyone.
- /sparql-auth and /sparql-graph-crud-auth (Virtuoso's own) want HTTP *Digest* auth: Basic
  gets a bare 401. Users: dba / dba, and kg / kgpass (SPARQL_SELECT + SPARQL_UPDATE).
- /sparql-basic and /sparql-graph-crud-basic (defined here) take HTTP *Basic* (and Digest)
  for the same users.
- The default graph of a query without FROM is the union of all graphs, Virtuoso's own
  system graphs included (http://www.openlinksw.com/schemas/virtrdf# and others).
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: Requests to the servers here never go through a proxy from the environment.
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

VIRTUOSO_BINARY = "virtuoso-t"
ISQL_BINARY = "isql-vt"  # Debian's name for Virtuoso's isql (unixODBC has its own `isql`)
DBA_USER, DBA_PASSWORD = "dba", "dba"
#: A second SQL user with SPARQL update rights, for the authenticated endpoints.
KG_USER, KG_PASSWORD = "kg", "kgpass"
START_TIMEOUT = 60.0

#: Every server started here, stopped when the Python process exits (stop() is idempotent).
_STARTED: list[SparqlServer] = []


@atexit.register
def _stop_all() -> None:
    for server in _STARTED:
        with contextlib.suppress(Exception):
            server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_ports(n: int) -> list[int]:
    """`n` distinct free loopback ports (held open together so that they differ)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


def _answers(url: str) -> bool:
    try:
        with NO_PROXY.open(url, timeout=2) as resp:
            resp.read()
            return resp.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


@dataclass
class SparqlServer:
    """A SPARQL server process on 127.0.0.1, as the tests see it."""

    kind: str  # "virtuoso" or "oxigraph"
    folder: Path
    port: int  # the HTTP port
    base: str  # "http://127.0.0.1:PORT/"
    query_url: str  # SPARQL Protocol queries
    update_url: str  # SPARQL Protocol updates
    gsp_url: str  # the Graph Store Protocol endpoint (…?graph=IRI), without authentication
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    isql: list[str] | None = None  # the isql command line (Virtuoso only)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after `timeout`)."""
        _end(self.process, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _end(proc: subprocess.Popen | None, timeout: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# --- Virtuoso -------------------------------------------------------------------------


def _await_answer(proc: subprocess.Popen, ask_url: str, name: str, log: Path,
                  timeout: float, interval: float = 0.2) -> bool:
    """Wait until `ask_url` answers: True when it does, False when the process exited first
    (the caller reads its log); after `timeout`, the process is ended and RuntimeError raised."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _answers(ask_url):
            return True
        time.sleep(interval)
    _end(proc, 10)
    raise RuntimeError(f"{name} did not answer within {timeout:.0f} s:\n{_tail(log)}")


def virtuoso_available() -> str | None:
    """None when Virtuoso can be started here, else the reason why not (for pytest.skip)."""
    for binary in (VIRTUOSO_BINARY, ISQL_BINARY):
        if shutil.which(binary) is None:
            return (
                f"Virtuoso is not installed ({binary} not on PATH): "
                ".ci/install-virtuoso (apt-get install virtuoso-opensource)"
            )
    return None


@dataclass
class VirtuosoServer(SparqlServer):
    """Virtuoso Open Source 7 with a database in `folder`; `load` is the bulk loader's folder."""

    isql_port: int = 0
    query_auth_url: str = ""  # /sparql-auth: queries and updates, HTTP Digest only
    gsp_auth_url: str = ""  # /sparql-graph-crud-auth: Graph Store Protocol, HTTP Digest only
    query_basic_url: str = ""  # /sparql-basic: queries and updates, HTTP Basic or Digest
    gsp_basic_url: str = ""  # /sparql-graph-crud-basic: Graph Store Protocol, Basic or Digest
    load: Path = Path()  # the bulk loader reads files here (DirsAllowed)
    user: str = DBA_USER
    password: str = DBA_PASSWORD

    def sql(self, statements: str, timeout: float = 300.0) -> str:
        """Run SQL (statements ending in ';') through isql; its output. Raises on any error."""
        assert self.isql is not None
        done = subprocess.run(
            [*self.isql, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"],
            input=statements if statements.rstrip().endswith(";") else statements + ";",
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed ({done.returncode}):\n{statements}\n{out}")
        return out

    def bulk_load(self, pattern: str = "*.nq", graph: str = "http://example.org/bulk") -> None:
        """Load the files in `load/` that match `pattern` with the bulk loader (ld_dir,
        rdf_loader_run), then checkpoint. N-Quads keep their graph names; triples (and quads
        without a graph) go to `graph`. Every matching file is loaded again, even one loaded
        before. A file with a syntax error loads nothing and raises RuntimeError."""
        load = str(self.load).replace("'", "''")
        self.sql(
            f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '{load}/%';\n"
            f"ld_dir('{load}', '{pattern}', '{graph}');\n"
            "rdf_loader_run();\n"
            "checkpoint;\n"
        )
        errors = self.sql(
            "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
        ).strip()
        if errors:
            raise RuntimeError(f"bulk load errors:\n{errors}")

    def stop(self, timeout: float = 30.0) -> None:
        """Checkpoint and shut down through isql; SIGTERM, then SIGKILL, if that fails."""
        if not self.running:
            return
        with contextlib.suppress(Exception):
            subprocess.run(
                [*self.isql, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
                input="checkpoint;\nshutdown;\n",
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        _end(self.process, timeout)


def virtuoso_ini(folder: Path, isql_port: int, http_port: int, *, query_timeout: int = 0,
                 max_rows: int = 100000000) -> str:
    """A minimal virtuoso.ini: everything in `folder`, loopback ports, small buffers.

    `query_timeout` is [SPARQL] MaxQueryExecutionTime in seconds (0: none). Past it Virtuoso's
    "anytime" queries answer 200 with *partial* results (header X-SQL-State: S1TAT), so
    tests leave it off. `max_rows` is [SPARQL] ResultSetMaxRows (Debian's own ini: 10,000),
    past which Virtuoso cuts SELECT answers without saying so."""
    db = folder / "db"
    return f"""\
; written by tests/servers.py
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{isql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
LiteMode                 = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {folder}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
VADInstallDir            = {folder}/vad
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 512M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
; 8 KB pages: 20,000 buffers are about 160 MB (the Debian default 10,000; 2 GB RAM: 170,000)
NumberOfBuffers          = 20000
MaxDirtyBuffers          = 15000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {folder}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
; the Debian default of 10,000 rows silently truncates larger results
ResultSetMaxRows           = {max_rows}
MaxSortedTopRows           = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {query_timeout}
DefaultQuery               = ASK {{}}
DeferInferenceRulesInit    = 0

[URIQA]
; the host in the service description's sd:endpoint (else http://localuriqaserver/sparql)
DefaultHost = 127.0.0.1:{http_port}
"""


#: SQL run once a new database answers: open /sparql to updates, add the `kg` user, and
#: /sparql-basic + /sparql-graph-crud-basic, copies of Virtuoso's -auth endpoints that take
#: HTTP Basic (sec=>'basic'; the -auth ones have sec=>'digest' and refuse Basic).
VIRTUOSO_SETUP = f"""\
GRANT SPARQL_UPDATE TO "SPARQL";
DB.DBA.USER_CREATE ('{KG_USER}', '{KG_PASSWORD}');
GRANT SPARQL_SELECT TO "{KG_USER}";
GRANT SPARQL_UPDATE TO "{KG_USER}";
DB.DBA.VHOST_DEFINE (lhost=>'*ini*', vhost=>'*ini*', lpath=>'/sparql-basic',
  ppath=>'/!sparql/', is_dav=>1, vsp_user=>'dba', opts=>vector('noinherit', 1),
  auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL', sec=>'basic');
DB.DBA.VHOST_DEFINE (lhost=>'*ini*', vhost=>'*ini*', lpath=>'/sparql-graph-crud-basic',
  ppath=>'/!sparql-graph-crud/', is_dav=>1, vsp_user=>'dba',
  opts=>vector('noinherit', 1, 'exec_as_get', 1),
  auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL', sec=>'basic');
checkpoint;
"""


def start_virtuoso(
    folder: Path, *, query_timeout: int = 0, max_rows: int = 100000000,
    start_timeout: float = START_TIMEOUT
) -> VirtuosoServer:
    """Start Virtuoso with its database in `folder` (new, or one a previous start left there);
    it answers /sparql when this returns. About 2.5 s for a new database.

    Usable as a context manager (`with start_virtuoso(tmp_path) as server:`), which stops it;
    else call `server.stop()`; it is stopped at exit in any case."""
    reason = virtuoso_available()
    if reason:
        raise RuntimeError(reason)
    folder = Path(folder).resolve()
    fresh = not (folder / "db" / "virtuoso.db").exists()  # else: restart on its database
    for sub in ("db", "load", "vsp", "vad"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):  # another process may take a free port before Virtuoso binds it
        isql_port, http_port = _free_ports(2)
        server = _launch_virtuoso(folder, isql_port, http_port, query_timeout, max_rows,
                                  start_timeout)
        if server is not None:
            break
    else:
        raise RuntimeError(
            f"virtuoso-t could not bind its ports:\n{_tail(folder / 'db' / 'virtuoso.log')}"
        )
    _STARTED.append(server)
    try:
        if fresh:
            server.sql(VIRTUOSO_SETUP)
    except BaseException:
        server.stop()
        raise
    return server


def _launch_virtuoso(
    folder: Path, isql_port: int, http_port: int, query_timeout: int, max_rows: int,
    start_timeout: float
) -> VirtuosoServer | None:
    """The started server; None if it exited because a port was taken. Raises otherwise."""
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(folder, isql_port, http_port, query_timeout=query_timeout,
                                max_rows=max_rows))
    log = folder / "db" / "virtuoso.log"
    out = folder / "virtuoso.out"
    with open(out, "ab") as sink:
        proc = subprocess.Popen(
            [VIRTUOSO_BINARY, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http_port}/"
    server = VirtuosoServer(
        kind="virtuoso",
        folder=folder,
        port=http_port,
        base=base,
        query_url=base + "sparql",
        update_url=base + "sparql",
        gsp_url=base + "sparql-graph-crud",
        log=log,
        process=proc,
        isql=[ISQL_BINARY, f"127.0.0.1:{isql_port}", DBA_USER, DBA_PASSWORD],
        isql_port=isql_port,
        query_auth_url=base + "sparql-auth",
        gsp_auth_url=base + "sparql-graph-crud-auth",
        query_basic_url=base + "sparql-basic",
        gsp_basic_url=base + "sparql-graph-crud-basic",
        load=folder / "load",
    )
    ask = base + "sparql?query=" + urllib.parse.quote("ASK {}")
    if _await_answer(proc, ask, "Virtuoso", log, start_timeout):
        return server
    text = _tail(log) + "\n" + _tail(out)
    if "Failed to start listening" in text or "ddress already in use" in text:
        return None
    raise RuntimeError(f"virtuoso-t exited ({proc.returncode}):\n{text}")


# --- Oxigraph -------------------------------------------------------------------------


def oxigraph_binary() -> str | None:
    """`oxigraph` next to the running Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def oxigraph_available() -> str | None:
    """None when the Oxigraph server can be started here, else the reason why not."""
    if oxigraph_binary() is None:
        return "the oxigraph server is not installed: pip install oxigraph (test extras)"
    return None


def start_oxigraph(
    folder: Path, *, union_default_graph: bool = False, start_timeout: float = 15.0
) -> SparqlServer:
    """`oxigraph serve` with its store in `folder`/db on a free loopback port.

    `union_default_graph`: the default graph of queries is the union of all graphs (as in
    Virtuoso); by default it is the store's own default graph, as the SPARQL spec has it."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError(oxigraph_available())
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"
    port = free_port()
    command = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    with open(log, "ab") as sink:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}/"
    server = SparqlServer(
        kind="oxigraph",
        folder=folder,
        port=port,
        base=base,
        query_url=base + "query",
        update_url=base + "update",
        gsp_url=base + "store",
        log=log,
        process=proc,
    )
    _STARTED.append(server)
    ask = base + "query?query=" + urllib.parse.quote("ASK {}")
    if _await_answer(proc, ask, "oxigraph serve", log, start_timeout, interval=0.1):
        return server
    raise RuntimeError(f"oxigraph serve exited ({proc.returncode}):\n{_tail(log)}")


# --- Apache Jena Fuseki ---------------------------------------------------------------------


def fuseki_jar() -> str | None:
    """The standalone Fuseki server jar: $FUSEKI_JAR, else `fuseki-server.jar` in
    $FUSEKI_HOME."""
    import os

    for candidate in (os.environ.get("FUSEKI_JAR"),
                      os.path.join(os.environ.get("FUSEKI_HOME", "/nonexistent"),
                                   "fuseki-server.jar")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def fuseki_available() -> str | None:
    if shutil.which("java") is None:
        return "Apache Jena Fuseki needs Java, and there is none"
    if fuseki_jar() is None:
        return ("Apache Jena Fuseki is not installed: it is a Maven artifact "
                "(org.apache.jena:jena-fuseki-main), Maven Central cannot be reached from "
                "this machine, Debian's Jena (libapache-jena-java 4.5.0) has no Fuseki, and "
                "neither PyPI nor npm carries its server; set $FUSEKI_JAR to a "
                "fuseki-server.jar to run these tests")
    return None


def start_fuseki(folder: Path, *, start_timeout: float = 60.0) -> SparqlServer:
    """Fuseki with a TDB2 dataset /ds in `folder`/db, updates allowed, on loopback."""
    reason = fuseki_available()
    if reason:
        raise RuntimeError(reason)
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "fuseki.log"
    port = free_port()
    command = ["java", "-Xmx1g", "-jar", fuseki_jar(), "--localhost", f"--port={port}",
               "--update", "--tdb2", f"--loc={folder / 'db'}", "/ds"]
    with open(log, "ab") as sink:
        proc = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=sink,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    server = SparqlServer(kind="fuseki", folder=folder, port=port, base=base,
                          query_url=base + "ds/sparql", update_url=base + "ds/update",
                          gsp_url=base + "ds/data", log=log, process=proc)
    _STARTED.append(server)
    ask = server.query_url + "?query=" + urllib.parse.quote("ASK {}")
    if _await_answer(proc, ask, "Fuseki", log, start_timeout):
        return server
    raise RuntimeError(f"fuseki exited ({proc.returncode}):\n{_tail(log)}")
