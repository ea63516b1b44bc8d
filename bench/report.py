#!/usr/bin/env python3
"""Assembles one benchmark run (bench/out/<timestamp>/meta.json + runs/*.json) into results.json and
results.md, prints the Markdown, and exits 1 when any request failed or any body was unexpected.

Targets (issue 8) are printed as met / not met; missing them is a finding, not a failure of the run.
"""
import json
import sys
from pathlib import Path

ADDED_P50_LIMIT_US = 150
ADDED_P99_LIMIT_US = 1000
THROUGHPUT_SHARE = 0.5
PEAK_RSS_LIMIT_KB = 150 * 1024
IDLE_RSS_LIMIT_KB = 80 * 1024
TARGET_ORDER = ["direct", "nginx-proxy", "keyway"]


def load_runs(out_dir):
    return [json.loads(p.read_text()) for p in sorted((out_dir / "runs").glob("*.json"))
            if not p.name.endswith(".wrk.json")]


def baseline_protocol(protocol):
    """The cross scenario's client speaks Anthropic to an OpenAI upstream: compare with OpenAI's hop."""
    return "openai" if protocol == "cross" else protocol


def summarize(run):
    wrk = run["wrk"]
    return {"requests_per_sec": wrk["requests_per_sec"], "p50_us": wrk["latency_us"]["p50"],
            "p99_us": wrk["latency_us"]["p99"], "requests": wrk["requests"],
            "errors": wrk["errors"]["total"]}


def build_scenarios(measured):
    by_key = {(r["target"], r["protocol"], r["mode"], r["connections"]): summarize(r) for r in measured}
    keys = sorted({(r["protocol"], r["mode"], r["connections"]) for r in measured},
                  key=lambda k: (["openai", "anthropic", "cross"].index(k[0]), k[1] != "non-stream", k[2]))
    scenarios = []
    for protocol, mode, connections in keys:
        base = baseline_protocol(protocol)
        direct = by_key.get(("direct", base, mode, connections))
        rows = {}
        for target in TARGET_ORDER:
            source = base if target != "keyway" else protocol
            row = by_key.get((target, source, mode, connections))
            if row is None:
                continue
            row = dict(row)
            if direct is not None and target != "direct":
                row["added_p50_us"] = row["p50_us"] - direct["p50_us"]
                row["added_p99_us"] = row["p99_us"] - direct["p99_us"]
            rows[target] = row
        scenarios.append({"protocol": protocol, "mode": mode, "connections": connections,
                          "baseline_protocol": base, "targets": rows})
    return scenarios


def verdict(value, ok):
    return {"value": value, "met": ok} if value is not None else {"value": None, "met": None}


def evaluate_targets(scenarios, keyway):
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
    peak = keyway["peak_rss_kb"] if keyway else None
    idle = keyway["rss_idle_kb"] if keyway else None
    checks.append(dict(goal="peak RSS ≤ 150 MB", scenario="whole run", unit="MB",
                       **verdict(mb(peak), peak is not None and peak <= PEAK_RSS_LIMIT_KB)))
    checks.append(dict(goal="idle RSS ≤ 80 MB", scenario="after start-up", unit="MB",
                       **verdict(mb(idle), idle is not None and idle <= IDLE_RSS_LIMIT_KB)))
    lost = None
    if keyway:
        # wrk stops with up to one request per connection in flight; Keyway may still answer and log those.
        counted, rows = keyway["requests_counted"], keyway["log_rows"]
        lost = max(0, counted - rows)
        extra_ok = rows - counted <= keyway["inflight_bound"]
        checks.append(dict(goal="zero request-log rows lost", scenario=f"{rows} rows / {counted} requests",
                           unit="rows lost", **verdict(lost, lost == 0 and extra_ok)))
    else:
        checks.append(dict(goal="zero request-log rows lost", scenario="whole run", unit="rows lost",
                           **verdict(None, False)))
    return checks


def mb(kb):
    return round(kb / 1024, 1) if kb is not None else None


def failures(runs):
    found = []
    for r in runs:
        wrk = r["wrk"]
        if wrk["errors"]["total"] or wrk["unexpected_bodies"] or wrk["requests"] == 0:
            found.append({"phase": r["phase"], "target": r["target"], "protocol": r["protocol"],
                          "mode": r["mode"], "connections": r["connections"], "requests": wrk["requests"],
                          "errors": wrk["errors"], "unexpected_bodies": wrk["unexpected_bodies"]})
    return found


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
                     "threads": after["threads"], "committed_mb": round(after["committed_bytes"] / 2**20, 1)})
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
    return lines + [""]


def render(meta, scenarios, checks, failed, runtime):
    lines = [f'# Keyway benchmark {meta["timestamp"]}', "",
             f'Machine: {meta["cpu_count"]} CPUs, {meta["cpu_model"]}; servers on CPU '
             f'{meta["server_cpus"] or "any"}, wrk on CPU {meta["load_cpus"] or "any"}, '
             f'load average {meta["load_average_at_start"]} at start. '
             f'nginx {meta["nginx"]}, wrk {meta["wrk"]}, commit {meta["commit"]}. '
             f'{meta["duration_s"]} s per run after {meta["warmup_s"]} s warm-up'
             f'{" (quick smoke run: numbers are not comparable)" if meta["quick"] else ""}.', ""]
    for s in scenarios:
        base = "" if s["protocol"] == s["baseline_protocol"] else f' (added over DIRECT {s["baseline_protocol"]})'
        lines += [f'## {s["protocol"]} · {s["mode"]} · {s["connections"]} connection'
                  f'{"s" if s["connections"] > 1 else ""}{base}', "",
                  "| target | req/s | p50 µs | p99 µs | added p50 µs | added p99 µs | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for target, row in s["targets"].items():
            lines.append(f'| {target} | {row["requests_per_sec"]:.0f} | {row["p50_us"]} | {row["p99_us"]} | '
                         f'{signed(row.get("added_p50_us"))} | {signed(row.get("added_p99_us"))} | {row["errors"]} |')
        lines.append("")
    keyway = meta["keyway"]
    if keyway:
        lines += ["## Keyway process", "",
                  "| start → first request | RSS idle | peak RSS (VmHWM) | RSS after run | requests answered | log rows |",
                  "|---:|---:|---:|---:|---:|---:|",
                  f'| {keyway["start_to_first_request_ms"]} ms | {mb(keyway["rss_idle_kb"])} MB | '
                  f'{mb(keyway["peak_rss_kb"])} MB | {mb(keyway["rss_after_run_kb"])} MB | '
                  f'{keyway["requests_counted"]} | {keyway["log_rows"]} |', ""]
    if runtime:
        lines += render_runtime(runtime, keyway.get("probe_idle") if keyway else None)
    lines += ["## Targets (issue 8)", "", "| goal | scenario | value | verdict |", "|---|---|---:|---|"]
    for c in checks:
        value = "—" if c["value"] is None else f'{c["value"]} {c["unit"]}'
        state = "n/a (KEYWAY not run)" if c["met"] is None or c["value"] is None else (
            "met" if c["met"] else "**not met**")
        lines.append(f'| {c["goal"]} | {c["scenario"]} | {value} | {state} |')
    lines.append("")
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
    checks = evaluate_targets(scenarios, meta["keyway"])
    failed = failures(runs)
    results = {"meta": meta, "scenarios": scenarios, "runtime": runtime, "targets": checks, "failures": failed,
               "ok": not failed and bool(scenarios)}
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = render(meta, scenarios, checks, failed, runtime)
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
