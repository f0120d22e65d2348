//! Alert pages: officers' list of current alerts (searchable, most severe first) and an
//! alert with its photos; right holders' own alerts, the form to publish and edit one
//! (products named by the organisation's own references), and withdrawal.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use super::{redirect, render, NoFields, PageContext};
use crate::alerts::view::{self, AlertQuery, AlertView};
use crate::alerts::{self, AlertInput, NewPhoto, Reader, SEVERITIES};
use crate::app::AppState;
use crate::auth::{csrf, csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::alert as rows;
use crate::notices::MAX_PHOTOS;
use crate::uploads::{self, MultipartBody};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts", web::get().to(list))
        .route("/alerts", web::post().to(create))
        .route("/alerts/new", web::get().to(new_form))
        .route("/alerts/{id}", web::get().to(show))
        .route("/alerts/{id}", web::post().to(update))
        .route("/alerts/{id}/edit", web::get().to(edit_form))
        .route("/alerts/{id}/withdraw", web::post().to(withdraw))
        .route(
            "/alerts/{id}/photos/{photo_id}/{size}",
            web::get().to(photo),
        );
}

#[derive(Template)]
#[template(path = "alerts/list.html")]
struct ListPage {
    ctx: PageContext,
    customs: bool,
    publisher: bool,
    alerts: Vec<AlertView>,
    q: String,
    severity: String,
    severities: &'static [(i32, &'static str, &'static str)],
}

impl ListPage {
    fn severity_is(&self, key: &str) -> bool {
        self.severity == key
    }
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<AlertQuery>,
) -> Result<HttpResponse, AppError> {
    let reader = alerts::reader_of(&user)?;
    let query = query.into_inner();
    let (who, asked) = (user.clone(), query.clone());
    let found = db::run(&state.pool, move |conn| {
        view::list(conn, &who, &asked, false)
    })
    .await?;
    render(&ListPage {
        ctx: PageContext::new(&req, Some(&user)),
        customs: reader == Reader::Customs,
        publisher: alerts::require_publisher(&user).is_ok(),
        alerts: found,
        q: query.q.unwrap_or_default(),
        severity: query.severity.unwrap_or_default(),
        severities: SEVERITIES,
    })
}

#[derive(Template)]
#[template(path = "alerts/show.html")]
struct ShowPage {
    ctx: PageContext,
    a: AlertView,
    customs: bool,
    publisher: bool,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let reader = alerts::reader_of(&user)?;
    let (who, id) = (user.clone(), path.into_inner());
    let a = db::run(&state.pool, move |conn| view::load(conn, &who, id, false)).await?;
    render(&ShowPage {
        ctx: PageContext::new(&req, Some(&user)),
        a,
        customs: reader == Reader::Customs,
        publisher: alerts::require_publisher(&user).is_ok(),
    })
}

/// The form's fields as typed, to show them again when something must be fixed.
#[derive(Default)]
struct FormValues {
    title: String,
    body: String,
    severity: String,
    valid_until: String,
    countries: String,
    products: String,
    caption: String,
}

impl FormValues {
    fn of(form: &MultipartBody) -> FormValues {
        FormValues {
            title: form.text("title").to_string(),
            body: form.text("body").to_string(),
            severity: form.text("severity").to_string(),
            valid_until: form.text("valid_until").to_string(),
            countries: form.text("countries").to_string(),
            products: form.text("products").to_string(),
            caption: form.text("caption").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "alerts/form.html")]
struct FormPage {
    ctx: PageContext,
    /// The alert being edited, None for a new one.
    editing: Option<AlertView>,
    values: FormValues,
    error: Option<String>,
    severities: &'static [(i32, &'static str, &'static str)],
    max_photos: usize,
}

impl FormPage {
    fn severity_is(&self, key: &str) -> bool {
        self.values.severity == key
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(a) => format!("/alerts/{}", a.id),
            None => "/alerts".into(),
        }
    }
}

#[derive(Deserialize)]
struct NewQuery {
    product: Option<i64>,
}

async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    alerts::require_publisher(&user)?;
    // From a product's page: the form names that product already.
    let (org, product) = (user.org.id, query.product);
    let products = db::run(&state.pool, move |conn| {
        Ok(match product {
            Some(id) => crate::models::product::find(conn, id)
                .ok()
                .filter(|p| p.organisation_id == org)
                .map(|p| p.reference)
                .unwrap_or_default(),
            None => String::new(),
        })
    })
    .await?;
    let values = FormValues {
        severity: "high".into(),
        valid_until: (crate::models::now().date() + chrono::Duration::days(90))
            .format("%Y-%m-%d")
            .to_string(),
        products,
        ..FormValues::default()
    };
    render(&form_page(&req, &user, None, values, None))
}

fn form_page(
    req: &HttpRequest,
    user: &CurrentUser,
    editing: Option<AlertView>,
    values: FormValues,
    error: Option<String>,
) -> FormPage {
    FormPage {
        ctx: PageContext::new(req, Some(user)),
        editing,
        values,
        error,
        severities: SEVERITIES,
        max_photos: MAX_PHOTOS,
    }
}

async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    alerts::require_publisher(&user)?;
    let (who, id) = (user.clone(), path.into_inner());
    let (a, references) = db::run(&state.pool, move |conn| {
        let a = view::load(conn, &who, id, false)?;
        Ok((a, rows::product_references_of(conn, id)?))
    })
    .await?;
    let values = FormValues {
        title: a.title.clone(),
        body: a.body.clone(),
        severity: a.severity.into(),
        valid_until: a.valid_until.format("%Y-%m-%d").to_string(),
        countries: a.countries.join(", "),
        products: references.join(", "),
        caption: String::new(),
    };
    render(&form_page(&req, &user, Some(a), values, None))
}

/// Splits a list typed by hand: commas, semicolons or new lines.
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The form, read into what the service checks; product references become ids.
async fn input_from(
    state: &AppState,
    user: &CurrentUser,
    form: &MultipartBody,
) -> Result<AlertInput, AppError> {
    let valid_until = chrono::NaiveDate::parse_from_str(form.text("valid_until"), "%Y-%m-%d")
        .map_err(|_| {
            AppError::bad_request(
                "invalid_date",
                "Give the last day of the alert as YYYY-MM-DD.",
            )
        })?;
    let references = split_list(form.text("products"));
    let org = user.org.id;
    let product_ids = db::run(&state.pool, move |conn| {
        let found = rows::products_by_reference(conn, org, &references)?;
        references
            .iter()
            .map(|reference| {
                found
                    .iter()
                    .find(|(r, _)| r == reference)
                    .map(|(_, id)| *id)
                    .ok_or_else(|| {
                        AppError::bad_request(
                            "unknown_product",
                            format!("None of your products has the reference {reference:?}."),
                        )
                    })
            })
            .collect::<Result<Vec<i64>, AppError>>()
    })
    .await?;
    Ok(AlertInput {
        title: form.text("title").into(),
        body: form.text("body").into(),
        severity: form.text("severity").into(),
        valid_until,
        countries: form
            .text("countries")
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        product_ids,
    })
}

/// Reads the alert form: its text (the alert's text may be long) and photos.
async fn read_form(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    payload: Multipart,
) -> Result<(MultipartBody, Vec<NewPhoto>), AppError> {
    let (form, photos) =
        uploads::read_with_photos(payload, state.image_limits().max_bytes, MAX_PHOTOS).await?;
    csrf::verify(req, user, form.text("csrf_token"))?;
    let caption = form.text("caption").to_string();
    let photos = photos
        .into_iter()
        .map(|bytes| NewPhoto {
            bytes,
            caption: caption.clone(),
        })
        .collect();
    Ok((form, photos))
}

/// The form again, as typed, with the reason it was refused; other errors go up.
async fn refused(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    editing: Option<i64>,
    form: &MultipartBody,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    if !matches!(error, AppError::BadRequest { .. } | AppError::TooLarge(_)) {
        return Err(error);
    }
    let editing = match editing {
        Some(id) => {
            let who = user.clone();
            Some(db::run(&state.pool, move |conn| view::load(conn, &who, id, false)).await?)
        }
        None => None,
    };
    let page = form_page(
        req,
        user,
        editing,
        FormValues::of(form),
        Some(error.public_message()),
    );
    Ok(HttpResponse::build(error.status_code())
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    alerts::require_publisher(&user)?;
    let (form, photos) = read_form(&req, &state, &user, payload).await?;
    let created = match input_from(&state, &user, &form).await {
        Ok(input) => alerts::create(&state, &user, input, photos).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(id) => Ok(redirect(&format!("/alerts/{id}?notice=alert_published"))),
        Err(e) => refused(&req, &state, &user, None, &form, e).await,
    }
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    alerts::require_publisher(&user)?;
    let id = path.into_inner();
    let (form, photos) = read_form(&req, &state, &user, payload).await?;
    let remove: Result<Vec<i64>, _> = form
        .texts("remove_photos")
        .into_iter()
        .map(str::parse::<i64>)
        .collect();
    let Ok(remove) = remove else {
        return Err(AppError::bad_request(
            "invalid_field",
            "The photos to remove are not photos of this alert.",
        ));
    };
    let changed = match input_from(&state, &user, &form).await {
        Ok(input) => alerts::update(&state, &user, id, input, photos, remove).await,
        Err(e) => Err(e),
    };
    match changed {
        Ok(()) => Ok(redirect(&format!("/alerts/{id}?notice=alert_saved"))),
        Err(e) => refused(&req, &state, &user, Some(id), &form, e).await,
    }
}

async fn withdraw(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    alerts::withdraw(&state, &user, id).await?;
    Ok(redirect(&format!("/alerts/{id}?notice=alert_withdrawn")))
}

async fn photo(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    crate::api::alerts::serve_photo(&state, user, path.into_inner()).await
}
