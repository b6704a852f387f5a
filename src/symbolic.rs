//! Exact and symbolic computation: the kernel recursions of [`crate::arch`] run on exact numbers
//! and on expressions, so that closed forms, exact series coefficients and the smoothness
//! theorems are *derived* by the code rather than typed in.
//!
//! * [`rational`]: exact rationals and the reading of a double as the simplest rational that
//!   rounds to it (how parameters such as $\alpha = 0.1$ become exactly $1/10$).

pub mod rational;
