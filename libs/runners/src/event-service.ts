import { RunnerError } from './errors.js';

/*
 * What a runner that watches the bus (state.event) needs, as tsalt-run
 * injects it: `services.events.listen(prefixes)` opens a live listener
 * (@tsalt/events EventListener, ready) only when called, and
 * `services.print(line)` writes one line for people, flushed. Named here
 * structurally so this lib does not depend on the events lib.
 */

export interface RunnerEvent {
  tag: string;
  data: Record<string, unknown>;
}

export interface RunnerEventStream {
  /** The next event, or undefined after `ms` without one. */
  next(ms: number): Promise<RunnerEvent | undefined>;
  close(): void;
  /** Events the bus dropped because this reader fell behind. */
  readonly dropped?: number;
}

export interface RunnerEventService {
  /** Subscribes to these tag prefixes ('' for every tag) and resolves once the subscription is live. */
  listen(prefixes: string[], sockDir?: string): Promise<RunnerEventStream>;
}

/** The services of runners that watch the bus (state.event). */
export interface EventRunnerServices {
  events: RunnerEventService;
  /** Writes one line for people, flushed. */
  print: (line: string) => void;
}

type EventCtx = { services: Readonly<Partial<EventRunnerServices>> };

export const EVENTS_SERVICE = 'events';
export const PRINT_SERVICE = 'print';

export function eventService(ctx: EventCtx): RunnerEventService {
  const svc = ctx.services.events;
  if (!svc || typeof svc.listen !== 'function') {
    throw new RunnerError(
      'EVENTS_MISSING',
      'This runner watches the event bus, but no event service is available (services.events was not provided)',
    );
  }
  return svc;
}

/** Where a runner prints lines for people; stdout by default. */
export function printer(ctx: EventCtx): (line: string) => void {
  const p = ctx.services.print;
  return typeof p === 'function' ? p : (line) => void process.stdout.write(`${line}\n`);
}
