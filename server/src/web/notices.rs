//! Notice pages: the officer's form (from the guide, or from search when the product is
//! unknown), the administration's list and the right holder's inbox, the notice with its
//! thread, reply, verdict, outcome and close, the private photos, and notifications.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use super::{redirect, render, NoFields, PageContext};
use crate::api::notices::{serve_attachment, site, view_for};
use crate::app::AppState;
use crate::auth::{csrf, csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::notification::{self, NotificationRow};
use crate::models::organisation::{self, Organisation};
use crate::models::{OrgKind, OrgStatus};
use crate::notices::view::{Names, NoticeSummary, NoticeView};
use crate::notices::{
    self, Decision, NoticeInput, Side, MAX_PHOTOS, OUTCOMES, TRANSPORT_MODES, VERDICTS,
};
use crate::products;
use crate::uploads::{self, MultipartBody};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/notices", web::get().to(list))
        .route("/notices", web::post().to(create))
        .route("/notices/new", web::get().to(new_form))
        .route("/notices/{id}", web::get().to(show))
        .route("/notices/{id}/messages", web::post().to(post_message))
        .route("/notices/{id}/verdict", web::post().to(set_verdict))
        .route("/notices/{id}/outcome", web::post().to(set_outcome))
        .route("/notices/{id}/close", web::post().to(close))
        .route(
            "/notices/{id}/attachments/{attachment_id}/{size}",
            web::get().to(attachment),
        )
        .route("/notifications", web::get().to(notifications_page))
        .route("/notifications/read-all", web::post().to(read_all))
        .route("/notifications/{id}/read", web::post().to(read_one));
}

#[derive(Template)]
#[template(path = "notices/list.html")]
struct ListPage {
    ctx: PageContext,
    inbox: bool,
    notices: Vec<NoticeSummary>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let side = notices::side_of(&user)?;
    let reader = user.clone();
    let list = db::run(&state.pool, move |conn| {
        let mut names = Names::default();
        notices::list_for(conn, &reader)?
            .iter()
            .map(|n| NoticeSummary::of(conn, &mut names, n))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    render(&ListPage {
        ctx: PageContext::new(&req, Some(&user)),
        inbox: side == Side::RightHolder,
        notices: list,
    })
}

/// What the form knows of the product, when sent from its guide.
struct KnownProduct {
    id: i64,
    brand: String,
    name: String,
    right_holder: String,
}

/// What the officer typed, shown again with the message when the form is refused.
#[derive(Default)]
struct FormValues {
    right_holder_id: String,
    brand: String,
    product_description: String,
    office: String,
    found_on: String,
    quantity: String,
    transport_mode: String,
    origin_country: String,
    codes_seen: String,
    description: String,
    perishable: bool,
}

impl FormValues {
    fn of(form: &MultipartBody) -> FormValues {
        FormValues {
            right_holder_id: form.text("right_holder_id").to_string(),
            brand: form.text("brand").to_string(),
            product_description: form.text("product_description").to_string(),
            office: form.text("office").to_string(),
            found_on: form.text("found_on").to_string(),
            quantity: form.text("quantity").to_string(),
            transport_mode: form.text("transport_mode").to_string(),
            origin_country: form.text("origin_country").to_string(),
            codes_seen: form.text("codes_seen").to_string(),
            description: form.text("description").to_string(),
            perishable: form.flag("perishable"),
        }
    }
}

#[derive(Template)]
#[template(path = "notices/new.html")]
struct NewPage {
    ctx: PageContext,
    product: Option<KnownProduct>,
    right_holders: Vec<Organisation>,
    transport_modes: &'static [(&'static str, &'static str)],
    values: FormValues,
    error: Option<String>,
    days: u32,
    perishable_hours: u32,
    max_photos: usize,
}

impl NewPage {
    fn holder_is(&self, id: &i64) -> bool {
        self.values.right_holder_id == id.to_string()
    }

    fn mode_is(&self, mode: &str) -> bool {
        self.values.transport_mode == mode
    }
}

#[derive(Deserialize)]
struct NewQuery {
    product: Option<i64>,
}

fn require_sender(user: &CurrentUser) -> Result<(), AppError> {
    if notices::side_of(user)? == Side::Customs {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Only officers and customs managers send notices.",
        ))
    }
}

async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    require_sender(&user)?;
    let values = FormValues {
        found_on: crate::models::now().date().format("%Y-%m-%d").to_string(),
        ..FormValues::default()
    };
    let page = new_page(&req, &state, &user, query.product, values, None).await?;
    render(&page)
}

/// The form, empty or filled in again with what was refused and why.
async fn new_page(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    product_id: Option<i64>,
    values: FormValues,
    error: Option<String>,
) -> Result<NewPage, AppError> {
    let reader = user.clone();
    let (product, right_holders) = db::run(&state.pool, move |conn| {
        let product = match product_id {
            Some(id) => {
                let p = products::load(conn, id)?;
                products::visibility(conn, &reader, &p)?;
                Some(KnownProduct {
                    id,
                    brand: p.brand.clone(),
                    name: p.row.name.clone(),
                    right_holder: p.org.name.clone(),
                })
            }
            None => None,
        };
        let mut holders =
            organisation::list(conn, Some(OrgStatus::Verified), Some(OrgKind::RightHolder))?;
        holders.sort_by_key(|o| o.name.to_lowercase());
        Ok((product, holders))
    })
    .await?;
    Ok(NewPage {
        ctx: PageContext::new(req, Some(user)),
        product,
        right_holders,
        transport_modes: TRANSPORT_MODES,
        values,
        error,
        days: state.config.notice_response_days,
        perishable_hours: state.config.notice_perishable_hours,
        max_photos: MAX_PHOTOS,
    })
}

fn optional_id(form: &MultipartBody, name: &str, what: &str) -> Result<Option<i64>, AppError> {
    let text = form.text(name);
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim().parse().map(Some).map_err(|_| {
        AppError::bad_request("invalid_field", format!("{what} is not one from the list."))
    })
}

/// The officer's form, read into what the service checks.
fn input_from(form: &MultipartBody) -> Result<NoticeInput, AppError> {
    let found_on = chrono::NaiveDate::parse_from_str(form.text("found_on").trim(), "%Y-%m-%d")
        .map_err(|_| {
            AppError::bad_request(
                "invalid_date",
                "Give the date the goods were found, as YYYY-MM-DD.",
            )
        })?;
    let quantity = form.text("quantity").trim().parse().map_err(|_| {
        AppError::bad_request(
            "invalid_quantity",
            "The quantity is a whole number of items, at least 1.",
        )
    })?;
    Ok(NoticeInput {
        product_id: optional_id(form, "product_id", "The product")?,
        right_holder_id: optional_id(form, "right_holder_id", "The right holder")?,
        brand: form.text("brand").to_string(),
        product_description: form.text("product_description").to_string(),
        office: form.text("office").to_string(),
        found_on,
        quantity,
        transport_mode: form.text("transport_mode").to_string(),
        origin_country: form.text("origin_country").to_string(),
        codes_seen: form.text("codes_seen").to_string(),
        description: form.text("description").to_string(),
        perishable: form.flag("perishable"),
    })
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    require_sender(&user)?;
    let (form, photos) =
        uploads::read_with_photos(payload, state.image_limits().max_bytes, MAX_PHOTOS).await?;
    csrf::verify(&req, &user, form.text("csrf_token"))?;
    let product_id = optional_id(&form, "product_id", "The product")?;
    let values = FormValues::of(&form);
    let sent = match input_from(&form) {
        Ok(input) => notices::create(&state, &user, input, photos, site(&req, &state)).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(notice) => Ok(redirect(&format!(
            "/notices/{}?notice=notice_sent",
            notice.id
        ))),
        // The officer's mistake: the form again, as they filled it in, with the reason.
        Err(e @ (AppError::BadRequest { .. } | AppError::TooLarge(_))) => {
            let message = e.public_message();
            let page = new_page(&req, &state, &user, product_id, values, Some(message)).await?;
            Ok(HttpResponse::build(e.status_code())
                .content_type("text/html; charset=utf-8")
                .body(page.render()?))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "notices/show.html")]
struct ShowPage {
    ctx: PageContext,
    n: NoticeView,
    customs: bool,
    verdicts: &'static [(&'static str, &'static str)],
    outcomes: &'static [(&'static str, &'static str)],
    max_photos: usize,
}

impl ShowPage {
    fn outcome_is(&self, value: &str) -> bool {
        self.n.outcome.as_deref() == Some(value)
    }

    fn verdict_is(&self, value: &str) -> bool {
        self.n.verdict.as_deref() == Some(value)
    }
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let side = notices::side_of(&user)?;
    let n = view_for(&state, &user, id, "").await?;
    let reader = user.user.id;
    db::run(&state.pool, move |conn| {
        Ok(notification::mark_notice_read(conn, reader, id)?)
    })
    .await?;
    render(&ShowPage {
        ctx: PageContext::new(&req, Some(&user)),
        n,
        customs: side == Side::Customs,
        verdicts: VERDICTS,
        outcomes: OUTCOMES,
        max_photos: MAX_PHOTOS,
    })
}

async fn post_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let reader = user.clone();
    db::run(&state.pool, move |conn| {
        notices::load_for(conn, &reader, id).map(|_| ())
    })
    .await?;
    let (form, photos) =
        uploads::read_with_photos(payload, state.image_limits().max_bytes, MAX_PHOTOS).await?;
    csrf::verify(&req, &user, form.text("csrf_token"))?;
    notices::reply(
        &state,
        &user,
        id,
        form.text("body"),
        photos,
        site(&req, &state),
    )
    .await?;
    Ok(redirect(&format!(
        "/notices/{id}?notice=message_sent#thread"
    )))
}

#[derive(Deserialize)]
struct VerdictForm {
    #[serde(default)]
    verdict: String,
}

async fn set_verdict(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<VerdictForm>,
) -> Result<HttpResponse, AppError> {
    decide(
        &req,
        &state,
        &user,
        path.into_inner(),
        Decision::Verdict(form.verdict),
        "verdict_saved",
    )
    .await
}

#[derive(Deserialize)]
struct OutcomeForm {
    #[serde(default)]
    outcome: String,
}

async fn set_outcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<OutcomeForm>,
) -> Result<HttpResponse, AppError> {
    decide(
        &req,
        &state,
        &user,
        path.into_inner(),
        Decision::Outcome(form.outcome),
        "outcome_saved",
    )
    .await
}

async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    decide(
        &req,
        &state,
        &user,
        path.into_inner(),
        Decision::Close,
        "notice_closed",
    )
    .await
}

async fn decide(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    decision: Decision,
    done: &str,
) -> Result<HttpResponse, AppError> {
    notices::decide(state, user, id, decision, site(req, state)).await?;
    Ok(redirect(&format!("/notices/{id}?notice={done}")))
}

async fn attachment(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    serve_attachment(&state, user, path.into_inner()).await
}

#[derive(Template)]
#[template(path = "notices/notifications.html")]
struct NotificationsPage {
    ctx: PageContext,
    items: Vec<NotificationRow>,
}

/// The newest notifications shown.
const NOTIFICATIONS_SHOWN: i64 = 200;

async fn notifications_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let reader = user.user.id;
    let items = db::run(&state.pool, move |conn| {
        Ok(notification::of_user(conn, reader, NOTIFICATIONS_SHOWN)?)
    })
    .await?;
    render(&NotificationsPage {
        ctx: PageContext::new(&req, Some(&user)),
        items,
    })
}

async fn read_one(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (reader, id) = (user.user.id, path.into_inner());
    let found = db::run(&state.pool, move |conn| {
        Ok(notification::mark_read(conn, reader, id)?)
    })
    .await?;
    if !found {
        return Err(AppError::not_found("That notification"));
    }
    Ok(redirect("/notifications"))
}

async fn read_all(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let reader = user.user.id;
    db::run(&state.pool, move |conn| {
        Ok(notification::mark_all_read(conn, reader)?)
    })
    .await?;
    Ok(redirect("/notifications?notice=notifications_read"))
}
