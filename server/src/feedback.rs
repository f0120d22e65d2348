//! What a right holder learns about the use of its data: how often officers opened each
//! product's guide, from which countries, week by week; how many notices came in and how
//! fast they were answered. The look-up log names administrations, never officers.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::notice::{self, NoticeRow};
use crate::models::{lookup, now, OrgKind};

/// Weeks shown unless asked otherwise, and the most that can be asked for.
pub const DEFAULT_WEEKS: u32 = 12;
pub const MAX_WEEKS: u32 = 104;
/// Products listed in a report, most looked up first.
const LISTED_PRODUCTS: usize = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FeedbackQuery {
    /// How many weeks back, this week included (1 to 104; 12 by default).
    pub weeks: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackReport {
    /// The Monday of each week reported, oldest first.
    pub weeks: Vec<chrono::NaiveDate>,
    pub total_lookups: i64,
    /// Look-ups of all products per week, in the order of `weeks`.
    pub weekly_lookups: Vec<i64>,
    /// Look-ups per country of the administrations, most first.
    pub countries: Vec<CountryCount>,
    /// Look-ups per customs administration, most first.
    pub administrations: Vec<AdministrationCount>,
    /// Notices received in the period, all products together.
    pub notices: NoticeStats,
    /// Products looked up or named in a notice in the period, most looked up first.
    pub products: Vec<ProductFeedback>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountryCount {
    pub country: String,
    pub lookups: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdministrationCount {
    pub administration: String,
    pub country: String,
    pub lookups: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct NoticeStats {
    pub received: i64,
    /// Answered (a verdict or a message from the right holder), closed or not.
    pub answered: i64,
    /// Still waiting for the right holder.
    pub waiting: i64,
    /// Waiting past their deadline.
    pub overdue: i64,
    /// Median time from notice to first answer, in hours, over answered notices.
    pub median_response_hours: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductFeedback {
    pub product_id: i64,
    pub brand: String,
    pub name: String,
    pub lookups: i64,
    /// Look-ups per week, in the order of the report's `weeks`.
    pub weekly_lookups: Vec<i64>,
    pub countries: Vec<CountryCount>,
    pub notices: NoticeStats,
}

/// Right holders' members read their own organisation's feedback.
pub fn require_right_holder(user: &CurrentUser) -> Result<(), AppError> {
    if user.org_kind() == OrgKind::RightHolder {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Feedback on look-ups and notices is for right holders.",
        ))
    }
}

/// The number of weeks asked for, checked.
pub fn weeks_of(query: &FeedbackQuery) -> Result<u32, AppError> {
    match query.weeks {
        None => Ok(DEFAULT_WEEKS),
        Some(w) if (1..=MAX_WEEKS).contains(&w) => Ok(w),
        Some(_) => Err(AppError::bad_request(
            "invalid_weeks",
            format!("The period is 1 to {MAX_WEEKS} weeks."),
        )),
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn notice_stats<'a>(notices: impl Iterator<Item = &'a NoticeRow>) -> NoticeStats {
    let mut stats = NoticeStats::default();
    let mut hours = Vec::new();
    for n in notices {
        stats.received += 1;
        match n.answered_at {
            Some(at) => {
                stats.answered += 1;
                hours.push((at - n.created_at).num_seconds() as f64 / 3600.0);
            }
            None if n.status == "open" => {
                stats.waiting += 1;
                if n.is_overdue() {
                    stats.overdue += 1;
                }
            }
            None => {}
        }
    }
    stats.median_response_hours = median(hours);
    stats
}

fn ranked(counts: HashMap<String, i64>) -> Vec<CountryCount> {
    let mut list: Vec<CountryCount> = counts
        .into_iter()
        .map(|(country, lookups)| CountryCount { country, lookups })
        .collect();
    list.sort_by(|a, b| b.lookups.cmp(&a.lookups).then(a.country.cmp(&b.country)));
    list
}

/// The report for the user's organisation over the last `weeks` weeks, this one included.
pub fn report(
    conn: &mut DbConnection,
    user: &CurrentUser,
    weeks: u32,
) -> Result<FeedbackReport, AppError> {
    require_right_holder(user)?;
    let this_week = lookup::week_of(now().date());
    let week_list: Vec<chrono::NaiveDate> = (0..i64::from(weeks))
        .rev()
        .map(|back| this_week - chrono::Duration::weeks(back))
        .collect();
    let from = week_list[0];
    let index: HashMap<chrono::NaiveDate, usize> =
        week_list.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let lines = lookup::of_right_holder(conn, user.org.id, from)?;
    let notices = notice::of_right_holder_since(
        conn,
        user.org.id,
        from.and_hms_opt(0, 0, 0).unwrap_or_default(),
    )?;

    let mut weekly = vec![0i64; week_list.len()];
    let mut countries: HashMap<String, i64> = HashMap::new();
    let mut administrations: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut per_product: HashMap<i64, (Vec<i64>, HashMap<String, i64>)> = HashMap::new();
    for line in &lines {
        let n = i64::from(line.lookups);
        let Some(&week) = index.get(&line.week_start) else {
            continue;
        };
        weekly[week] += n;
        *countries.entry(line.country.clone()).or_default() += n;
        *administrations
            .entry((line.administration.clone(), line.country.clone()))
            .or_default() += n;
        let (product_weeks, product_countries) = per_product
            .entry(line.product_id)
            .or_insert_with(|| (vec![0; week_list.len()], HashMap::new()));
        product_weeks[week] += n;
        *product_countries.entry(line.country.clone()).or_default() += n;
    }
    for id in notices.iter().filter_map(|n| n.product_id) {
        per_product
            .entry(id)
            .or_insert_with(|| (vec![0; week_list.len()], HashMap::new()));
    }
    let ids: Vec<i64> = per_product.keys().copied().collect();
    let names: HashMap<i64, (String, String)> = lookup::product_names(conn, user.org.id, &ids)?
        .into_iter()
        .map(|(id, brand, name)| (id, (brand, name)))
        .collect();
    let mut products: Vec<ProductFeedback> = per_product
        .into_iter()
        .filter_map(|(id, (weekly_lookups, countries))| {
            let (brand, name) = names.get(&id)?.clone();
            Some(ProductFeedback {
                product_id: id,
                brand,
                name,
                lookups: weekly_lookups.iter().sum(),
                weekly_lookups,
                countries: ranked(countries),
                notices: notice_stats(notices.iter().filter(|n| n.product_id == Some(id))),
            })
        })
        .collect();
    products.sort_by(|a, b| {
        (b.lookups, b.notices.received)
            .cmp(&(a.lookups, a.notices.received))
            .then(a.name.cmp(&b.name))
    });
    products.truncate(LISTED_PRODUCTS);
    let mut administrations: Vec<AdministrationCount> = administrations
        .into_iter()
        .map(|((administration, country), lookups)| AdministrationCount {
            administration,
            country,
            lookups,
        })
        .collect();
    administrations.sort_by_key(|a| std::cmp::Reverse(a.lookups));
    Ok(FeedbackReport {
        weeks: week_list,
        total_lookups: weekly.iter().sum(),
        weekly_lookups: weekly,
        countries: ranked(countries),
        administrations,
        notices: notice_stats(notices.iter()),
        products,
    })
}

/// Counts an officer's look-up of a product (opening its guide). A failure is logged,
/// never shown: the officer came for the guide, not for our statistics.
pub fn count_lookup(conn: &mut DbConnection, user: &CurrentUser, product_id: i64) {
    if user.org_kind() != OrgKind::Customs {
        return;
    }
    let week = lookup::week_of(now().date());
    if let Err(e) = lookup::count(conn, product_id, user.org.id, week) {
        tracing::warn!(error = %e, product_id, "could not count a look-up");
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
