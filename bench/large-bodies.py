#!/usr/bin/env python3
"""Keyway's memory with large request bodies (bench/RESULTS.md, "Large request bodies").

Starts a fake upstream (this script with --upstream: reads each body whole, answers a canned chat.completion or
Anthropic message with usage) and, per case and body size, a fresh Keyway from the Release build output
(`dotnet src/Keyway/bin/Release/net10.0/keyway.dll`, or --keyway-cmd) with a fresh data dir. It sends N sequential
requests, then C concurrent ones, each a chat request with one user message of SIZE MB, and prints per phase the peak
RSS (VmHWM, reset between phases through /proc/PID/clear_refs) and the RSS --settle seconds (5) after the phase. Cases: openai
(Chat → OpenAI pass-through), anthropic (Messages → Anthropic pass-through), translated (Messages → OpenAI Chat).
Build first: `dotnet build Keyway.sln -c Release`. Runtime knobs go in the environment (DOTNET_GCgen0size=…).
"""
import argparse, concurrent.futures, http.client, http.server, json, os, secrets, socket, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHAT_ANSWER = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}}).encode()
MESSAGE_ANSWER = json.dumps({"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
                             "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn", "stop_sequence": None,
                             "usage": {"input_tokens": 10, "output_tokens": 1}}).encode()


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        remaining = int(self.headers.get("Content-Length", "0"))
        while remaining > 0 and (chunk := self.rfile.read(min(remaining, 1 << 20))):
            remaining -= len(chunk)
        answer = MESSAGE_ANSWER if self.path.endswith("/messages") else CHAT_ANSWER
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def call(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def body_for(case, mb):
    text = "x" * (mb * 1024 * 1024)
    if case == "openai":
        return json.dumps({"model": "big", "messages": [{"role": "user", "content": text}]}).encode()
    return json.dumps({"model": "big", "max_tokens": 16, "messages": [{"role": "user", "content": text}]}).encode()


def start_keyway(command, upstream_port, case):
    port, token, data_dir = free_port(), "bench-admin-" + secrets.token_hex(8), tempfile.mkdtemp(prefix="keyway-large-")
    env = dict(os.environ, KEYWAY_HOST="127.0.0.1", KEYWAY_PORT=str(port), KEYWAY_DATA_DIR=data_dir,
               KEYWAY_ADMIN_TOKEN=token, KEYWAY_SECRET="bench-secret-" + secrets.token_hex(8), KEYWAY_LOG_LEVEL="warning")
    process = subprocess.Popen(command, cwd=data_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if call(port, "GET", "/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    admin = {"X-Admin-Token": token, "Content-Type": "application/json"}
    protocol, base = ("anthropic", "") if case == "anthropic" else ("openai", "/v1")
    for path, doc in [("providers", {"provider_id": "up", "name": "up", "protocol": protocol,
                                     "base_url": f"http://127.0.0.1:{upstream_port}{base}", "api_key": "sk-up"}),
                      ("routes", {"alias": "big", "provider_id": "up", "upstream_model": "m"})]:
        status, data = call(port, "POST", f"/admin/llm/groups/default/{path}", json.dumps(doc), admin)
        assert status in (200, 201), data
    status, data = call(port, "POST", "/admin/llm/groups/default/keys", json.dumps({"name": "bench"}), admin)
    return process, port, json.loads(data)["plaintext"]


def phase(process, port, key, case, body, count, parallel, settle):
    path = "/v1/chat/completions" if case == "openai" else "/v1/messages"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "anthropic-version": "2023-06-01"}
    with open(f"/proc/{process.pid}/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        for status, data in pool.map(lambda _: call(port, "POST", path, body, headers), range(count)):
            assert status == 200, (status, data[:300])
    seconds = time.monotonic() - started
    hwm = status_kb(process.pid, "VmHWM")
    time.sleep(settle)
    return hwm // 1024, status_kb(process.pid, "VmRSS") // 1024, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="openai,anthropic,translated")
    parser.add_argument("--sizes", default="5,25", help="body sizes in MB")
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--settle", type=float, default=5, help="seconds between a phase's end and its rss_after")
    parser.add_argument("--keyway-cmd", default=f"dotnet {REPO}/src/Keyway/bin/Release/net10.0/keyway.dll")
    parser.add_argument("--upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstream:
        http.server.ThreadingHTTPServer(("127.0.0.1", args.upstream), Upstream).serve_forever()
        return
    upstream_port = free_port()
    upstream = subprocess.Popen([sys.executable, __file__, "--upstream", str(upstream_port)])
    print("case        MB  phase        requests  seconds  peak_rss_mb  rss_after_mb  idle_rss_mb")
    try:
        for case in args.cases.split(","):
            for mb in map(int, args.sizes.split(",")):
                body = body_for(case, mb)
                process, port, key = start_keyway(args.keyway_cmd.split(), upstream_port, case)
                try:
                    time.sleep(1)
                    idle = status_kb(process.pid, "VmRSS") // 1024
                    for name, count, parallel in [("sequential", args.sequential, 1), ("concurrent", args.concurrent, args.concurrent)]:
                        hwm, after, seconds = phase(process, port, key, case, body, count, parallel, args.settle)
                        print(f"{case:<11} {mb:>2}  {name:<11} {count:>9}  {seconds:>7.1f}  {hwm:>11}  {after:>12}  {idle:>11}", flush=True)
                finally:
                    process.terminate()
                    process.wait(30)
    finally:
        upstream.terminate()


if __name__ == "__main__":
    main()
