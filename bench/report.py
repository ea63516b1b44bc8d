#!/usr/bin/env python3
"""Assembles one benchmark run (bench/out/<timestamp>/meta.json + runs/*.json) into results.json and
results.md, prints the Markdown, and exits 1 when any request failed or any body was unexpected.

Targets (issue 8) are printed as met / not met; missing them is a finding, not a failure of the run. The issue sets
them for its own scenarios (ISSUE_PROTOCOLS); the real clients' requests (--with-clients) are held to the same
yardsticks in a table of their own.
"""
import json
import sys
from collections import defaultdict
from pathlib import Path
from statistics import median_low

ADDED_P50_LIMIT_US = 150
ADDED_P99_LIMIT_US = 1000
THROUGHPUT_SHARE = 0.5
PEAK_RSS_LIMIT_KB = 150 * 1024
IDLE_RSS_LIMIT_KB = 80 * 1024
# Issue 8's scenarios: both protocols and one cross-protocol scenario (an Anthropic client to an OpenAI upstream).
ISSUE_PROTOCOLS = ["openai", "anthropic", "cross"]
CLIENT_PROTOCOLS = ["codex", "claude-code", "claude-code-native"]
TARGET_ORDER = ["direct", "nginx-proxy", "keyway", "keyway-b", "keyway-pg"]
KEYWAY_TARGETS = {"keyway": "keyway", "keyway-b": "keyway_b", "keyway-pg": "keyway_pg"}  # target → its block in meta.json
# Side-by-side tables: (results.json key, base target, other target, heading, what the difference means).
COMPARISONS = [
    ("keyway_vs_keyway_b", "keyway-b", "keyway", "KEYWAY vs KEYWAY-B (another build, --compare-cmd)",
     "KEYWAY-B is the base: a difference is what the build under test changed, in rounds the two took in turn."),
    ("postgres_vs_sqlite", "keyway", "keyway-pg", "KEYWAY-PG (PostgreSQL) vs KEYWAY (SQLite)",
     "The request path reads only memory on both; the database is behind the background log writer, so a "
     "difference here is the writer's share of the machine, not a database call on the request."),
]


def load_runs(out_dir):
    return [json.loads(p.read_text()) for p in sorted((out_dir / "runs").glob("*.json"))
            if not p.name.endswith(".wrk.json")]


def summarize(runs):
    """One target in one scenario: with --repeat, the median of each figure over the rounds (an observed value)."""
    wrks = [r["wrk"] for r in runs]
    return {"requests_per_sec": median_low(w["requests_per_sec"] for w in wrks),
            **{f"{p}_us": median_low(w["latency_us"][p] for w in wrks) for p in ("p50", "p90", "p99", "p999")},
            "requests": sum(w["requests"] for w in wrks), "errors": sum(w["errors"]["total"] for w in wrks),
            "runs": len(wrks), **per_request_process_cost(runs)}


def per_request_process_cost(runs):
    """The server process's CPU time and context switches per request answered (NGINX-PROXY and the KEYWAY targets),
    and the part of that CPU time Keyway's request-log writer thread took, the median over the rounds; nothing for a
    target whose process is not measured (DIRECT)."""
    cpu_us, log_writer_us, switches = [], [], []
    for r in runs:
        process, requests = r.get("process") or {}, r["wrk"]["requests"]
        before, after = process.get("before"), process.get("after")
        if before and after and requests:
            cpu_us.append(round((after["cpu_ms"] - before["cpu_ms"]) * 1000 / requests, 1))
            if after.get("log_writer_cpu_ms"):
                log_writer_us.append(round((after["log_writer_cpu_ms"] - before["log_writer_cpu_ms"]) * 1000 / requests, 1))
            # Per thread: one that ended during the run took its count along, one that started counts from zero.
            run_switches = sum(n - before["context_switches"].get(tid, 0) for tid, n in after["context_switches"].items())
            switches.append(round(run_switches / requests, 2))
    if not cpu_us:
        return {}
    cost = {"cpu_us_per_request": median_low(cpu_us), "context_switches_per_request": median_low(switches)}
    if log_writer_us:
        cost["log_writer_cpu_us_per_request"] = median_low(log_writer_us)
    return cost


def build_scenarios(measured):
    rounds = defaultdict(list)
    for r in measured:
        rounds[(r["target"], r["protocol"], r["mode"], r["connections"])].append(r)
    by_key = {key: summarize(runs) for key, runs in rounds.items()}
    keys = sorted({(r["protocol"], r["mode"], r["connections"]) for r in measured},
                  key=lambda k: ((ISSUE_PROTOCOLS + CLIENT_PROTOCOLS).index(k[0]), k[1] != "non-stream", k[2]))
    scenarios = []
    for protocol, mode, connections in keys:
        direct = by_key.get(("direct", protocol, mode, connections))
        rows = {}
        for target in TARGET_ORDER:
            row = by_key.get((target, protocol, mode, connections))
            if row is None:
                continue
            row = dict(row)
            if direct is not None and target != "direct":
                row["added_p50_us"] = row["p50_us"] - direct["p50_us"]
                row["added_p99_us"] = row["p99_us"] - direct["p99_us"]
            rows[target] = row
        scenarios.append({"protocol": protocol, "mode": mode, "connections": connections, "targets": rows})
    return scenarios


def verdict(value, ok):
    return {"value": value, "met": ok} if value is not None else {"value": None, "met": None}


def evaluate_targets(scenarios, meta):
    """Issue 8's checks: its scenarios' latency and throughput, then the whole run's memory and log rows."""
    return scenario_checks(s for s in scenarios if s["protocol"] in ISSUE_PROTOCOLS) + memory_and_log_checks(meta)


def evaluate_client_scenarios(scenarios):
    """The same latency and throughput yardsticks on the real clients' requests, which issue 8 does not name."""
    return scenario_checks(s for s in scenarios if s["protocol"] in CLIENT_PROTOCOLS)


def scenario_checks(scenarios):
    checks = []
    for s in scenarios:
        name = f'{s["protocol"]} {s["mode"]} c{s["connections"]}'
        kw = s["targets"].get("keyway")
        if s["connections"] == 1:
            p50 = kw.get("added_p50_us") if kw else None
            p99 = kw.get("added_p99_us") if kw else None
            checks.append(dict(goal=f"added p50 ≤ {ADDED_P50_LIMIT_US} µs", scenario=name, unit="µs",
                               **verdict(p50, p50 is not None and p50 <= ADDED_P50_LIMIT_US)))
            checks.append(dict(goal=f"added p99 ≤ {ADDED_P99_LIMIT_US} µs", scenario=name, unit="µs",
                               **verdict(p99, p99 is not None and p99 <= ADDED_P99_LIMIT_US)))
        if s["connections"] >= 32:
            proxy = s["targets"].get("nginx-proxy")
            share = (round(kw["requests_per_sec"] / proxy["requests_per_sec"], 3)
                     if kw and proxy and proxy["requests_per_sec"] else None)
            checks.append(dict(goal=f"req/s ≥ {THROUGHPUT_SHARE:.0%} of NGINX-PROXY", scenario=name,
                               unit="× proxy", **verdict(share, share is not None and share >= THROUGHPUT_SHARE)))
    return checks


def memory_and_log_checks(meta):
    keyway = meta["keyway"]
    checks = []
    peak = keyway["peak_rss_kb"] if keyway else None
    idle = keyway["rss_idle_kb"] if keyway else None
    checks.append(dict(goal="peak RSS ≤ 150 MB", scenario="whole run", unit="MB",
                       **verdict(mb(peak), peak is not None and peak <= PEAK_RSS_LIMIT_KB)))
    checks.append(dict(goal="idle RSS ≤ 80 MB", scenario="after start-up", unit="MB",
                       **verdict(mb(idle), idle is not None and idle <= IDLE_RSS_LIMIT_KB)))
    if keyway:
        checks.append(rows_lost_check(keyway, "zero request-log rows lost"))
    else:
        checks.append(dict(goal="zero request-log rows lost", scenario="whole run", unit="rows lost",
                           **verdict(None, False)))
    if meta.get("keyway_b"):
        checks.append(rows_lost_check(meta["keyway_b"], "zero request-log rows lost (KEYWAY-B)"))
    if meta.get("keyway_pg"):
        checks.append(rows_lost_check(meta["keyway_pg"], "zero request-log rows lost (PostgreSQL)"))
    return checks


def rows_lost_check(keyway, goal):
    # wrk stops with up to one request per connection in flight; Keyway may still answer and log those.
    counted, rows = keyway["requests_counted"], keyway["log_rows"]
    lost = max(0, counted - rows)
    extra_ok = rows - counted <= keyway["inflight_bound"]
    return dict(goal=goal, scenario=f"{rows} rows / {counted} requests", unit="rows lost",
                **verdict(lost, lost == 0 and extra_ok))


def side_by_side(scenarios, base_target, other_target):
    """Per scenario with both targets: req/s, p50 and p99 of each and the differences (other minus base)."""
    rows = []
    for s in scenarios:
        base, other = s["targets"].get(base_target), s["targets"].get(other_target)
        if not base or not other:
            continue
        rows.append({"protocol": s["protocol"], "mode": s["mode"], "connections": s["connections"],
                     "base_requests_per_sec": round(base["requests_per_sec"]),
                     "other_requests_per_sec": round(other["requests_per_sec"]),
                     "requests_per_sec_ratio": round(other["requests_per_sec"] / base["requests_per_sec"], 3)
                     if base["requests_per_sec"] else None,
                     "base_p50_us": base["p50_us"], "other_p50_us": other["p50_us"],
                     "difference_p50_us": other["p50_us"] - base["p50_us"],
                     "base_p99_us": base["p99_us"], "other_p99_us": other["p99_us"],
                     "difference_p99_us": other["p99_us"] - base["p99_us"]})
    return rows


def render_side_by_side(heading, note, base_target, other_target, rows):
    base, other = base_target.upper(), other_target.upper()
    lines = [f"## {heading}", "", note, "",
             f"| scenario | req/s {base} | req/s {other} | {other} ÷ {base} | p50 µs {base} | p50 µs {other} | "
             f"difference | p99 µs {base} | p99 µs {other} | difference |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f'| {r["protocol"]} {r["mode"]} c{r["connections"]} | {r["base_requests_per_sec"]} | '
                     f'{r["other_requests_per_sec"]} | {r["requests_per_sec_ratio"]} | {r["base_p50_us"]} | '
                     f'{r["other_p50_us"]} | {signed(r["difference_p50_us"])} | {r["base_p99_us"]} | '
                     f'{r["other_p99_us"]} | {signed(r["difference_p99_us"])} |')
    return lines + [""]


def render_process_costs(scenarios):
    measured = [t for t in TARGET_ORDER
                if any("cpu_us_per_request" in s["targets"].get(t, {}) for s in scenarios)]
    if not measured:
        return []
    lines = ["## Server process per request", "",
             "CPU time (user + system) and context switches of the server's processes (all threads) per request "
             "answered; for Keyway, in brackets, the part of that CPU time its request-log writer thread took (clock "
             "ticks of 10 ms: a few percent either way in a short run). The switch counts barely move with this VM's "
             "phases; CPU time moves with them like req/s, so compare it between the targets of one scenario, measured "
             "in turn.", "",
             "| scenario | " + " | ".join(f"{t.upper()} CPU µs · switches" for t in measured) + " |",
             "|---|" + "---:|" * len(measured)]
    for s in scenarios:
        cells = []
        for t in measured:
            row = s["targets"].get(t, {})
            writer = f' [log {row["log_writer_cpu_us_per_request"]}]' if "log_writer_cpu_us_per_request" in row else ""
            cells.append(f'{row["cpu_us_per_request"]}{writer} · {row["context_switches_per_request"]}'
                         if "cpu_us_per_request" in row else "—")
        if any(c != "—" for c in cells):
            lines.append(f'| {s["protocol"]} {s["mode"]} c{s["connections"]} | ' + " | ".join(cells) + " |")
    return lines + [""]


def mb(kb):
    return round(kb / 1024, 1) if kb is not None else None


def failures(runs):
    found = []
    for r in runs:
        wrk = r["wrk"]
        # A warm-up may finish no request without failing: the first translated Anthropic stream loads the o200k
        # tokenizer, which took longer than a 1 s warm-up on a busy machine. Measured runs must answer.
        idle = wrk["requests"] == 0 and r["phase"] != "warmup"
        if wrk["errors"]["total"] or wrk["unexpected_bodies"] or idle:
            found.append({"phase": r["phase"], "target": r["target"], "protocol": r["protocol"],
                          "mode": r["mode"], "connections": r["connections"], "requests": wrk["requests"],
                          "errors": wrk["errors"], "unexpected_bodies": wrk["unexpected_bodies"]})
    return found


ALLOCATION_TICK_BYTES = 100 * 1024  # the runtime raises one GCAllocationTick per ~100 KB allocated


def top_allocations(before, after, requests, count=8):
    """With KEYWAY_PROBE_ALLOCATIONS=1: the sampled types, as approximate bytes per request, largest first."""
    ticks_after, ticks_before = after.get("allocation_ticks"), before.get("allocation_ticks") or {}
    if not ticks_after:
        return []
    ticks = {name: n - ticks_before.get(name, 0) for name, n in ticks_after.items()}
    top = sorted(((n, name) for name, n in ticks.items() if n > 0), reverse=True)[:count]
    return [{"type": name, "approx_bytes_per_request": round(n * ALLOCATION_TICK_BYTES / requests)} for n, name in top]


def runtime_rows(measured):
    """Per KEYWAY run with --probe: the difference of the runtime's counters across the wrk run."""
    rows = []
    for r in measured:
        probe = r.get("probe") or {}
        before, after = probe.get("before"), probe.get("after")
        if r["target"] != "keyway" or not before or not after:
            continue
        requests = max(1, r["wrk"]["requests"])
        rows.append({"protocol": r["protocol"], "mode": r["mode"], "connections": r["connections"],
                     "requests": r["wrk"]["requests"],
                     "allocated_bytes_per_request": round((after["allocated_bytes"] - before["allocated_bytes"]) / requests),
                     "gen0": after["gen0"] - before["gen0"], "gen1": after["gen1"] - before["gen1"],
                     "gen2": after["gen2"] - before["gen2"],
                     "gc_pause_ms": round(after["pause_ms"] - before["pause_ms"], 1),
                     "jit_methods": after["jit_methods"] - before["jit_methods"],
                     "threads": after["threads"], "committed_mb": round(after["committed_bytes"] / 2**20, 1),
                     "top_allocations": top_allocations(before, after, requests)})
    return rows


def signed(value):
    return f"{value:+d}" if value is not None else "—"


def render_runtime(runtime, idle):
    lines = ["## Keyway runtime (--probe)", ""]
    if idle:
        lines += [f'Idle after configuration: {idle["assemblies"]} assemblies loaded, {idle["jit_methods"]} methods '
                  f'JIT-compiled, GC heap {round(idle["heap_bytes"] / 2**20, 1)} MB, committed '
                  f'{round(idle["committed_bytes"] / 2**20, 1)} MB, server GC {idle["server_gc"]}.', ""]
    lines += ["| scenario | requests | bytes allocated / request | gen0 · gen1 · gen2 GCs | GC pause ms | "
              "methods JIT-compiled | pool threads | GC committed MB |",
              "|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in runtime:
        lines.append(f'| {r["protocol"]} {r["mode"]} c{r["connections"]} | {r["requests"]} | '
                     f'{r["allocated_bytes_per_request"]} | {r["gen0"]} · {r["gen1"]} · {r["gen2"]} | '
                     f'{r["gc_pause_ms"]} | {r["jit_methods"]} | {r["threads"]} | {r["committed_mb"]} |')
    for r in runtime:
        if r["top_allocations"]:
            top = ", ".join(f'{a["type"]} ~{a["approx_bytes_per_request"]} B' for a in r["top_allocations"])
            lines += ["", f'Sampled allocations per request, {r["protocol"]} {r["mode"]} c{r["connections"]}: {top}.']
    return lines + [""]


def repeated(rounds):
    return (f"; each figure the median of {rounds} runs, the targets taking turns (in reverse order every other round)"
            if rounds > 1 else "")


def render_checks(heading, note, checks):
    lines = [f"## {heading}", ""] + ([note, ""] if note else [])
    lines += ["| goal | scenario | value | verdict |", "|---|---|---:|---|"]
    for c in checks:
        value = "—" if c["value"] is None else f'{c["value"]} {c["unit"]}'
        state = "n/a (not measured in this run)" if c["met"] is None or c["value"] is None else (
            "met" if c["met"] else "**not met**")
        lines.append(f'| {c["goal"]} | {c["scenario"]} | {value} | {state} |')
    return lines + [""]


def render(meta, scenarios, checks, client_checks, failed, runtime, comparisons):
    lines = [f'# Keyway benchmark {meta["timestamp"]}', "",
             f'Machine: {meta["cpu_count"]} CPUs, {meta["cpu_model"]}; servers on CPU '
             f'{meta["server_cpus"] or "any"}, wrk on CPU {meta["load_cpus"] or "any"}, '
             f'load average {meta["load_average_at_start"]} at start. '
             f'nginx {meta["nginx"]}, wrk {meta["wrk"]}, commit {meta["commit"]}. '
             f'{meta["duration_s"]} s per run after {meta["warmup_s"]} s warm-up'
             f'{repeated(meta.get("repeat", 1))}'
             f'{" (quick smoke run: numbers are not comparable)" if meta["quick"] else ""}.', ""]
    if meta.get("keyway_b_command"):
        lines += [f'KEYWAY runs `{meta["keyway_command"]}`; KEYWAY-B runs `{meta["keyway_b_command"]}`.', ""]
    for s in scenarios:
        lines += [f'## {s["protocol"]} · {s["mode"]} · {s["connections"]} connection'
                  f'{"s" if s["connections"] > 1 else ""}', "",
                  "| target | req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | added p50 µs | added p99 µs | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for target, row in s["targets"].items():
            lines.append(f'| {target} | {row["requests_per_sec"]:.0f} | {row["p50_us"]} | {row["p90_us"]} | '
                         f'{row["p99_us"]} | {row["p999_us"]} | '
                         f'{signed(row.get("added_p50_us"))} | {signed(row.get("added_p99_us"))} | {row["errors"]} |')
        lines.append("")
    keyway = meta["keyway"]
    processes = [(target, meta.get(block)) for target, block in KEYWAY_TARGETS.items() if meta.get(block)]
    if processes:
        lines += ["## Keyway process", "",
                  "| target | start → first request | RSS idle | peak RSS (VmHWM) | RSS after run | requests answered | log rows |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for target, k in processes:
            lines.append(f'| {target} | {k["start_to_first_request_ms"]} ms | {mb(k["rss_idle_kb"])} MB | '
                         f'{mb(k["peak_rss_kb"])} MB | {mb(k["rss_after_run_kb"])} MB | '
                         f'{k["requests_counted"]} | {k["log_rows"]} |')
        lines.append("")
    lines += render_process_costs(scenarios)
    for key, base_target, other_target, heading, note in COMPARISONS:
        if comparisons[key]:
            lines += render_side_by_side(heading, note, base_target, other_target, comparisons[key])
    if runtime:
        lines += render_runtime(runtime, keyway.get("probe_idle") if keyway else None)
    lines += render_checks("Targets (issue 8)", None, checks)
    if client_checks:
        lines += render_checks("The same yardsticks on the real clients' requests (--with-clients)",
                               "Issue 8 names its scenarios (openai, anthropic, cross); these are the requests Codex and "
                               "Claude Code really send, measured to find what the small ones hide.", client_checks)
    if failed:
        lines += ["## Failed requests", "", "| phase | target | scenario | requests | errors | unexpected bodies |",
                  "|---|---|---|---:|---|---:|"]
        for f in failed:
            errors = ", ".join(f"{k} {v}" for k, v in f["errors"].items() if v and k != "total") or "none"
            lines.append(f'| {f["phase"]} | {f["target"]} | {f["protocol"]} {f["mode"]} c{f["connections"]} | '
                         f'{f["requests"]} | {errors} | {f["unexpected_bodies"]} |')
        lines.append("")
    return "\n".join(lines)


def main():
    out_dir = Path(sys.argv[1])
    meta = json.loads((out_dir / "meta.json").read_text())
    runs = load_runs(out_dir)
    measured = [r for r in runs if r["phase"] == "measure"]
    scenarios = build_scenarios(measured)
    runtime = runtime_rows(measured)
    checks = evaluate_targets(scenarios, meta)
    client_checks = evaluate_client_scenarios(scenarios)
    comparisons = {key: side_by_side(scenarios, base, other) for key, base, other, _, _ in COMPARISONS}
    failed = failures(runs)
    results = {"meta": meta, "scenarios": scenarios, "runtime": runtime, **comparisons,
               "targets": checks, "client_targets": client_checks, "failures": failed, "ok": not failed and bool(scenarios)}
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = render(meta, scenarios, checks, client_checks, failed, runtime, comparisons)
    (out_dir / "results.md").write_text(markdown + "\n")
    print(markdown)
    print(f"results: {out_dir / 'results.md'} and results.json")
    if failed:
        print("FAILED: some requests failed or returned an unexpected body (see above)", file=sys.stderr)
    elif not scenarios:
        print("FAILED: no scenario was measured (check --only, --protocols and --modes)", file=sys.stderr)
    if not results["ok"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
