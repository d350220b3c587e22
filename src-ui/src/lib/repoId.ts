/** Longest owner or name the Hub accepts. */
export const REPO_PART_MAX = 96;

const ALLOWED = /^[A-Za-z0-9._-]+$/;

function checkPart(label: "Owner" | "Name", part: string): string | null {
  if (part === "") return `${label} must not be empty.`;
  if (!ALLOWED.test(part)) {
    return `${label} may only contain letters, digits, "-", "_" and ".".`;
  }
  if (part.length > REPO_PART_MAX) return `${label} must be at most ${REPO_PART_MAX} characters.`;
  if (part.includes("--") || part.includes("..")) return `${label} must not contain "--" or "..".`;
  if (/^[-.]|[-.]$/.test(part)) return `${label} must not start or end with "-" or ".".`;
  if (label === "Name" && part.toLowerCase().endsWith(".git")) return `Name must not end with ".git".`;
  return null;
}

/**
 * Client-side mirror of the Hub's repo id rules: `name` or `owner/name`, each
 * part made of letters, digits, `-`, `_` and `.`, at most 96 characters, with
 * no `--` or `..`, not starting or ending with `-` or `.`, and a name that does
 * not end in `.git`. Returns the first rule broken, or null when valid. The
 * engine validates again and has the last word.
 */
export function validateRepoId(repoId: string): string | null {
  if (repoId === "") return "Repository ID is required.";
  if (/\s/.test(repoId)) return "Repository ID must not contain spaces.";
  const parts = repoId.split("/");
  if (parts.length > 2) return 'Use "name" or "owner/name" (at most one "/").';
  if (parts.length === 2) {
    return checkPart("Owner", parts[0] ?? "") ?? checkPart("Name", parts[1] ?? "");
  }
  return checkPart("Name", parts[0] ?? "");
}
