/** Removes secrets from text that came from a server or a library, before it is logged or kept. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('[secret]');
  return out;
}
