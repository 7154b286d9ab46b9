"""Turns one run's figures (bench/.out/results-<size>.json) into its RESULTS.md section."""


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def results_markdown(r: dict) -> str:
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
    pages = r["pages"]
    base = pages["baseline"]
    base_rate = sum(b["per_second"] for b in base) / len(base)
    base_p95 = max(b["p95_ms"] for b in base)
    sizes = list(r["queries"])
    base_rates = ", ".join(f"{b['per_second']:,.0f}" for b in base)
    lines += [
        "### Pages under load (`make up`, wrk: 2 threads, 16 connections)",
        "",
        f"Baseline: a static template through the same gunicorn and middleware, measured "
        f"before and after the pages: {base_rates} "
        f"requests/s (p95 up to {base_p95:.0f} ms).",
        "",
        "| page | requests/s | p95 | share of baseline | target ≥ 50% | queries "
        + " / ".join(sizes) + " | no growth |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, figures in pages.items():
        if name in ("baseline", "HR report, figures afresh"):
            continue
        share = figures["per_second"] / base_rate
        counts = [r["queries"][size].get(name) for size in sizes]
        errors = figures["errors"] + figures["status_errors"]
        lines.append(
            f"| {name} | {figures['per_second']:,.0f} | {figures['p95_ms']:.0f} ms | "
            f"{share:.0%} | {_verdict(share >= 0.5)} | {' / '.join(map(str, counts))} | "
            f"{_verdict(len(set(counts)) == 1)} |" + (f" ({errors} errors)" if errors else ""))
    afresh = pages.get("HR report, figures afresh")
    if afresh:
        lines += ["", f"The HR report with its figures worked out afresh (kept figures deleted "
                  f"first), one request at a time: {afresh['seconds']:.2f} s (median of "
                  f"{len(afresh['all'])}). Queries are counted that way too."]
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
        f"a view doing one INSERT: {c['baseline']['per_second']:,.0f}/s | {share:.0%} | "
        f"≥ 50%: {_verdict(share >= 0.5)} |",
    ]
    b = r["bulk"]
    lines.append(
        f"| bulk enrolment of {b['rows']:,} learners into one course, CSV check to last "
        f"row committed by the worker | {b['ours_seconds']:.2f} s "
        f"(check {b['check_seconds']:.2f} s; confirmation emails all sent at "
        f"{b['confirmations_seconds']:.0f} s) | COPY of the same rows: "
        f"{b['baseline_seconds']:.2f} s | {b['ratio']:.1f}× | ≤ 3×: {_verdict(b['ratio'] <= 3)} |")
    e = r["exports"]
    for fmt in ("csv", "xlsx"):
        x = e[fmt]
        ratio = x["seconds"] / e["baseline_seconds"]
        target = (f"≤ 2×: {_verdict(ratio <= 2)}; " if fmt == "csv" else "") + (
            f"memory < 200 MB: {_verdict(x['worker_peak_rss_mb'] < 200)}")
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
