// The `GET /models` answer: a fixed list, in OpenAI's list shape.

const MODEL_IDS = ['mock-model', 'mock-model-large', 'gpt-4o-mini', 'gpt-4.1-nano'];
const CREATED = 1_700_000_000;

export const MODELS_BODY = JSON.stringify({
  object: 'list',
  data: MODEL_IDS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'mock-upstream' })),
});
