import { embed } from '../calls/embeddings/embed.ts';
import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { decodeEmbeddingsRequest } from '../wire/openai-embeddings/request.ts';

/** `POST /v1/embeddings`: OpenAI's embeddings in and out (float or base64, as asked), for providers that serve them. */
export async function embeddings(request: Request, rc: RequestContext): Promise<Response> {
  const body = decodeEmbeddingsRequest(await readJsonObject(request, rc.config.maxBodyBytes));
  const { answer, headers } = await embed(rc, body);
  return Response.json(answer, { headers });
}
