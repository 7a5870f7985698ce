import { InvalidRequestError } from './oauth-error';

/** A validation failure that names the field, for the JSON API and the HTML forms. */
export class InvalidFieldError extends InvalidRequestError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.field = field;
  }
}
