//! Officers' look-up: one search box for words and codes, filters, paging, a page that
//! helps when nothing is found, and the authentication guide of a product.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::barcode_photo::{self, ScanView};
use super::products::guide::{self, GuideView};
use super::products::preview::GuidePage;
use super::products::{edit_language, image_path};
use super::{render, PageContext};
use crate::api::search::{run_search, FacetCount, SearchHitView, SearchQuery, PAGE_SIZE};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::products;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search))
        .route("/search/photo", web::post().to(super::photo_search::search))
        .route(
            "/search/barcode",
            web::post().to(barcode_photo::search_by_photo),
        )
        .route("/guide/{id}", web::get().to(guide_page));
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    brand: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    right_holder: String,
    page: Option<usize>,
}

impl SearchParams {
    /// A plain search for `q` (a code read from a photo), without filters.
    pub fn for_code(q: String) -> SearchParams {
        SearchParams {
            q,
            ..SearchParams::default()
        }
    }

    fn link(&self, change: &[(&str, &str)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("q", self.q.as_str()),
            ("brand", &self.brand),
            ("category", &self.category),
            ("country", &self.country),
            ("right_holder", &self.right_holder),
        ] {
            let value = change
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(value, |(_, v)| *v);
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if let Some((_, page)) = change.iter().find(|(n, _)| *n == "page") {
            query.append_pair("page", page);
        }
        format!("/search?{}", query.finish())
    }

    fn has_filters(&self) -> bool {
        [
            &self.brand,
            &self.category,
            &self.country,
            &self.right_holder,
        ]
        .iter()
        .any(|f| !f.is_empty())
    }
}

/// One facet as a filter: its values with counts, the one chosen, and how to drop it.
pub struct Filter {
    pub name: &'static str,
    pub label: &'static str,
    pub chosen: String,
    pub values: Vec<FacetCount>,
    pub clear_link: String,
}

/// What a code typed or scanned says, shown above the results.
pub struct CodeFacts {
    pub gtin: String,
    pub lot: String,
    pub serial: String,
    pub expiry: String,
}

#[derive(Template)]
#[template(path = "lookup/search.html")]
struct SearchPage {
    ctx: PageContext,
    q: String,
    searched: bool,
    total: usize,
    hits: Vec<SearchHitView>,
    filters: Vec<Filter>,
    code: Option<CodeFacts>,
    /// The barcode photo just read, when the page answers one.
    scan: Option<ScanView>,
    page: usize,
    pages: usize,
    previous_link: Option<String>,
    next_link: Option<String>,
    without_filters_link: Option<String>,
}

fn code_facts(text: &str) -> Option<CodeFacts> {
    let data = search_index::gs1::recognise_code(text)?;
    Some(CodeFacts {
        gtin: data
            .gtin
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
        lot: data.lot.unwrap_or_default(),
        serial: data.serial.unwrap_or_default(),
        expiry: data.expiry.map(|d| d.to_string()).unwrap_or_default(),
    })
}

pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    search_page(&req, &state, &user, params.into_inner(), None).await
}

/// The search page for `params`, with the barcode photo just read when there is one.
pub async fn search_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    user: &CurrentUser,
    params: SearchParams,
    scan: Option<ScanView>,
) -> Result<HttpResponse, AppError> {
    let searched = !params.q.trim().is_empty() || params.has_filters();
    let query = SearchQuery {
        q: Some(params.q.clone()),
        brand: Some(params.brand.clone()),
        category: Some(params.category.clone()),
        country: Some(params.country.clone()),
        right_holder: Some(params.right_holder.clone()),
        page: params.page,
    };
    let shared = state.clone().into_inner();
    let searcher = user.clone();
    let results = web::block(move || run_search(&shared, &searcher, query))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??;
    let pages = results.total.div_ceil(PAGE_SIZE).max(1);
    let page = results.page;
    let facets = results.facets;
    let filters = vec![
        ("brand", "Brand", params.brand.clone(), facets.brand),
        (
            "category",
            "Category",
            params.category.clone(),
            facets.category,
        ),
        ("country", "Country", params.country.clone(), facets.country),
        (
            "right_holder",
            "Right holder",
            params.right_holder.clone(),
            facets.right_holder,
        ),
    ]
    .into_iter()
    .map(|(name, label, chosen, values)| Filter {
        clear_link: params.link(&[(name, "")]),
        name,
        label,
        chosen,
        values,
    })
    .collect();
    render(&SearchPage {
        ctx: PageContext::new(req, Some(user)),
        code: scan.is_none().then(|| code_facts(&params.q)).flatten(),
        scan,
        searched,
        total: results.total,
        hits: results.hits,
        filters,
        page,
        pages,
        previous_link: (page > 1).then(|| params.link(&[("page", &(page - 1).to_string())])),
        next_link: (page < pages).then(|| params.link(&[("page", &(page + 1).to_string())])),
        without_filters_link: params.has_filters().then(|| {
            params.link(&[
                ("brand", ""),
                ("category", ""),
                ("country", ""),
                ("right_holder", ""),
            ])
        }),
        q: params.q,
    })
}

/// The officer's language: asked for in the address, else the browser's first choice.
pub fn reader_language(req: &HttpRequest, asked: Option<&str>) -> String {
    if asked.is_some() {
        return edit_language(asked);
    }
    let header = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let first = header
        .split(',')
        .next()
        .and_then(|tag| tag.split(';').next())
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "*");
    edit_language(first)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct GuideQuery {
    /// The reader's language (`fr`, `pt-BR`...); by default the browser's.
    pub lang: Option<String>,
}

/// The guide of a product for `user`, or NotFound when they may not see it; image
/// addresses are those of the API when `for_api`, of the pages otherwise.
pub async fn guide_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    lang: &str,
    for_api: bool,
) -> Result<GuideView, AppError> {
    let reader = user.clone();
    let lang = lang.to_string();
    db::run(&state.pool, move |conn| {
        let product = products::load(conn, id)?;
        let visibility = products::visibility(conn, &reader, &product)?;
        let url = |image: i64, size: &str| {
            let path = image_path(id, image, size);
            if for_api {
                format!("/api/v1{path}")
            } else {
                path
            }
        };
        let mut guide = guide::build(&product, visibility, &lang, &url);
        guide.alerts = crate::alerts::view::for_guide(conn, &reader, id, for_api)?;
        crate::feedback::count_lookup(conn, &reader, id);
        Ok(guide)
    })
    .await
}

pub async fn guide_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<GuideQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = reader_language(&req, query.lang.as_deref());
    let guide = guide_for(&state, &user, path.into_inner(), &lang, false).await?;
    render(&GuidePage {
        ctx: PageContext::new(&req, Some(&user)),
        guide,
        preview: None,
    })
}
