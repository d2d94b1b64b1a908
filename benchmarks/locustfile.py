"""Locust users for benchmarks/load_test.py (issues 5 and 7); not meant to be run alone.

load_test.py prepares the database and the server, then runs this file headless with its
settings in the environment:

    LOAD_PASSWORD         password of every load-test account
    LOAD_LEADER           user name of the 领导 account (every LeaderUser logs in with it)
    LOAD_CLERKS           "user:department_id,..." one 填报人员 per department
    LOAD_REVIEWERS        "user,..." the 审核人员 accounts (each scoped to the load-test region)
    LOAD_LEADERS_N        how many LeaderUser to run (fixed_count)
    LOAD_CLERKS_N         how many ClerkUser to run (fixed_count)
    LOAD_REVIEWERS_N      how many ReviewerUser to run (fixed_count)
    LOAD_SUBMIT_SHARE     share of a clerk's figures sent for review ("_submit"), e.g. 0.25
    LOAD_REAL_PLANS       comma-separated slugs of the real plans
    LOAD_SYNTHETIC_PLANS  how many synthetic plans exist (synthetic-1 … synthetic-N)
    LOAD_OVERVIEW_PAGES   number of overview pages
    LOAD_YEARS            "2021-2030": the years clerks enter figures for
    LOAD_THINK            "1,3": seconds a user waits between two actions (uniform)
    LOAD_LOGIN_THINK      "1,3": seconds between opening the login form and sending it (a
                          person typing name and password); "0,0": sent at once
    LOAD_SAMPLES          where to write every request (name, ms, status, failed) as CSV

Request names group the pages: "/" (overview page 1), "/?page=N", "/?year=Y" (the overview at
a year its picker offers), "/plans/<slug>/" for each real plan, "/plans/<real>/?year=Y" (a
real plan at one of its years), "/plans/synthetic-N/", "work list GET" (a clerk's work
list), "entry GET", "entry POST _save" (a draft), "entry POST _submit" (sent for review),
"review queue GET" (a reviewer's queue, unfiltered or filtered by plan and year as its
filter form does), and "login …" (the login form, its POST, and the redirect to /start/
where the POST sends the user there rather than straight to their page).
A save or submit counts as a success only when the server answers 302 (the page saved and
redirects to itself); each success adds exactly one new figure (the one typed), and the script
compares their count with the actuals the database gained.
"""

import html
import itertools
import os
import random
import re
import threading
from urllib.parse import urlencode

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
LEADER = os.environ.get("LOAD_LEADER", "")
CLERKS = [tuple(item.split(":")) for item in os.environ.get("LOAD_CLERKS", "").split(",") if item]
REAL_PLANS = [s for s in os.environ.get("LOAD_REAL_PLANS", "").split(",") if s]
SYNTHETIC_PLANS = int(os.environ.get("LOAD_SYNTHETIC_PLANS", "0"))
OVERVIEW_PAGES = int(os.environ.get("LOAD_OVERVIEW_PAGES", "1"))
_first, _last = os.environ.get("LOAD_YEARS", "2021-2030").split("-")
YEARS = list(range(int(_first), int(_last) + 1))
_low, _high = (float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(","))
_typing = [float(x) for x in os.environ.get("LOAD_LOGIN_THINK", "1,3").split(",")]
REVIEWERS = [u for u in os.environ.get("LOAD_REVIEWERS", "").split(",") if u]
SUBMIT_SHARE = float(os.environ.get("LOAD_SUBMIT_SHARE", "0.25"))

LANDING = "/start/"
WORKLIST = "/admin/indicators/actual/worklist/"
ENTRY = "/admin/indicators/actual/entry/"
REVIEW = "/admin/indicators/actual/review/"
NEXT = re.compile(r'name="next" value="([^"]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INPUT = re.compile(r"<input\b[^>]*>")
TEXTAREA = re.compile(r'<textarea\b[^>]*name="(entry-\d+-\w+)"[^>]*>(.*?)</textarea>', re.S)
SELECT = re.compile(r'<select\b[^>]*name="(entry-\d+-\w+)"[^>]*>(.*?)</select>', re.S)
SELECTED = re.compile(r'<option value="([^"]*)"[^>]*\bselected\b')
YEAR_PICKER = re.compile(r'<select name="year"[^>]*>(.*?)</select>', re.S)
YEAR_OPTION = re.compile(r'<option value="(\d{4})"')
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
QUEUE_SELECT = re.compile(r'<select name="(plan|department|year)"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'<option value="([^"]+)"')

SAMPLES = []
_clerk_numbers = itertools.count()
_reviewer_numbers = itertools.count()
_numbers_lock = threading.Lock()


@events.request.add_listener
def record(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append((name, round(response_time, 2), status, int(exception is not None)))


@events.quitting.add_listener
def write_samples(environment, **kwargs):
    path = os.environ.get("LOAD_SAMPLES")
    if path:
        with open(path, "w") as out:
            out.write("name,ms,status,failed\n")
            out.writelines(f"{n},{ms},{st},{f}\n" for n, ms, st, f in SAMPLES)


def form_fields(page):
    """The entry form's fields as a browser would post them ({name: value})."""
    fields = {}
    for tag in INPUT.findall(page):
        attrs = dict(ATTR.findall(tag))
        name = attrs.get("name", "")
        if name.startswith("entry-") and attrs.get("type") != "submit":
            fields[name] = html.unescape(attrs.get("value", ""))
    for name, text in TEXTAREA.findall(page):
        fields[name] = html.unescape(text.removeprefix("\n"))
    for name, options in SELECT.findall(page):
        chosen = SELECTED.search(options)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    return fields


class LoggedInUser(FastHttpUser):
    abstract = True
    wait_time = between(_low, _high)
    # Longer than gunicorn's --timeout 120: the client never gives up on a request the server
    # may still complete (a save committed after the client left would spoil the count).
    network_timeout = connection_timeout = 180.0
    username = ""

    def login(self, landing=None, name=None):
        """Log in through the admin login form. With `landing`, as a browser does: post the
        form's own `next` (/start/), follow the redirect to the role's page, which must be
        `landing`, and read it as `name` (returns its text); the login may also send the user
        to `landing` at once, without /start/. Without, post next=/admin/ and stop at the 302."""
        page = self.client.get("/admin/login/", name="login GET")
        gevent.sleep(random.uniform(*_typing))
        token = CSRF.search(page.text)
        following = NEXT.search(page.text) if landing else None
        with self.client.post(
            "/admin/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "next": html.unescape(following.group(1)) if following else "/admin/",
            },
            name="login POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"login of {self.username} failed: {response.status_code}")
            elif landing and not where.endswith((LANDING, landing)):
                response.failure(f"{self.username} sent to {where!r}, not {landing}")
        if landing is None:
            return ""
        if where.endswith(LANDING):  # the hop through /start/ to the role's page
            with self.client.get(
                LANDING, name="login → /start/", allow_redirects=False, catch_response=True
            ) as r:
                where = r.headers.get("Location", "") if r.status_code == 302 else ""
                if not where.endswith(landing):
                    r.failure(f"{self.username} landed on {r.status_code} {where!r}, not {landing}")
        return self.read(landing, name)

    def read(self, url, name):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            return r.text or ""


class LeaderUser(LoggedInUser):
    """A 领导 reading the overview and plan pages."""

    fixed_count = int(os.environ.get("LOAD_LEADERS_N", "0"))
    username = LEADER

    def on_start(self):
        self.login()
        self.years = {}  # page -> the years its year picker offers, once read

    def _read(self, url, name):
        page = self.read(url, name)
        if url not in self.years:
            picker = YEAR_PICKER.search(page)
            self.years[url] = YEAR_OPTION.findall(picker.group(1)) if picker else []

    def _read_a_year(self, url, name):
        """The page at one of the years its picker offers (after a first read of the page)."""
        if self.years.get(url):
            self.read(f"{url}?year={random.choice(self.years[url])}", name)
        else:
            self._read(url, url)

    @task(3)
    def overview(self):
        self._read("/", "/")

    @task(1)
    def overview_year(self):
        self._read_a_year("/", "/?year=Y")

    @task(1)
    def overview_page(self):
        if OVERVIEW_PAGES > 1:
            self._read(f"/?page={random.randint(2, OVERVIEW_PAGES)}", "/?page=N")

    @task(3)
    def real_plan(self):
        if REAL_PLANS:
            slug = random.choice(REAL_PLANS)
            self._read(f"/plans/{slug}/", f"/plans/{slug}/")

    @task(2)
    def real_plan_year(self):
        if REAL_PLANS:
            slug = random.choice(REAL_PLANS)
            self._read_a_year(f"/plans/{slug}/", "/plans/<real>/?year=Y")

    @task(3)
    def synthetic_plan(self):
        if SYNTHETIC_PLANS:
            n = random.randint(1, SYNTHETIC_PLANS)
            self._read(f"/plans/synthetic-{n}/", "/plans/synthetic-N/")


class ClerkUser(LoggedInUser):
    """A 填报人员: lands on their work list after login; each round opens the work list,
    then their department's entry page for a year, and saves ONE new figure as a draft or,
    now and then (LOAD_SUBMIT_SHARE), sends the page for review with its reasons."""

    fixed_count = int(os.environ.get("LOAD_CLERKS_N", "0"))

    def on_start(self):
        with _numbers_lock:
            n = next(_clerk_numbers)
        self.username, self.department = CLERKS[n % len(CLERKS)]
        self.years = list(YEARS)
        random.shuffle(self.years)
        self.login(WORKLIST, "work list GET")

    @task
    def save_one_figure(self):
        self.read(WORKLIST, "work list GET")
        self.wait()  # the clerk reads the list and picks a year
        if not self.years:  # every cell of the department is filled: only read
            self.read("/", "/")
            return
        year = self.years[0]
        url = f"{ENTRY}?department={self.department}&year={year}"
        # The clerk types for a few seconds, longer than gunicorn keeps an idle connection
        # (--keep-alive 2 s): the POST must not race the server closing this connection.
        headers = {"Connection": "close"}
        with self.client.get(url, name="entry GET", headers=headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return
            page = r.text
        fields = form_fields(page)
        empty = [
            name.rsplit("-", 1)[0]
            for name, value in fields.items()
            if name.endswith("-text") and not value and not fields[name[:-4] + "version"]
        ]
        if not empty:
            self.years.pop(0)
            return
        token = CSRF.search(page)
        prefix = random.choice(empty)
        data = {
            **fields,
            f"{prefix}-text": f"{random.randint(850, 999) / 10}",
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        if random.random() < SUBMIT_SHARE:
            # Sending the page for review sends every figure on it: one that leaves its
            # indicator behind needs 情况说明 and 下一步措施, so the clerk gives them to
            # every figure that has none yet (no new figure but the one typed).
            for name in [n for n in data if n.endswith("-text") and data[n]]:
                row = name.removesuffix("-text")
                data[f"{row}-explanation"] = data.get(f"{row}-explanation") or "负载测试:原因说明"
                data[f"{row}-next_steps"] = data.get(f"{row}-next_steps") or "负载测试:整改措施"
            data["_submit"], name = "提交审核", "entry POST _submit"
        else:
            data["_save"], name = "保存草稿", "entry POST _save"
        self.wait()  # the clerk types the figure
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}")


class ReviewerUser(LoggedInUser):
    """A 审核人员: lands on the review queue after login and reads it, now and then
    filtered by plan and year (sometimes also department) as the queue's filter form sends
    it, reading the choices the form offers."""

    fixed_count = int(os.environ.get("LOAD_REVIEWERS_N", "0"))

    def on_start(self):
        with _numbers_lock:
            n = next(_reviewer_numbers)
        self.username = REVIEWERS[n % len(REVIEWERS)]
        self.choices = {}
        self._remember(self.login(REVIEW, "review queue GET"))

    def _remember(self, page):
        """The choices of the queue's filter form (plan, department, year)."""
        found = {
            name: OPTION_VALUE.findall(options) for name, options in QUEUE_SELECT.findall(page)
        }
        if found:
            self.choices = found

    @task(2)
    def queue(self):
        self._remember(self.read(REVIEW, "review queue GET"))

    @task(1)
    def queue_filtered(self):
        plans, years = self.choices.get("plan"), self.choices.get("year")
        if not plans or not years:
            self.queue()
            return
        departments = self.choices.get("department") or [""]
        query = {
            "plan": random.choice(plans),
            "department": random.choice(departments) if random.random() < 0.3 else "",
            "year": random.choice(years),
        }
        self._remember(self.read(f"{REVIEW}?{urlencode(query)}", "review queue GET"))
