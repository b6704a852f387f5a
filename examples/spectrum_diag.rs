use ntk_sphere::spectrum::mercer_spectrum;
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arch = &args[1];
    let depth: usize = args[2].parse().unwrap();
    let alpha: f64 = args[3].parse().unwrap();
    let kind: KernelKind = args[4].parse().unwrap();
    let d: usize = args[5].parse().unwrap();
    let kmax: usize = args[6].parse().unwrap();
    let a: ntk_sphere::Architecture = if arch == "mlp" { Mlp::new(depth, 1.0).unwrap().into() } else { ResNet::new(depth, alpha, 1.0, 1.0).unwrap().into() };
    let k = SphereKernel::new(a, kind, d).unwrap();
    let t = std::time::Instant::now();
    let s = mercer_spectrum(&k, kmax, true).unwrap();
    let el = t.elapsed();
    for c in &s.cross_checks { if c.rel_diff > 1e-12 { println!("xcheck k={} {:?} {:?} {:.2e}", c.k, c.first, c.second, c.rel_diff); } }
    let mut last = None;
    for e in &s.eigenvalues { if Some(e.method) != last || e.k % (kmax/10).max(1) == 0 { println!("k={} mu={:e} logmu={:?} {:?} err={:.1e}", e.k, e.mu, e.log_mu, e.method, e.rel_error); last = Some(e.method);} }
    println!("time {:?}", el);
}
