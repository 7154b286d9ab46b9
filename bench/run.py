"""The department-scale benchmark (issue 7): builds the dataset, starts `make up`'s
stack against it, and measures every figure side by side with its baseline in the same
run. Writes bench/RESULTS.md (a new section at the top), bench/.out/<run id>/ (the
run's own files) and bench/.out/results-<size>.json (a copy of the latest run's figures).

    .venv/bin/python bench/run.py            # full size (make bench), about 20 minutes
    .venv/bin/python bench/run.py --size tiny   # a few seconds' worth, as CI runs it

Needs PostgreSQL (DATABASE_URL's server; the run makes databases of its own there,
named from DATABASE_URL's database, and drops only those), a Redis database of its own
(REDIS_URL's number), and wrk (Debian package `wrk`). The stack listens on BENCH_PORT,
or a free port. Two runs at once are safe given different REDIS_URL databases
(bench/isolation.py). Timings are never asserted: the harness reports, people judge.
"""

import argparse
import fcntl
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.isolation import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    Databases,
    RedisClaim,
    bench_database_name,
    bench_port,
    database_url_for,
    database_url_split,
    out_dir,
    run_id_new,
)

OUT_ROOT = ROOT / "bench" / ".out"
PY = str(ROOT / ".venv" / "bin" / "python")
SOURCE_URL = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
REDIS_URL = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
# Set for the run by run_configure() (and passed to the Django subprocesses in BENCH_*).
RUN_ID = os.environ.get("BENCH_RUN_ID", "")
OUT = Path(os.environ.get("BENCH_OUT") or OUT_ROOT)
PORT = 0
BASE = ""


def run_configure(run_id: str, port: int) -> None:
    global RUN_ID, OUT, PORT, BASE
    RUN_ID, PORT, BASE = run_id, port, f"http://127.0.0.1:{port}"
    OUT = out_dir(OUT_ROOT, run_id)


def django_env(db: str) -> dict:
    """The environment of every Django process in the run: production settings, as
    `make up` has them, on the bench database."""
    key_file = OUT / "secret-key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=database_url_for(SOURCE_URL, db),
        REDIS_URL=REDIS_URL, ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false", SECRET_KEY=key_file.read_text().strip(),
        BASE_URL=BASE, PORT=str(PORT), MEDIA_ROOT=str(OUT / "media"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(OUT / "mail"), UP_DEMO="0", UP_BEAT="0",
        ACADEMY_BENCH_VIEWS="1", PYTHONPATH=str(ROOT),
        # wrk opens its connections at once, and one gunicorn worker could take them
        # all and serve them on one core (a worker holds the GIL): a slice then ran at
        # half speed, whichever page it measured. No worker may hold more than its
        # share of two, so every slice has at least two workers on this 2-core machine.
        WEB_CONNECTIONS=str(-(-CONNECTIONS // 2)),
        BENCH_RUN_ID=RUN_ID, BENCH_OUT=str(OUT),
    )
    return env


def db_name(size: str) -> str:
    return bench_database_name(database_url_split(SOURCE_URL)[1], size, RUN_ID)


@contextmanager
def harness_lock(name: str):
    """Runs at once take turns where they share a file of the checkout: collectstatic
    (the build's and bin/up's) writes the one STATIC_ROOT; RESULTS.md and the latest
    results-<size>.json."""
    OUT_ROOT.mkdir(parents=True, exist_ok=True)
    with open(OUT_ROOT / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- steps run in a Django subprocess ----------------------------------------------

def _django():
    import django

    django.setup()


def step_build(size_name: str) -> None:
    _django()
    from django.core.management import call_command

    from bench.dataset import dataset_build, dataset_counts
    from bench.sizes import SIZES

    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    with harness_lock("collectstatic"):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = dataset_build(SIZES[size_name])
    # The build rewrites every enrolment once (their progress), leaving as many dead rows
    # as live ones; a department's database has had them vacuumed away long since (and
    # this machine's PostgreSQL runs no autovacuum), so they are cleared before measuring.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    manifest["build_seconds"] = round(time.perf_counter() - started, 1)
    manifest["counts"] = dataset_counts()
    (OUT / f"{size_name}.json").write_text(json.dumps(manifest))


def page_targets(manifest: dict) -> dict:
    """name -> (path, email of the user to sign in as, or None)."""
    from courses.models import CataloguePage, CoursePage, LessonPage
    from learners.models import Enrolment

    course = CoursePage.objects.get(pk=manifest["courses"][0]["id"])
    lesson = LessonPage.objects.get(pk=manifest["courses"][0]["lessons"][1]["id"])
    learner = (Enrolment.objects.filter(course=course).order_by("user_id")
               .values_list("user__email", flat=True).first())
    return {
        "catalogue": (CataloguePage.objects.get().url, None),
        "course": (course.url, None),
        "lesson": (lesson.url, learner),
        "my learning": ("/my-learning/", learner),
        "HR report": ("/reports/", manifest["hr_email"]),
    }


def step_queries(size_name: str) -> None:
    """Queries for one view of each page, after a first view has warmed the caches a
    long-running server would have warm (and recorded a first lesson visit)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    manifest = json.loads((OUT / f"{size_name}.json").read_text())
    counts = {}
    for name, (path, email) in page_targets(manifest).items():
        client = Client()
        if email:
            client.force_login(get_user_model().objects.get(email=email))
        first = client.get(path, HTTP_HOST="127.0.0.1")
        assert first.status_code == 200, (name, path, first.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(path, HTTP_HOST="127.0.0.1")
            counts[name] = len(captured)
    print(json.dumps(counts))


# --- the stack ------------------------------------------------------------------

class Stack:
    """`make up` (bin/up) on the bench database, without beat: nothing periodic may
    run in the middle of a measurement."""

    def __init__(self, env: dict):
        self.log = open(OUT / "stack.log", "w")  # noqa: SIM115 - closed in stop()
        with harness_lock("collectstatic"):  # bin/up runs collectstatic before it serves
            self.process = subprocess.Popen([str(ROOT / "bin" / "up")], env=env, cwd=ROOT,
                                            stdout=self.log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
            self._healthy()

    def _healthy(self):
        for _ in range(180):
            try:
                with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"make up exited; see {OUT / 'stack.log'}")
            time.sleep(1)
        raise SystemExit(f"make up did not become healthy; see {OUT / 'stack.log'}")

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


WRK_SCRIPT = r"""
local lines = {}
local file = os.getenv("BENCH_REQUESTS")
if file then for line in io.lines(file) do lines[#lines + 1] = line end end
local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  nthreads = tonumber(os.getenv("BENCH_THREADS"))
  index = (id or 0) + 1
end
function request()
  if #lines == 0 then
    return wrk.format("GET", os.getenv("BENCH_PATH"), {["Cookie"] = os.getenv("BENCH_COOKIE")})
  end
  local line = lines[(index - 1) % #lines + 1]
  index = index + nthreads
  local session, csrf, path = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
  return wrk.format("POST", path, {
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
    ["X-CSRFToken"] = csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded"}, "")
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
"""
THREADS, CONNECTIONS = 2, 16


def wrk(path: str = "", cookie: str = "", requests_file: str = "", seconds: int = 10) -> dict:
    script = OUT / "wrk.lua"
    script.write_text(WRK_SCRIPT)
    env = dict(os.environ, BENCH_PATH=path, BENCH_COOKIE=cookie,
               BENCH_THREADS=str(THREADS))
    if requests_file:
        env["BENCH_REQUESTS"] = requests_file
    result = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
         "-s", str(script), BASE + (path or "/")],
        env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"wrk failed: {result.stdout}{result.stderr}")
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    figures["per_second"] = figures["requests"] / figures["seconds"]
    return figures


# --- the measurements (in this process, against the running stack) ------------------

def sessions_for(emails: list[str]) -> dict[str, str]:
    """A signed-in session for each user, as the sign-in page would make it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from learners.session_limits import SEEN_AT, SIGNED_IN_AT

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    out = {}
    now = int(time.time())
    for user in get_user_model().objects.filter(email__in=emails):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # As the first page after signing in leaves it (learners.session_limits): the
        # session is then written at most once a minute, not on the measured request.
        store[SIGNED_IN_AT] = store[SEEN_AT] = now
        store.create()
        out[user.email] = store.session_key
    return out


SLICES = 5  # each page and its baseline, measured in this many alternating slices


def wrk_alternating(first: tuple[str, str], second: tuple[str, str],
                    seconds: int) -> tuple[dict, dict]:
    """Two measurements, each (path, cookie), taken in alternating slices: `seconds` of
    each in all, in SLICES slices of each (first, second, first, second, ...). On this
    machine a slow spell can last tens of seconds; sliced so, it falls on both alike."""
    slices = max(1, min(SLICES, seconds))
    runs: tuple[list, list] = ([], [])
    for _ in range(slices):
        for figures, (path, cookie) in zip(runs, (first, second), strict=True):
            figures.append(wrk(path, cookie, seconds=max(1, seconds // slices)))
    return _combined(runs[0]), _combined(runs[1])


def _combined(figures: list[dict]) -> dict:
    """One figure from a measurement's slices: their requests over their seconds; the
    worst slice's p95 (no p50: the slices' medians do not make one); each slice's rate
    kept, to show how steady it was."""
    requests, seconds = sum(f["requests"] for f in figures), sum(f["seconds"] for f in figures)
    return {"requests": requests, "seconds": seconds, "per_second": requests / seconds,
            "p95_ms": max(f["p95_ms"] for f in figures),
            "errors": sum(f["errors"] for f in figures),
            "status_errors": sum(f["status_errors"] for f in figures),
            "slices": [round(f["per_second"]) for f in figures]}


def measure_statics(results: dict, learner_cookie: str, seconds: int) -> None:
    """The base-template page signed out and signed in as the lesson's learner (the
    session, user and navigation every page reads), in alternating slices."""
    out, signed_in = wrk_alternating(("/bench/static/", ""), ("/bench/static/", learner_cookie),
                                     seconds)
    results.setdefault("static signed out", []).append(out)
    results.setdefault("baseline signed in", []).append(signed_in)


def measure_pages(manifest: dict, seconds: int) -> dict:
    """Each page with the bare template (the baseline of its share) measured in slices
    alternating with it, since this 2-core machine's speed drifts and has slow spells:
    the page's "baseline_beside" is [the bare template's requests/s measured with it].
    "baseline" keeps every page's bare measurement in order. The base-template page,
    signed out and in, is measured likewise, at the start and at the end."""
    targets = page_targets(manifest)
    sessions = sessions_for([email for _, email in targets.values() if email])
    learner_cookie = f"sessionid={sessions[targets['lesson'][1]]}"
    results = {"baseline": []}
    measure_statics(results, learner_cookie, seconds)
    for name, (path, email) in targets.items():
        cookie = f"sessionid={sessions[email]}" if email else ""
        # One view first, as someone would have made already: it records the first
        # visit to the lesson and works out the report's figures (timed alone below).
        warm = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(warm, timeout=120) as response:
            response.read()
        results[name], bare = wrk_alternating((path, cookie), ("/bench/bare/", ""), seconds)
        results["baseline"].append(bare)
        results[name]["baseline_beside"] = [bare["per_second"]]
        print(f"  {name}: {results[name]['per_second']:.0f}/s p95 {results[name]['p95_ms']:.0f} ms"
              f" (slices {results[name]['slices']}); bare template with it "
              f"{bare['per_second']:.0f}/s (slices {bare['slices']})")
    measure_statics(results, learner_cookie, seconds)
    results["HR report, figures afresh"] = report_afresh(targets["HR report"][0],
                                                         sessions[targets["HR report"][1]])
    return results


def report_afresh(path: str, session: str, times: int = 3) -> dict:
    """The HR report one request at a time, its kept figures deleted before each: what
    the first HR analyst of the morning waits for."""
    import redis

    broker = redis.Redis.from_url(REDIS_URL)
    seconds = []
    for _ in range(times):
        for key in broker.scan_iter(match="*report-figures*"):
            broker.delete(key)
        request = urllib.request.Request(BASE + path, headers={"Cookie": f"sessionid={session}"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        seconds.append(time.perf_counter() - start)
    return {"seconds": sorted(seconds)[len(seconds) // 2], "all": seconds}


def _wait(condition, timeout: float, interval: float = 0.2) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out waiting for the workers")
        time.sleep(interval)
    return time.perf_counter()


def measure_completions(manifest: dict, pairs: int, seconds: int) -> dict:
    """Lesson completions through HTTP, each a new fact, until every consequence (the
    progress recomputed by a worker) is done; against one INSERT per request."""
    from django.db import connection
    from django.db.models import F, Q

    from learners.models import Enrolment, KnowledgeCheckAttempt, LessonProgress

    courses = {course["id"]: course for course in manifest["courses"][:-2]}
    enrolments = list(Enrolment.objects.filter(completed_at__isnull=True, course_id__in=courses)
                      .order_by("user_id", "pk").values_list("pk", "user__email", "course_id")
                      [:pairs])
    done = set(LessonProgress.objects.filter(
        enrolment_id__in=[pk for pk, _, _ in enrolments], completed_at__isnull=False)
        .values_list("enrolment_id", "lesson_id"))
    chosen, emails, touched, answers, opened = [], set(), set(), [], []
    for enrolment_id, user_email, course_id in enrolments:  # one new fact per enrolment
        lesson = next(lesson for lesson in courses[course_id]["lessons"]
                      if (enrolment_id, lesson["id"]) not in done)
        chosen.append((user_email, lesson["id"]))
        emails.add(user_email)
        touched.add(enrolment_id)
        # The learner has opened the lesson and answered its knowledge checks, as they
        # must before marking it complete (answering records the opening too).
        opened.append(LessonProgress(enrolment_id=enrolment_id, lesson_id=lesson["id"]))
        answers += [KnowledgeCheckAttempt(enrolment_id=enrolment_id, lesson_id=lesson["id"],
                                          block_id=block_id, chosen=[], correct=True)
                    for block_id in lesson["checks"]]
    LessonProgress.objects.bulk_create(opened, batch_size=5000, ignore_conflicts=True)
    KnowledgeCheckAttempt.objects.bulk_create(answers, batch_size=5000)
    sessions = sessions_for(sorted(emails))
    lines = [f"{sessions[email]}\tbenchcsrftoken{'0' * 18}\t/learning/lessons/{lesson_id}/complete/"
             for email, lesson_id in chosen]
    requests_file = OUT / "completions.tsv"
    requests_file.write_text("\n".join(lines) + "\n")

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline_insert; "
                       "CREATE TABLE bench_baseline_insert "
                       "(id bigserial PRIMARY KEY, at timestamptz)")
    baseline_file = OUT / "insert.tsv"
    baseline_file.write_text(f"x\tbenchcsrftoken{'0' * 18}\t/bench/insert/\n")
    # The baseline is measured half before and half after ours (once every consequence
    # is done, so no worker runs beside it), and the halves are combined: a slow spell of
    # this machine then falls on both rather than on one alone.
    baseline_halves = [wrk(requests_file=str(baseline_file), seconds=max(1, seconds // 2))]

    before = LessonProgress.objects.filter(completed_at__isnull=False).count()
    started = time.perf_counter()
    ours = wrk(requests_file=str(requests_file), seconds=seconds)
    stale = Enrolment.objects.filter(pk__in=touched, last_fact_at__isnull=False).filter(
        Q(progress_computed_at__isnull=True) | Q(last_fact_at__gt=F("progress_computed_at")))
    finished = _wait(lambda: not stale.exists(), timeout=600)
    completed = LessonProgress.objects.filter(completed_at__isnull=False).count() - before
    baseline_halves.append(wrk(requests_file=str(baseline_file), seconds=max(1, seconds // 2)))
    baseline = _combined(baseline_halves)
    return {"baseline": baseline, "ours": ours, "completed": completed,
            "seconds_until_consequences_done": finished - started,
            "per_second": completed / (finished - started), "pairs_prepared": len(chosen)}


def measure_bulk(manifest: dict, rows: int) -> dict:
    """Bulk enrolment of `rows` learners into one course, from the CSV HR would upload
    (read, checked, kept for the check page and confirmed) to the last enrolment
    committed by the worker; against COPY of the same rows."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.utils import timezone as dj_timezone

    from academy.reports.bulk import bulk_file_read, bulk_rows_check
    from academy.reports.services import bulk_enrolment_confirm, bulk_enrolment_create
    from bench.dataset import EMAIL_DOMAIN
    from learners.models import BulkEnrolment, Enrolment

    users = get_user_model().objects
    hr = users.get(email=manifest["hr_email"])
    people = list(users.filter(email__endswith=f"@{EMAIL_DOMAIN}", reporting_scopes__isnull=True)
                  .order_by("pk").values_list("pk", "email")[:rows])
    csv_bytes = ("email,course\n" + "".join(f"{email},{manifest['bulk_course']}\n"
                                            for _, email in people)).encode()

    # Baseline: COPY the same enrolment rows, into the course kept empty for it.
    now = dj_timezone.now()
    start = time.perf_counter()
    columns = "user_id, course_id, cycle, enrolled_at, progress_percent, module_status"
    with (transaction.atomic(), connection.cursor() as cursor,
          cursor.cursor.copy(f"COPY learners_enrolment ({columns}) FROM STDIN") as copy):
        for pk, _ in people:
            copy.write_row((pk, manifest["copy_course"], 1, now, 0, "{}"))
    baseline = time.perf_counter() - start
    Enrolment.objects.filter(course_id=manifest["copy_course"]).delete()

    start = time.perf_counter()
    table = bulk_file_read(SimpleUploadedFile("department.csv", csv_bytes, "text/csv"))
    check = bulk_rows_check(table=table, viewer=hr)
    assert not check.problems, check.problems[:5]
    bulk = bulk_enrolment_create(viewer=hr, filename=table.name, rows=check.rows,
                                 check_report=check.report())
    checked = time.perf_counter() - start
    assert bulk_enrolment_confirm(viewer=hr, bulk_id=bulk.pk)  # enqueues on commit
    finished = _wait(lambda: BulkEnrolment.objects.filter(
        pk=bulk.pk, status=BulkEnrolment.DONE).exists(), timeout=1200)
    bulk.refresh_from_db()
    course = Enrolment.objects.filter(course__slug=manifest["bulk_course"])
    emailed = _wait(lambda: not course.filter(confirmation_sent_at__isnull=True).exists(),
                    timeout=1800, interval=0.5)
    return {"rows": len(people), "baseline_seconds": baseline,
            "ours_seconds": finished - start, "check_seconds": checked,
            "enrolled": bulk.enrolled, "in_database": course.count(),
            "confirmations_seconds": emailed - start, "ratio": (finished - start) / baseline}


def worker_pids(name: str, session: int) -> list[int]:
    """The processes of this run's worker `name`: those of the stack's session (it is
    started in a session of its own), not another run's."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            in_session = int(stat.rpartition(")")[2].split()[3]) == session
            if in_session and "celery" in cmdline and f"{name}@" in cmdline:
                pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure_exports(manifest: dict, rows: int, session: int) -> dict:
    """The HR export of `rows` rows, CSV and .xlsx, end to end through the slow queue's
    worker, with that worker's peak memory; against COPY (the same query) TO STDOUT."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from academy.models import Export
    from academy.reports.exports import FIELDS
    from academy.reports.filters import ReportFilterForm
    from academy.reports.services import export_rows_queryset
    from academy.tasks import export_build
    from bench.dataset import EMAIL_DOMAIN
    from learners.enqueue import enqueue_on_commit
    from learners.models import Enrolment

    hr = get_user_model().objects.get(email=manifest["hr_email"])
    ordinary = [course["id"] for course in manifest["courses"][:-2]]
    in_scope = Enrolment.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count()
    if in_scope < rows:  # more enrolments, so the export has `rows` rows
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO learners_enrolment (user_id, course_id, cycle, enrolled_at,
                       progress_percent, module_status)
                   SELECT u.id, (%(courses)s::int[])[1 + ((u.id * 7 + j * 31) %% %(n)s)], 1,
                          now() - (u.id %% 300) * interval '1 day', 0, '{}'::jsonb
                   FROM generate_series(3, %(n)s - 1) j CROSS JOIN learners_user u
                   WHERE u.email LIKE %(pattern)s AND NOT EXISTS (
                       SELECT 1 FROM learners_enrolment e WHERE e.user_id = u.id
                       AND e.course_id = (%(courses)s::int[])[1 + ((u.id * 7 + j * 31) %% %(n)s)])
                   LIMIT %(extra)s ON CONFLICT DO NOTHING""",
                {"courses": ordinary, "n": len(ordinary), "pattern": f"%@{EMAIL_DOMAIN}",
                 "extra": rows - in_scope})
            cursor.execute("ANALYZE learners_enrolment")
    form = ReportFilterForm({}, viewer=hr)
    assert form.is_valid(), form.errors
    results = {}
    for fmt in ("csv", "xlsx"):
        pids = worker_pids("slow", session)
        peak = max(map(rss_mb, pids), default=0.0)
        start = time.perf_counter()
        with transaction.atomic():
            export = Export.objects.create(requested_by=hr, format=fmt,
                                           filters=form.filters().as_dict())
            enqueue_on_commit(export_build, str(export.pk))
        while not Export.objects.filter(pk=export.pk, status=Export.DONE).exists():
            peak = max(peak, *map(rss_mb, pids))
            if time.perf_counter() - start > 1800:
                raise SystemExit("export timed out")
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        export.refresh_from_db()
        results[fmt] = {"seconds": seconds, "rows": export.processed,
                        "bytes": export.file.size, "worker_peak_rss_mb": peak,
                        "worker_processes": len(pids)}
        print(f"  {fmt}: {export.processed:,} rows in {seconds:.1f} s, "
              f"worker peak {peak:.0f} MB")
    query = export_rows_queryset(export=export).order_by("pk").values_list(*FIELDS).query
    sql, params = query.sql_with_params()
    with tempfile.TemporaryFile() as sink, connection.cursor() as cursor:
        start = time.perf_counter()
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for chunk in copy:
                sink.write(chunk)
        results["baseline_seconds"] = time.perf_counter() - start
    results["ratio_csv"] = results["csv"]["seconds"] / results["baseline_seconds"]
    return results


def measure_certificates(manifest: dict, count: int) -> dict:
    """`count` certificates issued end to end through Celery (enqueued, drawn, stored,
    recorded), against drawing the same PDFs in a bare loop in one process."""
    from celery import current_app
    from django.conf import settings
    from django.utils import timezone as dj_timezone

    from learners.certificate_pdf import CertificateContent, certificate_pdf_render
    from learners.models import Certificate, Enrolment
    from learners.services.certificates import certificate_verify_url
    from learners.tasks import certificate_issue

    ids = list(Enrolment.objects.filter(completed_at__isnull=False, certificate__isnull=True,
                                        user__email__contains="@bench.")
               .order_by("pk").values_list("pk", flat=True)[:count])
    since = dj_timezone.now()
    start = time.perf_counter()
    # One broker connection for all 10,000 messages, as a task enqueuing follow-up work
    # has; a new one per message would make the harness the bottleneck.
    with current_app.producer_or_acquire() as producer:
        for enrolment_id in ids:
            certificate_issue.apply_async(args=(enrolment_id,), producer=producer)
    issued = Certificate.objects.filter(issued_at__gte=since).exclude(file="")
    finished = _wait(lambda: issued.count() == len(ids), timeout=1800, interval=0.5)
    ours = finished - start

    start = time.perf_counter()
    for certificate in Certificate.objects.filter(enrolment_id__in=ids).iterator():
        certificate_pdf_render(CertificateContent(
            academy_name=settings.ACADEMY_NAME, learner_name=certificate.learner_name,
            course_title=certificate.course_title, completed_on=certificate.completed_on,
            code=certificate.code, verify_url=certificate_verify_url(certificate.code)))
    baseline = time.perf_counter() - start
    return {"count": len(ids), "ours_seconds": ours, "baseline_seconds": baseline,
            "ratio": ours / baseline}


# --- orchestration ------------------------------------------------------------------

def subprocess_step(step: str, size: str, env: dict) -> str:
    # Queries are counted with the report's figures worked out, not kept.
    env = dict(env, REPORT_CACHE_SECONDS="0")
    result = subprocess.run([PY, __file__, step, "--size", size], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{step} --size {size} failed")
    return result.stdout


def build(size: str, databases: Databases) -> dict:
    db = databases.create(db_name(size))
    print(f"  {size}: database {db}")
    subprocess_step("_build", size, django_env(db))
    manifest = json.loads((OUT / f"{size}.json").read_text())
    print(f"  {size}: built in {manifest['build_seconds']} s: {manifest['counts']}")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", default="run",
                        choices=["run", "_build", "_queries"])
    parser.add_argument("--size", default="full", choices=["full", "tiny"])
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"),
                        help="where to record the run ('-' for nowhere)")
    args = parser.parse_args()
    if args.step == "_build":
        return step_build(args.size)
    if args.step == "_queries":
        return step_queries(args.size)
    if not shutil.which("wrk"):
        raise SystemExit("The benchmark needs wrk: apt-get install wrk")
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, piped too
    # Stopped (kill, CI timeout), the run still stops its stack and drops its databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    import redis

    from bench.sizes import SIZES

    size = SIZES[args.size]
    run_id = run_id_new()
    claim = RedisClaim(redis.Redis.from_url(REDIS_URL), run_id)
    claim.acquire()  # first: refused, the run leaves nothing behind
    databases = Databases(SOURCE_URL)
    try:
        run_configure(run_id, bench_port())
        (OUT / "mail").mkdir(parents=True)
        print(f"== run {RUN_ID}: files in {OUT}, stack on {BASE}, Redis {REDIS_URL}")
        results = run(size, databases, claim.client)
    finally:
        from django.apps import apps

        if apps.ready:  # this process's own connection to the bench database
            from django.db import connections

            connections.close_all()
        print(f"== cleaning up: dropped {', '.join(databases.drop_created()) or 'nothing'}; "
              f"deleted {claim.release()} Redis keys of this run")
    results_json = json.dumps(results, indent=2, default=str)
    (OUT / f"results-{size.name}.json").write_text(results_json)
    from bench.report import results_markdown

    with harness_lock("results"):
        latest = OUT_ROOT / f"results-{size.name}.json"
        kept = ROOT / "bench" / f"previous-{size.name}.json"
        previous = latest if latest.exists() else kept if kept.exists() else None
        if previous:
            print(f"== comparing with {previous.relative_to(ROOT)}")
        text = results_markdown(results, json.loads(previous.read_text()) if previous else None)
        latest.write_text(results_json)
        if args.results != "-":
            results_record(Path(args.results), text)
    print(text)


def run(size, databases: Databases, broker) -> dict:
    started = time.perf_counter()
    results = {"size": size.name, "date": datetime.now(UTC).isoformat(timespec="minutes"),
               "run_id": RUN_ID, "machine": machine()}
    print("== building the datasets")
    sizes = ["tiny"] if size.name == "tiny" else ["tiny", size.name]
    manifests = {name: build(name, databases) for name in sizes}
    results["dataset"] = manifests[size.name]["counts"]
    results["build_seconds"] = manifests[size.name]["build_seconds"]
    manifest = manifests[size.name]

    print("== queries per page")
    results["queries"] = {
        name: json.loads(subprocess_step("_queries", name, django_env(db_name(name)))
                         .strip().splitlines()[-1])
        for name in sizes}

    env = django_env(db_name(size.name))
    os.environ.update(env)
    print("== starting make up on the bench database")
    stack = Stack(env)
    try:
        _django()
        # The demo academy's own consequences, queued while it loaded, go first.
        _wait(lambda: not broker.llen("celery") and not broker.llen("slow")
              and not broker.hlen("unacked"), timeout=300)
        seconds = 10 if size.name == "full" else 2
        print("== pages under load")
        results["pages"] = measure_pages(manifest, seconds)
        print("== lesson completions")
        results["completions"] = measure_completions(manifest, size.completion_pairs,
                                                     20 if size.name == "full" else 2)
        print(f"  {results['completions']['per_second']:.0f}/s")
        print("== bulk enrolment")
        results["bulk"] = measure_bulk(manifest, size.bulk_rows)
        print(f"  {results['bulk']['ours_seconds']:.1f} s against COPY "
              f"{results['bulk']['baseline_seconds']:.2f} s")
        print("== exports")
        results["exports"] = measure_exports(manifest, size.export_rows, stack.process.pid)
        print("== certificates")
        results["certificates"] = measure_certificates(manifest, size.certificates)
        print(f"  {results['certificates']['ours_seconds']:.1f} s against a bare loop "
              f"{results['certificates']['baseline_seconds']:.1f} s")
    finally:
        stack.stop()
    results["total_seconds"] = time.perf_counter() - started
    return results


def machine() -> dict:
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cores": os.cpu_count(), "memory_gib": round(int(memory.split()[1]) / 1024 ** 2, 1),
            "python": platform.python_version(), "cpu": cpu_model()}


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def results_record(path: Path, section: str) -> None:
    """Add the run to the top of RESULTS.md, under its fixed introduction."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    marker = "\n## "
    head, _, rest = text.partition(marker)
    tail = marker + rest if rest else ""
    path.write_text(head.rstrip() + "\n\n" + section.strip() + "\n" + tail)


if __name__ == "__main__":
    main()
