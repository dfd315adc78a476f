"""Load test: gunicorn (2 workers) on loopback, a ~50k-paper database, SQLite and PostgreSQL.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/load_test.py \
        [--engines sqlite,postgres] [--duration 10] [--connections 16] [--fresh]

For each engine it builds (once; reused until --fresh) a database from ../shared/data (the
arXiv JSONL dump + the Hugging Face daily lists, with the project's importers), starts
``gunicorn -c dailypapers/gunicorn.conf.py`` with WEB_CONCURRENCY=2 on 127.0.0.1, and drives
it with ``wrk`` (Debian; installed with apt-get when missing and running as root):
the feed page, a paper page, the search API (keyword mode: the bench skips the slow
embedding of 58k abstracts) and upvotes through the API (one distinct user per request).
It prints requests/s, p50 and p99 per scenario, errors, checks that upvote counts are exact
after the run, and reports the web server's RSS and that of the demo server
(``dailypapers serve`` with the demo data). Only loopback traffic; every run is bounded.
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
ARXIV = SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"
HF_DAYS = SHARED / "hf_daily_papers" / "days"
WORK = Path("/tmp/dailypapers-load")
PY = str(REPO / ".venv" / "bin" / "python")
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
N_TOKENS = 40000

UPVOTE_LUA = """
local tokens = {}
for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  step = %(threads)d
end
request = function()
  local i = offset + counter * step + 1
  counter = counter + 1
  if i > #tokens then i = ((i - 1) %% #tokens) + 1 end
  return wrk.format("POST", "/api/papers/%(paper)s/upvote",
    {["Authorization"] = "Bearer " .. tokens[i], ["Content-Length"] = "0"}, "")
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


def base_env(engine_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DAILYPAPERS_DATA_DIR=str(engine_dir / "data"),
        SEARCH_INDEX_DIR=str(engine_dir / "data" / "index"),
        SECRET_KEY="load-test-" + "k" * 40,
        RATE_LIMIT_ENABLED="false",
        TASKS_BACKEND="dummy",  # no inline embedding of 58k abstracts during the import
        DEBUG="false",
    )
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
    "from search import indexer\n"
    "n = 0\n"
    "for chunk in indexer.all_paper_ids():\n"
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


def warm_up(url: str) -> str:
    """'' when ``url`` answers 200 (three times), else what went wrong."""
    for _ in range(3):
        try:
            urllib.request.urlopen(url, timeout=60).read()
        except Exception as exc:
            return f"{url} -> {exc}"
    return ""


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
    return out


def run_wrk(wrk: str, url: str, args: argparse.Namespace, script: Path | None = None) -> dict:
    argv = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    argv += ["--timeout", "10s"]
    if script:
        argv += ["-s", str(script)]
    result = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=args.duration + 60
    )
    if result.returncode != 0:
        sys.exit(f"wrk failed: {result.stderr}")
    return parse_wrk(result.stdout)


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
    server = subprocess.Popen(
        [GUNICORN, "-c", "dailypapers/gunicorn.conf.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(engine_dir / "gunicorn.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    results: dict = {"engine": engine, **counts, "build": info}
    try:
        wait_http(f"{base}/healthz")
        search_script = engine_dir / "search.lua"
        search_script.write_text(SEARCH_LUA)
        scenarios = [
            ("feed", "/papers", None),
            ("paper", f"/papers/{counts['top']}", None),
            ("search_api", "/api/papers/search?mode=keyword&q=transformer", search_script),
        ]
        for name, path, script in scenarios:
            problem = warm_up(base + path)
            if problem:  # measure what works, say clearly what does not
                results[name] = {"skipped": problem}
                continue
            results[name] = run_wrk(wrk, base + (path if script is None else ""), args, script)

        before = json.loads(query(env, _vote_state(target)))
        upvote_script = engine_dir / "upvote.lua"
        upvote_script.write_text(
            UPVOTE_LUA
            % {"tokens": engine_dir / "tokens.txt", "threads": args.threads, "paper": target}
        )
        results["upvote"] = run_wrk(wrk, base, args, upvote_script)
        after = json.loads(query(env, _vote_state(target)))
        ok_votes = results["upvote"]["requests"] - results["upvote"]["errors"]
        added = after["votes"] - before["votes"]
        # Each request votes as a different user (tokens are never reused in a run), so every
        # request the server completed adds exactly one vote. wrk stops with up to one request
        # per connection in flight: the server completes those, wrk does not count them.
        results["upvote_check"] = {
            "paper": target,
            "votes_added": added,
            "requests_counted_by_wrk": ok_votes,
            "in_flight_at_stop": added - ok_votes,
            "counter_matches_rows": after["upvotes"] == after["imported"] + after["votes"],
            "exact": 0 <= added - ok_votes <= args.connections
            and after["upvotes"] == after["imported"] + after["votes"]
            and ok_votes < info["tokens"],
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
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario (≤ 60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--reindex", action="store_true", help="rebuild the keyword index")
    parser.add_argument("--prepare-only", action="store_true", help="build the databases, stop")
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 60))
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


def print_engine(r: dict, args: argparse.Namespace) -> None:
    print(
        f"\n== {r['engine']}: {r['papers']:,} papers, {r['entries']:,} daily entries; "
        f"gunicorn 2 workers; wrk -t{args.threads} -c{args.connections} -d{args.duration}s",
        flush=True,
    )
    print(
        f"{'scenario':<12} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'requests':>9} {'errors':>7}"
    )
    for name in ("feed", "paper", "search_api", "upvote"):
        m = r[name]
        if "skipped" in m:
            print(f"{name:<12} NOT MEASURED: {m['skipped']}")
            continue
        print(
            f"{name:<12} {m['rps']:>9.1f} {m['p50_ms']:>9.2f} {m['p99_ms']:>9.2f} "
            f"{m['requests']:>9} {m['errors']:>7}"
        )
    print(f"upvote check: {r['upvote_check']}")
    print(f"gunicorn RSS after the run (master + 2 workers): {r['gunicorn_rss_mb']} MB")


if __name__ == "__main__":
    main()
