"""The planner's page (``GET /``) driven in headless Chromium by Playwright, against a real server on loopback.

The browser is Debian's Chromium (``.ci/run`` installs it; Playwright's own download is not used). Every request
the page makes goes through a route handler that lets only this server's address through and records the rest, so
every test also proves that the page asks nothing outside the server.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

if not os.environ.get("TRANSIT_REQUIRE_BROWSER"):  # in CI (.ci/run) a missing Playwright is an error, not a skip
    pytest.importorskip("playwright")
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import matplotlib.image
import uvicorn
from playwright.sync_api import Page, sync_playwright

import transit
from tests._images import CHROMIUM_FLAGS, chromium_or_skip, has_colour
from transit._palette import DELAY_BINS, PALETTE
from transit.api import Limits, create_app
from transit.serialize import trip_to_dict

QUESTION = {"from": "Kashgar", "to": "Tashkent", "depart": "2017-10-30T08:00", "via": "Irkeshtam", "regimes": "pre-2017,sco-2017"}
SAMPLES = 300


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread of the test process: leave its signals alone
        pass


def _serve(app):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module")
def server(net):
    srv, thread, base = _serve(create_app(net))
    yield base
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def strict_server(net):
    """A server with a short time limit and few samples, for the page's messages on a timeout and a limit."""
    srv, thread, base = _serve(create_app(net, limits=Limits(timeout_s=0.01, max_samples=500)))
    yield base
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture
def outside():
    """Requests the page tried to make outside the server (each test asserts there were none)."""
    return []


def _open(browser, base, outside, *, width=1280, height=800) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)

    def guard(route):
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def page(browser, server, outside):
    page = _open(browser, server, outside)
    yield page
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
    page.context.close()
    assert outside == [], f"the page asked outside the server: {outside}"


def _url(base, question=QUESTION, **more) -> str:
    return base + "/?" + "&".join(f"{k}={v}" for k, v in {**question, **more}.items())


def _wait_done(page: Page, *, timeout_ms=60_000) -> None:
    page.wait_for_function(
        "() => /^(Done|Shown again)/.test(document.getElementById('status').textContent)"
        " || document.getElementById('form-error').textContent || document.querySelector('.error:not(:empty)')",
        timeout=timeout_ms,
    )


def _table(page: Page) -> dict[str, dict[str, str]]:
    """The results table: row label -> column header -> the cell's exact value (data-value) or text."""
    return page.evaluate(
        """() => {
        const heads = [...document.querySelectorAll('#summary thead th')].map(th => th.textContent.trim());
        const out = {};
        for (const tr of document.querySelectorAll('#summary tbody tr')) {
            const cells = [...tr.children];
            out[tr.dataset.row] = Object.fromEntries(cells.map((c, i) => [heads[i], c.dataset.value ?? c.textContent.trim()]));
        }
        return out;
    }"""
    )


@pytest.fixture(scope="module")
def expected(net):
    return transit.compare(
        net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"], departure="2017-10-30T08:00", via=["Irkeshtam"], samples=SAMPLES, rng=1
    )


def _pick(page: Page, field: str, typed: str, expected_value: str) -> str:
    """Type into a combobox and choose the first suggestion with the keyboard; return the first suggestion's text."""
    page.focus(f"#{field}")
    page.keyboard.type(typed)
    page.wait_for_selector(f"#{field}-list li")
    shown = page.text_content(f"#{field}-list li")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value(f"#{field}") == expected_value
    return shown


def test_the_form_by_keyboard_answers_with_the_totals_of_transit_compare(page, server, expected, net):
    page.goto(server + "/")
    page.wait_for_selector("#regimes-list input")
    _pick(page, "from", "Kash", "Kashgar")
    shown = _pick(page, "to", "Toshk", "Tashkent")  # an alias finds its place, and the list says which alias
    assert "Tashkent" in shown and "also “Toshkent”" in shown
    _pick(page, "via", "Irkesh", "Irkeshtam")
    page.fill("#depart", "2017-10-30T08:00")
    assert "Asia/Shanghai" in page.text_content("#depart-tz")  # local time at the origin, said so
    for regime in ("pre-2017", "sco-2017", "history"):  # Space toggles the focused checkbox
        page.focus(f"#regime-{regime}")
        if page.is_checked(f"#regime-{regime}") != (regime != "history"):
            page.keyboard.press("Space")
    page.fill("#samples", str(SAMPLES))
    page.focus("#samples")
    page.keyboard.press("Enter")  # submits the form
    _wait_done(page)
    query = parse_qs(urlsplit(page.url).query)
    assert {k: v[0] for k, v in query.items()} == {**QUESTION, "samples": str(SAMPLES)}
    assert "depart=2017-10-30T08:00&" in page.url and "regimes=pre-2017,sco-2017" in page.url  # readable: , and : as they are
    table = _table(page)
    assert list(table) == ["pre-2017", "sco-2017"]
    for regime, row in expected.table.iterrows():
        shown = table[regime]
        assert float(shown["Total h"]) == pytest.approx(row["total_h"], rel=1e-12)
        assert float(shown["P50 h"]) == pytest.approx(row["p50_h"], rel=1e-12)
        assert float(shown["P90 h"]) == pytest.approx(row["p90_h"], rel=1e-12)
        assert float(shown["Cost USD"]) == pytest.approx(row["cost_usd"], rel=1e-12)
        assert shown["Arrival (local)"] == expected.trips[regime].arrival.isoformat()
        for column, key in (("Driving h", "driving_h"), ("Border h", "border_h"), ("Rest h", "rest_h")):
            assert float(shown[column]) == pytest.approx(row[key], rel=1e-12)
        assert shown["Crossings"] == ", ".join(net.graph["crossings"][c].name for c in expected.trips[regime].crossings)
    assert table["pre-2017"]["Saving h"] == "baseline"
    assert float(table["sco-2017"]["Saving h"]) == pytest.approx(expected.table.loc["sco-2017", "saving_h"])
    # the timeline of the chosen row, step by step
    page.select_option("#timeline-of", "sco-2017")
    steps = page.locator("#timeline tbody tr")
    assert steps.count() == len(expected.trips["sco-2017"].events)
    assert steps.first.locator("td").nth(2).text_content() == expected.trips["sco-2017"].departure.strftime("%Y-%m-%d %H:%M UTC+08")


def test_the_chart_and_the_map_are_drawn_in_the_route_colours(page, server):
    page.goto(_url(server, samples=0))
    _wait_done(page)
    assert page.locator("#chart polyline").count() == 2
    page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length >= 2")
    page.wait_for_timeout(300)  # the outlines arrive after the routes
    chart = matplotlib.image.imread(io.BytesIO(page.locator("#chart").screenshot()), format="png")
    map_ = matplotlib.image.imread(io.BytesIO(page.locator("#map").screenshot()), format="png")
    for image in (chart, map_):
        assert has_colour(image, PALETTE[0], min_pixels=300), "the first regime's line is missing"
        assert has_colour(image, PALETTE[1], min_pixels=300), "the second regime's line is missing"
    assert has_colour(map_, "#f4f1ea", min_pixels=10_000), "the country outlines are missing"
    delay_colours = {colour for _, colour, _ in DELAY_BINS}
    assert sum(has_colour(map_, c, min_pixels=30) for c in delay_colours) >= 2, "crossings coloured by time spent are missing"
    # and the colours come from the routes: with no route drawn, they are (almost) absent
    page.evaluate("() => document.querySelectorAll('#chart polyline, #map path.leaflet-interactive').forEach(p => p.remove())")
    bare = matplotlib.image.imread(io.BytesIO(page.locator("#map").screenshot()), format="png")
    assert not has_colour(bare, PALETTE[1], min_pixels=300)


def test_the_link_reproduces_the_answer_and_back_goes_back(browser, server, outside):
    first = _open(browser, server, outside)
    first.goto(_url(server, samples=SAMPLES))
    _wait_done(first)
    answer = _table(first)
    # a colleague opens the same link in another browser context: the same answer, recomputed
    other = _open(browser, server, outside)
    other.goto(first.url)
    _wait_done(other)
    assert _table(other) == answer
    assert other.input_value("#from") == "Kashgar" and other.input_value("#via") == "Irkeshtam"
    other.context.close()
    # a new question, then back and forward
    first.uncheck("#regime-pre-2017")
    first.click("#go")
    first.wait_for_function("() => document.querySelectorAll('#summary tbody tr').length === 1")
    assert "regimes=sco-2017&" in first.url
    first.go_back()
    first.wait_for_function("() => document.querySelectorAll('#summary tbody tr').length === 2")
    assert _table(first) == answer and first.is_checked("#regime-pre-2017")
    first.go_forward()
    first.wait_for_function("() => document.querySelectorAll('#summary tbody tr').length === 1")
    assert list(_table(first)) == ["sco-2017"]
    assert first.errors == []  # type: ignore[attr-defined]
    first.context.close()
    assert outside == []


def test_dates_compare_under_the_rules_of_each_date(page, server, net):
    dates = "2016-10-31T08:00,2017-10-30T08:00"
    page.goto(_url(server, {"from": "Kashgar", "to": "Tashkent"}, dates=dates, regimes="history", samples=0))
    _wait_done(page)
    assert page.is_checked("#mode-dates") and page.is_hidden("#depart")
    table = _table(page)
    cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["history"], departures=dates.split(","))
    assert list(table) == list(cmp.rows)
    for label in cmp.rows:
        assert float(table[label]["Total h"]) == pytest.approx(cmp.trips[label].total_h, rel=1e-12)


def test_an_unknown_place_shows_the_servers_suggestion_beside_its_field(page, server):
    page.goto(_url(server, {**QUESTION, "to": "Tashknet", "via": "Irkeshtam"}, samples=0))
    page.wait_for_selector("#to-error button")
    assert "Did you mean" in page.text_content("#to-error") and page.get_attribute("#to", "aria-invalid") == "true"
    assert page.text_content("#from-error") == ""
    page.click("#to-error button:text('Tashkent')")
    assert page.input_value("#to") == "Tashkent" and page.text_content("#to-error") == ""
    page.click("#go")
    _wait_done(page)
    assert list(_table(page)) == ["pre-2017", "sco-2017"]
    # a typo in a via place lands beside the via field, and the suggestion replaces only that place
    page.fill("#via", "Osh, Irkeshtan")
    page.click("#go")
    page.wait_for_selector("#via-error button")
    page.click("#via-error button:text('Irkeshtam')")
    assert page.input_value("#via") == "Osh, Irkeshtam"
    # what the server echoes back is shown as text, never run as HTML
    page.goto(_url(server, {**QUESTION, "from": "<img src=x onerror=window.pwned=1>"}, samples=0))
    page.wait_for_selector("#from-error:not(:empty)")
    assert "<img src=x" in page.text_content("#from-error") and page.locator("#from-error img").count() == 0
    assert page.evaluate("() => window.pwned === undefined")


def test_limits_and_timeouts_say_what_to_change(page, server, browser, strict_server, outside):
    page.goto(_url(server, samples=10_000_000))
    page.wait_for_selector("#samples-error:not(:empty)")
    assert "100,000" in page.text_content("#samples-error")  # the server's limit, told to the page
    strict = _open(browser, strict_server, outside)
    strict.goto(_url(strict_server, samples=400))
    strict.wait_for_selector("#form-error:not(:empty)", timeout=60_000)
    text = strict.text_content("#form-error")
    assert "time limit of 0.01 s" in text and "fewer samples (now 400)" in text
    # a page loaded before the server's limits changed: the server's own refusal lands beside the field
    strict.route(
        strict_server + "/?*",
        lambda route: route.fulfill(response=(r := route.fetch()), body=r.text().replace('"max_samples": 500', '"max_samples": 100000')),
    )
    strict.goto(_url(strict_server, samples=5_000))
    strict.wait_for_selector("#samples-error:not(:empty)")
    assert strict.text_content("#samples-error") == "Samples=5,000 exceeds the limit of 500 per request. Lower the samples to 500 or fewer."
    strict.context.close()


def test_a_long_computation_shows_progress_and_can_be_cancelled(page, server):
    dates = ",".join(f"2017-{m:02d}-02T08:00" for m in range(1, 13))
    page.goto(_url(server, {"from": "Kashgar", "to": "Tashkent"}, dates=dates, regimes="pre-2017,sco-2017,history", samples=100_000))
    page.wait_for_selector("#status .spinner")
    assert page.is_visible("#cancel") and "Computing" in page.text_content("#status")
    page.click("#cancel")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Cancelled')")
    assert page.is_hidden("#cancel") and page.is_hidden("#results")


def test_downloads_give_the_timeline_as_csv_and_the_comparison_as_json(page, server, expected):
    page.goto(_url(server, samples=SAMPLES))
    _wait_done(page)
    page.select_option("#timeline-of", "pre-2017")
    with page.expect_download() as info:
        page.click("#download-csv")
    assert info.value.suggested_filename == "transit_kashgar_tashkent_pre-2017.csv"
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    events = expected.trips["pre-2017"].events
    assert len(rows) == len(events)
    assert [r["activity"] for r in rows] == [e.activity for e in events]
    assert sum(float(r["duration_h"]) for r in rows) == pytest.approx(expected.trips["pre-2017"].total_h, abs=0.01)
    served = trip_to_dict(expected.trips["pre-2017"])["timeline"]
    assert [(r["start"], r["end"], r["place"]) for r in rows] == [(e["start"], e["end"], e["place"]) for e in served]
    with page.expect_download() as info:
        page.click("#download-json")
    body = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert [r["row"] for r in body["rows"]] == ["pre-2017", "sco-2017"] and set(body["trips"]) == {"pre-2017", "sco-2017"}
    assert body["rows"][1]["total_h"] == pytest.approx(expected.table.loc["sco-2017", "total_h"], rel=1e-12)


def test_every_field_has_a_label_the_keyboard_reaches_it_and_text_has_contrast(page, server):
    page.goto(_url(server, samples=SAMPLES))
    _wait_done(page)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
            .map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert unlabelled == []
    # Tab from the top reaches every control of the form, in order
    page.focus("body")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.id"))
    wanted = [
        "from",
        "to",
        "via",
        "mode-regimes",
        "depart",
        "regime-pre-2017",
        "regime-sco-2017",
        "regime-history",
        "reg",
        "drivers",
        "samples",
        "go",
    ]
    reached = [i for n, i in enumerate(seen) if i in wanted and (n == 0 or seen[n - 1] != i)]  # the date's parts are Tab stops of one field
    assert reached[: len(wanted)] == wanted
    low = page.evaluate(
        """() => {
        const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
        const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
                            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
        const back = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.5) return c; }
                            return [255, 255, 255]; };
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
            if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden' || e.closest('svg')) continue;
            if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
            const a = lum(rgb(getComputedStyle(e).color)), b = lum(back(e));
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) out.push(`${e.tagName}.${e.className}: "${e.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
        }
        return out;
    }"""
    )
    assert low == [], low


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_page_fits_a_laptop_and_a_phone_and_weighs_under_a_megabyte(browser, server, outside, width, height):
    page = _open(browser, server, outside, width=width, height=height)
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())))
    page.goto(_url(server, samples=SAMPLES))
    _wait_done(page)
    page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length >= 2")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    for selector in ("#go", "#summary-wrap", "#chart svg", "#map", "#timeline-wrap"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, selector
    weight = sum(n for url, n in sizes.items() if not url.endswith("/ui/outlines.geojson"))
    assert 100_000 < weight < 1_000_000, sizes
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
    assert outside == []


def test_the_page_cannot_reach_outside_the_server(page, server):
    response = page.goto(server + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    page.wait_for_selector("#regimes-list input")
    # even a script that tries is stopped by the browser, before the route guard sees it
    blocked = page.evaluate("() => fetch('https://tile.openstreetmap.org/0/0/0.png').then(() => 'fetched', e => 'blocked')")
    assert blocked == "blocked"


def test_outlines_cover_the_network_and_the_page_config_matches_the_palette(server):
    import urllib.request

    with urllib.request.urlopen(server + "/ui/outlines.geojson") as r:
        outlines = json.load(r)
    assert {"CN", "KG", "KZ", "TJ", "UZ"} <= {f["properties"]["iso"] for f in outlines["features"]}
    with urllib.request.urlopen(server + "/") as r:
        html = r.read().decode()
    config = json.loads(html.split('<script id="config" type="application/json">')[1].split("</script>")[0])
    assert config["palette"] == list(PALETTE) and [b["colour"] for b in config["delay_bins"]] == [c for _, c, _ in DELAY_BINS]
    assert np.isclose(config["limits"]["timeout_s"], Limits().timeout_s)


def _compare_or_reason(net, *args, **kwargs):
    try:
        return transit.compare(net, *args, **kwargs), ""
    except transit.TransitError as exc:
        return None, str(exc)


def test_random_questions_give_the_answers_of_transit_compare_or_say_why_not(page, server, net):
    """Seeded random places, departures and regimes: the page shows compare's totals, or the reason there is none."""
    rng = np.random.default_rng(15)
    names = sorted(d["name"] for _, d in net.nodes(data=True) if d.get("kind") in ("city", "town"))
    regimes = ["pre-2017", "sco-2017", "history"]
    questions = []
    for _ in range(6):
        origin, destination = rng.choice(names, size=2, replace=False)
        day = np.datetime64("2010-01-01") + int(rng.integers(0, 15 * 365))
        departure = f"{day}T{int(rng.integers(0, 24)):02d}:{int(rng.choice([0, 15, 30, 45])):02d}"
        questions.append(
            (str(origin), str(destination), departure, [str(r) for r in rng.choice(regimes, size=int(rng.integers(1, 4)), replace=False)], [])
        )
    # random questions all have routes, so two that have not: Dostuk in 2014 under the rules of the day (closed) beside
    # pre-2017 (open), and Kulma in winter (closed)
    questions += [
        ("Osh", "Andijan", "2014-06-02T08:00", ["pre-2017", "history"], ["Dostuk"]),
        ("Kashgar", "Dushanbe", "2016-01-12T08:00", ["history"], ["Kulma"]),
    ]
    for origin, destination, departure, asked, via in questions:
        page.goto(_url(server, {"from": origin, "to": destination, "depart": departure, "regimes": ",".join(asked), "via": ",".join(via)}, samples=0))
        _wait_done(page)
        cmp, reason = _compare_or_reason(net, origin, destination, regimes=asked, departure=departure, via=via)
        if cmp is None:  # no route under any regime: the page says the server's reason
            assert page.is_hidden("#results")
            assert reason.split(";")[0][:40].lower() in page.text_content("#form-error").lower()
            continue
        table = _table(page)
        assert list(table) == list(cmp.rows), (origin, destination, departure)
        for label in cmp.rows:
            if label in cmp.trips:
                assert float(table[label]["Total h"]) == pytest.approx(cmp.trips[label].total_h, rel=1e-12)
            else:
                assert "no route" in table[label]["Total h"]


def test_the_page_works_behind_a_reverse_proxy_path(browser, net, outside):
    """Relative addresses: the page and the API mounted under /transit/ (as a proxy would) still answer."""
    from starlette.applications import Starlette
    from starlette.routing import Mount

    srv, thread, base = _serve(Starlette(routes=[Mount("/transit", app=create_app(net))]))
    try:
        page = _open(browser, base + "/transit", outside)
        page.goto(_url(base + "/transit", samples=0))
        _wait_done(page)
        assert list(_table(page)) == ["pre-2017", "sco-2017"]
        assert urlsplit(page.url).path == "/transit/"
        page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length >= 2")
        assert page.errors == []  # type: ignore[attr-defined]
        page.context.close()
        assert outside == []
    finally:
        srv.should_exit = True
        thread.join(10)


def test_modes_compare_the_truck_with_truck_and_train_door_to_door(page, server, net):
    page.goto(
        _url(server, {"from": "Kashgar", "to": "Tashkent", "depart": "2016-10-31T08:00", "regimes": "history"}, modes="road,road+rail", samples=0)
    )
    _wait_done(page)
    assert page.is_checked("#modes-road") and page.is_checked("#modes-road-rail") and not page.is_checked("#modes-rail")
    cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["history"], departure="2016-10-31T08:00", modes=["road", "road+rail"])
    table = _table(page)
    assert list(table) == list(cmp.rows) == ["history road", "history road+rail"]
    for label in cmp.rows:
        assert float(table[label]["Total h"]) == pytest.approx(cmp.trips[label].total_h, rel=1e-12)
    # the train is drawn on the map (long dashes), and the transfers as points; the chart has both rows
    page.wait_for_function("() => document.querySelectorAll('#map path[stroke-dasharray=\"14 8\"]').length >= 1")
    assert page.locator("#chart polyline").count() == 2
    page.select_option("#timeline-of", "history road+rail")
    with page.expect_download() as info:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert {"road", "rail", "transfer"} <= {r["mode"] for r in rows}
    assert sum(float(r["distance_km"]) for r in rows if r["mode"] == "rail") == pytest.approx(
        cmp.trips["history road+rail"].km_by_mode["rail"], abs=0.5
    )
    # unticking road+rail goes back to the truck alone, and the link says so by leaving modes out
    page.uncheck("#modes-road-rail")
    page.click("#go")
    page.wait_for_function("() => document.querySelectorAll('#summary tbody tr').length === 1")
    assert "modes=" not in page.url and list(_table(page)) == ["history"]


def test_the_vehicle_fields_reach_the_answer(page, server, net):
    page.goto(_url(server, reg="UZ", drivers="2", samples=0))
    _wait_done(page)
    assert page.input_value("#reg") == "UZ" and page.input_value("#drivers") == "2"
    cmp = transit.compare(
        net,
        "Kashgar",
        "Tashkent",
        regimes=["pre-2017", "sco-2017"],
        departure="2017-10-30T08:00",
        via=["Irkeshtam"],
        vehicle={"registration": "UZ", "drivers": 2},
    )
    one_driver = transit.compare(net, "Kashgar", "Tashkent", regimes=["sco-2017"], departure="2017-10-30T08:00", via=["Irkeshtam"])
    table = _table(page)
    for label in cmp.rows:
        assert float(table[label]["Total h"]) == pytest.approx(cmp.trips[label].total_h, rel=1e-12)
    assert float(table["sco-2017"]["Total h"]) != pytest.approx(one_driver.trips["sco-2017"].total_h)  # the crew counts
