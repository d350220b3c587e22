import { useEffect, useState } from "react";
import type { Dataset } from "../../bindings";
import { buildSettings, defaultDraft, previewKey, type SettingsDraft } from "../../lib/tokenize";
import { useTokenizeStore } from "../../store/tokenize";
import { sectionTitle } from "../ui/surfaces";
import { ApplySection } from "./ApplySection";
import { PresetBar } from "./PresetBar";
import { PreviewPanel } from "./PreviewPanel";
import { SettingsForm } from "./SettingsForm";
import { TokenizationList } from "./TokenizationList";
import { TokenizerPicker } from "./TokenizerPicker";

/**
 * The Tokenization tab: choose a tokenizer and settings (or a preset), watch a live preview,
 * start the job, and follow this dataset's tokenizations with their progress and statistics.
 */
export function TokenizationTab({ dataset }: { dataset: Dataset }) {
  const tokenizers = useTokenizeStore((s) => s.tokenizers);
  const tokenizersLoaded = useTokenizeStore((s) => s.tokenizersLoaded);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const [draft, setDraft] = useState<SettingsDraft>(() => defaultDraft(dataset));
  const [preset, setPreset] = useState<string>("");

  useEffect(() => {
    const store = useTokenizeStore.getState();
    void store.loadTokenizers();
    void store.loadPresets();
    void store.loadTokenizations(dataset.id);
  }, [dataset.id]);

  // The chosen tokenizer, or the first one when none is chosen yet (or it was deleted).
  const tokenizer = tokenizers.find((t) => t.id === chosenId) ?? tokenizers[0] ?? null;
  const built = buildSettings(draft, dataset, tokenizer);

  return (
    <div className="space-y-6" data-testid="tokenization-tab">
      <section aria-labelledby="tokenize-config-title">
        <h3 id="tokenize-config-title" className={sectionTitle}>
          Tokenization Configuration
        </h3>
        <div className="space-y-4">
          <TokenizerPicker
            tokenizers={tokenizers}
            loaded={tokenizersLoaded}
            selected={tokenizer}
            onSelect={setChosenId}
          />
          <PresetBar
            dataset={dataset}
            draft={draft}
            settings={built.settings}
            selected={preset}
            onSelect={setPreset}
            onApply={setDraft}
          />
          <SettingsForm
            dataset={dataset}
            tokenizer={tokenizer}
            draft={draft}
            errors={built.errors}
            onChange={setDraft}
          />
        </div>
      </section>

      <div className="border-t border-slate-700 pt-6">
        <PreviewPanel
          tokenizer={tokenizer}
          settings={built.settings}
          settingsKey={built.settings ? previewKey(built.settings) : null}
        />
      </div>

      <div className="border-t border-slate-700 pt-6">
        <ApplySection dataset={dataset} tokenizer={tokenizer} settings={built.settings} />
      </div>

      <div className="border-t border-slate-700 pt-6">
        <TokenizationList dataset={dataset} />
      </div>
    </div>
  );
}
