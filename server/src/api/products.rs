//! Products over the API: right holders' own systems create, replace, publish and delete
//! records and upload images; everyone reads what they may see.

use actix_multipart::Multipart;
use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::models::product::{self as rows, ImageRow, RevisionRow};
use crate::products::images::{detach, ImageKind};
use crate::products::record::ProductInput;
use crate::products::{self, upload, Product, Status};
use crate::uploads::{self, UploadLimits};

#[derive(Serialize, ToSchema)]
pub struct OrganisationRef {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImageView {
    pub id: i64,
    pub kind: String,
    pub caption: String,
    pub position: i32,
    pub width: i32,
    pub height: i32,
    /// PDQ hash, 64 hex digits in the reference order.
    pub pdq: String,
    /// PDQ quality 0-100; below 50 the hash is not used to match.
    pub quality: i32,
    pub url: String,
    pub thumb_url: String,
}

impl ImageView {
    pub fn of(product_id: i64, row: &ImageRow) -> ImageView {
        ImageView {
            id: row.id,
            kind: row.kind.clone(),
            caption: row.caption.clone(),
            position: row.position,
            width: row.width,
            height: row.height,
            pdq: row.pdq.clone(),
            quality: row.pdq_quality,
            url: format!("/api/v1/products/{product_id}/images/{}/display", row.id),
            thumb_url: format!("/api/v1/products/{product_id}/images/{}/thumb", row.id),
        }
    }
}

/// A product as the caller may see it (restricted sections only for those entitled).
#[derive(Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    pub organisation: OrganisationRef,
    pub status: Status,
    pub version: i32,
    /// Not reviewed for over a year.
    pub stale: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    #[serde(flatten)]
    pub record: ProductInput,
    pub images: Vec<ImageView>,
}

impl ProductView {
    pub fn of(product: &Product, visibility: products::Visibility) -> ProductView {
        ProductView {
            id: product.row.id,
            organisation: OrganisationRef {
                id: product.org.id,
                name: product.org.name.clone(),
            },
            status: product.status(),
            version: product.row.version,
            stale: product.is_stale(),
            created_at: product.row.created_at,
            updated_at: product.row.updated_at,
            record: products::visible_record(&product.record, visibility),
            images: product
                .images
                .iter()
                .map(|i| ImageView::of(product.row.id, i))
                .collect(),
        }
    }
}

async fn view_for(state: &AppState, user: CurrentUser, id: i64) -> Result<ProductView, AppError> {
    db::run(&state.pool, move |conn| {
        let product = products::load(conn, id)?;
        let visibility = products::visibility(conn, &user, &product)?;
        Ok(ProductView::of(&product, visibility))
    })
    .await
}

#[derive(Serialize, ToSchema)]
pub struct ProductSummary {
    pub id: i64,
    pub reference: String,
    pub brand: String,
    pub name: String,
    pub status: String,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Deserialize, IntoParams)]
pub struct ListFilter {
    /// draft, published or archived
    pub status: Option<String>,
    /// Part of the name, reference or brand.
    pub q: Option<String>,
}

/// The caller's organisation's products (right holders).
#[utoipa::path(tag = "products", security(("bearer" = [])), params(ListFilter),
    responses((status = 200, body = Vec<ProductSummary>), (status = 403, body = ErrorBody)))]
#[get("/products")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    filter: web::Query<ListFilter>,
) -> Result<HttpResponse, AppError> {
    products::require_reader(&user)?;
    let org = user.org.id;
    let ListFilter { status, q } = filter.into_inner();
    if let Some(s) = status.as_deref() {
        Status::parse(s).ok_or_else(|| {
            AppError::bad_request("invalid_status", "status is draft, published or archived.")
        })?;
    }
    let list = db::run(&state.pool, move |conn| {
        Ok(rows::list_for_org(
            conn,
            org,
            status.as_deref(),
            q.as_deref(),
        )?)
    })
    .await?;
    let out: Vec<ProductSummary> = list
        .into_iter()
        .map(|(p, brand)| ProductSummary {
            id: p.id,
            reference: p.reference,
            brand,
            name: p.name,
            status: p.status,
            updated_at: p.updated_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Creates a draft product from a full record.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = ProductInput,
    responses((status = 201, body = ProductView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/products")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<ProductInput>,
) -> Result<HttpResponse, AppError> {
    let acting = user.clone();
    let id = db::run(&state.pool, move |conn| {
        products::create(conn, &acting, body.into_inner())
    })
    .await?;
    state.search.notify();
    Ok(HttpResponse::Created().json(view_for(&state, user, id).await?))
}

/// A product as the caller may see it.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ProductView), (status = 404, body = ErrorBody)))]
#[get("/products/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(view_for(&state, user, path.into_inner()).await?))
}

/// Replaces every field of a product (images stay).
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ProductInput,
    responses((status = 200, body = ProductView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/products/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<ProductInput>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let acting = user.clone();
    db::run(&state.pool, move |conn| {
        products::replace(conn, &acting, id, body.into_inner())
    })
    .await?;
    state.search.notify();
    Ok(HttpResponse::Ok().json(view_for(&state, user, id).await?))
}

/// Deletes a product with its images.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/products/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let images = db::run(&state.pool, move |conn| products::delete(conn, &user, id)).await?;
    state.search.notify();
    let files = images
        .into_iter()
        .flat_map(|i| [i.display_sha256, i.thumb_sha256])
        .collect();
    upload::remove_unused(&state, files).await;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct StatusView {
    pub id: i64,
    pub status: Status,
}

async fn set_status(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    status: Status,
) -> Result<HttpResponse, AppError> {
    db::run(&state.pool, move |conn| {
        products::change_status(conn, &user, id, status)
    })
    .await?;
    state.search.notify();
    Ok(HttpResponse::Ok().json(StatusView { id, status }))
}

/// Publishes a product: officers find it once its right holder is verified.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = StatusView), (status = 404, body = ErrorBody)))]
#[post("/products/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_status(&state, user, path.into_inner(), Status::Published).await
}

/// Takes a product back to draft.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = StatusView), (status = 404, body = ErrorBody)))]
#[post("/products/{id}/unpublish")]
pub async fn unpublish(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_status(&state, user, path.into_inner(), Status::Draft).await
}

/// Archives a product (kept, no longer searchable).
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = StatusView), (status = 404, body = ErrorBody)))]
#[post("/products/{id}/archive")]
pub async fn archive(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_status(&state, user, path.into_inner(), Status::Archived).await
}

#[derive(Serialize, ToSchema)]
pub struct RevisionView {
    pub version: i32,
    pub user_id: Option<i64>,
    pub summary: String,
    pub created_at: chrono::NaiveDateTime,
}

impl From<RevisionRow> for RevisionView {
    fn from(r: RevisionRow) -> RevisionView {
        RevisionView {
            version: r.version,
            user_id: r.user_id,
            summary: r.summary,
            created_at: r.created_at,
        }
    }
}

/// Who changed the product, and when (its own organisation only).
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RevisionView>), (status = 404, body = ErrorBody)))]
#[get("/products/{id}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let entries = db::run(&state.pool, move |conn| {
        let product = products::load(conn, id)?;
        if product.org.id != user.org.id && !user.is_admin() {
            return Err(AppError::not_found("That product"));
        }
        Ok(rows::revisions_of(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(
        entries
            .into_iter()
            .map(RevisionView::from)
            .collect::<Vec<_>>(),
    ))
}

/// The fields of an image upload form, read with a size limit.
pub struct UploadForm {
    pub file: Vec<u8>,
    pub kind: String,
    pub caption: String,
}

/// Reads `file`, `kind` and `caption` from a multipart body, refusing a file over `max`.
pub async fn read_upload(payload: Multipart, max: u64) -> Result<UploadForm, AppError> {
    let files = [("file", max)];
    let limits = UploadLimits {
        files: &files,
        max_files: 1,
        max_text_bytes: uploads::SHORT_TEXT_BYTES,
    };
    let mut body = uploads::read(payload, &limits).await?;
    let Some(file) = body.take_file("file") else {
        return Err(AppError::bad_request(
            "missing_file",
            "Choose an image file to upload.",
        ));
    };
    Ok(UploadForm {
        file: file.bytes,
        kind: body.text("kind").to_string(),
        caption: body.text("caption").to_string(),
    })
}

/// Multipart body of an image upload (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImageUpload {
    /// JPEG, PNG, WebP, GIF, TIFF or BMP; at most 20 MB and 50 megapixels by default.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// genuine, counterfeit, packaging, label or document
    kind: String,
    caption: Option<String>,
}

/// Adds an image: validated, re-encoded without metadata, thumbnailed and PDQ-hashed.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = ImageView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
#[post("/products/{id}/images")]
pub async fn add_image(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let acting = user.clone();
    db::run(&state.pool, move |conn| {
        products::load_own(conn, &acting, id).map(|_| ())
    })
    .await?;
    let form = read_upload(payload, state.image_limits().max_bytes).await?;
    let kind = ImageKind::parse(&form.kind)?;
    let row = upload::upload(&state, id, user.actor(), kind, form.caption, form.file).await?;
    Ok(HttpResponse::Created().json(ImageView::of(id, &row)))
}

/// Removes an image of a product.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = i64, Path), ("image_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/products/{id}/images/{image_id}")]
pub async fn remove_image(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, image_id) = path.into_inner();
    let image = db::run(&state.pool, move |conn| {
        products::load_own(conn, &user, id)?;
        detach(conn, id, image_id, &user.actor())
    })
    .await?;
    state.search.notify();
    upload::remove_unused(&state, vec![image.display_sha256, image.thumb_sha256]).await;
    Ok(HttpResponse::NoContent().finish())
}

/// The re-encoded image (`display`, at most 1600 px) or its thumbnail (`thumb`), for
/// those who may see the product.
#[utoipa::path(tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path), ("image_id" = i64, Path), ("size" = String, Path, description = "display or thumb")),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
#[get("/products/{id}/images/{image_id}/{size}")]
pub async fn image_file(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, image_id, size) = path.into_inner();
    serve_image(&state, user, id, image_id, &size).await
}

/// Shared by the API and the pages: checks access, then sends the stored JPEG.
pub async fn serve_image(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    image_id: i64,
    size: &str,
) -> Result<HttpResponse, AppError> {
    let thumb = match size {
        "thumb" => true,
        "display" => false,
        _ => return Err(AppError::not_found("That image size")),
    };
    let sha = db::run(&state.pool, move |conn| {
        let product = products::load(conn, id)?;
        products::visibility(conn, &user, &product)?;
        let image = product
            .images
            .iter()
            .find(|i| i.id == image_id)
            .ok_or_else(|| AppError::not_found("That image"))?;
        Ok(if thumb {
            image.thumb_sha256.clone()
        } else {
            image.display_sha256.clone()
        })
    })
    .await?;
    super::stored_jpeg(state, sha, "private, max-age=86400").await
}

/// The authentication guide of a product: what an officer reads, in their language where
/// the right holder gave it, restricted sections only for administrations on the share list.
#[utoipa::path(tag = "lookup", security(("bearer" = [])),
    params(("id" = i64, Path), crate::web::lookup::GuideQuery),
    responses((status = 200, body = crate::web::products::guide::GuideView), (status = 404, body = ErrorBody)))]
#[get("/products/{id}/guide")]
pub async fn guide(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<crate::web::lookup::GuideQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = crate::web::lookup::reader_language(&req, query.lang.as_deref());
    let guide =
        crate::web::lookup::guide_for(&state, &user, path.into_inner(), &lang, true).await?;
    Ok(HttpResponse::Ok().json(guide))
}
