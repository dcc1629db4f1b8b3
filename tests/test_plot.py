"""Charts and maps: the lines, steps and labels they promise, non-trivial PNGs, and the offline map in a real browser."""

from __future__ import annotations

import io
import re
import subprocess

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("folium")

import matplotlib.image

import transit
import transit.plot as tplot
from tests._images import CHROMIUM_FLAGS, assert_not_blank, chromium_or_skip, has_colour
from transit.trip import ACTIVITIES

DEPARTURE = "2017-10-30T08:00"


@pytest.fixture(scope="module")
def cmp(net):
    return transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"], departure=DEPARTURE, via=["Irkeshtam"], samples=2_000, rng=7)


def png(fig) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    buffer.seek(0)
    return matplotlib.image.imread(buffer, format="png")


def test_time_distance_draws_one_line_per_regime_with_steps_at_the_crossings(cmp):
    fig = tplot.time_distance(cmp)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == [f"pre-2017: {cmp.trips['pre-2017'].total_h:,.1f} h", f"history: {cmp.trips['history'].total_h:,.1f} h"]
    assert ax.get_xlabel() == "Distance (km)" and ax.get_ylabel() == "Time since departure (h)"
    assert "Kashgar → Tashkent" in ax.get_title()
    colours = [line.get_color() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert colours == list(tplot.PALETTE[:2])
    trip = cmp.trips["history"]
    x, t, steps = tplot.profile(trip)
    assert [name for *_, name, _ in steps] == ["Irkeshtam", "Dostuk/Dustlik"]
    assert x[-1] == pytest.approx(trip.distance_km) and t[-1] == pytest.approx(trip.total_h)
    for sx, y0, y1, name, _ in steps:  # a step: the line climbs by the hours spent at the crossing, at its distance
        here = [e for e in trip.events if name.split("/")[0] in e.place and (e.crossing_id or e.segment_id.endswith(":link"))]
        assert y1 - y0 == pytest.approx(sum(e.duration_h for e in here))
        standing = sum(e.duration_h for e in here if not e.distance_km)  # all but the short drive between the posts
        at = np.flatnonzero(np.isclose(x, sx))
        assert t[at].max() - t[at].min() == pytest.approx(standing)
    texts = [text.get_text() for text in ax.texts]
    assert any(text.startswith("Irkeshtam\n") for text in texts) and any("Dostuk/Dustlik" in text for text in texts)
    bands = [c for c in ax.collections if "P10–P90" in c.get_label()]
    assert len(bands) == 2


def test_cost_distance_ends_at_the_trip_cost(cmp):
    fig = tplot.time_distance(cmp, y="cost")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Cumulative cost (USD)"
    for regime, trip in cmp.trips.items():
        _, usd, steps = tplot.profile(trip, y="cost")
        assert usd[-1] == pytest.approx(trip.cost_usd)
        assert np.all(np.diff(usd) >= -1e-9)
        assert len(steps) == len(trip.crossings), regime
    assert not [c for c in ax.collections if "P10" in c.get_label()]  # no time band on a cost chart


def test_timeline_has_a_row_per_activity_and_a_bar_per_event(cmp):
    trip = cmp.trips["pre-2017"]
    fig = tplot.timeline(trip)
    ax = fig.axes[0]
    present = [t.get_text() for t in ax.get_yticklabels()]
    assert present == [a for a in ACTIVITIES if any(e.activity == a for e in trip.events)]
    assert "transshipment" in present and "closed_wait" in present
    bars = sum(len(c.get_paths()) for c in ax.collections)
    assert bars == sum(1 for e in trip.events if e.activity in present)
    assert ax.get_xlim()[1] == pytest.approx(trip.total_h)
    assert any("Irkeshtam" in t.get_text() for t in ax.texts)


def test_charts_render_to_non_trivial_png(cmp):
    for fig in (tplot.time_distance(cmp), tplot.time_distance(cmp, y="cost"), tplot.timeline(cmp.trips["history"])):
        image = png(fig)
        assert_not_blank(image, min_size=(250, 600))
        assert has_colour(image, tplot.PALETTE[0]) or has_colour(image, tplot.ACTIVITY_COLOURS["driving"])


def test_bad_inputs_name_what_was_expected(cmp):
    with pytest.raises(transit.InvalidArgumentError, match="expected a Trip, Comparison, Reliability"):
        tplot.time_distance("Kashgar")
    with pytest.raises(transit.InvalidArgumentError, match="y='speed'"):
        tplot.time_distance(cmp, y="speed")
    with pytest.raises(transit.InvalidArgumentError, match="band="):
        tplot.time_distance(cmp, band=(90, 10))
    with pytest.raises(transit.InvalidArgumentError, match=r"cmp\.trips"):
        tplot.timeline(cmp)


def test_offline_map_needs_no_network(cmp):
    fmap = tplot.map(cmp, offline=True)
    page = fmap.get_root().render()
    assert not re.findall(r"""(?:src|href)=["']https?://""", page)
    assert "Natural Earth" in page and page.count("L.polyline(") == 2
    assert page.count("L.circleMarker(") == 2 * 2 + 2 * 2  # two crossings and two ends per regime
    online = tplot.map(cmp).get_root().render()
    assert "tile.openstreetmap.org" in online


def test_repr_html_summaries(cmp):
    trip_html = cmp.trips["history"]._repr_html_()
    assert "Kashgar → Tashkent" in trip_html and "irkeshtam / dostuk" in trip_html
    cmp_html = cmp._repr_html_()
    assert "<th>p90_h</th>" in cmp_html and "pre-2017" in cmp_html
    assert "P90" in cmp.reliability["history"]._repr_html_()


def test_offline_map_screenshot_in_headless_chromium_shows_the_route(cmp, tmp_path):
    chromium = chromium_or_skip()
    page = tmp_path / "map.html"
    tplot.map(cmp, offline=True).save(str(page))
    shot = tmp_path / "map.png"
    flags = [
        "--headless",
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1000,560",
        "--virtual-time-budget=5000",
        f"--screenshot={shot}",
    ]
    result = subprocess.run([chromium, *flags, page.as_uri()], capture_output=True, text=True, timeout=180, check=False)
    assert shot.exists(), result.stderr[-2000:]
    image = matplotlib.image.imread(str(shot))
    assert_not_blank(image, min_size=(500, 900))
    # The route is drawn: plenty of pixels in the regimes' colours (solid blue under a dashed vermillion line).
    assert has_colour(image, tplot.PALETTE[1], min_pixels=300), "route line not found in the screenshot"
    assert has_colour(image, "#f4f1ea", min_pixels=10_000), "country fill (offline outlines) not found"
    # And it is the map, not a blank page: without the route the same colour is (almost) absent.
    empty = tmp_path / "empty.html"
    empty.write_text(
        page.read_text(encoding="utf-8").replace("L.polyline(", "(function(){return {addTo: function(){}}})||L.polyline("), encoding="utf-8"
    )
    shot2 = tmp_path / "empty.png"
    subprocess.run(
        [chromium, *[f for f in flags if not f.startswith("--screenshot")], f"--screenshot={shot2}", empty.as_uri()],
        capture_output=True,
        timeout=180,
        check=False,
    )
    if shot2.exists():
        assert not has_colour(matplotlib.image.imread(str(shot2)), tplot.PALETTE[1], min_pixels=300)
