//! Writing an export: which settings datatrove can run exactly, the tokenizer file that makes
//! its `DocumentTokenizer` give this app's ids, and the folder itself (written aside and moved
//! into place whole).

use super::files::{Spec, SpecExecutor, SpecInput, SpecSource, SpecSplit, SpecTokenizer};
use super::readme::readme;
use super::{
    DatatroveExport, ExecutorKind, ExecutorOptions, ExportedSplit, DATATROVE_VERSION, SCRIPT_FILE,
    SPEC_FILE, SPEC_FORMAT, SPEC_VERSION,
};
use crate::error::{Error, Result};
use crate::library::write_atomic;
use crate::tokenize::{LoadedTokenizer, PackingToken, ResolvedSettings, TokenizeSettings};
use std::path::Path;
use tokenizers::processors::template::{SpecialToken, TemplateProcessing};

const SCRIPT: &str = include_str!("pipeline.py");
/// Documents per `encode_batch` call in each task.
const BATCH_SIZE: u32 = 1000;

/// One split's input, found by the facade (the dataset's canonical files, or a Hub listing).
#[derive(Debug, Clone)]
pub struct ExportSplitInput {
    pub name: String,
    pub input: SpecInput,
    pub rows: Option<u64>,
}

/// Everything an export writes, gathered and checked by the facade.
pub struct ExportPlan<'a> {
    pub source: SpecSource,
    pub tokenizer_id: &'a str,
    pub tokenizer_sha256: Option<&'a str>,
    pub settings: &'a TokenizeSettings,
    pub resolved: &'a ResolvedSettings,
    pub splits: Vec<ExportSplitInput>,
    pub data_root: Option<&'a Path>,
    pub executor: &'a ExecutorOptions,
}

/// Refuses what datatrove's stream cannot be: it writes each document's tokens one after
/// another and nothing else, and the rows are cut from that stream on adoption.
pub fn check_expressible(settings: &TokenizeSettings, tokenizer: &LoadedTokenizer) -> Result<()> {
    let Some(p) = &settings.packing else {
        return Err(Error::invalid(
            "datatrove writes one stream of document tokens: per-sample rows (max length, truncation, padding, overflow) cannot be made from it; choose packing (--pack N), whose rows are cut from the stream when it is adopted",
        ));
    };
    let refuse =
        |what: &str, fix: &str| Err(Error::invalid(format!("datatrove cannot {what}: {fix}")));
    if p.begin_batch_token != PackingToken::None {
        return refuse(
            "start each row with a token (rows are cut from its stream afterwards)",
            "set the begin-batch (row start) token to none",
        );
    }
    if p.begin_sequence_token != PackingToken::None {
        return refuse(
            "put a begin-sequence token before a document only when it does not already start with one",
            "set the begin-sequence token to none (the tokenizer's own special tokens still frame each document)",
        );
    }
    if p.sequence_separator_token != PackingToken::None {
        return refuse(
            "put a separator only between documents that share a row",
            "set the separator to none and use a document-end token (--document-end-token eos), which follows every document",
        );
    }
    if p.disable_concat_sequences {
        return refuse(
            "give each document a row of its own",
            "turn \"one document per row\" off",
        );
    }
    if settings.min_tokens.is_some() || settings.max_tokens.is_some() {
        return refuse(
            "leave out documents by their length in tokens",
            "remove the minimum and maximum token filters",
        );
    }
    // datatrove's readers skip a document with empty text; here such a document is nothing
    // only when a document-end token is set or it has no special tokens around it.
    if p.document_end_token == PackingToken::None
        && settings.add_special_tokens
        && tokenizer.added_tokens_per_sample > 0
    {
        return refuse(
            &format!(
                "keep a document with empty text, which {}'s special tokens alone would make",
                tokenizer.info.name
            ),
            "set a document-end token (--document-end-token eos) or turn special tokens off",
        );
    }
    Ok(())
}

/// The tokenizer datatrove runs: this app's (Llama-2's as `transformers` rebuilds it, say),
/// without truncation or padding, whose post-processor puts exactly the document's frame and
/// the document-end token around each text. Checked on probe texts against the pass's own ids.
pub fn exported_tokenizer(
    tokenizer: &LoadedTokenizer,
    resolved: &ResolvedSettings,
) -> Result<String> {
    let s = &resolved.settings;
    let (prefix, mut suffix) = if s.add_special_tokens {
        let probe = tokenizer.document_ids("a", true)?;
        let bare = tokenizer.document_ids("a", false)?;
        let at = probe
            .windows(bare.len().max(1))
            .position(|w| w == bare.as_slice())
            .filter(|_| !bare.is_empty())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{}'s post-processor does more than put special tokens around a document, which datatrove's stream cannot hold: turn special tokens off",
                    tokenizer.info.name
                ))
            })?;
        (probe[..at].to_vec(), probe[at + bare.len()..].to_vec())
    } else {
        (Vec::new(), Vec::new())
    };
    if let Some(end) = resolved.packing_tokens.document_end {
        suffix.push(end);
    }
    let special = |key: &str, ids: &[u32]| -> Result<SpecialToken> {
        let tokens = ids
            .iter()
            .map(|&id| tokenizer.tokenizer.id_to_token(id).unwrap_or_default())
            .collect();
        SpecialToken::new(key.into(), ids.to_vec(), tokens)
            .map_err(|e| Error::Internal(format!("building the document frame: {e}")))
    };
    let mut single: Vec<String> = Vec::new();
    let mut specials = Vec::new();
    if !prefix.is_empty() {
        single.push("mistudio_document_start".into());
        specials.push(special("mistudio_document_start", &prefix)?);
    }
    single.push("$A".into());
    let mut pair = single.clone();
    pair.push("$B:1".into());
    if !suffix.is_empty() {
        single.push("mistudio_document_end".into());
        pair.push("mistudio_document_end:1".into());
        specials.push(special("mistudio_document_end", &suffix)?);
    }
    let template = TemplateProcessing::builder()
        .try_single(single)
        .and_then(|b| b.try_pair(pair))
        .map_err(|e| Error::Internal(format!("building the document frame: {e}")))?
        .special_tokens(specials)
        .build()
        .map_err(|e| Error::Internal(format!("building the document frame: {e}")))?;
    let mut exported = tokenizer.tokenizer.clone();
    exported
        .with_truncation(None)
        .map_err(|e| Error::Internal(format!("clearing truncation: {e}")))?;
    exported.with_padding(None);
    exported.with_post_processor(Some(template));
    let json = exported
        .to_string(false)
        .map_err(|e| Error::Internal(format!("writing the tokenizer: {e}")))?;

    // What datatrove will load, checked against the pass on texts that exercise spaces,
    // newlines, Unicode and a special token written out.
    let reloaded: tokenizers::Tokenizer = json
        .parse()
        .map_err(|e| Error::Internal(format!("reading the exported tokenizer back: {e}")))?;
    let mut probes: Vec<String> = [
        "Hello world",
        " leading space",
        "two\n\nparagraphs  and   spaces\t",
        "Ünïcödé — 日本語 🙂",
        "1234567 + 89",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for t in [
        &tokenizer.info.special_tokens.eos,
        &tokenizer.info.special_tokens.bos,
    ]
    .into_iter()
    .flatten()
    {
        probes.push(format!("text then {} and more", t.content));
    }
    for text in &probes {
        let expected = resolved
            .packing_tokens
            .finish_document(text, tokenizer.document_ids(text, s.add_special_tokens)?);
        let got = reloaded
            .encode(text.as_str(), true)
            .map_err(|e| Error::Internal(format!("encoding with the exported tokenizer: {e}")))?;
        if got.get_ids() != expected.as_slice() {
            return Err(Error::invalid(format!(
                "{} cannot be handed to datatrove exactly: its tokenizer file would encode {text:?} as {:?} where this app gives {expected:?}",
                tokenizer.info.name,
                got.get_ids()
            )));
        }
    }
    Ok(json)
}

/// Writes the export folder at `out` (which must not exist, or be empty): aside first, then
/// moved into place, so a failure leaves nothing that looks like an export.
pub fn write_export(
    plan: &ExportPlan<'_>,
    tokenizer: &LoadedTokenizer,
    out: &Path,
) -> Result<DatatroveExport> {
    check_expressible(plan.settings, tokenizer)?;
    check_executor(plan.executor)?;
    let free = match std::fs::read_dir(out) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Error::io(format!("reading {}", out.display()), e)),
    };
    if !free {
        return Err(Error::Conflict(format!(
            "{} is not empty: choose a new or empty folder for the export",
            out.display()
        )));
    }
    let json = exported_tokenizer(tokenizer, plan.resolved)?;
    use sha2::Digest;
    let file_sha = hex::encode(sha2::Sha256::digest(json.as_bytes()));
    let tokenizer_file = format!("tokenizer-{}.json", &file_sha[..16]);
    let vocab = tokenizer.tokenizer.get_vocab_size(true);
    let token_size = if vocab > usize::from(u16::MAX) + 1 {
        4
    } else {
        2
    };
    let spec = Spec {
        format: SPEC_FORMAT.into(),
        format_version: SPEC_VERSION,
        datatrove_version: DATATROVE_VERSION.into(),
        made_by: format!("miStudio Datasets {}", env!("CARGO_PKG_VERSION")),
        source: plan.source.clone(),
        tokenizer: SpecTokenizer {
            id: plan.tokenizer_id.into(),
            name: tokenizer.info.name.clone(),
            sha256: plan.tokenizer_sha256.map(str::to_string),
            file: tokenizer_file.clone(),
            file_sha256: file_sha,
            token_size,
        },
        settings: plan.settings.clone(),
        text_column: plan.resolved.text_column.clone(),
        data_root: plan.data_root.map(|p| p.to_string_lossy().into_owned()),
        batch_size: BATCH_SIZE,
        splits: plan
            .splits
            .iter()
            .enumerate()
            .map(|(i, s)| SpecSplit {
                name: s.name.clone(),
                input: s.input.clone(),
                output: format!("output/{i}"),
                logs: format!("logs/{i}"),
                rows: s.rows,
            })
            .collect(),
        executor_defaults: SpecExecutor {
            executor: plan.executor.executor,
            tasks: plan.executor.tasks,
            workers: plan.executor.workers,
            partition: plan.executor.partition.clone(),
            time: plan.executor.time.clone(),
            cpus_per_task: plan.executor.cpus_per_task,
            mem_per_cpu_gb: plan.executor.mem_per_cpu_gb,
            venv: None,
            ray_address: plan.executor.ray_address.clone(),
        },
    };
    let aside = aside_dir(out)?;
    let _ = std::fs::remove_dir_all(&aside);
    let written = (|| -> Result<()> {
        std::fs::create_dir_all(&aside)
            .map_err(|e| Error::io(format!("creating {}", aside.display()), e))?;
        let spec_json = serde_json::to_vec_pretty(&spec)
            .map_err(|e| Error::Internal(format!("serialising {SPEC_FILE}: {e}")))?;
        write_atomic(&aside.join(SPEC_FILE), &spec_json)?;
        write_atomic(&aside.join(&tokenizer_file), json.as_bytes())?;
        write_atomic(&aside.join(SCRIPT_FILE), SCRIPT.as_bytes())?;
        write_atomic(&aside.join("README.md"), readme(&spec, out).as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = aside.join(SCRIPT_FILE);
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Error::io(format!("making {} executable", script.display()), e))?;
        }
        if out.exists() {
            std::fs::remove_dir(out)
                .map_err(|e| Error::io(format!("replacing {}", out.display()), e))?;
        }
        std::fs::rename(&aside, out)
            .map_err(|e| Error::io(format!("moving the export to {}", out.display()), e))
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&aside);
        return Err(e);
    }
    let max_useful_tasks = spec
        .splits
        .iter()
        .map(|s| s.input.files().len() as u32)
        .max()
        .unwrap_or(0);
    Ok(DatatroveExport {
        folder: out.to_string_lossy().into_owned(),
        command: run_command(out, plan.executor),
        splits: plan
            .splits
            .iter()
            .map(|s| ExportedSplit {
                name: s.name.clone(),
                files: s.input.files().len() as u32,
                rows: s.rows,
            })
            .collect(),
        datatrove_version: DATATROVE_VERSION.into(),
        max_useful_tasks,
    })
}

/// A sibling of `out`, on the same file system, for the export being written.
fn aside_dir(out: &Path) -> Result<std::path::PathBuf> {
    let name = out
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} is not a folder name", out.display())))?;
    let mut aside = name.to_os_string();
    aside.push(".export-partial");
    Ok(out.with_file_name(aside))
}

fn check_executor(e: &ExecutorOptions) -> Result<()> {
    if e.tasks == 0 || e.tasks > 100_000 {
        return Err(Error::invalid(format!(
            "the tasks must be between 1 and 100,000, not {}",
            e.tasks
        )));
    }
    if e.workers == Some(0) {
        return Err(Error::invalid("the workers must be 1 or more"));
    }
    if e.cpus_per_task == 0 {
        return Err(Error::invalid("the CPUs per task must be 1 or more"));
    }
    if !(e.mem_per_cpu_gb.is_finite() && e.mem_per_cpu_gb > 0.0) {
        return Err(Error::invalid(
            "the memory per CPU must be a positive number of GB",
        ));
    }
    let hms = e.time.split(':').collect::<Vec<_>>();
    let time_ok = (1..=4).contains(&hms.len())
        && hms
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '-'));
    if !time_ok {
        return Err(Error::invalid(format!(
            "the Slurm time limit {:?} is not in Slurm's form (HH:MM:SS, or D-HH:MM:SS)",
            e.time
        )));
    }
    if e.executor == ExecutorKind::Slurm
        && e.partition.as_deref().is_none_or(|p| p.trim().is_empty())
    {
        return Err(Error::invalid(
            "the Slurm executor needs a partition: give --partition",
        ));
    }
    Ok(())
}

/// The shell command that runs the export as chosen, every argument quoted.
pub fn run_command(out: &Path, e: &ExecutorOptions) -> String {
    let script = out.join(SCRIPT_FILE);
    let mut parts = vec![
        "python3".to_string(),
        shell_quote(&script.to_string_lossy()),
        "--executor".into(),
        e.executor.as_str().into(),
        "--tasks".into(),
        e.tasks.to_string(),
    ];
    if let Some(w) = e.workers {
        parts.extend(["--workers".into(), w.to_string()]);
    }
    match e.executor {
        ExecutorKind::Local => {}
        ExecutorKind::Slurm => {
            if let Some(p) = &e.partition {
                parts.extend(["--partition".into(), shell_quote(p)]);
            }
            parts.extend(["--time".into(), shell_quote(&e.time)]);
            parts.extend(["--cpus-per-task".into(), e.cpus_per_task.to_string()]);
        }
        ExecutorKind::Ray => {
            if let Some(a) = &e.ray_address {
                parts.extend(["--ray-address".into(), shell_quote(a)]);
            }
            parts.extend(["--cpus-per-task".into(), e.cpus_per_task.to_string()]);
        }
    }
    parts.join(" ")
}

/// `s` as one shell word: bare when it is plainly safe, else single-quoted.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
