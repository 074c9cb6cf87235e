import { cacheKey } from '../../cache/cache-key.ts';
import { cachePolicy, cacheScope } from '../../cache/cache-policy.ts';
import { ResponseCache } from '../../cache/response-cache.ts';
import type { RequestContext } from '../../http/context.ts';
import type { Target } from '../../providers/target.ts';
import type { EmbeddingsAnswer } from '../../wire/openai-embeddings/answer.ts';

/** What is stored per embeddings answer in KV. */
interface EmbeddingsEntry {
  readonly embeddings: EmbeddingsAnswer;
  /** The `provider/model` that answered. */
  readonly model: string;
  /** Wall-clock ms when it was stored, for the `age` header. */
  readonly storedAt: number;
}

/** One request's view of the KV cache: its entry, read if the request allows it, written after the client has its answer. */
export interface EmbeddingsStore {
  readonly read: () => Promise<{ answer: EmbeddingsAnswer; ageSeconds: number } | null>;
  readonly write: (answer: EmbeddingsAnswer) => void;
}

/**
 * The cache for an embeddings request under the same controls as chat (CACHE_MODE, Cache-Control, TTLs, scope per
 * key), every embedding counting as deterministic; undefined when it is bypassed. The key is the chat cache's
 * derivation over the upstream body (`user` ignored); an embeddings body never has chat's `messages`, so the two never meet.
 */
export async function embeddingsCache(
  rc: RequestContext,
  target: Target,
  body: Record<string, unknown>,
): Promise<EmbeddingsStore | undefined> {
  const kv = rc.env.CACHE as KVNamespace | undefined;
  const policy = kv && cachePolicy(rc.config.cache, body, rc.request.headers, true);
  if (!kv || !policy) return undefined;
  const store = new ResponseCache<EmbeddingsEntry>(kv, (value) => 'embeddings' in value);
  const key = await cacheKey(cacheScope(rc.config.cache, rc.caller.keyHash), target.id, body);
  const { clock } = rc.deps;
  const log = (line: Record<string, unknown>) => console.log(JSON.stringify({ ...line, request_id: rc.requestId }));
  return {
    read: async () => {
      const hit = policy.read ? await store.get(key) : null;
      return hit && { answer: hit.embeddings, ageSeconds: Math.max(0, Math.floor((clock.wallNow() - hit.storedAt) / 1000)) };
    },
    write: (answer) => {
      if (!policy.write) return;
      rc.exec.waitUntil(
        store.put(key, { embeddings: answer, model: target.id, storedAt: clock.wallNow() }, policy.ttl).then(
          (skipped) => skipped && log({ event: 'cache_skip', reason: skipped }),
          (error: unknown) => log({ event: 'cache_write_failed', error: String(error) }),
        ),
      );
    },
  };
}
