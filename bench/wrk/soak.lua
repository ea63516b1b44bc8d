-- wrk script for bench/soak.sh: every connection cycles through a mix of calls — OpenAI and Anthropic clients,
-- streamed and not, one translated (Anthropic client → OpenAI upstream), and two that fail upstream (a refused
-- connection → 502, key cooldowns, quarantine and its probes; a 404 relayed from the upstream).
-- Environment: SOAK_KEY (the issued key), SOAK_DELAY_MS (pause before each request on a connection).
local key = os.getenv("SOAK_KEY") or error("missing environment variable SOAK_KEY")
local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "0")

local openai = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
local anthropic = { ["Content-Type"] = "application/json", ["x-api-key"] = key, ["anthropic-version"] = "2023-06-01" }

local function chat(model, stream)
  return string.format('{"model":"%s","messages":[{"role":"user","content":"Say hello."}]%s}', model, stream and ',"stream":true' or "")
end

local function message(model, stream)
  return string.format('{"model":"%s","max_tokens":64,"messages":[{"role":"user","content":"Say hello."}]%s}', model, stream and ',"stream":true' or "")
end

local mix = {
  { "/v1/chat/completions", openai, chat("bench-gpt", false) },
  { "/v1/chat/completions", openai, chat("bench-gpt-stream", true) },
  { "/v1/messages", anthropic, message("bench-claude", false) },
  { "/v1/messages", anthropic, message("bench-claude-stream", true) },
  { "/v1/messages", anthropic, message("bench-claude-via-gpt-stream", true) },
  { "/v1/chat/completions", openai, chat("bench-gpt", false) },
  { "/v1/messages", anthropic, message("bench-claude-via-gpt", false) },
  { "/v1/chat/completions", openai, chat("soak-refused", false) },
  { "/v1/chat/completions", openai, chat("bench-gpt-stream", true) },
  { "/v1/chat/completions", openai, chat("soak-missing", true) },
}

local next_index = 0

request = function()
  next_index = next_index % #mix + 1
  local call = mix[next_index]
  return wrk.format("POST", call[1], call[2], call[3])
end

delay = function()
  return pause
end
