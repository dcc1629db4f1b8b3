"""
Run a sweep's partitions: in this process, or on Dask; in memory, or into a resumable Parquet dataset.

Internal; used by :func:`transit.sweep`.

A partition is a range of scenario indexes (:class:`~transit._sweep_grid.Grid`). On Dask the network and the grid
are scattered to every worker once, and each task names only its partition's index. With an output directory each
partition is written to a temporary file and renamed (``part-00012.parquet``): a reader never sees half a file, a
task that Dask runs again (its worker died) writes the same file again, and a sweep run again with the same
arguments skips the partitions on disk. ``_sweep.json`` records the arguments and a fingerprint of the network, so
that a resumed sweep never mixes answers of two questions.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._cancel import check as check_cancelled
from ._extras import install_hint, missing_extra
from ._sweep_grid import Grid, fingerprint, frame, scenario_row
from ._version import __version__
from .errors import InvalidArgumentError, TransitError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MANIFEST", "check_scheduler", "finish_output", "prepare_output", "run_partitions"]

#: The manifest of a sweep's output directory.
MANIFEST = "_sweep.json"
_FORMAT = "transit-sweep/1"


def compute_partition(graph: nx.MultiDiGraph, grid: Grid, index: int, output: str | None) -> pd.DataFrame | int:
    """
    Rows of partition ``index``: the DataFrame, or with ``output`` the number of rows written to its file.

    Runs on a Dask worker as it runs here; the same partition always gives the same rows.
    """
    rows = []
    for i in grid.partition_range(index):
        check_cancelled()
        rows.append(scenario_row(graph, grid, i))
    table = frame(rows, grid)
    if output is None:
        return table
    _write_atomically(table, Path(output) / part_name(index))
    return len(table)


def part_name(index: int) -> str:
    """File name of partition ``index``."""
    return f"part-{index:05d}.parquet"


def _write_atomically(table: pd.DataFrame, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")  # a leading dot: Parquet readers skip it
    try:
        table.to_parquet(tmp, index=False, engine="pyarrow")
        tmp.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# -- the output directory ---------------------------------------------------------------------------


def prepare_output(output: str | os.PathLike[str], grid: Grid, graph: nx.MultiDiGraph, *, overwrite: bool) -> tuple[Path, list[int]]:
    """
    Make or check the output directory; return it and the partitions still to compute.

    Raises
    ------
    InvalidArgumentError
        When the directory holds another sweep (different arguments or network) or files that are not a sweep's,
        unless ``overwrite``; or when it cannot be made.
    """
    try:
        import pyarrow as pa  # noqa: F401  (to_parquet's engine; checked first for a clear error)
    except ModuleNotFoundError as exc:
        raise missing_extra("sweep", exc) from None
    path = Path(output)
    manifest: dict[str, Any] = {
        "format": _FORMAT,
        "transit": __version__,
        "network": fingerprint(graph),
        "partitions": grid.partitions,
        "grid": grid.describe(),
    }
    if path.exists() and not path.is_dir():
        msg = f"output={str(path)!r} is a file; expected a directory for the Parquet dataset (it is made if missing)"
        raise InvalidArgumentError(msg)
    if path.is_dir() and overwrite:
        for old in [*path.glob("part-*.parquet"), *path.glob(".part-*.tmp"), path / MANIFEST]:
            old.unlink(missing_ok=True)
    if path.is_dir() and any(path.iterdir()):
        found = path / MANIFEST
        if not found.is_file():
            msg = f"output={str(path)!r} holds files that are not a sweep's; choose an empty or new directory"
            raise InvalidArgumentError(msg)
        try:
            previous = json.loads(found.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
        if previous != manifest:
            differ = [k for k in ("format", "transit", "network") if previous.get(k) != manifest.get(k)]
            old_grid = previous.get("grid") if isinstance(previous.get("grid"), dict) else {}
            differ += [f"grid.{k}" for k in sorted(manifest["grid"]) if old_grid.get(k) != manifest["grid"][k]]
            msg = (
                f"output={str(path)!r} holds another sweep (different {', '.join(differ)}); resume only with the same arguments and "
                "network, or choose another directory, or pass overwrite=True (--overwrite) to start again"
            )
            raise InvalidArgumentError(msg)
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"cannot make output directory {str(path)!r}: {exc.strerror}; choose another --output"
            raise InvalidArgumentError(msg) from None
        tmp = path / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path / MANIFEST)
    done = {p.name for p in path.glob("part-*.parquet")}
    return path, [i for i in range(grid.partitions) if part_name(i) not in done]


def finish_output(path: Path, grid: Grid) -> None:
    """
    Remove temporary files that killed tasks left behind, and check that every partition is there.

    Raises
    ------
    TransitError
        When partitions the workers wrote are not in ``path`` as this process sees it (workers on other hosts
        writing to their own disks).
    """
    for stale in path.glob(".part-*.tmp"):
        stale.unlink(missing_ok=True)
    missing = [part_name(i) for i in range(grid.partitions) if not (path / part_name(i)).is_file()]
    if missing:
        msg = (
            f"{len(missing)} of {grid.partitions} partitions ({missing[0]}...) are not in {str(path)!r} although the workers wrote them: "
            "on a cluster, output must be a directory every worker and this process share (a network file system)"
        )
        raise TransitError(msg)


# -- running ---------------------------------------------------------------------------------------


def run_partitions(
    graph: nx.MultiDiGraph,
    grid: Grid,
    todo: list[int],
    *,
    scheduler: object,
    output: Path | None,
    on_done: Callable[[int], None],
) -> dict[int, Any]:
    """
    Compute ``todo`` partitions; return index mapped to its DataFrame (or rows written, with ``output``).

    ``on_done(n)`` is called with each finished partition's scenario count (the progress bar).
    """
    where = None if output is None else str(output)
    if scheduler is None:
        results = {}
        for index in todo:
            results[index] = compute_partition(graph, grid, index, where)
            on_done(len(grid.partition_range(index)))
        return results
    with _client(scheduler) as client:
        as_completed = importlib.import_module("distributed").as_completed
        shared_graph, shared_grid = client.scatter([graph, grid], broadcast=True, hash=False)
        token = uuid.uuid4().hex[:12]
        futures = {
            client.submit(compute_partition, shared_graph, shared_grid, index, where, key=f"transit-sweep-{token}-{index:05d}", pure=False): index
            for index in todo
        }
        results = {}
        for future in as_completed(futures):
            index = futures[future]
            try:
                results[index] = future.result()
            except ImportError as exc:  # a worker host without this package
                msg = f"a Dask worker cannot run the sweep ({exc}); install this package on every worker host: {install_hint('sweep')}"
                raise TransitError(msg) from None
            on_done(len(grid.partition_range(index)))
            future.release()
        return results


_ADDRESS = re.compile(r"^((tcp|tls|ucx|ws|wss)://)?[\w.\-\[\]:]+:\d{1,5}$")


def check_scheduler(scheduler: object) -> object:
    """
    Return ``scheduler`` (``"local"`` normalised) if it is one :func:`transit.sweep` understands.

    Raises
    ------
    InvalidArgumentError
        Otherwise, with what is expected (and ``'local'`` when the text was close to it).
    """
    if scheduler is None or type(scheduler).__name__ == "Client":
        return scheduler
    if isinstance(scheduler, str):
        text = scheduler.strip()
        if text.lower() == "local":
            return "local"
        if _ADDRESS.match(text):
            return text
    close = (
        " (did you mean 'local'?)"
        if isinstance(scheduler, str) and difflib.get_close_matches(scheduler.strip().lower(), ["local"], cutoff=0.6)
        else ""
    )
    msg = (
        f"scheduler={scheduler!r:.80} is not understood{close}; expected None (in this process), 'local' (a Dask LocalCluster), "
        "a scheduler address such as 'tcp://host:8786', or a distributed.Client"
    )
    raise InvalidArgumentError(msg)


@contextlib.contextmanager
def _client(scheduler: object) -> Iterator[Any]:
    """Yield a Dask client for ``scheduler``: ``"local"`` (a LocalCluster made and closed here), an address, or a Client."""
    try:
        distributed: Any = importlib.import_module("distributed")  # untyped: its calls are checked at run time
    except ModuleNotFoundError as exc:
        raise missing_extra("sweep", exc) from None
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if scheduler == "local":
        workers = os.cpu_count() or 1
        # One thread per worker process: the route search is pure Python and holds the GIL. Port ":0": any free port
        # for the scheduler's HTTP server (8787 may belong to another cluster on this machine).
        with (
            distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    if isinstance(scheduler, str):
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            msg = f"scheduler={scheduler!r}: cannot reach a Dask scheduler there ({exc}); start one with `dask scheduler` and check the address (tcp://host:8786)"
            raise InvalidArgumentError(msg) from None
        with client:
            yield client
        return
    check_scheduler(scheduler)  # raises: not a scheduler
    msg = f"scheduler={scheduler!r} is not a distributed.Client"
    raise InvalidArgumentError(msg)
