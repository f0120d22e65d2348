//! The one thread that applies search-outbox rows, in id order, to both indexes. The text
//! index records the last applied row id with each commit, so after a crash the indexer
//! resumes there; the image index lives in memory and is rebuilt from the database at
//! start.

use std::collections::hash_map::{Entry, HashMap};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use search_index::photo::RegionHash;
use search_index::text::{IndexOp, TextIndex};

use super::images::regions_of;
use super::{index_error, ImageIndex};
use crate::db::{DbConnection, DbPool};
use crate::error::AppError;
use crate::models::product as rows;
use crate::products::{self, index_doc, Product};

const BATCH: i64 = 500;

pub enum Wake {
    Now,
    Flush(Sender<Result<u64, AppError>>),
    Rebuild(Sender<Result<u64, AppError>>),
    Stop,
}

pub struct Indexer {
    pool: DbPool,
    text: TextIndex,
    images: Arc<RwLock<ImageIndex>>,
    /// The last outbox id handed to the text index (committed or not).
    applied: std::cell::Cell<i64>,
}

impl Indexer {
    pub fn new(pool: DbPool, text: TextIndex, images: Arc<RwLock<ImageIndex>>) -> Indexer {
        let applied = std::cell::Cell::new(i64::try_from(text.last_applied()).unwrap_or(i64::MAX));
        Indexer {
            pool,
            text,
            images,
            applied,
        }
    }

    fn conn(&self) -> Result<crate::db::PooledDb, AppError> {
        self.pool.get().map_err(|_| AppError::Unavailable)
    }

    /// Before serving: rebuild the text index if it is new, load the image index, and
    /// catch up with the outbox.
    pub fn prepare(&self) -> Result<(), AppError> {
        if self.text.needs_rebuild() {
            self.rebuild()?;
        } else {
            self.load_images()?;
            self.catch_up()?;
        }
        Ok(())
    }

    pub fn run(self, wake: Receiver<Wake>, poll: Duration) {
        loop {
            let message = match wake.recv_timeout(poll) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => Wake::Now,
                Err(RecvTimeoutError::Disconnected) => Wake::Stop,
            };
            match message {
                Wake::Now => {
                    if let Err(e) = self.catch_up() {
                        tracing::error!(error = %e, "search indexer could not catch up; will retry");
                    }
                }
                Wake::Flush(reply) => {
                    let result = self
                        .catch_up()
                        .and_then(|_| self.text.flush().map_err(index_error));
                    let _ = reply.send(result);
                }
                Wake::Rebuild(reply) => {
                    let result = self
                        .rebuild()
                        .and_then(|_| self.text.flush().map_err(index_error));
                    let _ = reply.send(result);
                }
                Wake::Stop => {
                    if let Err(e) = self.text.flush() {
                        tracing::error!(error = %e, "search index commit at shutdown failed");
                    }
                    return;
                }
            }
        }
    }

    fn load_images(&self) -> Result<(), AppError> {
        let all = rows::searchable_images(&mut *self.conn()?)?;
        let mut by_product: std::collections::HashMap<i64, Vec<(i64, Vec<RegionHash>)>> =
            Default::default();
        for (image, product, hex, quality, regions) in all {
            by_product
                .entry(product)
                .or_default()
                .push((image, regions_of(&hex, quality, &regions)));
        }
        let mut index = self
            .images
            .write()
            .map_err(|_| index_error("image index lock poisoned"))?;
        index.clear();
        for (product, images) in by_product {
            index.set_product(product, &images);
        }
        Ok(())
    }

    /// Applies every outbox row after the last applied one.
    fn catch_up(&self) -> Result<(), AppError> {
        let mut conn = self.conn()?;
        loop {
            let batch = rows::outbox_after(&mut conn, self.applied.get(), BATCH)?;
            if batch.is_empty() {
                return Ok(());
            }
            self.apply_all(&mut conn, &batch)?;
            if let Some((seq, _)) = batch.last() {
                self.applied.set(*seq);
            }
        }
    }

    /// Applies (outbox id, product id) rows in order, reading their products in a few
    /// queries for all of them.
    fn apply_all(&self, conn: &mut DbConnection, batch: &[(i64, i64)]) -> Result<(), AppError> {
        let mut ids: Vec<i64> = batch.iter().map(|(_, product)| *product).collect();
        ids.sort_unstable();
        ids.dedup();
        let products = products::load_all(conn, &ids)?;
        let mut share_lists = HashMap::new();
        for (seq, product_id) in batch {
            let product = products.get(product_id).filter(|p| p.is_searchable());
            let share_list = match product {
                Some(product) => match share_lists.entry(product.org.id) {
                    Entry::Occupied(list) => Some(list.into_mut()),
                    Entry::Vacant(entry) => {
                        Some(entry.insert(rows::share_list_of(conn, product.org.id)?))
                    }
                },
                None => None,
            };
            self.apply(
                *seq,
                *product_id,
                product.zip(share_list.map(|l| l.as_slice())),
            )?;
        }
        Ok(())
    }

    /// Applies one outbox row: the product as it now is with its organisation's share
    /// list when searchable, else its removal.
    fn apply(
        &self,
        seq: i64,
        product_id: i64,
        searchable: Option<(&Product, &[i64])>,
    ) -> Result<(), AppError> {
        let seq = u64::try_from(seq).unwrap_or_default();
        let mut images = self
            .images
            .write()
            .map_err(|_| index_error("image index lock poisoned"))?;
        match searchable {
            Some((product, share_list)) => {
                let doc = index_doc::to_doc(product, share_list);
                self.text
                    .apply(seq, IndexOp::Upsert(doc))
                    .map_err(index_error)?;
                let hashes: Vec<(i64, Vec<RegionHash>)> = product
                    .images
                    .iter()
                    .map(|i| (i.id, regions_of(&i.pdq, i.pdq_quality, &i.region_pdq)))
                    .collect();
                images.set_product(product_id, &hashes);
            }
            None => {
                self.text
                    .apply(seq, IndexOp::Delete { product_id })
                    .map_err(index_error)?;
                images.set_product(product_id, &[]);
            }
        }
        Ok(())
    }

    /// Rebuilds both indexes from the products table.
    fn rebuild(&self) -> Result<(), AppError> {
        let mut conn = self.conn()?;
        // Rows written during the rebuild have higher ids and are applied afterwards.
        let upto = rows::last_outbox_id(&mut conn)?;
        self.text.clear().map_err(index_error)?;
        self.images
            .write()
            .map_err(|_| index_error("image index lock poisoned"))?
            .clear();
        let all: Vec<(i64, i64)> = rows::all_product_ids(&mut conn)?
            .into_iter()
            .map(|product_id| (upto, product_id))
            .collect();
        for chunk in all.chunks(usize::try_from(BATCH).unwrap_or(1)) {
            self.apply_all(&mut conn, chunk)?;
        }
        self.text.flush().map_err(index_error)?;
        self.applied.set(upto);
        tracing::info!(upto, "search indexes rebuilt from the database");
        self.catch_up()
    }
}
