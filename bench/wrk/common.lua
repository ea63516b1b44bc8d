-- Shared by the protocol scripts: turns the BENCH_* environment into a POST request and
-- writes wrk's summary as one JSON object to BENCH_RESULT, so the driver never parses wrk's text.
-- When BENCH_EXPECT is set (warm-up runs), every response body must contain that text; the
-- check costs time, so measured runs leave it unset and rely on wrk's non-2xx count alone.
local common = {}
local threads = {}

function common.env(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then
    if default == nil then error("missing environment variable " .. name) end
    return default
  end
  return value
end

function common.streaming()
  return common.env("BENCH_STREAM", "0") == "1"
end

function common.post(body, headers)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  for name, value in pairs(headers) do
    wrk.headers[name] = value
  end
end

local function count_unexpected()
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("unexpected") or 0)
  end
  return total
end

local function keep_first_unexpected(status, body)
  local path = common.env("BENCH_RESULT") .. ".unexpected"
  local existing = io.open(path, "r")
  if existing then
    existing:close()
    return
  end
  local file = io.open(path, "w")
  if file then
    file:write("HTTP ", status, "\n", body or "", "\n")
    file:close()
  end
end

local function check_response(status, headers, body)
  if status ~= 200 or not string.find(body or "", expected, 1, true) then
    unexpected = (unexpected or 0) + 1
    keep_first_unexpected(status, body)
  end
end

local function write_result(summary, latency)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  local json = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"requests_per_sec":%.2f,' ..
    '"latency_us":{"min":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f,"stdev":%.1f},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"total":%d},"unexpected_bodies":%d}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency.min, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, latency.stdev,
    e.connect, e.read, e.write, e.status, e.timeout, failed, count_unexpected())
  local file = assert(io.open(common.env("BENCH_RESULT"), "w"))
  file:write(json)
  file:close()
end

-- Installs wrk's callbacks as globals: setup (main state) keeps the threads so done can read
-- their "unexpected" counters, response only when a body check was asked for.
function common.install_callbacks()
  setup = function(thread) table.insert(threads, thread) end
  done = write_result
  expected = os.getenv("BENCH_EXPECT")
  if expected ~= nil and expected ~= "" then
    response = check_response
  end
end

return common
