import type { DataLock } from "../bindings";

/** The lock that makes a dataset busy: live (not stale), newest first. Null when none does. */
export function liveLockFor(locks: readonly DataLock[], datasetId: string): DataLock | null {
  let best: DataLock | null = null;
  for (const lock of locks) {
    if (lock.dataset_id !== datasetId || lock.stale !== null) continue;
    if (best === null || lock.started_at > best.started_at) best = lock;
  }
  return best;
}

const TIME_FORMAT = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
const DAY_TIME_FORMAT = new Intl.DateTimeFormat("en-GB", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** "14:03" for a moment today, "3 Mar, 14:03" for an earlier day (local time). */
export function formatSince(ms: number, now: number = Date.now()): string {
  if (!Number.isFinite(ms)) return "an unknown time";
  const then = new Date(ms);
  return then.toDateString() === new Date(now).toDateString() ? TIME_FORMAT.format(then) : DAY_TIME_FORMAT.format(then);
}

/** The short badge text: "Busy on jetson-01". */
export function busyLabel(lock: DataLock): string {
  return `Busy on ${lock.host}`;
}

/** What the lock's holder is doing, never empty: "tokenizing with gpt2". */
function purposeText(lock: DataLock): string {
  const purpose = lock.purpose.trim();
  return purpose === "" ? "working on it" : purpose;
}

/**
 * Who holds the lock and what it does, for a tooltip:
 * "Process 4242 on jetson-01 is tokenizing with gpt2 since 14:03".
 */
export function lockDescription(lock: DataLock, now: number = Date.now()): string {
  const who = lock.same_machine
    ? `Another process on this machine (process ${lock.pid})`
    : `Process ${lock.pid} on ${lock.host}`;
  return `${who} is ${purposeText(lock)} since ${formatSince(lock.started_at, now)}`;
}

/** Why a write (tokenize, delete) is not offered while the lock is held. */
export function lockBlocker(lock: DataLock): string {
  return lock.same_machine
    ? "Busy in another process on this machine — wait for it to finish"
    : `Busy on ${lock.host} — wait for it to finish there`;
}

/** The notice in the detail view: "Busy on jetson-01: tokenizing with gpt2. Tokenizing and … there." */
export function lockNotice(lock: DataLock): string {
  return lock.same_machine
    ? `Busy in another process on this machine (process ${lock.pid}): ${purposeText(lock)}. Tokenizing and deleting wait until it finishes.`
    : `Busy on ${lock.host}: ${purposeText(lock)}. Tokenizing and deleting wait until it finishes there.`;
}
