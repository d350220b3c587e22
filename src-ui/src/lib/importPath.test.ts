import { describe, expect, it } from "vitest";
import { baseName, importNameFromPath, normalizeImportPath, pickerExtensions } from "./importPath";

describe("importNameFromPath", () => {
  it.each([
    ["/data/wiki.jsonl.gz", "wiki"],
    ["/data/wiki.jsonl", "wiki"],
    ["/data/train-00000-of-00002.parquet", "train-00000-of-00002"],
    ["/data/notes.TXT", "notes"],
    ["/data/table.csv.zst", "table"],
    ["/data/dump.ndjson.zstd", "dump"],
    ["/data/corpus", "corpus"],
    ["/data/corpus/", "corpus"],
    ["/data/corpus.v2", "corpus.v2"],
    ["/data/my.set.json", "my.set"],
    ["/data/.jsonl", ".jsonl"],
    ["C:\\Users\\me\\wiki.jsonl", "wiki"],
    ["  '/data/wiki.jsonl'  ", "wiki"],
    ["file:///data/my%20set.parquet", "my set"],
    ["", ""],
  ])("%s → %s", (path, name) => {
    expect(importNameFromPath(path)).toBe(name);
  });

  it("keeps a chosen folder's whole name", () => {
    expect(importNameFromPath("/data/wiki.jsonl", true)).toBe("wiki.jsonl");
  });
});

describe("normalizeImportPath", () => {
  it.each([
    ["  /data/wiki.jsonl \n", "/data/wiki.jsonl"],
    ['"/data/with space/wiki.jsonl"', "/data/with space/wiki.jsonl"],
    ["file:///mnt/share/wiki%20103.jsonl", "/mnt/share/wiki 103.jsonl"],
    ["file://localhost/mnt/share/a.jsonl", "/mnt/share/a.jsonl"],
    ["file://server/share/a.jsonl", "file://server/share/a.jsonl"],
    ["relative/path.jsonl", "relative/path.jsonl"],
  ])("%j → %j", (raw, path) => {
    expect(normalizeImportPath(raw)).toBe(path);
  });
});

describe("baseName", () => {
  it("ignores trailing separators", () => {
    expect(baseName("/a/b//")).toBe("b");
    expect(baseName("b")).toBe("b");
  });
});

describe("pickerExtensions", () => {
  it("offers every data format plain and compressed", () => {
    const exts = pickerExtensions();
    for (const ext of ["parquet", "jsonl", "jsonl.gz", "jsonl.zst", "csv", "tsv.gz", "txt", "arrow", "ndjson", "json"]) {
      expect(exts).toContain(ext);
    }
  });
});
