//! The search caches: the tantivy text index and the in-memory image-hash index, both
//! rebuilt from the database when needed and fed from the search outbox by one indexer
//! thread (see `indexer.rs`).

pub mod images;
mod indexer;

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use search_index::photo::{PhotoMatch, PhotoQuery};
use search_index::text::{SearchRequest, SearchResults, TextIndex, TextIndexConfig, Viewer};

use crate::auth::CurrentUser;
use crate::db::DbPool;
use crate::error::AppError;
use crate::models::{OrgKind, Role};

pub use images::ImageIndex;
use indexer::{Indexer, Wake};

/// Handle to the search caches of this node; cheap to clone.
#[derive(Clone)]
pub struct SearchService {
    inner: Arc<Inner>,
}

struct Inner {
    text: TextIndex,
    images: Arc<RwLock<ImageIndex>>,
    wake: Mutex<Option<mpsc::Sender<Wake>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// How the indexer commits and polls; defaults give "searchable within 2 seconds".
#[derive(Debug, Clone)]
pub struct IndexSettings {
    pub commit_every_docs: usize,
    pub commit_interval: Duration,
    /// How often the outbox is read when no local write woke the indexer (other nodes).
    pub poll_interval: Duration,
}

impl Default for IndexSettings {
    fn default() -> IndexSettings {
        IndexSettings {
            commit_every_docs: 1000,
            commit_interval: Duration::from_millis(800),
            poll_interval: Duration::from_millis(500),
        }
    }
}

fn index_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("search index: {e}"))
}

impl SearchService {
    /// Opens the indexes under `dir`, rebuilds what is missing or outdated, catches up with
    /// the outbox and starts the indexer thread.
    pub fn start(
        pool: DbPool,
        dir: &Path,
        settings: IndexSettings,
    ) -> Result<SearchService, AppError> {
        let config = TextIndexConfig {
            commit_every_docs: settings.commit_every_docs,
            commit_interval: settings.commit_interval,
            ..TextIndexConfig::default()
        };
        let text = TextIndex::open(&dir.join("text"), config).map_err(index_error)?;
        let images = Arc::new(RwLock::new(ImageIndex::default()));
        let indexer = Indexer::new(pool, text.clone(), images.clone());
        indexer.prepare()?;
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("search-indexer".into())
            .spawn(move || indexer.run(receiver, settings.poll_interval))
            .map_err(index_error)?;
        Ok(SearchService {
            inner: Arc::new(Inner {
                text,
                images,
                wake: Mutex::new(Some(sender)),
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    fn send(&self, message: Wake) -> Result<(), AppError> {
        let guard = self
            .inner
            .wake
            .lock()
            .map_err(|_| index_error("indexer lock poisoned"))?;
        guard
            .as_ref()
            .ok_or_else(|| index_error("indexer stopped"))?
            .send(message)
            .map_err(index_error)
    }

    /// Tells the indexer that the outbox has new rows (it also polls).
    pub fn notify(&self) {
        let _ = self.send(Wake::Now);
    }

    /// Applies every outbox row written so far and commits: afterwards searches see them.
    pub fn flush(&self) -> Result<u64, AppError> {
        let (reply, answer) = mpsc::channel();
        self.send(Wake::Flush(reply))?;
        answer.recv().map_err(index_error)?
    }

    /// Rebuilds both indexes from the database (`touchstone reindex`).
    pub fn rebuild(&self) -> Result<u64, AppError> {
        let (reply, answer) = mpsc::channel();
        self.send(Wake::Rebuild(reply))?;
        answer.recv().map_err(index_error)?
    }

    /// Stops the indexer after committing what it applied.
    pub fn shutdown(&self) {
        if let Ok(mut wake) = self.inner.wake.lock() {
            if let Some(sender) = wake.take() {
                let _ = sender.send(Wake::Stop);
            }
        }
        if let Some(thread) = self.inner.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }

    pub fn text(
        &self,
        request: &SearchRequest,
        viewer: &Viewer,
    ) -> Result<SearchResults, AppError> {
        self.inner.text.search(request, viewer).map_err(index_error)
    }

    /// Indexed images within `max_distance` of a photo, best first, as (product id,
    /// match). Every searchable product is there: the caller filters by viewer.
    pub fn photo(
        &self,
        query: &PhotoQuery,
        max_distance: u32,
    ) -> Result<Vec<(i64, PhotoMatch)>, AppError> {
        let index = self
            .inner
            .images
            .read()
            .map_err(|_| index_error("image index lock poisoned"))?;
        Ok(index.search(query, max_distance))
    }

    /// Counts for consistency checks: images indexed.
    pub fn image_count(&self) -> usize {
        self.inner.images.read().map(|i| i.len()).unwrap_or(0)
    }

    /// Counts for consistency checks: products in the text index (as last committed).
    pub fn text_count(&self) -> u64 {
        self.inner.text.num_products()
    }

    /// The last outbox row the text index committed.
    pub fn text_applied(&self) -> u64 {
        self.inner.text.last_applied()
    }
}

/// The text index's idea of who is asking.
pub fn viewer_of(user: &CurrentUser) -> Viewer {
    match (user.org_kind(), user.role()) {
        (OrgKind::Platform, _) => Viewer::Admin,
        (OrgKind::Customs, Role::Trainer) => Viewer::Trainer {
            administration_id: user.org.id,
        },
        (OrgKind::Customs, _) => Viewer::Officer {
            administration_id: user.org.id,
        },
        (OrgKind::RightHolder, _) => Viewer::RightHolder {
            org_id: user.org.id,
        },
    }
}

/// Right holders search their own published products only; officers and admins all.
pub fn scope_request(user: &CurrentUser, request: &mut SearchRequest) {
    if user.org_kind() == OrgKind::RightHolder {
        request.right_holder = Some(user.org.name.clone());
    }
}
