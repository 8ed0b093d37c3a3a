//! The site's app icons, drawn at build time from the theme's accent colour:
//! the favicon's mark (an "L" in white on the accent), as SVG and as PNG.

use std::io::Write;

/// The mark on a 16-unit grid: a stroke from (4, 4) down to (4, 12), then
/// right to (12, 12), 2 units wide.
pub fn svg(color: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="{color}"/><path d="M4 4v8h8" stroke="#fff" stroke-width="2" fill="none"/></svg>"##
    )
}

/// The mark as a `size`×`size` RGB PNG (full bleed, so platforms may round
/// or crop its corners).
pub fn png(size: u32, color: &str) -> Vec<u8> {
    let accent = rgb(color);
    let unit = size as f64 / 16.0;
    let inside = |v: f64, from: f64, to: f64| v >= from * unit && v < to * unit;
    let mut raw = Vec::with_capacity((size * (size * 3 + 1)) as usize);
    for y in 0..size {
        raw.push(0); // no filter
        for x in 0..size {
            let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
            let mark = (inside(fx, 3.0, 5.0) && inside(fy, 3.0, 13.0)) || (inside(fx, 3.0, 13.0) && inside(fy, 11.0, 13.0));
            raw.extend_from_slice(if mark { &[255, 255, 255] } else { &accent });
        }
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&raw).expect("writing to memory");
    let data = encoder.finish().expect("writing to memory");

    let mut header = Vec::new();
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [(b"IHDR", &header[..]), (b"IDAT", &data[..]), (b"IEND", &[][..])] {
        png.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        png.extend_from_slice(kind);
        png.extend_from_slice(body);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    png
}

/// `#rrggbb` → its bytes (black for anything else: the colour is ours).
fn rgb(color: &str) -> [u8; 3] {
    let hex = color.trim_start_matches('#');
    let byte = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0);
    [byte(0), byte(2), byte(4)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_png_icon_is_a_valid_image_of_its_size() {
        let png = super::png(192, "#4f46e5");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 192);
        assert!(png.len() < 4_000, "a two-colour icon stays small: {} bytes", png.len());
    }
}
