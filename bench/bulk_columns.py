"""Bulk-enrolment checking stays linear in the size of the file (issue 14), side by side
with a baseline in the same run: the csv module reading the same bytes.

The header used to be searched once per column (`header.index`), so 40,000 columns held
a web worker for 8 s. This reads files of 1, 10 and 100 thousand columns (one row) and
of 1, 10 and 100 thousand rows (the five columns), as the upload page does
(`bulk_file_read`), then checks every row as the check page does (`_RowChecker`, with
the people, staff numbers and courses it would have read from the database held in
memory, so no database is needed). Linear means the time per column or per row stays
flat as the file grows, and the ratio to the baseline does too.

    .venv/bin/python bench/bulk_columns.py            # about half a minute; adds a
                                                     # section to bench/RESULTS.md
    .venv/bin/python bench/bulk_columns.py --results -   # print only

Timings are never asserted: the script reports, people judge.
"""

import argparse
import csv
import io
import os
import sys
import textwrap
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SIZES = (1_000, 10_000, 100_000)
REPEATS = 3
COURSE = "Agile basics"


def best(work) -> float:
    """The best of a few runs, in seconds of this process's CPU time: the figure least
    disturbed by whatever else the machine's cores are doing."""
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def wide_file(columns: int) -> bytes:
    header = ["email", "course", *(f"notes {n}" for n in range(columns - 2))]
    row = ["p0@example.gov.uk", COURSE, *("x" for _ in range(columns - 2))]
    return (",".join(header) + "\n" + ",".join(row) + "\n").encode()


def long_file(rows: int) -> bytes:
    lines = ["email,course,due_date,staff_number,line_manager_email"]
    lines += [f"p{n}@example.gov.uk,{COURSE},31/03/2099,SN{n},m{n % 100}@example.gov.uk"
              for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def measure(content: bytes, people_count: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from academy.reports.bulk import _RowChecker, _text, bulk_file_read

    people = people_in_memory(people_count)

    def ours():
        table = bulk_file_read(SimpleUploadedFile("people.csv", content))
        checker = _RowChecker(people=people, holders={}, courses={COURSE.lower(): 1},
                              today=date(2026, 1, 1))
        for number, row in table.records:
            checker.check(number, _text(row.get("email")).lower(), _text(row.get("course")),
                          row.get("due_date"), _text(row.get("staff_number")),
                          _text(row.get("line_manager_email")).lower())

    def baseline():
        list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))

    return {"bytes": len(content), "ours": best(ours), "baseline": best(baseline)}


def people_in_memory(count: int) -> dict:
    from academy.reports.bulk import _Person

    people = {f"p{n}@example.gov.uk": _Person(n + 1000, "", None) for n in range(count)}
    people |= {f"m{n}@example.gov.uk": _Person(n + 1, "", None) for n in range(100)}
    return people


def results_markdown(by_columns: dict, by_rows: dict, took: float) -> str:
    from bench.run import machine

    info = machine()
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — bulk-enrolment checking by size "
        "(bench/bulk_columns.py)",
        "",
        "Issue 14: a header of many columns was searched once per column. The file read "
        "as the upload page reads it and every row checked as the check page checks it "
        "(as many people in scope as rows, held in memory), against the csv module "
        "reading the same bytes. Linear: the time per column or row stays flat, and so "
        "does the ratio.",
        "",
        f"Machine: {info['cores']} cores ({info['cpu']}), Python {info['python']}. "
        f"Best of {REPEATS}, in CPU seconds of the process (the machine was shared); "
        f"the run took {took:.0f} s.",
        "",
    ]
    for title, unit, results in (("Columns (one row)", "column", by_columns),
                                 ("Rows (five columns)", "row", by_rows)):
        lines += [f"### {title}", "",
                  f"| {unit}s | file | ours | per {unit} | csv.reader | ratio |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for size, figure in results.items():
            lines.append(
                f"| {size:,} | {figure['bytes'] / 1024:,.0f} KB | {figure['ours'] * 1000:,.1f} ms "
                f"| {figure['ours'] / size * 1e6:,.2f} µs | {figure['baseline'] * 1000:,.1f} ms "
                f"| {figure['ours'] / figure['baseline']:.1f}× |")
        lines.append("")
    return "\n".join(line if line.startswith(("|", "#")) else textwrap.fill(line, 88)
                     for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"),
                        help="where to record the run ('-' for nowhere)")
    args = parser.parse_args()
    import django

    django.setup()
    start = time.perf_counter()
    by_columns = {size: measure(wide_file(size), 1) for size in SIZES}
    by_rows = {size: measure(long_file(size), size) for size in SIZES}
    text = results_markdown(by_columns, by_rows, time.perf_counter() - start)
    print(text)
    if args.results != "-":
        from bench.run import results_record

        results_record(Path(args.results), text)


if __name__ == "__main__":
    main()
