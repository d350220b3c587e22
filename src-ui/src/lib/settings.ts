import type { Settings } from "../bindings";

/** Client-side checks; the backend validates again and has the last word. */
export function validateSettings(settings: Settings): string | null {
  if (settings.data_root.trim() === "") return "Data folder is required.";
  const endpoint = settings.hub_endpoint.trim();
  if (!/^https?:\/\/\S+$/i.test(endpoint)) {
    return "Hugging Face endpoint must start with http:// or https://.";
  }
  return null;
}

export type ParsedThreads = { ok: true; value: number | null } | { ok: false; error: string };

/** The tokenization thread budget as typed: empty means every core. */
export function parseThreads(text: string): ParsedThreads {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 1024) {
    return { ok: false, error: "Tokenization threads must be a whole number from 1 to 1024, or empty for every core." };
  }
  return { ok: true, value: Number(t) };
}
