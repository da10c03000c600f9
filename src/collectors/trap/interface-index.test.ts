import { describe, expect, it } from 'vitest';
import type { Sample } from '../../core/sample.js';
import { InterfaceIndex } from './interface-index.js';

const polled = (target: string): Sample => ({
  measurement: 'interface', tags: { target, interface: 'Gi0/1', ifindex: '1' }, fields: { admin_up: 1, monitored: 1 }, time: 0,
});

describe('what the trap receiver learned of interfaces', () => {
  it('a target that leaves the config leaves nothing behind; the others keep theirs', () => {
    const index = new InterfaceIndex();
    index.learn([polled('edge-1'), polled('edge-10')]);
    index.forget('edge-1');
    expect([index.tags('edge-1', 1), index.lastAdminUp('edge-1', 1), index.lastMonitored('edge-1', 1)]).toEqual([undefined, undefined, undefined]);
    expect([index.tags('edge-10', 1)?.interface, index.lastAdminUp('edge-10', 1), index.lastMonitored('edge-10', 1)]).toEqual(['Gi0/1', 1, 1]);
  });
});
