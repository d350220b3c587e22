//! The files beside a tokenization that let Python tools take it as it is: `README.md`, whose
//! YAML front matter names each split's Arrow files so `datasets.load_dataset(folder,
//! split=…)` reads them where they are, and `sae_lens.json`, the metadata SAELens's
//! `PretokenizeRunner` writes beside a pretokenized set (`PretokenizedDatasetMetadata`).

use super::output::write_json;
use super::settings::{PackingToken, TokenizeSettings};
use crate::error::Result;
use crate::library::write_atomic;
use std::path::Path;

pub const SAE_LENS_FILE: &str = "sae_lens.json";
pub const CARD_FILE: &str = "README.md";

/// The SAELens release whose `PretokenizeRunner` rules packed rows follow (`sae_lens_version`
/// in `sae_lens.json`; `bench/saelens.sh` checks the rows against it).
pub const SAE_LENS_VERSION: &str = "6.54.12";

/// What the hand-off files say about where a tokenization came from.
pub struct Origin<'a> {
    /// The Hub dataset id, or the dataset's name when it was imported.
    pub dataset: &'a str,
    /// The Hub config (SAELens's `dataset_name`), when the dataset came from the Hub with one.
    pub config: Option<&'a str>,
    /// The Hub model id when the tokenizer came from the Hub, else its name.
    pub tokenizer: &'a str,
    pub column: &'a str,
    pub splits: &'a [String],
}

pub fn sae_lens_metadata(settings: &TokenizeSettings, origin: &Origin<'_>) -> serde_json::Value {
    let packing = settings.packing;
    let token = |pick: fn(&super::Packing) -> PackingToken| {
        packing
            .as_ref()
            .map_or(serde_json::Value::Null, |p| pick(p).saelens_value())
    };
    serde_json::json!({
        "sae_lens_version": SAE_LENS_VERSION,
        "tokenizer_name": origin.tokenizer,
        "original_dataset": origin.dataset,
        "original_dataset_name": origin.config,
        "original_split": if origin.splits.len() == 1 { Some(&origin.splits[0]) } else { None },
        "original_data_files": null,
        "original_column_name": origin.column,
        "context_size": packing.map_or(settings.max_length, |p| p.context_size),
        "shuffled": settings.shuffle,
        "seed": if settings.shuffle { settings.seed } else { None },
        "begin_batch_token": token(|p| p.begin_batch_token),
        "begin_sequence_token": token(|p| p.begin_sequence_token),
        "sequence_separator_token": token(|p| p.sequence_separator_token),
        "disable_concat_sequences": packing.is_some_and(|p| p.disable_concat_sequences),
        "use_chat_formatting": false,
        "column_name": origin.column,
        "splits": origin.splits,
        "packed": packing.is_some(),
        "made_by": concat!("miStudio Datasets ", env!("CARGO_PKG_VERSION")),
    })
}

/// The dataset card: front matter for `load_dataset`, then a few lines for a person.
pub fn card(origin: &Origin<'_>, summary: &str) -> String {
    // Split names are checked when a dataset is made (letters, digits, `-`, `_`, `.`, `+`), so they
    // are safe in a YAML string and in a glob.
    let mut yaml = String::from("---\nconfigs:\n- config_name: default\n  data_files:\n");
    for split in origin.splits {
        let quoted = serde_json::to_string(split).unwrap_or_default();
        let pattern = serde_json::to_string(&format!("{split}/data-*.arrow")).unwrap_or_default();
        yaml.push_str(&format!("  - split: {quoted}\n    path: {pattern}\n"));
    }
    yaml.push_str("---\n");
    let splits = origin.splits.join(", ");
    format!(
        "{yaml}\n# {dataset} tokenized with {tokenizer}\n\n\
         Column `{column}`, splits {splits}: {summary}.\n\n\
         Made by miStudio Datasets. Read it in Python with\n\n\
         ```python\nfrom datasets import load_from_disk, load_dataset\n\
         ds = load_from_disk(\"<this folder>\")[\"{first}\"]            # memory-mapped, in place\n\
         ds = load_dataset(\"<this folder>\", split=\"{first}\")         # through the datasets cache\n```\n",
        dataset = origin.dataset,
        tokenizer = origin.tokenizer,
        column = origin.column,
        first = origin.splits.first().map(String::as_str).unwrap_or("train"),
    )
}

/// Writes both files into the (partial) tokenization folder.
pub fn write_handoff(dir: &Path, settings: &TokenizeSettings, origin: &Origin<'_>) -> Result<()> {
    write_json(
        &dir.join(SAE_LENS_FILE),
        &sae_lens_metadata(settings, origin),
    )?;
    write_atomic(
        &dir.join(CARD_FILE),
        card(origin, &settings.summary()).as_bytes(),
    )
}
