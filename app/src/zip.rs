//! Skill collections as `.zip` files: a small reader and writer.
//!
//! Users import and export skills as zips in the Agent Skills layout
//! (`<skill>/SKILL.md`, `<skill>/scripts/…`), in the browser and with
//! `llmos build --skills skills.zip`. The reader is generic: it returns every
//! file with its path, and the caller applies the layout rule
//! ([`crate::layout::skill_folders`]) to the paths.
//!
//! **Reading.** The archive is found through its end record and central
//! directory, as the format intends (local headers only locate the data).
//! Entries may be stored (method 0) or Deflate (8), with or without a data
//! descriptor; sizes and CRC-32 are checked. Not read, each with an error that
//! says so: Zip64, archives split over several files, other methods,
//! encryption, symbolic links.
//!
//! **Names.** UTF-8 when the entry says so (flag bit 11). Otherwise a name
//! that is valid UTF-8 is read as UTF-8 (macOS's Archive Utility writes UTF-8
//! without the flag; ASCII names are both), and any other name is decoded from
//! CP437, the code page the format prescribes, so old Windows zips keep their
//! accented names. Backslashes are read as separators (older Windows tools
//! write them), and returned paths always use `/`.
//!
//! **Safety.** A zip comes from anyone. Every path must be relative and stay
//! inside the folder it is unpacked into: no leading `/`, no drive letter, no
//! `..`, `.` or empty components, no control characters; duplicates are
//! refused. Sizes are capped per file and in total ([`ZipLimits`]), and
//! inflating never produces more than the size an entry declares, so a zip
//! bomb stops at the cap however its headers lie.
//!
//! **Writing.** [`write_zip`] makes the same bytes from the same input: stored
//! entries (skills are small text, and the browser bundle then needs no
//! deflater), UTF-8 names, the fixed time 1980-01-01 00:00.

use crate::Diagnostic;
use std::collections::HashSet;
use std::fmt;

/// The largest file `read_zip` unpacks: skills are text and small assets.
pub const MAX_ENTRY_BYTES: usize = 64 << 20;
/// The most `read_zip` unpacks from one archive.
pub const MAX_TOTAL_BYTES: usize = 256 << 20;

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const END_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const END_LEN: usize = 22;

const FLAG_ENCRYPTED: u16 = 1;
const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
const FLAG_UTF8: u16 = 1 << 11;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const METHOD_AES: u16 = 99;

/// Version 2.0 of the format: what stored entries with UTF-8 names need in practice.
const VERSION_NEEDED: u16 = 20;
/// Made on Unix (host 3), so `unzip` applies the mode in the external attributes.
const VERSION_MADE_BY: u16 = 3 << 8 | VERSION_NEEDED;
const HOST_UNIX: u8 = 3;
const HOST_MACOS: u8 = 19;
/// 1980-01-01 00:00, the earliest DOS date (day 1, month 1, year 0 = 1980).
const DOS_DATE: u16 = 1 << 5 | 1;
const DOS_TIME: u16 = 0;
/// A regular file, `rw-r--r--`, for every entry, scripts included.
const FILE_MODE: u32 = 0o100_644;
const MODE_TYPE_MASK: u32 = 0o170_000;
const MODE_SYMLINK: u32 = 0o120_000;

const RECREATE: &str = "re-create the zip from the skill folders";
const DAMAGED: &str = "the zip is damaged or incomplete; download or export it again";

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// Relative, `/`-separated, checked to stay inside the archive's folder.
    pub path: String,
    pub data: Vec<u8>,
}

/// How much `read_zip_with_limits` unpacks before it gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    pub max_entry_bytes: usize,
    pub max_total_bytes: usize,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits { max_entry_bytes: MAX_ENTRY_BYTES, max_total_bytes: MAX_TOTAL_BYTES }
    }
}

/// Why an archive cannot be read, phrased for the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipError {
    /// The entry as named in the zip; `None` when the archive as a whole is at fault.
    pub entry: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl ZipError {
    fn archive(message: impl Into<String>, help: &str) -> Self {
        ZipError { entry: None, message: message.into(), help: help.to_string() }
    }

    fn entry(name: &str, message: impl Into<String>, help: &str) -> Self {
        ZipError { entry: Some(name.to_string()), message: message.into(), help: help.to_string() }
    }

    /// The error as a diagnostic about `file`, the zip as the user named it.
    pub fn to_diagnostic(&self, file: &str) -> Diagnostic {
        let message = match &self.entry {
            Some(entry) => format!("`{entry}`: {}", self.message),
            None => self.message.clone(),
        };
        Diagnostic::error(file, 0, 0, message).with_help(self.help.clone())
    }
}

impl fmt::Display for ZipError {
    /// `` `foo/../x`: paths may not contain `..`; re-create the zip from the skill folders ``
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(entry) = &self.entry {
            write!(f, "`{entry}`: ")?;
        }
        write!(f, "{}; {}", self.message, self.help)
    }
}

impl std::error::Error for ZipError {}

/// Every file of a zip, in central directory order, within the default
/// limits ([`MAX_ENTRY_BYTES`], [`MAX_TOTAL_BYTES`]). Folder entries are
/// skipped (after their paths are checked like the others).
pub fn read_zip(bytes: &[u8]) -> Result<Vec<ZipEntry>, ZipError> {
    read_zip_with_limits(bytes, ZipLimits::default())
}

/// [`read_zip`] with other limits, e.g. tighter ones for an upload form.
pub fn read_zip_with_limits(bytes: &[u8], limits: ZipLimits) -> Result<Vec<ZipEntry>, ZipError> {
    let end = find_end(bytes)?;
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    let mut total = 0usize;
    let mut at = end.directory_start;
    for _ in 0..end.count {
        let header = central_header(bytes, at, end.directory_end)
            .ok_or_else(|| ZipError::archive("the zip's table of contents (its central directory) is cut short or garbled", DAMAGED))?;
        at = header.next;
        let name = decode_name(header.name, header.flags)?;
        let Some(path) = check_path(&name)? else { continue };
        if !seen.insert(path.clone()) {
            return Err(ZipError::entry(&name, "this path appears more than once in the zip", "keep one file per path and re-create the zip"));
        }
        if header.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 || header.method == METHOD_AES {
            return Err(ZipError::entry(&name, "the file is encrypted (password-protected), and LLMos cannot read encrypted files", "create the zip without a password"));
        }
        let host = (header.made_by >> 8) as u8;
        if (host == HOST_UNIX || host == HOST_MACOS) && (header.external >> 16) & MODE_TYPE_MASK == MODE_SYMLINK {
            return Err(ZipError::entry(&name, "the file is a symbolic link, and LLMos reads only files and folders", "replace the link with the file it points to, then re-create the zip"));
        }
        if header.method != METHOD_STORED && header.method != METHOD_DEFLATE {
            return Err(ZipError::entry(
                &name,
                format!("the file is compressed with {}, which LLMos does not read", method_name(header.method)),
                "re-create the zip with Deflate compression, the default of zip tools",
            ));
        }
        if [header.compressed, header.size, header.local].contains(&(u32::MAX as usize)) {
            return Err(zip64_error());
        }
        if header.size > limits.max_entry_bytes {
            return Err(ZipError::entry(
                &name,
                format!("the file unpacks to {} bytes, over the limit of {} for one file", header.size, amount(limits.max_entry_bytes)),
                "leave large files out of the zip; skills hold text and small assets",
            ));
        }
        total = total.saturating_add(header.size);
        if total > limits.max_total_bytes {
            return Err(ZipError::entry(
                &name,
                format!("with this file the zip unpacks to more than {}, the limit that guards against zip bombs", amount(limits.max_total_bytes)),
                "split the skills over several smaller zips, or leave large files out",
            ));
        }
        let compressed = local_data(bytes, &header, end.directory_start).ok_or_else(|| ZipError::entry(&name, "the file's data is missing or does not match the table of contents", DAMAGED))?;
        let data = match header.method {
            METHOD_STORED if compressed.len() == header.size => compressed.to_vec(),
            METHOD_STORED => {
                return Err(ZipError::entry(&name, format!("the zip gives the file two sizes ({} and {} bytes)", compressed.len(), header.size), DAMAGED));
            }
            _ => inflate(&name, compressed, header.size)?,
        };
        if crc32(&data) != header.crc {
            return Err(ZipError::entry(&name, "the file's contents do not match its checksum (CRC-32)", DAMAGED));
        }
        entries.push(ZipEntry { path, data });
    }
    Ok(entries)
}

/// A zip of `entries` (path, contents) in the given order; see the module
/// documentation for its fixed choices. Paths are written as given and should
/// be relative and `/`-separated, each once: `read_zip` refuses others.
///
/// Every file gets mode 0644, scripts included: the input carries no modes,
/// guessing from a path or a `#!` line would mark files executable that no one
/// asked for, an import from a stranger should not produce executables, and
/// Agent Skills run scripts through an interpreter (`python scripts/x.py`).
///
/// # Panics
///
/// On what only Zip64 can hold: a file of 4 GiB or more, an archive of
/// 4 GiB or more, or over 65,535 entries; or on a path over 65,535 bytes.
pub fn write_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (path, data) in entries {
        let offset = u32::try_from(out.len()).expect("zip archives over 4 GiB need Zip64");
        let size = u32::try_from(data.len()).expect("files of 4 GiB or more need Zip64");
        let name_len = u16::try_from(path.len()).expect("zip entry names are at most 65,535 bytes");
        let crc = crc32(data);
        // The fields local header and central directory share, from "version needed" on.
        let common = |buf: &mut Vec<u8>| {
            for field in [VERSION_NEEDED, FLAG_UTF8, METHOD_STORED, DOS_TIME, DOS_DATE] {
                put_u16(buf, field);
            }
            for field in [crc, size, size] {
                put_u32(buf, field);
            }
            put_u16(buf, name_len);
            put_u16(buf, 0); // extra field length
        };
        put_u32(&mut out, LOCAL_SIGNATURE);
        common(&mut out);
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(data);

        put_u32(&mut directory, CENTRAL_SIGNATURE);
        put_u16(&mut directory, VERSION_MADE_BY);
        common(&mut directory);
        for field in [0, 0, 0] {
            put_u16(&mut directory, field); // comment length, disk, internal attributes
        }
        put_u32(&mut directory, FILE_MODE << 16);
        put_u32(&mut directory, offset);
        directory.extend_from_slice(path.as_bytes());
    }
    let count = u16::try_from(entries.len()).ok().filter(|&c| c != u16::MAX).expect("zips of 65,535 entries or more need Zip64");
    let directory_start = u32::try_from(out.len()).expect("zip archives over 4 GiB need Zip64");
    let directory_len = u32::try_from(directory.len()).expect("zip archives over 4 GiB need Zip64");
    out.extend_from_slice(&directory);
    put_u32(&mut out, END_SIGNATURE);
    for field in [0, 0, count, count] {
        put_u16(&mut out, field); // this disk, the directory's disk, entries here, entries in all
    }
    put_u32(&mut out, directory_len);
    put_u32(&mut out, directory_start);
    put_u16(&mut out, 0); // comment length
    out
}

/// The CRC-32 of ZIP, gzip and PNG (IEEE polynomial, reflected).
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| CRC_TABLE[usize::from(crc as u8 ^ b)] ^ (crc >> 8))
}

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// Where the central directory lies and how many entries it holds.
struct End {
    count: usize,
    directory_start: usize,
    directory_end: usize,
}

fn find_end(bytes: &[u8]) -> Result<End, ZipError> {
    let not_a_zip = || ZipError::archive("this is not a zip file, or it is incomplete: the end-of-archive record is missing", "check that the file is a .zip; if it is, download or export it again");
    let last = bytes.len().checked_sub(END_LEN).ok_or_else(not_a_zip)?;
    // The end record closes the file, followed only by a comment of at most
    // 65,535 bytes whose length it gives, so a signature inside a comment is
    // not taken for it.
    let at = (last.saturating_sub(usize::from(u16::MAX))..=last)
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(END_SIGNATURE) && u16_at(bytes, at + 20).is_some_and(|comment| at + END_LEN + usize::from(comment) == bytes.len()))
        .ok_or_else(not_a_zip)?;
    let field16 = |offset| u16_at(bytes, at + offset).unwrap_or_default();
    let field32 = |offset| u32_at(bytes, at + offset).unwrap_or_default();
    let (disk, directory_disk, count_here, count) = (field16(4), field16(6), field16(8), field16(10));
    let (directory_len, directory_start) = (field32(12), field32(16));
    let zip64_locator = at.checked_sub(20).is_some_and(|locator| u32_at(bytes, locator) == Some(ZIP64_LOCATOR_SIGNATURE));
    if zip64_locator || count == u16::MAX || directory_len == u32::MAX || directory_start == u32::MAX {
        return Err(zip64_error());
    }
    if disk != 0 || directory_disk != 0 || count_here != count {
        return Err(ZipError::archive("this zip is split over several files (a spanned archive)", "create the zip as a single file"));
    }
    let directory_start = directory_start as usize;
    let directory_end = directory_start.checked_add(directory_len as usize).filter(|&end| end <= at);
    let Some(directory_end) = directory_end else {
        return Err(ZipError::archive("the zip's table of contents (its central directory) lies outside the file", DAMAGED));
    };
    Ok(End { count: usize::from(count), directory_start, directory_end })
}

fn zip64_error() -> ZipError {
    ZipError::archive(
        "this zip uses Zip64, the extension for archives over 4 GiB, which LLMos does not read",
        "zip the skill folders again with a standard zip tool; skill zips are far below 4 GiB",
    )
}

/// One entry of the central directory.
struct Central<'a> {
    made_by: u16,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: usize,
    size: usize,
    external: u32,
    local: usize,
    name: &'a [u8],
    /// Where the next entry starts.
    next: usize,
}

fn central_header(bytes: &[u8], at: usize, end: usize) -> Option<Central<'_>> {
    let bytes = bytes.get(..end)?;
    if u32_at(bytes, at)? != CENTRAL_SIGNATURE {
        return None;
    }
    let field16 = |offset| u16_at(bytes, at + offset);
    let field32 = |offset| u32_at(bytes, at + offset);
    let name_start = at + CENTRAL_LEN;
    let name_end = name_start + usize::from(field16(28)?);
    let next = name_end + usize::from(field16(30)?) + usize::from(field16(32)?);
    if next > bytes.len() {
        return None;
    }
    Some(Central {
        made_by: field16(4)?,
        flags: field16(8)?,
        method: field16(10)?,
        crc: field32(16)?,
        compressed: field32(20)? as usize,
        size: field32(24)? as usize,
        external: field32(38)?,
        local: field32(42)? as usize,
        name: bytes.get(name_start..name_end)?,
        next,
    })
}

/// The entry's stored bytes, found through its local header, which must name
/// the same file and end before the central directory. The sizes come from
/// the central directory: with a data descriptor (flag bit 3) the local
/// header has zeros.
fn local_data<'a>(bytes: &'a [u8], header: &Central, directory_start: usize) -> Option<&'a [u8]> {
    let bytes = bytes.get(..directory_start)?;
    let at = header.local;
    if u32_at(bytes, at)? != LOCAL_SIGNATURE {
        return None;
    }
    let name_start = at + LOCAL_LEN;
    let name_end = name_start + usize::from(u16_at(bytes, at + 26)?);
    if bytes.get(name_start..name_end)? != header.name {
        return None;
    }
    let data_start = name_end + usize::from(u16_at(bytes, at + 28)?);
    bytes.get(data_start..data_start.checked_add(header.compressed)?)
}

/// Inflates at most one byte more than the declared size: enough to tell that
/// the entry lies about its size, never enough to exhaust memory.
fn inflate(name: &str, compressed: &[u8], size: usize) -> Result<Vec<u8>, ZipError> {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
    match decompress_to_vec_with_limit(compressed, size + 1) {
        Ok(data) if data.len() == size => Ok(data),
        Ok(data) if data.len() < size => Err(ZipError::entry(name, format!("the file unpacks to {} bytes, not the {size} the zip declares", data.len()), DAMAGED)),
        Err(error) if error.status != TINFLStatus::HasMoreOutput => Err(ZipError::entry(name, "the file's compressed data is damaged", DAMAGED)),
        _ => Err(ZipError::entry(
            name,
            format!("the file unpacks to more than the {size} bytes the zip declares; the zip is damaged or made to exhaust memory (a zip bomb)"),
            RECREATE,
        )),
    }
}

fn decode_name(raw: &[u8], flags: u16) -> Result<String, ZipError> {
    match std::str::from_utf8(raw) {
        Ok(name) => Ok(name.to_string()),
        Err(_) if flags & FLAG_UTF8 != 0 => Err(ZipError::entry(&String::from_utf8_lossy(raw), "the name is marked as UTF-8 but is not valid UTF-8", RECREATE)),
        Err(_) => Ok(raw.iter().map(|&b| if b < 0x80 { char::from(b) } else { CP437_HIGH[usize::from(b - 0x80)] }).collect()),
    }
}

/// The path with `/` separators, `None` for a folder entry, or an error when
/// the path could land outside the folder the zip is unpacked into.
fn check_path(name: &str) -> Result<Option<String>, ZipError> {
    let refuse = |message: &str| Err(ZipError::entry(name, message, RECREATE));
    if name.is_empty() {
        return Err(ZipError::archive("an entry of the zip has an empty name", RECREATE));
    }
    if name.chars().any(char::is_control) {
        return refuse("paths may not contain control characters");
    }
    let path = name.replace('\\', "/");
    if path.starts_with('/') {
        return refuse("paths must be relative, not start with `/`");
    }
    if let [letter, b':', ..] = path.as_bytes() {
        if letter.is_ascii_alphabetic() {
            return refuse("paths may not start with a drive letter");
        }
    }
    let (path, folder) = match path.strip_suffix('/') {
        Some(folder) => (folder, true),
        None => (path.as_str(), false),
    };
    for component in path.split('/') {
        match component {
            "" => return refuse("paths may not contain empty components (`//`)"),
            ".." => return refuse("paths may not contain `..`"),
            "." => return refuse("paths may not contain `.` components"),
            _ => {}
        }
    }
    Ok((!folder).then(|| path.to_string()))
}

fn method_name(method: u16) -> String {
    match method {
        1..=6 => "an old method (Shrink, Reduce or Implode)".to_string(),
        9 => "Deflate64".to_string(),
        12 => "bzip2".to_string(),
        14 => "LZMA".to_string(),
        93 => "Zstandard".to_string(),
        95 => "XZ".to_string(),
        98 => "PPMd".to_string(),
        other => format!("method {other}"),
    }
}

/// `64 MiB` for whole mebibytes, bytes otherwise.
fn amount(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// CP437 bytes 0x80–0xFF; below that it agrees with ASCII.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å',
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ',
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»',
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐',
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧',
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀',
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩',
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// An entry as a test wants it written, right or wrong.
    struct Raw {
        name: Vec<u8>,
        flags: u16,
        method: u16,
        made_by: u16,
        external: u32,
        crc: u32,
        size: u32,
        stored: Vec<u8>,
        descriptor: bool,
    }

    fn stored(name: &str, data: &[u8]) -> Raw {
        Raw { name: name.as_bytes().to_vec(), flags: FLAG_UTF8, method: 0, made_by: VERSION_MADE_BY, external: FILE_MODE << 16, crc: crc32(data), size: data.len() as u32, stored: data.to_vec(), descriptor: false }
    }

    fn deflated(name: &str, data: &[u8]) -> Raw {
        Raw { method: 8, stored: miniz_oxide::deflate::compress_to_vec(data, 6), ..stored(name, data) }
    }

    /// An archive of `entries`, independent of `write_zip`.
    fn build(entries: &[Raw], comment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for e in entries {
            let offset = out.len() as u32;
            let flags = e.flags | if e.descriptor { 8 } else { 0 };
            let header = |buf: &mut Vec<u8>, local: bool| {
                for field in [20, flags, e.method, 0, DOS_DATE] {
                    put_u16(buf, field);
                }
                let hidden = local && e.descriptor;
                for field in [e.crc, e.stored.len() as u32, e.size] {
                    put_u32(buf, if hidden { 0 } else { field });
                }
                put_u16(buf, e.name.len() as u16);
                put_u16(buf, 0);
            };
            put_u32(&mut out, LOCAL_SIGNATURE);
            header(&mut out, true);
            out.extend_from_slice(&e.name);
            out.extend_from_slice(&e.stored);
            if e.descriptor {
                for field in [0x0807_4b50, e.crc, e.stored.len() as u32, e.size] {
                    put_u32(&mut out, field);
                }
            }
            put_u32(&mut directory, CENTRAL_SIGNATURE);
            put_u16(&mut directory, e.made_by);
            header(&mut directory, false);
            for field in [0, 0, 0] {
                put_u16(&mut directory, field);
            }
            put_u32(&mut directory, e.external);
            put_u32(&mut directory, offset);
            directory.extend_from_slice(&e.name);
        }
        let start = out.len() as u32;
        out.extend_from_slice(&directory);
        put_u32(&mut out, END_SIGNATURE);
        for field in [0, 0, entries.len() as u16, entries.len() as u16] {
            put_u16(&mut out, field);
        }
        put_u32(&mut out, directory.len() as u32);
        put_u32(&mut out, start);
        put_u16(&mut out, comment.len() as u16);
        out.extend_from_slice(comment);
        out
    }

    fn paths(entries: &[ZipEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.path.as_str()).collect()
    }

    fn error(bytes: &[u8]) -> String {
        read_zip(bytes).expect_err("the zip should be refused").to_string()
    }

    /// Runs a Python snippet and returns what it prints; `None` (with a note)
    /// when python3 is not installed.
    fn python(script: &str) -> Option<Vec<u8>> {
        let output = match Command::new("python3").arg("-c").arg(script).stderr(Stdio::piped()).output() {
            Ok(output) => output,
            Err(_) => {
                eprintln!("note: python3 not found; skipping the check against Python's zipfile");
                return None;
            }
        };
        assert!(output.status.success(), "python3 failed: {}", String::from_utf8_lossy(&output.stderr));
        Some(output.stdout)
    }

    fn sample() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("café/SKILL.md", "---\nname: café\ndescription: Makes coffee.\n---\n\nBody.\n".as_bytes().to_vec()),
            ("café/scripts/brew.sh", b"#!/bin/sh\necho brewing\n".to_vec()),
            ("café/assets/empty.txt", Vec::new()),
            ("café/assets/every-byte.bin", (0..=255u8).cycle().take(1000).collect()),
            ("日本/SKILL.md", "名前\n".as_bytes().to_vec()),
        ]
    }

    fn write_sample() -> Vec<u8> {
        let sample = sample();
        let entries: Vec<(&str, &[u8])> = sample.iter().map(|(p, d)| (*p, d.as_slice())).collect();
        write_zip(&entries)
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
    }

    #[test]
    fn round_trip_is_lossless_and_deterministic() {
        let zip = write_sample();
        assert_eq!(zip, write_sample(), "same input, same bytes");
        let read = read_zip(&zip).unwrap();
        let expected: Vec<ZipEntry> = sample().into_iter().map(|(path, data)| ZipEntry { path: path.to_string(), data }).collect();
        assert_eq!(read, expected);
        let again: Vec<(&str, &[u8])> = read.iter().map(|e| (e.path.as_str(), e.data.as_slice())).collect();
        assert_eq!(write_zip(&again), zip, "reading and writing again gives the very same bytes");
        assert_eq!(read_zip(&write_zip(&[])).unwrap(), []);
    }

    #[test]
    fn written_headers_carry_the_fixed_choices() {
        let zip = write_zip(&[("a/SKILL.md", b"x")]);
        let central = zip.windows(4).position(|w| w == CENTRAL_SIGNATURE.to_le_bytes()).unwrap();
        let field16 = |at| u16_at(&zip, central + at).unwrap();
        assert_eq!(field16(4), 0x0314, "made by Unix, version 2.0");
        assert_eq!(field16(8), FLAG_UTF8);
        assert_eq!(field16(10), 0, "stored");
        assert_eq!((field16(12), field16(14)), (0, 0x0021), "1980-01-01 00:00");
        assert_eq!(u32_at(&zip, central + 38).unwrap() >> 16, 0o100_644);
        assert_eq!(u16_at(&zip, 6).unwrap(), FLAG_UTF8, "the local header agrees");
    }

    #[test]
    fn python_and_unzip_accept_what_is_written() {
        let path = std::env::temp_dir().join(format!("llmos-zip-test-{}.zip", std::process::id()));
        std::fs::write(&path, write_sample()).unwrap();
        let file = path.to_str().unwrap();
        let script = format!(
            "import subprocess, sys, zipfile\n\
             subprocess.run([sys.executable, '-m', 'zipfile', '-t', {file:?}], check=True)\n\
             subprocess.run([sys.executable, '-m', 'zipfile', '-l', {file:?}], check=True)\n\
             for i in zipfile.ZipFile({file:?}).infolist(): print(i.filename, oct(i.external_attr >> 16), i.date_time)"
        );
        if let Some(out) = python(&script) {
            let out = String::from_utf8(out).unwrap();
            assert!(out.contains("café/SKILL.md 0o100644 (1980, 1, 1, 0, 0, 0)"), "{out}");
            assert!(out.contains("日本/SKILL.md"), "{out}");
        }
        match Command::new("unzip").args(["-t", file]).output() {
            Ok(out) => assert!(out.status.success(), "unzip -t: {}", String::from_utf8_lossy(&out.stdout)),
            Err(_) => eprintln!("note: unzip not found; skipping `unzip -t`"),
        }
        if let Ok(out) = Command::new("unzip").args(["-Z", file]).output() {
            let listing = String::from_utf8_lossy(&out.stdout);
            assert!(listing.lines().filter(|l| l.starts_with("-rw-r--r--")).count() == sample().len(), "{listing}");
        }
        std::fs::remove_file(&path).unwrap();
    }

    const PYTHON_ENTRIES: &str = "
import io, sys, zipfile
def add(z, name, data, method):
    info = zipfile.ZipInfo(name, date_time=(2024, 5, 1, 12, 0, 0))
    info.compress_type = method
    z.writestr(info, data)
def fill(z):
    z.mkdir('skill') if hasattr(z, 'mkdir') else z.writestr('skill/', b'')
    add(z, 'skill/SKILL.md', '---\\nname: skill\\n---\\n' + 'text ' * 500, zipfile.ZIP_DEFLATED)
    add(z, 'skill/scripts/run.py', 'print(1)\\n', zipfile.ZIP_STORED)
    add(z, 'skill/references/empty.md', b'', zipfile.ZIP_DEFLATED)
    add(z, 'skill/assets/bytes.bin', bytes(range(256)) * 4, zipfile.ZIP_DEFLATED)
    add(z, 'skill/références.md', 'é', zipfile.ZIP_STORED)
";

    fn check_python_entries(entries: &[ZipEntry]) {
        assert_eq!(paths(entries), ["skill/SKILL.md", "skill/scripts/run.py", "skill/references/empty.md", "skill/assets/bytes.bin", "skill/références.md"]);
        assert!(entries[0].data.ends_with(b"text text "));
        assert_eq!(entries[0].data.len(), "---\nname: skill\n---\n".len() + 2500);
        assert_eq!(entries[1].data, b"print(1)\n");
        assert_eq!(entries[2].data, b"");
        assert_eq!(entries[3].data, (0..=255u8).cycle().take(1024).collect::<Vec<_>>());
        assert_eq!(entries[4].data, "é".as_bytes());
    }

    #[test]
    fn reads_zips_written_by_python_stored_and_deflated_with_a_comment() {
        let script = format!("{PYTHON_ENTRIES}\nbuffer = io.BytesIO()\nwith zipfile.ZipFile(buffer, 'w') as z:\n    fill(z)\n    z.comment = b'made by python'\nsys.stdout.buffer.write(buffer.getvalue())");
        let Some(zip) = python(&script) else { return };
        assert!(zip.ends_with(b"made by python"));
        check_python_entries(&read_zip(&zip).unwrap());
    }

    #[test]
    fn reads_zips_python_streams_with_data_descriptors() {
        // Written to a pipe, which cannot seek back: Python sets flag bit 3,
        // leaves the local sizes at zero and writes a data descriptor.
        let script = format!("{PYTHON_ENTRIES}\nwith zipfile.ZipFile(sys.stdout.buffer, 'w') as z:\n    fill(z)");
        let Some(zip) = python(&script) else { return };
        let first_file = zip.windows(14).position(|w| w == b"skill/SKILL.md").unwrap() - LOCAL_LEN;
        assert_eq!(u16_at(&zip, first_file + 6).unwrap() & 8, 8, "a data descriptor follows");
        assert_eq!(u32_at(&zip, first_file + 22).unwrap(), 0, "no size in the local header");
        check_python_entries(&read_zip(&zip).unwrap());
    }

    #[test]
    fn reads_hand_made_data_descriptors() {
        let text = b"descriptor ".repeat(50);
        let zip = build(&[Raw { descriptor: true, ..stored("a/one.md", b"first") }, Raw { descriptor: true, ..deflated("a/two.md", &text) }], b"");
        let entries = read_zip(&zip).unwrap();
        assert_eq!(paths(&entries), ["a/one.md", "a/two.md"]);
        assert_eq!(entries[1].data, text);
    }

    /// `tests/fixtures/zips/deflated.zip` was made by Python 3.11's zipfile:
    /// a folder entry, then three ZIP_DEFLATED files (one empty) under `pdf-tools/`.
    #[test]
    fn reads_the_committed_fixture_from_python() {
        let zip = include_bytes!("../tests/fixtures/zips/deflated.zip");
        let entries = read_zip(zip).unwrap();
        assert_eq!(paths(&entries), ["pdf-tools/SKILL.md", "pdf-tools/scripts/extract.py", "pdf-tools/references/empty.md"]);
        let skill = std::str::from_utf8(&entries[0].data).unwrap();
        assert!(skill.starts_with("---\nname: pdf-tools\n"));
        assert_eq!(skill.matches("Run `scripts/extract.py` on the file.\n").count(), 20);
        assert!(entries[1].data.starts_with(b"#!/usr/bin/env python3\n"));
        assert_eq!(entries[2].data, b"");
        let skill_md = zip.windows(18).position(|w| w == b"pdf-tools/SKILL.md").unwrap() - LOCAL_LEN;
        assert_eq!(u16_at(zip, skill_md + 8), Some(METHOD_DEFLATE));
    }

    #[test]
    fn a_comment_even_one_holding_the_end_signature_is_skipped() {
        let comment = b"see PK\x05\x06 here and more bytes than 22 ok";
        let zip = build(&[stored("s/SKILL.md", b"x"), deflated("s/b.md", b"yyyyyyyy")], comment);
        assert_eq!(paths(&read_zip(&zip).unwrap()), ["s/SKILL.md", "s/b.md"]);
    }

    #[test]
    fn detects_a_flipped_byte_by_its_crc() {
        let mut zip = write_zip(&[("s/SKILL.md", b"hello world")]);
        let data = LOCAL_LEN + "s/SKILL.md".len();
        zip[data + 4] ^= 0x20;
        assert_eq!(error(&zip), "`s/SKILL.md`: the file's contents do not match its checksum (CRC-32); the zip is damaged or incomplete; download or export it again");
        let mut zip = build(&[deflated("s/SKILL.md", &b"hello world ".repeat(20))], b"");
        let data = LOCAL_LEN + "s/SKILL.md".len();
        zip[data + 5] ^= 0x01;
        assert!(error(&zip).starts_with("`s/SKILL.md`: "), "{}", error(&zip));
    }

    #[test]
    fn every_truncation_is_refused_and_no_damage_panics() {
        let zip = build(&[deflated("s/SKILL.md", &b"text ".repeat(40)), stored("s/x", b"abc")], b"");
        for len in 0..zip.len() {
            assert!(read_zip(&zip[..len]).is_err(), "a zip cut to {len} bytes was read");
        }
        assert!(error(&zip[..zip.len() - 1]).starts_with("this is not a zip file, or it is incomplete"));
        assert!(error(b"plain text, not a zip").starts_with("this is not a zip file"));
        for at in 0..zip.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut damaged = zip.clone();
                damaged[at] ^= flip;
                let _ = read_zip(&damaged);
            }
        }
    }

    #[test]
    fn refuses_paths_that_could_escape() {
        assert_eq!(error(&build(&[stored("foo/../x", b"")], b"")), "`foo/../x`: paths may not contain `..`; re-create the zip from the skill folders");
        for (name, problem) in [
            ("../x", "`..`"),
            ("a/../../x", "`..`"),
            ("..", "`..`"),
            ("a\\..\\..\\x", "`..`"),
            ("/etc/passwd", "relative"),
            ("\\windows\\x", "relative"),
            ("C:/x", "drive letter"),
            ("c:x", "drive letter"),
            ("C:\\x", "drive letter"),
            ("a//b", "empty components"),
            ("./a", "`.` components"),
            ("a/./b", "`.` components"),
            ("a/\0b", "control characters"),
            ("a/b\nc", "control characters"),
            ("../up/", "`..`"),
        ] {
            let message = error(&build(&[stored("ok/SKILL.md", b""), stored(name, b"x")], b""));
            assert!(message.starts_with(&format!("`{name}`: ")) && message.contains(problem), "{name}: {message}");
        }
        assert!(error(&build(&[stored("", b"x")], b"")).starts_with("an entry of the zip has an empty name"));
    }

    #[test]
    fn backslashes_are_separators_and_folders_are_skipped() {
        let zip = build(&[stored("s\\", b""), stored("s\\SKILL.md", b"x"), stored("s/", b""), stored("s/scripts/", b""), stored("s/scripts/run.py", b"y")], b"");
        assert_eq!(paths(&read_zip(&zip).unwrap()), ["s/SKILL.md", "s/scripts/run.py"]);
    }

    #[test]
    fn refuses_duplicate_paths() {
        let message = "`s/SKILL.md`: this path appears more than once in the zip; keep one file per path and re-create the zip";
        assert_eq!(error(&build(&[stored("s/SKILL.md", b"a"), stored("s/SKILL.md", b"b")], b"")), message);
        assert!(error(&build(&[stored("s/SKILL.md", b"a"), stored("s\\SKILL.md", b"b")], b"")).contains("more than once"));
    }

    #[test]
    fn refuses_encryption_other_methods_links_and_zip64() {
        let encrypted = Raw { flags: FLAG_UTF8 | FLAG_ENCRYPTED, ..stored("s/SKILL.md", b"x") };
        assert!(error(&build(&[encrypted], b"")).contains("encrypted (password-protected)"));
        let aes = Raw { method: METHOD_AES, ..stored("s/SKILL.md", b"x") };
        assert!(error(&build(&[aes], b"")).contains("encrypted"));
        let bzip2 = Raw { method: 12, ..stored("s/SKILL.md", b"x") };
        assert_eq!(error(&build(&[bzip2], b"")), "`s/SKILL.md`: the file is compressed with bzip2, which LLMos does not read; re-create the zip with Deflate compression, the default of zip tools");
        let link = Raw { external: 0o120_777 << 16, ..stored("s/link", b"../../etc/passwd") };
        assert!(error(&build(&[link], b"")).contains("symbolic link"));
        let dos_attributes = Raw { made_by: 20, external: 0o120_777 << 16, ..stored("s/plain", b"x") };
        assert!(read_zip(&build(&[dos_attributes], b"")).is_ok(), "only Unix hosts store modes");

        let mut zip64 = write_zip(&[("s/SKILL.md", b"x")]);
        let end = zip64.len() - END_LEN;
        zip64[end + 16..end + 20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(error(&zip64).starts_with("this zip uses Zip64"));
        let mut spanned = write_zip(&[("s/SKILL.md", b"x")]);
        spanned[end + 4] = 1;
        assert!(error(&spanned).contains("split over several files"));
    }

    #[test]
    fn names_without_the_utf8_flag() {
        let cp437 = Raw { name: b"caf\x82/SKILL.md".to_vec(), flags: 0, ..stored("", b"x") };
        let macos = Raw { flags: 0, ..stored("café/notes.md", b"y") };
        assert_eq!(paths(&read_zip(&build(&[cp437, macos], b"")).unwrap()), ["café/SKILL.md", "café/notes.md"]);
        let invalid = Raw { name: b"caf\x82/SKILL.md".to_vec(), ..stored("", b"x") };
        assert!(error(&build(&[invalid], b"")).contains("marked as UTF-8 but is not valid UTF-8"));
        let table: String = (0x80..=0xFFu8).map(|b| CP437_HIGH[usize::from(b - 0x80)]).collect();
        assert!(table.starts_with("ÇüéâäàåçêëèïîìÄÅ") && table.ends_with("√ⁿ²■\u{a0}"));
    }

    #[test]
    fn zip_bombs_stop_at_the_limits() {
        // 65 MiB of zeros deflate to about 65 KiB.
        let zeros = vec![0u8; MAX_ENTRY_BYTES + (1 << 20)];
        let honest = deflated("s/bomb.bin", &zeros);
        assert!(honest.stored.len() < 200_000);
        assert_eq!(
            error(&build(&[honest], b"")),
            format!("`s/bomb.bin`: the file unpacks to {} bytes, over the limit of 64 MiB for one file; leave large files out of the zip; skills hold text and small assets", zeros.len())
        );
        // A header that understates the size does not help: inflating stops one byte past it.
        let lying = Raw { size: 1000, crc: crc32(&zeros[..1000]), ..deflated("s/bomb.bin", &zeros) };
        assert!(error(&build(&[lying], b"")).contains("unpacks to more than the 1000 bytes the zip declares"));
        let short = Raw { size: 2000, ..deflated("s/x", &[7; 1000]) };
        assert!(error(&build(&[short], b"")).contains("unpacks to 1000 bytes, not the 2000"));
        let mismatch = Raw { size: 5, ..stored("s/x", b"abc") };
        assert!(error(&build(&[mismatch], b"")).contains("two sizes (3 and 5 bytes)"));

        let limits = ZipLimits { max_entry_bytes: 1000, max_total_bytes: 2500 };
        let three = build(&[deflated("a", &[1; 1000]), deflated("b", &[2; 1000]), deflated("c", &[3; 1000])], b"");
        let total = read_zip_with_limits(&three, limits).unwrap_err();
        assert_eq!(total.entry.as_deref(), Some("c"));
        assert!(total.message.contains("more than 2500 bytes, the limit that guards against zip bombs"), "{}", total.message);
        assert_eq!(read_zip_with_limits(&three, ZipLimits { max_total_bytes: 3000, ..limits }).unwrap().len(), 3);
    }

    #[test]
    fn errors_become_diagnostics() {
        let diagnostic = read_zip(&build(&[stored("/abs", b"")], b"")).unwrap_err().to_diagnostic("skills.zip");
        assert_eq!(diagnostic.to_string(), "error: skills.zip: `/abs`: paths must be relative, not start with `/`\n  help: re-create the zip from the skill folders");
    }
}
