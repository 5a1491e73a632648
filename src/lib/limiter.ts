// A counting semaphore. Used to emulate production's limit of six outgoing connections waiting for
// response headers per invocation (wrangler dev does not enforce it), so benchmarks measure the
// fan-out design as it behaves on the real network.
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async acquire(): Promise<() => void> {
    if (this.max > 0 && this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}
