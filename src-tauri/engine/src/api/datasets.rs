//! The facade's dataset operations: listing, inspecting a Hub repo, starting and retrying
//! downloads and imports, deleting.

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::store::{self, Dataset, Job, JobKind};
use crate::{datasets, hub, library, Engine};
use serde::Serialize;

impl Engine {
    pub async fn list_datasets(&self) -> Result<Vec<Dataset>> {
        self.store.list_datasets().await
    }

    pub async fn get_dataset(&self, id: &str) -> Result<Dataset> {
        library::validate_id(id, "ds")?;
        self.store.get_dataset(id).await
    }

    /// Lists the configs and splits of a dataset repo, with sizes, before downloading.
    pub async fn inspect_dataset_repo(
        &self,
        repo_id: &str,
        token: Option<&str>,
        revision: Option<&str>,
    ) -> Result<hub::RepoInspection> {
        hub::validate_repo_id(repo_id)?;
        let revision = revision.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = revision {
            hub::validate_revision(r)?;
        }
        hub::inspect_dataset(&self.hub_client(token)?, repo_id, revision).await
    }

    /// Queues a job that works on dataset `id` and tells the window the dataset changed.
    async fn queue_dataset_job(
        &self,
        kind: JobKind,
        id: &str,
        params: serde_json::Value,
    ) -> Result<Job> {
        let job = self
            .runner()?
            .enqueue(store::NewJob {
                kind,
                target: Some(id.to_string()),
                params,
            })
            .await?;
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![id.to_string()],
        });
        Ok(job)
    }

    /// Registers a new dataset together with the job that makes it (one transaction) and
    /// tells the window.
    async fn queue_new_dataset(
        &self,
        dataset: &store::NewDataset,
        kind: JobKind,
        params: &impl Serialize,
    ) -> Result<(Dataset, Job)> {
        let queued = self
            .runner()?
            .enqueue_with_dataset(
                dataset,
                store::NewJob {
                    kind,
                    target: Some(dataset.id.clone()),
                    params: Self::job_params(params)?,
                },
            )
            .await?;
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![dataset.id.clone()],
        });
        Ok(queued)
    }

    fn job_params(params: &impl Serialize) -> Result<serde_json::Value> {
        serde_json::to_value(params).map_err(|e| Error::Internal(e.to_string()))
    }

    /// The unfinished download of the same repo, config and split, with its job, if any: a
    /// second request attaches to it instead of fetching the same bytes twice.
    pub async fn unfinished_download(
        &self,
        request: &datasets::DownloadRequest,
    ) -> Result<Option<(Dataset, Job)>> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        for ds in self.store.list_datasets().await? {
            let same = ds.hf_repo_id.as_deref() == Some(request.repo_id.as_str())
                && ds.hf_split == clean(&request.split)
                && (clean(&request.config).is_none() || ds.hf_config == clean(&request.config));
            if !same {
                continue;
            }
            if let Some(job) = self
                .store
                .unfinished_jobs_for_target(&ds.id)
                .await?
                .into_iter()
                .next()
            {
                return Ok(Some((ds, job)));
            }
        }
        Ok(None)
    }

    /// The unfinished import of the same file or folder, if any (a CLI run again after it was
    /// killed follows it instead of importing a second copy).
    pub async fn unfinished_import(&self, path: &std::path::Path) -> Result<Option<Dataset>> {
        let Ok(path) = std::fs::canonicalize(path) else {
            return Ok(None);
        };
        for job in self.store.list_jobs(500).await? {
            if job.kind != JobKind::DatasetImport || job.status.is_finished() {
                continue;
            }
            let Ok(params) = serde_json::from_value::<datasets::ImportParams>(job.params) else {
                continue;
            };
            if std::path::Path::new(&params.path) == path {
                return self.store.get_dataset(&params.dataset_id).await.map(Some);
            }
        }
        Ok(None)
    }

    /// Registers the dataset and queues its download; progress arrives as job events.
    pub async fn start_download(&self, request: &datasets::DownloadRequest) -> Result<Dataset> {
        hub::validate_repo_id(&request.repo_id)?;
        // A process that runs no jobs refuses before anything is registered.
        self.runner()?;
        if let Some((ds, _)) = self.unfinished_download(request).await? {
            return Err(Error::Conflict(format!(
                "{} is already being downloaded (dataset {}); wait for it or cancel it first",
                request.repo_id, ds.id
            )));
        }
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (config, split, revision) = (
            clean(&request.config),
            clean(&request.split),
            clean(&request.revision),
        );
        if let Some(r) = &revision {
            hub::validate_revision(r)?;
        }
        // A bad glob or row budget is refused before anything is registered.
        let rows = clean(&request.rows);
        let keep_hub_files = self.keep_hub_files(request.keep_hub_files);
        let choice = datasets::parse_choice(
            &request.include,
            &request.exclude,
            rows.as_deref(),
            keep_hub_files,
        )?;
        let token = clean(&request.token);
        if !choice.filter.is_empty() {
            // A glob that matches nothing is told now, not as a failed dataset later.
            let client = self.hub_client(token.as_deref())?;
            let inspection =
                hub::inspect_dataset(&client, &request.repo_id, revision.as_deref()).await?;
            let (cfg, splits) = inspection.select(config.as_deref(), split.as_deref())?;
            datasets::check_filter_matches(&inspection, &cfg.name, &splits, &choice.filter)?;
        }
        if request.remember_token {
            let token = token.as_deref().ok_or_else(|| {
                Error::invalid("\"remember the token\" needs a token in the Access Token field")
            })?;
            hub::remember_token(token)?;
        }
        let id = library::new_id("ds");
        let name = match &split {
            Some(split) => format!("{} · {split}", request.repo_id),
            None => request.repo_id.clone(),
        };
        let new_dataset = store::NewDataset {
            id: id.clone(),
            name,
            source: store::DatasetSource::HuggingFace,
            hf_repo_id: Some(request.repo_id.clone()),
            hf_config: config.clone(),
            hf_split: split.clone(),
            status: store::DatasetStatus::Queued,
        };
        // Kept before the job exists, so the job finds it; forgotten if nothing is queued.
        if let Some(token) = token {
            self.tokens.put(&id, token);
        }
        let params = datasets::DownloadParams {
            dataset_id: id.clone(),
            repo_id: request.repo_id.clone(),
            config,
            split,
            revision,
            include: request.include.clone(),
            exclude: request.exclude.clone(),
            rows,
            keep_hub_files,
        };
        let (dataset, job) = self
            .queue_new_dataset(&new_dataset, JobKind::DatasetDownload, &params)
            .await
            .inspect_err(|_| self.tokens.forget(&id))?;
        tracing::info!(dataset = %dataset.id, job = %job.id, repo = %request.repo_id, "download queued");
        Ok(dataset)
    }

    /// Registers a dataset for a local file or folder and queues its import; returns at once.
    /// The files are checked (they exist, some are data) before anything is registered.
    pub async fn start_import(&self, request: &datasets::ImportRequest) -> Result<Dataset> {
        // A process that runs no jobs refuses before anything is registered.
        self.runner()?;
        let raw = request.path.trim();
        if raw.is_empty() {
            return Err(Error::invalid("choose a file or a folder to import"));
        }
        let path = std::path::Path::new(raw);
        if !path.is_absolute() {
            return Err(Error::invalid(format!(
                "\"{raw}\" is not an absolute path; choose the file or folder with the picker"
            )));
        }
        let root = self.data_root().path().to_path_buf();
        let (path, plan) = {
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || -> Result<_> {
                let path = std::fs::canonicalize(&path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::not_found(format!("{} (nothing to import there)", path.display()))
                    } else {
                        Error::io(format!("reading {}", path.display()), e)
                    }
                })?;
                // The data folder is ours: importing from inside it would read what it writes.
                if path.starts_with(std::fs::canonicalize(&root).unwrap_or(root)) {
                    return Err(Error::invalid(format!(
                        "{} is inside the data folder; import files from elsewhere",
                        path.display()
                    )));
                }
                let plan = datasets::plan_import(&path)?;
                Ok((path, plan))
            })
            .await
            .map_err(|e| Error::Internal(format!("checking the files crashed: {e}")))??
        };
        let name = match request
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => datasets::validate_name(n)?,
            None => datasets::default_name(&path),
        };
        let id = library::new_id("ds");
        let new_dataset = store::NewDataset {
            id: id.clone(),
            name,
            source: store::DatasetSource::Local,
            hf_repo_id: None,
            hf_config: None,
            hf_split: None,
            status: store::DatasetStatus::Queued,
        };
        let params = datasets::ImportParams {
            dataset_id: id.clone(),
            path: path.to_string_lossy().into_owned(),
        };
        let (dataset, job) = self
            .queue_new_dataset(&new_dataset, JobKind::DatasetImport, &params)
            .await?;
        tracing::info!(dataset = %dataset.id, job = %job.id, files = plan.source_files.len(), "import queued");
        Ok(dataset)
    }

    /// Queues the download or import of a failed or cancelled dataset again; fetched bytes
    /// are reused.
    pub async fn retry_dataset(&self, id: &str) -> Result<Dataset> {
        library::validate_id(id, "ds")?;
        // A process that runs no jobs refuses before anything is registered.
        self.runner()?;
        let dataset = self.store.get_dataset(id).await?;
        if !matches!(
            dataset.status,
            store::DatasetStatus::Error | store::DatasetStatus::Cancelled
        ) {
            return Err(Error::Conflict(
                format!(
                    "dataset {id} is {:?}; only a failed or cancelled download can be retried",
                    dataset.status
                )
                .to_lowercase(),
            ));
        }
        let mut last = None;
        for kind in [JobKind::DatasetDownload, JobKind::DatasetImport] {
            if let Some(job) = self.store.latest_job_for_target(id, kind).await? {
                last = Some(job);
                break;
            }
        }
        let last = last.ok_or_else(|| {
            Error::Conflict(format!("dataset {id} has no download or import to retry"))
        })?;
        let dataset = self
            .store
            .set_dataset_status(id, store::DatasetStatus::Queued, None)
            .await?;
        self.queue_dataset_job(last.kind, id, last.params).await?;
        Ok(dataset)
    }

    /// Deletes datasets with everything of theirs. Refused (before anything is removed) while
    /// a job works on one of them or on one of their tokenizations.
    pub async fn delete_datasets(
        &self,
        ids: &[String],
        hub_files: bool,
    ) -> Result<crate::DeleteReport> {
        let cache = match &self.hf_cache {
            Some(c) => Some(c.clone()),
            None => hub::hf_hub_cache().ok(),
        };
        crate::deleting::delete_datasets(
            &crate::deleting::Deletion {
                store: &self.store,
                root: &self.data_root(),
                locks: &self.locks,
                sink: &*self.sink,
                hf_cache: cache.as_deref(),
            },
            ids,
            hub_files,
        )
        .await
    }
}
