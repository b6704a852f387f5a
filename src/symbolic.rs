//! Exact and symbolic computation: the kernel recursions of [`crate::arch`] run on exact numbers
//! and on expressions, so that closed forms, exact series coefficients and the smoothness
//! theorems are *derived* by the code rather than typed in.
//!
//! * [`rational`]: exact rationals and the reading of a double as the simplest rational that
//!   rounds to it (how parameters such as $\alpha = 0.1$ become exactly $1/10$);
//! * [`Expr`]: symbolic expressions (a DAG of shared nodes) on which the layer recursion runs,
//!   [`print`](mod@print) to the plain grammar and to LaTeX, [`eval`](mod@eval) at any number
//!   type;
//! * [`kernel_expression`]: a kernel as a closed form in $t$;
//! * [`exact`]: the exact coefficient field $\mathbb Q(a)(\sqrt2, \pi)$ of the series at $t = 1$;
//! * [`exact_series`]: exact Puiseux coefficients of the normalized kernel at $t = 1$, and the
//!   exact derivation of Theorems 1–2 ($c_+$ of the MLP and the ResNet);
//! * [`expr_series`]: series coefficients as expressions where no finite field holds them (at
//!   $t = 0$ and $t = -1$, and networks with biases).

pub mod eval;
pub mod exact;
pub mod exact_series;
mod expr;
pub mod expr_series;
pub mod print;
pub mod rational;

pub use exact::with_symbolic_alpha;
pub use expr::{Expr, Func, Symbol};
pub use print::{Format, Printed};

use crate::kernel::SphereKernel;
use crate::scalar::KernelScalar;

/// Why a kernel has no closed form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolicError {
    /// An activation or layer is known only numerically (a closure or a user layer that does
    /// not run on expressions), or an operation was undefined.
    #[error(
        "the kernel of {network} has no closed form: an activation or layer is known only \
         numerically (closure activations and layers that need numbers cannot run symbolically)"
    )]
    Undefined {
        /// The network's description.
        network: String,
    },
    /// The network has more nonlinear layers than [`MAX_SYMBOLIC_LAYERS`].
    #[error(
        "a closed form of a network with {depth} nonlinear layers is refused (at most {max}: \
         the expression grows with the depth)"
    )]
    TooDeep {
        /// The network's depth ([`crate::arch::Serial::depth`]).
        depth: usize,
        /// The limit.
        max: usize,
    },
}

/// The deepest network (nonlinear layers) given as a closed form: beyond it the printed form
/// grows past megabytes (a ResNet with 300 blocks prints 1.4 MB) and walking the expression
/// would need a deeper stack.
pub const MAX_SYMBOLIC_LAYERS: usize = 256;

/// The kernel $\kappa(t)$ of `kernel` (same architecture, kind and dimension; the same $1/d$
/// input scaling as [`SphereKernel::eval`]) as a closed form in the symbol $t$; with
/// `normalize`, $\kappa(t)/\kappa(1)$.
///
/// ```
/// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
/// use ntk_sphere::symbolic::{Format, kernel_expression, print::print};
///
/// let k = SphereKernel::new(Mlp::new(1, 2.0).unwrap(), KernelKind::Ntk, 2).unwrap();
/// let e = kernel_expression(&k, true).unwrap();
/// let p = print(&e, Format::Text);
/// assert!(p.definitions.is_empty());
/// println!("{}", p.expression);
/// ```
pub fn kernel_expression(kernel: &SphereKernel, normalize: bool) -> Result<Expr, SymbolicError> {
    let depth = kernel.arch().net().depth();
    if depth > MAX_SYMBOLIC_LAYERS {
        return Err(SymbolicError::TooDeep {
            depth,
            max: MAX_SYMBOLIC_LAYERS,
        });
    }
    let at = |t: Expr| {
        let s = kernel.eval_generic(t);
        let e = s.exp2.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        s.mantissa.scale_pow2(e)
    };
    let value = at(Expr::t());
    let out = if normalize {
        value / at(Expr::int(1))
    } else {
        value
    };
    if out.is_undefined() {
        return Err(SymbolicError::Undefined {
            network: format!("{:?}", kernel.arch()),
        });
    }
    Ok(out)
}
