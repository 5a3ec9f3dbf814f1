/** Errors whose message is written for the user and shown as it is. Anything else gets a plain stand-in. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export const UNEXPECTED_ERROR_MESSAGE = 'Something went wrong inside the extension. Try again; if it keeps happening, reload the extension.';

export function userMessage(error: unknown): string {
  return error instanceof UserError ? error.message : UNEXPECTED_ERROR_MESSAGE;
}
