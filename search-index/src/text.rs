//! The tantivy product text index.
//!
//! Plain structs in ([`ProductDoc`], [`IndexOp`], [`SearchRequest`], [`Viewer`]), product
//! ids, scores, snippets and facet counts out. Each product is one "open" document plus one
//! document per distinct restricted share list; every query carries the viewer's
//! visibility filter, and snippets are cut only from documents the viewer may see, so
//! restricted text never reaches anyone else. One writer thread owns the `IndexWriter`
//! and records the last applied outbox sequence in each commit payload.

mod analyzers;
mod collect;
mod document;
mod error;
mod fuzzy;
mod gtin;
mod model;
mod query;
mod schema;
mod snippet;
mod storage;
mod writer;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tantivy::collector::TopDocs;
use tantivy::merge_policy::LogMergePolicy;
use tantivy::query::{BooleanQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

pub use error::TextIndexError;
pub use model::{
    Access, Facets, IndexOp, ProductDoc, SearchHit, SearchRequest, SearchResults, SectionKind,
    SectionText, Viewer,
};

use collect::{MatchCollector, ProductMatch};
use fuzzy::FirstLetter;
use query::Mode;
use schema::{Fields, KIND_OPEN};
use snippet::Highlighter;
use writer::{Msg, WriterLoop};

/// When the writer commits, and how much it may buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextIndexConfig {
    /// Commit after this many applied operations.
    pub commit_every_docs: usize,
    /// Commit when the oldest uncommitted operation is this old.
    pub commit_interval: Duration,
    /// Memory budget of the tantivy writer (split across its threads).
    pub writer_memory_bytes: usize,
    /// Tantivy indexing threads behind the single writer thread.
    pub writer_threads: usize,
}

impl Default for TextIndexConfig {
    fn default() -> Self {
        TextIndexConfig {
            commit_every_docs: 1000,
            commit_interval: Duration::from_secs(1),
            writer_memory_bytes: 64 << 20,
            writer_threads: 1,
        }
    }
}

/// A cheap-to-clone handle on the product text index. The writer thread stops (after a
/// final commit) when [`TextIndex::shutdown`] is called or the last handle is dropped.
#[derive(Clone)]
pub struct TextIndex {
    inner: Arc<Inner>,
}

struct Inner {
    reader: IndexReader,
    fields: Fields,
    committed: Arc<AtomicU64>,
    needs_rebuild: bool,
    tx: Mutex<Option<Sender<Msg>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl TextIndex {
    /// Opens the index under `dir`, creating it when absent. When the stored schema version
    /// differs, a fresh index replaces it: `needs_rebuild()` is then true and
    /// `last_applied()` 0, so the caller rebuilds from the database.
    pub fn open(dir: &Path, config: TextIndexConfig) -> Result<TextIndex, TextIndexError> {
        let fields = Fields::build();
        let opened = storage::open_dir(dir, &fields)?;
        Self::start(opened.index, fields, opened.created, config)
    }

    /// An index in memory, for tests.
    pub fn open_in_ram(config: TextIndexConfig) -> Result<TextIndex, TextIndexError> {
        let fields = Fields::build();
        let index = Index::create_in_ram(fields.schema.clone());
        Self::start(index, fields, true, config)
    }

    fn start(
        index: Index,
        fields: Fields,
        created: bool,
        config: TextIndexConfig,
    ) -> Result<TextIndex, TextIndexError> {
        analyzers::register(index.tokenizers());
        let last = storage::parse_payload(index.load_metas()?.payload.as_deref())?;
        let committed = Arc::new(AtomicU64::new(last));
        // The writer thread reloads explicitly after each of its commits (so a flush is
        // visible when it returns); the watcher also picks up background merges.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let writer = index.writer_with_num_threads(
            config.writer_threads.max(1),
            config.writer_memory_bytes.max(15 << 20) * config.writer_threads.max(1),
        )?;
        // Few segments: every fuzzy or prefix word walks each segment's dictionary, so
        // merge as soon as two segments of a level exist (the default waits for eight).
        let mut merge = LogMergePolicy::default();
        merge.set_min_num_segments(2);
        writer.set_merge_policy(Box::new(merge));
        let state = WriterLoop {
            writer,
            reader: reader.clone(),
            fields: fields.clone(),
            config,
            committed: committed.clone(),
            applied: last,
            pending: 0,
            pending_since: None,
            deferred: None,
        };
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("text-index-writer".into())
            .spawn(move || state.run(rx))?;
        Ok(TextIndex {
            inner: Arc::new(Inner {
                reader,
                fields,
                committed,
                needs_rebuild: created,
                tx: Mutex::new(Some(tx)),
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// True when the index was created empty at open (first start or schema-version
    /// change): rebuild from the database instead of replaying the outbox.
    pub fn needs_rebuild(&self) -> bool {
        self.inner.needs_rebuild
    }

    /// Number of index segments searches currently see (diagnostics and benchmarks).
    pub fn num_segments(&self) -> usize {
        self.inner.reader.searcher().segment_readers().len()
    }

    /// How many products searches currently see (after the last commit): for the
    /// consistency check against the database. A product is one open document plus its
    /// restricted ones, so the open documents are counted.
    pub fn num_products(&self) -> u64 {
        let open = TermQuery::new(
            Term::from_field_text(self.inner.fields.doc_kind, KIND_OPEN),
            IndexRecordOption::Basic,
        );
        self.inner
            .reader
            .searcher()
            .search(&open, &tantivy::collector::Count)
            .map_or(0, |n| n as u64)
    }

    /// The outbox sequence recorded by the last commit: resume after it.
    pub fn last_applied(&self) -> u64 {
        self.inner.committed.load(Ordering::SeqCst)
    }

    fn send(&self, msg: Msg) -> Result<(), TextIndexError> {
        let guard = self
            .inner
            .tx
            .lock()
            .map_err(|_| TextIndexError::WriterGone)?;
        guard
            .as_ref()
            .ok_or(TextIndexError::WriterGone)?
            .send(msg)
            .map_err(|_| TextIndexError::WriterGone)
    }

    /// Queues one outbox operation for the writer thread.
    pub fn apply(&self, seq: u64, op: IndexOp) -> Result<(), TextIndexError> {
        self.send(Msg::Apply(seq, op))
    }

    /// Commits now and waits until searches see it; returns the last applied sequence.
    pub fn flush(&self) -> Result<u64, TextIndexError> {
        let (tx, rx) = mpsc::channel();
        self.send(Msg::Flush(tx))?;
        rx.recv().map_err(|_| TextIndexError::WriterGone)?
    }

    /// Deletes every document and commits with sequence 0 (the start of a full rebuild).
    pub fn clear(&self) -> Result<(), TextIndexError> {
        let (tx, rx) = mpsc::channel();
        self.send(Msg::Clear(tx))?;
        rx.recv().map_err(|_| TextIndexError::WriterGone)?
    }

    /// Commits pending work and stops the writer thread; later writes fail with
    /// [`TextIndexError::WriterGone`]. Returns the last applied sequence.
    pub fn shutdown(self) -> Result<u64, TextIndexError> {
        self.inner.stop()
    }

    /// Runs `req` for `viewer`: only products (and text) the viewer may see.
    pub fn search(
        &self,
        req: &SearchRequest,
        viewer: &Viewer,
    ) -> Result<SearchResults, TextIndexError> {
        let searcher = self.inner.reader.searcher();
        let fields = &self.inner.fields;
        let build =
            |mode, first_letter| query::build(&searcher, fields, req, viewer, mode, first_letter);
        let nothing = |fruits: &[collect::SegmentMatches]| fruits.iter().all(|f| f.is_empty());
        let mut plan = build(Mode::All, FirstLetter::Kept)?;
        let mut fruits = searcher.search(&*plan.query, &MatchCollector)?;
        // A typo in a word's first letter costs the most to look for (see `fuzzy`), so
        // only when the query found nothing without it.
        if plan.typo_words > 0 && nothing(&fruits) {
            plan = build(Mode::All, FirstLetter::Edited)?;
            fruits = searcher.search(&*plan.query, &MatchCollector)?;
        }
        if plan.words > 1 && nothing(&fruits) {
            plan = build(Mode::Any, FirstLetter::Edited)?;
            fruits = searcher.search(&*plan.query, &MatchCollector)?;
        }
        let mut products = collect::group(&fruits);
        let facets = collect::facet_counts(&searcher, &products)?;
        let total = products.len();
        let upto = req.offset.saturating_add(req.limit).min(total);
        collect::rank(&mut products, upto);
        let mut highlighter = Highlighter::new();
        let mut hits = Vec::with_capacity(upto.saturating_sub(req.offset));
        for m in products.iter().take(upto).skip(req.offset) {
            hits.push(self.hit(&searcher, m, &plan.highlight, &mut highlighter)?);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        m: &ProductMatch,
        hl: &query::Highlight,
        highlighter: &mut Highlighter,
    ) -> Result<SearchHit, TextIndexError> {
        let f = &self.inner.fields;
        let best: TantivyDocument = searcher.doc(m.doc)?;
        // The best document may be a restricted one; identity comes from the open one.
        let open: TantivyDocument = if best.get_first(f.name).is_some() {
            best.clone()
        } else {
            match open_doc_of(searcher, f, m.product_id)? {
                Some(addr) => searcher.doc(addr)?,
                None => best.clone(),
            }
        };
        let text = |d: &TantivyDocument, field| {
            d.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let body: Vec<&str> = best.get_all(f.body).filter_map(|v| v.as_str()).collect();
        let snippet_html = highlighter.snippet(hl, &body.join(" · "));
        Ok(SearchHit {
            product_id: m.product_id,
            score: m.score,
            brand: text(&open, f.brand),
            name: text(&open, f.name),
            right_holder: text(&open, f.right_holder),
            thumbnail: open
                .get_first(f.thumbnail)
                .and_then(|v| v.as_str().map(str::to_string)),
            snippet_html,
        })
    }
}

fn open_doc_of(
    searcher: &Searcher,
    f: &Fields,
    product_id: i64,
) -> Result<Option<DocAddress>, TextIndexError> {
    let q = BooleanQuery::intersection(vec![
        Box::new(TermQuery::new(
            Term::from_field_i64(f.product_id, product_id),
            IndexRecordOption::Basic,
        )),
        Box::new(TermQuery::new(
            Term::from_field_text(f.doc_kind, KIND_OPEN),
            IndexRecordOption::Basic,
        )),
    ]);
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    Ok(top.first().map(|(_, a)| *a))
}

impl Inner {
    fn stop(&self) -> Result<u64, TextIndexError> {
        let tx = self
            .tx
            .lock()
            .map_err(|_| TextIndexError::WriterGone)?
            .take();
        let mut result = Ok(self.committed.load(Ordering::SeqCst));
        if let Some(tx) = tx {
            let (reply_tx, reply_rx) = mpsc::channel();
            if tx.send(Msg::Shutdown(reply_tx)).is_ok() {
                result = reply_rx.recv().map_err(|_| TextIndexError::WriterGone)?;
            }
        }
        let handle = self
            .thread
            .lock()
            .map_err(|_| TextIndexError::WriterGone)?
            .take();
        if let Some(h) = handle {
            h.join().map_err(|_| TextIndexError::WriterGone)?;
        }
        result
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
