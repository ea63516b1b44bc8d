-- wrk script: one Anthropic Messages POST the size Claude Code sends (~90 KB: a long system prompt, 16 tools with
-- long descriptions and schemas, a dozen turns of history), repeated. Claude Code's requests are this large on every
-- turn, so what a gateway does per request byte (reading, translating, copying) shows here and not in anthropic.lua.
-- Environment as anthropic.lua.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local prose = string.rep("When the user asks for a change, read the files first and keep the style of the code around it. ", 40)

local function tool(i)
  local properties = {}
  for p = 0, 7 do
    properties[#properties + 1] = string.format('"option_%d":{"type":"string","description":"%s"}', p, prose:sub(1, 150))
  end
  return string.format(
    '{"name":"tool_%d","description":"%s","input_schema":{"type":"object","properties":{%s},"required":["option_0"]}}',
    i, prose:sub(1, 2400), table.concat(properties, ","))
end

local tools, messages = {}, {}
for i = 0, 15 do
  tools[#tools + 1] = tool(i)
end
for _ = 1, 6 do
  messages[#messages + 1] = string.format('{"role":"user","content":"%s"}', prose:sub(1, 1500))
  messages[#messages + 1] = string.format('{"role":"assistant","content":"%s"}', prose:sub(1, 800))
end
messages[#messages + 1] = '{"role":"user","content":"Say hello in one short sentence."}'

local key = common.env("BENCH_KEY")
local body = string.format(
  '{"model":"%s","max_tokens":64,"system":[{"type":"text","text":"%s"}],"messages":[%s],"tools":[%s]%s}',
  common.env("BENCH_MODEL"), string.rep(prose, 3), table.concat(messages, ","), table.concat(tools, ","),
  common.streaming() and ',"stream":true' or "")

common.post(body, {
  ["x-api-key"] = key,
  ["Authorization"] = "Bearer " .. key,
  ["anthropic-version"] = "2023-06-01",
})
common.install_callbacks()
