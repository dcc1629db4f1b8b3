"""The command line: readable tables, machine formats, one-line errors with exit code 2."""

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import run_cli as run


def test_compare_table(capsys):
    code, out, err = run(capsys, "compare", "Kashgar", "Tashkent", "--via", "Irkeshtam", "--depart", "2017-10-30T08:00")
    assert code == 0 and err == ""
    assert "Kashgar → Tashkent via Irkeshtam" in out
    for label in ("pre-2017", "sco-2017", "saving", "total", "driving", "transshipment", "closed crossings", "cost"):
        assert label in out


def test_compare_json_and_csv(capsys):
    code, out, _ = run(
        capsys,
        "compare",
        "Kashgar",
        "Tashkent",
        "--via",
        "Irkeshtam",
        "--depart",
        "2017-10-30T08:00",
        "--format",
        "json",
        "--registration",
        "KG",
        "--drivers",
        "2",
    )
    data = json.loads(out)
    rows = {row["regime"]: row for row in data["rows"]}
    assert code == 0 and set(rows) == {"pre-2017", "sco-2017", "history"} and data["baseline"] == "pre-2017"
    assert rows["sco-2017"]["status"] == "ok" and rows["sco-2017"]["total_h"] > 0 and data["via"] == ["Irkeshtam"]
    code, out, _ = run(capsys, "compare", "Kashgar", "Tashkent", "--depart", "2017-10-30T08:00", "--format", "csv", "--regimes", "sco-2017")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["regime"] for r in rows] == ["sco-2017"] and float(rows[0]["total_h"]) > 0


def test_plan_timeline(capsys):
    code, out, _ = run(capsys, "plan", "Tashkent", "Kashgar", "--depart", "2017-10-30T06:00", "--registration", "UZ")
    assert code == 0 and "clearance" in out and "Irkeshtam" in out
    code, out, _ = run(capsys, "plan", "Tashkent", "Kashgar", "--depart", "2017-10-30T06:00", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["local_start"].startswith("2017-10-30T06:00:00+05:00")
    assert {"activity", "place", "duration_h", "source"} <= set(rows[0])


@pytest.mark.parametrize("command", [["places"], ["places", "--country", "KG"], ["crossings"], ["regimes"], ["regimes", "pre-2017"], ["routes"]])
def test_listings(capsys, command):
    code, out, err = run(capsys, *command)
    assert code == 0 and err == "" and len(out.splitlines()) > 3


def test_listings_as_json(capsys):
    code, out, _ = run(capsys, "crossings", "--format", "json")
    data = json.loads(out)
    assert code == 0 and any(row["id"] == "irkeshtam" and "Asia/Shanghai" in row["schedule"] for row in data)


def test_validate(capsys):
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "pilot-total" in out and "0 outside" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "Kashgar", "Tashkentt"], "did you mean 'Tashkent'"),
        (["compare", "Kashgar", "Tashkent", "--depart", "tomorrow"], "not an ISO 8601"),
        (["compare", "Kashgar", "Tashkent", "--regimes", "sco2017"], "unknown regime"),
        (["compare", "Kashgar", "Tashkent", "--registration", "XX"], "ISO 3166-1"),
        (["plan", "Osh", "Andijan", "--via", "Kara-Suu", "--depart", "2017-10-30T08:00"], "closed to international freight"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_usage_error_exit_code(capsys):
    code, _, err = run(capsys, "compare", "Kashgar")
    assert code == 2 and "Traceback" not in err


def test_console_script_is_installed():
    exe = shutil.which("transit", path=str(__import__("pathlib").Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the transit console script is not installed in this environment")
    result = subprocess.run([exe, "routes", "--format", "csv"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and "tashkent-kashgar" in result.stdout


def test_compare_with_samples_adds_percentiles_and_is_reproducible(capsys):
    args = ("compare", "Kashgar", "Tashkent", "--via", "Irkeshtam", "--depart", "2017-10-30T08:00", "--samples", "2000", "--seed", "7")
    code, out, err = run(capsys, *args)
    assert code == 0 and err == ""
    assert "P90 (2,000 samples)" in out and "seed 7" in out
    code, csv_out, _ = run(capsys, *args, "--format", "csv")
    rows = {r["regime"]: r for r in csv.DictReader(io.StringIO(csv_out))}
    assert float(rows["sco-2017"]["p90_h"]) >= float(rows["sco-2017"]["p50_h"]) > 0
    _, again, _ = run(capsys, *args, "--format", "csv")
    assert again == csv_out


def test_reliability_json_and_deadline(capsys):
    code, out, _ = run(
        capsys,
        "reliability",
        "Kashgar",
        "Osh",
        "--depart",
        "2017-10-30T08:00",
        "--samples",
        "500",
        "--seed",
        "1",
        "--deadline",
        "2017-12-01T00:00",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0 and data["samples"] == 500 and data["on_time_probability"] == 1.0
    assert data["percentiles_h"]["50"] <= data["percentiles_h"]["90"] and data["crossings"][0]["crossing_id"] == "irkeshtam"
    assert data["warnings"] == [] and data["seed"] == 1
    code, _, err = run(capsys, "reliability", "Kashgar", "Osh", "--samples", "0")
    assert code == 2 and "--samples" in err


def test_matrix_writes_csv_atomically(capsys, tmp_path):
    target = tmp_path / "m.csv"
    code, out, err = run(capsys, "matrix", "--origins", "Kashgar,Osh", "--destinations", "Tashkent", "--output", str(target))
    assert code == 0 and out == "" and "wrote 2 rows" in err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["origin"], r["destination"], r["status"]) for r in rows] == [("Kashgar", "Tashkent", "ok"), ("Osh", "Tashkent", "ok")]
    code, _, err = run(capsys, "matrix", "--origins", "Kashgar", "--destinations", "Osh", "--output", str(tmp_path / "missing" / "m.csv"))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "missing").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]


def test_profile_csv(capsys):
    code, out, _ = run(capsys, "profile", "Kashgar", "Osh", "--start", "2017-10-27", "--days", "2", "--step-h", "12", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 4 and [r["weekday"] for r in rows] == ["Fri", "Fri", "Sat", "Sat"]
    assert float(rows[2]["total_h"]) > float(rows[1]["total_h"])  # a Saturday departure waits for Monday at Irkeshtam


def test_matrix_progress_bar_stays_quiet_when_piped():
    result = subprocess.run(
        [sys.executable, "-m", "transit.cli", "matrix", "--origins", "Kashgar", "--destinations", "Osh,Tashkent"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 3


EARLY = ("Kashgar", "Osh", "--depart", "2016-10-03T08:00")  # before sco-2017 came into force: the trip has warnings
BEFORE = "before regime 'sco-2017' came into force"


def test_warnings_in_every_output_of_compare_reliability_profile_and_matrix(capsys):
    code, out, _ = run(capsys, "compare", *EARLY, "--regimes", "sco-2017", "--format", "csv")
    assert code == 0 and BEFORE in next(csv.DictReader(io.StringIO(out)))["warnings"]
    code, out, _ = run(capsys, "compare", *EARLY, "--regimes", "sco-2017")
    assert code == 0 and f"warning (sco-2017): departure 2016-10-03 is {BEFORE}" in out
    code, out, _ = run(capsys, "reliability", *EARLY, "--regime", "sco-2017", "--samples", "100", "--seed", "1")
    assert code == 0 and f"warning: departure 2016-10-03 is {BEFORE}" in out
    code, out, err = run(capsys, "reliability", *EARLY, "--regime", "sco-2017", "--samples", "100", "--seed", "1", "--format", "csv")
    assert code == 0 and BEFORE in err and BEFORE not in out
    profile = ("profile", "Kashgar", "Osh", "--start", "2016-10-03T08:00", "--days", "0.5", "--step-h", "6", "--regime", "sco-2017")
    code, out, _ = run(capsys, *profile, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and all(BEFORE in r["warnings"] for r in rows)
    code, out, _ = run(capsys, *profile, "--format", "json")
    assert code == 0 and all(any(BEFORE in w for w in r["warnings"]) for r in json.loads(out))
    code, out, _ = run(capsys, *profile)
    assert code == 0 and out.count(BEFORE) == 1  # one note under the table for both departures
    assert "warning (2016-10-03T08:00:00+08:00, 2016-10-03T14:00:00+08:00): departure 2016-10-03" in out
    code, out, _ = run(capsys, "matrix", "--origins", "Kashgar", "--destinations", "Osh", "--depart", "2016-10-03T08:00", "--regime", "sco-2017")
    (row,) = csv.DictReader(io.StringIO(out))
    assert code == 0 and BEFORE in row["warnings"] and " | " in row["warnings"]


def test_plan_says_how_far_a_point_was_snapped(capsys):
    code, out, _ = run(capsys, "plan", "39.48,75.98", "Osh", "--depart", "2017-10-30T08:00")
    assert code == 0 and "origin snapped 1.0 km to Kashgar" in out and "destination snapped" not in out
    code, out, _ = run(capsys, "plan", "Kashgar", "Osh", "--depart", "2017-10-30T08:00", "--format", "json")
    assert code == 0 and json.loads(out)["snapped_km"] == [0.0, 0.0] and "snapped" not in run(capsys, "plan", "Kashgar", "Osh")[1]
