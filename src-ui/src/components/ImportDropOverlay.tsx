import { useEffect, useEffectEvent, useState } from "react";
import { getCurrentWebview, type DragDropEvent } from "@tauri-apps/api/webview";
import { HardDriveUpload } from "lucide-react";
import { listenSafely } from "../store/listen";

type Props = {
  onDrop: (paths: string[]) => void;
};

/** A dialog covers the panel: a drop would fill a form the user cannot see. */
function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * Listens for files dragged onto the window and shows where they would go. Tauri reports the
 * drag natively (the webview never sees HTML5 file drops, and only Tauri knows the paths).
 */
export function ImportDropOverlay({ onDrop }: Props) {
  const [dragging, setDragging] = useState(false);

  const onEvent = useEffectEvent((event: DragDropEvent) => {
    switch (event.type) {
      case "enter":
      case "over":
        setDragging(!modalOpen());
        break;
      case "leave":
        setDragging(false);
        break;
      case "drop":
        setDragging(false);
        if (event.paths.length > 0 && !modalOpen()) onDrop(event.paths);
        break;
    }
  });

  useEffect(
    () =>
      listenSafely<DragDropEvent>(
        {
          listen: (cb) => {
            try {
              return getCurrentWebview().onDragDropEvent(cb);
            } catch (e) {
              // No webview to listen on (outside Tauri): report it like a failed subscription.
              return Promise.reject(e instanceof Error ? e : new Error(String(e)));
            }
          },
        },
        (payload) => onEvent(payload),
      ),
    [],
  );

  if (!dragging) return null;
  return (
    <div
      className="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-slate-950/80 p-8"
      data-testid="import-drop-overlay"
      role="status"
    >
      <div className="flex flex-col items-center gap-3 rounded-lg border-2 border-dashed border-emerald-500 bg-slate-900/90 px-12 py-10 text-center">
        <HardDriveUpload className="h-10 w-10 text-emerald-400" aria-hidden="true" />
        <p className="text-lg font-medium text-slate-100">Drop a file or folder to import</p>
        <p className="text-sm text-slate-400">It fills the Import local files form; nothing starts until you press Import.</p>
      </div>
    </div>
  );
}
