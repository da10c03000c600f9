import { silenceOptions } from '../alerts/alerts-options.js';
import type { SilenceKeeper } from '../alerts/silence-keeper.js';
import type { KpidConfig } from '../config/load.js';
import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { AckLinkSigner } from './ack-links.js';
import { RulesAndAlerts } from './alerting.js';
import type { DaemonMetrics } from './metrics.js';
import { NotifyStage } from './notification.js';
import { Storage } from './storage.js';
import { longestSeriesLifetime } from '../targets/targets-options.js';

/** The stages samples flow into; each is set as soon as it runs, so a failed start can stop what did start. */
export interface Sinks {
  storage?: Storage;
  notify?: NotifyStage;
  alerting?: RulesAndAlerts;
}

export interface SinkDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly pipeline: Pipeline;
  readonly metrics: DaemonMetrics;
  readonly silences: SilenceKeeper;
  readonly onNotification?: (n: Notification) => void;
  /** Where the HTTP server listens, for the ack lines of messages. */
  readonly listening: { readonly address: string; readonly port: number };
  /** Signs the one-tap ack links of messages; its key is loaded once the state store is open. */
  readonly ackLinks: AckLinkSigner;
}

/**
 * Starts the stages from the end of the pipeline back: storage, then notify
 * (alerts hands it what it resumes), then rules and alerts, whose rule
 * runner joins the pipeline last.
 */
export async function startSinks(config: KpidConfig, d: SinkDeps, into: Sinks): Promise<Required<Sinks>> {
  const { clock, log, pipeline, metrics, silences, onNotification, listening, ackLinks } = d;
  into.storage = await Storage.start(config, { clock, log, pipeline, metrics: metrics.store });
  silences.configure(silenceOptions(config));
  const notify = (into.notify = await NotifyStage.start(config, {
    clock, log, metrics: metrics.notify, isSilenced: silences.isSilenced, listening, ...(onNotification ? { onNotification } : {}),
    ackCode: (id) => ackLinks.sign(id),
    // Alerts starts after notify; what notify queued while it resumed had no outbox entry of this run.
    onHandedOver: (ids) => into.alerting?.runtime.handedOver(ids),
  }));
  const alerting = (into.alerting = await RulesAndAlerts.start(config, {
    clock, log, metrics: metrics.kpi, notifier: notify.consumer,
    isPlanned: silences.isPlanned,
    // The link key is read before alerts resume, so even the messages of resumed alerts carry links.
    beforeResume: async (store) => {
      await ackLinks.load(config.server, store);
      await silences.attach(store);
    },
    // The SLA dashboard reads outages and availability from InfluxDB.
    record: (samples) => into.storage?.record(samples),
    outboxAfter,
    restoredLifetime: longestSeriesLifetime(config),
  }));
  pipeline.add(alerting.runner);
  return { storage: into.storage, notify, alerting };
}

/** Stops them in the order samples reach them: rules and alerts (drained), notify, storage. */
export async function stopSinks(sinks: Sinks, pipeline: Pipeline): Promise<void> {
  const { alerting, notify, storage } = sinks;
  if (alerting) {
    pipeline.remove(alerting.runner.name);
    await alerting.close();
  }
  await notify?.stop();
  await storage?.stop();
}

/**
 * How long a firing message stays in the outbox before another instance may
 * deliver it: longer than notify holds a message before queuing it (the
 * longest group_wait or group_interval of any route), plus 5 s to queue it.
 */
export function outboxAfter(config: { readonly notify?: { readonly routes: readonly { readonly group_wait: number; readonly group_interval: number }[] } | undefined }): number {
  const holds = (config.notify?.routes ?? []).flatMap((r) => [r.group_wait, r.group_interval]);
  return Math.max(0, ...holds) + 5_000;
}
