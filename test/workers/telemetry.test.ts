// OpenTelemetry: spans in the GenAI conventions exported as OTLP/HTTP JSON to a collector (the mock server's
// stand-in), one server span per request and one client span per upstream attempt; W3C traceparent taken from
// the caller and sent upstream; nothing secret in an export.
import { describe, expect, it } from 'vitest';
import { call, chatBody, mockCalls, mockUrl, scenario, scriptedApp, settled, UPSTREAM_KEY } from './support/gateway.ts';

const COLLECTOR_TOKEN = 'otel-collector-token-0123456789';
const EXPORTING = {
  OTEL_EXPORTER_OTLP_ENDPOINT: mockUrl,
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${COLLECTOR_TOKEN},x-tenant=gateway-tests`,
  OTEL_SERVICE_NAME: 'gateway-under-test',
};

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number; message?: string };
  resource: { attributes: { key: string; value: Record<string, unknown> }[] };
}

async function received(traceId: string): Promise<{ spans: Span[]; headers: Record<string, string>[] }> {
  const body = await (await fetch(`${mockUrl}/__mock/traces/${traceId}`)).json<{
    spans: { span: Span; headers: Record<string, string> }[];
  }>();
  return { spans: body.spans.map((s) => s.span), headers: body.spans.map((s) => s.headers) };
}

/** A span's attributes as plain values (OTLP's intValue is a decimal string). */
function attrs(span: Span): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of span.attributes) {
    if ('intValue' in value) out[key] = Number(value['intValue']);
    else if ('arrayValue' in value)
      out[key] = (value['arrayValue'] as { values: { stringValue: string }[] }).values.map((v) => v.stringValue);
    else out[key] = Object.values(value)[0];
  }
  return out;
}

const randomHex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('OpenTelemetry export', () => {
  it("exports the request's server span under the caller's traceparent and one client span per attempt, whose id went upstream", async () => {
    const traceId = randomHex(16);
    const callerSpan = randomHex(8);
    const { id, body } = chatBody();
    const response = await call('/v1/chat/completions', {
      json: body,
      env: EXPORTING,
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(response.status).toBe(200);
    await response.json();
    const { spans, headers } = await received(traceId);
    expect(spans).toHaveLength(2);
    const server = spans.find((s) => s.kind === 2)!;
    const client = spans.find((s) => s.kind === 3)!;
    expect(server.parentSpanId).toBe(callerSpan);
    expect(server.name).toBe('chat gpt-4o-mini');
    expect(response.headers.get('traceresponse')).toBe(`00-${traceId}-${server.spanId}-01`);
    expect(attrs(server)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': Number(response.headers.get('x-gateway-prompt-tokens')),
      'gen_ai.usage.output_tokens': Number(response.headers.get('x-gateway-completion-tokens')),
      'gen_ai.response.finish_reasons': ['stop'],
      'gateway.cost_usd': Number(response.headers.get('x-gateway-cost-usd')),
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'gateway.request_id': response.headers.get('x-request-id'),
    });
    expect(attrs(server.resource as unknown as Span)).toEqual({ 'service.name': 'gateway-under-test' });
    expect(client.parentSpanId).toBe(server.spanId);
    expect(client.name).toBe('chat gpt-4o-mini');
    expect(attrs(client)).toMatchObject({ 'gen_ai.provider.name': 'openai', 'http.response.status_code': 200 });
    expect(BigInt(client.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(server.startTimeUnixNano));
    expect(BigInt(server.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(client.endTimeUnixNano) - 1_000_000n);
    // The upstream was told the attempt's span as its parent; the collector got the deployer's headers.
    const upstream = await mockCalls(id);
    expect(upstream.requests[0]!.headers['traceparent']).toBe(`00-${traceId}-${client.spanId}-01`);
    expect(headers[0]).toMatchObject({
      authorization: `Bearer ${COLLECTOR_TOKEN}`,
      'x-tenant': 'gateway-tests',
      'content-type': 'application/json',
    });
  });

  it('gives a retried call one client span per attempt, the failed one marked as an error, each sent upstream with its own id', async () => {
    const { app } = scriptedApp();
    const traceId = randomHex(16);
    const { id, body } = chatBody({ steps: [{ status: 500 }] });
    const response = await call('/v1/chat/completions', {
      app,
      json: body,
      env: EXPORTING,
      headers: { traceparent: `00-${traceId}-${randomHex(8)}-01` },
    });
    expect(response.status).toBe(200);
    const { spans } = await received(traceId);
    const attempts = spans.filter((s) => s.kind === 3);
    expect(attempts).toHaveLength(2);
    expect(attempts.map((s) => attrs(s)['http.response.status_code'])).toEqual([500, 200]);
    expect(attempts[0]!.status.code).toBe(2);
    expect(attrs(attempts[0]!)['error.type']).toBeTypeOf('string');
    expect(attempts[1]!.status.code).toBe(0);
    const upstream = await mockCalls(id);
    expect(upstream.requests.map((r) => r.headers['traceparent'])).toEqual(attempts.map((s) => `00-${traceId}-${s.spanId}-01`));
  });

  it('starts a trace of its own when the caller sends none (or an invalid one), and says which in traceresponse', async () => {
    for (const header of [undefined, 'not-a-traceparent', `00-${'0'.repeat(32)}-${randomHex(8)}-01`]) {
      const response = await call('/v1/chat/completions', {
        json: chatBody().body,
        env: EXPORTING,
        ...(header ? { headers: { traceparent: header } } : {}),
      });
      const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(response.headers.get('traceresponse') ?? '') ?? [];
      expect(traceId).toBeDefined();
      const { spans } = await received(traceId!);
      const server = spans.find((s) => s.kind === 2)!;
      expect(server.spanId).toBe(spanId);
      expect(server.parentSpanId).toBeUndefined();
    }
  });

  it('exports a stream once its body has ended, with the usage it reported', async () => {
    const traceId = randomHex(16);
    const response = await call('/v1/chat/completions', {
      json: chatBody({}, { stream: true, stream_options: { include_usage: true } }).body,
      env: EXPORTING,
      headers: { traceparent: `00-${traceId}-${randomHex(8)}-01` },
    });
    const text = await response.text();
    await settled(response);
    const usage = JSON.parse(
      text
        .split('\n\n')
        .filter((b) => b.includes('"usage":{'))
        .at(-1)!
        .slice(6),
    ).usage;
    const server = (await received(traceId)).spans.find((s) => s.kind === 2)!;
    expect(attrs(server)).toMatchObject({
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gateway.outcome': 'ok',
    });
  });

  it('gives a tool loop one client span per model step and one execute_tool span per server tool run, between them', async () => {
    const { model } = await scenario({
      steps: [
        {
          tool_calls: [
            { name: 'calculate', arguments: { expression: '2+2' } },
            { name: 'calculate', arguments: { expression: '1/' } },
          ],
        },
        { content: 'It is 4.' },
      ],
    });
    const traceId = randomHex(16);
    const response = await call('/chat', {
      json: { prompt: 'What is 2+2?', model, tools: ['calculate'] },
      env: EXPORTING,
      headers: { traceparent: `00-${traceId}-${randomHex(8)}-01` },
    });
    expect(response.status).toBe(200);
    const { spans } = await received(traceId);
    const server = spans.find((s) => s.kind === 2)!;
    const steps = spans.filter((s) => s.kind === 3);
    const tools = spans.filter((s) => s.kind === 1);
    expect(steps).toHaveLength(2);
    expect(tools.map((s) => s.name)).toEqual(['execute_tool calculate', 'execute_tool calculate']);
    for (const tool of tools) {
      expect(tool.parentSpanId).toBe(server.spanId);
      expect(attrs(tool)).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'calculate',
        'gen_ai.tool.type': 'function',
      });
      // Each tool ran after the first model step ended and before the second began.
      expect(BigInt(tool.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(steps[0]!.endTimeUnixNano) - 1_000_000n);
      expect(BigInt(tool.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(steps[1]!.startTimeUnixNano) + 1_000_000n);
    }
    // The one that failed (a bad expression) says so; the other does not.
    expect(tools.map((s) => s.status.code).sort()).toEqual([0, 2]);
    expect(new Set(tools.map((s) => attrs(s)['gen_ai.tool.call.id'])).size).toBe(2);
  });

  it("follows the caller's unsampled flag: nothing exported, the caller's traceparent passed upstream as it came", async () => {
    const traceId = randomHex(16);
    const header = `00-${traceId}-${randomHex(8)}-00`;
    const { id, body } = chatBody();
    const response = await call('/v1/chat/completions', { json: body, env: EXPORTING, headers: { traceparent: header } });
    expect(response.status).toBe(200);
    expect(response.headers.get('traceresponse')).toBeNull();
    expect((await received(traceId)).spans).toEqual([]);
    expect((await mockCalls(id)).requests[0]!.headers['traceparent']).toBe(header);
  });

  it("without an endpoint exports nothing and sends upstream the caller's own traceparent; without one, none", async () => {
    const traceId = randomHex(16);
    const header = `00-${traceId}-${randomHex(8)}-01`;
    const traced = chatBody();
    await call('/v1/chat/completions', { json: traced.body, headers: { traceparent: header } });
    expect((await mockCalls(traced.id)).requests[0]!.headers['traceparent']).toBe(header);
    expect((await received(traceId)).spans).toEqual([]);
    const plain = chatBody();
    const response = await call('/v1/chat/completions', { json: plain.body });
    expect(response.headers.get('traceresponse')).toBeNull();
    expect((await mockCalls(plain.id)).requests[0]!.headers['traceparent']).toBeUndefined();
  });

  it('puts no secret in an export, even from an upstream error that echoes one or a model name that carries one', async () => {
    const { app } = scriptedApp();
    const traceId = randomHex(16);
    const echo = { error: { message: `bad key ${UPSTREAM_KEY} and ${COLLECTOR_TOKEN}`, type: 'server_error' } };
    const response = await call('/v1/chat/completions', {
      app,
      json: chatBody({ status: 500, body: echo }, { model: `openai/gpt-4o-mini-${COLLECTOR_TOKEN}` }).body,
      env: EXPORTING,
      headers: { traceparent: `00-${traceId}-${randomHex(8)}-01` },
    });
    expect(response.status).toBe(500);
    const { spans } = await received(traceId);
    const server = spans.find((s) => s.kind === 2)!;
    expect(server.status).toMatchObject({ code: 2, message: expect.stringContaining('bad key') });
    const text = JSON.stringify(spans);
    expect(text).not.toContain(UPSTREAM_KEY);
    expect(text).not.toContain(COLLECTOR_TOKEN);
  });

  it("leaves a caller's 400 unset on the server span, with error.type saying what happened", async () => {
    const traceId = randomHex(16);
    const response = await call('/v1/chat/completions', {
      json: chatBody({ status: 400 }).body,
      env: EXPORTING,
      headers: { traceparent: `00-${traceId}-${randomHex(8)}-01` },
    });
    expect(response.status).toBe(400);
    const server = (await received(traceId)).spans.find((s) => s.kind === 2)!;
    expect(server.status.code).toBe(0);
    expect(attrs(server)).toMatchObject({ 'http.response.status_code': 400, 'error.type': expect.any(String) });
  });

  it('refuses a bad endpoint or header list as a config_error naming the variable, never echoing a header value', async () => {
    const bad = await call('/v1/models', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' } });
    expect(bad.status).toBe(500);
    expect(JSON.stringify(await bad.json())).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    const headers = await call('/v1/models', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: mockUrl, OTEL_EXPORTER_OTLP_HEADERS: 'secret-value-no-name-123' },
    });
    expect(headers.status).toBe(500);
    const text = JSON.stringify(await headers.json());
    expect(text).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(text).not.toContain('secret-value-no-name-123');
  });
});
