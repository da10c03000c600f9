/**
 * Which links kpid has ever seen operationally up, kept across restarts. A
 * link never seen up is an unused port and pages nobody (docs/rules.md,
 * "Monitored links"). The SNMP collector reads and adds to it; the state
 * store keeps it (SQLite, or Redis in a cluster, so the instance that takes
 * a target over knows its links too). The key is the collector's own.
 */
export interface LinksSeenUp {
  linksSeenUp(): Promise<string[]>;
  /** Idempotent: recording a link twice keeps the first time. */
  rememberLinkSeenUp(link: string, at: number): Promise<void>;
}
