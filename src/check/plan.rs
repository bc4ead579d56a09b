//! What a run of `gen test` is to check, in the form the plan cache (`cache`) keeps
//! between runs: per snippet, what deciding whether to test it again needs, and the
//! snippets their fence skips. The suite makes these from its input and the cache
//! stores them, so that neither of the two needs the other.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Origin;

/// What the suite needs of a snippet to decide whether to test it, and to report it
/// when it is not tested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub id: String,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Everything of the snippet its result key covers (see
    /// [`result_key`](super::results::result_key)).
    pub fingerprint: String,
    /// The tools whose versions are part of its key.
    pub tools: Vec<String>,
}

impl Planned {
    pub fn origin(&self) -> Origin {
        Origin::new(&self.file, self.line, self.column)
    }
}

/// A snippet its fence skips (`test="skip"`), with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSkip {
    pub id: String,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

/// What one run of `gen test` found to check, under the digest of its inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub digest: String,
    pub checks: Vec<Planned>,
    pub skipped: Vec<PlannedSkip>,
}
