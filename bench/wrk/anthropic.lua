-- wrk script: one Anthropic Messages POST, repeated. Environment: BENCH_MODEL, BENCH_STREAM (0|1),
-- BENCH_KEY (sent as x-api-key and as Bearer, as Anthropic SDKs and Claude Code may do),
-- BENCH_RESULT (where done() writes the JSON summary).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local key = common.env("BENCH_KEY")
local body = string.format(
  '{"model":"%s","max_tokens":64,"messages":[{"role":"user","content":"Say hello in one short sentence."}]%s}',
  common.env("BENCH_MODEL"), common.streaming() and ',"stream":true' or "")

common.post(body, {
  ["x-api-key"] = key,
  ["Authorization"] = "Bearer " .. key,
  ["anthropic-version"] = "2023-06-01",
})
common.install_callbacks()
