import { describe, expect, it } from 'vitest';
import { ownedBy, ownerOf } from './rendezvous.js';

const targets = Array.from({ length: 3000 }, (_, i) => `router-${i}`);
const assign = (members: string[]) => new Map(targets.map((t) => [t, ownerOf(t, members)]));

describe('rendezvous hashing of targets over live members', () => {
  it('gives every target exactly one owner, the same whatever the member order', () => {
    const a = assign(['kpid-a', 'kpid-b', 'kpid-c']);
    const b = assign(['kpid-c', 'kpid-a', 'kpid-b']);
    expect(b).toEqual(a);
    for (const owner of a.values()) expect(['kpid-a', 'kpid-b', 'kpid-c']).toContain(owner);
  });

  it('spreads targets evenly: each of 3 members gets a third, within 5%', () => {
    const counts = new Map<string, number>();
    for (const o of assign(['kpid-a', 'kpid-b', 'kpid-c']).values()) counts.set(o!, (counts.get(o!) ?? 0) + 1);
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(50);
  });

  it('when a member dies only its targets move, and they spread over the survivors', () => {
    const before = assign(['kpid-a', 'kpid-b', 'kpid-c']);
    const after = assign(['kpid-a', 'kpid-c']);
    const moved = targets.filter((t) => before.get(t) !== after.get(t));
    expect(moved.length).toBe(targets.filter((t) => before.get(t) === 'kpid-b').length);
    expect(moved.every((t) => before.get(t) === 'kpid-b')).toBe(true);
    const toA = moved.filter((t) => after.get(t) === 'kpid-a').length;
    expect(toA / moved.length).toBeGreaterThan(0.4);
    expect(toA / moved.length).toBeLessThan(0.6);
  });

  it('when a member joins it takes only its share, and only from others', () => {
    const before = assign(['kpid-a', 'kpid-b', 'kpid-c']);
    const after = assign(['kpid-a', 'kpid-b', 'kpid-c', 'kpid-d']);
    const moved = targets.filter((t) => before.get(t) !== after.get(t));
    expect(moved.every((t) => after.get(t) === 'kpid-d')).toBe(true);
    expect(Math.abs(moved.length - 750)).toBeLessThan(60);
  });

  it('has no owner with no members, and one member owns everything', () => {
    expect(ownerOf('router-1', [])).toBeUndefined();
    expect(ownedBy('solo', ['solo'], targets, (t) => t)).toHaveLength(targets.length);
  });
});
