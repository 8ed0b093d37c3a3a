//! Background sync: the entry point of the sync worker (`pkg/sync-worker.*.js`,
//! written by the build, src/offline/mod.rs), which every page with an
//! island starts once the user has set sync up, so a change made anywhere
//! goes out without opening `/my/sync/`. It runs the sync page's own
//! rounds ([`driver::round_for`]) under the same Web Lock, so one round at
//! a time runs across tabs, workers and the sync page.
//!
//! A round runs when the worker starts (unless nothing changed here and
//! the last round is recent), when skills change in any tab (the store's
//! BroadcastChannel), when the network comes back (`online`), and on a
//! tick: every [`TICK_MS`], or sooner when the queue's backoff ends.
//! Nothing here touches `window` or `document`: a worker has neither.

use crate::driver::{self, Start};
use js_sys::{Function, Promise};
use llmos_core::sync::State;
use llmos_islands::browser;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Rounds run at least this often (ms), so other devices' work arrives;
/// the same pace as the sync page's.
pub const TICK_MS: f64 = 30_000.0;

/// What woke the loop; the next round's reason.
#[derive(Clone, Copy, PartialEq)]
enum Wake {
    Changed,
    Online,
}

/// Starts background sync in this worker (or page) and returns at once;
/// the loop lives as long as its global scope. Called by the sync worker
/// after it instantiated the bundle.
#[wasm_bindgen]
pub fn background() {
    wasm_bindgen_futures::spawn_local(run());
}

async fn run() {
    // The resolver of the current sleep, and why it was cut short (kept
    // when it comes during a round, so the next sleep ends at once).
    let waker: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
    let woke: Rc<Cell<Option<Wake>>> = Rc::new(Cell::new(None));
    let wake = {
        let (waker, woke) = (waker.clone(), woke.clone());
        move |why: Wake| {
            if woke.get() != Some(Wake::Online) {
                woke.set(Some(why));
            }
            if let Some(resolve) = waker.borrow_mut().take() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    };
    // A round that brought skills here announces it on the same channel:
    // that is no change to push, so it is not heard for a moment.
    let quiet_until = Rc::new(Cell::new(0.0f64));
    {
        let (wake, quiet_until) = (wake.clone(), quiet_until.clone());
        llmos_islands::store::sync::on_skills_changed(move || {
            if browser::now() >= quiet_until.get() {
                wake(Wake::Changed);
            }
        });
    }
    let on_online = Closure::<dyn Fn()>::new(move || wake(Wake::Online));
    if let Ok(add) = browser::global_field("addEventListener").dyn_into::<Function>() {
        let _ = add.call2(&js_sys::global(), &"online".into(), on_online.as_ref());
    }
    on_online.forget();

    let mut start = Start::Opened { tick_ms: TICK_MS };
    loop {
        let outcome = Rc::new(RefCell::new(None));
        let slot = outcome.clone();
        let ran = driver::exclusively(async move {
            *slot.borrow_mut() = Some(driver::round_for(start).await);
        })
        .await;
        let mut delay = TICK_MS;
        match (ran, outcome.take()) {
            (Ok(true), Some(Ok(Some(report)))) => {
                if report.changed_here {
                    quiet_until.set(browser::now() + 2_000.0);
                }
                if let State::Waiting { until, .. } = report.record.queue.state {
                    delay = (until - browser::now()).clamp(1_000.0, TICK_MS);
                }
            }
            (Ok(true), Some(Ok(None))) => {
                if let Ok(record) = driver::load_record().await {
                    if let State::Waiting { until, .. } = record.queue.state {
                        delay = (until - browser::now()).clamp(1_000.0, TICK_MS);
                    } else if let (State::Idle, Some(at)) = (&record.queue.state, record.queue.last_synced) {
                        // Opened right after a round: the next one a tick after it.
                        delay = (at + TICK_MS - browser::now()).clamp(1_000.0, TICK_MS);
                    }
                }
            }
            // Not set up, or no token: said in every header; the user fixes it on the sync page.
            (Ok(true), Some(Err(reason))) => driver::publish_error(&reason),
            // Another tab, worker or the sync page holds the lock: it publishes.
            (Ok(false), _) | (Ok(true), None) => {}
            (Err(reason), _) => driver::publish_error(&reason),
        }
        if woke.get().is_none() {
            sleep(delay, &waker).await;
        }
        start = match woke.take() {
            Some(Wake::Online) => Start::Online,
            Some(Wake::Changed) | None => Start::Due,
        };
    }
}

/// Waits `ms`, or until `waker` is called.
async fn sleep(ms: f64, waker: &Rc<RefCell<Option<Function>>>) {
    let promise = Promise::new(&mut |resolve: Function, _| {
        if let Ok(set_timeout) = browser::global_field("setTimeout").dyn_into::<Function>() {
            let _ = set_timeout.call2(&js_sys::global(), &resolve, &JsValue::from_f64(ms));
        }
        *waker.borrow_mut() = Some(resolve);
    });
    let _ = JsFuture::from(promise).await;
    waker.borrow_mut().take();
}
