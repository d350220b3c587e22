import type { AppError, ErrorKind } from "../bindings";

/** The shape every generated command resolves to. */
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

const KNOWN_KINDS: readonly ErrorKind[] = [
  "not_found",
  "invalid_input",
  "conflict",
  "auth",
  "gated",
  "network",
  "disk_full",
  "corrupt",
  "cancelled",
  "internal",
];

/** An `AppError` returned by a backend command, thrown by {@link unwrap}. */
export class AppErrorException extends Error {
  readonly kind: ErrorKind;
  readonly appError: AppError;

  constructor(error: AppError) {
    super(error.message);
    this.name = "AppErrorException";
    this.kind = error.kind;
    this.appError = error;
  }
}

function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && (KNOWN_KINDS as readonly string[]).includes(value);
}

function isAppErrorLike(value: unknown): value is { kind: unknown; message: unknown } {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value;
}

/**
 * Turn anything a command or listener can throw into an `AppError`, so the
 * UI always has a kind and a message to show.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppErrorException) return error.appError;
  if (isAppErrorLike(error)) {
    return {
      kind: isErrorKind(error.kind) ? error.kind : "internal",
      message: typeof error.message === "string" ? error.message : String(error.message),
    };
  }
  if (error instanceof Error) return { kind: "internal", message: error.message };
  if (typeof error === "string") return { kind: "internal", message: error };
  return { kind: "internal", message: "Unexpected error" };
}

/** Return the data of an ok result, or throw an `AppErrorException`. */
export function unwrap<T>(result: Result<T, AppError>): T {
  if (result.status === "ok") return result.data;
  throw new AppErrorException(toAppError(result.error));
}

/**
 * Await a command and unwrap it. Also converts exceptions the generated
 * bindings re-throw (e.g. IPC failures) into `AppErrorException`.
 */
export async function call<T>(promise: Promise<Result<T, AppError>>): Promise<T> {
  let result: Result<T, AppError>;
  try {
    result = await promise;
  } catch (e) {
    throw new AppErrorException(toAppError(e));
  }
  return unwrap(result);
}

const KIND_LABELS: Record<ErrorKind, string> = {
  not_found: "Not found",
  invalid_input: "Invalid input",
  conflict: "Conflict",
  auth: "Authentication required",
  gated: "Gated",
  network: "Network error",
  disk_full: "Disk full",
  corrupt: "Corrupt data",
  cancelled: "Cancelled",
  internal: "Internal error",
};

export function errorKindLabel(kind: ErrorKind): string {
  return KIND_LABELS[kind] ?? kind;
}
