//! Placeholder: bivariate Gaussian expectations by a Gauss–Hermite product rule (replaced by
//! the kink-aware quadrature).

fn hermite_rule() -> (Vec<f64>, Vec<f64>) {
    // Probabilists' Gauss–Hermite nodes by the Golub–Welsch-free Newton iteration is overkill
    // for a placeholder: a uniform trapezoid rule on [-12, 12] is spectrally accurate for
    // smooth integrands against the Gaussian weight.
    let n = 801;
    let h = 24.0 / (n - 1) as f64;
    let mut x = Vec::with_capacity(n);
    let mut w = Vec::with_capacity(n);
    for i in 0..n {
        let z = -12.0 + i as f64 * h;
        x.push(z);
        w.push(h * (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt());
    }
    (x, w)
}

/// $\mathbb E[f(u)g(v)]$ for $(u,v)\sim\mathcal N(0,[[q_x,c],[c,q_y]])$.
pub fn bivariate_expectation(
    f: &dyn Fn(f64) -> f64,
    g: &dyn Fn(f64) -> f64,
    _kinks: &[f64],
    qx: f64,
    qy: f64,
    c: f64,
) -> f64 {
    let (z, w) = hermite_rule();
    let sx = qx.max(0.0).sqrt();
    let sy = qy.max(0.0).sqrt();
    let rho = if sx > 0.0 && sy > 0.0 {
        (c / (sx * sy)).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let r = ((1.0 - rho) * (1.0 + rho)).max(0.0).sqrt();
    let mut acc = 0.0;
    for (z1, w1) in z.iter().zip(&w) {
        let fu = f(sx * z1);
        let mut inner = 0.0;
        for (z2, w2) in z.iter().zip(&w) {
            inner += w2 * g(sy * (rho * z1 + r * z2));
        }
        acc += w1 * fu * inner;
    }
    acc
}

/// $\mathbb E[f(u)g(u)]$ for $u\sim\mathcal N(0,q)$.
pub fn univariate_expectation(
    f: &dyn Fn(f64) -> f64,
    g: &dyn Fn(f64) -> f64,
    _kinks: &[f64],
    q: f64,
) -> f64 {
    let (z, w) = hermite_rule();
    let s = q.max(0.0).sqrt();
    z.iter().zip(&w).map(|(z, w)| w * f(s * z) * g(s * z)).sum()
}
