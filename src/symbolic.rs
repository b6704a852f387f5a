//! Exact and symbolic computation: the kernel recursions of [`crate::arch`] run on exact numbers
//! and on expressions, so that closed forms, exact series coefficients and the smoothness
//! theorems are *derived* by the code rather than typed in.
//!
//! * [`rational`]: exact rationals and the reading of a double as the simplest rational that
//!   rounds to it (how parameters such as $\alpha = 0.1$ become exactly $1/10$).
//! * [`exact`]: the exact coefficient field $\mathbb Q(a)(\sqrt2, \pi)$ of the series at $t = 1$.
//! * [`exact_series`]: exact Puiseux coefficients of the normalized kernel at $t = 1$, and the
//!   exact derivation of Theorems 1–2 ($c_+$ of the MLP and the ResNet).

pub mod exact;
pub mod exact_series;
pub mod rational;
