// Calls Keyway with the official OpenAI and Anthropic Node SDKs and prints one JSON object with what they got.
// Input (environment): KEYWAY_BASE_URL (no trailing slash), KEYWAY_API_KEY, OPENAI_ALIAS, ANTHROPIC_ALIAS.
// Run by tests/Keyway.Tests/RealClients/NodeSdkTests.cs.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const { KEYWAY_BASE_URL: base, KEYWAY_API_KEY: apiKey, OPENAI_ALIAS: openaiAlias, ANTHROPIC_ALIAS: anthropicAlias } = process.env;
const question = [{ role: 'user', content: 'Say hello.' }];

async function openaiCalls() {
  const client = new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 });
  const completion = await client.chat.completions.create({ model: openaiAlias, messages: question });
  const stream = await client.chat.completions.create({ model: openaiAlias, messages: question, stream: true });
  let text = '';
  let chunks = 0;
  let usageChunks = 0;
  let finishReason = null;
  for await (const chunk of stream) {
    chunks += 1;
    if (chunk.usage) usageChunks += 1;
    for (const choice of chunk.choices) {
      text += choice.delta?.content ?? '';
      finishReason = choice.finish_reason ?? finishReason;
    }
  }
  return {
    chat: { text: completion.choices[0].message.content, model: completion.model, usage: completion.usage },
    chat_stream: { text, chunks, usage_chunks: usageChunks, finish_reason: finishReason },
  };
}

async function anthropicCalls() {
  const client = new Anthropic({ apiKey, baseURL: base, maxRetries: 0 });
  const params = { model: anthropicAlias, max_tokens: 64, messages: question };
  const message = await client.messages.create(params);
  const stream = client.messages.stream(params);
  let text = '';
  stream.on('text', (delta) => { text += delta; });
  const final = await stream.finalMessage();
  const count = await client.messages.countTokens({ model: anthropicAlias, messages: question });
  return {
    message: { text: message.content[0].text, stop_reason: message.stop_reason, usage: message.usage },
    message_stream: { text, final_text: final.content[0].text, stop_reason: final.stop_reason, usage: final.usage },
    count_tokens: count,
  };
}

try {
  console.log(JSON.stringify({ openai: await openaiCalls(), anthropic: await anthropicCalls() }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
