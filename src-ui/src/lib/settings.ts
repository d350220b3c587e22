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
