/** Thrown at start-up by `createProvider()` for a missing or invalid option; names the option. */
export class ConfigurationError extends Error {
  readonly option: string;
  constructor(option: string, problem: string) {
    super(`express-oauth-provider: option "${option}" ${problem}`);
    this.name = 'ConfigurationError';
    this.option = option;
  }
}
