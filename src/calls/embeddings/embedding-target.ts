import { invalidField } from '../../errors.ts';
import { locateModel, type ModelDirectory, resolveModel } from '../../providers/resolve-model.ts';
import type { Target } from '../../providers/target.ts';

/**
 * The Target of an embedding model (aliases and `provider/model` as for chat): 400 naming the providers that
 * serve embeddings when its provider does not (whether or not it is configured here), then as `resolveModel`.
 * @example embeddingTarget('openai/text-embedding-3-small', config).id // 'openai/text-embedding-3-small'
 */
export function embeddingTarget(name: string, config: ModelDirectory): Target {
  const located = locateModel(name, config);
  if (!located.provider.spec.embeddings) {
    const serving = [...config.providers.values()].filter((p) => p.spec.embeddings).map((p) => p.spec.name);
    throw invalidField(
      'model',
      `Provider ${located.provider.spec.name} (model ${located.id}) has no embeddings endpoint; providers with embeddings: ${serving.join(', ')}.`,
      'invalid_value',
    );
  }
  return resolveModel(name, config);
}
