/**
 * Channels beyond an alert's routes that were told it fires (an escalation
 * tier, the managers at an SLA breach): they hear its end too.
 */
export class ToldBeyondRoutes {
  /** Fingerprint → channel → the receiver it was told as. */
  private readonly told = new Map<string, Map<string, string>>();

  remember(fingerprint: string, channels: readonly string[], receiver: string): void {
    const told = this.told.get(fingerprint) ?? new Map<string, string>();
    for (const c of channels) if (!told.has(c)) told.set(c, receiver);
    this.told.set(fingerprint, told);
  }

  has(fingerprint: string): boolean {
    return this.told.has(fingerprint);
  }

  /** The channels told of the alert, forgotten now that it ends. */
  take(fingerprint: string): string[] {
    const told = this.told.get(fingerprint);
    this.told.delete(fingerprint);
    return told ? [...told.keys()] : [];
  }
}
