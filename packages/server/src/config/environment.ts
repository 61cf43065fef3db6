/** The process environment, read in one place only (the config module). */
export function environment(): Record<string, string | undefined> {
  return process.env;
}
