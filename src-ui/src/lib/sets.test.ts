import { describe, expect, it } from "vitest";
import { toggled } from "./sets";

describe("toggled", () => {
  it("adds a missing item and removes a present one, leaving the original set alone", () => {
    const start = new Set(["a"]);
    const added = toggled(start, "b");
    expect([...added]).toEqual(["a", "b"]);
    expect([...toggled(added, "a")]).toEqual(["b"]);
    expect([...start]).toEqual(["a"]);
  });
});
