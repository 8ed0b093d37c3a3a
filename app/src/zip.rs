//! Skill collections as `.zip` files: the rules LLMos holds a zip to, over the
//! [`rawzip`](https://docs.rs/rawzip) crate.
//!
//! Users import and export skills as zips in the Agent Skills layout
//! (`<skill>/SKILL.md`, `<skill>/scripts/…`), in the browser and with
//! `llmos build --skills skills.zip`. The reader is generic: it returns every
//! file with its path, and the caller applies the layout rule
//! ([`crate::layout::skill_folders`]) to the paths.
//!
//! **The crates.** `rawzip` (no dependencies, no compression of its own)
//! finds the end record, walks the central directory, checks each local
//! header, finds the entry's data, compares what was unpacked with the size
//! and CRC-32 the entry declares, and writes archives. `miniz_oxide` inflates
//! (with a cap, below) and `crc` computes the CRC-32 ([`crc32`]).
//!
//! **This module** holds the rules, because a zip comes from anyone and
//! `rawzip`, by design, leaves them to its user:
//! - *One archive.* The end record must close the file (only its comment may
//!   follow) and the central directory must be where it says: no prefix,
//!   trailing data or second end record in a comment that other tools would
//!   read differently. Zip64 and archives split over several files are
//!   refused, so an archive holds at most 65,534 entries, and the directory
//!   must hold exactly as many as its end record says.
//! - *Paths* must be relative and stay inside the folder they are unpacked
//!   into: no leading `/` or `\`, no drive letter, no `..`, `.` or empty
//!   components, no control characters, and each path once (`\` and `/` count
//!   as the same separator).
//! - *Files only:* no symbolic links (Unix and macOS hosts keep a mode in the
//!   external attributes), no encrypted entries, only Stored and Deflate.
//! - *Sizes* are capped per file and in total ([`ZipLimits`]) by what entries
//!   declare, and inflating stops one byte past the declared size, so a zip
//!   bomb stops at the cap however its headers lie.
//! - *Local headers* must name the same file as the directory, and the data
//!   must end before the directory.
//!
//! **Names.** UTF-8 when the entry says so (flag bit 11). Otherwise a name
//! that is valid UTF-8 is read as UTF-8 (macOS's Archive Utility writes UTF-8
//! without the flag; ASCII names are both), and any other name is decoded from
//! CP437, the code page the format prescribes, so old Windows zips keep their
//! accented names. Backslashes are read as separators (older Windows tools
//! write them), and returned paths always use `/`. The name in the header is
//! the one that counts: Info-ZIP Unicode Path extra fields are not read.
//!
//! **Writing.** [`write_zip`] makes the same bytes from the same input:
//! stored entries (skills are small text, and the browser bundle then needs
//! no deflater), names as given, mode 0644, the fixed time 1980-01-01 00:00
//! (in the DOS fields and in an extended-timestamp field), and each file's
//! size and CRC-32 in a data descriptor after its data, as `rawzip` streams.

use crate::Diagnostic;
use rawzip::extra_fields::ExtraFieldId;
use rawzip::path::{EntryPath, ZipFilePath};
use rawzip::time::UtcDateTime;
use rawzip::{CompressionMethod, DataDescriptorOutput, ZipArchive, ZipArchiveWriter, ZipVerification};
use std::collections::HashSet;
use std::fmt;
use std::io::Write;

/// The largest file `read_zip` unpacks: skills are text and small assets.
pub const MAX_ENTRY_BYTES: usize = 64 << 20;
/// The most `read_zip` unpacks from one archive.
pub const MAX_TOTAL_BYTES: usize = 256 << 20;

const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const END_LEN: usize = 22;
/// A regular file, `rw-r--r--`, for every entry, scripts included.
const FILE_MODE: u32 = 0o100_644;
/// 1980-01-01 00:00 UTC, the earliest time a zip's DOS fields can hold.
const FIXED_TIME: i64 = 315_532_800;

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
    // When the crate finds an end record it cannot use, the record may still say why.
    let archive = ZipArchive::from_slice(bytes).map_err(|e| e.eocd_offset().map_or_else(not_a_zip, |at| check_end(bytes, at).err().unwrap_or_else(not_a_zip)))?;
    let end = check_end(bytes, archive.eocd_offset())?;
    if archive.directory_offset() != end.directory_start as u64 {
        return Err(ZipError::archive("the zip's table of contents (its central directory) is not where its end record says it is", DAMAGED));
    }
    let garbled = || ZipError::archive("the zip's table of contents (its central directory) is cut short or garbled", DAMAGED);
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    let mut total = 0usize;
    let mut records = 0;
    for record in archive.entries() {
        let record = record.map_err(|_| garbled())?;
        records += 1;
        if records > end.count {
            return Err(garbled());
        }
        let raw_name = record.file_path().as_bytes();
        let flags = record.flags();
        let name = decode_name(raw_name, flags.is_utf8())?;
        let Some(path) = check_path(&name)? else { continue };
        if !seen.insert(path.clone()) {
            return Err(ZipError::entry(&name, "this path appears more than once in the zip", "keep one file per path and re-create the zip"));
        }
        let method = record.compression_method();
        if flags.is_encrypted() || flags.has_strong_encryption() || method == CompressionMethod::AES {
            return Err(ZipError::entry(&name, "the file is encrypted (password-protected), and LLMos cannot read encrypted files", "create the zip without a password"));
        }
        if record.mode().is_symlink() {
            return Err(ZipError::entry(&name, "the file is a symbolic link, and LLMos reads only files and folders", "replace the link with the file it points to, then re-create the zip"));
        }
        if method != CompressionMethod::STORE && method != CompressionMethod::DEFLATE {
            return Err(ZipError::entry(
                &name,
                format!("the file is compressed with {}, which LLMos does not read", method_name(method)),
                "re-create the zip with Deflate compression, the default of zip tools",
            ));
        }
        let zip64 = u64::from(u32::MAX);
        let (size, compressed) = (record.uncompressed_size_hint(), record.compressed_size_hint());
        if size >= zip64 || compressed >= zip64 || record.local_header_offset() >= zip64 || record.extra_fields().any(|(id, _)| id == ExtraFieldId::ZIP64) {
            return Err(zip64_error());
        }
        // Below 4 GiB (just checked), so these fit a usize on every target.
        let (size, compressed) = (size as usize, compressed as usize);
        if size > limits.max_entry_bytes {
            return Err(ZipError::entry(
                &name,
                format!("the file unpacks to {size} bytes, over the limit of {} for one file", amount(limits.max_entry_bytes)),
                "leave large files out of the zip; skills hold text and small assets",
            ));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(ZipError::entry(
                &name,
                format!("with this file the zip unpacks to more than {}, the limit that guards against zip bombs", amount(limits.max_total_bytes)),
                "split the skills over several smaller zips, or leave large files out",
            ));
        }
        let entry = archive.get_entry(record.wayfinder()).map_err(|_| missing_data(&name))?;
        if entry.local_header().file_path().as_bytes() != raw_name || entry.compressed_data_range().1 > end.directory_start as u64 {
            return Err(missing_data(&name));
        }
        let data = match method {
            CompressionMethod::STORE if compressed == size => entry.data().to_vec(),
            CompressionMethod::STORE => {
                return Err(ZipError::entry(&name, format!("the zip gives the file two sizes ({compressed} and {size} bytes)"), DAMAGED));
            }
            _ => inflate(&name, entry.data(), size)?,
        };
        let unpacked = ZipVerification { crc: crc32(&data), uncompressed_size: data.len() as u64 };
        if entry.claim_verifier().valid(unpacked).is_err() {
            return Err(ZipError::entry(&name, "the file's contents do not match its checksum (CRC-32)", DAMAGED));
        }
        entries.push(ZipEntry { path, data });
    }
    if records != end.count {
        return Err(garbled());
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
/// On what only Zip64 can hold: a file or an archive of 4 GiB or more, or
/// 65,535 entries or more; or on a path over 65,535 bytes.
pub fn write_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    assert!(entries.len() < usize::from(u16::MAX), "zips of 65,535 entries or more need Zip64");
    let mut archive = ZipArchiveWriter::new(Vec::new());
    for (path, data) in entries {
        // The crate would rewrite a path it finds unusual (`a:b` becomes `b`);
        // such a path is written byte for byte, without the UTF-8 flag.
        let normal = ZipFilePath::from_str(path);
        let name = if normal.as_str() == *path { EntryPath::from(normal) } else { EntryPath::verbatim(path.as_bytes()) };
        let written = (|| {
            let (mut entry, _) = archive.new_file(name).unix_permissions(FILE_MODE).last_modified(UtcDateTime::from_unix(FIXED_TIME)).start()?;
            entry.write_all(data)?;
            entry.finish(DataDescriptorOutput::new(crc32(data), data.len() as u64))
        })();
        written.unwrap_or_else(|_| panic!("cannot write `{path}` to a zip"));
    }
    let out = archive.finish().unwrap_or_else(|_| panic!("cannot finish the zip"));
    assert!(u32::try_from(out.len()).is_ok(), "zip archives over 4 GiB need Zip64");
    out
}

/// The CRC-32 of ZIP, gzip and PNG (IEEE polynomial, reflected).
///
/// From the `crc` crate with one 1 KiB table: the crate's own CRC (as
/// `crc32fast`'s) is faster with sixteen tables, 16 KiB that gzip cannot
/// shrink, too much for the browser bundle for files this small.
pub fn crc32(bytes: &[u8]) -> u32 {
    static CRC32: crc::Crc<u32, crc::Table<1>> = crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISO_HDLC);
    CRC32.checksum(bytes)
}

/// What the end record says, once it is known to describe one whole archive.
struct End {
    count: usize,
    directory_start: usize,
}

fn not_a_zip() -> ZipError {
    ZipError::archive("this is not a zip file, or it is incomplete: the end-of-archive record is missing", "check that the file is a .zip; if it is, download or export it again")
}

/// The end record the crate found, at `at`, checked: it and its comment close
/// the file, and it describes one archive without Zip64 or other disks.
fn check_end(bytes: &[u8], at: u64) -> Result<End, ZipError> {
    let at = usize::try_from(at).map_err(|_| not_a_zip())?;
    let comment = u16_at(bytes, at + 20).ok_or_else(not_a_zip)?;
    if at + END_LEN + usize::from(comment) != bytes.len() {
        return Err(not_a_zip());
    }
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
    if (directory_start as usize).checked_add(directory_len as usize).is_none_or(|directory_end| directory_end > at) {
        return Err(ZipError::archive("the zip's table of contents (its central directory) lies outside the file", DAMAGED));
    }
    Ok(End { count: usize::from(count), directory_start: directory_start as usize })
}

fn zip64_error() -> ZipError {
    ZipError::archive(
        "this zip uses Zip64, the extension for archives over 4 GiB, which LLMos does not read",
        "zip the skill folders again with a standard zip tool; skill zips are far below 4 GiB",
    )
}

fn missing_data(name: &str) -> ZipError {
    ZipError::entry(name, "the file's data is missing or does not match the table of contents", DAMAGED)
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

/// The entry's name from its raw bytes (`rawzip` decodes none): UTF-8 when it
/// is valid UTF-8, an error when it claims to be and is not, CP437 otherwise.
fn decode_name(raw: &[u8], utf8: bool) -> Result<String, ZipError> {
    match std::str::from_utf8(raw) {
        Ok(name) => Ok(name.to_string()),
        Err(_) if utf8 => Err(ZipError::entry(&String::from_utf8_lossy(raw), "the name is marked as UTF-8 but is not valid UTF-8", RECREATE)),
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

fn method_name(method: CompressionMethod) -> String {
    match method.as_u16() {
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

    const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
    const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
    const END_SIGNATURE: u32 = 0x0605_4b50;
    const FLAG_ENCRYPTED: u16 = 1;
    const FLAG_UTF8: u16 = 1 << 11;
    const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
    const METHOD_DEFLATE: u16 = 8;
    const METHOD_AES: u16 = 99;
    const HOST_MACOS: u16 = 19;
    const LOCAL_LEN: usize = 30;
    /// Made on Unix (host 3), version 2.0.
    const VERSION_MADE_BY: u16 = 3 << 8 | 20;
    /// 1980-01-01 00:00, the earliest DOS date (day 1, month 1, year 0 = 1980).
    const DOS_DATE: u16 = 1 << 5 | 1;

    fn put_u16(out: &mut Vec<u8>, value: u16) {
        out.extend_from_slice(&value.to_le_bytes());
    }

    fn put_u32(out: &mut Vec<u8>, value: u32) {
        out.extend_from_slice(&value.to_le_bytes());
    }

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
        /// Extra fields, in the local header and the central directory alike.
        extra: Vec<u8>,
        /// Where the central directory says the local header is; `None`: where it is.
        local: Option<u32>,
    }

    fn stored(name: &str, data: &[u8]) -> Raw {
        Raw { name: name.as_bytes().to_vec(), flags: FLAG_UTF8, method: 0, made_by: VERSION_MADE_BY, external: 0o100_644 << 16, crc: crc32(data), size: data.len() as u32, stored: data.to_vec(), descriptor: false, extra: Vec::new(), local: None }
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
                put_u16(buf, e.extra.len() as u16);
            };
            put_u32(&mut out, LOCAL_SIGNATURE);
            header(&mut out, true);
            out.extend_from_slice(&e.name);
            out.extend_from_slice(&e.extra);
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
            put_u32(&mut directory, e.local.unwrap_or(offset));
            directory.extend_from_slice(&e.name);
            directory.extend_from_slice(&e.extra);
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

    /// An AES entry as WinZip and 7-Zip write it: flag bit 0, method 99, and
    /// the AE-x field (AE-2, vendor `AE`, AES-256, the data's own method Deflate).
    fn aes_entry() -> Raw {
        let extra = [&[0x01, 0x99, 7, 0][..], &[2, 0, b'A', b'E', 3, 8, 0]].concat();
        Raw { flags: FLAG_UTF8 | FLAG_ENCRYPTED, method: METHOD_AES, extra, ..stored("s/SKILL.md", b"x") }
    }

    /// An Info-ZIP Unicode Path field that renames the entry whose header name is `raw`.
    fn unicode_path(raw: &[u8], name: &str) -> Vec<u8> {
        let mut field = vec![0x75, 0x70];
        put_u16(&mut field, (5 + name.len()) as u16);
        field.push(1);
        put_u32(&mut field, crc32(raw));
        field.extend_from_slice(name.as_bytes());
        field
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
        let zip = write_zip(&[("café/SKILL.md", b"x"), ("a/SKILL.md", b"y")]);
        let centrals: Vec<usize> = zip.windows(4).enumerate().filter(|(_, w)| *w == CENTRAL_SIGNATURE.to_le_bytes()).map(|(at, _)| at).collect();
        assert_eq!(centrals.len(), 2);
        for (central, utf8) in centrals.into_iter().zip([FLAG_UTF8, 0]) {
            let field16 = |at| u16_at(&zip, central + at).unwrap();
            assert_eq!(field16(4) >> 8, 3, "made by Unix, so `unzip` applies the mode");
            assert_eq!(field16(8), utf8 | 8, "UTF-8 flag on non-ASCII names; sizes and CRC follow the data");
            assert_eq!(field16(10), 0, "stored");
            assert_eq!((field16(12), field16(14)), (0, 0x0021), "1980-01-01 00:00");
            assert_eq!(field16(32), 0, "no comment");
            assert_eq!(u32_at(&zip, central + 38).unwrap() >> 16, 0o100_644);
        }
        assert_eq!(u16_at(&zip, 6).unwrap(), FLAG_UTF8 | 8, "the local header agrees");
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
    fn a_comment_may_not_hold_another_end_record() {
        let zip = build(&[stored("s/SKILL.md", b"x"), deflated("s/b.md", b"yyyyyyyy")], b"made by a tool");
        assert_eq!(paths(&read_zip(&zip).unwrap()), ["s/SKILL.md", "s/b.md"]);
        // Readers that take the last end signature, as the crate does, would see another archive.
        let comment = b"see PK\x05\x06 here and more bytes than 22 ok";
        let zip = build(&[stored("s/SKILL.md", b"x"), deflated("s/b.md", b"yyyyyyyy")], comment);
        assert!(error(&zip).starts_with("this is not a zip file"), "{}", error(&zip));
    }

    #[test]
    fn detects_a_flipped_byte_by_its_crc() {
        let mut zip = write_zip(&[("s/SKILL.md", b"hello world")]);
        let data = LOCAL_LEN + "s/SKILL.md".len() + usize::from(u16_at(&zip, 28).unwrap());
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
        // As WinZip and 7-Zip write it: flag bit 0, method 99, the AE-x field naming Deflate.
        assert!(error(&build(&[aes_entry()], b"")).starts_with("`s/SKILL.md`: the file is encrypted (password-protected)"));
        let strong = Raw { flags: FLAG_UTF8 | FLAG_STRONG_ENCRYPTION, ..stored("s/SKILL.md", b"x") };
        assert!(error(&build(&[strong], b"")).contains("encrypted (password-protected)"));
        let bzip2 = Raw { method: 12, ..stored("s/SKILL.md", b"x") };
        assert_eq!(error(&build(&[bzip2], b"")), "`s/SKILL.md`: the file is compressed with bzip2, which LLMos does not read; re-create the zip with Deflate compression, the default of zip tools");
        let link = Raw { external: 0o120_777 << 16, ..stored("s/link", b"../../etc/passwd") };
        assert!(error(&build(&[link], b"")).contains("symbolic link"));
        let macos_link = Raw { made_by: HOST_MACOS << 8 | 20, external: 0o120_777 << 16, ..stored("s/link", b"x") };
        assert!(error(&build(&[macos_link], b"")).contains("symbolic link"));
        let dos_attributes = Raw { made_by: 20, external: 0o120_777 << 16, ..stored("s/plain", b"x") };
        assert!(read_zip(&build(&[dos_attributes], b"")).is_ok(), "only Unix hosts store modes");

        let mut zip64 = write_zip(&[("s/SKILL.md", b"x")]);
        let end = zip64.len() - END_LEN;
        zip64[end + 16..end + 20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(error(&zip64).starts_with("this zip uses Zip64"));
        // A Zip64 extra field (id 1) in an entry, which the crate would follow.
        let mut field = vec![1, 0, 16, 0];
        field.extend_from_slice(&[1u64.to_le_bytes(), 1u64.to_le_bytes()].concat());
        let entry = Raw { size: u32::MAX, extra: field, ..stored("s/SKILL.md", b"x") };
        assert!(error(&build(&[entry], b"")).starts_with("this zip uses Zip64"));
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
        let every_high_byte = Raw { name: [b"s/".as_slice(), &(0x80..=0xFFu8).collect::<Vec<_>>()].concat(), flags: 0, ..stored("", b"x") };
        let table = read_zip(&build(&[every_high_byte], b"")).unwrap().remove(0).path;
        assert!(table.starts_with("s/ÇüéâäàåçêëèïîìÄÅ") && table.ends_with("√ⁿ²■\u{a0}"), "{table}");
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
    fn every_record_counts_once_and_the_directory_holds_what_the_end_record_says() {
        let zip = build(&[stored("s/SKILL.md", b"a"), stored("s/x.md", b"b"), stored("s/SKILL.md", b"c")], b"");
        assert_eq!(error(&zip), "`s/SKILL.md`: this path appears more than once in the zip; keep one file per path and re-create the zip");
        let folders = build(&[stored("s/", b""), stored("s/SKILL.md", b"x"), stored("s/", b"")], b"");
        assert_eq!(paths(&read_zip(&folders).unwrap()), ["s/SKILL.md"], "a folder given twice is still one folder");
        let mut fewer = write_zip(&[("s/SKILL.md", b"x"), ("s/b.md", b"y")]);
        let end = fewer.len() - END_LEN;
        fewer[end + 8..end + 12].copy_from_slice(&[1, 0, 1, 0]);
        assert!(error(&fewer).contains("cut short or garbled"), "{}", error(&fewer));
    }

    #[test]
    fn one_archive_only_no_hidden_second_one_or_prefix() {
        let inner = build(&[stored("evil/SKILL.md", b"hidden")], b"");
        let outer = build(&[stored("good/SKILL.md", b"shown")], &inner);
        let moved = "the zip's table of contents (its central directory) is not where its end record says it is";
        assert!(error(&outer).starts_with(moved), "{}", error(&outer));
        let self_extracting = [b"#!/bin/sh\nexit 0\n".as_slice(), &write_zip(&[("s/SKILL.md", b"x")])].concat();
        assert!(error(&self_extracting).starts_with(moved), "{}", error(&self_extracting));
        let trailing = [write_zip(&[("s/SKILL.md", b"x")]).as_slice(), b"junk"].concat();
        assert!(error(&trailing).starts_with("this is not a zip file"));
    }

    #[test]
    fn the_header_name_counts_not_an_info_zip_unicode_path_field() {
        let renamed = Raw { name: b"s/caf\x82.md".to_vec(), flags: 0, extra: unicode_path(b"s/caf\x82.md", "s/other.md"), ..stored("", b"x") };
        assert_eq!(paths(&read_zip(&build(&[renamed], b"")).unwrap()), ["s/café.md"]);
        let escaping = Raw { extra: unicode_path(b"s/notes.md", "../evil.md"), ..stored("s/notes.md", b"x") };
        assert_eq!(paths(&read_zip(&build(&[escaping], b"")).unwrap()), ["s/notes.md"]);
    }

    #[test]
    fn local_headers_must_name_the_entry_and_data_must_end_before_the_directory() {
        let shared = build(&[stored("s/SKILL.md", b"a"), Raw { local: Some(0), ..stored("s/other.md", b"a") }], b"");
        assert_eq!(error(&shared), "`s/other.md`: the file's data is missing or does not match the table of contents; the zip is damaged or incomplete; download or export it again");
        let mut long = build(&[stored("s/SKILL.md", b"a"), stored("s/x.md", b"0123456789")], b"");
        let central = long.windows(4).rposition(|w| w == CENTRAL_SIGNATURE.to_le_bytes()).unwrap();
        for field in [20, 24] {
            long[central + field..central + field + 4].copy_from_slice(&20u32.to_le_bytes());
        }
        assert!(error(&long).starts_with("`s/x.md`: the file's data is missing"), "{}", error(&long));
    }

    #[test]
    fn a_wrong_checksum_or_damaged_deflate_data_is_refused() {
        let wrong = Raw { crc: 1, ..deflated("s/SKILL.md", &b"text ".repeat(40)) };
        assert_eq!(error(&build(&[wrong], b"")), "`s/SKILL.md`: the file's contents do not match its checksum (CRC-32); the zip is damaged or incomplete; download or export it again");
        let garbage = Raw { method: 8, stored: vec![0xFF; 64], ..stored("s/SKILL.md", b"data") };
        assert_eq!(error(&build(&[garbage], b"")), "`s/SKILL.md`: the file's compressed data is damaged; the zip is damaged or incomplete; download or export it again");
    }
    #[test]
    fn errors_become_diagnostics() {
        let diagnostic = read_zip(&build(&[stored("/abs", b"")], b"")).unwrap_err().to_diagnostic("skills.zip");
        assert_eq!(diagnostic.to_string(), "error: skills.zip: `/abs`: paths must be relative, not start with `/`\n  help: re-create the zip from the skill folders");
    }
}
