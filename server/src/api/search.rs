//! Look-up by text or code, and the share list of a right holder.

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::products::sharing::{self, Administration};
use crate::search::{scope_request, viewer_of};
use search_index::text::SearchRequest;

pub const PAGE_SIZE: usize = 20;

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words, or a code: a GTIN in any form, a GS1 Digital Link URL or element string.
    pub q: Option<String>,
    pub brand: Option<String>,
    pub category: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub right_holder: Option<String>,
    /// 1-based.
    pub page: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitView {
    pub product_id: i64,
    pub name: String,
    pub brand: String,
    pub right_holder: String,
    pub thumbnail: Option<String>,
    /// HTML with matches in `<mark>`; text escaped.
    pub snippet: String,
    pub score: f32,
}

#[derive(Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct FacetsView {
    pub brand: Vec<FacetCount>,
    pub category: Vec<FacetCount>,
    pub country: Vec<FacetCount>,
    pub right_holder: Vec<FacetCount>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    pub hits: Vec<SearchHitView>,
    pub facets: FacetsView,
}

fn counts(list: Vec<(String, usize)>) -> Vec<FacetCount> {
    list.into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}

/// Runs a search for a user: only what that user may see.
pub fn run_search(
    state: &AppState,
    user: &CurrentUser,
    query: SearchQuery,
) -> Result<SearchResponse, AppError> {
    let page = query.page.unwrap_or(1).max(1);
    if page > 500 {
        return Err(AppError::bad_request(
            "invalid_page",
            "Refine the search instead of paging that far.",
        ));
    }
    let text = query.q.unwrap_or_default();
    if text.chars().count() > 500 {
        return Err(AppError::bad_request(
            "query_too_long",
            "A search may have at most 500 characters.",
        ));
    }
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut request = SearchRequest {
        text,
        brand: nonempty(query.brand),
        category: nonempty(query.category),
        country: nonempty(query.country),
        right_holder: nonempty(query.right_holder),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    scope_request(user, &mut request);
    let results = state.search.text(&request, &viewer_of(user))?;
    Ok(SearchResponse {
        total: results.total,
        page,
        page_size: PAGE_SIZE,
        hits: results
            .hits
            .into_iter()
            .map(|h| SearchHitView {
                product_id: h.product_id,
                name: h.name,
                brand: h.brand,
                right_holder: h.right_holder,
                thumbnail: h.thumbnail,
                snippet: h.snippet_html,
                score: h.score,
            })
            .collect(),
        facets: FacetsView {
            brand: counts(results.facets.brand),
            category: counts(results.facets.category),
            country: counts(results.facets.country),
            right_holder: counts(results.facets.right_holder),
        },
    })
}

/// Finds published products by text (typo-tolerant) or code, with facet filters.
#[utoipa::path(tag = "search", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let state = state.into_inner();
    let result = web::block(move || run_search(&state, &user, query.into_inner()))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ShareList {
    /// Ids of the customs administrations that may read restricted sections.
    pub administrations: Vec<i64>,
}

/// Verified customs administrations, marked when on the caller's share list.
#[utoipa::path(tag = "products", security(("bearer" = [])),
    responses((status = 200, body = Vec<Administration>), (status = 403, body = ErrorBody)))]
#[get("/share-list")]
pub async fn share_list(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    crate::products::require_reader(&user)?;
    let org = user.org.id;
    let list = db::run(&state.pool, move |conn| sharing::candidates(conn, org)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Sets the share list (the right holder's owner).
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = ShareList,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[put("/share-list")]
pub async fn set_share_list(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<ShareList>,
) -> Result<HttpResponse, AppError> {
    let ids = body.into_inner().administrations;
    db::run(&state.pool, move |conn| {
        crate::products::set_share_list(conn, &user, &ids)
    })
    .await?;
    state.search.notify();
    Ok(HttpResponse::NoContent().finish())
}
