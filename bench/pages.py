"""Pages at national scale (issue 10 item 8): server time of pages under load, gunicorn on PostgreSQL.

With the bench's national data loaded (3,351 regions, their reports and a full recompute's
figures), ``run_bench.py --only pages`` (or the last part of a full ``make bench``):

1. collects the static files (``DEBUG=0`` serves them from the manifest) and creates two bench
   users, a provincial official of Jiangxi (360000) and an administrator (every region);
2. starts ``gunicorn carbon_portal.wsgi`` (``--workers``, default 4 sync workers) on the bench
   database and logs each user in through the real login form (a session cookie);
3. for each page of ``PAGES``: one cold request (the page's first since gunicorn started: its
   cached part, ``apps/core/cache.py``, not built yet; reported as "cold first"), then at 1 and
   at 16 concurrent clients: a few warm-up requests (every
   worker has imported and connected), then ``--requests`` (200) requests or ``--max-seconds``
   of them, whichever ends first, each client a thread with its own keep-alive connection;
4. reports per page and concurrency the median and p95 of the response time, requests per
   second, response size; any status other than 200 fails the run.

**Server time** is the time from sending the request to the last byte of the response, taken
at the client on the same machine (loopback: a few tens of microseconds of network). At 16
clients it includes the time a request waits for a free gunicorn worker, which is what a user
waits for too. A ``Server-Timing`` header would leave the queueing out and flatter the figure.

To add a page: one line in ``PAGES`` — a label, the user ("province" or "admin") and the URL
(``{year}`` is replaced by ``YEAR``). The query-count test of the same pages on a national
data set is ``tests/test_national_queries.py`` (``NATIONAL_PAGES``).

Run alone (data loaded, gunicorn started by this script):
``python bench/pages.py --port 8106`` (``BENCH_DATABASE_URL`` as for the rest of the bench).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, django_env, python, record_section

#: Year of the figures the pages show (the bench data cover 2015–2030).
YEAR = 2024
#: Target of issue 10 item 8, at 16 concurrent clients.
MAX_P95_MS = 150.0
CONCURRENCY = (1, 16)
PASSWORD = "bench-pages-2026"
#: The bench users: kind → (username, role, region code).
USERS = {
    "province": ("bench_province", "provincial_official", "360000"),
    "admin": ("bench_admin", "administrator", None),
}


@dataclass(frozen=True)
class Page:
    label: str
    user: str  # a key of USERS, or PUBLIC (no sign-in)
    url: str  # "{year}" → YEAR
    max_p95_ms: float = MAX_P95_MS  # the target at 16 clients


#: Issue 12: the public pages (no sign-in) serve p95 < 100 ms at 16 concurrent clients.
PUBLIC_P95_MS = 100.0
#: The "user" of the public pages: nobody signed in.
PUBLIC = "public"


#: The pages measured. One line per page.
PAGES: list[Page] = [
    Page("completeness grid, Jiangxi (paged)", "province", "/reports/completeness/"),
    Page("completeness grid, national (paged)", "admin", "/reports/completeness/"),
    Page("completeness grid, national, page 20", "admin", "/reports/completeness/?page=20"),
    Page("monitoring overview, Jiangxi", "province", "/monitoring/?year={year}"),
    Page("monitoring overview, national", "admin", "/monitoring/?year={year}"),
    Page("assessments API, Jiangxi", "province", "/api/v1/assessments/?year={year}"),
    Page("assessments API, national", "admin", "/api/v1/assessments/?year={year}"),
    Page("barometer, province", "province", "/dashboards/?year={year}"),
    Page("barometer, all counties of Jiangxi", "province", "/dashboards/?year={year}&region_level=county"),
    Page("barometer, national counties", "admin", "/dashboards/?year={year}&region_level=county"),
    Page("region dashboard, Nanchang", "province", "/dashboards/city/360100/?year={year}"),
    Page("barometer API, Jiangxi counties", "province", "/api/v1/barometer/?year={year}&region_level=county"),
    Page("public overview, Jiangxi", PUBLIC, "/disclosure/{year}/", PUBLIC_P95_MS),
    Page("public region page, Nanchang", PUBLIC, "/disclosure/{year}/360100/", PUBLIC_P95_MS),
    Page("public region page, a county", PUBLIC, "/disclosure/{year}/360102/", PUBLIC_P95_MS),
    Page("public figures API, Jiangxi", PUBLIC, "/api/v1/public/figures/?year={year}", PUBLIC_P95_MS),
    Page("public CSV, Nanchang", PUBLIC, "/disclosure/{year}/360100/figures.csv", PUBLIC_P95_MS),
    Page("public methodology", PUBLIC, "/disclosure/methodology/", PUBLIC_P95_MS),
]


@dataclass
class Measure:
    label: str
    url: str
    clients: int
    requests: int
    median_ms: float
    p95_ms: float
    max_ms: float
    per_second: float
    kbytes: float
    statuses: dict[str, int]
    #: The page's first request after gunicorn started (its cached part not built yet), 1 client rows.
    cold_ms: float | None = None

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {"200"}


# --- the client --------------------------------------------------------------------------------


class Client:
    """A keep-alive HTTP/1.1 connection with a cookie jar: one per simulated user thread."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None, timeout: float = 120):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, float]:
        """(status, body, seconds from sending to the last byte)."""
        headers = {"Accept-Language": "zh-hans", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
            except (http.client.HTTPException, ConnectionError) as exc:
                self.close()
                if attempt == 2:
                    raise ConnectionError(str(exc)) from exc
                continue
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, content, elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def login(host: str, port: int, username: str, password: str) -> dict[str, str]:
    """Log in through the real form; the cookies of the session (raises if refused)."""
    client = Client(host, port)
    status, body, _ = client.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        raise RuntimeError(f"login page: status {status}, no CSRF token")
    status, _, _ = client.request(
        "POST",
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()},
        headers={"Referer": f"http://{host}:{port}/accounts/login/"},
    )
    client.close()
    if status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"login of {username} refused (status {status})")
    return client.cookies


def load(
    host: str,
    port: int,
    path: str,
    *,
    cookies: dict[str, str],
    requests: int,
    clients: int,
    max_seconds: float = 0,
    warmup: int = 0,
) -> tuple[list[float], dict[str, int], int]:
    """``requests`` GETs of ``path`` by ``clients`` threads (stopping after ``max_seconds`` if
    set): (seconds of each request, count per status, bytes of the last response)."""
    lock = threading.Lock()
    times: list[float] = []
    statuses: dict[str, int] = {}
    size = [0]
    remaining = [requests]
    deadline = time.perf_counter() + max_seconds if max_seconds else None
    errors: list[BaseException] = []

    def worker() -> None:
        client = Client(host, port, cookies)
        try:
            for _ in range(warmup):
                try:
                    client.request("GET", path)
                except OSError:  # not measured: the measured requests count their errors
                    client.close()
            while True:
                with lock:
                    # past the time budget, stop once every client has measured one request
                    late = deadline and time.perf_counter() > deadline and len(times) >= clients
                    if remaining[0] <= 0 or late:
                        return
                    remaining[0] -= 1
                try:
                    status, body, elapsed = client.request("GET", path)
                except OSError as exc:  # a worker killed on timeout, a reset: counted, not fatal
                    client.close()
                    with lock:
                        statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
                    continue
                with lock:
                    times.append(elapsed)
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                    size[0] = len(body)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{path}: {errors[0]!r}")
    return times, statuses, size[0]


def summarize(label: str, url: str, clients: int, times: list[float], statuses, size, wall: float) -> Measure:
    ms = sorted(t * 1000 for t in times) or [float("nan")]
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return Measure(
        label=label,
        url=url,
        clients=clients,
        requests=len(ms),
        median_ms=round(statistics.median(ms), 1),
        p95_ms=round(p95, 1),
        max_ms=round(ms[-1], 1),
        per_second=round(len(ms) / wall, 1) if wall else 0.0,
        kbytes=round(size / 1024, 1),
        statuses=dict(statuses),
    )


def measure_page(
    host: str,
    port: int,
    page: Page,
    cookies: dict[str, str],
    *,
    clients: int,
    requests: int,
    max_seconds: float = 0,
    warmup: int = 2,
) -> Measure:
    url = page.url.format(year=YEAR)
    started = time.perf_counter()
    times, statuses, size = load(
        host,
        port,
        url,
        cookies=cookies,
        requests=requests,
        clients=clients,
        max_seconds=max_seconds,
        warmup=warmup,
    )
    return summarize(page.label, url, clients, times, statuses, size, time.perf_counter() - started)


# --- the server and the users ------------------------------------------------------------------


SETUP_USERS = """
import json
from apps.accounts.models import User
from apps.regions.models import Region
users = json.loads({users!r})
for username, role, code in users.values():
    region = Region.objects.get(code=code, level="province") if code else None
    user, _ = User.objects.update_or_create(
        username=username, defaults={{"role": role, "region": region, "is_active": True}}
    )
    user.set_password({password!r})
    user.save()
print("bench users ready")
"""

#: The public pages show only published figures: the bench's provincial official publishes the
#: year for all of Jiangxi once (kept: a later run finds it; a recompute leaves it as it is).
SETUP_PUBLICATION = """
from apps.accounts.models import User
from apps.disclosure import publications
from apps.disclosure.models import Publication, PublicationStatus
from apps.regions.models import Region
province = Region.objects.get(code="360000", level="province")
if not Publication.objects.filter(year={year}, region=province, status=PublicationStatus.PUBLISHED).exists():
    publications.publish(user=User.objects.get(username="bench_province"), year={year}, region=province)
print("bench publication ready")
"""


def setup(env: dict[str, str]) -> None:
    """Static files collected (DEBUG=0 serves from the manifest) and the bench users present."""
    for args in (
        ["collectstatic", "--noinput", "-v", "0"],
        ["shell", "-c", SETUP_USERS.format(users=json.dumps(USERS), password=PASSWORD)],
        ["shell", "-c", SETUP_PUBLICATION.format(year=YEAR)],
    ):
        command = [python(), "manage.py", *args]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]}: {done.stdout}{done.stderr}")


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, *, extra: list[str] = (), log: Path | None = None
) -> subprocess.Popen:
    """gunicorn on the loopback, once it answers ``/healthz`` (``extra`` options; its output to
    ``log`` if given, e.g. the load test's, which is searched for errors afterwards)."""
    gunicorn = Path(python()).parent / "gunicorn"
    options = ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"]
    server = subprocess.Popen(
        [str(gunicorn), "carbon_portal.wsgi", *options, *extra],
        cwd=ROOT,
        env=env,
        **({"stdout": log.open("w"), "stderr": subprocess.STDOUT} if log is not None else {}),
    )
    for _ in range(150):
        try:
            status, _, _ = Client("127.0.0.1", port, timeout=2).request("GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def run(
    *,
    port: int,
    workers: int = 4,
    requests: int = 200,
    max_seconds: float = 60,
    pages: list[Page] | None = None,
    say=print,
) -> list[Measure]:
    """Set up, start gunicorn, measure every page at each concurrency, stop gunicorn."""
    env = django_env()
    env["CONN_MAX_AGE"] = "600"  # a worker keeps its connection, as in production
    setup(env)
    # Stopped (SIGTERM) while measuring: unwind, so the finally below stops gunicorn too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    server = start_gunicorn(env, port, workers)
    results: list[Measure] = []
    try:
        cookies = {kind: login("127.0.0.1", port, name, PASSWORD) for kind, (name, _, _) in USERS.items()}
        cookies[PUBLIC] = {}  # the public pages: no session
        for page in pages or PAGES:
            # One cold request first: each worker's cache (local memory in the bench) holds nothing
            # of this page yet, so this is what the first reader after a recompute waits for.
            _, _, cold = Client("127.0.0.1", port, cookies[page.user]).request(
                "GET", page.url.format(year=YEAR)
            )
            for clients in CONCURRENCY:
                m = measure_page(
                    "127.0.0.1",
                    port,
                    page,
                    cookies[page.user],
                    clients=clients,
                    requests=requests,
                    max_seconds=max_seconds,
                    warmup=max(1, workers // clients),
                )
                if clients == 1:
                    m.cold_ms = round(cold * 1000, 1)
                results.append(m)
                say(
                    f"  {m.label:<40} {clients:>2} client(s): median {m.median_ms:7.1f} ms, "
                    f"p95 {m.p95_ms:7.1f} ms, "
                    f"{m.requests} requests, {m.per_second:.1f}/s, {m.kbytes:.0f} kB"
                    + ("" if m.ok else f"  STATUSES {m.statuses}")
                )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def target_met(results: list[Measure]) -> bool:
    limits = {page.label: page.max_p95_ms for page in PAGES}
    return all(m.ok for m in results) and all(
        m.p95_ms < limits.get(m.label, MAX_P95_MS) for m in results if m.clients == 16
    )


def markdown(results: list[Measure], info: dict, *, workers: int, requests: int, max_seconds: float) -> str:
    lines = [
        "## Pages",
        "",
        'Written by `make bench BENCH_ARGS="--only pages --record"` (`bench/pages.py`): response time of',
        f"each page at the client on the same machine, gunicorn with {workers} sync workers on PostgreSQL,",
        f"the national data of the bench; {requests} requests per page and concurrency (fewer when",
        f"{max_seconds:g} s ran out: see the requests column), after a warm-up. At 16 clients the time",
        "includes waiting for a free worker. Target (issue 10 item 8): p95 < 150 ms at 16 clients.",
        "The figures are **warm-cache** figures: the expensive part of each page (`apps/core/cache.py`)",
        "is built by the page's first requests and then served from the cache (the bench's gunicorn",
        "runs without Redis: each worker has its own local-memory cache, so each builds it once).",
        '"cold first" is the page\'s first request after gunicorn started, its cache empty.',
        "",
        f"- Date: {info.get('date')} (commit {info.get('commit')}); {info.get('cpu')}, "
        f"{info.get('nproc')} cores, {info.get('memory_gb')} GB; {info.get('postgresql')}",
        f"- Load average (1/5/15 min) before {info.get('load_before')}, after {info.get('load_after')}",
        "",
        "| page | URL | clients | requests | cold first (ms) | median (ms) | p95 (ms) | max (ms) | req/s "
        "| size (kB) | p95 < 150 ms at 16 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in results:
        limit = {page.label: page.max_p95_ms for page in PAGES}.get(m.label, MAX_P95_MS)
        verdict = ("**PASS**" if m.p95_ms < limit and m.ok else "**FAIL**") if m.clients == 16 else ""
        if not m.ok:
            verdict += f" statuses {m.statuses}"
        lines.append(
            f"| {m.label} | `{m.url}` | {m.clients} | {m.requests} "
            f"| {'' if m.cold_ms is None else m.cold_ms} "
            f"| {m.median_ms} | {m.p95_ms} | "
            f"{m.max_ms} | {m.per_second} | {m.kbytes} | {verdict} |"
        )
    lines.append("")
    return "\n".join(lines)


def record(results_md: Path, section: str) -> None:
    """Put the "## Pages" section last in RESULTS.md, replacing the previous one."""
    record_section(results_md, "Pages", section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--max-seconds", type=float, default=60)
    args = parser.parse_args(argv)
    results = run(port=args.port, workers=args.workers, requests=args.requests, max_seconds=args.max_seconds)
    print(json.dumps([asdict(m) for m in results]))
    return 0 if target_met(results) else 1


if __name__ == "__main__":
    sys.exit(main())
