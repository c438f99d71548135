/** A service cannot start because of something the operator must fix (a file, a key, a cert). */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
