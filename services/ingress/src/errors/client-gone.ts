/** The agent closed its connection: nobody is left to answer (not an error to render). */
export class ClientGone extends Error {
  constructor(
    /** The approval the request was waiting for, if any (its completion record names it). */
    readonly approvalId?: string,
  ) {
    super('the client closed the connection');
    this.name = 'ClientGone';
  }
}
