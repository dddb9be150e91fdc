/**
 * The demo's one clock: simulated time = start + wall time elapsed since run() × speed. Until run()
 * it stands still at `start`, so the history backfilled before the live part ends exactly where the
 * live part begins. The server, the emulated cluster, the scheduler and the policy engine all read it.
 */
export class SimClock {
  private wallStart: number | undefined;

  constructor(
    readonly start: number,
    readonly speed: number,
    private readonly wall: () => number = Date.now,
  ) {
    if (!(speed > 0)) throw new Error(`speed must be a positive number, got ${speed}`);
  }

  run(): void {
    this.wallStart ??= this.wall();
  }

  now = (): number => (this.wallStart === undefined ? this.start : this.start + (this.wall() - this.wallStart) * this.speed);

  /** Simulated milliseconds since the live part began. */
  elapsed(): number {
    return this.now() - this.start;
  }
}
