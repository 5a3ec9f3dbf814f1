/**
 * Time for the helper under test, moved by the test driver, so a simulated day takes seconds.
 * Two readings, as on a real machine: the wall clock (`now()`, what the login policy and the
 * session's clock-jump check read) and the monotonic time timers run on. `advanceTo` moves both
 * and fires timers as they fall due, one at a time; `sleep` moves only the wall clock, like a
 * suspended laptop whose timers carry on where they were when it wakes.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../../helper/mail/clock';

interface Timer {
  id: number;
  due: number;
  ms: number;
  fn: () => void;
}

export class VirtualClock implements Clock {
  /** Emits 'change' whenever a timer is set, cleared or fired. */
  readonly events = new EventEmitter();
  private monotonic = 0;
  private wallSkew = 0;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  /**
   * `isDeadline` tells which timers guard a command on the wire (by their length): while one is
   * pending, real I/O may still answer, so the driver waits before moving past it.
   */
  constructor(
    private readonly startWall: number,
    private readonly isDeadline: (ms: number) => boolean,
  ) {}

  now(): number {
    return this.startWall + this.monotonic + this.wallSkew;
  }

  /** Monotonic milliseconds since the start. */
  get elapsed(): number {
    return this.monotonic;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.monotonic + Math.max(0, ms), ms, fn });
    this.events.emit('change');
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (this.timers.delete(handle as number)) this.events.emit('change');
  }

  /** Monotonic due time of the earliest timer, if any. */
  nextDue(): number | undefined {
    return this.earliest()?.due;
  }

  deadlinesPending(): number {
    let count = 0;
    for (const timer of this.timers.values()) if (this.isDeadline(timer.ms)) count++;
    return count;
  }

  /**
   * Fires the earliest timer due at or before `limit` (time moves to its due time) and returns
   * true; with none due, moves time to `limit` and returns false.
   */
  step(limit: number): boolean {
    const timer = this.earliest();
    if (!timer || timer.due > limit) {
      this.monotonic = Math.max(this.monotonic, limit);
      return false;
    }
    this.monotonic = Math.max(this.monotonic, timer.due);
    this.timers.delete(timer.id);
    timer.fn();
    this.events.emit('change');
    return true;
  }

  /** The machine sleeps for `ms`: the wall clock jumps, timers do not move. */
  sleep(ms: number): void {
    this.wallSkew += ms;
  }

  private earliest(): Timer | undefined {
    let first: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (!first || timer.due < first.due || (timer.due === first.due && timer.id < first.id)) first = timer;
    }
    return first;
  }
}
