"""Does Jigsaw stay fast with 200 people using it at once?

Issue 10, item 3: a realistic mix of work against Jigsaw served by gunicorn on 127.0.0.1
over PostgreSQL, with a demo authority of 100,000 children. Target: 200 concurrent users
with a p95 under 300 ms and no errors for 5 minutes; report the throughput reached and
where it saturates, and run it with two gunicorn instances on two ports sharing one
database to show the web tier scales out.

The script starts gunicorn itself (DEBUG off, the database given), waits until it answers,
then runs Locust headless in this process as a library. Each simulated user signs in once
with its own session (several share one account: only the demo's named personas can sign
in), opens each of its usual pages once, then works with a think time between actions:

- front door officers (weight 4) open the contacts queue and a contact from it;
- partner practitioners (weight 5) ask a flag check (the form, the POST, the answer page),
  half by NHS number and half by name and date of birth, as bench/partners_flags.py does;
- social workers (weight 8) open their work list, a case from it, the child's chronology,
  and write a case note (the form, the POST, the note's page);
- team managers (weight 2) open their team's page, the service dashboard (their team's
  and the whole service's) and an indicator's children;
- the performance analyst (weight 1) opens the partnership dashboard and an indicator.

Pages only, never the static files (a browser caches those). Timings come from Locust's
request events, measured once every user has signed in (the sign-ins are reported on their
own). `--step` runs 25, 50, 100, 200 and 300 users for a minute each instead, to find where
it saturates: where the p95 crosses 300 ms or the throughput stops rising.

Writes bench/results/load-<instances>.json (load-step-<instances>.json with --step) with
the machine, the load average and the CPU used by gunicorn, PostgreSQL and Locust.
"""

from __future__ import annotations

# Locust patches the standard library for gevent when it is imported; it must come first.
import locust  # isort: skip
from locust import FastHttpUser, between, task  # isort: skip

import argparse
import datetime
import itertools
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psutil  # type: ignore[import-untyped]  # psutil ships no type hints
from locust.env import Environment
from lxml import html as lxml_html  # type: ignore[import-untyped]  # lxml ships no type hints

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine_info, setup_django, summary

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
LOG_DIR = PROJECT_DIR / "var" / "bench"
# A private copy of the 100,000-child demo that bench/dashboards.py builds, so that the
# case notes and flag checks the load writes never change the shared one.
TEMPLATE_DATABASE = "jigsaw_bench_dashboards"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/jigsaw_bench_load"
DEMO_PASSWORD = "jigsaw-demo-2009"  # noqa: S105 - the demo's published password
TARGET_P95_MS = 300.0
STEP_USERS = (25, 50, 100, 200, 300)
# Throughput that grows by less than this when the users grow has stopped rising.
STILL_RISING = 1.10
# Flag checks the load may ask per account: 200 simulated users share the demo's five
# partner accounts, where each real practitioner asks a few a day under the normal limit.
FLAG_CHECKS_ALLOWED = 1_000_000


# --- What the simulated users do ------------------------------------------------------


@dataclass
class Plan:
    """What the users need from the database before the load starts: the accounts of each
    role, and the flag checks partners ask (the children in front of them)."""

    accounts: dict[str, list[str]]
    flag_checks: list[dict[str, str]]
    hosts: list[str]
    think_seconds: tuple[float, float]
    _next_account: dict[str, Iterator[str]] = field(default_factory=dict)
    _next_host: Iterator[str] | None = None
    _next_check: Iterator[dict[str, str]] | None = None
    # Users who have signed in and looked at their first page: the measuring waits for all.
    ready: int = 0

    def account(self, role: str) -> str:
        if role not in self._next_account:
            self._next_account[role] = itertools.cycle(self.accounts[role])
        return next(self._next_account[role])

    def host(self) -> str:
        """The servers in turn, so the users are spread evenly across the instances."""
        if self._next_host is None:
            self._next_host = itertools.cycle(self.hosts)
        return next(self._next_host)

    def flag_check(self) -> dict[str, str]:
        if self._next_check is None:
            self._next_check = itertools.cycle(self.flag_checks)
        return next(self._next_check)


# Set by run_load() before any user starts; the user classes read it.
PLAN: Plan | None = None


def plan() -> Plan:
    assert PLAN is not None, "run_load() sets the plan before the users start"
    return PLAN


def think(user: Any) -> float:
    low, high = plan().think_seconds
    return float(between(low, high)(user))


def form_fields(page: str, action: str) -> dict[str, str]:
    """The values a browser would send from the page's form posting to `action`: hidden
    fields (the CSRF token, a version) and everything the page filled in already."""
    document = lxml_html.fromstring(page)
    for form in document.forms:
        if (form.get("action") or "") in ("", action):
            return {name: value or "" for name, value in form.form_values()}
    raise ValueError(f"no form posting to {action!r} on the page")


class JigsawUser(FastHttpUser):
    """A person signed in to Jigsaw in their own browser session."""

    abstract = True
    role = ""
    wait_time = think

    def __init__(self, environment: Environment) -> None:
        self.host = plan().host()
        super().__init__(environment)

    def on_start(self) -> None:
        try:
            self.sign_in()
            self.first_look()
        finally:  # an error here is recorded (Recorder.on_user_error); the run goes on
            plan().ready += 1

    def sign_in(self) -> None:
        self.username = plan().account(self.role)
        page = self.get("/sign-in", "sign in (form)")
        fields = form_fields(page, "")
        fields.update({"username": self.username, "password": DEMO_PASSWORD})
        self.post("/sign-in", fields, "sign in (POST)", expect=re.compile(r"^/$"))

    def first_look(self) -> None:
        """Each of the user's usual pages once, as at the start of a day: the later tasks
        pick their links from these pages, and every kind of request is made at least once."""

    def get(self, path: str, name: str) -> str:
        """GET a page; anything but the page itself (a redirect to sign in, an error) fails."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
                return ""
            return response.text or ""

    def post(self, path: str, fields: dict[str, str], name: str, *, expect: re.Pattern[str]) -> str:
        """POST a form; it must redirect to a page matching `expect` (a form shown again
        with errors is a failure). Returns where it redirected to."""
        with self.client.post(
            path, data=fields, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = urlparse(response.headers.get("Location") or "").path
            if response.status_code != 302 or not expect.match(location):
                response.failure(f"{response.status_code} to {location or 'nowhere'} for {path}")
                return ""
            return location


class FrontDoorOfficer(JigsawUser):
    """Triages the day's contacts: the queue, then a contact from it."""

    role = "front_door_officer"
    weight = 4
    contacts: list[str]

    def first_look(self) -> None:
        self.contacts = []
        self.queue()
        self.open_contact()

    @task(1)
    def queue(self) -> None:
        page = self.get("/casework/front-door", "front door queue")
        self.contacts = re.findall(r'href="(/casework/contacts/\d+)"', page) or self.contacts

    @task(3)
    def open_contact(self) -> None:
        if self.contacts:
            self.get(random.choice(self.contacts), "contact")


class PartnerPractitioner(JigsawUser):
    """A GP, health visitor, A&E clinician or police officer checking whether a child is known."""

    role = "partner_practitioner"
    weight = 5

    def first_look(self) -> None:
        self.flag_check()

    @task
    def flag_check(self) -> None:
        page = self.get("/partners/flag-check", "flag check (form)")
        if not page:
            return
        fields = form_fields(page, "")
        fields.update(plan().flag_check())
        answer = self.post(
            "/partners/flag-check",
            fields,
            "flag check (POST)",
            expect=re.compile(r"^/partners/flag-check/\d+$"),
        )
        if answer:
            self.get(answer, "flag check answer")


class SocialWorker(JigsawUser):
    """Works through their cases: the work list, a case from it, the child's chronology,
    a case note."""

    role = "social_worker"
    weight = 8
    cases: list[str]
    children: list[str]

    def first_look(self) -> None:
        self.cases, self.children = [], []
        self.my_work()
        for _ in range(3):
            self.open_case()
        self.chronology()
        self.case_note()

    @task(1)
    def my_work(self) -> None:
        page = self.get("/casework/my-work", "my work")
        self.cases = sorted(set(re.findall(r'href="(/casework/referrals/\d+)"', page))) or self.cases

    @task(1)
    def open_case(self) -> None:
        if self.cases:
            page = self.get(random.choice(self.cases), "referral")
            for child in re.findall(r'href="/casework/people/(\d+)/chronology"', page):
                if child not in self.children:
                    self.children.append(child)

    @task(3)
    def chronology(self) -> None:
        if self.children:
            self.get(f"/casework/people/{random.choice(self.children)}/chronology", "chronology")

    @task(1)
    def case_note(self) -> None:
        if not self.children:
            return
        path = f"/casework/people/{random.choice(self.children)}/case-notes/new"
        page = self.get(path, "case note (form)")
        if not page:
            return
        fields = form_fields(page, "")
        fields.update(
            {
                "kind": "phone_call",
                "text": "Spoke to mum on the phone: the children are at school today and the "
                "health visitor is booked for Thursday. Next visit as planned.",
            }
        )
        note = self.post(path, fields, "case note (POST)", expect=re.compile(r"^/casework/case-notes/\d+$"))
        if note:
            self.get(note, "case note")


class TeamManager(JigsawUser):
    """Keeps an eye on the team: its page, the service dashboard (the team's and the whole
    service's) and an indicator's children."""

    role = "team_manager"
    weight = 2
    indicators: list[str]

    def first_look(self) -> None:
        self.indicators = []
        self.dashboard()
        self.team()
        self.whole_service()
        self.indicator()

    @task(2)
    def team(self) -> None:
        self.get("/casework/team", "team page")

    @task(1)
    def dashboard(self) -> None:
        page = self.get("/performance/dashboard/service", "service dashboard")
        self.indicators = indicator_links(page) or self.indicators

    @task(1)
    def whole_service(self) -> None:
        self.get("/performance/dashboard/service?team=all", "service dashboard (all teams)")

    @task(1)
    def indicator(self) -> None:
        if self.indicators:
            self.get(random.choice(self.indicators), "indicator")


class PerformanceAnalyst(JigsawUser):
    """Reports to the partnership: its dashboard and an indicator by team and agency."""

    role = "performance_analyst"
    weight = 1
    indicators: list[str]

    def first_look(self) -> None:
        self.indicators = []
        self.partnership()
        self.indicator()

    @task(1)
    def partnership(self) -> None:
        page = self.get("/performance/dashboard/partnership", "partnership dashboard")
        self.indicators = indicator_links(page) or self.indicators

    @task(1)
    def indicator(self) -> None:
        if self.indicators:
            self.get(random.choice(self.indicators), "indicator")


USER_CLASSES: list[type[JigsawUser]] = [
    FrontDoorOfficer,
    PartnerPractitioner,
    SocialWorker,
    TeamManager,
    PerformanceAnalyst,
]


def indicator_links(page: str) -> list[str]:
    return sorted(set(re.findall(r'href="(/performance/indicators/[\w-]+)[?"]', page)))


# --- What the load needs from the database --------------------------------------------


def make_plan(hosts: list[str], think_seconds: tuple[float, float], seed: int, checks: int) -> Plan:
    """Read the accounts of each role and choose the children partners ask about (needs
    Django set up on the database)."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection
    from partners_flags import flagged_people, make_checks
    from person_search import sample_people

    from jigsaw.partners.models import Practitioner

    accounts: dict[str, list[str]] = {}
    for user in USER_CLASSES:
        accounts[user.role] = sorted(
            Practitioner.objects.filter(role=user.role, user__is_active=True)
            # Only the demo's named personas have a password; the rest of the workforce
            # cannot sign in.
            .exclude(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
            .values_list("user__username", flat=True)
        )
        if not accounts[user.role]:
            raise SystemExit(f"no {user.role} account in the database: is the demo there?")
    rng = random.Random(seed)
    flag_checks = [
        form_values_of(check)
        for check in make_checks(rng, flagged_people(rng, checks), sample_people(rng, checks), checks)
    ]
    connection.close()
    return Plan(accounts=accounts, flag_checks=flag_checks, hosts=hosts, think_seconds=think_seconds)


def form_values_of(check: dict[str, Any]) -> dict[str, str]:
    """A flag check as the partner types it into the form (the date in its three boxes)."""
    values = {name: str(value) for name, value in check.items() if name not in ("kind", "date_of_birth")}
    born = check.get("date_of_birth")
    if isinstance(born, datetime.date):
        values |= {
            "date_of_birth_day": str(born.day),
            "date_of_birth_month": str(born.month),
            "date_of_birth_year": str(born.year),
        }
    return values


def ensure_database(database_url: str) -> None:
    """The default database is a private copy of the dashboards demo: made when missing."""
    if database_url != DEFAULT_DATABASE_URL:
        return
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        print(f"copying {TEMPLATE_DATABASE} to {name} (the load writes case notes and flag checks)")
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DATABASE}"')


# --- gunicorn ---------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    workers: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database_url: str, workers: int) -> Server:
    """gunicorn serving Jigsaw as in production (DEBUG off, sync workers, one database
    connection kept by each worker), on a free port of 127.0.0.1."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"load-gunicorn-{port}.log"
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "JIGSAW_INSECURE_LOCAL": "1",
        "CONN_MAX_AGE": "600",
        "JIGSAW_FLAG_CHECKS_PER_HOUR": str(FLAG_CHECKS_ALLOWED),
        "JIGSAW_FLAG_CHECKS_PER_DAY": str(FLAG_CHECKS_ALLOWED),
        # Each notification e-mail would be printed to gunicorn's log: left out.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    command = [
        sys.executable, "-m", "gunicorn", "jigsaw.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--error-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=environment)  # noqa: S603 - a fixed command
    return Server(port=port, workers=workers, process=process, log=log)


def wait_until_answering(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.process.returncode}): see {server.log}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=5) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"gunicorn on port {server.port} did not answer within {timeout:.0f}s: see {server.log}"
    )


def stop_server(server: Server) -> None:
    """SIGTERM: gunicorn lets each worker finish its request, then exits."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# --- Measuring --------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    name: str
    ms: float
    failed: bool


@dataclass
class Recorder:
    """Every request Locust makes: when it ended, its name, its time and whether it failed."""

    samples: list[Sample] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def on_request(self, *, name: str, response_time: float, exception: Any, **_: Any) -> None:
        self.samples.append(Sample(time.monotonic(), name, float(response_time), exception is not None))
        if exception is not None:
            message = f"{name}: {exception}"[:200]
            self.failures[message] = self.failures.get(message, 0) + 1

    def on_user_error(self, *, user_instance: Any, exception: Exception, **_: Any) -> None:
        """An exception in a user's own code (a page without the form it should have)."""
        message = f"error in {type(user_instance).__name__}: {exception!r}"[:200]
        self.failures[message] = self.failures.get(message, 0) + 1

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at < end]


def is_sign_in(name: str) -> bool:
    return name.startswith("sign in")


def window_report(samples: Sequence[Sample], seconds: float) -> dict[str, Any]:
    """p50/p95/p99, requests per second and failures, by request type and overall (the
    sign-ins apart: they happen while the users arrive)."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        by_name.setdefault(sample.name, []).append(sample)
    requests = {
        name: {
            **summary([s.ms for s in found]),
            "per_second": round(len(found) / seconds, 2),
            "failures": sum(s.failed for s in found),
        }
        for name, found in sorted(by_name.items())
    }
    work = [s for s in samples if not is_sign_in(s.name)]
    overall = {
        **summary([s.ms for s in work]),
        "per_second": round(len(work) / seconds, 2),
        "failures": sum(s.failed for s in work),
    }
    return {"seconds": round(seconds, 1), "overall": overall, "requests": requests}


def web_processes(servers: Sequence[Server]) -> list[Any]:
    found = []
    for server in servers:
        master = psutil.Process(server.process.pid)
        found += [master, *master.children(recursive=True)]
    return found


def database_processes(database: str | None) -> list[Any]:
    """PostgreSQL's processes: the backends serving `database` (their title names it), or,
    with None, all the others (other databases, and the server's own work)."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] != "postgres":
            continue
        ours = f" {database} " in " ".join(process.info["cmdline"] or ())
        if ours == (database is not None):
            found.append(process)
    return found


def cpu_seconds(processes: Sequence[Any]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:  # ended since: its time is lost, which the report says
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


@dataclass
class CpuWatch:
    """CPU used over a window by the web tier, the database and this process (Locust): in
    cores, so 2.0 is both cores of this machine kept busy."""

    servers: Sequence[Server]
    database: str | None
    started: float = 0.0
    before: dict[str, dict[int, float]] = field(default_factory=dict)
    machine_before: Any = None

    def groups(self) -> dict[str, list[Any]]:
        return {
            "gunicorn": web_processes(self.servers),
            "postgresql": database_processes(self.database) if self.database else [],
            "postgresql_other": database_processes(None),
            "locust": [psutil.Process()],
        }

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = {name: cpu_seconds(found) for name, found in self.groups().items()}
        self.machine_before = psutil.cpu_times()

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        used: dict[str, float] = {}
        for name, found in self.groups().items():
            now = cpu_seconds(found)
            spent = sum(now[pid] - self.before[name].get(pid, 0.0) for pid in now)
            used[f"{name}_cores"] = round(spent / wall, 2)
        machine = psutil.cpu_times()
        busy_before = sum(self.machine_before) - self.machine_before.idle - self.machine_before.iowait
        busy_after = sum(machine) - machine.idle - machine.iowait
        used["machine_busy_cores"] = round((busy_after - busy_before) / wall, 2)
        used["machine_steal_cores"] = round((machine.steal - self.machine_before.steal) / wall, 2)
        return used


# --- Running ------------------------------------------------------------------------------


def spawn(runner: Any, users: int, spawn_rate: float) -> float:
    """Bring the users to `users` and wait until every one has signed in and opened its
    first pages; returns the seconds it took."""
    started = time.monotonic()
    timeout = users / spawn_rate + 300.0
    runner.start(users, spawn_rate=spawn_rate)
    while plan().ready < users:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"only {plan().ready} of {users} users signed in within {timeout:.0f}s")
        time.sleep(0.2)
    return time.monotonic() - started


def measure(runner: Any, recorder: Recorder, watch: CpuWatch, seconds: float, users: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    start = time.monotonic()
    watch.start()
    time.sleep(seconds)
    cpu = watch.stop()
    end = time.monotonic()
    report = window_report(recorder.between(start, end), end - start)
    report |= {
        "users": users,
        "cpu": cpu,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
    }
    return report


def run_load(args: argparse.Namespace, servers: Sequence[Server]) -> dict[str, Any]:
    global PLAN
    started = time.monotonic()
    PLAN = make_plan([s.url for s in servers], args.think, args.seed, args.flag_checks)
    recorder = Recorder()
    environment = Environment(user_classes=list(USER_CLASSES), events=locust.events)
    environment.events.request.add_listener(recorder.on_request)  # type: ignore[no-untyped-call]  # Locust leaves it unannotated
    environment.events.user_error.add_listener(recorder.on_user_error)  # type: ignore[no-untyped-call]
    runner = environment.create_local_runner()
    database = (
        None if args.database_url.startswith("sqlite") else urlparse(args.database_url).path.lstrip("/")
    )
    watch = CpuWatch(servers, database)
    report: dict[str, Any] = {"plan_seconds": round(time.monotonic() - started, 1)}
    try:
        if args.step:
            stages = []
            for users in STEP_USERS:
                ramp_start = time.monotonic()
                ramp = spawn(runner, users, args.spawn_rate)
                print(
                    f"{users} users signed in after {ramp:.0f}s; measuring {args.step_seconds:.0f}s",
                    flush=True,
                )
                stage = measure(runner, recorder, watch, args.step_seconds, users)
                stage["sign_in"] = sign_in_summary(recorder, ramp_start, ramp_start + ramp)
                print_window(f"{users} users", stage)
                stages.append(stage)
            report["stages"] = stages
            report["saturation"] = saturation(stages)
        else:
            ramp_start = time.monotonic()
            ramp = spawn(runner, args.users, args.spawn_rate)
            print(
                f"{args.users} users signed in after {ramp:.0f}s; measuring {args.seconds:.0f}s", flush=True
            )
            report["ramp_seconds"] = round(ramp, 1)
            report["sign_in"] = sign_in_summary(recorder, ramp_start, ramp_start + ramp)
            report["run"] = measure(runner, recorder, watch, args.seconds, args.users)
            print_window(f"{args.users} users", report["run"])
    finally:
        runner.quit()
        environment.events.request.remove_listener(recorder.on_request)  # type: ignore[no-untyped-call]
    report["all_requests"] = window_report(recorder.samples, time.monotonic() - started)
    report["failure_messages"] = dict(sorted(recorder.failures.items(), key=lambda kv: -kv[1])[:20])
    return report


def sign_in_summary(recorder: Recorder, start: float, end: float) -> dict[str, Any]:
    found = [s for s in recorder.between(start, end) if s.name == "sign in (POST)"]
    return {**summary([s.ms for s in found]), "failures": sum(s.failed for s in found)}


def saturation(stages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The first stage where the p95 crosses the target, and the first where the throughput
    stops rising with the users (each None when it never happens)."""
    over = next((s["users"] for s in stages if s["overall"]["p95_ms"] >= TARGET_P95_MS), None)
    flat = None
    for before, stage in itertools.pairwise(stages):
        grew = stage["overall"]["per_second"] / max(before["overall"]["per_second"], 1e-9)
        if grew < STILL_RISING:
            flat = stage["users"]
            break
    peak = max(stages, key=lambda s: s["overall"]["per_second"])
    return {
        "p95_crosses_target_at_users": over,
        "throughput_stops_rising_at_users": flat,
        "peak_requests_per_second": peak["overall"]["per_second"],
        "peak_at_users": peak["users"],
    }


def print_window(label: str, window: dict[str, Any]) -> None:
    print(
        f"--- {label}: {window['seconds']:.0f}s measured; cpu {window['cpu']}; load {window['load_average']}"
    )
    print(f"{'request':>30} {'count':>7} {'fail':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7}")
    rows = [*window["requests"].items(), ("ALL (no sign-in)", window["overall"])]
    for name, s in rows:
        print(
            f"{name:>30} {s['count']:>7} {s['failures']:>5} {s['p50_ms']:>7.0f} {s['p95_ms']:>7.0f} "
            f"{s['p99_ms']:>7.0f} {s['per_second']:>7.1f}",
            flush=True,
        )


def verdict(window: dict[str, Any]) -> tuple[bool, str]:
    overall = window["overall"]
    met = overall["p95_ms"] < TARGET_P95_MS and overall["failures"] == 0 and overall["count"] > 0
    text = (
        f"{window['users']} users for {window['seconds']:.0f}s: p95 {overall['p95_ms']:.0f} ms "
        f"(target < {TARGET_P95_MS:.0f}), {overall['failures']} failures of {overall['count']}, "
        f"{overall['per_second']:.1f} requests/s: {'MEETS' if met else 'MISSES'} the target"
    )
    return met, text


# --- The command ----------------------------------------------------------------------------


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def default_workers(instances: int) -> int:
    """gunicorn's rule, 2 x cores + 1 sync workers on the machine: enough that a core is
    busy while a worker waits on PostgreSQL, few enough that they do not fight for the
    cores. Shared between the instances, as they share this machine."""
    return max(2, math.ceil((2 * (os.cpu_count() or 1) + 1) / instances))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200, help="simulated users at once (default 200)")
    parser.add_argument(
        "--spawn-rate", type=float, default=5.0, help="users signing in per second (default 5)"
    )
    parser.add_argument(
        "--minutes", type=float, default=5.0, help="minutes measured after sign-in (default 5)"
    )
    parser.add_argument("--seconds", type=float, default=None, help="seconds measured (instead of --minutes)")
    parser.add_argument(
        "--instances", type=int, choices=(1, 2), default=1, help="gunicorn instances (1 or 2)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="sync workers per instance (default: 2 x cores + 1, shared)"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"database served (default {DEFAULT_DATABASE_URL}: a copy of {TEMPLATE_DATABASE}, made if missing)",
    )
    parser.add_argument(
        "--step", action="store_true", help=f"step load: {', '.join(map(str, STEP_USERS))} users in turn"
    )
    parser.add_argument(
        "--step-seconds", type=float, default=60.0, help="seconds measured per step (default 60)"
    )
    parser.add_argument(
        "--think",
        type=think_range,
        default=(5.0, 15.0),
        help="seconds between a user's actions (default 5-15)",
    )
    parser.add_argument(
        "--flag-checks", type=int, default=500, help="different flag checks to ask (default 500)"
    )
    parser.add_argument(
        "--seed", type=int, default=2009, help="seed for the flag checks chosen (default 2009)"
    )
    parser.add_argument(
        "--no-migrate", dest="migrate", action="store_false", help="do not migrate the database"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (default bench/results/load-<instances>.json)"
    )
    args = parser.parse_args(argv)
    args.seconds = args.seconds if args.seconds is not None else args.minutes * 60
    args.workers = args.workers or default_workers(args.instances)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url)
    setup_django(args.database_url)
    vendor = "sqlite" if args.database_url.startswith("sqlite") else "postgresql"
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    machine = machine_info(vendor, packages=("django", "locust", "gunicorn"))
    print(
        f"database: {vendor} ({args.database_url}); {args.instances} gunicorn instance(s) of {args.workers} workers"
    )

    # Stopped from outside, still stop gunicorn: SystemExit runs the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers: list[Server] = []
    try:
        for _ in range(args.instances):
            servers.append(start_server(args.database_url, args.workers))
        for server in servers:
            wait_until_answering(server)
        print(f"serving on {', '.join(s.url for s in servers)}", flush=True)
        report = run_load(args, servers)
    finally:
        for server in servers:
            stop_server(server)

    report = {
        "benchmark": "load",
        "what": "Locust users over HTTP against gunicorn on 127.0.0.1 (pages only, no static files)",
        "database_url": args.database_url,
        "instances": args.instances,
        "workers_per_instance": args.workers,
        "users": STEP_USERS if args.step else args.users,
        "spawn_rate": args.spawn_rate,
        "think_seconds": list(args.think),
        "mix_weights": {u.role: u.weight for u in USER_CLASSES},
        "flag_checks_allowed_per_account": FLAG_CHECKS_ALLOWED,
        "target_p95_ms": TARGET_P95_MS,
        **report,
        "machine": machine,
    }
    if not args.step:
        met, text = verdict(report["run"])
        report["meets_target"] = met and not report["failure_messages"]
        print(text)
    else:
        print(f"saturation: {report['saturation']}")
    out = args.out or RESULTS_DIR / f"load-{'step-' if args.step else ''}{args.instances}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results: {out}")
    if report["failure_messages"]:
        print(f"failures: {report['failure_messages']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
