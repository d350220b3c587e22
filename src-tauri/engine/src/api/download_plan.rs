//! The facade's dry run: what a download would fetch and cost, with nothing fetched but
//! metadata (the listing, the card, parquet footers) and nothing registered.

use crate::datasets::{self, DownloadPlan, DownloadRequest, Planner};
use crate::error::Result;
use crate::hub::download::Downloader;
use crate::hub::parquet_footer::FooterCache;
use crate::{hub, Engine};

impl Engine {
    /// The dry run of `request`: its files, bytes, rows (from the card's `dataset_info` or the
    /// parquet footers) and the disk its download, conversion and a later tokenization need.
    pub async fn plan_download(&self, request: &DownloadRequest) -> Result<DownloadPlan> {
        hub::validate_repo_id(&request.repo_id)?;
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let choice = datasets::parse_choice(
            &request.include,
            &request.exclude,
            clean(&request.rows).as_deref(),
            self.keep_hub_files(request.keep_hub_files),
        )?;
        let revision = clean(&request.revision);
        if let Some(r) = &revision {
            hub::validate_revision(r)?;
        }
        let client = self.hub_client(clean(&request.token).as_deref())?;
        let inspection =
            hub::inspect_dataset(&client, &request.repo_id, revision.as_deref()).await?;
        let (config, splits) = inspection.select(
            clean(&request.config).as_deref(),
            clean(&request.split).as_deref(),
        )?;
        let cache_root = match &self.hf_cache {
            Some(c) => c.clone(),
            None => hub::hf_hub_cache()?,
        };
        let data_root = self.data_root();
        let downloader = Downloader::new(client, cache_root);
        let footers = FooterCache::new(data_root.path());
        Planner {
            downloader: &downloader,
            footers: &footers,
            data_root: data_root.path(),
        }
        .plan(&inspection, &config.name, &splits, &choice, true)
        .await
    }

    /// A request's choice, or the setting when it makes none.
    pub(crate) fn keep_hub_files(&self, asked: Option<bool>) -> bool {
        asked.unwrap_or_else(|| self.settings().keep_hub_files)
    }
}
