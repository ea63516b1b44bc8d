// Chains two Responses turns by id with the official OpenAI Node SDK through Keyway (the second streamed, sending only
// its new input and previous_response_id), reads the second back with its input items, deletes it, and prints one
// JSON object with what the SDK got.
// Input (environment): KEYWAY_BASE_URL (no trailing slash), KEYWAY_API_KEY, OPENAI_ALIAS.
// Run by tests/Keyway.Tests/RealClients/NodeSdkTests.cs.
import OpenAI from 'openai';

const { KEYWAY_BASE_URL: base, KEYWAY_API_KEY: apiKey, OPENAI_ALIAS: alias } = process.env;
const client = new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 });

const first = await client.responses.create({ model: alias, instructions: 'Be brief.', input: 'Remember the word purple.' });
const stream = await client.responses.create({ model: alias, input: 'Which word?', previous_response_id: first.id, stream: true });
let second = null;
let text = '';
for await (const event of stream) {
  if (event.type === 'response.output_text.delta') text += event.delta;
  if (event.type === 'response.completed') second = event.response;
}
const read = await client.responses.retrieve(second.id);
const items = await client.responses.inputItems.list(second.id);
await client.responses.delete(second.id);
let statusAfterDelete = null;
try {
  await client.responses.retrieve(second.id);
} catch (error) {
  statusAfterDelete = error.status;
}
console.log(JSON.stringify({
  first: { id: first.id, text: first.output_text },
  second: { previous_response_id: second.previous_response_id, text, read_text: read.output_text },
  input_items: items.data.map((item) => item.content?.[0]?.text ?? null),
  status_after_delete: statusAfterDelete,
}));
