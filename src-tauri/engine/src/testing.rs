//! Reach into the engine's internals, for its own integration tests, the CLI's and the shell's
//! tests and the benchmarks only (feature `testing`, which their dev-dependencies turn on).
//! The front doors never see this module: they build without the feature and go through
//! [`Engine`]'s operations.

pub use crate::ingest::{ingest, SplitInput};
pub use crate::library::DataRoot;
pub use crate::locks::DataLocks;
pub use crate::store::{NewDataset, NewJob, Store};

use crate::Engine;

impl Engine {
    /// The local database, to set up a state or check one that the facade does not show.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
