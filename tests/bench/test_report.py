"""The benchmark report (bench/report.py): each page's share is of the bare template
measured right beside it, and results from before those were kept (older runs'
bench/.out/results-*.json, bench/previous-full.json) still render and compare, their
shares of the mean of all the run's bare measurements. No database: dicts by hand."""

import copy
import json
from pathlib import Path

import pytest

import bench.run
from bench.report import results_markdown

ROOT = Path(__file__).resolve().parents[2]


def _wrk(per_second: float) -> dict:
    return {"requests": int(per_second * 10), "seconds": 10.0, "p50_ms": 5.0, "p95_ms": 20.0,
            "errors": 0, "status_errors": 0, "per_second": per_second}


def _page(per_second: float, beside: list[float]) -> dict:
    return _wrk(per_second) | {"baseline_beside": beside}


def _results(pages: dict) -> dict:
    return {
        "size": "tiny", "date": "2026-12-01T09:30", "run_id": "test",
        "machine": {"cores": 2, "cpu": "test CPU", "memory_gib": 8.0, "python": "3.11.7"},
        "dataset": {"learners": 100, "courses": 4},
        "build_seconds": 60.0, "total_seconds": 300.0,
        "queries": {"tiny": {"lesson": 9, "course": 7, "catalogue": 5, "my learning": 5,
                             "HR report": 20}},
        "pages": pages,
        "completions": {"per_second": 200.0, "completed": 400, "ours": _wrk(250.0),
                        "baseline": _wrk(1000.0)},
        "bulk": {"rows": 1000, "ours_seconds": 2.0, "check_seconds": 0.5,
                 "confirmations_seconds": 3.0, "baseline_seconds": 1.0, "ratio": 2.0},
        "exports": {"csv": {"seconds": 1.5, "rows": 1000, "bytes": 100_000,
                            "worker_peak_rss_mb": 90.0},
                    "xlsx": {"seconds": 6.0, "rows": 1000, "bytes": 80_000,
                             "worker_peak_rss_mb": 120.0},
                    "baseline_seconds": 1.0},
        "certificates": {"count": 50, "ours_seconds": 4.0, "baseline_seconds": 2.0,
                         "ratio": 2.0},
    }


@pytest.fixture
def beside() -> dict:
    """A run whose bare template went from 1,000/s to 4,000/s halfway (mean 2,500/s):
    the lesson, 500/s beside 1,000 and 1,000, is 50% of its baseline, not 20%; My
    learning, 1,000/s beside 4,000 and 4,000, is 25%, not 40%."""
    return _results({
        "baseline": [_wrk(rate) for rate in (1000, 1000, 1000, 4000, 4000, 4000)],
        "static signed out": [_wrk(900), _wrk(800)],
        "baseline signed in": [_wrk(600), _wrk(600)],
        "catalogue": _page(400, [1000, 1000]),
        "lesson": _page(500, [1000, 1000]),
        "course": _page(250, [1000, 4000]),
        "my learning": _page(1000, [4000, 4000]),
        "HR report": _page(800, [4000, 4000]),
        "HR report, figures afresh": {"seconds": 0.4, "all": [0.3, 0.4, 0.5]},
    })


@pytest.fixture
def old_shape(beside) -> dict:
    """The same run as results were kept before: no bare figures beside each page, the
    bare template measured only before and after all the pages."""
    old = copy.deepcopy(beside)
    old["pages"]["baseline"] = [_wrk(1000), _wrk(4000)]
    for figures in old["pages"].values():
        if isinstance(figures, dict):
            figures.pop("baseline_beside", None)
    return old


def _row(text: str, start: str) -> list[str]:
    """The cells of the one table row that begins with `start`."""
    rows = [line for line in text.splitlines() if line.startswith(f"| {start} |")]
    assert len(rows) == 1, (start, rows)
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def _target(text: str, page: str) -> list[str]:
    return _row(text, f"{page} page, requests/s vs the static page")


def test_a_page_share_is_of_the_bare_template_beside_it(beside):
    text = results_markdown(beside)

    lesson = _target(text, "lesson")
    assert lesson[1:6] == ["500/s", "bare static template beside it: 1,000/s "
                           "(before 1,000, after 1,000)", "50%", "≥ 20%", "met"]
    assert _target(text, "course")[2:6] == [
        "bare static template beside it: 2,500/s (before 1,000, after 4,000)", "10%", "≥ 20%",
        "**missed** by 10 points (2.0\N{MULTIPLICATION SIGN} to go)"]
    assert _target(text, "my learning")[3:6] == [
        "25%", "≥ 30%", "**missed** by 5 points (1.2\N{MULTIPLICATION SIGN} to go)"]
    assert _target(text, "HR report")[3:6] == ["20%", "≥ 10%", "met"]


def test_the_pages_table_shares_and_prose_use_the_bare_template_beside_each_page(beside):
    text = results_markdown(beside)

    assert _row(text, "lesson")[:4] == ["lesson", "500", "20 ms", "50%"]
    assert _row(text, "my learning")[3] == "25%"
    assert "measured right before and right after each page" in text
    assert "1,000, 1,000, 1,000, 4,000, 4,000, 4,000 requests/s (p95 up to 20 ms)" in text
    assert "signed out 900, 800, signed in 600, 600 requests/s" in text


def test_signed_in_static_page_is_a_share_of_signed_out(beside):
    row = _row(results_markdown(beside),
               "static page signed in (session, user, navigation) vs signed out")
    assert row[1:6] == ["600/s", "the same page signed out: 850/s", "71%", "≥ 70%", "met"]


def test_an_old_shape_run_renders_with_the_mean_of_all_bare_figures(old_shape):
    text = results_markdown(old_shape)

    assert _target(text, "lesson")[1:6] == ["500/s", "bare static template: 2,500/s", "20%",
                                            "≥ 20%", "met"]
    assert _target(text, "my learning")[3:6] == ["40%", "≥ 30%", "met"]
    assert _row(text, "lesson")[3] == "20%"
    assert "measured before and after the pages (the shares are of their mean)" in text


def test_a_run_without_the_signed_in_page_renders(old_shape):
    for name in ("static signed out", "baseline signed in"):
        del old_shape["pages"][name]
    row = _row(results_markdown(old_shape),
               "static page signed in (session, user, navigation) vs signed out")
    assert row[1] == "not measured"


def test_the_change_column_compares_with_an_old_shape_run(beside, old_shape):
    text = results_markdown(beside, previous=old_shape)

    assert "the change is from the run of 2026-12-01 09:30 UTC" in text
    assert _target(text, "lesson")[6] == "20% → 50% (+30 points)"
    assert _target(text, "my learning")[6] == "40% → 25% (-15 points)"
    assert _target(text, "course")[6] == "10% → 10% (no change)"


def test_the_change_column_compares_with_the_kept_full_run(beside):
    previous = json.loads((ROOT / "bench" / "previous-full.json").read_text())

    text = results_markdown(beside, previous=previous)

    # 44/s there, against the mean of its bare template's 1,910 and 825/s.
    assert _target(text, "lesson")[6] == "3% → 50% (+47 points)"
    assert _row(text, "static page signed in (session, user, navigation) vs signed out"
                )[6] == "not measured"


def test_the_run_measures_the_bare_template_alternating_with_every_page(monkeypatch):
    """measure_pages (against a stand-in for wrk) keeps what the report reads: each page
    and the bare template in alternating slices, and the static page signed out and
    signed in likewise, at the start and at the end; each figure from its slices."""
    calls = []

    def wrk(path="", cookie="", requests_file="", seconds=10):
        calls.append((path, cookie, seconds))
        return _wrk(100.0 * len(calls))

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b""

    monkeypatch.setattr(bench.run, "wrk", wrk)
    monkeypatch.setattr(bench.run, "BASE", "http://127.0.0.1:1")
    monkeypatch.setattr(bench.run, "page_targets", lambda manifest: {
        "lesson": ("/lesson/", "learner@example.com"), "catalogue": ("/courses/", None),
        "HR report": ("/reports/", "hr@example.com")})
    monkeypatch.setattr(bench.run, "sessions_for", lambda emails: {e: e[:2] for e in emails})
    monkeypatch.setattr(bench.run.urllib.request, "urlopen", lambda *a, **kw: Response())
    monkeypatch.setattr(bench.run, "report_afresh", lambda path, session: {"seconds": 1.0,
                                                                          "all": [1.0]})
    monkeypatch.setattr(bench.run, "SLICES", 2)
    results = bench.run.measure_pages({}, seconds=10)

    bare, static, signed_in = ("/bench/bare/", ""), ("/bench/static/", ""), (
        "/bench/static/", "sessionid=le")
    lesson, catalogue, report = (("/lesson/", "sessionid=le"), ("/courses/", ""),
                                 ("/reports/", "sessionid=hr"))
    assert [(path, cookie) for path, cookie, _ in calls] == [
        static, signed_in, static, signed_in, lesson, bare, lesson, bare,
        catalogue, bare, catalogue, bare, report, bare, report, bare,
        static, signed_in, static, signed_in]
    assert {seconds for _, _, seconds in calls} == {5}  # 10 s of each, in two slices
    # Each figure is its slices' requests over their seconds: calls 5 and 7 for the lesson.
    assert results["lesson"]["per_second"] == 600
    assert results["lesson"]["slices"] == [500, 700]
    assert results["lesson"]["baseline_beside"] == [700]  # calls 6 and 8
    assert results["catalogue"]["baseline_beside"] == [1100]
    assert [f["per_second"] for f in results["baseline"]] == [700, 1100, 1500]
    assert [f["per_second"] for f in results["static signed out"]] == [200, 1800]
    assert [f["per_second"] for f in results["baseline signed in"]] == [300, 1900]


def test_a_share_of_the_bare_template_alternating_with_the_page(beside):
    """One bare figure beside a page (measured alternating with it) is its baseline."""
    beside["pages"]["lesson"]["baseline_beside"] = [1500.0]
    text = results_markdown(beside)
    row = _row(text, "lesson page, requests/s vs the static page")
    assert "alternating with it: 1,500/s" in row[2]
    assert "in slices alternating with each page" in text


def test_a_completions_baseline_measured_before_and_after_says_so(beside, old_shape):
    """The one-INSERT baseline is measured half before and half after the completions;
    the report gives the combined rate and both halves. A run from before (one baseline
    measurement) renders as it did."""
    beside["completions"]["baseline"] = bench.run._combined([_wrk(1200.0), _wrk(800.0)])
    text = results_markdown(beside)
    row = _row(text, "lesson completions end to end vs one-INSERT view")
    assert row[2] == "one INSERT, before and after ours (1,200 and 800/s): 1,000/s"
    assert row[3] == "20%"
    assert "a view doing one INSERT, before and after ours (1,200 and 800/s): 1,000/s" in text
    old = _row(results_markdown(old_shape), "lesson completions end to end vs one-INSERT view")
    assert old[2] == "one INSERT: 1,000/s"
