-- wrk script: one OpenAI Responses POST as Codex sends it (input items, instructions, store:false), repeated.
-- Environment: BENCH_MODEL, BENCH_STREAM (0|1), BENCH_KEY (Bearer token), BENCH_RESULT (where done() writes the
-- JSON summary).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local body = string.format(
  '{"model":"%s","instructions":"Be brief.","input":[{"type":"message","role":"user",' ..
  '"content":[{"type":"input_text","text":"Say hello in one short sentence."}]}],' ..
  '"max_output_tokens":64,"store":false%s}',
  common.env("BENCH_MODEL"), common.streaming() and ',"stream":true' or "")

common.post(body, { ["Authorization"] = "Bearer " .. common.env("BENCH_KEY") })
common.install_callbacks()
