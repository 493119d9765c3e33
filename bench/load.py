"""Load test (issue 11 item 9): 100 county users and 50 officials for 2 minutes, nothing lost.

Against the portal as it runs in production, on this machine: ``gunicorn`` (sync workers) on
PostgreSQL, Redis as Celery broker and shared cache, and a real ``celery -A carbon_portal worker``
that runs what approvals queue. ``run_bench.py --only load`` (and the last part of a full
``make bench``):

1. a database of its own (``carbon_bench_load`` beside ``BENCH_DATABASE_URL``; never the pages
   bench's), created afresh: Jiangxi's 112 regions (``load_regions``), the bench generator's
   approved reports and targets for them up to ``FIGURES_YEAR`` (``generate.py --min-regions``),
   one full recompute, so the dashboards have figures;
2. the accounts (:data:`SETUP`): one staff user per county (100) with their county's draft
   report of ``REPORT_YEAR``, one official per city (11) who forwards the county reports of their
   city, provincial officials who approve forwarded reports (each approval queues a recompute on
   the worker) and congress members; every official reads the barometer, region dashboards,
   monitoring pages, the completeness grid and the series API;
3. Celery worker and gunicorn started, every user logged in through the login form
   (``pages.login``), then ``locust`` headless in one process (``bench/locustfile.py``) for
   ``--load-seconds`` (120): each county user loads their report form, saves it several times and
   submits it, through the HTML form (even counties: the form's hidden version and ``orig_``
   fields posted back, as a browser does) or the API (odd counties: ``PATCH`` with ``If-Match``,
   then ``POST …/submit/``, as a script in a browser does); 1–5 s of think time between steps.
   Every save and submission the server acknowledged is written to a ledger (JSON lines);
4. afterwards, the worker's queue drained, the count (:func:`count`): every county whose
   submission was acknowledged has its report submitted (or forwarded, approved) holding exactly
   the values, note and remarks of its last acknowledged save (0 lost submissions, 0 lost
   saves), locust counted 0 failures, gunicorn's logs have no 5xx and no error, no recompute run failed;
   beside locust's times, the time inside gunicorn and the CPU the run cost (:class:`CpuMeter`).

Nothing here imports locust: ``locust`` monkey-patches the standard library on import, so it
lives in its own process and only ``bench/locustfile.py`` imports it.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT_DIR, ROOT, database_url, django_env, python, with_database_name

#: The load test's own database (beside the pages bench's, on the same server).
DATABASE_NAME = "carbon_bench_load"
#: Redis of the load test: broker, result store and shared cache. Flushed at the start of a run.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
#: The county reports saved and submitted, and the year of the figures officials read.
REPORT_YEAR = 2025
FIGURES_YEAR = 2024
PASSWORD = "bench-load-2026!"
PORT = 8107
SECONDS = 120
GUNICORN_WORKERS = 4
#: Users who sign in through the login form before the run (timed); the others get a session
#: in the set-up.
LOGIN_SAMPLE = 10
THINK = (1.0, 5.0)
#: At the end, users finish the step they are in (a save and the page after it) for up to this
#: long: a step cut in the middle would leave a save whose answer nobody read.
STOP_TIMEOUT = 150
#: 11 city officials (one per city of Jiangxi), then provincial officials and congress members.
PROVINCIAL_OFFICIALS = 24
CONGRESS_MEMBERS = 15
#: Every tenth county keeps saving and never submits: its last save must be what is stored.
NEVER_SUBMIT_EVERY = 10
#: Indicators whose value is the sum of others (validation.SumRule) and those capped by others.
ENERGY_PARTS = ("energy_coal", "energy_oil", "energy_gas", "energy_nonfossil")
FOSSIL = ("energy_coal", "energy_oil", "energy_gas")
#: The note and remarks each save writes (so notes and remarks are counted too).
NOTE_FIELD = "energy_total"
#: States of a submitted report (forwarded and approved come after submitted).
SUBMITTED_OR_LATER = ("submitted", "forwarded", "approved")


def database_url_for_load() -> str:
    return os.environ.get("BENCH_LOAD_DATABASE_URL") or with_database_name(database_url(), DATABASE_NAME)


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL


# --- what a county user types -----------------------------------------------------------------


def save_values(base: Mapping[str, str], rng: random.Random) -> dict[str, str]:
    """One save's values: last year's approved figures, each moved by up to ±3 %, kept consistent
    and plausible as the portal checks them (apps/reports/validation.py), so the report can be
    submitted without an explanation: the fuels add up to the total, renewable power ≤ non-fossil,
    feedstock ≤ fossil; forest coverage moves by at most half a point and forest stock by at most
    2 % (their bounds and their moving together); current-price GDP follows the real index with a
    price change of −1 % to +3 %."""
    values: dict[str, Decimal] = {}
    for code, raw in base.items():
        factor = Decimal(str(round(rng.uniform(0.97, 1.03), 4)))
        if code == "forest_stock":
            factor = Decimal(str(round(rng.uniform(0.98, 1.02), 4)))
        places = Decimal("0.1") if code == "gdp_index" else Decimal("0.0001")
        values[code] = (Decimal(raw) * factor).quantize(places)
    if "forest_coverage" in base:
        step = Decimal(str(round(rng.uniform(-0.5, 0.5), 2)))
        values["forest_coverage"] = (Decimal(base["forest_coverage"]) + step).quantize(Decimal("0.0001"))
    if "gdp_current" in base and "gdp_index" in values:
        price = Decimal(str(round(rng.uniform(0.99, 1.03), 4)))
        values["gdp_current"] = (Decimal(base["gdp_current"]) * values["gdp_index"] / 100 * price).quantize(
            Decimal("0.0001")
        )
    for capped in ("forest_coverage", "nev_share"):
        if capped in values:
            values[capped] = min(max(values[capped], Decimal(0)), Decimal(100))
    if all(p in values for p in ENERGY_PARTS):
        values["energy_total"] = sum((values[p] for p in ENERGY_PARTS), Decimal(0))
        if "renewable_power" in values:
            values["renewable_power"] = min(values["renewable_power"], values["energy_nonfossil"])
        if "feedstock_energy" in values:
            values["feedstock_energy"] = min(
                values["feedstock_energy"], sum((values[p] for p in FOSSIL), Decimal(0))
            )
    return {code: format(value, "f") for code, value in values.items()}


class FormFields(HTMLParser):
    """The inputs and textareas of one form of a page (the first whose attributes match), with
    their values as a browser would post them (buttons left out: the caller names its action)."""

    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.fields: dict[str, str] = {}
        self.depth = 0  # inside the wanted form
        self.done = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self.form_class in (a.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[a["name"]] = a.get("value") or ""
        elif self.depth and tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            # a browser drops one newline right after <textarea>
            self.fields[self.textarea] = self.fields[self.textarea].removeprefix("\n")
            self.textarea = None
        elif tag == "form" and self.depth:
            self.depth, self.done = 0, True


def form_fields(html: str, form_class: str = "report-form") -> dict[str, str]:
    parser = FormFields(form_class)
    parser.feed(html)
    return parser.fields


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT_LINK_RE = re.compile(r'href="/reports/(\d+)/"')


# --- the count afterwards -----------------------------------------------------------------------


@dataclass
class Expected:
    """What the server acknowledged for one county: its last save, and whether it submitted."""

    county: str
    saves: int = 0
    values: dict[str, str] = field(default_factory=dict)
    note: str = ""
    remarks: str = ""
    submitted: bool = False
    #: A save (or submission) sent after the last acknowledged one whose answer nobody read
    #: (the run ended meanwhile): the server may have applied it or not, both are right.
    pending: Expected | None = None
    pending_submit: bool = False


@dataclass
class Stored:
    """One county's report as stored after the run."""

    county: str
    status: str
    values: dict[str, Decimal]
    note: str
    remarks: str


@dataclass
class Tally:
    counties: int = 0
    saves: int = 0
    submissions: int = 0
    lost_submissions: list[str] = field(default_factory=list)
    lost_saves: list[str] = field(default_factory=list)
    unacknowledged_submissions: list[str] = field(default_factory=list)
    #: Stored as sent by a request whose answer the client never read (not a loss).
    in_flight: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost_submissions or self.lost_saves or self.unacknowledged_submissions)


def expectations(lines: Iterable[str]) -> dict[str, Expected]:
    """The ledger (one JSON object a line, in order) → each county's last acknowledged state."""
    result: dict[str, Expected] = {}
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        e = result.setdefault(entry["county"], Expected(entry["county"]))
        if entry["event"] == "sending":  # written before the request
            e.pending = Expected(
                e.county, values=dict(entry["values"]), note=entry["note"], remarks=entry["remarks"]
            )
            e.pending_submit = bool(entry.get("submit"))
        elif entry["event"] == "sending_submit":
            e.pending_submit = True
        elif entry["event"] == "saved":
            e.saves += 1
            e.values, e.note, e.remarks = dict(entry["values"]), entry["note"], entry["remarks"]
            e.pending = None
        elif entry["event"] == "submitted":
            e.submitted, e.pending_submit = True, False
    return result


def _differences(expected: Expected, stored: Stored) -> list[str]:
    out = []
    for code in sorted(set(expected.values) | set(stored.values)):
        want = expected.values.get(code)
        have = stored.values.get(code)
        if want is None or have is None or Decimal(want) != have:
            out.append(f"{code}: saved {want}, stored {have}")
    if expected.note != stored.note:
        out.append(f"note: saved {expected.note!r}, stored {stored.note!r}")
    if expected.remarks != stored.remarks:
        out.append(f"remarks: saved {expected.remarks!r}, stored {stored.remarks!r}")
    return out


def count(expected: Mapping[str, Expected], stored: Mapping[str, Stored]) -> Tally:
    """Every acknowledged submission is stored as submitted (or later), every county's report
    holds its last acknowledged save; a county whose report is submitted without an acknowledged
    submission is counted too (the client lost an answer, or something else submitted it)."""
    tally = Tally(counties=len(stored))
    for county, e in sorted(expected.items()):
        tally.saves += e.saves
        tally.submissions += e.submitted
        s = stored.get(county)
        if e.submitted and (s is None or s.status not in SUBMITTED_OR_LATER):
            tally.lost_submissions.append(f"{county}: {s.status if s else 'no report'}")
        if not (e.saves or e.pending) or (s is not None and not (diff := _differences(e, s))):
            continue
        if s is not None and e.pending is not None and not _differences(e.pending, s):
            tally.in_flight.append(f"{county}: the save sent last, whose answer was not read")
        else:
            tally.lost_saves.append(f"{county}: " + ("no report" if s is None else "; ".join(diff[:3])))
    for county, s in sorted(stored.items()):
        e = expected.get(county)
        if s.status in SUBMITTED_OR_LATER and not (e and e.submitted):
            if e and e.pending_submit:
                tally.in_flight.append(f"{county}: submitted by the request whose answer was not read")
            else:
                tally.unacknowledged_submissions.append(f"{county}: {s.status}")
    return tally


STORED_SQL = """
SELECT g.code, r.status, r.remarks, i.code, v.value, v.note
FROM reports_report r
JOIN regions_region g ON g.id = r.region_id
LEFT JOIN reports_reportvalue v ON v.report_id = r.id
LEFT JOIN indicators_indicator i ON i.id = v.indicator_id
WHERE r.year = %s AND r.revision = 1 AND g.code IN ({codes})
"""


def stored_reports(cursor, year: int, counties: Iterable[str]) -> dict[str, Stored]:
    """The counties' reports of ``year`` as stored (a DB-API cursor taking ``%s``: psycopg2's, or
    Django's on SQLite or PostgreSQL)."""
    counties = list(counties)
    if not counties:
        return {}
    cursor.execute(STORED_SQL.format(codes=", ".join(["%s"] * len(counties))), [year, *counties])
    result: dict[str, Stored] = {}
    for code, status, remarks, indicator, value, note in cursor.fetchall():
        s = result.setdefault(code, Stored(code, status, {}, "", remarks or ""))
        if indicator is not None and value is not None:
            s.values[indicator] = Decimal(str(value))
        if indicator == NOTE_FIELD:
            s.note = note or ""
    return result


# --- set-up ----------------------------------------------------------------------------------


SETUP = """
import json
import time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.utils.crypto import get_random_string
from apps.accounts.models import User
from apps.regions.models import Region
from apps.reports import services
from apps.reports.models import Report, ReportValue

cfg = json.loads({cfg!r})
password = make_password(cfg["password"])  # hashed once: 150 users, one hash
province = Region.objects.get(code="360000", level="province")
cities = list(Region.objects.filter(level="city", path__startswith=province.path).order_by("path"))
counties = list(Region.objects.filter(level="county", path__startswith=province.path).order_by("path"))

Store = import_module(settings.SESSION_ENGINE).SessionStore
sessions = {{}}

def account(username, role, region):
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={{"role": role, "region": region, "is_active": True, "password": password}},
    )
    # signed in, as django.contrib.auth.login leaves a session (the login form is timed apart)
    session = Store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_last_seen"] = int(time.time())
    session.create()
    sessions[username] = {{
        settings.SESSION_COOKIE_NAME: session.session_key,
        settings.CSRF_COOKIE_NAME: get_random_string(32),
    }}
    return user

plan = {{"counties": [], "officials": []}}
for n, county in enumerate(counties):
    user = account(f"load_county_{{county.code}}", "region_staff", county)
    report, _ = services.report_get_or_create(user=user, region=county, year=cfg["report_year"])
    last = (
        Report.objects.filter(region=county, year=cfg["report_year"] - 1, status="approved")
        .order_by("-revision").first()
    )
    base = {{
        v.indicator.code: format(v.value.normalize(), "f")
        for v in ReportValue.objects.filter(report=last).select_related("indicator")
        if v.value is not None
    }}
    city = next(c for c in cities if county.path.startswith(c.path))
    plan["counties"].append({{
        "username": user.username, "code": county.code, "city": city.code, "report": report.pk,
        "status": report.status, "base": base, "mode": "form" if n % 2 == 0 else "api",
        "submits": n % cfg["never_submit_every"] != cfg["never_submit_every"] - 1,
    }})
for city in cities:
    user = account(f"load_city_{{city.code}}", "region_staff", city)
    mine = [c.code for c in counties if c.path.startswith(city.path)]
    plan["officials"].append(
        {{"username": user.username, "kind": "city", "region": city.code, "counties": mine}}
    )
readers = (
    ("province", "provincial_official", cfg["provincial"]),
    ("congress", "congress_member", cfg["congress"]),
)
for kind, role, n in readers:
    for i in range(n):
        user = account(f"load_{{kind}}_{{i:02d}}", role, province)
        plan["officials"].append({{"username": user.username, "kind": kind, "region": province.code}})
plan["cities"] = [c.code for c in cities]
plan["all_counties"] = [c.code for c in counties]
plan["cookies"] = sessions
print(json.dumps(plan))
"""


def setup_accounts(env: dict[str, str]) -> dict:
    """The load test's accounts and the counties' draft reports (idempotent); the plan of the run."""
    cfg = {
        "password": PASSWORD,
        "report_year": REPORT_YEAR,
        "provincial": PROVINCIAL_OFFICIALS,
        "congress": CONGRESS_MEMBERS,
        "never_submit_every": NEVER_SUBMIT_EVERY,
    }
    command = [python(), "manage.py", "shell", "-c", SETUP.format(cfg=json.dumps(cfg))]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"load set-up: {done.stdout}{done.stderr}")
    plan = json.loads(done.stdout.strip().splitlines()[-1])
    drafts = [c for c in plan["counties"] if c["status"] != "draft" or not c["base"]]
    if drafts:
        raise RuntimeError(
            f"load set-up: counties without a fresh draft or last year's figures: {drafts[:3]}"
        )
    return plan


def static_collected() -> bool:
    """The collected static files (``DEBUG=0`` serves them from the manifest) are newer than the
    portal's own (``static/``) and the pinned packages' (``requirements.txt``): collectstatic,
    which compresses every file again (minutes on a busy machine), can be skipped."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "requirements.txt", *(f for f in (ROOT / "static").rglob("*") if f.is_file())]
    return manifest.stat().st_mtime > max(f.stat().st_mtime for f in sources)


TRIM_SQL = """
DELETE FROM reports_reportvalue WHERE report_id IN (SELECT id FROM reports_report WHERE year >= %s);
DELETE FROM reports_report WHERE year >= %s;
"""


def trim_years(conn, year: int) -> None:
    """Drop the generated reports of ``year`` and later: the counties report ``year`` now."""
    with conn.cursor() as cur:
        cur.execute(TRIM_SQL, [year, year])


def service_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of gunicorn and the worker: Redis as broker, result store and cache."""
    env = dict(env)
    env.update(
        CELERY_BROKER_URL=redis_url(),
        CONN_MAX_AGE="600",
        # plain HTTP on the loopback: no TLS in front, so the cookies cannot be Secure-only
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    env.pop("CACHE_URL", None)
    return env


def flush_redis() -> None:
    """The load test's Redis database starts empty (no queued tasks or cache of a previous run)."""
    done = subprocess.run(["redis-cli", "-u", redis_url(), "FLUSHDB"], capture_output=True, text=True)
    if done.returncode or "OK" not in done.stdout:
        raise RuntimeError(f"Redis at {redis_url()} unreachable: {done.stdout}{done.stderr}")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    celery = Path(python()).parent / "celery"
    handle = log.open("w")
    worker = subprocess.Popen(
        [
            str(celery),
            "-A",
            "carbon_portal",
            "worker",
            "--loglevel=info",
            "--concurrency=1",
            "-n",
            "bench-load@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        if "ready." in log.read_text(errors="replace"):
            return worker
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with status {worker.returncode}: see {log}")
        time.sleep(0.5)
    stop(worker)
    raise RuntimeError(f"the Celery worker was not ready within 60 s: see {log}")


def stop(process: subprocess.Popen | None, timeout: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the figures ------------------------------------------------------------------------------


@dataclass
class Kind:
    """One kind of request in locust's statistics."""

    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    max_ms: float
    per_second: float


def read_stats(path: Path) -> list[Kind]:
    """locust's ``--csv`` statistics (``…_stats.csv``): one row per request name and the total."""
    kinds = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["Name"] if row["Type"] else "total"
            kinds.append(
                Kind(
                    name=name if row["Name"] != "Aggregated" else "total",
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    median_ms=float(row["50%"] or 0),
                    p95_ms=float(row["95%"] or 0),
                    max_ms=float(row["Max Response Time"] or 0),
                    per_second=round(float(row["Requests/s"] or 0), 1),
                )
            )
    return kinds


ACCESS_FORMAT = '%(s)s %(M)s "%(r)s"'


def server_errors(access_log: Path, error_log: Path | None = None) -> list[str]:
    """Lines of gunicorn's access log (``ACCESS_FORMAT``: status first) with a 5xx status, and the
    errors its own log (the portal's log output too) holds: tracebacks, ``ERROR`` records."""
    found = []
    if access_log.exists():
        found += [line for line in access_log.read_text(errors="replace").splitlines() if line[:1] == "5"]
    if error_log is not None and error_log.exists():
        found += [
            line
            for line in error_log.read_text(errors="replace").splitlines()
            if line.startswith("Traceback") or " ERROR " in line or "[ERROR]" in line
        ]
    return found


@dataclass
class Cpu:
    """CPU seconds used during the run, by part: what the run cost, whatever else ran meanwhile."""

    gunicorn: float = 0.0
    postgres: float = 0.0
    worker: float = 0.0
    locust: float = 0.0


def server_times(access_log: Path) -> list[float]:
    """Each request's time inside gunicorn's worker (``%(M)s``, ms): without the wait for a free
    worker, which the client's time includes."""
    if not access_log.exists():
        return []
    times = []
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].isdigit():
            times.append(float(parts[1]))
    return times


@dataclass
class Result:
    kinds: list[Kind]
    tally: Tally
    logins: list[float]
    server_5xx: list[str]
    failures: list[str]
    runs: dict[str, int]
    approved: int
    forwarded: int
    seconds: int
    users: int
    workers: int
    locust_exit: int
    queue_drained_s: float
    cpu: Cpu = field(default_factory=Cpu)
    server_ms: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        total = next((k for k in self.kinds if k.name == "total"), None)
        return (
            self.tally.ok
            and total is not None
            and total.requests > 0
            and total.failures == 0
            and not self.server_5xx
            and not self.failures
            and not self.runs.get("failed")
            and not self.runs.get("queued")
            and not self.runs.get("running")
        )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def markdown(result: Result, info: dict) -> str:
    t = result.tally
    total = next((k for k in result.kinds if k.name == "total"), None)
    logins = result.logins
    c = result.cpu
    served = len(result.server_ms) or (total.requests if total else 0)
    per_request = (c.gunicorn + c.postgres) * 1000 / served if served else float("nan")
    capacity = (
        (os.cpu_count() or 1) * 1000 / per_request
        if per_request and per_request == per_request
        else float("nan")
    )
    lines = [
        "## Load",
        "",
        'Written by `make bench BENCH_ARGS="--only load --record"` (`bench/load.py`, scenario',
        f"`bench/locustfile.py`): {result.users} users for {result.seconds} s with 1–5 s of think time",
        f"between steps, locust headless in one process, against gunicorn ({result.workers} sync workers) on",
        "PostgreSQL, Redis (broker and shared cache) and one Celery worker (concurrency 1), all on this",
        "machine (loopback). County users load their form, save it several times and submit it (even",
        "counties through the HTML form, odd ones through the API with `If-Match`); every tenth county",
        "keeps saving and never submits; city officials forward submitted county reports, provincial",
        "officials approve forwarded ones (each approval queues a recompute on the worker), every",
        "official reads dashboards, monitoring pages and the series API. Times are taken by locust at",
        "the client (its percentiles are rounded to 2 significant digits).",
        "",
        f"- Date: {info.get('date')} (commit {info.get('commit')}); {info.get('cpu')}, "
        f"{info.get('nproc')} cores, {info.get('memory_gb')} GB; {info.get('postgresql')}",
        f"- Load average (1/5/15 min) before {info.get('load_before')}, after {info.get('load_after')}"
        " (other processes may have been running on the two cores)",
        f"- Sign-in through the login form before the run (PBKDF2), {len(logins)} of the users, one "
        f"at a time: median {_percentile(logins, 0.5) * 1000:.0f} ms, "
        f"max {max(logins, default=0) * 1000:.0f} ms; "
        "the others got their session in the set-up",
        "",
        "| request | requests | failures | median (ms) | p95 (ms) | max (ms) | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for k in result.kinds:
        label = "**total**" if k.name == "total" else k.name
        lines.append(
            f"| {label} | {k.requests} | {k.failures} | {k.median_ms:g} | {k.p95_ms:g} | {k.max_ms:g} "
            f"| {k.per_second} |"
        )
    lines += [
        "",
        f"Inside gunicorn (its access log, without the wait for a free worker): {len(result.server_ms)} "
        f"requests, median {_percentile(result.server_ms, 0.5):.0f} ms, p95 "
        f"{_percentile(result.server_ms, 0.95):.0f} ms. CPU used during the run: gunicorn's workers "
        f"{c.gunicorn:.1f} s, PostgreSQL's backends {c.postgres:.1f} s, the Celery worker {c.worker:.1f} s, "
        f"locust {c.locust:.1f} s; that is {per_request:.0f} ms of portal CPU (gunicorn + PostgreSQL) per "
        f"request, so the machine's cores alone would serve about {capacity:.0f} requests/s of this mix.",
        "",
        f"Reading the times: {result.users} users with {THINK[0]:g}–{THINK[1]:g} s of think time ask for "
        "about "
        f"{result.users / (sum(THINK) / 2):.0f} steps a second when nobody waits (a step is one or two "
        f"requests); the cores serve about {capacity:.0f} requests a second of this mix, fewer when other "
        f"processes share them (load average {info.get('load_before')} before the run on "
        f"{info.get('nproc')} cores). Beyond that, requests queue for a free gunicorn worker and for the "
        "cores, which is what the client's times above are mostly made of (compare the time inside "
        "gunicorn); the counts below do not depend on it.",
        "",
        "Counted afterwards:",
        "",
        f"- {t.counties} county reports; {t.saves} saves and {t.submissions} submissions acknowledged by the "
        f"server; {result.forwarded} reports forwarded, {result.approved} approved during the run (the "
        "review queues also hold the generated data's revisions under review of earlier years)",
        f"- lost submissions: **{len(t.lost_submissions)}**; lost saves (stored ≠ last acknowledged save): "
        f"**{len(t.lost_saves)}**; submitted without acknowledgement: {len(t.unacknowledged_submissions)}; "
        f"requests in flight when the run ended (stored as sent, not a loss): {len(t.in_flight)}",
        f"- HTTP failures (locust): **{total.failures if total else 'no figures'}**; 5xx in gunicorn's "
        f"access log and errors in its log: **{len(result.server_5xx)}**",
        "- recompute runs queued during the run: "
        + (", ".join(f"{n} {s}" for s, n in sorted(result.runs.items())) or "none")
        + f" (the worker's queue drained {result.queue_drained_s:.1f} s after the end)",
        f"- verdict: **{'PASS' if result.ok else 'FAIL'}**",
        "",
    ]
    problems = [*t.lost_submissions, *t.lost_saves, *t.unacknowledged_submissions, *result.failures]
    for problem in [*problems, *result.server_5xx][:20]:
        lines.append(f"- PROBLEM: {problem}")
    for note in t.in_flight[:10]:
        lines.append(f"- in flight at the end: {note}")
    return "\n".join(lines).rstrip("\n") + "\n"


def record(results_md: Path, section: str, heading: str = "## Load") -> None:
    """Put ``section`` (starting with ``heading``) last in RESULTS.md, replacing the previous one."""
    text = results_md.read_text(encoding="utf-8") if results_md.exists() else ""
    start = text.find(f"\n{heading}\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end:] if end >= 0 else "")
    results_md.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


# --- the run ----------------------------------------------------------------------------------


def run(
    *, conn, plan: dict, port: int = PORT, seconds: int = SECONDS, workers: int = GUNICORN_WORKERS, say=print
) -> Result:
    """Start the worker and gunicorn, log everyone in, run locust, drain the queue, count."""
    from bench import pages

    OUT_DIR.mkdir(exist_ok=True)
    env = service_env(django_env())
    flush_redis()
    access_log, error_log = OUT_DIR / "load_access.log", OUT_DIR / "load_gunicorn.log"
    ledger, plan_path = OUT_DIR / "load_ledger.jsonl", OUT_DIR / "load_plan.json"
    for path in (access_log, error_log, ledger):
        path.unlink(missing_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    worker = server = None
    try:
        worker = start_worker(env, OUT_DIR / "load_worker.log")
        server = pages.start_gunicorn(
            env,
            port,
            workers,
            extra=["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT],
            log=error_log,
        )
        users = [c["username"] for c in plan["counties"]] + [o["username"] for o in plan["officials"]]
        # A sample of the users signs in through the login form (timed; their sessions are used);
        # the others got theirs in the set-up: 150 PBKDF2 logins would only add minutes of set-up.
        timed: list[float] = []
        for username in users[:: len(users) // LOGIN_SAMPLE]:
            started = time.perf_counter()
            plan["cookies"][username] = pages.login("127.0.0.1", port, username, PASSWORD)
            timed.append(time.perf_counter() - started)
        say(f"  {len(timed)} users signed in through the login form, {len(users) - len(timed)} in the set-up")
        plan["report_year"], plan["figures_year"], plan["think"] = REPORT_YEAR, FIGURES_YEAR, THINK
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        access_log.write_text("", encoding="utf-8")  # the logins are not part of the run
        with conn.cursor() as cur:
            cur.execute("SELECT now()")
            run_start = cur.fetchone()[0]
        locust = Path(python()).parent / "locust"
        csv_prefix = OUT_DIR / "load"
        command = [
            str(locust),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",
            "-u",
            str(len(users)),
            "-r",
            "50",
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            str(STOP_TIMEOUT),
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        locust_env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_LEDGER": str(ledger)}
        say(f"  locust: {len(users)} users for {seconds} s …")
        meter = CpuMeter(conn, server, worker)
        locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with (OUT_DIR / "load_locust.log").open("w") as out:
            done = subprocess.run(command, cwd=ROOT, env=locust_env, stdout=out, stderr=subprocess.STDOUT)
        locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        ended = time.perf_counter()
        runs = wait_for_runs(conn, run_start, timeout=180)
        drained = time.perf_counter() - ended
        cpu = meter.used()
        cpu.locust = (locust_after.ru_utime + locust_after.ru_stime) - (
            locust_before.ru_utime + locust_before.ru_stime
        )
    finally:
        stop(server)
        stop(worker, timeout=60)
    kinds = read_stats(Path(f"{csv_prefix}_stats.csv"))
    failures = []
    failures_csv = Path(f"{csv_prefix}_failures.csv")
    if failures_csv.exists():
        with failures_csv.open(newline="", encoding="utf-8") as f:
            failures = [
                f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(f)
            ]
    expected = expectations(ledger.read_text(encoding="utf-8").splitlines() if ledger.exists() else [])
    with conn.cursor() as cur:
        stored = stored_reports(cur, REPORT_YEAR, plan["all_counties"])
        cur.execute(
            "SELECT count(*) FILTER (WHERE forwarded_at >= %s), count(*) FILTER (WHERE approved_at >= %s) "
            "FROM reports_report",
            [run_start, run_start],
        )
        forwarded, approved = cur.fetchone()
    return Result(
        kinds=kinds,
        tally=count(expected, stored),
        logins=timed,
        server_5xx=server_errors(access_log, error_log),
        failures=failures,
        runs=runs,
        approved=approved,
        forwarded=forwarded,
        seconds=seconds,
        users=len(users),
        workers=workers,
        locust_exit=done.returncode,
        queue_drained_s=drained,
        cpu=cpu,
        server_ms=server_times(access_log),
    )


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def backend_pids(conn) -> list[int]:
    """The PostgreSQL backends serving the load test's database (gunicorn's and the worker's)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cur.fetchall()]


class CpuMeter:
    """CPU of gunicorn's workers, the worker and its pool, the database's backends, from start to end.

    Backends are read from /proc (PostgreSQL on the same machine, as here; elsewhere they read 0)."""

    def __init__(self, conn, server: subprocess.Popen, worker: subprocess.Popen):
        self.conn, self.server, self.worker = conn, server, worker
        self.start = self._read()

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            "gunicorn": {p: process_cpu(p) for p in children(self.server.pid)},
            "worker": {p: process_cpu(p) for p in [self.worker.pid, *children(self.worker.pid)]},
            "postgres": {p: process_cpu(p) for p in backend_pids(self.conn)},
        }

    def used(self) -> Cpu:
        end = self._read()
        part = {k: sum(v - self.start[k].get(p, 0.0) for p, v in end[k].items()) for k in end}
        return Cpu(gunicorn=part["gunicorn"], postgres=part["postgres"], worker=part["worker"])


def wait_for_runs(conn, since, timeout: float) -> dict[str, int]:
    """The recompute runs queued since ``since`` by status, once none is queued or running (or
    ``timeout`` passed)."""
    deadline = time.perf_counter() + timeout
    while True:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT status, count(*) FROM monitoring_recomputerun WHERE created_at >= %s GROUP BY 1",
                [since],
            )
            runs = dict(cur.fetchall())
        if not (runs.get("queued") or runs.get("running")) or time.perf_counter() > deadline:
            return runs
        time.sleep(1)
