use ntk_sphere::spectrum::mercer_spectrum;
use ntk_sphere::{Architecture, KernelKind, Mlp, ResNet, SphereKernel};
fn main() {
    let cases: Vec<(&str, Architecture)> = vec![
        ("mlp50", Mlp::new(50, 1.0).unwrap().into()),
        ("mlp100", Mlp::new(100, 1.0).unwrap().into()),
        ("res100a1", ResNet::new(100, 1.0, 1.0, 1.0).unwrap().into()),
        ("res50a5", ResNet::new(50, 5.0, 1.0, 1.0).unwrap().into()),
    ];
    for (name, a) in cases {
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            for d in [30usize, 50, 80] {
                let k = SphereKernel::new(a, kind, d).unwrap();
                let s = mercer_spectrum(&k, 200, true).unwrap();
                for kk in [0usize, 50, 100, 150, 199, 200] {
                    let e = &s.eigenvalues[kk];
                    println!("{name} {kind:?} d={d} k={kk}: mu={:.6e} log10={:.2} est={:.1e} {:?}", e.mu, e.log_mu.unwrap()/std::f64::consts::LN_10, e.rel_error, e.method);
                }
            }
        }
    }
}
