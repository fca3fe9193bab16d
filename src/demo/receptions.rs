//! Demo receptions.

use crate::error::AppResult;
use crate::state::AppState;

/// Adds the demo's receptions once (loading the demo again leaves them as they are).
pub async fn add(_state: &AppState) -> AppResult<()> {
    Ok(())
}
