import { describe, expect, it } from "vitest";
import { AppErrorException, call, toAppError, unwrap } from "./api";

describe("unwrap", () => {
  it("returns the data of an ok result", () => {
    expect(unwrap({ status: "ok", data: 42 })).toBe(42);
  });

  it("throws an AppErrorException carrying kind and message", () => {
    let caught: unknown;
    try {
      unwrap({ status: "error", error: { kind: "gated", message: "accept the licence first" } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppErrorException);
    expect(caught).toMatchObject({ kind: "gated", message: "accept the licence first" });
  });
});

describe("call / toAppError", () => {
  it("converts an exception re-thrown by the bindings into an internal AppError", async () => {
    await expect(call(Promise.reject(new Error("ipc down")))).rejects.toMatchObject({
      kind: "internal",
      message: "ipc down",
    });
  });

  it("normalises unknown kinds and odd values", () => {
    expect(toAppError({ kind: "weird", message: "x" })).toEqual({ kind: "internal", message: "x" });
    expect(toAppError("plain string")).toEqual({ kind: "internal", message: "plain string" });
    expect(toAppError(undefined)).toEqual({ kind: "internal", message: "Unexpected error" });
  });
});
