import { Counter, type Registry } from 'prom-client';

export function defineTrapMetrics(registry: Registry) {
  return {
    traps: new Counter({
      name: 'kpid_traps_total',
      help: 'SNMP notifications received, by result (accepted, unknown_source, auth_failed, malformed, unsupported) and kind.',
      labelNames: ['result', 'kind'] as const,
      registers: [registry],
    }),
  };
}

export type TrapMetrics = ReturnType<typeof defineTrapMetrics>;
