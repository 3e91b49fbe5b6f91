/**
 * A counterparty (vendor, supplier) the user asked a flow to create in the target was not
 * created. The message is for the person who asked: what happened and what to do next.
 */
export class CounterpartyNotCreatedError extends Error {
  override readonly name = 'CounterpartyNotCreatedError';
}
