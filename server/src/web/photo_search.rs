//! The officer's "search by photo" on `/search`: a plain multipart form (file picker or
//! the phone's camera) whose results show the officer's photo beside each matching
//! product image, with links to the guides. The photo is shown back from memory as a
//! small re-encoded `data:` URL and never stored.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use base64::Engine;

use super::products::image_path;
use super::{render, PageContext};
use crate::api::photo::{self, PhotoHit};
use crate::app::AppState;
use crate::auth::{csrf, CurrentUser};
use crate::error::AppError;

/// One match as the page shows it.
pub struct PhotoResult {
    pub product_id: i64,
    pub brand: String,
    pub name: String,
    pub right_holder: String,
    pub kind: String,
    pub thumb_url: String,
    pub distance: u32,
    /// How close, in words.
    pub closeness: &'static str,
    /// How the photo is turned relative to the product image, in words; empty when not.
    pub turned: &'static str,
}

#[derive(Template)]
#[template(path = "lookup/photo.html")]
struct PhotoPage {
    ctx: PageContext,
    /// The officer's photo as a `data:` URL, when it could be read.
    photo_url: Option<String>,
    results: Vec<PhotoResult>,
    /// What was wrong with the photo, in words.
    problem: Option<String>,
}

fn closeness(distance: u32) -> &'static str {
    match distance {
        0..=10 => "very close match",
        11..=20 => "close match",
        _ => "possible match",
    }
}

fn turned(variant: &str) -> &'static str {
    match variant {
        "rot90" | "rot270" => "photo turned a quarter",
        "rot180" => "photo upside down",
        "flipx" | "flipy" | "flipp" | "flipm" => "photo mirrored",
        _ => "",
    }
}

fn result_of(hit: PhotoHit) -> PhotoResult {
    let v = hit.view;
    PhotoResult {
        product_id: v.product_id,
        thumb_url: image_path(v.product_id, v.image_id, "thumb"),
        distance: v.distance,
        closeness: closeness(v.distance),
        turned: turned(&v.variant),
        brand: hit.brand,
        name: hit.name,
        right_holder: hit.right_holder,
        kind: hit.kind,
    }
}

/// `POST /search/photo`: the results page, or the same page saying what was wrong with
/// the photo (bad request, too large); other errors are the usual error page.
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let payload = Multipart::new(req.headers(), body);
    let form = photo::read_form(payload, state.image_limits().max_bytes).await;
    let outcome = match form {
        Ok(form) => {
            csrf::verify(&req, &user, &form.csrf_token)?;
            run(&state, &user, form.file).await
        }
        Err(e) => Err(e),
    };
    let page = match outcome {
        Ok((photo_url, results)) => PhotoPage {
            ctx: PageContext::new(&req, Some(&user)),
            photo_url,
            results,
            problem: None,
        },
        Err(e @ (AppError::BadRequest { .. } | AppError::TooLarge(_))) => PhotoPage {
            ctx: PageContext::new(&req, Some(&user)),
            photo_url: None,
            results: Vec::new(),
            problem: Some(e.public_message()),
        },
        Err(e) => return Err(e),
    };
    let status = if page.problem.is_some() {
        actix_web::http::StatusCode::BAD_REQUEST
    } else {
        actix_web::http::StatusCode::OK
    };
    let mut response = render(&page)?;
    *response.status_mut() = status;
    Ok(response)
}

async fn run(
    state: &AppState,
    user: &CurrentUser,
    file: Option<Vec<u8>>,
) -> Result<(Option<String>, Vec<PhotoResult>), AppError> {
    let searched = photo::hash_photo(state, file, true).await?;
    let photo_url = searched.thumb_jpeg.as_ref().map(|jpeg| {
        format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(jpeg)
        )
    });
    let hits = photo::find(state, user, &searched).await?;
    Ok((photo_url, hits.into_iter().map(result_of).collect()))
}
