fn main() {
    // Every app command needs an explicit permission in a capability (least privilege).
    let commands = &[
        "list_datasets",
        "get_dataset",
        "list_samples",
        "delete_datasets",
        "text_statistics",
        "row_tokens",
        "dataset_storage",
        "start_import",
        "rescan",
        "data_locks",
        "inspect_dataset_repo",
        "plan_download",
        "start_download",
        "retry_dataset",
        "list_jobs",
        "cancel_job",
        "get_settings",
        "update_settings",
        "machine_status",
        "list_tokenizers",
        "add_tokenizer_file",
        "add_tokenizer_hub",
        "delete_tokenizer",
        "list_tokenizations",
        "start_tokenization",
        "delete_tokenization",
        "preview_tokenization",
        "list_tokenize_presets",
        "save_tokenize_preset",
        "delete_tokenize_preset",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
