"""The Spark session of ``lanterne batch``: which master, on loopback when local, quiet, with
task retries, and the checks that turn a missing pyspark, Java or JDBC driver into a message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lanterne import __version__
from lanterne.errors import BatchFailed, InvalidRequest, ToolMissing

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TASK_ATTEMPTS = 4
"""Attempts per task before Spark fails the job: Spark's default on a cluster. Local mode alone
defaults to 1 (a failed task fails the job), so ``local[N]`` becomes ``local[N,4]``."""

JDBC_JARS = (
    Path("/usr/share/java/postgresql.jar"),  # Debian's libpostgresql-jdbc-java
    Path("/usr/share/java/postgresql-jdbc4.jar"),
)

_LOCAL = re.compile(r"local(?:\[(?P<threads>\d+|\*)(?:,(?P<attempts>\d+))?\])?")
_CLUSTER = re.compile(r"spark://[A-Za-z0-9.\-\[\]:]+:\d{1,5}(?:,[A-Za-z0-9.\-\[\]:]+:\d{1,5})*")


def normalise_master(master: str) -> str:
    """``local``, ``local[N]``, ``local[*]``, ``local[N,F]`` or ``spark://HOST:PORT``; local
    masters get task retries (``local[N]`` → ``local[N,4]``). Anything else is refused."""
    master = master.strip()
    local = _LOCAL.fullmatch(master)
    if local:
        threads = local["threads"] or "1"
        if threads != "*" and int(threads) < 1:
            raise InvalidRequest("batch.bad_master", master=master)
        attempts = local["attempts"] or str(TASK_ATTEMPTS)
        return f"local[{threads},{attempts}]"
    if _CLUSTER.fullmatch(master):
        return master
    raise InvalidRequest("batch.bad_master", master=master)


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        raise ToolMissing("batch.no_java")
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        ).stderr
    except (OSError, subprocess.TimeoutExpired):
        raise ToolMissing("batch.no_java") from None
    found = re.search(r'version "(\d+)', out)
    if found is None or int(found[1]) < 17:
        raise ToolMissing("batch.old_java", found=out.splitlines()[0] if out else "?")
    return java


def jdbc_jar(given: Path | None = None) -> Path:
    """The PostgreSQL JDBC driver: the given file, or Debian's."""
    for jar in (given,) if given is not None else JDBC_JARS:
        if jar is not None and jar.is_file():
            return jar
    raise ToolMissing("batch.no_jdbc", path=given or JDBC_JARS[0])


@contextmanager
def spark_session(
    master: str = "local[2]",
    app: str = "lanterne",
    jars: Sequence[Path] = (),
    conf: dict[str, str] | None = None,
) -> Iterator[SparkSession]:
    """A Spark session for one batch job, stopped (and its scratch folder removed) after it.

    The JVM's own output (its start-up notices, Spark's log at level ``fatal``) goes to
    ``spark.log`` in the scratch folder, not to the terminal: Lanterne says what happened; the
    log's last lines are quoted when Spark cannot start."""
    # pyspark warns (when it first builds a DataFrame) that its pandas APIs do not support
    # pandas 3: Lanterne's batch jobs do not use them.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    try:
        from pyspark import SparkConf, SparkContext
        from pyspark.java_gateway import launch_gateway
        from pyspark.sql import SparkSession
    except ImportError:
        raise ToolMissing("batch.no_pyspark") from None
    master = normalise_master(master)
    _java()
    # The executors' Python is this one (its Lanterne, its dependencies).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    log4j = Path(__file__).with_name("log4j2.properties")
    java_options = f"-Dlog4j2.configurationFile=file:{log4j}"
    with tempfile.TemporaryDirectory(prefix="lanterne-spark-") as scratch:
        settings = {
            "spark.master": master,
            "spark.app.name": app,
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.local.dir": scratch,
            "spark.sql.warehouse.dir": str(Path(scratch) / "warehouse"),
            "spark.driver.extraJavaOptions": java_options,
            "spark.executor.extraJavaOptions": java_options,
            "spark.sql.shuffle.partitions": "8",
            "spark.task.maxFailures": str(TASK_ATTEMPTS),
        }
        if master.startswith("local"):
            # Nothing listens beyond this machine.
            settings["spark.driver.host"] = "127.0.0.1"
            settings["spark.driver.bindAddress"] = "127.0.0.1"
        if jars:
            settings["spark.jars"] = ",".join(str(j) for j in jars)
        settings.update(conf or {})
        spark_conf: Any = SparkConf(loadDefaults=False)
        for key, value in settings.items():
            spark_conf.set(key, value)
        log_path = Path(scratch) / "spark.log"
        with log_path.open("wb") as log:
            try:
                # Typed as Any: pyspark's stubs leave it untyped (and mypy run without
                # pyspark installed sees no stubs at all).
                launch: Any = launch_gateway
                gateway = launch(spark_conf, {"stdout": log, "stderr": log})
                context = SparkContext(conf=spark_conf, gateway=gateway)
            except Exception as exc:  # py4j and Java errors are not typed
                detail = _tail(log_path) or _first_line(exc)
                raise ToolMissing("batch.spark_failed", master=master, detail=detail) from None
            spark = SparkSession(context)
            try:
                context.setLogLevel("FATAL")
                if not master.startswith("local"):
                    _same_lanterne(spark)
                yield spark
            finally:
                spark.stop()
                _end_jvm(gateway, SparkContext)


def _end_jvm(gateway: Any, context_class: Any) -> None:
    """Stop this session's JVM (it exits when its standard input closes) and forget it, so that
    the next session of this process starts its own, with its own settings and jars."""
    with suppress(Exception):
        gateway.shutdown()
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        with suppress(Exception):
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
            proc.wait()
    # pyspark keeps the first gateway for every later SparkContext of the process.
    context_class._gateway = None
    context_class._jvm = None


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text("utf-8", "replace")
    except OSError:
        return ""
    return " / ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())[:500]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _executor_version(_: object) -> str:
    from lanterne import __version__ as there

    return there


def _same_lanterne(spark: SparkSession) -> None:
    """On a cluster, the executors must run the same Lanterne as the driver (their code does the
    work): one task asks."""
    try:
        versions = set(spark.sparkContext.parallelize([0], 1).map(_executor_version).collect())
    except Exception as exc:
        raise ToolMissing("batch.no_lanterne_on_executors", detail=_first_line(exc)) from None
    if versions != {__version__}:
        raise ToolMissing(
            "batch.other_lanterne_on_executors",
            found=", ".join(sorted(versions)),
            here=__version__,
        )


@contextmanager
def spark_errors() -> Iterator[None]:
    """Spark's failures (a Java exception through py4j, a task's Python exception after every
    attempt) as one message: the first line of what failed, not a JVM's stack trace."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (Py4JError, PySparkException) as exc:
        raise BatchFailed("batch.job_failed", detail=_cause(exc)) from None


def _cause(exc: BaseException) -> str:
    """The most telling line of a Spark failure: the Python exception a task raised when there
    is one (``ValueError: …``), else the first line."""
    text = str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line) and "Traceback" not in line:
            return line[:300]
    return lines[0][:300] if lines else type(exc).__name__
