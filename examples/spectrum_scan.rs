use ntk_sphere::spectrum::mercer_spectrum;
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kmax: usize = args[1].parse().unwrap();
    let dims: Vec<usize> = args[2].split(',').map(|x| x.parse().unwrap()).collect();
    let archs: Vec<(ntk_sphere::Architecture, &str)> = vec![
        (Mlp::new(1, 1.0).unwrap().into(), "mlp1"),
        (Mlp::new(5, 1.0).unwrap().into(), "mlp5"),
        (Mlp::new(100, 1.0).unwrap().into(), "mlp100"),
        (ResNet::new(10, 0.5, 1.0, 1.0).unwrap().into(), "res10"),
        (ResNet::new(100, 0.1, 1.0, 1.0).unwrap().into(), "res100a.1"),
        (ResNet::new(3, 5.0, 1.0, 1.0).unwrap().into(), "res3a5"),
    ];
    for &d in &dims {
        for (a, name) in &archs {
            for kind in [KernelKind::Ntk, KernelKind::Nngp] {
                let k = SphereKernel::new(*a, kind, d).unwrap();
                let t = std::time::Instant::now();
                let s = mercer_spectrum(&k, kmax, true).unwrap();
                let el = t.elapsed();
                let worst = s.eigenvalues.iter().filter(|e| !e.exact_zero).max_by(|a, b| a.rel_error.total_cmp(&b.rel_error)).unwrap();
                let xc = s.cross_checks.iter().max_by(|a, b| a.rel_diff.total_cmp(&b.rel_diff));
                println!("d={d:5} {name:10} {kind:?}: worst est {:.1e} at k={} ({:?}); max xcheck {:?}; {:?}", worst.rel_error, worst.k, worst.method, xc.map(|c| (c.k, c.first, c.second, format!("{:.1e}", c.rel_diff))), el);
            }
        }
    }
}
