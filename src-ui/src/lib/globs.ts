/** Globs as typed: one per line or separated by commas. */
export function parseGlobs(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
}
