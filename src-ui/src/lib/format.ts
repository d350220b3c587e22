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

/**
 * Size for a transfer line, always with one decimal above bytes so the text
 * does not jump while it changes: "512 B", "45.2 MB", "120.0 MB".
 */
export function formatTransferBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && (unit === 0 ? value : Number(value.toFixed(1))) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit] ?? "TB"}`;
}

/** Seconds left at the current rate, or null when it cannot be estimated. */
export function etaSeconds(done: number, total: number | null, bytesPerSec: number | null): number | null {
  if (total === null || bytesPerSec === null || !Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return null;
  const left = total - done;
  if (!Number.isFinite(left) || left < 0) return null;
  return left / bytesPerSec;
}

/** "6 s", "3 min", "1 h 5 min", "2 h". At least "1 s" while something is left. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const secs = seconds > 0 ? Math.max(1, Math.round(seconds)) : 0;
  if (secs < 60) return `${secs} s`;
  const minutes = Math.round(secs / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * "45.2 MB / 120.0 MB • 12.3 MB/s • 6 s left" for a bytes progress. The total,
 * speed and ETA are left out when unknown; a rate of 0 counts as unknown.
 */
export function transferText(progress: {
  done: number;
  total: number | null;
  bytes_per_sec: number | null;
}): string {
  const { done, total, bytes_per_sec: rate } = progress;
  const parts = [total !== null ? `${formatTransferBytes(done)} / ${formatTransferBytes(total)}` : formatTransferBytes(done)];
  if (rate !== null && Number.isFinite(rate) && rate > 0) {
    parts.push(`${formatTransferBytes(rate)}/s`);
    const eta = etaSeconds(done, total, rate);
    if (eta !== null) parts.push(`${formatEta(eta)} left`);
  }
  return parts.join(" • ");
}

/** "1.2k", "3.4M", "987": short counts for rates and tight tiles. */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return "—";
  const abs = Math.abs(n);
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10}${suffix}`;
    }
  }
  return String(Math.round(n));
}

/** Elapsed time that keeps counting visibly: "8 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const secs = Math.floor(seconds);
  if (secs < 60) return `${secs} s`;
  const minutes = Math.floor(secs / 60);
  if (minutes < 60) {
    const rest = secs % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** A share as a percentage with up to `digits` decimals: 0.1234 -> "12.3%". */
export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return "—";
  const factor = 10 ** digits;
  return `${Math.round(fraction * 100 * factor) / factor}%`;
}

const DATE_TIME_FORMAT = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** A timestamp in milliseconds, in the local time zone: "3 Mar 2026, 14:05". */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return DATE_TIME_FORMAT.format(new Date(ms));
}

/** A length from the statistics, with one decimal only when it has one: "487", "523.4". */
export function formatLength(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return Number.isInteger(n) ? formatCount(n) : new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(n);
}
