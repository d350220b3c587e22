//! Tokenization: tokenizers (added from a file or a Hub model repo), settings checked against
//! them, a live preview, and the job that streams a dataset's canonical data through a
//! tokenizer into the Hugging Face `save_to_disk` layout with its statistics (docs/design.md §3, §5).

mod encode;
pub mod fast;
pub mod handoff;
mod job;
pub mod model;
pub mod output;
pub mod packing;
mod packing_settings;
pub mod pipeline;
mod preview;
pub mod registry;
pub mod settings;
pub mod source;
pub mod stats;

#[cfg(test)]
pub(crate) mod tests;

pub use job::{partial_dir, thread_budget, TokenizeHandler, TokenizeParams, MISTUDIO_FILE};
pub use model::{LoadedTokenizer, SpecialToken, SpecialTokens, TokenizerInfo};
pub use preview::{preview, row_tokens, PreviewRow, PreviewToken, TokenizePreview};
pub use settings::{Packing, PackingToken, Padding, ResolvedSettings, TokenizeSettings};
pub use stats::{HistogramBin, LengthSummary, SplitStatistics, Statistics, TopToken};
