/** Replaces every configured secret's exact value in a text that is about to leave the gateway (a response, a log line). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}
