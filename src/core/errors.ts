/**
 * Errors carry a stable code and the context an operator needs to act:
 * which target, which OID, which config key. Messages never include secrets.
 */
export class KpidError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'KpidError';
  }
}

/**
 * A collector could not measure. `reason` becomes the label of
 * kpid_collector_errors_total, so it is a short fixed word (timeout, refused,
 * resolve, auth, fping_missing, ...), never free text.
 */
export class CollectorError extends KpidError {
  constructor(
    readonly collector: string,
    readonly reason: string,
    message: string,
    context: Readonly<Record<string, string | number>> = {},
    /** Samples measured before the failure; they are still published. */
    readonly samples: readonly import('./sample.js').Sample[] = [],
  ) {
    super(`collector_${reason}`, message, context);
    this.name = 'CollectorError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
