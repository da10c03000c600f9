/**
 * Where people reach kpid from a message. With `server.public_url` every
 * link is built from it (a phone can open it). Without one, messages say how
 * to ack from the kpid host itself, at the address the daemon really
 * listens on: a link to 127.0.0.1 would only mislead someone on a phone.
 */
export interface Links {
  /** `server.public_url`, without a trailing slash; absent when not configured. */
  readonly publicUrl?: string;
  /** The daemon's own listen address as a URL reachable on its host, e.g. http://127.0.0.1:9464. */
  readonly localUrl: string;
  /**
   * Signs a one-tap ack code for an alert fingerprint or outage id
   * (src/alerts/ack-code.ts); absent in tests and tools that send no links.
   */
  readonly ackCode?: (id: string) => string | undefined;
}

/**
 * The one-tap ack link, `<public_url>/a/<code>`: opened on a phone, it shows
 * what will be acked and one button. Only with a public URL: a link to the
 * kpid host would not open on a phone.
 */
export function ackLink(id: string, links: Links): string | undefined {
  const code = links.publicUrl ? links.ackCode?.(id) : undefined;
  return code ? `${links.publicUrl}/a/${code}` : undefined;
}

/** The base for API links: the public URL, or the one on the kpid host. */
export function apiBase(links: Links): string {
  return links.publicUrl ?? links.localUrl;
}

/** The ack command an on-call engineer can paste; `where` says on which machine it works. */
export function ackInstruction(fingerprint: string, links: Links): { where: string; command: string } {
  const url = `${apiBase(links)}/api/v1/alerts/${fingerprint}/ack`;
  return {
    where: links.publicUrl ? '' : 'on the kpid host: ',
    command: `curl -X POST -H "Authorization: Bearer $KPID_API_TOKEN" -d '{"by":"on-call"}' ${url}`,
  };
}

/**
 * The listen address as a URL that works on the host: a wildcard listen
 * (0.0.0.0, ::) is reached through loopback there.
 */
export function localUrlOf(address: { host: string; port: number }): string {
  const host = address.host === '0.0.0.0' || address.host === '' ? '127.0.0.1'
    : address.host === '::' ? '[::1]'
      : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}

export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
