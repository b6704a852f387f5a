//! The derivation document of one network instance.

use std::fmt::Write;

use super::DerivationError;
use super::blocks::{describe_layer, display, latex, layer_states, value_at};
use crate::arch::Preset;
use crate::error::num;
use crate::series::{Endpoint, endpoint_expansion_normalized, maclaurin_coefficients_normalized};
use crate::spectrum::{DecayClass, decay, mercer_spectrum};
use crate::symbolic::Expr;
use crate::symbolic::exact::Exact;
use crate::symbolic::exact_series::{
    ExactSeriesError, endpoint_expansion_exact, resnet_endpoint_expansion_symbolic,
};
use crate::symbolic::expr_series::{endpoint_expansion_expression, maclaurin_expression};
use crate::symbolic::print::{print, print_all};
use crate::symbolic::rational::Rational;
use crate::symbolic::{Format, kernel_expression};
use crate::{Architecture, KernelKind, SphereKernel};

/// One network instance to derive.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The network.
    pub arch: Architecture,
    /// NTK or NNGP.
    pub kind: KernelKind,
    /// The ambient dimension $d$.
    pub dim: usize,
    /// A title, e.g. `"MLP, L = 2"`.
    pub label: String,
    /// For ResNet presets: $2/(\sigma_w^2\sigma_v^2)$, so that the normalized recursion can also
    /// be shown with $\alpha^2 = $ this $\cdot\\,a$, $a$ a symbol.
    pub symbolic_a_factor: Option<Rational>,
}

/// Closed forms printed inline up to this many characters (text form), else only the
/// statement that they exist and how to print them.
const MAX_CLOSED_FORM: usize = 4000;

/// The derivation of `inst` as a markdown document (LaTeX math between `$…$` / `$$…$$`).
pub fn instance_document(inst: &Instance) -> Result<String, DerivationError> {
    let k = SphereKernel::new(inst.arch.clone(), inst.kind, inst.dim)?;
    let kind = match inst.kind {
        KernelKind::Ntk => "NTK",
        KernelKind::Nngp => "NNGP kernel",
    };
    let sym = if inst.kind == KernelKind::Ntk {
        "\\Theta"
    } else {
        "K"
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Derivation: {}, {kind}, $d = {}$\n",
        inst.label, inst.dim
    );
    out.push_str(
        "Every formula and number below was computed by ntk-sphere for this instance \
         (`ntk derive`).\n\n## The network\n\n",
    );
    for (i, layer) in inst.arch.net().layers().iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, describe_layer(layer));
    }
    out.push_str(
        "\n## The kernel recursion\n\nFor two inputs $x, y$ the state $(q_x, q_y, K, \\Theta)$ \
         starts at $(\\langle x,x\\rangle/d, \\langle y,y\\rangle/d, \\langle x,y\\rangle/d, 0)$ and \
         each layer maps it (NTK parametrization, every layer trained):\n\n\
         * Dense $(\\sigma_w^2, \\sigma_b^2)$: $K' = \\sigma_w^2K + \\sigma_b^2$ and \
         $\\Theta' = K' + \\sigma_w^2\\Theta$ — the term $K'$ is the gradient with respect to this \
         layer's own weights and bias, $\\sigma_w^2\\Theta$ the gradient of the earlier layers \
         propagated through it;\n\
         * activation $\\phi$: $K' = \\mathbb E[\\phi(u)\\phi(v)]$, \
         $\\Theta' = \\Theta\\,\\mathbb E[\\phi'(u)\\phi'(v)]$ over \
         $(u, v) \\sim \\mathcal N(0, \\begin{pmatrix}q_x & K \\cr K & q_y\\end{pmatrix})$ (no \
         parameters: the factor $\\mathbb E[\\phi'\\phi']$ is the back-propagation through \
         $\\phi$);\n\
         * residual $x \\mapsto x + \\alpha B(x)$: $K' = K + \\alpha^2K_B$, \
         $\\Theta' = \\Theta + \\alpha^2\\Theta_B$ — the skip path carries the earlier \
         gradients unchanged, the branch adds its own (cross terms vanish at infinite width).\n\n",
    );
    let rows = layer_states(inst.arch.net(), inst.dim, None);
    if rows.len() <= 12 && rows.iter().all(|(_, a, b)| small(a) && small(b)) {
        let _ = writeln!(
            out,
            "Layer by layer, with $\\langle x,y\\rangle = t$ on the unit sphere:\n\n{}",
            super::blocks::layer_table(&rows)
        );
    }
    // The sphere and the normalization.
    out.push_str("\n## On the sphere\n\n");
    let h = inst.arch.homogeneity();
    match h {
        Some(p) => {
            let _ = writeln!(
                out,
                "Every layer is positively homogeneous (degree {p} overall), so the kernel of \
                 two unit vectors depends on $t = \\langle x, y\\rangle$ only, and \
                 $\\kappa(t)/\\kappa(1)$ does not depend on the overall scale."
            );
        }
        None => out.push_str(
            "The network is not positively homogeneous (biases or a non-homogeneous \
             activation): the kernel still depends on $t$ only for unit vectors, but its \
             normalized form depends on the input scale.\n",
        ),
    }
    let v1d = value_at(&inst.arch, inst.kind, inst.dim, None)?;
    let _ = writeln!(out, "\nThe value on the diagonal:\n");
    out.push_str(&display(&format!("{sym}(1)"), &v1d));
    if let Some(f) = &inst.symbolic_a_factor {
        let e = crate::symbolic::with_symbolic_alpha(f.clone(), || kernel_expression(&k, true))?;
        let p = print(&e, Format::Text);
        if p.expression.len() + p.definitions.iter().map(|d| d.1.len()).sum::<usize>()
            <= MAX_CLOSED_FORM
        {
            out.push_str(
                "\nWith $\\alpha^2\\sigma_w^2\\sigma_v^2/2 = a$ kept symbolic, the normalized \
                 kernel depends on $a$ only:\n\n",
            );
            out.push_str(&display(&format!("\\frac{{{sym}(t)}}{{{sym}(1)}}"), &e));
        }
    }
    // Closed form.
    out.push_str("\n## Closed form\n\n");
    let e = kernel_expression(&k, false)?;
    let p = print(&e, Format::Text);
    if p.expression.len() + p.definitions.iter().map(|d| d.1.len()).sum::<usize>()
        <= MAX_CLOSED_FORM
    {
        out.push_str(&display(&format!("{sym}(t)"), &e));
        out.push_str("\nIn the plain grammar (`ntk expr`):\n\n```text\n");
        for (n, d) in &p.definitions {
            let _ = writeln!(out, "{n} = {d}");
        }
        let _ = writeln!(out, "kernel = {}\n```", p.expression);
    } else {
        out.push_str("The closed form is long; print it with `ntk expr`.\n");
    }
    // Series.
    out.push_str("\n## Expansions at the endpoints and at zero\n\n");
    let plus = endpoint_expansion_normalized(&k, Endpoint::Plus, 6)?;
    let minus = endpoint_expansion_normalized(&k, Endpoint::Minus, 6)?;
    let mac = maclaurin_coefficients_normalized(&k, 8)?;
    let fmt = |c: &[f64]| c.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        out,
        "Normalized kernel, coefficients $c_0, c_1, \\ldots$ (double precision):\n\n\
         * at $t = 1$, in $s = \\sqrt{{1-t}}$: {}\n\
         * at $t = -1$, in $s = \\sqrt{{1+t}}$: {}\n\
         * at $t = 0$, in $t$: {}",
        fmt(&plus),
        fmt(&minus),
        fmt(&mac)
    );
    out.push_str(&exact_expansions(&k, inst));
    // Decay.
    out.push_str("\n## Smoothness and eigenvalue decay\n\n");
    let law = decay(&k, true)?;
    match law.class {
        DecayClass::Polynomial => {
            let _ = writeln!(
                out,
                "Leading singular power $\\nu = {}$: $\\kappa(1-g)/\\kappa(1) = 1 - c_+g^\\nu + \\ldots$ \
                 with $c_+ = {}$, and at $t=-1$ $c_- = {}$. With \
                 $\\mu_k((1-t)^\\nu) \\sim C(d,\\nu)k^{{-(d-1+2\\nu)}}$, \
                 $C(d,\\nu) = 2^{{\\nu+d-2}}\\Gamma(d/2)\\Gamma(\\nu+\\frac{{d-1}}2)/(\\sqrt\\pi\\,\\Gamma(-\\nu))$ \
                 (page 6 of docs/derivations), and \
                 $\\mu_k((1+t)^\\nu) = (-1)^k\\mu_k((1-t)^\\nu)$:\n\n\
                 $$\\mu_k \\sim -(c_+ + (-1)^kc_-)\\,C(d,\\nu)\\,k^{{{}}}$$\n\n\
                 constants: even $k$ {}, odd $k$ {} (normalized kernel).",
                num(law.nu),
                num(law.c_plus),
                num(law.c_minus),
                num(law.exponent),
                decay_constant_text(law.constant_even, law.log_constant_even),
                decay_constant_text(law.constant_odd, law.log_constant_odd)
            );
        }
        DecayClass::Geometric => {
            let _ = writeln!(
                out,
                "The kernel is analytic on $[-1, 1]$: the eigenvalues decay geometrically, \
                 measured ratio {}.",
                law.rate.map_or("n/a".into(), num)
            );
        }
        DecayClass::Finite => {
            let _ = writeln!(
                out,
                "The kernel is a polynomial of degree {}: $\\mu_k = 0$ beyond it.",
                law.degree.map_or("n/a".into(), |d| d.to_string())
            );
        }
    }
    // Eigenvalues.
    out.push_str("\n## First Mercer eigenvalues\n\n| $k$ | $N(d,k)$ | $\\mu_k$ (normalized) | est. relative error |\n|---|---|---|---|\n");
    let sp = mercer_spectrum(&k, 8, true)?;
    for ev in &sp.eigenvalues {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            ev.k,
            num(ev.multiplicity),
            num(ev.mu),
            num(ev.rel_error)
        );
    }
    // Positivity.
    let mac = maclaurin_coefficients_normalized(&k, 40)?;
    let min = mac.iter().copied().fold(f64::INFINITY, f64::min);
    let _ = writeln!(
        out,
        "\n## Positivity certificate\n\nThe Maclaurin coefficients $b_n$ of \
         $\\kappa(t)/\\kappa(1) = \\sum_n b_nt^n$ for $n \\le 40$ have minimum {} (every $b_n \
         \\ge 0$: the kernel is a composition of dual activations, each with non-negative \
         coefficients); by Schoenberg's theorem the kernel is positive definite on every \
         sphere, and $\\sum_n b_n = 1$ (here the first 41 sum to {}).",
        num(min),
        num(mac.iter().sum())
    );
    let _ = latex;
    Ok(out)
}

/// Printed series shown in the document up to this many characters of LaTeX (all coefficients
/// and definitions of one expansion), else fewer terms.
const MAX_SERIES_LATEX: usize = 1800;

/// One expansion printed in LaTeX: the coefficients, shared definitions, and $-c_1$.
struct PrintedSeries {
    coefficients: Vec<String>,
    definitions: Vec<(String, String)>,
    minus_c1: String,
}

impl PrintedSeries {
    fn of_expressions(c: &[Expr]) -> Self {
        let p = print_all(c, Format::Latex);
        let minus_c1 = c.get(1).map_or_else(String::new, |c1| {
            print(&-c1.clone(), Format::Latex).expression
        });
        Self {
            coefficients: p.expressions,
            definitions: p.definitions,
            minus_c1,
        }
    }
    fn of_exact(c: &[Exact]) -> Self {
        Self {
            coefficients: c.iter().map(Exact::to_latex).collect(),
            definitions: Vec::new(),
            minus_c1: c
                .get(1)
                .map_or_else(String::new, |c1| (-c1.clone()).to_latex()),
        }
    }
    fn len(&self) -> usize {
        self.coefficients.iter().map(String::len).sum::<usize>()
            + self.definitions.iter().map(|d| d.1.len()).sum::<usize>()
    }
    /// `c_0 = …, c_1 = …` as display lines, with the shared definitions after them.
    fn lines(&self) -> String {
        let mut out = String::new();
        for (j, e) in self.coefficients.iter().enumerate() {
            let _ = writeln!(out, "$$c_{{{j}}} = {e}$$");
        }
        if !self.definitions.is_empty() {
            out.push_str("\nwhere\n\n");
            for (n, d) in &self.definitions {
                let _ = writeln!(out, "$${n} = {d}$$");
            }
        }
        out
    }
}

/// The longest expansion (at most `max_order`, at least 1) whose printed form fits
/// [`MAX_SERIES_LATEX`].
fn fitting_expansion(
    max_order: usize,
    expand: impl Fn(usize) -> Result<PrintedSeries, ExactSeriesError>,
) -> Result<Option<PrintedSeries>, ExactSeriesError> {
    for order in (1..=max_order).rev() {
        let p = expand(order)?;
        if p.len() <= MAX_SERIES_LATEX {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The exact and symbolic expansions of the normalized kernel, and the exact $c_\pm$.
fn exact_expansions(k: &SphereKernel, inst: &Instance) -> String {
    let mut out = String::from(
        "\n### Exact coefficients\n\nThe same recursion run on exact numbers \
         (`ntk series --exact`): at $t = 1$ in the field $\\mathbb Q(\\sqrt2, \\pi)$ for \
         bias-free networks, elsewhere as expressions whose constants are values of the dual \
         maps (each checked against the double-precision series above).\n",
    );
    let plus = fitting_expansion(4, |n| match endpoint_expansion_exact(k, n) {
        Ok(c) => Ok(PrintedSeries::of_exact(&c)),
        Err(ExactSeriesError::Biased { .. }) => endpoint_expansion_expression(k, Endpoint::Plus, n)
            .map(|c| PrintedSeries::of_expressions(&c)),
        Err(e) => Err(e),
    });
    let minus = fitting_expansion(3, |n| {
        endpoint_expansion_expression(k, Endpoint::Minus, n)
            .map(|c| PrintedSeries::of_expressions(&c))
    });
    let zero = fitting_expansion(2, |n| {
        maclaurin_expression(k, n).map(|c| PrintedSeries::of_expressions(&c))
    });
    let mut slopes: [Option<String>; 2] = [None, None];
    for (i, (title, r)) in [
        ("At $t = 1$, in $s = \\sqrt{1-t}$", plus),
        ("At $t = -1$, in $s = \\sqrt{1+t}$", minus),
        ("At $t = 0$, in $t$", zero),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = write!(out, "\n{title}:\n\n");
        match r {
            Ok(Some(p)) => {
                if i < 2 {
                    slopes[i] = Some(p.minus_c1.clone());
                }
                out.push_str(&p.lines());
            }
            Ok(None) => out.push_str("(long; print it with `ntk series --exact`)\n"),
            Err(e) => {
                let _ = writeln!(out, "not available: {e}");
            }
        }
    }
    if let [Some(cp), Some(cm)] = &slopes {
        let _ = write!(
            out,
            "\nHence, exactly, $c_+ = {cp}$ and $c_- = {cm}$ (minus the coefficients of $s$).\n"
        );
    }
    if let Some(Preset::ResNet(r)) = inst.arch.preset()
        && r.depth() <= 4
        && let Ok(c) = resnet_endpoint_expansion_symbolic(&r, inst.kind, 1)
    {
        let _ = write!(
            out,
            "\nWith $a = \\alpha^2\\sigma_w^2\\sigma_v^2/2$ kept as a symbol, \
             $c_+ = {}$.\n",
            (-c[1].clone()).to_latex()
        );
    }
    out
}

fn small(e: &crate::symbolic::Expr) -> bool {
    let p = print(e, Format::Text);
    p.definitions.is_empty() && p.expression.len() <= 160
}

/// A decay constant as text: its value, or its magnitude $e^{\ln|C|}$ where the value does not
/// fit in `f64`.
fn decay_constant_text(value: Option<f64>, log_abs: Option<f64>) -> String {
    match (value, log_abs) {
        (Some(v), _) => num(v),
        (None, Some(ln)) => format!("$\\pm e^{{{}}}$", num(ln)),
        (None, None) => "unavailable".to_owned(),
    }
}
