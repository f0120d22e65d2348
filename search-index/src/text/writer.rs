//! The single writer thread: it owns the `IndexWriter`, applies outbox operations in order
//! and commits on count, interval, flush and shutdown, recording the last applied outbox
//! sequence in the commit payload. Readers are reloaded after every commit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Instant;

use tantivy::{IndexReader, IndexWriter, TantivyDocument, Term};

use super::document::to_documents;
use super::error::TextIndexError;
use super::model::IndexOp;
use super::schema::Fields;
use super::storage::payload;
use super::TextIndexConfig;

#[allow(clippy::large_enum_variant)] // see `IndexOp`
pub(crate) enum Msg {
    Apply(u64, IndexOp),
    Flush(Sender<Result<u64, TextIndexError>>),
    Clear(Sender<Result<(), TextIndexError>>),
    Shutdown(Sender<Result<u64, TextIndexError>>),
}

pub(crate) struct WriterLoop {
    pub writer: IndexWriter<TantivyDocument>,
    pub reader: IndexReader,
    pub fields: Fields,
    pub config: TextIndexConfig,
    /// Shared with the handles: the sequence of the last commit.
    pub committed: Arc<AtomicU64>,
    /// Highest sequence applied (committed or not).
    pub applied: u64,
    /// Operations since the last commit, and when the first of them arrived.
    pub pending: usize,
    pub pending_since: Option<Instant>,
    /// An error of a background commit, reported by the next flush.
    pub deferred: Option<TextIndexError>,
}

impl WriterLoop {
    pub(crate) fn run(mut self, rx: Receiver<Msg>) {
        loop {
            let msg = match self.pending_since {
                Some(since) => {
                    let wait = self.config.commit_interval.saturating_sub(since.elapsed());
                    rx.recv_timeout(wait)
                }
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match msg {
                Ok(Msg::Apply(seq, op)) => {
                    if let Err(e) = self.apply(seq, op) {
                        self.deferred.get_or_insert(e);
                    }
                    if self.pending >= self.config.commit_every_docs.max(1) {
                        self.background_commit();
                    }
                }
                Ok(Msg::Flush(reply)) => {
                    let r = self.flush();
                    let _ = reply.send(r);
                }
                Ok(Msg::Clear(reply)) => {
                    let r = self.clear();
                    let _ = reply.send(r);
                }
                Ok(Msg::Shutdown(reply)) => {
                    let r = self.flush();
                    let _ = reply.send(r);
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.pending_since.is_some() {
                        self.background_commit();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = self.flush();
                    return;
                }
            }
        }
    }

    fn apply(&mut self, seq: u64, op: IndexOp) -> Result<(), TextIndexError> {
        self.pending += 1;
        self.pending_since.get_or_insert_with(Instant::now);
        self.applied = self.applied.max(seq);
        match op {
            IndexOp::Upsert(p) => {
                self.writer
                    .delete_term(Term::from_field_i64(self.fields.product_id, p.product_id));
                for d in to_documents(&self.fields, &p) {
                    self.writer.add_document(d)?;
                }
            }
            IndexOp::Delete { product_id } => {
                self.writer
                    .delete_term(Term::from_field_i64(self.fields.product_id, product_id));
            }
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), TextIndexError> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload(self.applied));
        prepared.commit()?;
        self.pending = 0;
        self.pending_since = None;
        self.committed.store(self.applied, Ordering::SeqCst);
        self.reader.reload()?;
        Ok(())
    }

    fn background_commit(&mut self) {
        if let Err(e) = self.commit() {
            self.deferred.get_or_insert(e);
            // Try again after another interval rather than spinning.
            self.pending_since = Some(Instant::now());
        }
    }

    fn flush(&mut self) -> Result<u64, TextIndexError> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if self.pending > 0 || self.applied != self.committed.load(Ordering::SeqCst) {
            self.commit()?;
        }
        Ok(self.committed.load(Ordering::SeqCst))
    }

    fn clear(&mut self) -> Result<(), TextIndexError> {
        self.writer.delete_all_documents()?;
        self.applied = 0;
        self.pending += 1;
        self.commit()
    }
}
