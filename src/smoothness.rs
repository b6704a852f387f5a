//! Smoothness of the kernels: the measures of Tirer, Bruna & Giryes (2021) and the theorems
//! that order ResNet and MLP kernels.
//!
//! * [`KernelSmoothness`] / [`kernel_smoothness`] — for any kernel of the library: the kink
//!   coefficients $c_\pm$ at $t = \pm1$ (from the Puiseux instance of the kernel recursion), the
//!   slope of the normalized kernel at $\theta = 0^+$, the decay exponent and the even/odd decay
//!   constants of the normalized kernel, and the normalized kernel as a function of the angle.
//! * [`summary`] — the measures of one kernel (and of the paper's interpolant) as the JSON
//!   objects of `ntk compare`.
//! * [`tail_mass`] — the spectral mass $\sum_{k\ge K} N(d,k)\mu_k/\kappa(1)$ above a degree.
//! * [`closed_form`] — the proved statements: $c_+$ of the MLP and of the ResNet in closed form,
//!   the ordering $c_+(\text{ResNet}) < c_+(\text{MLP})$, monotonicity in $\alpha$ and $L$, the
//!   three depth regimes $\alpha = L^{-\gamma}$, $\gamma \in \\{0, 1/2, 1\\}$, and a uniform bound on
//!   the distance of the normalized ResNet NTK from the linear kernel. Proofs:
//!   `docs/derivations/07-smoothness-theorems.md`.
//!
//! Conventions: "normalized" means $\kappa(t)/\kappa(1)$ (docs/conventions.md); the kink coefficients
//! are defined by
//! $$\frac{\kappa(1-g)}{\kappa(1)} = 1 - c_+\sqrt g + O(g),\qquad
//!   \frac{\kappa(-1+g)}{\kappa(1)} = \frac{\kappa(-1)}{\kappa(1)} - c_-\sqrt g + O(g),$$
//! and since $1 - \cos\theta = \theta^2/2 + O(\theta^4)$ the normalized kernel has slope
//! $-c_+/\sqrt2$ in $\theta$ at $\theta = 0^+$.

pub mod closed_form;
mod error;
mod measures;
pub mod summary;

pub use error::SmoothnessError;
pub use measures::{
    KernelSmoothness, NormalizedProfile, SINGULARITY_ORDER, Singularity, TailMass,
    kernel_smoothness, leading_singularity, normalized_profile, slope_at_zero, tail_mass,
};
