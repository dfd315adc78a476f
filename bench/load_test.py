"""Load test: gunicorn (2 workers) on loopback, a ~50k-paper database, SQLite and PostgreSQL.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/load_test.py \
        [--engines sqlite,postgres] [--duration 10] [--runs 3] [--warmup 5] [--connections 16]
        [--wait-quiet 120] [--max-requests N] [--fresh]

For each engine it builds (once; reused until --fresh) a database from ../shared/data (the
arXiv JSONL dump + the Hugging Face daily lists, with the project's importers), starts
``gunicorn -c dailypapers/gunicorn.conf.py`` with WEB_CONCURRENCY=2 on 127.0.0.1, and drives
it with ``wrk`` (Debian; installed with apt-get when missing and running as root):
the feed page, a paper page, the search API (keyword mode: the bench skips the slow
embedding of 58k abstracts) and upvotes through the API (one distinct user per request).
It prints requests/s, p50 and p99 per scenario, errors, checks that upvote counts are exact
after the run, and reports the web server's RSS and that of the demo server
(``dailypapers serve`` with the demo data). Only loopback traffic; every run is bounded.

How each scenario is measured, and why:

1. **cold** (reported on its own line, not in the result): a 1 s wrk run of the scenario as
   the first traffic of that kind. For the first scenario it also includes each fresh
   worker's first request (URLconf/API import, template engine start, database connection);
   for every scenario it includes filling the page/API cache. Kept because it is what the
   first visitors after a deploy or a cache invalidation see.
2. **warm-up** (``--warmup`` s, not reported): the same scenario, unmeasured, so both workers
   have their templates, connections, caches and the OS/SQLite/PostgreSQL page caches warm.
3. **measured**: ``--runs`` runs (default 3) of ``--duration`` s; the result is the run with the
   median p99, printed with the range of req/s and p99 over all runs. On a 2-core machine
   where wrk itself takes most of a core, one 10 s run's p99 moves by tens of ms with
   whatever else the box does; the median of three is the steady-state figure, the range
   shows the noise, and three runs keep the whole bench to a few minutes per engine.

The machine has 2 cores and others' tests may run outside the bench lock: before each
scenario the bench waits (up to ``--wait-quiet`` s) until other processes leave the CPU, and
it prints the share of CPU they took during the measured runs ("other CPU"); figures taken
with a high share understate the server.

Errors are summed over every wrk run of the scenario (cold and warm-up included): "no errors"
means none at all. gunicorn recycles a worker every ``GUNICORN_MAX_REQUESTS`` requests (server
default); a recycled worker starts cold (empty local-memory cache, URLconf and API imported
on its first request), so the number of recycles during the measured runs is printed next to
the figures; ``--max-requests 0`` measures without recycling, for comparison.

Upvotes: each run continues where the previous one stopped in the list of 40,000 one-user
tokens, so no user votes twice, and afterwards the votes added must lie between the requests
wrk saw answered and the requests it sent (a request in flight when wrk stops is still
completed by the server).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
ARXIV = SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"
HF_DAYS = SHARED / "hf_daily_papers" / "days"
# Databases and reports; DAILYPAPERS_LOAD_DIR gives two checkouts compared in one rotation
# a database each (a newer checkout migrates a database an older one cannot use).
WORK = Path(os.environ.get("DAILYPAPERS_LOAD_DIR", "/tmp/dailypapers-load"))
PY = str(REPO / ".venv" / "bin" / "python")
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
N_TOKENS = 40000

UPVOTE_LUA = """
-- Token i (1-based) of the file votes once: thread k of this run uses tokens
-- base + k + 1, base + k + 1 + step, ...; done() reports how many requests were sent and the
-- highest token used, so the next run starts after it.
local tokens = {}
for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", %(base)d + #threads)
  table.insert(threads, thread)
end
request = function()
  local i = offset + counter * %(threads)d + 1
  counter = counter + 1
  if i > #tokens then i = ((i - 1) %% #tokens) + 1 end
  return wrk.format("POST", "/api/papers/%(paper)s/upvote",
    {["Authorization"] = "Bearer " .. tokens[i], ["Content-Length"] = "0"}, "")
end
function done(summary, latency, requests)
  local sent, top = 0, %(base)d
  for _, thread in ipairs(threads) do
    local n = thread:get("counter")
    sent = sent + n
    if n > 0 then top = math.max(top, thread:get("offset") + (n - 1) * %(threads)d + 1) end
  end
  io.write(string.format("UPVOTE sent=%%d top=%%d\\n", sent, top))
end
"""

SEARCH_LUA = """
local queries = {"transformer", "diffusion+models", "retrieval+augmented+generation",
  "reinforcement+learning", "vision+language", "speech", "graph+neural", "benchmark"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/papers/search?mode=keyword&q=" .. queries[(n %% #queries) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: apt-get install wrk")
    print("installing wrk (apt) ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk still missing after apt-get install")


def manage(env: dict[str, str], *args: str, timeout: float = 3600) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        sys.exit(
            f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


RATE_LIMIT_VARIABLES = (
    "RATE_LIMIT_SIGNUP_PER_HOUR",
    "RATE_LIMIT_LOGIN_PER_15MIN",
    "RATE_LIMIT_PASSWORD_RESET_PER_HOUR",
    "RATE_LIMIT_SUBMIT_PER_HOUR",
    "RATE_LIMIT_VOTE_PER_MINUTE",
    "RATE_LIMIT_COMMENT_PER_MINUTE",
)


def base_env(engine_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DAILYPAPERS_DATA_DIR=str(engine_dir / "data"),
        SEARCH_INDEX_DIR=str(engine_dir / "data" / "index"),
        SECRET_KEY="load-test-" + "k" * 40,
        TASKS_BACKEND="dummy",  # no inline embedding of 58k abstracts during the import
        DEBUG="false",
    )
    # The load is many requests from one address and a few users: lift every rate limit.
    env.update({name: str(10**9) for name in RATE_LIMIT_VARIABLES})
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare(engine: str, fresh: bool, reindex: bool = False) -> tuple[dict[str, str], Path]:
    engine_dir = WORK / engine
    if fresh and engine_dir.exists():
        if engine == "postgres":
            subprocess.run(["bash", str(REPO / ".ci/pg-local"), "stop", str(engine_dir / "pg")])
        shutil.rmtree(engine_dir)
    engine_dir.mkdir(parents=True, exist_ok=True)
    url = ""
    if engine == "postgres":
        port_file = engine_dir / "pg-port"
        port = int(port_file.read_text()) if port_file.exists() else free_port()
        port_file.write_text(str(port))
        url = subprocess.run(
            ["bash", str(REPO / ".ci/pg-local"), "start", str(engine_dir / "pg"), str(port)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    env = base_env(engine_dir, url)
    marker = engine_dir / "prepared.json"
    if not marker.exists():
        started = time.perf_counter()
        manage(env, "migrate", "-v0")
        t0 = time.perf_counter()
        manage(env, "import_jsonl", str(ARXIV), "--no-progress")
        t1 = time.perf_counter()
        manage(env, "import_hf", str(HF_DAYS), "--no-progress")
        t2 = time.perf_counter()
        tokens = make_tokens(env, engine_dir)
        info = {
            "import_jsonl_s": round(t1 - t0, 1),
            "import_hf_s": round(t2 - t1, 1),
            "total_s": round(time.perf_counter() - started, 1),
            "tokens": tokens,
        }
        marker.write_text(json.dumps(info))
        print(f"[{engine}] database built: {info}", flush=True)
    info = json.loads(marker.read_text())
    if reindex or "keyword_index_s" not in info:
        info["keyword_index_s"] = keyword_index(env, engine_dir)
        marker.write_text(json.dumps(info))
    return env, engine_dir


KEYWORD_INDEX = (
    "from search import indexer, texts\n"
    "n = 0\n"
    "for chunk in texts.all_paper_ids():\n"
    "    indexer.update_keywords(chunk); n += len(chunk)\n"
    "print(n)\n"
)


def keyword_index(env: dict[str, str], engine_dir: Path) -> float:
    """A fresh keyword index of every paper (the vectors are skipped: ~48 min of embedding)."""
    shutil.rmtree(engine_dir / "data" / "index", ignore_errors=True)
    started = time.perf_counter()
    indexed = query(env, KEYWORD_INDEX)
    seconds = round(time.perf_counter() - started, 1)
    print(f"keyword index: {indexed} papers in {seconds}s", flush=True)
    return seconds


MAKE_TOKENS = """
import sys
from django.contrib.auth import get_user_model
from django.db import transaction
from api.models import ApiToken, hash_token
from api.services import PREFIX_LENGTH, TOKEN_PREFIX
import secrets
n, path = int(sys.argv[1]), sys.argv[2]
User = get_user_model()
secrets_out = []
with transaction.atomic():
    users = User.objects.bulk_create(
        [User(username=f"load{i}", email=f"load{i}@example.org", password="!") for i in range(n)],
        batch_size=2000,
    )
    users = list(User.objects.filter(username__startswith="load").order_by("id"))
    rows = []
    for user in users:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
        secrets_out.append(secret)
        rows.append(ApiToken(user=user, name="load", prefix=secret[:PREFIX_LENGTH],
                             token_hash=hash_token(secret)))
    ApiToken.objects.bulk_create(rows, batch_size=2000)
open(path, "w").write("\\n".join(secrets_out) + "\\n")
print(len(secrets_out))
"""


def make_tokens(env: dict[str, str], engine_dir: Path) -> int:
    path = engine_dir / "tokens.txt"
    script = engine_dir / "make_tokens.py"
    script.write_text(MAKE_TOKENS)
    result = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            f"import sys; sys.argv=['x','{N_TOKENS}','{path}']; exec(open('{script}').read())",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"creating API tokens failed: {result.stderr[-2000:]}")
    return int(result.stdout.strip().splitlines()[-1])


def query(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"query failed: {result.stderr[-2000:]}")
    return result.stdout.strip().splitlines()[-1]  # the answer; anything before is app noise


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pids
    for child in children:
        pids += tree(int(child))
    return pids


def wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer 200 within {timeout}s")


def probe(url: str) -> str:
    """What goes wrong with one GET of ``url`` ('' when it answers 200)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return "" if response.status == 200 else f"{url} -> HTTP {response.status}"
    except Exception as exc:
        return f"{url} -> {exc}"


def parse_wrk(text: str) -> dict[str, float]:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    out: dict[str, float] = {}
    out["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    out["requests"] = int(re.search(r"(\d+) requests in", text).group(1))
    out["p50_ms"] = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
    out["p99_ms"] = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["errors"] = int(non2xx.group(1)) if non2xx else 0
    socket_errors = re.search(r"Socket errors: (.*)", text)
    if socket_errors:
        out["errors"] += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    upvote = re.search(r"UPVOTE sent=(\d+) top=(\d+)", text)
    if upvote:
        out["sent"], out["top"] = int(upvote.group(1)), int(upvote.group(2))
    return out


def run_wrk(
    wrk: str, url: str, args: argparse.Namespace, seconds: int, script: Path | None = None
) -> dict:
    argv = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    argv += ["--timeout", "10s"]
    if script:
        argv += ["-s", str(script)]
    result = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        sys.exit(f"wrk failed: {result.stderr}")
    return parse_wrk(result.stdout)


class UpvoteScript:
    """Writes the upvote Lua script for the next wrk run, after the tokens already used."""

    def __init__(self, path: Path, tokens: Path, threads: int, paper: str) -> None:
        self.path, self.tokens, self.threads, self.paper = path, tokens, threads, paper
        self.base = 0  # tokens [0, base) have voted on ``paper``
        self.sent = 0  # requests wrk sent in all runs (answered or still in flight at the end)

    def __call__(self) -> Path:
        values = {"tokens": self.tokens, "threads": self.threads, "paper": self.paper}
        self.path.write_text(UPVOTE_LUA % {**values, "base": self.base})
        return self.path

    def record(self, run: dict) -> None:
        self.base = run["top"]
        self.sent += run["sent"]


def recycles(log: Path) -> int:
    """How many times gunicorn has recycled a worker so far (max_requests reached)."""
    try:
        return log.read_text(errors="replace").count("Autorestarting worker")
    except OSError:
        return 0


def _process_ticks(pid: int) -> int:
    """CPU clock ticks of ``pid`` including its reaped children (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(value) for value in fields[11:15])  # utime stime cutime cstime


def postmaster_pid() -> int | None:
    """The benchmark's own PostgreSQL server, if it runs (not a child of this process)."""
    try:
        return int((WORK / "postgres" / "pg" / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _busy_ticks() -> int:
    """user + nice + system ticks of all CPUs (interrupt time left out: loopback traffic)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[1]) + int(fields[2]) + int(fields[3])


def _our_ticks() -> int:
    """Ticks of this process, its children (gunicorn, wrk, manage.py) and the bench's database.

    A reaped process's time moves into its parent's "children" counters, so the sum stays
    consistent while gunicorn recycles workers and PostgreSQL ends backends.
    """
    own = os.times()
    seconds = own.user + own.system + own.children_user + own.children_system
    pids = tree(os.getpid())[1:]
    postmaster = postmaster_pid()
    if postmaster:
        pids += tree(postmaster)
    return round(seconds * os.sysconf("SC_CLK_TCK")) + sum(_process_ticks(pid) for pid in pids)


class OtherLoad:
    """CPU used by processes outside this benchmark (its server, database and wrk) meanwhile.

    The box has 2 cores and other people's tests and builds may run without the bench lock;
    a figure measured next to them says little, so each scenario reports their share. It is
    the machine's busy time minus the bench's own, so short-lived processes count too.
    """

    def __init__(self) -> None:
        self.started, self.busy, self.ours = time.monotonic(), _busy_ticks(), _our_ticks()

    def percent(self) -> float:
        """Their CPU time since construction, as % of all cores' time."""
        other = (_busy_ticks() - self.busy) - (_our_ticks() - self.ours)
        seconds = time.monotonic() - self.started
        capacity = seconds * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)
        return round(max(0.0, 100 * other / capacity), 1) if capacity else 0.0


def wait_quiet(limit: float, seconds: float) -> float:
    """Wait (up to ``seconds``) for 2 s in which other processes use < ``limit`` % CPU.

    Returns their share in the last 2 s window (the caller reports it when still high).
    """
    deadline = time.monotonic() + seconds
    while True:
        other = OtherLoad()
        time.sleep(2)
        share = other.percent()
        if share < limit or time.monotonic() >= deadline:
            return share


def measure(
    wrk: str,
    url: str,
    args: argparse.Namespace,
    log: Path,
    script: Callable[[], Path | None] = lambda: None,
    after: Callable[[dict], None] = lambda run: None,
) -> dict:
    """Cold second, unmeasured warm-up, then ``args.runs`` measured runs (see the docstring)."""

    def one(seconds: int) -> dict:
        run = run_wrk(wrk, url, args, seconds, script())
        after(run)
        return run

    busy = wait_quiet(15, args.wait_quiet)
    if busy >= 15:
        print(f"  (the machine stayed busy: other processes used {busy}% CPU)", flush=True)
    cold = one(1)
    if cold["requests"] <= cold["errors"]:  # nothing worked: say what, measure the rest
        return {"skipped": probe(url) or f"{url}: every request failed ({cold})"}
    warm = one(args.warmup) if args.warmup else {"requests": 0, "errors": 0}
    recycled, other = recycles(log), OtherLoad()
    runs = [one(args.duration) for _ in range(args.runs)]
    recycled, other_cpu = recycles(log) - recycled, other.percent()
    median = sorted(runs, key=lambda run: run["p99_ms"])[(len(runs) - 1) // 2]
    everything = [cold, warm, *runs]
    return {
        **median,
        "errors": sum(run["errors"] for run in everything),
        "ok_requests": sum(run["requests"] - run["errors"] for run in everything),
        "rps_range": [min(r["rps"] for r in runs), max(r["rps"] for r in runs)],
        "p99_range": [min(r["p99_ms"] for r in runs), max(r["p99_ms"] for r in runs)],
        "recycles": recycled,
        "other_cpu_pct": other_cpu,
        "runs": runs,
        "cold": cold,
    }


def bench_engine(engine: str, wrk: str, args: argparse.Namespace) -> dict:
    env, engine_dir = prepare(engine, args.fresh, args.reindex)
    info = json.loads((engine_dir / "prepared.json").read_text())
    counts = json.loads(
        query(
            env,
            "import json; from papers.models import Paper, DailyEntry; "
            "p = Paper.objects.order_by('-upvotes').first(); "
            "print(json.dumps({'papers': Paper.objects.count(), "
            "'entries': DailyEntry.objects.count(), 'top': p.arxiv_id}))",
        )
    )
    # A paper on the daily feed that has not been voted on by the bench before.
    target = query(
        env,
        "from papers.models import DailyEntry; "
        "print(DailyEntry.objects.filter(paper__votes__isnull=True)"
        ".order_by('-date', 'id').first().paper.arxiv_id)",
    )
    port = free_port()
    env = dict(env, WEB_CONCURRENCY="2", GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG="")
    if args.max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = str(args.max_requests)
    log = engine_dir / "gunicorn.log"
    server = subprocess.Popen(
        [GUNICORN, "-c", "dailypapers/gunicorn.conf.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    results: dict = {"engine": engine, **counts, "build": info}
    try:
        wait_http(f"{base}/healthz")
        search_script = engine_dir / "search.lua"
        search_script.write_text(SEARCH_LUA)
        scenarios = [
            ("feed", f"{base}/papers", None),
            ("paper", f"{base}/papers/{counts['top']}", None),
            ("search_api", f"{base}/api/papers/search?mode=keyword&q=transformer", search_script),
        ]
        for name, url, script in scenarios:
            print(f"[{engine}] {name} ...", flush=True)
            results[name] = measure(
                wrk, url if script is None else base, args, log, script=lambda s=script: s
            )

        print(f"[{engine}] upvote ...", flush=True)
        before = json.loads(query(env, _vote_state(target)))
        upvotes = UpvoteScript(
            engine_dir / "upvote.lua", engine_dir / "tokens.txt", args.threads, target
        )
        results["upvote"] = measure(wrk, base, args, log, script=upvotes, after=upvotes.record)
        after = json.loads(query(env, _vote_state(target)))
        added = after["votes"] - before["votes"]
        answered = results["upvote"].get("ok_requests", 0)
        counter_ok = after["upvotes"] == after["imported"] + after["votes"]
        # One distinct user per request (token), none reused: every request the server
        # completed adds exactly one vote. wrk counts the answered ones; a request in flight
        # when wrk stops is still completed by the server, so added lies in [answered, sent].
        results["upvote_check"] = {
            "paper": target,
            "votes_added": added,
            "answered_requests": answered,
            "sent_requests": upvotes.sent,
            "tokens_used": upvotes.base,
            "counter_matches_rows": counter_ok,
            "exact": answered <= added <= upvotes.sent
            and counter_ok
            and upvotes.base <= info["tokens"],
        }
        results["gunicorn_rss_mb"] = round(rss_mb(tree(server.pid)), 1)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        if engine == "postgres":
            subprocess.run(["bash", str(REPO / ".ci/pg-local"), "stop", str(engine_dir / "pg")])
    return results


def _vote_state(arxiv_id: str) -> str:
    return (
        "import json; from papers.models import Paper; "
        f"p = Paper.objects.get(arxiv_id='{arxiv_id}'); "
        "print(json.dumps({'votes': p.votes.count(), 'upvotes': p.upvotes, "
        "'imported': p.imported_upvotes}))"
    )


def demo_rss(args: argparse.Namespace) -> dict:
    """RSS of ``dailypapers serve`` (demo data) after the feed, a paper and a search."""
    data = WORK / "demo"
    shutil.rmtree(data, ignore_errors=True)
    port = free_port()
    env = dict(os.environ, DAILYPAPERS_DATA_DIR=str(data), SECRET_KEY="demo-" + "d" * 40)
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/dailypapers"), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/healthz", timeout=600)
        for path in ("/papers", "/papers/search?q=language+models", "/api/papers/search?q=vision"):
            urllib.request.urlopen(base + path, timeout=120).read()
        time.sleep(1)
        return {"demo_rss_mb": round(rss_mb(tree(server.pid)), 1)}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (≤ 60)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per scenario (1-5)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured seconds (0-30)")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=120,
        help="seconds to wait per scenario for other processes to leave the CPU (0-600)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="GUNICORN_MAX_REQUESTS for the server (default: the server's own default)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--reindex", action="store_true", help="rebuild the keyword index")
    parser.add_argument("--prepare-only", action="store_true", help="build the databases, stop")
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 60))
    args.runs = max(1, min(args.runs, 5))
    args.warmup = max(0, min(args.warmup, 30))
    args.wait_quiet = max(0, min(args.wait_quiet, 600))
    if not ARXIV.exists() or not HF_DAYS.exists():
        sys.exit(f"shared data not found under {SHARED}: this benchmark needs it")
    wrk = ensure_wrk()
    report = []
    if args.prepare_only:
        for engine in args.engines.split(","):
            _, engine_dir = prepare(engine.strip(), args.fresh)
            if engine.strip() == "postgres":
                subprocess.run(["bash", str(REPO / ".ci/pg-local"), "stop", str(engine_dir / "pg")])
        return
    for engine in args.engines.split(","):
        result = bench_engine(engine.strip(), wrk, args)
        report.append(result)
        print_engine(result, args)
    if not args.skip_demo:
        demo = demo_rss(args)
        print(f"\ndemo server (dailypapers serve) RSS: {demo['demo_rss_mb']} MB (goal <= 512 MB)")
    (WORK / "last_report.json").write_text(json.dumps(report, indent=2))


SCENARIOS = ("feed", "paper", "search_api", "upvote")


def print_engine(r: dict, args: argparse.Namespace) -> None:
    print(
        f"\n== {r['engine']}: {r['papers']:,} papers, {r['entries']:,} daily entries; "
        f"gunicorn 2 workers; wrk -t{args.threads} -c{args.connections}; per scenario: "
        f"1 s cold, {args.warmup} s warm-up, median-p99 run of {args.runs} x {args.duration} s",
        flush=True,
    )
    print(
        f"{'scenario':<11} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'requests':>8} "
        f"{'errors':>6}  {'req/s range':>15} {'p99 ms range':>13} {'recycles':>8} "
        f"{'other CPU':>9}"
    )
    for name in SCENARIOS:
        m = r[name]
        if "skipped" in m:
            print(f"{name:<11} NOT MEASURED: {m['skipped']}")
            continue
        rps, p99 = m["rps_range"], m["p99_range"]
        print(
            f"{name:<11} {m['rps']:>8.1f} {m['p50_ms']:>7.2f} {m['p99_ms']:>7.2f} "
            f"{m['requests']:>8} {m['errors']:>6}  {rps[0]:>7.0f}-{rps[1]:<7.0f} "
            f"{p99[0]:>6.1f}-{p99[1]:<6.1f} {m['recycles']:>8} {m['other_cpu_pct']:>8.1f}%"
        )
    print(
        "recycles: workers gunicorn restarted (max_requests) during the measured runs; "
        "other CPU: share of the machine used meanwhile by processes outside this bench"
    )
    print("cold: the first 1 s of each scenario (not in the figures above)")
    for name in SCENARIOS:
        c = r[name].get("cold")
        if c:
            print(
                f"  {name:<9} {c['rps']:>8.1f} {c['p50_ms']:>7.2f} {c['p99_ms']:>7.2f} "
                f"{c['requests']:>8} {c['errors']:>6}"
            )
    print(f"upvote check: {r['upvote_check']}")
    print(f"gunicorn RSS after the run (master + 2 workers): {r['gunicorn_rss_mb']} MB")
    feed = r["feed"]
    met = "skipped" not in feed and feed["rps"] >= 300 and feed["p99_ms"] <= 100
    errors = sum(r[name].get("errors", 0) for name in SCENARIOS)
    measured = all("skipped" not in r[name] for name in SCENARIOS)
    print(
        f"goals: feed >= 300 req/s and p99 <= 100 ms: {'met' if met else 'NOT met'}; "
        f"no errors: {'met' if measured and not errors else 'NOT met'} ({errors}); "
        f"upvote counts exact: {'met' if r['upvote_check']['exact'] else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
