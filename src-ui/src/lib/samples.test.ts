import { describe, expect, it } from "vitest";
import { charCount, chatTurns, highlightPieces, orderedFields, parseChars } from "./samples";

describe("samples helpers", () => {
  it("marks every case-insensitive match, regex characters included", () => {
    expect(highlightPieces("The cat. THE end", "the")).toEqual([
      { text: "The", match: true },
      { text: " cat. ", match: false },
      { text: "THE", match: true },
      { text: " end", match: false },
    ]);
    expect(highlightPieces("a.b (c)", "(c)")).toEqual([
      { text: "a.b ", match: false },
      { text: "(c)", match: true },
    ]);
    expect(highlightPieces("abc", "")).toEqual([{ text: "abc", match: false }]);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(charCount("héllo 👋")).toBe(7);
  });

  it("recognises chat transcripts only when every item has a role and content", () => {
    expect(chatTurns([{ role: "user", content: "hi" }])).toEqual([{ role: "user", content: "hi" }]);
    expect(chatTurns([{ role: "user", content: "hi" }, { text: "x" }])).toBeNull();
    expect(chatTurns([])).toBeNull();
    expect(chatTurns("text")).toBeNull();
  });

  it("puts the text column first", () => {
    expect(orderedFields({ id: 1, text: "t", meta: null }, "text").map(([k]) => k)).toEqual(["text", "id", "meta"]);
    expect(orderedFields({ id: 1 }, null).map(([k]) => k)).toEqual(["id"]);
  });

  it("parses character counts", () => {
    expect(parseChars("")).toBeNull();
    expect(parseChars(" 42 ")).toBe(42);
    expect(parseChars("-1")).toBeUndefined();
    expect(parseChars("1.5")).toBeUndefined();
  });
});
