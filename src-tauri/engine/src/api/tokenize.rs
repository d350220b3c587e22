//! The facade's tokenizer and tokenization operations (the window's commands and the CLI call
//! these).

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::library::{new_id, validate_id};
use crate::store::{
    self, DatasetStatus, NewJob, NewTokenization, Tokenization, TokenizationStatus, Tokenizer,
};
use crate::tokenize::{self, registry, TokenizeParams, TokenizePreview, TokenizeSettings};
use crate::{hub, Engine};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// What the Tokenization tab (or `mistudio-cli tokenize`) asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenizeRequest {
    pub dataset_id: String,
    pub tokenizer_id: String,
    pub settings: TokenizeSettings,
    /// Replace a finished tokenization of the same dataset, tokenizer and settings (the
    /// person confirmed). Without it such a request is a Conflict; with nothing to replace it
    /// simply tokenizes.
    #[serde(default)]
    pub replace: bool,
}

impl Engine {
    pub async fn list_tokenizers(&self) -> Result<Vec<Tokenizer>> {
        self.store.list_tokenizers().await
    }

    pub async fn add_tokenizer_file(&self, path: &Path, name: Option<&str>) -> Result<Tokenizer> {
        // The app's working folder means nothing to the person choosing a file.
        if !path.is_absolute() {
            return Err(Error::invalid(format!(
                "the tokenizer path {} is not absolute; choose the file with the picker or give its full path",
                path.display()
            )));
        }
        let t = registry::add_from_file(&self.store, &self.data_root(), path, name).await?;
        self.sink.emit(EngineEvent::TokenizersChanged);
        Ok(t)
    }

    /// Fetches a model repo's `tokenizer.json` (verified, into the HF cache) and adds it.
    pub async fn add_tokenizer_hub(
        &self,
        repo_id: &str,
        revision: Option<&str>,
        token: Option<&str>,
    ) -> Result<Tokenizer> {
        let repo_id = repo_id.trim();
        hub::validate_repo_id(repo_id)?;
        let client = hub::HubClient::new(&self.settings().hub_endpoint, hub::resolve_token(token))?;
        let cache = match &self.hf_cache {
            Some(c) => c.clone(),
            None => hub::hf_hub_cache()?,
        };
        let revision = revision.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = revision {
            hub::validate_revision(r)?;
        }
        let t = registry::add_from_hub(
            &self.store,
            &self.data_root(),
            &client,
            &cache,
            repo_id,
            revision,
            &CancellationToken::new(),
        )
        .await?;
        self.sink.emit(EngineEvent::TokenizersChanged);
        Ok(t)
    }

    /// The tokenizer named by `spec`: a tokenizer id (`tk_…`), a local `tokenizer.json` (or a
    /// folder holding one), or a Hub model repo id. A file or repo already in the library is
    /// reused, anything else is added.
    pub async fn resolve_tokenizer(&self, spec: &str, token: Option<&str>) -> Result<Tokenizer> {
        let spec = spec.trim();
        if spec.starts_with("tk_") {
            validate_id(spec, "tk")?;
            return self.store.get_tokenizer(spec).await;
        }
        let path = Path::new(spec);
        if path.exists() {
            // A path typed in a terminal is relative to where it was typed.
            let path = &std::path::absolute(path)
                .map_err(|e| Error::io(format!("resolving {}", path.display()), e))?;
            let file = if path.is_dir() {
                path.join(registry::TOKENIZER_FILE)
            } else {
                path.to_path_buf()
            };
            if let Ok(bytes) = std::fs::read(&file) {
                use sha2::Digest;
                let sha = hex::encode(sha2::Sha256::digest(&bytes));
                if let Some(t) = self
                    .store
                    .list_tokenizers()
                    .await?
                    .into_iter()
                    .find(|t| t.sha256.as_deref() == Some(sha.as_str()))
                {
                    return Ok(t);
                }
            }
            return self.add_tokenizer_file(path, None).await;
        }
        if hub::validate_repo_id(spec).is_ok() {
            if let Some(t) = self
                .store
                .list_tokenizers()
                .await?
                .into_iter()
                .find(|t| t.hf_repo_id.as_deref() == Some(spec))
            {
                return Ok(t);
            }
            return self.add_tokenizer_hub(spec, None, token).await;
        }
        Err(Error::invalid(format!(
            "\"{spec}\" is neither a tokenizer id (tk_…), an existing tokenizer.json, nor a Hub repo id (owner/name)"
        )))
    }

    /// Deletes a tokenizer no tokenization uses.
    pub async fn delete_tokenizer(&self, id: &str) -> Result<()> {
        validate_id(id, "tk")?;
        let t = self.store.get_tokenizer(id).await?;
        let used = self.store.count_tokenizations_of_tokenizer(id).await?;
        if used > 0 {
            return Err(Error::Conflict(format!(
                "{} is used by {used} tokenization{}; delete {} first",
                t.name,
                if used == 1 { "" } else { "s" },
                if used == 1 { "it" } else { "them" }
            )));
        }
        self.store.delete_tokenizer(id).await?;
        let dir = self.data_root().tokenizer_dir(id)?;
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(format!("deleting {}", dir.display()), e))?;
        }
        self.sink.emit(EngineEvent::TokenizersChanged);
        Ok(())
    }

    pub async fn list_tokenizations(&self, dataset_id: &str) -> Result<Vec<Tokenization>> {
        validate_id(dataset_id, "ds")?;
        let all = self.store.list_tokenizations(dataset_id).await?;
        all.into_iter().map(|t| self.located(t)).collect()
    }

    pub async fn get_tokenization(&self, id: &str) -> Result<Tokenization> {
        validate_id(id, "tok")?;
        self.located(self.store.get_tokenization(id).await?)
    }

    /// The tokenization with the folder it is (or will be) written to.
    fn located(&self, mut tz: Tokenization) -> Result<Tokenization> {
        let dir = self.data_root().tokenization_dir(&tz.dataset_id, &tz.id)?;
        tz.path = dir.to_string_lossy().into_owned();
        Ok(tz)
    }

    /// Tokenizes typed text with a tokenizer and settings, as the job would.
    pub async fn preview_tokenization(
        &self,
        tokenizer_id: &str,
        settings: &TokenizeSettings,
        text: &str,
    ) -> Result<TokenizePreview> {
        validate_id(tokenizer_id, "tk")?;
        let row = self.store.get_tokenizer(tokenizer_id).await?;
        let root = self.data_root();
        let settings = settings.clone();
        let text = text.to_string();
        tokio::task::spawn_blocking(move || {
            let loaded = registry::load_tokenizer(&root, &row)?;
            let resolved = settings.validate(&loaded)?;
            tokenize::preview(&loaded, &resolved, &text)
        })
        .await
        .map_err(|e| Error::Internal(format!("the preview crashed: {e}")))?
    }

    /// Checks the request and queues the job. A dataset has any number of tokenizations with a
    /// tokenizer, but one per settings: asking again for one that is running is a Conflict, for a
    /// finished one it is replaced only when `replace` is set. A shuffle without a seed gets a
    /// random one, recorded in the tokenization's settings.
    pub async fn start_tokenization(&self, request: &TokenizeRequest) -> Result<Tokenization> {
        self.queue_tokenization(request, None).await
    }

    /// [`Engine::start_tokenization`], the job encoding the dataset or, with
    /// `datatrove_output`, adopting that export's output.
    pub(crate) async fn queue_tokenization(
        &self,
        request: &TokenizeRequest,
        datatrove_output: Option<std::path::PathBuf>,
    ) -> Result<Tokenization> {
        validate_id(&request.dataset_id, "ds")?;
        validate_id(&request.tokenizer_id, "tk")?;
        let runner = self.runner()?;
        let dataset = self.store.get_dataset(&request.dataset_id).await?;
        if dataset.status != DatasetStatus::Ready {
            return Err(Error::Conflict(format!(
                "{} is not ready to tokenize (it is {:?}); wait for it to become ready",
                dataset.name, dataset.status
            )));
        }
        let tokenizer = self.store.get_tokenizer(&request.tokenizer_id).await?;
        let root = self.data_root();
        // Refused at once when another machine works on the dataset; held while a replaced
        // tokenization's files are removed. The job takes the lock again when it runs.
        let lock = self
            .locks
            .acquire(&root, &dataset.id, "starting a tokenization")?;
        {
            let (root, tokenizer, settings, dataset) = (
                root.clone(),
                tokenizer.clone(),
                request.settings.clone(),
                dataset.clone(),
            );
            tokio::task::spawn_blocking(move || {
                let loaded = registry::load_tokenizer(&root, &tokenizer)?;
                settings.resolve(&loaded, &dataset).map(|_| ())
            })
            .await
            .map_err(|e| Error::Internal(format!("checking the settings crashed: {e}")))??;
        }
        let existing = self
            .store
            .find_tokenizations(&dataset.id, &tokenizer.id)
            .await?
            .into_iter()
            .find(|t| t.settings.made_as(&request.settings));
        let settings = request.settings.with_seed_recorded();
        let tz = match existing {
            Some(tz) if tz.status.is_active() => {
                return Err(Error::Conflict(format!(
                    "{} is already being tokenized with {} and these settings; wait for it or cancel it first",
                    dataset.name, tokenizer.name
                )))
            }
            // A failed one holds nothing worth keeping: it is made again without asking.
            Some(tz) if !request.replace && tz.status != TokenizationStatus::Error => {
                return Err(Error::Conflict(format!(
                    "{} already has a tokenization with {} and these settings ({}); confirm to replace it, or change a setting to keep both",
                    dataset.name, tokenizer.name, tz.settings.summary()
                )))
            }
            Some(tz) => {
                let out = root.tokenization_dir(&dataset.id, &tz.id)?;
                if out.exists() {
                    std::fs::remove_dir_all(&out)
                        .map_err(|e| Error::io(format!("deleting {}", out.display()), e))?;
                }
                self.store.requeue_tokenization(&tz.id, &settings).await?
            }
            None => {
                self.store
                    .insert_tokenization(&NewTokenization {
                        id: new_id("tok"),
                        dataset_id: dataset.id.clone(),
                        tokenizer_id: tokenizer.id.clone(),
                        settings,
                    })
                    .await?
            }
        };
        // Released before the job is queued, so that the job's own lock says what it does.
        drop(lock);
        let params = TokenizeParams {
            tokenization_id: tz.id.clone(),
            datatrove_output,
        };
        runner
            .enqueue(NewJob {
                kind: store::JobKind::DatasetTokenize,
                target: Some(tz.id.clone()),
                params: serde_json::to_value(&params)
                    .map_err(|e| Error::Internal(e.to_string()))?,
            })
            .await?;
        self.sink.emit(EngineEvent::TokenizationsChanged {
            dataset_id: dataset.id.clone(),
        });
        tracing::info!(tokenization = %tz.id, dataset = %dataset.id, tokenizer = %tokenizer.id, "tokenization queued");
        self.located(tz)
    }

    /// What both front doors run for "tokenize this": the unfinished tokenization of the same
    /// dataset, tokenizer and settings when there is one (a run interrupted by a crash, a kill or an app
    /// exit, re-queued when the engine opened), otherwise a new one as
    /// [`Engine::start_tokenization`] starts it.
    pub async fn resume_or_start_tokenization(
        &self,
        request: &TokenizeRequest,
    ) -> Result<Tokenization> {
        validate_id(&request.dataset_id, "ds")?;
        validate_id(&request.tokenizer_id, "tk")?;
        let existing = self
            .store
            .find_tokenizations(&request.dataset_id, &request.tokenizer_id)
            .await?
            .into_iter()
            .find(|t| t.settings.made_as(&request.settings));
        if let Some(tz) = existing {
            // Killed after the tokenization was recorded ready but before its job was closed:
            // the job is queued again too, and it is the one to follow.
            if tz.status.is_active() || self.tokenization_job(&tz.id).await?.is_some() {
                return self.located(tz);
            }
        }
        self.start_tokenization(request).await
    }

    /// Deletes a tokenization and its files; refused while its job runs.
    pub async fn delete_tokenization(&self, id: &str) -> Result<()> {
        validate_id(id, "tok")?;
        let tz = self.store.get_tokenization(id).await?;
        if tz.status.is_active() {
            return Err(Error::Conflict(
                "this tokenization is being made; cancel its job before deleting it".into(),
            ));
        }
        let root = self.data_root();
        let _lock = self
            .locks
            .acquire(&root, &tz.dataset_id, "deleting a tokenization")?;
        let out = root.tokenization_dir(&tz.dataset_id, id)?;
        for dir in [tokenize::partial_dir(&out), out] {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .map_err(|e| Error::io(format!("deleting {}", dir.display()), e))?;
            }
        }
        self.store.delete_tokenization(id).await?;
        self.sink.emit(EngineEvent::TokenizationsChanged {
            dataset_id: tz.dataset_id.clone(),
        });
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![tz.dataset_id],
        });
        Ok(())
    }

    /// The job working on a tokenization, if one is queued or running.
    pub async fn tokenization_job(&self, id: &str) -> Result<Option<store::Job>> {
        Ok(self
            .store
            .list_jobs(500)
            .await?
            .into_iter()
            .find(|j| j.target.as_deref() == Some(id) && !j.status.is_finished()))
    }
}
