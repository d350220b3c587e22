//! The Tauri shell: builder, plugins, state, command registration, event forwarding.
//! It holds no logic of its own; everything it calls lives in `mistudio-engine`.

pub mod commands;
pub mod events;
mod logging;
pub mod presets_store;
pub mod settings_store;

use mistudio_engine::{Engine, EngineConfig};
use std::sync::Arc;
use tauri::Manager;

/// What every command can reach.
pub struct AppState {
    pub engine: Arc<Engine>,
    /// Set when the saved data folder could not be opened and the default one is used instead.
    pub startup_warning: Option<String>,
}

/// The typed command and event surface; also what generates `src-ui/src/bindings.ts`.
/// Generic over the runtime so `tauri::test`'s mock runtime drives the very same handlers.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            commands::datasets::list_datasets,
            commands::datasets::get_dataset,
            commands::datasets::list_samples,
            commands::datasets::delete_datasets,
            commands::datasets::text_statistics,
            commands::datasets::row_tokens,
            commands::datasets::dataset_storage,
            commands::datasets::start_import,
            commands::datasets::rescan,
            commands::datasets::data_locks,
            commands::hub::inspect_dataset_repo,
            commands::hub::plan_download,
            commands::hub::start_download,
            commands::hub::retry_dataset,
            commands::jobs::list_jobs,
            commands::jobs::cancel_job,
            commands::settings::get_settings,
            // The runtime only names the injected AppHandle; the handler itself stays generic.
            commands::settings::update_settings::<tauri::Wry>,
            commands::machine::machine_status,
            commands::tokenize::list_tokenizers,
            commands::tokenize::add_tokenizer_file,
            commands::tokenize::add_tokenizer_hub,
            commands::tokenize::delete_tokenizer,
            commands::tokenize::list_tokenizations,
            commands::tokenize::start_tokenization,
            commands::tokenize::delete_tokenization,
            commands::tokenize::preview_tokenization,
            commands::tokenize::list_tokenize_presets::<tauri::Wry>,
            commands::tokenize::save_tokenize_preset::<tauri::Wry>,
            commands::tokenize::delete_tokenize_preset::<tauri::Wry>,
        ])
        .events(tauri_specta::collect_events![
            events::JobEvent,
            events::DatasetsChanged,
            events::TokenizationsChanged,
            events::TokenizersChanged,
            events::LocksChanged
        ])
        // Counts and byte sizes are u64/i64 in Rust; every value the app produces stays far
        // below 2^53, where a JavaScript number is exact.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type: the window only reads what Rust serialises.
        .disable_serde_phases()
}

/// Opens the engine with the saved settings. If the saved data folder cannot be used (a
/// shared drive that is not mounted, say), the app still opens on the default folder and says
/// so, instead of refusing to start.
pub async fn open_engine(app: &tauri::AppHandle) -> Result<AppState, Box<dyn std::error::Error>> {
    let local_dir = app.path().app_local_data_dir()?;
    let sink = Arc::new(events::TauriSink::new(app.clone()));
    let saved = settings_store::load(app)?;
    let config = EngineConfig {
        local_dir: local_dir.clone(),
        settings: saved.clone(),
        run_jobs: true,
        hf_cache: None,
    };
    match Engine::open(config, sink.clone()).await {
        Ok(engine) => Ok(AppState {
            engine: Arc::new(engine),
            startup_warning: None,
        }),
        Err(e)
            if e.kind() == mistudio_engine::ErrorKind::InvalidInput
                || e.kind() == mistudio_engine::ErrorKind::NotFound =>
        {
            let mut fallback = saved.clone();
            fallback.data_root = mistudio_engine::Settings::defaults()?.data_root;
            let warning = format!(
                "The data folder {} could not be opened ({e}). Using {} instead; change it in Settings.",
                saved.data_root, fallback.data_root
            );
            tracing::warn!("{warning}");
            let engine = Engine::open(
                EngineConfig {
                    local_dir,
                    settings: fallback,
                    run_jobs: true,
                    hf_cache: None,
                },
                sink,
            )
            .await?;
            Ok(AppState {
                engine: Arc::new(engine),
                startup_warning: Some(warning),
            })
        }
        Err(e) => Err(Box::new(e)),
    }
}

pub fn run() {
    let specta = specta_builder::<tauri::Wry>();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            let guard = logging::init(&app.path().app_log_dir()?)?;
            app.manage(guard);
            let state = tauri::async_runtime::block_on(open_engine(app.handle()))?;
            // What other machines did to a shared data folder while this app was closed; in the
            // background, so the window opens at once (the list follows by event).
            let engine = state.engine.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = engine.rescan().await {
                    tracing::warn!(error = %e, "rescan at start failed");
                }
                // Then what they do while it is open.
                Engine::watch_data_folder(Arc::downgrade(&engine), None).await;
            });
            app.manage(state);
            Ok(())
        })
        .build(tauri::generate_context!("tauri.conf.json"));
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("miStudio Datasets could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(state) = handle.try_state::<AppState>() {
                // Running jobs are interrupted and re-queued, to resume on the next start.
                tauri::async_runtime::block_on(state.engine.shutdown());
            }
        }
    });
}
