import type { Config } from '../config/config.ts';
import type { Wire } from '../providers/catalog.ts';
import { locateModel } from '../providers/resolve-model.ts';
import { type MaxTokensField, maxTokensField } from '../tokens/max-tokens.ts';

/** What a surface's decoder needs to know of the model asked for, before any call: its wire, whether it reasons, its output-limit field. */
export interface ModelTraits {
  /** The provider's wire: a request in the same wire passes through natively. */
  readonly wire: Wire;
  /** Whether the model reasons (it takes `max_completion_tokens`, and reasoning settings). */
  readonly reasoning: boolean;
  readonly maxTokensField: MaxTokensField;
}

/** The traits of a requested model (an alias, `provider/model` or a bare name); no provider key needed. */
export function modelTraits(model: string, config: Config): ModelTraits {
  const target = locateModel(model, config);
  const field = maxTokensField(target.model);
  return { wire: target.provider.spec.wire, reasoning: field === 'max_completion_tokens', maxTokensField: field };
}
