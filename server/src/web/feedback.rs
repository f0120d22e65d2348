//! The right holder's feedback page: look-ups of its products by week and country, and
//! the notices it received with the median time to answer.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{render, PageContext};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::feedback::{self, FeedbackQuery, FeedbackReport, NoticeStats};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/feedback", web::get().to(page));
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    ctx: PageContext,
    weeks: u32,
    periods: &'static [u32],
    report: FeedbackReport,
    /// The busiest week's look-ups, to scale the bars.
    peak: i64,
}

impl FeedbackPage {
    /// A bar's width in percent of the busiest week.
    fn bar(&self, lookups: &i64) -> i64 {
        if self.peak == 0 {
            0
        } else {
            (lookups * 100 / self.peak).max(i64::from(*lookups > 0))
        }
    }

    /// A median response time people read at a glance.
    fn response_time(&self, stats: &NoticeStats) -> String {
        match stats.median_response_hours {
            None => "none answered".into(),
            Some(h) if h < 1.0 => format!("{} min", (h * 60.0).round()),
            Some(h) if h < 48.0 => format!("{h:.1} h"),
            Some(h) => format!("{:.1} days", h / 24.0),
        }
    }
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, AppError> {
    feedback::require_right_holder(&user)?;
    let weeks = feedback::weeks_of(&query)?;
    let reader = user.clone();
    let report = db::run(&state.pool, move |conn| {
        feedback::report(conn, &reader, weeks)
    })
    .await?;
    let peak = report.weekly_lookups.iter().copied().max().unwrap_or(0);
    render(&FeedbackPage {
        ctx: PageContext::new(&req, Some(&user)),
        weeks,
        periods: &[4, 12, 26, 52],
        report,
        peak,
    })
}
