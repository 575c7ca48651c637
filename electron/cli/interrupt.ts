import { constants } from 'node:os';

/** How long stopping may take after Ctrl-C before `braid get` quits without waiting for it. */
const STOP_GRACE_MS = 2500;

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** 128 + the signal's number, as a shell reports a process the signal ended: 130, 143. */
export function interruptedExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM, and makes sure that one signal is enough: a
 * file-system call that never returns (Node's recursive mkdir spins forever under /proc) would
 * otherwise keep the stop, and the process, waiting until a second signal killed it. Quitting
 * after the grace period loses nothing the resume journal holds: it survives kill -9 by design.
 * A second signal still kills at once. Returns a function that stops listening; a grace period
 * already started runs on, unreferenced, so it never keeps the process alive by itself.
 */
export function onInterrupt(
  stop: (signal: StopSignal) => void,
  say: (line: string) => void,
): () => void {
  const stopListening = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  function onSignal(signal: StopSignal) {
    stopListening();
    say('braid: stopping…');
    stop(signal);
    setTimeout(() => {
      say(
        'braid: quit without waiting for the downloads to stop — run the same command again to resume',
      );
      process.exit(interruptedExitCode(signal));
    }, STOP_GRACE_MS).unref();
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stopListening;
}
