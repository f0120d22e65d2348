//! The views of a photo that [`crate::decode`] tries: shrunk to a working size, enlarged
//! twice, turned by a few degrees.
//!
//! The turn is written here rather than taken from `imageproc`: that crate's only use
//! would be this one function, and it brings `nalgebra` and a font rasteriser with it.

use std::borrow::Cow;

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};

/// `img` shrunk to fit `max_side` on its long side (aspect ratio kept), or `img` itself
/// when it already fits.
pub fn fit_within(img: &GrayImage, max_side: u32) -> Cow<'_, GrayImage> {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= max_side {
        return Cow::Borrowed(img);
    }
    let scale = |side: u32| {
        let scaled = u64::from(side) * u64::from(max_side) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_side).clamp(1, max_side)
    };
    Cow::Owned(imageops::resize(
        img,
        scale(w),
        scale(h),
        FilterType::Triangle,
    ))
}

/// `img` at twice its width and height, bilinear.
pub fn upscale2(img: &GrayImage) -> GrayImage {
    imageops::resize(
        img,
        img.width().saturating_mul(2),
        img.height().saturating_mul(2),
        FilterType::Triangle,
    )
}

/// `img` turned `degrees` counter-clockwise about its centre, on a canvas large enough
/// to hold all of it; the corners the turn uncovers are white. Bilinear sampling.
pub fn rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let out_w = (w * cos.abs() + h * sin.abs()).ceil().max(1.0) as u32;
    let out_h = (w * sin.abs() + h * cos.abs()).ceil().max(1.0) as u32;
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (ox, oy) = (out_w as f32 / 2.0, out_h as f32 / 2.0);
    GrayImage::from_fn(out_w, out_h, |x, y| {
        // The inverse turn takes each output pixel centre back into the source.
        let dx = x as f32 + 0.5 - ox;
        let dy = y as f32 + 0.5 - oy;
        let sx = cos * dx - sin * dy + cx - 0.5;
        let sy = sin * dx + cos * dy + cy - 0.5;
        Luma([bilinear(img, sx, sy)])
    })
}

/// The grey at (x, y) between pixel centres; white outside the image.
fn bilinear(img: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = (img.width() as f32, img.height() as f32);
    if x < -0.5 || y < -0.5 || x > w - 0.5 || y > h - 0.5 {
        return u8::MAX;
    }
    let x = x.clamp(0.0, w - 1.0);
    let y = y.clamp(0.0, h - 1.0);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let x1 = (x0 + 1).min(img.width() - 1);
    let y1 = (y0 + 1).min(img.height() - 1);
    let at = |px: u32, py: u32| f32::from(img.get_pixel(px, py)[0]);
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}
