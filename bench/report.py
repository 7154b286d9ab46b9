"""Turns one run's figures (bench/.out/results-<size>.json) into its RESULTS.md section:
issue 15's targets first (each figure with its same-run baseline, met or missed and by
how much, and the change from the last run), then the detail."""

from collections.abc import Callable
from dataclasses import dataclass

PAGE_TARGETS = {"lesson": 0.20, "course": 0.20, "catalogue": 0.30, "my learning": 0.30,
                "HR report": 0.10}
QUERY_TARGETS = {"lesson": 10, "course": 8, "catalogue": 6, "my learning": 6}
SIGNED_IN_STATIC_TARGET = 0.70
COMPLETIONS_TARGET = 0.15
CSV_TARGET, XLSX_TARGET, XLSX_RSS_MB = 2, 12, 200


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _bracketed(figure: dict) -> str:
    """How a baseline measured half before and half after its figure says so (older
    results measured it once, before)."""
    slices = figure.get("slices")
    return f", before and after ours ({slices[0]:,} and {slices[1]:,}/s)" if slices else ""


def _mean(figures: list[dict]) -> float:
    return sum(f["per_second"] for f in figures) / len(figures)


@dataclass
class Target:
    """One row of the Targets table. `value` reads the figure from a run's results
    (None if that run did not measure it); `at_least` says which way the target
    points; `kind` how to print it: share, ratio, count or MB."""

    figure: str
    value: Callable[[dict], float | None]
    target: float
    at_least: bool
    kind: str
    baseline: Callable[[dict], str]
    ours: Callable[[dict], str]
    page: str = ""  # for query counts: the page whose count must be flat over sizes

    def show(self, value: float) -> str:
        return {"share": f"{value:.0%}", "ratio": f"{value:.1f}×",
                "count": f"{value:.0f}", "MB": f"{value:.0f} MB"}[self.kind]

    def wanted(self) -> str:
        return ("≥ " if self.at_least else "< " if self.kind == "MB" else "≤ ") + self.show(
            self.target)

    def verdict(self, value: float) -> str:
        met = (value >= self.target if self.at_least else value < self.target
               if self.kind == "MB" else value <= self.target)
        if met:
            return "met"
        if self.kind == "share":
            return (f"**missed** by {(self.target - value) * 100:.0f} points "
                    f"({self.target / value:.1f}× to go)" if value else "**missed**")
        if self.kind == "ratio":
            return f"**missed** by {value - self.target:.1f}× ({value / self.target - 1:.0%} over)"
        return f"**missed** by {self.show(value - self.target)}"

    def change(self, value: float, previous: dict | None) -> str:
        before = _safe(self.value, previous) if previous else None
        if before is None:
            return "not measured"
        if self.kind == "share":
            points = round((value - before) * 100)
            return f"{before:.0%} → {value:.0%} ({points:+d} points)" if points else (
                f"{before:.0%} → {value:.0%} (no change)")
        if self.kind == "ratio":
            return f"{before:.1f}× → {value:.1f}×"
        return f"{self.show(before)} → {self.show(value)}"


def _safe(read: Callable[[dict], float | None], results: dict) -> float | None:
    try:
        return read(results)
    except (KeyError, TypeError, ZeroDivisionError, ValueError):
        return None


def _bare_beside(r: dict, name: str) -> list[float]:
    """The bare template's requests/s measured beside page `name`: one figure, measured
    in slices alternating with it; or two, right before and right after it (runs of
    2026-11-30 13:43 and 14:30); empty for runs before those."""
    return r["pages"][name].get("baseline_beside") or []


def _bare_rate(r: dict, name: str) -> float:
    """Page `name`'s baseline: the mean of the bare template beside it; for older runs,
    the mean of all the run's bare measurements."""
    beside = _bare_beside(r, name)
    return sum(beside) / len(beside) if beside else _mean(r["pages"]["baseline"])


def _share(r: dict, name: str) -> float:
    return r["pages"][name]["per_second"] / _bare_rate(r, name)


def _page_share(name: str) -> Callable[[dict], float]:
    return lambda r: _share(r, name)


def _queries(name: str) -> Callable[[dict], float]:
    """The largest count over the run's sizes: a count growing with the data shows."""
    return lambda r: max(counts[name] for counts in r["queries"].values())


def _export_ratio(fmt: str) -> Callable[[dict], float]:
    return lambda r: r["exports"][fmt]["seconds"] / r["exports"]["baseline_seconds"]


def _static_rate(name: str) -> Callable[[dict], str]:
    """The Targets table's baseline for page `name`: the bare template beside it."""

    def text(r: dict) -> str:
        beside = _bare_beside(r, name)
        if not beside:
            return f"bare static template: {_bare_rate(r, name):,.0f}/s"
        if len(beside) == 1:
            return f"bare static template, alternating with it: {beside[0]:,.0f}/s"
        before, after = beside
        return (f"bare static template beside it: {_bare_rate(r, name):,.0f}/s "
                f"(before {before:,.0f}, after {after:,.0f})")
    return text


def _signed_out(r: dict) -> list[dict]:
    """The base-template page signed out (runs before the bare template was kept apart
    measured only that page, as "baseline")."""
    return r["pages"].get("static signed out") or r["pages"]["baseline"]


def targets() -> list[Target]:
    rows = [Target(f"{name} page, requests/s vs the static page", _page_share(name), share,
                   True, "share", _static_rate(name),
                   lambda r, name=name: f"{r['pages'][name]['per_second']:,.0f}/s")
            for name, share in PAGE_TARGETS.items()]
    rows.append(Target(
        "static page signed in (session, user, navigation) vs signed out",
        lambda r: _mean(r["pages"]["baseline signed in"]) / _mean(_signed_out(r)),
        SIGNED_IN_STATIC_TARGET, True, "share",
        lambda r: f"the same page signed out: {_mean(_signed_out(r)):,.0f}/s",
        lambda r: f"{_mean(r['pages']['baseline signed in']):,.0f}/s"))
    rows += [Target(f"queries per view, {name} (the most over the sizes; flat required)",
                    _queries(name), most, False, "count", lambda r: "none (a count)",
                    lambda r, name=name: " / ".join(
                        f"{size} {counts[name]}" for size, counts in r["queries"].items()),
                    page=name)
             for name, most in QUERY_TARGETS.items()]
    rows.append(Target(
        "lesson completions end to end vs one-INSERT view",
        lambda r: r["completions"]["per_second"] / r["completions"]["baseline"]["per_second"],
        COMPLETIONS_TARGET, True, "share",
        lambda r: f"one INSERT{_bracketed(r['completions']['baseline'])}: "
                  f"{r['completions']['baseline']['per_second']:,.0f}/s",
        lambda r: f"{r['completions']['per_second']:,.0f}/s"))
    for fmt, most in (("csv", CSV_TARGET), ("xlsx", XLSX_TARGET)):
        rows.append(Target(
            f"{fmt.upper()} export vs `COPY`", _export_ratio(fmt), most, False, "ratio",
            lambda r: f"COPY: {r['exports']['baseline_seconds']:.1f} s",
            lambda r, fmt=fmt: f"{r['exports'][fmt]['seconds']:.1f} s "
                               f"({r['exports'][fmt]['rows']:,} rows)"))
    rows.append(Target(
        "XLSX export, slow worker's peak RSS",
        lambda r: r["exports"]["xlsx"]["worker_peak_rss_mb"], XLSX_RSS_MB, False, "MB",
        lambda r: "none (a size)",
        lambda r: f"{r['exports']['xlsx']['worker_peak_rss_mb']:.0f} MB"))
    return rows


def _flat(r: dict, name: str) -> bool:
    return len({counts[name] for counts in r["queries"].values()}) == 1


def targets_markdown(r: dict, previous: dict | None) -> list[str]:
    since = (f"the run of {previous['date'][:16].replace('T', ' ')} UTC"
             if previous else "no earlier run")
    lines = [
        "### Targets (issue 15)",
        "",
        f"Each figure against its baseline in this run; the change is from {since}.",
        "",
        "| figure | ours | baseline in this run | figure | target | verdict | change |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for target in targets():
        value = _safe(target.value, r)
        if value is None:
            lines.append(f"| {target.figure} | not measured | | | {target.wanted()} | | |")
            continue
        verdict = target.verdict(value)
        if target.page and not _flat(r, target.page):
            verdict += "; **not flat** from tiny to full"
        lines.append(
            f"| {target.figure} | {_safe(target.ours, r)} | {_safe(target.baseline, r)} | "
            f"{target.show(value)} | {target.wanted()} | {verdict} | "
            f"{target.change(value, previous)} |")
    return lines + [""]


NOT_PAGES = ("baseline", "static signed out", "baseline signed in", "HR report, figures afresh")


def _rates(figures: list[dict]) -> str:
    return ", ".join(f"{f['per_second']:,.0f}" for f in figures)


def _baselines_prose(r: dict, pages: list[str]) -> str:
    base = r["pages"]["baseline"]
    kinds = {len(_bare_beside(r, name)) for name in pages}
    when = ("in slices alternating with each page (a page's share is of the bare template "
            "measured with it), one figure a page" if 1 in kinds
            else "right before and right after each page (a page's share is of the mean of "
            "the two beside it)" if 2 in kinds
            else "before and after the pages (the shares are of their mean)")
    signed_in = r["pages"].get("baseline signed in")
    return (f"Baseline: a bare static template (no base template, nothing read) through the "
            f"same gunicorn and middleware, measured {when}: {_rates(base)} requests/s "
            f"(p95 up to {max(b['p95_ms'] for b in base):.0f} ms)"
            + (f"; the base template around a paragraph, signed out and signed in as the "
               f"lesson's learner side by side, at the start and at the end: signed out "
               f"{_rates(_signed_out(r))}, signed in {_rates(signed_in)} requests/s"
               if signed_in else "") + ".")


def pages_markdown(r: dict) -> list[str]:
    pages = [name for name in r["pages"] if name not in NOT_PAGES]
    sizes = list(r["queries"])
    lines = [
        "### Pages under load (`make up`, wrk: 2 threads, 16 connections)",
        "",
        _baselines_prose(r, pages),
        "",
        "| page | requests/s | p95 | share of baseline | queries " + " / ".join(sizes) + " |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in pages:
        figures = r["pages"][name]
        counts = [r["queries"][size].get(name) for size in sizes]
        errors = figures["errors"] + figures["status_errors"]
        lines.append(
            f"| {name} | {figures['per_second']:,.0f} | {figures['p95_ms']:.0f} ms | "
            f"{_share(r, name):.0%} | {' / '.join(map(str, counts))} |"
            + (f" ({errors} errors)" if errors else ""))
    afresh = r["pages"].get("HR report, figures afresh")
    if afresh:
        lines += ["", f"The HR report with its figures worked out afresh (kept figures deleted "
                  f"first), one request at a time: {afresh['seconds']:.2f} s (median of "
                  f"{len(afresh['all'])}). Queries are counted that way too."]
    return lines


def results_markdown(r: dict, previous: dict | None = None) -> str:
    m = r["machine"]
    d = r["dataset"]
    lines = [
        f"## {r['date'][:16].replace('T', ' ')} UTC — {r['size']} size",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}. "
        f"Run took {r['total_seconds'] / 60:.1f} minutes, of which building the dataset "
        f"{r['build_seconds'] / 60:.1f}.",
        "",
        "Dataset: " + ", ".join(f"{value:,} {label}" for label, value in d.items()) + ".",
        "",
    ]
    lines += targets_markdown(r, previous)
    lines += pages_markdown(r)
    c = r["completions"]
    share = c["per_second"] / c["baseline"]["per_second"]
    lines += [
        "",
        "### Work",
        "",
        "| figure | ours | baseline in the same run | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        f"| lesson completions through HTTP, until every recompute is done "
        f"({c['completed']:,} new completions) | {c['per_second']:,.0f}/s "
        f"(HTTP alone {c['ours']['per_second']:,.0f}/s, p95 {c['ours']['p95_ms']:.0f} ms) | "
        f"a view doing one INSERT{_bracketed(c['baseline'])}: "
        f"{c['baseline']['per_second']:,.0f}/s | {share:.0%} | "
        f"≥ {COMPLETIONS_TARGET:.0%}: {_verdict(share >= COMPLETIONS_TARGET)} |",
    ]
    b = r["bulk"]
    lines.append(
        f"| bulk enrolment of {b['rows']:,} learners into one course, CSV check to last "
        f"row committed by the worker | {b['ours_seconds']:.2f} s "
        f"(check {b['check_seconds']:.2f} s; confirmation emails all sent at "
        f"{b['confirmations_seconds']:.0f} s) | COPY of the same rows: "
        f"{b['baseline_seconds']:.2f} s | {b['ratio']:.1f}× | ≤ 3×: {_verdict(b['ratio'] <= 3)} |")
    e = r["exports"]
    for fmt, most in (("csv", CSV_TARGET), ("xlsx", XLSX_TARGET)):
        x = e[fmt]
        ratio = x["seconds"] / e["baseline_seconds"]
        target = (f"≤ {most}×: {_verdict(ratio <= most)}; memory < {XLSX_RSS_MB} MB: "
                  f"{_verdict(x['worker_peak_rss_mb'] < XLSX_RSS_MB)}")
        lines.append(
            f"| HR export of {x['rows']:,} rows to {fmt.upper()}, request to file stored "
            f"({x['bytes'] / 1e6:,.0f} MB; slow worker's peak RSS "
            f"{x['worker_peak_rss_mb']:.0f} MB) | {x['seconds']:.1f} s | "
            f"`COPY (the same query) TO STDOUT`: {e['baseline_seconds']:.1f} s | "
            f"{ratio:.1f}× | {target} |")
    cert = r["certificates"]
    lines.append(
        f"| {cert['count']:,} certificates issued through Celery (queued, drawn, stored, "
        f"recorded) | {cert['ours_seconds']:.1f} s | the same PDFs drawn in a bare loop: "
        f"{cert['baseline_seconds']:.1f} s | {cert['ratio']:.1f}× | "
        f"≤ 3×: {_verdict(cert['ratio'] <= 3)} |")
    return "\n".join(lines) + "\n"
