//! The zip reader on arbitrary bytes, with the default limits and with
//! tight ones: an error or entries that keep the reader's promises (safe
//! relative paths, within the limits), never a panic or a large allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llmos_core::{read_zip, read_zip_with_limits, ZipLimits};

fuzz_target!(|data: &[u8]| {
    let _ = read_zip(data);
    let limits = ZipLimits { max_entry_bytes: 4096, max_total_bytes: 16384 };
    if let Ok(entries) = read_zip_with_limits(data, limits) {
        let total: usize = entries.iter().map(|e| e.data.len()).sum();
        assert!(total <= limits.max_total_bytes);
        for entry in entries {
            assert!(entry.data.len() <= limits.max_entry_bytes);
            assert!(!entry.path.starts_with('/') && !entry.path.contains('\\'));
            assert!(entry.path.split('/').all(|c| !c.is_empty() && c != "." && c != ".."));
        }
    }
});
