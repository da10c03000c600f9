import { Daemon, type DaemonOptions, type ReloadResult } from './daemon.js';

export type { DaemonOptions as KpidOptions, ReloadResult } from './daemon.js';

/** A kpid that started: where it serves, and the two things one does with it. */
export interface RunningKpid {
  readonly url: string;
  reload(): Promise<ReloadResult>;
  stop(): Promise<void>;
}

/**
 * The one way to run kpid, for `kpid run` and `kpid demo` alike: start
 * everything, or stop what did start and throw (a ConfigError when the
 * config or the rules are invalid).
 */
export async function startKpid(o: DaemonOptions): Promise<RunningKpid> {
  const daemon = new Daemon(o);
  try {
    const { url } = await daemon.start();
    return { url, reload: () => daemon.reload(), stop: () => daemon.stop() };
  } catch (err) {
    await daemon.stop();
    throw err;
  }
}
