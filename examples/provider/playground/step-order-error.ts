/** A step asked for before the one it needs; the page tells the user which to run first. */
export class StepOrderError extends Error {}
