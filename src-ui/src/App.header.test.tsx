import { act, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import App from "./App";
import { events, type MachineStatus } from "./bindings";
import { jobFixture, machineFixture, mockBackend } from "./test/backend";

describe("Header", () => {
  it("shows the title and only the Datasets tab", async () => {
    mockBackend();
    render(<App />);
    expect(screen.getByRole("heading", { level: 1, name: "MechInterp Studio" })).toBeInTheDocument();
    expect(screen.getByText("Edge AI Feature Discovery Platform")).toBeInTheDocument();
    const tabs = screen.getAllByRole("tab");
    expect(tabs.map((t) => t.textContent)).toEqual(["Datasets"]);
    expect(tabs[0]).toHaveAttribute("aria-selected", "true");
    await screen.findByTestId("datasets-empty");
  });

  it("shows hostname, free space and running jobs from machine_status", async () => {
    mockBackend({ machine: machineFixture({ jobs_running: 2, jobs_queued: 0 }) });
    render(<App />);
    const status = screen.getByTestId("machine-status");
    await waitFor(() => expect(status).toHaveTextContent("lab-box-01"));
    expect(within(status).getByText("412.3 GB free")).toBeInTheDocument();
    expect(within(status).getByText("2 jobs running")).toBeInTheDocument();
    expect(status).not.toHaveTextContent("API Connected");
  });

  it("hides free space when unknown and says when no jobs run", async () => {
    mockBackend({ machine: machineFixture({ hostname: "jetson", free_bytes: null, jobs_running: 0, jobs_queued: 1 }) });
    render(<App />);
    const status = screen.getByTestId("machine-status");
    await waitFor(() => expect(status).toHaveTextContent("jetson"));
    expect(status).not.toHaveTextContent("free");
    expect(status).toHaveTextContent("No jobs running, 1 queued");
  });

  it("refreshes machine status when a job event arrives", async () => {
    let machine: MachineStatus = machineFixture({ jobs_running: 0 });
    const backend = mockBackend({ machine: () => machine });
    render(<App />);
    const status = screen.getByTestId("machine-status");
    await waitFor(() => expect(status).toHaveTextContent("No jobs running"));
    const before = backend.callsOf("machine_status").length;

    machine = machineFixture({ jobs_running: 1 });
    await act(() => events.jobEvent.emit({ job: jobFixture({ status: "running" }) }));

    await waitFor(() => expect(status).toHaveTextContent("1 job running"));
    expect(backend.callsOf("machine_status").length).toBeGreaterThan(before);
  });

  it("shows the error kind and message when machine_status fails", async () => {
    mockBackend({ machine: { error: { kind: "internal", message: "statvfs failed" } } });
    render(<App />);
    const status = screen.getByTestId("machine-status");
    await waitFor(() => expect(status).toHaveTextContent("internal: statvfs failed"));
  });

  it("shows the startup warning when the saved data folder could not be opened", async () => {
    const warning = "The data folder /mnt/nas/data could not be opened. Using the default; change it in Settings.";
    mockBackend({ machine: machineFixture({ warning }) });
    render(<App />);
    expect(await screen.findByTestId("machine-warning")).toHaveTextContent(warning);
  });

  it("shows no warning bar when all is well", async () => {
    mockBackend();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("machine-status")).toHaveTextContent("lab-box-01"));
    expect(screen.queryByTestId("machine-warning")).not.toBeInTheDocument();
  });
});
