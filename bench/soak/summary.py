"""summary.md of a bench/soak/run.sh run: per measure, flat or GROWING after the warm-up, and the row accounting."""
import csv
import json
import re
import sys

(csv_path, stats_path, out_path, minutes, rate, load_average, requests_total, log_rows, rolled_up, seeded,
 wal_after_kb, keyway_log) = sys.argv[1:13]
rows = [{k: int(v) for k, v in row.items()} for row in csv.DictReader(open(csv_path))]
stats = json.load(open(stats_path))
loaded = rows[1:-2] or rows                  # the last two samples are after the load
warm = loaded[len(loaded) // 5:] or loaded   # the first fifth is warm-up (pools, caches, SQLite's page cache)
quarter = max(1, len(warm) // 4)


def mean(values):
    return sum(values) / len(values)


def slope_per_10min(name):
    """Least-squares slope over the warmed-up samples, per 10 minutes."""
    xs, ys = [r["elapsed_s"] for r in warm], [r[name] for r in warm]
    if len(xs) < 2:
        return 0.0
    mx, my = mean(xs), mean(ys)
    den = sum((x - mx) ** 2 for x in xs) or 1
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 600


checks = [  # column, label, tolerance over the first quarter's mean, display scale
    ("rss_kb", "RSS (MB)", lambda b: max(0.10 * b, 8 * 1024), 1024),
    ("threads", "threads", lambda b: max(0.25 * b, 4), 1),
    ("fds", "open fds", lambda b: max(0.25 * b, 8), 1),
    ("fd_sockets", "sockets", lambda b: max(0.25 * b, 8), 1),
    ("fd_anon", "anon inodes (epoll, eventfd, timerfd)", lambda b: max(0.25 * b, 4), 1),
    ("wal_kb", "SQLite WAL (MB)", lambda b: max(0.5 * b, 8 * 1024), 1024),
    ("log_queue_depth", "log queue depth", lambda b: max(2 * b, 500), 1),
    ("keys_cooling", "keys cooling", lambda b: max(2 * b, 3), 1),
    ("keys_quarantined", "keys quarantined", lambda b: max(2 * b, 2), 1),
    ("metric_series", "/metrics series", lambda b: max(0.25 * b, 20), 1),
]
lines = [f"# Mixed soak: {minutes} min at up to {rate} requests/s", "",
         f"{len(rows)} samples; warm-up (first fifth of the loaded samples) left out; load average at start {load_average}.", "",
         "| measure | first quarter after warm-up | last quarter | slope per 10 min | verdict |", "|---|---|---|---|---|"]
for key, label, tolerance, scale in checks:
    first, last = mean([r[key] for r in warm[:quarter]]), mean([r[key] for r in warm[-quarter:]])
    word = "GROWING" if last - first > tolerance(first) else "flat"
    lines.append(f"| {label} | {first / scale:.1f} | {last / scale:.1f} | {slope_per_10min(key) / scale:+.2f} | {word} |")

end, idle = rows[-3] if len(rows) >= 3 else rows[-1], rows[-1]
pruned = sum(int(m) for m in re.findall(r"Pruned (\d+) request-log rows", open(keyway_log, errors="replace").read()))
seeded_left = [r["seeded_rows_left"] for r in rows]
first_gone = next((r["elapsed_s"] for r in rows if r["seeded_rows_left"] == 0), None)
reads = stats["by_scenario"].get("responses-read", {}).get("sent", 0)
skipped = sum(v["statuses"].get("skipped", 0) for k, v in stats["by_scenario"].items() if k != "responses-read")
expected = stats["sent"] - reads - skipped + stats["ws"]["responses"]
lines += ["",
          f"- client requests sent: {stats['sent']:,} ({stats['sent'] / max(1, stats['elapsed_s']):.0f}/s), network errors "
          f"{stats['network_errors']}; statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(stats["by_status"].items())),
          f"- 5xx the client saw (not deliberate): {json.dumps(stats['unexpected'])}",
          f"- WebSocket sessions {stats['ws']['sessions']}, responses {stats['ws']['responses']}, failures {stats['ws']['failures']}"
          + (f" (last: {stats['ws']['last_failure']})" if stats['ws']['last_failure'] else ""),
          f"- admin calls {stats['admin']['calls']:,}, failures {stats['admin']['failures']}"
          + (f" (last: {stats['admin']['last_failure']})" if stats['admin']['last_failure'] else ""),
          f"- stored responses read back: {stats['stored_response_reads']['ok']} found, {stats['stored_response_reads']['missing']} missing",
          # Every client request gets one row but the reads of a stored response (GET /v1/responses/{id}); each response
          # of a WebSocket session gets one.
          f"- request-log rows expected (requests sent {stats['sent']:,}, less {reads:,} stored-response reads and "
          f"{skipped} skipped, plus {stats['ws']['responses']} WebSocket responses): {expected:,}",
          f"- requests Keyway answered (keyway_requests_total): {int(requests_total):,}; request-log rows after the graceful stop: "
          f"{int(log_rows):,} (seeded rows left: {seeded_left[-1]}); written (keyway_log_written_total) {idle['log_written']:,}, "
          f"dropped {idle['log_dropped']}, failed {idle['log_failed']}",
          f"- retention: {seeded} seeded rows 3 days old; pruned {pruned:,} rows in all (server log), the seeded ones gone by "
          f"{first_gone if first_gone is not None else 'never'} s; rows in the daily roll-up: {rolled_up}",
          f"- SQLite at the end of the load: db {end['db_kb'] / 1024:.1f} MB, WAL {end['wal_kb'] / 1024:.1f} MB (largest "
          f"{max(r['wal_kb'] for r in rows) / 1024:.1f} MB), shm {end['shm_kb']} KB; WAL after the stop {int(wal_after_kb) / 1024:.1f} MB; "
          f"stored responses {end['stored_responses']:,}",
          f"- peak RSS {max(r['hwm_kb'] for r in rows) / 1024:.1f} MB; at the end of the load RSS {end['rss_kb'] / 1024:.1f} MB, "
          f"{end['threads']} threads, {end['fds']} fds; idle {idle['elapsed_s'] - end['elapsed_s']} s later: RSS "
          f"{idle['rss_kb'] / 1024:.1f} MB, {idle['threads']} threads, {idle['fds']} fds ({idle['fd_sockets']} sockets), "
          f"{idle['keys_cooling']} keys cooling, {idle['keys_quarantined']} quarantined",
          f"- Keyway CPU: {idle['cpu_s']} s over {idle['elapsed_s']} s; snapshots built: {idle['snapshot_version']}",
          "", "| elapsed s | RSS MB | threads | fds | WAL MB | log rows | sent | answered | cooling | series |", "|---|---|---|---|---|---|---|---|---|---|"]
step = max(1, len(rows) // 12)
for r in rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else []):
    lines.append(f"| {r['elapsed_s']} | {r['rss_kb'] / 1024:.1f} | {r['threads']} | {r['fds']} | {r['wal_kb'] / 1024:.1f} | "
                 f"{r['log_rows']:,} | {r['sent']:,} | {r['requests_total']:,} | {r['keys_cooling']} | {r['metric_series']} |")
open(out_path, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
