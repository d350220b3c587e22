import type { MachineStatus } from "../bindings";

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/** Round to at most two decimals and drop trailing zeros ("2.3", "522.61", "1"). */
function trimDecimals(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * Human size with 1024-based units B/KB/MB/GB/TB and up to two decimals,
 * e.g. `formatBytes(2469606195) === "2.3 GB"`.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && Math.round(value * 100) / 100 >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${trimDecimals(value)} ${BYTE_UNITS[unit] ?? "TB"}`;
}

const COUNT_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Integer with thousands separators, e.g. "12,345". */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** "downloading_files" -> "Downloading files". */
export function humanize(text: string): string {
  const spaced = text.replace(/[_-]+/g, " ").trim();
  if (spaced === "") return "";
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Completed percentage (0-100, whole number) or null if the total is unknown. */
export function percentOf(done: number, total: number | null): number | null {
  if (total === null || !Number.isFinite(total) || total <= 0) return null;
  const pct = (done / total) * 100;
  if (!Number.isFinite(pct)) return null;
  return Math.max(0, Math.min(100, Math.floor(pct)));
}

/** "2 jobs running", "1 job running, 3 queued", "No jobs running". */
export function jobsSummary(status: Pick<MachineStatus, "jobs_running" | "jobs_queued">): string {
  const { jobs_running: running, jobs_queued: queued } = status;
  const runningText =
    running === 0 ? "No jobs running" : `${running} ${running === 1 ? "job" : "jobs"} running`;
  return queued > 0 ? `${runningText}, ${queued} queued` : runningText;
}
