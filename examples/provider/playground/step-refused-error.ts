/** A step the playground will not run now (asked out of order, or with a bad choice); the page says why. */
export class StepRefusedError extends Error {}
