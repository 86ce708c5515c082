/**
 * Test doubles for SDK clients. The SDK's `paginate*` helpers accept only an instance of their
 * client's class (they check with `instanceof`), so a plain `{ send }` object is refused with
 * "Invalid client". A real client whose `send` is replaced passes that check and still never
 * reaches the network: every page goes to the scripted `send`.
 */
type Send = (command: any, ...rest: any[]) => unknown;

/** A real `Client` (built with no configuration) whose `send` is the given function. */
export function clientWithSend<C extends object>(Client: new (config: object) => C, send: Send): C {
  return Object.assign(new Client({}), { send }) as C;
}
