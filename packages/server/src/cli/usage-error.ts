/** A mistake in how the CLI was called: printed as one line, no stack. */
export class UsageError extends Error {}
