//! The quantum runtime for the browser: `llmos_core::quantum::run_request`
//! behind three exported functions of a bare WebAssembly module, so the
//! sandbox's worker can instantiate it with `WebAssembly.instantiate(bytes,
//! {})` (it imports nothing) and call it synchronously from JavaScript and
//! from Python (Pyodide) skills.
//!
//! Protocol (all lengths in bytes, UTF-8 JSON both ways):
//! 1. `llmos_quantum_alloc(len) -> ptr`: room for the request;
//! 2. `llmos_quantum_run(ptr, len, seed_high, seed_low) -> result`: runs
//!    the request (see `run_request`; the seed is used when the request
//!    names none) and frees it; `result` points at a 4-byte little-endian
//!    length followed by the response;
//! 3. `llmos_quantum_free(result)`: releases the response.

/// Reserves `len` bytes for a request and returns where they start.
#[no_mangle]
pub extern "C" fn llmos_quantum_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Runs the request of `len` bytes at `ptr` (from [`llmos_quantum_alloc`],
/// which this frees) and returns the length-prefixed response.
///
/// # Safety
/// `ptr` must come from `llmos_quantum_alloc(len)` with `len` bytes written.
#[no_mangle]
pub unsafe extern "C" fn llmos_quantum_run(ptr: *mut u8, len: usize, seed_high: u32, seed_low: u32) -> *mut u8 {
    // SAFETY: the caller followed the protocol above.
    let request = unsafe { Vec::from_raw_parts(ptr, len, len) };
    let seed = u64::from(seed_high) << 32 | u64::from(seed_low);
    let response = match std::str::from_utf8(&request) {
        Ok(text) => llmos_core::quantum::run_request(text, seed),
        Err(_) => String::from(r#"{"error":"the request is not UTF-8 text"}"#),
    };
    let mut framed = Vec::with_capacity(4 + response.len());
    framed.extend_from_slice(&(response.len() as u32).to_le_bytes());
    framed.extend_from_slice(response.as_bytes());
    Box::into_raw(framed.into_boxed_slice()) as *mut u8
}

/// Releases a response returned by [`llmos_quantum_run`].
///
/// # Safety
/// `result` must come from `llmos_quantum_run` and not be freed before.
#[no_mangle]
pub unsafe extern "C" fn llmos_quantum_free(result: *mut u8) {
    // SAFETY: the first four bytes hold the length written by `llmos_quantum_run`.
    unsafe {
        let len = u32::from_le_bytes(*(result as *const [u8; 4])) as usize;
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(result, 4 + len)));
    }
}
