//! Finite-width random networks and their exact empirical NTK: an independent, Monte-Carlo check
//! of the infinite-width recursions of [`crate::arch`].
//!
//! The networks are exactly the models of docs/conventions.md at finite width $m$, with all weights
//! drawn i.i.d. $\mathcal N(0,1)$ (NTK parametrization; Jacot, Gabriel & Hongler 2018; Arora et
//! al. 2019; Tirer, Bruna & Giryes 2021). Their empirical neural tangent kernel
//! $$\hat\Theta(x,y) = \sum_{p}\frac{\partial f(x)}{\partial p}\frac{\partial f(y)}{\partial p}$$
//! is computed exactly without materializing a Jacobian: a weight matrix used as $z = c\\,W a$
//! has $\partial f/\partial W = c\\,\delta a^\top$ with $\delta = \partial f/\partial z$, so it
//! contributes $c^2\\,\langle\delta(x),\delta(y)\rangle\\,\langle a(x),a(y)\rangle$. With the
//! forward activations $A$ and backward gradients $\Delta$ of all points stacked as columns,
//! each tensor adds $c^2\\,(\Delta_x^\top\Delta_y)\circ(A_x^\top A_y)$ to the kernel matrix.
//!
//! As $m\to\infty$, $\hat\Theta \to \Theta$ (the analytic NTK of [`crate::kernel::gram_exact`])
//! with fluctuations of order $m^{-1/2}$ (Jacot et al. 2018, Thm. 1; Arora et al. 2019, Thm. 3.1).
//!
//! * [`FiniteMlp`] — the ReLU MLP with $L$ hidden layers.
//! * [`FiniteResNet`] — the ReLU ResNet with $L$ residual blocks.
//! * [`FiniteComposed`] — any composition of dense, activation, residual and serial layers.
//! * [`FiniteNetwork`] — one of them, sampled from an [`crate::arch::Architecture`].
//! * [`EmpiricalError`] — invalid widths, architectures and inputs, and non-finite results.

mod composed;
mod error;
mod mlp;
mod network;
mod resnet;
mod tape;

pub use composed::{FiniteComposed, MAX_PARAMETERS, MAX_TAPE_ENTRIES};
pub use error::EmpiricalError;
pub use mlp::FiniteMlp;
pub use network::{FiniteNetwork, ForwardPass};
pub use resnet::FiniteResNet;
