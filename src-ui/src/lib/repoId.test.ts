import { describe, expect, it } from "vitest";
import { validateRepoId } from "./repoId";

describe("validateRepoId", () => {
  it.each(["roneneldan/TinyStories", "wikitext", "Salesforce/wikitext", "a.b_c-d/e.f_g-h", "x/" + "n".repeat(96)])(
    "accepts %s",
    (id) => {
      expect(validateRepoId(id)).toBeNull();
    },
  );

  it.each([
    ["", "Repository ID is required."],
    ["owner/name with space", "must not contain spaces"],
    ["a/b/c", 'Use "name" or "owner/name"'],
    ["/name", "Owner must not be empty."],
    ["owner/", "Name must not be empty."],
    ["own@er/name", 'Owner may only contain letters, digits, "-", "_" and "."'],
    ["owner/na+me", 'Name may only contain letters, digits, "-", "_" and "."'],
    ["owner/" + "n".repeat(97), "Name must be at most 96 characters."],
    ["o".repeat(97) + "/name", "Owner must be at most 96 characters."],
    ["owner/na--me", 'Name must not contain "--" or "..".'],
    ["ow..ner/name", 'Owner must not contain "--" or "..".'],
    ["-owner/name", 'Owner must not start or end with "-" or ".".'],
    ["owner/name.", 'Name must not start or end with "-" or ".".'],
    ["owner/.name", 'Name must not start or end with "-" or ".".'],
    ["owner/name-", 'Name must not start or end with "-" or ".".'],
    ["owner/repo.git", 'Name must not end with ".git".'],
    ["repo.GIT", 'Name must not end with ".git".'],
  ])("rejects %j: %s", (id, message) => {
    expect(validateRepoId(id)).toContain(message);
  });
});
