import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';
import { type ProxiedExchange, startRecordingProxy } from './support/recording-proxy.ts';
import { installedBin, runCli } from './support/run-cli.ts';

// The coding CLIs as their users run them, unchanged (their npm packages, devDependencies here), non-interactive,
// against the running gateway with a model of another provider (`openai/…` at the mock upstream). A recording
// proxy in front of the gateway keeps what each CLI sent and the status it got; the mock keeps what the gateway
// translated it to.
const claude = installedBin('claude');
const codex = installedBin('codex');

const modelCalls = (exchanges: ProxiedExchange[], path: string) =>
  exchanges
    .filter((e) => e.method === 'POST' && e.url.startsWith(path))
    .map((e) => ({ ...e, json: JSON.parse(e.body) as Record<string, unknown> }));

describe('the coding CLIs through the gateway, on an openai/ model at the mock', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let home: string;
  beforeAll(async () => {
    if (!claude && !codex) return;
    home = mkdtempSync(join(tmpdir(), 'gateway-clis-'));
    gateway = await startGateway(NO_GATEWAY_RETRIES);
    proxy = await startRecordingProxy(gateway.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await gateway?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** `claude -p` as a user runs it against the gateway (docs/surfaces.md), in a fresh HOME. */
  async function runClaude(model: string, prompt: string, dir = mkdtempSync(join(home, 'claude-'))) {
    return runCli(
      claude!,
      ['-p', prompt, '--model', model],
      {
        HOME: dir,
        ANTHROPIC_BASE_URL: proxy.url,
        ANTHROPIC_AUTH_TOKEN: GATEWAY_KEY,
        // Its background work (titles, summaries) uses the "haiku" model: the same one here.
        ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
      dir,
    );
  }

  /** `codex exec` as a user runs it against the gateway (docs/surfaces.md), with a fresh CODEX_HOME. */
  async function runCodex(model: string, prompt: string) {
    const dir = mkdtempSync(join(home, 'codex-'));
    // The setup of docs/surfaces.md. Two of Codex's defaults are tools only OpenAI runs, which the gateway refuses
    // (400 naming them): hosted web search, and its sub-agent tools grouped in a `namespace` tool.
    writeFileSync(
      join(dir, 'config.toml'),
      [
        `model = "${model}"`,
        'model_provider = "gateway"',
        'web_search = "disabled"',
        '',
        '[model_providers.gateway]',
        'name = "gateway"',
        `base_url = "${proxy.url}/v1"`,
        'env_key = "GATEWAY_KEY"',
        'wire_api = "responses"',
        '',
        '[features]',
        'multi_agent = false',
        '',
      ].join('\n'),
    );
    return runCli(codex!, ['exec', '--skip-git-repo-check', '-C', dir, prompt], { HOME: dir, CODEX_HOME: dir, GATEWAY_KEY }, dir);
  }

  it.skipIf(!claude)(
    `Claude Code (claude -p) answers with the mock's text; its Messages requests (dozens of tools, cache_control, anthropic-beta, a system turn mid-conversation) all get 2xx${claude ? '' : ' — SKIPPED: node_modules/.bin/claude is absent (npm install @anthropic-ai/claude-code)'}`,
    async () => {
      const { model, id } = await scenario({ content: 'Hi from the mock, via Claude Code.' });
      proxy.exchanges.length = 0;
      const run = await runClaude(model, 'say hi');
      expect(run, run.stderr).toMatchObject({ code: 0 });
      expect(run.stdout.trim()).toBe('Hi from the mock, via Claude Code.');

      expect(proxy.exchanges.map((e) => `${e.method} ${e.url} ${e.status}`).filter((line) => !/ 2\d\d$/.test(line))).toEqual([]);
      const sent = modelCalls(proxy.exchanges, '/v1/messages');
      expect(sent.length).toBeGreaterThan(0);
      const request = sent.find((s) => s.url === '/v1/messages?beta=true')!;
      expect(request.headers['anthropic-beta']).toMatch(/claude-code-/);
      expect(request.headers['anthropic-version']).toBe('2023-06-01');
      expect((request.json['tools'] as unknown[]).length).toBeGreaterThanOrEqual(20);
      expect(request.body).toContain('"cache_control":{"type":"ephemeral"');
      expect(request.json['stream']).toBe(true);
      const turns = request.json['messages'] as { role: string }[];
      expect(turns.slice(1).some((t) => t.role === 'system')).toBe(true);

      // Translated for the openai/ model: every tool as a function, cache_control dropped, streamed with usage.
      const calls = await mockCalls(id);
      expect(calls.count).toBe(sent.length);
      const upstream = calls.requests[0]!.body;
      expect(upstream['tools']).toHaveLength((request.json['tools'] as unknown[]).length);
      expect(JSON.stringify(upstream)).not.toContain('cache_control');
      expect(upstream).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    },
  );

  it.skipIf(!codex)(
    `the Codex CLI (codex exec) answers with the mock's text; its Responses requests (developer items, include reasoning.encrypted_content, store:false, tools) all get 2xx${codex ? '' : ' — SKIPPED: node_modules/.bin/codex is absent (npm install @openai/codex)'}`,
    async () => {
      const { model, id } = await scenario({ content: 'Hi from the mock, via Codex.' });
      proxy.exchanges.length = 0;
      const run = await runCodex(model, 'say hi');
      expect(run, run.stderr).toMatchObject({ code: 0 });
      expect(run.stdout.trim()).toBe('Hi from the mock, via Codex.');

      expect(proxy.exchanges.map((e) => `${e.method} ${e.url} ${e.status}`).filter((line) => !/ 2\d\d$/.test(line))).toEqual([]);
      const sent = modelCalls(proxy.exchanges, '/v1/responses');
      expect(sent.length).toBeGreaterThan(0);
      const request = sent[0]!.json;
      expect(request).toMatchObject({ stream: true, store: false, include: ['reasoning.encrypted_content'] });
      const items = request['input'] as { type: string; role?: string }[];
      expect(items.some((i) => i.type === 'message' && i.role === 'developer')).toBe(true);
      const tools = request['tools'] as { type: string }[];
      expect(tools.length).toBeGreaterThan(3);
      expect(request['client_metadata']).toBeTypeOf('object');

      // Stateless (store:false) to an openai/ model: passed through to OpenAI's Responses API as Codex sent it, model replaced.
      const calls = await mockCalls(id);
      expect(calls.count).toBe(sent.length);
      expect(calls.requests[0]!.url).toBe('/v1/responses');
      const upstream = calls.requests[0]!.body;
      expect(upstream).toEqual({ ...request, model: model.slice('openai/'.length) });
      expect(upstream['tools']).toHaveLength(tools.length);
    },
  );

  it.skipIf(!claude)(
    `Claude Code runs a tool the model calls and sends its result back through the gateway${claude ? '' : ' — SKIPPED: node_modules/.bin/claude is absent'}`,
    async () => {
      const dir = mkdtempSync(join(home, 'claude-'));
      writeFileSync(join(dir, 'notes.txt'), 'The gateway speaks Messages.');
      const input = { file_path: join(dir, 'notes.txt') };
      const { model, id } = await scenario({
        steps: [{ tool_calls: [{ id: 'toolu_read_1', name: 'Read', arguments: input }] }, { content: 'The notes say it speaks Messages.' }],
      });
      proxy.exchanges.length = 0;
      const run = await runClaude(model, 'what do my notes say?', dir);
      expect(run, run.stderr).toMatchObject({ code: 0 });
      expect(run.stdout.trim()).toBe('The notes say it speaks Messages.');
      expect(proxy.exchanges.filter((e) => e.status < 200 || e.status >= 300)).toEqual([]);

      const sent = modelCalls(proxy.exchanges, '/v1/messages');
      expect(sent).toHaveLength(2);
      const turns = sent[1]!.json['messages'] as { role: string; content: unknown }[];
      expect(turns).toContainEqual({
        role: 'assistant',
        content: [expect.objectContaining({ type: 'tool_use', id: 'toolu_read_1', name: 'Read', input })],
      });
      const blocks = turns.flatMap((t) => (Array.isArray(t.content) ? (t.content as Record<string, unknown>[]) : []));
      const result = blocks.find((b) => b['type'] === 'tool_result');
      expect(result).toMatchObject({ tool_use_id: 'toolu_read_1' });
      expect(result).not.toHaveProperty('is_error');
      expect(JSON.stringify(result)).toContain('The gateway speaks Messages.');
      const upstream = (await mockCalls(id)).requests[1]!.body['messages'] as Record<string, unknown>[];
      const toolMessage = upstream.find((m) => m['role'] === 'tool');
      expect(toolMessage).toMatchObject({ tool_call_id: 'toolu_read_1', content: expect.stringContaining('The gateway speaks Messages.') });
    },
  );

  it.skipIf(!codex)(
    `the Codex CLI runs a command the model calls and sends its output back through the gateway${codex ? '' : ' — SKIPPED: node_modules/.bin/codex is absent'}`,
    async () => {
      const { model, id } = await scenario({
        steps: [
          { tool_calls: [{ id: 'call_exec_1', name: 'exec_command', arguments: { cmd: 'echo gateway-ok' } }] },
          { content: 'It printed gateway-ok.' },
        ],
      });
      proxy.exchanges.length = 0;
      const run = await runCodex(model, 'run echo gateway-ok');
      expect(run, run.stderr).toMatchObject({ code: 0 });
      expect(run.stdout.trim()).toBe('It printed gateway-ok.');
      expect(proxy.exchanges.filter((e) => e.status < 200 || e.status >= 300)).toEqual([]);

      const sent = modelCalls(proxy.exchanges, '/v1/responses');
      expect(sent).toHaveLength(2);
      const items = sent[1]!.json['input'] as Record<string, unknown>[];
      expect(items).toContainEqual(expect.objectContaining({ type: 'function_call', call_id: 'call_exec_1', name: 'exec_command' }));
      expect(items).toContainEqual(expect.objectContaining({ type: 'function_call_output', call_id: 'call_exec_1' }));
      // Passed through natively (store:false to an openai/ model): the command's output reaches OpenAI as Codex's own item.
      const upstream = (await mockCalls(id)).requests[1]!.body['input'] as Record<string, unknown>[];
      expect(upstream.find((item) => item['type'] === 'function_call_output')).toMatchObject({
        call_id: 'call_exec_1',
        output: expect.stringContaining('gateway-ok'),
      });
    },
  );
});
