//! The one clock the server reads. Tests move it instead of sleeping.
use crate::domain::Millis;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
}

/// The system clock plus an adjustable offset (zero in production).
#[derive(Default)]
pub struct SystemClock {
    offset: AtomicI64,
}

impl SystemClock {
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Moves this clock forward (tests only need it, but it is harmless).
    pub fn advance(&self, ms: Millis) {
        self.offset.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        let real = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as Millis).unwrap_or(0);
        real + self.offset.load(Ordering::SeqCst)
    }
}
