import { useEffect, useRef, useState } from "react";
import { Header } from "./components/Header";
import { DatasetsPanel } from "./components/DatasetsPanel";
import { SettingsDialog } from "./components/SettingsDialog";
import { startBackendSync } from "./store/sync";
import { useMachineStore } from "./store/machine";
import { useDatasetsStore } from "./store/datasets";

export default function App() {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);

  useEffect(() => startBackendSync(), []);

  const closeSettings = () => {
    setSettingsOpen(false);
    settingsButton.current?.focus();
  };

  const onSettingsSaved = () => {
    closeSettings();
    // The data folder may have moved: its free space and datasets change.
    void useMachineStore.getState().load();
    void useDatasetsStore.getState().load();
  };

  return (
    <div className="min-h-screen bg-slate-950 text-slate-100">
      <Header settingsButtonRef={settingsButton} onOpenSettings={() => setSettingsOpen(true)} />

      <nav className="border-b border-slate-800 bg-slate-900/30" aria-label="Sections">
        <div className="mx-auto max-w-7xl px-6">
          <div className="flex gap-8" role="tablist" aria-label="Sections">
            <button
              type="button"
              role="tab"
              id="tab-datasets"
              aria-selected="true"
              aria-controls="panel-datasets"
              className="border-b-2 border-emerald-400 px-2 py-4 text-emerald-400 transition-colors"
            >
              Datasets
            </button>
          </div>
        </div>
      </nav>

      <main
        className="mx-auto max-w-7xl px-6 py-8"
        role="tabpanel"
        id="panel-datasets"
        aria-labelledby="tab-datasets"
      >
        <DatasetsPanel />
      </main>

      {settingsOpen && <SettingsDialog onClose={closeSettings} onSaved={onSettingsSaved} />}
    </div>
  );
}
