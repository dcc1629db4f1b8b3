"""transit.sweep: the grid, rows that never go missing, Dask (serial = LocalCluster), Parquet output that resumes."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import transit
from tests.conftest import run_cli
from transit._sweep_grid import fingerprint
from transit._sweep_run import MANIFEST

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

DEPARTURES = ["2017-10-30T08:00", "2017-11-03T14:00"]


@pytest.fixture(scope="module")
def net():
    return transit.load_network()


def test_rows_are_the_grid_in_order_with_its_keys(net):
    table = transit.sweep(
        net,
        ["Kashgar", "urumqi"],
        ["Osh", "Kashgar"],
        departures=DEPARTURES,
        regimes=["pre-2017", "sco-2017"],
        vehicles={"solo": "CN", "team": {"registration": "CN", "drivers": 2}},
    )
    pairs = [("Kashgar", "Osh"), ("Urumqi", "Osh"), ("Urumqi", "Kashgar")]  # Kashgar-Kashgar skipped; names canonical
    expected = [(o, d, t, r, v) for o, d in pairs for t in DEPARTURES for r in ("pre-2017", "sco-2017") for v in ("solo", "team")]
    assert list(table.columns[:5]) == ["origin", "destination", "departure", "regime", "vehicle"]
    assert "modes" not in table.columns and "p50_h" not in table.columns
    got = [(o, d, t[:16], r, v) for o, d, t, r, v in table[["origin", "destination", "departure", "regime", "vehicle"]].itertuples(index=False)]
    assert got == expected
    assert (table["status"] == "ok").all()
    # Each row is plan_trip's answer for its scenario.
    row = table.iloc[-1]
    trip = transit.plan_trip(net, "Urumqi", "Kashgar", regime="sco-2017", departure=DEPARTURES[1], vehicle={"registration": "CN", "drivers": 2})
    assert row["total_h"] == pytest.approx(trip.total_h) and row["arrival"] == trip.arrival.isoformat()
    assert row["departure_utc"] == pd.Timestamp(trip.departure).tz_convert("UTC")


def test_a_scenario_without_route_is_a_row_with_its_reason(net):
    table = transit.sweep(net, pairs=[("Kashgar", "Dushanbe")], via=["Kulma"], departures=["2018-01-15T08:00", "2017-10-30T08:00"])
    assert len(table) == 2
    closed, open_ = table.iloc[0], table.iloc[1]
    assert "seasonal closure" in closed["status"] and math.isnan(closed["total_h"]) and pd.isna(closed["arrival"])
    assert open_["status"] == "ok" and open_["total_h"] > 0


def test_samples_follow_the_scenario_key_not_its_position_or_partition(net):
    grid = {"origins": ["Kashgar", "Almaty"], "destinations": ["Tashkent", "Osh"], "departures": DEPARTURES, "samples": 30, "rng": 7}
    whole = transit.sweep(net, partition_size=3, **grid)
    assert whole["p90_h"].notna().all() and (whole["p95_h"] >= whole["p50_h"]).all()
    one_by_one = transit.sweep(net, partition_size=1, **grid)
    pd.testing.assert_frame_equal(whole, one_by_one)
    # A smaller grid holding some of the scenarios draws the same samples for them.
    part = transit.sweep(net, pairs=[("Almaty", "Osh")], departures=DEPARTURES[1:], samples=30, rng=7)
    same = whole[(whole["origin"] == "Almaty") & (whole["destination"] == "Osh") & (whole["departure"].str.startswith("2017-11-03"))]
    np.testing.assert_array_equal(part[["p50_h", "p90_h"]].to_numpy(), same[["p50_h", "p90_h"]].to_numpy())
    other_seed = transit.sweep(net, pairs=[("Almaty", "Osh")], departures=DEPARTURES[1:], samples=30, rng=8)
    assert not np.array_equal(other_seed["p90_h"].to_numpy(), part["p90_h"].to_numpy())


def test_a_departure_range_and_modes(net):
    table = transit.sweep(
        net,
        pairs=[("Kashgar", "Tashkent")],
        departures={"start": "2016-10-31T08:00", "end": "2016-11-02T08:00", "step": "1D"},
        regimes="history",
        modes=["road", "road+rail"],
    )
    assert list(table["modes"]) == ["road", "road+rail"] * 3
    assert [d[:10] for d in table["departure"][::2]] == ["2016-10-31", "2016-11-01", "2016-11-02"]
    assert (table["status"] == "ok").all()


def test_matrix_is_the_one_departure_sweep(net):
    places = ["Kashgar", "Osh", "Almaty"]
    m = transit.matrix(net, places, places, regime="sco-2017", departure=DEPARTURES[0], samples=20, rng=3)
    s = transit.sweep(net, places, places, regimes=["sco-2017"], departures=[DEPARTURES[0]], samples=20, rng=3)
    for column in ("origin", "destination", "total_h", "p90_h", "route", "status"):
        assert m[column].tolist() == s[column].tolist()
    assert all(isinstance(w, tuple) for w in m["warnings"])
    # Iterators of names are read once (the sample limit and the sweep both need them).
    once = transit.matrix(net, iter(places), (p for p in places), regime="sco-2017", departure=DEPARTURES[0], samples=20, rng=3)
    assert once["total_h"].tolist() == m["total_h"].tolist()


def test_bad_grids_are_refused_before_any_work(net):
    with pytest.raises(transit.UnknownPlaceError, match="did you mean 'Tashkent'"):
        transit.sweep(net, ["Kashgar"], ["Tashkennt"], departures=DEPARTURES)
    with pytest.raises(transit.InvalidArgumentError, match="step"):
        transit.sweep(net, ["Kashgar"], ["Osh"], departures={"start": "2017-01-01", "end": "2017-02-01", "step": "-1D"})
    with pytest.raises(transit.InvalidArgumentError, match=r"ends .* before it starts"):
        transit.sweep(net, ["Kashgar"], ["Osh"], departures={"start": "2017-02-01", "end": "2017-01-01"})
    with pytest.raises(transit.InvalidDepartureError):
        transit.sweep(net, ["Kashgar"], ["Osh"], departures=["2017-10-30T08:00", "2017-13-01"])
    with pytest.raises(transit.InvalidArgumentError, match=r"scheduler='lokal ' is not understood \(did you mean 'local'\?\)"):
        transit.sweep(net, ["Kashgar"], ["Osh"], departures=DEPARTURES, scheduler="lokal ")
    with pytest.raises(transit.InvalidArgumentError, match="partition_size=0"):
        transit.sweep(net, ["Kashgar"], ["Osh"], departures=DEPARTURES, partition_size=0)
    with pytest.raises(transit.InvalidArgumentError, match="to itself"):
        transit.sweep(net, pairs=[("Osh", "osh")], departures=DEPARTURES)
    with pytest.raises(transit.InvalidArgumentError, match="needs a seed"):
        transit.sweep(net, ["Kashgar"], ["Osh"], departures=DEPARTURES, samples=10, output="never-made")
    assert not Path("never-made").exists()


# -- Parquet output: atomic partitions, resume, refusal -------------------------------------------------------------

GRID = {
    "origins": ["Kashgar", "Almaty", "Urumqi"],
    "destinations": ["Osh", "Tashkent"],
    "departures": DEPARTURES,
    "regimes": ["pre-2017", "sco-2017"],
}


def test_parquet_output_reads_back_as_the_table_and_resumes(net, tmp_path):
    in_memory = transit.sweep(net, partition_size=5, **GRID)
    out = tmp_path / "sweep"
    path = transit.sweep(net, partition_size=5, output=out, **GRID)
    assert path == out
    parts = sorted(p.name for p in out.glob("part-*.parquet"))
    assert parts == [f"part-{i:05d}.parquet" for i in range(math.ceil(len(in_memory) / 5))]
    pd.testing.assert_frame_equal(pd.read_parquet(out), in_memory)
    assert json.loads((out / MANIFEST).read_text())["network"] == fingerprint(net)

    # Interrupted: one partition never written, one temporary file left by a killed task.
    (out / parts[2]).unlink()
    (out / f".{parts[3]}.deadbeef.tmp").write_bytes(b"half a file")
    before = {p: (out / p).stat().st_mtime_ns for p in parts if p != parts[2]}
    time.sleep(0.01)
    transit.sweep(net, partition_size=5, output=out, **GRID)
    assert {p: (out / p).stat().st_mtime_ns for p in before} == before  # nothing redone
    assert (out / parts[2]).is_file() and not list(out.glob(".*.tmp"))
    pd.testing.assert_frame_equal(pd.read_parquet(out), in_memory)


def test_an_output_holding_another_sweep_is_refused_unless_overwritten(net, tmp_path):
    out = tmp_path / "sweep"
    transit.sweep(net, output=out, **GRID)
    with pytest.raises(transit.InvalidArgumentError, match=r"another sweep \(different grid.departures\)"):
        transit.sweep(net, output=out, **{**GRID, "departures": DEPARTURES[:1]})
    edited = transit.editable(net)
    u, v, k = next(iter(edited.edges(keys=True)))
    edited.edges[u, v, k]["length"] += 1000.0
    with pytest.raises(transit.InvalidArgumentError, match=r"\(different network\)"):
        transit.sweep(edited, output=out, **GRID)
    transit.sweep(edited, output=out, overwrite=True, **GRID)
    assert json.loads((out / MANIFEST).read_text())["network"] == fingerprint(edited) != fingerprint(net)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(transit.InvalidArgumentError, match="not a sweep's"):
        transit.sweep(net, output=tmp_path / "mine", **GRID)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


# -- Dask -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local, Client(local) as client:
        yield client


def test_a_local_cluster_gives_the_serial_table(net, cluster):
    grid = {**GRID, "samples": 25, "rng": 11, "partition_size": 4}
    serial = transit.sweep(net, **grid)
    pd.testing.assert_frame_equal(transit.sweep(net, scheduler=cluster, **grid), serial)
    m = transit.matrix(net, ["Kashgar", "Osh"], ["Almaty", "Tashkent"], departure=DEPARTURES[0], scheduler=cluster)
    pd.testing.assert_frame_equal(m, transit.matrix(net, ["Kashgar", "Osh"], ["Almaty", "Tashkent"], departure=DEPARTURES[0]))


def test_a_worker_killed_mid_sweep_loses_and_duplicates_no_row(net, cluster, tmp_path):
    grid = {**GRID, "destinations": ["Osh", "Tashkent", "Bishkek"], "samples": 150, "rng": 5, "partition_size": 2}
    serial = transit.sweep(net, **grid)
    partitions = math.ceil(len(serial) / 2)
    pids = cluster.run(os.getpid)
    out = tmp_path / "sweep"
    done: dict[str, object] = {}

    def run() -> None:
        try:
            done["path"] = transit.sweep(net, scheduler=cluster, output=out, **grid)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            done["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    victim = None
    while victim is None and time.monotonic() < deadline:
        written = len(list(out.glob("part-*.parquet"))) if out.is_dir() else 0
        busy = [address for address, keys in cluster.processing().items() if keys and address in pids]
        if written >= 2 and busy:
            victim = busy[0]
        else:
            time.sleep(0.02)
    assert victim is not None, "no worker was busy mid-sweep"
    written_at_kill = len(list(out.glob("part-*.parquet")))
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(timeout=300)
    assert "error" not in done, done.get("error")
    assert written_at_kill < partitions  # the kill came mid-sweep
    assert pids[victim] not in cluster.run(os.getpid).values()  # that worker is gone (its nanny started another)
    pd.testing.assert_frame_equal(pd.read_parquet(out), serial)
    assert not list(out.glob(".*.tmp"))


# -- the command line ---------------------------------------------------------------------------------------------


def test_cli_sweep_from_options_and_from_scenario_files(capsys, tmp_path, net):
    code, out, err = run_cli(
        capsys, "sweep", "--origins", "Kashgar,Urumqi", "--destinations", "Osh", "--depart", "2017-10-30T08:00", "--until", "2017-11-01T08:00",
        "--regimes", "pre-2017,sco-2017", "--vehicles", "CN,UZ:2",
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2 * 3 * 2 * 2 and "swept 24 scenarios (24 with a route, 0 without)" in err
    assert {r["vehicle"] for r in rows} == {"CN", "UZ 2 drivers"}
    same = transit.sweep(net, ["Kashgar", "Urumqi"], ["Osh"], departures={"start": "2017-10-30T08:00", "end": "2017-11-01T08:00"},
                         regimes=["pre-2017", "sco-2017"], vehicles=["CN", {"registration": "UZ", "drivers": 2}])  # fmt: skip
    assert [float(r["total_h"]) for r in rows] == pytest.approx(same["total_h"].tolist(), abs=1e-3)

    grid = tmp_path / "grid.toml"
    grid.write_text('pairs = [["Kashgar", "Osh"], ["Osh", "Almaty"]]\ndepartures = {start = "2017-10-30T08:00", end = "2017-11-13T08:00", step = "7D"}\n'
                    'regimes = ["history"]\nsamples = 20\nseed = 4\n')  # fmt: skip
    out_dir = tmp_path / "out"
    code, _, err = run_cli(capsys, "sweep", "--scenarios", str(grid), "--output", str(out_dir))
    table = pd.read_parquet(out_dir)
    assert code == 0 and len(table) == 6 and table["p90_h"].notna().all() and "pandas.read_parquet" in err
    expected = transit.sweep(net, pairs=[("Kashgar", "Osh"), ("Osh", "Almaty")], departures={"start": "2017-10-30T08:00", "end": "2017-11-13T08:00", "step": "7D"},
                             regimes=["history"], samples=20, rng=4)  # fmt: skip
    pd.testing.assert_frame_equal(table, expected)
    code, _, err = run_cli(capsys, "sweep", "--scenarios", str(grid), "--output", str(out_dir), "--seed", "5")
    assert code == 2 and "different grid.seed" in err and "--overwrite" in err

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("origin,destination\nKashgar,Osh\n")
    target = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "sweep", "--scenarios", str(pairs), "--depart", "2017-10-30T08:00", "--output", str(target))
    assert code == 0 and len(list(csv.DictReader(io.StringIO(target.read_text())))) == 1

    grid.write_text('origins = ["Kashgar"]\ndestinatons = ["Osh"]\n')
    code, _, err = run_cli(capsys, "sweep", "--scenarios", str(grid), "--depart", "2017-10-30T08:00")
    assert code == 2 and "unknown key 'destinatons' (did you mean 'destinations'?)" in err
    code, _, err = run_cli(capsys, "sweep", "--origins", "Kashgar", "--destinations", "Osh")
    assert code == 2 and "give --depart" in err
    code, _, err = run_cli(capsys, "sweep", "--origins", "Kashgar", "--destinations", "Osh", "--depart", "2017-10-30", "--vehicles", "UZ:3")
    assert code == 2 and "must be 1 or 2" in err


def test_the_network_fingerprint_is_its_content(net):
    before = fingerprint(net)
    transit.sweep(net, ["Kashgar", "Almaty"], ["Osh"], departures=DEPARTURES, regimes=["history"], modes=["road", "road+rail"], samples=5, rng=1)
    rail = net.graph["rail"].graph
    _ = rail.adj, rail.succ, rail.pred, rail.nodes, rail.edges, rail.in_edges, rail.out_edges, rail.degree, rail.in_degree
    # Caches filled by the sweep are not content: schedules' memos, the rail graph's views (networkx caches them).
    assert fingerprint(net) == before
    code = "import transit; from transit._sweep_grid import fingerprint; print(fingerprint(transit.load_network()))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    assert other.stdout.strip() == before  # another process, another order of its sets
    copy = transit.editable(net)
    assert fingerprint(copy) == before
    copy.nodes[next(iter(copy.nodes))]["name"] += "x"
    assert fingerprint(copy) != before


def test_partitions_the_workers_wrote_elsewhere_are_not_taken_for_done(net, tmp_path, monkeypatch):
    # On a cluster whose workers write to their own disks, the directory this process sees stays empty.
    from transit import _sweep_run

    def elsewhere(table, target):
        return None

    monkeypatch.setattr(_sweep_run, "_write_atomically", elsewhere)
    with pytest.raises(transit.TransitError, match=r"6 of 6 partitions \(part-00000.parquet...\) are not in .* \(a network file system\)"):
        transit.sweep(
            net,
            pairs=[("Kashgar", "Osh")],
            departures=DEPARTURES,
            regimes=["pre-2017", "sco-2017", "history"],
            partition_size=1,
            output=tmp_path / "o",
        )
