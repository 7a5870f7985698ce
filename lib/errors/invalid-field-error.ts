import { inEnglish, type Translatable } from '../messages/catalog';
import { InvalidRequestError } from './oauth-error';

/** A validation failure that names the field, for the JSON API and the HTML forms. */
export class InvalidFieldError extends InvalidRequestError {
  readonly field: string;
  /**
   * What is wrong with the field, without its name ("is required"): a catalog message (forms show
   * it in the reader's language after the field's label), or plain text.
   */
  readonly problem: Translatable | string;

  constructor(field: string, problem: Translatable | string) {
    super(`${field} ${typeof problem === 'string' ? problem : inEnglish(problem)}`);
    this.field = field;
    this.problem = problem;
  }
}
