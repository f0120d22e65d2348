//! Feedback for right holders over the API: look-ups of their products by country and
//! week, notices received and how fast they were answered.

use actix_web::{get, web, HttpResponse};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::feedback::{self, FeedbackQuery, FeedbackReport};

/// The caller's organisation's report over the last `weeks` weeks (this one included).
/// The look-up log names customs administrations and their countries, never officers.
#[utoipa::path(tag = "feedback", security(("bearer" = [])), params(FeedbackQuery),
    responses((status = 200, body = FeedbackReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/feedback")]
pub async fn report(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, AppError> {
    feedback::require_right_holder(&user)?;
    let weeks = feedback::weeks_of(&query)?;
    let report = db::run(&state.pool, move |conn| {
        feedback::report(conn, &user, weeks)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
