import type { SpeedHistory as SpeedHistoryState } from '../../shared/api/commands.ts';
import type { EngineEvent } from '../../shared/api/events.ts';
import { SPEED_HISTORY, withSample, type SpeedSample } from '../../shared/speed-samples.ts';

/**
 * The speed samples of the last minutes, kept by the host whether or not a window is open: a
 * window opened from the tray, or a browser tab reloaded, shows the graphs as they were instead of
 * starting empty. A task's samples go when it is removed, or once it has sent none for as long as
 * the graphs show.
 */
export class SpeedHistory {
  #app: SpeedSample[] = [];
  readonly #tasks = new Map<string, SpeedSample[]>();

  observe(event: EngineEvent): void {
    if (event.type === 'task-removed') {
      this.#tasks.delete(event.id);
      return;
    }
    if (event.type !== 'speed') return;
    this.#app = withSample(this.#app, { at: event.at, speed: event.total });
    for (const { id, speed } of event.tasks) {
      this.#tasks.set(id, withSample(this.#tasks.get(id) ?? [], { at: event.at, speed }));
    }
    const oldest = event.at - SPEED_HISTORY * 1000;
    for (const [id, samples] of this.#tasks) {
      if (samples.at(-1)!.at < oldest) this.#tasks.delete(id);
    }
  }

  snapshot(): SpeedHistoryState {
    return { app: this.#app, tasks: Object.fromEntries(this.#tasks) };
  }
}
