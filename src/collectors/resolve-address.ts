import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CollectorError, errorMessage } from '../core/errors.js';

/**
 * The IP address of a target, resolved at poll time so a DNS change is seen.
 * An unresolvable name is a collector error naming the target, never a crash.
 */
export async function resolveAddress(collector: string, targetName: string, address: string): Promise<string> {
  if (isIP(address)) return address;
  try {
    return (await lookup(address)).address;
  } catch (err) {
    throw new CollectorError(collector, 'resolve',
      `target "${targetName}": cannot resolve address "${address}": ${errorMessage(err)}`, { target: targetName });
  }
}
