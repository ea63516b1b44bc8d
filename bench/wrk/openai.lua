-- wrk script: one OpenAI Chat Completions POST, repeated. Environment: BENCH_MODEL, BENCH_STREAM (0|1),
-- BENCH_KEY (Bearer token), BENCH_RESULT (where done() writes the JSON summary).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local stream = common.streaming()
local body = string.format(
  '{"model":"%s","messages":[{"role":"user","content":"Say hello in one short sentence."}],' ..
  '"max_tokens":64%s}',
  common.env("BENCH_MODEL"), stream and ',"stream":true,"stream_options":{"include_usage":true}' or "")

common.post(body, { ["Authorization"] = "Bearer " .. common.env("BENCH_KEY") })
common.install_callbacks()
