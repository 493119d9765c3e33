"""The load test's scenario (issue 11 item 9), run by ``bench/load.py``: ``locust`` headless.

Reads the plan ``bench/load.py`` wrote (``LOAD_PLAN``: users, their session cookies, reports,
last year's figures) and appends every save and submission the server acknowledged to the
ledger (``LOAD_LEDGER``, JSON lines), which ``load.count`` compares with the database afterwards.

- ``CountyUser`` (one per county): loads its report form, saves it 2–5 times (new values each
  time), then submits it (every tenth county keeps saving instead); afterwards reads its report
  and its region's dashboard. Even counties use the HTML form as a browser does (all fields
  posted back with the hidden version and ``orig_`` fields, the redirect followed); odd counties
  use the API as a script in a page does (``GET``, ``PATCH`` with ``If-Match`` and the CSRF
  header, ``POST …/submit/``). One step per task, 1–5 s of think time between steps, so that
  stopping the run waits for at most one step.
- ``OfficialUser``: city officials (one per city) read their city's pages and forward the
  submitted county reports of their city; provincial officials read the province's pages and
  approve forwarded reports (each approval queues a recompute on the Celery worker); congress
  members read.

Any answer other than the expected one is a locust failure (a conflict, a form shown again
with errors, a 4xx or 5xx), counted in the figures.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from http.cookiejar import Cookie
from pathlib import Path

from locust import FastHttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import CSRF_RE, NOTE_FIELD, REPORT_LINK_RE, form_fields, save_values

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
LEDGER = open(os.environ["LOAD_LEDGER"], "a", encoding="utf-8")  # noqa: SIM115 (open for the run)
YEAR = PLAN["figures_year"]
THINK = PLAN["think"]
COUNTIES = list(PLAN["counties"])
OFFICIALS = list(PLAN["officials"])
SERIES_METRICS = (
    "energy_intensity,co2_intensity,energy_total_assessed,nonfossil_share,energy_intensity_warning_annual"
)


def ledger(**entry) -> None:
    LEDGER.write(json.dumps(entry, ensure_ascii=False) + "\n")
    LEDGER.flush()


def cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True, None, None, {}
    )


class PortalUser(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)
    # as long as gunicorn lets a request run (--timeout 120): a slow answer is measured, not cut
    connection_timeout = network_timeout = 120.0

    def log_in(self, username: str) -> None:
        """The session of the login done before the run (``load.run``), in this client's jar."""
        self.cookies = PLAN["cookies"][username]
        for name, value in self.cookies.items():
            self.client.cookiejar.set_cookie(cookie(name, value))

    def csrf_header(self) -> dict[str, str]:
        token = next(
            (c.value for c in self.client.cookiejar if c.name == "csrftoken"), self.cookies["csrftoken"]
        )
        return {"X-CSRFToken": token}

    def get(self, url: str, name: str, *, expect: int = 200):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != expect:
                r.failure(f"status {r.status_code}")
            return r


class CountyUser(PortalUser):
    fixed_count = len(COUNTIES)

    def on_start(self):
        self.county = COUNTIES.pop(0)
        self.log_in(self.county["username"])
        self.rng = random.Random(self.county["code"])
        self.pk = self.county["report"]
        self.api = self.county["mode"] == "api"
        self.saves_before_submit = self.rng.randint(2, 5) if self.county["submits"] else None
        self.saves = 0
        self.state = "load"
        self.form: dict[str, str] = {}
        self.version: int | None = None
        self.tag = "API" if self.api else "form"

    # --- one step per task -------------------------------------------------------------------

    @task
    def step(self):
        if self.state == "load":
            self.load_api() if self.api else self.load_form()
        elif self.state == "edit":
            submit = self.saves_before_submit is not None and self.saves + 1 >= self.saves_before_submit
            self.save_api(submit) if self.api else self.save_form(submit)
        else:  # submitted: looks at what was sent
            if self.rng.random() < 0.5:
                self.get(f"/reports/{self.pk}/", "county: report page")
            else:
                code = self.county["code"]
                self.get(f"/dashboards/county/{code}/?year={YEAR}", "county: its county's dashboard")

    def typed(self, submit: bool) -> tuple[dict[str, str], str, str]:
        """New figures for the next save, written to the ledger before they are sent."""
        values = save_values(self.county["base"], self.rng)
        note = f"load test, save {self.saves + 1}: figures checked"
        remarks = f"{self.county['code']} save {self.saves + 1}"
        ledger(
            county=self.county["code"],
            event="sending",
            values=values,
            note=note,
            remarks=remarks,
            submit=submit,
        )
        return values, note, remarks

    def acknowledged(self, values, note, remarks, submitted: bool) -> None:
        self.saves += 1
        code = self.county["code"]
        ledger(county=code, event="saved", values=values, note=note, remarks=remarks, mode=self.tag)
        if submitted:
            ledger(county=code, event="submitted", mode=self.tag)
            self.state = "submitted"

    # --- the HTML form -----------------------------------------------------------------------

    def load_form(self):
        r = self.get(f"/reports/{self.pk}/edit/", "county: report form (GET)")
        if r.status_code == 200:
            self.form = form_fields(r.text)
            if "version" in self.form and "csrfmiddlewaretoken" in self.form:
                self.state = "edit"
            else:
                r.failure("no version or CSRF token in the report form")

    def save_form(self, submit: bool):
        values, note, remarks = self.typed(submit)
        data = dict(self.form)
        data.update({f"value_{code}": value for code, value in values.items()})
        data[f"note_{NOTE_FIELD}"] = note
        data["remarks"] = remarks
        data["action"] = "submit" if submit else "save"
        name = "county: save and submit (form POST)" if submit else "county: save draft (form POST)"
        wanted = f"/reports/{self.pk}/" if submit else f"/reports/{self.pk}/edit/"
        with self.client.post(
            f"/reports/{self.pk}/edit/", data=data, name=name, catch_response=True, allow_redirects=False
        ) as r:
            location = r.headers.get("Location", "") if r.headers else ""
            if r.status_code != 302 or not location.endswith(wanted):
                r.failure(f"status {r.status_code}, location {location!r} (not saved as expected)")
                self.state = "load"  # as a person would: open the form again
                return
        self.acknowledged(values, note, remarks, submitted=submit)
        if submit:  # the browser follows the redirect
            self.get(f"/reports/{self.pk}/", "county: report page")
        else:
            self.load_form()

    # --- the API -----------------------------------------------------------------------------

    def load_api(self):
        r = self.get(f"/api/v1/reports/{self.pk}/", "county: report (API GET)")
        if r.status_code == 200:
            self.version = r.json()["version"]
            self.state = "edit"

    def save_api(self, submit: bool):
        values, note, remarks = self.typed(submit=False)
        body = {"values": values, "notes": {NOTE_FIELD: note}, "remarks": remarks}
        headers = {"If-Match": f'"{self.version}"', **self.csrf_header()}
        with self.client.patch(
            f"/api/v1/reports/{self.pk}/",
            json=body,
            headers=headers,
            name="county: save (API PATCH)",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}: {r.text[:200]}")
                self.state = "load"
                return
            self.version = r.json()["report"]["version"]
        self.acknowledged(values, note, remarks, submitted=False)
        if not submit:
            return
        ledger(county=self.county["code"], event="sending_submit")
        with self.client.post(
            f"/api/v1/reports/{self.pk}/submit/",
            headers=self.csrf_header(),
            name="county: submit (API POST)",
            catch_response=True,
        ) as r:
            if r.status_code != 200 or r.json().get("status") != "submitted":
                r.failure(f"status {r.status_code}: {r.text[:200]}")
                return
        ledger(county=self.county["code"], event="submitted", mode=self.tag)
        self.state = "submitted"


class OfficialUser(PortalUser):
    fixed_count = len(OFFICIALS)

    def on_start(self):
        self.official = OFFICIALS.pop(0)
        self.log_in(self.official["username"])
        self.rng = random.Random(self.official["username"])
        self.kind = self.official["kind"]
        counties = self.official.get("counties") or PLAN["all_counties"]
        cities = [self.official["region"]] if self.kind == "city" else PLAN["cities"]
        self.counties, self.cities = (
            itertools.cycle(self.rng.sample(counties, len(counties))),
            itertools.cycle(cities),
        )

    @task(10)
    def read(self):
        county, city = next(self.counties), next(self.cities)
        pages = [
            ("official: barometer", f"/dashboards/?year={YEAR}"),
            ("official: barometer, counties", f"/dashboards/?year={YEAR}&region_level=county"),
            ("official: city dashboard", f"/dashboards/city/{city}/?year={YEAR}"),
            ("official: county dashboard", f"/dashboards/county/{county}/?year={YEAR}"),
            ("official: monitoring overview", f"/monitoring/?year={YEAR}"),
            ("official: monitoring, county year", f"/monitoring/county/{county}/{YEAR}/"),
            ("official: completeness grid", "/reports/completeness/"),
            ("official: series API", f"/api/v1/series/?region={county}&metrics={SERIES_METRICS}"),
            ("official: barometer API", f"/api/v1/barometer/?year={YEAR}&region_level=county"),
        ]
        name, url = self.rng.choice(pages)
        self.get(url, name)

    @task(2)
    def review(self):
        """City: forward a submitted county report; province: approve a forwarded one."""
        if self.kind == "congress":
            return self.read()
        queue, action = ("city", "forward") if self.kind == "city" else ("province", "approve")
        r = self.get(f"/reports/queue/{queue}/", f"official: review queue ({queue})")
        ids = REPORT_LINK_RE.findall(r.text) if r.status_code == 200 else []
        if not ids:
            return
        pk = self.rng.choice(ids)
        page = self.get(f"/reports/{pk}/", "official: report page")
        match = CSRF_RE.search(page.text) if page.status_code == 200 else None
        if match is None or f"/reports/{pk}/{action}/" not in page.text:
            return  # someone else acted on it meanwhile
        data = {"csrfmiddlewaretoken": match.group(1), "comment": "load test"}
        with self.client.post(
            f"/reports/{pk}/{action}/",
            data=data,
            name=f"official: {action} (form POST)",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302:
                r.failure(f"status {r.status_code}")
                return
        self.get(f"/reports/{pk}/", "official: report page")
