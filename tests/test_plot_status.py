"""The corridor-status chart: one lane per crossing, spans coloured by status at known dates of TEST_TIMELINE, labels, errors."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("folium")

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.image
from matplotlib.colors import to_rgba

import transit
import transit.plot as tplot
from tests.conftest import TEST_TIMELINE, without_timeline
from tests.test_plot import assert_not_blank, has_colour

mpl.use("Agg")  # no display: the chart is drawn on a Figure and rendered to PNG

#: Two made-up events at Kulma, on top of TEST_TIMELINE: some registrations turned back (restricted), and an event that
#: calls itself closed while freight still crosses by cargo transfer (restricted: the rule lets freight through).
KULMA_EVENTS = """
[[event]]
id = "kulma-uz-turned-back"
title = "Uzbek trucks turned back at Kulma"
from = 2019-01-01
to = 2019-07-01
crossings = ["kulma"]
through = { UZ = "transship" }
source = "fpri-2020"

[[event]]
id = "kulma-cargo-only"
title = "Kulma: cargo transfer only"
from = 2021-01-01
to = 2021-07-01
crossings = ["kulma"]
transfer = "cargo"
status = "closed"
source = "fpri-2020"
"""


@pytest.fixture(scope="module")
def kulma_net(tmp_path_factory, history_dataset):
    base = tmp_path_factory.mktemp("kulma") / "routes"
    shutil.copytree(history_dataset, base)
    (base / "timeline.toml").write_text(TEST_TIMELINE + KULMA_EVENTS, encoding="utf-8")
    return transit.load_network(base)


#: Four queues at Kulma a month apart: more labels than one lane's three rows hold on a narrow chart.
CROWDED = "".join(
    f"""
[[event]]
id = "kulma-queue-{month}"
title = "A queue at Kulma"
from = 2019-{month:02d}-01
to = 2019-{month:02d}-15
crossings = ["kulma"]
queue_median_h = 10
queue_p90_h = 20
source = "fpri-2020"
"""
    for month in (8, 9, 10, 11)
)


@pytest.fixture(scope="module")
def crowded_net(tmp_path_factory, history_dataset):
    base = tmp_path_factory.mktemp("crowded") / "routes"
    shutil.copytree(history_dataset, base)
    (base / "timeline.toml").write_text(TEST_TIMELINE + KULMA_EVENTS + CROWDED, encoding="utf-8")
    return transit.load_network(base)


@pytest.fixture(scope="module")
def ax(history_net):
    return tplot.corridor_status(history_net, end="2024-12-31")


def lanes(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def colour_at(ax, lane: str, day: str) -> tuple[float, ...]:
    """The face colour of the bar drawn in ``lane`` at noon UTC of ``day`` (exactly one)."""
    y = lanes(ax).index(lane)
    x = mdates.date2num(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC))
    found = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - y) < 1e-9 and p.get_x() <= x < p.get_x() + p.get_width()]
    assert len(found) == 1, (lane, day, len(found))
    return tuple(found[0].get_facecolor())


def test_one_lane_per_crossing_with_events_in_the_network_order(ax, history_net):
    touched = {c for e in history_net.graph["timeline"].events for c in e.crossings}
    expected = [c.name for c in history_net.graph["crossings"].values() if c.id in touched]
    assert lanes(ax) == expected
    assert {"Irkeshtam", "Torugart", "Dostuk/Dustlik"} <= set(lanes(ax)) and "Kara-Suu" not in lanes(ax)
    left, right = ax.get_xlim()
    assert left == pytest.approx(mdates.date2num(datetime(2010, 1, 1, tzinfo=UTC)))
    assert right == pytest.approx(mdates.date2num(datetime(2025, 1, 1, tzinfo=UTC)))


@pytest.mark.parametrize(
    ("lane", "day", "status"),
    [
        ("Dostuk/Dustlik", "2010-03-01", "open"),
        ("Dostuk/Dustlik", "2015-01-01", "closed"),  # dostuk-closed, 2010-06-14 to 2017-09-05
        ("Dostuk/Dustlik", "2017-09-06", "open"),
        ("Ak-Zhol/Kordai", "2017-11-01", "delays"),  # kordai-queue
        ("Ak-Zhol/Kordai", "2019-03-05", "closed"),  # kordai-closed-2019, one week
        ("Ak-Zhol/Kordai", "2019-03-09", "open"),
        ("Irkeshtam", "2019-12-31", "open"),
        ("Irkeshtam", "2020-03-01", "closed"),  # kg-cn-closed
        ("Torugart", "2020-03-01", "closed"),
        ("Irkeshtam", "2021-06-01", "one-way"),  # kg-cn-one-way, only CN>KG
        ("Torugart", "2022-12-15", "one-way"),
        ("Irkeshtam", "2023-06-01", "open"),
    ],
)
def test_spans_are_coloured_by_the_status_in_force(ax, lane, day, status):
    assert colour_at(ax, lane, day) == to_rgba(tplot.STATUS_COLOURS[status])


def test_restricted_for_turned_back_registrations_and_for_a_closed_event_the_rule_lets_through(kulma_net):
    ax = tplot.corridor_status(kulma_net, crossings=["kulma", "Irkeshtam"], start="2018-01-01", end="2022-06-30")
    assert lanes(ax) == ["Kulma", "Irkeshtam"]
    assert colour_at(ax, "Kulma", "2018-06-01") == to_rgba(tplot.STATUS_COLOURS["open"])
    assert colour_at(ax, "Kulma", "2019-03-01") == to_rgba(tplot.STATUS_COLOURS["restricted"])
    assert colour_at(ax, "Kulma", "2021-03-01") == to_rgba(tplot.STATUS_COLOURS["restricted"])
    assert colour_at(ax, "Kulma", "2021-08-01") == to_rgba(tplot.STATUS_COLOURS["open"])
    # Runs of one status are one bar: Kulma is open, restricted, open, restricted, open.
    kulma = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 1e-9]
    assert len(kulma) == 5


def test_events_are_labelled_at_their_start_on_each_of_their_lanes(ax, history_net):
    texts = [(t.get_text(), t.xy) for t in ax.texts]
    for event in history_net.graph["timeline"].events:
        for cid in event.crossings:
            lane = lanes(ax).index(history_net.graph["crossings"][cid].name)
            at = [xy for text, xy in texts if text == event.id and abs(xy[1] - (lane - 0.3)) < 1e-9]
            start = datetime.fromtimestamp(event.start_s(history_net.graph["crossings"][cid].posts[0].tz), UTC)
            assert at and at[0][0] == pytest.approx(mdates.date2num(start)), (event.id, cid)
    assert sum(text == "kg-cn-closed" for text, _ in texts) == 2  # Irkeshtam and Torugart


def test_an_event_begun_before_the_window_is_labelled_at_its_left_edge(history_net):
    ax = tplot.corridor_status(history_net, crossings="dostuk", start="2016-01-01", end="2018-12-31")
    labels = {t.get_text(): t.xy[0] for t in ax.texts}
    event = history_net.graph["timeline"].events[1]
    reopened = mdates.date2num(datetime.fromtimestamp(event.start_s(history_net.graph["crossings"]["dostuk"].posts[0].tz), UTC))
    assert event.id == "dostuk-open"
    assert labels == {"dostuk-closed": pytest.approx(ax.get_xlim()[0]), "dostuk-open": pytest.approx(reopened)}
    assert colour_at(ax, "Dostuk/Dustlik", "2016-01-01") == to_rgba(tplot.STATUS_COLOURS["closed"])


def test_legend_names_every_status_in_colour_blind_safe_colours(ax):
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["open", "delays", "restricted", "one-way", "closed"]
    colours = [tuple(h.get_facecolor()) for h in legend.legend_handles]
    assert colours == [to_rgba(tplot.STATUS_COLOURS[s]) for s in ("open", "delays", "restricted", "one-way", "closed")]
    assert set(tplot.STATUS_COLOURS.values()) <= set(tplot.PALETTE)  # Okabe-Ito
    assert set(tplot.STATUS_COLOURS) == set(transit.timeline.STATUSES)


def test_draws_into_given_axes_and_renders_a_non_blank_png(history_net):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    given = fig.add_subplot()
    assert tplot.corridor_status(history_net, ax=given, end=date(2024, 12, 31)) is given
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    buffer.seek(0)
    image = matplotlib.image.imread(buffer, format="png")
    assert_not_blank(image, min_size=(300, 700))
    for status in ("open", "closed", "one-way"):
        assert has_colour(image, tplot.STATUS_COLOURS[status]), status


def test_bad_arguments_raise_the_library_errors_with_close_matches(history_net, tmp_path):
    with pytest.raises(transit.UnknownIdError, match="did you mean 'irkeshtam'") as info:
        tplot.corridor_status(history_net, crossings=["Irkestam"])
    assert info.value.suggestions == ("irkeshtam",)
    with pytest.raises(transit.InvalidArgumentError, match="end=2015-01-01 is before start=2016-01-01"):
        tplot.corridor_status(history_net, start="2016-01-01", end="2015-01-01")
    with pytest.raises(transit.InvalidArgumentError, match="crossings is empty"):
        tplot.corridor_status(history_net, crossings=[])
    with pytest.raises(transit.ArgumentTypeError, match="crossings=5 is not a list"):
        tplot.corridor_status(history_net, crossings=5)
    with pytest.raises(transit.InvalidNetworkError):
        tplot.corridor_status("not a network")
    with pytest.raises(transit.InvalidDepartureError, match="start='2016' is not a date"):
        tplot.corridor_status(history_net, start="2016")
    with pytest.raises(transit.InvalidArgumentError, match="has no dated timeline"):
        tplot.corridor_status(without_timeline(transit.datasets.routes_dir(), tmp_path / "routes"))


def test_labels_never_overlap_and_those_left_out_are_counted(crowded_net):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.0, 4.0))
    ax = tplot.corridor_status(crowded_net, ax=fig.add_subplot(), end="2024-12-31")
    timeline, crossings = crowded_net.graph["timeline"], crowded_net.graph["crossings"]
    pairs = sum(1 for e in timeline.events for c in e.crossings if crossings[c].name in lanes(ax))
    labels = [t for t in ax.texts if t.get_text() in {e.id for e in timeline.events}]
    notes = [t.get_text() for t in ax.texts if "left out" in t.get_text()]
    assert len(notes) == 1  # this narrow a chart cannot hold every label
    omitted = int(notes[0].split()[0])
    assert omitted > 0 and len(labels) + omitted == pairs
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    # Over half a year, a chart of the default width labels every event in force.
    wide = tplot.corridor_status(crowded_net, start="2019-07-01", end="2019-12-31")
    shown = timeline.events_between(start="2019-07-01", end="2019-12-31")
    assert not [t for t in wide.texts if "left out" in t.get_text()]
    assert sorted(t.get_text() for t in wide.texts) == sorted(e.id for e in shown for c in e.crossings if crossings[c].name in lanes(wide))
    assert {"kulma-queue-8", "kulma-queue-11", "dostuk-open"} <= {t.get_text() for t in wide.texts}
