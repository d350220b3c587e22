//! The command line: clap's argument types, and their conversion into the engine's requests.

use crate::progress::ProgressFormat;
use clap::{Parser, Subcommand};
use mistudio_engine::datasets::DownloadRequest;
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::tokenize::{Packing, PackingToken, Padding, TokenizeSettings};
use mistudio_engine::Result;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "mistudio-cli",
    version,
    about = "Manage miStudio datasets from the command line"
)]
pub struct Cli {
    /// The data folder (datasets, tokenizations). Defaults to the folder chosen in the app's
    /// settings, else the app's data dir.
    #[arg(long, global = true, env = "MISTUDIO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Machine-local folder of the index database. Defaults to the app's local data dir.
    #[arg(
        long,
        global = true,
        env = "MISTUDIO_LOCAL_DIR",
        value_name = "DIR",
        hide_short_help = true
    )]
    pub local_dir: Option<PathBuf>,

    /// Print one JSON document on stdout (errors as {"error":{"kind","message"}}).
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// List the datasets in the data folder.
    List,
    /// Download a dataset from the Hugging Face Hub and convert it; prints the dataset once
    /// ready. Rerunning an interrupted download resumes it.
    Download(DownloadArgs),
    /// Import a local file or folder (parquet, jsonl, json, csv, tsv, txt, arrow; also .gz/.zst)
    /// as a dataset; prints it once ready. In a folder, splits come from file and folder names
    /// (train/validation/test).
    Import(ImportArgs),
    /// Bring this machine's index in line with the data folder's manifests (datasets made or
    /// deleted by another machine sharing the folder).
    Rescan,
    /// List the datasets other processes are working on (another machine sharing the data
    /// folder, or the window here), from the lock files in the data folder.
    Locks,
    /// Show one dataset.
    Show {
        /// Dataset id (ds_…).
        dataset: String,
    },
    /// List background jobs, or cancel one.
    Jobs {
        /// Cancel this job (job_…) instead of listing.
        #[arg(long, value_name = "JOB")]
        cancel: Option<String>,
    },
    /// Add, list or delete tokenizers.
    Tokenizer {
        #[command(subcommand)]
        command: TokenizerCommand,
    },
    /// List a dataset's tokenizations, or delete one (a dataset can hold several with one
    /// tokenizer, each with other settings).
    Tokenization {
        #[command(subcommand)]
        command: TokenizationCommand,
    },
    /// Tokenize a ready dataset into the Hugging Face `save_to_disk` layout; prints the
    /// tokenization once ready. Rerunning an interrupted tokenization starts it over.
    Tokenize(Box<TokenizeArgs>),
    /// Hand a tokenization to datatrove (local processes, Slurm, Ray) when one machine is not
    /// enough, and adopt what its run writes.
    Datatrove {
        #[command(subcommand)]
        command: DatatroveCommand,
    },
    /// Delete datasets with their data and tokenizations (refused while a job uses one).
    Delete(DeleteArgs),
    /// Rows of a ready dataset: a page, optionally searched.
    Samples(SamplesArgs),
    /// Text-length statistics of a dataset and the statistics of its tokenizations.
    Stats(StatsArgs),
}

#[derive(clap::Args)]
pub struct DownloadArgs {
    /// owner/name on the Hub.
    repo_id: String,
    #[arg(long)]
    config: Option<String>,
    /// One split; all splits of the config when omitted.
    #[arg(long)]
    split: Option<String>,
    #[arg(long)]
    revision: Option<String>,
    /// Access token for gated or private datasets (else HF_TOKEN, else the saved token).
    #[arg(long)]
    token: Option<String>,
    /// Take only the split's files whose repo path matches GLOB (repeatable; `hf download`'s
    /// globs: `*` also matches `/`, a pattern ending in `/` takes the folder).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave out the files whose repo path matches GLOB (repeatable; applied after --include).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Take the first N rows of each split in file order (or N% of it), fetching only the
    /// files — for parquet, the row groups — that hold them.
    #[arg(long, value_name = "N|N%")]
    rows: Option<String>,
    /// Remove each raw file from the HF cache once converted: the download's peak disk is one
    /// file plus the converted data (Python tools then cannot share the files).
    #[arg(long)]
    no_keep_hub_files: bool,
    /// Print what the download would fetch and the disk it needs, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How to show progress on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressFormat,
}

impl DownloadArgs {
    pub fn request(&self) -> DownloadRequest {
        DownloadRequest {
            repo_id: self.repo_id.clone(),
            config: self.config.clone(),
            split: self.split.clone(),
            revision: self.revision.clone(),
            token: self.token.clone(),
            remember_token: false,
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            rows: self.rows.clone(),
            // Without the flag the setting decides (it keeps files unless changed).
            keep_hub_files: self.no_keep_hub_files.then_some(false),
        }
    }
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A file, or a folder of files.
    pub path: PathBuf,
    /// The dataset's name (default: the file or folder name).
    #[arg(long)]
    pub name: Option<String>,
    /// How to show progress on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressFormat,
}

#[derive(Subcommand)]
pub enum TokenizerCommand {
    /// Add a tokenizer from a Hub model repo (its tokenizer.json) or a local tokenizer.json.
    Add(AddTokenizerArgs),
    /// List the tokenizers in the library.
    List,
    /// Delete a tokenizer that no tokenization uses.
    Delete { tokenizer: String },
}

#[derive(Subcommand)]
pub enum TokenizationCommand {
    /// List the tokenizations of a dataset and their settings (with --json, their folders).
    List {
        /// Dataset id (ds_…).
        dataset: String,
    },
    /// Delete one tokenization and its folder; the dataset's others stay.
    Delete {
        /// Tokenization id (tok_…).
        tokenization: String,
    },
}

#[derive(clap::Args)]
pub struct AddTokenizerArgs {
    /// owner/name of a model repo, or a path to a tokenizer.json (or a folder holding one).
    pub source: String,
    /// Display name (defaults to the repo id or the file's folder name).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub revision: Option<String>,
    #[arg(long)]
    pub token: Option<String>,
}

#[derive(clap::Args)]
pub struct TokenizeArgs {
    /// Dataset id (ds_…).
    pub dataset: String,
    /// A tokenizer id (tk_…), a Hub model repo id, or a path to a tokenizer.json.
    #[arg(long)]
    pub tokenizer: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Replace an existing tokenization of the dataset with this tokenizer and these settings
    /// (with nothing to replace, this simply tokenizes).
    #[arg(long)]
    pub replace: bool,
    /// Access token, when the tokenizer comes from a gated or private repo.
    #[arg(long)]
    pub token: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressFormat,
}

/// The tokenization settings, shared by `tokenize` and `datatrove export`.
#[derive(clap::Args)]
pub struct SettingsArgs {
    /// The text column (default: the dataset's detected text column; for a Hub repo, "text").
    #[arg(long)]
    column: Option<String>,
    /// Tokenize only these splits (repeatable; default: all).
    #[arg(long = "split", value_name = "SPLIT")]
    splits: Vec<String>,
    #[arg(long, default_value_t = 512)]
    max_length: u32,
    /// Cut samples at --max-length (the default).
    #[arg(long, overrides_with = "no_truncation")]
    truncation: bool,
    #[arg(long)]
    no_truncation: bool,
    #[arg(long, value_enum, default_value = "none")]
    padding: PaddingArg,
    /// Keep what truncation cuts off as further rows.
    #[arg(long)]
    overflow: bool,
    /// Tokens shared by consecutive overflow rows (implies --overflow).
    #[arg(long, default_value_t = 0)]
    stride: u32,
    /// Do not add the tokenizer's own special tokens around samples (or, packed, documents).
    #[arg(long)]
    no_special_tokens: bool,
    /// Packed mode: documents concatenated into rows of exactly this many tokens, cut as
    /// SAELens's PretokenizeRunner cuts them.
    #[arg(long, value_name = "CONTEXT_SIZE")]
    pack: Option<u32>,
    /// Packed mode: the token each row starts with: bos, eos, sep, none or a token id
    /// (default: bos; for datatrove export: none).
    #[arg(long, requires = "pack", value_name = "V", conflicts_with = "bos")]
    begin_batch_token: Option<PackingTokenArg>,
    /// Packed mode: the token each document starts with: bos, eos, sep, none or a token id
    /// (default: none).
    #[arg(long, requires = "pack", value_name = "V")]
    begin_sequence_token: Option<PackingTokenArg>,
    /// Packed mode: the token between documents in a row: bos, eos, sep, none or a token id
    /// (default: bos; for datatrove export: none).
    #[arg(
        long,
        requires = "pack",
        value_name = "V",
        conflicts_with = "separator"
    )]
    sequence_separator_token: Option<PackingTokenArg>,
    /// Packed mode: one document per row (its first CONTEXT_SIZE tokens); shorter ones are
    /// dropped.
    #[arg(long, requires = "pack")]
    disable_concat_sequences: bool,
    /// Packed mode: a token after every document, eos for datatrove's and nanoGPT's stream (a
    /// document with empty text then adds nothing) (default: none; for datatrove export: eos).
    #[arg(long, requires = "pack", value_name = "V")]
    document_end_token: Option<PackingTokenArg>,
    /// Write the rows in a seeded random order (the default in packed mode).
    #[arg(long, overrides_with = "no_shuffle")]
    shuffle: bool,
    /// Keep the rows in the dataset's order.
    #[arg(long, conflicts_with = "seed")]
    no_shuffle: bool,
    /// The shuffle's seed (default: a random one, recorded with the tokenization).
    #[arg(long)]
    seed: Option<u32>,
    /// The first release's name for --begin-batch-token bos.
    #[arg(long, requires = "pack", hide = true)]
    bos: bool,
    /// The first release's name for --sequence-separator-token.
    #[arg(long, requires = "pack", hide = true, value_name = "V")]
    separator: Option<PackingTokenArg>,
    /// Leave out samples with fewer tokens.
    #[arg(long)]
    min_tokens: Option<u32>,
    /// Leave out samples with more tokens (before truncation).
    #[arg(long)]
    max_tokens: Option<u32>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PaddingArg {
    None,
    MaxLength,
}

/// `bos | eos | sep | none | <id>`, as SAELens names special tokens.
#[derive(Clone, Copy, Debug)]
pub struct PackingTokenArg(pub PackingToken);

impl std::str::FromStr for PackingTokenArg {
    type Err = String;

    fn from_str(v: &str) -> std::result::Result<Self, String> {
        Ok(PackingTokenArg(
            match v.trim().to_ascii_lowercase().as_str() {
                "bos" => PackingToken::Bos,
                "eos" => PackingToken::Eos,
                "sep" => PackingToken::Sep,
                "none" => PackingToken::None,
                id => PackingToken::Id(id.parse().map_err(|_| {
                    format!("expected bos, eos, sep, none or a token id, not {v:?}")
                })?),
            },
        ))
    }
}

/// The packing tokens a command takes when none is given.
pub struct PackingDefaults {
    pub begin_batch: PackingToken,
    pub separator: PackingToken,
    pub document_end: PackingToken,
}

impl PackingDefaults {
    /// SAELens's `PretokenizeRunnerConfig`.
    pub const SAELENS: PackingDefaults = PackingDefaults {
        begin_batch: PackingToken::Bos,
        separator: PackingToken::Bos,
        document_end: PackingToken::None,
    };
    /// datatrove's stream: each document followed by EOS, rows cut where they fall.
    pub const DATATROVE: PackingDefaults = PackingDefaults {
        begin_batch: PackingToken::None,
        separator: PackingToken::None,
        document_end: PackingToken::Eos,
    };
}

impl SettingsArgs {
    pub fn settings(&self, defaults: &PackingDefaults) -> Result<TokenizeSettings> {
        let pick =
            |given: Option<PackingTokenArg>, default: PackingToken| given.map_or(default, |t| t.0);
        let packing = self.pack.map(|context_size| Packing {
            context_size,
            begin_batch_token: if self.bos {
                PackingToken::Bos
            } else {
                pick(self.begin_batch_token, defaults.begin_batch)
            },
            begin_sequence_token: pick(self.begin_sequence_token, PackingToken::None),
            sequence_separator_token: pick(
                self.separator.or(self.sequence_separator_token),
                defaults.separator,
            ),
            disable_concat_sequences: self.disable_concat_sequences,
            document_end_token: pick(self.document_end_token, defaults.document_end),
        });
        // Shuffled by default when packing, as SAELens does; a seed asks for a shuffle.
        let shuffle =
            !self.no_shuffle && (self.shuffle || self.seed.is_some() || packing.is_some());
        Ok(TokenizeSettings {
            text_column: self.column.clone(),
            splits: self.splits.clone(),
            max_length: self.max_length,
            truncation: !self.no_truncation,
            padding: match self.padding {
                PaddingArg::None => Padding::None,
                PaddingArg::MaxLength => Padding::MaxLength,
            },
            overflow: self.overflow || self.stride > 0,
            stride: self.stride,
            add_special_tokens: !self.no_special_tokens,
            packing,
            min_tokens: self.min_tokens,
            max_tokens: self.max_tokens,
            shuffle,
            seed: self.seed,
        })
    }
}

#[derive(clap::Subcommand)]
pub enum DatatroveCommand {
    /// Write a self-contained datatrove pipeline folder (script, its data as JSON, the
    /// tokenizer, a README); prints the folder and the command that runs it. Settings datatrove
    /// cannot run exactly are refused; packing defaults to its stream (each document followed
    /// by EOS).
    Export(Box<DatatroveExportArgs>),
    /// Adopt a finished run's output as a tokenization of DATASET (rows: consecutive windows
    /// of --pack tokens of the stream); prints the tokenization, like `tokenize`.
    Adopt(DatatroveAdoptArgs),
    /// Check a run's output against DATASET and print what it holds; writes nothing.
    Check {
        /// Dataset id (ds_…).
        dataset: String,
        /// The export folder the pipeline ran in.
        folder: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExecutorArg {
    Local,
    Slurm,
    Ray,
}

#[derive(clap::Args)]
pub struct DatatroveExportArgs {
    /// A dataset id (ds_…), or a Hub dataset repo id (owner/name) the tasks read in place.
    pub source: String,
    /// A tokenizer id (tk_…), a Hub model repo id, or a path to a tokenizer.json.
    #[arg(long)]
    pub tokenizer: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// The folder to write: new, or empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The executor the script runs with by default (each option is also one of the script's).
    #[arg(long, value_enum, default_value = "local")]
    pub executor: ExecutorArg,
    /// Tasks per split (datatrove gives each task whole input files).
    #[arg(long, default_value_t = 4)]
    pub tasks: u32,
    /// Tasks running at once (default: all, or the scheduler's choice).
    #[arg(long)]
    pub workers: Option<u32>,
    /// Slurm: the partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm: the time limit per job.
    #[arg(long, default_value = "04:00:00")]
    pub time: String,
    /// Slurm and Ray: CPUs per task.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: u32,
    /// Slurm and Ray: memory per CPU in GB.
    #[arg(long, default_value_t = 2.0)]
    pub mem_per_cpu_gb: f64,
    /// Ray: the cluster's address (default: RAY_ADDRESS, else a local cluster).
    #[arg(long)]
    pub ray_address: Option<String>,
    /// Hub repo: the config.
    #[arg(long)]
    pub config: Option<String>,
    /// Hub repo: the revision (pinned to its commit in the export).
    #[arg(long)]
    pub revision: Option<String>,
    /// Hub repo: files to read (hf download's globs; repeatable).
    #[arg(long)]
    pub include: Vec<String>,
    /// Hub repo: files to leave out (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Access token to list a gated or private repo (never written to the folder).
    #[arg(long)]
    pub token: Option<String>,
}

#[derive(clap::Args)]
pub struct DatatroveAdoptArgs {
    /// Dataset id (ds_…).
    pub dataset: String,
    /// The export folder the pipeline ran in.
    pub folder: PathBuf,
    /// Rows of this many tokens (default: the export's context size).
    #[arg(long, value_name = "CONTEXT_SIZE")]
    pub pack: Option<u32>,
    /// Write the rows in a seeded random order (default: as the export chose).
    #[arg(long, overrides_with = "no_shuffle")]
    pub shuffle: bool,
    /// Keep the rows in the stream's order.
    #[arg(long, conflicts_with = "seed")]
    pub no_shuffle: bool,
    /// The shuffle's seed (default: a random one, recorded).
    #[arg(long)]
    pub seed: Option<u32>,
    /// Replace a tokenization with the same tokenizer and settings.
    #[arg(long)]
    pub replace: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressFormat,
}

#[derive(clap::Args)]
pub struct DeleteArgs {
    /// Dataset ids (ds_…).
    #[arg(required = true)]
    pub datasets: Vec<String>,
    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Also delete the raw Hub cache files that no other dataset uses.
    #[arg(long)]
    pub hub_files: bool,
}

#[derive(clap::Args)]
pub struct SamplesArgs {
    /// Dataset id (ds_…).
    dataset: String,
    /// One split (default: all, in order).
    #[arg(long)]
    split: Option<String>,
    #[arg(long, default_value_t = 0)]
    offset: u64,
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// Case-insensitive text to find in the text column.
    #[arg(long)]
    search: Option<String>,
    /// Only rows whose text has at least this many characters.
    #[arg(long)]
    min_chars: Option<u64>,
    /// Only rows whose text has at most this many characters.
    #[arg(long)]
    max_chars: Option<u64>,
    /// The tokenization (tok_…) whose token lengths `--min-tokens`/`--max-tokens` use.
    #[arg(long, value_name = "TOK")]
    tokenization: Option<String>,
    /// Only rows at least this many tokens long under `--tokenization`.
    #[arg(long, requires = "tokenization")]
    min_tokens: Option<u64>,
    /// Only rows at most this many tokens long under `--tokenization`.
    #[arg(long, requires = "tokenization")]
    max_tokens: Option<u64>,
}

impl SamplesArgs {
    pub fn query(&self) -> SamplesQuery {
        SamplesQuery {
            dataset_id: self.dataset.clone(),
            split: self.split.clone(),
            offset: self.offset,
            limit: self.limit,
            search: self.search.clone(),
            min_chars: self.min_chars,
            max_chars: self.max_chars,
            tokenization_id: self.tokenization.clone(),
            min_tokens: self.min_tokens,
            max_tokens: self.max_tokens,
        }
    }
}

#[derive(clap::Args)]
pub struct StatsArgs {
    /// Dataset id (ds_…).
    pub dataset: String,
    /// One tokenization (tok_…); without it, the text lengths and every ready tokenization.
    #[arg(long, value_name = "TOK")]
    pub tokenization: Option<String>,
    /// The split whose text lengths to count (all splits when omitted).
    #[arg(long)]
    pub split: Option<String>,
}
