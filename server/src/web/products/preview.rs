//! The right holder's preview: the authentication guide exactly as an officer will read
//! it, either as an administration on the share list or as any other.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::guide::{self, GuideView};
use super::{edit_language, image_path, own_product};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::products::Visibility;
use crate::web::{render, PageContext};

/// What the preview banner says.
pub struct PreviewInfo {
    pub product_id: i64,
    pub shared: bool,
    pub published: bool,
    pub lang: String,
}

#[derive(Template)]
#[template(path = "products/guide.html")]
pub struct GuidePage {
    pub ctx: PageContext,
    pub guide: GuideView,
    pub preview: Option<PreviewInfo>,
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    #[serde(rename = "as")]
    viewer: Option<String>,
    lang: Option<String>,
}

pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<PreviewQuery>,
) -> Result<HttpResponse, AppError> {
    let product = own_product(&state, &user, path.into_inner()).await?;
    let shared = query.viewer.as_deref() == Some("shared");
    let lang = edit_language(query.lang.as_deref());
    let visibility = if shared {
        Visibility::Shared
    } else {
        Visibility::OpenOnly
    };
    let id = product.row.id;
    let mut guide = guide::build(&product, visibility, &lang, &|image, size| {
        image_path(id, image, size)
    });
    let reader = user.clone();
    guide.alerts = db::run(&state.pool, move |conn| {
        crate::alerts::view::for_guide(conn, &reader, id, false)
    })
    .await?;
    render(&GuidePage {
        ctx: PageContext::new(&req, Some(&user)),
        guide,
        preview: Some(PreviewInfo {
            product_id: id,
            shared,
            published: product.is_searchable(),
            lang,
        }),
    })
}
