import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing: a target belongs to the member
 * whose hash of (member, target) is highest. Every instance computes the same
 * answer from the same member list with no coordination, and when a member
 * joins or leaves only the targets it wins or held move; every other target
 * stays where it was.
 */
export function ownerOf(target: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const m of members) {
    const w = weight(m, target);
    // Ties (astronomically unlikely) go to the smaller id so every instance agrees.
    if (w > bestWeight || (w === bestWeight && best !== undefined && m < best)) {
      best = m;
      bestWeight = w;
    }
  }
  return best;
}

/** The targets `member` owns among `targets`, in their given order. */
export function ownedBy<T>(member: string, members: readonly string[], targets: readonly T[], name: (t: T) => string): T[] {
  return targets.filter((t) => ownerOf(name(t), members) === member);
}

/** 64 bits of SHA-256 over member and target; stable across processes, versions and machines. */
function weight(member: string, target: string): bigint {
  return createHash('sha256').update(member).update('\u0000').update(target).digest().readBigUInt64BE(0);
}
