/** `GET /health`: answers when the Worker and its configuration are up. */
export function health(): Response {
  return Response.json({ status: 'ok' });
}
