/** How long stopping may take after Ctrl-C before `braid get` quits without waiting for it. */
const STOP_GRACE_MS = 2500;

export const EXIT_INTERRUPTED = 130;

/**
 * Calls `stop` on the first SIGINT or SIGTERM, and makes sure that one signal is enough: a
 * file-system call that never returns (Node's recursive mkdir spins forever under /proc) would
 * otherwise keep the stop, and the process, waiting until a second signal killed it. Quitting
 * after the grace period loses nothing the resume journal holds: it survives kill -9 by design.
 * A second signal still kills at once. Returns a function that stops listening; a grace period
 * already started runs on, unreferenced, so it never keeps the process alive by itself.
 */
export function onInterrupt(stop: () => void, say: (line: string) => void): () => void {
  const stopListening = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  function onSignal() {
    stopListening();
    say('braid: stopping…');
    stop();
    setTimeout(() => {
      say(
        'braid: quit without waiting for the downloads to stop — run the same command again to resume',
      );
      process.exit(EXIT_INTERRUPTED);
    }, STOP_GRACE_MS).unref();
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stopListening;
}
