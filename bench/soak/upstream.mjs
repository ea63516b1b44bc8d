// The soak's fake upstream: OpenAI Chat, Anthropic Messages (and count_tokens), OpenAI Responses over HTTP and over a
// WebSocket, on one loopback port. What a key gets depends on the key (Authorization: Bearer or x-api-key):
//   sk-soak-ok…   always answers;
//   sk-soak-rl…   429 with Retry-After: 2 on 40 % of its requests (a rate-limited key: cools down, never quarantined);
//   sk-soak-err…  500 on 40 % of its requests (cools down after the provider's failure threshold).
// A model whose name holds "slow" waits 400 ms before its answer (clients hang up during that wait).
// Streams send their events 25 ms apart, so a client can hang up mid-stream.
// usage: node upstream.mjs PORT_FILE   (listens on a free loopback port and writes it to PORT_FILE)
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';

const counts = { requests: 0, failures429: 0, failures500: 0, ws: 0, wsMessages: 0 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function keyOf(req) {
  const auth = req.headers['authorization'] || '';
  return auth.startsWith('Bearer ') ? auth.slice(7) : (req.headers['x-api-key'] || '');
}

function failureFor(key) {
  if (key.startsWith('sk-soak-rl') && Math.random() < 0.4) return 429;
  if (key.startsWith('sk-soak-err') && Math.random() < 0.4) return 500;
  return 0;
}

const words = ['Hello', '!', ' I', ' am', ' the', ' soak', "'s", ' upstream', '.'];

function chatJson(model) {
  return JSON.stringify({ id: 'chatcmpl-soak' + crypto.randomUUID(), object: 'chat.completion', created: 1735689600, model,
    choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } });
}

function* chatEvents(model) {
  const base = { id: 'chatcmpl-soak1', object: 'chat.completion.chunk', created: 1735689600, model };
  yield `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`;
  for (const w of words) yield `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`;
  yield `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
  yield `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } })}\n\n`;
  yield 'data: [DONE]\n\n';
}

function anthropicJson(model) {
  return JSON.stringify({ id: 'msg_soak' + crypto.randomUUID().replaceAll('-', ''), type: 'message', role: 'assistant', model,
    content: [{ type: 'text', text: words.join('') }], stop_reason: 'end_turn', stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 9 } });
}

function* anthropicEvents(model) {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  yield ev('message_start', { message: { id: 'msg_soak1', type: 'message', role: 'assistant', model, content: [],
    stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } });
  yield ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  for (const w of words) yield ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: w } });
  yield ev('content_block_stop', { index: 0 });
  yield ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } });
  yield ev('message_stop', {});
}

function responseObject(model, status) {
  const id = 'resp_soak' + crypto.randomUUID().replaceAll('-', '');
  return { id, object: 'response', created_at: 1735689600, status, model,
    output: status === 'completed' ? [{ type: 'message', id: 'msg_' + id, status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', text: words.join(''), annotations: [] }] }] : [],
    usage: status === 'completed' ? { input_tokens: 12, output_tokens: 9, total_tokens: 21 } : null };
}

function* responsesEvents(model) {
  const created = responseObject(model, 'in_progress');
  let seq = 0;
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  yield ev('response.created', { response: created });
  for (const w of words) yield ev('response.output_text.delta', { item_id: 'msg_' + created.id, output_index: 0, content_index: 0, delta: w });
  const done = responseObject(model, 'completed');
  done.id = created.id;
  yield ev('response.completed', { response: done });
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  try { return JSON.parse(text); } catch { return {}; }
}

async function stream(res, events, contentType = 'text/event-stream') {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  for (const e of events) {
    if (res.destroyed) return;
    res.write(e);
    await sleep(25);
  }
  res.end();
}

function fail(res, status, anthropic) {
  const headers = { 'content-type': 'application/json' };
  if (status === 429) { headers['retry-after'] = '2'; counts.failures429++; } else counts.failures500++;
  const message = status === 429 ? 'Rate limit reached for requests' : 'The server had an error while processing your request';
  res.writeHead(status, headers);
  res.end(anthropic
    ? JSON.stringify({ type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } })
    : JSON.stringify({ error: { message, type: status === 429 ? 'requests' : 'server_error', code: null } }));
}

const server = http.createServer(async (req, res) => {
  counts.requests++;
  const path = req.url.split('?')[0];
  const body = await readBody(req);
  const model = body.model || 'soak-model';
  const anthropic = path.endsWith('/messages') || path.endsWith('/count_tokens');
  const failure = failureFor(keyOf(req));
  if (failure) return fail(res, failure, anthropic);
  if (model.includes('slow')) await sleep(400);
  if (res.destroyed) return;
  if (path.endsWith('/chat/completions')) {
    if (body.stream) return stream(res, chatEvents(model));
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(chatJson(model));
  }
  if (path.endsWith('/messages/count_tokens')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ input_tokens: 42 }));
  }
  if (path.endsWith('/messages')) {
    if (body.stream) return stream(res, anthropicEvents(model));
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(anthropicJson(model));
  }
  if (path.endsWith('/responses')) {
    if (body.stream) return stream(res, responsesEvents(model));
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(responseObject(model, 'completed')));
  }
  if (path === '/counts') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(counts));
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: `no route ${path}`, type: 'invalid_request_error' } }));
});
server.keepAliveTimeout = 60_000;

// A minimal WebSocket server for GET /v1/responses (RFC 6455, text frames, no extensions): each response.create is
// answered with the Responses stream's events as text messages.
server.on('upgrade', (req, socket) => {
  const key = req.headers['sec-websocket-key'];
  if (!req.url.startsWith('/v1/responses') || !key) { socket.destroy(); return; }
  counts.ws++;
  const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let buffer = Buffer.alloc(0);
  let message = [];
  const send = (opcode, payload) => {
    const data = Buffer.from(payload);
    const header = data.length < 126 ? Buffer.from([0x80 | opcode, data.length])
      : data.length < 65536 ? Buffer.from([0x80 | opcode, 126, data.length >> 8, data.length & 255])
      : (() => { const h = Buffer.alloc(10); h[0] = 0x80 | opcode; h[1] = 127; h.writeBigUInt64BE(BigInt(data.length), 2); return h; })();
    if (!socket.destroyed) socket.write(Buffer.concat([header, data]));
  };
  const onMessage = async (text) => {
    counts.wsMessages++;
    let event;
    try { event = JSON.parse(text); } catch { return; }
    if (event.type !== 'response.create') return;
    for (const e of responsesEvents(event.model || 'soak-model')) {
      send(1, e.split('\n').find((l) => l.startsWith('data: ')).slice(6));
      await sleep(10);
    }
  };
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      const fin = buffer[0] & 0x80, opcode = buffer[0] & 0x0f, masked = buffer[1] & 0x80;
      let length = buffer[1] & 0x7f, offset = 2;
      if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buffer[maskOffset + (i % 4)];
      buffer = buffer.subarray(offset + length);
      if (opcode === 8) { send(8, payload.subarray(0, 2)); socket.end(); return; }
      if (opcode === 9) { send(10, payload); continue; }
      if (opcode === 10) continue;
      message.push(payload);
      if (fin) { const text = Buffer.concat(message).toString('utf8'); message = []; onMessage(text); }
    }
  });
  socket.on('error', () => socket.destroy());
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(process.argv[2], String(server.address().port));
});
process.on('SIGTERM', () => process.exit(0));
