/** The data formats an import reads, by file extension. */
export const IMPORT_DATA_EXTENSIONS = ["parquet", "jsonl", "ndjson", "json", "csv", "tsv", "txt", "arrow"] as const;

const COMPRESSION_EXTENSIONS = ["gz", "zst", "zstd"] as const;

/**
 * Extensions for the native file picker's "Data files" filter: every data format, plain and
 * compressed. GTK matches `*.jsonl.gz` as a whole, so compressed files of other types stay out.
 */
export function pickerExtensions(): string[] {
  return IMPORT_DATA_EXTENSIONS.flatMap((ext) => [ext, `${ext}.gz`, `${ext}.zst`]);
}

/**
 * A path as the engine wants it from what people paste: surrounding spaces and quotes go
 * (file managers' "copy as path" quotes it), and a `file://` URI (what GTK file managers put
 * on the clipboard) becomes the path it names.
 */
export function normalizeImportPath(raw: string): string {
  let path = raw.trim();
  if (path.length >= 2 && (path[0] === '"' || path[0] === "'") && path.at(-1) === path[0]) {
    path = path.slice(1, -1).trim();
  }
  if (/^file:\/\//i.test(path)) {
    try {
      const url = new URL(path);
      // A host other than localhost is a network location the engine cannot open by that name.
      if (url.host === "" || url.host === "localhost") path = decodeURIComponent(url.pathname);
    } catch {
      // Not a valid URI after all: leave it for the engine to refuse with its own message.
    }
  }
  return path;
}

/** The last component of a path, ignoring trailing separators (`/data/wiki/` → `wiki`). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, "");
  const parts = trimmed.split(/[/\\]/);
  return parts[parts.length - 1] ?? "";
}

function stripExtension(name: string, extensions: readonly string[]): string {
  const lower = name.toLowerCase();
  for (const ext of extensions) {
    // Keep at least one character: ".jsonl" alone is a name, not an extension.
    if (lower.endsWith(`.${ext}`) && name.length > ext.length + 1) return name.slice(0, -(ext.length + 1));
  }
  return name;
}

/**
 * The dataset name an import suggests for a path: the folder's name, or the file's name
 * without its data and compression extensions (`wiki.jsonl.gz` → `wiki`). A typed or dropped
 * path may be either, so only known extensions are removed (a folder `corpus.v2` keeps its name).
 */
export function importNameFromPath(path: string, isFolder = false): string {
  const name = baseName(normalizeImportPath(path));
  if (isFolder) return name;
  return stripExtension(stripExtension(name, COMPRESSION_EXTENSIONS), IMPORT_DATA_EXTENSIONS);
}
