import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import type { ClusterMetrics } from '../metrics/cluster-metrics.js';
import type { LeaseRegistry } from './leases.js';
import { ownerOf } from './rendezvous.js';

/** How long after a lease's expiry to look, ms: covers Redis' clock running a little ahead of the timer. */
const EXPIRY_MARGIN = 25;

export interface ClusterOwnershipOptions {
  /** This instance's member id. */
  readonly id: string;
  readonly registry: LeaseRegistry;
  readonly clock: Clock;
  /** Lease lifetime without a heartbeat, ms. */
  readonly leaseTtl: number;
  /** Heartbeat period, ms (at most leaseTtl / 3). */
  readonly heartbeat: number;
  /**
   * How long a member that (re)joins waits before it takes new targets, ms:
   * long enough for every other member to have heartbeated, seen it, and
   * stopped polling what is now its share. Default heartbeat + max(250, heartbeat / 2).
   */
  readonly settle?: number;
  /** Called with the targets this instance must poll whenever that set (or a target's definition) changes. */
  readonly onChange: (owned: readonly Target[]) => void;
  readonly metrics?: ClusterMetrics;
  readonly log?: Logger;
}

/**
 * Which targets this instance polls. Every heartbeat renews this member's
 * lease and reads the live members; each target belongs to its rendezvous
 * winner among them. A member drops a target the moment it sees it is no
 * longer the winner, but takes a new one only once it has been a member
 * for `settle` — so when an instance joins, the others have let go of its
 * share before it starts polling, and no target is polled twice. When a
 * member dies, its lease expires leaseTtl after its last heartbeat, and the
 * survivors look again right then (each heartbeat says when the next lease
 * could lapse), so they take its targets within leaseTtl of its death. When Redis is unreachable nothing
 * changes: the instance keeps polling what it last owned.
 */
export class ClusterOwnership {
  private targets: readonly Target[] = [];
  private members: readonly string[] = [];
  private owned = new Set<string>();
  /** When this member may take targets it did not already have. */
  private eligibleAt = Infinity;
  private timer: TimerHandle | undefined;
  private running = false;
  private redisUp = false;
  private failing = false;
  private nextExpiryIn = Infinity;
  private beating: Promise<void> = Promise.resolve();
  private readonly settle: number;

  constructor(private readonly o: ClusterOwnershipOptions) {
    this.settle = o.settle ?? o.heartbeat + Math.max(250, o.heartbeat / 2);
  }

  /** Heartbeats once (a failure is reported, not thrown) and keeps heartbeating. */
  async start(): Promise<void> {
    this.running = true;
    await this.beat();
  }

  /** The full configured target list; this instance's share goes to onChange. */
  setTargets(targets: readonly Target[]): void {
    this.targets = targets;
    this.recompute(true);
  }

  ownedTargets(): Target[] {
    return this.targets.filter((t) => this.owned.has(t.name));
  }

  liveMembers(): readonly string[] {
    return this.members;
  }

  get isRedisUp(): boolean {
    return this.redisUp;
  }

  /** Stops heartbeating and gives the lease up, so the others take the targets at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.beating;
    try {
      await this.o.registry.leave(this.o.id);
    } catch (err) {
      this.o.log?.warn({ err: errorMessage(err) }, 'could not give up the cluster lease; it expires by itself');
    }
  }

  private beat(): Promise<void> {
    this.beating = this.heartbeatOnce().finally(() => {
      // Look again when the next lease could lapse, if that is before the next heartbeat: a dead member's targets move ~lease_ttl after its last heartbeat, not a heartbeat later.
      const next = Math.min(this.o.heartbeat, this.nextExpiryIn + EXPIRY_MARGIN);
      if (this.running) this.timer = this.o.clock.setTimeout(() => void this.beat(), next);
    });
    return this.beating;
  }

  private async heartbeatOnce(): Promise<void> {
    try {
      const hb = await this.o.registry.heartbeat(this.o.id, this.o.leaseTtl);
      if (!this.running) return;
      if (this.failing) this.o.log?.info({ members: hb.members.length }, 'cluster heartbeat reaches Redis again');
      this.failing = false;
      this.setRedisUp(true);
      if (hb.rejoined) {
        this.eligibleAt = this.o.clock.now() + this.settle;
        this.o.log?.info({ member: this.o.id, settleMs: this.settle }, 'joined the cluster; taking targets once the others have let go');
        // Take the share when the settle time is over, not only at the heartbeat after it.
        this.o.clock.setTimeout(() => this.running && this.recompute(false), this.settle);
      }
      this.members = hb.members;
      this.nextExpiryIn = hb.nextExpiryIn;
      this.o.metrics?.members.set(hb.members.length);
      this.recompute(false);
    } catch (err) {
      // Once per outage, not once per heartbeat.
      if (!this.failing) this.o.log?.error({ err: errorMessage(err), owned: this.owned.size }, 'cluster heartbeat failed; keeping the targets last owned');
      this.failing = true;
      this.setRedisUp(false);
    }
  }

  private setRedisUp(up: boolean): void {
    this.redisUp = up;
    this.o.metrics?.redisUp.set(up ? 1 : 0);
  }

  private recompute(targetsChanged: boolean): void {
    const mayTake = this.o.clock.now() >= this.eligibleAt;
    const next = new Set<string>();
    for (const t of this.targets) {
      if (ownerOf(t.name, this.members) !== this.o.id) continue;
      if (this.owned.has(t.name) || mayTake) next.add(t.name);
    }
    const gained = [...next].filter((n) => !this.owned.has(n)).length;
    const lost = [...this.owned].filter((n) => !next.has(n)).length;
    this.owned = next;
    this.o.metrics?.ownedTargets.set(next.size);
    if (gained || lost) this.o.log?.info({ gained, lost, owned: next.size, members: this.members.length }, 'cluster targets handed over');
    if (gained || lost || targetsChanged) this.o.onChange(this.ownedTargets());
  }
}
