/** A dependency (D1, a Durable Object) is down and nothing was accepted: the caller should retry. Mapped to 503. */
export class Unavailable extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
