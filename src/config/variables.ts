import { PROVIDERS } from '../providers/catalog.ts';

/** One configuration variable: every var and secret the gateway reads is a row here (the README table and .dev.vars.example are checked against it). */
export interface VariableSpec {
  readonly name: string;
  readonly secret: boolean;
  readonly default: string;
  readonly description: string;
}

const core: VariableSpec[] = [
  { name: 'GATEWAY_API_KEYS', secret: true, default: '', description: 'Comma-separated keys clients send as `Authorization: Bearer <key>`.' },
  { name: 'ALLOW_ANONYMOUS', secret: false, default: 'false', description: '"true" lets requests without a key through (local development only).' },
  { name: 'ALLOWED_ORIGINS', secret: false, default: '', description: 'Comma-separated browser origins allowed by CORS; `*` for any; empty for none.' },
  { name: 'DEFAULT_PROVIDER', secret: false, default: 'openai', description: 'Provider for a model named without `provider/`.' },
  { name: 'DEFAULT_MODEL', secret: false, default: 'openai/gpt-4o-mini', description: 'Model used when a request names none.' },
  { name: 'MODEL_ALIASES', secret: false, default: '{}', description: 'JSON object mapping short names to `provider/model`.' },
  { name: 'MAX_BODY_BYTES', secret: false, default: '1048576', description: 'Largest request body accepted (413 above it).' },
];

const providers: VariableSpec[] = PROVIDERS.flatMap((p) => {
  const rows: VariableSpec[] = [];
  if (p.keyVar) rows.push({ name: p.keyVar, secret: true, default: '', description: `API key for the \`${p.name}\` provider.` });
  rows.push({ name: p.baseUrlVar, secret: false, default: p.defaultBaseUrl, description: p.client === 'azure' ? 'Azure OpenAI endpoint, e.g. `https://my-resource.openai.azure.com`.' : `Base URL of the \`${p.name}\` OpenAI-compatible API.` });
  return rows;
});

const providerExtras: VariableSpec[] = [
  { name: 'OLLAMA_API_KEY', secret: true, default: '', description: 'Optional key for an Ollama behind a proxy that wants one.' },
  { name: 'AZURE_OPENAI_API_VERSION', secret: false, default: '2024-10-21', description: 'The `api-version` query parameter sent to Azure OpenAI.' },
  { name: 'CLOUDFLARE_ACCOUNT_ID', secret: false, default: '', description: 'Account whose Workers AI OpenAI-compatible endpoint serves `workers-ai/...` models.' },
];

export const VARIABLES: readonly VariableSpec[] = [...core, ...providers, ...providerExtras];

const known = new Map(VARIABLES.map((v) => [v.name, v]));

/** Reads one variable by name, falling back to its default; only names in VARIABLES can be read. */
export function readVariable(env: object, name: string): string {
  const spec = known.get(name);
  if (!spec) throw new Error(`readVariable: ${name} is not declared in config/variables.ts`);
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : spec.default;
}
