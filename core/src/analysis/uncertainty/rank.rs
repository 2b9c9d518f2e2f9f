//! Integer ranks for the analyses: the tie rules that give them.

use crate::error::{Error, Result};
use crate::rank::Ties;

/// Check that a tie rule gives integer ranks (all but `average`).
///
/// # Errors
/// [`Error::Spec`] for [`Ties::Average`].
pub(crate) fn check_ties(ties: Ties) -> Result<()> {
    if ties == Ties::Average {
        return Err(Error::spec(
            "uncertainty analysis",
            "rank statistics need integer ranks: use ties = \"min\" (default), \"max\", \"dense\" or \"first\"",
        ));
    }
    Ok(())
}
